// Samples of the population loss ε within a record window (docs/theory.md §2, §10). ε costs K(K + M)
// arccos per evaluation (theory/loss.ts), about as much as an SGD step at N = 1000, so it is
// sampled every `lossEvery` steps rather than folded at every step like Q and R. Shifted sums, as
// for the overlaps (src/network/window.ts): d = ε − ε_first (the window's first sample),
//   mean = ε_first + Σd/n,   variance = Σd²/n − (Σd/n)²   (population variance over the n samples).

export interface LossSamples {
  n: Float64Array;
  first: Float64Array;
  sum: Float64Array;
  sumSq: Float64Array;
}

export interface LossMoments {
  mean: number;
  variance: number;
  samples: number;
}

export function makeLossSamples(replicas: number): LossSamples {
  return { n: new Float64Array(replicas), first: new Float64Array(replicas), sum: new Float64Array(replicas), sumSq: new Float64Array(replicas) };
}

/** Empties replica r's samples. */
export function clearLoss(s: LossSamples, r: number): void {
  s.n[r] = 0;
  s.sum[r] = 0;
  s.sumSq[r] = 0;
}

/** Adds one sample ε of replica r. */
export function addLoss(s: LossSamples, r: number, loss: number): void {
  if (s.n[r] === 0) s.first[r] = loss;
  const d = loss - s.first[r];
  s.sum[r] += d;
  s.sumSq[r] += d * d;
  s.n[r] += 1;
}

/** Mean and population variance of replica r's samples (NaN when there are none). */
export function lossMoments(s: LossSamples, r: number): LossMoments {
  const n = s.n[r];
  if (n === 0) return { mean: NaN, variance: NaN, samples: 0 };
  const d = s.sum[r] / n;
  return { mean: s.first[r] + d, variance: Math.max(0, s.sumSq[r] / n - d * d), samples: n };
}
