// Fixed points of the order-parameter gradient flow (docs/theory.md §6): the families of the
// block-symmetric ansatz solved by Newton/LM on the reduced equations, then polished by Newton
// on the full (Q, R) system. A point counts as a fixed point only if the FULL RHS max-norm of
// docs/theory.md §3 is ≤ 1e-10.
import type { Activation } from '../activations/index.js';
import { evaluateFlow, makeFlow } from './flow.js';
import { averageOverClasses, expandAnsatz, familyGrouping, makeAnsatz, makeReducedFlow, type Ansatz } from './ansatz.js';
import { newtonSolve } from '../linalg/newton.js';
import { makeFlowJacobian } from './jacobian.js';
import { FIXED_POINT_TOL, POLISH } from '../defaults.js';
import { identity } from '../linalg/vector.js';
import { classify } from './classify.js';
import { isRealisable } from './realise.js';

export { FIXED_POINT_TOL };

export interface PolishResult {
  Q: Float64Array;
  R: Float64Array;
  loss: number;
  /** max|RHS| of the full system at (Q, R). */
  rhsNorm: number;
  /** rhsNorm ≤ acceptTol. */
  ok: boolean;
  iterations: number;
  /** Residual evaluations Newton spent (its Jacobian is analytic, docs/theory.md §8). */
  evals: number;
}

export interface PolishOptions {
  /** Success threshold on max|RHS| (default 1e-10). */
  acceptTol: number;
  /** Newton target (default 1e-13; stops earlier at round-off). */
  tol: number;
  maxIter: number;
}

/**
 * The full stationarity residual as a square system in x = [Q_kl (k ≤ l), R_km]:
 * F(x) = [dQ_kl/dτ (k ≤ l), dR_km/dτ] of docs/theory.md §3. Returns F, pack and unpack helpers.
 */
export function makeFullResidual(act: Activation, K: number, M: number, T: Float64Array) {
  const flow = makeFlow(act, K, M, T);
  const nq = (K * (K + 1)) / 2;
  const Q = new Float64Array(K * K);
  const R = new Float64Array(K * M);
  const dQ = new Float64Array(K * K);
  const dR = new Float64Array(K * M);
  const unpack = (x: ArrayLike<number>, Qo: Float64Array, Ro: Float64Array) => {
    let i = 0;
    for (let k = 0; k < K; k++) for (let l = k; l < K; l++) Qo[k * K + l] = Qo[l * K + k] = x[i++];
    for (let j = 0; j < K * M; j++) Ro[j] = x[nq + j];
  };
  const pack = (Qi: ArrayLike<number>, Ri: ArrayLike<number>): Float64Array => {
    const x = new Float64Array(nq + K * M);
    let i = 0;
    for (let k = 0; k < K; k++) for (let l = k; l < K; l++) x[i++] = 0.5 * (Qi[k * K + l] + Qi[l * K + k]);
    for (let j = 0; j < K * M; j++) x[nq + j] = Ri[j];
    return x;
  };
  const residual = (x: Float64Array, out: Float64Array): void => {
    unpack(x, Q, R);
    flow(Q, R, dQ, dR);
    let i = 0;
    for (let k = 0; k < K; k++) for (let l = k; l < K; l++) out[i++] = dQ[k * K + l];
    for (let j = 0; j < K * M; j++) out[nq + j] = dR[j];
  };
  const valid = (x: Float64Array): boolean => {
    let i = 0;
    for (let k = 0; k < K; k++)
      for (let l = k; l < K; l++, i++) if (l === k && !(x[i] > 0)) return false;
    return true;
  };
  return { residual, pack, unpack, valid, size: nq + K * M };
}

/**
 * Newton/LM on the full system (docs/theory.md §6, §11.3) from a near-stationary (Q, R), with the
 * analytic Jacobian of the packed residual (docs/theory.md §8, theory/jacobian.ts): polishes an ODE
 * end state or an ansatz solution. ok ⇔ the full max|RHS| ≤ acceptTol (1e-10).
 */
export function polishFixedPoint(
  act: Activation, K: number, M: number, Q0: ArrayLike<number>, R0: ArrayLike<number>, T: Float64Array,
  options: Partial<PolishOptions> = {},
): PolishResult {
  const opts: PolishOptions = { ...POLISH, ...options };
  const full = makeFullResidual(act, K, M, T);
  const jac = makeFlowJacobian(act, K, M, T, 'gd');
  const res = newtonSolve(full.residual, full.pack(Q0, R0), {
    tol: opts.tol, maxIter: opts.maxIter, valid: full.valid, jacobian: (x, _f, J) => void jac.jacobianPacked(x, J),
  });
  const Q = new Float64Array(K * K);
  const R = new Float64Array(K * M);
  full.unpack(res.x, Q, R);
  const { loss, rhsNorm } = evaluateFlow(act, K, M, Q, R, T);
  return { Q, R, loss, rhsNorm, ok: rhsNorm <= opts.acceptTol, iterations: res.iterations, evals: res.evals };
}


export interface FixedPoint {
  K: number;
  M: number;
  /** Family the ansatz was built for (number of anti-aligned paired students). */
  n: number;
  /** Family index of the solution by classify() (docs/theory.md §6); −1 if the loss is below ε_global. */
  familyN: number;
  loss: number;
  rhsNorm: number;
  /** Ansatz parameters by name. */
  params: Record<string, number>;
  Q: Float64Array;
  R: Float64Array;
  /** Ω = [[Q, R], [Rᵀ, T]] positive semidefinite (realisable by weights). */
  psd: boolean;
}

export interface SolveFamilyOptions {
  /** Extra starting guesses for the ansatz parameters (e.g. from K−1 by continuation). */
  extraGuesses: Record<string, number>[];
  /** Keep only PSD solutions (default true). */
  psdOnly: boolean;
}

