// View state in the URL: readable params, only what the user chose. Parsing never throws; a bad
// value is dropped with a message so the page falls back to its default.

export interface ViewState {
  /** Manifest URL; relative to the page or absolute http(s). */
  data?: string;
  symbol?: string;
  from?: string;
  to?: string;
}

export interface ParsedState {
  state: ViewState;
  problems: string[];
}

export const DEFAULT_DATA_URL = 'data/manifest.json';

const SYMBOL = /^[A-Z0-9.\-]{1,10}$/;

export function isIsoDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

function isDataUrl(s: string): boolean {
  if (!s.endsWith('.json')) return false;
  if (/^https?:\/\//i.test(s)) return true;
  // Relative: no scheme, no protocol-relative host.
  return !/^[a-z][a-z0-9+.-]*:/i.test(s) && !s.startsWith('//');
}

export function parseUrlState(search: string): ParsedState {
  const params = new URLSearchParams(search);
  const state: ViewState = {};
  const problems: string[] = [];
  const take = (key: keyof ViewState, ok: (v: string) => boolean, what: string): void => {
    const v = params.get(key);
    if (v === null || v === '') return;
    if (ok(v)) state[key] = v;
    else problems.push(`Ignored ${key}="${v}": ${what}`);
  };
  take('data', isDataUrl, 'expected a URL of a manifest .json file');
  take('symbol', (v) => SYMBOL.test(v), 'expected a ticker like SPY');
  take('from', isIsoDate, 'expected a date YYYY-MM-DD');
  take('to', isIsoDate, 'expected a date YYYY-MM-DD');
  if (state.from && state.to && state.from > state.to) {
    problems.push(`Ignored from/to: ${state.from} is after ${state.to}`);
    delete state.from;
    delete state.to;
  }
  return { state, problems };
}

export function serializeUrlState(state: ViewState): string {
  const params = new URLSearchParams();
  for (const key of ['data', 'symbol', 'from', 'to'] as const) {
    const v = state[key];
    if (v !== undefined && v !== '') params.set(key, v);
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}
