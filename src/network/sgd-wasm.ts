// The `--backend wasm` online-SGD kernel (docs/theory.md §4.2, §10): the float64 WASM SIMD kernel of
// src/network/wasm/sgd-wat.ts, with the weights, the tracked overlaps Q, R and the window sums in
// WASM memory,
//   x ~ N(0, I_N), λ = W x/√N, ν = W* x/√N, Δ = Σ g(λ) − Σ g(ν), w_k ← w_k − (η/√N) Δ g′(λ_k) x,
//   [Q R] row k ← (row − a_k [λ, ν]) − b_k [c, 0],  a_k = c_k/√N, b_k = λ_k/√N − c_k |x|²/N,
// the same operations as the js reference (src/network/track.ts), so the tracked Q, R agree with
// js to ≈1e-13. Every spec.recomputeEvery steps of a replica the WASM `exact` recomputes Q, R
// from the weights and reports the drift.
// It draws x inside WASM with the same xoshiro128** + ziggurat as src/random/rng.ts, starting
// from batch.rngs[r]'s state and writing the state back, so it consumes exactly the js backend's
// stream (exactStream) and follows its trajectory up to summation order (≈1e-13).
// ReLU and leaky ReLU run in WASM; other activations (erf) fall back to the js kernel.
import type { SgdBatch, SgdKernel, SgdKernelSpec } from './backend.js';
import { DEFAULT_MAX_DELTA, DEFAULT_RECOMPUTE_EVERY, overlapsSized, sizeOverlaps } from './backend.js';
import { instantiateSgdWasm, TABLE_BYTES, type SgdWasmExports } from './sgd-wasm-module.js';

/** The module's overlap-tracking exports (see sgd-wat.ts). */
interface SgdTrackingExports extends SgdWasmExports {
  /** `run` plus the exact overlap increments (docs/theory.md §10) and, with B > 0, the window sums. */
  runq(
    st: number, x: number, rows: number, proj: number,
    K: number, M: number, N: number, Ns: number, steps: number, gen: number,
    lrOverSqrtN: number, invSqrtN: number, alpha: number, maxDelta: number,
    ov: number, cz: number, Ps: number, B: number,
  ): number;
  /** Recomputes the overlaps at ov from the weights; returns max |tracked − exact|. */
  exact(rows: number, ov: number, scratch: number, K: number, M: number, Ns: number, Ps: number, invN: number): number;
}

const align16 = (n: number): number => (n + 15) & ~15;

/** Byte offsets of everything in the kernel's memory (see sgd-wat.ts for what each holds). */
interface Layout {
  Ns: number;
  /** Overlap row stride: K + M rounded up to even. */
  Ps: number;
  /** Bytes of one overlap block (K × Ps f64): ov, ref, S1, S2 follow each other at this stride. */
  B: number;
  x: number;
  teacher: number;
  /** Scratch of `exact` (K × Ps f64), shared. */
  scratch: number;
  /** Per replica: state, row-address table, projections, c, overlap blocks, weights. */
  st: number[];
  rows: number[];
  proj: number[];
  cz: number[];
  ov: number[];
  w: number[];
  bytes: number;
}

function layout(K: number, M: number, N: number, replicas: number): Layout {
  const Ns = (N + 3) & ~3;
  const Ps = (K + M + 1) & ~1;
  const B = K * Ps * 8;
  let at = TABLE_BYTES;
  const take = (bytes: number): number => {
    const p = at;
    at = align16(at + bytes);
    return p;
  };
  const x = take(Ns * 8);
  const teacher = take(M * Ns * 8);
  const scratch = take(B);
  const st: number[] = [], rows: number[] = [], proj: number[] = [], cz: number[] = [], ov: number[] = [], w: number[] = [];
  for (let r = 0; r < replicas; r++) {
    st.push(take(16));
    rows.push(take((K + M + 1) * 4));
    proj.push(take((K + M + 1) * 8));
    cz.push(take(Ps * 8));
    ov.push(take(4 * B));
    w.push(take(K * Ns * 8));
  }
  return { Ns, Ps, B, x, teacher, scratch, st, rows, proj, cz, ov, w, bytes: at };
}

