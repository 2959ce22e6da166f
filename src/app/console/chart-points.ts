// What the console's chart draws of a result. Plotly's SVG traces cost the main thread time per
// point: 100k rows drawn as one line held it for 45 s under load here (and every redraw again), so
// a chart gets at most CHART_POINTS. A line over an ordered x keeps each bucket's first, lowest,
// highest and last point, so spikes survive; other charts take every n-th row.
export const CHART_POINTS = 4000;

type Value = number | string | boolean | null;

export interface ChartPoints {
  x: Value[];
  y: Value[];
  /** Rows in the result, and how they were thinned ('all' when every row is drawn). */
  rows: number;
  method: 'all' | 'extremes' | 'stride';
}

export function chartPoints(x: Value[], y: Value[], line: boolean, ordered: boolean, max = CHART_POINTS): ChartPoints {
  const rows = Math.min(x.length, y.length);
  if (rows <= max) return { x: x.slice(0, rows), y: y.slice(0, rows), rows, method: 'all' };
  if (line && ordered) {
    // Four points per bucket: first, min, max, last, in row order.
    const buckets = Math.floor(max / 4);
    const size = rows / buckets;
    const keep: number[] = [];
    for (let b = 0; b < buckets; b++) {
      const from = Math.floor(b * size);
      const to = Math.min(rows, Math.floor((b + 1) * size));
      let lo = -1;
      let hi = -1;
      for (let i = from; i < to; i++) {
        const v = y[i];
        if (typeof v !== 'number') continue;
        if (lo < 0 || v < (y[lo] as number)) lo = i;
        if (hi < 0 || v > (y[hi] as number)) hi = i;
      }
      for (const i of new Set([from, lo, hi, to - 1].filter((i) => i >= from).sort((a, b) => a - b))) keep.push(i);
    }
    return { x: keep.map((i) => x[i]!), y: keep.map((i) => y[i]!), rows, method: 'extremes' };
  }
  const step = Math.ceil(rows / max);
  const xs: Value[] = [];
  const ys: Value[] = [];
  for (let i = 0; i < rows; i += step) {
    xs.push(x[i]!);
    ys.push(y[i]!);
  }
  return { x: xs, y: ys, rows, method: 'stride' };
}
