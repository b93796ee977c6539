// Analytic Jacobians of the order-parameter flows (docs/theory.md §8; the flows of §3, §4.4,
// §4.5) with respect to the state y = [Q (K·K, row-major, every entry), R (K·M) (, v (K) for
// 2L-GD)] exactly as the integrators see it, and (gd) with respect to the symmetric packing x = [Q_kl (k ≤ l), R_km] of
// makeFullResidual (src/theory/fixed-points.ts) used by Newton.
//
// With A = S Q + H Rᵀ and B = S R + H T (src/theory/flow.ts), a change δy moves
//   δA = δS Q + S δQ + δH Rᵀ + H δRᵀ,   δB = δS R + S δR + δH T,
// where δS, δH come from second derivatives of I2 (docs/theory.md §8.3–8.4,
// src/activations/second.ts). The gradients read only the diagonal and the upper triangle of Q (gradients.ts), so a lower-triangle entry Q_lk
// (l > k) enters through the products S Q alone. Each term of
//   ε = Σ_k ½ v_k² I2(Q_kk, Q_kk, Q_kk) + Σ_{k<l} v_k v_l I2(Q_kk, Q_ll, Q_kl) − Σ_{k,m} v_k I2(Q_kk, T_mm, R_km) + const
// (v ≡ 1 except for 2L-GD) depends on at most three entries, so δS, δH for a unit direction are
// sparse and one column of the Jacobian costs O(K (K + M)).
//   gd / 2l: F_Q = −(A + Aᵀ), F_R = −B (2l: F_v = −κ ∂ε/∂v)
//   ngd:     F_Q = −(A + Aᵀ − D Q − Q D), F_R = −(B − D R), D_k = A_kk/Q_kk
//   ongd:    F_Q = 0, F_R = −(B − ½ (A + Aᵀ) R)
import type { Activation } from '../activations/index.js';
import { teacherTerm } from './loss.js';
import { D_A, D_AA, D_AB, D_AC, D_B, D_BB, D_BC, D_C, D_CC, D_I2, i2SecondOf, selfSecondOf } from '../activations/second.js';
import { isIdentity } from '../linalg/vector.js';

export type JacobianFlow = 'gd' | 'ngd' | 'ongd' | '2l';

export interface FlowJacobian {
  flow: JacobianFlow;
  K: number;
  M: number;
  /** State length K² + KM (+ K for 2l). */
  n: number;
  /** Packed length K(K+1)/2 + KM (gd only). */
  nx: number;
  /** Dense J = ∂F/∂y (n×n, row-major, J[i·n + j] = ∂F_i/∂y_j) at y; returns ε(y). */
  jacobian(y: Float64Array, J: Float64Array): number;
  /** gd only: dense ∂F_x/∂x (nx×nx) of the packed residual of makeFullResidual at x; returns ε. */
  jacobianPacked(x: ArrayLike<number>, J: Float64Array): number;
  /** Writes F(y) (the flow's right-hand side, from the same prepared quantities) and returns ε. */
  rhs(y: Float64Array, dy: Float64Array): number;
}

