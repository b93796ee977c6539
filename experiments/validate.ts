// experiments/validate.ts — regenerates results/validate (the standard cross-check, `scmv validate`
// with its defaults) into the tracked results folder; `npx scmv validate` alone writes to the
// untracked scmv-out/validate.
// Usage: nice npx tsx experiments/validate.ts [--quick]
import { main } from '../src/cli/main.js';

await main(['node', 'scmv', 'validate', '--out-dir', 'results/validate', ...process.argv.slice(2)]);
