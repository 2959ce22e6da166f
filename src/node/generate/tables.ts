// SQL that turns the small per-symbol per-day state into the lake tables. The option rows — the
// only big table — come from one query per month; everything else derives from those rows or from
// the state, so the tables agree with each other.
//
// Inputs (loaded by index.ts): sym(sym_id, symbol, vrp, oi_base, spread_mult, strikes, weekly_days),
// state(sym_id, date, spot, vol, iv_short, iv_long, skew, curv, hv20), events(sym_id, jump_date, ev_var),
// expiry(date, expiration, dte, monthly), horizon_days(date, horizon, end_date).
// Noise is DuckDB's hash() of (seed, key): deterministic for the pinned DuckDB version, no random().
import { RISK_FREE_RATE } from './black-scholes.ts';
import { atmIvSql, IV_MAX, IV_MIN, smileSql } from './surface.ts';

const R = RISK_FREE_RATE;
/** Two uniforms in (0,1) from the 32-bit halves of a 64-bit hash, then one Box-Muller normal. */
const u32lo = (h: string): string => `(((${h}) & 4294967295)::DOUBLE + 0.5) / 4294967296.0`;
const u32hi = (h: string): string => `(((${h}) >> 32)::DOUBLE + 0.5) / 4294967296.0`;
const gaussCos = (h: string): string => `sqrt(-2 * ln(${u32lo(h)})) * cos(2 * pi() * ${u32hi(h)})`;
const gaussSin = (h: string): string => `sqrt(-2 * ln(${u32lo(h)})) * sin(2 * pi() * ${u32hi(h)})`;
const d = (iso: string): string => `DATE '${iso}'`;

/**
 * Listed strike increment nearest (in log terms) to the spacing that puts n strikes per side over
 * about +/-2.2 sd of the expiry's move: the chain then spans roughly 1.4 to 3.5 sd each way.
 */
const STRIKE_LADDER = [0.5, 1, 2.5, 5, 10, 25, 50, 100];
const incrementSql = (target: string): string => {
  const cuts = STRIKE_LADDER.slice(0, -1).map((s, i) => `WHEN ${target} <= ${Math.sqrt(s * STRIKE_LADDER[i + 1]!).toFixed(4)} THEN ${s}`);
  return `CASE ${cuts.join(' ')} ELSE ${STRIKE_LADDER.at(-1)} END`;
};

/**
 * Option rows of [from, to] (ISO dates), with the table's columns plus spot, dte and sym_id for the
 * derived tables. A symbol lists its own number of strikes per side (sym.strikes, at most
 * p.strikes) and weeklies up to sym.weekly_days out. IV noise is shared by the call and put of a
 * strike, so put-call parity holds on the mids; price and greeks use the stored (rounded) vol, so
 * they can be recomputed from the file.
 */
