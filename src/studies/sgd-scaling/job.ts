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
import { jobRef } from '../../runs/jobs.js';
import { drive, kernelTrainer } from '../../runs/trainer.js';
import { makeSgdFlow } from '../../theory/sgd-flow.js';
import { createSgdKernel, makeBatch, type BackendName } from '../../network/backend.js';
import { measure } from '../../network/measure.js';
import { sampleStudent } from '../../network/student.js';
import { sampleTeacher, type TeacherKind } from '../../network/teacher.js';

/** An SGD-ODE state with ε above this counts as diverged. */
export const MAX_LOSS = 1e4;

export const SCALINGS = ['const', 'sqrt', 'inv'] as const;
export type Scaling = (typeof SCALINGS)[number];

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
  const rng = createRng(seed, 'sgd-scaling', 'inputs', K, M, N, scaling, c);
  const batch = makeBatch(W0, Wstar, [rng]);
  const kernel = await createSgdKernel(input.backend, { activation: input.activation, alpha: input.alpha, K, M, N, lr: eta, replicas: 1 });
  const sgd: { tau: number; loss: number; Q: Float64Array; R: Float64Array }[] = [{ tau: 0, loss: m0.loss, Q: m0.Q, R: m0.R }];
  let diverged = false;
  await kernel.load(batch);
  const tr = kernelTrainer(kernel, batch, act, K, M, N);
  try {
    await drive(tr, stepGrid, (_i, _step, bad, measured) => {
      if (bad) {
        diverged = true;
        return false;
      }
      const m = measured();
      sgd.push({ tau: taus[sgd.length - 1], loss: m.loss, Q: m.Q, R: m.R });
      return true;
    });
  } finally {
    tr.dispose();
  }

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
    wall_ms: Math.round(performance.now() - t0),
  };
  return { row, trajectory };
}

export const SGD_SCALING_JOB = jobRef(import.meta.url, sgdScalingJob);
