// `scmv levels`: placeholder until its issue lands.
import type { Command } from 'commander';

export function registerLevels(program: Command): void {
  program
    .command('levels')
    .description('(not yet implemented)')
    .action(() => {
      throw new Error('scmv levels is not implemented yet');
    });
}
