// The `--backend wasm` online-SGD kernel (docs/theory.md §4.2): the float64 WASM SIMD kernel of
// src/network/wasm/sgd-wat.ts, with the weights in WASM memory,
//   x ~ N(0, I_N), λ = W x/√N, ν = W* x/√N, Δ = Σ g(λ) − Σ g(ν), w_k ← w_k − (η/√N) Δ g′(λ_k) x.
// It draws x inside WASM with the same xoshiro128** + ziggurat as src/random/rng.ts, starting
// from batch.rngs[r]'s state and writing the state back, so it consumes exactly the js backend's
// stream (exactStream) and follows its trajectory up to summation order (≈1e-13).
// ReLU and leaky ReLU run in WASM; other activations (erf) fall back to the js kernel.
import type { SgdBatch, SgdKernel, SgdKernelSpec } from './backend.js';
import { DEFAULT_MAX_DELTA } from './backend.js';
import { instantiateSgdWasm, TABLE_BYTES, type SgdWasmExports } from './sgd-wasm-module.js';

const align16 = (n: number): number => (n + 15) & ~15;

/** Byte offsets of everything in the kernel's memory (see sgd-wat.ts for what each holds). */
interface Layout {
  Ns: number;
  x: number;
  teacher: number;
  /** Per replica: state, row-address table, projections, weights. */
  st: number[];
  rows: number[];
  proj: number[];
  w: number[];
  bytes: number;
}

function layout(K: number, M: number, N: number, replicas: number): Layout {
  const Ns = (N + 3) & ~3;
  let at = TABLE_BYTES;
  const take = (bytes: number): number => {
    const p = at;
    at = align16(at + bytes);
    return p;
  };
  const x = take(Ns * 8);
  const teacher = take(M * Ns * 8);
  const st: number[] = [], rows: number[] = [], proj: number[] = [], w: number[] = [];
  for (let r = 0; r < replicas; r++) {
    st.push(take(16));
    rows.push(take((K + M) * 4));
    proj.push(take((K + M) * 8));
    w.push(take(K * Ns * 8));
  }
  return { Ns, x, teacher, st, rows, proj, w, bytes: at };
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
  const invSqrtN = 1 / Math.sqrt(N);
  const lrs = spec.lr * invSqrtN;
  let replicas = spec.replicas;
  let L = layout(K, M, N, replicas);
  let ex: SgdWasmExports = await instantiateSgdWasm(L.bytes);
  let loaded = false;

  const f64 = (): Float64Array => new Float64Array(ex.memory.buffer);
  const i32 = (): Int32Array => new Int32Array(ex.memory.buffer);

  function load(batch: SgdBatch): void {
    if (batch.rngs.length !== replicas) {
      replicas = batch.rngs.length;
      L = layout(K, M, N, replicas);
      if (L.bytes > ex.memory.buffer.byteLength) ex.memory.grow(Math.ceil((L.bytes - ex.memory.buffer.byteLength) / 65536));
    }
    const F = f64(), I = i32(), Ns = L.Ns;
    F.fill(0, L.x / 8, L.x / 8 + Ns);
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
    }
    loaded = true;
  }

  function advance(batch: SgdBatch, steps: number): void {
    if (!loaded || batch.rngs.length !== replicas) load(batch);
    const { rngs, status } = batch;
    for (let r = 0; r < replicas; r++) {
      if (status[r] !== 0) continue;
      const rng = rngs[r];
      let taken = 0;
      if (rng.getState && rng.setState) {
        const I = i32();
        I.set(rng.getState(), L.st[r] / 4);
        taken = ex.run(L.st[r], L.x, L.rows[r], L.proj[r], K, M, N, L.Ns, steps, 1, lrs, invSqrtN, alpha, maxDelta);
        rng.setState(i32().subarray(L.st[r] / 4, L.st[r] / 4 + 4));
      } else {
        // a generator without state access: sample in JS, one step per call
        for (; taken < steps; taken++) {
          rng.fillNormal(f64().subarray(L.x / 8, L.x / 8 + N));
          if (ex.run(L.st[r], L.x, L.rows[r], L.proj[r], K, M, N, L.Ns, 1, 0, lrs, invSqrtN, alpha, maxDelta) === 0) break;
        }
      }
      batch.steps[r] += taken;
      if (taken < steps) status[r] = 1;
    }
  }

  function sync(batch: SgdBatch): void {
    if (!loaded) return;
    const F = f64();
    for (let r = 0; r < replicas; r++) {
      for (let k = 0; k < K; k++) {
        const o = L.w[r] / 8 + k * L.Ns;
        batch.W.set(F.subarray(o, o + N), (r * K + k) * N);
      }
    }
  }

  return {
    backend: 'wasm',
    precision: 'float64',
    exactStream: true,
    load,
    advance,
    sync,
    dispose() {
      // drop the instance: its memory is freed with it
      ex = undefined as unknown as SgdWasmExports;
    },
  };
}
