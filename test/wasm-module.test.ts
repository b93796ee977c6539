// The WASM kernels (src/wasm/module.ts) come from the .wasm files the build writes
// (scripts/build-wasm.mjs), stamped with the hash of their WAT text; a file of another WAT text is
// never used. One mechanism for both kernels: the online-SGD kernel and the weight-flow products.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  assembleKernel, assembleWat, kernelModule, loadWasmFile, stampedWatHash, watHash, type WatKernel,
} from '../src/wasm/module.js';
import { SGD_KERNEL, sgdWat } from '../src/network/wasm/sgd-wat.js';
import { WEIGHTS_KERNEL } from '../src/theory/wasm/weights-wat.js';
import { sgdWasmOrigin } from '../src/network/sgd-wasm-module.js';
import { loadWeightKernels } from '../src/theory/flow-weights-wasm.js';

const dir = mkdtempSync(join(tmpdir(), 'scmv-wasm-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, bytes: Uint8Array) => {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return pathToFileURL(p);
};

describe.each([SGD_KERNEL, WEIGHTS_KERNEL])('$file', (kernel: WatKernel) => {
  it('from the sources, the module is the dist/ file that npm run build wrote (no wabt)', async () => {
    const { module, origin } = await kernelModule(kernel);
    expect(origin).toBe(join(process.cwd(), 'dist', ...kernel.file.split('/')));
    expect(stampedWatHash(module)).toBe(watHash(kernel.text));
  });

  it('is assembled with the hash of its WAT text in a custom section', async () => {
    const bytes = await assembleKernel(kernel);
    expect(WebAssembly.validate(bytes)).toBe(true);
    expect(stampedWatHash(await WebAssembly.compile(bytes))).toBe(watHash(kernel.text));
    // the same code as the bare assembly, plus the section
    const bare = await assembleWat(`${kernel.name}.wat`, kernel.text);
    expect(Array.from(bytes.subarray(0, bare.length))).toEqual(Array.from(bare));
  });

  it('refuses unstamped, damaged, stale and missing files', async () => {
    const url = file(`${kernel.name}-current.wasm`, await assembleKernel(kernel));
    expect(await loadWasmFile(url, kernel.text)).toBeInstanceOf(WebAssembly.Module);
    expect(await loadWasmFile(url, `${kernel.text}\n`)).toBeUndefined(); // WAT text changed since the build
    expect(await loadWasmFile(file(`${kernel.name}-bare.wasm`, await assembleWat('x.wat', kernel.text)), kernel.text)).toBeUndefined();
    expect(await loadWasmFile(file(`${kernel.name}-damaged.wasm`, (await assembleKernel(kernel)).subarray(0, 100)), kernel.text)).toBeUndefined();
    expect(await loadWasmFile(pathToFileURL(join(dir, 'missing.wasm')), kernel.text)).toBeUndefined();
  });
});

describe('kernel loaders', () => {
  it('a file built from another WAT text of the same kernel is stale', async () => {
    const other = sgdWat({ rowsPerBlock: 3, accPerRow: 2 });
    const stale = file('stale.wasm', await assembleKernel(SGD_KERNEL, other));
    expect(await loadWasmFile(stale, SGD_KERNEL.text)).toBeUndefined();
    expect(await loadWasmFile(stale, other)).toBeInstanceOf(WebAssembly.Module);
  });

  it('both kernels load through src/wasm/module.ts from the build', async () => {
    expect(await sgdWasmOrigin()).toBe(join(process.cwd(), 'dist', 'network', 'wasm', 'sgd.wasm'));
    expect(await loadWeightKernels()).toBe(join(process.cwd(), 'dist', 'theory', 'wasm', 'weights.wasm'));
  });
});
