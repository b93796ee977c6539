// The η-drift of the SGD ODE (docs/theory.md §4.2) in the packed coordinates x = (Q_kl (k ≤ l), R_km)
// of docs/theory.md §8.1: Φ̂(x) = (Φ_kl (k ≤ l), 0), with
//   Φ_kl = Σ_{p,q} s_p s_q I4(λ_k, λ_l, z_p, z_q),
// and its Jacobian ∂Φ̂/∂x by central differences (step h·max(1, |x_j|)). A coordinate moves one
// pair of entries (i, j) of Ω, so only the I4 terms whose variables {k, l, p, q} contain both i and
// j change; the difference quotient is summed over those terms alone (about a tenth of the
// K(K+1)/2 · (K+M)(K+M+1)/2 terms per coordinate at K = M = 8). docs/theory.md §8.7 ("SGD ODE").
import type { Activation } from '../activations/index.js';
import { omegaMatrix } from './overlaps.js';
import { makePhi } from './sgd-flow.js';

interface Term {
  /** Packed row of Φ_kl. */
  row: number;
  /** The Ω indices of (λ_k, λ_l, z_p, z_q). */
  idx: [number, number, number, number];
  /** s_p s_q × (1 or 2 for p = q or p < q). */
  w: number;
}

/** Φ̂ and ∂Φ̂/∂x at packed x; T fixed. Throws if the activation has no I4. */
export function makePhiHat(act: Activation, K: number, M: number, T: Float64Array, h = 1e-6) {
  const I4 = act.I4;
  if (!I4) throw new Error(`activation ${act.name} has no I4: the SGD ODE needs it`);
  const P = K + M;
  const nq = (K * (K + 1)) / 2;
  const n = nq + K * M;
  const phi = makePhi(act, K, M, T);
  const Q = new Float64Array(K * K);
  const R = new Float64Array(K * M);
  const Phi = new Float64Array(K * K);
  const unpack = (x: ArrayLike<number>) => {
    let i = 0;
    for (let k = 0; k < K; k++) for (let l = k; l < K; l++) Q[k * K + l] = Q[l * K + k] = x[i++];
    for (let j = 0; j < K * M; j++) R[j] = x[nq + j];
  };
  // Ω pair moved by each coordinate, and the terms touching each pair.
  const pairOf: [number, number][] = [];
  for (let k = 0; k < K; k++) for (let l = k; l < K; l++) pairOf.push([k, l]);
  for (let k = 0; k < K; k++) for (let m = 0; m < M; m++) pairOf.push([k, K + m]);
  const terms: Term[] = [];
  let row = 0;
  for (let k = 0; k < K; k++)
    for (let l = k; l < K; l++, row++)
      for (let p = 0; p < P; p++)
        for (let q = p; q < P; q++) terms.push({ row, idx: [k, l, p, q], w: (p < K ? 1 : -1) * (q < K ? 1 : -1) * (p === q ? 1 : 2) });
  const touching = new Map<number, number[]>();
  terms.forEach((t, ti) => {
    const vars = [...new Set(t.idx)];
    for (const a of vars) for (const b of vars) if (a <= b) {
      const key = a * P + b;
      if (!touching.has(key)) touching.set(key, []);
      touching.get(key)!.push(ti);
    }
  });
  const C = new Float64Array(16);
  const i4 = (Om: Float64Array, idx: number[], a: number, b: number, dv: number): number => {
    for (let r = 0; r < 4; r++)
      for (let c = 0; c < 4; c++) {
        const u = idx[r], v = idx[c];
        C[r * 4 + c] = Om[u * P + v] + ((u === a && v === b) || (u === b && v === a) ? dv : 0);
      }
    return I4(C);
  };

  /** out = Φ̂(x) (length n). */
  const phiHat = (x: ArrayLike<number>, out: Float64Array): void => {
    unpack(x);
    phi(Q, R, Phi);
    out.fill(0);
    let i = 0;
    for (let k = 0; k < K; k++) for (let l = k; l < K; l++) out[i++] = Phi[k * K + l];
  };

  /** ∂Φ̂/∂x at x (n×n, row-major; rows of R are zero). */
  const jacobian = (x: ArrayLike<number>): Float64Array => {
    unpack(x);
    const Om = omegaMatrix(K, M, Q, R, T);
    const J = new Float64Array(n * n);
    for (let j = 0; j < n; j++) {
      const [a, b] = pairOf[j];
      const hj = h * Math.max(1, Math.abs(x[j]));
      for (const ti of touching.get(a * P + b) ?? []) {
        const t = terms[ti];
        const d = i4(Om, t.idx, a, b, hj) - i4(Om, t.idx, a, b, -hj);
        J[t.row * n + j] += (t.w * d) / (2 * hj);
      }
    }
    return J;
  };
  return { phiHat, jacobian, size: n };
}
