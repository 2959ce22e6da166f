// PostgreSQL faults against `quantiv export`: a real cluster is restarted (immediate shutdown, as a
// crash) in the middle of an export, and killed and kept down past the give-up time. The export
// must recover (or exit with the documented code and one line, no stack), and its lake must then
// equal the source: `quantiv validate` passes (counts, checksums and per-row content fingerprints
// of every partition) and the manifest is byte-identical to an uninterrupted export's.
import { writeFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseManifest, type Manifest } from '../../src/lake/manifest.ts';
import { EXIT } from '../../src/node/exit-codes.ts';
import { generate } from '../../src/node/generate/index.ts';
import { exportPg, PAUSE_ENV, RESUME_ENV } from '../../src/node/pg/export.ts';
import { loadIntoPg } from '../../src/node/pg/load.ts';
import { runCli as run } from '../support/cli-process.ts';
import { startPostgres, type PgCluster } from '../support/postgres.ts';

const STACK = /\n\s+at /;

let cluster: PgCluster;
let dir: string;
let reference: string;

const manifestOf = async (root: string): Promise<Manifest> => parseManifest(JSON.parse(await readFile(join(root, 'manifest.json'), 'utf8')));

beforeAll(async () => {
  [cluster, dir] = await Promise.all([startPostgres(), mkdtemp(join(tmpdir(), 'quantiv-fault-pg-'))]);
  const gen = await generate({ out: join(dir, 'lake'), symbols: ['SPY', 'QQQ', 'IWM'], from: '2025-03-03', to: '2025-05-30', seed: 5, strikes: 8, quiet: true });
  await loadIntoPg(gen.root, cluster.url, { quirks: true, seed: 9 });
  reference = join(dir, 'reference');
  await exportPg(cluster.url, { out: reference });
}, 300_000);

afterAll(async () => {
  await cluster?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function expectEqualsSource(out: string): Promise<void> {
  const v = run(['validate', '--pg', cluster.url, '--data', out, '--quiet']);
  expect(await v.exited, `${v.stdout()}${v.stderr()}`).toBe(EXIT.OK);
  // Deterministic files: the same bytes as the uninterrupted export, file by file.
  const [got, want] = [await manifestOf(out), await manifestOf(reference)];
  expect(got.files.map((f) => [f.path, f.sha256]).sort()).toEqual(want.files.map((f) => [f.path, f.sha256]).sort());
  expect(got.datasetVersion).toBe(want.datasetVersion);
}

describe('PostgreSQL faults under export', () => {
  it('a restart mid-export: one line lost, one reconnected, the export resumes from its state and equals the source', async () => {
    const out = join(dir, 'restarted');
    const resume = join(dir, 'resume-restarted');
    const exp = run(['export', '--pg', cluster.url, '--out', out, '--give-up-after', '60s'], { [PAUSE_ENV]: '2', [RESUME_ENV]: resume });
    await exp.waitFor(/paused after 2 partitions/);
    await cluster.restart(1000);
    writeFileSync(resume, '');
    expect(await exp.exited, exp.stderr()).toBe(EXIT.OK);
    const lines = exp.stderr().split('\n');
    const lost = lines.filter((l) => / lost \(/.test(l));
    const back = lines.filter((l) => / reconnected after /.test(l));
    expect(lost, exp.stderr()).toHaveLength(1);
    expect(lost[0]).toMatch(/export: PostgreSQL at 127\.0\.0\.1:\d+\/postgres lost \(.+\); reconnecting with backoff, giving up after 60\.0 s$/);
    expect(back, exp.stderr()).toHaveLength(1);
    expect(exp.stderr()).not.toMatch(STACK);
    expect(exp.stdout()).toMatch(/resuming: \d+ partitions already exported and unchanged/);
    expect(exp.stdout()).toContain('resumed after 1 PostgreSQL outage(s)');
    const report = JSON.parse(await readFile(join(out, '_migration', 'export-report.json'), 'utf8')) as { reconnects: number; skipped: number; exported: { partitions: number } };
    expect(report.reconnects).toBe(1);
    // Partitions finished before the outage count as exported by this run, not as skipped.
    expect(report.skipped).toBe(0);
    expect(report.exported.partitions).toBe((await manifestOf(reference)).files.filter((f) => !f.path.startsWith('rollups/')).length);
    await expectEqualsSource(out);
  }, 240_000);

  it('PostgreSQL down past --give-up-after: exit 4 with one line, a consistent partial lake, and a re-run once it is back equals the source', async () => {
    const out = join(dir, 'gaveup');
    const resume = join(dir, 'resume-gaveup');
    const exp = run(['export', '--pg', cluster.url, '--out', out, '--give-up-after', '3s'], { [PAUSE_ENV]: '1', [RESUME_ENV]: resume });
    await exp.waitFor(/paused after 1 partitions/);
    await cluster.kill();
    writeFileSync(resume, '');
    const code = await exp.exited;
    await cluster.start();
    expect(code, exp.stderr()).toBe(EXIT.UNAVAILABLE);
    const lines = exp.stderr().trim().split('\n');
    expect(lines.filter((l) => / lost \(/.test(l))).toHaveLength(1);
    expect(lines.at(-1)).toMatch(/^quantiv export: PostgreSQL at 127\.0\.0\.1:\d+\/postgres unreachable for \d+\.\d s \(.+\): gave up after \d+ attempts \(--give-up-after 3\.0 s\)$/);
    expect(exp.stderr()).not.toMatch(STACK);
    // What was published before the outage is a consistent lake: every listed file is finished.
    const partial = await manifestOf(out);
    const want = new Map((await manifestOf(reference)).files.map((f) => [f.path, f.sha256]));
    expect(partial.files.length).toBeGreaterThan(0);
    for (const f of partial.files.filter((x) => !x.path.startsWith('rollups/'))) expect(f.sha256, f.path).toBe(want.get(f.path));
    const again = run(['export', '--pg', cluster.url, '--out', out]);
    expect(await again.exited, again.stderr()).toBe(EXIT.OK);
    expect(again.stdout()).toMatch(/resuming: \d+ partitions already exported and unchanged/);
    await expectEqualsSource(out);
  }, 240_000);
});
