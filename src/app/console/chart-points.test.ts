import { describe, expect, it } from 'vitest';
import { chartPoints } from './chart-points.ts';

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('chartPoints', () => {
  it('draws every row of a small result', () => {
    const p = chartPoints([1, 2, 3], [4, 5, 6], true, true, 10);
    expect(p).toEqual({ x: [1, 2, 3], y: [4, 5, 6], rows: 3, method: 'all' });
  });

  it('an ordered line keeps each bucket\'s extremes: a one-row spike survives', () => {
    const x = range(100_000);
    const y = x.map((i) => (i === 51_234 ? 1e6 : i === 70_001 ? -1e6 : Math.sin(i / 1000)));
    const p = chartPoints(x, y, true, true, 4000);
    expect(p.method).toBe('extremes');
    expect(p.x.length).toBeLessThanOrEqual(4000);
    expect(p.y).toContain(1e6);
    expect(p.y).toContain(-1e6);
    expect(p.x[0]).toBe(0);
    expect(p.x.at(-1)).toBe(99_999);
    // Still in row order, so the line does not double back.
    for (let i = 1; i < p.x.length; i++) expect(p.x[i]! > p.x[i - 1]!).toBe(true);
  });

  it('unordered or scatter results take every n-th row, within the cap', () => {
    const x = range(10_001).reverse();
    const p = chartPoints(x, x, false, false, 1000);
    expect(p.method).toBe('stride');
    expect(p.x.length).toBeLessThanOrEqual(1000);
    expect(p.x[0]).toBe(10_000);
    expect(p.rows).toBe(10_001);
  });
});
