// One ensemble run (docs/theory.md §5 initial condition, §3 flow, §6 classification, §11.2 stop
// rules), written as a job for mapPool: a plain, structured-clonable spec in, one CSV row out.
// Run i of seed s draws its initial condition from createRng(s, 'run', i), so the row does not
// depend on which worker or shard computes it.
//
// Two methods, one loop (ode/integrate.ts), the same exits and the same classify():
//  - 'dopri5': the state y = [Q, R (, v)] of theory/algorithms.ts, Dormand–Prince 5(4) at the
//    spec's rtol/atol (the path of every runs file written before RKC2);
//  - 'rkc2': for gd with T = I the weight state u = [R | P] (theory/flow-weights.ts, docs/theory.md
//    §11.8, products in WASM SIMD), else the (Q, R) state; RKC2 (docs/theory.md §11.7).
// Exits besides τ_max, all judged on the max-norm of the full (Q, R) right-hand side:
//  - converged: max|dQ/dτ, dR/dτ| < tol;
//  - global: ε < ε_global. The flow is a gradient flow, so ε never increases afterwards and
//    the final classification is already known (exact, not a heuristic); off with earlyGlobal=false;
//  - polished: once max|RHS| < polishAt and has decreased over the last 5 steps, Newton polishing
//    solves RHS = 0 from the current state; if it lands close by (max-norm of (Q, R) < 1e-2), on a
//    point with max|RHS| ≤ 1e-10 and < gTol, no higher loss, and a weight-space Hessian (dimension
//    d) without eigenvalues below −1e-7 (a minimum, not a saddle the trajectory would leave), we
//    classify that point. Otherwise integration continues and polishing is retried a decade of
//    max|RHS| later. dopri5 polishes (Q, R) with theory/fixed-points.ts; rkc2 polishes the weight
//    state with theory/polish-weights.ts and only as a fallback (after ENSEMBLE_METHOD.
//    polishAfterEvals evaluations below polishAt, or near τ_max): RKC2's last decades of
//    convergence are cheap. The minimum test is the Cholesky test of theory/hessian.ts, whose cost
//    does not depend on d (docs/theory.md §11.6).
// Horizons: the class the run would get if integration stopped at each τ_h (the integrator lands
// on each τ_h; the state there is classified as an end state); horizons at or past the run's end
// take the end state's values.
import { getActivation, type Activation } from '../activations/index.js';
import { gaussianInit, gaussianTeacherInit } from '../theory/init.js';
import type { TeacherKind } from '../network/teacher.js';
import { createRng } from '../random/rng.js';
import { integrate } from '../ode/integrate.js';
import type { Overlaps } from '../theory/overlaps.js';
import { makeAlgorithmFlow, ALGORITHM_NAMES, type AlgorithmFlow, type AlgorithmName } from '../theory/algorithms.js';
import { classify, type RunClass } from '../theory/classify.js';
import { polishFixedPoint } from '../theory/fixed-points.js';
import { isWeightSpaceMinimum } from '../theory/hessian.js';
import { makeWeightFlow, qrRhsNorm, realiseWeightState, type WeightFlow } from '../theory/flow-weights.js';
import { wasmWeightProducts, loadWeightKernels } from '../theory/flow-weights-wasm.js';
import { polishWeights } from '../theory/polish-weights.js';
import { evaluateFlow } from '../theory/flow.js';
import { isIdentity, maxAbs } from '../linalg/vector.js';
import { ENSEMBLE_METHOD, FIXED_POINT_TOL } from '../defaults.js';
import { jobRef } from './jobs.js';

export type EnsembleMethod = 'rkc2' | 'dopri5';
export const ENSEMBLE_METHODS: readonly EnsembleMethod[] = ['rkc2', 'dopri5'];

export interface RunSpec {
  run: number;
  seed: number;
  K: number;
  M: number;
  /** Dimension of the Gaussian initialisation (≥ M). */
  initDim: number;
  algorithm: string;
  activation: string;
  alpha: number;
  tol: number;
  tauMax: number;
  rtol: number;
  atol: number;
  epsGlobal: number;
  gTol: number;
  vanishTol: number;
  /** Stop as soon as ε < ε_global (exact by monotonicity of ε). */
  earlyGlobal: boolean;
  /** Try Newton polishing once max|RHS| < polishAt (0 disables). */
  polishAt: number;
  /** Integration method (see the header); default ENSEMBLE_METHOD.library ('dopri5'). */
  method?: EnsembleMethod;
  /** τ values (ascending) at which to record the class the run would get if stopped there. */
  horizons?: readonly number[];
  /** Teacher of the Gaussian draw (theory/init.ts): 'orthonormal' (T = I, the default) or 'gaussian' (T = W* W*ᵀ/d, drawn per run). */
  teacher?: TeacherKind;
  /** Start from these overlaps (Q0, R0, T) instead of the Gaussian draw (a finite-N network's measured start, docs/theory.md §5). */
  init?: Overlaps;
}

