#!/usr/bin/env python3
"""Checks ode_numpy.ReluFlow against scm-validator's makeFlow (src/theory/flow.ts).

Run with Debian's /usr/bin/python3 (python3-numpy, python3-scipy). Input: a JSON file from
bench/reference/export-inits.ts (without --no-rhs), whose runs carry eps0, dQ0, dR0 = ε, dQ/dτ,
dR/dτ at (Q0, R0) as computed by the TypeScript flow. Prints the largest absolute and relative
differences and exits with status 1 when one exceeds --tol (default 1e-12; the relative
difference of ε and the absolute difference of the RHS scaled by max(1, max|RHS|)).

    /usr/bin/python3 bench/reference/check_rhs.py inits.json [--tol 1e-12]
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy as np  # noqa: E402
from ode_numpy import ReluFlow, load_inits  # noqa: E402


def main():
    p = argparse.ArgumentParser(description='ode_numpy flow against the exported TypeScript flow')
    p.add_argument('inits')
    p.add_argument('--tol', type=float, default=1e-12)
    a = p.parse_args()
    K, M, T, ids, y0, runs = load_inits(a.inits)
    if not runs or 'dQ0' not in runs[0]:
        sys.exit('no eps0/dQ0/dR0 in the file: export it without --no-rhs')
    eps_ts = np.array([r['eps0'] for r in runs], dtype=np.float64)
    dy_ts = np.empty_like(y0)
    for b, r in enumerate(runs):
        dy_ts[b, :, :K] = np.asarray(r['dQ0'], dtype=np.float64).reshape(K, K)
        dy_ts[b, :, K:] = np.asarray(r['dR0'], dtype=np.float64).reshape(K, M)
    dy, eps = ReluFlow(K, M, T)(y0)

    eps_abs = np.abs(eps - eps_ts)
    eps_rel = eps_abs / np.maximum(np.abs(eps_ts), 1e-300)
    scale = np.maximum(1.0, np.abs(dy_ts).reshape(len(y0), -1).max(axis=1))
    rhs_abs = np.abs(dy - dy_ts).reshape(len(y0), -1).max(axis=1)
    rhs_scaled = rhs_abs / scale
    worst = int(np.argmax(rhs_scaled))
    print(f'K={K} M={M} runs={len(y0)}: '
          f'eps max |diff| {eps_abs.max():.3e} (max rel {eps_rel.max():.3e}); '
          f'RHS max |diff| {rhs_abs.max():.3e} (scaled {rhs_scaled.max():.3e}, run {ids[worst]}); '
          f'max|RHS| over runs {np.abs(dy_ts).max():.3e}, eps0 range [{eps_ts.min():.4g}, {eps_ts.max():.4g}]')
    ok = eps_rel.max() <= a.tol and rhs_scaled.max() <= a.tol
    print('OK' if ok else f'FAIL (tolerance {a.tol:g})')
    sys.exit(0 if ok else 1)


if __name__ == '__main__':
    main()
