import { describe, expect, it } from 'vitest';
import { dayOf, expirationsOn, holidaysOf, isoOf, isTradingDay, monthsOf, tradingDays, weekday } from './calendar.ts';

const isos = (s: Set<number>): string[] => [...s].sort((a, b) => a - b).map(isoOf);

describe('trading calendar', () => {
  it('knows the NYSE holidays of 2024 and 2025', () => {
    expect(isos(holidaysOf(2024))).toEqual([
      '2024-01-01', '2024-01-15', '2024-02-19', '2024-03-29', '2024-05-27', '2024-06-19',
      '2024-07-04', '2024-09-02', '2024-11-28', '2024-12-25',
    ]);
    expect(isos(holidaysOf(2025))).toEqual([
      '2025-01-01', '2025-01-09', '2025-01-20', '2025-02-17', '2025-04-18', '2025-05-26', '2025-06-19',
      '2025-07-04', '2025-09-01', '2025-11-27', '2025-12-25',
    ]);
  });

  it('applies weekend observance and the Juneteenth start', () => {
    expect(isos(holidaysOf(2021))).not.toContain('2021-06-18');
    expect(isos(holidaysOf(2022))).toContain('2022-06-20'); // Sunday -> Monday
    expect(isos(holidaysOf(2020))).toContain('2020-07-03'); // Saturday -> Friday
    expect(isos(holidaysOf(2022))).not.toContain('2021-12-31'); // New Year on Saturday: no Friday close
    expect(isTradingDay(dayOf('2021-12-31'))).toBe(true);
  });

  it('has 252 trading days in 2024 and never a weekend', () => {
    const days = tradingDays(dayOf('2024-01-01'), dayOf('2024-12-31'));
    expect(days.length).toBe(252);
    expect(days.every((d) => weekday(d) !== 0 && weekday(d) !== 6)).toBe(true);
  });

  it('lists weekly and monthly expirations after the quote date, moved off holidays', () => {
    const q = dayOf('2025-04-07');
    const exps = expirationsOn(q);
    expect(exps.every((e) => e.day > q && isTradingDay(e.day))).toBe(true);
    const list = exps.map((e) => isoOf(e.day));
    expect(list).toContain('2025-04-17'); // Good Friday monthly -> Thursday
    expect(list).not.toContain('2025-04-18');
    expect(exps.filter((e) => !e.monthly).length).toBeGreaterThanOrEqual(6);
    expect(exps.filter((e) => e.monthly).length).toBeGreaterThanOrEqual(11);
    expect(exps.find((e) => isoOf(e.day) === '2025-05-16')?.monthly).toBe(true);
  });

  it('splits a range into clipped months', () => {
    const m = monthsOf(dayOf('2024-01-15'), dayOf('2024-03-05'));
    expect(m.map((x) => [x.year, x.month, isoOf(x.from), isoOf(x.to)])).toEqual([
      [2024, 1, '2024-01-15', '2024-01-31'],
      [2024, 2, '2024-02-01', '2024-02-29'],
      [2024, 3, '2024-03-01', '2024-03-05'],
    ]);
  });
});
