// Gradient flow of docs/theory.md §3 integrated on weights of minimal dimension instead of on
// (Q, R) (docs/theory.md §11.8).
//
// With an orthonormal teacher (T = I) realised as u* = [I_M | 0], any state with PSD
// Ω = [[Q, R], [Rᵀ, I]] is u = [R | P] (K × (M + p)) with P Pᵀ = Q − R Rᵀ, p = rank(Q − R Rᵀ), and
//   Q = u uᵀ = R Rᵀ + P Pᵀ,   du/dτ = −(S u + H u*)  ⇔  dR/dτ = −(S R + H),  dP/dτ = −S P.
// This is the same flow (dQ/dτ = −(S Q + Q S + H Rᵀ + R Hᵀ) follows from the product rule), so a
// trajectory started from u0 has (Q, R) = (u uᵀ, u u*ᵀ) at every τ. For the Gaussian
// initialisation of docs/theory.md §5 in dimension d: p = min(d, K + M) − M, so d = M (the ensemble
// default) gives p = 0 and the state is R alone (K·M numbers instead of K² + K·M), and one RHS
// costs ½ K² M (Q = u uᵀ) + K² M (S u) multiply-adds instead of K³ + 2 K² M.
//
// The two products, Q = u uᵀ and du = −(S u + [H | 0]), come from a `WeightProducts`: the JS loops
// below, or the WASM SIMD kernels of theory/flow-weights-wasm.ts; the Gaussian integrals
// (gradients.ts) are shared.
import type { Activation } from '../activations/index.js';
import { makeLossGradients } from './gradients.js';
import { choleskyPsd } from '../linalg/cholesky.js';
import { identity } from '../linalg/vector.js';

/**
 * The buffers and the two products of one weight flow (K students, M teachers, c = M + p columns).
 * gram() writes Q = u uᵀ from u; su() writes du = −(S u + [H | 0]) from u, S and H. The buffers may
 * be views into WASM memory: the flow writes u, S, H, G, R into them and reads Q and du back.
 */
export interface WeightProducts {
  u: Float64Array;
  du: Float64Array;
  Q: Float64Array;
  S: Float64Array;
  G: Float64Array;
  R: Float64Array;
  H: Float64Array;
  gram(): void;
  su(): void;
}

/**
 * The products in JS: Q_kl = Σ_i u_ki u_li (k ≤ l, mirrored) in 2×2 blocks of dot products (each
 * load feeds two products); du_k = −(Σ_j S_kj u_j + [H_k | 0]) four rows u_j per pass over du_k.
 */
export function jsWeightProducts(K: number, M: number, c: number): WeightProducts {
  const u = new Float64Array(K * c);
  const du = new Float64Array(K * c);
  const Q = new Float64Array(K * K);
  const S = new Float64Array(K * K);
  const H = new Float64Array(K * M);
  function gram(): void {
    let k = 0;
    for (; k + 1 < K; k += 2) {
      const o0 = k * c;
      const o1 = o0 + c;
      // the 2×2 diagonal block (k, k+1)
      let d00 = 0, d01 = 0, d11 = 0;
      for (let i = 0; i < c; i++) {
        const x0 = u[o0 + i];
        const x1 = u[o1 + i];
        d00 += x0 * x0;
        d01 += x0 * x1;
        d11 += x1 * x1;
      }
      Q[k * K + k] = d00;
      Q[k * K + k + 1] = Q[(k + 1) * K + k] = d01;
      Q[(k + 1) * K + k + 1] = d11;
      let l = k + 2;
      for (; l + 1 < K; l += 2) {
        const p0 = l * c;
        const p1 = p0 + c;
        let a00 = 0, a01 = 0, a10 = 0, a11 = 0;
        for (let i = 0; i < c; i++) {
          const x0 = u[o0 + i];
          const x1 = u[o1 + i];
          const y0 = u[p0 + i];
          const y1 = u[p1 + i];
          a00 += x0 * y0;
          a01 += x0 * y1;
          a10 += x1 * y0;
          a11 += x1 * y1;
        }
        Q[k * K + l] = Q[l * K + k] = a00;
        Q[k * K + l + 1] = Q[(l + 1) * K + k] = a01;
        Q[(k + 1) * K + l] = Q[l * K + k + 1] = a10;
        Q[(k + 1) * K + l + 1] = Q[(l + 1) * K + k + 1] = a11;
      }
      if (l < K) {
        const p0 = l * c;
        let a0 = 0, a1 = 0;
        for (let i = 0; i < c; i++) {
          a0 += u[o0 + i] * u[p0 + i];
          a1 += u[o1 + i] * u[p0 + i];
        }
        Q[k * K + l] = Q[l * K + k] = a0;
        Q[(k + 1) * K + l] = Q[l * K + k + 1] = a1;
      }
    }
    if (k < K) {
      const o0 = k * c;
      let a = 0;
      for (let i = 0; i < c; i++) a += u[o0 + i] * u[o0 + i];
      Q[k * K + k] = a;
    }
  }
  function su(): void {
    for (let k = 0; k < K; k++) {
      const ok = k * c;
      const sk = k * K;
      for (let m = 0; m < M; m++) du[ok + m] = H[k * M + m];
      for (let i = M; i < c; i++) du[ok + i] = 0;
      let j = 0;
      for (; j + 3 < K; j += 4) {
        const s0 = S[sk + j], s1 = S[sk + j + 1], s2 = S[sk + j + 2], s3 = S[sk + j + 3];
        const q0 = j * c, q1 = q0 + c, q2 = q1 + c, q3 = q2 + c;
        for (let i = 0; i < c; i++) du[ok + i] += s0 * u[q0 + i] + s1 * u[q1 + i] + s2 * u[q2 + i] + s3 * u[q3 + i];
      }
      for (; j < K; j++) {
        const s = S[sk + j];
        const q = j * c;
        for (let i = 0; i < c; i++) du[ok + i] += s * u[q + i];
      }
      for (let i = 0; i < c; i++) du[ok + i] = -du[ok + i];
    }
  }
  return { u, du, Q, S, G: new Float64Array(K * K), R: new Float64Array(K * M), H, gram, su };
}

