// Population loss (docs/theory.md §2):
//   ε = ½ Σ_{k,l} I2(Q_kk, Q_ll, Q_kl) − Σ_{k,m} I2(Q_kk, T_mm, R_km) + ½ Σ_{m,n} I2(T_mm, T_nn, T_mn)
import type { Activation } from '../activations/index.js';

/** ½ Σ_{m,n} I2(T_mm, T_nn, T_mn): the teacher's self-term, constant in training. */
export function teacherTerm(act: Activation, M: number, T: Float64Array): number {
  let e = 0;
  for (let m = 0; m < M; m++)
    for (let n = 0; n < M; n++) e += act.I2(T[m * M + m], T[n * M + n], T[m * M + n]);
  return 0.5 * e;
}

/** ε(Q, R, T). */
export function populationLoss(act: Activation, K: number, M: number, Q: Float64Array, R: Float64Array, T: Float64Array): number {
  let e = 0;
  for (let k = 0; k < K; k++) {
    const qkk = Q[k * K + k];
    e += 0.5 * act.I2(qkk, qkk, qkk);
    for (let l = k + 1; l < K; l++) e += act.I2(qkk, Q[l * K + l], Q[k * K + l]);
    for (let m = 0; m < M; m++) e -= act.I2(qkk, T[m * M + m], R[k * M + m]);
  }
  return e + teacherTerm(act, M, T);
}
