// `scmv summarize`: placeholder until its issue lands.
import type { Command } from 'commander';

export function registerSummarize(program: Command): void {
  program
    .command('summarize')
    .description('(not yet implemented)')
    .action(() => {
      throw new Error('scmv summarize is not implemented yet');
    });
}
