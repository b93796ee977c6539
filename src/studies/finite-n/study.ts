// `scmv study finite-n` (issue 6, study 1; the paper's Appendix C): are the quantised loss
// levels robust at finite N? K = M, finite-N networks (docs/theory.md §5) with a Gaussian or an orthonormal
// teacher, trained by
//  - population GD, through its exact ODE from each network's measured (Q0, R0, T) (docs/theory.md §3),
//    classified and polished by the ensemble machinery: `--runs` networks per (N, teacher);
//  - population GD on explicit weights for a random subset of `--gd-runs` of them, compared with
//    the ODE at the same τ (agreement report);
//  - online SGD on explicit weights (docs/theory.md §4.2) at `--sgd-ns` × `--sgd-lrs`, `--sgd-runs` each,
//    started from the same networks as the ODE runs (run i ↔ run i), each run until ε < ε_global
//    or τ = min(--sgd-tau-max, --sgd-tau-factor · τ_end(ODE run i) + 50).
// Every run is a row appended to a resumable CSV under <out-dir>/runs/. Work proceeds in rounds
// of growing run counts (so interrupted studies still cover every configuration), and the
// report (families.csv, histogram.csv, width-fit.csv, gd-vs-ode.csv, sgd-bias.csv, sgd-vs-prediction.csv,
// SVG figures, manifest; every output is listed in report.ts) is rewritten after every round.
import { mapPool } from '../../runs/pool.js';
import { appendRecord, openResumable } from '../../io/resumable.js';
import { createRng } from '../../random/rng.js';
import { CLASSIFY, TOLERANCES } from '../../defaults.js';
import type { TeacherKind } from '../../network/teacher.js';
import { FINITE_N_GD_JOB, FINITE_N_ODE_JOB, FINITE_N_SGD_JOB, FINITE_N_SGD_LEVEL_JOB, type GdJobInput, type OdeJobInput, type SgdJobInput, type SgdLevelJobInput } from './jobs.js';
import { writeFiniteNReport } from './report.js';
import { FINITE_N_DEFAULTS, GD_COLUMNS, gdRunsPath, LEVEL_SGD_COLUMNS, levelSgdPath, ODE_COLUMNS, odeRunsPath, SGD_COLUMNS, sgdRunsPath, type FiniteNOptions } from './options.js';
import { readCsvFile } from '../../io/csv.js';

/** Opens a resumable runs CSV (io/resumable.ts) and returns the runs present. */
export function openRuns(path: string, columns: readonly string[]): { done: Set<number>; release: () => void } {
  const file = openResumable(path, columns);
  return { done: new Set(file.rows.map((r) => Number(r.run))), release: file.release };
}

/** Runs the missing ODE runs among `runs` for (teacher, N). */
async function ensureOde(o: FiniteNOptions, teacher: TeacherKind, N: number, runs: number[], signal?: AbortSignal): Promise<number> {
  const path = odeRunsPath(o, teacher, N);
  const { done, release } = openRuns(path, ODE_COLUMNS);
  const todo = runs.filter((i) => !done.has(i));
  const inputs: OdeJobInput[] = todo.map((run) => ({
    N, teacher,
    spec: {
      run, seed: o.seed, K: o.K, M: o.M, initDim: Math.min(N, o.K + o.M + 1), algorithm: 'gd', activation: 'relu', alpha: 0,
      tol: o.tol, tauMax: o.tauMax, ...TOLERANCES.ensemble, epsGlobal: o.epsGlobal, gTol: o.gTol, vanishTol: CLASSIFY.vanishTol, earlyGlobal: true, polishAt: FINITE_N_DEFAULTS.polishAt,
    },
  }));
  try {
    await mapPool(FINITE_N_ODE_JOB, inputs, {
    workers: o.workers, ordered: true, signal, onResult: (_i, row) => appendRecord(path, ODE_COLUMNS, row),
    });
  } finally {
    release();
  }
  return todo.length;
}

/** τ_end of the ODE runs of (teacher, N), by run. */
function odeTauEnd(o: FiniteNOptions, teacher: TeacherKind, N: number): Map<number, number> {
  return new Map(readCsvFile(odeRunsPath(o, teacher, N)).map((r) => [Number(r.run), Number(r.tau_end)]));
}

/** The explicit-GD subset: the first `count` of a seeded permutation of [0, runs). */
export function gdSubset(seed: number, N: number, runs: number, count: number): number[] {
  const p = Array.from({ length: runs }, (_, i) => i);
  const rng = createRng(seed, 'finite-n-gd-subset', N);
  for (let i = runs - 1; i > 0; i--) {
    const j = Math.floor(rng.uniform() * (i + 1));
    [p[i], p[j]] = [p[j], p[i]];
  }
  return p.slice(0, Math.min(count, runs));
}

async function runGd(o: FiniteNOptions, teacher: TeacherKind, N: number, count: number, signal?: AbortSignal): Promise<number> {
  const subset = gdSubset(o.seed, N, o.runs, count);
  await ensureOde(o, teacher, N, subset, signal);
  const tauEnd = odeTauEnd(o, teacher, N);
  const path = gdRunsPath(o, teacher, N);
  const { done, release } = openRuns(path, GD_COLUMNS);
  const inputs: GdJobInput[] = subset.filter((i) => !done.has(i)).map((run) => ({
    K: o.K, M: o.M, N, teacher, seed: o.seed, run, activation: 'relu', alpha: 0, dtau: o.gdDtau,
    tauMax: Math.max(o.gdDtau, Math.min(o.gdTauMax, tauEnd.get(run) ?? o.gdTauMax)),
  }));
  try {
    await mapPool(FINITE_N_GD_JOB, inputs, {
    workers: o.workers, ordered: true, signal, onResult: (_i, row) => appendRecord(path, GD_COLUMNS, row),
    });
  } finally {
    release();
  }
  return inputs.length;
}

