import { describe, expect, it } from 'vitest';
import { formatBytes, formatCell, formatMs } from './format.ts';

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
  it('cells', () => {
    expect(formatCell(NaN, 'number')).toBe('');
    expect(formatCell(1234567, 'number')).toBe('1,234,567');
    expect(formatCell(0.25123, 'number')).toBe('0.2512');
    expect(formatCell('2025-07-01', 'date')).toBe('2025-07-01');
  });
});
