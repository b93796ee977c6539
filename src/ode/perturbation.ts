// The perturbation test of the paper's Appendix D (docs/theory.md §6): realise a fixed point in R^N
// (N > K + M, so directions orthogonal to the teacher span exist), perturb the student weights
// W → W + δ Z (Z i.i.d. N(0, 1), so row k moves by ≈ δ·√N, a relative change δ/√Q_kk), relax with
// the order-parameter ODE from the perturbed (Q, R, T) (exact for every N, docs/theory.md §3) and report
// the loss gap ε_final − ε_level. Also `stabilityOf`: the whole check for one family's point.
import type { Activation } from '../activations/index.js';
import { evaluateFlow } from '../theory/flow.js';
import { overlapsOf, type Overlaps } from '../theory/overlaps.js';
import { classify } from '../theory/classify.js';
import { realise } from '../theory/realise.js';
import { hessianSpectrum } from '../theory/stability.js';
import { solveFamily, type FixedPoint } from '../theory/fixed-points.js';
import { identity } from '../linalg/vector.js';
import { createRng } from '../random/rng.js';
import { runTrajectory } from './trajectory.js';
import { makeAlgorithmFlow } from '../theory/algorithms.js';
import { packState } from '../theory/overlaps.js';

export interface PerturbationOptions {
  /** Realisation dimension N > K + M. */
  N: number;
  /** Perturbation strength δ (W → W + δ Z). */
  delta: number;
  /** Seeds 0..seeds−1. */
  seeds: number;
  /** Base seed for createRng(seed, 'stability', i). */
  seed: number;
  tauMax: number;
  tol: number;
  /** A unit with Q_kk below this has vanished: it is removed and the relaxation continues without it. */
  vanishQ: number;
}

export interface PerturbationRun {
  replica: number;
  /** Loss right after the perturbation. */
  loss0: number;
  finalLoss: number;
  /** finalLoss − level. */
  gap: number;
  rhsNorm: number;
  tau: number;
  reason: string;
  /** classify() of the end state: global / local / none, and family index. */
  cls: string;
  familyN: number;
  /** Units that vanished during the relaxation and were removed. */
  dropped: number;
}

export interface PerturbationResult {
  runs: PerturbationRun[];
  meanGap: number;
  /** Standard deviation of the gap over replicas. */
  sdGap: number;
  /** Replicas that returned to the level (|gap| < 1e-6). */
  returned: number;
}

/** The perturbation test of Appendix D (docs/theory.md §6) around (Q, R, T) with loss `level`. */
export function perturbationTest(
  act: Activation, K: number, M: number, Q: ArrayLike<number>, R: ArrayLike<number>, T: Float64Array, level: number,
  options: Partial<PerturbationOptions> = {},
): PerturbationResult {
  const opts: PerturbationOptions = { N: K + M + 1, delta: 1e-3, seeds: 10, seed: 1, tauMax: 1e5, tol: 1e-10, vanishQ: 1e-10, ...options };
  const { N } = opts;
  const { W, Wstar } = realise(K, M, Q, R, T, N);
  const runs: PerturbationRun[] = [];
  const Wp = new Float64Array(K * N);
  for (let r = 0; r < opts.seeds; r++) {
    const rng = createRng(opts.seed, 'stability', r);
    rng.fillNormal(Wp);
    for (let i = 0; i < Wp.length; i++) Wp[i] = W[i] + opts.delta * Wp[i];
    const init = overlapsOf(Wp, Wstar, K, M, N);
    const rel = relax(act, init, opts.tauMax, opts.tol, opts.vanishQ);
    const c = classify(rel.K, M, rel.Q, rel.R, rel.loss, rel.rhsNorm);
    runs.push({
      replica: r, loss0: rel.loss0, finalLoss: rel.loss, gap: rel.loss - level, rhsNorm: rel.rhsNorm,
      tau: rel.tau, reason: rel.reason, cls: c.cls, familyN: c.familyN, dropped: K - rel.K,
    });
  }
  const gaps = runs.map((r) => r.gap);
  const meanGap = gaps.reduce((a, b) => a + b, 0) / gaps.length;
  const sdGap = Math.sqrt(gaps.reduce((a, b) => a + (b - meanGap) ** 2, 0) / Math.max(1, gaps.length - 1));
  return { runs, meanGap, sdGap, returned: gaps.filter((g) => Math.abs(g) < 1e-6).length };
}

