import { describe, expect, it } from 'vitest';
import { accuracy, intervalPinball, pinball } from './metrics.ts';

describe('forecast metrics against hand-computed values', () => {
  it('pinball loss weighs misses by the quantile level', () => {
    expect(pinball(0.02, 0.01, 0.84)).toBeCloseTo(0.0084, 12); // under-forecast: 0.84 * 0.01
    expect(pinball(0.005, 0.01, 0.84)).toBeCloseTo(0.0008, 12); // over-forecast: 0.16 * 0.005
    expect(pinball(0.01, 0.01, 0.5)).toBe(0);
  });

  it('interval pinball averages its two quantiles', () => {
    // y above both bounds of a 68% band: (0.16*0.02 + 0.84*0.01) / 2 = 0.0058
    expect(intervalPinball(0.03, 0.01, 0.02, 0.68)).toBeCloseTo(0.0058, 12);
    // y inside a 95% band [0.01, 0.05]: (0.025*0.01 + 0.025*0.03) / 2 = 0.0005
    expect(intervalPinball(0.02, 0.01, 0.05, 0.95)).toBeCloseTo(0.0005, 12);
  });

  it('aggregates coverage, MAE, weighted MAPE and pinball', () => {
    const rows = [
      { y: 0.02, em: 0.015, lo68: 0.01, hi68: 0.025, lo95: 0.005, hi95: 0.04 }, // inside both
      { y: 0.05, em: 0.015, lo68: 0.01, hi68: 0.025, lo95: 0.005, hi95: 0.04 }, // outside both
    ];
    const a = accuracy(rows);
    expect(a.n).toBe(2);
    expect(a.coverage_68).toBe(0.5);
    expect(a.coverage_95).toBe(0.5);
    expect(a.mae).toBeCloseTo((0.005 + 0.035) / 2, 12); // 0.02
    expect(a.mape).toBeCloseTo(0.04 / 0.07, 12);
    // row 1: (0.16*0.01 + 0.16*0.005)/2 = 0.0012; row 2: (0.16*0.04 + 0.84*0.025)/2 = 0.0137
    expect(a.pinball_68).toBeCloseTo((0.0012 + 0.0137) / 2, 12);
  });
});
