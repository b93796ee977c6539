// Finite-difference Jacobians J = ∂F/∂x (n×n, row-major, J[i·n + j] = ∂F_i/∂x_j) of a residual
// F: forward differences for Newton's method (docs/theory.md §6), central differences
//   J_{·j} = (F(x + h_j e_j) − F(x − h_j e_j)) / (2 h_j),   h_j = h · max(1, |x_j|)
// where O(h²) truncation matters (the SGD predictions of docs/theory.md §9).

/** F writes the residual of x into out; it may return a non-finite residual for invalid x. */
export type Residual = (x: Float64Array, out: Float64Array) => void;

/** Forward-difference Jacobian J (n×n, row-major: J[i·n + j] = ∂F_i/∂x_j) at x with F(x) = f. */
export function fdJacobian(F: Residual, x: Float64Array, f: Float64Array, J: Float64Array, step: number): void {
  const n = x.length;
  const fp = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    const xj = x[j];
    const h = step * Math.max(1, Math.abs(xj));
    x[j] = xj + h;
    const hh = x[j] - xj;
    F(x, fp);
    x[j] = xj;
    for (let i = 0; i < n; i++) J[i * n + j] = (fp[i] - f[i]) / hh;
  }
}

export type PackedJacobian = (x: Float64Array) => Float64Array;

/** Central-difference Jacobian of any packed residual `F` of size n (step h·max(1, |x_j|)). */
export function centralJacobian(F: Residual, n: number, h = 1e-6): PackedJacobian {
  const fp = new Float64Array(n);
  const fm = new Float64Array(n);
  return (x0) => {
    const x = Float64Array.from(x0);
    const J = new Float64Array(n * n);
    for (let j = 0; j < n; j++) {
      const xj = x[j];
      const hj = h * Math.max(1, Math.abs(xj));
      x[j] = xj + hj;
      const up = x[j] - xj;
      F(x, fp);
      x[j] = xj - hj;
      const down = xj - x[j];
      F(x, fm);
      x[j] = xj;
      for (let i = 0; i < n; i++) J[i * n + j] = (fp[i] - fm[i]) / (up + down);
    }
    return J;
  };
}

