// The lake schema: the single definition of every table, its columns (lake type and legacy
// PostgreSQL type), its file layout, sort order and natural key. The generator, the export, the
// views, the browser worker and the tests all read it from here.

export type Layout = 'monthly' | 'yearly' | 'single';

export interface Column {
  name: string;
  /** DuckDB type of the column in Parquet. DECIMALs mirror the legacy NUMERIC columns exactly. */
  type: string;
  /** The legacy PostgreSQL type. */
  pg: string;
  nullable: boolean;
}

export interface TableDef {
  name: TableName;
  layout: Layout;
  /** Folder under the lake root. */
  dir: 'options' | 'volatility' | 'forecasts' | 'metadata' | 'rollups';
  columns: Column[];
  /** Order of rows inside each file, so min/max statistics prune row groups. */
  sortKey: string[];
  /** The natural key; the legacy schema did not enforce it. */
  naturalKey: string[];
  /** The column that holds the trading date, used for manifest min/max and partition pruning. */
  dateColumn: string | null;
  symbolColumn: string | null;
  /**
   * The Parquet codec when not ZSTD. The rollups are small and read by nearly every page, and
   * DuckDB-WASM decodes compressed pages slowly: one month of options_daily read warm took 91 ms
   * as ZSTD, 87 ms as LZ4, 22 ms uncompressed (same run, interleaved), for 3.3x the bytes.
   */
  compression?: 'UNCOMPRESSED';
}

/** The tables the legacy PostgreSQL schema has: migrated, loaded and validated row for row. */
export const LEGACY_TABLE_NAMES = [
  'options',
  'volatility',
  'atm_features',
  'em_labels',
  'em_forecasts',
  'symbols_metadata',
  'model_meta',
  'model_performance',
] as const;
export type LegacyTableName = (typeof LEGACY_TABLE_NAMES)[number];

/**
 * Derived tables the lake writers compute from the legacy tables in the same publish (see
 * rollups.ts); PostgreSQL never had them.
 */
export const ROLLUP_TABLE_NAMES = ['options_daily', 'forecast_daily', 'forecast_monthly'] as const;
export type RollupTableName = (typeof ROLLUP_TABLE_NAMES)[number];

export const TABLE_NAMES = [...LEGACY_TABLE_NAMES, ...ROLLUP_TABLE_NAMES] as const;
export type TableName = (typeof TABLE_NAMES)[number];

export const isRollup = (t: TableName): t is RollupTableName => (ROLLUP_TABLE_NAMES as readonly string[]).includes(t);

const col = (name: string, type: string, pg: string, nullable = true): Column => ({
  name,
  type,
  pg,
  nullable,
});

/** The forecast rollups' columns: keys, the period column, then counts and sums. */
function forecastSumColumns(period: 'date' | 'month'): Column[] {
  return [
    col('model', 'VARCHAR', 'varchar(50)'),
    col('symbol', 'VARCHAR', 'varchar(10)', false),
    col('horizon', 'VARCHAR', 'varchar(10)', false),
    col(period, 'DATE', 'date', false),
    col('n', 'BIGINT', 'bigint', false),
    col('hits68', 'BIGINT', 'bigint', false),
    col('hits95', 'BIGINT', 'bigint', false),
    col('abs_err_sum', 'DOUBLE', 'double precision'),
    col('y_sum', 'DOUBLE', 'double precision'),
    col('pinball68_sum', 'DOUBLE', 'double precision'),
    col('pinball95_sum', 'DOUBLE', 'double precision'),
  ];
}

