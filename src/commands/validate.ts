// `scmv validate`: placeholder until its issue lands.
import type { Command } from 'commander';

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('(not yet implemented)')
    .action(() => {
      throw new Error('scmv validate is not implemented yet');
    });
}
