// Initial conditions for ODE runs (docs/theory.md §5): W0 ∈ R^{K×d} i.i.d. N(0, 1) and either an
// exactly orthonormal teacher scaled so that T = I (rows √d·e_m), so
//   Q0 = W0 W0ᵀ/d,  R0 = W0 W*ᵀ/d = W0[:, :M]/√d,  T = I,
// or a Gaussian teacher W* ∈ R^{M×d} i.i.d. N(0, 1) drawn after W0 from the same generator, so
//   Q0 = W0 W0ᵀ/d,  R0 = W0 W*ᵀ/d,  T = W* W*ᵀ/d  (T → I only as d → ∞).
import type { Rng } from '../random/rng.js';
import { overlapsOf, type Overlaps } from './overlaps.js';
import { gram } from '../linalg/gram.js';
import { identity } from '../linalg/vector.js';

/** Gaussian initial overlaps in dimension d ≥ M (the paper's "standard normal" initialisation). */
export function gaussianInit(K: number, M: number, d: number, rng: Rng): Overlaps {
  if (d < M) throw new RangeError(`init dimension d=${d} must be ≥ M=${M} for an orthonormal teacher`);
  const W0 = new Float64Array(K * d);
  rng.fillNormal(W0);
  const Q = gram(W0, K, W0, K, d, new Float64Array(K * K), true);
  const R = new Float64Array(K * M);
  for (let k = 0; k < K; k++) for (let m = 0; m < M; m++) R[k * M + m] = W0[k * d + m] / Math.sqrt(d);
  return { K, M, Q, R, T: identity(M) };
}

/** Gaussian student and Gaussian teacher in dimension d ≥ M (T = W* W*ᵀ/d positive definite). */
export function gaussianTeacherInit(K: number, M: number, d: number, rng: Rng): Overlaps {
  if (d < M) throw new RangeError(`init dimension d=${d} must be ≥ M=${M} for a full-rank teacher`);
  const W0 = new Float64Array(K * d);
  rng.fillNormal(W0);
  const Ws = new Float64Array(M * d);
  rng.fillNormal(Ws);
  return overlapsOf(W0, Ws, K, M, d);
}
