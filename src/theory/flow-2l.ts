// Two-layer gradient flow (2L-GD, docs/theory.md §4.5): ŷ = Σ_k v_k g(λ_k), teacher second layer 1.
//   ε = ½ Σ_{k,l} v_k v_l I2(Q_kk, Q_ll, Q_kl) − Σ_{k,m} v_k I2(Q_kk, T_mm, R_km) + ½ Σ_{m,n} I2(T_mm, T_nn, T_mn)
// The first layer follows dW/dτ = −(S W + H W*) with G = ∂ε/∂Q, H = ∂ε/∂R of this weighted ε,
// so dQ/dτ = −(A + Aᵀ), dR/dτ = −B exactly as in docs/theory.md §3; the second layer follows
//   dv_k/dτ = −κ ∂ε/∂v_k = −κ [Σ_l v_l I2(Q_kk, Q_ll, Q_kl) − Σ_m I2(Q_kk, T_mm, R_km)].
// State vector y = [Q (K·K), R (K·M), v (K)].
import type { Activation } from '../activations/index.js';
import { makeFlowPartsFrom } from './flow.js';
import { teacherTerm } from './loss.js';

/**
 * Returns lossGradients(Q, R, v, G, H, gv) writing G = ∂ε/∂Q (K×K, symmetric), H = ∂ε/∂R (K×M)
 * and gv = ∂ε/∂v (K) of the v-weighted loss, and returning ε.
 */
export function makeLossGradients2L(act: Activation, K: number, M: number, T: Float64Array) {
  const p = new Float64Array(4);
  const eT = teacherTerm(act, M, T);
  return function lossGradients2L(
    Q: Float64Array, R: Float64Array, v: ArrayLike<number>, G: Float64Array, H: Float64Array, gv: Float64Array,
  ): number {
    G.fill(0);
    gv.fill(0);
    let e = eT;
    for (let k = 0; k < K; k++) {
      const qkk = Q[k * K + k];
      const vk = v[k];
      act.I2Partials(qkk, qkk, qkk, p);
      e += 0.5 * vk * vk * p[0];
      gv[k] += vk * p[0];
      G[k * K + k] += 0.5 * vk * vk * (p[1] + p[2] + p[3]);
      for (let l = k + 1; l < K; l++) {
        const vl = v[l];
        act.I2Partials(qkk, Q[l * K + l], Q[k * K + l], p);
        const w = vk * vl;
        e += w * p[0];
        gv[k] += vl * p[0];
        gv[l] += vk * p[0];
        G[k * K + k] += w * p[1];
        G[l * K + l] += w * p[2];
        G[k * K + l] = G[l * K + k] = 0.5 * w * p[3];
      }
      for (let m = 0; m < M; m++) {
        act.I2Partials(qkk, T[m * M + m], R[k * M + m], p);
        e -= vk * p[0];
        gv[k] -= p[0];
        G[k * K + k] -= vk * p[1];
        H[k * M + m] = -vk * p[3];
      }
    }
    return e;
  };
}

/** v-weighted loss ε(Q, R, v) of 2L-GD (docs/theory.md §4.5). */
export function populationLoss2L(act: Activation, K: number, M: number, Q: Float64Array, R: Float64Array, v: ArrayLike<number>, T: Float64Array): number {
  const lg = makeLossGradients2L(act, K, M, T);
  return lg(Q, R, v, new Float64Array(K * K), new Float64Array(K * M), new Float64Array(K));
}

/**
 * Right-hand side of 2L-GD: writes dQ (K×K), dR (K×M), dv (K) at (Q, R, v), returns ε.
 * κ is the ratio of the second-layer to the first-layer learning rate (κ = 0 with v = 1 is GD).
 */
export function make2LFlow(act: Activation, K: number, M: number, T: Float64Array, kappa = 1) {
  const lossGradients = makeLossGradients2L(act, K, M, T);
  const gv = new Float64Array(K);
  let vCur: ArrayLike<number> = new Float64Array(K);
  const flowParts = makeFlowPartsFrom((Q, R, G, H) => lossGradients(Q, R, vCur, G, H, gv), K, M, T);
  return function flow2L(
    Q: Float64Array, R: Float64Array, v: Float64Array, dQ: Float64Array, dR: Float64Array, dv: Float64Array,
  ): number {
    vCur = v;
    const { A, B, loss } = flowParts(Q, R);
    for (let k = 0; k < K; k++) for (let l = 0; l < K; l++) dQ[k * K + l] = -(A[k * K + l] + A[l * K + k]);
    for (let i = 0; i < K * M; i++) dR[i] = -B[i];
    for (let k = 0; k < K; k++) dv[k] = -kappa * gv[k];
    return loss;
  };
}
