// The exit codes (src/node/exit-codes.ts) as the CLI really returns them, against real servers or
// ports nobody listens on, and the docs' tables checked against the same definitions.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/node/exit-codes.ts';
import { freePort } from '../../src/node/net.ts';
import { startPostgres, type PgCluster } from '../support/postgres.ts';
import { startRedis, type RedisServer } from '../support/redis.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const STACK = /\n\s+at /;

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin/quantiv.mjs'), ...args], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += String(d)));
    child.stderr.on('data', (d) => (stderr += String(d)));
    child.on('error', rej);
    child.on('close', (code) => res({ code, stdout, stderr }));
  });
}

let cluster: PgCluster;
let locked: RedisServer;
let dir: string;
let closed: number;

beforeAll(async () => {
  [cluster, closed, locked] = await Promise.all([startPostgres(), freePort(), startRedis({ password: 'sesame' })]);
  dir = mkdtempSync(join(tmpdir(), 'quantiv-exit-codes-'));
  const admin = new pg.Client({ connectionString: cluster.url });
  await admin.connect();
  await admin.query('CREATE DATABASE empty');
  await admin.end();
}, 120_000);

afterAll(async () => {
  await cluster?.stop();
  await locked?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('exit codes the CLI returns', () => {
  it('USAGE (2): no command, an unknown one, a missing flag, a bad --give-up-after', async () => {
    for (const args of [[], ['nope'], ['ingest', '--data', dir], ['produce', '--redis', 'redis://x', '--data', dir, '--give-up-after', 'soon']]) {
      const r = await cli(args);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(EXIT.USAGE);
      expect(r.stderr).not.toMatch(STACK);
    }
  });

  it('FAILED (1): a deployment check that fails', async () => {
    const r = await cli(['check', `http://127.0.0.1:${closed}/data/manifest.json`, '--timeout', '2000']);
    expect(r.code, r.stdout + r.stderr).toBe(EXIT.FAILED);
  });

  it('UNAVAILABLE (4): nothing listens, every tool retries until --give-up-after and says so in two lines', async () => {
    const redisUrl = `redis://127.0.0.1:${closed}`;
    const pgUrl = `postgres://postgres@127.0.0.1:${closed}/postgres`;
    const runs = [
      ['ingest', ['ingest', '--redis', redisUrl, '--data', join(dir, 'lake'), '--give-up-after', '1s'], `Redis at 127.0.0.1:${closed}`],
      ['produce', ['produce', '--redis', redisUrl, '--data', join(ROOT, 'data'), '--count', '10', '--give-up-after', '1s'], `Redis at 127.0.0.1:${closed}`],
      ['export', ['export', '--pg', pgUrl, '--out', join(dir, 'out'), '--give-up-after', '1s'], `PostgreSQL at 127.0.0.1:${closed}/postgres`],
    ] as const;
    await Promise.all(runs.map(async ([tool, args, label]) => {
      const t0 = Date.now();
      const r = await cli([...args]);
      expect(r.code, `${tool}: ${r.stderr}`).toBe(EXIT.UNAVAILABLE);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(1000);
      expect(r.stderr).not.toMatch(STACK);
      const lines = r.stderr.trim().split('\n');
      expect(lines, r.stderr).toHaveLength(2);
      expect(lines[0]).toContain(`${tool}: ${label} lost (connect ECONNREFUSED 127.0.0.1:${closed}); reconnecting with backoff, giving up after 1.0 s`);
      expect(lines[1]).toMatch(new RegExp(`^quantiv ${tool}: ${label.replace(/\./g, '\\.')} unreachable for \\d+\\.\\d s \\(.*ECONNREFUSED.*\\): gave up after \\d+ attempts \\(--give-up-after 1\\.0 s\\)$`));
    }));
    // validate has no reconnect loop: a refused connection is still one line, not a stack.
    const v = await cli(['validate', '--pg', pgUrl, '--data', join(ROOT, 'data')]);
    expect(v.code, v.stderr).toBe(EXIT.UNAVAILABLE);
    expect(v.stderr).toBe(`quantiv validate: connection failed: connect ECONNREFUSED 127.0.0.1:${closed}\n`);
  }, 60_000);

  it('REFUSED (5): a database that does not exist is not retried', async () => {
    const url = cluster.url.replace(/\/postgres$/, '/missing');
    const t0 = Date.now();
    const r = await cli(['export', '--pg', url, '--out', join(dir, 'refused')]);
    expect(r.code, r.stderr).toBe(EXIT.REFUSED);
    expect(Date.now() - t0).toBeLessThan(30_000);
    expect(r.stderr).toBe(`quantiv export: PostgreSQL at 127.0.0.1:${cluster.port}/missing refused the connection: 3D000 database "missing" does not exist\n`);
  });

  it('REFUSED (5): Redis with a wrong password, or none, is not retried either', async () => {
    const wrong = `redis://:nope@127.0.0.1:${locked.port}`;
    const r = await cli(['ingest', '--redis', wrong, '--data', join(dir, 'lake')]);
    expect(r.code, r.stderr).toBe(EXIT.REFUSED);
    expect(r.stderr).toMatch(new RegExp(`^quantiv ingest: Redis at 127\\.0\\.0\\.1:${locked.port} refused the connection: WRONGPASS [^\\n]*\\n$`));
    expect(r.stderr).not.toContain('nope');
    const none = await cli(['produce', '--redis', `redis://127.0.0.1:${locked.port}`, '--data', join(ROOT, 'data'), '--count', '5']);
    expect(none.code, none.stderr).toBe(EXIT.REFUSED);
    expect(none.stderr).toMatch(/^quantiv produce: [^\n]*NOAUTH Authentication required\.\n$/);
  });

  it('REJECTED (3): a legacy schema export cannot map', async () => {
    const r = await cli(['export', '--pg', cluster.url.replace(/\/postgres$/, '/empty'), '--out', join(dir, 'rejected')]);
    expect(r.code, r.stderr).toBe(EXIT.REJECTED);
    expect(r.stderr).toMatch(/^quantiv export: the legacy schema cannot be exported as it is:\n {2}options_chain: table not found/);
    expect(r.stderr).not.toMatch(STACK);
  });
});

describe('the documented exit codes', () => {
  // Every row `| N | NAME | ... |` of a docs exit-code table must be the code's definition.
  const tables = (file: string): Map<string, [number, string][]> => {
    const text = readFileSync(join(ROOT, 'docs', file), 'utf8');
    const out = new Map<string, [number, string][]>();
    for (const m of text.matchAll(/^#### Exit codes: `quantiv (\w+)`\n\n((?:\|.*\|\n)+)/gm)) {
      const rows = [...m[2]!.matchAll(/^\| (\d+) \| `(\w+)` \|/gm)].map((r): [number, string] => [Number(r[1]), r[2]!]);
      out.set(m[1]!, rows);
    }
    return out;
  };
  const documented = new Map([...tables('realtime.md'), ...tables('migration-runbook.md')]);

  it('has a table for every long-running or connection-holding tool', () => {
    expect([...documented.keys()].sort()).toEqual(['compact', 'export', 'ingest', 'monitor', 'produce', 'validate']);
  });

  it.each([...documented.entries()])('quantiv %s: every row is the code exit-codes.ts defines', (_tool, rows) => {
    expect(rows.length).toBeGreaterThanOrEqual(3);
    for (const [code, name] of rows) expect(EXIT[name as keyof typeof EXIT], name).toBe(code);
    // Every tool can end OK, on a usage error, and by a failure it does not expect (a bug): FAILED.
    for (const name of ['OK', 'USAGE'] as const) expect(rows.map((r) => r[1])).toContain(name);
  });
});
