// A private, throwaway PostgreSQL cluster for tests: initdb into a temp dir, start on a free port on
// 127.0.0.1 with its socket in that dir, stop and delete on teardown. PostgreSQL refuses to run as
// root, so as root the cluster belongs to the 'postgres' user (runuser); otherwise to the caller.
// Every call makes a new dir and port, so two test files (or two runs) never share a cluster.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../src/node/net.ts';

export interface PgCluster {
  /** postgres://postgres@127.0.0.1:PORT/postgres */
  url: string;
  port: number;
  dir: string;
  /** Stops the server and deletes its dir; safe to call twice. */
  stop(): Promise<void>;
  /** Stops the server (`-m immediate`: every backend killed, as in a crash) and keeps its data. */
  kill(): Promise<void>;
  /** Starts it again on the same port with the same data. */
  start(): Promise<void>;
  /** kill, optionally wait downMs, start: a server restart as clients see it. */
  restart(downMs?: number): Promise<void>;
}

export function pgBinDir(): string {
  const fromEnv = process.env.PG_BINDIR;
  if (fromEnv && existsSync(join(fromEnv, 'pg_ctl'))) return fromEnv;
  // pg_config on Debian is the client's; the server binaries live beside it in the versioned dir.
  try {
    const dir = execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim();
    if (existsSync(join(dir, 'pg_ctl')) && existsSync(join(dir, 'initdb'))) return dir;
  } catch {
    // fall through to the Debian layout
  }
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base) ? readdirSync(base).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a)) : [];
  for (const v of versions) {
    const dir = join(base, v, 'bin');
    if (existsSync(join(dir, 'pg_ctl'))) return dir;
  }
  throw new Error('PostgreSQL server binaries not found: apt-get install -y postgresql, or set PG_BINDIR');
}

const isRoot = (): boolean => userInfo().uid === 0;

function runAs(bin: string, args: string[]): void {
  const [cmd, argv] = isRoot() ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
  const r = spawnSync(cmd, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) {
    throw new Error(`${bin} ${args.join(' ')} failed (${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}`);
  }
}

const live = new Set<PgCluster>();
let exitHook = false;

/** Starts a fresh cluster; trust auth for local TCP, so the URL needs no password. */
export async function startPostgres(): Promise<PgCluster> {
  const bin = pgBinDir();
  const dir = mkdtempSync(join(tmpdir(), 'quantiv-pg-'));
  if (isRoot()) {
    const ids = execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim();
    const gid = execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim();
    chownSync(dir, Number(ids), Number(gid));
  }
  chmodSync(dir, 0o700);
  const data = join(dir, 'data');
  const log = join(dir, 'server.log');
  runAs(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
  let port = 0;
  let opts = '';
  let lastErr: unknown;
  // A port can be taken between freePort() and the server's bind: retry with another.
  for (let attempt = 0; attempt < 5; attempt++) {
    port = await freePort();
    opts = [
      `-p ${port}`, `-k ${dir}`, '-c listen_addresses=127.0.0.1', '-c fsync=off', '-c synchronous_commit=off',
      '-c full_page_writes=off', '-c max_wal_size=2GB', '-c shared_buffers=256MB', '-c work_mem=64MB',
      '-c maintenance_work_mem=256MB',
    ].join(' ');
    try {
      runAs(join(bin, 'pg_ctl'), ['-D', data, '-l', log, '-o', opts, '-w', '-t', '60', 'start']);
      lastErr = undefined;
      break;
    } catch (err) {
      lastErr = err;
    }
  }
  if (lastErr) {
    rmSync(dir, { recursive: true, force: true });
    throw lastErr;
  }
  let stopped = false;
  const cluster: PgCluster = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    dir,
    async stop() {
      if (stopped) return;
      stopped = true;
      live.delete(cluster);
      stopSync(bin, data, dir);
    },
    async kill() {
      runAs(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', '-t', '30', 'stop']);
    },
    async start() {
      runAs(join(bin, 'pg_ctl'), ['-D', data, '-l', log, '-o', opts, '-w', '-t', '60', 'start']);
    },
    async restart(downMs = 0) {
      await cluster.kill();
      if (downMs > 0) await new Promise((r) => setTimeout(r, downMs));
      await cluster.start();
    },
  };
  live.add(cluster);
  if (!exitHook) {
    exitHook = true;
    // A crashed or interrupted test run must not leave servers behind.
    process.once('exit', () => {
      for (const c of live) stopSync(bin, join(c.dir, 'data'), c.dir);
    });
  }
  return cluster;
}

function stopSync(bin: string, data: string, dir: string): void {
  if (existsSync(join(data, 'postmaster.pid'))) {
    try {
      runAs(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', '-t', '30', 'stop']);
    } catch {
      // already stopped
    }
  }
  rmSync(dir, { recursive: true, force: true });
}
