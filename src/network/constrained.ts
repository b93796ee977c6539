// Finite-N training for nGD, onGD and 2L-GD (docs/theory.md §4.4, §4.5) on explicit weights W ∈ R^{K×N}
// (row-major), population and online versions.
//
// Population: the weight gradient g = N∇_W ε = S W + H W* (S, H at the current overlaps; for
// 2L-GD from the v-weighted loss) is projected and followed in time τ, then retracted:
//   nGD   P(g)_k = g_k − (g_k·w_k / |w_k|²) w_k,  retraction w_k → w_k √(N n_k)/|w_k|
//   onGD  P(g) = g − ½ (A + Aᵀ) W,  A = g Wᵀ/N,   retraction: Gram–Schmidt ('qr') or (W Wᵀ/N)^{-½} W ('polar')
//   2L    dW/dτ = −g,  dv/dτ = −κ ∂ε/∂v          (no retraction)
// Euler:  W ← Retr(W − Δτ P(g(W))).  RK4: the classical four stages on the projected field, then
// one retraction (the projected field is tangent to the constraint set, so the retraction only
// removes the O(Δτ⁵) drift).
//
// Online: one fresh x ~ N(0, I_N) per step, λ = W x/√N, ν = W* x/√N, Δ = Σ_k v_k g(λ_k) − Σ_m g(ν_m)
// (v = 1 except for 2L), d_k = (η/√N) Δ v_k g′(λ_k) x (the plain SGD step of docs/theory.md §4.2), then
//   nGD   w_k ← w_k − (d_k − (d_k·w_k/|w_k|²) w_k), renormalise
//   onGD  W ← W − (D − ½ (D Wᵀ + W Dᵀ) W/N), retract
//   2L    w_k ← w_k − d_k,  v_k ← v_k − κ (η/N) Δ g(λ_k)
// Time τ = η·steps/N, as for SGD.
import type { Activation } from '../activations/index.js';
import type { Rng } from '../random/rng.js';
import { gramSchmidtRows } from '../linalg/orthonormalise.js';
import { gram, plainDot } from '../linalg/gram.js';
import { inverseSqrtSpd } from '../linalg/sqrtm.js';
import { makeFlowParts, makeFlowPartsFrom, type FlowParts } from '../theory/flow.js';
import { makeLossGradients2L } from '../theory/flow-2l.js';
import { makeWeightGradientFrom } from './gradient.js';

export const CONSTRAINED_ALGORITHMS = ['ngd', 'ongd', '2l'] as const;
export type ConstrainedAlgorithm = (typeof CONSTRAINED_ALGORITHMS)[number];
export const RETRACTIONS = ['qr', 'polar'] as const;
export type Retraction = (typeof RETRACTIONS)[number];
export type StepMethod = 'euler' | 'rk4';

export interface ConstrainedOptions {
  /** 2L-GD learning-rate ratio κ (default 1). */
  kappa?: number;
  /** onGD retraction (default 'qr'). */
  retraction?: Retraction;
}

/** The trainable state of one network: first layer W (K×N), second layer v (K; fixed 1 except 2L). */
export interface NetState {
  W: Float64Array;
  v: Float64Array;
  /** nGD: the fixed squared norms n_k = |w_k|²/N. */
  norms: Float64Array;
}

/** Squared row norms |w_k|²/N. */
export function rowNorms(W: Float64Array, K: number, N: number): Float64Array {
  const n = new Float64Array(K);
  for (let k = 0; k < K; k++) n[k] = plainDot(W, k * N, W, k * N, N) / N;
  return n;
}

/**
 * Puts W0 on the algorithm's constraint set in place and returns the state: nGD rows scaled to
 * |w_k|²/N = 1, onGD rows orthonormalised (Gram–Schmidt, then scaled to norm √N; needs K ≤ N),
 * 2L v = v0 (default 1).
 */
export function initialNet(alg: ConstrainedAlgorithm | 'gd', W0: Float64Array, K: number, N: number, v0 = 1): NetState {
  if (alg === 'ngd') {
    const ones = new Float64Array(K).fill(1);
    renormaliseRows(W0, K, N, ones);
  } else if (alg === 'ongd') retractStiefel(W0, K, N, 'qr');
  return { W: W0, v: new Float64Array(K).fill(alg === '2l' ? v0 : 1), norms: rowNorms(W0, K, N) };
}

/** nGD retraction: w_k ← w_k √(N n_k) / |w_k|. */
export function renormaliseRows(W: Float64Array, K: number, N: number, norms: ArrayLike<number>): void {
  for (let k = 0; k < K; k++) {
    const c = Math.sqrt((N * norms[k]) / plainDot(W, k * N, W, k * N, N));
    for (let i = 0; i < N; i++) W[k * N + i] *= c;
  }
}

/**
 * onGD retraction onto {W Wᵀ/N = I}: 'qr' = modified Gram–Schmidt on the rows (twice);
 * 'polar' = W ← (W Wᵀ/N)^{-½} W (the closest point in Frobenius norm; linalg/sqrtm.ts).
 */
