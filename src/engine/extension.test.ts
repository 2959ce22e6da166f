import { describe, expect, it } from 'vitest';
import { extensionSource } from './client.ts';
import { EXTENSION, extensionFilePath, extensionRepositoryPath } from './extension.ts';

const doc = (content: string | null) => ({
  querySelector: (() => (content === null ? null : { content })) as unknown as Document['querySelector'],
});

describe('extensionSource', () => {
  it('defaults to the self-built file beside the app, unsigned, with its hash in the path', () => {
    const s = extensionSource('https://app.example/quantiv/index.html', doc(null));
    expect(s).toEqual({ repository: `https://app.example/quantiv/duckdb-extensions/${EXTENSION.sha256.slice(0, 12)}/`, signed: false });
    expect(extensionSource('https://app.example/', doc('  '))).toMatchObject({ signed: false });
    expect(extensionFilePath()).toBe(`${extensionRepositoryPath()}/v1.4.3/wasm_eh/parquet.duckdb_extension.wasm`);
  });

  it("a deployment's repository URL means DuckDB's signed extension", () => {
    expect(extensionSource('https://app.example/', doc('https://extensions.duckdb.org'))).toEqual({
      repository: 'https://extensions.duckdb.org/',
      signed: true,
    });
  });
});
