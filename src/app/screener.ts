// The screener's table logic, kept out of the component so it is tested: which rows pass the
// filters, the CSV of what is on screen, and the sparkline path of a series.

export interface ScreenerFilters {
  /** Symbols containing this text (case-insensitive). */
  text: string;
  /** Lower bounds; null = no bound. IV rank in 0-100, spread as a fraction, volume in contracts. */
  minIvRank: number | null;
  minSpread: number | null;
  minVolume: number | null;
}

export const NO_FILTERS: ScreenerFilters = { text: '', minIvRank: null, minSpread: null, minVolume: null };

export type Row = Record<string, unknown>;

function atLeast(v: unknown, bound: number | null): boolean {
  if (bound === null) return true;
  return typeof v === 'number' && Number.isFinite(v) && v >= bound;
}

export function passes(row: Row, f: ScreenerFilters): boolean {
  const text = f.text.trim().toUpperCase();
  return (!text || String(row.symbol ?? '').toUpperCase().includes(text))
    && atLeast(row.iv_rank, f.minIvRank)
    && atLeast(row.iv_hv_spread, f.minSpread)
    && atLeast(row.avg_daily_volume, f.minVolume);
}

/** RFC 4180: fields with a comma, quote or line break are quoted, quotes doubled. */
function field(v: unknown): string {
  if (v === null || v === undefined || (typeof v === 'number' && !Number.isFinite(v))) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The raw values (not the formatted text), so a spreadsheet gets numbers. */
export function toCsv(columns: string[], rows: Row[]): string {
  return [columns.map(field).join(','), ...rows.map((r) => columns.map((c) => field(r[c])).join(','))].join('\r\n') + '\r\n';
}

/** An SVG polyline's points for values scaled into width × height; gaps (null) are skipped. */
export function sparkPoints(values: readonly (number | null)[], width: number, height: number): string {
  const finite = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (finite.length < 2) return '';
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  const span = hi - lo || 1;
  const step = width / (values.length - 1);
  const pts: string[] = [];
  values.forEach((v, i) => {
    if (v === null || !Number.isFinite(v)) return;
    pts.push(`${(i * step).toFixed(1)},${(height - ((v - lo) / span) * height).toFixed(1)}`);
  });
  return pts.join(' ');
}
