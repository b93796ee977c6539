#!/usr/bin/env python3
"""Spectral radius of the flow's Jacobian, for the RK4 step-size caveat in README.md.

    /usr/bin/python3 bench/reference/jacobian_radius.py inits.json RUN [--tau-max 2000] [--dt 0.05]

Central finite differences of ode_numpy.ReluFlow in the coordinates (Q_kl for k ≤ l, R_km), at the
run's initial state and at the state where RK4 (step dt) reaches max|RHS| < 1e-9, ε < 1e-3 or
τ_max. RK4's stability interval on the negative real axis is dt·|λ| < 2.785.
Run with Debian's /usr/bin/python3 (python3-numpy, python3-scipy).
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy as np  # noqa: E402
from ode_numpy import ReluFlow, integrate_rk4, load_inits  # noqa: E402


def jacobian_eigs(flow, y, K, M, h=1e-6):
    iu = np.triu_indices(K)
    nq = len(iu[0])
    P = np.zeros((nq + K * M, K, K + M))
    P[np.arange(nq), iu[0], iu[1]] = 1
    P[np.arange(nq), iu[1], iu[0]] = 1
    j = np.arange(K * M)
    P[nq + j, j // M, K + j % M] = 1
    fp, _ = flow(y[None] + h * P)
    fm, _ = flow(y[None] - h * P)
    D = (fp - fm) / (2 * h)  # D[j] = ∂f/∂x_j
    J = np.concatenate([D[:, iu[0], iu[1]], D[:, :, K:].reshape(len(P), -1)], axis=1).T
    return np.linalg.eigvals(J)


def main():
    p = argparse.ArgumentParser()
    p.add_argument('inits')
    p.add_argument('run', type=int)
    p.add_argument('--tau-max', type=float, default=2000)
    p.add_argument('--dt', type=float, default=0.05)
    a = p.parse_args()
    K, M, T, ids, y0, _ = load_inits(a.inits)
    flow = ReluFlow(K, M, T)
    y = y0[list(ids).index(a.run)]
    ev = jacobian_eigs(flow, y, K, M)
    print(f'K={K} M={M} run {a.run} at τ=0: |λ|max {abs(ev).max():.3f}, Re λ in [{ev.real.min():.3f}, {ev.real.max():.4f}]')
    y_end, eps, norm, _, steps = integrate_rk4(flow, y[None], a.dt, a.tau_max, 1e-3, 1e-9)
    ev = jacobian_eigs(flow, y_end[0], K, M)
    print(f'  at τ={steps[0] * a.dt:g} (ε {eps[0]:.6g}, max|RHS| {norm[0]:.1e}): |λ|max {abs(ev).max():.3f}, '
          f'Re λ in [{ev.real.min():.3f}, {ev.real.max():.4f}]; dt·|λ|max = {a.dt * abs(ev).max():.3f} (RK4 limit 2.785)')


if __name__ == '__main__':
    main()
