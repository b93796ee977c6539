// Measurement of a trained network (SPEC §1, §2): Q = W Wᵀ/N, R = W W*ᵀ/N from explicit
// weights, and the population loss ε(Q, R, T) with the teacher's fixed T.
import type { Activation } from '../activations/index.js';
import { populationLoss } from '../theory/loss.js';
import { overlapsOf, type Overlaps } from '../theory/overlaps.js';

export interface Measurement extends Overlaps {
  loss: number;
}

/** Q, R, T and ε of the K×N weights W against the M×N teacher (T recomputed from W*). */
export function measure(act: Activation, W: Float64Array, Wstar: Float64Array, K: number, M: number, N: number): Measurement {
  const o = overlapsOf(W, Wstar, K, M, N);
  return { ...o, loss: populationLoss(act, K, M, o.Q, o.R, o.T) };
}