async function runSgd(o: FiniteNOptions, teacher: TeacherKind, lr: number, N: number, count: number, signal?: AbortSignal): Promise<number> {
  const runs = Array.from({ length: count }, (_, i) => i);
  await ensureOde(o, teacher, N, runs, signal);
  const tauEnd = odeTauEnd(o, teacher, N);
  const path = sgdRunsPath(o, teacher, lr, N);
  const { done, release } = openRuns(path, SGD_COLUMNS);
  const inputs: SgdJobInput[] = runs.filter((i) => !done.has(i)).map((run) => ({
    K: o.K, M: o.M, N, teacher, seed: o.seed, run, lr, activation: 'relu', alpha: 0, backend: o.backend, epsGlobal: o.epsGlobal,
    tauRecord: o.sgdTauRecord, tauCap: Math.min(o.sgdTauMax, o.sgdTauFactor * (tauEnd.get(run) ?? o.sgdTauMax) + 50),
  }));
  try {
    await mapPool(FINITE_N_SGD_JOB, inputs, {
    workers: o.workers, ordered: true, signal, onResult: (_i, row) => appendRecord(path, SGD_COLUMNS, row),
    });
  } finally {
    release();
  }
  return inputs.length;
}

/** SGD started on the fixed points: every (N, η, family, replica) not yet in the level CSV. */
async function runLevelSgd(o: FiniteNOptions, signal?: AbortSignal): Promise<number> {
  const path = levelSgdPath(o);
  const file = openResumable(path, LEVEL_SGD_COLUMNS);
  const release = file.release;
  const have = new Set(file.rows.map((r) => `${r.N}|${Number(r.lr)}|${r.family_n}|${r.replica}`));
  const inputs: SgdLevelJobInput[] = [];
  for (const lr of o.levelLrs) for (const N of o.levelNs) for (const family of o.levelFamilies) for (let replica = 0; replica < o.levelReplicas; replica++) {
    if (have.has(`${N}|${lr}|${family}|${replica}`)) continue;
    inputs.push({ K: o.K, M: o.M, N, family, lr, seed: o.seed, replica, tauBurn: o.levelTauBurn, tauAvg: o.levelTauAvg, tauRecord: 1, backend: o.backend });
  }
  try {
    await mapPool(FINITE_N_SGD_LEVEL_JOB, inputs, {
    workers: o.workers, ordered: false, signal, onResult: (_i, row) => appendRecord(path, LEVEL_SGD_COLUMNS, row),
    });
  } finally {
    release();
  }
  return inputs.length;
}

/** Run-count ladder: ODE [min(100, runs), runs]; GD [min(5, n), n]; SGD [⌈n/5⌉, ⌈n/2⌉, n]. */
export function rounds(o: FiniteNOptions): { ode: number; gd: number; sgd: number }[] {
  return [
    { ode: Math.min(100, o.runs), gd: Math.min(5, o.gdRuns), sgd: Math.ceil(o.sgdRuns / 5) },
    { ode: o.runs, gd: o.gdRuns, sgd: Math.ceil(o.sgdRuns / 2) },
    { ode: o.runs, gd: o.gdRuns, sgd: o.sgdRuns },
  ];
}

/** Runs (or resumes) the study round by round, rewriting the report after each round. */
export async function runFiniteNStudy(o: FiniteNOptions, log: (s: string) => void = () => {}, signal?: AbortSignal): Promise<void> {
  const t0 = performance.now();
  const over = () => signal?.aborted || (o.timeBudget > 0 && (performance.now() - t0) / 1000 > o.timeBudget);
  const range = (n: number) => Array.from({ length: n }, (_, i) => i);
  let r = 0;
  for (const target of rounds(o)) {
    for (const teacher of o.teachers) {
      for (const N of o.Ns) {
        if (over()) break;
        const t = performance.now();
        const n = await ensureOde(o, teacher, N, range(target.ode), signal);
        if (n) log(`round ${r} ode ${teacher} N=${N}: ${n} runs in ${((performance.now() - t) / 1000).toFixed(0)} s`);
      }
    }
    for (const teacher of o.teachers) {
      for (const N of o.Ns) {
        if (over()) break;
        const t = performance.now();
        const n = await runGd(o, teacher, N, target.gd, signal);
        if (n) log(`round ${r} gd ${teacher} N=${N}: ${n} runs in ${((performance.now() - t) / 1000).toFixed(0)} s`);
      }
    }
    if (!signal?.aborted && !o.quick) await writeFiniteNReport(o, log);
    if (r === 0 && o.levelReplicas > 0 && o.levelLrs.length && !over()) {
      const t = performance.now();
      const n = await runLevelSgd(o, signal);
      if (n) log(`sgd at the fixed points: ${n} runs in ${((performance.now() - t) / 1000).toFixed(0)} s`);
    }
    for (const teacher of o.sgdTeachers) {
      for (const lr of o.sgdLrs) {
        for (const N of o.sgdNs) {
          if (over()) break;
          const t = performance.now();
          const n = await runSgd(o, teacher, lr, N, target.sgd, signal);
          if (n) log(`round ${r} sgd ${teacher} η=${lr} N=${N}: ${n} runs in ${((performance.now() - t) / 1000).toFixed(0)} s`);
        }
      }
    }
    if (!signal?.aborted) await writeFiniteNReport(o, log);
    r++;
    if (over()) break;
  }
  if (over() && !signal?.aborted) log(`stopped early (time budget ${o.timeBudget} s or interrupted); the report covers the runs done`);
}


