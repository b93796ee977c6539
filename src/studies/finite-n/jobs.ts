// Pool jobs of `scmv study finite-n` (issue 6, study 1; the paper's Appendix C): one finite-N
// network per job, started from W0 i.i.d. N(0, 1) in dimension N and a Gaussian or orthonormal
// teacher (docs/theory.md §5), trained three ways:
//  - 'ode': the gradient flow of docs/theory.md §3 from the network's measured (Q0, R0, T) — exact for
//    population GD at every N — integrated, classified and polished by the ensemble machinery
//    (runEnsembleMember with RunSpec.init);
//  - 'gd': population GD on the explicit weights (trainJob of src/experiments/train.ts, RK4 on W)
//    with the ODE from the same start recorded at the same τ, to check their agreement;
//  - 'sgd': online SGD on the explicit weights (docs/theory.md §4.2) with the fastest kernel, until ε falls
//    below ε_global or τ reaches a cap, then measured and classified (family n from R, docs/theory.md §6).
//
// Run i of (seed, K, M, N) uses the integer seed runSeed(seed, K, M, N, i) and draws exactly as
// `scmv train --seed runSeed --replicas 1` does: teacher from createRng(s, 'teacher'), student
// from createRng(s, 'replica', 0). The seed does not depend on the teacher kind, so the
// orthonormal teacher of run i is the Gram–Schmidt of run i's Gaussian teacher, with the same W0
// (paired runs); and ode, gd and sgd run i all start from the same network.
import { getActivation, type ActivationName } from '../../activations/index.js';
import { createRng } from '../../random/rng.js';
import { overlapsOf } from '../../theory/overlaps.js';
import { matchStudents, familyIndex, type RunClass } from '../../theory/classify.js';
import { evaluateFlow } from '../../theory/flow.js';
import { familyLevels } from '../../theory/levels.js';
import { realise } from '../../theory/realise.js';
import { identity } from '../../linalg/vector.js';
import { sampleStudent } from '../../network/student.js';
import { measure } from '../../network/measure.js';
import { createSgdKernel, makeBatch, type BackendName } from '../../network/backend.js';
import type { TeacherKind } from '../../network/teacher.js';
import { runEnsembleMember, makePolisher, type RunSpec, type RunRow } from '../../runs/ensemble-member.js';
import { teacherOf, trainJob, deviations, type TrainOptions } from '../../runs/train.js';
import { jobRef } from '../../runs/jobs.js';
import { drive, evenSchedule, kernelTrainer } from '../../runs/trainer.js';

/** Integer seed of run i (shared by both teacher kinds and by ode, gd, sgd). */
export function runSeed(seed: number, K: number, M: number, N: number, run: number): number {
  return createRng(seed, 'finite-n', K, M, N, run).nextU32();
}

/** W0 (K×N) and W* (M×N) of a finite-N network, as `scmv train --seed s` draws them. */
export function finiteNNetwork(K: number, M: number, N: number, teacher: TeacherKind, s: number): { W0: Float64Array; Wstar: Float64Array } {
  const Wstar = teacherOf({ M, N, teacher, seed: s });
  const W0 = sampleStudent(K, N, createRng(s, 'replica', 0));
  return { W0, Wstar };
}

/** Everything an ODE-from-finite-N job needs: the ensemble RunSpec (without init) plus N and teacher. */
export interface OdeJobInput {
  spec: Omit<RunSpec, 'init'>;
  N: number;
  teacher: TeacherKind;
}

export interface OdeJobOutput extends RunRow {
  N: number;
  teacher: TeacherKind;
  run_seed: number;
  /** max|T − I| of the teacher. */
  t_dev: number;
  /** ε at the start. */
  loss0: number;
}

/**
 * Population GD at finite N through its exact ODE (docs/theory.md §3): measure (Q0, R0, T) of run i's
 * network, integrate dQ/dτ, dR/dτ from there, classify the end state (docs/theory.md §6).
 */
