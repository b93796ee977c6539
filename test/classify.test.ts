import { describe, expect, it } from 'vitest';
import { classify, DEFAULT_CLASSIFY, familyIndex, matchStudents } from '../src/theory/classify.js';
import { identity } from '../src/linalg/vector.js';

/** R (K×M) with student k matched to teacher perm[k] with overlap sign[k]·0.9, plus 0.05 elsewhere. */
function structuredR(K: number, M: number, perm: number[], sign: number[]): Float64Array {
  const R = new Float64Array(K * M).fill(0.05);
  perm.forEach((m, k) => { if (m >= 0) R[k * M + m] = 0.9 * sign[k]; });
  return R;
}

describe('matchStudents', () => {
  it('maximises Σ|R| (not greedy)', () => {
    // greedy would take (0,0)=0.9 then (1,1)=0.1 (sum 1.0); optimum is (0,1)+(1,0) = 1.65
    const R = [0.9, 0.8, -0.85, 0.1];
    expect(Array.from(matchStudents(2, 2, R))).toEqual([1, 0]);
  });
  it('recovers a permutation with anti-aligned students', () => {
    const perm = [3, 0, 4, 1, 2];
    const R = structuredR(5, 5, perm, [1, -1, 1, -1, 1]);
    const match = matchStudents(5, 5, R);
    expect(Array.from(match)).toEqual(perm);
    expect(familyIndex(5, 5, R, match)).toBe(2);
  });
  it('leaves a surplus student unmatched when K > M, and skips dead units', () => {
    const R = structuredR(3, 2, [1, -1, 0], [1, 1, -1]);
    const m = matchStudents(3, 2, R);
    expect(Array.from(m)).toEqual([1, -1, 0]);
    const m2 = matchStudents(3, 2, R, [true, true, false]);
    expect(m2[2]).toBe(-1);
    expect(m2[0]).toBe(1);
    expect(m2[1]).toBe(0);
  });
});

describe('classify', () => {
  const K = 4;
  const M = 4;
  it('global when ε < ε_global, regardless of the RHS', () => {
    const c = classify(K, M, identity(K), identity(K), 1e-5, 0.1);
    expect(c.cls).toBe('global');
    expect(c.familyN).toBe(0);
    expect(Array.from(c.match)).toEqual([0, 1, 2, 3]);
  });
  it('local with the family index when the RHS is small', () => {
    const R = structuredR(K, M, [2, 3, 0, 1], [-1, 1, -1, -1]);
    const c = classify(K, M, identity(K), R, 0.05, 1e-9);
    expect(c.cls).toBe('local');
    expect(c.familyN).toBe(3);
  });
  it('none when not converged; gTol is the boundary', () => {
    const R = structuredR(K, M, [0, 1, 2, 3], [-1, 1, 1, 1]);
    expect(classify(K, M, identity(K), R, 0.05, 2 * DEFAULT_CLASSIFY.gTol).cls).toBe('none');
    expect(classify(K, M, identity(K), R, 0.05, 2 * DEFAULT_CLASSIFY.gTol).familyN).toBe(-1);
    expect(classify(K, M, identity(K), R, 0.05, 0.5 * DEFAULT_CLASSIFY.gTol).familyN).toBe(1);
  });
  it('diverged on non-finite loss, RHS or R (and does not try to match NaN)', () => {
    const R = structuredR(K, M, [0, 1, 2, 3], [1, 1, 1, 1]);
    expect(classify(K, M, identity(K), R, NaN, 1).cls).toBe('diverged');
    expect(classify(K, M, identity(K), R, 0.1, Infinity).cls).toBe('diverged');
    R[3] = NaN;
    const c = classify(K, M, identity(K), R, 0.1, 1e-9);
    expect(c.cls).toBe('diverged');
    expect(Array.from(c.match)).toEqual([-1, -1, -1, -1]);
  });
  it('K > M: a vanished unit is left out of the matching even if its overlap is largest', () => {
    const K2 = 5;
    const Q = identity(K2);
    Q[4 * K2 + 4] = 1e-6; // vanished (below vanishTol = 1e-4)
    const R = structuredR(K2, M, [0, 1, 2, 3, -1], [1, -1, 1, 1, 1]);
    R[4 * M + 1] = -0.95; // larger |R| than student 1's, but the unit is dead
    const c = classify(K2, M, Q, R, 0.05, 1e-9);
    expect(c.vanished).toBe(1);
    expect(c.match[4]).toBe(-1);
    expect(c.match[1]).toBe(1);
    expect(c.familyN).toBe(1);
    // alive: the surplus unit takes teacher 1 and is anti-aligned; student 1 is left over
    Q[4 * K2 + 4] = 1;
    const c2 = classify(K2, M, Q, R, 0.05, 1e-9);
    expect(c2.vanished).toBe(0);
    expect(c2.match[4]).toBe(1);
    expect(c2.match[1]).toBe(-1);
    expect(c2.familyN).toBe(1);
  });
});
