// The `--backend js` online-SGD kernel (docs/theory.md §4.2), plain float64 loops on batch.W:
//   x ~ N(0, I_N), λ = W x/√N, ν = W* x/√N, Δ = Σ g(λ) − Σ g(ν), w_k ← w_k − (η/√N) Δ g′(λ_k) x.
// It is the reference for every other backend (see backend.ts for the contract).
import { getActivation } from '../activations/index.js';
import { dot } from '../linalg/dot.js';
import { DEFAULT_MAX_DELTA, type SgdBatch, type SgdKernel, type SgdKernelSpec } from './backend.js';

/** Creates the js kernel; it works on batch.W in place, so load/sync are no-ops. */
export function createKernel(spec: SgdKernelSpec): SgdKernel {
  const { K, M, N, lr } = spec;
  const act = getActivation(spec.activation, spec.alpha);
  const g = act.g;
  const gPrime = act.gPrime;
  const maxDelta = spec.maxDelta ?? DEFAULT_MAX_DELTA;
  const invSqrtN = 1 / Math.sqrt(N);
  const x = new Float64Array(N);
  const coef = new Float64Array(K);
  return {
    backend: 'js',
    precision: 'float64',
    exactStream: true,
    load() {},
    sync() {},
    dispose() {},
    advance(batch: SgdBatch, steps: number): void {
      const { W, Wstar, rngs, status } = batch;
      const KN = K * N;
      for (let r = 0; r < rngs.length; r++) {
        if (status[r] !== 0) continue;
        const rng = rngs[r];
        const off = r * KN;
        let s = 0;
        for (; s < steps; s++) {
          rng.fillNormal(x);
          // Δ = Σ_k g(λ_k) − Σ_m g(ν_m)
          let delta = 0;
          for (let m = 0; m < M; m++) {
            delta -= g(dot(Wstar, m * N, x, 0, N) * invSqrtN);
          }
          for (let k = 0; k < K; k++) {
            const lambda = dot(W, off + k * N, x, 0, N) * invSqrtN;
            delta += g(lambda);
            coef[k] = gPrime(lambda);
          }
          if (!(Math.abs(delta) <= maxDelta)) {
            status[r] = 1;
            break;
          }
          const c = lr * invSqrtN * delta;
          for (let k = 0; k < K; k++) {
            const ck = c * coef[k];
            if (ck === 0) continue;
            const o = off + k * N;
            for (let i = 0; i < N; i++) W[o + i] -= ck * x[i];
          }
        }
        batch.steps[r] += s;
      }
    },
  };
}
