// The one integrator loop (docs/theory.md §11): y′ = f(τ, y) by Dormand–Prince 5(4) with error
// control (§11.1), by RKC2 with error control and a spectral-radius estimate (§11.7), or by
// fixed-step RK4, with the stop rules of every command:
//   diverged   the state or max|f(y)| stopped being finite (or dopri5's step underflowed);
//   stopEarly  a caller's test run first (e.g. the ensembles' exact global stop, ε < ε_global);
//   converged  max|f(y)| < tol;
//   tau-max    τ reached tauMax;
//   beforeStep a caller's test just before each step (e.g. Newton polishing of a fixed point).
// Steps are shortened to land exactly on each requested record time. The stop rules, the hooks and
// the result use max|f(y)| or the caller's `norm` (e.g. the (Q, R) max-norm of a weight state).
import { dopri5Step, makeWork, rk4Step, type OdeRhs } from './steppers.js';
import { makeRkc2, spectralRadius } from './rkc.js';
import { allFinite, maxAbs } from '../linalg/vector.js';
import { RKC2, STEP } from '../defaults.js';

export type Method = 'dopri5' | 'rk4' | 'rkc2';
export type StopReason = 'converged' | 'tau-max' | 'diverged';

/** A caller's stop test: a reason ends the integration, undefined continues. */
export type StopTest<R extends string> = (tau: number, y: Float64Array, dy: Float64Array, norm: number) => R | StopReason | undefined;

export interface IntegrateOptions<R extends string = never> {
  method: Method;
  /** τ at which to stop if not converged. */
  tauMax: number;
  /** Converged when the RHS max-norm is below tol. */
  tol: number;
  /** Fixed step for rk4; first trial step for dopri5 and rkc2 (defaults 0.05 and 0.01). */
  dt?: number;
  /** dopri5 and rkc2 error tolerances (defaults 1e-9, 1e-12). */
  rtol?: number;
  atol?: number;
  /** rkc2: the spectral-radius estimate and the stage limit (defaults: RKC2 of src/defaults.ts). */
  rkc?: Partial<RkcSettings>;
  /** The max-norm the stop rules, hooks and result use, of f(y) = dy at y (default max|dy|). */
  norm?: (y: Float64Array, dy: Float64Array) => number;
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

/** RKC2's ρ(∂f/∂y) estimate: re-estimated every `rhoEvery` accepted steps and after a rejection, times `rhoSafety`; at most `maxStages` stages. */
export interface RkcSettings {
  rhoEvery: number;
  rhoSafety: number;
  maxStages: number;
  damping: number;
}

export interface IntegrateResult<R extends string = never> {
  y: Float64Array;
  tau: number;
  rhsNorm: number;
  reason: StopReason | R;
  rhsEvals: number;
  steps: number;
  /** Rejected dopri5 / rkc2 steps. */
  rejected: number;
  /** rkc2: the largest stage count used and the evaluations spent estimating ρ (included in rhsEvals). */
  maxStages: number;
  rhoEvals: number;
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
  const normOf = opts.norm ?? ((_y: Float64Array, dy: Float64Array) => maxAbs(dy));
  let evals = 0;
  const rhs: OdeRhs = (t, y, dy) => {
    evals++;
    f(t, y, dy);
  };
  let y = Float64Array.from(y0);
  let yNew = new Float64Array(n);
  let k1 = new Float64Array(n);
  let k7 = new Float64Array(n);
  const work = method === 'rkc2' ? [] : makeWork(n, 6);
  // rkc2: stepper, ρ estimate (eigenvector kept between estimates), the controller's memory
  const rk = method === 'rkc2' ? { ...RKC2, ...opts.rkc } : RKC2;
  const rkc = method === 'rkc2' ? makeRkc2(n, rk.maxStages, rk.damping) : null;
  const eig = rkc ? new Float64Array(n) : k1;
  const rhoWork: [Float64Array, Float64Array] = rkc ? [new Float64Array(n), new Float64Array(n)] : [k1, k1];
  let rho = NaN;
  let sinceRho = Infinity;
  let prevErr = 0;
  let prevH = 0;
  let rejected = 0;
  let maxStages = 0;
  let rhoEvals = 0;
  let tau = 0;
  let h = opts.dt ?? STEP[method];
  let steps = 0;
  let next = 0; // index of the next record time
  while (next < records.length && records[next] <= 0) next++;

  rhs(tau, y, k1);
  let norm = normOf(y, k1);
  opts.onRecord?.(0, y, k1, false);
  let reason: StopReason | R;
  for (;;) {
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
    let hTry = Math.min(h, target - tau);
    if (method === 'rk4') {
      rk4Step(rhs, tau, y, k1, hTry, yNew, work);
      rhs(tau + hTry, yNew, k7);
    } else {
      let err: number;
      let factor: number;
      if (rkc) {
        // docs/theory.md §11.7: stages from ρ, the predictive (Gustafsson) step-size controller
        if (sinceRho >= rk.rhoEvery) {
          const est = spectralRadius(rhs, tau, y, k1, eig, rhoWork);
          rho = est.rho * rk.rhoSafety;
          rhoEvals += est.evals;
          sinceRho = 0;
        }
        const s = rkc.stagesFor(hTry * rho);
        if (rkc.beta(s) < hTry * rho) hTry = rkc.beta(s) / rho; // beyond the most stages: shorten the step
        maxStages = Math.max(maxStages, s);
        err = rkc.step(rhs, tau, y, k1, hTry, s, yNew, k7, rtol, atol);
        factor = err === 0 ? 10 : 0.8 / Math.cbrt(err);
        if (err <= 1 && prevErr > 0 && prevH > 0) factor = Math.min(factor, ((hTry / prevH) * 0.8 * Math.cbrt(prevErr)) / Math.cbrt(err * err));
        factor = Math.min(10, Math.max(0.1, factor));
      } else {
        err = dopri5Step(rhs, tau, y, k1, hTry, yNew, k7, work, rtol, atol);
        factor = err === 0 ? 5 : Math.min(5, Math.max(0.2, 0.9 * err ** -0.2));
      }
      if (!(err <= 1)) {
        rejected++;
        sinceRho = Infinity; // rkc2: re-estimate ρ after a rejection
        h = hTry * (Number.isFinite(factor) ? factor : 0.2);
        if (h < 1e-14 * Math.max(1, tau)) {
          reason = 'diverged';
          break;
        }
        continue;
      }
      prevErr = err;
      prevH = hTry;
      // keep the proposed step when this one was only shortened to hit a record time
      h = hTry === target - tau && hTry < h ? Math.max(h, hTry * factor) : hTry * factor;
    }
    const landsOnTarget = hTry === target - tau;
    tau = landsOnTarget ? target : tau + hTry;
    [y, yNew] = [yNew, y];
    [k1, k7] = [k7, k1];
    steps++;
    sinceRho++;
    norm = normOf(y, k1);
    opts.afterStep?.(tau, y, k1, norm);
    if (landsOnTarget && next < records.length && target === records[next]) {
      next++;
      if (tau < tauMax) opts.onRecord?.(tau, y, k1, false);
    }
  }
  opts.onRecord?.(tau, y, k1, true);
  return { y, tau, rhsNorm: norm, reason, rhsEvals: evals, steps, rejected, maxStages, rhoEvals };
}
