// `scmv study`: the project's studies, each a subcommand in its own file.
import type { Command } from 'commander';
import { registerStudyOptimisers } from './study-optimisers.js';
import { registerStudyFiniteN } from './study-finite-n.js';
import { registerStudySgdScaling } from './study-sgd-scaling.js';

export function registerStudy(program: Command): void {
  const study = program
    .command('study')
    .description('Studies of the paper\'s claims; see the subcommands.');
  registerStudyOptimisers(study);
  registerStudyFiniteN(study);
  registerStudySgdScaling(study);
}
