// The one build-and-load mechanism of the WASM kernels (the online-SGD kernel of
// network/wasm/sgd-wat.ts, the weight-flow products of theory/wasm/weights-wat.ts): a kernel is a
// WAT text and the path, relative to src/ (or dist/), of the .wasm the build writes for it.
//
// The build assembles each WAT text once: `npm run build` (scripts/build-wasm.mjs, after tsc)
// writes dist/<file> with the SHA-256 of the WAT text it came from in a custom section. At run time
// a file is used only when that hash equals the hash of the kernel's text as compiled into this
// very program, so a .wasm left over from an older WAT text is never run. Looked for, in order:
//   1. <file> under the tree this module runs from (dist/<file> for the built CLI),
//   2. from the TypeScript sources (vitest, tsx): the checkout's dist/<file>, which any
//      `npm run build` writes (npm ci runs it),
//   3. else the WAT is assembled here with wabt, a devDependency (~0.5 s for wabt to start), and
//      an error says to run `npm run build` when wabt is not installed.
// The CLI therefore never loads wabt: neither at start-up nor when a kernel is used.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/** A WAT kernel: its text and where its built .wasm lives. */
export interface WatKernel {
  /** Short name, for messages and wabt ("sgd", "weights"). */
  name: string;
  /** The WAT text. */
  text: string;
  /** The built .wasm, relative to src/ or dist/ (e.g. "network/wasm/sgd.wasm"). */
  file: string;
}

/** Name of the custom section holding the hex SHA-256 of the WAT text a .wasm was assembled from. */
export const WAT_HASH_SECTION = 'scmv.wat-sha256';

/** Hex SHA-256 of a WAT text. */
export function watHash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Where the build writes `kernel` in the tree this module runs from (dist/<file> when built). */
export function kernelUrl(kernel: WatKernel): URL {
  return new URL(`../${kernel.file}`, import.meta.url);
}

/** WAT text → WASM bytes with wabt (SIMD enabled). wabt is a devDependency: only the build and the tests use it. */
export async function assembleWat(name: string, text: string, builtFile?: string): Promise<Uint8Array<ArrayBuffer>> {
  let init: typeof import('wabt');
  try {
    init = (await import('wabt')).default;
  } catch (e) {
    const where = builtFile ? ` to write ${builtFile}` : '';
    throw new Error(`cannot assemble ${name}: wabt (a devDependency) is not installed; run \`npm run build\` in a full checkout${where} (${e instanceof Error ? e.message.split('\n')[0] : String(e)})`);
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

/** The kernel's .wasm for `text` (default: its own), stamped with the text's hash: what the build writes. */
export async function assembleKernel(kernel: WatKernel, text: string = kernel.text): Promise<Uint8Array<ArrayBuffer>> {
  const bytes = await assembleWat(`${kernel.name}.wat`, text, fileURLToPath(kernelUrl(kernel)));
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
export async function loadWasmFile(url: URL, text: string): Promise<WebAssembly.Module | undefined> {
  let module: WebAssembly.Module;
  try {
    module = await WebAssembly.compile(await readFile(url));
  } catch {
    return undefined;
  }
  return stampedWatHash(module) === watHash(text) ? module : undefined;
}

/** Candidate files, in order (see the header): in this tree; from sources, the checkout's dist/. */
function candidates(kernel: WatKernel): URL[] {
  const urls = [kernelUrl(kernel)];
  if (import.meta.url.endsWith('.ts')) urls.push(new URL(`../../dist/${kernel.file}`, import.meta.url));
  return urls;
}

const compiled = new Map<string, Promise<{ module: WebAssembly.Module; origin: string }>>();

/**
 * The compiled module of `kernel` and where it came from (the path of the .wasm file, or 'wabt'),
 * once per process and kernel text: from a built .wasm of the current WAT text, else assembled.
 */
export function kernelModule(kernel: WatKernel): Promise<{ module: WebAssembly.Module; origin: string }> {
  const key = `${kernel.file}\u0000${watHash(kernel.text)}`;
  let p = compiled.get(key);
  if (!p) {
    p = (async () => {
      for (const url of candidates(kernel)) {
        const module = await loadWasmFile(url, kernel.text);
        if (module) return { module, origin: fileURLToPath(url) };
      }
      return { module: await WebAssembly.compile(await assembleWat(`${kernel.name}.wat`, kernel.text, fileURLToPath(kernelUrl(kernel)))), origin: 'wabt' };
    })();
    compiled.set(key, p);
    // a failure (no build, no wabt) is not cached: a later call may succeed
    p.catch(() => compiled.delete(key));
  }
  return p;
}

/** Grows `memory` to hold at least `bytes` (views on the old buffer become detached). */
export function ensureMemory(memory: WebAssembly.Memory, bytes: number): void {
  const have = memory.buffer.byteLength;
  if (bytes > have) memory.grow(Math.ceil((bytes - have) / 65536));
}
