// The Jacobian J = ∂F/∂x of the gradient flow (docs/theory.md §3) in the packed coordinates
// x = (Q_kl (k ≤ l), R_km) of docs/theory.md §8.1, by central differences:
//   J_{·j} = (F(x + h_j e_j) − F(x − h_j e_j)) / (2 h_j),   h_j = 1e-6 · max(1, |x_j|),
// a perturbation of an off-diagonal Q_kl moving Q_lk with it. Truncation error O(h²) ≈ 1e-12,
// round-off ≈ 1e-16/h ≈ 1e-10. This is a stand-in with the signature the analytic Jacobian of
// docs/theory.md §8.2–8.4 can take over: (x) ⇒ J (n_x × n_x, row-major, J[i·n_x + j] = ∂F_i/∂x_j).
import type { Activation } from '../activations/index.js';
import { makeFullResidual } from './fixed-points.js';
import { centralJacobian, type PackedJacobian } from '../linalg/jacobian.js';

export type { PackedJacobian };

/** J of the gradient-flow RHS at packed x (T fixed). */
export function makeFlowJacobian(act: Activation, K: number, M: number, T: Float64Array): PackedJacobian {
  const full = makeFullResidual(act, K, M, T);
  return centralJacobian(full.residual, full.size);
}
