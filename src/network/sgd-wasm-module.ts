// Assembles the WAT online-SGD kernel (src/network/wasm/sgd-wat.ts) with wabt once per process
// and instantiates it with its own memory, the ziggurat tables of src/random/ziggurat.ts copied in.
// wabt itself takes ~0.5 s to start, which every pool worker would pay: the assembled bytes are
// therefore cached in the OS temp directory under the SHA-256 of the WAT text (never committed;
// a stale or damaged file is simply re-assembled).
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SGD_WAT } from './wasm/sgd-wat.js';
import { ZIGGURAT } from '../random/ziggurat.js';

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

let compiled: Promise<WebAssembly.Module> | undefined;

/** WAT text → WASM bytes with wabt (SIMD enabled). */
export async function assembleWat(name: string, text: string): Promise<Uint8Array<ArrayBuffer>> {
  const wabt = await (await import('wabt')).default();
  const mod = wabt.parseWat(name, text, { simd: true });
  try {
    mod.validate();
    return mod.toBinary({}).buffer as Uint8Array<ArrayBuffer>;
  } finally {
    mod.destroy();
  }
}

/** The compiled module: from the temp-dir cache when it holds these WAT bytes, else assembled (and cached). */
export function sgdWasmModule(): Promise<WebAssembly.Module> {
  compiled ??= (async () => {
    const hash = createHash('sha256').update(SGD_WAT).digest('hex').slice(0, 16);
    const path = join(tmpdir(), `scmv-sgd-${hash}.wasm`);
    try {
      return await WebAssembly.compile(readFileSync(path));
    } catch {
      // no cache yet (or unusable): assemble
    }
    const bytes = await assembleWat('sgd.wat', SGD_WAT);
    try {
      const partial = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.partial`;
      writeFileSync(partial, bytes);
      renameSync(partial, path);
    } catch {
      // a read-only temp dir only costs the cache
    }
    return WebAssembly.compile(bytes);
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
