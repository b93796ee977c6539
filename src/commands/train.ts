// `scmv train`: placeholder until its issue lands.
import type { Command } from 'commander';

export function registerTrain(program: Command): void {
  program
    .command('train')
    .description('(not yet implemented)')
    .action(() => {
      throw new Error('scmv train is not implemented yet');
    });
}