export interface WeightFlow {
  K: number;
  M: number;
  /** Columns outside the teacher span (u is K × (M + p)). */
  p: number;
  /** State length K·(M + p). */
  n: number;
  /** Writes du/dτ = −(S u + H u*) at u and returns ε. */
  rhs(u: Float64Array, du: Float64Array): number;
  /** Writes Q = u uᵀ (K×K) and R = u u*ᵀ (K×M) of a state. */
  overlaps(u: ArrayLike<number>, Q: Float64Array, R: Float64Array): void;
}

/**
 * The flow on u = [R | P] for K students, M teachers, T = I and p extra columns (see the header),
 * with the given products (default: JS).
 */
export function makeWeightFlow(act: Activation, K: number, M: number, p: number, products: WeightProducts = jsWeightProducts(K, M, M + p)): WeightFlow {
  const c = M + p;
  const lossGradients = makeLossGradients(act, K, M, identity(M));
  const { u: U, du: DU, Q, S, G, R, H } = products;
  /** R = u[:, :M]. */
  const teacherPart = (u: ArrayLike<number>, Ro: Float64Array) => {
    for (let k = 0; k < K; k++) for (let m = 0; m < M; m++) Ro[k * M + m] = u[k * c + m];
  };
  function overlaps(u: ArrayLike<number>, Qo: Float64Array, Ro: Float64Array): void {
    U.set(u);
    products.gram();
    Qo.set(Q);
    teacherPart(u, Ro);
  }
  /** du = −(S u + [H | 0]) with S = G + Gᵀ (docs/theory.md §3 weight gradient); returns ε. */
  function rhs(u: Float64Array, du: Float64Array): number {
    U.set(u);
    products.gram();
    teacherPart(u, R);
    const e = lossGradients(Q, R, G, H);
    for (let k = 0; k < K; k++) for (let l = k; l < K; l++) S[k * K + l] = S[l * K + k] = G[k * K + l] + G[l * K + k];
    products.su();
    du.set(DU);
    return e;
  }
  return { K, M, p, n: K * c, rhs, overlaps };
}

/**
 * max|RHS| of the (Q, R) flow at a weight state u with du = du/dτ (docs/theory.md §3 product rule):
 * max(max_{k≤l} |(du uᵀ + u duᵀ)_kl|, max |du u*ᵀ|), du u*ᵀ = du[:, :M]. NaN propagates.
 */
export function qrRhsNorm(K: number, M: number, p: number, u: ArrayLike<number>, du: ArrayLike<number>): number {
  const c = M + p;
  let mx = 0;
  for (let k = 0; k < K; k++)
    for (let m = 0; m < M; m++) {
      const a = Math.abs(du[k * c + m]);
      if (!(a <= mx)) mx = a;
    }
  for (let k = 0; k < K; k++)
    for (let l = k; l < K; l++) {
      let s = 0;
      for (let i = 0; i < c; i++) s += du[k * c + i] * u[l * c + i] + u[k * c + i] * du[l * c + i];
      const a = Math.abs(s);
      if (!(a <= mx)) mx = a;
    }
  return mx;
}

/**
 * A state u = [R | P] realising (Q, R) with T = I: P from a semidefinite Cholesky factor of
 * Z = Q − R Rᵀ (pivots ≤ tol·max Q_kk dropped, so a Gaussian start with d = M gives p = 0).
 * Returns null when Z is not PSD (beyond tol): then (Q, R) has no realisation with u* = [I | 0].
 */
export function realiseWeightState(K: number, M: number, Q: ArrayLike<number>, R: ArrayLike<number>, tol = 1e-10): { u: Float64Array; p: number } | null {
  const Z = new Float64Array(K * K);
  let scale = 0;
  for (let k = 0; k < K; k++) {
    for (let l = 0; l < K; l++) {
      let s = 0;
      for (let m = 0; m < M; m++) s += R[k * M + m] * R[l * M + m];
      Z[k * K + l] = 0.5 * (Q[k * K + l] + Q[l * K + k]) - s;
    }
    scale = Math.max(scale, Math.abs(Q[k * K + k]));
  }
  // tolerance relative to Q's scale (Z may be exactly zero up to round-off)
  const zeroBelow = tol * Math.max(scale, 1e-300);
  for (let i = 0; i < K * K; i++) if (Math.abs(Z[i]) <= zeroBelow) Z[i] = 0;
  const fac = choleskyPsd(Z, K, tol);
  const cols: number[] = [];
  if (fac) {
    for (let j = 0; j < K; j++) if (fac.L[j * K + j] !== 0) cols.push(j);
  } else {
    // a pivot below −tol: not PSD, unless Z is round-off throughout
    let zmax = 0;
    for (let k = 0; k < K; k++) zmax = Math.max(zmax, Math.abs(Z[k * K + k]));
    if (zmax > zeroBelow) return null;
  }
  const p = cols.length;
  const c = M + p;
  const u = new Float64Array(K * c);
  for (let k = 0; k < K; k++) {
    for (let m = 0; m < M; m++) u[k * c + m] = R[k * M + m];
    cols.forEach((j, t) => (u[k * c + M + t] = fac!.L[k * K + j]));
  }
  return { u, p };
}
