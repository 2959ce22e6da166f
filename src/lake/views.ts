// The one definition of Quantiv's DuckDB views: base views over the manifest's files and the
// analytic views on top of them. The browser worker, the node tools and the tests all run this SQL.
import { TABLES, TABLE_NAMES, quoteString, type TableName } from './schema.ts';
import { ACCURACY_COLUMNS_SQL, outcomesSql, SPOT_HISTORY_SQL } from './metrics.ts';
import { filesOf, pruneFiles, type DateRange, type Manifest, type ManifestFile } from './manifest.ts';
import { rollupCoversAll } from './rollups.ts';
import { earningsMovesSql } from './earnings.ts';

/**
 * Where a file is read from. In the browser: a name registered with DuckDB-WASM for the file's URL
 * (see registeredName); in node: a local path.
 */
export type Locate = (file: ManifestFile) => string;

/**
 * The file's URL, with its content hash as a version parameter so immutable caching stays safe
 * across republishes.
 */
export function urlLocator(manifestUrl: string): Locate {
  return (file) => {
    const url = new URL(file.path, manifestUrl);
    url.searchParams.set('v', file.sha256.slice(0, 12));
    return url.href;
  };
}

/** Every registered name starts with this; the engine's fences allow reads under it. */
export const LAKE_PREFIX = 'lake/';

/**
 * The name a file is registered under in DuckDB-WASM. Registered names skip the HEAD probes DuckDB
 * makes for bare URLs; the content hash in the name keeps two versions of a path apart, and the
 * path keeps the Hive partition segments DuckDB parses.
 */
export const registeredName: Locate = (file) => `${LAKE_PREFIX}${file.sha256.slice(0, 16)}/${file.path}`;

export function pathLocator(lakeRoot: string): Locate {
  const root = lakeRoot.endsWith('/') ? lakeRoot : `${lakeRoot}/`;
  return (file) => root + file.path;
}

/** A relation over exactly these files, or a typed empty relation when there are none. */
export function scanFiles(table: TableName, files: ManifestFile[], locate: Locate): string {
  if (files.length === 0) return `(SELECT * FROM (SELECT ${emptyColumns(table)}) WHERE false)`;
  const list = files.map((f) => quoteString(locate(f))).join(', ');
  const layout = TABLES[table].layout;
  if (layout === 'single') return `read_parquet([${list}])`;
  // Engines disagree on the type of Hive partition values (BIGINT in 0.9, VARCHAR in 1.5 for
  // '01'): pin them to INTEGER so every engine sees one schema.
  const parts = layout === 'monthly' ? ['year', 'month'] : ['year'];
  const replace = parts.map((p) => `CAST(${p} AS INTEGER) AS ${p}`).join(', ');
  return `(SELECT * REPLACE (${replace}) FROM read_parquet([${list}], hive_partitioning=true))`;
}

/** The table's files that can hold [from, to], pruned from the manifest before DuckDB opens any. */
export function scan(manifest: Manifest, table: TableName, locate: Locate, range: DateRange = {}): string {
  return scanFiles(table, pruneFiles(manifest, table, range), locate);
}

function emptyColumns(table: TableName): string {
  const cols = TABLES[table].columns.map((c) => `CAST(NULL AS ${c.type}) AS "${c.name}"`);
  const def = TABLES[table];
  if (def.layout !== 'single') cols.push('CAST(NULL AS INTEGER) AS "year"');
  if (def.layout === 'monthly') cols.push('CAST(NULL AS INTEGER) AS "month"');
  return cols.join(', ');
}

/** Legacy views, recreated from the original PostgreSQL schema. */
export const LEGACY_VIEWS: Record<string, string> = {
  daily_iv_summary: `
    SELECT date, act_symbol,
           avg(vol)::DOUBLE AS avg_vol,
           median(vol::DOUBLE) AS median_vol,
           count(*) AS option_count
    FROM options
    GROUP BY date, act_symbol`,
  symbol_summary: `
    SELECT act_symbol,
           min(date) AS first_date,
           max(date) AS last_date,
           count(*) AS total_options,
           avg(vol)::DOUBLE AS avg_vol,
           count(DISTINCT date) AS trading_days
    FROM options
    GROUP BY act_symbol`,
  // Near-the-money contracts; the legacy view selected on delta.
  atm_options: `
    SELECT * FROM options
    WHERE abs(delta) BETWEEN 0.40 AND 0.60`,
  // Relative to the newest date in the data, not the wall clock: the lake is historical.
  recent_options: `
    SELECT * FROM options
    WHERE date >= (SELECT max(date) FROM options) - INTERVAL 30 DAY`,
};

