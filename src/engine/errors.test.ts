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
});
