import { describe, expect, it } from 'vitest';
import { COMPRESS_OVER, decodeSqlz, encodeSql } from './sql-param.ts';

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
