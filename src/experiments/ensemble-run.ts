// One ensemble run (SPEC §5 initial condition, §3 flow, §6 classification), written as a
// job for mapPool: a plain, structured-clonable spec in, one CSV row out. Run i of seed s
// draws its initial condition from createRng(s, 'run', i), so the row does not depend on
// which worker or shard computes it.
//
// Integration: adaptive Dormand–Prince 5(4) with FSAL, and three exits besides τ_max:
//  - converged: max|dy/dτ| < tol;
//  - global: ε < ε_global. The flow is a gradient flow, so ε never increases afterwards and
//    the final classification is already known (exact, not a heuristic); off with earlyGlobal=false;
//  - polished: once max|dy/dτ| < polishAt and has decreased over the last steps, Newton
//    polishing (polishFixedPoint, src/theory/fixed-points.ts) solves dy/dτ = 0 from the current
//    state; if it lands close by (max-norm < 1e-2), on a point with max|RHS| ≤ 1e-10, no higher
//    loss, and a weight-space Hessian (dimension d) without negative eigenvalues (a minimum,
//    not a saddle the trajectory would leave), we classify that point. Otherwise integration continues and polishing is retried later.
import { getActivation } from '../activations/index.js';
import { gaussianInit } from '../theory/init.js';
import { createRng } from '../random/rng.js';
import { dopri5Step, makeWork } from '../theory/integrators.js';
import { maxAbs, type Overlaps } from '../theory/overlaps.js';
import { classify, type RunClass } from '../theory/classify.js';
import { ENSEMBLE_SYSTEMS, type EnsembleSystem } from './ensemble-systems.js';
import { polishFixedPoint } from '../theory/fixed-points.js';
import { hessianSpectrum } from '../theory/stability.js';

export interface RunSpec {
  run: number;
  seed: number;
  K: number;
  M: number;
  /** Dimension of the Gaussian initialisation (≥ M). */
  initDim: number;
  algorithm: string;
  activation: string;
  alpha: number;
  tol: number;
  tauMax: number;
  rtol: number;
  atol: number;
  epsGlobal: number;
  gTol: number;
  vanishTol: number;
  /** Stop as soon as ε < ε_global (exact by monotonicity of ε). */
  earlyGlobal: boolean;
  /** Try Newton polishing once max|RHS| < polishAt (0 disables). */
  polishAt: number;
  /** Start from these overlaps (Q0, R0, T) instead of the Gaussian draw (a finite-N network's measured start, SPEC §5). */
  init?: Overlaps;
}

export interface RunRow {
  run: number;
  seed: number;
  K: number;
  M: number;
  final_loss: number;
  class: RunClass;
  family_n: number;
  tau_end: number;
  rhs_norm: number;
  rhs_evals: number;
  stop: StopKind;
  wall_ms: number;
}

export type StopKind = 'converged' | 'global' | 'polished' | 'tau-max' | 'diverged';

export const RUN_COLUMNS = ['run', 'seed', 'K', 'M', 'final_loss', 'class', 'family_n', 'tau_end', 'rhs_norm', 'rhs_evals', 'stop', 'wall_ms'] as const;

/** Newton polisher on the full (Q, R) system: returns the polished point or null. */
export type Polisher = (K: number, M: number, Q: Float64Array, R: Float64Array, T: Float64Array) => { Q: Float64Array; R: Float64Array; evals: number } | null;

/** polishFixedPoint (src/theory/fixed-points.ts) for an activation; null when it fails (max|RHS| > 1e-10). */
export function makePolisher(activation: string, alpha: number): Polisher {
  const act = getActivation(activation, alpha);
  return (K, M, Q, R, T) => {
    let res;
    try {
      res = polishFixedPoint(act, K, M, Q, R, T);
    } catch {
      return null;
    }
    if (!res.ok) return null;
    // forward-difference Jacobian (n evaluations) plus about two residuals per Newton iteration
    const n = (K * (K + 1)) / 2 + K * M;
    return { Q: res.Q, R: res.R, evals: res.iterations * (n + 2) + 1 };
  };
}

