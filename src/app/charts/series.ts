// Column access for charts: results arrive as flat columns; charts want arrays by name.
import type { Columns } from '../../lake/result.ts';

export function col(result: Columns, name: string): (number | string | boolean | null)[] {
  const c = result.columns.find((x) => x.name === name);
  if (!c) return [];
  return Array.from(c.values as ArrayLike<number | string | boolean | null>, (v) => (typeof v === 'number' && Number.isNaN(v) ? null : v));
}

export function num(result: Columns, name: string): (number | null)[] {
  return col(result, name) as (number | null)[];
}

export function str(result: Columns, name: string): string[] {
  return col(result, name).map((v) => (v === null ? '' : String(v)));
}

/** Rows where `key` equals `value`, as a filtered copy of the named columns. */
export function where(result: Columns, key: string, value: unknown, names: string[]): Record<string, (number | string | boolean | null)[]> {
  const keys = col(result, key);
  const out: Record<string, (number | string | boolean | null)[]> = {};
  for (const n of names) {
    const values = col(result, n);
    out[n] = values.filter((_, i) => keys[i] === value);
  }
  return out;
}
