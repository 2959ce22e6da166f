import { describe, expect, it } from 'vitest';
import { COMPRESS_OVER, decodeSqlz, encodeSql, LINK_SQL_MAX_BYTES, SqlTooLong } from './sql-param.ts';

describe('SQL in links', () => {
  it('keeps short SQL readable', async () => {
    expect(await encodeSql('SELECT 1')).toEqual({ key: 'sql', value: 'SELECT 1' });
  });

  it('compresses long SQL and round-trips it exactly', async () => {
    const sql = `SELECT date, avg(vol) -- ünïcode ✓\nFROM options WHERE act_symbol IN (${Array.from({ length: 80 }, (_, i) => `'S${i}'`).join(', ')}) GROUP BY date`;
    expect(sql.length).toBeGreaterThan(COMPRESS_OVER);
    const { key, value } = await encodeSql(sql);
    expect(key).toBe('sqlz');
    expect(value).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(value.length).toBeLessThan(sql.length);
    expect(await decodeSqlz(value)).toBe(sql);
  });

  it('reports a damaged parameter instead of throwing garbage', async () => {
    await expect(decodeSqlz('not*base64')).rejects.toThrow(/damaged/);
    await expect(decodeSqlz('AAAA')).rejects.toThrow(/damaged/);
  });
});

describe('the inflate limit', () => {
  it('refuses a small sqlz that inflates past the limit, without decoding all of it', async () => {
    // 6 MB of SQL deflates to a few KB: the shape of the link in the issue.
    const bomb = `SELECT 1 ${'-- padding '.repeat(600_000)}`;
    const { key, value } = await encodeSqlUnchecked(bomb);
    expect(key).toBe('sqlz');
    expect(value.length).toBeLessThan(20_000);
    await expect(decodeSqlz(value)).rejects.toThrow(SqlTooLong);
    await expect(decodeSqlz(value)).rejects.toThrow(/inflates to more than 128 KiB/);
  });

  it('accepts SQL right at the limit and refuses one byte more', async () => {
    const at = 'S'.repeat(LINK_SQL_MAX_BYTES);
    const { value } = await encodeSql(at);
    expect(await decodeSqlz(value)).toBe(at);
    await expect(encodeSql(`${at}S`)).rejects.toThrow(/too long to keep in the link/);
    const over = await encodeSqlUnchecked(`${at}S`);
    await expect(decodeSqlz(over.value)).rejects.toThrow(SqlTooLong);
  });
});

/** What a hand-made link could carry: deflate-raw + base64url with no length check. */
async function encodeSqlUnchecked(sql: string): Promise<{ key: string; value: string }> {
  const { deflateRawSync } = await import('node:zlib');
  return { key: 'sqlz', value: deflateRawSync(Buffer.from(sql)).toString('base64url') };
}
