// Gradient flow, textbook I3 form (docs/theory.md §3), kept to cross-check the gradient form:
//   dR_km/dτ = −E[Δ g′(λ_k) ν_m],  dQ_kl/dτ = −E[Δ g′(λ_k) λ_l] − E[Δ g′(λ_l) λ_k]
//   E[Δ g′(λ_k) z] = Σ_j I3(λ_k, z, λ_j) − Σ_n I3(λ_k, z, ν_n)
import type { Activation } from '../../src/activations/index.js';

export function flowI3(
  act: Activation, K: number, M: number,
  Q: Float64Array, R: Float64Array, T: Float64Array,
  dQ: Float64Array, dR: Float64Array,
): void {
  // E[Δ g′(λ_k) λ_l] as a K×K matrix
  const EQ = new Float64Array(K * K);
  for (let k = 0; k < K; k++) {
    const qkk = Q[k * K + k];
    for (let l = 0; l < K; l++) {
      let s = 0;
      for (let j = 0; j < K; j++) s += act.I3(qkk, Q[k * K + l], Q[k * K + j], Q[l * K + j], Q[j * K + j]);
      for (let n = 0; n < M; n++) s -= act.I3(qkk, Q[k * K + l], R[k * M + n], R[l * M + n], T[n * M + n]);
      EQ[k * K + l] = s;
    }
    for (let m = 0; m < M; m++) {
      let s = 0;
      for (let j = 0; j < K; j++) s += act.I3(qkk, R[k * M + m], Q[k * K + j], R[j * M + m], Q[j * K + j]);
      for (let n = 0; n < M; n++) s -= act.I3(qkk, R[k * M + m], R[k * M + n], T[n * M + m], T[n * M + n]);
      dR[k * M + m] = -s;
    }
  }
  for (let k = 0; k < K; k++) for (let l = 0; l < K; l++) dQ[k * K + l] = -(EQ[k * K + l] + EQ[l * K + k]);
}
