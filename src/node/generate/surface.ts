// The implied-volatility surface of one symbol on one day, from its volatility state:
//  - short end = current vol x (1 + VRP), long end = long-run vol x (1 + VRP); expected variance
//    mean-reverts between them, so the term structure is upward (contango) in calm regimes and
//    inverted in stress;
//  - smile in x = ln(K/F)/sqrt(T): a linear skew (negative: puts richer) plus a hyperbolic
//    curvature that keeps the wings linear instead of exploding like a parabola.
// The TS functions are the reference; the *_SQL strings are the same formulas over columns.
import type { SymbolSpec } from './universe.ts';

export const TERM_KAPPA = 4;
export const SMILE_DELTA = 0.08;
export const IV_MIN = 0.03;
export const IV_MAX = 4;

export interface SurfaceState {
  short: number;
  long: number;
  skew: number;
  curv: number;
}

export function surfaceOf(spec: SymbolSpec, vol: number): SurfaceState {
  const short = vol * (1 + spec.vrp);
  // exp(E[z]^2/2)-ish: the regime's mean vol sits a little above its median.
  const long = spec.vol * 1.05 * (1 + spec.vrp);
  // Skew in vol points already grows with the vol level through x; stress steepens it a little more.
  const stress = Math.min(1.35, Math.max(0.75, Math.sqrt(Math.sqrt(short / long))));
  return { short, long, skew: spec.skew * stress, curv: spec.curv };
}

export function atmIv(s: SurfaceState, T: number): number {
  const kT = TERM_KAPPA * T;
  const w = kT < 1e-9 ? 1 : (1 - Math.exp(-kT)) / kT;
  return Math.sqrt(s.long * s.long + (s.short * s.short - s.long * s.long) * w);
}

export function smileIv(s: SurfaceState, T: number, logMoneyness: number): number {
  const atm = atmIv(s, T);
  const x = logMoneyness / Math.sqrt(T);
  const iv = atm + s.skew * x + s.curv * (Math.sqrt(x * x + SMILE_DELTA * SMILE_DELTA) - SMILE_DELTA);
  return Math.min(IV_MAX, Math.max(IV_MIN, 0.5 * atm, iv));
}

/** SQL for atmIv over columns iv_short, iv_long and an expression t (years). */
export const atmIvSql = (t: string): string =>
  `sqrt(iv_long * iv_long + (iv_short * iv_short - iv_long * iv_long) * ((1 - exp(-${TERM_KAPPA} * ${t})) / (${TERM_KAPPA} * ${t})))`;

/** SQL for the smile over columns atm, skew, curv and x = ln(K/F)/sqrt(T); noise is added by the caller. */
export const smileSql = (x: string): string =>
  `atm + skew * ${x} + curv * (sqrt(${x} * ${x} + ${SMILE_DELTA * SMILE_DELTA}) - ${SMILE_DELTA})`;
