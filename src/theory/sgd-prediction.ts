// Online SGD near a stable fixed point X* of the gradient flow (docs/theory.md §9), in the packed
// coordinates x = (Q_kl (k ≤ l), R_km) of docs/theory.md §8.1:
//
//  - first-order shift (§9.2):   δX = −η J⁻¹ Φ̂(X*),   δε = ∇ε·δX = η a₁   (a₁ = ¼ tr Φ(X*) when P* = 0);
//  - the exact stationary point X_η of the SGD ODE F(X) + η Φ̂(X) = 0 (§4.2), by Newton from X* + δX;
//  - the O(η/N) correction of the mean (§9.5): E ε − ε(X_η) ≈ η b/N,
//      b = ¼ Σ_k E[Δ² g′(λ_k)² (νᵀ T⁻¹ ν − M)]   at X* (P* = 0, so x_∥ = the teacher span);
//  - the fluctuations (§9.3–9.4): the Ornstein–Uhlenbeck covariance Σ solving
//      J Σ + Σ Jᵀ + (η/N) C = 0,   Var ε ≈ ∇εᵀ Σ ∇ε = (η/N) tr(C Y),   Jᵀ Y + Y J + ∇ε ∇εᵀ = 0,
//    with J, C and ∇ε all evaluated at X_η (§9.4), J the Jacobian of F + η Φ̂, and
//    C = Cov_x[f + η h] (the per-step increments of §9.3): Cov f in closed form for ReLU
//    (sgd-noise.ts), the O(η) rest 2η Cov(f, h) + η² Cov(h) by Monte Carlo with its standard error
//    (sgd-noise-mc.ts); for other activations all of C by Monte Carlo.
//  - for reference, the Wishart term of §9.4: Var ε ≈ (η²/N)(1 − M/N) · ½ tr((S P₁)²), S P₁ + P₁ S = Φ(X*).
//
// Everything that does not depend on N is computed once; sgdPredictionAtN scales it to a given N.
import type { Activation } from '../activations/index.js';
import { makeFullResidual } from './fixed-points.js';
import { makeFlowJacobian } from './jacobian.js';
import type { PackedJacobian } from '../linalg/jacobian.js';
import { makePhiHat } from './sgd-phi-jacobian.js';
import { makeLossGradients } from './gradients.js';
import { makeNoiseSampler } from './sgd-noise-mc.js';
import { noiseCovariance, reluNoiseMoments } from './sgd-noise.js';
import { solveLyapunov } from '../linalg/lyapunov.js';
import { bilinear, matMul } from '../linalg/matrix.js';
import { solveMany } from '../linalg/lu.js';
import { identity, maxAbs } from '../linalg/vector.js';
import { createRng } from '../random/rng.js';

export interface SgdPredictionOptions {
  /** Monte Carlo samples for the O(η) part of C (all of C without a closed form). Default 1e5. */
  samples: number;
  /** Monte Carlo samples for the O(η/N) mean coefficient b. Default 4e5. */
  meanSamples: number;
  /** Seed of the Monte Carlo stream. Default 1. */
  seed: number;
  /** Newton target max|F + η Φ̂| for X_η. Default 1e-13. */
  tol: number;
  /** 'auto': Cov f in closed form for ReLU (Monte Carlo otherwise); 'monte-carlo': always sample all of C. */
  noise: 'auto' | 'monte-carlo';
  /** Replaces the central-difference flow Jacobian (e.g. by the analytic one of docs/theory.md §8). */
  flowJacobian?: PackedJacobian;
}

export const SGD_PREDICTION_DEFAULTS: SgdPredictionOptions = { samples: 100_000, meanSamples: 400_000, seed: 1, tol: 1e-13, noise: 'auto' };

