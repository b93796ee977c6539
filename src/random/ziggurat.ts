// Ziggurat sampler for N(0, 1) (Marsaglia & Tsang 2000) with 128 strips.
// The strip index uses the low 7 bits of a 32-bit draw and the signed magnitude
// the other 25 bits, so index and value are independent (Doornik 2005's remark).

const STRIPS = 128;
const R = 3.442619855899; // right edge of the base strip
const V = 9.91256303526217e-3; // area of each strip
const SCALE = 2 ** 24; // |hz| < 2^24

const kn = new Float64Array(STRIPS);
const wn = new Float64Array(STRIPS);
const fn = new Float64Array(STRIPS);
{
  let dn = R;
  let tn = dn;
  const q = V / Math.exp(-0.5 * dn * dn);
  kn[0] = (dn / q) * SCALE;
  kn[1] = 0;
  wn[0] = q / SCALE;
  wn[STRIPS - 1] = dn / SCALE;
  fn[0] = 1;
  fn[STRIPS - 1] = Math.exp(-0.5 * dn * dn);
  for (let i = STRIPS - 2; i >= 1; i--) {
    dn = Math.sqrt(-2 * Math.log(V / dn + Math.exp(-0.5 * dn * dn)));
    kn[i + 1] = (dn / tn) * SCALE;
    tn = dn;
    fn[i] = Math.exp(-0.5 * dn * dn);
    wn[i] = dn / SCALE;
  }
}

/** The 128-strip tables (read-only) and constants, for kernels that run the same sampler elsewhere (WASM). */
export const ZIGGURAT = { STRIPS, R, kn, wn, fn } as const;

/** Returns a normal sampler drawing from the given 32-bit and uniform sources. */
export function createZiggurat(nextU32: () => number, uniform: () => number): () => number {
  return function normal(): number {
    for (;;) {
      const j = nextU32() | 0;
      const iz = j & (STRIPS - 1);
      const hz = j >> 7; // signed, |hz| < 2^24
      const x = hz * wn[iz];
      if (Math.abs(hz) < kn[iz]) return x;
      if (iz === 0) {
        // tail beyond R
        let xt: number, yt: number;
        do {
          xt = -Math.log(uniform()) / R;
          yt = -Math.log(uniform());
        } while (yt + yt < xt * xt);
        return hz > 0 ? R + xt : -R - xt;
      }
      // wedge
      if (fn[iz] + uniform() * (fn[iz - 1] - fn[iz]) < Math.exp(-0.5 * x * x)) return x;
    }
  };
}
