// Ensemble driver (issue 5): runs of one (K, M) spread over worker threads, one CSV row per
// run appended as runs finish (in run order), resumable, shardable.
//
// Shards: shard i/n takes the runs with run % n == i (strided, so every shard sees a similar mix
// of easy and hard runs). Run i's initial condition comes from createRng(seed, 'run', i), so
// rows are identical whatever --workers and --shard are.
// Resume: an existing --out is read with csv-parse; runs already there are skipped. A trailing
// partial line (a write cut by SIGKILL) is cut off before appending.
// Columns: RUN_COLUMNS, then four per horizon (runColumns).
import { mapPool } from './pool.js';
import { ENSEMBLE_RUN_JOB, RUN_COLUMNS, rowRecord, runColumns, type RunRow, type RunSpec } from './ensemble-member.js';
import { ENSEMBLE_METHOD } from '../defaults.js';
import { appendRecord, openResumable } from '../io/resumable.js';
import { UsageError } from '../errors.js';
import { manifestPath, writeManifest, type Manifest } from '../io/manifest.js';
import { toCsv } from '../io/csv.js';

export interface Shard {
  index: number;
  count: number;
}

export interface EnsembleOptions extends Omit<RunSpec, 'run'> {
  runs: number;
  workers: number;
  shard: Shard;
}

export { RUN_COLUMNS, runColumns, type RunRow, type RunSpec };

/** Run indices of a shard: { i ∈ [0, runs) : i mod n = index }. */
export function shardRuns(runs: number, shard: Shard): number[] {
  const out: number[] = [];
  for (let i = shard.index; i < runs; i += shard.count) out.push(i);
  return out;
}

/** The spec of run i. */
export function runSpec(opts: EnsembleOptions, run: number): RunSpec {
  const { runs: _r, workers: _w, shard: _s, ...rest } = opts;
  return { ...rest, run };
}

/** One CSV line (no header) for a row, with the columns of `horizons`. */
export function rowLine(row: RunRow, horizons: readonly number[] = []): string {
  const columns = runColumns(horizons);
  const r = rowRecord(row);
  return toCsv(columns, [columns.map((c) => r[c])], false);
}

export function headerLine(horizons: readonly number[] = []): string {
  return runColumns(horizons).join(',') + '\n';
}

/**
 * The options that change what an ensemble row contains (compared when a runs file is resumed).
 * `method` is always recorded; `horizons` when given; `teacher` when not orthonormal.
 */
export function rowOptionsOf(o: Omit<RunSpec, 'run' | 'init'>): Record<string, unknown> {
  const { K, M, seed, initDim, algorithm, activation, alpha, tol, tauMax, rtol, atol, epsGlobal, gTol, vanishTol, earlyGlobal, polishAt } = o;
  return {
    K, M, seed, initDim, algorithm, activation, alpha: activation === 'leaky-relu' ? alpha : undefined, tol, tauMax, rtol, atol, epsGlobal, gTol, vanishTol, earlyGlobal, polishAt,
    method: o.method ?? ENSEMBLE_METHOD.library, horizons: o.horizons?.length ? [...o.horizons] : undefined,
    teacher: o.teacher === 'gaussian' ? o.teacher : undefined,
  };
}

/** Row options that manifests written before they existed did not record, with the value those runs had. */
export const LEGACY_ROW_OPTIONS: Record<string, unknown> = { method: 'dopri5' };

/**
 * Prepares `path` for appending (io/resumable.ts: lock, settings check, partial line) and returns
 * the runs already present and the lock's release. Rows must match K, M and seed (else a UsageError).
 */
export function prepareOutput(path: string, opts: Omit<RunSpec, 'run' | 'init'>): { done: Set<number>; release: () => void } {
  const done = new Set<number>();
  const file = openResumable(path, runColumns(opts.horizons), { rowOptions: rowOptionsOf(opts), legacyRowOptions: LEGACY_ROW_OPTIONS });
  for (const r of file.rows) {
    if (Number(r.K) !== opts.K || Number(r.M) !== opts.M || Number(r.seed) !== opts.seed) {
      file.release();
      throw new UsageError(`${path} holds runs for K=${r.K}, M=${r.M}, seed=${r.seed}; this call has K=${opts.K}, M=${opts.M}, seed=${opts.seed}`);
    }
    done.add(Number(r.run));
  }
  return { done, release: file.release };
}

export interface EnsembleHooks {
  /** Called with each finished row, in run order. */
  onRow?: (row: RunRow) => void;
  signal?: AbortSignal;
  /** Run in worker threads even for one worker (the CLI's choice: signals stay responsive). */
  isolate?: boolean;
}

/** Runs the given run indices (in order) and returns their rows (fewer if aborted). */
export async function runEnsemble(opts: EnsembleOptions, runs: readonly number[], hooks: EnsembleHooks = {}): Promise<RunRow[]> {
  const specs = runs.map((i) => runSpec(opts, i));
  const rows: RunRow[] = [];
  await mapPool(ENSEMBLE_RUN_JOB, specs, {
    workers: opts.workers,
    ordered: true,
    signal: hooks.signal,
    isolate: hooks.isolate,
    onResult: (_i, row) => {
      rows.push(row);
      hooks.onRow?.(row);
    },
  });
  return rows;
}

/** Appends one row to a runs CSV (a whole line per write), with the columns of `horizons`. */
export function appendRow(path: string, row: RunRow, horizons: readonly number[] = []): void {
  appendRecord(path, runColumns(horizons), rowRecord(row));
}

export interface EnsembleFileResult {
  /** Rows computed by this call (in run order). */
  rows: RunRow[];
  /** Runs that were already in the file. */
  resumed: number;
  /** Runs of the shard still missing (interrupted). */
  missing: number;
}

/**
 * Runs the missing runs of `runs` into the resumable CSV at `path` (locked, settings checked,
 * whole rows appended as runs finish) and keeps its manifest current: written with the row
 * options when the work starts, completed (counts, what is missing) when it ends.
 */
export async function runEnsembleToFile(path: string, opts: EnsembleOptions, runs: readonly number[], manifest: Manifest, hooks: EnsembleHooks = {}): Promise<EnsembleFileResult> {
  const { done, release } = prepareOutput(path, opts);
  const started = { ...manifest, rowOptions: rowOptionsOf(opts) };
  try {
    writeManifest(manifestPath(path), { ...started, status: 'running', resumedRuns: done.size });
    const todo = runs.filter((i) => !done.has(i));
    const counts: Record<string, number> = {};
    const rows = await runEnsemble(opts, todo, {
      ...hooks,
      onRow: (row) => {
        appendRow(path, row, opts.horizons);
        counts[row.class] = (counts[row.class] ?? 0) + 1;
        hooks.onRow?.(row);
      },
    });
    const missing = todo.length - rows.length;
    writeManifest(manifestPath(path), {
      ...started, status: missing ? 'interrupted' : 'complete', resumedRuns: done.size, newRuns: rows.length, counts, missing,
    });
    return { rows, resumed: done.size, missing };
  } finally {
    release();
  }
}