export const TABLES: Record<TableName, TableDef> = {
  options: {
    name: 'options',
    layout: 'monthly',
    dir: 'options',
    columns: [
      col('date', 'DATE', 'date', false),
      col('act_symbol', 'VARCHAR', 'varchar(10)', false),
      col('expiration', 'DATE', 'date', false),
      col('strike', 'DECIMAL(10,2)', 'numeric(10,2)', false),
      col('call_put', 'VARCHAR', 'char(1)', false),
      col('bid', 'DECIMAL(8,2)', 'numeric(8,2)'),
      col('ask', 'DECIMAL(8,2)', 'numeric(8,2)'),
      col('vol', 'DECIMAL(6,4)', 'numeric(6,4)'),
      col('delta', 'DECIMAL(6,4)', 'numeric(6,4)'),
      col('gamma', 'DECIMAL(8,6)', 'numeric(8,6)'),
      col('theta', 'DECIMAL(8,6)', 'numeric(8,6)'),
      col('vega', 'DECIMAL(6,4)', 'numeric(6,4)'),
      col('open_interest', 'INTEGER', 'integer'),
      col('volume', 'INTEGER', 'integer'),
    ],
    sortKey: ['act_symbol', 'date', 'expiration', 'strike', 'call_put'],
    naturalKey: ['date', 'act_symbol', 'expiration', 'strike', 'call_put'],
    dateColumn: 'date',
    symbolColumn: 'act_symbol',
  },
  volatility: {
    name: 'volatility',
    layout: 'yearly',
    dir: 'volatility',
    columns: [
      col('date', 'DATE', 'date', false),
      col('symbol', 'VARCHAR', 'varchar(10)', false),
      col('iv', 'DECIMAL(6,4)', 'numeric(6,4)'),
      col('hv', 'DECIMAL(6,4)', 'numeric(6,4)'),
      col('iv_rank', 'DECIMAL(5,2)', 'numeric(5,2)'),
      col('iv_percentile', 'DECIMAL(5,2)', 'numeric(5,2)'),
    ],
    sortKey: ['symbol', 'date'],
    naturalKey: ['date', 'symbol'],
    dateColumn: 'date',
    symbolColumn: 'symbol',
  },
  atm_features: {
    name: 'atm_features',
    layout: 'single',
    dir: 'forecasts',
    columns: [
      col('underlying', 'VARCHAR', 'varchar(10)', false),
      col('quote_date', 'DATE', 'date', false),
      col('exp_date', 'DATE', 'date', false),
      col('dte', 'INTEGER', 'integer', false),
      col('spot_price', 'DOUBLE', 'double precision'),
      col('atm_strike', 'DOUBLE', 'double precision'),
      col('atm_iv', 'DOUBLE', 'double precision'),
      col('atm_call_price', 'DOUBLE', 'double precision'),
      col('atm_put_price', 'DOUBLE', 'double precision'),
      col('straddle_price', 'DOUBLE', 'double precision'),
      col('em_baseline', 'DOUBLE', 'double precision'),
      col('rr_25delta', 'DOUBLE', 'double precision'),
      col('fly_25delta', 'DOUBLE', 'double precision'),
      col('avg_vega_atm', 'DOUBLE', 'double precision'),
      col('avg_gamma_atm', 'DOUBLE', 'double precision'),
      col('avg_theta_atm', 'DOUBLE', 'double precision'),
      col('iv_term_slope', 'DOUBLE', 'double precision'),
    ],
    sortKey: ['underlying', 'quote_date', 'exp_date'],
    naturalKey: ['underlying', 'quote_date', 'exp_date'],
    dateColumn: 'quote_date',
    symbolColumn: 'underlying',
  },
  em_labels: {
    name: 'em_labels',
    layout: 'single',
    dir: 'forecasts',
    columns: [
      col('underlying', 'VARCHAR', 'varchar(10)', false),
      col('quote_date', 'DATE', 'date', false),
      col('exp_date', 'DATE', 'date', false),
      col('horizon', 'VARCHAR', 'varchar(10)', false),
      col('realized_move', 'DOUBLE', 'double precision'),
      col('alpha_multiplier', 'DOUBLE', 'double precision'),
    ],
    sortKey: ['underlying', 'quote_date', 'exp_date', 'horizon'],
    naturalKey: ['underlying', 'quote_date', 'exp_date', 'horizon'],
    dateColumn: 'quote_date',
    symbolColumn: 'underlying',
  },
  em_forecasts: {
    name: 'em_forecasts',
    layout: 'single',
    dir: 'forecasts',
    columns: [
      col('underlying', 'VARCHAR', 'varchar(10)', false),
      col('quote_ts', 'TIMESTAMPTZ', 'timestamptz', false),
      col('exp_date', 'DATE', 'date', false),
      col('horizon', 'VARCHAR', 'varchar(10)', false),
      col('model_version', 'VARCHAR', 'varchar(50)'),
      col('em_baseline', 'DOUBLE', 'double precision'),
      col('em_hat', 'DOUBLE', 'double precision'),
      col('band68_low', 'DOUBLE', 'double precision'),
      col('band68_high', 'DOUBLE', 'double precision'),
      col('band95_low', 'DOUBLE', 'double precision'),
      col('band95_high', 'DOUBLE', 'double precision'),
      col('created_at', 'TIMESTAMPTZ', 'timestamptz'),
    ],
    sortKey: ['underlying', 'quote_ts', 'exp_date', 'horizon'],
    naturalKey: ['underlying', 'quote_ts', 'exp_date', 'horizon'],
    dateColumn: 'quote_ts',
    symbolColumn: 'underlying',
  },
  symbols_metadata: {
    name: 'symbols_metadata',
    layout: 'single',
    dir: 'metadata',
    columns: [
      col('symbol', 'VARCHAR', 'varchar(10)', false),
      col('first_date', 'DATE', 'date'),
      col('last_date', 'DATE', 'date'),
      col('total_options', 'BIGINT', 'bigint'),
      col('avg_iv', 'DOUBLE', 'double precision'),
      col('updated_at', 'TIMESTAMP', 'timestamp'),
    ],
    sortKey: ['symbol'],
    naturalKey: ['symbol'],
    dateColumn: null,
    symbolColumn: 'symbol',
  },
  model_meta: {
    name: 'model_meta',
    layout: 'single',
    dir: 'metadata',
    columns: [
      col('model_name', 'VARCHAR', 'varchar(100)', false),
      col('trained_at', 'TIMESTAMP', 'timestamp'),
      col('version', 'VARCHAR', 'varchar(50)'),
      col('notes', 'VARCHAR', 'text'),
      // jsonb in PostgreSQL; kept as JSON text so DuckDB 0.9 in the browser reads it without extensions.
      col('performance_metrics', 'VARCHAR', 'jsonb'),
    ],
    sortKey: ['model_name'],
    naturalKey: ['model_name'],
    dateColumn: null,
    symbolColumn: null,
  },
  model_performance: {
    name: 'model_performance',
    layout: 'single',
    dir: 'metadata',
    columns: [
      col('model_name', 'VARCHAR', 'varchar(100)', false),
      col('evaluation_date', 'DATE', 'date', false),
      col('horizon', 'VARCHAR', 'varchar(10)', false),
      col('coverage_68', 'DOUBLE', 'double precision'),
      col('coverage_95', 'DOUBLE', 'double precision'),
      col('mae_em', 'DOUBLE', 'double precision'),
      col('mape_em', 'DOUBLE', 'double precision'),
      col('pinball_loss_68', 'DOUBLE', 'double precision'),
      col('pinball_loss_95', 'DOUBLE', 'double precision'),
    ],
    sortKey: ['model_name', 'evaluation_date', 'horizon'],
    naturalKey: ['model_name', 'evaluation_date', 'horizon'],
    dateColumn: 'evaluation_date',
    symbolColumn: null,
  },
  // Sufficient statistics of options per trading day, symbol and side: sums and counts combine
  // exactly into any coarser grouping (month, symbol, whole history). A median does not combine,
  // so the day's median over both sides is stored, repeated on the call and the put row.
  options_daily: {
    name: 'options_daily',
    layout: 'yearly',
    dir: 'rollups',
    columns: [
      col('date', 'DATE', 'date', false),
      col('act_symbol', 'VARCHAR', 'varchar(10)', false),
      col('call_put', 'VARCHAR', 'char(1)', false),
      col('contracts', 'BIGINT', 'bigint', false),
      col('vol_n', 'BIGINT', 'bigint', false),
      col('vol_sum', 'DECIMAL(18,4)', 'numeric(18,4)'),
      col('atm_n', 'BIGINT', 'bigint', false),
      col('atm_vol_sum', 'DECIMAL(18,4)', 'numeric(18,4)'),
      col('volume', 'BIGINT', 'bigint'),
      col('open_interest', 'BIGINT', 'bigint'),
      col('day_median_vol', 'DOUBLE', 'double precision'),
    ],
    sortKey: ['act_symbol', 'date', 'call_put'],
    naturalKey: ['date', 'act_symbol', 'call_put'],
    dateColumn: 'date',
    symbolColumn: 'act_symbol',
    compression: 'UNCOMPRESSED',
  },
  // Forecast outcomes (metrics.ts outcomesSql) per model, symbol, horizon and quote date, as the
  // sums behind every accuracy column: coverage, MAE, weighted MAPE and pinball combine exactly.
  // Date first: a range's partial months (forecast_monthly holds the whole ones) prune row groups.
  forecast_daily: {
    name: 'forecast_daily',
    layout: 'single',
    dir: 'rollups',
    columns: forecastSumColumns('date'),
    sortKey: ['date', 'model', 'symbol', 'horizon'],
    naturalKey: ['model', 'symbol', 'horizon', 'date'],
    dateColumn: 'date',
    symbolColumn: 'symbol',
    compression: 'UNCOMPRESSED',
  },
  // forecast_daily's sums per calendar month (`month` is its first day): a whole-history or
  // many-month accuracy reads ~20x fewer rows.
  forecast_monthly: {
    name: 'forecast_monthly',
    layout: 'single',
    dir: 'rollups',
    columns: forecastSumColumns('month'),
    sortKey: ['model', 'symbol', 'horizon', 'month'],
    naturalKey: ['model', 'symbol', 'horizon', 'month'],
    dateColumn: 'month',
    symbolColumn: 'symbol',
    compression: 'UNCOMPRESSED',
  },
};

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** Path of a table's file relative to the lake root, per the layout in DESIGN.md. */
export function filePath(table: TableName, part: { year?: number; month?: number } = {}, suffix = ''): string {
  const def = TABLES[table];
  const tail = suffix ? `_${suffix}` : '';
  switch (def.layout) {
    case 'monthly': {
      const { year, month } = requirePart(table, part, true);
      return `${def.dir}/year=${year}/month=${pad2(month)}/${table}_${year}_${pad2(month)}${tail}.parquet`;
    }
    case 'yearly': {
      const { year } = requirePart(table, part, false);
      return `${def.dir}/year=${year}/${table}_${year}${tail}.parquet`;
    }
    case 'single':
      return `${def.dir}/${table}${tail}.parquet`;
  }
}

function requirePart(
  table: TableName,
  part: { year?: number; month?: number },
  needMonth: boolean,
): { year: number; month: number } {
  const { year, month } = part;
  if (year === undefined || !Number.isInteger(year)) throw new Error(`${table}: a year partition is required`);
  if (needMonth && (month === undefined || !Number.isInteger(month) || month < 1 || month > 12)) {
    throw new Error(`${table}: a month partition 1-12 is required`);
  }
  return { year, month: month ?? 0 };
}

/** Column list as DuckDB SQL, for typed empty relations and casts. */
export function columnsSql(table: TableName): string {
  return TABLES[table].columns.map((c) => `${quoteIdent(c.name)} ${c.type}`).join(', ');
}

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export function quoteString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
