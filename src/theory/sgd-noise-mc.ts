// Monte Carlo samples of the per-step SGD increments of docs/theory.md §9.3 (any activation):
// for z = (λ, ν) ~ N(0, Ω) it writes, in the packed coordinates x = (Q_kl (k ≤ l), R_km),
//   f_Q,kl = −Δ (g′(λ_k) λ_l + g′(λ_l) λ_k),   f_R,km = −Δ g′(λ_k) ν_m,
//   h_Q,kl = Δ² g′(λ_k) g′(λ_l),               h_R = 0,
// (one step changes x by (η/N) f + (η²/N) h; the factor |x|²/N of h is replaced by its mean 1,
// an O(1/N) change). Used for the O(η) part of the noise covariance, Cov(f + η h) − Cov(f), and
// for every part when no closed form exists (docs/theory.md §9.3).
import type { Activation } from '../activations/index.js';
import { choleskyPsd } from '../linalg/cholesky.js';
import type { Rng } from '../random/rng.js';
import { omegaMatrix } from './overlaps.js';

/**
 * Returns sample(f, h): draws one z ~ N(0, Ω) from `rng` and writes f and h (length
 * K(K+1)/2 + KM). Ω must be positive semidefinite.
 */
export function makeNoiseSampler(act: Activation, K: number, M: number, Q: ArrayLike<number>, R: ArrayLike<number>, T: ArrayLike<number>, rng: Rng) {
  const P = K + M;
  const fac = choleskyPsd(omegaMatrix(K, M, Q, R, T), P, 1e-12);
  if (!fac) throw new RangeError('makeNoiseSampler: Ω is not positive semidefinite');
  const L = fac.L;
  const xi = new Float64Array(P);
  const z = new Float64Array(P);
  const gp = new Float64Array(K);
  return function sample(f: Float64Array, h: Float64Array): void {
    rng.fillNormal(xi);
    let delta = 0;
    for (let i = 0; i < P; i++) {
      let s = 0;
      for (let j = 0; j <= i; j++) s += L[i * P + j] * xi[j];
      z[i] = s;
      delta += (i < K ? 1 : -1) * act.g(s);
    }
    for (let k = 0; k < K; k++) gp[k] = delta * act.gPrime(z[k]);
    const d2 = delta * delta;
    let i = 0;
    for (let k = 0; k < K; k++)
      for (let l = k; l < K; l++, i++) {
        f[i] = -(gp[k] * z[l] + gp[l] * z[k]);
        h[i] = d2 * act.gPrime(z[k]) * act.gPrime(z[l]);
      }
    for (let k = 0; k < K; k++)
      for (let m = 0; m < M; m++, i++) {
        f[i] = -gp[k] * z[K + m];
        h[i] = 0;
      }
  };
}