export function finiteNOdeJob(input: OdeJobInput): OdeJobOutput {
  const { spec, N, teacher } = input;
  const { K, M } = spec;
  const s = runSeed(spec.seed, K, M, N, spec.run);
  const { W0, Wstar } = finiteNNetwork(K, M, N, teacher, s);
  const init = overlapsOf(W0, Wstar, K, M, N);
  const act = getActivation(spec.activation, spec.alpha);
  let tDev = 0;
  for (let a = 0; a < M; a++) for (let b = 0; b < M; b++) tDev = Math.max(tDev, Math.abs(init.T[a * M + b] - (a === b ? 1 : 0)));
  const row = runEnsembleMember({ ...spec, init }, spec.polishAt > 0 ? makePolisher(spec.activation, spec.alpha) : null);
  const loss0 = evaluateFlow(act, K, M, init.Q, init.R, init.T).loss;
  return { ...row, N, teacher, run_seed: s, t_dev: tDev, loss0 };
}

export interface GdJobInput {
  K: number;
  M: number;
  N: number;
  teacher: TeacherKind;
  seed: number;
  run: number;
  /** Compare up to this τ. */
  tauMax: number;
  dtau: number;
  activation: ActivationName;
  alpha: number;
}

export interface GdJobOutput {
  N: number;
  teacher: TeacherKind;
  run: number;
  run_seed: number;
  tau: number;
  gd_loss: number;
  ode_loss: number;
  /** max over records of |ε_GD − ε_ODE|, max|ΔQ|, max|ΔR|. */
  max_loss_err: number;
  max_Q_err: number;
  max_R_err: number;
  final_loss_err: number;
  records: number;
  wall_ms: number;
}

/** Explicit-weight population GD (docs/theory.md §4.1, RK4 on W) of run i beside its ODE at the same τ. */
export async function finiteNGdJob(input: GdJobInput): Promise<GdJobOutput> {
  const t0 = performance.now();
  const s = runSeed(input.seed, input.K, input.M, input.N, input.run);
  const opts: TrainOptions = {
    K: input.K, M: input.M, N: input.N, algorithm: 'gd', lr: 0.1, dtau: input.dtau, gdMethod: 'rk4', tauMax: input.tauMax,
    teacher: input.teacher, activation: input.activation, alpha: input.alpha, seed: s, replicas: 1, workers: 1,
    backend: 'js', compareOde: true,
  };
  const [res] = await trainJob({ opts, replicas: [0] });
  let le = 0, qe = 0, re = 0;
  for (const r of res.records) {
    const d = deviations(r);
    if (Number.isFinite(d.lossErr)) {
      le = Math.max(le, d.lossErr);
      qe = Math.max(qe, d.qErr);
      re = Math.max(re, d.rErr);
    }
  }
  const last = res.records[res.records.length - 1];
  return {
    N: input.N, teacher: input.teacher, run: input.run, run_seed: s, tau: last.tau, gd_loss: last.loss, ode_loss: last.ode?.loss ?? NaN,
    max_loss_err: le, max_Q_err: qe, max_R_err: re, final_loss_err: deviations(last).lossErr, records: res.records.length,
    wall_ms: Math.round(performance.now() - t0),
  };
}

export interface SgdJobInput {
  K: number;
  M: number;
  N: number;
  teacher: TeacherKind;
  seed: number;
  run: number;
  lr: number;
  /** Stop at this τ (= η·steps/N) if not global before. */
  tauCap: number;
  /** Measure every this much τ. */
  tauRecord: number;
  epsGlobal: number;
  backend: BackendName;
  activation: ActivationName;
  alpha: number;
}

export type SgdStop = 'global' | 'tau-cap' | 'diverged';

export interface SgdJobOutput {
  N: number;
  teacher: TeacherKind;
  lr: number;
  run: number;
  run_seed: number;
  final_loss: number;
  /** Mean ε over the last 10 records. */
  loss_avg: number;
  /** Relative change of ε between the means of records in the third and last quarter of the run. */
  loss_trend: number;
  class: RunClass;
  family_n: number;
  /** max|RHS| of the gradient flow at the measured end state. */
  rhs_norm: number;
  tau_end: number;
  tau_cap: number;
  stop: SgdStop;
  backend: string;
  wall_ms: number;
}

