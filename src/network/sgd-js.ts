// The `--backend js` online-SGD kernel (docs/theory.md §4.2), plain float64 loops on batch.W:
//   x ~ N(0, I_N), λ = W x/√N, ν = W* x/√N, Δ = Σ g(λ) − Σ g(ν), w_k ← w_k − (η/√N) Δ g′(λ_k) x,
// with Q, R tracked on batch.Q, batch.R by the exact increments of docs/theory.md §10 (|x|² is one
// more dot product per step), recomputed from the weights every spec.recomputeEvery steps, and,
// with spec.windowStats, every step folded into batch.window.
// It is the reference for every other backend (see backend.ts for the contract).
import { getActivation } from '../activations/index.js';
import { dot } from '../linalg/dot.js';
import { DEFAULT_MAX_DELTA, DEFAULT_RECOMPUTE_EVERY, overlapsSized, sizeOverlaps, type SgdBatch, type SgdKernel, type SgdKernelSpec } from './backend.js';
import { overlapScratch, recomputeOverlaps, trackStep } from './track.js';
import { foldStep, startWindow } from './window.js';

/** Creates the js kernel; it works on batch.W, Q, R and window in place, so sync is a no-op. */
export function createKernel(spec: SgdKernelSpec): SgdKernel {
  const { K, M, N, lr } = spec;
  const act = getActivation(spec.activation, spec.alpha);
  const g = act.g;
  const gPrime = act.gPrime;
  const maxDelta = spec.maxDelta ?? DEFAULT_MAX_DELTA;
  const recomputeEvery = spec.recomputeEvery ?? DEFAULT_RECOMPUTE_EVERY;
  const stats = spec.windowStats ?? false;
  const invSqrtN = 1 / Math.sqrt(N);
  const x = new Float64Array(N);
  const coef = new Float64Array(K);
  /** z = [λ, ν] and c_k = (η/√N) Δ g′(λ_k) of the current step. */
  const z = new Float64Array(K + M);
  const c = new Float64Array(K);
  const scratch = overlapScratch(K, M);

  function resetWindow(batch: SgdBatch): void {
    for (let r = 0; r < batch.rngs.length; r++) startWindow(batch.window, r, K, M, batch.Q, r * K * K, batch.R, r * K * M);
  }

  function load(batch: SgdBatch): void {
    sizeOverlaps(batch, K, M);
    for (let r = 0; r < batch.rngs.length; r++) {
      recomputeOverlaps(batch.W, batch.Wstar, r, K, M, N, batch.Q, batch.R, scratch);
      batch.drift[r] = 0;
    }
    resetWindow(batch);
  }

  return {
    backend: 'js',
    precision: 'float64',
    exactStream: true,
    overlaps: 'incremental',
    load,
    sync() {},
    resetWindow,
    dispose() {},
    advance(batch: SgdBatch, steps: number): void {
      if (!overlapsSized(batch, K, M)) load(batch);
      const { W, Wstar, rngs, status, Q, R, window } = batch;
      const KN = K * N;
      for (let r = 0; r < rngs.length; r++) {
        if (status[r] !== 0) continue;
        const rng = rngs[r];
        const off = r * KN;
        const base = batch.steps[r];
        let s = 0;
        for (; s < steps; s++) {
          rng.fillNormal(x);
          // |x|²/N for the c_k c_l |x|²/N term of docs/theory.md §10
          const x2N = dot(x, 0, x, 0, N) * invSqrtN * invSqrtN;
          // Δ = Σ_k g(λ_k) − Σ_m g(ν_m)
          let delta = 0;
          for (let m = 0; m < M; m++) {
            const nu = dot(Wstar, m * N, x, 0, N) * invSqrtN;
            z[K + m] = nu;
            delta -= g(nu);
          }
          for (let k = 0; k < K; k++) {
            const lambda = dot(W, off + k * N, x, 0, N) * invSqrtN;
            z[k] = lambda;
            delta += g(lambda);
            coef[k] = gPrime(lambda);
          }
          if (!(Math.abs(delta) <= maxDelta)) {
            status[r] = 1;
            break;
          }
          const cd = lr * invSqrtN * delta;
          for (let k = 0; k < K; k++) {
            const ck = cd * coef[k];
            c[k] = ck;
            if (ck === 0) continue;
            const o = off + k * N;
            for (let i = 0; i < N; i++) W[o + i] -= ck * x[i];
          }
          trackStep(Q, R, r, K, M, z, c, invSqrtN, x2N);
          if (stats) foldStep(window, r, K, M, Q, r * K * K, R, r * K * M);
          if (recomputeEvery > 0 && (base + s + 1) % recomputeEvery === 0) batch.drift[r] = recomputeOverlaps(W, Wstar, r, K, M, N, Q, R, scratch);
        }
        batch.steps[r] += s;
        if (stats) window.n[r] += s;
      }
    },
  };
}
