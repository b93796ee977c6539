// Options, defaults, output paths and run-file columns of `scmv study finite-n` (study.ts).
import { join } from 'node:path';
import type { BackendName } from '../../network/backend.js';
import type { TeacherKind } from '../../network/teacher.js';
import { CLASSIFY, ENSEMBLE } from '../../defaults.js';

export interface FiniteNOptions {
  K: number;
  M: number;
  Ns: number[];
  teachers: TeacherKind[];
  /** ODE (population GD) runs per (N, teacher). */
  runs: number;
  gdRuns: number;
  gdTauMax: number;
  gdDtau: number;
  sgdNs: number[];
  sgdLrs: number[];
  sgdRuns: number;
  sgdTeachers: TeacherKind[];
  sgdTauMax: number;
  sgdTauFactor: number;
  sgdTauRecord: number;
  backend: BackendName;
  seed: number;
  tauMax: number;
  tol: number;
  epsGlobal: number;
  gTol: number;
  workers: number;
  outDir: string;
  levelsCsv: string;
  /** SGD started on the fixed points (stationary bias): N, η, families, replicas, burn-in and averaging τ. */
  levelNs: number[];
  levelLrs: number[];
  levelFamilies: number[];
  levelReplicas: number;
  levelTauBurn: number;
  levelTauAvg: number;
  /** Monte Carlo samples of the SGD predictions of the report (docs/theory.md §9; default FINITE_N_DEFAULTS.sgdPrediction). */
  sgdPrediction?: SgdPredictionSamples;
  /** Stop starting new rounds after this many seconds (0 = no limit). */
  timeBudget: number;
  quick: boolean;
}

/** Monte Carlo samples of an SGD prediction (prepareSgdLevel: `samples` for C at each η, `meanSamples` for b). */
export interface SgdPredictionSamples {
  samples: number;
  meanSamples: number;
}

export const ODE_COLUMNS = ['N', 'teacher', 'run', 'run_seed', 'seed', 'K', 'M', 'loss0', 't_dev', 'final_loss', 'class', 'family_n', 'tau_end', 'rhs_norm', 'rhs_evals', 'stop', 'wall_ms'] as const;
export const GD_COLUMNS = ['N', 'teacher', 'run', 'run_seed', 'tau', 'gd_loss', 'ode_loss', 'max_loss_err', 'max_Q_err', 'max_R_err', 'final_loss_err', 'records', 'wall_ms'] as const;
export const LEVEL_SGD_COLUMNS = ['N', 'lr', 'family_n', 'replica', 'level', 'loss_mean', 'loss_se', 'loss_final', 'end_family_n', 'diverged', 'wall_ms'] as const;
export const SGD_COLUMNS = ['N', 'teacher', 'lr', 'run', 'run_seed', 'final_loss', 'loss_avg', 'loss_trend', 'class', 'family_n', 'rhs_norm', 'tau_end', 'tau_cap', 'stop', 'backend', 'wall_ms'] as const;

const tag = (o: Pick<FiniteNOptions, 'K' | 'M'>) => `K${o.K}M${o.M}`;
export const odeRunsPath = (o: FiniteNOptions, teacher: string, N: number) => join(o.outDir, 'runs', `ode-${teacher}-${tag(o)}-N${N}.csv`);
export const gdRunsPath = (o: FiniteNOptions, teacher: string, N: number) => join(o.outDir, 'runs', `gd-${teacher}-${tag(o)}-N${N}.csv`);
export const levelSgdPath = (o: FiniteNOptions) => join(o.outDir, 'runs', `sgd-level-${tag(o)}.csv`);
export const sgdRunsPath = (o: FiniteNOptions, teacher: string, lr: number, N: number) => join(o.outDir, 'runs', `sgd-${teacher}-eta${lr}-${tag(o)}-N${N}.csv`);
/** The report's cache of the N-independent SGD predictions, per (family, η). */
export const sgdPredictionsPath = (o: FiniteNOptions) => join(o.outDir, `sgd-predictions-${tag(o)}.csv`);

/** The study's defaults (the CLI shows and uses these). */
export const FINITE_N_DEFAULTS = {
  K: 8, Ns: [16, 32, 64, 128, 256, 512, 1024, 4096], teachers: ['orthonormal', 'gaussian'] as TeacherKind[], runs: 500, gdRuns: 20,
  gdTauMax: 100, gdDtau: 0.2, sgdNs: [128, 256, 512, 1024], sgdLrs: [0.5, 0.1], sgdRuns: 100,
  sgdTeachers: ['orthonormal', 'gaussian'] as TeacherKind[], sgdTauMax: 1500, sgdTauFactor: 1.5, sgdTauRecord: 2,
  levelLrs: [0.5, 0.2, 0.1, 0.05], levelFamilies: [1, 2], levelReplicas: 3, levelTauBurn: 20, levelTauAvg: 40,
  tauMax: 3000, tol: ENSEMBLE.tol, epsGlobal: CLASSIFY.epsGlobal, gTol: CLASSIFY.gTol, seed: 1, timeBudget: 0,
  /** Newton polishing starts once max|RHS| < 1e-5 here (later than the ensembles' 1e-4): the study's runs were made so. */
  polishAt: 1e-5,
  /** Monte Carlo samples of the report's SGD predictions (docs/theory.md §9.3–9.5): ~10–30 s per family at K = M = 8. */
  sgdPrediction: { samples: 400_000, meanSamples: 1_000_000 } as SgdPredictionSamples,
  levels: 'results/levels.csv', outDir: 'results/finite-n',
};

export const QUICK: Partial<FiniteNOptions> = {
  levelNs: [128], levelLrs: [0.1], levelFamilies: [1], levelReplicas: 1, levelTauBurn: 2, levelTauAvg: 4,
  Ns: [16, 256], runs: 30, gdRuns: 2, gdTauMax: 10, gdDtau: 0.2, sgdNs: [128], sgdLrs: [0.1], sgdRuns: 2, sgdTauMax: 30, tauMax: 1500,
};
