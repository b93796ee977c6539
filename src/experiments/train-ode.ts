// The ODE a finite-N run is compared with (SPEC §3, §4.2): started from the run's measured
// (Q0, R0, T) and recorded exactly at the run's record times τ.
//   gradient-flow: dQ/dτ = −(A + Aᵀ), dR/dτ = −B                       (SPEC §3; exact for GD)
//   sgd-ode:       dQ/dτ = −(A + Aᵀ) + η Φ, dR/dτ = −B, τ = η t        (SPEC §4.2; online SGD, N → ∞)
import type { Activation } from '../activations/index.js';
import { makeFlow } from '../theory/flow.js';
import { makeSgdFlow } from '../theory/sgd-flow.js';
import { integrate } from '../theory/integrate.js';
import { packState, unpackState, type Overlaps } from '../theory/overlaps.js';

/** Which ODE: the gradient flow of SPEC §3, or the SGD ODE of SPEC §4.2 (dQ/dτ gains η Φ). */
export type OdeKind = 'gradient-flow' | 'sgd-ode';

export interface OdePoint {
  tau: number;
  loss: number;
  Q: Float64Array;
  R: Float64Array;
}

export interface OdeCompareOptions {
  method: 'dopri5' | 'rk4';
  /** rk4 step (also dopri5's first step). */
  dt: number;
  rtol: number;
  atol: number;
}

/** Tight tolerances for the gradient flow (GD agrees with it to ~1e-11). */
export const DEFAULT_ODE_COMPARE: OdeCompareOptions = { method: 'dopri5', dt: 0.01, rtol: 1e-11, atol: 1e-13 };

/** For the SGD ODE, whose Φ costs O(K²(K+M)²) four-variable integrals per RHS: SGD deviates by ≫ 1e-6 anyway. */
export const SGD_ODE_COMPARE: OdeCompareOptions = { method: 'dopri5', dt: 0.01, rtol: 1e-8, atol: 1e-10 };

/** (Q, R, dQ, dR) ⇒ ε: the right-hand side of one of the ODEs. */
export type FlowFn = (Q: Float64Array, R: Float64Array, dQ: Float64Array, dR: Float64Array) => number;

/** The ODE for an algorithm: GD → gradient flow; SGD → the SGD ODE when the activation has I4 (else gradient flow). */
export function odeKindFor(algorithm: 'sgd' | 'gd', act?: Activation): OdeKind {
  return algorithm === 'sgd' && act?.I4 ? 'sgd-ode' : 'gradient-flow';
}

/** The right-hand side of `kind` at learning rate η (η is used by the SGD ODE only). */
export function flowFor(kind: OdeKind, act: Activation, K: number, M: number, T: Float64Array, lr: number): FlowFn {
  return kind === 'sgd-ode' ? makeSgdFlow(act, K, M, T, lr) : makeFlow(act, K, M, T);
}

/**
 * Integrates the ODE from `init` and returns its state at each τ of `taus` (any order, may
 * repeat, τ ≥ 0): a Map keyed by the exact τ values (the integrator lands on each of them).
 */
export function odeAt(act: Activation, init: Overlaps, taus: readonly number[], kind: OdeKind, lr: number, opts: OdeCompareOptions = DEFAULT_ODE_COMPARE): Map<number, OdePoint> {
  const { K, M, T } = init;
  const flow = flowFor(kind, act, K, M, T, lr);
  const nQ = K * K;
  const sorted = [...new Set(taus.filter((t) => t > 0))].sort((a, b) => a - b);
  const dQ = new Float64Array(nQ);
  const dR = new Float64Array(K * M);
  const out = new Map<number, OdePoint>();
  const res = integrate(
    (_t, y, dy) => void flow(y.subarray(0, nQ), y.subarray(nQ), dy.subarray(0, nQ), dy.subarray(nQ)),
    packState(init),
    {
      method: opts.method, tauMax: sorted.length ? sorted[sorted.length - 1] : 0, tol: 0, dt: opts.dt, rtol: opts.rtol, atol: opts.atol,
      recordTimes: sorted,
      onRecord(tau, y) {
        const { Q, R } = unpackState(y, K, M);
        out.set(tau, { tau, loss: flow(Q, R, dQ, dR), Q: Float64Array.from(Q), R: Float64Array.from(R) });
      },
    },
  );
  for (const t of sorted) if (!out.has(t)) throw new Error(`ODE did not land on τ = ${t} (stopped: ${res.reason} at ${res.tau})`);
  return out;
}
