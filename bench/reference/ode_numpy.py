#!/usr/bin/env python3
"""Batched numpy RK4 baseline for the ReLU order-parameter ODE (scm-validator SPEC §2, §3, §6).

The peer baseline for benchmarks: the fixed-step integrator a researcher would write in an
afternoon, vectorised over a batch of B trajectories, to compare with `scmv ensemble` on the same
initial conditions, run for run (see README.md beside this file).

Interpreter: run with Debian's /usr/bin/python3 and its packages python3-numpy, python3-scipy
(`apt-get install -y python3-numpy python3-scipy`). A `python3` found first on PATH may be
another interpreter (e.g. pyenv) without numpy.

Threads: --threads N (default 1) sets OMP_NUM_THREADS, OPENBLAS_NUM_THREADS, MKL_NUM_THREADS and
BLIS_NUM_THREADS to N before numpy is imported (BLAS reads them once, at load), which gives the
per-core figure with N = 1; --threads 0 leaves the environment alone.

Model (SPEC §1–§3), T = W*W*ᵀ/N constant, ReLU, every entry of Q and R an independent variable:
    ε = ½ Σ_kl I2(Q_kk, Q_ll, Q_kl) − Σ_km I2(Q_kk, T_mm, R_km) + ½ Σ_mn I2(T_mm, T_nn, T_mn)
    I2(a, b, c) = √(ab) (sin θ + (π − θ) cos θ) / 2π,   cos θ = c/√(ab)
    G = ∂ε/∂Q, H = ∂ε/∂R, S = G + Gᵀ
    dQ/dτ = −(S Q + Q S + H Rᵀ + R Hᵀ),   dR/dτ = −(S R + H T)
Integration: classical RK4 with a fixed step dt. A trajectory stops (and is removed from the batch)
when, at the start of a step, ε < eps_global (global), max|RHS| < tol (converged; tol defaults
to g_tol), τ ≥ τ_max, or ε or the RHS is not finite (diverged).
Classification (SPEC §6): diverged; global if ε < eps_global; local if not global and
max|RHS| < g_tol; otherwise none. Family n of a local run: students matched to teachers by
scipy.optimize.linear_sum_assignment maximising Σ|R_{k,π(k)}| (for K > M, units with
Q_kk < vanish_tol left out), n = number of matched R_{k,π(k)} < 0; n = 0 for global, −1 otherwise.

Input: JSON {"K", "M", "T": [[...]], "runs": [{"run": i, "Q0": [[...]], "R0": [[...]]}, ...]}
(bench/reference/export-inits.ts writes it). Output: CSV
run,final_loss,class,family_n,tau_end,steps,rhs_evals on stdout (or --out), and a last line on
stderr with the wall seconds of the integration (after loading, before classification; its
process CPU seconds in brackets) and the trajectories per second (runs / wall seconds).
"""
import argparse
import json
import os
import sys
import time

THREAD_VARS = ('OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS', 'BLIS_NUM_THREADS')


def _threads_from_argv(argv):
    """Value of --threads in argv (default 1), read before argparse because numpy is not yet imported."""
    for i, a in enumerate(argv):
        if a == '--threads' and i + 1 < len(argv):
            return int(argv[i + 1])
        if a.startswith('--threads='):
            return int(a.split('=', 1)[1])
    return 1


if __name__ == '__main__':
    _n = _threads_from_argv(sys.argv[1:])
    if _n > 0:
        for _v in THREAD_VARS:
            os.environ[_v] = str(_n)

import numpy as np  # noqa: E402  (after the thread variables are set)
from scipy.optimize import linear_sum_assignment  # noqa: E402

INV_2PI = 1.0 / (2.0 * np.pi)
INV_4PI = 1.0 / (4.0 * np.pi)

DIVERGED, GLOBAL, CONVERGED, TAU_MAX = 0, 1, 2, 3


def relu_i2(sa, sb, c):
    """ReLU I2 with √a = sa, √b = sb (broadcast against c), with ∂I2/∂c and sin θ.

    ∂I2/∂a = (sb/sa) sin θ / 4π (and symmetrically ∂I2/∂b) are built from sin θ by the caller.
    """
    s = sa * sb
    rho = np.clip(c / s, -1.0, 1.0)
    theta = np.arccos(rho)
    sin = np.sqrt(1.0 - rho * rho)
    pi_minus = np.pi - theta
    return s * (sin + pi_minus * rho) * INV_2PI, pi_minus * INV_2PI, sin


def teacher_loss(T):
    """½ Σ_mn I2(T_mm, T_nn, T_mn): the constant term of ε."""
    st = np.sqrt(np.diag(T))
    i2, _, _ = relu_i2(st[:, None], st[None, :], T)
    i2[np.diag_indices_from(i2)] = 0.5 * np.diag(T)  # I2(a, a, a) = a/2 exactly
    return 0.5 * i2.sum()


