// The page's view state, backed by the URL: every page, symbol, date, expiry, model, horizon and
// SQL choice lives here, so any view is a shareable link.
import type { ViewState } from '../url-state.ts';

export const PAGES = ['symbol', 'forecasts', 'screener', 'console'] as const;
export type Page = (typeof PAGES)[number];

export class Route {
  page = $state<Page>('symbol');
  symbol = $state('');
  from = $state('');
  to = $state('');
  /** Snapshot date for the chain, skew and surface; empty = the range's last trading date. */
  date = $state('');
  expiry = $state('');
  model = $state('');
  horizon = $state('');
  sql = $state('');
  embed = $state(false);
  chart = $state('');

  constructor(initial: ViewState) {
    this.page = (initial.page as Page | undefined) ?? 'symbol';
    this.symbol = initial.symbol ?? '';
    this.from = initial.from ?? '';
    this.to = initial.to ?? '';
    this.date = initial.date ?? '';
    this.expiry = initial.expiry ?? '';
    this.model = initial.model ?? '';
    this.horizon = initial.horizon ?? '';
    this.sql = initial.sql ?? '';
    this.embed = initial.embed === '1';
    this.chart = initial.chart ?? '';
  }

  /** Only what matters on the current page goes into the link. */
  toState(): ViewState {
    const s: ViewState = { page: this.page === 'symbol' ? undefined : this.page };
    if (this.page !== 'console') {
      s.from = this.from || undefined;
      s.to = this.to || undefined;
    }
    if (this.page === 'symbol' || this.page === 'forecasts') s.symbol = this.symbol || undefined;
    if (this.page === 'symbol') {
      s.date = this.date || undefined;
      s.expiry = this.expiry || undefined;
    }
    if (this.page === 'forecasts') {
      s.model = this.model || undefined;
      s.horizon = this.horizon || undefined;
    }
    if (this.page === 'console') s.sql = this.sql || undefined;
    if (this.embed) {
      s.embed = '1';
      s.chart = this.chart || undefined;
    }
    return s;
  }

  /** Panels render in embed mode only when they are the chart the link names. */
  shows(chartId: string): boolean {
    return !this.embed || this.chart === chartId;
  }
}
