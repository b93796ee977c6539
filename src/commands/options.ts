// Option parsing shared by the commands. Every bad value becomes a UsageError: one line that
// names the flag and the allowed range; the CLI prints it and exits with code 2 before any
// output file is opened.

export class UsageError extends Error {}

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
export const seedOption = int('seed', 0, 2 ** 32 - 1);