export function optionsSql(p: { from: string; to: string; seed: number; strikes: number }): string {
  const n = p.strikes;
  return `
WITH chain AS (
  SELECT y.symbol, s.sym_id, s.date, e.expiration, e.dte, e.monthly, s.spot, s.iv_short, s.iv_long, s.skew, s.curv,
         y.oi_base, y.spread_mult, y.strikes AS n_k, e.dte / 365.0 AS t, sqrt(e.dte / 365.0) AS sqrt_t
  FROM state s JOIN sym y USING (sym_id) JOIN expiry e ON e.date = s.date AND (e.monthly OR e.dte <= y.weekly_days)
  WHERE s.date BETWEEN ${d(p.from)} AND ${d(p.to)}
), chain_ev AS (
  -- Earnings reports between the quote and the expiry add their variance (earnings.ts).
  SELECT c.*, coalesce(sum(v.ev_var), 0) AS ev_var
  FROM chain c LEFT JOIN events v ON v.sym_id = c.sym_id AND v.jump_date > c.date AND v.jump_date <= c.expiration
  GROUP BY ALL
), chain_iv AS (
  SELECT *, sqrt(power(${atmIvSql('t')}, 2) + ev_var / t) AS atm, spot * exp(${R} * t) AS fwd FROM chain_ev
), chain_k AS (
  SELECT *, ${incrementSql('greatest(spot * 0.004, spot * atm * sqrt_t * 2.2 / n_k)')} AS inc FROM chain_iv
), strikes AS (
  SELECT c.*, round(c.spot / c.inc) * c.inc + g.i * c.inc AS k,
         hash(${p.seed}, c.sym_id, c.date, c.expiration, g.i) AS h
  FROM chain_k c CROSS JOIN range(${-n}, ${n + 1}) AS g(i) WHERE abs(g.i) <= c.n_k
), smile AS (
  SELECT *, ln(k / fwd) / sqrt_t AS x, ln(k / fwd) / (atm * sqrt_t) AS z FROM strikes WHERE k > 0
), ivs AS (
  SELECT *, round(least(${IV_MAX}, greatest(${IV_MIN}, 0.5 * atm,
           ${smileSql('x')} + 0.0015 * (1 + 2 * abs(x)) * ${gaussCos('h')})), 4) AS iv
  FROM smile
), d1s AS (
  SELECT *, (ln(spot / k) + (${R} + 0.5 * iv * iv) * t) / (iv * sqrt_t) AS d1, k * exp(${-R} * t) AS disc FROM ivs
), d2s AS (
  SELECT *, d1 - iv * sqrt_t AS d2 FROM d1s
), cdfs AS (
  SELECT *, ncdf(d1) AS nd1, ncdf(d2) AS nd2, npdf(d1) AS pd1 FROM d2s
), legs AS (
  SELECT c.*, cp.call_put, hash(c.h, cp.call_put) AS h2,
         CASE WHEN cp.call_put = 'C' THEN spot * nd1 - disc * nd2 ELSE disc * (1 - nd2) - spot * (1 - nd1) END AS price,
         CASE WHEN cp.call_put = 'C' THEN nd1 ELSE nd1 - 1 END AS bs_delta,
         pd1 / (spot * iv * sqrt_t) AS bs_gamma,
         (-spot * pd1 * iv / (2 * sqrt_t)
           + CASE WHEN cp.call_put = 'C' THEN -${R} * disc * nd2 ELSE ${R} * disc * (1 - nd2) END) / 365 AS bs_theta,
         spot * pd1 * sqrt_t / 100 AS bs_vega
  FROM cdfs c CROSS JOIN (VALUES ('C'), ('P')) AS cp(call_put)
), noisy AS (
  SELECT *, greatest(price, 0) AS mid, ${gaussCos('h2')} AS e_spread, ${gaussSin('h2')} AS e_oi,
         ${gaussCos('hash(h2)')} AS e_vol
  FROM legs
), quoted AS (
  -- Spread: a floor plus a share of the mid that grows away from the money; cheap options are
  -- therefore relatively wide. OI peaks near the money and decays with |z| and DTE; monthlies
  -- carry more; OTM puts carry more than OTM calls (hedging demand).
  SELECT *, spread_mult * (0.03 + 0.01 * mid * (1 + 1.5 * abs(z))) * exp(0.25 * e_spread) AS spread,
         oi_base * exp(-0.5 * (z / 1.4) * (z / 1.4)) * CASE WHEN monthly THEN 1.0 ELSE 0.4 END
           / (1 + dte / 90.0) * CASE WHEN call_put = 'P' AND z < 0 THEN 1.3 ELSE 1.0 END * exp(0.5 * e_oi) AS oi_raw
  FROM noisy
), priced AS (
  SELECT *, greatest(round(mid - spread / 2, 2), 0) AS bid_v FROM quoted
)
SELECT date, symbol AS act_symbol, expiration, k AS strike, call_put,
       least(bid_v, 999999.98) AS bid,
       least(greatest(round(mid + spread / 2, 2), bid_v + 0.01), 999999.99) AS ask,
       iv AS vol,
       round(greatest(-1, least(1, bs_delta)), 4) AS delta,
       least(round(bs_gamma, 6), 99.999999) AS gamma,
       greatest(-99.999999, least(99.999999, round(bs_theta, 6))) AS theta,
       least(round(bs_vega, 4), 99.9999) AS vega,
       least(floor(oi_raw), 2000000000)::INTEGER AS open_interest,
       least(floor(oi_raw * 0.12 * exp(-dte / 30.0) * (1 + 3 * exp(-abs(z))) * exp(0.8 * e_vol)), 2000000000)::INTEGER AS volume,
       spot, dte, sym_id
FROM priced`;
}

