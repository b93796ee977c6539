// `scmv study`: placeholder until its issue lands.
import type { Command } from 'commander';

export function registerStudy(program: Command): void {
  program
    .command('study')
    .description('(not yet implemented)')
    .action(() => {
      throw new Error('scmv study is not implemented yet');
    });
}
