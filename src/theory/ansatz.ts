// Block-symmetric ansatz for fixed points (docs/theory.md §6). Students and teachers are split into
// labelled groups, and some students are paired with one teacher each. The entries of Q and R
// fall into classes:
//   Q_kl: (group k, group l) unordered, split into diagonal (k = l) and off-diagonal entries
//         when both units are in the same group;
//   R_km: (student group, teacher group), split into paired entries (pair[k] = m) and the
//         other entries of a block that contains paired entries.
// One parameter per class. The reduced right-hand side is the average of the full RHS of docs/theory.md §3
// over each class, so the same code serves any grouping. When the grouping is a symmetry of the
// problem (permutations inside groups that carry paired teachers along, T invariant), the full
// RHS at an ansatz point is itself block-symmetric, so the reduced RHS vanishes iff the full RHS
// does.
import type { Activation } from '../activations/index.js';
import { makeFlow } from './flow.js';

export interface Grouping {
  K: number;
  M: number;
  /** Group label of each student (length K). */
  studentGroup: readonly string[];
  /** Group label of each teacher (length M). */
  teacherGroup: readonly string[];
  /** pair[k] = the teacher paired with student k, or −1. */
  pair: ArrayLike<number>;
}

export interface Ansatz {
  K: number;
  M: number;
  /** Parameter names, e.g. q_aa_d, q_ap, r_pp_o (see classKey). */
  names: string[];
  /** Class index of each entry of Q (K×K, symmetric). */
  qClass: Int32Array;
  /** Class index of each entry of R (K×M); Q classes come first, then R classes. */
  rClass: Int32Array;
  /** Number of entries in each class (Q classes count both (k,l) and (l,k)). */
  count: Float64Array;
}

/**
 * Classes of Q and R entries for a grouping (docs/theory.md §6). Names: `q_<g><h>[_d|_o]` with groups in
 * order of first appearance (students), `r_<g><h>[_d|_o]` with student then teacher group.
 */
export function makeAnsatz(g: Grouping): Ansatz {
  const { K, M, studentGroup: sg, teacherGroup: tg, pair } = g;
  const order = new Map<string, number>();
  for (const s of [...sg, ...tg]) if (!order.has(s)) order.set(s, order.size);
  const index = new Map<string, number>();
  const names: string[] = [];
  const classOf = (key: string): number => {
    let i = index.get(key);
    if (i === undefined) {
      i = names.length;
      index.set(key, i);
      names.push(key);
    }
    return i;
  };
  const qClass = new Int32Array(K * K);
  for (let k = 0; k < K; k++)
    for (let l = k; l < K; l++) {
      const [a, b] = order.get(sg[k])! <= order.get(sg[l])! ? [sg[k], sg[l]] : [sg[l], sg[k]];
      const key = `q_${a}${b}` + (a === b ? (k === l ? '_d' : '_o') : '');
      qClass[k * K + l] = qClass[l * K + k] = classOf(key);
    }
  const pairedBlock = new Set<string>();
  for (let k = 0; k < K; k++) if (pair[k] >= 0) pairedBlock.add(`${sg[k]}|${tg[pair[k]]}`);
  const rClass = new Int32Array(K * M);
  for (let k = 0; k < K; k++)
    for (let m = 0; m < M; m++) {
      const block = pairedBlock.has(`${sg[k]}|${tg[m]}`);
      rClass[k * M + m] = classOf(`r_${sg[k]}${tg[m]}` + (block ? (pair[k] === m ? '_d' : '_o') : ''));
    }
  const count = new Float64Array(names.length);
  for (let i = 0; i < K * K; i++) count[qClass[i]]++;
  for (let i = 0; i < K * M; i++) count[rClass[i]]++;
  return { K, M, names, qClass, rClass, count };
}

/** Writes the full Q and R of the ansatz point with parameters p. */
export function expandAnsatz(a: Ansatz, p: ArrayLike<number>, Q: Float64Array, R: Float64Array): void {
  for (let i = 0; i < a.K * a.K; i++) Q[i] = p[a.qClass[i]];
  for (let i = 0; i < a.K * a.M; i++) R[i] = p[a.rClass[i]];
}

/** Class averages of (X_Q, X_R): out[c] = mean of the entries in class c (docs/theory.md §6). */
export function averageOverClasses(a: Ansatz, XQ: ArrayLike<number>, XR: ArrayLike<number>, out: Float64Array): Float64Array {
  out.fill(0);
  for (let i = 0; i < a.K * a.K; i++) out[a.qClass[i]] += XQ[i];
  for (let i = 0; i < a.K * a.M; i++) out[a.rClass[i]] += XR[i];
  for (let c = 0; c < out.length; c++) out[c] /= a.count[c];
  return out;
}

/**
 * Reduced right-hand side: F(p) = class averages of (dQ/dτ, dR/dτ) of docs/theory.md §3 at the ansatz
 * point p. Returns a function writing F into `out` and returning the loss ε.
 */
export function makeReducedFlow(act: Activation, a: Ansatz, T: Float64Array) {
  const { K, M } = a;
  const flow = makeFlow(act, K, M, T);
  const Q = new Float64Array(K * K);
  const R = new Float64Array(K * M);
  const dQ = new Float64Array(K * K);
  const dR = new Float64Array(K * M);
  return function reducedFlow(p: ArrayLike<number>, out: Float64Array): number {
    expandAnsatz(a, p, Q, R);
    const loss = flow(Q, R, dQ, dR);
    averageOverClasses(a, dQ, dR, out);
    return loss;
  };
}

/**
 * The family grouping of docs/theory.md §6: students 0..n−1 anti-aligned (group 'a', paired with
 * teachers 0..n−1, group 'a'), students n..M−1 aligned (group 'p', paired with teachers n..M−1),
 * and for K > M the surplus students M..K−1 in group 'x' (unpaired).
 */
export function familyGrouping(K: number, M: number, n: number): Grouping {
  if (K < M) throw new RangeError(`familyGrouping needs K ≥ M, got K=${K}, M=${M}`);
  if (n < 0 || n > M) throw new RangeError(`family index n=${n} must be in [0, M=${M}]`);
  const studentGroup = Array.from({ length: K }, (_, k) => (k < n ? 'a' : k < M ? 'p' : 'x'));
  const teacherGroup = Array.from({ length: M }, (_, m) => (m < n ? 'a' : 'p'));
  const pair = Int32Array.from({ length: K }, (_, k) => (k < M ? k : -1));
  return { K, M, studentGroup, teacherGroup, pair };
}

/** Every parameter name a family grouping can produce (fixed CSV columns). */
export const FAMILY_PARAM_NAMES = [
  'q_aa_d', 'q_aa_o', 'q_ap', 'q_ax', 'q_pp_d', 'q_pp_o', 'q_px', 'q_xx_d', 'q_xx_o',
  'r_aa_d', 'r_aa_o', 'r_ap', 'r_pa', 'r_pp_d', 'r_pp_o', 'r_xa', 'r_xp',
] as const;
