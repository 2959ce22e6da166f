import { describe, expect, it } from 'vitest';
import { dayOf, isoOf, isTradingDay } from './calendar.ts';
import { earningsEvents, eventVarianceAhead } from './earnings.ts';
import { simulateMarket, simulateSymbol } from './paths.ts';
import { symbolSpec } from './universe.ts';
import { tradingDays } from './calendar.ts';

const from = dayOf('2024-01-01'), to = dayOf('2025-12-31');

describe('simulated earnings reports', () => {
  it('funds, indexes and havens have none; companies report once a quarter on trading days', () => {
    for (const s of ['SPY', 'QQQ', 'XLF', 'GLD', 'TLT']) expect(earningsEvents(42, symbolSpec(s, 42), from, to), s).toEqual([]);
    for (const s of ['AAPL', 'NVDA', 'KO', 'ZZZZ']) {
      const ev = earningsEvents(42, symbolSpec(s, 42), from, to);
      expect(ev.length, s).toBeGreaterThanOrEqual(7);
      expect(ev.length, s).toBeLessThanOrEqual(9);
      expect(new Set(ev.map((e) => e.session)).size, s).toBe(1);
      for (const e of ev) {
        expect(isTradingDay(e.day) && isTradingDay(e.jumpDay), isoOf(e.day)).toBe(true);
        expect(e.jumpDay).toBe(e.session === 'bmo' ? e.day : tradingDays(e.day + 1, e.day + 7)[0]);
        expect(e.impliedVar).toBeGreaterThan(0);
      }
      const gaps = ev.slice(1).map((e, i) => e.day - ev[i]!.day);
      for (const g of gaps) expect(g, s).toBeGreaterThan(75);
      for (const g of gaps) expect(g, s).toBeLessThan(105);
    }
  });

  it('depend only on the seed and the symbol', () => {
    const a = earningsEvents(42, symbolSpec('AAPL', 42), from, to);
    expect(earningsEvents(42, symbolSpec('AAPL', 42), from, to)).toEqual(a);
    const later = earningsEvents(42, symbolSpec('AAPL', 42), dayOf('2025-01-01'), to);
    expect(later).toEqual(a.filter((e) => e.jumpDay >= dayOf('2025-01-01')));
    expect(earningsEvents(43, symbolSpec('AAPL', 43), from, to).map((e) => e.day)).not.toEqual(a.map((e) => e.day));
  });

  it('each report moves the path by its jump on its jump day and leaves the other days alone', () => {
    const days = tradingDays(dayOf('2023-06-01'), dayOf('2025-08-29'));
    const market = simulateMarket(5, days);
    const spec = symbolSpec('NVDA', 5);
    const events = earningsEvents(5, spec, days[0]!, days.at(-1)!);
    expect(events.length).toBeGreaterThan(5);
    const plain = simulateSymbol(5, spec, market);
    const jumped = simulateSymbol(5, spec, market, events);
    const ret = (s: Float64Array, i: number) => Math.log(s[i]! / s[i - 1]!);
    const jumpAt = new Map(events.map((e) => [days.indexOf(e.jumpDay), e.move]));
    for (let i = 1; i < days.length; i++) {
      const extra = ret(jumped.spot, i) - ret(plain.spot, i);
      // Closes are rounded to cents: a tolerance of a few cents in a price of tens of dollars.
      expect(extra, isoOf(days[i]!)).toBeCloseTo(jumpAt.get(i) ?? 0, 2);
    }
    expect(jumped.vol).toEqual(plain.vol);
  });

  it('the variance ahead counts a report until its jump day', () => {
    const e = earningsEvents(42, symbolSpec('AAPL', 42), from, to)[2]!;
    const days = tradingDays(e.jumpDay - 40, e.jumpDay + 5);
    const v = eventVarianceAhead(days, [e], 30);
    days.forEach((d, i) => expect(v[i], isoOf(d)).toBe(d < e.jumpDay && e.jumpDay <= d + 30 ? e.impliedVar : 0));
  });
});
