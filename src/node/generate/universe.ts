// The built-in symbol universe: realistic prices around 2024-01-02 (split-adjusted), long-run vols
// and a market-behaviour class that sets correlation, skew and liquidity.
import { WEEKLY_HORIZON_DAYS } from './calendar.ts';
import { hashKey } from './rng.ts';

export type Kind = 'index' | 'etf' | 'mega' | 'large' | 'growth' | 'defensive' | 'haven';

/** Funds and indexes report no earnings; companies do. */
export const hasEarnings = (kind: Kind): boolean => kind !== 'index' && kind !== 'etf' && kind !== 'haven';

export interface SymbolSpec {
  symbol: string;
  kind: Kind;
  /** Close on ANCHOR_DATE: the simulated path is scaled to pass through it. */
  price: number;
  /** Median annualised volatility of the symbol's vol regime. */
  vol: number;
  /** Correlation of returns with the market shock. */
  beta: number;
  /** Loading of the symbol's log-vol on the market's log-vol factor. */
  volLoad: number;
  /** Smile: IV += skew*x + curv*(sqrt(x^2+d^2)-d), x = ln(K/F)/sqrt(T). */
  skew: number;
  curv: number;
  /** Implied over expected realised volatility (variance risk premium), e.g. 0.12 = 12% richer. */
  vrp: number;
  /** Open interest of an ATM monthly contract at ~1 month; volume scales from it. */
  oiBase: number;
  /** Spread multiplier: 1 for a typical large cap, lower is tighter. */
  spreadMult: number;
  /**
   * Listing depth: the share of --strikes listed per side, and how far out weeklies are listed
   * (monthlies always are). Less liquid names list fewer strikes and weeklies, as on real exchanges,
   * which also keeps a 30-symbol demo lake quick to generate.
   */
  strikeShare: number;
  weeklyDays: number;
  drift: number;
}

export const ANCHOR_DATE = '2024-01-02';

const DEEP = { strikeShare: 1, weeklyDays: WEEKLY_HORIZON_DAYS };
const SHALLOW = { strikeShare: 0.6, weeklyDays: 28 };
const KINDS: Record<Kind, Omit<SymbolSpec, 'symbol' | 'kind' | 'price' | 'vol' | 'drift'>> = {
  index: { beta: 0.97, volLoad: 1.0, skew: -0.2, curv: 0.22, vrp: 0.15, oiBase: 40000, spreadMult: 0.45, ...DEEP },
  etf: { beta: 0.8, volLoad: 0.9, skew: -0.15, curv: 0.2, vrp: 0.12, oiBase: 9000, spreadMult: 0.8, ...SHALLOW },
  mega: { beta: 0.72, volLoad: 0.75, skew: -0.12, curv: 0.2, vrp: 0.1, oiBase: 20000, spreadMult: 0.6, ...DEEP },
  large: { beta: 0.6, volLoad: 0.7, skew: -0.11, curv: 0.2, vrp: 0.1, oiBase: 5000, spreadMult: 1.0, ...SHALLOW },
  growth: { beta: 0.55, volLoad: 0.6, skew: -0.05, curv: 0.2, vrp: 0.08, oiBase: 12000, spreadMult: 1.0, ...DEEP },
  defensive: { beta: 0.45, volLoad: 0.6, skew: -0.13, curv: 0.18, vrp: 0.1, oiBase: 4000, spreadMult: 1.2, ...SHALLOW },
  haven: { beta: -0.1, volLoad: 0.3, skew: 0.02, curv: 0.18, vrp: 0.06, oiBase: 8000, spreadMult: 0.9, ...SHALLOW },
};

/** Strikes per side a symbol lists when the run asks for `strikes` (--strikes). */
export const listedStrikes = (spec: SymbolSpec, strikes: number): number => Math.max(1, Math.round(strikes * spec.strikeShare));

