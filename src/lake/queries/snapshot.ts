// One symbol on one trading date: expected moves, the chain, term structure, skew, surface and
// volume/open interest by strike. Each reads only that date's month of options.
import type { Manifest } from '../manifest.ts';
import { scan, type Locate } from '../views.ts';
import { dateLit, symbolLit } from './params.ts';

export interface Snapshot {
  symbol: string;
  date: string;
}

export interface ExpirySnapshot extends Snapshot {
  expiry: string;
}

function optionsOn(manifest: Manifest, locate: Locate, s: Snapshot): string {
  return `(SELECT * FROM ${scan(manifest, 'options', locate, { from: s.date, to: s.date })}
   WHERE act_symbol = ${symbolLit(s.symbol)} AND date = ${dateLit(s.date)})`;
}

function spotOn(s: Snapshot): string {
  return `(SELECT spot FROM spot_history WHERE symbol = ${symbolLit(s.symbol)} AND date = ${dateLit(s.date)})`;
}

/**
 * Expected move for 1 day, 1 week and 1 month by two methods: the straddle (x 0.85) of the
 * expiry closest to the horizon, rescaled by sqrt(horizon / DTE) because listed expiries rarely
 * fall on the horizon; and S * IV * sqrt(T / 365) with that expiry's ATM IV.
 */
export function expectedMoveSql(s: Snapshot): string {
  return `
WITH f AS (
  SELECT * FROM atm_features WHERE underlying = ${symbolLit(s.symbol)} AND quote_date = ${dateLit(s.date)} AND dte > 0
), h AS (
  SELECT * FROM (VALUES ('1D', 1), ('1W', 7), ('1M', 30)) t(horizon, days)
)
SELECT h.horizon, h.days, f.exp_date AS expiry, f.dte, f.spot_price AS spot, f.atm_iv,
       0.85 * f.straddle_price * sqrt(h.days / f.dte) AS em_straddle,
       f.spot_price * f.atm_iv * sqrt(h.days / 365.0) AS em_iv
FROM h CROSS JOIN f
QUALIFY row_number() OVER (PARTITION BY h.horizon ORDER BY abs(f.dte - h.days), f.dte) = 1
ORDER BY h.days`.trim();
}

export function expirationsSql(manifest: Manifest, locate: Locate, s: Snapshot): string {
  return `
SELECT expiration, (expiration - date) AS dte, count(*) AS contracts
FROM ${optionsOn(manifest, locate, s)}
GROUP BY expiration, date
ORDER BY expiration`.trim();
}

/**
 * Calls and puts side by side for the strikes nearest the spot, with the mid, the spread, the
 * greeks and each side's breakeven at expiry bought at the mid (call: strike + mid, put: strike -
 * mid), all computed here so the page only formats.
 */
export function chainSql(manifest: Manifest, locate: Locate, s: ExpirySnapshot, width = 10): string {
  if (!Number.isInteger(width) || width < 1 || width > 100) throw new Error('chain width must be 1-100');
  const side = (cp: 'C' | 'P', prefix: string): string =>
    CHAIN_COLUMNS.map(([expr, name]) => `max(${expr}) FILTER (WHERE call_put = '${cp}') AS ${prefix}_${name}`).join(',\n         ');
  return `
WITH chain AS (
  SELECT strike::DOUBLE AS strike,
         ${side('C', 'call')},
         ${side('P', 'put')}
  FROM ${optionsOn(manifest, locate, s)}
  WHERE expiration = ${dateLit(s.expiry)}
  GROUP BY strike
), near AS (
  SELECT * FROM chain ORDER BY abs(strike - ${spotOn(s)}), strike LIMIT ${2 * width}
)
SELECT *, strike + call_mid AS call_breakeven, strike - put_mid AS put_breakeven
FROM near ORDER BY strike`.trim();
}

/** Per side: the expression over one contract's row and its column name. */
const CHAIN_COLUMNS: [expr: string, name: string][] = [
  ['bid::DOUBLE', 'bid'],
  ['ask::DOUBLE', 'ask'],
  ['(bid::DOUBLE + ask::DOUBLE) / 2', 'mid'],
  ['ask::DOUBLE - bid::DOUBLE', 'spread'],
  ['vol::DOUBLE', 'iv'],
  ['delta::DOUBLE', 'delta'],
  ['gamma::DOUBLE', 'gamma'],
  ['theta::DOUBLE', 'theta'],
  ['vega::DOUBLE', 'vega'],
  ['volume', 'volume'],
  ['open_interest', 'oi'],
];

/** ATM IV per listed expiry (|delta| 0.4-0.6, calls and puts averaged). */
export function termStructureSql(manifest: Manifest, locate: Locate, s: Snapshot): string {
  return `
SELECT expiration, (expiration - date) AS dte, avg(vol)::DOUBLE AS atm_iv
FROM ${optionsOn(manifest, locate, s)}
WHERE abs(delta) BETWEEN 0.40 AND 0.60
GROUP BY expiration, date
ORDER BY expiration`.trim();
}

/** IV by strike and by delta for one expiry: the smile. */
export function skewSql(manifest: Manifest, locate: Locate, s: ExpirySnapshot): string {
  return `
SELECT strike::DOUBLE AS strike, call_put, vol::DOUBLE AS iv, delta::DOUBLE AS delta,
       ln(strike::DOUBLE / ${spotOn(s)}) AS log_moneyness
FROM ${optionsOn(manifest, locate, s)}
WHERE expiration = ${dateLit(s.expiry)} AND vol IS NOT NULL
ORDER BY call_put, strike`.trim();
}

/** Out-of-the-money IV over strike and DTE: puts below spot, calls above, one point per strike. */
export function surfaceSql(manifest: Manifest, locate: Locate, s: Snapshot): string {
  return `
SELECT (expiration - date) AS dte, strike::DOUBLE AS strike, ln(strike::DOUBLE / ${spotOn(s)}) AS log_moneyness,
       vol::DOUBLE AS iv
FROM ${optionsOn(manifest, locate, s)}
WHERE vol IS NOT NULL
  AND ((call_put = 'C' AND strike >= ${spotOn(s)}) OR (call_put = 'P' AND strike < ${spotOn(s)}))
ORDER BY dte, strike`.trim();
}

export function volumeOiSql(manifest: Manifest, locate: Locate, s: ExpirySnapshot): string {
  return `
SELECT strike::DOUBLE AS strike,
       sum(volume) FILTER (WHERE call_put = 'C') AS call_volume,
       sum(volume) FILTER (WHERE call_put = 'P') AS put_volume,
       sum(open_interest) FILTER (WHERE call_put = 'C') AS call_oi,
       sum(open_interest) FILTER (WHERE call_put = 'P') AS put_oi
FROM ${optionsOn(manifest, locate, s)}
WHERE expiration = ${dateLit(s.expiry)}
GROUP BY strike
ORDER BY strike`.trim();
}
