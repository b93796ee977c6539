// One ensemble run (docs/theory.md §5 initial condition, §3 flow, §6 classification), written as a
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
import { integrate } from '../ode/integrate.js';
import type { Overlaps } from '../theory/overlaps.js';
import { makeAlgorithmFlow, ALGORITHM_NAMES, type AlgorithmFlow, type AlgorithmName } from '../theory/algorithms.js';
import { classify, type RunClass } from '../theory/classify.js';
import { polishFixedPoint } from '../theory/fixed-points.js';
import { hessianSpectrum } from '../theory/stability.js';
import { maxAbs } from '../linalg/vector.js';
import { jobRef } from './jobs.js';

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
  /** Start from these overlaps (Q0, R0, T) instead of the Gaussian draw (a finite-N network's measured start, docs/theory.md §5). */
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
  if (!(ALGORITHM_NAMES as readonly string[]).includes(spec.algorithm)) throw new RangeError(`unknown algorithm "${spec.algorithm}"`);
  const sys = makeAlgorithmFlow(spec.algorithm as AlgorithmName, act, K, M, init.T);
  const y0 = sys.initialState(init);
  // ε of the last accepted state: the RHS returns it, and it is taken only on acceptance
  let lastLoss = NaN;
  let loss = NaN;
  let started = false;
  const f = (_t: number, y: Float64Array, dy: Float64Array) => {
    lastLoss = sys.evaluate(y, dy);
    if (!started) {
      loss = lastLoss;
      started = true;
    }
  };
  let norm = NaN;
  // polishing state
  const canPolish = spec.polishAt > 0 && sys.polishable && polisher !== null;
  let polishBelow = spec.polishAt;
  let decreasing = 0;
  let polishEvals = 0;
  let polished: { Q: Float64Array; R: Float64Array; loss: number; norm: number } | null = null;
  const res = integrate<'global' | 'polished'>(f, y0, {
    method: 'dopri5', tauMax: spec.tauMax, tol: spec.tol, rtol: spec.rtol, atol: spec.atol,
    stopEarly: (_tau, _y, _dy, n) => {
      norm = n;
      if (!Number.isFinite(loss)) return 'diverged';
      if (spec.earlyGlobal && loss < spec.epsGlobal) return 'global';
      return undefined;
    },
    beforeStep: (_tau, y) => {
      if (!(canPolish && norm < polishBelow && decreasing >= 5 && loss >= spec.epsGlobal)) return undefined;
      const p = tryPolish(polisher!, sys, y, K, M, init.T, loss, spec);
      polishEvals += p.evals;
      if (p.ok) {
        polished = { Q: p.Q!, R: p.R!, loss: p.loss, norm: p.norm };
        return 'polished';
      }
      polishBelow = norm / 10; // retry after another decade of convergence
      return undefined;
    },
    afterStep: (_tau, _y, _dy, n) => {
      loss = lastLoss;
      decreasing = n < norm ? decreasing + 1 : 0;
    },
  });
  const stop: StopKind = res.reason;
  const ov = sys.views(res.y);
  const p = polished as { Q: Float64Array; R: Float64Array; loss: number; norm: number } | null;
  const Q = p ? p.Q : ov.Q;
  const R = p ? p.R : ov.R;
  if (p) loss = p.loss;
  norm = p ? p.norm : res.rhsNorm;
  const c = stop === 'diverged'
    ? { cls: 'diverged' as const, familyN: -1 }
    : classify(K, M, Q, R, loss, norm, { epsGlobal: spec.epsGlobal, gTol: spec.gTol, vanishTol: spec.vanishTol });
  return {
    run: spec.run, seed: spec.seed, K, M,
    final_loss: loss, class: c.cls, family_n: c.familyN, tau_end: res.tau, rhs_norm: norm, rhs_evals: res.rhsEvals + polishEvals, stop,
    wall_ms: Math.round((performance.now() - t0) * 1000) / 1000,
  };
}

/** Polishes y; accepts only a nearby point with max|RHS| < gTol and ε not above the current ε. */
function tryPolish(
  polisher: Polisher, sys: AlgorithmFlow, y: Float64Array,
  K: number, M: number, T: Float64Array, loss: number, spec: RunSpec,
): { ok: boolean; evals: number; Q?: Float64Array; R?: Float64Array; loss: number; norm: number } {
  const { Q, R } = sys.views(y);
  const p = polisher(K, M, Q, R, T);
  if (!p) return { ok: false, evals: 0, loss, norm: NaN };
  const yp = new Float64Array(y.length);
  yp.set(p.Q, 0);
  yp.set(p.R, K * K);
  const dy = new Float64Array(y.length);
  const lp = sys.evaluate(yp, dy);
  const np = maxAbs(dy);
  let dist = 0;
  for (let i = 0; i < y.length; i++) dist = Math.max(dist, Math.abs(yp[i] - y[i]));
  let ok = np < spec.gTol && dist < 1e-2 && lp <= loss + 1e-9 && Number.isFinite(lp);
  let evals = p.evals + 1;
  if (ok) {
    // a minimum, not a saddle: the weight-space Hessian in the run's own dimension d has no
    // negative eigenvalue (2·K·d gradient evaluations)
    const minEig = weightHessianMinEig(spec, p.Q, p.R, T);
    evals += 2 * K * hessianDim(spec);
    ok = minEig > -1e-7;
  }
  return { ok, evals, Q: p.Q, R: p.R, loss: lp, norm: np };
}

/** The realisation dimension of the Hessian check: the run's own d, at most K + M + 1. */
function hessianDim(spec: RunSpec): number {
  return Math.min(spec.initDim, spec.K + spec.M + 1);
}

/** Smallest eigenvalue of ∇²_u ε at a realisation in dimension d (K + M + 1 if d is below the rank). */
function weightHessianMinEig(spec: RunSpec, Q: Float64Array, R: Float64Array, T: Float64Array): number {
  const act = getActivation(spec.activation, spec.alpha);
  try {
    // beyond K + M + 1 the extra dimensions only repeat the block S (docs/theory.md §11): the
    // smallest eigenvalue is the same, so the cost never grows with --init-dim
    return hessianSpectrum(act, spec.K, spec.M, Q, R, T, hessianDim(spec), 1).minEig;
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

export const ENSEMBLE_RUN_JOB = jobRef(import.meta.url, ensembleRunJob);
