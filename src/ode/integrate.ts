// The one integrator loop (docs/theory.md §11): y′ = f(τ, y) by Dormand–Prince 5(4) with error
// control or by fixed-step RK4, with the stop rules of every command:
//   diverged   the state or max|f(y)| stopped being finite (or dopri5's step underflowed);
//   stopEarly  a caller's test run first (e.g. the ensembles' exact global stop, ε < ε_global);
//   converged  max|f(y)| < tol;
//   tau-max    τ reached tauMax;
//   beforeStep a caller's test just before each step (e.g. Newton polishing of a fixed point).
// Steps are shortened to land exactly on each requested record time.
import { dopri5Step, makeWork, rk4Step, type OdeRhs } from './steppers.js';
import { allFinite, maxAbs } from '../linalg/vector.js';

export type Method = 'dopri5' | 'rk4';
export type StopReason = 'converged' | 'tau-max' | 'diverged';

/** A caller's stop test: a reason ends the integration, undefined continues. */
export type StopTest<R extends string> = (tau: number, y: Float64Array, dy: Float64Array, norm: number) => R | StopReason | undefined;

export interface IntegrateOptions<R extends string = never> {
  method: Method;
  /** τ at which to stop if not converged. */
  tauMax: number;
  /** Converged when the RHS max-norm is below tol. */
  tol: number;
  /** Fixed step for rk4; first trial step for dopri5 (defaults 0.05 and 0.01). */
  dt?: number;
  /** dopri5 error tolerances (defaults 1e-9, 1e-12). */
  rtol?: number;
  atol?: number;
  /** Sorted τ values to report at (besides τ = 0 and the end). */
  recordTimes?: readonly number[];
  /** Called at τ = 0, at each record time reached, and at the end (final = true). */
  onRecord?: (tau: number, y: Float64Array, dy: Float64Array, final: boolean) => void;
  /** Tested at the top of every iteration, after the divergence test and before `tol`. */
  stopEarly?: StopTest<R>;
  /** Tested after the tau-max test, just before each step. */
  beforeStep?: StopTest<R>;
  /** Called after each accepted step with the new state and max|f|. */
  afterStep?: (tau: number, y: Float64Array, dy: Float64Array, norm: number) => void;
}

export interface IntegrateResult<R extends string = never> {
  y: Float64Array;
  tau: number;
  rhsNorm: number;
  reason: StopReason | R;
  rhsEvals: number;
  steps: number;
}

/** Log-spaced times 10^(k/perDecade) in [tauMin, tauMax], plus tauMax itself. */
export function logTimes(tauMin: number, tauMax: number, perDecade = 10): number[] {
  const out: number[] = [];
  const k0 = Math.ceil(Math.log10(tauMin) * perDecade - 1e-9);
  for (let k = k0; ; k++) {
    const t = 10 ** (k / perDecade);
    if (t >= tauMax * (1 - 1e-12)) break;
    out.push(t);
  }
  out.push(tauMax);
  return out;
}

/** Integrates from y0 at τ = 0 until a stop rule fires (see the header). */
export function integrate<R extends string = never>(f: OdeRhs, y0: Float64Array, opts: IntegrateOptions<R>): IntegrateResult<R> {
  const n = y0.length;
  const { tauMax, tol, method } = opts;
  const rtol = opts.rtol ?? 1e-9;
  const atol = opts.atol ?? 1e-12;
  const records = opts.recordTimes ?? [];
  let evals = 0;
  const rhs: OdeRhs = (t, y, dy) => {
    evals++;
    f(t, y, dy);
  };
  let y = Float64Array.from(y0);
  let yNew = new Float64Array(n);
  let k1 = new Float64Array(n);
  let k7 = new Float64Array(n);
  const work = makeWork(n, 6);
  let tau = 0;
  let h = opts.dt ?? (method === 'rk4' ? 0.05 : 0.01);
  let steps = 0;
  let next = 0; // index of the next record time
  while (next < records.length && records[next] <= 0) next++;

  rhs(tau, y, k1);
  opts.onRecord?.(0, y, k1, false);
  let reason: StopReason | R;
  for (;;) {
    const norm = maxAbs(k1);
    if (!Number.isFinite(norm) || !allFinite(y)) {
      reason = 'diverged';
      break;
    }
    const early = opts.stopEarly?.(tau, y, k1, norm);
    if (early !== undefined) {
      reason = early;
      break;
    }
    if (norm < tol) {
      reason = 'converged';
      break;
    }
    if (tau >= tauMax) {
      reason = 'tau-max';
      break;
    }
    const pre = opts.beforeStep?.(tau, y, k1, norm);
    if (pre !== undefined) {
      reason = pre;
      break;
    }
    const target = Math.min(tauMax, next < records.length ? records[next] : Infinity);
    const hTry = Math.min(h, target - tau);
    const landsOnTarget = hTry === target - tau;
    if (method === 'rk4') {
      rk4Step(rhs, tau, y, k1, hTry, yNew, work);
      rhs(tau + hTry, yNew, k7);
    } else {
      const err = dopri5Step(rhs, tau, y, k1, hTry, yNew, k7, work, rtol, atol);
      const factor = err === 0 ? 5 : Math.min(5, Math.max(0.2, 0.9 * err ** -0.2));
      if (!(err <= 1)) {
        h = hTry * (Number.isFinite(factor) ? factor : 0.2);
        if (h < 1e-14 * Math.max(1, tau)) {
          reason = 'diverged';
          break;
        }
        continue;
      }
      // keep the proposed step when this one was only shortened to hit a record time
      h = landsOnTarget && hTry < h ? Math.max(h, hTry * factor) : hTry * factor;
    }
    tau = landsOnTarget ? target : tau + hTry;
    [y, yNew] = [yNew, y];
    [k1, k7] = [k7, k1];
    steps++;
    opts.afterStep?.(tau, y, k1, maxAbs(k1));
    if (landsOnTarget && next < records.length && target === records[next]) {
      next++;
      if (tau < tauMax) opts.onRecord?.(tau, y, k1, false);
    }
  }
  opts.onRecord?.(tau, y, k1, true);
  return { y, tau, rhsNorm: maxAbs(k1), reason, rhsEvals: evals, steps };
}
