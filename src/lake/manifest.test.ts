import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { datasetVersionOf, parseManifest, partitionOf, pruneFiles, type Manifest } from './manifest.ts';
import { filePath } from './schema.ts';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

function file(path: string, minDate: string | null, maxDate: string | null, table = 'options') {
  return { table, path, bytes: 100, rows: 10, minDate, maxDate, partition: partitionOf(path), sha256: sha(path) };
}

const raw = {
  format: 'quantiv-manifest',
  formatVersion: 1,
  datasetVersion: 'abc',
  createdAt: '2025-09-01T00:00:00Z',
  files: [
    file(filePath('options', { year: 2025, month: 6 }), '2025-06-02', '2025-06-30'),
    file(filePath('options', { year: 2025, month: 7 }), '2025-07-01', '2025-07-31'),
    file(filePath('options', { year: 2025, month: 8 }), '2025-08-01', '2025-08-29'),
    file(filePath('model_meta'), null, null, 'model_meta'),
  ],
};

describe('manifest', () => {
  it('a reader can skip tables it does not know; a writer refuses them', () => {
    const newer = { ...raw, files: [...raw.files, file('derived/x_2025.parquet', null, null, 'future_rollup')] };
    expect(() => parseManifest(newer)).toThrow(/files\[4\]\.table "future_rollup" is unknown/);
    expect(parseManifest(newer, { unknownTables: 'skip' }).files.map((f) => f.table)).toEqual(['options', 'options', 'options', 'model_meta']);
    // Only well-formed table names are skipped: garbage still fails.
    expect(() => parseManifest({ ...raw, files: [...raw.files, file('x.parquet', null, null, 'DROP TABLE')] }, { unknownTables: 'skip' })).toThrow(/unknown/);
  });

  it('keeps a footer proof, and reads older manifests without one', () => {
    const proof = { bytes: 100, sha256: sha('footer') };
    const m = parseManifest({ ...raw, files: [{ ...raw.files[0], footer: proof }, ...raw.files.slice(1)] });
    expect(m.files[0]!.footer).toEqual(proof);
    expect(m.files[1]!.footer).toBeUndefined();
  });

  it('parses a valid manifest', () => {
    const m = parseManifest(raw);
    expect(m.files).toHaveLength(4);
    expect(m.files[0]!.partition).toEqual({ year: '2025', month: '06' });
  });

  it.each([
    ['not an object', []],
    ['format', { ...raw, format: 'x' }],
    ['table', { ...raw, files: [{ ...raw.files[0], table: 'nope' }] }],
    ['relative inside the lake', { ...raw, files: [{ ...raw.files[0], path: '../etc/passwd.parquet' }] }],
    ['relative inside the lake', { ...raw, files: [{ ...raw.files[0], path: 'https://evil/x.parquet' }] }],
    ['listed twice', { ...raw, files: [raw.files[0], raw.files[0]] }],
    ['sha256', { ...raw, files: [{ ...raw.files[0], sha256: 'zz' }] }],
    ['minDate', { ...raw, files: [{ ...raw.files[0], minDate: '2025/06/02' }] }],
    ['bytes', { ...raw, files: [{ ...raw.files[0], bytes: -1 }] }],
    ['footer.bytes', { ...raw, files: [{ ...raw.files[0], footer: { bytes: 4, sha256: sha('f') } }] }],
    ['footer.sha256', { ...raw, files: [{ ...raw.files[0], footer: { bytes: 100, sha256: 'zz' } }] }],
  ])('rejects a bad %s', (what, bad) => {
    expect(() => parseManifest(bad)).toThrow(new RegExp(what.split(' ')[0]!));
  });

  it('prunes by date range using only min/max', () => {
    const m: Manifest = parseManifest(raw);
    const paths = (from?: string, to?: string) => pruneFiles(m, 'options', { from, to }).map((f) => f.path.slice(-10, -8));
    expect(paths('2025-07-05', '2025-07-20')).toEqual(['07']);
    expect(paths('2025-06-30', '2025-07-01')).toEqual(['06', '07']);
    expect(paths('2025-09-01')).toEqual([]);
    expect(paths()).toEqual(['06', '07', '08']);
    expect(pruneFiles(m, 'model_meta', { from: '2030-01-01' })).toHaveLength(1);
  });

  it('versions the dataset by content, independent of order', () => {
    const hex = (s: string) => createHash('sha256').update(s).digest('hex');
    const a = datasetVersionOf(raw.files, hex);
    expect(datasetVersionOf([...raw.files].reverse(), hex)).toBe(a);
    expect(datasetVersionOf([{ ...raw.files[0]!, sha256: sha('changed') }, ...raw.files.slice(1)], hex)).not.toBe(a);
  });

  it('lays out paths as DESIGN.md says', () => {
    expect(filePath('options', { year: 2024, month: 1 })).toBe('options/year=2024/month=01/options_2024_01.parquet');
    expect(filePath('volatility', { year: 2024 })).toBe('volatility/year=2024/volatility_2024.parquet');
    expect(filePath('em_forecasts')).toBe('forecasts/em_forecasts.parquet');
    expect(filePath('symbols_metadata')).toBe('metadata/symbols_metadata.parquet');
    expect(() => filePath('options', { year: 2024 })).toThrow(/month/);
  });
});
