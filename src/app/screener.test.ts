import { describe, expect, it } from 'vitest';
import { NO_FILTERS, passes, sparkPoints, toCsv } from './screener.ts';

const spy = { symbol: 'SPY', iv_rank: 40, iv_hv_spread: 0.02, avg_daily_volume: 300_000 };
const tsla = { symbol: 'TSLA', iv_rank: 85, iv_hv_spread: -0.01, avg_daily_volume: 90_000 };

describe('screener filters', () => {
  it('no filter passes everything', () => {
    expect([spy, tsla].filter((r) => passes(r, NO_FILTERS))).toHaveLength(2);
  });
  it('each bound narrows; text matches part of the symbol', () => {
    expect(passes(tsla, { ...NO_FILTERS, minIvRank: 50 })).toBe(true);
    expect(passes(spy, { ...NO_FILTERS, minIvRank: 50 })).toBe(false);
    expect(passes(tsla, { ...NO_FILTERS, minSpread: 0 })).toBe(false);
    expect(passes(spy, { ...NO_FILTERS, minVolume: 100_000 })).toBe(true);
    expect(passes(spy, { ...NO_FILTERS, text: 'sp' })).toBe(true);
    expect(passes(tsla, { ...NO_FILTERS, text: 'sp' })).toBe(false);
  });
  it('a missing value fails a bound instead of passing it', () => {
    expect(passes({ symbol: 'X', iv_rank: null }, { ...NO_FILTERS, minIvRank: 0 })).toBe(false);
  });
});

describe('screener CSV', () => {
  it('raw values, quoted where needed, CRLF', () => {
    expect(toCsv(['symbol', 'iv', 'note'], [{ symbol: 'SPY', iv: 0.2834, note: 'a, "b"' }, { symbol: 'QQQ', iv: null }]))
      .toBe('symbol,iv,note\r\nSPY,0.2834,"a, ""b"""\r\nQQQ,,\r\n');
  });
});

describe('sparklines', () => {
  it('scale into the box, lowest at the bottom, gaps skipped', () => {
    expect(sparkPoints([1, 3, null, 2], 30, 10)).toBe('0.0,10.0 10.0,0.0 30.0,5.0');
    expect(sparkPoints([1], 30, 10)).toBe('');
  });
});