/** Everything at X* (independent of η and N). */
export interface SgdLevelContext {
  act: Activation;
  K: number;
  M: number;
  T: Float64Array;
  /** Packed X*. */
  x: Float64Array;
  level: number;
  /** max|F(X*)|. */
  rhsNorm: number;
  /** max|P*|, P = Q − R T⁻¹ Rᵀ. */
  pNorm: number;
  /** J⁻¹ Φ̂(X*) with a minus sign: δX = η · dx1. */
  dx1: Float64Array;
  /** a₁ = ∇ε·dx1: δε = a₁ η + O(η²). */
  coef: number;
  /** ¼ tr Φ(X*) (= a₁ when P* = 0, docs/theory.md §9.2). */
  quarterTracePhi: number;
  /** b of the O(η/N) mean correction η b/N (docs/theory.md §9.5), Monte Carlo; NaN when P* ≠ 0. */
  finiteNCoef: number;
  /** Its Monte Carlo standard error. */
  finiteNCoefSe: number;
  /** ½ tr((S P₁)²): Var_Wishart = (η²/N)(1 − M/N) · this (docs/theory.md §9.4). */
  wishartCoef: number;
  /** ∂Φ̂/∂x at X* (the chord Jacobian of the Newton solve for X_η). */
  dPhi: Float64Array;
  flowJacobian: PackedJacobian;
  phiHat: (x: ArrayLike<number>, out: Float64Array) => void;
  phiJacobian: (x: ArrayLike<number>) => Float64Array;
  residual: (x: Float64Array, out: Float64Array) => void;
  unpack: (x: ArrayLike<number>, Q: Float64Array, R: Float64Array) => void;
  size: number;
  options: SgdPredictionOptions;
}

export interface SgdLevelPrediction {
  eta: number;
  level: number;
  coef: number;
  /** First-order shift δX = −η J⁻¹ Φ̂(X*) (packed). */
  deltaX: Float64Array;
  /** η a₁. */
  shiftFirst: number;
  /** Stationary point X_η of the SGD ODE (packed), or null when Newton failed. */
  xEta: Float64Array | null;
  /** max|F + η Φ̂| at xEta. */
  etaResidual: number;
  newtonIterations: number;
  /** ε(X_η) and ε(X_η) − ε*. */
  levelOde: number;
  shiftOde: number;
  /** J(X_η) stable (the Lyapunov equations are solvable). */
  stable: boolean;
  /** Var ε = (η/N) varCoef: with C = Cov f only, and with C = Cov(f + η h). */
  varCoefLeading: number;
  varCoef: number;
  /** Monte Carlo standard error of varCoef. */
  varCoefSe: number;
  /** 'closed-form': Cov f exact, the O(η) rest by Monte Carlo; 'monte-carlo': all of C sampled. */
  cMethod: 'closed-form' | 'monte-carlo';
  /** Integrated autocorrelation time of ε: ∇εᵀ (−J)⁻¹ Σ ∇ε / ∇εᵀ Σ ∇ε. */
  tauInt: number;
  /** Σ̃ = (N/η) Σ at X_η with C = Cov f (n_x × n_x), or null when unstable. */
  sigma: Float64Array | null;
  /** Y solving Jᵀ Y + Y J + ∇ε ∇εᵀ = 0 at X_η (Var ε = (η/N) tr(C Y)), or null when unstable. */
  dual: Float64Array | null;
  /** ∇ε at X_η (packed). */
  gradient: Float64Array | null;
  /** Residuals of the two Lyapunov solves (relative). */
  lyapunovResidual: number;
  context: SgdLevelContext;
}

/** Packed ∇ε: ∂ε/∂Q_kl = G_kl + G_lk (k < l), G_kk, ∂ε/∂R_km = H_km (docs/theory.md §9.2). */
export function packedLossGradient(act: Activation, K: number, M: number, T: Float64Array, Q: Float64Array, R: Float64Array): { loss: number; grad: Float64Array } {
  const G = new Float64Array(K * K);
  const H = new Float64Array(K * M);
  const loss = makeLossGradients(act, K, M, T)(Q, R, G, H);
  const nq = (K * (K + 1)) / 2;
  const grad = new Float64Array(nq + K * M);
  let i = 0;
  for (let k = 0; k < K; k++) for (let l = k; l < K; l++) grad[i++] = k === l ? G[k * K + k] : G[k * K + l] + G[l * K + k];
  grad.set(H, nq);
  return { loss, grad };
}

