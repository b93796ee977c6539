// Column names and values for overlaps in CSVs: Q_<k>_<l> (k ≤ l, 0-based) and R_<k>_<m>.

export function overlapColumns(K: number, M: number, prefix = ''): string[] {
  const cols: string[] = [];
  for (let k = 0; k < K; k++) for (let l = k; l < K; l++) cols.push(`${prefix}Q_${k}_${l}`);
  for (let k = 0; k < K; k++) for (let m = 0; m < M; m++) cols.push(`${prefix}R_${k}_${m}`);
  return cols;
}

/** Values in the order of overlapColumns. */
export function overlapValues(K: number, M: number, Q: ArrayLike<number>, R: ArrayLike<number>): number[] {
  const v: number[] = [];
  for (let k = 0; k < K; k++) for (let l = k; l < K; l++) v.push(Q[k * K + l]);
  for (let i = 0; i < K * M; i++) v.push(R[i]);
  return v;
}
