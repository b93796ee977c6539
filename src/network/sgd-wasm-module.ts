// Assembles the WAT online-SGD kernel (src/network/wasm/sgd-wat.ts) with wabt once per process
// and instantiates it with its own memory, the ziggurat tables of src/random/ziggurat.ts copied in.
import { SGD_WAT } from './wasm/sgd-wat.js';
import { ZIGGURAT } from '../random/ziggurat.js';

/** The exports of one kernel instance (see the layout comment in sgd-wat.ts). */
export interface SgdWasmExports {
  memory: WebAssembly.Memory;
  /** Advances one replica by `steps` online-SGD steps; returns the steps taken (SPEC §4.2). */
  run(
    st: number, x: number, rows: number, proj: number,
    K: number, M: number, N: number, Ns: number, steps: number, gen: number,
    lrOverSqrtN: number, invSqrtN: number, alpha: number, maxDelta: number,
  ): number;
}

/** Bytes at the start of memory taken by the ziggurat tables kn, wn, fn (128 f64 each) and ki (128 i32). */
export const TABLE_BYTES = 3 * 128 * 8 + 128 * 4;

let compiled: Promise<WebAssembly.Module> | undefined;

/** The compiled module (assembled from WAT with SIMD enabled on first use). */
export function sgdWasmModule(): Promise<WebAssembly.Module> {
  compiled ??= (async () => {
    const wabt = await (await import('wabt')).default();
    const mod = wabt.parseWat('sgd.wat', SGD_WAT, { simd: true });
    try {
      mod.validate();
      const { buffer } = mod.toBinary({});
      return WebAssembly.compile(buffer as Uint8Array<ArrayBuffer>);
    } finally {
      mod.destroy();
    }
  })();
  return compiled;
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

/** Grows `memory` to hold at least `bytes` (views on the old buffer become detached). */
export function ensureMemory(memory: WebAssembly.Memory, bytes: number): void {
  const have = memory.buffer.byteLength;
  if (bytes > have) memory.grow(Math.ceil((bytes - have) / 65536));
}
