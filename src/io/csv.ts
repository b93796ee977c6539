// Tidy CSV through csv-stringify and csv-parse: the one writer and the one reader. Whole files
// are written to `<path>.partial` and renamed on success, so an interrupted or rejected run never
// leaves a half-written file at `path`; readers ignore a trailing partial line (a write cut by
// SIGKILL), which resumable files cut off before appending (io/resumable.ts).
import { existsSync, readFileSync } from 'node:fs';
import { appendWhole, withFs, writeFileAtomic } from './files.js';
import { stringify } from 'csv-stringify/sync';
import { parse } from 'csv-parse/sync';

export type Cell = string | number | boolean | null | undefined;
export type CsvRecord = Record<string, string>;

/** Formats a number for CSV: full float64 precision, NaN/±Inf spelled out. */
export function formatCell(v: Cell): string | number | boolean | null | undefined {
  if (typeof v === 'number' && !Number.isFinite(v)) return Number.isNaN(v) ? 'NaN' : v > 0 ? 'Inf' : '-Inf';
  return v;
}

/** CSV text for a header and rows. */
export function toCsv(header: readonly string[], rows: readonly (readonly Cell[])[], withHeader = true): string {
  return stringify(rows.map((r) => r.map(formatCell)), { header: withHeader, columns: header as string[] });
}

/** Rows of objects as cells in the order of `columns`. */
export function cellsOf(columns: readonly string[], rows: readonly Record<string, unknown>[]): Cell[][] {
  return rows.map((r) => columns.map((c) => r[c] as Cell));
}

/** Writes a whole CSV atomically (io/files.ts writeFileAtomic). */
export function writeCsv(path: string, header: readonly string[], rows: readonly (readonly Cell[])[]): void {
  writeFileAtomic(path, toCsv(header, rows));
}

/** Appends rows to a CSV (whole lines only), writing the header first if the file does not exist. */
export function appendCsv(path: string, header: readonly string[], rows: readonly (readonly Cell[])[]): void {
  if (!existsSync(path)) writeFileAtomic(path, toCsv(header, []));
  if (rows.length) appendWhole(path, toCsv(header, rows, false));
}

/** Records of CSV text with a header; a trailing partial line (no final newline) is ignored. */
export function parseCsv(text: string): CsvRecord[] {
  const end = text.lastIndexOf('\n');
  const whole = end < 0 ? '' : text.slice(0, end + 1);
  if (whole.trim() === '') return [];
  return parse(whole, { columns: true, skip_empty_lines: true }) as CsvRecord[];
}

/** Records of a CSV file ([] if it does not exist). */
export function readCsvFile(path: string): CsvRecord[] {
  if (!existsSync(path)) return [];
  return parseCsv(withFs(path, 'read', () => readFileSync(path, 'utf8'), 2));
}

/** A record with numeric-looking fields converted to numbers (NaN, Inf, -Inf included). */
export function numericRecord(r: CsvRecord): Record<string, string | number> {
  const o: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(r)) {
    const n = v === 'Inf' ? Infinity : v === '-Inf' ? -Infinity : v === 'NaN' ? NaN : Number(v);
    o[k] = v !== '' && (Number.isFinite(n) || ['Inf', '-Inf', 'NaN'].includes(v)) ? n : v;
  }
  return o;
}
