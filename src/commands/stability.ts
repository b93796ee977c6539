// `scmv stability`: placeholder until its issue lands.
import type { Command } from 'commander';

export function registerStability(program: Command): void {
  program
    .command('stability')
    .description('(not yet implemented)')
    .action(() => {
      throw new Error('scmv stability is not implemented yet');
    });
}