const dotv = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};

/** The out-of-span part P = Q − R T⁻¹ Rᵀ (docs/theory.md §1). */
export function outOfSpan(K: number, M: number, Q: ArrayLike<number>, R: ArrayLike<number>, T: ArrayLike<number>): Float64Array {
  const TinvRt = solveMany(T, transposeOf(R, K, M), M, K);
  if (!TinvRt) throw new RangeError('outOfSpan: T is singular');
  const RTR = matMul(R, TinvRt, K, M, K);
  const P = new Float64Array(K * K);
  for (let i = 0; i < K * K; i++) P[i] = Q[i] - RTR[i];
  return P;
}

function transposeOf(A: ArrayLike<number>, n: number, m: number): Float64Array {
  const out = new Float64Array(n * m);
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) out[j * n + i] = A[i * m + j];
  return out;
}

/**
 * The η- and N-independent part at a fixed point (Q*, R*) of the gradient flow: J(X*), Φ̂(X*),
 * the first-order coefficient a₁, ∂Φ̂/∂x, the Wishart and O(η/N) coefficients.
 */
export function prepareSgdLevel(
  act: Activation, K: number, M: number, Q: ArrayLike<number>, R: ArrayLike<number>, T: Float64Array,
  options: Partial<SgdPredictionOptions> = {},
): SgdLevelContext {
  const opts = { ...SGD_PREDICTION_DEFAULTS, ...options };
  const full = makeFullResidual(act, K, M, T);
  const n = full.size;
  const x = full.pack(Q, R);
  const Qs = new Float64Array(K * K);
  const Rs = new Float64Array(K * M);
  full.unpack(x, Qs, Rs);
  const F = new Float64Array(n);
  full.residual(x, F);
  const flowJacobian = opts.flowJacobian ?? packedFlowJacobian(act, K, M, T);
  const ph = makePhiHat(act, K, M, T);
  const phi = new Float64Array(n);
  ph.phiHat(x, phi);
  const J = flowJacobian(x);
  const sol = solveMany(J, phi, n, 1);
  const dx1 = new Float64Array(n);
  if (sol) for (let i = 0; i < n; i++) dx1[i] = -sol[i];
  else dx1.fill(NaN);
  const { loss, grad } = packedLossGradient(act, K, M, T, Qs, Rs);
  const coef = dotv(grad, dx1);
  let trPhi = 0;
  for (let k = 0, i = 0; k < K; k++) {
    trPhi += phi[i];
    i += K - k;
  }
  const pNorm = maxAbs(outOfSpan(K, M, Qs, Rs, T));
  // Wishart coefficient: S P₁ + P₁ S = Φ, i.e. (−S) P₁ + P₁ (−S) + Φ = 0.
  const G = new Float64Array(K * K);
  const H = new Float64Array(K * M);
  makeLossGradients(act, K, M, T)(Qs, Rs, G, H);
  const negS = new Float64Array(K * K);
  const PhiM = new Float64Array(K * K);
  for (let k = 0, i = 0; k < K; k++)
    for (let l = k; l < K; l++, i++) {
      negS[k * K + l] = negS[l * K + k] = -(G[k * K + l] + G[l * K + k]);
      PhiM[k * K + l] = PhiM[l * K + k] = phi[i];
    }
  const P1 = solveLyapunov(negS, PhiM, K);
  let wishartCoef = NaN;
  if (P1) {
    const SP = matMul(negS, P1.X, K, K, K);
    let t = 0;
    for (let i = 0; i < K; i++) for (let j = 0; j < K; j++) t += SP[i * K + j] * SP[j * K + i];
    wishartCoef = 0.5 * t;
  }
  const mc = pNorm < 1e-8 ? meanCorrection(act, K, M, Qs, Rs, T, opts.meanSamples, opts.seed) : { value: NaN, se: NaN };
  return {
    act, K, M, T, x, level: loss, rhsNorm: maxAbs(F), pNorm, dx1, coef, quarterTracePhi: trPhi / 4, finiteNCoef: mc.value, finiteNCoefSe: mc.se, wishartCoef,
    dPhi: ph.jacobian(x), flowJacobian, phiHat: ph.phiHat, phiJacobian: ph.jacobian, residual: full.residual, unpack: full.unpack,
    size: n, options: opts,
  };
}

