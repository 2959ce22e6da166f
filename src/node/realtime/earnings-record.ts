// Earnings reports on the quote stream: a message with kind=earnings and the earnings columns under
// their lake names (symbol, earnings_date, session, fiscal_quarter), every value a string. Messages
// without a kind are option quotes (quote.ts), so existing producers need no change.
// validateEarnings() decides whether a message fits the lake schema; what it returns is what the
// lake will store.
import { EARNINGS_SESSIONS, TABLES } from '../../lake/schema.ts';

export const KIND_FIELD = 'kind';
export const RECORD_KINDS = ['quote', 'earnings'] as const;
export type RecordKind = (typeof RECORD_KINDS)[number];

export const EARNINGS_COLUMNS = TABLES.earnings.columns.map((c) => c.name);
export type EarningsRow = Record<string, string | null>;
export type EarningsValidation = { ok: true; row: EarningsRow } | { ok: false; reason: string };

const SYMBOL = /^[A-Z][A-Z0-9.\-]{0,9}$/;
const QUARTER = /^\d{4}Q[1-4]$/;

/** The message's record kind, or why it has none this version knows. */
export function recordKind(fields: Record<string, string>): RecordKind | { reason: string } {
  const k = fields[KIND_FIELD]?.trim().toLowerCase();
  if (k === undefined || k === '' || k === 'quote') return 'quote';
  if (k === 'earnings') return 'earnings';
  return { reason: `unknown record kind '${fields[KIND_FIELD]}' (known: ${RECORD_KINDS.join(', ')})` };
}

function isIsoDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const ms = Date.parse(`${s}T00:00:00Z`);
  return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 10) === s;
}

/** Validates one earnings message; the reason names the first problem found. */
export function validateEarnings(fields: Record<string, string>): EarningsValidation {
  const row: EarningsRow = {};
  for (const col of TABLES.earnings.columns) {
    const v = (Object.hasOwn(fields, col.name) ? fields[col.name] : undefined)?.trim();
    if (v === undefined || v === '') {
      if (!col.nullable) return { ok: false, reason: `earnings: missing field ${col.name}` };
      row[col.name] = null;
      continue;
    }
    let value = v;
    let problem: string | null = null;
    if (col.name === 'symbol') {
      if (!SYMBOL.test(v)) problem = `'${v}' is not a ticker (A-Z, 0-9, '.', '-', at most 10)`;
    } else if (col.name === 'earnings_date') {
      if (!isIsoDate(v)) problem = `'${v}' is not a date YYYY-MM-DD`;
    } else if (col.name === 'session') {
      value = v.toLowerCase();
      if (!(EARNINGS_SESSIONS as readonly string[]).includes(value)) problem = `'${v}' is not ${EARNINGS_SESSIONS.join(' or ')}`;
    } else if (col.name === 'fiscal_quarter') {
      value = v.toUpperCase();
      if (!QUARTER.test(value)) problem = `'${v}' is not a quarter like 2024Q3`;
    }
    if (problem) return { ok: false, reason: `earnings: bad ${col.name}: ${problem}` };
    row[col.name] = value;
  }
  return { ok: true, row };
}

/** An earnings row as stream fields (the producer's side of the contract). */
export function earningsFields(row: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = { [KIND_FIELD]: 'earnings' };
  for (const name of EARNINGS_COLUMNS) {
    const v = row[name];
    if (v !== null && v !== undefined) out[name] = String(v);
  }
  return out;
}
