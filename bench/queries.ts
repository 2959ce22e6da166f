// The seed's four query classes, each written ONCE. The same SQL text runs in native DuckDB and
// DuckDB-WASM over the lake views (src/lake/views.ts) and in PostgreSQL over the legacy schema
// (tests/fixtures/legacy-schema.sql); only the table names differ (options -> options_chain, ...).
//
// Why nothing else differs, and what that takes:
// - Types: `::double precision`, `count(*)`, `FILTER (WHERE ...)`, `DATE 'YYYY-MM-DD'`, `date - date`
//   (days) and `extract(... FROM date)` mean the same in both dialects. PostgreSQL averages NUMERIC
//   exactly and DuckDB averages DECIMAL as DOUBLE; both are cast to double precision at the end.
// - Time zones: em_forecasts.quote_ts is timestamptz; the join takes its UTC date with
//   CAST(CAST(quote_ts AS TIMESTAMP) AS DATE). DuckDB-WASM has no ICU (UTC), native DuckDB is set to
//   UTC by openNative(), and the PostgreSQL session runs SET TimeZone = 'UTC' (bench/engines.ts).
// - The date-range query filters on the date column only, as a user of the views writes it: the
//   lake prunes by Parquet min/max statistics (DuckDB still opens every month's footer), PostgreSQL
//   by its yearly range partitions plus the (date) index.
import { PG_TABLE } from '../src/node/pg/tables.ts';
import { isRollup, type LegacyTableName } from '../src/lake/schema.ts';
import { calibrationSql } from '../src/lake/queries/forecasts.ts';
import type { Manifest } from '../src/lake/manifest.ts';
import { scan, type Locate } from '../src/lake/views.ts';

export type QueryId = 'full_scan' | 'date_range' | 'symbol' | 'join';

export interface QueryParams {
  /** One symbol for the symbol query (its whole history). */
  symbol: string;
  /** A whole month for the date-range query. */
  from: string;
  to: string;
}

export interface BenchQuery {
  id: QueryId;
  title: string;
  sql(p: QueryParams, table: (t: LegacyTableName) => string): string;
}

const SYMBOL = /^[A-Z0-9.\-]{1,10}$/;
const ISO = /^\d{4}-\d{2}-\d{2}$/;

export const QUERIES: BenchQuery[] = [
  {
    id: 'full_scan',
    title: 'full-scan aggregation (monthly IV, volume, OI per symbol over all options)',
    sql: (_p, t) => `
SELECT act_symbol, extract(year FROM date) AS y, extract(month FROM date) AS m,
       count(*) AS contracts, avg(vol)::double precision AS avg_iv,
       sum(volume) AS volume, sum(open_interest) AS open_interest
FROM ${t('options')}
GROUP BY act_symbol, extract(year FROM date), extract(month FROM date)
ORDER BY 1, 2, 3`,
  },
  {
    id: 'date_range',
    title: 'date-range filter (one month, all symbols, per day and call/put)',
    sql: (p, t) => `
SELECT date, call_put, count(*) AS contracts, avg(vol)::double precision AS avg_iv, sum(volume) AS volume
FROM ${t('options')}
WHERE date BETWEEN DATE '${p.from}' AND DATE '${p.to}'
GROUP BY date, call_put
ORDER BY date, call_put`,
  },
  {
    id: 'symbol',
    title: "symbol analytics (one symbol's whole history: daily ATM IV, volume, put/call ratio)",
    sql: (p, t) => `
SELECT date,
       (avg(vol) FILTER (WHERE abs(delta) BETWEEN 0.40 AND 0.60 AND expiration - date BETWEEN 20 AND 45))::double precision AS atm_iv,
       count(*) AS contracts,
       sum(volume) AS volume,
       (sum(volume) FILTER (WHERE call_put = 'P'))::double precision / nullif(sum(volume) FILTER (WHERE call_put = 'C'), 0) AS put_call_volume
FROM ${t('options')}
WHERE act_symbol = '${p.symbol}'
GROUP BY date
ORDER BY date`,
  },
  {
    id: 'join',
    title: 'complex join (forecasts x labels x ATM features: coverage and MAE per model and horizon)',
    sql: (_p, t) => `
SELECT f.model_version, f.horizon, count(*) AS n,
       avg(CASE WHEN l.realized_move * a.spot_price BETWEEN f.band68_low AND f.band68_high THEN 1.0 ELSE 0.0 END)::double precision AS coverage_68,
       avg(CASE WHEN l.realized_move * a.spot_price BETWEEN f.band95_low AND f.band95_high THEN 1.0 ELSE 0.0 END)::double precision AS coverage_95,
       avg(abs(f.em_hat - l.realized_move * a.spot_price))::double precision AS mae,
       avg(a.atm_iv)::double precision AS avg_atm_iv
FROM ${t('em_forecasts')} f
JOIN ${t('em_labels')} l
  ON l.underlying = f.underlying AND l.exp_date = f.exp_date AND l.horizon = f.horizon
 AND l.quote_date = CAST(CAST(f.quote_ts AS TIMESTAMP) AS DATE)
JOIN ${t('atm_features')} a
  ON a.underlying = l.underlying AND a.quote_date = l.quote_date AND a.exp_date = l.exp_date
GROUP BY f.model_version, f.horizon
ORDER BY 1, 2`,
  },
];

