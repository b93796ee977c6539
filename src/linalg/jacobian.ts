// The forward-difference Jacobian J = ∂F/∂x (n×n, row-major, J[i·n + j] = ∂F_i/∂x_j) of a
// residual F, J_{·j} = (F(x + h_j e_j) − F(x)) / h_j with h_j = h · max(1, |x_j|): Newton's
// fallback when no analytic Jacobian is given (docs/theory.md §6).

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

/** A Jacobian as a function of the point: x ⇒ J (n×n, row-major). */
export type PackedJacobian = (x: Float64Array) => Float64Array;