/** ATM features of one month of option rows (table opt_m) for expirations up to 90 DTE. */
export const ATM_MAX_DTE = 90;
export function atmFeaturesSql(): string {
  return `
WITH legs AS (
  SELECT act_symbol, date, expiration, dte, spot, strike::DOUBLE AS k, call_put,
         (bid::DOUBLE + ask::DOUBLE) / 2 AS mid, vol::DOUBLE AS iv, delta::DOUBLE AS delta,
         gamma::DOUBLE AS gamma, theta::DOUBLE AS theta, vega::DOUBLE AS vega
  FROM opt_m WHERE dte <= ${ATM_MAX_DTE}
), atm_k AS (
  SELECT act_symbol, date, expiration, k FROM legs WHERE call_put = 'C'
  QUALIFY row_number() OVER (PARTITION BY act_symbol, date, expiration ORDER BY abs(k - spot), k) = 1
), atm AS (
  SELECT l.act_symbol, l.date, l.expiration, min(l.dte) AS dte, min(l.spot) AS spot, l.k,
         max(CASE WHEN call_put = 'C' THEN mid END) AS c_mid, max(CASE WHEN call_put = 'P' THEN mid END) AS p_mid,
         max(CASE WHEN call_put = 'C' THEN iv END) AS c_iv, max(CASE WHEN call_put = 'P' THEN iv END) AS p_iv,
         max(CASE WHEN call_put = 'C' THEN vega END) AS c_vega, max(CASE WHEN call_put = 'P' THEN vega END) AS p_vega,
         max(CASE WHEN call_put = 'C' THEN gamma END) AS c_gamma, max(CASE WHEN call_put = 'P' THEN gamma END) AS p_gamma,
         max(CASE WHEN call_put = 'C' THEN theta END) AS c_theta, max(CASE WHEN call_put = 'P' THEN theta END) AS p_theta
  FROM legs l JOIN atm_k USING (act_symbol, date, expiration, k)
  GROUP BY l.act_symbol, l.date, l.expiration, l.k
), c25 AS (
  SELECT act_symbol, date, expiration, iv FROM legs WHERE call_put = 'C'
  QUALIFY row_number() OVER (PARTITION BY act_symbol, date, expiration ORDER BY abs(delta - 0.25), k) = 1
), p25 AS (
  SELECT act_symbol, date, expiration, iv FROM legs WHERE call_put = 'P'
  QUALIFY row_number() OVER (PARTITION BY act_symbol, date, expiration ORDER BY abs(delta + 0.25), k) = 1
), feat AS (
  SELECT a.*, (c_iv + p_iv) / 2 AS atm_iv, c25.iv AS iv_c25, p25.iv AS iv_p25
  FROM atm a JOIN c25 USING (act_symbol, date, expiration) JOIN p25 USING (act_symbol, date, expiration)
), term AS (
  -- iv_term_slope: ATM IV change per 30 days between the front and the longest expiry <= 90 DTE
  -- (> 0 contango, < 0 inverted); one value per symbol and day.
  SELECT act_symbol, date,
         (arg_max(atm_iv, dte) - arg_min(atm_iv, dte)) / nullif((max(dte) - min(dte)) / 30.0, 0) AS slope
  FROM feat GROUP BY act_symbol, date
)
SELECT f.act_symbol AS underlying, f.date AS quote_date, f.expiration AS exp_date, f.dte, f.spot AS spot_price,
       f.k AS atm_strike, f.atm_iv, f.c_mid AS atm_call_price, f.p_mid AS atm_put_price,
       f.c_mid + f.p_mid AS straddle_price, f.spot * f.atm_iv * sqrt(f.dte / 365.0) AS em_baseline,
       f.iv_c25 - f.iv_p25 AS rr_25delta, (f.iv_c25 + f.iv_p25) / 2 - f.atm_iv AS fly_25delta,
       (f.c_vega + f.p_vega) / 2 AS avg_vega_atm, (f.c_gamma + f.p_gamma) / 2 AS avg_gamma_atm,
       (f.c_theta + f.p_theta) / 2 AS avg_theta_atm, t.slope AS iv_term_slope
FROM feat f JOIN term t USING (act_symbol, date)`;
}

