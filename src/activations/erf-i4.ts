// Four-variable Gaussian integrals of docs/theory.md §4.2 for g(z) = erf(z/√2) (Saad & Solla 1995):
//   I4 = E[g′(u) g′(v) g(a) g(b)] = (4/π²) Λ4^{-1/2} asin(Λ0 / √(Λ1 Λ2)),
//   Λ4 = (1 + C_uu)(1 + C_vv) − C_uv²,
//   Λ0 = Λ4 C_ab − C_va C_vb (1 + C_uu) − C_ua C_ub (1 + C_vv) + C_uv C_ua C_vb + C_uv C_ub C_va,
//   Λ1 = Λ4 (1 + C_aa) − C_va² (1 + C_uu) − C_ua² (1 + C_vv) + 2 C_uv C_ua C_va,
//   Λ2 = the same with b for a.
// Derivation (checked, not recalled): g′(u) g′(v) = (2/π) exp(−(u² + v²)/2) tilts the Gaussian;
// the tilt has mass Λ4^{-1/2} and leaves (a, b) with covariance C′ = C − C_{·,uv}(I + C_uv)⁻¹ C_{uv,·},
// whose I2 is (2/π) asin(C′_ab/√((1 + C′_aa)(1 + C′_bb))) = (2/π) asin(Λ0/√(Λ1 Λ2)).
//   J2 = E[g′(u) g′(v)] = (2/π) / √((1 + a)(1 + b) − c²).
// Exact up to round-off; test/i4-erf.test.ts checks it against Monte Carlo.

const TWO_OVER_PI = 2 / Math.PI;
const FOUR_OVER_PI2 = 4 / (Math.PI * Math.PI);

/** Erf I4 for the 4×4 covariance C of (u, v, a, b) (row-major). */
export function erfI4(C: Float64Array): number {
  const uu = C[0], uv = C[1], ua = C[2], ub = C[3];
  const vv = C[5], va = C[6], vb = C[7];
  const aa = C[10], ab = C[11], bb = C[15];
  const L4 = (1 + uu) * (1 + vv) - uv * uv;
  const L0 = L4 * ab - va * vb * (1 + uu) - ua * ub * (1 + vv) + uv * ua * vb + uv * ub * va;
  const L1 = L4 * (1 + aa) - va * va * (1 + uu) - ua * ua * (1 + vv) + 2 * uv * ua * va;
  const L2 = L4 * (1 + bb) - vb * vb * (1 + uu) - ub * ub * (1 + vv) + 2 * uv * ub * vb;
  let x = L0 / Math.sqrt(L1 * L2);
  x = x > 1 ? 1 : x < -1 ? -1 : x;
  return (FOUR_OVER_PI2 * Math.asin(x)) / Math.sqrt(L4);
}

/** Erf J2 = E[g′(u) g′(v)] = (2/π)/√((1 + a)(1 + b) − c²). */
export function erfJ2(a: number, b: number, c: number): number {
  return TWO_OVER_PI / Math.sqrt((1 + a) * (1 + b) - c * c);
}
