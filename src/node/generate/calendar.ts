// US equity-options trading calendar, as integer UTC day numbers (days since 1970-01-01): cheap to
// hash, compare and hand to DuckDB, and free of time-zone surprises.

const MS_PER_DAY = 86_400_000;

export function dayOf(iso: string): number {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(iso)) throw new Error(`not a YYYY-MM-DD date: ${iso}`);
  const ms = Date.parse(`${iso}T00:00:00Z`);
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== iso) throw new Error(`not a valid date: ${iso}`);
  return ms / MS_PER_DAY;
}

export const isoOf = (day: number): string => new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
export const ymdOf = (day: number): { year: number; month: number; day: number } => {
  const d = new Date(day * MS_PER_DAY);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
};
const dayOfYmd = (y: number, m: number, d: number): number => Date.UTC(y, m - 1, d) / MS_PER_DAY;
/** 0 = Sunday ... 6 = Saturday (1970-01-01 was a Thursday). */
export const weekday = (day: number): number => (((day + 4) % 7) + 7) % 7;

/** n-th (1-based) given weekday of a month; n = -1 for the last one. */
function nthWeekday(y: number, m: number, wd: number, n: number): number {
  if (n > 0) {
    const first = dayOfYmd(y, m, 1);
    return first + ((wd - weekday(first) + 7) % 7) + (n - 1) * 7;
  }
  const last = dayOfYmd(y, m + 1, 1) - 1;
  return last - ((weekday(last) - wd + 7) % 7);
}

/** Gregorian Easter Sunday (anonymous / Meeus algorithm). */
function easter(y: number): number {
  const a = y % 19, b = Math.floor(y / 100), c = y % 100, d = Math.floor(b / 4), e = b % 4;
  const f = Math.floor((b + 8) / 25), g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30, i = Math.floor(c / 4), k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7, m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31), dd = ((h + l - 7 * m + 114) % 31) + 1;
  return dayOfYmd(y, month, dd);
}

/** Saturday holidays close the Friday before, Sunday ones the Monday after. */
const observed = (day: number): number => (weekday(day) === 6 ? day - 1 : weekday(day) === 0 ? day + 1 : day);

// Unscheduled NYSE closures (national mourning, 9/11, Sandy): real dates a rule cannot derive.
const ONE_OFF_CLOSURES = [
  '2001-09-11', '2001-09-12', '2001-09-13', '2001-09-14', '2004-06-11', '2007-01-02',
  '2012-10-29', '2012-10-30', '2018-12-05', '2025-01-09',
].map(dayOf);

const holidayCache = new Map<number, Set<number>>();

/** NYSE full-day holidays of a year. */
export function holidaysOf(y: number): Set<number> {
  const cached = holidayCache.get(y);
  if (cached) return cached;
  const out = new Set<number>();
  // NYSE does not close on Friday Dec 31 when Jan 1 falls on a Saturday (rule 7.2).
  const ny = dayOfYmd(y, 1, 1);
  if (weekday(ny) !== 6) out.add(observed(ny));
  out.add(nthWeekday(y, 1, 1, 3)); // Martin Luther King Jr. Day
  out.add(nthWeekday(y, 2, 1, 3)); // Presidents' Day
  out.add(easter(y) - 2); // Good Friday
  out.add(nthWeekday(y, 5, 1, -1)); // Memorial Day
  if (y >= 2022) out.add(observed(dayOfYmd(y, 6, 19))); // Juneteenth, observed by NYSE from 2022
  out.add(observed(dayOfYmd(y, 7, 4)));
  out.add(nthWeekday(y, 9, 1, 1)); // Labor Day
  out.add(nthWeekday(y, 11, 4, 4)); // Thanksgiving
  out.add(observed(dayOfYmd(y, 12, 25)));
  for (const d of ONE_OFF_CLOSURES) if (ymdOf(d).year === y) out.add(d);
  holidayCache.set(y, out);
  return out;
}

export function isTradingDay(day: number): boolean {
  const wd = weekday(day);
  return wd !== 0 && wd !== 6 && !holidaysOf(ymdOf(day).year).has(day);
}

/** Trading days in [from, to], inclusive. */
export function tradingDays(from: number, to: number): number[] {
  const out: number[] = [];
  for (let d = from; d <= to; d++) if (isTradingDay(d)) out.push(d);
  return out;
}

const previousTradingDay = (day: number): number => {
  let d = day;
  while (!isTradingDay(d)) d--;
  return d;
};

export const WEEKLY_HORIZON_DAYS = 56;
export const MONTHLY_HORIZON_DAYS = 372;

export interface Expiration {
  day: number;
  /** The standard monthly (third-Friday) cycle, which carries more open interest than weeklies. */
  monthly: boolean;
}

/**
 * Listed expirations on a quote date: weekly Fridays out ~8 weeks and monthly third Fridays out ~12
 * months, each moved to the previous trading day when the Friday is a holiday; all strictly after
 * the quote date.
 */
export function expirationsOn(quote: number): Expiration[] {
  const byDay = new Map<number, boolean>();
  const firstFriday = quote + ((5 - weekday(quote) + 7) % 7 || 7);
  for (let f = firstFriday; f <= quote + WEEKLY_HORIZON_DAYS; f += 7) byDay.set(previousTradingDay(f), false);
  const { year, month } = ymdOf(quote);
  for (let i = 0; i <= 13; i++) {
    const y = year + Math.floor((month - 1 + i) / 12), m = ((month - 1 + i) % 12) + 1;
    const third = previousTradingDay(nthWeekday(y, m, 5, 3));
    if (third > quote && third <= quote + MONTHLY_HORIZON_DAYS) byDay.set(third, true);
  }
  return [...byDay].filter(([d]) => d > quote).sort((a, b) => a[0] - b[0]).map(([day, monthly]) => ({ day, monthly }));
}

/** Calendar months touched by [from, to], each clipped to the range. */
export function monthsOf(from: number, to: number): { year: number; month: number; from: number; to: number }[] {
  const out: { year: number; month: number; from: number; to: number }[] = [];
  let { year, month } = ymdOf(from);
  for (;;) {
    const start = Math.max(from, dayOfYmd(year, month, 1));
    if (start > to) break;
    out.push({ year, month, from: start, to: Math.min(to, dayOfYmd(year, month + 1, 1) - 1) });
    month++;
    if (month > 12) { month = 1; year++; }
  }
  return out;
}
