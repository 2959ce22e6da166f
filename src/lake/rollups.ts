// The lake's derived tables, defined once: the SQL that computes each from the raw rows, and the
// rule that says whether the manifest's copy is current. Writers (src/node/rollups.ts) publish them
// with the rows they summarise; readers use a rollup only where it is current and fall back to the
// raw table elsewhere, so a stale or missing rollup costs speed, never a wrong number.
import type { Manifest, ManifestFile } from './manifest.ts';
import { intervalPinballSql, outcomesSql, SPOT_HISTORY_SQL } from './metrics.ts';

/** The Symbol page's ATM contract: |delta| in [0.40, 0.60] and 20-45 days to expiry. */
export const ATM_CONTRACT_SQL = 'abs(delta) BETWEEN 0.40 AND 0.60 AND expiration - date BETWEEN 20 AND 45';

/**
 * options_daily from a relation of raw option rows. Every column but the median is a sum or a
 * count, so coarser groupings are sums of its rows.
 */
export function optionsDailySql(options: string): string {
  return `
SELECT date, act_symbol, call_put,
       count(*) AS contracts,
       count(vol) AS vol_n,
       sum(vol) AS vol_sum,
       count(vol) FILTER (WHERE ${ATM_CONTRACT_SQL}) AS atm_n,
       sum(vol) FILTER (WHERE ${ATM_CONTRACT_SQL}) AS atm_vol_sum,
       sum(volume) AS volume,
       sum(open_interest) AS open_interest,
       any_value(day_median_vol) AS day_median_vol
FROM (SELECT *, median(vol::DOUBLE) OVER (PARTITION BY date, act_symbol) AS day_median_vol FROM ${options})
GROUP BY date, act_symbol, call_put`.trim();
}

/** The year of an options or options_daily file (both are partitioned by year). */
export const yearOf = (f: ManifestFile): number => Number(f.partition.year);

export const sortedUnique = (xs: string[]): string[] => [...new Set(xs)].sort();

/** The options files each year's options_daily must summarise, by content hash. */
export function optionsSourcesByYear(files: ManifestFile[]): Map<number, string[]> {
  const out = new Map<number, string[]>();
  for (const f of files) {
    if (f.table !== 'options') continue;
    out.set(yearOf(f), [...(out.get(yearOf(f)) ?? []), f.sha256]);
  }
  for (const [y, shas] of out) out.set(y, sortedUnique(shas));
  return out;
}

const sameList = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

/** Years whose options_daily file lists exactly the year's options files as its sources. */
export function currentRollupYears(files: ManifestFile[]): Set<number> {
  const want = optionsSourcesByYear(files);
  const rollups = files.filter((f) => f.table === 'options_daily');
  const out = new Set<number>();
  for (const [year, shas] of want) {
    const mine = rollups.filter((f) => yearOf(f) === year);
    if (mine.length === 1 && sameList(mine[0]!.sources ?? [], shas)) out.add(year);
  }
  return out;
}

/** The tables forecast_daily is computed from. */
export const FORECAST_SOURCE_TABLES = ['em_forecasts', 'em_labels', 'atm_features'] as const;

/**
 * forecast_daily from relations of the three source tables: the Forecasts page's outcomes grouped
 * by quote date, kept as counts and sums.
 */
export function forecastDailySql(sources: Record<(typeof FORECAST_SOURCE_TABLES)[number], string>): string {
  return `
WITH em_forecasts AS (SELECT * FROM ${sources.em_forecasts}),
     em_labels AS (SELECT * FROM ${sources.em_labels}),
     atm_features AS (SELECT * FROM ${sources.atm_features}),
     spot_history AS (${SPOT_HISTORY_SQL.trim()})
SELECT model, symbol, horizon, qd AS date,
       count(*) AS n,
       count(*) FILTER (WHERE y BETWEEN lo68 AND hi68) AS hits68,
       count(*) FILTER (WHERE y BETWEEN lo95 AND hi95) AS hits95,
       sum(abs(em - y)) AS abs_err_sum,
       sum(y) AS y_sum,
       sum(${intervalPinballSql('lo68', 'hi68', 0.68)}) AS pinball68_sum,
       sum(${intervalPinballSql('lo95', 'hi95', 0.95)}) AS pinball95_sum
FROM (${outcomesSql()})
GROUP BY model, symbol, horizon, qd`.trim();
}

/**
 * forecast_monthly from a relation of forecast_daily rows: the same sums per calendar month. It
 * summarises the same source files as forecast_daily, so both are current together.
 */
