// Seeded generator: xoshiro128** (Blackman & Vigna) on 32-bit words, seeded by a
// string hash of (seed, stream labels…) expanded with splitmix32. One stream per
// label tuple, so run i of an ensemble draws the same numbers on any worker or shard.
import { createZiggurat } from './ziggurat.js';

export interface Rng {
  /** Uniform 32-bit unsigned integer. */
  nextU32(): number;
  /** Uniform in the open interval (0, 1), 32-bit resolution. */
  uniform(): number;
  /** Standard normal N(0, 1) (ziggurat). */
  normal(): number;
  /** Fill `out` with i.i.d. N(0, 1). */
  fillNormal(out: Float64Array | Float32Array): void;
  /** Copy of the 128-bit xoshiro128** state [s0, s1, s2, s3] (for kernels that run the same generator elsewhere, e.g. WASM). */
  getState?(): Uint32Array;
  /** Replaces the state with [s0, s1, s2, s3] (as returned by getState after the same draws elsewhere). */
  setState?(state: ArrayLike<number>): void;
}

/** 32-bit FNV-1a followed by a murmur3 finaliser; used only to turn labels into seeds. */
function hash32(text: string, salt: number): number {
  let h = (0x811c9dc5 ^ salt) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** splitmix32 step, used to expand a 32-bit seed into the 128-bit state. */
function splitmix32(x: number): number {
  x = (x + 0x9e3779b9) | 0;
  let z = x;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** Generator for the stream named by `parts`, e.g. createRng(seed, 'run', i). */
export function createRng(...parts: Array<number | string>): Rng {
  const label = parts.map(String).join('\u0001');
  const s = new Uint32Array(4);
  for (let i = 0; i < 4; i++) s[i] = splitmix32(hash32(label, i * 0x27d4eb2d));
  if ((s[0] | s[1] | s[2] | s[3]) === 0) s[0] = 1;
  let s0 = s[0], s1 = s[1], s2 = s[2], s3 = s[3];

  function nextU32(): number {
    const r = Math.imul(s1, 5);
    const result = Math.imul((r << 7) | (r >>> 25), 9);
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = (s3 << 11) | (s3 >>> 21);
    return result >>> 0;
  }
  const uniform = (): number => (nextU32() + 0.5) * 2.3283064365386963e-10;
  const normal = createZiggurat(nextU32, uniform);
  function fillNormal(out: Float64Array | Float32Array): void {
    for (let i = 0; i < out.length; i++) out[i] = normal();
  }
  const getState = (): Uint32Array => Uint32Array.of(s0, s1, s2, s3);
  function setState(state: ArrayLike<number>): void {
    s0 = state[0] | 0;
    s1 = state[1] | 0;
    s2 = state[2] | 0;
    s3 = state[3] | 0;
  }
  return { nextU32, uniform, normal, fillNormal, getState, setState };
}
