// Forecast pages: forecast vs realised move with bands, and accuracy by model, symbol, horizon.
import { ACCURACY_COLUMNS_SQL, outcomesSql } from '../metrics.ts';
import { dateLit, rangeCheck, symbolLit, wordLit } from './params.ts';

export const HORIZONS = ['1d', '5d', 'to_exp'] as const;

export interface ForecastSelection {
  symbol: string;
  model: string;
  horizon: string;
  from: string;
  to: string;
}

function inRange(from: string, to: string): string {
  rangeCheck(from, to);
  return `l.quote_date BETWEEN ${dateLit(from)} AND ${dateLit(to)}`;
}

/** One point per quote date (the nearest expiry), in price units so it reads next to the spot. */
export function forecastSeriesSql(s: ForecastSelection): string {
  const where = `${inRange(s.from, s.to)} AND f.underlying = ${symbolLit(s.symbol)}`;
  const pick = `model = ${wordLit(s.model, 'model')} AND horizon = ${wordLit(s.horizon, 'horizon')}`;
  // arg_min picks the nearest expiry's values; a row_number() window here trips an internal
  // error in native DuckDB 1.5.
  const nearest = (expr: string, name: string) => `arg_min(${expr}, exp_date) AS ${name}`;
  return `
SELECT qd AS date, min(exp_date) AS expiry,
       ${nearest('em * spot', 'em_hat')},
       ${nearest('lo68 * spot', 'band68_low')}, ${nearest('hi68 * spot', 'band68_high')},
       ${nearest('lo95 * spot', 'band95_low')}, ${nearest('hi95 * spot', 'band95_high')},
       ${nearest('y * spot', 'realized')}
FROM (${outcomesSql(where)})
WHERE ${pick}
GROUP BY qd
ORDER BY qd`.trim();
}

/** Accuracy per model, symbol and horizon over a date range; `symbol` narrows it to one. */
export function accuracySql(from: string, to: string, symbol?: string): string {
  const where = `${inRange(from, to)}${symbol ? ` AND f.underlying = ${symbolLit(symbol)}` : ''}`;
  return `
SELECT model, symbol, horizon,
  ${ACCURACY_COLUMNS_SQL}
FROM (${outcomesSql(where)})
GROUP BY model, symbol, horizon
ORDER BY model, symbol, horizon`.trim();
}

/** Calibration: nominal vs observed coverage per model and horizon, pooled over symbols. */
export function calibrationSql(from: string, to: string): string {
  return `
SELECT model, horizon,
  ${ACCURACY_COLUMNS_SQL}
FROM (${outcomesSql(inRange(from, to))})
GROUP BY model, horizon
ORDER BY model, horizon`.trim();
}

export const MODELS_SQL = 'SELECT model_name AS model, version, notes FROM model_meta ORDER BY model_name';
