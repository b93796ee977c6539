// One ODE run of any algorithm (gd, ngd, ongd, 2l; docs/theory.md §3, §4.4, §4.5) and activation, as a
// mapPool job that returns the whole final state (Q, R, v) with its classification (docs/theory.md §6),
// for studies that look at the structure of end states (experiments/activations.ts).
// Run i of seed s starts from gaussianInit(K, M, d, createRng(s, 'run', i)) — the same initial
// conditions as `scmv ensemble` — projected onto the algorithm's constraint set.
import { getActivation } from '../../activations/index.js';
import { makeAlgorithmFlow, type AlgorithmName } from '../../theory/algorithms.js';
import { gaussianInit } from '../../theory/init.js';
import { integrate } from '../../ode/integrate.js';
import { classify, matchStudents, type RunClass } from '../../theory/classify.js';
import { createRng, type Rng } from '../../random/rng.js';
import { overlapsOf, type Overlaps } from '../../theory/overlaps.js';
import { jobRef } from '../../runs/jobs.js';

/** Overlaps of W0 (K×d) and W* (M×d), both i.i.d. N(0, 1): Q0 = W0 W0ᵀ/d, R0 = W0 W*ᵀ/d, T = W* W*ᵀ/d. */
export function gaussianPair(K: number, M: number, d: number, rng: Rng): Overlaps {
  const W = new Float64Array(K * d);
  const Ws = new Float64Array(M * d);
  rng.fillNormal(W);
  rng.fillNormal(Ws);
  return overlapsOf(W, Ws, K, M, d);
}

export interface FinalStateSpec {
  run: number;
  seed: number;
  K: number;
  M: number;
  initDim: number;
  algorithm: AlgorithmName;
  activation: string;
  alpha: number;
  tauMax: number;
  tol: number;
  rtol: number;
  atol: number;
  epsGlobal: number;
  gTol: number;
  vanishTol: number;
  /**
   * Gaussian teacher instead of the orthonormal one: W0 (K×d) and W* (M×d) i.i.d. N(0, 1) in
   * d = initDim, so T = W* W*ᵀ/d ≠ I (docs/theory.md §5's finite-N teacher, seen by the ODE).
   */
  gaussianTeacher?: boolean;
}

export interface FinalState {
  run: number;
  loss: number;
  rhsNorm: number;
  tau: number;
  cls: RunClass;
  /** Family index n (anti-aligned matched students) for local runs, else −1. */
  familyN: number;
  /** Matched students with R_{k,π(k)} < 0, whatever the class. */
  antiAligned: number;
  /** Smallest matched R_{k,π(k)} (most anti-aligned). */
  minMatchedR: number;
  match: number[];
  Q: number[];
  R: number[];
  v: number[] | null;
  rhsEvals: number;
}

/** Integrates one run to max|RHS| < tol or τ = tauMax and classifies the end state. */
export function finalStateJob(spec: FinalStateSpec): FinalState {
  const { K, M } = spec;
  const act = getActivation(spec.activation, spec.alpha);
  const rng = createRng(spec.seed, 'run', spec.run);
  const init = spec.gaussianTeacher ? gaussianPair(K, M, spec.initDim, rng) : gaussianInit(K, M, spec.initDim, rng);
  const flow = makeAlgorithmFlow(spec.algorithm, act, K, M, init.T);
  const res = integrate(flow.rhs, flow.initialState(init), { method: 'dopri5', tauMax: spec.tauMax, tol: spec.tol, rtol: spec.rtol, atol: spec.atol });
  const { Q, R, v } = flow.views(res.y);
  const loss = flow.loss(res.y);
  const c = res.reason === 'diverged'
    ? { cls: 'diverged' as RunClass, familyN: -1 }
    : classify(K, M, Q, R, loss, res.rhsNorm, { epsGlobal: spec.epsGlobal, gTol: spec.gTol, vanishTol: spec.vanishTol });
  const alive = Array.from({ length: K }, (_, k) => K <= M || Q[k * K + k] >= spec.vanishTol);
  const match = matchStudents(K, M, R, alive);
  let anti = 0;
  let minR = Infinity;
  for (let k = 0; k < K; k++) {
    if (match[k] < 0) continue;
    const r = R[k * M + match[k]];
    if (r < 0) anti++;
    minR = Math.min(minR, r);
  }
  return {
    run: spec.run, loss, rhsNorm: res.rhsNorm, tau: res.tau, cls: c.cls, familyN: c.familyN, antiAligned: anti, minMatchedR: minR,
    match: Array.from(match), Q: Array.from(Q), R: Array.from(R), v: v ? Array.from(v) : null, rhsEvals: res.rhsEvals,
  };
}

export const FINAL_STATE_JOB = jobRef(import.meta.url, finalStateJob);
