// The quirks of the legacy options_chain and the one set of rules that cleans them. The export
// applies the rules in DuckDB SQL (cleanOptionsDuckSql), validate applies the very same rules in
// PostgreSQL SQL (cleanOptionsPgSql) so both sides of a comparison hold the same rows, and the
// loader can inject each quirk deterministically (injectOptionsSql) so the tests know the counts.
//
// RULES, applied in this order to every options_chain row of a month:
//   R1 call_put spelling: upper(trim(call_put)) 'C' or 'CALL' -> 'C'; 'P' or 'PUT' -> 'P'.
//      Counted as call_put_spelling when the stored text was not already 'C'/'P'.
//   R2 rejects (written to the rejects CSV with the reason, counted per reason, never in the lake):
//      null_key            date, act_symbol, expiration or strike is NULL
//      unknown_call_put    call_put is none of the R1 spellings (including NULL)
//      weekend_date        date falls on a Saturday or Sunday (no session trades then; rolling it to
//                          Friday could collide with Friday's real quote, so it is rejected instead)
//      non_positive_strike strike <= 0
//      Every other column has the same type in PostgreSQL and in the lake (schema.ts), so no value
//      can be out of range; a value DuckDB cannot parse aborts the partition loudly.
//   R3 duplicate natural keys (date, act_symbol, expiration, strike, call_put after R1): the row with
//      the highest id (the last written) wins; the others are counted as duplicate_key and dropped.
//   R4 IV in percent: vol > 3 is read as percent (no IV in this data exceeds 300%):
//      vol * 0.01 rounded half away from zero to 4 decimals. Counted as vol_percent.
//   R5 NULL greeks: kept as NULL (the lake columns are nullable); counted as null_greeks when any of
//      delta, gamma, theta, vega is NULL.
// Counts R1, R4 and R5 are of rows that reach the lake.

export const VOL_PERCENT_THRESHOLD = 3;

export const REJECT_REASONS = ['null_key', 'unknown_call_put', 'weekend_date', 'non_positive_strike'] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

export const QUIRK_RULES = ['call_put_spelling', 'duplicate_key', 'vol_percent', 'null_greeks'] as const;
export type QuirkRule = (typeof QUIRK_RULES)[number];

export type QuirkCounts = Record<QuirkRule | RejectReason, number>;

export const zeroCounts = (): QuirkCounts => ({
  call_put_spelling: 0, duplicate_key: 0, vol_percent: 0, null_greeks: 0,
  null_key: 0, unknown_call_put: 0, weekend_date: 0, non_positive_strike: 0,
});

export function addCounts(into: QuirkCounts, add: Partial<QuirkCounts>): QuirkCounts {
  for (const [k, v] of Object.entries(add)) into[k as keyof QuirkCounts] += Number(v ?? 0);
  return into;
}

/** Columns of options_chain the export reads, in COPY order. created_at is not carried to the lake. */
export const RAW_OPTIONS_COLUMNS: [string, string][] = [
  ['id', 'BIGINT'], ['date', 'DATE'], ['act_symbol', 'VARCHAR'], ['expiration', 'DATE'], ['strike', 'DECIMAL(10,2)'],
  ['call_put', 'VARCHAR'], ['bid', 'DECIMAL(8,2)'], ['ask', 'DECIMAL(8,2)'], ['vol', 'DECIMAL(6,4)'],
  ['delta', 'DECIMAL(6,4)'], ['gamma', 'DECIMAL(8,6)'], ['theta', 'DECIMAL(8,6)'], ['vega', 'DECIMAL(6,4)'],
  ['open_interest', 'INTEGER'], ['volume', 'INTEGER'],
];

const LAKE_OPTION_COLUMNS = RAW_OPTIONS_COLUMNS.map(([n]) => n).filter((n) => n !== 'id');
const GREEKS = ['delta', 'gamma', 'theta', 'vega'];

// ---- DuckDB side (export) ----

/** R1 in DuckDB. */
const duckCallPut = `CASE upper(trim(call_put)) WHEN 'C' THEN 'C' WHEN 'CALL' THEN 'C' WHEN 'P' THEN 'P' WHEN 'PUT' THEN 'P' END`;

