// The one resumable-output helper: a CSV that rows are appended to as they finish, so an
// interrupted run can be restarted with the same output and continues where it stopped.
// Opening takes the file's exclusive lock (io/files.ts), refuses a file whose rows were made
// with other row-affecting options (as recorded in its manifest), creates the file with its
// header or checks the header of an existing one, cuts a trailing partial line (a write cut by
// SIGKILL or a full disk) and returns the rows already there.
import { existsSync, readFileSync, truncateSync } from 'node:fs';
import { parseCsv, toCsv, type Cell, type CsvRecord } from './csv.js';
import { acquireLock, appendWhole, withFs, writeFileAtomic } from './files.js';
import { manifestPath, readManifest } from './manifest.js';
import { UsageError } from '../errors.js';

export interface ResumableFile {
  /** Whole rows already in the file. */
  rows: CsvRecord[];
  /** Releases the lock (also released when the process exits). */
  release(): void;
}

export interface ResumableOptions {
  /** Options that change what a row contains; stored in the manifest and compared on resume. */
  rowOptions?: Record<string, unknown>;
  /** Take the exclusive lock (default true). */
  lock?: boolean;
  /**
   * Row options a stored manifest may lack because they did not exist when it was written, with
   * the value such rows were made with (compared as if stored).
   */
  legacyRowOptions?: Record<string, unknown>;
}

/** "a ≠ b" for every key whose value differs between the stored and the requested options. */
export function optionDifferences(stored: Record<string, unknown>, now: Record<string, unknown>): string[] {
  const keys = [...new Set([...Object.keys(stored), ...Object.keys(now)])].sort();
  const show = (v: unknown) => (v === undefined ? 'unset' : JSON.stringify(v));
  return keys.filter((k) => JSON.stringify(stored[k]) !== JSON.stringify(now[k])).map((k) => `${k} ${show(stored[k])} ≠ ${show(now[k])}`);
}

/** Opens `path` for appending rows with `columns`; see the header. */
export function openResumable(path: string, columns: readonly string[], opts: ResumableOptions = {}): ResumableFile {
  const release = opts.lock === false ? () => {} : acquireLock(path);
  try {
    const header = columns.join(',');
    if (!existsSync(path)) {
      writeFileAtomic(path, header + '\n');
      return { rows: [], release };
    }
    const text = withFs(path, 'read', () => readFileSync(path, 'utf8'), 2);
    const end = text.lastIndexOf('\n');
    if (end < 0) {
      writeFileAtomic(path, header + '\n');
      return { rows: [], release };
    }
    const first = text.slice(0, text.indexOf('\n'));
    if (first !== header) throw new UsageError(`${path} exists with a different header ("${first.slice(0, 80)}"); remove it or choose another output`);
    if (end < text.length - 1) withFs(path, 'cut the partial last line of', () => truncateSync(path, Buffer.byteLength(text.slice(0, end + 1))));
    const rows = parseCsv(text);
    const stored = readManifest(manifestPath(path))?.rowOptions as Record<string, unknown> | undefined;
    if (rows.length && stored && opts.rowOptions) {
      const diff = optionDifferences({ ...opts.legacyRowOptions, ...stored }, opts.rowOptions);
      if (diff.length) throw new UsageError(`${path} holds ${rows.length} rows made with other settings (${diff.join(', ')}); rerun with the same settings to resume, or choose another output`);
    }
    return { rows, release };
  } catch (e) {
    release();
    throw e;
  }
}

/** Appends one row (an object with the columns' keys) as one whole line. */
export function appendRecord(path: string, columns: readonly string[], row: object): void {
  const r = row as Record<string, Cell>;
  appendWhole(path, toCsv(columns, [columns.map((c) => r[c])], false));
}
