// Initial conditions for ODE runs (docs/theory.md §5): W0 ∈ R^{K×d} i.i.d. N(0, 1) and an exactly
// orthonormal teacher scaled so that T = I (rows √d·e_m), so
//   Q0 = W0 W0ᵀ/d,  R0 = W0 W*ᵀ/d = W0[:, :M]/√d,  T = I.
import type { Rng } from '../random/rng.js';
import { type Overlaps } from './overlaps.js';
import { identity } from '../linalg/vector.js';

/** Gaussian initial overlaps in dimension d ≥ M (the paper's "standard normal" initialisation). */
export function gaussianInit(K: number, M: number, d: number, rng: Rng): Overlaps {
  if (d < M) throw new RangeError(`init dimension d=${d} must be ≥ M=${M} for an orthonormal teacher`);
  const W0 = new Float64Array(K * d);
  rng.fillNormal(W0);
  const Q = new Float64Array(K * K);
  const R = new Float64Array(K * M);
  for (let k = 0; k < K; k++) {
    for (let l = k; l < K; l++) {
      let s = 0;
      for (let i = 0; i < d; i++) s += W0[k * d + i] * W0[l * d + i];
      Q[k * K + l] = Q[l * K + k] = s / d;
    }
    for (let m = 0; m < M; m++) R[k * M + m] = W0[k * d + m] / Math.sqrt(d);
  }
  return { K, M, Q, R, T: identity(M) };
}
