// Initial conditions of ODE runs (docs/theory.md §5): the orthonormal and Gaussian teachers, their
// shared student draw, and the ensemble's --teacher option (row option, CLI, class counts).
import { describe, expect, it } from 'vitest';
import { gaussianInit, gaussianTeacherInit } from '../src/theory/init.js';
import { createRng } from '../src/random/rng.js';
import { runEnsembleMember } from '../src/runs/ensemble-member.js';
import { loadWeightKernels } from '../src/theory/flow-weights-wasm.js';
import { rowOptionsOf } from '../src/runs/ensemble.js';
import { ENSEMBLE, ENSEMBLE_METHOD } from '../src/defaults.js';
import { runCli } from './cli.js';
import { symmetricEigenvalues } from '../src/linalg/eigen.js';

describe('Gaussian teacher', () => {
  it('draws the same students as the orthonormal teacher and T = W* W*ᵀ/d from the next numbers', () => {
    const [K, M, d] = [5, 3, 7];
    const a = gaussianInit(K, M, d, createRng(4, 'run', 2));
    const b = gaussianTeacherInit(K, M, d, createRng(4, 'run', 2));
    expect(Array.from(b.Q)).toEqual(Array.from(a.Q));
    // rebuild W0 and W* from the generator and check R and T entry by entry
    const rng = createRng(4, 'run', 2);
    const W0 = new Float64Array(K * d);
    rng.fillNormal(W0);
    const Ws = new Float64Array(M * d);
    rng.fillNormal(Ws);
    for (let k = 0; k < K; k++)
      for (let m = 0; m < M; m++) {
        let s = 0;
        for (let i = 0; i < d; i++) s += W0[k * d + i] * Ws[m * d + i];
        expect(b.R[k * M + m]).toBeCloseTo(s / d, 14);
      }
    for (let m = 0; m < M; m++)
      for (let n = 0; n < M; n++) {
        let s = 0;
        for (let i = 0; i < d; i++) s += Ws[m * d + i] * Ws[n * d + i];
        expect(b.T[m * M + n]).toBeCloseTo(s / d, 14);
      }
  });

  it('has E T = I and Wishart spread: mean of T_mn over draws is δ_mn ± 4 standard errors', () => {
    const [K, M, d, draws] = [2, 4, 50, 400];
    const mean = new Float64Array(M * M);
    let offSq = 0;
    for (let r = 0; r < draws; r++) {
      const { T } = gaussianTeacherInit(K, M, d, createRng(11, 'run', r));
      for (let i = 0; i < M * M; i++) mean[i] += T[i] / draws;
      offSq += T[1] * T[1] / draws;
    }
    // Var T_mn = 1/d off the diagonal, 2/d on it
    for (let m = 0; m < M; m++)
      for (let n = 0; n < M; n++) {
        const se = Math.sqrt((m === n ? 2 : 1) / d / draws);
        expect(Math.abs(mean[m * M + n] - (m === n ? 1 : 0))).toBeLessThan(4 * se);
      }
    expect(offSq * d).toBeGreaterThan(0.8);
    expect(offSq * d).toBeLessThan(1.2);
    const ev = symmetricEigenvalues(gaussianTeacherInit(K, M, M, createRng(1, 'run', 0)).T, M);
    expect(Math.min(...ev)).toBeGreaterThan(0); // full rank at d = M
  });

  it('is a row option, and an ensemble member with it runs on (Q, R) to a classified end state', async () => {
    await loadWeightKernels();
    const base = {
      seed: 1, K: 6, M: 6, initDim: 6, algorithm: 'gd', activation: 'relu', alpha: 0, tol: ENSEMBLE.tol, tauMax: 3000,
      ...ENSEMBLE_METHOD.tolerances.rkc2, epsGlobal: ENSEMBLE.epsGlobal, gTol: ENSEMBLE.gTol, vanishTol: ENSEMBLE.vanishTol,
      earlyGlobal: true, polishAt: 0, method: 'rkc2' as const,
    };
    expect(rowOptionsOf(base).teacher).toBeUndefined();
    expect(rowOptionsOf({ ...base, teacher: 'gaussian' }).teacher).toBe('gaussian');
    const o = runEnsembleMember({ ...base, run: 0 });
    const g = runEnsembleMember({ ...base, run: 0, teacher: 'gaussian' });
    expect(g.final_loss).not.toBe(o.final_loss);
    expect(['global', 'local', 'none']).toContain(g.class);
  });

  it('scmv ensemble --teacher: in --help, and a bad kind is one line with exit code 2', async () => {
    expect((await runCli(['ensemble', '--help'])).stdout).toContain('--teacher <kind>');
    const r = await runCli(['ensemble', '--runs', '1', '--teacher', 'uniform']);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/--teacher/);
  });
});