/** The state at a horizon τ_h, classified as an end state. */
export interface HorizonState {
  tau: number;
  loss: number;
  rhs_norm: number;
  class: RunClass;
  family_n: number;
}

export interface RunRow {
  run: number;
  seed: number;
  K: number;
  M: number;
  final_loss: number;
  class: RunClass;
  family_n: number;
  tau_end: number;
  rhs_norm: number;
  rhs_evals: number;
  stop: StopKind;
  wall_ms: number;
  /** One per spec.horizons entry, in order. */
  horizons?: HorizonState[];
}

export type StopKind = 'converged' | 'global' | 'polished' | 'tau-max' | 'diverged';

export const RUN_COLUMNS = ['run', 'seed', 'K', 'M', 'final_loss', 'class', 'family_n', 'tau_end', 'rhs_norm', 'rhs_evals', 'stop', 'wall_ms'] as const;

/** The fields recorded per horizon, in column order. */
export const HORIZON_FIELDS = ['loss', 'rhs_norm', 'class', 'family_n'] as const;

/** Column-name prefix of horizon τ: "h100" (the shortest decimal of τ). */
export function horizonPrefix(tau: number): string {
  return `h${String(tau)}`;
}

/** RUN_COLUMNS followed by h<τ>_loss, h<τ>_rhs_norm, h<τ>_class, h<τ>_family_n for each horizon. */
export function runColumns(horizons: readonly number[] = []): string[] {
  return [...RUN_COLUMNS, ...horizons.flatMap((h) => HORIZON_FIELDS.map((f) => `${horizonPrefix(h)}_${f}`))];
}

/** A row as a record keyed by runColumns(). */
export function rowRecord(row: RunRow): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const c of RUN_COLUMNS) out[c] = row[c];
  for (const h of row.horizons ?? []) for (const f of HORIZON_FIELDS) out[`${horizonPrefix(h.tau)}_${f}`] = h[f];
  return out;
}

/** Newton polisher on the full (Q, R) system: returns the polished point or null. */
export type Polisher = (K: number, M: number, Q: Float64Array, R: Float64Array, T: Float64Array) => { Q: Float64Array; R: Float64Array; evals: number } | null;

/** polishFixedPoint (theory/fixed-points.ts, analytic Jacobian) for an activation; null when it fails (max|RHS| > 1e-10). */
export function makePolisher(activation: string, alpha: number): Polisher {
  const act = getActivation(activation, alpha);
  return (K, M, Q, R, T) => {
    let res;
    try {
      res = polishFixedPoint(act, K, M, Q, R, T);
    } catch {
      return null;
    }
    if (!res.ok) return null;
    return { Q: res.Q, R: res.R, evals: res.evals };
  };
}

/** A polish attempt: accepted or not, its RHS evaluations, and the polished point. */
interface PolishOutcome {
  ok: boolean;
  evals: number;
  Q?: Float64Array;
  R?: Float64Array;
  loss: number;
  norm: number;
}

/** What the loop integrates: its state, RHS, (Q, R) norm and overlaps, and its polisher. */
interface MemberSystem {
  y0: Float64Array;
  /** Writes dy = f(y) and returns ε(y). */
  evaluate(y: Float64Array, dy: Float64Array): number;
  /** max-norm of the full (Q, R) right-hand side at y with dy = f(y). */
  norm(y: Float64Array, dy: Float64Array): number;
  /** (Q, R) of a state (fresh arrays). */
  overlaps(y: Float64Array): { Q: Float64Array; R: Float64Array };
  /** Newton polishing + minimum test from y (null: this state is never polished). */
  polish: ((y: Float64Array, loss: number) => PolishOutcome) | null;
}

/** The weight-state system for gd with T = I (null when it does not apply); needs loadWeightKernels(). */
function weightSystem(act: Activation, spec: RunSpec, init: Overlaps): MemberSystem | null {
  const { K, M } = spec;
  if (spec.algorithm !== 'gd' || !isIdentity(init.T, M)) return null;
  const w = realiseWeightState(K, M, init.Q, init.R);
  if (!w) return null;
  const { p } = w;
  const flow: WeightFlow = makeWeightFlow(act, K, M, p, wasmWeightProducts(K, M, M + p));
  const overlaps = (y: Float64Array) => {
    const Q = new Float64Array(K * K);
    const R = new Float64Array(K * M);
    flow.overlaps(y, Q, R);
    return { Q, R };
  };
  const polish = (y: Float64Array, loss: number): PolishOutcome => {
    const pw = polishWeights(act, K, M, p, y, spec.initDim, { flow });
    if (!pw.converged) return { ok: false, evals: pw.evals, loss, norm: NaN };
    const cur = overlaps(y);
    const { Q, R } = overlaps(pw.u);
    return accept(act, spec, init.T, cur, Q, R, loss, pw.evals, () => pw.minimum);
  };
  return { y0: w.u, evaluate: flow.rhs, norm: (y, dy) => qrRhsNorm(K, M, p, y, dy), overlaps, polish: spec.polishAt > 0 ? polish : null };
}

