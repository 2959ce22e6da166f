// Simulated underlying paths. Every path starts at a fixed epoch and runs over the trading calendar,
// so a symbol's prices depend only on (seed, symbol) and the calendar: any sub-range of a run with
// the same seed agrees with the full run.
//
// Model (daily steps, dt = 1/252):
//   market log-vol factor z: OU (kappa 4/yr, stationary sd ~0.32) with rare upward jumps (crises),
//   centred so that the jumps do not lift the average vol above the symbol's long-run level;
//   market return shock e_m = rho*e_z + sqrt(1-rho^2)*e, rho = -0.7, minus a crash term on jumps;
//   symbol log-vol = ln(vol) + volLoad*z + w, w an idiosyncratic OU whose shock is also negatively
//   correlated with the symbol's idiosyncratic return; returns are GBM with that stochastic vol.
import { dayOf, tradingDays } from './calendar.ts';
import { streamOf } from './rng.ts';
import { atmIv, type SurfaceState } from './surface.ts';
import { ANCHOR_DATE, type SymbolSpec } from './universe.ts';

export const EPOCH = '2015-01-02';
const JUMP_RATE = 0.004;
/** Mean of the jump contribution to z: rate x mean size / kappa, per year of 252 days. */
const Z_MEAN = (JUMP_RATE * 252 * 0.55) / 4;
const DT = 1 / 252;
const SQRT_DT = Math.sqrt(DT);

export interface Market {
  days: number[];
  z: Float64Array;
  shock: Float64Array;
}

export function simulateMarket(seed: number, days: number[]): Market {
  const rng = streamOf(seed, 'market');
  const n = days.length;
  const z = new Float64Array(n), shock = new Float64Array(n);
  const kappa = 4, xi = 0.9, rho = -0.7;
  let zt = 0;
  for (let i = 0; i < n; i++) {
    const ez = rng.normal(), e = rng.normal(), u = rng.uniform(), j = rng.uniform();
    const jump = u < JUMP_RATE ? 0.3 + 0.5 * j : 0;
    zt = zt * (1 - kappa * DT) + xi * SQRT_DT * ez + jump;
    z[i] = zt - Z_MEAN;
    shock[i] = rho * ez + Math.sqrt(1 - rho * rho) * e - 2.5 * jump;
  }
  return { days, z, shock };
}

export interface SymbolPath {
  spec: SymbolSpec;
  /** Close, rounded to cents. */
  spot: Float64Array;
  /** Instantaneous annualised volatility state. */
  vol: Float64Array;
}

/** `jumps`: log moves added on their day (earnings reports, earnings.ts), on top of the diffusion. */
export function simulateSymbol(seed: number, spec: SymbolSpec, market: Market, jumps: { jumpDay: number; move: number }[] = []): SymbolPath {
  const rng = streamOf(seed, `path:${spec.symbol}`);
  const n = market.days.length;
  const logS = new Float64Array(n), vol = new Float64Array(n);
  const kappa = 6, xi = 0.6, rhoIdio = -0.5;
  const beta = spec.beta, idio = Math.sqrt(1 - beta * beta);
  let w = 0, x = 0;
  for (let i = 0; i < n; i++) {
    const ew = rng.normal(), e = rng.normal();
    const v = Math.min(3, Math.max(0.03, spec.vol * Math.exp(spec.volLoad * market.z[i]! + w)));
    vol[i] = v;
    logS[i] = x;
    const eIdio = rhoIdio * ew + Math.sqrt(1 - rhoIdio * rhoIdio) * e;
    x += (spec.drift - 0.5 * v * v) * DT + v * SQRT_DT * (beta * market.shock[i]! + idio * eIdio);
    w = w * (1 - kappa * DT) + xi * SQRT_DT * ew;
  }
  // After the diffusion, so the jumps leave its random draws (and the rest of the path) as they were.
  for (const j of jumps) {
    const at = market.days.indexOf(j.jumpDay);
    if (at < 0) continue;
    for (let i = at; i < n; i++) logS[i] = logS[i]! + j.move;
  }
  // Scale so the path passes through the symbol's real price on the anchor date.
  const anchor = dayOf(ANCHOR_DATE);
  let ai = market.days.findIndex((d) => d >= anchor);
  if (ai < 0) ai = n - 1;
  const base = logS[ai]!;
  const spot = new Float64Array(n);
  for (let i = 0; i < n; i++) spot[i] = Math.max(1, Math.round(spec.price * Math.exp(logS[i]! - base) * 100) / 100);
  return { spec, spot, vol };
}

/** Calendar the paths run on: the epoch (or an earlier --from) through max(--to, anchor). */
export function pathDays(from: number, to: number): number[] {
  return tradingDays(Math.min(dayOf(EPOCH), from), Math.max(to, dayOf(ANCHOR_DATE) + 7));
}

export const round = (x: number, dp: number): number => {
  const f = 10 ** dp;
  return Math.round(x * f) / f;
};

export interface VolRow {
  iv30: number;
  hv20: number;
  ivRank: number;
  ivPercentile: number;
}

/**
 * Volatility-history metrics per path day: iv = 30-day ATM IV of the surface (with the variance of
 * reports inside those 30 days); hv = 20-day realised
 * (sample sd of log returns x sqrt(252)); iv_rank = position of today's iv between the min and max
 * of the trailing 252 days including today; iv_percentile = % of the previous 252 days with a lower iv.
 * Values are rounded to the legacy NUMERIC scales before rank/percentile so they agree with the file.
 */
export function volatilityHistory(path: SymbolPath, surfaces: SurfaceState[], eventVar30?: Float64Array): VolRow[] {
  const n = path.spot.length;
  // A report inside the 30 days adds its variance to that tenor, as it does in the options (earnings.ts).
  const iv30 = (s: SurfaceState, i: number): number => Math.sqrt(atmIv(s, 30 / 365) ** 2 + (eventVar30?.[i] ?? 0) / (30 / 365));
  const iv = surfaces.map((s, i) => Math.min(99.9999, round(iv30(s, i), 4)));
  const out: VolRow[] = [];
  for (let i = 0; i < n; i++) {
    let hv = NaN;
    if (i >= 20) {
      let sum = 0, sum2 = 0;
      for (let j = i - 19; j <= i; j++) {
        const r = Math.log(path.spot[j]! / path.spot[j - 1]!);
        sum += r;
        sum2 += r * r;
      }
      const mean = sum / 20;
      hv = Math.sqrt(Math.max(0, (sum2 - 20 * mean * mean) / 19) * 252);
    }
    const lo = Math.max(0, i - 251);
    let min = Infinity, max = -Infinity, below = 0;
    for (let j = lo; j <= i; j++) {
      min = Math.min(min, iv[j]!);
      max = Math.max(max, iv[j]!);
    }
    const plo = Math.max(0, i - 252);
    for (let j = plo; j < i; j++) if (iv[j]! < iv[i]!) below++;
    out.push({
      iv30: iv[i]!,
      hv20: Number.isNaN(hv) ? NaN : Math.min(99.9999, round(hv, 4)),
      ivRank: max > min ? round(((iv[i]! - min) / (max - min)) * 100, 2) : 50,
      ivPercentile: i > plo ? round((below / (i - plo)) * 100, 2) : 50,
    });
  }
  return out;
}

