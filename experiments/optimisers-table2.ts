// experiments/optimisers-table2.ts — the same as `scmv study optimisers` (Table 2 layout:
// global-minimum fraction for K = M, M+1, M+2 under gd, 2l, ngd, ongd), runnable with tsx.
// Run: nice npx tsx experiments/optimisers-table2.ts [--quick] [--M 8] [--runs 300] [--workers 2] …
import { Command } from 'commander';
import { registerStudyOptimisers } from '../src/experiments/study-optimisers.js';

const program = new Command('optimisers-table2');
registerStudyOptimisers(program.command('study'));
program.parseAsync(['node', 'optimisers-table2', 'study', 'optimisers', ...process.argv.slice(2)]).catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
