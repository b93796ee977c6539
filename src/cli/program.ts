// The `scmv` command line: a thin layer over the library, one file per command in commands/.
import { Command } from 'commander';
import { packageVersion } from '../io/manifest.js';
import { registerOde } from './commands/ode.js';
import { registerTrain } from './commands/train.js';
import { registerValidate } from './commands/validate.js';
import { registerLevels } from './commands/levels.js';
import { registerStability } from './commands/stability.js';
import { registerEnsemble } from './commands/ensemble.js';
import { registerSummarize } from './commands/summarize.js';
import { registerStudy } from './commands/study.js';
import { registerReport } from './commands/report.js';

/** The whole program, with errors thrown (never process.exit) so that it can run in-process. */
export function buildProgram(): Command {
  const program = new Command('scmv')
    .description('scm-validator: checks the order-parameter ODE of two-layer networks against explicit finite-N training')
    .version(packageVersion());
  registerOde(program);
  registerTrain(program);
  registerValidate(program);
  registerLevels(program);
  registerStability(program);
  registerEnsemble(program);
  registerSummarize(program);
  registerStudy(program);
  registerReport(program);
  const quiet = (c: Command): void => {
    c.exitOverride().configureOutput({ outputError: () => {} });
    c.commands.forEach(quiet);
  };
  quiet(program);
  return program;
}