// [symbol, price on 2024-01-02, long-run vol, kind]. The first 30 are the default run: indexes,
// sector and bond ETFs, havens, mega caps and high-volatility growth names, enough to screen.
const TABLE: [string, number, number, Kind][] = [
  ['SPY', 472.65, 0.14, 'index'], ['QQQ', 402.56, 0.19, 'index'], ['IWM', 198.79, 0.21, 'index'],
  ['AAPL', 185.64, 0.23, 'mega'], ['MSFT', 370.87, 0.22, 'mega'], ['NVDA', 48.17, 0.45, 'growth'],
  ['TSLA', 248.42, 0.55, 'growth'], ['AMZN', 149.93, 0.29, 'mega'], ['META', 346.29, 0.33, 'mega'],
  ['GOOGL', 138.17, 0.27, 'mega'], ['NFLX', 468.5, 0.34, 'large'], ['AMD', 138.58, 0.48, 'growth'],
  ['AVGO', 107.73, 0.38, 'large'], ['JPM', 170.3, 0.21, 'large'], ['BAC', 33.9, 0.26, 'large'],
  ['DIA', 376.82, 0.14, 'index'], ['GLD', 190.65, 0.14, 'haven'], ['TLT', 98.53, 0.17, 'haven'],
  ['XLF', 37.63, 0.18, 'etf'], ['XLE', 84.6, 0.24, 'etf'], ['XLK', 191.55, 0.21, 'etf'],
  ['SMH', 171.05, 0.33, 'etf'], ['EEM', 40.33, 0.19, 'etf'], ['HYG', 77.58, 0.08, 'etf'],
  ['KRE', 52.05, 0.32, 'etf'], ['SLV', 21.48, 0.26, 'haven'], ['DIS', 90.61, 0.27, 'large'],
  ['BA', 251.76, 0.33, 'large'], ['INTC', 47.56, 0.36, 'large'], ['CSCO', 50.56, 0.2, 'defensive'],
  ['ORCL', 104.95, 0.3, 'large'], ['CRM', 262.04, 0.32, 'large'], ['ADBE', 580.07, 0.32, 'large'],
  ['PYPL', 61.1, 0.36, 'large'], ['UBER', 59.44, 0.38, 'growth'], ['COIN', 160.0, 0.75, 'growth'],
  ['PLTR', 17.31, 0.6, 'growth'], ['SHOP', 76.5, 0.5, 'growth'], ['BABA', 74.6, 0.38, 'large'],
  ['F', 11.8, 0.34, 'large'], ['GM', 35.7, 0.33, 'large'], ['T', 16.8, 0.2, 'defensive'],
  ['VZ', 38.1, 0.2, 'defensive'], ['KO', 59.0, 0.14, 'defensive'], ['PEP', 169.0, 0.15, 'defensive'],
  ['WMT', 52.09, 0.17, 'defensive'], ['COST', 664.0, 0.2, 'defensive'], ['HD', 344.0, 0.23, 'large'],
  ['MCD', 295.0, 0.17, 'defensive'], ['NKE', 106.6, 0.3, 'large'], ['PFE', 29.2, 0.24, 'defensive'],
  ['MRK', 107.9, 0.19, 'defensive'], ['JNJ', 157.6, 0.15, 'defensive'], ['UNH', 527.0, 0.24, 'large'],
  ['LLY', 593.0, 0.3, 'large'], ['V', 259.0, 0.18, 'large'], ['MA', 426.0, 0.19, 'large'],
  ['GS', 384.0, 0.24, 'large'], ['MU', 84.2, 0.4, 'growth'], ['QCOM', 143.5, 0.32, 'large'],
];

export const BUILTIN_SYMBOLS: readonly string[] = TABLE.map((r) => r[0]);
export const DEFAULT_SYMBOL_COUNT = 30;

function specOf(symbol: string, price: number, vol: number, kind: Kind): SymbolSpec {
  // Median drift ~ 4%/yr on top of the volatility drag, so prices neither explode nor die.
  return { symbol, kind, price, vol, ...KINDS[kind], drift: 0.04 + 0.5 * vol * vol };
}

/** Spec of a built-in symbol, or a seeded plausible one for a ticker the table does not know. */
export function symbolSpec(symbol: string, seed: number): SymbolSpec {
  const row = TABLE.find((r) => r[0] === symbol);
  if (row) return specOf(...row);
  const h = hashKey(seed, `spec:${symbol}`);
  const u1 = (h & 0xffff) / 65536, u2 = (h >>> 16) / 65536;
  return specOf(symbol, Math.round(15 * Math.exp(3 * u1) * 100) / 100, 0.2 + 0.35 * u2, 'large');
}