/**
 * b = ¼ Σ_k E[Δ² g′(λ_k)² (νᵀ T⁻¹ ν − M)] at a point with P = 0 (docs/theory.md §9.5), by Monte Carlo
 * over z ~ N(0, Ω): per sample Σ_k (f_R,k·ᵀ T⁻¹ f_R,k· − M h_kk), since f_R,km = −Δ g′(λ_k) ν_m and
 * h_kk = Δ² g′(λ_k)². (The closed form of sgd-noise.ts does not apply: at P = 0 the block-symmetric
 * fixed points make some four of the variables (λ, ν) linearly dependent.) Returns value and standard error.
 */
function meanCorrection(act: Activation, K: number, M: number, Q: Float64Array, R: Float64Array, T: Float64Array, samples: number, seed: number): { value: number; se: number } {
  const Tinv = solveMany(T, identity(M), M, M)!;
  const nq = (K * (K + 1)) / 2;
  const sample = makeNoiseSampler(act, K, M, Q, R, T, createRng(seed, 'sgd-prediction-mean'));
  const f = new Float64Array(nq + K * M);
  const h = new Float64Array(nq + K * M);
  let s1 = 0;
  let s2 = 0;
  for (let t = 0; t < samples; t++) {
    sample(f, h);
    let v = 0;
    for (let k = 0, i = 0; k < K; k++) {
      let q = 0;
      for (let m = 0; m < M; m++) for (let p = 0; p < M; p++) q += Tinv[m * M + p] * f[nq + k * M + m] * f[nq + k * M + p];
      v += 0.25 * (q - M * h[i]);
      i += K - k;
    }
    s1 += v;
    s2 += v * v;
  }
  const mean = s1 / samples;
  return { value: mean, se: Math.sqrt(Math.max(0, s2 / samples - mean * mean) / Math.max(1, samples - 1)) };
}

