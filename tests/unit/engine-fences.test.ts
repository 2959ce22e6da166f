// The engine the browser runs (DuckDB-WASM 1.32, node build) with the self-built parquet extension
// and the fences of src/engine/fences.ts: SQL cannot undo them, and a missing or wrong extension
// fails fast with a clear error.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connector } from '../../src/engine/api.ts';
import { EXTENSION, withSignatureTrailer } from '../../src/engine/extension.ts';
import { columnsToRows } from '../../src/lake/result.ts';
import { openDuck } from '../../src/node/duck.ts';
import { BUILT_EXTENSION, ExtensionError, openWasmSession } from '../../src/node/engines/wasm.ts';

const tmp = mkdtempSync(join(tmpdir(), 'quantiv-fences-'));
const allowed = join(tmp, 'allowed') + '/';
const outside = join(tmp, 'outside') + '/';
let session: Connector & { close(): Promise<void> };

beforeAll(async () => {
  mkdirSync(allowed);
  mkdirSync(outside);
  const { conn, close } = await openDuck();
  for (const dir of [allowed, outside]) await conn.run(`COPY (SELECT 42 AS answer) TO '${dir}t.parquet' (FORMAT PARQUET)`);
  close();
  writeFileSync(join(outside, 'secret.csv'), 'k,v\nsecret,1\n');
  copyFileSync(BUILT_EXTENSION, join(allowed, 'json.duckdb_extension.wasm'));
  session = await openWasmSession({ allowedDirectories: [allowed] });
});
afterAll(async () => {
  await session?.close();
  rmSync(tmp, { recursive: true, force: true });
});

const settings = `SELECT current_setting('enable_external_access') AS external,
  current_setting('lock_configuration') AS locked,
  current_setting('autoload_known_extensions') AS autoload,
  current_setting('autoinstall_known_extensions') AS autoinstall,
  current_setting('allowed_directories')::VARCHAR AS dirs`;

