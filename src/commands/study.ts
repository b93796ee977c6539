// `scmv study`: the project's studies, each a subcommand registered from its own module.
import type { Command } from 'commander';
import { registerStudyOptimisers } from '../experiments/study-optimisers.js';
import { registerStudyFiniteN } from '../experiments/study-finite-n.js';
import { registerStudySgdScaling } from '../experiments/study-sgd-scaling.js';

export function registerStudy(program: Command): void {
  const study = program
    .command('study')
    .description('Studies of the paper\'s claims; see the subcommands.');
  registerStudyOptimisers(study);
  registerStudyFiniteN(study);
  registerStudySgdScaling(study);
}
