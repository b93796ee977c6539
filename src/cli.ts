// The `scmv` command line: a thin layer over the library. Each command lives in src/commands/.
import { Command, CommanderError } from 'commander';
import { packageVersion } from './io/manifest.js';
import { UsageError } from './commands/options.js';
import { registerOde } from './commands/ode.js';
import { registerTrain } from './commands/train.js';
import { registerValidate } from './commands/validate.js';
import { registerLevels } from './commands/levels.js';
import { registerStability } from './commands/stability.js';
import { registerEnsemble } from './commands/ensemble.js';
import { registerSummarize } from './commands/summarize.js';
import { registerStudy } from './commands/study.js';
import { registerReport } from './commands/report.js';

export function buildProgram(): Command {
  const program = new Command('scmv')
    .description('scm-validator: checks the order-parameter ODE of two-layer networks against explicit finite-N training')
    .version(packageVersion())
    .exitOverride()
    .configureOutput({ outputError: () => {} });
  registerOde(program);
  registerTrain(program);
  registerValidate(program);
  registerLevels(program);
  registerStability(program);
  registerEnsemble(program);
  registerSummarize(program);
  registerStudy(program);
  registerReport(program);
  for (const c of program.commands) c.exitOverride().configureOutput({ outputError: () => {} });
  return program;
}

/** Runs the CLI; bad input prints one line to stderr and exits with code 2. */
export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') process.exit(0);
      process.stderr.write(`scmv: ${err.message.replace(/^error: /, '')}\n`);
      process.exit(2);
    }
    if (err instanceof UsageError) {
      process.stderr.write(`scmv: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
}