async function fails(sql: string): Promise<string> {
  try {
    await session.query(sql);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error(`expected to be refused: ${sql}`);
}

describe('the locked engine', () => {
  it('is DuckDB 1.4.3 with our parquet extension loaded and the fences up', async () => {
    const v = columnsToRows(await session.query(`SELECT version() AS v,
      (SELECT loaded FROM duckdb_extensions() WHERE extension_name = 'parquet') AS parquet`))[0];
    expect(v).toEqual({ v: EXTENSION.engine, parquet: true });
    const s = columnsToRows(await session.query(settings))[0]!;
    expect(s).toMatchObject({ external: false, locked: true, autoload: false, autoinstall: false });
    expect(String(s.dirs)).toContain(allowed);
  });

  it('parses each Parquet footer once (lake files are immutable), and that stays so', async () => {
    const [row] = columnsToRows(await session.query("SELECT current_setting('parquet_metadata_cache') AS on"));
    expect(row).toEqual({ on: true });
    expect(await fails('SET parquet_metadata_cache = false')).toMatch(/configuration has been locked/);
  });

  it('reads Parquet inside the allowed folder and nothing outside it', async () => {
    expect(columnsToRows(await session.query(`SELECT answer FROM read_parquet('${allowed}t.parquet')`))).toEqual([{ answer: 42 }]);
    expect(await fails(`SELECT * FROM read_parquet('${outside}t.parquet')`)).toMatch(/Permission Error/);
    expect(await fails(`SELECT * FROM read_csv('${outside}secret.csv')`)).toMatch(/Permission Error/);
    // A prefix trick: a sibling folder whose name starts like the allowed one.
    mkdirSync(join(tmp, 'allowed-not'), { recursive: true });
    copyFileSync(join(allowed, 't.parquet'), join(tmp, 'allowed-not', 't.parquet'));
    expect(await fails(`SELECT * FROM read_parquet('${join(tmp, 'allowed-not', 't.parquet')}')`)).toMatch(/Permission Error/);
  });

  const attacks: [string, string, RegExp][] = [
    ['SET', 'SET enable_external_access = true', /configuration has been locked/],
    ['SET GLOBAL', 'SET GLOBAL enable_external_access = true', /configuration has been locked/],
    ['SET lock', 'SET lock_configuration = false', /configuration has been locked/],
    ['SET dirs', "SET allowed_directories = ['/']", /configuration has been locked/],
    ['SET autoload', 'SET autoload_known_extensions = true', /configuration has been locked/],
    ['SET repository', "SET custom_extension_repository = 'http://127.0.0.1:9/'", /configuration has been locked/],
    ['RESET', 'RESET enable_external_access', /configuration has been locked/],
    ['RESET ALL', 'RESET ALL', /configuration has been locked|Can only SET or RESET a variable/],
    ['PRAGMA', 'PRAGMA enable_external_access = true', /configuration has been locked|Catalog/],
    ['PRAGMA dirs', "PRAGMA allowed_directories = ['/']", /configuration has been locked|Catalog/],
    ['LOAD', 'LOAD httpfs', /Loading external extensions is disabled/],
    // A file inside the allowed folder: loading code is refused even where reading is allowed.
    ['LOAD path', `LOAD '${allowed}json.duckdb_extension.wasm'`, /Loading external extensions is disabled|Permission/],
    ['INSTALL then LOAD', "INSTALL json FROM 'http://127.0.0.1:9/'; LOAD json", /disabled|Permission/],
    ['ATTACH remote', "ATTACH 'http://127.0.0.1:9/x.duckdb' AS x", /Permission Error/],
    ['ATTACH local', `ATTACH '${outside}x.duckdb' AS x`, /Permission Error/],
    ['COPY TO outside', `COPY (SELECT 1) TO '${outside}leak.csv'`, /Permission Error/],
    ['COPY TO remote', "COPY (SELECT 1) TO 'http://127.0.0.1:9/leak.csv'", /Permission Error/],
    ['remote read', "SELECT * FROM read_csv_auto('http://127.0.0.1:9/exfil.csv')", /Permission Error/],
    ['remote parquet', "SELECT * FROM read_parquet('https://example.invalid/x.parquet')", /Permission Error/],
  ];
  for (const [what, sql, refusal] of attacks) {
    it(`refuses ${what}: ${sql.slice(0, 60)}`, async () => {
      expect(await fails(sql)).toMatch(refusal);
    });
  }

  it('is exactly as locked after every attack as before', async () => {
    const s = columnsToRows(await session.query(settings))[0]!;
    expect(s).toMatchObject({ external: false, locked: true, autoload: false, autoinstall: false });
    const loaded = columnsToRows(await session.query('SELECT extension_name AS e FROM duckdb_extensions() WHERE loaded ORDER BY 1'));
    expect(loaded.map((r) => r.e)).toEqual(['core_functions', 'parquet']);
    expect(await fails(`SELECT * FROM read_parquet('${outside}t.parquet')`)).toMatch(/Permission Error/);
  });
});

describe('the extension file', () => {
  it('a missing file fails at once, naming the build command', async () => {
    const started = Date.now();
    await expect(openWasmSession({ extensionFile: join(tmp, 'nope.wasm') })).rejects.toThrow(/missing .*npm run build:engine/);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('a file with other bytes is refused before DuckDB sees it', async () => {
    const wrong = join(tmp, 'wrong.wasm');
    const bytes = readFileSync(BUILT_EXTENSION);
    const middle = bytes.length >> 1;
    bytes.writeUInt8(bytes.readUInt8(middle) ^ 0xff, middle);
    writeFileSync(wrong, bytes);
    const started = Date.now();
    await expect(openWasmSession({ extensionFile: wrong })).rejects.toThrow(ExtensionError);
    await expect(openWasmSession({ extensionFile: wrong })).rejects.toThrow(/not the pinned/);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('carries the metadata trailer DuckDB checks: platform, engine, ABI', () => {
    const file = readFileSync(BUILT_EXTENSION);
    const tail = file.subarray(file.length - 256 - 8 * 32, file.length - 256);
    const fields = Array.from({ length: 8 }, (_, i) => tail.subarray(i * 32, i * 32 + 32).toString('utf8').replace(/\0+$/, '')).reverse();
    expect(fields.slice(0, 5)).toEqual(['4', EXTENSION.platform, EXTENSION.engine, `${EXTENSION.engine}-quantiv`, 'CPP']);
    // The trailer is what the build appends to the linked module, byte for byte.
    const module = file.subarray(0, file.length - withSignatureTrailer(new Uint8Array(), EXTENSION).length);
    expect(Buffer.from(withSignatureTrailer(module)).equals(file)).toBe(true);
  });
});
