// Human-readable numbers, defined once for every table, headline and stat line: prices always
// with two decimals (an ask of 2.00 reads "2.00", not "2"), percents from fractions, thousands
// grouped, greeks at a fixed precision so a column lines up.

const EMPTY = '';

function missing(v: unknown): v is null | undefined {
  return v === null || v === undefined || (typeof v === 'number' && !Number.isFinite(v));
}

const fixed = (digits: number) => new Intl.NumberFormat('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const PRICE = fixed(2);
const WHOLE = fixed(0);

export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return '–';
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u += 1;
  }
  return `${v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : v.toFixed(0)} ${units[u]}`;
}

export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '–';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

/** A price or money amount: always two decimals, thousands grouped. */
export function formatPrice(v: number | null | undefined): string {
  return missing(v) ? EMPTY : PRICE.format(v);
}

/** A fraction as a percent: 0.2834 -> "28.34%" with `digits` decimals. */
export function formatPercent(v: number | null | undefined, digits = 1): string {
  return missing(v) ? EMPTY : `${fixed(digits).format(100 * v)}%`;
}

/** A count or a volume: rounded, thousands grouped (369754.52 -> "369,755"). */
export function formatThousands(v: number | null | undefined): string {
  return missing(v) ? EMPTY : WHOLE.format(v);
}

/** Delta, gamma, theta, vega, ratios: a fixed number of decimals so the column lines up. */
export function formatGreek(v: number | null | undefined, digits = 3): string {
  return missing(v) ? EMPTY : fixed(digits).format(v);
}

/** How a known column reads; tables without a format fall back to formatCell. */
export type NumberFormat = 'price' | 'percent' | 'percent2' | 'thousands' | 'greek' | 'ratio' | 'score';

export function formatAs(v: unknown, format: NumberFormat): string {
  if (typeof v !== 'number') return missing(v) ? EMPTY : String(v);
  switch (format) {
    case 'price':
      return formatPrice(v);
    case 'percent':
      return formatPercent(v, 1);
    case 'percent2':
      return formatPercent(v, 2);
    case 'thousands':
      return formatThousands(v);
    case 'greek':
      return formatGreek(v, 3);
    case 'ratio':
      return formatGreek(v, 2);
    case 'score':
      return formatGreek(v, 1);
  }
}

/** DECIMAL(p,s) keeps its scale: the engine's type says how many decimals the value has. */
function decimalScale(sqlType: string | undefined): number | null {
  // Arrow names it Decimal[<precision>e+<scale>]; DuckDB's own name is DECIMAL(p,s).
  const m = sqlType ? /^Decimal\[\d+e\+?(\d+)\]$|^DECIMAL\(\s*\d+\s*,\s*(\d+)\s*\)$/i.exec(sqlType) : null;
  if (!m) return null;
  return Number(m[1] ?? m[2]);
}

/** A cell whose meaning is unknown (console results): integers grouped, DECIMALs at their scale. */
export function formatCell(v: unknown, kind: string, sqlType?: string): string {
  if (missing(v) || (typeof v === 'number' && Number.isNaN(v))) return EMPTY;
  if (kind === 'number' && typeof v === 'number') {
    const scale = decimalScale(sqlType);
    if (scale !== null) return fixed(scale).format(v);
    if (Number.isInteger(v)) return v.toLocaleString('en-US');
    return Math.abs(v) >= 100 ? v.toFixed(2) : v.toPrecision(4);
  }
  return String(v);
}
