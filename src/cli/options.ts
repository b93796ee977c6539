// Option parsing and the option builders shared by the commands, so that a flag means the same
// (name, range, default, help) in every command that has it. Every bad value becomes a
// UsageError: one line naming the flag and its allowed range; the CLI prints it and exits with
// code 2 before any output file is opened.
import { Option, type Command } from 'commander';
import { availableParallelism } from 'node:os';
import { UsageError } from '../errors.js';
import { ACTIVATION, LIMITS } from '../defaults.js';
import { ACTIVATION_NAMES } from '../activations/index.js';
import { BACKEND_NAMES, createSgdKernel, type BackendName } from '../network/backend.js';

/** Integer in [min, max]. */
export function int(flag: string, min: number, max = Number.MAX_SAFE_INTEGER) {
  return (raw: string): number => {
    const v = Number(raw);
    if (!/^[+-]?\d+$/.test(raw.trim()) || !Number.isSafeInteger(v) || v < min || v > max)
      throw new UsageError(`--${flag} must be an integer in [${min}, ${max === Number.MAX_SAFE_INTEGER ? '∞' : max}], got "${raw}"`);
    return v;
  };
}

/** Real number in an interval; `open` marks which ends are excluded. */
export function real(flag: string, min: number, max: number, open: { min?: boolean; max?: boolean } = {}) {
  const lo = `${open.min ? '(' : '['}${min}`;
  const hi = `${max === Infinity ? '∞' : max}${open.max || max === Infinity ? ')' : ']'}`;
  return (raw: string): number => {
    const v = Number(raw);
    const ok = raw.trim() !== '' && Number.isFinite(v) && (open.min ? v > min : v >= min) && (open.max ? v < max : v <= max);
    if (!ok) throw new UsageError(`--${flag} must be a number in ${lo}, ${hi}, got "${raw}"`);
    return v;
  };
}

/** A number in (0, ∞). */
export const positive = (flag: string) => real(flag, 0, Infinity, { min: true });

/** One of a list of names. */
export function choice<T extends string>(flag: string, values: readonly T[]) {
  return (raw: string): T => {
    if (!(values as readonly string[]).includes(raw))
      throw new UsageError(`--${flag} must be one of ${values.join(', ')}, got "${raw}"`);
    return raw as T;
  };
}

/** Comma-separated list parsed item by item. */
export function list<T>(flag: string, item: (raw: string) => T) {
  return (raw: string): T[] => {
    const parts = raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
    if (parts.length === 0) throw new UsageError(`--${flag} must be a comma-separated list, got "${raw}"`);
    return parts.map(item);
  };
}

/** Seeds: any integer in [0, 2^32). */
export const seedOption = int('seed', 0, LIMITS.seed);

/** An option with a parser and a default shown in --help as `shown` (lists as "a,b,c"). */
export function opt<T>(flags: string, description: string, parse: (raw: string) => T, value?: T, shown?: string): Option {
  const o = new Option(flags, description).argParser((raw: string) => parse(raw));
  if (value !== undefined) o.default(value, shown ?? (Array.isArray(value) ? value.join(',') : String(value)));
  return o;
}

/** --K and --M: student and teacher units. */
export function addWidths(cmd: Command, d: { K: number; M: number }, max: { K: number; M: number } = { K: LIMITS.K, M: LIMITS.M }): Command {
  return cmd
    .addOption(opt('--K <int>', `student units K, in [1, ${max.K}]`, int('K', 1, max.K), d.K))
    .addOption(opt('--M <int>', `teacher units M, in [1, ${max.M}]`, int('M', 1, max.M), d.M));
}

/** --activation and --alpha. */
export function addActivation(cmd: Command): Command {
  return cmd
    .addOption(opt('--activation <name>', `activation g: ${ACTIVATION_NAMES.join(' | ')}`, choice('activation', ACTIVATION_NAMES), ACTIVATION.activation))
    .addOption(opt('--alpha <float>', 'leaky ReLU negative slope α, in [0, 1)', real('alpha', 0, 1, { max: true }), ACTIVATION.alpha));
}

/** --seed. */
export function addSeed(cmd: Command, value: number, description = 'random seed, in [0, 2^32)'): Command {
  return cmd.addOption(opt('--seed <int>', description, seedOption, value));
}

/** The core count: the default number of worker threads, and their cap. */
export const CORES = Math.max(1, availableParallelism());

/** --workers: worker threads, default the core count, at most 4× the core count. */
export function workersOption(): Option {
  return opt('--workers <int>', 'worker threads (results do not depend on it), in [1, 4 × the number of cores]', int('workers', 1, 4 * CORES), CORES, 'the number of cores');
}

export function addWorkers(cmd: Command): Command {
  return cmd.addOption(workersOption());
}

export type BackendChoice = BackendName | 'auto';

/** --backend: the online-SGD kernel. */
export function addBackend(cmd: Command): Command {
  return cmd.addOption(opt('--backend <name>', `online-SGD kernel: auto | ${BACKEND_NAMES.join(' | ')} (auto: wasm if it loads, else js; js and wasm agree to ~1e-13, tfjs is float32)`,
    choice('backend', ['auto', ...BACKEND_NAMES] as const), 'auto' as BackendChoice));
}

/** The kernel `choice` resolves to here: auto → wasm when it loads, else js; a named backend must load. */
export async function resolveBackend(choiceName: BackendChoice): Promise<BackendName> {
  const probe = (b: BackendName) => createSgdKernel(b, { activation: 'relu', alpha: 0, K: 1, M: 1, N: 4, lr: 0.1, replicas: 1 }).then((k) => k.dispose());
  if (choiceName === 'auto') {
    try {
      await probe('wasm');
      return 'wasm';
    } catch {
      return 'js';
    }
  }
  try {
    await probe(choiceName);
  } catch (e) {
    throw new UsageError(`--backend ${choiceName}: ${e instanceof Error ? e.message : String(e)}`);
  }
  return choiceName;
}

/** --out. */
export function addOut(cmd: Command, description: string): Command {
  return cmd.option('--out <file>', description);
}

/**
 * Refuses flags the user gave that do not apply here: each rule is [flag, applies, why]; a flag
 * given on the command line (not defaulted) whose rule does not apply is one UsageError line.
 */
export function refuseInapplicable(cmd: Command, rules: ReadonlyArray<[flag: string, applies: boolean, why: string]>): void {
  for (const [flag, applies, why] of rules) {
    const key = flag.replace(/^--/, '').replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    if (!applies && cmd.getOptionValueSource(key) === 'cli') throw new UsageError(`${flag} does not apply ${why}`);
  }
}

/** Refuses an estimate above a limit in bytes: one line with both. */
export function refuseMemory(what: string, bytes: number, limit: number): void {
  const gb = (b: number) => `${(b / 2 ** 30).toPrecision(3)} GiB`;
  if (!(bytes <= limit)) throw new UsageError(`${what} would need about ${gb(bytes)} of memory per job, above the limit of ${gb(limit)}; reduce it`);
}
