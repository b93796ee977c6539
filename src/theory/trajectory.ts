// One gradient-flow trajectory from given overlaps, recorded at log-spaced τ (SPEC §3).
import type { Activation } from '../activations/index.js';
import { makeFlow } from './flow.js';
import { integrate, logTimes, type IntegrateOptions, type StopReason } from './integrate.js';
import { maxAbs, packState, unpackState, type Overlaps } from './overlaps.js';

export interface TrajectoryRecord {
  tau: number;
  loss: number;
  rhsNorm: number;
  Q: Float64Array;
  R: Float64Array;
}

/** The integrator's settings (integrate.ts) plus how to record and what to integrate. */
export interface TrajectoryOptions extends Pick<IntegrateOptions, 'method' | 'tauMax' | 'tol' | 'dt' | 'rtol' | 'atol'> {
  /** Log-spaced record density; 0 records only the start and the end. */
  recordsPerDecade?: number;
  /** Explicit record times (override recordsPerDecade). */
  recordTimes?: readonly number[];
  /**
   * Right-hand side (Q, R, dQ, dR) ⇒ ε to integrate instead of the gradient flow of SPEC §3,
   * e.g. makeSgdFlow (SPEC §4.2). Default: makeFlow(act, K, M, T).
   */
  flow?: (Q: Float64Array, R: Float64Array, dQ: Float64Array, dR: Float64Array) => number;
}

export interface Trajectory {
  records: TrajectoryRecord[];
  loss: number;
  tau: number;
  rhsNorm: number;
  reason: StopReason;
  rhsEvals: number;
  /** Final state. */
  Q: Float64Array;
  R: Float64Array;
}

/** Integrates dQ/dτ, dR/dτ of SPEC §3 from `init` and records (τ, ε, max|RHS|, Q, R). */
export function runTrajectory(act: Activation, init: Overlaps, opts: TrajectoryOptions): Trajectory {
  const { K, M, T } = init;
  const flow = opts.flow ?? makeFlow(act, K, M, T);
  const nQ = K * K;
  const rhs = (_t: number, y: Float64Array, dy: Float64Array) => {
    flow(y.subarray(0, nQ), y.subarray(nQ), dy.subarray(0, nQ), dy.subarray(nQ));
  };
  const perDecade = opts.recordsPerDecade ?? 20;
  const recordTimes = opts.recordTimes ?? (perDecade > 0 ? logTimes(1e-2, opts.tauMax, perDecade) : []);
  const records: TrajectoryRecord[] = [];
  const dQ = new Float64Array(nQ);
  const dR = new Float64Array(K * M);
  const res = integrate(rhs, packState(init), {
    ...opts,
    recordTimes,
    onRecord(tau, y, dy) {
      const { Q, R } = unpackState(y, K, M);
      const loss = flow(Q, R, dQ, dR);
      records.push({ tau, loss, rhsNorm: maxAbs(dy), Q: Float64Array.from(Q), R: Float64Array.from(R) });
    },
  });
  const last = records[records.length - 1];
  const { Q, R } = unpackState(res.y, K, M);
  return { records, loss: last.loss, tau: res.tau, rhsNorm: res.rhsNorm, reason: res.reason, rhsEvals: res.rhsEvals, Q: Float64Array.from(Q), R: Float64Array.from(R) };
}
