#!/usr/bin/env node
// Second step of `npm run build` (after tsc): assembles every WASM kernel — each `*-wat.js` under
// dist/ exporting a kernel { name, text, file } (src/wasm/module.ts: the online-SGD kernel of
// src/network/wasm/sgd-wat.ts, the weight-flow products of src/theory/wasm/weights-wat.ts) — with
// wabt and writes dist/<file>, stamped with the SHA-256 of its WAT text (src/wasm/module.ts refuses
// a file whose stamp does not match the WAT text it was compiled with).
import { mkdirSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const mod = await import('../dist/wasm/module.js');

/** dist/**\/wasm/*-wat.js */
function watModules(dir, out = []) {
  for (const f of readdirSync(dir)) {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) watModules(p, out);
    else if (/[\\/]wasm[\\/][^\\/]+-wat\.js$/.test(p)) out.push(p);
  }
  return out;
}

const kernels = [];
for (const file of watModules(dist)) {
  const exports = await import(pathToFileURL(file).href);
  for (const v of Object.values(exports)) {
    if (v && typeof v === 'object' && typeof v.name === 'string' && typeof v.text === 'string' && typeof v.file === 'string') kernels.push(v);
  }
}
if (kernels.length === 0) throw new Error('build-wasm: no WAT kernel found under dist/');
for (const kernel of kernels) {
  const bytes = await mod.assembleKernel(kernel);
  const out = fileURLToPath(mod.kernelUrl(kernel));
  // check what is about to be written the way the run time will read it
  const module = await WebAssembly.compile(bytes);
  if (mod.stampedWatHash(module) !== mod.watHash(kernel.text)) throw new Error(`build-wasm: hash stamp of ${kernel.name} does not read back`);
  mkdirSync(dirname(out), { recursive: true });
  const partial = `${out}.${process.pid}.partial`; // atomic: concurrent builds never expose a half-written file
  writeFileSync(partial, bytes);
  renameSync(partial, out);
  process.stdout.write(`build-wasm: ${out} (${bytes.length} bytes, WAT sha256 ${mod.watHash(kernel.text).slice(0, 16)}…)\n`);
}
