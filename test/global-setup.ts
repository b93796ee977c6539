// Builds dist/ once before the tests, so tests that spawn the CLI or worker threads run the
// current sources.
import { execFileSync } from 'node:child_process';

export default function setup(): void {
  execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
}
