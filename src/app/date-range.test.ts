import { describe, expect, it } from 'vitest';
import { activePreset, draftProblem, lastDatePart, nextWhole, pauseMayCommit, presetRange, rangeProblem, snapToTradingDate } from './date-range.ts';

const bounds = { min: '2024-01-02', max: '2025-08-29' };

describe('date drafts', () => {
  it('intermediate years typed digit by digit are never usable', () => {
    for (const y of ['0002', '0020', '0202']) expect(draftProblem(`${y}-08-01`, bounds)).toMatch(/starts on 2024-01-02/);
    expect(draftProblem('2025-08-01', bounds)).toBeNull();
    expect(draftProblem('2025-09-01', bounds)).toMatch(/ends on 2025-08-29/);
    expect(draftProblem('2025-02-30', bounds)).toMatch(/not a date/);
    expect(draftProblem('', bounds)).toMatch(/Enter a date/);
  });
  it('an inverted range says which end to move', () => {
    expect(rangeProblem('2025-08-01', '2025-07-01')).toMatch(/To \(2025-07-01\) is before From \(2025-08-01\)/);
    expect(rangeProblem('2025-07-01', '2025-08-01')).toBeNull();
  });
});

describe('when a pause may commit a typed date', () => {
  it('the last segment follows the locale', () => {
    expect(lastDatePart('en-US')).toBe('year');
    expect(lastDatePart('de-DE')).toBe('year');
    expect(lastDatePart('ja-JP')).toBe('day');
  });
  it('month, day and year typed in order (en-US) finish only with the year', () => {
    // Each keystroke's value, as Chromium reports it: '' while a segment is half typed (a lone 0),
    // and the old date's values (2025-08-29) in the segments not typed yet.
    const steps = ['', '2025-03-29', '2025-03-01', '2025-03-15', '0002-03-15', '0020-03-15', '0202-03-15', '2024-03-15'];
    let whole = '2025-08-29';
    const may = steps.map((v) => {
      const ok = pauseMayCommit(whole, v, 'year');
      whole = nextWhole(whole, v);
      return ok;
    });
    expect(may).toEqual([false, false, false, false, true, true, true, true]);
    // Of those, only the last is a usable date: one commit, for the final date.
    expect(steps.filter((v, i) => may[i] && draftProblem(v, bounds) === null)).toEqual(['2024-03-15']);
  });
  it('in a day-last locale the day finishes the date; filling the last blank segment does too', () => {
    expect(pauseMayCommit('2025-08-29', '2024-08-29', 'day')).toBe(false);
    expect(pauseMayCommit('2024-08-29', '2024-03-29', 'day')).toBe(false);
    expect(pauseMayCommit('2024-03-29', '2024-03-15', 'day')).toBe(true);
    expect(pauseMayCommit('', '2024-03-15', 'year')).toBe(true);
    expect(pauseMayCommit('2024-03-15', '', 'year')).toBe(false);
  });
});

describe('presets', () => {
  it('end at the newest data', () => {
    expect(presetRange('1M', bounds)).toEqual({ from: '2025-07-30', to: '2025-08-29' });
    expect(presetRange('3M', bounds)).toEqual({ from: '2025-05-30', to: '2025-08-29' });
    expect(presetRange('YTD', bounds)).toEqual({ from: '2025-01-01', to: '2025-08-29' });
    expect(presetRange('1Y', bounds)).toEqual({ from: '2024-08-30', to: '2025-08-29' });
    expect(presetRange('All', bounds)).toEqual({ from: '2024-01-02', to: '2025-08-29' });
  });
  it('never start before the data, and clamp month ends', () => {
    expect(presetRange('1Y', { min: '2025-03-01', max: '2025-08-29' }).from).toBe('2025-03-01');
    expect(presetRange('1M', { min: '2024-01-01', max: '2025-03-31' }).from).toBe('2025-03-01');
  });
  it('the active preset is recognised', () => {
    expect(activePreset('2025-01-01', '2025-08-29', bounds)).toBe('YTD');
    expect(activePreset('2025-01-02', '2025-08-29', bounds)).toBeNull();
  });
});

describe('snapshot dates', () => {
  const dates = ['2025-08-01', '2025-08-04', '2025-08-05'];
  it('a weekend snaps to the trading day before it', () => {
    expect(snapToTradingDate('2025-08-03', dates)).toBe('2025-08-01');
    expect(snapToTradingDate('2025-08-04', dates)).toBe('2025-08-04');
    expect(snapToTradingDate('2025-07-01', dates)).toBe('2025-08-01');
    expect(snapToTradingDate('2025-09-01', dates)).toBe('2025-08-05');
    expect(snapToTradingDate('2025-09-01', [])).toBe('');
  });
});
