// Runs the command line in-process (through buildProgram, as `scmv` does) or, for the few tests
// that need a real process (signals, locks, a full disk), from source with tsx.
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildProgram } from '../src/cli/program.js';
import { describeError } from '../src/cli/main.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

export interface CliResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** `scmv …args` in this process: exit code, stdout and stderr as the binary would produce them. */
export async function runCli(args: readonly string[]): Promise<CliResult> {
  const out: string[] = [];
  const err: string[] = [];
  const ow = process.stdout.write;
  const ew = process.stderr.write;
  const { log, error, warn } = console;
  const capture = (sink: string[]) => ((chunk: unknown) => (sink.push(String(chunk)), true)) as typeof process.stdout.write;
  process.stdout.write = capture(out);
  process.stderr.write = capture(err);
  console.log = (...a: unknown[]) => void out.push(a.join(' ') + '\n');
  console.error = console.warn = (...a: unknown[]) => void err.push(a.join(' ') + '\n');
  const prev = process.exitCode;
  process.exitCode = undefined;
  let status = 0;
  try {
    await buildProgram().parseAsync(['node', 'scmv', ...args]);
    status = Number(process.exitCode ?? 0);
  } catch (e) {
    const d = describeError(e);
    if (!d) throw e;
    if (d.message) err.push(`scmv: ${d.message}\n`);
    status = d.code;
  } finally {
    process.stdout.write = ow;
    process.stderr.write = ew;
    Object.assign(console, { log, error, warn });
    process.exitCode = prev;
  }
  return { status, stdout: out.join(''), stderr: err.join('') };
}

const BIN = ['--import', pathToFileURL(join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href, join(ROOT, 'src', 'cli', 'bin.ts')];

/** `scmv …args` as a separate process (from source, no build needed). */
export function spawnCliSync(args: readonly string[], cwd = ROOT): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [...BIN, ...args], { cwd, encoding: 'utf8' });
}

/** The same, asynchronously: the child process (for signals and concurrency tests). */
export function spawnCli(args: readonly string[], cwd = ROOT) {
  return spawn(process.execPath, [...BIN, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
}
