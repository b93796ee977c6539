// Window statistics over every online-SGD step (docs/theory.md §10): between two records a kernel
// folds the overlaps of EVERY step into shifted sums
//
//     d = v − v_ref,   S1 = Σ d,   S2 = Σ d²        (v_ref: the overlaps at the window start),
//
// from which, over the n steps of the window,
//
//     mean = v_ref + S1/n,   variance = S2/n − (S1/n)²     (population variance, divisor n).
//
// The shift keeps the variance free of cancellation: d is small next to v, so S2/n and (S1/n)² are
// not two nearly equal large numbers. Folding one step costs K(K + M) subtractions and
// multiply-adds, next to the O((K + M) N) of the step itself.
//
// Layout ("overlap rows", shared with the WASM kernel): for replica r, entry (k, j) of ref, sum and
// sumSq sits at (r·K + k)·(K + M) + j and belongs to Q_kj for j < K, to R_k,j−K for j ≥ K.
// Q and R themselves are the batch's arrays: Q of replica r at r·K·K (K×K row-major), R at r·K·M.

/** Shifted sums of the current window, one block of K·(K+M) entries per replica. */
export interface WindowSums {
  /** n[r]: steps folded into replica r's window so far. */
  n: Float64Array;
  /** The overlaps at the window start (the shift v_ref). */
  ref: Float64Array;
  /** Σ (v − v_ref) over the window's steps. */
  sum: Float64Array;
  /** Σ (v − v_ref)² over the window's steps. */
  sumSq: Float64Array;
}

/** Mean and population variance of each Q_kl and R_km over the n steps of a window. */
export interface WindowMoments {
  steps: number;
  /** K×K row-major. */
  Qmean: Float64Array;
  Qvar: Float64Array;
  /** K×M row-major. */
  Rmean: Float64Array;
  Rvar: Float64Array;
}

/** Empty sums for `replicas` replicas (all windows empty, reference 0). */
export function makeWindowSums(replicas: number, K: number, M: number): WindowSums {
  const len = replicas * K * (K + M);
  return { n: new Float64Array(replicas), ref: new Float64Array(len), sum: new Float64Array(len), sumSq: new Float64Array(len) };
}

/** Starts replica r's window at the overlaps (Q at qOff, R at rOff): v_ref ← (Q, R), S1 = S2 = 0, n = 0. */
export function startWindow(w: WindowSums, r: number, K: number, M: number, Q: Float64Array, qOff: number, R: Float64Array, rOff: number): void {
  const P = K + M;
  for (let k = 0; k < K; k++) {
    const o = (r * K + k) * P;
    for (let l = 0; l < K; l++) w.ref[o + l] = Q[qOff + k * K + l];
    for (let m = 0; m < M; m++) w.ref[o + K + m] = R[rOff + k * M + m];
  }
  w.sum.fill(0, r * K * P, (r + 1) * K * P);
  w.sumSq.fill(0, r * K * P, (r + 1) * K * P);
  w.n[r] = 0;
}

/**
 * Folds one step's overlaps of replica r into its window: d = v − v_ref, S1 += d, S2 += d·d
 * (docs/theory.md §10). Does not touch n (the caller adds the steps it folded).
 */
export function foldStep(w: WindowSums, r: number, K: number, M: number, Q: Float64Array, qOff: number, R: Float64Array, rOff: number): void {
  const { ref, sum, sumSq } = w;
  const P = K + M;
  for (let k = 0; k < K; k++) {
    const o = (r * K + k) * P;
    const q = qOff + k * K;
    for (let l = 0; l < K; l++) {
      const d = Q[q + l] - ref[o + l];
      sum[o + l] += d;
      sumSq[o + l] += d * d;
    }
    const p = rOff + k * M, o2 = o + K;
    for (let m = 0; m < M; m++) {
      const d = R[p + m] - ref[o2 + m];
      sum[o2 + m] += d;
      sumSq[o2 + m] += d * d;
    }
  }
}

/** mean = v_ref + S1/n, variance = max(0, S2/n − (S1/n)²) of replica r's window (NaN when n = 0). */
export function windowMoments(w: WindowSums, r: number, K: number, M: number): WindowMoments {
  const n = w.n[r];
  const P = K + M;
  const out: WindowMoments = {
    steps: n,
    Qmean: new Float64Array(K * K), Qvar: new Float64Array(K * K),
    Rmean: new Float64Array(K * M), Rvar: new Float64Array(K * M),
  };
  for (let k = 0; k < K; k++) {
    for (let j = 0; j < P; j++) {
      const o = (r * K + k) * P + j;
      const d = w.sum[o] / n;
      const mean = w.ref[o] + d;
      const v = Math.max(0, w.sumSq[o] / n - d * d);
      if (j < K) {
        out.Qmean[k * K + j] = mean;
        out.Qvar[k * K + j] = n > 0 ? v : NaN;
      } else {
        out.Rmean[k * M + j - K] = mean;
        out.Rvar[k * M + j - K] = n > 0 ? v : NaN;
      }
    }
  }
  return out;
}