class ReluFlow:
    """ε and the gradient-flow right-hand side for a batch of states y = [Q | R], shape (B, K, K+M)."""

    def __init__(self, K, M, T):
        self.K, self.M = K, M
        self.T = np.asarray(T, dtype=np.float64)
        self.sqT = np.sqrt(np.diag(self.T))
        self.eps_T = teacher_loss(self.T)
        self.T_is_identity = np.array_equal(self.T, np.eye(M))
        self.off = ~np.eye(K, dtype=bool)  # off-diagonal mask of a K×K block

    def loss_grads(self, Q, R):
        """ε (B,), S = G + Gᵀ (B,K,K) and H (B,K,M) at Q (B,K,K), R (B,K,M)."""
        qd = np.diagonal(Q, axis1=1, axis2=2)
        sq = np.sqrt(qd)                                     # (B, K)
        # student–student pairs; the diagonal (I2(q,q,q) = q/2, partials (0, 0, ½)) is set apart
        i2_qq, dc_qq, sin_qq = relu_i2(sq[:, :, None], sq[:, None, :], Q)
        i2_qq *= self.off
        sin_qq *= self.off
        # student–teacher pairs
        i2_qr, dc_qr, sin_qr = relu_i2(sq[:, :, None], self.sqT[None, None, :], R)

        eps = self.eps_T + 0.5 * i2_qq.sum(axis=(1, 2)) + 0.25 * qd.sum(axis=1) - i2_qr.sum(axis=(1, 2))

        # G_kl = ½ ∂c I2(Q_kk, Q_ll, Q_kl) (k ≠ l)
        # G_kk = ¼ + Σ_{l≠k} (√Q_ll/√Q_kk) sin θ_kl/4π − Σ_m (√T_mm/√Q_kk) sin θ_km/4π
        G = 0.5 * dc_qq * self.off
        g_diag = 0.25 + (np.einsum('bkl,bl->bk', sin_qq, sq) - sin_qr @ self.sqT) * INV_4PI / sq
        G[:, np.arange(self.K), np.arange(self.K)] = g_diag
        S = G + G.transpose(0, 2, 1)
        H = -dc_qr                                           # H_km = −∂c I2(Q_kk, T_mm, R_km)
        return eps, S, H

    def __call__(self, y, out=None):
        """Returns (dy/dτ, ε) for y of shape (B, K, K+M)."""
        K = self.K
        Q, R = y[:, :, :K], y[:, :, K:]
        eps, S, H = self.loss_grads(Q, R)
        A = S @ Q + H @ R.transpose(0, 2, 1)
        dy = np.empty_like(y) if out is None else out
        dy[:, :, :K] = -(A + A.transpose(0, 2, 1))
        dy[:, :, K:] = -(S @ R + (H if self.T_is_identity else H @ self.T))
        return dy, eps


def integrate_rk4(flow, y0, dt, tau_max, eps_global, tol):
    """Fixed-step RK4 on a batch; each trajectory is removed from the batch once it stops.

    Returns (y_end, eps_end, rhs_norm_end, stop_code, steps) for every trajectory, in input order.
    """
    B = y0.shape[0]
    y = np.array(y0, dtype=np.float64)
    active = np.arange(B)                      # input positions of the rows still in y
    y_end = np.empty_like(y)
    eps_end = np.full(B, np.nan)
    norm_end = np.full(B, np.nan)
    code = np.full(B, -1, dtype=np.int64)
    steps = np.zeros(B, dtype=np.int64)
    n_max = int(np.ceil(tau_max / dt - 1e-9))  # τ = n·dt ≥ τ_max  ⇔  n ≥ n_max
    n = 0
    while active.size:
        k1, eps = flow(y)
        norm = np.abs(k1).reshape(len(y), -1).max(axis=1)   # NaN propagates
        bad = ~(np.isfinite(eps) & np.isfinite(norm))
        glob = ~bad & (eps < eps_global)
        conv = ~bad & ~glob & (norm < tol)
        last = ~bad & ~glob & ~conv & (n >= n_max)
        stop = bad | glob | conv | last
        if stop.any():
            where = active[stop]
            y_end[where] = y[stop]
            eps_end[where] = eps[stop]
            norm_end[where] = norm[stop]
            code[where] = np.select([bad[stop], glob[stop], conv[stop]], [DIVERGED, GLOBAL, CONVERGED], TAU_MAX)
            steps[where] = n
            keep = ~stop
            y, k1, active = y[keep], k1[keep], active[keep]
            if not active.size:
                break
        k2, _ = flow(y + (0.5 * dt) * k1)
        k3, _ = flow(y + (0.5 * dt) * k2)
        k4, _ = flow(y + dt * k3)
        y = y + (dt / 6.0) * (k1 + 2.0 * k2 + 2.0 * k3 + k4)
        n += 1
    return y_end, eps_end, norm_end, code, steps


def family_index(Q, R, vanish_tol):
    """Number of matched students anti-aligned with their teacher (SPEC §6)."""
    K, M = R.shape
    alive = np.ones(K, dtype=bool) if K <= M else np.diag(Q) >= vanish_tol
    Ra = R[alive]
    if Ra.size == 0:
        return 0
    rows, cols = linear_sum_assignment(np.abs(Ra), maximize=True)
    return int(np.count_nonzero(Ra[rows, cols] < 0))