export function forecastMonthlySql(daily: string): string {
  return `
SELECT model, symbol, horizon, date_trunc('month', date)::DATE AS month,
       sum(n) AS n, sum(hits68) AS hits68, sum(hits95) AS hits95,
       sum(abs_err_sum) AS abs_err_sum, sum(y_sum) AS y_sum,
       sum(pinball68_sum) AS pinball68_sum, sum(pinball95_sum) AS pinball95_sum
FROM ${daily}
GROUP BY model, symbol, horizon, date_trunc('month', date)`.trim();
}

/** The forecast rollups, finest first: each is derived from the one before it. */
export const FORECAST_ROLLUPS = ['forecast_daily', 'forecast_monthly'] as const;
export type ForecastRollup = (typeof FORECAST_ROLLUPS)[number];

/** The content hashes a forecast rollup must list, or null when the lake has no forecasts. */
export function forecastSources(files: ManifestFile[]): string[] | null {
  if (!files.some((f) => f.table === 'em_forecasts')) return null;
  return sortedUnique(files.filter((f) => (FORECAST_SOURCE_TABLES as readonly string[]).includes(f.table)).map((f) => f.sha256));
}

/** Whether the manifest's copy of a forecast rollup summarises exactly its forecast tables' files. */
export function forecastRollupCurrent(files: ManifestFile[], table: ForecastRollup = 'forecast_daily'): boolean {
  const want = forecastSources(files);
  const mine = files.filter((f) => f.table === table);
  return want !== null && mine.length === 1 && sameList(mine[0]!.sources ?? [], want);
}

function forecastProblems(files: ManifestFile[]): string[] {
  const want = forecastSources(files);
  return FORECAST_ROLLUPS.flatMap((table) => {
    const mine = files.filter((f) => f.table === table);
    if (want === null) return mine.length > 0 ? [`${table}: no forecasts to summarise`] : [];
    if (forecastRollupCurrent(files, table)) return [];
    return [mine.length === 0 ? `${table}: missing` : mine.length > 1 ? `${table}: ${mine.length} files`
      : `${table}: stale (summarises other forecast files than the manifest lists)`];
  });
}

/**
 * The calendar months wholly inside [from, to] (ISO dates): the first day of the first one and the
 * last day of the last one; null when there are none. forecast_monthly answers for these, and
 * forecast_daily for the partial months at either end.
 */
export function wholeMonths(from: string, to: string): { first: string; end: string } | null {
  const [fy, fm, fd] = from.split('-').map(Number) as [number, number, number];
  const [ty, tm, td] = to.split('-').map(Number) as [number, number, number];
  const daysIn = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate();
  const first = fd === 1 ? [fy, fm] : fm === 12 ? [fy + 1, 1] : [fy, fm + 1];
  const last = td === daysIn(ty, tm) ? [ty, tm] : tm === 1 ? [ty - 1, 12] : [ty, tm - 1];
  if (first[0]! * 12 + first[1]! > last[0]! * 12 + last[1]!) return null;
  const iso = (y: number, m: number, d: number) => `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
  return { first: iso(first[0]!, first[1]!, 1), end: iso(last[0]!, last[1]!, daysIn(last[0]!, last[1]!)) };
}

/** What is wrong with the files' rollups, in words; empty when every one is current. */
export function rollupProblems(files: ManifestFile[]): string[] {
  return [...optionsDailyProblems(files), ...forecastProblems(files)];
}

function optionsDailyProblems(files: ManifestFile[]): string[] {
  const want = optionsSourcesByYear(files);
  const current = currentRollupYears(files);
  const problems: string[] = [];
  for (const year of want.keys()) {
    if (current.has(year)) continue;
    const mine = files.filter((f) => f.table === 'options_daily' && yearOf(f) === year);
    problems.push(
      mine.length === 0 ? `options_daily ${year}: missing`
        : mine.length > 1 ? `options_daily ${year}: ${mine.length} files for one year`
          : `options_daily ${year}: stale (summarises other options files than the manifest lists)`,
    );
  }
  for (const f of files) {
    if (f.table === 'options_daily' && !want.has(yearOf(f))) problems.push(`options_daily ${yearOf(f)}: no options rows that year`);
  }
  return problems;
}

/** Whether options_daily answers for every option row the manifest lists. */
export function rollupCoversAll(manifest: Manifest): boolean {
  return currentRollupYears(manifest.files).size === optionsSourcesByYear(manifest.files).size;
}

/** Whether options_daily answers for every option row in [from, to]. */
export function rollupCoversRange(manifest: Manifest, from: string, to: string): boolean {
  const current = currentRollupYears(manifest.files);
  const first = Number(from.slice(0, 4)), last = Number(to.slice(0, 4));
  for (const year of optionsSourcesByYear(manifest.files).keys()) {
    if (year >= first && year <= last && !current.has(year)) return false;
  }
  return true;
}
