// Measurement of a trained network (docs/theory.md §1, §2, §4.5): Q = W Wᵀ/N, R = W W*ᵀ/N,
// T = W* W*ᵀ/N from explicit weights, and the population loss ε(Q, R, T) (v-weighted when the
// second layer v is trained).
import type { Activation } from '../activations/index.js';
import { populationLoss } from '../theory/loss.js';
import { populationLoss2L } from '../theory/flow-2l.js';
import { overlapsOf, type Overlaps } from '../theory/overlaps.js';

export interface Measurement extends Overlaps {
  loss: number;
  /** Second-layer weights (2L-GD only). */
  v?: Float64Array;
}

/** Q, R, T and ε of the K×N weights W against the M×N teacher; with `v`, the 2L-GD loss. */
export function measure(act: Activation, W: Float64Array, Wstar: Float64Array, K: number, M: number, N: number, v?: Float64Array): Measurement {
  const o = overlapsOf(W, Wstar, K, M, N);
  if (v) return { ...o, v: Float64Array.from(v), loss: populationLoss2L(act, K, M, o.Q, o.R, v, o.T) };
  return { ...o, loss: populationLoss(act, K, M, o.Q, o.R, o.T) };
}