def classify(K, y_end, eps_end, norm_end, code, eps_global, g_tol, vanish_tol):
    """Class names and family indices for every trajectory."""
    classes, fams = [], []
    for b in range(len(code)):
        if code[b] == DIVERGED:
            classes.append('diverged')
            fams.append(-1)
        elif eps_end[b] < eps_global:
            classes.append('global')
            fams.append(0)
        elif norm_end[b] < g_tol:
            classes.append('local')
            fams.append(family_index(y_end[b, :, :K], y_end[b, :, K:], vanish_tol))
        else:
            classes.append('none')
            fams.append(-1)
    return classes, fams


def load_inits(path):
    """(K, M, T, run ids, y0 of shape (B, K, K+M), raw run dicts) from the JSON written by export-inits.ts."""
    with open(path) as f:
        doc = json.load(f)
    K, M = int(doc['K']), int(doc['M'])
    T = np.asarray(doc['T'], dtype=np.float64).reshape(M, M)
    runs = doc['runs']
    y0 = np.empty((len(runs), K, K + M))
    for b, r in enumerate(runs):
        y0[b, :, :K] = np.asarray(r['Q0'], dtype=np.float64).reshape(K, K)
        y0[b, :, K:] = np.asarray(r['R0'], dtype=np.float64).reshape(K, M)
    ids = np.array([int(r['run']) for r in runs], dtype=np.int64)
    return K, M, T, ids, y0, runs


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('inits', help='JSON of initial conditions (bench/reference/export-inits.ts)')
    p.add_argument('--out', help='CSV output file (default: stdout)')
    p.add_argument('--dt', type=float, default=0.05, help='RK4 step (default 0.05)')
    p.add_argument('--tau-max', type=float, default=1e4, help='give up at this τ (default 1e4)')
    p.add_argument('--eps-global', type=float, default=1e-3, help='global when ε < this (default 1e-3)')
    p.add_argument('--g-tol', type=float, default=1e-6, help='local when not global and max|RHS| < this (default 1e-6)')
    p.add_argument('--tol', type=float, default=None, help='stop when max|RHS| < tol (default: --g-tol)')
    p.add_argument('--vanish-tol', type=float, default=1e-4, help='K > M: units with Q_kk below this are left out of the matching')
    p.add_argument('--batch', type=int, default=1000, help='trajectories integrated together (default 1000)')
    p.add_argument('--threads', type=int, default=1, help='BLAS/OpenMP threads, set through the environment before numpy loads (default 1; 0: leave the environment alone)')
    p.add_argument('--limit', type=int, default=0, help='use only the first LIMIT runs of the file (0: all)')
    return p.parse_args(argv)


def main(argv=None):
    a = parse_args(argv)
    tol = a.g_tol if a.tol is None else a.tol
    K, M, T, ids, y0, _ = load_inits(a.inits)
    if a.limit > 0:
        ids, y0 = ids[:a.limit], y0[:a.limit]
    flow = ReluFlow(K, M, T)
    B = len(ids)
    batch = max(1, a.batch)
    parts = []
    t0, c0 = time.perf_counter(), time.process_time()
    with np.errstate(invalid='ignore', divide='ignore', over='ignore'):  # non-finite states stop as diverged
        for i in range(0, B, batch):
            parts.append(integrate_rk4(flow, y0[i:i + batch], a.dt, a.tau_max, a.eps_global, tol))
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    y_end, eps_end, norm_end, code, steps = (np.concatenate(x) for x in zip(*parts)) if parts else (np.empty((0, K, K + M)),) + (np.empty(0),) * 4
    classes, fams = classify(K, y_end, eps_end, norm_end, code, a.eps_global, a.g_tol, a.vanish_tol)

    lines = ['run,final_loss,class,family_n,tau_end,steps,rhs_evals']
    for b in range(B):
        lines.append(f'{ids[b]},{float(eps_end[b])!r},{classes[b]},{fams[b]},{steps[b] * a.dt:.10g},{steps[b]},{4 * steps[b] + 1}')
    text = '\n'.join(lines) + '\n'
    if a.out:
        with open(a.out, 'w') as f:
            f.write(text)
    else:
        sys.stdout.write(text)

    counts = {c: classes.count(c) for c in ('global', 'local', 'none', 'diverged')}
    n_threads = len(os.listdir('/proc/self/task')) if os.path.isdir('/proc/self/task') else -1
    env = ' '.join(f'{v}={os.environ.get(v, "unset")}' for v in THREAD_VARS[:2])
    print(f'ode_numpy: K={K} M={M} runs={B} batch={batch} dt={a.dt:g} tau_max={a.tau_max:g} tol={tol:g} '
          f'classes {counts} RHS evals {int((4 * steps + 1).sum())}; {env}, process threads {n_threads}',
          file=sys.stderr)
    print(f'wall {wall:.3f} s (integration only, CPU {cpu:.3f} s), '
          f'{B / wall if wall > 0 else float("inf"):.3f} trajectories/s', file=sys.stderr)


if __name__ == '__main__':
    main()
