// Entry point of the `scmv` binary: runs the program and turns every error a user can act on into
// one line on stderr and an exit code (2 for bad input; see docs/reliability.md).
import { CommanderError } from 'commander';
import { buildProgram } from './program.js';
import { ScmvError } from '../errors.js';

/** The exit code and one-line message for an error, or null for a bug (which keeps its stack). */
export function describeError(err: unknown): { code: number; message: string | null } | null {
  if (err instanceof CommanderError) {
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return { code: 0, message: null };
    return { code: 2, message: err.message.replace(/^error: /, '') };
  }
  if (err instanceof ScmvError) return { code: err.exitCode, message: err.message };
  return null;
}

/** Runs the CLI on argv; exits with the error's code after one line on stderr. */
export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    const d = describeError(err);
    if (!d) throw err;
    if (d.message) process.stderr.write(`scmv: ${d.message}\n`);
    process.exit(d.code);
  }
}
