// Registry of the training schemes whose order-parameter ODEs the validator integrates:
// 'gd' (docs/theory.md §3), 'ngd' and 'ongd' (docs/theory.md §4.4), '2l' (docs/theory.md §4.5). Each factory gives the state
// vector layout, the right-hand side usable with integrate(), the loss, and the projection of a
// Gaussian initial state onto the algorithm's constraint set.
import type { Activation } from '../activations/index.js';
import { makeFlow } from './flow.js';
import { makeNgdFlow, normaliseOverlaps } from './flow-ngd.js';
import { makeOngdFlow, orthonormaliseOverlaps } from './flow-ongd.js';
import { make2LFlow } from './flow-2l.js';
import type { Overlaps } from './overlaps.js';

export type AlgorithmName = 'gd' | 'ngd' | 'ongd' | '2l';
export const ALGORITHM_NAMES: readonly AlgorithmName[] = ['gd', 'ngd', 'ongd', '2l'];

export interface AlgorithmOptions {
  /** 2L-GD: second-layer to first-layer learning-rate ratio κ (default 1). */
  kappa?: number;
  /** 2L-GD: initial second-layer weights v_k (default 1, so that κ = 0 is plain GD). */
  v0?: number;
  /** nGD: the fixed norm Q_kk that initial rows are normalised to (default 1). */
  norm?: number;
}

export interface StateViews {
  Q: Float64Array;
  R: Float64Array;
  /** 2L-GD only: second-layer weights (K). */
  v?: Float64Array;
}

export interface AlgorithmFlow {
  name: AlgorithmName;
  K: number;
  M: number;
  T: Float64Array;
  /** State length: K² + KM (+ K for 2L-GD), laid out as y = [Q, R (, v)]. */
  size: number;
  /** Subarray views of Q, R (and v) inside a state (or RHS) vector. */
  views(y: Float64Array): StateViews;
  /** Right-hand side dy/dτ = f(y) for an integrator (τ is unused: every flow is autonomous). */
  rhs: (tau: number, y: Float64Array, dy: Float64Array) => void;
  /** Writes dy = dy/dτ at y and returns ε(y) (one evaluation of both). */
  evaluate(y: Float64Array, dy: Float64Array): number;
  /** ε at a state. */
  loss(y: Float64Array): number;
  /**
   * Initial state from (possibly unconstrained) overlaps: rows normalised for nGD,
   * orthonormalised (Gram–Schmidt) for onGD, v = v0 appended for 2L-GD. T is taken from the flow.
   */
  initialState(init: Overlaps): Float64Array;
  /** Smallest Gaussian-initialisation dimension that gives a valid initial state (onGD needs d ≥ K). */
  minInitDim(M: number): number;
  /** True when the state is plain [Q, R] under gradient flow, so Newton polishing of docs/theory.md §6 applies. */
  polishable: boolean;
}

/** The flow of algorithm `name` for K students, M teachers, teacher overlaps T (docs/theory.md §3, §4.4, §4.5). */
export function makeAlgorithmFlow(
  name: AlgorithmName, act: Activation, K: number, M: number, T: Float64Array, opts: AlgorithmOptions = {},
): AlgorithmFlow {
  const nQ = K * K;
  const nR = K * M;
  const size = name === '2l' ? nQ + nR + K : nQ + nR;
  // views made once per state buffer (integrators cycle through a handful of buffers), so the
  // hot loop allocates nothing
  const cache = new WeakMap<Float64Array, StateViews>();
  const views = (y: Float64Array): StateViews => {
    let v = cache.get(y);
    if (!v) {
      v = name === '2l'
        ? { Q: y.subarray(0, nQ), R: y.subarray(nQ, nQ + nR), v: y.subarray(nQ + nR, nQ + nR + K) }
        : { Q: y.subarray(0, nQ), R: y.subarray(nQ, nQ + nR) };
      cache.set(y, v);
    }
    return v;
  };
  const scratch = new Float64Array(size);
  let evaluate: (y: Float64Array, dy: Float64Array) => number;
  if (name === '2l') {
    const f = make2LFlow(act, K, M, T, opts.kappa ?? 1);
    evaluate = (y, dy) => {
      const s = views(y);
      const d = views(dy);
      return f(s.Q, s.R, s.v!, d.Q, d.R, d.v!);
    };
  } else {
    const f = name === 'gd' ? makeFlow(act, K, M, T) : name === 'ngd' ? makeNgdFlow(act, K, M, T) : makeOngdFlow(act, K, M, T);
    evaluate = (y, dy) => {
      const s = views(y);
      const d = views(dy);
      return f(s.Q, s.R, d.Q, d.R);
    };
  }
  const rhs = (_t: number, y: Float64Array, dy: Float64Array): void => {
    evaluate(y, dy);
  };
  const loss = (y: Float64Array) => evaluate(y, scratch);
  const initialState = (init: Overlaps): Float64Array => {
    if (init.K !== K || init.M !== M) throw new RangeError(`initial overlaps are ${init.K}×${init.M}, flow is ${K}×${M}`);
    const y = new Float64Array(size);
    const { Q, R } = name === 'ngd' ? normaliseOverlaps(K, M, init.Q, init.R, opts.norm ?? 1) : name === 'ongd' ? orthonormaliseOverlaps(K, M, init.Q, init.R) : init;
    y.set(Q, 0);
    y.set(R, nQ);
    if (name === '2l') y.fill(opts.v0 ?? 1, nQ + nR);
    return y;
  };
  const minInitDim = (m: number) => (name === 'ongd' ? Math.max(m, K) : m);
  return { name, K, M, T, size, views, rhs, evaluate, loss, initialState, minInitDim, polishable: name === 'gd' };
}

