// The one resumable-output helper: a CSV that rows are appended to as they finish, so an
// interrupted run can be restarted with the same output and continues where it stopped.
// Opening creates the file with its header, or checks the header of an existing file, cuts a
// trailing partial line (a write cut by SIGKILL) and returns the rows already there.
import { existsSync, readFileSync, truncateSync, appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseCsv, toCsv, type Cell, type CsvRecord } from './csv.js';
import { UsageError } from '../errors.js';

/** Opens `path` for appending rows with `columns`; returns the whole rows already present. */
export function openResumable(path: string, columns: readonly string[]): CsvRecord[] {
  const header = columns.join(',');
  if (!existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, header + '\n');
    return [];
  }
  const text = readFileSync(path, 'utf8');
  const end = text.lastIndexOf('\n');
  if (end < 0) {
    writeFileSync(path, header + '\n');
    return [];
  }
  const first = text.slice(0, text.indexOf('\n'));
  if (first !== header) throw new UsageError(`${path} exists with a different header ("${first.slice(0, 80)}"); remove it or choose another output`);
  if (end < text.length - 1) truncateSync(path, Buffer.byteLength(text.slice(0, end + 1)));
  return parseCsv(text);
}

/** Appends one row (object with the columns' keys) as one whole line. */
export function appendRecord(path: string, columns: readonly string[], row: object): void {
  const r = row as Record<string, Cell>;
  appendFileSync(path, toCsv(columns, [columns.map((c) => r[c])], false));
}
