// Message validation: what a stream message must hold to become a lake row.
import { describe, expect, it } from 'vitest';
import { badMessages, interleave } from '../../src/node/realtime/produce.ts';
import { quoteFields, validateQuote } from '../../src/node/realtime/quote.ts';

const GOOD = {
  date: '2025-09-02', act_symbol: 'SPY', expiration: '2025-09-19', strike: '645.00', call_put: 'C',
  bid: '7.41', ask: '7.52', vol: '0.1532', delta: '0.5123', gamma: '0.012345', theta: '-0.201234',
  vega: '0.6012', open_interest: '12034', volume: '811',
};

const reason = (m: Record<string, string>): string => {
  const v = validateQuote(m);
  return v.ok ? 'ok' : v.reason;
};

describe('validateQuote', () => {
  it('accepts a complete quote and keeps the exact decimal text', () => {
    const v = validateQuote(GOOD);
    expect(v.ok).toBe(true);
    if (v.ok) expect(v.row).toEqual(GOOD);
  });

  it('maps missing or empty nullable fields to NULL, normalises Call/Put, ignores extra fields', () => {
    const { bid: _b, theta: _t, ...rest } = GOOD;
    const v = validateQuote({ ...rest, vega: '', call_put: 'Put', sent_at: '123' });
    expect(v.ok).toBe(true);
    if (v.ok) {
      expect(v.row.bid).toBeNull();
      expect(v.row.theta).toBeNull();
      expect(v.row.vega).toBeNull();
      expect(v.row.call_put).toBe('P');
      expect(v.row).not.toHaveProperty('sent_at');
    }
  });

  it.each([
    [{ strike: undefined }, 'missing field strike'],
    [{ date: '' }, 'missing field date'],
    [{ date: '2025-02-30' }, "bad date: '2025-02-30' is not a date YYYY-MM-DD"],
    [{ date: '02/09/2025' }, 'bad date'],
    [{ expiration: '2025-08-29' }, 'bad expiration: 2025-08-29 is before date 2025-09-02'],
    [{ call_put: 'X' }, "bad call_put: 'X' is not C or P"],
    [{ act_symbol: 'spy is lower' }, 'bad act_symbol'],
    [{ act_symbol: 'ABCDEFGHIJK' }, 'bad act_symbol'],
    [{ strike: '12345678901.5' }, 'out of range for DECIMAL(10,2)'],
    [{ strike: '645.005' }, 'more than 2 decimal places'],
    [{ strike: '0' }, 'bad strike: 0 is outside'],
    [{ bid: 'abc' }, "bad bid: 'abc' is not a decimal number"],
    [{ bid: '1e3' }, 'not a decimal number'],
    [{ bid: 'NaN' }, 'not a decimal number'],
    [{ ask: '7.00' }, 'bad ask: ask 7.00 is below bid 7.41'],
    [{ vol: '0.123456' }, 'more than 4 decimal places (DECIMAL(6,4))'],
    [{ vol: '153.2' }, 'out of range for DECIMAL(6,4)'],
    [{ delta: '1.5' }, 'bad delta: 1.5 is outside -1..1'],
    [{ gamma: '100.5' }, 'out of range for DECIMAL(8,6)'],
    [{ volume: '-5' }, 'bad volume: -5 is outside'],
    [{ volume: '1.5' }, 'not a 32-bit integer'],
    [{ open_interest: '99999999999' }, 'not a 32-bit integer'],
  ] as [Record<string, string | undefined>, string][])('rejects %j', (patch, expected) => {
    const m: Record<string, string> = { ...GOOD };
    for (const [k, v] of Object.entries(patch)) {
      if (v === undefined) delete m[k];
      else m[k] = v;
    }
    expect(reason(m)).toContain(expected);
  });

  it('accepts trailing zeros beyond the scale and boundary values', () => {
    expect(reason({ ...GOOD, strike: '645.0000' })).toBe('ok');
    expect(reason({ ...GOOD, vol: '99.9999' })).toBe('ok');
    expect(reason({ ...GOOD, delta: '-1' })).toBe('ok');
    expect(reason({ ...GOOD, open_interest: '2147483647' })).toBe('ok');
  });

  it("the producer's bad messages are all rejected, and its good ones survive the round trip", () => {
    const bad = badMessages([GOOD], 8);
    expect(bad.map(reason).filter((r) => r === 'ok')).toEqual([]);
    expect(new Set(bad.map((m) => reason(m).split(':')[0])).size).toBeGreaterThanOrEqual(6);
    expect(reason(quoteFields({ ...GOOD, bid: null }))).toBe('ok');
    const mixed = interleave([GOOD, GOOD, GOOD, GOOD], bad.slice(0, 2));
    expect(mixed.length).toBe(6);
    expect(mixed[0]).toEqual(GOOD);
  });
});
