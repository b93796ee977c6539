// experiments/optimisers-table2.ts — the same as `scmv study optimisers` (Table 2 layout:
// global-minimum fraction for K = M, M+1, M+2 under gd, 2l, ngd, ongd), runnable with tsx.
// Run: nice npx tsx experiments/optimisers-table2.ts [--quick] [--M 8] [--runs 300] [--workers 2] …
import { main } from '../src/cli/main.js';

await main(['node', 'scmv', 'study', 'optimisers', ...process.argv.slice(2)]);
