import { describe, expect, it } from 'vitest';
import type { ResultColumn } from '../../lake/result.ts';
import { axesFor, columnsKey, defaultAxes } from './chart-axes.ts';

const c = (name: string, kind: ResultColumn['kind'], values: unknown[]): ResultColumn =>
  ({ name, kind, sqlType: kind, values: kind === 'number' ? Float64Array.from(values as number[]) : values } as ResultColumn);

const bySymbol = [c('act_symbol', 'string', ['SPY', 'QQQ']), c('contracts', 'number', [5, 3]), c('avg_iv', 'number', [0.2, 0.3])];
const series = [c('date', 'date', ['2025-07-01', '2025-07-02']), c('act_symbol', 'string', ['SPY', 'SPY']), c('avg_vol', 'number', [0.2, 0.21])];

describe('console chart axes', () => {
  it('a time series plots along its date as a line; labels as bars', () => {
    expect(defaultAxes(series)).toEqual({ x: 'date', y: 'avg_vol', kind: 'line' });
    expect(defaultAxes(bySymbol)).toEqual({ x: 'act_symbol', y: 'contracts', kind: 'bar' });
  });
  it('a new result does not inherit an x that would draw a vertical line', () => {
    // The previous result's x (act_symbol) exists in the series too; a new column set starts fresh.
    expect(columnsKey(bySymbol)).not.toBe(columnsKey(series));
    expect(axesFor(series, null).x).toBe('date');
  });
  it('a wanted choice (a link, or the same columns again) wins where it fits', () => {
    expect(axesFor(bySymbol, { x: 'act_symbol', y: 'avg_iv', kind: 'scatter' })).toEqual({ x: 'act_symbol', y: 'avg_iv', kind: 'scatter' });
    expect(axesFor(bySymbol, { x: 'nope', y: 'act_symbol' })).toEqual({ x: 'act_symbol', y: 'contracts', kind: 'bar' });
  });
});
