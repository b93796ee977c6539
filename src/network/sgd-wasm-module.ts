// The WAT online-SGD kernel (src/network/wasm/sgd-wat.ts) as a compiled WebAssembly module, and
// fresh instances of it with their own memory, the ziggurat tables of src/random/ziggurat.ts copied in.
// The module comes from the build's dist/network/wasm/sgd.wasm, stamped with the hash of its WAT
// text, or is assembled with wabt when running from sources without a current build: the one
// mechanism of src/wasm/module.ts.
import { SGD_KERNEL } from './wasm/sgd-wat.js';
import { ZIGGURAT } from '../random/ziggurat.js';
import { ensureMemory, kernelModule } from '../wasm/module.js';

/** The exports of one kernel instance (see the layout comment in sgd-wat.ts). */
export interface SgdWasmExports {
  memory: WebAssembly.Memory;
  /** Advances one replica by `steps` online-SGD steps; returns the steps taken (docs/theory.md §4.2). */
  run(
    st: number, x: number, rows: number, proj: number,
    K: number, M: number, N: number, Ns: number, steps: number, gen: number,
    lrOverSqrtN: number, invSqrtN: number, alpha: number, maxDelta: number,
  ): number;
}

/** Bytes at the start of memory taken by the ziggurat tables kn, wn, fn (128 f64 each) and ki (128 i32). */
export const TABLE_BYTES = 3 * 128 * 8 + 128 * 4;

/** The compiled kernel module (once per process): from a built .wasm of the current WAT text, else assembled. */
export async function sgdWasmModule(): Promise<WebAssembly.Module> {
  return (await kernelModule(SGD_KERNEL)).module;
}

/** Where sgdWasmModule()'s module came from: the path of the .wasm file, or 'wabt'. */
export async function sgdWasmOrigin(): Promise<string> {
  return (await kernelModule(SGD_KERNEL)).origin;
}

/** A fresh instance with `bytes` of memory (at least), tables filled in. */
export async function instantiateSgdWasm(bytes: number): Promise<SgdWasmExports> {
  const module = await sgdWasmModule();
  const instance = await WebAssembly.instantiate(module, { m: { log: Math.log, exp: Math.exp } });
  const ex = instance.exports as unknown as SgdWasmExports;
  ensureMemory(ex.memory, bytes);
  const f = new Float64Array(ex.memory.buffer, 0, 3 * 128);
  f.set(ZIGGURAT.kn, 0);
  f.set(ZIGGURAT.wn, 128);
  f.set(ZIGGURAT.fn, 256);
  // integer form of the fast test |hz| < kn[iz] for integer hz
  new Int32Array(ex.memory.buffer, 3 * 128 * 8, 128).set(Array.from(ZIGGURAT.kn, (k) => Math.ceil(k)));
  return ex;
}
