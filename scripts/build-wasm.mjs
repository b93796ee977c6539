#!/usr/bin/env node
// Second step of `npm run build` (after tsc): assembles the WASM SIMD online-SGD kernel from the
// compiled WAT text (dist/network/wasm/sgd-wat.js) with wabt and writes dist/network/wasm/sgd.wasm,
// stamped with the SHA-256 of that text (see src/network/sgd-wasm-module.ts, which refuses a file
// whose stamp does not match the WAT text it was compiled with).
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const mod = await import('../dist/network/sgd-wasm-module.js');
const bytes = await mod.assembleSgdWasm();
const out = fileURLToPath(mod.SGD_WASM_URL);
// check what is about to be written the way the run time will read it
const module = await WebAssembly.compile(bytes);
const { SGD_WAT } = await import('../dist/network/wasm/sgd-wat.js');
if (mod.stampedWatHash(module) !== mod.watHash(SGD_WAT)) throw new Error('build-wasm: hash stamp does not read back');
mkdirSync(dirname(out), { recursive: true });
const partial = `${out}.${process.pid}.partial`; // atomic: concurrent builds never expose a half-written file
writeFileSync(partial, bytes);
renameSync(partial, out);
process.stdout.write(`build-wasm: ${out} (${bytes.length} bytes, WAT sha256 ${mod.watHash(SGD_WAT).slice(0, 16)}…)\n`);
