import { describe, expect, it } from 'vitest';
import { describeError } from './errors.ts';

describe('describeError', () => {
  it('names a missing data file, not the manifest', () => {
    const e = describeError(new Error("Invalid Input Error: File 'http://x/data/options/a.parquet' too small\noptions/a.parquet: HTTP 404"));
    expect(e.title).toMatch(/missing on the server/);
  });
  it('names a truncated file', () => {
    expect(describeError('Invalid Input Error: No magic bytes found at end of file').title).toMatch(/truncated/);
  });
  it('names a manifest failure before a generic 404', () => {
    expect(describeError('The data manifest http://x/manifest.json answered HTTP 404').title).toMatch(/manifest/);
  });
  it('keeps SQL errors readable and drops stack frames', () => {
    const e = describeError(new Error('Parser Error: syntax error at or near "SELEC"\n    at foo (x.js:1:1)'));
    expect(e.title).toMatch(/could not be parsed/);
    expect(e.detail).not.toMatch(/at foo/);
  });
  it('names a read from a foreign origin', () => {
    const e = describeError("IO Error: Refused to read from https://evil.example: Quantiv only reads from http://127.0.0.1:8080");
    expect(e.title).toMatch(/another site/);
  });
  it("names the engine's own refusals: a foreign path, a locked setting, an extension", () => {
    expect(describeError('Permission Error: Cannot access file "https://evil.example/x.parquet" - file system operations are disabled by configuration').title).toMatch(/another site/);
    expect(describeError('Invalid Input Error: Cannot change configuration option "threads" - the configuration has been locked').title).toMatch(/fixed for safety/);
    expect(describeError('Permission Error: Loading external extensions is disabled through configuration').title).toMatch(/fixed for safety/);
  });
  it('falls back to a generic title', () => {
    expect(describeError(42).title).toBe('The query failed.');
  });

  it('names each broken-server finding with what to fix', () => {
    const cases: [string, RegExp][] = [
      ['Data server: options/a.parquet came with Content-Encoding: gzip. Parquet is compressed already', /Content-Encoding/],
      ['Data server: the server ignores the Range header: options/a.parquet came back as 200', /ignores HTTP Range/],
      ['Data server: http://x:1 answered without CORS headers for options/a.parquet', /CORS headers/],
      ['Data server: options/a.parquet: HTTP 404, the manifest lists this file', /missing on the server/],
      ['Data server: options/a.parquet is truncated on the server: it has 100 bytes', /truncated/],
      ['IO Error: options/a.parquet was replaced on the server: its Parquet footer differs', /was replaced/],
      ['ZSTD Decompression failure\nData file corrupted: options/a.parquet could not be decoded', /corrupted/],
    ];
    for (const [raw, title] of cases) {
      const e = describeError(new Error(raw));
      expect(e.title, raw).toMatch(title);
      // The raw finding, with the header or setting it names, stays visible as the detail.
      expect(e.detail).toContain(raw.split('\n')[0]!.slice(0, 40));
    }
  });
  it('names the budgets and refused remote writes', () => {
    expect(describeError('Query stopped: it ran longer than its 120 s time budget. Narrow it').title).toMatch(/time budget/);
    expect(describeError('Out of Memory Error: could not allocate block of size 256 KiB (1.9 GiB/2.0 GiB used)').title).toMatch(/memory/);
    expect(describeError('Quantiv never writes to a server: COPY ... TO or ATTACH of an http(s) URL is refused.').title).toMatch(/never writes/);
  });
});
