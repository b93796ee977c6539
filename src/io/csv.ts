// Tidy CSV output through csv-stringify. Files are written to `<path>.partial` and renamed
// on success, so an interrupted or rejected run never leaves a half-written file at `path`.
import { mkdirSync, renameSync, writeFileSync, appendFileSync, existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { stringify } from 'csv-stringify/sync';

export type Cell = string | number | boolean | null | undefined;

/** Formats a number for CSV: full float64 precision, NaN/±Inf spelled out. */
export function formatCell(v: Cell): string | number | boolean | null | undefined {
  if (typeof v === 'number' && !Number.isFinite(v)) return Number.isNaN(v) ? 'NaN' : v > 0 ? 'Inf' : '-Inf';
  return v;
}

/** CSV text for a header and rows. */
export function toCsv(header: readonly string[], rows: readonly (readonly Cell[])[], withHeader = true): string {
  return stringify(rows.map((r) => r.map(formatCell)), { header: withHeader, columns: header as string[] });
}

/** Writes a whole CSV atomically (temp file + rename). */
export function writeCsv(path: string, header: readonly string[], rows: readonly (readonly Cell[])[]): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.partial`;
  writeFileSync(tmp, toCsv(header, rows));
  renameSync(tmp, path);
}

/** Appends rows to a CSV, writing the header first if the file does not exist. */
export function appendCsv(path: string, header: readonly string[], rows: readonly (readonly Cell[])[]): void {
  if (!existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, toCsv(header, []));
  }
  if (rows.length) appendFileSync(path, toCsv(header, rows, false));
}
