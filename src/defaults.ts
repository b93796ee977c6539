// Every default of the library and of the command line, defined once. Study-specific defaults
// live with each study (studies/*/options.ts) and are built from these.

/** Activation and leaky-ReLU slope α. */
export const ACTIVATION = { activation: 'relu', alpha: 0.01 } as const;

/** Classification of an end state (docs/theory.md §6): global below epsGlobal; local when max|RHS| < gTol; units with Q_kk < vanishTol are gone (K > M). */
export const CLASSIFY = { epsGlobal: 1e-3, gTol: 1e-6, vanishTol: 1e-4 } as const;

/** A point is a fixed point only if the full max|RHS| ≤ this (docs/theory.md §6). */
export const FIXED_POINT_TOL = 1e-10;

/** A weight-space Hessian eigenvalue above −STABLE_TOL counts as non-negative (docs/theory.md §6, §11.6; the margin for round-off near zero modes). */
export const STABLE_TOL = 1e-7;

/** Newton/Levenberg–Marquardt (linalg/newton.ts): target max|F|, iterations, relative finite-difference step. */
export const NEWTON = { tol: 1e-13, maxIter: 60, fdStep: 1e-7 } as const;

/** Newton polishing of a near-stationary point on the full (Q, R) system (theory/fixed-points.ts). */
export const POLISH = { acceptTol: FIXED_POINT_TOL, tol: 1e-13, maxIter: 30 } as const;

/** Online-SGD kernels mark a replica diverged at a step with !(|Δ| ≤ MAX_DELTA). */
export const MAX_DELTA = 1e6;

/**
 * Training marks a replica diverged when its measured ε is not finite or exceeds
 * MAX_LOSS_FACTOR · max(1, ε at τ = 0); its ODE comparison stops once max|RHS| > MAX_ODE_RHS.
 */
export const MAX_LOSS_FACTOR = 1e3;
export const MAX_ODE_RHS = 1e8;

/**
 * Dormand–Prince tolerances, by purpose: one trajectory (`scmv ode`, relaxations) is integrated
 * tightly; ensembles only need the end state's class; a finite-N comparison with the gradient
 * flow must resolve ~1e-11 deviations (population GD follows it exactly); the SGD ODE, whose Φ
 * costs O(K²(K+M)²) four-variable integrals per RHS, is compared with SGD, which deviates by ≫ 1e-6.
 */
export const TOLERANCES = {
  trajectory: { rtol: 1e-9, atol: 1e-12 },
  ensemble: { rtol: 1e-6, atol: 1e-9 },
  compare: { rtol: 1e-11, atol: 1e-13 },
  compareSgdOde: { rtol: 1e-8, atol: 1e-10 },
} as const;

/** First dopri5 and rkc2 step, and the fixed rk4 step. */
export const STEP = { dopri5: 0.01, rkc2: 0.01, rk4: 0.05 } as const;

/**
 * RKC2 (docs/theory.md §11.7, ode/rkc.ts): ρ(∂f/∂y) by a power iteration every `rhoEvery` accepted
 * steps (and after each rejection), times `rhoSafety`; at most `maxStages` stages; damping ε = 2/13.
 */
export const RKC2 = { rhoEvery: 25, rhoSafety: 1.2, maxStages: 200, damping: 2 / 13 } as const;

/** `scmv ode`: one trajectory. */
export const ODE = { K: 8, M: 8, seed: 1, tauMax: 5000, tol: 1e-10, method: 'dopri5', dt: STEP.rk4, recordsPerDecade: 20 } as const;

/** `scmv ensemble`: seeded ODE runs classified (docs/theory.md §5, §6, §11). */
export const ENSEMBLE = {
  K: 8, M: 8, seed: 1, algorithm: 'gd', tol: 1e-7, tauMax: 1e4, ...CLASSIFY,
  polishAt: 1e-4, earlyGlobal: true, teacher: 'orthonormal',
} as const;

/**
 * The integration method of an ensemble run (runs/ensemble-member.ts, docs/theory.md §11.2) and its
 * tolerances: 'rkc2' (weight state for gd with T = I, RKC2; rtol 1e-3 as measured in
 * bench/PERF-RESEARCH.md) or 'dopri5' (the (Q, R) state, the path of every earlier runs file).
 * `byAlgorithm` is `scmv ensemble`'s default per algorithm: rkc2 on (Q, R) gave dopri5's class in
 * 48/48 runs for ngd and for ongd but 47/48 for 2l (bench/methods-trial.ts, bench/README.md), so 2l
 * keeps dopri5. A library caller that names no method gets 'dopri5' (`library`), so existing
 * studies and experiments keep their rows.
 */
export const ENSEMBLE_METHOD = {
  library: 'dopri5',
  byAlgorithm: { gd: 'rkc2', ngd: 'rkc2', ongd: 'rkc2', '2l': 'dopri5' },
  tolerances: { rkc2: { rtol: 1e-3, atol: 1e-6 }, dopri5: TOLERANCES.ensemble },
  /** rkc2: Newton polishing only as a fallback, after this many RHS evaluations below polishAt, or once τ ≥ tauFraction·τ_max. */
  polishAfterEvals: 1000,
  polishTauFraction: 0.9,
} as const;

/** `scmv train`: explicit-weight networks. */
export const TRAIN = {
  K: 4, M: 4, N: 1000, algorithm: 'sgd', lr: 0.1, dtau: 0.01, gdMethod: 'rk4', tauMax: 10, teacher: 'gaussian',
  seed: 1, replicas: 1, kappa: 1, retraction: 'qr', records: 100, ode: 'auto',
  // ε sampling period of the window statistics (capped at --record-every), and the period of the
  // exact recomputation of the tracked Q, R (docs/theory.md §10)
  lossEvery: 100, recomputeEvery: 10_000,
} as const;

/** `scmv levels` and `scmv stability`. */
export const LEVELS = { K: 8, M: 8 } as const;
export const STABILITY = { K: 8, M: 8, n: 1, source: 'ansatz', branch: 0, delta: 1e-3, seeds: 10, seed: 1, tauMax: 1e5, tol: 1e-10, vanishQ: 1e-10 } as const;

/** Upper bounds the command line accepts (see `--help`; memory estimates are checked at run time). */
export const LIMITS = {
  /** Widths of explicit networks (memory is estimated and checked separately). */
  K: 1000, M: 1000, N: 10_000_000, seed: 2 ** 32 - 1,
  /** Widths of the order-parameter ODE (one RHS costs O(K²(K+M)); K = 100 takes minutes per trajectory). */
  odeWidth: 100,
  /** Runs of one ensemble (indices are held in memory). */
  runs: 10_000_000,
  /** Memory the explicit weights of one job may take, in bytes. */
  jobBytes: 4 * 2 ** 30,
} as const;
