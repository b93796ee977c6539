// The ODE systems an ensemble can integrate, selected by `--algorithm` through a small table.
// Each entry turns an initial condition (Q0, R0, T) into a state vector y0, a right-hand side
// y ↦ dy/dτ that returns ε, and views of (Q, R) inside y (for classification, SPEC §6).
// gd: plain gradient flow of SPEC §3. Further algorithms (ngd, ongd, 2l of SPEC §4.4–4.5)
// register here with the same shape; their state may carry extra entries (e.g. v for 2l).
import type { Activation } from '../activations/index.js';
import { makeFlow } from '../theory/flow.js';
import { packState, type Overlaps } from '../theory/overlaps.js';
import { makeAlgorithmSystem } from '../theory/algorithms.js';

export interface EnsembleSystem {
  /** Initial state vector. */
  y0: Float64Array;
  /** Writes dy = dy/dτ at y and returns ε(y). */
  rhs: (y: Float64Array, dy: Float64Array) => number;
  /** Views of Q (K×K) and R (K×M) inside a state vector. */
  overlaps: (y: Float64Array) => { Q: Float64Array; R: Float64Array };
  /** True when the state is plain [Q, R] under gradient flow (Newton polishing applies). */
  polishable: boolean;
}

export type SystemFactory = (act: Activation, init: Overlaps) => EnsembleSystem;

/** dQ/dτ = −(SQ + QS + HRᵀ + RHᵀ), dR/dτ = −(SR + HT) (SPEC §3) on y = [Q, R]. */
export const gdSystem: SystemFactory = (act, init) => {
  const { K, M, T } = init;
  const nQ = K * K;
  const nR = K * M;
  const flow = makeFlow(act, K, M, T);
  // views made once per state buffer (the integrator cycles through a handful of buffers),
  // so the hot loop allocates nothing
  const views = new WeakMap<Float64Array, [Float64Array, Float64Array]>();
  const split = (v: Float64Array): [Float64Array, Float64Array] => {
    let s = views.get(v);
    if (!s) views.set(v, (s = [v.subarray(0, nQ), v.subarray(nQ, nQ + nR)]));
    return s;
  };
  return {
    y0: packState(init),
    rhs: (y, dy) => {
      const [Q, R] = split(y);
      const [dQ, dR] = split(dy);
      return flow(Q, R, dQ, dR);
    },
    overlaps: (y) => ({ Q: y.subarray(0, nQ), R: y.subarray(nQ, nQ + nR) }),
    polishable: true,
  };
};

/** Algorithm name → system factory. Add entries here (the CLI lists the keys). */
export const ENSEMBLE_SYSTEMS: Record<string, SystemFactory> = {
  gd: gdSystem,
  // SPEC §4.4–4.5 (src/theory/algorithms.ts): nGD rows normalised to Q_kk = 1, onGD rows
  // orthonormalised (needs --init-dim ≥ K), 2L-GD with v0 = 1 and κ = 1.
  ngd: makeAlgorithmSystem('ngd'),
  ongd: makeAlgorithmSystem('ongd'),
  '2l': makeAlgorithmSystem('2l'),
};

export function algorithmNames(): string[] {
  return Object.keys(ENSEMBLE_SYSTEMS);
}
