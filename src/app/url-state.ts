// View state in the URL: readable params, only what the user chose. Parsing never throws; a bad
// value is dropped with a message so the page falls back to its default.

export interface ViewState {
  /** Manifest URL; relative to the page or absolute http(s). */
  data?: string;
  symbol?: string;
  from?: string;
  to?: string;
  /** Dataset version to pin: loads <lake>/manifests/<v>.json and never auto-refreshes. */
  v?: string;
  /** Seconds between checks for a newer dataset (live mode). */
  poll?: string;
  page?: string | undefined;
  /** Snapshot date for chain/skew/surface. */
  date?: string | undefined;
  expiry?: string | undefined;
  /** Skew chart axis on the Symbol page: 'delta' (default 'strike' stays out of the link). */
  skew?: string | undefined;
  model?: string | undefined;
  horizon?: string | undefined;
  /** Console SQL. Long SQL travels compressed as `sqlz` (see sql-param.ts). */
  sql?: string | undefined;
  /** Console chart: x and y column names and the kind (line, scatter, bar). */
  cx?: string | undefined;
  cy?: string | undefined;
  ck?: string | undefined;
  /** '1': render one chart alone, for research pages. */
  embed?: string | undefined;
  chart?: string | undefined;
}

const PAGES = ['symbol', 'forecasts', 'screener', 'console'];
const CHARTS = ['iv-history', 'put-call', 'iv-rank', 'expected-move', 'earnings', 'chain', 'term', 'skew', 'skew-metrics', 'surface', 'volume-oi', 'forecast', 'accuracy', 'calibration', 'screener'];
const HORIZONS = ['1d', '5d', 'to_exp'];
const SKEW_AXES = ['strike', 'delta'];

export interface ParsedState {
  state: ViewState;
  problems: string[];
}

export const DEFAULT_DATA_URL = 'data/manifest.json';

/** The immutable manifest of one dataset version, beside the lake's manifest.json. */
export function pinnedManifestUrl(dataUrl: string, version: string, page: string): { manifest: string; base: string } {
  const live = new URL(dataUrl, page);
  return { manifest: new URL(`manifests/${version}.json`, live).href, base: new URL('.', live).href };
}

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
  take('v', (v) => /^[0-9a-f]{16}$/.test(v), 'expected a dataset version (16 hex digits)');
  take('poll', (v) => /^\d+(\.\d+)?$/.test(v) && Number(v) >= 0.5 && Number(v) <= 3600, 'expected seconds between 0.5 and 3600');
  take('page', (v) => PAGES.includes(v), `expected one of ${PAGES.join(', ')}`);
  take('date', isIsoDate, 'expected a date YYYY-MM-DD');
  take('expiry', isIsoDate, 'expected a date YYYY-MM-DD');
  take('skew', (v) => SKEW_AXES.includes(v), `expected one of ${SKEW_AXES.join(', ')}`);
  take('model', (v) => /^[A-Za-z0-9_.\-]{1,40}$/.test(v), 'expected a model name');
  take('horizon', (v) => HORIZONS.includes(v), `expected one of ${HORIZONS.join(', ')}`);
  take('sql', (v) => v.length <= 20_000, 'longer than 20,000 characters');
  take('cx', (v) => v.length <= 128, 'a column name of at most 128 characters');
  take('cy', (v) => v.length <= 128, 'a column name of at most 128 characters');
  take('ck', (v) => ['line', 'scatter', 'bar'].includes(v), 'expected one of line, scatter, bar');
  take('embed', (v) => v === '1', "expected embed=1");
  take('chart', (v) => CHARTS.includes(v), `expected one of ${CHARTS.join(', ')}`);
  if (state.from && state.to && state.from > state.to) {
    problems.push(`Ignored from/to: ${state.from} is after ${state.to}`);
    delete state.from;
    delete state.to;
  }
  return { state, problems };
}

export function serializeUrlState(state: ViewState): string {
  const params = new URLSearchParams();
  for (const key of ['data', 'v', 'poll', 'page', 'symbol', 'from', 'to', 'date', 'expiry', 'skew', 'model', 'horizon', 'cx', 'cy', 'ck', 'embed', 'chart', 'sql'] as const) {
    const v = state[key];
    if (v !== undefined && v !== '') params.set(key, v);
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}

/**
 * The longest query string the app writes. nginx answers 414 when the request line passes one of
 * its large_client_header_buffers (8 KiB by default); this leaves room for the path and any proxy.
 */
export const MAX_SEARCH = 4000;

/** Only SQL grows without bound, so only SQL moves to the fragment (which never reaches a server). */
const FRAGMENT_KEYS = ['sql', 'sqlz'] as const;

/** Where a link's params go: all in the query while it is short, SQL in the fragment otherwise. */
export function linkParts(params: URLSearchParams): { search: string; hash: string } {
  const all = params.toString();
  if (all.length + 1 <= MAX_SEARCH) return { search: all ? `?${all}` : '', hash: '' };
  const query = new URLSearchParams(params);
  const fragment = new URLSearchParams();
  for (const key of FRAGMENT_KEYS) {
    const v = query.get(key);
    if (v === null) continue;
    fragment.set(key, v);
    query.delete(key);
  }
  const q = query.toString();
  const f = fragment.toString();
  return { search: q ? `?${q}` : '', hash: f ? `#${f}` : '' };
}

/** The link's params from its query and its fragment (linkParts' SQL lives in the fragment). */
export function linkParams(search: string, hash: string): URLSearchParams {
  const params = new URLSearchParams(search);
  const fragment = new URLSearchParams(hash.replace(/^#/, ''));
  for (const key of FRAGMENT_KEYS) {
    const v = fragment.get(key);
    if (v !== null && !params.has(key)) params.set(key, v);
  }
  return params;
}