/**
 * Forecast targets: every ATM row for 'to_exp', plus '1d'/'5d' from the quote date to the 1st/5th
 * next trading day, priced off the front expiry still alive then.
 * Unit rule: em_baseline_h = S * atm_iv * sqrt(calendar_days_h / 365) (for 'to_exp' exactly
 * atm_features.em_baseline) and alpha_multiplier = realized_move / (em_baseline_h / S), i.e. the
 * realised log move in units of the implied 1-sd move as a fraction of spot.
 */
export const TARGETS_SQL = `
CREATE OR REPLACE TABLE targets AS
WITH base AS (
  SELECT a.*, s.sym_id, s.hv20, y.vrp
  FROM atm_all a JOIN sym y ON y.symbol = a.underlying JOIN state s ON s.sym_id = y.sym_id AND s.date = a.quote_date
), short AS (
  SELECT b.*, hd.horizon, hd.end_date FROM base b JOIN horizon_days hd ON hd.date = b.quote_date AND b.exp_date >= hd.end_date
  QUALIFY row_number() OVER (PARTITION BY b.underlying, b.quote_date, hd.horizon ORDER BY b.exp_date) = 1
)
SELECT underlying, sym_id, quote_date, exp_date, 'to_exp' AS horizon, exp_date AS end_date, dte AS days,
       spot_price AS spot, atm_iv, em_baseline AS em_h, hv20, vrp FROM base
UNION ALL
SELECT underlying, sym_id, quote_date, exp_date, horizon, end_date, (end_date - quote_date)::INTEGER AS days,
       spot_price AS spot, atm_iv, spot_price * atm_iv * sqrt((end_date - quote_date) / 365.0) AS em_h, hv20, vrp
FROM short
-- atm_all was filled by parallel inserts; a fixed row order keeps later float sums bit-identical.
ORDER BY underlying, quote_date, exp_date, horizon`;

export const LABELS_SQL = `
CREATE OR REPLACE TABLE labels AS
SELECT t.underlying, t.quote_date, t.exp_date, t.horizon,
       abs(ln(e.spot / t.spot)) AS realized_move,
       abs(ln(e.spot / t.spot)) / (t.em_h / t.spot) AS alpha_multiplier
FROM targets t JOIN state e ON e.sym_id = t.sym_id AND e.date = t.end_date
ORDER BY t.underlying, t.quote_date, t.exp_date, t.horizon`;

/** Half-normal quantiles: the central 68%/95% intervals of |move| for a 1-sd move of 1. */
const Q = { lo68: 0.201893, hi68: 1.405072, lo95: 0.031336, hi95: 2.241403 };

export const MODELS = [
  {
    name: 'baseline', version: '1.0.0', trainedDaysBefore: 0,
    notes: 'Implied expected move S*IV*sqrt(T/365); bands are half-normal quantiles of it. Its variance risk premium roughly offsets the fat tails of realised moves.',
  },
  {
    name: 'gbm-v1', version: '1.2.0', trainedDaysBefore: 120,
    notes: 'GBM on 20-day realised volatility, shrunk 25%: deliberately over-confident (bands too narrow) and slow after regime changes.',
  },
  {
    name: 'qrf-v2', version: '2.0.3', trainedDaysBefore: 30,
    notes: 'Quantile-forest style: implied move deflated by the symbol variance risk premium, with estimation noise. Roughly calibrated.',
  },
] as const;