/** The (Q, R) system of theory/algorithms.ts, polished (gd only) by `polisher`. */
function overlapSystem(act: Activation, spec: RunSpec, init: Overlaps, polisher: Polisher | null): MemberSystem {
  const { K, M } = spec;
  const sys: AlgorithmFlow = makeAlgorithmFlow(spec.algorithm as AlgorithmName, act, K, M, init.T);
  const overlaps = (y: Float64Array) => {
    const v = sys.views(y);
    return { Q: Float64Array.from(v.Q), R: Float64Array.from(v.R) };
  };
  const polish = (y: Float64Array, loss: number): PolishOutcome => {
    const cur = overlaps(y);
    const p = polisher!(K, M, cur.Q, cur.R, init.T);
    if (!p) return { ok: false, evals: 0, loss, norm: NaN };
    return accept(act, spec, init.T, cur, p.Q, p.R, loss, p.evals, () => weightSpaceMinimum(act, spec, p.Q, p.R, init.T));
  };
  return {
    y0: sys.initialState(init),
    evaluate: sys.evaluate,
    norm: (_y, dy) => maxAbs(dy),
    overlaps,
    polish: spec.polishAt > 0 && sys.polishable && polisher !== null ? polish : null,
  };
}

/**
 * The acceptance rule of a polished point (header): max|RHS| ≤ 1e-10 and < gTol, within 1e-2 of
 * the current (Q, R), ε not above the current ε (+1e-9), and a minimum in dimension d.
 */
function accept(
  act: Activation, spec: RunSpec, T: Float64Array, cur: { Q: Float64Array; R: Float64Array },
  Q: Float64Array, R: Float64Array, loss: number, evals: number, minimum: () => boolean,
): PolishOutcome {
  const { loss: lp, rhsNorm: np } = evaluateFlow(act, spec.K, spec.M, Q, R, T);
  let dist = 0;
  for (let i = 0; i < Q.length; i++) dist = Math.max(dist, Math.abs(Q[i] - cur.Q[i]));
  for (let i = 0; i < R.length; i++) dist = Math.max(dist, Math.abs(R[i] - cur.R[i]));
  let ok = np <= FIXED_POINT_TOL && np < spec.gTol && dist < 1e-2 && lp <= loss + 1e-9 && Number.isFinite(lp);
  // a minimum, not a saddle (the weight-space Hessian in the run's dimension d, docs/theory.md §11.6)
  if (ok) ok = minimum();
  return { ok, evals: evals + 1, Q, R, loss: lp, norm: np };
}

/** λ_min(∇²_u ε) > −1e-7 in the run's dimension d (isWeightSpaceMinimum; false when Ω is not PSD). */
function weightSpaceMinimum(act: Activation, spec: RunSpec, Q: Float64Array, R: Float64Array, T: Float64Array): boolean {
  try {
    return isWeightSpaceMinimum(act, spec.K, spec.M, Q, R, T, spec.initDim).minimum;
  } catch {
    return false;
  }
}

/**
 * Runs one trajectory and classifies its end state (and its horizons); `polisher` is the (Q, R)
 * polisher of gd (null: none). The rkc2 weight state needs `await loadWeightKernels()` first
 * (ensembleRunJob does it).
 */