/** The prediction at learning rate η (N-independent; see sgdPredictionAtN). */
export function predictSgdLevel(ctx: SgdLevelContext, eta: number): SgdLevelPrediction {
  const { act, K, M, T, size: n, options: opts } = ctx;
  const deltaX = Float64Array.from(ctx.dx1, (v) => eta * v);
  const shiftFirst = eta * ctx.coef;
  // X_η: Newton with the chord Jacobian J_F(x) + η ∂Φ̂(X*), from X* + δX.
  const F = new Float64Array(n);
  const ph = new Float64Array(n);
  const r = new Float64Array(n);
  const res = (y: Float64Array) => {
    ctx.residual(y, F);
    ctx.phiHat(y, ph);
    for (let i = 0; i < n; i++) r[i] = F[i] + eta * ph[i];
    return maxAbs(r);
  };
  let x = Float64Array.from(ctx.x, (v, i) => v + deltaX[i]);
  let norm = res(x);
  let it = 0;
  for (; it < 60 && norm > opts.tol; it++) {
    const J = ctx.flowJacobian(x);
    for (let i = 0; i < n * n; i++) J[i] += eta * ctx.dPhi[i];
    const d = solveMany(J, r, n, 1);
    if (!d) break;
    const xn = Float64Array.from(x, (v, i) => v - d[i]);
    const nn = res(xn);
    if (!(nn < norm)) {
      res(x);
      break;
    }
    x = xn;
    norm = nn;
  }
  const ok = norm <= Math.max(opts.tol, 1e-10);
  const Q = new Float64Array(K * K);
  const R = new Float64Array(K * M);
  ctx.unpack(x, Q, R);
  const { loss: levelOde, grad } = packedLossGradient(act, K, M, T, Q, R);
  const base = {
    eta, level: ctx.level, coef: ctx.coef, deltaX, shiftFirst, xEta: ok ? x : null, etaResidual: norm, newtonIterations: it,
    levelOde: ok ? levelOde : NaN, shiftOde: ok ? levelOde - ctx.level : NaN, context: ctx,
  };
  const unstable = { ...base, stable: false, varCoefLeading: NaN, varCoef: NaN, varCoefSe: NaN, cMethod: 'closed-form' as const, tauInt: NaN, sigma: null, dual: null, gradient: null, lyapunovResidual: NaN };
  if (!ok) return unstable;
  // J at X_η (with the η ∂Φ̂ term), the dual solution Y and the covariance of f.
  const J = ctx.flowJacobian(x);
  const dPhi = ctx.phiJacobian(x);
  for (let i = 0; i < n * n; i++) J[i] += eta * dPhi[i];
  const Jt = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) Jt[j * n + i] = J[i * n + j];
  const ggT = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) ggT[i * n + j] = grad[i] * grad[j];
  const Y = solveLyapunov(Jt, ggT, n);
  if (!Y) return unstable;
  let cf: Float64Array | null = null;
  if (act.name === 'relu' && opts.noise === 'auto') {
    try {
      cf = noiseCovariance(reluNoiseMoments(K, M, Q, R, T)).C;
    } catch {
      cf = null;
    }
  }
  // Monte Carlo: per sample u = f − F(X_η) (E f = F exactly), v = h − Φ̂(X_η);
  // closed form: value = 2η uᵀYv + η² vᵀYv; otherwise value = (u + ηv)ᵀ Y (u + ηv).
  ctx.residual(x, F);
  ctx.phiHat(x, ph);
  const sample = makeNoiseSampler(act, K, M, Q, R, T, createRng(opts.seed, 'sgd-prediction-noise', eta));
  const f = new Float64Array(n);
  const h = new Float64Array(n);
  const w = new Float64Array(n);
  const Yw = new Float64Array(n);
  const Yv = Y.X;
  let s1 = 0;
  let s2 = 0;
  const nq = (K * (K + 1)) / 2;
  for (let t = 0; t < opts.samples; t++) {
    sample(f, h);
    for (let i = 0; i < n; i++) f[i] -= F[i];
    for (let i = 0; i < nq; i++) h[i] -= ph[i];
    let val: number;
    if (cf) {
      // Y v (v lives in the first nq coordinates)
      for (let i = 0; i < n; i++) {
        let s = 0;
        const io = i * n;
        for (let j = 0; j < nq; j++) s += Yv[io + j] * h[j];
        Yw[i] = s;
      }
      let uYv = 0;
      let vYv = 0;
      for (let i = 0; i < n; i++) uYv += f[i] * Yw[i];
      for (let i = 0; i < nq; i++) vYv += h[i] * Yw[i];
      val = 2 * eta * uYv + eta * eta * vYv;
    } else {
      for (let i = 0; i < n; i++) w[i] = f[i] + (i < nq ? eta * h[i] : 0);
      val = bilinear(w, Yv, w, n);
    }
    s1 += val;
    s2 += val * val;
  }
  const S = opts.samples;
  const mcMean = s1 / S;
  const mcSe = Math.sqrt(Math.max(0, s2 / S - mcMean * mcMean) / Math.max(1, S - 1));
  let varCoefLeading: number;
  let varCoef: number;
  let sigma: Float64Array | null = null;
  let tauInt = NaN;
  let lyap = Y.residual;
  if (cf) {
    const Sig = solveLyapunov(J, cf, n);
    if (!Sig) return unstable;
    sigma = Sig.X;
    lyap = Math.max(lyap, Sig.residual);
    varCoefLeading = bilinear(grad, sigma, grad, n);
    varCoef = varCoefLeading + mcMean;
    const Sg = matMul(sigma, grad, n, n, 1);
    const JinvSg = solveMany(J, Sg, n, 1);
    if (JinvSg) tauInt = -dotv(grad, JinvSg) / varCoefLeading;
  } else {
    varCoefLeading = NaN;
    varCoef = mcMean;
  }
  return {
    ...base, stable: true, varCoefLeading, varCoef, varCoefSe: mcSe, cMethod: cf ? 'closed-form' : 'monte-carlo', tauInt, sigma,
    dual: Y.X, gradient: grad, lyapunovResidual: lyap,
  };
}

