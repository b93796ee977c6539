// Orthant probabilities P(x_1 > 0, …, x_n > 0) of a centred Gaussian with correlations r_ij,
// n ≤ 4 (used by the four-variable integrals I4 of docs/theory.md §4.2).
//   n = 2: ¼ + asin(r)/2π
//   n = 3: ⅛ + (asin r12 + asin r13 + asin r23)/4π
//   n = 4: no closed form (the volume of a spherical tetrahedron). Plackett's reduction
//          ∂P/∂r_ij = φ2(0, 0; r_ij) · P(x_k > 0, x_l > 0 | x_i = x_j = 0)
//          integrated along r(t) = t·r from the independent case P = 1/16:
//          P4 = 1/16 + ∫₀¹ Σ_{i<j} r_ij φ2(0,0; t r_ij) (¼ + asin ρ_{kl·ij}(t)/2π) dt,
//          with {k, l} the complement of {i, j} and ρ_{kl·ij} the partial correlation.
//          The substitution t = 1 − (1 − s)² removes the 1/√(1 − t) endpoint behaviour of
//          nearly degenerate correlations; the s-integral is composite 7-point Gauss–Legendre
//          on panels graded geometrically towards s = 1 down to the integrand's smallest
//          length scale (3 panels for well-conditioned r, ≤ 33 for nearly singular r).
// Accuracy (test/i4-relu.test.ts): |error| < 1e-10 against the closed forms P4(½) = 1/5 and
// P4(block-diagonal) = P2·P2 and < 2e-9 against the independent one-factor 1-D integral
// (whose own quadrature limits that comparison), near-degenerate correlations included.

const TWO_PI = 2 * Math.PI;
const FOUR_PI = 4 * Math.PI;

function clip(r: number): number {
  return r > 1 ? 1 : r < -1 ? -1 : r;
}

/** P(x1 > 0, x2 > 0) = ¼ + asin(r)/2π. */
export function orthant2(r: number): number {
  return 0.25 + Math.asin(clip(r)) / TWO_PI;
}

/** P(x1, x2, x3 > 0) = ⅛ + (asin r12 + asin r13 + asin r23)/4π. */
export function orthant3(r12: number, r13: number, r23: number): number {
  return 0.125 + (Math.asin(clip(r12)) + Math.asin(clip(r13)) + Math.asin(clip(r23))) / FOUR_PI;
}

/** P_n′(z) by the three-term recurrence (k P_k = (2k−1) z P_{k−1} − (k−1) P_{k−2}); also returns P_n(z). */
function legendreWithDerivative(n: number, z: number): { p: number; dp: number } {
  let p0 = 1;
  let p1 = z;
  for (let k = 2; k <= n; k++) {
    const p2 = ((2 * k - 1) * z * p1 - (k - 1) * p0) / k;
    p0 = p1;
    p1 = p2;
  }
  return { p: p1, dp: (n * (z * p1 - p0)) / (z * z - 1) };
}

/** Gauss–Legendre nodes and weights on [−1, 1] by Newton's method on P_n; w = 2/((1 − z²) P_n′(z)²). */
export function gaussLegendre(n: number): { x: Float64Array; w: Float64Array } {
  const x = new Float64Array(n);
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let z = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
    for (let it = 0; it < 100; it++) {
      const { p, dp } = legendreWithDerivative(n, z);
      const dz = p / dp;
      z -= dz;
      if (Math.abs(dz) < 1e-16) break;
    }
    const { dp } = legendreWithDerivative(n, z);
    x[i] = z;
    w[i] = 2 / ((1 - z * z) * dp * dp);
  }
  return { x, w };
}

const GL = gaussLegendre(7);

// Pairs (i, j) of {0, 1, 2, 3} in the order 01, 02, 03, 12, 13, 23; pair p's complement is 5 − p.
const PI_ = [0, 0, 0, 1, 1, 2];
const PJ = [1, 2, 3, 2, 3, 3];
// Scratch buffers (orthant4 is not re-entrant; JS is single-threaded per isolate).
const RR = new Float64Array(6);
const OM = new Float64Array(6);
const OP = new Float64Array(6);
const M4 = new Float64Array(16);

/**
 * Plackett integrand in s (t = 1 − (1 − s)², dt = 2(1 − s) ds) for the correlation vector
 * r = [r01, r02, r03, r12, r13, r23] and its complements om = 1 − r (kept separately for accuracy).
 */
