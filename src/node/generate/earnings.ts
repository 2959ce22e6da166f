// Simulated earnings reports: about one a quarter per company (funds and indexes have none), each a
// jump in the price path and a lump of variance the option market prices in ahead of it.
//
// Model: a report's move is J = sd * N(0,1) on its jump day: the report date itself for a report
// before the open ('bmo'), the next trading day for one after the close ('amc'). The market prices
// the event as extra total variance (sd * (1 + EVENT_PREMIUM))^2 in every expiry on or after the
// jump day, quoted before it: ATM IV(T) = sqrt(base(T)^2 + var / T). As T shrinks toward the event
// the front IV runs up; on the jump day the term drops out of every expiry (the crush).
//
// Everything derives from (seed, symbol) and the calendar: a company's schedule, session and move
// scale never depend on which other symbols or dates a run asks for.
import { isTradingDay, ymdOf } from './calendar.ts';
import { hashKey, streamOf } from './rng.ts';
import { hasEarnings, type SymbolSpec } from './universe.ts';

/** Implied over realised event move: the premium option sellers ask for the gap risk. */
export const EVENT_PREMIUM = 0.1;

export interface EarningsEvent {
  /** Report date (a trading day), as a UTC day number. */
  day: number;
  session: 'bmo' | 'amc';
  /** '2024Q3': the calendar quarter the report covers. */
  fiscalQuarter: string;
  /** The trading day whose close first reflects the report. */
  jumpDay: number;
  /** Realised log move on the jump day. */
  move: number;
  /** Total variance the options price for the event (fraction of spot, squared). */
  impliedVar: number;
}

const unit = (h: number): number => (h + 0.5) / 4294967296;
const nextTradingDay = (day: number): number => {
  let d = day;
  while (!isTradingDay(d)) d++;
  return d;
};
const MS_PER_DAY = 86_400_000;
const dayOfYmd = (y: number, m: number, d: number): number => Date.UTC(y, m - 1, d) / MS_PER_DAY;

/**
 * Reports of one company whose jump day falls in [from, to] (day numbers), in date order; none for
 * a fund or an index. A company reports each quarter 20-40 days after it ends (its own lag, a few
 * days of jitter per quarter), always in the same session.
 */
export function earningsEvents(seed: number, spec: SymbolSpec, from: number, to: number): EarningsEvent[] {
  if (!hasEarnings(spec.kind)) return [];
  const h = hashKey(seed, `earnings:${spec.symbol}`);
  const lag = 20 + Math.floor(unit(h) * 21);
  const session = unit(fmixed(h)) < 0.6 ? 'amc' : 'bmo';
  // A typical report moves a stock about a fifth of its annual volatility (AAPL ~4%, TSLA ~10%).
  const sd = spec.vol * (0.14 + 0.1 * unit(fmixed(fmixed(h))));
  const out: EarningsEvent[] = [];
  const first = ymdOf(from - 60), last = ymdOf(to + 60);
  for (let y = first.year; y <= last.year; y++) {
    for (let q = 1; q <= 4; q++) {
      const fiscalQuarter = `${y}Q${q}`;
      const quarterEnd = dayOfYmd(y, 3 * q + 1, 1) - 1;
      const jitter = Math.floor(unit(hashKey(seed, `earnings:${spec.symbol}:${fiscalQuarter}`)) * 7) - 3;
      const day = nextTradingDay(quarterEnd + lag + jitter);
      const jumpDay = session === 'bmo' ? day : nextTradingDay(day + 1);
      if (jumpDay < from || jumpDay > to) continue;
      const move = sd * streamOf(seed, `earnings-move:${spec.symbol}:${fiscalQuarter}`).normal();
      out.push({ day, session, fiscalQuarter, jumpDay, move, impliedVar: (sd * (1 + EVENT_PREMIUM)) ** 2 });
    }
  }
  return out;
}

/** A second independent-looking 32-bit value from a hash. */
function fmixed(h: number): number {
  return hashKey(h, 'next');
}

/**
 * Per path day, the event variance the options price for reports whose jump day is after that day
 * and within `days` calendar days: what a `days`-day ATM IV adds (volatility history's iv30).
 */
export function eventVarianceAhead(pathDays: number[], events: EarningsEvent[], days: number): Float64Array {
  const out = new Float64Array(pathDays.length);
  for (const e of events) {
    for (let i = 0; i < pathDays.length; i++) {
      const d = pathDays[i]!;
      if (e.jumpDay > d && e.jumpDay <= d + days) out[i] = out[i]! + e.impliedVar;
    }
  }
  return out;
}
