// One trajectory of a flow from a given state, recorded at log-spaced τ (docs/theory.md §3, §4.4–4.5).
import { integrate, logTimes, type IntegrateOptions, type StopReason } from './integrate.js';
import type { OdeSystem } from './compare.js';
import { maxAbs } from '../linalg/vector.js';

export interface TrajectoryRecord {
  tau: number;
  loss: number;
  rhsNorm: number;
  Q: Float64Array;
  R: Float64Array;
  /** 2L-GD: second-layer weights. */
  v?: Float64Array;
}

/** The integrator's settings (integrate.ts) plus what to record. */
export interface TrajectoryOptions extends Pick<IntegrateOptions, 'method' | 'tauMax' | 'tol' | 'dt' | 'rtol' | 'atol'> {
  /** Log-spaced record density from τ = 0.01; 0 records only the start and the end. */
  recordsPerDecade?: number;
  /** Explicit record times (override recordsPerDecade). */
  recordTimes?: readonly number[];
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
  y: Float64Array;
}

/** Integrates `sys` from y0 and records (τ, ε, max|RHS|, Q, R[, v]). */
export function runTrajectory(sys: OdeSystem, y0: Float64Array, opts: TrajectoryOptions): Trajectory {
  const perDecade = opts.recordsPerDecade ?? 20;
  const recordTimes = opts.recordTimes ?? (perDecade > 0 ? logTimes(1e-2, opts.tauMax, perDecade) : []);
  const records: TrajectoryRecord[] = [];
  const res = integrate(sys.rhs, y0, {
    method: opts.method, tauMax: opts.tauMax, tol: opts.tol, dt: opts.dt, rtol: opts.rtol, atol: opts.atol,
    recordTimes,
    onRecord(tau, y, dy) {
      const s = sys.views(y);
      records.push({ tau, loss: sys.loss(y), rhsNorm: maxAbs(dy), Q: Float64Array.from(s.Q), R: Float64Array.from(s.R), v: s.v ? Float64Array.from(s.v) : undefined });
    },
  });
  const last = records[records.length - 1];
  const end = sys.views(res.y);
  return {
    records, loss: last.loss, tau: res.tau, rhsNorm: res.rhsNorm, reason: res.reason, rhsEvals: res.rhsEvals,
    Q: Float64Array.from(end.Q), R: Float64Array.from(end.R), y: Float64Array.from(res.y),
  };
}
