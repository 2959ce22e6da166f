// Black-Scholes (no dividends). The TypeScript functions are the reference; BS_SQL_MACROS is the
// same model for DuckDB, which has no erf, and tests keep the two in agreement.
// Units: T in years of 365 calendar days; theta per calendar day; vega per 1 vol point (0.01).

export const RISK_FREE_RATE = 0.04;

export const normPdf = (x: number): number => Math.exp(-0.5 * x * x) * 0.3989422804014327;

/** Hart (1968) double-precision normal CDF as given by West (2005): |error| ~ 1e-14. */
export function normCdf(x: number): number {
  const ax = Math.abs(x);
  let c: number;
  if (ax > 37) c = 0;
  else {
    const e = Math.exp(-0.5 * ax * ax);
    if (ax < 7.07106781186547) {
      let n = 3.52624965998911e-2 * ax + 0.700383064443688;
      n = n * ax + 6.37396220353165;
      n = n * ax + 33.912866078383;
      n = n * ax + 112.079291497871;
      n = n * ax + 221.213596169931;
      n = n * ax + 220.206867912376;
      let d = 8.83883476483184e-2 * ax + 1.75566716318264;
      d = d * ax + 16.064177579207;
      d = d * ax + 86.7807322029461;
      d = d * ax + 296.564248779674;
      d = d * ax + 637.333633378831;
      d = d * ax + 793.826512519948;
      d = d * ax + 440.413735824752;
      c = (e * n) / d;
    } else {
      let b = ax + 0.65;
      b = ax + 4 / b;
      b = ax + 3 / b;
      b = ax + 2 / b;
      b = ax + 1 / b;
      c = e / b / 2.506628274631;
    }
  }
  return x > 0 ? 1 - c : c;
}

export type CallPut = 'C' | 'P';

export interface BsResult {
  price: number;
  delta: number;
  gamma: number;
  /** Per calendar day. */
  theta: number;
  /** Per 1 vol point. */
  vega: number;
}

export function blackScholes(cp: CallPut, S: number, K: number, T: number, sigma: number, r = RISK_FREE_RATE): BsResult {
  const sqrtT = Math.sqrt(T);
  const d1 = (Math.log(S / K) + (r + 0.5 * sigma * sigma) * T) / (sigma * sqrtT);
  const d2 = d1 - sigma * sqrtT;
  const disc = K * Math.exp(-r * T);
  const pdf = normPdf(d1);
  const decay = (-S * pdf * sigma) / (2 * sqrtT);
  const gamma = pdf / (S * sigma * sqrtT);
  const vega = (S * pdf * sqrtT) / 100;
  if (cp === 'C') {
    return {
      price: S * normCdf(d1) - disc * normCdf(d2),
      delta: normCdf(d1),
      gamma,
      theta: (decay - r * disc * normCdf(d2)) / 365,
      vega,
    };
  }
  return {
    price: disc * normCdf(-d2) - S * normCdf(-d1),
    delta: normCdf(d1) - 1,
    gamma,
    theta: (decay + r * disc * normCdf(-d2)) / 365,
    vega,
  };
}

// Abramowitz & Stegun 26.2.17, |error| < 7.5e-8. Each macro argument should be a plain column:
// DuckDB expands macros inline, so a compound argument would be evaluated once per use.
export const BS_SQL_MACROS: string[] = [
  'CREATE OR REPLACE MACRO npdf(x) AS exp(-0.5 * x * x) * 0.3989422804014327',
  `CREATE OR REPLACE MACRO ncdf_tail_t(a, t) AS
     exp(-0.5 * a * a) * 0.3989422804014327 *
     (t * (0.319381530 + t * (-0.356563782 + t * (1.781477937 + t * (-1.821255978 + t * 1.330274429)))))`,
  'CREATE OR REPLACE MACRO ncdf_tail(a) AS ncdf_tail_t(a, 1.0 / (1.0 + 0.2316419 * a))',
  'CREATE OR REPLACE MACRO ncdf(x) AS CASE WHEN x >= 0 THEN 1.0 - ncdf_tail(x) ELSE ncdf_tail(-x) END',
];