/**
 * The same four questions the way the lake app answers them: from options_daily, the rollup every
 * writer publishes with the options (src/lake/rollups.ts), with the raw query's columns and types so
 * the answers compare value for value. PostgreSQL's app answer is its raw query: the legacy app had
 * no rollup. The join has no rollup yet and runs as written.
 */
export const APP_QUERIES: Record<QueryId, (p: QueryParams, lake: AppLake) => string> = {
  full_scan: () => `
SELECT act_symbol, extract(year FROM date) AS y, extract(month FROM date) AS m,
       sum(contracts)::BIGINT AS contracts, (sum(vol_sum) / sum(vol_n))::DOUBLE AS avg_iv,
       sum(volume) AS volume, sum(open_interest) AS open_interest
FROM options_daily
GROUP BY act_symbol, extract(year FROM date), extract(month FROM date)
ORDER BY 1, 2, 3`,
  // Like the app's screener: only the rollup files the manifest says can hold the range.
  date_range: (p, lake) => `
SELECT date, call_put, sum(contracts)::BIGINT AS contracts, (sum(vol_sum) / sum(vol_n))::DOUBLE AS avg_iv, sum(volume) AS volume
FROM ${scan(lake.manifest, 'options_daily', lake.locate, { from: p.from, to: p.to })}
WHERE date BETWEEN DATE '${p.from}' AND DATE '${p.to}'
GROUP BY date, call_put
ORDER BY date, call_put`,
  symbol: (p) => `
SELECT date,
       (sum(atm_vol_sum) / nullif(sum(atm_n), 0))::DOUBLE AS atm_iv,
       sum(contracts)::BIGINT AS contracts,
       sum(volume) AS volume,
       (sum(volume) FILTER (WHERE call_put = 'P'))::DOUBLE / nullif(sum(volume) FILTER (WHERE call_put = 'C'), 0) AS put_call_volume
FROM options_daily
WHERE act_symbol = '${p.symbol}'
GROUP BY date
ORDER BY date`,
  // The Forecasts page's calibration panel over the whole history: coverage and MAE per model and
  // horizon, from forecast_daily. It measures moves as fractions of spot where the legacy SQL used
  // price units, so its reference is the same panel over the raw tables (APP_REFERENCE).
  join: (_p, lake) => calibrationSql(lake.manifest, ALL_HISTORY.from, ALL_HISTORY.to),
};

const ALL_HISTORY = { from: '1900-01-01', to: '2999-12-31' };

/**
 * Where the app's answer is not the raw query's formulation: the raw-table SQL it must equal
 * (value for value), so the rollup is still checked against the raw rows.
 */
export const APP_REFERENCE: Partial<Record<QueryId, (p: QueryParams, lake: AppLake) => string>> = {
  join: (_p, lake) => calibrationSql({ ...lake.manifest, files: lake.manifest.files.filter((f) => !isRollup(f.table)) }, ALL_HISTORY.from, ALL_HISTORY.to),
};

/** What the app knows besides SQL: the manifest, and where its files are registered. */
export interface AppLake {
  manifest: Manifest;
  locate: Locate;
}

export function appSqlFor(id: QueryId, p: QueryParams, lake: AppLake): string {
  if (!SYMBOL.test(p.symbol) || !ISO.test(p.from) || !ISO.test(p.to)) throw new Error(`bad query parameters ${JSON.stringify(p)}`);
  return APP_QUERIES[id](p, lake).trim();
}

export const duckdbTable = (t: LegacyTableName): string => t;
export const pgTable = (t: LegacyTableName): string => PG_TABLE[t];

export function sqlFor(q: BenchQuery, p: QueryParams, engine: 'duckdb' | 'pg'): string {
  if (!SYMBOL.test(p.symbol) || !ISO.test(p.from) || !ISO.test(p.to)) throw new Error(`bad query parameters ${JSON.stringify(p)}`);
  return q.sql(p, engine === 'pg' ? pgTable : duckdbTable).trim();
}