export interface SgdPredictionAtN {
  eta: number;
  N: number;
  level: number;
  shiftFirst: number;
  levelFirst: number;
  shiftOde: number;
  levelOde: number;
  /** η b/N (docs/theory.md §9.5) and its Monte Carlo standard error. */
  shiftFiniteN: number;
  shiftFiniteNSe: number;
  /** ε(X_η) + η b/N: the predicted time-averaged ε of SGD. */
  levelMean: number;
  /** Predicted sd of ε: √((η/N) varCoef), its Monte Carlo standard error, the leading-order
   *  (C = Cov f) value and the Wishart term alone. */
  sd: number;
  sdSe: number;
  sdLeading: number;
  sdWishart: number;
  tauInt: number;
}

/** The N-independent numbers an η prediction scales from (e.g. a row of a theory CSV). */
export interface SgdPredictionNumbers {
  eta: number;
  M: number;
  level: number;
  shiftFirst: number;
  shiftOde: number;
  varCoef: number;
  varCoefSe: number;
  varCoefLeading: number;
  tauInt: number;
  finiteNCoef: number;
  finiteNCoefSe: number;
  wishartCoef: number;
}

/**
 * Scales to dimension N (docs/theory.md §9.3–9.5): Var ε = (η/N) varCoef, the mean shift
 * ε(X_η) − ε* + η b/N, the Wishart variance (η²/N)(1 − M/N) · ½ tr((S P₁)²).
 */
export function scaleToN(p: SgdPredictionNumbers, N: number): SgdPredictionAtN {
  const { eta } = p;
  const sd = Math.sqrt((eta / N) * p.varCoef);
  const shiftFiniteN = (eta * p.finiteNCoef) / N;
  return {
    eta, N, level: p.level, shiftFirst: p.shiftFirst, levelFirst: p.level + p.shiftFirst, shiftOde: p.shiftOde, levelOde: p.level + p.shiftOde,
    shiftFiniteN, shiftFiniteNSe: (eta * p.finiteNCoefSe) / N, levelMean: p.level + p.shiftOde + shiftFiniteN,
    sd, sdSe: (0.5 * (eta / N) * p.varCoefSe) / sd, sdLeading: Math.sqrt((eta / N) * p.varCoefLeading),
    sdWishart: eta * Math.sqrt(((1 - p.M / N) * p.wishartCoef) / N), tauInt: p.tauInt,
  };
}

/** The N-independent numbers of an η prediction (what scaleToN scales, docs/theory.md §9.3–9.5). */
export function sgdPredictionNumbers(p: SgdLevelPrediction): SgdPredictionNumbers {
  const c = p.context;
  return {
    eta: p.eta, M: c.M, level: p.level, shiftFirst: p.shiftFirst, shiftOde: p.shiftOde, varCoef: p.varCoef, varCoefSe: p.varCoefSe,
    varCoefLeading: p.varCoefLeading, tauInt: p.tauInt, finiteNCoef: c.finiteNCoef, finiteNCoefSe: c.finiteNCoefSe, wishartCoef: c.wishartCoef,
  };
}

/** Scales an η prediction to dimension N. */
export function sgdPredictionAtN(p: SgdLevelPrediction, N: number): SgdPredictionAtN {
  return scaleToN(sgdPredictionNumbers(p), N);
}

/** The analytic gradient-flow Jacobian ∂F/∂x in the packed coordinates of docs/theory.md §8.1 (theory/jacobian.ts). */
function packedFlowJacobian(act: Activation, K: number, M: number, T: Float64Array): PackedJacobian {
  const jac = makeFlowJacobian(act, K, M, T, 'gd');
  return (x) => {
    const J = new Float64Array(jac.nx * jac.nx);
    jac.jacobianPacked(x, J);
    return J;
  };
}
