// The analytic flow Jacobians (src/theory/jacobian.ts) against central finite differences of the
// right-hand sides the integrators use, on random states with K ≠ M and near-degenerate ones.
import { describe, expect, it } from 'vitest';
import { getActivation } from '../src/activations/index.js';
import { makeFlowJacobian, type JacobianFlow } from '../src/theory/jacobian.js';
import { makeFullResidual } from '../src/theory/fixed-points.js';
import { fdJacobian, relErr, rhsOf, states } from './jacobian-helpers.js';

const SIZES: [number, number][] = [[5, 3], [3, 4]];

describe('analytic flow Jacobian', () => {
  for (const actName of ['relu', 'leaky-relu', 'erf']) {
    const act = getActivation(actName, 0.2);
    for (const flow of ['gd', 'ngd', 'ongd', '2l'] as JacobianFlow[]) {
      it(`${flow}, ${actName}: ∂F/∂y equals central differences to 1e-7 (relative)`, () => {
        for (const [K, M] of SIZES) {
          for (const s of states(K, M, K * 10 + M)) {
            const jac = makeFlowJacobian(act, K, M, s.T, flow, 0.7);
            const y = new Float64Array(jac.n);
            y.set(s.Q, 0);
            y.set(s.R, K * K);
            if (flow === '2l') y.set(s.v, K * K + K * M);
            const J = new Float64Array(jac.n * jac.n);
            jac.jacobian(y, J);
            const F = rhsOf(act, flow, K, M, s.T, 0.7);
            // the prepared right-hand side is the flow's own (same point, round-off)
            const f1 = new Float64Array(jac.n);
            const f2 = new Float64Array(jac.n);
            F(y, f1);
            jac.rhs(y, f2);
            for (let i = 0; i < jac.n; i++) expect(Math.abs(f1[i] - f2[i])).toBeLessThan(1e-12 * (1 + Math.abs(f1[i])));
            const Jfd = fdJacobian(F, y, jac.n, s.label === 'near-degenerate' ? 1e-6 : 1e-3);
            const err = relErr(J, Jfd, jac.n);
            expect(err, `${flow} ${actName} K=${K} M=${M} ${s.label}`).toBeLessThan(1e-7);
          }
        }
      });
    }
  }

  it('gd, packed x = [Q_kl (k ≤ l), R]: equals central differences of makeFullResidual', () => {
    for (const actName of ['relu', 'erf']) {
      const act = getActivation(actName);
      for (const [K, M] of SIZES) {
        for (const s of states(K, M, 7 + K)) {
          const full = makeFullResidual(act, K, M, s.T);
          const jac = makeFlowJacobian(act, K, M, s.T, 'gd');
          const x = full.pack(s.Q, s.R);
          const J = new Float64Array(jac.nx * jac.nx);
          jac.jacobianPacked(x, J);
          const Jfd = fdJacobian((xx, out) => full.residual(xx, out), x, jac.nx, s.label === 'near-degenerate' ? 1e-6 : 1e-3);
          expect(relErr(J, Jfd, jac.nx), `${actName} K=${K} M=${M} ${s.label}`).toBeLessThan(1e-7);
        }
      }
    }
  });
});