/** Embeds a fixed point of a K0-student network into K = K0 + extra students by adding zero units. */
export function embedWithZeroUnits(K0: number, M: number, Q0: ArrayLike<number>, R0: ArrayLike<number>, extra: number): { K: number; Q: Float64Array; R: Float64Array } {
  const K = K0 + extra;
  const Q = new Float64Array(K * K);
  const R = new Float64Array(K * M);
  for (let k = 0; k < K0; k++) {
    for (let l = 0; l < K0; l++) Q[k * K + l] = Q0[k * K0 + l];
    for (let m = 0; m < M; m++) R[k * M + m] = R0[k * M + m];
  }
  return { K, Q, R };
}

interface Relaxed {
  K: number;
  Q: Float64Array;
  R: Float64Array;
  loss0: number;
  loss: number;
  rhsNorm: number;
  tau: number;
  reason: string;
}

/**
 * Gradient flow (docs/theory.md §3) from `init` until max|RHS| < tol or τ = tauMax, in chunks of growing
 * length. A ReLU unit whose norm shrinks to zero makes the RHS Jacobian blow up like 1/√Q_kk (the
 * kink at w_k = 0); such a unit contributes nothing to ε, so when Q_kk < vanishQ it is removed and
 * the flow continues with K − 1 students.
 */
export function relax(act: Activation, init: Overlaps, tauMax: number, tol: number, vanishQ: number): Relaxed {
  let { K, Q, R } = init;
  const { M, T } = init;
  let tau = 0;
  let chunk = 50;
  let loss0 = NaN;
  for (;;) {
    const tr = runTrajectory(makeAlgorithmFlow('gd', act, K, M, T), packState({ K, M, Q, R, T }), { method: 'dopri5', tauMax: Math.min(chunk, tauMax - tau), tol, recordsPerDecade: 0 });
    if (Number.isNaN(loss0)) loss0 = tr.records[0].loss;
    tau += tr.tau;
    Q = tr.Q;
    R = tr.R;
    const dead: number[] = [];
    for (let k = 0; k < K; k++) if (Q[k * K + k] < vanishQ) dead.push(k);
    if (dead.length && K - dead.length >= 1 && tr.reason !== 'diverged') {
      const keep = Array.from({ length: K }, (_, k) => k).filter((k) => !dead.includes(k));
      const K2 = keep.length;
      const Q2 = new Float64Array(K2 * K2);
      const R2 = new Float64Array(K2 * M);
      keep.forEach((k, i) => {
        keep.forEach((l, j) => (Q2[i * K2 + j] = Q[k * K + l]));
        for (let m = 0; m < M; m++) R2[i * M + m] = R[k * M + m];
      });
      K = K2;
      Q = Q2;
      R = R2;
      if (tau < tauMax) continue;
    }
    if (tr.reason !== 'tau-max' || tau >= tauMax) {
      const { loss, rhsNorm } = evaluateFlow(act, K, M, Q, R, T);
      return { K, Q, R, loss0, loss, rhsNorm, tau, reason: tr.reason === 'tau-max' && dead.length ? 'unit-vanished' : tr.reason };
    }
    chunk = Math.min(2 * chunk, 5000);
  }
}


export interface StabilityReport {
  K: number;
  M: number;
  n: number;
  /** 'ansatz' (a fixed point of the K-student ansatz) or 'embed' (K = M point plus zero units). */
  source: 'ansatz' | 'embed';
  level: number;
  rhsNorm: number;
  /** Smallest weight-space Hessian eigenvalues (NaN for embedded points: a zero unit is a ReLU kink). */
  eigs: number[];
  result: PerturbationResult;
}

export interface StabilityOptions {
  source: 'ansatz' | 'embed';
  branch: number;
  delta: number;
  seeds: number;
  seed: number;
  N?: number;
  tauMax: number;
}

/** Finds the family-n fixed point (branch = index by increasing loss) and runs the tests. */
export function stabilityOf(act: Activation, K: number, M: number, n: number, o: StabilityOptions): StabilityReport | null {
  const K0 = o.source === 'embed' ? M : K;
  const sols: FixedPoint[] = solveFamily(act, K0, M, n).filter((s) => s.familyN === n || (n === 0 && s.familyN === -1));
  const p = sols[o.branch];
  if (!p) return null;
  const T = identity(M);
  let { Q, R } = p;
  let eigs: number[] = [NaN];
  if (o.source === 'embed') ({ Q, R } = embedWithZeroUnits(K0, M, p.Q, p.R, K - K0));
  else eigs = Array.from(hessianSpectrum(act, K, M, Q, R, T, K + M + 1, 4).eigs);
  const N = o.N ?? K + M + 1;
  const result = perturbationTest(act, K, M, Q, R, T, p.loss, { N, delta: o.delta, seeds: o.seeds, seed: o.seed, tauMax: o.tauMax });
  return { K, M, n, source: o.source, level: p.loss, rhsNorm: p.rhsNorm, eigs, result };
}