/** Forecasts for every target; the sd of the move (fraction of spot) depends on the model. */
export function forecastsSql(seed: number): string {
  const sigma = `CASE m.name
      WHEN 'baseline' THEN t.em_h / t.spot
      WHEN 'gbm-v1' THEN 0.75 * coalesce(t.hv20, t.atm_iv) * sqrt(t.days / 365.0)
      ELSE t.em_h / t.spot / (1 + t.vrp) * exp(0.06 * ${gaussCos(`hash(${seed}, 'qrf-v2', t.sym_id, t.quote_date, t.exp_date, t.horizon)`)})
    END`;
  return `
CREATE OR REPLACE TABLE forecasts AS
WITH f AS (
  SELECT t.*, m.name AS model_version, ${sigma} AS sd
  FROM targets t CROSS JOIN (VALUES ${MODELS.map((m) => `('${m.name}')`).join(', ')}) AS m(name)
)
SELECT underlying, CAST(quote_date AS TIMESTAMP) + INTERVAL 20 HOUR AS quote_ts, quote_date, exp_date, horizon, model_version,
       em_h AS em_baseline, spot * sd AS em_hat,
       spot * sd * ${Q.lo68} AS band68_low, spot * sd * ${Q.hi68} AS band68_high,
       spot * sd * ${Q.lo95} AS band95_low, spot * sd * ${Q.hi95} AS band95_high,
       CAST(quote_date AS TIMESTAMP) + INTERVAL '20 hours 30 minutes' AS created_at, spot
FROM f ORDER BY underlying, quote_date, exp_date, horizon, model_version`;
}

/**
 * Accuracy of forecasts against labels, all in fractions of spot so symbols of any price weigh the
 * same: mae_em = mean |em_hat/S - realized_move|; mape_em = 100 * sum|err| / sum realized (weighted,
 * because near-zero one-day moves make the plain ratio unbounded); pinball losses average the lower
 * and upper quantile losses of each band.
 */
const scored = `
SELECT f.model_version AS model_name, f.quote_date, f.horizon, l.realized_move AS y, f.em_hat / f.spot AS em,
       f.band68_low / f.spot AS lo68, f.band68_high / f.spot AS hi68, f.band95_low / f.spot AS lo95, f.band95_high / f.spot AS hi95
FROM forecasts f JOIN labels l USING (underlying, quote_date, exp_date, horizon)`;
const pin = (tau: number, q: string): string => `greatest(${tau} * (y - ${q}), ${tau - 1} * (y - ${q}))`;
const metrics = `
  avg(CASE WHEN y BETWEEN lo68 AND hi68 THEN 1.0 ELSE 0.0 END) AS coverage_68,
  avg(CASE WHEN y BETWEEN lo95 AND hi95 THEN 1.0 ELSE 0.0 END) AS coverage_95,
  avg(abs(em - y)) AS mae_em,
  100 * sum(abs(em - y)) / nullif(sum(y), 0) AS mape_em,
  avg((${pin(0.16, 'lo68')} + ${pin(0.84, 'hi68')}) / 2) AS pinball_loss_68,
  avg((${pin(0.025, 'lo95')} + ${pin(0.975, 'hi95')}) / 2) AS pinball_loss_95`;

export const MODEL_PERFORMANCE_SQL = `
SELECT model_name, max(quote_date) AS evaluation_date, horizon, ${metrics}
FROM (${scored}) GROUP BY model_name, date_trunc('month', quote_date), horizon`;

export function modelMetaSql(fromIso: string): string {
  const rows = MODELS.map(
    (m) => `('${m.name}', CAST(${d(fromIso)} AS TIMESTAMP) - INTERVAL ${m.trainedDaysBefore} DAY - INTERVAL 18 HOUR, '${m.version}', '${m.notes.replaceAll("'", "''")}')`,
  ).join(', ');
  return `
WITH m(model_name, trained_at, version, notes) AS (VALUES ${rows}),
agg AS (SELECT model_name, count(*) AS n, ${metrics} FROM (${scored}) GROUP BY model_name)
SELECT m.model_name, m.trained_at, m.version, m.notes,
       json_object('n', coalesce(n, 0), 'coverage_68', round(coverage_68, 4), 'coverage_95', round(coverage_95, 4),
                   'mae_em', round(mae_em, 6), 'mape_em', round(mape_em, 3),
                   'pinball_loss_68', round(pinball_loss_68, 6), 'pinball_loss_95', round(pinball_loss_95, 6))::VARCHAR
         AS performance_metrics
FROM m LEFT JOIN agg USING (model_name)`;
}

export function symbolsMetadataSql(toIso: string): string {
  return `
SELECT symbol, min(first_date) AS first_date, max(last_date) AS last_date, sum(n) AS total_options,
       (sum(vol_sum) / sum(n))::DOUBLE AS avg_iv, CAST(${d(toIso)} AS TIMESTAMP) + INTERVAL 22 HOUR AS updated_at
FROM sym_acc GROUP BY symbol`;
}
