// Stability of fixed points (SPEC §6, paper Appendix D).
//  - Weight-space Hessian: with u = W/√N (so Q = u uᵀ, R = u u*ᵀ), the weight gradient is
//    ∇_u ε = S u + H u* (SPEC §3). L = ∇²_u ε = N ∇²_W ε is the linearisation of the flow
//    dW/dτ = −(S W + H W*), computed by central differences of the analytic gradient in a
//    realisation of dimension N > K + M (so directions orthogonal to the teacher span exist).
//  - Perturbation test: realise the point in R^N, perturb the student weights W → W + δ Z
//    (Z i.i.d. N(0, 1), so each row moves by ≈ δ·√N, i.e. relative size δ), relax with the
//    order-parameter ODE from the perturbed (Q, R, T) (exact for every N, SPEC §3) and report the
//    loss gap ε_final − ε_level.
import type { Activation } from '../activations/index.js';
import { makeFlow, makeFlowParts } from './flow.js';
import { maxAbs, overlapsOf, type Overlaps } from './overlaps.js';
import { runTrajectory } from './trajectory.js';
import { classify } from './classify.js';
import { symmetricEigenvalues } from './stability-eigen.js';
import { realise } from '../network/realise.js';
import { createRng } from '../random/rng.js';

/** L = ∇²_u ε (KN×KN, row-major, index k·N + i) at a realisation of (Q, R, T) in dimension N. */
export function weightHessian(act: Activation, K: number, M: number, Q: ArrayLike<number>, R: ArrayLike<number>, T: Float64Array, N: number, h = 1e-5): Float64Array {
  const { W, Wstar } = realise(K, M, Q, R, T, N);
  const s = 1 / Math.sqrt(N);
  const u = W.map((v) => v * s);
  const us = Wstar.map((v) => v * s);
  const parts = makeFlowParts(act, K, M, T);
  const Qb = new Float64Array(K * K);
  const Rb = new Float64Array(K * M);
  const grad = (out: Float64Array) => {
    for (let k = 0; k < K; k++) {
      for (let l = k; l < K; l++) {
        let a = 0;
        for (let i = 0; i < N; i++) a += u[k * N + i] * u[l * N + i];
        Qb[k * K + l] = Qb[l * K + k] = a;
      }
      for (let m = 0; m < M; m++) {
        let a = 0;
        for (let i = 0; i < N; i++) a += u[k * N + i] * us[m * N + i];
        Rb[k * M + m] = a;
      }
    }
    const { S, H } = parts(Qb, Rb);
    for (let k = 0; k < K; k++)
      for (let i = 0; i < N; i++) {
        let g = 0;
        for (let j = 0; j < K; j++) g += S[k * K + j] * u[j * N + i];
        for (let m = 0; m < M; m++) g += H[k * M + m] * us[m * N + i];
        out[k * N + i] = g;
      }
  };
  const D = K * N;
  const L = new Float64Array(D * D);
  const gp = new Float64Array(D);
  const gm = new Float64Array(D);
  for (let j = 0; j < D; j++) {
    const uj = u[j];
    u[j] = uj + h;
    grad(gp);
    u[j] = uj - h;
    grad(gm);
    u[j] = uj;
    for (let i = 0; i < D; i++) L[i * D + j] = (gp[i] - gm[i]) / (2 * h);
  }
  for (let i = 0; i < D; i++)
    for (let j = 0; j < i; j++) L[i * D + j] = L[j * D + i] = 0.5 * (L[i * D + j] + L[j * D + i]);
  return L;
}

export interface HessianSpectrum {
  /** The smallest eigenvalues of ∇²_u ε, ascending. */
  eigs: Float64Array;
  minEig: number;
  /** Dimension K·N of weight space. */
  dim: number;
}

/** Smallest `count` eigenvalues of the weight-space Hessian in dimension N (default K + M + 1). */
export function hessianSpectrum(act: Activation, K: number, M: number, Q: ArrayLike<number>, R: ArrayLike<number>, T: Float64Array, N = K + M + 1, count = 8): HessianSpectrum {
  const L = weightHessian(act, K, M, Q, R, T, N);
  const eigs = symmetricEigenvalues(L, K * N, count);
  return { eigs, minEig: eigs[0], dim: K * N };
}

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

/** The perturbation test of Appendix D (SPEC §6) around (Q, R, T) with loss `level`. */
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
 * Gradient flow (SPEC §3) from `init` until max|RHS| < tol or τ = tauMax, in chunks of growing
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
    const tr = runTrajectory(act, { K, M, Q, R, T }, { method: 'dopri5', tauMax: Math.min(chunk, tauMax - tau), tol, recordsPerDecade: 0 });
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
      const { loss, rhsNorm } = evaluateState(act, K, M, Q, R, T);
      return { K, Q, R, loss0, loss, rhsNorm, tau, reason: tr.reason === 'tau-max' && dead.length ? 'unit-vanished' : tr.reason };
    }
    chunk = Math.min(2 * chunk, 5000);
  }
}

function evaluateState(act: Activation, K: number, M: number, Q: Float64Array, R: Float64Array, T: Float64Array): { loss: number; rhsNorm: number } {
  const dQ = new Float64Array(K * K);
  const dR = new Float64Array(K * M);
  const loss = makeFlow(act, K, M, T)(Q, R, dQ, dR);
  return { loss, rhsNorm: Math.max(maxAbs(dQ), maxAbs(dR)) };
}