function integrand(s: number, r: Float64Array, om: Float64Array, op: Float64Array, m: Float64Array): number {
  const w = 1 - s;
  const w2 = w * w;
  const t = 1 - w2;
  // r(t) as a symmetric 4×4 (off-diagonal only)
  for (let p = 0; p < 6; p++) {
    const v = t * r[p];
    m[PI_[p] * 4 + PJ[p]] = v;
    m[PJ[p] * 4 + PI_[p]] = v;
  }
  let sum = 0;
  for (let p = 0; p < 6; p++) {
    const i = PI_[p], j = PJ[p];
    const q = 5 - p;
    const k = PI_[q], l = PJ[q];
    const rij = m[i * 4 + j];
    const rki = m[k * 4 + i], rkj = m[k * 4 + j], rli = m[l * 4 + i], rlj = m[l * 4 + j], rkl = m[k * 4 + l];
    const oneMinusR2 = 1 - rij * rij;
    const num = rkl * oneMinusR2 - rki * rli - rkj * rlj + rij * (rki * rlj + rkj * rli);
    const dk = oneMinusR2 - rki * rki - rkj * rkj + 2 * rij * rki * rkj;
    const dl = oneMinusR2 - rli * rli - rlj * rlj + 2 * rij * rli * rlj;
    const den = dk * dl;
    const rho = den > 0 ? clip(num / Math.sqrt(den)) : num > 0 ? 1 : num < 0 ? -1 : 0;
    // 1 − t r = (1 − r) + w² r and 1 + t r = (1 + r) − w² r, accurate when |r| → 1
    const root = Math.sqrt(Math.max((om[p] + w2 * r[p]) * (op[p] - w2 * r[p]), 0));
    if (root === 0) continue; // only at s = 1 with |r| = 1, a measure-zero endpoint
    sum += (r[p] / root) * (0.25 + Math.asin(rho) / TWO_PI);
  }
  return (2 * w * sum) / TWO_PI;
}

function panel(a: number, b: number, r: Float64Array, om: Float64Array, op: Float64Array, m: Float64Array): number {
  const h = 0.5 * (b - a);
  const c = 0.5 * (a + b);
  let s = 0;
  for (let i = 0; i < GL.x.length; i++) s += GL.w[i] * integrand(c + h * GL.x[i], r, om, op, m);
  return s * h;
}

/** det of the 3×3 correlation matrix with off-diagonals x, y, z. */
function det3(x: number, y: number, z: number): number {
  return 1 - x * x - y * y - z * z + 2 * x * y * z;
}

/**
 * Smallest length scale of the integrand near w = 1 − s = 0: its singularities sit at
 * w ≈ ±i·√(1 − |r_ij|), ±i·√(3×3 minors), ±i·√(det r) (where φ2 or the partial correlations
 * become singular at t = 1).
 */
function featureScale(r: Float64Array): number {
  let m = 1;
  for (let p = 0; p < 6; p++) m = Math.min(m, 1 - Math.abs(r[p]));
  const [r01, r02, r03, r12, r13, r23] = r;
  m = Math.min(m, det3(r01, r02, r12), det3(r01, r03, r13), det3(r02, r03, r23), det3(r12, r13, r23));
  const det4 =
    1 - r01 * r01 - r02 * r02 - r03 * r03 - r12 * r12 - r13 * r13 - r23 * r23 +
    2 * (r01 * r02 * r12 + r01 * r03 * r13 + r02 * r03 * r23 + r12 * r13 * r23) +
    r01 * r01 * r23 * r23 + r02 * r02 * r13 * r13 + r03 * r03 * r12 * r12 -
    2 * (r01 * r23 * r02 * r13 + r01 * r23 * r03 * r12 + r02 * r13 * r03 * r12);
  m = Math.min(m, det4);
  return Math.sqrt(Math.max(m, 0));
}

/**
 * P(x_0, x_1, x_2, x_3 > 0) for correlations r = [r01, r02, r03, r12, r13, r23] (Plackett
 * reduction, graded composite Gauss–Legendre).
 */
export function orthant4(r: ArrayLike<number>): number {
  const rr = RR, om = OM, op = OP;
  for (let p = 0; p < 6; p++) {
    rr[p] = clip(r[p]);
    om[p] = 1 - rr[p];
    op[p] = 1 + rr[p];
  }
  // Geometric panels in w = 1 − s: [1/2, 1], [1/4, 1/2], …, down to w0 ≤ scale/4, then [0, w0];
  // each panel stays a fixed ratio away from the complex singularities, so 7-point
  // Gauss–Legendre converges geometrically on every panel.
  const w0 = Math.max(Math.min(0.25, 0.25 * featureScale(rr)), 1e-10);
  let P = 0.0625;
  let hi = 1;
  while (hi > w0 * 1.0000001) {
    const lo = Math.max(0.5 * hi, w0);
    P += panel(1 - hi, 1 - lo, rr, om, op, M4);
    hi = lo;
  }
  P += panel(1 - w0, 1, rr, om, op, M4);
  return P < 0 ? 0 : P > 1 ? 1 : P;
}