/** R2 in DuckDB, over rows that have cp (the R1 result). dayofweek: 0 = Sunday, 6 = Saturday. */
const duckReject = `CASE
    WHEN date IS NULL OR act_symbol IS NULL OR expiration IS NULL OR strike IS NULL THEN 'null_key'
    WHEN cp IS NULL THEN 'unknown_call_put'
    WHEN dayofweek(date) IN (0, 6) THEN 'weekend_date'
    WHEN strike <= 0 THEN 'non_positive_strike'
  END`;

/** A table `staged` of raw rows with cp (R1) and reject (R2) from a relation of raw rows. */
export function stageOptionsDuckSql(rawRelation: string): string {
  return `CREATE OR REPLACE TEMP TABLE staged AS
    SELECT *, ${duckReject} AS reject FROM (SELECT *, ${duckCallPut} AS cp FROM ${rawRelation})`;
}

/** A table `kept` of lake rows from `staged`: R3, R4 applied; flags for counting. */
export const KEEP_OPTIONS_DUCK_SQL = `CREATE OR REPLACE TEMP TABLE kept AS
  SELECT date, act_symbol, expiration, strike, cp AS call_put, bid, ask,
         CASE WHEN vol > ${VOL_PERCENT_THRESHOLD}
              THEN CAST(CAST(vol AS DECIMAL(18,4)) * CAST(0.01 AS DECIMAL(3,2)) AS DECIMAL(6,4)) ELSE vol END AS vol,
         ${GREEKS.join(', ')}, open_interest, volume,
         call_put IS DISTINCT FROM cp AS spelled,
         vol > ${VOL_PERCENT_THRESHOLD} AS percent
  FROM staged
  WHERE reject IS NULL
  QUALIFY row_number() OVER (PARTITION BY date, act_symbol, expiration, strike, cp ORDER BY id DESC) = 1`;

/** One row of counts over `staged` and `kept`, named as QuirkCounts plus source_rows and lake_rows. */
export const COUNT_OPTIONS_DUCK_SQL = `
  WITH s AS (
    SELECT count(*) AS source_rows,
           count(*) FILTER (WHERE reject IS NULL) AS valid_rows,
           ${REJECT_REASONS.map((r) => `count(*) FILTER (WHERE reject = '${r}') AS ${r}`).join(', ')}
    FROM staged),
  k AS (
    SELECT count(*) AS lake_rows,
           count(*) FILTER (WHERE spelled) AS call_put_spelling,
           count(*) FILTER (WHERE percent) AS vol_percent,
           count(*) FILTER (WHERE ${GREEKS.map((g) => `${g} IS NULL`).join(' OR ')}) AS null_greeks
    FROM kept)
  SELECT s.source_rows, k.lake_rows, s.valid_rows - k.lake_rows AS duplicate_key,
         k.call_put_spelling, k.vol_percent, k.null_greeks,
         ${REJECT_REASONS.map((r) => `s.${r}`).join(', ')}
  FROM s, k`;

/** The lake's columns from `kept`, for writeLakeFile. */
export const KEPT_SELECT = `SELECT ${LAKE_OPTION_COLUMNS.join(', ')} FROM kept`;

/** Rejected rows with their reason, for the rejects CSV. */
export const REJECTS_SELECT = `SELECT reject AS reason, ${RAW_OPTIONS_COLUMNS.map(([n]) => n).join(', ')} FROM staged WHERE reject IS NOT NULL ORDER BY id`;

// ---- PostgreSQL side (validate) ----

/**
 * The same rules R1-R4 in PostgreSQL over options_chain rows with from <= date < to (ISO dates).
 * Yields the lake's columns; round() on numeric rounds half away from zero, as DuckDB's DECIMAL cast.
 */
export function cleanOptionsPgSql(from: string, to: string): string {
  return `
    SELECT date, act_symbol, expiration, strike, cp AS call_put, bid, ask,
           CASE WHEN vol > ${VOL_PERCENT_THRESHOLD} THEN round(vol * 0.01, 4) ELSE vol END AS vol,
           ${GREEKS.join(', ')}, open_interest, volume
    FROM (
      SELECT o.*, row_number() OVER (PARTITION BY date, act_symbol, expiration, strike, cp ORDER BY id DESC) AS rn
      FROM (
        SELECT *, CASE upper(btrim(call_put)) WHEN 'C' THEN 'C' WHEN 'CALL' THEN 'C' WHEN 'P' THEN 'P' WHEN 'PUT' THEN 'P' END AS cp
        FROM options_chain
        WHERE date >= DATE '${from}' AND date < DATE '${to}'
      ) o
      WHERE date IS NOT NULL AND act_symbol IS NOT NULL AND expiration IS NOT NULL AND strike IS NOT NULL
        AND cp IS NOT NULL AND extract(isodow FROM date) < 6 AND strike > 0
    ) ranked
    WHERE rn = 1`;
}

