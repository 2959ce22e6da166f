// One option quote as it travels on the Redis stream: a flat hash whose fields are the options
// columns under their legacy names (date, act_symbol, expiration, strike, call_put, bid, ask, vol,
// delta, gamma, theta, vega, open_interest, volume), every value a string. validateQuote() decides
// whether a message fits the lake schema exactly; what it returns is what the lake will store.
import { TABLES } from '../../lake/schema.ts';

export const QUOTE_COLUMNS = TABLES.options.columns.map((c) => c.name);

/** Values as exact strings (DuckDB casts them to the schema types); null for a missing nullable value. */
export type QuoteRow = Record<string, string | null>;

export type Validation = { ok: true; row: QuoteRow } | { ok: false; reason: string };

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const SYMBOL = /^[A-Z][A-Z0-9.\-]{0,9}$/;
const INT32_MAX = 2_147_483_647;

function isIsoDate(s: string): boolean {
  if (!ISO_DATE.test(s)) return false;
  const ms = Date.parse(`${s}T00:00:00Z`);
  return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 10) === s;
}

/** Precision and scale of a DECIMAL(p,s) column type, or null for other types. */
function decimalOf(type: string): { p: number; s: number } | null {
  const m = /^DECIMAL\((\d+),(\d+)\)$/.exec(type);
  return m ? { p: Number(m[1]), s: Number(m[2]) } : null;
}

/** Checks a decimal literal against DECIMAL(p,s) without going through a float. */
function decimalProblem(v: string, p: number, s: number): string | null {
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(v);
  if (!m) return `'${v}' is not a decimal number`;
  const int = m[2]!.replace(/^0+(?=\d)/, '');
  const frac = (m[3] ?? '').replace(/0+$/, '');
  if (frac.length > s) return `'${v}' has more than ${s} decimal places (DECIMAL(${p},${s}))`;
  if ((int === '0' ? 0 : int.length) > p - s) return `'${v}' is out of range for DECIMAL(${p},${s})`;
  return null;
}

/** Domain ranges on top of the column types: what a quote can sensibly hold. */
const RANGES: Record<string, [number, number]> = {
  strike: [0.01, Infinity],
  bid: [0, Infinity],
  ask: [0, Infinity],
  vol: [0, Infinity],
  delta: [-1, 1],
  open_interest: [0, INT32_MAX],
  volume: [0, INT32_MAX],
};

/** Validates one stream message; the reason names the first problem found. */
export function validateQuote(fields: Record<string, string>): Validation {
  const row: QuoteRow = {};
  for (const col of TABLES.options.columns) {
    const raw = Object.hasOwn(fields, col.name) ? fields[col.name] : undefined;
    const v = raw?.trim();
    if (v === undefined || v === '') {
      if (!col.nullable) return { ok: false, reason: `missing field ${col.name}` };
      row[col.name] = null;
      continue;
    }
    let problem: string | null = null;
    let value = v;
    const dec = decimalOf(col.type);
    if (col.type === 'DATE') {
      if (!isIsoDate(v)) problem = `'${v}' is not a date YYYY-MM-DD`;
    } else if (dec) {
      problem = decimalProblem(v, dec.p, dec.s);
    } else if (col.type === 'INTEGER') {
      if (!/^-?\d+$/.test(v) || Math.abs(Number(v)) > INT32_MAX) problem = `'${v}' is not a 32-bit integer`;
    } else if (col.name === 'act_symbol') {
      if (!SYMBOL.test(v)) problem = `'${v}' is not a ticker (A-Z, 0-9, '.', '-', at most 10)`;
    } else if (col.name === 'call_put') {
      // Some legacy sources spell the side out.
      const side = v.toUpperCase();
      value = side === 'CALL' ? 'C' : side === 'PUT' ? 'P' : side;
      if (value !== 'C' && value !== 'P') problem = `'${v}' is not C or P`;
    }
    const range = RANGES[col.name];
    if (!problem && range) {
      const n = Number(v);
      if (n < range[0] || n > range[1]) problem = `${v} is outside ${range[0]}..${range[1]}`;
    }
    if (problem) return { ok: false, reason: `bad ${col.name}: ${problem}` };
    row[col.name] = value;
  }
  if (row.expiration! < row.date!) return { ok: false, reason: `bad expiration: ${row.expiration} is before date ${row.date}` };
  if (row.bid !== null && row.ask !== null && Number(row.ask) < Number(row.bid)) {
    return { ok: false, reason: `bad ask: ask ${row.ask} is below bid ${row.bid}` };
  }
  return { ok: true, row };
}

/** A row as stream fields (the producer's side of the contract): nulls are left out. */
export function quoteFields(row: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of QUOTE_COLUMNS) {
    const v = row[name];
    if (v !== null && v !== undefined) out[name] = String(v);
  }
  return out;
}