/**
 * The same legacy views answered from options_daily (same columns, types and values): used when
 * the rollup is current for every option row (rollupCoversAll).
 */
export const LEGACY_VIEWS_FROM_ROLLUP: Record<string, string> = {
  daily_iv_summary: `
    SELECT date, act_symbol,
           (sum(vol_sum) / sum(vol_n))::DOUBLE AS avg_vol,
           any_value(day_median_vol) AS median_vol,
           sum(contracts)::BIGINT AS option_count
    FROM options_daily
    GROUP BY date, act_symbol`,
  symbol_summary: `
    SELECT act_symbol,
           min(date) AS first_date,
           max(date) AS last_date,
           sum(contracts)::BIGINT AS total_options,
           (sum(vol_sum) / sum(vol_n))::DOUBLE AS avg_vol,
           count(DISTINCT date) AS trading_days
    FROM options_daily
    GROUP BY act_symbol`,
};

/** Analytic views the legacy app never had. */
export const ANALYTIC_VIEWS: Record<string, string> = {
  spot_history: SPOT_HISTORY_SQL,
  atm_iv_term: `
    SELECT underlying AS symbol, quote_date AS date, exp_date, dte, atm_iv, iv_term_slope
    FROM atm_features`,
  iv_skew: `
    SELECT o.date, o.act_symbol AS symbol, o.expiration, o.expiration - o.date AS dte,
           o.strike::DOUBLE AS strike, o.call_put, o.vol::DOUBLE AS iv, o.delta::DOUBLE AS delta,
           ln(o.strike::DOUBLE / s.spot) AS log_moneyness
    FROM options o
    JOIN spot_history s ON s.symbol = o.act_symbol AND s.date = o.date`,
  expected_move: `
    SELECT underlying AS symbol, quote_date AS date, exp_date, dte, spot_price AS spot,
           straddle_price * 0.85 AS em_straddle,
           em_baseline AS em_iv,
           straddle_price * 0.85 / spot_price AS em_straddle_pct,
           em_baseline / spot_price AS em_iv_pct
    FROM atm_features`,
  // Implied vs realised move of every earnings report; formulas in earnings.ts.
  earnings_moves: earningsMovesSql(),
  // Accuracy by model, symbol and horizon over the whole history; formulas in metrics.ts.
  forecast_accuracy: `
    SELECT model AS model_version, symbol, horizon,
      ${ACCURACY_COLUMNS_SQL}
    FROM (${outcomesSql()})
    GROUP BY model, symbol, horizon`,
};

/**
 * Every statement that sets up a session: base views over the manifest, then the derived views.
 * `temp`: connection-local views, which SQL on any other connection can neither see nor replace.
 */
export function createViewsSql(manifest: Manifest, locate: Locate, options: { temp?: boolean } = {}): string[] {
  const create = options.temp ? 'CREATE OR REPLACE TEMP VIEW' : 'CREATE OR REPLACE VIEW';
  const base = TABLE_NAMES.map(
    (t) => `${create} ${t} AS SELECT * FROM ${scanFiles(t, filesOf(manifest, t), locate)}`,
  );
  const legacy = rollupCoversAll(manifest) ? { ...LEGACY_VIEWS, ...LEGACY_VIEWS_FROM_ROLLUP } : LEGACY_VIEWS;
  const derived = Object.entries({ ...legacy, ...ANALYTIC_VIEWS }).map(
    ([name, sql]) => `${create} ${name} AS ${sql.trim()}`,
  );
  return [...base, ...derived];
}

export const VIEW_NAMES = [...TABLE_NAMES, ...Object.keys(LEGACY_VIEWS), ...Object.keys(ANALYTIC_VIEWS)];
