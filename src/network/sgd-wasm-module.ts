// The WAT online-SGD kernel (src/network/wasm/sgd-wat.ts) as a compiled WebAssembly module, and
// fresh instances of it with their own memory, the ziggurat tables of src/random/ziggurat.ts copied in.
//
// The build assembles the WAT text once: `npm run build` (scripts/build-wasm.mjs, after tsc) writes
// dist/network/wasm/sgd.wasm with the SHA-256 of the WAT text it came from in a custom section.
// At run time a file is used only when that hash equals the hash of SGD_WAT as compiled into this
// very module, so a .wasm left over from an older WAT text is never run. Looked for, in order:
//   1. wasm/sgd.wasm beside this file (dist/network/wasm/sgd.wasm for the built CLI),
//   2. from the TypeScript sources (vitest, tsx): the checkout's dist/network/wasm/sgd.wasm, which
//      test/global-setup.ts (and any `npm run build`) writes,
//   3. else the WAT is assembled here with wabt, a devDependency (~0.5 s for wabt to start), and
//      an error says to run `npm run build` when wabt is not installed.
// The CLI therefore never loads wabt: neither at start-up nor when the wasm backend is used.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
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

/** Name of the custom section holding the hex SHA-256 of the WAT text a .wasm was assembled from. */
export const WAT_HASH_SECTION = 'scmv.wat-sha256';

/** Where the build writes the kernel, relative to this module (dist/network/ → dist/network/wasm/sgd.wasm). */
export const SGD_WASM_URL = new URL('./wasm/sgd.wasm', import.meta.url);

/** Hex SHA-256 of a WAT text. */
export function watHash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** WAT text → WASM bytes with wabt (SIMD enabled). wabt is a devDependency: only the build and the tests use it. */
export async function assembleWat(name: string, text: string): Promise<Uint8Array<ArrayBuffer>> {
  let init: typeof import('wabt');
  try {
    init = (await import('wabt')).default;
  } catch (e) {
    throw new Error(`cannot assemble ${name}: wabt (a devDependency) is not installed; run \`npm run build\` in a full checkout to write ${fileURLToPath(SGD_WASM_URL)} (${e instanceof Error ? e.message.split('\n')[0] : String(e)})`);
  }
  const wabt = await init();
  const mod = wabt.parseWat(name, text, { simd: true });
  try {
    mod.validate();
    return mod.toBinary({}).buffer as Uint8Array<ArrayBuffer>;
  } finally {
    mod.destroy();
  }
}

/** Unsigned LEB128. */
function leb128(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

/** `bytes` with a custom section `name` holding `data` appended (custom sections may follow any section). */
export function withCustomSection(bytes: Uint8Array, name: string, data: Uint8Array): Uint8Array<ArrayBuffer> {
  const nameBytes = new TextEncoder().encode(name);
  const payload = [...leb128(nameBytes.length), ...nameBytes, ...data];
  const out = new Uint8Array(bytes.length + 1 + leb128(payload.length).length + payload.length);
  out.set(bytes, 0);
  out.set([0, ...leb128(payload.length), ...payload], bytes.length);
  return out;
}

/** The kernel's .wasm for `text` (default: SGD_WAT), stamped with the text's hash: what the build writes. */
export async function assembleSgdWasm(text: string = SGD_WAT): Promise<Uint8Array<ArrayBuffer>> {
  const bytes = await assembleWat('sgd.wat', text);
  return withCustomSection(bytes, WAT_HASH_SECTION, new TextEncoder().encode(watHash(text)));
}

/** The hash stamped into a compiled module, or undefined when it has none. */
export function stampedWatHash(module: WebAssembly.Module): string | undefined {
  const [section] = WebAssembly.Module.customSections(module, WAT_HASH_SECTION);
  return section === undefined ? undefined : new TextDecoder().decode(section);
}

/**
 * The module in the .wasm file at `url` when it exists, compiles and was assembled from `text`
 * (its stamped hash equals watHash(text)); undefined otherwise (missing, damaged or stale).
 */
export async function loadSgdWasmFile(url: URL, text: string = SGD_WAT): Promise<WebAssembly.Module | undefined> {
  let module: WebAssembly.Module;
  try {
    module = await WebAssembly.compile(await readFile(url));
  } catch {
    return undefined;
  }
  return stampedWatHash(module) === watHash(text) ? module : undefined;
}

/** Candidate files, in order (see the header): beside this module; from sources, the checkout's dist/. */
function candidates(): URL[] {
  const urls = [SGD_WASM_URL];
  if (import.meta.url.endsWith('.ts')) urls.push(new URL('../../dist/network/wasm/sgd.wasm', import.meta.url));
  return urls;
}

let compiled: Promise<{ module: WebAssembly.Module; origin: string }> | undefined;

function load(): Promise<{ module: WebAssembly.Module; origin: string }> {
  compiled ??= (async () => {
    for (const url of candidates()) {
      const module = await loadSgdWasmFile(url);
      if (module) return { module, origin: fileURLToPath(url) };
    }
    return { module: await WebAssembly.compile(await assembleWat('sgd.wat', SGD_WAT)), origin: 'wabt' };
  })();
  return compiled;
}

/** The compiled kernel module (once per process): from a built .wasm of the current WAT text, else assembled. */
export async function sgdWasmModule(): Promise<WebAssembly.Module> {
  return (await load()).module;
}

/** Where sgdWasmModule()'s module came from: the path of the .wasm file, or 'wabt'. */
export async function sgdWasmOrigin(): Promise<string> {
  return (await load()).origin;
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
