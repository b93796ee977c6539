// Pool job of `scmv study sgd-scaling` (issue 6, study 2; the paper's Result 3): one online-SGD
// run on explicit weights (docs/theory.md §4.2, the project's SGD kernel) compared, at the same τ = η·steps/N,
// with two predictions from the network's measured (Q0, R0, T):
//  - the gradient flow of docs/theory.md §3 (what SGD should follow when η → 0),
//  - the SGD ODE dQ/dτ = F_Q + η Φ, dR/dτ = F_R of docs/theory.md §4.2 (sgd-flow.ts).
// The run lasts until the gradient-flow loss has converged: τ_end = the first τ at which
// ε_GF(τ) − ε_GF(τ_max) ≤ convFrac · ε_GF(0) (a GF pre-run decides it), unless that needs more
// than maxSteps SGD steps (then τ_end = maxSteps·η/N and the row is flagged truncated).
// Network of (seed, K, M, N): teacher from createRng(seed, 'sgd-scaling', 'teacher', K, M, N),
// student from (…, 'student', …), so every η sees the same network (paired comparisons); the
// input stream depends on (scaling, c) too.
import { getActivation, type ActivationName } from '../../activations/index.js';
import { createRng } from '../../random/rng.js';
import { runTrajectory } from '../../ode/trajectory.js';
import { flowSystem, odeAt } from '../../ode/compare.js';
import { makeAlgorithmFlow } from '../../theory/algorithms.js';
import { packState } from '../../theory/overlaps.js';
import { maxAbsDiff } from '../../linalg/vector.js';
import { STEP } from '../../defaults.js';
import { readCheckpoint, restoreBatch, writeCheckpoint } from '../../runs/checkpoint.js';
import { jobRef } from '../../runs/jobs.js';
import { drive, kernelTrainer } from '../../runs/trainer.js';
import { makeSgdFlow } from '../../theory/sgd-flow.js';
import { createSgdKernel, DEFAULT_RECOMPUTE_EVERY, makeBatch, type BackendName } from '../../network/backend.js';
import { measure } from '../../network/measure.js';
import { sampleStudent } from '../../network/student.js';
import { sampleTeacher, type TeacherKind } from '../../network/teacher.js';

/** An SGD-ODE state with ε above this counts as diverged. */
export const MAX_LOSS = 1e4;

export const SCALINGS = ['const', 'sqrt', 'inv'] as const;
export type Scaling = (typeof SCALINGS)[number];

/** How a scaling writes η: c, c/√N or c/N (figure labels). */
export function scalingLabel(scaling: Scaling | unknown): string {
  return scaling === 'const' ? 'c' : scaling === 'sqrt' ? 'c/√N' : 'c/N';
}

/** η for a scaling: c (const), c/√N (sqrt), c/N (inv). */
export function etaOf(scaling: Scaling, c: number, N: number): number {
  return scaling === 'const' ? c : scaling === 'sqrt' ? c / Math.sqrt(N) : c / N;
}

export interface SgdScalingJobInput {
  activation: ActivationName;
  alpha: number;
  K: number;
  M: number;
  N: number;
  seed: number;
  teacher: TeacherKind;
  scaling: Scaling;
  c: number;
  tauMax: number;
  convFrac: number;
  records: number;
  maxSteps: number;
  backend: BackendName;
  rtol: number;
  /**
   * Input streams run from the same network (default 1). Replica 0 is the run's own stream, so
   * the row and trajectory do not depend on this; the others give replicaLoss (replicas.ts).
   */
  replicas?: number;
  /**
   * Checkpoint file: the run saves its state there at most every checkpointSeconds (at steps
   * that are multiples of the kernel's exact-recomputation period) and, started again with the
   * same inputs, resumes from it with the same result (runs/checkpoint.ts). The caller removes it.
   */
  checkpoint?: string;
  checkpointSeconds?: number;
}

export interface SgdScalingPoint {
  tau: number;
  loss_sgd: number;
  loss_gf: number;
  loss_sgd_ode: number;
}

export interface SgdScalingJobOutput {
  row: Record<string, number | string>;
  trajectory: SgdScalingPoint[];
  /** With replicas > 1: ε of every replica at each recorded τ > 0, [record][replica] (NaN once a replica diverged). */
  replicaLoss?: number[][];
}

