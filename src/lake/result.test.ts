import { describe, expect, it } from 'vitest';
import { resultDigest, type Columns } from './result.ts';

const result = (avg: number[], sym: (string | null)[]): Columns => ({
  rows: avg.length,
  columns: [
    { name: 'sym', kind: 'string', sqlType: 'VARCHAR', values: sym },
    { name: 'avg', kind: 'number', sqlType: 'DOUBLE', values: Float64Array.from(avg) },
  ],
});

describe('resultDigest', () => {
  it('is equal for the same answer, also when doubles differ in the last bits', () => {
    expect(resultDigest(result([0.1 + 0.2, NaN], ['A', null]))).toBe(resultDigest(result([0.3, NaN], ['A', null])));
  });
  it('changes with any value, a NULL, the order or a column name', () => {
    const base = resultDigest(result([1.5, 2], ['A', 'B']));
    expect(resultDigest(result([1.5001, 2], ['A', 'B']))).not.toBe(base);
    expect(resultDigest(result([1.5, 2], ['A', null]))).not.toBe(base);
    expect(resultDigest(result([2, 1.5], ['B', 'A']))).not.toBe(base);
    const renamed = result([1.5, 2], ['A', 'B']);
    renamed.columns[0]!.name = 'symbol';
    expect(resultDigest(renamed)).not.toBe(base);
  });
});