/**
 * Online SGD (docs/theory.md §4.2) on run i's network: advance in chunks of tauRecord, measure ε from the
 * weights after each chunk, stop once ε < ε_global (global; gradient noise vanishes with Δ at
 * K = M) or at τ = tauCap. A non-global end state is 'local' when its loss has levelled off
 * (|loss_trend| < 1e-2), else 'none'; family n from the measured R (docs/theory.md §6).
 */
export async function finiteNSgdJob(input: SgdJobInput): Promise<SgdJobOutput> {
  const t0 = performance.now();
  const { K, M, N, lr } = input;
  const act = getActivation(input.activation, input.alpha);
  const s = runSeed(input.seed, K, M, N, input.run);
  const Wstar = teacherOf({ M, N, teacher: input.teacher, seed: s });
  const rng = createRng(s, 'replica', 0);
  const batch = makeBatch(sampleStudent(K, N, rng), Wstar, [rng]);
  const kernel = await createSgdKernel(input.backend, { activation: input.activation, alpha: input.alpha, K, M, N, lr, replicas: 1 });
  const chunk = Math.max(1, Math.round((input.tauRecord * N) / lr));
  const total = Math.max(1, Math.ceil((input.tauCap * N) / lr - 1e-9));
  const losses: number[] = [];
  let stop = 'tau-cap' as SgdStop;
  let m = measure(act, batch.W, Wstar, K, M, N);
  await kernel.load(batch);
  const tr = kernelTrainer(kernel, batch, act, K, M, N);
  try {
    await drive(tr, evenSchedule(chunk, total), (_i, _step, bad, measured) => {
      m = measured();
      losses.push(m.loss);
      if (bad || !Number.isFinite(m.loss)) {
        stop = 'diverged';
        return false;
      }
      if (m.loss < input.epsGlobal) {
        stop = 'global';
        return false;
      }
      return true;
    });
  } finally {
    tr.dispose();
  }
  const steps = batch.steps[0];
  const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / Math.max(1, a.length);
  const L = losses.length;
  const lossAvg = mean(losses.slice(Math.max(0, L - 10)));
  const q3 = mean(losses.slice(Math.floor(L / 2), Math.floor((3 * L) / 4)));
  const q4 = mean(losses.slice(Math.floor((3 * L) / 4)));
  const trend = L >= 4 ? (q4 - q3) / Math.max(q4, 1e-300) : NaN;
  const rhsNorm = evaluateFlow(act, K, M, m.Q, m.R, m.T).rhsNorm;
  let cls: RunClass;
  let fam = -1;
  if (stop === 'diverged') cls = 'diverged';
  else if (m.loss < input.epsGlobal) {
    cls = 'global';
    fam = 0;
  } else {
    cls = Math.abs(trend) < 1e-2 ? 'local' : 'none';
    fam = familyIndex(K, M, m.R, matchStudents(K, M, m.R));
  }
  return {
    N, teacher: input.teacher, lr, run: input.run, run_seed: s, final_loss: m.loss, loss_avg: lossAvg, loss_trend: trend,
    class: cls, family_n: fam, rhs_norm: rhsNorm, tau_end: (lr * steps) / N, tau_cap: input.tauCap, stop, backend: kernel.backend,
    wall_ms: Math.round(performance.now() - t0),
  };
}

export interface SgdLevelJobInput {
  K: number;
  M: number;
  N: number;
  /** Family whose lowest fixed point (T = I) is the start. */
  family: number;
  lr: number;
  seed: number;
  replica: number;
  /** Burn-in τ, then ε is averaged over tauAvg, measured every tauRecord. */
  tauBurn: number;
  tauAvg: number;
  tauRecord: number;
  backend: BackendName;
}