/** Creates the wasm kernel (a js kernel for activations it does not implement). */
export async function createKernel(spec: SgdKernelSpec): Promise<SgdKernel> {
  if (spec.activation !== 'relu' && spec.activation !== 'leaky-relu') {
    const { createKernel: createJs } = await import('./sgd-js.js');
    return createJs(spec);
  }
  const { K, M, N } = spec;
  const alpha = spec.activation === 'relu' ? 0 : spec.alpha;
  const maxDelta = spec.maxDelta ?? DEFAULT_MAX_DELTA;
  const recomputeEvery = spec.recomputeEvery ?? DEFAULT_RECOMPUTE_EVERY;
  const stats = spec.windowStats ?? false;
  const invSqrtN = 1 / Math.sqrt(N);
  const lrs = spec.lr * invSqrtN;
  let replicas = spec.replicas;
  let L = layout(K, M, N, replicas);
  let ex = (await instantiateSgdWasm(L.bytes)) as SgdTrackingExports;
  let loaded = false;

  const f64 = (): Float64Array => new Float64Array(ex.memory.buffer);
  const i32 = (): Int32Array => new Int32Array(ex.memory.buffer);

  /** Recomputes replica r's overlaps in WASM; returns the drift. */
  const exact = (r: number): number => ex.exact(L.rows[r], L.ov[r], L.scratch, K, M, L.Ns, L.Ps, 1 / N);

  /** One runq call on replica r: `steps` steps (gen = 1) or one step on x filled by the caller (gen = 0). */
  const runq = (r: number, steps: number, gen: number): number =>
    ex.runq(L.st[r], L.x, L.rows[r], L.proj[r], K, M, N, L.Ns, steps, gen, lrs, invSqrtN, alpha, maxDelta, L.ov[r], L.cz[r], L.Ps, stats ? L.B : 0);

  function resetWindow(batch: SgdBatch): void {
    if (!loaded) return load(batch);
    const F = f64();
    for (let r = 0; r < replicas; r++) {
      const o = L.ov[r] / 8, n = L.B / 8;
      F.copyWithin(o + n, o, o + n);
      F.fill(0, o + 2 * n, o + 4 * n);
      batch.window.n[r] = 0;
    }
  }

  function load(batch: SgdBatch): void {
    if (batch.rngs.length !== replicas) {
      replicas = batch.rngs.length;
      L = layout(K, M, N, replicas);
      if (L.bytes > ex.memory.buffer.byteLength) ex.memory.grow(Math.ceil((L.bytes - ex.memory.buffer.byteLength) / 65536));
    }
    sizeOverlaps(batch, K, M);
    const F = f64(), I = i32(), Ns = L.Ns;
    F.fill(0, L.x / 8, L.x / 8 + Ns);
    F.fill(0, L.scratch / 8, (L.scratch + L.B) / 8);
    for (let m = 0; m < M; m++) {
      const o = L.teacher / 8 + m * Ns;
      F.set(batch.Wstar.subarray(m * N, m * N + N), o);
      F.fill(0, o + N, o + Ns);
    }
    for (let r = 0; r < replicas; r++) {
      for (let k = 0; k < K; k++) {
        const o = L.w[r] / 8 + k * Ns;
        F.set(batch.W.subarray((r * K + k) * N, (r * K + k) * N + N), o);
        F.fill(0, o + N, o + Ns);
        I[L.rows[r] / 4 + k] = L.w[r] + k * Ns * 8;
      }
      for (let m = 0; m < M; m++) I[L.rows[r] / 4 + K + m] = L.teacher + m * Ns * 8;
      I[L.rows[r] / 4 + K + M] = L.x;
      F.fill(0, L.proj[r] / 8, L.proj[r] / 8 + K + M + 1);
      F.fill(0, L.cz[r] / 8, L.cz[r] / 8 + L.Ps);
      F.fill(0, L.ov[r] / 8, (L.ov[r] + 4 * L.B) / 8);
      exact(r);
      batch.drift[r] = 0;
    }
    loaded = true;
    resetWindow(batch);
    sync(batch, 'overlaps');
  }

  function advance(batch: SgdBatch, steps: number): void {
    if (!loaded || batch.rngs.length !== replicas || !overlapsSized(batch, K, M)) load(batch);
    const { rngs, status } = batch;
    for (let r = 0; r < replicas; r++) {
      if (status[r] !== 0) continue;
      const rng = rngs[r];
      const base = batch.steps[r];
      let taken = 0;
      if (rng.getState && rng.setState) {
        i32().set(rng.getState(), L.st[r] / 4);
        // one runq call per stretch up to the next exact recomputation
        while (taken < steps) {
          const want = recomputeEvery > 0 ? Math.min(steps - taken, recomputeEvery - ((base + taken) % recomputeEvery)) : steps - taken;
          const got = runq(r, want, 1);
          taken += got;
          if (got < want) break;
          if (recomputeEvery > 0 && (base + taken) % recomputeEvery === 0) batch.drift[r] = exact(r);
        }
        rng.setState(i32().subarray(L.st[r] / 4, L.st[r] / 4 + 4));
      } else {
        // a generator without state access: sample in JS, one step per call
        for (; taken < steps; taken++) {
          rng.fillNormal(f64().subarray(L.x / 8, L.x / 8 + N));
          if (runq(r, 1, 0) === 0) break;
          if (recomputeEvery > 0 && (base + taken + 1) % recomputeEvery === 0) batch.drift[r] = exact(r);
        }
      }
      batch.steps[r] += taken;
      if (stats) batch.window.n[r] += taken;
      if (taken < steps) status[r] = 1;
    }
  }

  function sync(batch: SgdBatch, what: 'all' | 'overlaps' = 'all'): void {
    if (!loaded) return;
    const F = f64(), Ps = L.Ps, n = L.B / 8;
    const { Q, R, window } = batch;
    for (let r = 0; r < replicas; r++) {
      const o = L.ov[r] / 8;
      for (let k = 0; k < K; k++) {
        const row = o + k * Ps;
        Q.set(F.subarray(row, row + K), (r * K + k) * K);
        R.set(F.subarray(row + K, row + K + M), (r * K + k) * M);
      }
      if (what === 'overlaps') continue;
      for (let k = 0; k < K; k++) {
        const o = L.w[r] / 8 + k * L.Ns;
        batch.W.set(F.subarray(o, o + N), (r * K + k) * N);
        const row = L.ov[r] / 8 + k * Ps, dst = (r * K + k) * (K + M);
        window.ref.set(F.subarray(row + n, row + n + K + M), dst);
        window.sum.set(F.subarray(row + 2 * n, row + 2 * n + K + M), dst);
        window.sumSq.set(F.subarray(row + 3 * n, row + 3 * n + K + M), dst);
      }
    }
  }

  return {
    backend: 'wasm',
    precision: 'float64',
    exactStream: true,
    overlaps: 'incremental',
    load,
    advance,
    sync,
    resetWindow,
    dispose() {
      // drop the instance: its memory is freed with it
      ex = undefined as unknown as SgdTrackingExports;
    },
  };
}
