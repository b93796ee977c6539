// The WASM kernel's module comes from the .wasm that the build writes (scripts/build-wasm.mjs),
// stamped with the hash of its WAT text; a file of another WAT text is never used.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  assembleSgdWasm, assembleWat, loadSgdWasmFile, sgdWasmModule, sgdWasmOrigin, stampedWatHash, watHash,
} from '../src/network/sgd-wasm-module.js';
import { SGD_WAT, sgdWat } from '../src/network/wasm/sgd-wat.js';

const dir = mkdtempSync(join(tmpdir(), 'scmv-wasm-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, bytes: Uint8Array) => {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return pathToFileURL(p);
};

describe('sgd.wasm', () => {
  it('from the sources, the module is the dist/ file built by the test setup (no wabt)', async () => {
    expect(await sgdWasmOrigin()).toBe(join(process.cwd(), 'dist', 'network', 'wasm', 'sgd.wasm'));
    expect(stampedWatHash(await sgdWasmModule())).toBe(watHash(SGD_WAT));
  });

  it('is assembled with the hash of its WAT text in a custom section', async () => {
    const bytes = await assembleSgdWasm();
    expect(WebAssembly.validate(bytes)).toBe(true);
    expect(stampedWatHash(await WebAssembly.compile(bytes))).toBe(watHash(SGD_WAT));
    // the same code as the bare assembly, plus the section
    const bare = await assembleWat('sgd.wat', SGD_WAT);
    expect(Array.from(bytes.subarray(0, bare.length))).toEqual(Array.from(bare));
  });

  it('a file is used only for the WAT text it was assembled from', async () => {
    const url = file('current.wasm', await assembleSgdWasm());
    expect(await loadSgdWasmFile(url)).toBeInstanceOf(WebAssembly.Module);
    expect(await loadSgdWasmFile(url, `${SGD_WAT}\n`)).toBeUndefined(); // WAT text changed since the build
    const other = sgdWat({ rowsPerBlock: 3, accPerRow: 2 });
    const stale = file('stale.wasm', await assembleSgdWasm(other));
    expect(await loadSgdWasmFile(stale)).toBeUndefined();
    expect(await loadSgdWasmFile(stale, other)).toBeInstanceOf(WebAssembly.Module);
  });

  it('refuses unstamped, damaged and missing files', async () => {
    expect(await loadSgdWasmFile(file('bare.wasm', await assembleWat('sgd.wat', SGD_WAT)))).toBeUndefined();
    expect(await loadSgdWasmFile(file('damaged.wasm', (await assembleSgdWasm()).subarray(0, 100)))).toBeUndefined();
    expect(await loadSgdWasmFile(pathToFileURL(join(dir, 'missing.wasm')))).toBeUndefined();
  });
});
