// Forecast accuracy, defined once: the TypeScript functions are the reference (unit-tested against
// hand-computed values) and the SQL below computes the same formulas in DuckDB over the lake.
// Moves are fractions of spot (|ln(S_T/S_t)|; forecasts divided by spot), so symbols compare.

/** Quantile (pinball) loss of forecast q for outcome y at quantile tau. */
export function pinball(y: number, q: number, tau: number): number {
  return y >= q ? tau * (y - q) : (1 - tau) * (q - y);
}

/** Mean pinball loss of a central interval [lo, hi] with the given coverage (0.68, 0.95). */
export function intervalPinball(y: number, lo: number, hi: number, coverage: number): number {
  const tail = (1 - coverage) / 2;
  return (pinball(y, lo, tail) + pinball(y, hi, 1 - tail)) / 2;
}

export interface ForecastOutcome {
  y: number;
  em: number;
  lo68: number;
  hi68: number;
  lo95: number;
  hi95: number;
}

export interface Accuracy {
  n: number;
  coverage_68: number;
  coverage_95: number;
  mae: number;
  /** Weighted MAPE: sum |em - y| / sum y. The plain mean of ratios explodes on near-zero moves. */
  mape: number;
  pinball_68: number;
  pinball_95: number;
}

export function accuracy(rows: ForecastOutcome[]): Accuracy {
  const n = rows.length;
  const mean = (f: (r: ForecastOutcome) => number) => rows.reduce((s, r) => s + f(r), 0) / n;
  const absErr = rows.reduce((s, r) => s + Math.abs(r.em - r.y), 0);
  const sumY = rows.reduce((s, r) => s + r.y, 0);
  return {
    n,
    coverage_68: mean((r) => (r.y >= r.lo68 && r.y <= r.hi68 ? 1 : 0)),
    coverage_95: mean((r) => (r.y >= r.lo95 && r.y <= r.hi95 ? 1 : 0)),
    mae: absErr / n,
    mape: sumY === 0 ? NaN : absErr / sumY,
    pinball_68: mean((r) => intervalPinball(r.y, r.lo68, r.hi68, 0.68)),
    pinball_95: mean((r) => intervalPinball(r.y, r.lo95, r.hi95, 0.95)),
  };
}

function pinballSql(y: string, q: string, tau: number): string {
  return `CASE WHEN ${y} >= ${q} THEN ${tau} * (${y} - ${q}) ELSE ${1 - tau} * (${q} - ${y}) END`;
}

export function intervalPinballSql(lo: string, hi: string, coverage: number): string {
  const tail = Number(((1 - coverage) / 2).toFixed(6));
  return `(${pinballSql('y', lo, tail)} + ${pinballSql('y', hi, Number((1 - tail).toFixed(6)))}) / 2`;
}

/** The aggregate columns of accuracy() over a relation with y, em, lo68, hi68, lo95, hi95. */
export const ACCURACY_COLUMNS_SQL = `
  count(*) AS n,
  avg(CASE WHEN y BETWEEN lo68 AND hi68 THEN 1.0 ELSE 0.0 END) AS coverage_68,
  avg(CASE WHEN y BETWEEN lo95 AND hi95 THEN 1.0 ELSE 0.0 END) AS coverage_95,
  avg(abs(em - y)) AS mae,
  sum(abs(em - y)) / nullif(sum(y), 0) AS mape,
  avg(${intervalPinballSql('lo68', 'hi68', 0.68)}) AS pinball_68,
  avg(${intervalPinballSql('lo95', 'hi95', 0.95)}) AS pinball_95`.trim();

/** The spot per symbol and day, from the ATM features (the view spot_history). */
export const SPOT_HISTORY_SQL = `
    SELECT underlying AS symbol, quote_date AS date, any_value(spot_price) AS spot
    FROM atm_features
    GROUP BY underlying, quote_date`;

/**
 * Forecasts joined to their realised outcome, in fractions of spot. `where` filters on f (forecasts)
 * and the quote date `qd`.
 */
export function outcomesSql(where = 'true'): string {
  return `
SELECT f.model_version AS model, f.underlying AS symbol, f.horizon, l.quote_date AS qd, f.exp_date,
       l.realized_move AS y,
       f.em_hat / s.spot AS em,
       f.band68_low / s.spot AS lo68, f.band68_high / s.spot AS hi68,
       f.band95_low / s.spot AS lo95, f.band95_high / s.spot AS hi95,
       s.spot
FROM em_forecasts f
JOIN em_labels l
  ON l.underlying = f.underlying AND l.exp_date = f.exp_date AND l.horizon = f.horizon
 AND l.quote_date = CAST(CAST(f.quote_ts AS TIMESTAMP) AS DATE)
JOIN spot_history s ON s.symbol = l.underlying AND s.date = l.quote_date
WHERE ${where}`.trim();
}