/** One SGD run and its two ODE predictions; returns the CSV row and the loss trajectories. */
export async function sgdScalingJob(input: SgdScalingJobInput): Promise<SgdScalingJobOutput> {
  const t0 = performance.now();
  const { K, M, N, seed, scaling, c } = input;
  const act = getActivation(input.activation, input.alpha);
  const eta = etaOf(scaling, c, N);
  const Wstar = sampleTeacher(M, N, input.teacher, createRng(seed, 'sgd-scaling', 'teacher', K, M, N));
  const W0 = sampleStudent(K, N, createRng(seed, 'sgd-scaling', 'student', K, M, N));
  const m0 = measure(act, W0, Wstar, K, M, N);
  const init = { K, M, Q: m0.Q, R: m0.R, T: m0.T };
  const odeOpts = { method: 'dopri5' as const, dt: STEP.dopri5, rtol: input.rtol, atol: input.rtol * 1e-2 };

  // τ at which the gradient-flow loss has converged
  const pre = runTrajectory(makeAlgorithmFlow('gd', act, K, M, m0.T), packState(init), { ...odeOpts, tauMax: input.tauMax, tol: 1e-9, recordsPerDecade: 50 });
  const lossInf = pre.loss;
  let tauConv = pre.tau;
  for (const r of pre.records) {
    if (r.tau > 0 && r.loss - lossInf <= input.convFrac * m0.loss) {
      tauConv = r.tau;
      break;
    }
  }
  let totalSteps = Math.ceil((tauConv * N) / eta);
  const truncated = totalSteps > input.maxSteps;
  if (truncated) totalSteps = input.maxSteps;
  const stepGrid: number[] = [];
  for (let i = 1; i <= input.records; i++) {
    const s = Math.max(1, Math.round((totalSteps * i) / input.records));
    if (stepGrid.length === 0 || s > stepGrid[stepGrid.length - 1]) stepGrid.push(s);
  }
  const taus = stepGrid.map((s) => (s * eta) / N);
  const tauEnd = taus[taus.length - 1];

  // online SGD on the explicit weights
  // (replica r > 0: the same network with its own input stream)
  const replicas = input.replicas ?? 1;
  const rngs = [createRng(seed, 'sgd-scaling', 'inputs', K, M, N, scaling, c)];
  for (let r = 1; r < replicas; r++) rngs.push(createRng(seed, 'sgd-scaling', 'inputs', K, M, N, scaling, c, 'replica', r));
  const W = new Float64Array(replicas * K * N);
  for (let r = 0; r < replicas; r++) W.set(W0, r * K * N);
  const batch = makeBatch(W, Wstar, rngs);
  const kernel = await createSgdKernel(input.backend, { activation: input.activation, alpha: input.alpha, K, M, N, lr: eta, replicas });
  type SgdRecord = { tau: number; loss: number; Q: Float64Array; R: Float64Array };
  let sgd: SgdRecord[] = [{ tau: 0, loss: m0.loss, Q: m0.Q, R: m0.R }];
  let replicaLoss = stepGrid.map(() => new Array<number>(replicas).fill(NaN));
  // a checkpoint of this very run (its inputs, less where it is kept)
  const { checkpoint, checkpointSeconds, ...runInput } = input;
  type Saved = { sgd: { tau: number; loss: number; Q: number[]; R: number[] }[]; replicaLoss: number[][] };
  const ck = checkpoint ? readCheckpoint<Saved>(checkpoint, runInput, batch) : undefined;
  let wallBefore = 0;
  if (ck) {
    restoreBatch(batch, ck);
    sgd = ck.data.sgd.map((p) => ({ ...p, Q: Float64Array.from(p.Q), R: Float64Array.from(p.R) }));
    replicaLoss = ck.data.replicaLoss;
    wallBefore = ck.wallMs;
  }
  const start = Math.max(...batch.steps);
  // record steps, and with a checkpoint file about 100 steps where one may be taken
  const recordAt = new Map(stepGrid.map((step, k) => [step, k]));
  const saveEvery = DEFAULT_RECOMPUTE_EVERY * Math.max(1, Math.floor(totalSteps / (100 * DEFAULT_RECOMPUTE_EVERY)));
  const targets = new Set(stepGrid);
  if (checkpoint) for (let step = saveEvery; step < totalSteps; step += saveEvery) targets.add(step);
  const schedule = [...targets].filter((step) => step > start).sort((a, b) => a - b);
  let savedAt = performance.now();
  const save = () => {
    const data: Saved = { sgd: sgd.map((p) => ({ ...p, Q: Array.from(p.Q), R: Array.from(p.R) })), replicaLoss };
    writeCheckpoint(checkpoint!, runInput, batch, data, wallBefore + performance.now() - t0);
    savedAt = performance.now();
  };
  await kernel.load(batch);
  const tr = kernelTrainer(kernel, batch, act, K, M, N);
  try {
    await drive(tr, schedule.map((step) => step - start), (i, step, bad, measured) => {
      if (bad) return false;
      const k = recordAt.get(step);
      if (k !== undefined) {
        const m = measured();
        if (i === 0) sgd.push({ tau: taus[k], loss: m.loss, Q: m.Q, R: m.R });
        replicaLoss[k][i] = m.loss;
      }
      // after the last live replica's record
      const last = batch.status.lastIndexOf(0);
      if (checkpoint && i === last && step % DEFAULT_RECOMPUTE_EVERY === 0 && performance.now() - savedAt >= 1000 * (checkpointSeconds ?? 0)) save();
      return true;
    });
  } finally {
    tr.dispose();
  }
  const diverged = batch.status[0] === 1;

  // the two ODE predictions at the same τ
  const y0 = packState(init);
  const gf = odeAt(makeAlgorithmFlow('gd', act, K, M, m0.T), y0, taus, odeOpts);
  const sgdFlow = makeSgdFlow(act, K, M, m0.T, eta);
  // the SGD ODE runs away at large η (Q grows without bound): past ε > MAX_LOSS the RHS is made
  // non-finite, which the integrator reports as diverged
  const guarded = (Q: Float64Array, R: Float64Array, dQ: Float64Array, dR: Float64Array) => {
    const loss = sgdFlow(Q, R, dQ, dR);
    if (!(loss <= MAX_LOSS)) dQ.fill(NaN);
    return loss;
  };
  const sgdOde = odeAt(flowSystem(guarded, K, M), y0, taus, odeOpts);

  let devGf = 0, devOde = 0, qGf = 0, rGf = 0, qOde = 0, rOde = 0;
  const trajectory: SgdScalingPoint[] = [];
  for (const p of sgd) {
    const a = gf.at.get(p.tau);
    const b = sgdOde.at.get(p.tau);
    // an ODE that left the finite region (e.g. the SGD ODE at large η) has no record there
    if (a) {
      devGf = Math.max(devGf, Math.abs(p.loss - a.loss));
      qGf = Math.max(qGf, maxAbsDiff(p.Q, a.Q));
      rGf = Math.max(rGf, maxAbsDiff(p.R, a.R));
    } else devGf = qGf = rGf = Infinity;
    if (b) {
      devOde = Math.max(devOde, Math.abs(p.loss - b.loss));
      qOde = Math.max(qOde, maxAbsDiff(p.Q, b.Q));
      rOde = Math.max(rOde, maxAbsDiff(p.R, b.R));
    } else devOde = qOde = rOde = Infinity;
    trajectory.push({ tau: p.tau, loss_sgd: p.loss, loss_gf: a ? a.loss : NaN, loss_sgd_ode: b ? b.loss : NaN });
  }
  if (diverged) devGf = devOde = qGf = rGf = qOde = rOde = Infinity;
  const last = sgd[sgd.length - 1];
  const row = {
    activation: input.activation,
    K, M, N, seed,
    teacher: input.teacher,
    scaling, c, eta,
    tau_conv: tauConv,
    tau_end: tauEnd,
    steps: stepGrid[stepGrid.length - 1],
    truncated: truncated ? 1 : 0,
    diverged: diverged ? 1 : 0,
    loss0: m0.loss,
    loss_gf_end: gf.loss,
    loss_sgd_ode_end: sgdOde.reason === 'diverged' ? Infinity : sgdOde.loss,
    sgd_ode_diverged: sgdOde.reason === 'diverged' ? 1 : 0,
    loss_sgd_end: last.loss,
    loss_dev_gf: devGf,
    loss_dev_sgd_ode: devOde,
    rel_dev_gf: devGf / m0.loss,
    within_1pct: devGf <= 0.01 * m0.loss ? 1 : 0,
    Q_max_err: qGf,
    R_max_err: rGf,
    Q_max_err_sgd_ode: qOde,
    R_max_err_sgd_ode: rOde,
    sgd_ode_rhs_evals: sgdOde.rhsEvals,
    wall_ms: Math.round(wallBefore + performance.now() - t0),
  };
  return replicas > 1 ? { row, trajectory, replicaLoss } : { row, trajectory };
}

export const SGD_SCALING_JOB = jobRef(import.meta.url, sgdScalingJob);
