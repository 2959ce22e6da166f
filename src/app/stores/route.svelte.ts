// The page's view state, backed by the URL: every page, symbol, date, expiry, model, horizon and
// SQL choice lives here, so any view is a shareable link.
import type { ViewState } from '../url-state.ts';

export const PAGES = ['symbol', 'forecasts', 'screener', 'console'] as const;
export type Page = (typeof PAGES)[number];

/** The charts each page can embed alone (`embed=1&chart=<id>`). */
export const PAGE_CHARTS: Record<Page, readonly string[]> = {
  symbol: ['iv-history', 'put-call', 'expected-move', 'earnings', 'iv-rank', 'skew-metrics', 'chain', 'term', 'skew', 'surface', 'volume-oi'],
  forecasts: ['forecast', 'accuracy', 'calibration'],
  screener: ['screener'],
  console: [],
};

/** Why an embed link cannot show anything, or null when it names a chart of its page. */
export function embedProblem(page: Page, chart: string): string | null {
  const have = PAGE_CHARTS[page];
  const list = have.length ? `Charts on this page: ${have.join(', ')}.` : 'This page has no charts to embed.';
  if (!chart) return `This embed link names no chart (add chart=<id>). ${list}`;
  if (!have.includes(chart)) return `The ${page} page has no chart "${chart}". ${list}`;
  return null;
}

export class Route {
  page = $state<Page>('symbol');
  #symbol = $state('');
  #from = $state('');
  #to = $state('');
  /** Set by the user or carried by the link; the rest are defaults and stay out of the link. */
  #explicit = new Set<'symbol' | 'from' | 'to'>();

  get symbol(): string {
    return this.#symbol;
  }
  set symbol(v: string) {
    this.#symbol = v;
    this.#explicit.add('symbol');
  }
  get from(): string {
    return this.#from;
  }
  set from(v: string) {
    this.#from = v;
    this.#explicit.add('from');
  }
  get to(): string {
    return this.#to;
  }
  set to(v: string) {
    this.#to = v;
    this.#explicit.add('to');
  }

  /**
   * A value the page picked (first symbol, newest month, or in place of a linked value the data
   * cannot serve): shown, but not written to the link.
   */
  assume(key: 'symbol' | 'from' | 'to', value: string): void {
    this.#explicit.delete(key);
    if (key === 'symbol') this.#symbol = value;
    else if (key === 'from') this.#from = value;
    else this.#to = value;
  }
  /** Snapshot date for the chain, skew and surface; empty = the range's last trading date. */
  date = $state('');
  expiry = $state('');
  /** The skew chart's x axis; '' is by strike. */
  skew = $state<'' | 'strike' | 'delta'>('');
  model = $state('');
  horizon = $state('');
  sql = $state('');
  /** Console chart settings, kept in the link once the user picks them. */
  chartAxes = $state<{ x: string; y: string; kind: string } | null>(null);
  embed = $state(false);
  chart = $state('');
  /**
   * Why the range on screen is not the one the user asked for (an inverted range held back): the
   * panels mark what they show as not current while it is set. Never in the link.
   */
  rangeIssue = $state('');

  constructor(initial: ViewState) {
    this.page = (initial.page as Page | undefined) ?? 'symbol';
    if (initial.symbol) this.symbol = initial.symbol;
    if (initial.from) this.from = initial.from;
    if (initial.to) this.to = initial.to;
    this.date = initial.date ?? '';
    this.expiry = initial.expiry ?? '';
    this.skew = initial.skew === 'delta' || initial.skew === 'strike' ? initial.skew : '';
    this.model = initial.model ?? '';
    this.horizon = initial.horizon ?? '';
    this.sql = initial.sql ?? '';
    if (initial.cx || initial.cy || initial.ck) this.chartAxes = { x: initial.cx ?? '', y: initial.cy ?? '', kind: initial.ck ?? '' };
    this.embed = initial.embed === '1';
    this.chart = initial.chart ?? '';
  }

  /**
   * Only explicit choices that matter on the current page go into the link, so a link with no
   * range keeps following the newest data.
   */
  toState(): ViewState {
    const s: ViewState = { page: this.page === 'symbol' ? undefined : this.page };
    if (this.page !== 'console') {
      s.from = this.#chosen('from', this.from);
      s.to = this.#chosen('to', this.to);
    }
    if (this.page === 'symbol' || this.page === 'forecasts') s.symbol = this.#chosen('symbol', this.symbol);
    if (this.page === 'symbol') {
      s.date = this.date || undefined;
      s.expiry = this.expiry || undefined;
      s.skew = this.skew === 'delta' ? 'delta' : undefined;
    }
    if (this.page === 'forecasts') {
      s.model = this.model || undefined;
      s.horizon = this.horizon || undefined;
    }
    if (this.page === 'console') {
      s.sql = this.sql || undefined;
      s.cx = this.chartAxes?.x || undefined;
      s.cy = this.chartAxes?.y || undefined;
      s.ck = this.chartAxes?.kind || undefined;
    }
    if (this.embed) {
      s.embed = '1';
      s.chart = this.chart || undefined;
    }
    return s;
  }

  #chosen(key: 'symbol' | 'from' | 'to', value: string): string | undefined {
    return value && this.#explicit.has(key) ? value : undefined;
  }

  /** Panels render in embed mode only when they are the chart the link names. */
  shows(chartId: string): boolean {
    return !this.embed || this.chart === chartId;
  }
}