export function retractStiefel(W: Float64Array, K: number, N: number, how: Retraction): void {
  if (K > N) throw new RangeError(`onGD needs K ≤ N (K=${K}, N=${N})`);
  const sqrtN = Math.sqrt(N);
  if (how === 'qr') {
    gramSchmidtRows(W, K, N, sqrtN); // modified Gram–Schmidt (twice), rows of norm √N
    return;
  }
  const P = inverseSqrtSpd(gram(W, K, W, K, N, new Float64Array(K * K), true), K);
  const out = new Float64Array(K * N);
  for (let k = 0; k < K; k++)
    for (let j = 0; j < K; j++) {
      const c = P[k * K + j];
      for (let i = 0; i < N; i++) out[k * N + i] += c * W[j * N + i];
    }
  W.set(out);
}

/**
 * Returns field(W, v, outW, outV) writing the projected population descent direction
 * (dW/dτ = −outW, dv/dτ = −outV) and returning ε at (W, v). See the header for the projections.
 */
export function makeProjectedGradient(
  alg: ConstrainedAlgorithm | 'gd', act: Activation, K: number, M: number, N: number,
  Wstar: Float64Array, T: Float64Array, opts: ConstrainedOptions = {},
) {
  const kappa = opts.kappa ?? 1;
  const gv = new Float64Array(K);
  let vCur: ArrayLike<number> = new Float64Array(K).fill(1);
  const parts: (Q: Float64Array, R: Float64Array) => FlowParts =
    alg === '2l'
      ? (() => {
          const lg = makeLossGradients2L(act, K, M, T);
          return makeFlowPartsFrom((q, r, G, H) => lg(q, r, vCur, G, H, gv), K, M, T);
        })()
      : makeFlowParts(act, K, M, T);
  const gradient = makeWeightGradientFrom(parts, K, M, N, Wstar);
  const A = new Float64Array(K * K);
  const tmp = new Float64Array(K * N);
  return function projectedGradient(W: Float64Array, v: Float64Array, outW: Float64Array, outV: Float64Array): number {
    vCur = v;
    const loss = gradient(W, outW); // g = S W + H W*
    outV.fill(0);
    if (alg === '2l') for (let k = 0; k < K; k++) outV[k] = kappa * gv[k];
    else if (alg === 'ngd') projectRadial(outW, W, K, N);
    else if (alg === 'ongd') projectStiefel(outW, W, K, N, A, tmp);
    return loss;
  };
}

/** d_k ← d_k − (d_k·w_k/|w_k|²) w_k for each row. */
function projectRadial(D: Float64Array, W: Float64Array, K: number, N: number): void {
  for (let k = 0; k < K; k++) {
    const ok = k * N;
    let dw = 0;
    let ww = 0;
    for (let i = 0; i < N; i++) {
      dw += D[ok + i] * W[ok + i];
      ww += W[ok + i] * W[ok + i];
    }
    const c = dw / ww;
    for (let i = 0; i < N; i++) D[ok + i] -= c * W[ok + i];
  }
}

/** D ← D − ½ (A + Aᵀ) W with A = D Wᵀ/N (the Stiefel tangent projection at W Wᵀ/N = I). */
function projectStiefel(D: Float64Array, W: Float64Array, K: number, N: number, A: Float64Array, tmp: Float64Array): void {
  for (let k = 0; k < K; k++)
    for (let l = 0; l < K; l++) {
      let s = 0;
      for (let i = 0; i < N; i++) s += D[k * N + i] * W[l * N + i];
      A[k * K + l] = s / N;
    }
  tmp.fill(0);
  for (let k = 0; k < K; k++)
    for (let j = 0; j < K; j++) {
      const c = 0.5 * (A[k * K + j] + A[j * K + k]);
      for (let i = 0; i < N; i++) tmp[k * N + i] += c * W[j * N + i];
    }
  for (let i = 0; i < K * N; i++) D[i] -= tmp[i];
}

/** Applies the algorithm's retraction to net.W in place (no-op for 2L and GD). */
export function retract(alg: ConstrainedAlgorithm | 'gd', net: NetState, K: number, N: number, how: Retraction = 'qr'): void {
  if (alg === 'ngd') renormaliseRows(net.W, K, N, net.norms);
  else if (alg === 'ongd') retractStiefel(net.W, K, N, how);
}

/**
 * Population stepper: step(net) advances net by one step Δτ (Euler or RK4 on the projected
 * field, then the retraction) and returns ε before the step.
 */
