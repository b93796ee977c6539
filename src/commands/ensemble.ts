// `scmv ensemble`: placeholder until its issue lands.
import type { Command } from 'commander';

export function registerEnsemble(program: Command): void {
  program
    .command('ensemble')
    .description('(not yet implemented)')
    .action(() => {
      throw new Error('scmv ensemble is not implemented yet');
    });
}
