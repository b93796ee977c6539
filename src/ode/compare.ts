// The ODE a finite-N run is compared with (docs/theory.md §3, §4): started from the run's
// measured state and recorded exactly at the run's record times τ. Any flow with a state vector
// works: the algorithm flows of theory/algorithms.ts (gradient flow, nGD, onGD, 2L-GD) and the
// SGD ODE dQ/dτ = F_Q + η Φ, dR/dτ = F_R (theory/sgd-flow.ts, wrapped by flowSystem).
import { integrate, type StopReason } from './integrate.js';
import { STEP, TOLERANCES } from '../defaults.js';

/** A flow on a state vector y with (Q, R) views: what odeAt needs. */
export interface OdeSystem {
  K: number;
  M: number;
  size: number;
  rhs: (tau: number, y: Float64Array, dy: Float64Array) => void;
  /** ε at a state. */
  loss(y: Float64Array): number;
  views(y: Float64Array): { Q: Float64Array; R: Float64Array; v?: Float64Array };
}

/** (Q, R, dQ, dR) ⇒ ε: the right-hand side of an order-parameter flow. */
export type FlowFn = (Q: Float64Array, R: Float64Array, dQ: Float64Array, dR: Float64Array) => number;

/** An OdeSystem on y = [Q, R] for a flow function (e.g. makeSgdFlow). */
export function flowSystem(flow: FlowFn, K: number, M: number): OdeSystem {
  const nQ = K * K;
  const nR = K * M;
  const views = (y: Float64Array) => ({ Q: y.subarray(0, nQ), R: y.subarray(nQ, nQ + nR) });
  const scratch = new Float64Array(nQ + nR);
  const evaluate = (y: Float64Array, dy: Float64Array): number => flow(y.subarray(0, nQ), y.subarray(nQ), dy.subarray(0, nQ), dy.subarray(nQ));
  return {
    K, M, size: nQ + nR, views,
    rhs: (_t, y, dy) => void evaluate(y, dy),
    loss: (y) => evaluate(y, scratch),
  };
}

export interface OdeCompareOptions {
  method: 'dopri5' | 'rk4';
  /** rk4 step (also dopri5's first step). */
  dt: number;
  rtol: number;
  atol: number;
  /** Stop as diverged once max|RHS| exceeds this (a run-away flow; default: never). */
  maxRhs?: number;
  /** Stop as diverged once ε exceeds this (a run-away SGD ODE; costs one ε per step; default: never). */
  maxLoss?: number;
}

/** Tight tolerances for the gradient flow (population GD agrees with it to ~1e-11). */
export const GRADIENT_FLOW_COMPARE: OdeCompareOptions = { method: 'dopri5', dt: STEP.dopri5, ...TOLERANCES.compare };
/** For the SGD ODE (see TOLERANCES in defaults.ts). */
export const SGD_ODE_COMPARE: OdeCompareOptions = { method: 'dopri5', dt: STEP.dopri5, ...TOLERANCES.compareSgdOde };

export interface OdePoint {
  tau: number;
  loss: number;
  /** Copies of the state's views. */
  Q: Float64Array;
  R: Float64Array;
  v?: Float64Array;
}

export interface OdeAtResult {
  /** The ODE at each requested τ it reached (keyed by the exact τ values; the integrator lands on them). */
  at: Map<number, OdePoint>;
  reason: StopReason;
  /** τ and ε where the integration stopped. */
  tau: number;
  loss: number;
  rhsEvals: number;
}

/**
 * Integrates `sys` from y0 and records it at each τ of `taus` (any order, may repeat, τ ≥ 0).
 * A flow that diverges stops there: the τ beyond are missing from `at` (reason 'diverged').
 */
export function odeAt(sys: OdeSystem, y0: Float64Array, taus: readonly number[], opts: OdeCompareOptions = GRADIENT_FLOW_COMPARE): OdeAtResult {
  const sorted = [...new Set(taus.filter((t) => t > 0))].sort((a, b) => a - b);
  const at = new Map<number, OdePoint>();
  const point = (tau: number, y: Float64Array): OdePoint => {
    const s = sys.views(y);
    return { tau, loss: sys.loss(y), Q: Float64Array.from(s.Q), R: Float64Array.from(s.R), v: s.v ? Float64Array.from(s.v) : undefined };
  };
  let last: OdePoint | undefined;
  const res = integrate<never>(sys.rhs, y0, {
    method: opts.method, tauMax: sorted.length ? sorted[sorted.length - 1] : 0, tol: 0, dt: opts.dt, rtol: opts.rtol, atol: opts.atol,
    recordTimes: sorted,
    stopEarly: opts.maxRhs === undefined && opts.maxLoss === undefined ? undefined
      : (_tau, y, _dy, norm) => (norm > (opts.maxRhs ?? Infinity) || (opts.maxLoss !== undefined && !(sys.loss(y) <= opts.maxLoss)) ? ('diverged' as const) : undefined),
    onRecord(tau, y, _dy, final) {
      const p = point(tau, y);
      if (final) last = p;
      at.set(tau, p);
    },
  });
  if (res.reason === 'diverged') at.delete(res.tau);
  return { at, reason: res.reason, tau: res.tau, loss: last?.loss ?? NaN, rhsEvals: res.rhsEvals };
}
