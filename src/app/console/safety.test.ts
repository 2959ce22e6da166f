import { describe, expect, it } from 'vitest';
import { foreignOrigins } from './safety.ts';

const allowed = ['https://app.example/', 'https://cdn.example/lake/manifest.json'];

describe('foreignOrigins', () => {
  it('allows plain SQL over the views and the allowed origins', () => {
    expect(foreignOrigins('SELECT * FROM options LIMIT 5', allowed)).toEqual([]);
    expect(foreignOrigins("SELECT * FROM read_parquet('https://cdn.example/lake/x.parquet')", allowed)).toEqual([]);
  });
  it('names other origins and non-http schemes', () => {
    const sql = "SELECT * FROM read_parquet('https://evil.example/a.parquet') UNION ALL SELECT * FROM 's3://bucket/k.parquet'";
    expect(foreignOrigins(sql, allowed).sort()).toEqual(['https://evil.example', 's3://bucket']);
  });
  it('treats another port as another origin', () => {
    expect(foreignOrigins("SELECT 'http://app.example:8080/x'", ['http://app.example/'])).toEqual(['http://app.example:8080']);
  });
});