export function makePopulationStepper(
  alg: ConstrainedAlgorithm | 'gd', act: Activation, K: number, M: number, N: number,
  Wstar: Float64Array, T: Float64Array, dtau: number, method: StepMethod, opts: ConstrainedOptions = {},
) {
  const field = makeProjectedGradient(alg, act, K, M, N, Wstar, T, opts);
  const how = opts.retraction ?? 'qr';
  const n = K * N;
  const k1 = new Float64Array(n);
  const u1 = new Float64Array(K);
  if (method === 'euler') {
    return function eulerStep(net: NetState): number {
      const loss = field(net.W, net.v, k1, u1);
      for (let i = 0; i < n; i++) net.W[i] -= dtau * k1[i];
      for (let k = 0; k < K; k++) net.v[k] -= dtau * u1[k];
      retract(alg, net, K, N, how);
      return loss;
    };
  }
  const k2 = new Float64Array(n);
  const k3 = new Float64Array(n);
  const k4 = new Float64Array(n);
  const u2 = new Float64Array(K);
  const u3 = new Float64Array(K);
  const u4 = new Float64Array(K);
  const Y = new Float64Array(n);
  const y = new Float64Array(K);
  const stage = (net: NetState, kW: Float64Array, kv: Float64Array, h: number) => {
    for (let i = 0; i < n; i++) Y[i] = net.W[i] - h * kW[i];
    for (let k = 0; k < K; k++) y[k] = net.v[k] - h * kv[k];
  };
  return function rk4Step(net: NetState): number {
    const loss = field(net.W, net.v, k1, u1);
    stage(net, k1, u1, 0.5 * dtau);
    field(Y, y, k2, u2);
    stage(net, k2, u2, 0.5 * dtau);
    field(Y, y, k3, u3);
    stage(net, k3, u3, dtau);
    field(Y, y, k4, u4);
    const c = dtau / 6;
    for (let i = 0; i < n; i++) net.W[i] -= c * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);
    for (let k = 0; k < K; k++) net.v[k] -= c * (u1[k] + 2 * u2[k] + 2 * u3[k] + u4[k]);
    retract(alg, net, K, N, how);
    return loss;
  };
}

/**
 * Online stepper: advance(net, rng, steps) takes `steps` online steps with learning rate η
 * (inputs x = rng.fillNormal, one per step) and returns the number taken (fewer if |Δ| exceeds
 * maxDelta, which marks divergence; the weights are then those before the offending step).
 */
export function makeOnlineStepper(
  alg: ConstrainedAlgorithm | 'gd', act: Activation, K: number, M: number, N: number,
  Wstar: Float64Array, lr: number, opts: ConstrainedOptions & { maxDelta?: number } = {},
) {
  const kappa = opts.kappa ?? 1;
  const how = opts.retraction ?? 'qr';
  const maxDelta = opts.maxDelta ?? 1e6;
  const invSqrtN = 1 / Math.sqrt(N);
  const x = new Float64Array(N);
  const lambda = new Float64Array(K);
  const gl = new Float64Array(K);
  const coef = new Float64Array(K);
  const D = new Float64Array(K * N);
  const A = new Float64Array(K * K);
  const tmp = new Float64Array(K * N);
  return function advance(net: NetState, rng: Rng, steps: number): number {
    const { W, v } = net;
    for (let s = 0; s < steps; s++) {
      rng.fillNormal(x);
      let delta = 0;
      for (let m = 0; m < M; m++) {
        let a = 0;
        for (let i = 0; i < N; i++) a += Wstar[m * N + i] * x[i];
        delta -= act.g(a * invSqrtN);
      }
      for (let k = 0; k < K; k++) {
        let a = 0;
        for (let i = 0; i < N; i++) a += W[k * N + i] * x[i];
        lambda[k] = a * invSqrtN;
        gl[k] = act.g(lambda[k]);
        delta += v[k] * gl[k];
      }
      if (!(Math.abs(delta) <= maxDelta)) return s;
      const c = lr * invSqrtN * delta;
      for (let k = 0; k < K; k++) coef[k] = c * v[k] * act.gPrime(lambda[k]);
      if (alg === 'ongd') {
        for (let k = 0; k < K; k++) for (let i = 0; i < N; i++) D[k * N + i] = coef[k] * x[i];
        projectStiefel(D, W, K, N, A, tmp);
        for (let i = 0; i < K * N; i++) W[i] -= D[i];
        retractStiefel(W, K, N, how);
        continue;
      }
      for (let k = 0; k < K; k++) {
        const ck = coef[k];
        if (ck === 0) continue;
        const ok = k * N;
        if (alg === 'ngd') {
          // radial part of d_k = ck x along w_k: (ck x·w_k / |w_k|²) w_k = ck λ_k √N/(N n_k) w_k (before the update)
          let ww = 0;
          for (let i = 0; i < N; i++) ww += W[ok + i] * W[ok + i];
          const r = (ck * lambda[k] * Math.sqrt(N)) / ww;
          for (let i = 0; i < N; i++) W[ok + i] -= ck * x[i] - r * W[ok + i];
        } else for (let i = 0; i < N; i++) W[ok + i] -= ck * x[i];
      }
      if (alg === '2l') {
        const cv = (kappa * lr * delta) / N;
        for (let k = 0; k < K; k++) v[k] -= cv * gl[k];
      }
      if (alg === 'ngd') renormaliseRows(W, K, N, net.norms);
    }
    return steps;
  };
}
