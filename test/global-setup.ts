// Builds dist/ once before the tests, so tests that spawn the CLI or worker threads run the
// current sources. Type errors are reported by `npm run typecheck` (part of `npm test`); tsc
// still emits JavaScript for them, so the build is not fatal here.
import { spawnSync } from 'node:child_process';

export default function setup(): void {
  const r = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { encoding: 'utf8' });
  if (r.status !== 0) process.stderr.write(`global-setup: tsc reported errors (JS still emitted):\n${r.stdout.slice(0, 2000)}\n`);
}
