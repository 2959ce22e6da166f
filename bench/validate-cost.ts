// `npx tsx bench/validate-cost.ts --lake DIR [--pg-months N]`
// What validate's content fingerprint costs. DuckDB: every options month of the lake (read only),
// once with validate's full metric SELECT and once with the fingerprint alone. PostgreSQL: the first
// N months loaded into a private cluster's options_chain, the same two queries over the plain rows,
// and the full metrics over validate's cleaning relation (quirks R1-R4, a window per month). Prints
// rows/s per query and the time extrapolated to the lake's row count; the machine's load is printed
// too, because these are speeds, not budgets.
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { openDuck } from '../src/node/duck.ts';
import { readLakeManifest } from '../src/node/lake-io.ts';
import { hash60, metricsSql, rowTextSql } from '../src/node/pg/checksums.ts';
import { connectPg } from '../src/node/pg/client.ts';
import { loadIntoPg } from '../src/node/pg/load.ts';
import { cleanOptionsPgSql } from '../src/node/pg/quirks.ts';
import { monthPartition, pgSelectList, sourceSelectSql } from '../src/node/pg/tables.ts';
import { pathLocator, scanFiles } from '../src/lake/views.ts';
import { startPostgres } from '../tests/support/postgres.ts';

const { values } = parseArgs({ options: { lake: { type: 'string' }, 'pg-months': { type: 'string', default: '2' } } });
if (!values.lake) throw new Error('--lake DIR is required');
const lake = resolve(values.lake);
const pgMonths = Number(values['pg-months']);
const log = (msg: string) => process.stderr.write(`[validate-cost ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

const manifest = await readLakeManifest(lake);
const months = manifest.files.filter((f) => f.table === 'options').sort((a, b) => (a.path < b.path ? -1 : 1));
const total = months.reduce((s, f) => s + f.rows, 0);
const fingerprint = (e: 'pg' | 'duck', rel: string) => `SELECT sum(${hash60(e, rowTextSql(e, 'options'))})::VARCHAR FROM (${rel}) AS rel`;
const timed = async (f: () => Promise<unknown>): Promise<number> => {
  const t0 = performance.now();
  await f();
  return (performance.now() - t0) / 1000;
};
const lines: string[] = [`load average at start ${loadavg().map((x) => x.toFixed(2)).join(' ')}; ${total.toLocaleString('en-US')} option rows in ${months.length} months`];
const row = (engine: string, what: string, rows: number, s: number) =>
  lines.push(`| ${engine} | ${what} | ${rows.toLocaleString('en-US')} | ${s.toFixed(2)} s | ${Math.round(rows / s).toLocaleString('en-US')} | ${((s * total) / rows).toFixed(1)} s |`);

// DuckDB, the whole lake, partition by partition as validate reads it.
{
  const { conn, close } = await openDuck(':memory:', { threads: '2' });
  let full = 0, fp = 0;
  for (const f of months) {
    const rel = `SELECT * FROM ${scanFiles('options', [f], pathLocator(lake))}`;
    full += await timed(() => conn.runAndReadAll(metricsSql('duck', 'options', rel).sql));
    fp += await timed(() => conn.runAndReadAll(fingerprint('duck', rel)));
    log(`duck ${f.path}: full ${full.toFixed(1)} s, fingerprint ${fp.toFixed(1)} s so far`);
  }
  close();
  row('DuckDB', 'all metrics (validate)', total, full);
  row('DuckDB', 'fingerprint alone', total, fp);
}

// PostgreSQL, the first months only (loading 10M rows would take longer than measuring them).
{
  const cluster = await startPostgres();
  try {
    const sample = months.slice(0, pgMonths);
    // A lake of just the sampled months (links to the read-only originals), so the loader copies only those.
    const sub = await mkdtemp(resolve(tmpdir(), 'quantiv-validate-cost-'));
    for (const f of sample) {
      await mkdir(resolve(sub, f.path, '..'), { recursive: true });
      await symlink(resolve(lake, f.path), resolve(sub, f.path));
    }
    await writeFile(resolve(sub, 'manifest.json'), JSON.stringify({ ...manifest, files: sample }));
    const t0 = performance.now();
    await loadIntoPg(resolve(sub), cluster.url, {});
    log(`loaded ${sample.length} months into PostgreSQL in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    await rm(resolve(sub), { recursive: true, force: true });
    const client = await connectPg(cluster.url);
    await client.query('VACUUM ANALYZE options_chain');
    let full = 0, fp = 0, clean = 0, rows = 0;
    for (const f of sample) {
      const p = monthPartition(Number(f.partition.year), Number(f.partition.month));
      const plain = sourceSelectSql(p, pgSelectList('options'));
      rows += f.rows;
      full += await timed(() => client.query(metricsSql('pg', 'options', plain).sql));
      fp += await timed(() => client.query(fingerprint('pg', plain)));
      clean += await timed(() => client.query(metricsSql('pg', 'options', cleanOptionsPgSql(p.from!, p.to!)).sql));
      log(`pg ${p.key}: full ${full.toFixed(1)} s, fingerprint ${fp.toFixed(1)} s, cleaned ${clean.toFixed(1)} s so far`);
    }
    await client.end();
    row('PostgreSQL', 'all metrics, plain rows', rows, full);
    row('PostgreSQL', 'fingerprint alone, plain rows', rows, fp);
    row('PostgreSQL', 'all metrics, cleaning relation (validate)', rows, clean);
  } finally {
    await cluster.stop();
  }
}
lines.push(`load average at end ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
process.stdout.write(
  `${lines[0]}\n\n| engine | query | rows measured | time | rows/s | at ${total.toLocaleString('en-US')} rows |\n| --- | --- | ---: | ---: | ---: | ---: |\n${lines.slice(1, -1).join('\n')}\n\n${lines.at(-1)}\n`,
);