/** The Jacobian of flow `flow` for K students, M teachers and teacher overlaps T (κ: 2l learning-rate ratio). */
export function makeFlowJacobian(act: Activation, K: number, M: number, T: Float64Array, flow: JacobianFlow = 'gd', kappa = 1): FlowJacobian {
  const KK = K * K;
  const KM = K * M;
  const is2l = flow === '2l';
  const n = KK + KM + (is2l ? K : 0);
  const nx = (K * (K + 1)) / 2 + KM;
  const d2 = i2SecondOf(act);
  const self2 = selfSecondOf(act);
  const eT = teacherTerm(act, M, T);
  const tIsIdentity = isIdentity(T, M);
  // state views and per-point quantities
  const Q = new Float64Array(KK);
  const R = new Float64Array(KM);
  const v = new Float64Array(K).fill(1);
  const S = new Float64Array(KK);
  const H = new Float64Array(KM);
  const A = new Float64Array(KK);
  const B = new Float64Array(KM);
  const gv = new Float64Array(K);
  const D = new Float64Array(K);
  const P = new Float64Array(KK * 10); // pair (k < l): derivatives of I2(Q_kk, Q_ll, Q_kl)
  const Tt = new Float64Array(KM * 10); // teacher (k, m): derivatives of I2(Q_kk, T_mm, R_km)
  const selfP = new Float64Array(K); // ∂a + ∂b + ∂c of I2 at (Q_kk, Q_kk, Q_kk) = d/dq I2(q, q, q)
  const selfI = new Float64Array(K); // I2(Q_kk, Q_kk, Q_kk)
  const self2v = new Float64Array(K); // d²/dq² ½ I2(q, q, q)
  const tmp = new Float64Array(10);
  const p4 = new Float64Array(4);
  const col = new Float64Array(KK + KM + K); // tangent column [δA | δB | δgv]
  const dS = new Float64Array(KK); // scratch δS for the v-columns and the Q_kk columns (dense rows/cols touched)
  let loss = 0;

  /** ε, S, H, A, B, gv and every term's I2 derivatives at (Q, R, v). */
  function prepare(): number {
    let e = eT;
    S.fill(0);
    gv.fill(0);
    for (let k = 0; k < K; k++) {
      const q = Q[k * K + k];
      act.I2Partials(q, q, q, p4);
      selfI[k] = p4[0];
      selfP[k] = p4[1] + p4[2] + p4[3];
      self2v[k] = self2(q);
      const vk = v[k];
      e += 0.5 * vk * vk * p4[0];
      S[k * K + k] += vk * vk * selfP[k]; // 2·G_kk(self) = 2 · ½ v_k² (∂a + ∂b + ∂c)
      gv[k] += vk * p4[0];
      for (let l = k + 1; l < K; l++) {
        const o = (k * K + l) * 10;
        d2(q, Q[l * K + l], Q[k * K + l], tmp);
        P.set(tmp, o);
        const w = vk * v[l];
        e += w * tmp[D_I2];
        S[k * K + k] += 2 * w * tmp[D_A];
        S[l * K + l] += 2 * w * tmp[D_B];
        S[k * K + l] = S[l * K + k] = w * tmp[D_C];
        gv[k] += v[l] * tmp[D_I2];
        gv[l] += vk * tmp[D_I2];
      }
      for (let m = 0; m < M; m++) {
        const o = (k * M + m) * 10;
        d2(q, T[m * M + m], R[k * M + m], tmp);
        Tt.set(tmp, o);
        e -= vk * tmp[D_I2];
        S[k * K + k] -= 2 * vk * tmp[D_A];
        H[k * M + m] = -vk * tmp[D_C];
        gv[k] -= tmp[D_I2];
      }
    }
    for (let k = 0; k < K; k++) {
      for (let l = 0; l < K; l++) {
        let a = 0;
        for (let j = 0; j < K; j++) a += S[k * K + j] * Q[j * K + l];
        for (let m = 0; m < M; m++) a += H[k * M + m] * R[l * M + m];
        A[k * K + l] = a;
      }
      for (let m = 0; m < M; m++) {
        let b = 0;
        for (let j = 0; j < K; j++) b += S[k * K + j] * R[j * M + m];
        for (let p = 0; p < M; p++) b += H[k * M + p] * T[p * M + m];
        B[k * M + m] = b;
      }
    }
    if (flow === 'ngd') for (let k = 0; k < K; k++) D[k] = A[k * K + k] / Q[k * K + k];
    loss = e;
    return e;
  }

  /** Copies Q, R (and v) out of a state y = [Q, R (, v)]. */
  function load(y: ArrayLike<number>): void {
    for (let i = 0; i < KK; i++) Q[i] = y[i];
    for (let i = 0; i < KM; i++) R[i] = y[KK + i];
    if (is2l) for (let k = 0; k < K; k++) v[k] = y[KK + KM + k];
  }

  // --- sparse updates of the tangent column ---
  /** δS_ij = val: δA[i, :] += val·Q[j, :], δB[i, :] += val·R[j, :]. */
  function addS(i: number, j: number, val: number): void {
    if (val === 0) return;
    const ai = i * K;
    const jk = j * K;
    for (let l = 0; l < K; l++) col[ai + l] += val * Q[jk + l];
    const bi = KK + i * M;
    const jm = j * M;
    for (let m = 0; m < M; m++) col[bi + m] += val * R[jm + m];
  }
  /** δH_im = val: δA[i, l] += val·R[l, m], δB[i, :] += val·T[m, :]. */
  function addH(i: number, m: number, val: number): void {
    if (val === 0) return;
    const ai = i * K;
    for (let l = 0; l < K; l++) col[ai + l] += val * R[l * M + m];
    const bi = KK + i * M;
    if (tIsIdentity) col[bi + m] += val;
    else for (let p = 0; p < M; p++) col[bi + p] += val * T[m * M + p];
  }
  /** Adds the tangent [δA | δB | δgv] of direction e_p (p a state index) into col. */
  function tangent(p: number): void {
    if (p < KK) {
      const a = Math.floor(p / K);
      const b = p - a * K;
      // S Q: ∂A_kl/∂Q_ab = S_ka δ_bl
      for (let k = 0; k < K; k++) col[k * K + b] += S[k * K + a];
      if (a === b) tangentDiag(a);
      else if (a < b) {
        const o = (a * K + b) * 10;
        const w = v[a] * v[b];
        addS(a, b, w * P[o + D_CC]);
        addS(b, a, w * P[o + D_CC]);
        addS(a, a, 2 * w * P[o + D_AC]);
        addS(b, b, 2 * w * P[o + D_BC]);
        if (is2l) {
          col[KK + KM + a] += v[b] * P[o + D_C];
          col[KK + KM + b] += v[a] * P[o + D_C];
        }
      }
      return;
    }
    if (p < KK + KM) {
      const r = p - KK;
      const k = Math.floor(r / M);
      const m = r - k * M;
      // H Rᵀ: ∂A_il/∂R_km = H_im δ_lk;  S R: ∂B_im/∂R_km = S_ik
      for (let i = 0; i < K; i++) {
        col[i * K + k] += H[i * M + m];
        col[KK + i * M + m] += S[i * K + k];
      }
      const o = (k * M + m) * 10;
      addS(k, k, -2 * v[k] * Tt[o + D_AC]);
      addH(k, m, -v[k] * Tt[o + D_CC]);
      if (is2l) col[KK + KM + k] -= Tt[o + D_C];
      return;
    }
    tangentV(p - KK - KM);
  }
  /** Direction Q_kk: every pair and teacher term of student k, and its self-term. */
  function tangentDiag(k: number): void {
    dS.fill(0);
    const vk = v[k];
    let dkk = 2 * vk * vk * self2v[k];
    let dg = vk * selfP[k];
    for (let l = 0; l < K; l++) {
      if (l === k) continue;
      const lo = k < l ? k : l;
      const hi = k < l ? l : k;
      const o = (lo * K + hi) * 10;
      const w = vk * v[l];
      const kIsA = k < l;
      dS[k * K + l] = w * (kIsA ? P[o + D_AC] : P[o + D_BC]);
      dkk += 2 * w * (kIsA ? P[o + D_AA] : P[o + D_BB]);
      dS[l * K + l] = 2 * w * P[o + D_AB];
      if (is2l) {
        const dI = kIsA ? P[o + D_A] : P[o + D_B];
        dg += v[l] * dI;
        col[KK + KM + l] += vk * dI;
      }
    }
    for (let m = 0; m < M; m++) {
      const o = (k * M + m) * 10;
      dkk -= 2 * vk * Tt[o + D_AA];
      addH(k, m, -vk * Tt[o + D_AC]);
      if (is2l) dg -= Tt[o + D_A];
    }
    dS[k * K + k] = dkk;
    if (is2l) col[KK + KM + k] += dg;
    for (let l = 0; l < K; l++) {
      if (l === k) {
        addS(k, k, dkk);
        continue;
      }
      addS(k, l, dS[k * K + l]);
      addS(l, k, dS[k * K + l]);
      addS(l, l, dS[l * K + l]);
    }
  }
  /** Direction v_j (2l): the weights v_j v_l, v_j and ½ v_j² of student j's terms. */
  function tangentV(j: number): void {
    let djj = 2 * v[j] * selfP[j];
    col[KK + KM + j] += selfI[j];
    for (let l = 0; l < K; l++) {
      if (l === j) continue;
      const lo = j < l ? j : l;
      const hi = j < l ? l : j;
      const o = (lo * K + hi) * 10;
      const jIsA = j < l;
      const vl = v[l];
      addS(j, l, vl * P[o + D_C]);
      addS(l, j, vl * P[o + D_C]);
      djj += 2 * vl * (jIsA ? P[o + D_A] : P[o + D_B]);
      addS(l, l, 2 * vl * (jIsA ? P[o + D_B] : P[o + D_A]));
      col[KK + KM + l] += P[o + D_I2];
    }
    for (let m = 0; m < M; m++) {
      const o = (j * M + m) * 10;
      djj -= 2 * Tt[o + D_A];
      addH(j, m, -Tt[o + D_C]);
    }
    addS(j, j, djj);
  }

  /**
   * Column c of J from the tangent [δA | δB | δgv] in col: gd/2l −(δA + δAᵀ), −δB (, −κ δgv);
   * ngd and ongd add their D and ½ (A + Aᵀ) R terms (header). p1, p2: the state indices whose unit
   * directions make up the column (p2 = −1: none); rowsPacked: rows (k ≤ l) of the packed residual.
   */
  function writeColumn(J: Float64Array, ld: number, c: number, rowsPacked: boolean, p1: number, p2: number): void {
    // p1, p2: the state indices whose unit directions make up this column (p2 = −1: none)
    let r = 0;
    if (flow === 'ongd') {
      // F_Q = 0; F_R = −(B − ½ (A + Aᵀ) R)
      if (!rowsPacked) for (let i = 0; i < KK; i++) J[i * ld + c] = 0;
      else for (let k = 0; k < K; k++) for (let l = k; l < K; l++) J[r++ * ld + c] = 0;
      const base = rowsPacked ? r : KK;
      // explicit R in ½ (A + Aᵀ) R: direction R_{jr, mr} adds ½ (A_k,jr + A_jr,k) to row (k, mr)
      const jr = p1 >= KK && p1 < KK + KM ? Math.floor((p1 - KK) / M) : -1;
      const mr = jr >= 0 ? p1 - KK - jr * M : -1;
      for (let k = 0; k < K; k++)
        for (let m = 0; m < M; m++) {
          let s = col[KK + k * M + m];
          for (let j = 0; j < K; j++) s -= 0.5 * (col[k * K + j] + col[j * K + k]) * R[j * M + m];
          if (m === mr) s -= 0.5 * (A[k * K + jr] + A[jr * K + k]);
          J[(base + k * M + m) * ld + c] = -s;
        }
      return;
    }
    // ngd: δD_k = δA_kk/Q_kk − [p = Q_kk] A_kk/Q_kk²
    const ngd = flow === 'ngd';
    if (ngd)
      for (let k = 0; k < K; k++) {
        let dd = col[k * K + k] / Q[k * K + k];
        if (p1 === k * K + k || p2 === k * K + k) dd -= D[k] / Q[k * K + k];
        dS[k] = dd; // reuse dS[0..K) for δD
      }
    for (let k = 0; k < K; k++)
      for (let l = rowsPacked ? k : 0; l < K; l++) {
        let s = col[k * K + l] + col[l * K + k];
        // explicit Q_kl in (D Q + Q D)_kl: the direction is e_(k,l) itself (p1 or p2)
        if (ngd) s -= (dS[k] + dS[l]) * Q[k * K + l] + (D[k] + D[l]) * ((p1 === k * K + l ? 1 : 0) + (p2 === k * K + l ? 1 : 0));
        J[(rowsPacked ? r++ : k * K + l) * ld + c] = -s;
      }
    const base = rowsPacked ? r : KK;
    for (let k = 0; k < K; k++)
      for (let m = 0; m < M; m++) {
        let s = col[KK + k * M + m];
        if (ngd) s -= dS[k] * R[k * M + m] + D[k] * (p1 === KK + k * M + m ? 1 : 0);
        J[(base + k * M + m) * ld + c] = -s;
      }
    if (is2l) for (let k = 0; k < K; k++) J[(KK + KM + k) * ld + c] = -kappa * col[KK + KM + k];
  }

  /** J[i, p] = ∂F_i/∂y_p, one sparse tangent per state direction p. */
  function jacobian(y: Float64Array, J: Float64Array): number {
    load(y);
    prepare();
    for (let p = 0; p < n; p++) {
      col.fill(0);
      tangent(p);
      writeColumn(J, n, p, false, p, -1);
    }
    return loss;
  }

  /** ∂F_x/∂x: column of Q_kl (k < l) = tangents of e_(k,l) + e_(l,k) (unpack sets both), rows k ≤ l. */
  function jacobianPacked(x: ArrayLike<number>, J: Float64Array): number {
    if (flow !== 'gd') throw new RangeError('jacobianPacked: gd only (the packing of makeFullResidual)');
    let i = 0;
    for (let k = 0; k < K; k++) for (let l = k; l < K; l++) Q[k * K + l] = Q[l * K + k] = x[i++];
    for (let j = 0; j < KM; j++) R[j] = x[i + j];
    prepare();
    let c = 0;
    for (let k = 0; k < K; k++)
      for (let l = k; l < K; l++, c++) {
        col.fill(0);
        tangent(k * K + l);
        if (l !== k) tangent(l * K + k);
        writeColumn(J, nx, c, true, k * K + l, l !== k ? l * K + k : -1);
      }
    for (let j = 0; j < KM; j++, c++) {
      col.fill(0);
      tangent(KK + j);
      writeColumn(J, nx, c, true, KK + j, -1);
    }
    return loss;
  }

  /** F(y) from the prepared A, B, D, gv (the formulas of the header). */
  function rhs(y: Float64Array, dy: Float64Array): number {
    load(y);
    const e = prepare();
    for (let k = 0; k < K; k++)
      for (let l = 0; l < K; l++) {
        let s = A[k * K + l] + A[l * K + k];
        if (flow === 'ngd') s -= (D[k] + D[l]) * Q[k * K + l];
        dy[k * K + l] = flow === 'ongd' ? 0 : -s;
      }
    for (let k = 0; k < K; k++)
      for (let m = 0; m < M; m++) {
        let s = B[k * M + m];
        if (flow === 'ngd') s -= D[k] * R[k * M + m];
        if (flow === 'ongd') for (let j = 0; j < K; j++) s -= 0.5 * (A[k * K + j] + A[j * K + k]) * R[j * M + m];
        dy[KK + k * M + m] = -s;
      }
    if (is2l) for (let k = 0; k < K; k++) dy[KK + KM + k] = -kappa * gv[k];
    return e;
  }

  return { flow, K, M, n, nx, jacobian, jacobianPacked, rhs };
}