export interface SgdLevelJobOutput {
  N: number;
  lr: number;
  family_n: number;
  replica: number;
  level: number;
  loss_mean: number;
  /** Standard error of loss_mean from the record series (records taken as independent). */
  loss_se: number;
  loss_final: number;
  /** Family index of the end state (stays n if SGD did not leave the basin). */
  end_family_n: number;
  diverged: boolean;
  wall_ms: number;
}

const fixedPointCache = new Map<string, { Q: Float64Array; R: Float64Array; loss: number }>();

/** Lowest fixed point of family n at T = I (solved once per worker with familyLevels). */
async function lowestFixedPoint(K: number, M: number, n: number): Promise<{ Q: Float64Array; R: Float64Array; loss: number }> {
  const key = `${K}|${M}|${n}`;
  const hit = fixedPointCache.get(key);
  if (hit) return hit;

  const sols = familyLevels(getActivation('relu', 0), K, M, n, [], false);
  if (!sols.length) throw new Error(`no fixed point of family ${n} for K=${K}, M=${M}`);
  const p = sols[0].point;
  const out = { Q: p.Q, R: p.R, loss: p.loss };
  fixedPointCache.set(key, out);
  return out;
}

/**
 * Online SGD started ON the infinite-N fixed point of family n (realised by explicit weights in
 * dimension N, docs/theory.md §5, orthonormal teacher, T = I): after a burn-in, the time-averaged ε minus
 * the level is the stationary SGD bias (docs/theory.md §4.2–4.3: the η Φ drift plus O(η/N) fluctuations).
 */
export async function finiteNSgdLevelJob(input: SgdLevelJobInput): Promise<SgdLevelJobOutput> {
  const t0 = performance.now();
  const { K, M, N, lr } = input;
  const act = getActivation('relu', 0);
  const fp = await lowestFixedPoint(K, M, input.family);
  const T = identity(M);
  const { W, Wstar } = realise(K, M, fp.Q, fp.R, T, N);
  const rng = createRng(input.seed, 'finite-n-sgd-level', K, M, N, lr, input.family, input.replica);
  const batch = makeBatch(W, Wstar, [rng]);
  const kernel = await createSgdKernel(input.backend, { activation: 'relu', alpha: 0, K, M, N, lr, replicas: 1 });
  const chunk = Math.max(1, Math.round((input.tauRecord * N) / lr));
  const burn = Math.max(1, Math.round((input.tauBurn * N) / lr));
  const records = Math.max(2, Math.round(input.tauAvg / input.tauRecord));
  const losses: number[] = [];
  let diverged = false;
  let m = measure(act, batch.W, Wstar, K, M, N);
  await kernel.load(batch);
  const tr = kernelTrainer(kernel, batch, act, K, M, N);
  try {
    // the burn-in is the first target; ε is recorded from the next one on
    const targets = [burn, ...Array.from({ length: records }, (_, i) => burn + (i + 1) * chunk)];
    let calls = 0;
    await drive(tr, targets, (_i, _step, bad, measured) => {
      if (calls++ === 0) return true;
      m = measured();
      diverged = bad || !Number.isFinite(m.loss);
      losses.push(m.loss);
      return !diverged;
    });
  } finally {
    tr.dispose();
  }
  const mean = losses.reduce((a, b) => a + b, 0) / losses.length;
  const v = losses.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, losses.length - 1);
  return {
    N, lr, family_n: input.family, replica: input.replica, level: fp.loss, loss_mean: mean, loss_se: Math.sqrt(v / losses.length),
    loss_final: m.loss, end_family_n: diverged ? -1 : familyIndex(K, M, m.R, matchStudents(K, M, m.R)), diverged,
    wall_ms: Math.round(performance.now() - t0),
  };
}

export const FINITE_N_ODE_JOB = jobRef(import.meta.url, finiteNOdeJob);
export const FINITE_N_GD_JOB = jobRef(import.meta.url, finiteNGdJob);
export const FINITE_N_SGD_JOB = jobRef(import.meta.url, finiteNSgdJob);
export const FINITE_N_SGD_LEVEL_JOB = jobRef(import.meta.url, finiteNSgdLevelJob);