/** Runs one trajectory and classifies its end state; `polisher` overrides the module lookup. */
export function runEnsembleMember(spec: RunSpec, polisher: Polisher | null = null): RunRow {
  const t0 = performance.now();
  const { K, M } = spec;
  const act = getActivation(spec.activation, spec.alpha);
  const init = spec.init ?? gaussianInit(K, M, spec.initDim, createRng(spec.seed, 'run', spec.run));
  const factory = ENSEMBLE_SYSTEMS[spec.algorithm];
  if (!factory) throw new RangeError(`unknown algorithm "${spec.algorithm}"`);
  const sys = factory(act, init);
  const n = sys.y0.length;
  let evals = 0;
  let lastLoss = NaN;
  const f = (_t: number, y: Float64Array, dy: Float64Array) => {
    evals++;
    lastLoss = sys.rhs(y, dy);
  };
  let y = Float64Array.from(sys.y0);
  let yNew = new Float64Array(n);
  let k1 = new Float64Array(n);
  let k7 = new Float64Array(n);
  const work = makeWork(n, 6);
  f(0, y, k1);
  let loss = lastLoss;
  let tau = 0;
  let h = 0.01;
  let norm = maxAbs(k1);
  let stop: StopKind;
  // polishing state
  const canPolish = spec.polishAt > 0 && sys.polishable && polisher !== null;
  let polishBelow = spec.polishAt;
  let decreasing = 0;
  let finalQ: Float64Array | null = null;
  let finalR: Float64Array | null = null;
  for (;;) {
    if (!Number.isFinite(norm) || !Number.isFinite(loss)) {
      stop = 'diverged';
      break;
    }
    if (spec.earlyGlobal && loss < spec.epsGlobal) {
      stop = 'global';
      break;
    }
    if (norm < spec.tol) {
      stop = 'converged';
      break;
    }
    if (tau >= spec.tauMax) {
      stop = 'tau-max';
      break;
    }
    if (canPolish && norm < polishBelow && decreasing >= 5 && loss >= spec.epsGlobal) {
      const p = tryPolish(polisher!, sys, y, K, M, init.T, loss, spec);
      evals += p.evals;
      if (p.ok) {
        finalQ = p.Q!;
        finalR = p.R!;
        loss = p.loss;
        norm = p.norm;
        stop = 'polished';
        break;
      }
      polishBelow = norm / 10; // retry after another decade of convergence
    }
    const hTry = Math.min(h, spec.tauMax - tau);
    const err = dopri5Step(f, tau, y, k1, hTry, yNew, k7, work, spec.rtol, spec.atol);
    const factor = err === 0 ? 5 : Math.min(5, Math.max(0.2, 0.9 * err ** -0.2));
    if (!(err <= 1)) {
      h = hTry * (Number.isFinite(factor) ? factor : 0.2);
      if (h < 1e-14 * Math.max(1, tau)) {
        stop = 'diverged';
        break;
      }
      continue;
    }
    h = hTry * factor;
    tau = hTry === spec.tauMax - tau ? spec.tauMax : tau + hTry;
    [y, yNew] = [yNew, y];
    [k1, k7] = [k7, k1];
    loss = lastLoss;
    const newNorm = maxAbs(k1);
    decreasing = newNorm < norm ? decreasing + 1 : 0;
    norm = newNorm;
  }
  const ov = sys.overlaps(y);
  const Q = finalQ ?? ov.Q;
  const R = finalR ?? ov.R;
  const c = stop === 'diverged'
    ? { cls: 'diverged' as const, familyN: -1 }
    : classify(K, M, Q, R, loss, norm, { epsGlobal: spec.epsGlobal, gTol: spec.gTol, vanishTol: spec.vanishTol });
  return {
    run: spec.run, seed: spec.seed, K, M,
    final_loss: loss, class: c.cls, family_n: c.familyN, tau_end: tau, rhs_norm: norm, rhs_evals: evals, stop,
    wall_ms: Math.round((performance.now() - t0) * 1000) / 1000,
  };
}

/** Polishes y; accepts only a nearby point with max|RHS| < gTol and ε not above the current ε. */
function tryPolish(
  polisher: Polisher, sys: EnsembleSystem, y: Float64Array,
  K: number, M: number, T: Float64Array, loss: number, spec: RunSpec,
): { ok: boolean; evals: number; Q?: Float64Array; R?: Float64Array; loss: number; norm: number } {
  const { Q, R } = sys.overlaps(y);
  const p = polisher(K, M, Q, R, T);
  if (!p) return { ok: false, evals: 0, loss, norm: NaN };
  const yp = new Float64Array(y.length);
  yp.set(p.Q, 0);
  yp.set(p.R, K * K);
  const dy = new Float64Array(y.length);
  const lp = sys.rhs(yp, dy);
  const np = maxAbs(dy);
  let dist = 0;
  for (let i = 0; i < y.length; i++) dist = Math.max(dist, Math.abs(yp[i] - y[i]));
  let ok = np < spec.gTol && dist < 1e-2 && lp <= loss + 1e-9 && Number.isFinite(lp);
  let evals = p.evals + 1;
  if (ok) {
    // a minimum, not a saddle: the weight-space Hessian in the run's own dimension d has no
    // negative eigenvalue (2·K·d gradient evaluations)
    const minEig = weightHessianMinEig(spec, p.Q, p.R, T);
    evals += 2 * K * spec.initDim;
    ok = minEig > -1e-7;
  }
  return { ok, evals, Q: p.Q, R: p.R, loss: lp, norm: np };
}

/** Smallest eigenvalue of ∇²_u ε at a realisation in dimension d (K + M + 1 if d is below the rank). */
function weightHessianMinEig(spec: RunSpec, Q: Float64Array, R: Float64Array, T: Float64Array): number {
  const act = getActivation(spec.activation, spec.alpha);
  try {
    return hessianSpectrum(act, spec.K, spec.M, Q, R, T, spec.initDim, 1).minEig;
  } catch {
    try {
      return hessianSpectrum(act, spec.K, spec.M, Q, R, T, spec.K + spec.M + 1, 1).minEig;
    } catch {
      return -Infinity;
    }
  }
}

/** mapPool job: one run per call. */
export function ensembleRunJob(spec: RunSpec): RunRow {
  return runEnsembleMember(spec, spec.polishAt > 0 ? makePolisher(spec.activation, spec.alpha) : null);
}
