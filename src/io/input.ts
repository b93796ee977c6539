// The one place that validates input files (docs/reliability.md): a CSV must have the columns
// its reader needs, and every row must have the right number of fields, each of the right form.
// Malformed rows are reported as file:line with the reason; a trailing line without its newline
// (a write that was cut off) is malformed too. Unreadable files and files that are not CSV are
// one-line errors (exit 2).
import { readFileSync, statSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { UsageError } from '../errors.js';
import { withFs } from './files.js';
import type { CsvRecord } from './csv.js';

/** A field check: undefined when the value is fine, else what is wrong with it. */
export type FieldCheck = (value: string) => string | undefined;

export interface InputSchema {
  /** What the file must be, e.g. "an ensemble runs CSV (written by scmv ensemble)". */
  what: string;
  /** Required columns and their checks. */
  columns: Record<string, FieldCheck>;
  /** Optional columns, by name pattern, and their checks (e.g. an ensemble's horizon columns). */
  optional?: { match: RegExp; check: FieldCheck }[];
}

export interface BadRow {
  file: string;
  line: number;
  why: string;
}

export interface InputFile {
  records: CsvRecord[];
  bad: BadRow[];
}

const SPECIAL = new Set(['NaN', 'Inf', '-Inf']);

/** An integer in [min, max]. */
export const integer = (min = -Infinity, max = Infinity): FieldCheck => (v) =>
  /^[+-]?\d+$/.test(v) && Number(v) >= min && Number(v) <= max ? undefined : `"${v}" is not an integer in [${min}, ${max === Infinity ? '∞' : max}]`;

/** A number (NaN, Inf and -Inf allowed: the way our CSVs spell them). */
export const number: FieldCheck = (v) => (v.trim() !== '' && (Number.isFinite(Number(v)) || SPECIAL.has(v)) ? undefined : `"${v}" is not a number`);

/** One of a set of words. */
export const oneOf = (values: readonly string[]): FieldCheck => (v) => (values.includes(v) ? undefined : `"${v}" is not one of ${values.join(', ')}`);

/** Reads and checks `path` against `schema`; malformed rows are returned in `bad`, good ones in `records`. */
export function readInput(path: string, schema: InputSchema): InputFile {
  const text = withFs(path, 'read', () => {
    if (statSync(path).isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    return readFileSync(path, 'utf8');
  }, 2);
  if (text.includes('\u0000')) throw new UsageError(`${path} is not ${schema.what}: it is a binary file`);
  let rows: string[][];
  try {
    rows = parse(text, { relax_column_count: true, skip_empty_lines: false }) as string[][];
  } catch (e) {
    throw new UsageError(`${path} is not ${schema.what}: ${(e as Error).message.split('\n')[0]}`);
  }
  if (rows.length === 0) throw new UsageError(`${path} is not ${schema.what}: it is empty`);
  const header = rows[0];
  const missing = Object.keys(schema.columns).filter((c) => !header.includes(c));
  if (missing.length) throw new UsageError(`${path} is not ${schema.what}: missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (header "${header.join(',').slice(0, 60)}")`);
  const records: CsvRecord[] = [];
  const bad: BadRow[] = [];
  const truncated = !text.endsWith('\n');
  for (let i = 1; i < rows.length; i++) {
    const line = i + 1;
    const fields = rows[i];
    if (fields.length === 1 && fields[0] === '') continue; // blank line
    if (truncated && i === rows.length - 1) {
      bad.push({ file: path, line, why: 'truncated last line (no newline)' });
      continue;
    }
    if (fields.length !== header.length) {
      bad.push({ file: path, line, why: `${fields.length} fields, the header has ${header.length}` });
      continue;
    }
    const rec: CsvRecord = {};
    header.forEach((h, j) => (rec[h] = fields[j]));
    const optional = header.flatMap((c) => (schema.optional ?? []).filter((o) => o.match.test(c)).map((o) => [c, o.check] as const));
    const why = [...Object.entries(schema.columns), ...optional].map(([c, check]) => {
      const w = check(rec[c]);
      return w ? `${c} ${w}` : undefined;
    }).find((w) => w !== undefined);
    if (why) bad.push({ file: path, line, why });
    else records.push(rec);
  }
  return { records, bad };
}

/** One line describing malformed rows: the count and the first few, as file:line (reason). */
export function describeBadRows(bad: readonly BadRow[], max = 3): string {
  const shown = bad.slice(0, max).map((b) => `${b.file}:${b.line} (${b.why})`).join('; ');
  return `${bad.length} malformed row${bad.length > 1 ? 's' : ''}: ${shown}${bad.length > max ? '; …' : ''}`;
}
