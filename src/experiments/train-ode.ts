// The ODE a finite-N run is compared with (SPEC §3, §4.2): started from the run's measured
// (Q0, R0, T) and recorded exactly at the run's record times τ.
import type { Activation } from '../activations/index.js';
import type { Overlaps } from '../theory/overlaps.js';
import { runTrajectory } from '../theory/trajectory.js';

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

export const DEFAULT_ODE_COMPARE: OdeCompareOptions = { method: 'dopri5', dt: 0.01, rtol: 1e-11, atol: 1e-13 };

/** The ODE kind available for an algorithm (the SGD ODE once src/theory/sgd-flow.ts exists). */
export function odeKindFor(algorithm: 'sgd' | 'gd'): OdeKind {
  void algorithm;
  return 'gradient-flow';
}

/**
 * Integrates the ODE from `init` and returns its state at each τ of `taus` (any order, may
 * repeat, τ ≥ 0): a Map keyed by the exact τ values (the integrator lands on each of them).
 */
export function odeAt(act: Activation, init: Overlaps, taus: readonly number[], kind: OdeKind, lr: number, opts: OdeCompareOptions = DEFAULT_ODE_COMPARE): Map<number, OdePoint> {
  void lr;
  if (kind !== 'gradient-flow') throw new Error(`ODE kind ${kind} is not available`);
  const sorted = [...new Set(taus.filter((t) => t > 0))].sort((a, b) => a - b);
  const out = new Map<number, OdePoint>();
  if (sorted.length === 0) {
    const traj = runTrajectory(act, init, { method: opts.method, tauMax: 0, tol: 0, recordTimes: [] });
    const r = traj.records[0];
    out.set(0, { tau: 0, loss: r.loss, Q: r.Q, R: r.R });
    return out;
  }
  const traj = runTrajectory(act, init, {
    method: opts.method,
    tauMax: sorted[sorted.length - 1],
    tol: 0,
    dt: opts.dt,
    rtol: opts.rtol,
    atol: opts.atol,
    recordTimes: sorted,
  });
  for (const r of traj.records) out.set(r.tau, { tau: r.tau, loss: r.loss, Q: r.Q, R: r.R });
  for (const t of sorted) if (!out.has(t)) throw new Error(`ODE did not land on τ = ${t} (stopped: ${traj.reason} at ${traj.tau})`);
  return out;
}
