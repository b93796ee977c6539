// Builds dist/ once before the tests, so tests that spawn the CLI or worker threads run the
// current sources: tsc, then scripts/build-wasm.mjs (dist/network/wasm/sgd.wasm, which the wasm
// kernel also loads when it runs from the TypeScript sources, so no test process starts wabt).
// Type errors are reported by `npm run typecheck` (part of `npm test`); tsc still emits
// JavaScript for them, so the build is not fatal here.
import { spawnSync } from 'node:child_process';

export default function setup(): void {
  const r = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { encoding: 'utf8' });
  if (r.status !== 0) process.stderr.write(`global-setup: tsc reported errors (JS still emitted):\n${r.stdout.slice(0, 2000)}\n`);
  const w = spawnSync(process.execPath, ['scripts/build-wasm.mjs'], { encoding: 'utf8' });
  // without the file the kernel assembles the WAT with wabt instead: slower, not wrong
  if (w.status !== 0) process.stderr.write(`global-setup: scripts/build-wasm.mjs failed:\n${w.stderr.slice(0, 2000)}\n`);
}
