import { describe, expect, it } from 'vitest';
import { formatAs, formatBytes, formatCell, formatGreek, formatMs, formatPercent, formatPrice, formatThousands } from './format.ts';

describe('format', () => {
  it('bytes', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(459 * 1024)).toBe('459 KiB');
    expect(formatBytes(44.5 * 1024 * 1024)).toBe('44.5 MiB');
    expect(formatBytes(NaN)).toBe('–');
  });
  it('durations', () => {
    expect(formatMs(152.4)).toBe('152 ms');
    expect(formatMs(1600)).toBe('1.60 s');
  });
  it('prices always carry two decimals', () => {
    expect(formatPrice(2)).toBe('2.00');
    expect(formatPrice(152)).toBe('152.00');
    expect(formatPrice(152.5)).toBe('152.50');
    expect(formatPrice(1234.567)).toBe('1,234.57');
    expect(formatPrice(null)).toBe('');
    expect(formatPrice(NaN)).toBe('');
  });
  it('percents from fractions, thousands, greeks', () => {
    expect(formatPercent(0.2834)).toBe('28.3%');
    expect(formatPercent(0.0412, 2)).toBe('4.12%');
    expect(formatPercent(-0.015)).toBe('-1.5%');
    expect(formatThousands(369754.52)).toBe('369,755');
    expect(formatThousands(0)).toBe('0');
    expect(formatGreek(0.5)).toBe('0.500');
    expect(formatGreek(-0.04213)).toBe('-0.042');
    expect(formatAs(0.2834, 'percent')).toBe('28.3%');
    expect(formatAs(81.456, 'score')).toBe('81.5');
    expect(formatAs(null, 'price')).toBe('');
    expect(formatAs('SPY', 'price')).toBe('SPY');
  });
  it('cells', () => {
    expect(formatCell(NaN, 'number')).toBe('');
    expect(formatCell(1234567, 'number')).toBe('1,234,567');
    expect(formatCell(0.25123, 'number')).toBe('0.2512');
    expect(formatCell('2025-07-01', 'date')).toBe('2025-07-01');
  });
  it('a DECIMAL keeps its scale, whichever engine named the type', () => {
    expect(formatCell(2, 'number', 'Decimal[8e+2]')).toBe('2.00');
    expect(formatCell(152, 'number', 'Decimal[10e+2]')).toBe('152.00');
    expect(formatCell(0.25, 'number', 'DECIMAL(6,4)')).toBe('0.2500');
    expect(formatCell(7, 'number', 'Int32')).toBe('7');
  });
});
