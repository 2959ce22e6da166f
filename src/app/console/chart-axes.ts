// Which columns the console's chart plots. A new result (other columns) gets a fresh, sensible
// pick: a time series along its date; keeping the previous result's x plotted one as a vertical
// line. A re-run of the same columns keeps what the user chose.
import type { ResultColumn } from '../../lake/result.ts';

export type ChartKind = 'line' | 'scatter' | 'bar';

export interface ChartAxes {
  x: string;
  y: string;
  kind: ChartKind;
}

export const CHART_KINDS: readonly ChartKind[] = ['line', 'scatter', 'bar'];

/** A key for "the same columns": names and kinds in order. */
export function columnsKey(columns: Pick<ResultColumn, 'name' | 'kind'>[]): string {
  return columns.map((c) => `${c.name}:${c.kind}`).join('|');
}

/** Non-decreasing: a line along it reads left to right. */
export function ordered(values: ArrayLike<unknown>): boolean {
  for (let i = 1; i < values.length; i++) if ((values[i] as number | string) < (values[i - 1] as number | string)) return false;
  return true;
}

/** A sensible chart for a result: x a date/time if any, else a label, else the first column. */
export function defaultAxes(columns: ResultColumn[]): ChartAxes {
  const x = columns.find((c) => c.kind === 'date' || c.kind === 'timestamp')
    ?? columns.find((c) => c.kind === 'string')
    ?? columns[0];
  const y = columns.find((c) => c.kind === 'number' && c.name !== x?.name);
  const xs = x?.values as ArrayLike<unknown> | undefined;
  const timeLike = x?.kind === 'date' || x?.kind === 'timestamp' || x?.kind === 'number';
  const kind: ChartKind = x?.kind === 'string' ? 'bar' : xs && timeLike && ordered(xs) ? 'line' : 'scatter';
  return { x: x?.name ?? '', y: y?.name ?? '', kind };
}

/**
 * The axes for a new result. `wanted` (from a link, or the user's last choice for these same
 * columns) wins where the result has those columns.
 */
export function axesFor(columns: ResultColumn[], wanted: Partial<ChartAxes> | null): ChartAxes {
  const base = defaultAxes(columns);
  if (!wanted) return base;
  const has = (n: string | undefined, numeric = false) => !!n && columns.some((c) => c.name === n && (!numeric || c.kind === 'number'));
  return {
    x: has(wanted.x) ? wanted.x! : base.x,
    y: has(wanted.y, true) ? wanted.y! : base.y,
    kind: wanted.kind && CHART_KINDS.includes(wanted.kind) ? wanted.kind : base.kind,
  };
}
