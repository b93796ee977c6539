// The two products of the weight-state flow (theory/flow-weights.ts, docs/theory.md §11.8),
// Q = u uᵀ and du = −(S u + [H | 0]), in WASM f64x2 SIMD (theory/wasm/weights-wat.ts). The flow's
// buffers are Float64Array views of the WASM memory, so one RHS copies only u in and du out; the
// Gaussian integrals (gradients.ts) stay in JS and write G, H straight into that memory. The module
// comes from the build's dist/theory/wasm/weights.wasm or wabt (src/wasm/module.ts): load it once
// per process with loadWeightKernels() (async); after that wasmWeightProducts is synchronous.
import { WEIGHTS_KERNEL } from './wasm/weights-wat.js';
import { ensureMemory, kernelModule } from '../wasm/module.js';
import type { WeightProducts } from './flow-weights.js';

interface WeightKernelExports {
  memory: WebAssembly.Memory;
  gram(u: number, K: number, c: number, q: number): void;
  su(u: number, s: number, h: number, K: number, M: number, c: number, du: number): void;
}

let compiled: WebAssembly.Module | null = null;

/** Loads and compiles the kernels once per process; resolves with where they came from (a .wasm path or 'wabt'). */
export async function loadWeightKernels(): Promise<string> {
  const { module, origin } = await kernelModule(WEIGHTS_KERNEL);
  compiled = module;
  return origin;
}

/** The products in WASM for K students, M teachers, c columns (a fresh instance); needs loadWeightKernels() first. */
export function wasmWeightProducts(K: number, M: number, c: number): WeightProducts {
  if (!compiled) throw new Error('wasmWeightProducts: await loadWeightKernels() first');
  const ex = new WebAssembly.Instance(compiled, {}).exports as unknown as WeightKernelExports;
  // layout (f64 offsets): u | du | Q | S | G | R | H, every block 16-byte aligned
  const sizes = [K * c, K * c, K * K, K * K, K * K, K * M, K * M];
  const offs: number[] = [];
  let total = 0;
  for (const s of sizes) {
    offs.push(total);
    total += s + (s & 1);
  }
  ensureMemory(ex.memory, total * 8);
  const buf = ex.memory.buffer;
  const [u, du, Q, S, G, R, H] = sizes.map((s, i) => new Float64Array(buf, offs[i] * 8, s));
  const [pU, pDU, pQ, pS, , , pH] = offs.map((o) => o * 8);
  return {
    u, du, Q, S, G, R, H,
    gram: () => ex.gram(pU, K, c, pQ),
    su: () => ex.su(pU, pS, pH, K, M, c, pDU),
  };
}