export function runEnsembleMember(spec: RunSpec, polisher: Polisher | null = null): RunRow {
  const t0 = performance.now();
  const { K, M } = spec;
  const method = spec.method ?? ENSEMBLE_METHOD.library;
  if (!(ENSEMBLE_METHODS as readonly string[]).includes(method)) throw new RangeError(`unknown method "${method}"`);
  const act = getActivation(spec.activation, spec.alpha);
  const draw = spec.teacher === 'gaussian' ? gaussianTeacherInit : gaussianInit;
  const init = spec.init ?? draw(K, M, spec.initDim, createRng(spec.seed, 'run', spec.run));
  if (!(ALGORITHM_NAMES as readonly string[]).includes(spec.algorithm)) throw new RangeError(`unknown algorithm "${spec.algorithm}"`);
  const sys = (method === 'rkc2' ? weightSystem(act, spec, init) : null) ?? overlapSystem(act, spec, init, polisher);
  // ε of the last evaluation; taken as the state's ε on acceptance (the last evaluation of a step
  // is at the new state: FSAL)
  let lastLoss = NaN;
  let loss = NaN;
  let started = false;
  let evals = 0;
  const f = (_t: number, y: Float64Array, dy: Float64Array) => {
    evals++;
    lastLoss = sys.evaluate(y, dy);
    if (!started) {
      loss = lastLoss;
      started = true;
    }
  };
  let norm = NaN;
  const fallback = method === 'rkc2';
  let polishBelow = spec.polishAt;
  let belowSince = -1; // evaluations when max|RHS| first fell below polishAt (rkc2's fallback rule)
  let decreasing = 0;
  let polishEvals = 0;
  let polished: PolishOutcome | null = null;
  const horizons = spec.horizons ?? [];
  const recorded = new Map<number, HorizonState>();
  const res = integrate<'global' | 'polished'>(f, sys.y0, {
    method, tauMax: spec.tauMax, tol: spec.tol, rtol: spec.rtol, atol: spec.atol, norm: sys.norm,
    recordTimes: horizons.filter((h) => h > 0 && h < spec.tauMax),
    onRecord: (tau, y, dy, final) => {
      if (final || tau === 0) return;
      const { Q, R } = sys.overlaps(y);
      const n = sys.norm(y, dy);
      recorded.set(tau, horizonState(tau, Q, R, loss, n, spec));
    },
    stopEarly: (_tau, _y, _dy, n) => {
      norm = n;
      if (!Number.isFinite(loss)) return 'diverged';
      if (spec.earlyGlobal && loss < spec.epsGlobal) return 'global';
      return undefined;
    },
    beforeStep: (tau, y) => {
      if (!sys.polish) return undefined;
      if (belowSince < 0 && norm < spec.polishAt) belowSince = evals;
      if (!(norm < polishBelow && decreasing >= 5 && loss >= spec.epsGlobal)) return undefined;
      if (fallback && !(evals - belowSince >= ENSEMBLE_METHOD.polishAfterEvals || tau >= ENSEMBLE_METHOD.polishTauFraction * spec.tauMax)) return undefined;
      const p = sys.polish(y, loss);
      polishEvals += p.evals;
      if (p.ok) {
        polished = p;
        return 'polished';
      }
      polishBelow = norm / 10; // retry after another decade of convergence
      return undefined;
    },
    afterStep: (_tau, _y, _dy, n) => {
      loss = lastLoss;
      decreasing = n < norm ? decreasing + 1 : 0;
    },
  });
  const stop: StopKind = res.reason;
  const p = polished as PolishOutcome | null;
  const end = p ? { Q: p.Q!, R: p.R! } : sys.overlaps(res.y);
  if (p) loss = p.loss;
  norm = p ? p.norm : res.rhsNorm;
  const c = stop === 'diverged'
    ? { cls: 'diverged' as const, familyN: -1 }
    : classify(K, M, end.Q, end.R, loss, norm, { epsGlobal: spec.epsGlobal, gTol: spec.gTol, vanishTol: spec.vanishTol });
  const row: RunRow = {
    run: spec.run, seed: spec.seed, K, M,
    final_loss: loss, class: c.cls, family_n: c.familyN, tau_end: res.tau, rhs_norm: norm, rhs_evals: res.rhsEvals + polishEvals, stop,
    wall_ms: Math.round((performance.now() - t0) * 1000) / 1000,
  };
  if (horizons.length) {
    const atEnd: Omit<HorizonState, 'tau'> = { loss, rhs_norm: norm, class: c.cls, family_n: c.familyN };
    row.horizons = horizons.map((tau) => (tau >= res.tau ? { tau, ...atEnd } : recorded.get(tau) ?? { tau, ...atEnd }));
  }
  return row;
}

/** The class the run would get if it stopped at τ with (Q, R), ε and max|RHS| (docs/theory.md §6). */
function horizonState(tau: number, Q: Float64Array, R: Float64Array, loss: number, norm: number, spec: RunSpec): HorizonState {
  const c = classify(spec.K, spec.M, Q, R, loss, norm, { epsGlobal: spec.epsGlobal, gTol: spec.gTol, vanishTol: spec.vanishTol });
  return { tau, loss, rhs_norm: norm, class: c.cls, family_n: c.familyN };
}

/** mapPool job: one run per call (loads the WASM weight-flow kernels first for rkc2). */
export async function ensembleRunJob(spec: RunSpec): Promise<RunRow> {
  if ((spec.method ?? ENSEMBLE_METHOD.library) === 'rkc2' && spec.algorithm === 'gd') await loadWeightKernels();
  return runEnsembleMember(spec, spec.polishAt > 0 ? makePolisher(spec.activation, spec.alpha) : null);
}

export const ENSEMBLE_RUN_JOB = jobRef(import.meta.url, ensembleRunJob);