/**
 * Starting guesses for family n (K = M or K = M + 1), built from the structure of spurious ODE
 * end states (K = M = 8, n = 1: R_aa ≈ −0.66, R_ap ≈ 0.16, R_pa ≈ 0.23, R_pp ≈ 1 with
 * off-diagonal ≈ −0.03): a grid over R parameters; Q = R Rᵀ + diag(extra) averaged over classes.
 */
export function familyGuesses(K: number, M: number, n: number): Record<string, number>[] {
  const out: Record<string, number>[] = [];
  const surplus = K > M;
  for (const raa of [-0.3, -0.65, -1])
    for (const rpa of [0.1, 0.25, 0.45])
      for (const rap of [0.05, 0.16])
        for (const [rxa, rxp, qx] of surplus ? [[0.2, 0, 0.05], [0.6, 0, 0.01], [1, 0, 0], [0.1, 0.05, 0.3], [0, 0, 0.01]] : [[0, 0, 0]]) {
          out.push({
            r_aa_d: raa, r_aa_o: n > 1 ? 0.05 : 0, r_ap: rap, r_pa: rpa / Math.sqrt(Math.max(1, n)),
            r_pp_d: 1, r_pp_o: -0.2 * rap * n / Math.max(1, M - n), r_xa: rxa, r_xp: rxp, x_extra: qx,
          });
        }
  return out;
}

/** Fills a full parameter vector for an ansatz from named R values: R set by class, Q = R Rᵀ + extra. */
function guessVector(a: Ansatz, g: Record<string, number>, T: Float64Array, studentGroup: readonly string[]): Float64Array {
  const { K, M } = a;
  const p = new Float64Array(a.names.length);
  const hasQ = a.names.some((nm) => nm.startsWith('q_') && nm in g);
  for (let c = 0; c < p.length; c++) p[c] = g[a.names[c]] ?? 0;
  if (hasQ) return p;
  const Q = new Float64Array(K * K);
  const R = new Float64Array(K * M);
  expandAnsatz(a, p, Q, R);
  for (let k = 0; k < K; k++)
    for (let l = 0; l < K; l++) {
      let s = 0;
      for (let m = 0; m < M; m++) for (let q = 0; q < M; q++) s += R[k * M + m] * R[l * M + q] * (m === q ? 1 / T[m * M + m] : 0);
      if (k === l) s += studentGroup[k] === 'x' ? (g.x_extra ?? 0) + 1e-3 : 1e-3;
      Q[k * K + l] = s;
    }
  const avg = new Float64Array(p.length);
  averageOverClasses(a, Q, R, avg);
  for (let c = 0; c < p.length; c++) if (a.names[c].startsWith('q_')) p[c] = avg[c];
  return p;
}

/**
 * Solves the block-symmetric ansatz of family n (docs/theory.md §6) from several starting guesses, polishes
 * each root on the full system and returns the distinct solutions whose full max|RHS| ≤ 1e-10,
 * sorted by loss. T = I.
 */
export function solveFamily(act: Activation, K: number, M: number, n: number, options: Partial<SolveFamilyOptions> = {}): FixedPoint[] {
  const opts: SolveFamilyOptions = { extraGuesses: [], psdOnly: true, ...options };
  const T = identity(M);
  const grouping = familyGrouping(K, M, n);
  const a = makeAnsatz(grouping);
  const reduced = makeReducedFlow(act, a, T);
  const qDiag = a.names.map((nm) => nm.startsWith('q_') && nm.endsWith('_d'));
  const valid = (p: Float64Array) => p.every((v, c) => !qDiag[c] || v > 0);
  const F = (p: Float64Array, out: Float64Array) => void reduced(p, out);
  const found: FixedPoint[] = [];
  const guesses = [...opts.extraGuesses, ...familyGuesses(K, M, n)];
  for (const g of guesses) {
    const p0 = guessVector(a, g, T, grouping.studentGroup);
    const sol = newtonSolve(F, p0, { tol: 1e-14, maxIter: 80, valid });
    if (!(sol.norm < 1e-8)) continue;
    const Q = new Float64Array(K * K);
    const R = new Float64Array(K * M);
    expandAnsatz(a, sol.x, Q, R);
    let { loss, rhsNorm } = evaluateFlow(act, K, M, Q, R, T);
    let QQ: Float64Array = Q;
    let RR: Float64Array = R;
    if (rhsNorm > 1e-13) {
      const pol = polishFixedPoint(act, K, M, Q, R, T);
      ({ loss, rhsNorm } = pol);
      QQ = pol.Q;
      RR = pol.R;
    }
    if (!(rhsNorm <= FIXED_POINT_TOL)) continue;
    const psd = isRealisable(K, M, QQ, RR, T, 1e-9);
    if (opts.psdOnly && !psd) continue;
    const params: Record<string, number> = {};
    const pAvg = new Float64Array(a.names.length);
    averageOverClasses(a, QQ, RR, pAvg);
    a.names.forEach((nm, c) => (params[nm] = pAvg[c]));
    if (found.some((s) => Math.abs(s.loss - loss) < 1e-10 && a.names.every((nm) => Math.abs(s.params[nm] - params[nm]) < 1e-6))) continue;
    const c = classify(K, M, QQ, RR, loss, rhsNorm, { epsGlobal: 1e-9, gTol: 1e-8, vanishTol: 1e-6 });
    found.push({ K, M, n, familyN: c.cls === 'global' ? -1 : c.familyN, loss, rhsNorm, params, Q: QQ, R: RR, psd });
  }
  return found.sort((x, y) => x.loss - y.loss);
}