// ---- injection (pg-load with --quirks) ----

export interface InjectedCounts {
  duplicate_key: number;
  null_greeks: number;
  vol_percent: number;
  call_put_spelling: number;
  weekend_date: number;
  null_key: number;
  unknown_call_put: number;
}

/**
 * Rows to load into options_chain from a relation of clean lake rows, with quirks injected on
 * disjoint, seeded buckets of the natural key's hash (b = hash % 10000), so each is counted once:
 *   b <  250  duplicate_key: a stale copy (volume + 1) is written first, the true row after it, so the
 *             true row gets the higher id (R3 keeps it and the lake equals the source lake)
 *   b <  450  null_greeks: delta, gamma, theta, vega NULL
 *   b <  650  vol_percent: vol * 100, where it fits numeric(6,4) and lands above the R4 threshold
 *   b <  850  call_put_spelling: 'Call'/'Put' (b < 750) or 'c'/'p'
 *   b <  950  weekend_date: a Friday row moved to the Saturday after
 *   b <  955  null_key: strike NULL
 *   b <  960  unknown_call_put: call_put 'X'
 * Creates temp table `inject` (lake columns + pass + quirk); load it ORDER BY pass so ids follow.
 */
export function injectOptionsSql(source: string, seed: number, quirks: boolean): string {
  const c = LAKE_OPTION_COLUMNS;
  if (!quirks) {
    return `CREATE OR REPLACE TEMP TABLE inject AS SELECT ${c.join(', ')}, 1 AS pass, NULL::VARCHAR AS quirk FROM ${source}`;
  }
  const b = `(hash(${seed}::BIGINT, date, act_symbol, expiration, strike, call_put) % 10000)`;
  const pick = (col: string, expr: string): string => `${expr} AS ${col}`;
  const fits = `vol IS NOT NULL AND vol > 0.0301 AND vol < 0.9999`;
  const body = c.map((col) => {
    switch (col) {
      case 'date': return pick(col, `CASE WHEN b >= 850 AND b < 950 AND dayofweek(date) = 5 THEN date + 1 ELSE date END`);
      case 'strike': return pick(col, `CASE WHEN b >= 950 AND b < 955 THEN NULL ELSE strike END`);
      case 'call_put':
        return pick(col, `CASE WHEN b >= 650 AND b < 750 THEN (CASE call_put WHEN 'C' THEN 'Call' ELSE 'Put' END)
                               WHEN b >= 750 AND b < 850 THEN lower(call_put)
                               WHEN b >= 955 AND b < 960 THEN 'X' ELSE call_put END`);
      case 'vol': return pick(col, `CASE WHEN b >= 450 AND b < 650 AND ${fits} THEN CAST(vol * 100 AS DECIMAL(6,4)) ELSE vol END`);
      default:
        if (GREEKS.includes(col)) return pick(col, `CASE WHEN b >= 250 AND b < 450 THEN NULL ELSE ${col} END`);
        return col;
    }
  });
  const quirk = `CASE WHEN b < 250 THEN 'duplicate_key' WHEN b < 450 THEN 'null_greeks'
      WHEN b < 650 THEN (CASE WHEN ${fits} THEN 'vol_percent' END) WHEN b < 850 THEN 'call_put_spelling'
      WHEN b < 950 THEN (CASE WHEN dayofweek(date) = 5 THEN 'weekend_date' END)
      WHEN b < 955 THEN 'null_key' WHEN b < 960 THEN 'unknown_call_put' END`;
  const stale = c.map((col) => (col === 'volume' ? 'coalesce(volume, 0) + 1 AS volume' : col));
  return `CREATE OR REPLACE TEMP TABLE inject AS
    WITH h AS (SELECT *, ${b} AS b FROM ${source})
    SELECT ${body.join(', ')}, 2 AS pass, ${quirk} AS quirk FROM h
    UNION ALL
    SELECT ${stale.join(', ')}, 1 AS pass, NULL AS quirk FROM h WHERE b < 250`;
}
