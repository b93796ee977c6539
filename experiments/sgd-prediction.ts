// experiments/sgd-prediction.ts — the predictions of docs/theory.md §9 (src/theory/sgd-prediction.ts)
// against explicit-weight online SGD started on the realised fixed point (docs/theory.md §5, T = I,
// as study 1's SGD-at-level job in src/studies/finite-n/jobs.ts), K = M = 8, families n = 1, 2.
//
// Output (results/sgd-prediction/, every CSV resumable: rerun the same part to continue):
//   theory.csv      per (n, η): a₁, the first-order and SGD-ODE shifts, the O(η/N) coefficient b,
//                   the OU variance coefficients (Var ε = (η/N)·var_coef), τ_int
//   runs.csv        per (n, η, N, replica): time average and sd of ε after a burn-in, with
//                   block standard errors (10 blocks per run)
//   comparison.csv  per (n, η, N): predicted vs measured mean shift and sd, z-scores
//   fit.csv         least-squares fits shift = aη + bη² over η (the "0.033" of study 1)
//
// Parts (default: theory, then `default`, then report):
//   default  N = 256 (4 replicas, τ_avg 200), 1024 (2 replicas, τ_avg 60) at every η, and
//            N = 4096 at η = 0.1, 0.2 (1 replica, τ_avg 50); burn-in 20 τ.  ≈ 30 min on one core.
//   full     adds N = 4096 at η = 0.025, 0.05 (1 replica, τ_avg 50).       ≈ 1 h more.
//   report   only rebuilds comparison.csv and fit.csv.
//   smoke    N = 64, a few τ (checks the pipeline; use SGD_PREDICTION_DIR=/tmp/… to keep it out of results/).
// Usage: nice npx tsx experiments/sgd-prediction.ts [default | full | report]
import { getActivation } from '../src/activations/index.js';
import { familyLevels } from '../src/theory/levels.js';
import { realise } from '../src/theory/realise.js';
import { matchStudents, familyIndex } from '../src/theory/classify.js';
import { prepareSgdLevel, predictSgdLevel, scaleToN, type SgdLevelContext } from '../src/theory/sgd-prediction.js';
import { sgdNumbersOf } from '../src/theory/sgd-level-columns.js';
import { identity } from '../src/linalg/vector.js';
import { createRng } from '../src/random/rng.js';
import { createSgdKernel, makeBatch, type BackendName } from '../src/network/backend.js';
import { measure } from '../src/network/measure.js';
import { drive, kernelTrainer } from '../src/runs/trainer.js';
import { appendRecord, openResumable } from '../src/io/resumable.js';
import { numericRecord, writeCsv, type Cell } from '../src/io/csv.js';
import { makeManifest, manifestPath, writeManifest } from '../src/io/manifest.js';

const DIR = process.env.SGD_PREDICTION_DIR ?? 'results/sgd-prediction';
const K = 8, M = 8, SEED = 1;
const FAMILIES = [1, 2];
const LRS = [0.025, 0.05, 0.1, 0.2];
const act = getActivation('relu');
const T = identity(M);

interface Cell3 { N: number; lrs: number[]; replicas: number; tauBurn: number; tauAvg: number }
const GRID: Record<string, Cell3[]> = {
  default: [
    { N: 256, lrs: LRS, replicas: 4, tauBurn: 20, tauAvg: 200 },
    { N: 1024, lrs: LRS, replicas: 2, tauBurn: 20, tauAvg: 60 },
    { N: 4096, lrs: [0.1, 0.2], replicas: 1, tauBurn: 20, tauAvg: 50 },
  ],
  full: [{ N: 4096, lrs: [0.025, 0.05], replicas: 1, tauBurn: 20, tauAvg: 50 }],
  smoke: [{ N: 64, lrs: LRS, replicas: 1, tauBurn: 2, tauAvg: 4 }],
};
const TAU_RECORD = 0.2;
const BLOCKS = 10;

const THEORY_COLUMNS = ['family_n', 'lr', 'level', 'coef', 'quarter_trace_phi', 'p_norm', 'shift_first', 'shift_ode', 'newton_residual',
  'finite_n_coef', 'finite_n_coef_se', 'var_coef_leading', 'var_coef', 'var_coef_se', 'wishart_coef', 'tau_int', 'lyapunov_residual',
  'c_method', 'samples', 'wall_ms'] as const;
const RUN_COLUMNS = ['family_n', 'lr', 'N', 'replica', 'tau_burn', 'tau_avg', 'tau_record', 'records', 'level', 'loss_mean', 'loss_sd',
  'mean_se', 'sd_se', 'blocks', 'loss_min', 'loss_max', 'end_family_n', 'diverged', 'backend', 'wall_ms'] as const;

const fixedPoints = new Map<number, { Q: Float64Array; R: Float64Array; loss: number }>();
function fixedPoint(n: number) {
  if (!fixedPoints.has(n)) {
    const p = familyLevels(act, K, M, n, [], false)[0].point; // lowest (stable) level of family n
    fixedPoints.set(n, { Q: p.Q, R: p.R, loss: p.loss });
  }
  return fixedPoints.get(n)!;
}

const contexts = new Map<number, SgdLevelContext>();
function context(n: number): SgdLevelContext {
  if (!contexts.has(n)) {
    const fp = fixedPoint(n);
    contexts.set(n, prepareSgdLevel(act, K, M, fp.Q, fp.R, T, { samples: 400_000, meanSamples: 1_000_000 }));
  }
  return contexts.get(n)!;
}

/** theory.csv: one row per (n, η), computed once. */
function runTheory(): void {
  const path = `${DIR}/theory.csv`;
  const have = new Set(openResumable(path, THEORY_COLUMNS).rows.map((r) => `${r.family_n}|${Number(r.lr)}`));
  for (const n of FAMILIES)
    for (const lr of LRS) {
      if (have.has(`${n}|${lr}`)) continue;
      const t0 = performance.now();
      const ctx = context(n);
      const p = predictSgdLevel(ctx, lr);
      appendRecord(path, THEORY_COLUMNS, {
        family_n: n, lr, level: ctx.level, coef: ctx.coef, quarter_trace_phi: ctx.quarterTracePhi, p_norm: ctx.pNorm, shift_first: p.shiftFirst,
        shift_ode: p.shiftOde, newton_residual: p.etaResidual, finite_n_coef: ctx.finiteNCoef, finite_n_coef_se: ctx.finiteNCoefSe,
        var_coef_leading: p.varCoefLeading, var_coef: p.varCoef, var_coef_se: p.varCoefSe, wishart_coef: ctx.wishartCoef, tau_int: p.tauInt,
        lyapunov_residual: p.lyapunovResidual, c_method: p.cMethod, samples: ctx.options.samples, wall_ms: Math.round(performance.now() - t0),
      });
      console.error(`theory n=${n} η=${lr}: shift first ${p.shiftFirst.toExponential(4)}, SGD ODE ${p.shiftOde.toExponential(4)}, var_coef ${p.varCoef.toExponential(3)}`);
    }
}

let backend: BackendName | null = null;
async function kernelFor(N: number, lr: number) {
  const spec = { activation: 'relu' as const, alpha: 0, K, M, N, lr, replicas: 1 };
  if (!backend) {
    try {
      const k = await createSgdKernel('wasm', spec);
      backend = 'wasm';
      return k;
    } catch {
      backend = 'js';
    }
  }
  return createSgdKernel(backend, spec);
}

/** One SGD run from the realised fixed point: burn-in, then ε every TAU_RECORD for tauAvg. */
async function sgdRun(n: number, lr: number, N: number, replica: number, tauBurn: number, tauAvg: number) {
  const t0 = performance.now();
  const fp = fixedPoint(n);
  const { W, Wstar } = realise(K, M, fp.Q, fp.R, T, N);
  const batch = makeBatch(W, Wstar, [createRng(SEED, 'sgd-prediction', K, M, N, lr, n, replica)]);
  const kernel = await kernelFor(N, lr);
  await kernel.load(batch);
  const tr = kernelTrainer(kernel, batch, act, K, M, N);
  const burn = Math.round((tauBurn * N) / lr);
  const chunk = Math.round((TAU_RECORD * N) / lr);
  const records = Math.round(tauAvg / TAU_RECORD);
  const targets = [burn, ...Array.from({ length: records }, (_, i) => burn + (i + 1) * chunk)];
  const losses: number[] = [];
  let diverged = false;
  let last = measure(act, batch.W, Wstar, K, M, N);
  let calls = 0;
  try {
    await drive(tr, targets, (_i, _s, bad, measured) => {
      if (calls++ === 0) return !bad;
      last = measured();
      diverged = bad || !Number.isFinite(last.loss);
      if (!diverged) losses.push(last.loss);
      return !diverged;
    });
  } finally {
    tr.dispose();
  }
  const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
  const m = mean(losses);
  const sd = Math.sqrt(losses.reduce((s, v) => s + (v - m) ** 2, 0) / (losses.length - 1));
  // block means and block sds (blocks ≫ the ~1 τ correlation time of ε)
  const size = Math.floor(losses.length / BLOCKS);
  const bm: number[] = [];
  const bs: number[] = [];
  for (let b = 0; b < BLOCKS; b++) {
    const blk = losses.slice(b * size, (b + 1) * size);
    const mb = mean(blk);
    bm.push(mb);
    bs.push(Math.sqrt(blk.reduce((s, v) => s + (v - mb) ** 2, 0) / (blk.length - 1)));
  }
  const se = (a: number[]) => {
    const mu = mean(a);
    return Math.sqrt(a.reduce((s, v) => s + (v - mu) ** 2, 0) / (a.length - 1) / a.length);
  };
  return {
    family_n: n, lr, N, replica, tau_burn: tauBurn, tau_avg: tauAvg, tau_record: TAU_RECORD, records: losses.length, level: fp.loss,
    loss_mean: m, loss_sd: sd, mean_se: se(bm), sd_se: se(bs), blocks: BLOCKS, loss_min: Math.min(...losses), loss_max: Math.max(...losses),
    end_family_n: diverged ? -1 : familyIndex(K, M, last.R, matchStudents(K, M, last.R)), diverged: diverged ? 1 : 0, backend: kernel.backend,
    wall_ms: Math.round(performance.now() - t0),
  };
}

async function runSgd(part: string): Promise<void> {
  const path = `${DIR}/runs.csv`;
  const have = new Set(openResumable(path, RUN_COLUMNS).rows.map((r) => `${r.family_n}|${Number(r.lr)}|${r.N}|${r.replica}`));
  const jobs: [number, number, Cell3, number][] = [];
  for (const cell of GRID[part]) for (const lr of cell.lrs) for (const n of FAMILIES) for (let r = 0; r < cell.replicas; r++) jobs.push([n, lr, cell, r]);
  for (const [n, lr, cell, r] of jobs) {
    if (have.has(`${n}|${lr}|${cell.N}|${r}`)) continue;
    const row = await sgdRun(n, lr, cell.N, r, cell.tauBurn, cell.tauAvg);
    appendRecord(path, RUN_COLUMNS, row);
    console.error(`sgd n=${n} η=${lr} N=${cell.N} r=${r}: shift ${(row.loss_mean - row.level).toExponential(4)} ± ${row.mean_se.toExponential(1)}, sd ${row.loss_sd.toExponential(3)} (${(row.wall_ms / 1000).toFixed(0)} s)`);
  }
}

const COMPARISON_COLUMNS = ['family_n', 'lr', 'N', 'replicas', 'tau_avg_total', 'level', 'pred_shift_first', 'pred_shift_ode', 'pred_shift_finite_n',
  'pred_shift_mean', 'meas_shift', 'meas_shift_se', 'z_shift_ode', 'z_shift_mean', 'pred_sd', 'pred_sd_se', 'pred_sd_leading', 'pred_sd_wishart',
  'meas_sd', 'meas_sd_se', 'z_sd', 'sd_ratio', 'escaped'] as const;

/** comparison.csv and fit.csv from theory.csv and runs.csv. */
function report(): void {
  const theory = openResumable(`${DIR}/theory.csv`, THEORY_COLUMNS, { lock: false }).rows.map(numericRecord);
  const runs = openResumable(`${DIR}/runs.csv`, RUN_COLUMNS, { lock: false }).rows.map(numericRecord);
  const rows: Cell[][] = [];
  const cells = new Map<string, typeof runs>();
  for (const r of runs) {
    const key = `${r.family_n}|${r.lr}|${r.N}`;
    if (!cells.has(key)) cells.set(key, []);
    cells.get(key)!.push(r);
  }
  const measured = new Map<string, { shift: number; se: number }>();
  for (const [key, rs] of [...cells].sort()) {
    const [n, lr, N] = key.split('|').map(Number);
    const th = theory.find((t) => t.family_n === n && t.lr === lr);
    if (!th) continue;
    const ok = rs.filter((r) => r.diverged === 0);
    const R = ok.length;
    const num = (r: (typeof rs)[number], c: string) => r[c] as number;
    const shift = ok.reduce((s, r) => s + num(r, 'loss_mean') - num(r, 'level'), 0) / R;
    const shiftSe = Math.sqrt(ok.reduce((s, r) => s + num(r, 'mean_se') ** 2, 0)) / R;
    const sd = Math.sqrt(ok.reduce((s, r) => s + num(r, 'loss_sd') ** 2, 0) / R);
    const sdSe = Math.sqrt(ok.reduce((s, r) => s + num(r, 'sd_se') ** 2, 0)) / R;
    const pred = scaleToN(sgdNumbersOf(th, lr, M), N);
    const predMean = pred.shiftOde + pred.shiftFiniteN;
    measured.set(key, { shift, se: shiftSe });
    rows.push([n, lr, N, R, ok.reduce((s, r) => s + num(r, 'tau_avg'), 0), th.level, pred.shiftFirst, pred.shiftOde, pred.shiftFiniteN, predMean,
      shift, shiftSe, (shift - pred.shiftOde) / shiftSe, (shift - predMean) / Math.hypot(shiftSe, pred.shiftFiniteNSe), pred.sd, pred.sdSe, pred.sdLeading,
      pred.sdWishart, sd, sdSe, (sd - pred.sd) / Math.hypot(sdSe, pred.sdSe), sd / pred.sd, rs.filter((r) => r.end_family_n !== n).length]);
  }
  writeCsv(`${DIR}/comparison.csv`, COMPARISON_COLUMNS, rows);
  // fits shift = aη + bη² (least squares, no intercept) over the η grid, as study 1 did
  const fit = (pts: [number, number][]) => {
    let s2 = 0, s3 = 0, s4 = 0, y1 = 0, y2 = 0;
    for (const [x, y] of pts) {
      s2 += x * x;
      s3 += x ** 3;
      s4 += x ** 4;
      y1 += x * y;
      y2 += x * x * y;
    }
    const det = s2 * s4 - s3 * s3;
    return { a: (y1 * s4 - y2 * s3) / det, b: (s2 * y2 - s3 * y1) / det };
  };
  const fits: Cell[][] = [];
  for (const n of FAMILIES) {
    const th = theory.filter((t) => t.family_n === n).sort((x, y) => (x.lr as number) - (y.lr as number));
    if (th.length < 2) continue;
    const f = fit(th.map((t) => [t.lr as number, t.shift_ode as number]));
    fits.push([n, 'sgd-ode-stationary', th.map((t) => t.lr).join(' '), f.a, f.b, th[0].coef]);
    for (const N of [...new Set(runs.map((r) => r.N as number))].sort((a, b) => a - b)) {
      const pts = LRS.map((lr) => [lr, measured.get(`${n}|${lr}|${N}`)?.shift] as [number, number | undefined]).filter((p): p is [number, number] => p[1] !== undefined);
      if (pts.length < LRS.length) continue;
      const g = fit(pts);
      fits.push([n, `measured-N${N}`, pts.map((p) => p[0]).join(' '), g.a, g.b, th[0].coef]);
    }
  }
  writeCsv(`${DIR}/fit.csv`, ['family_n', 'source', 'lrs', 'a', 'b', 'taylor_a1'], fits);
  writeManifest(manifestPath(`${DIR}/comparison.csv`), { ...makeManifest('experiments/sgd-prediction', { K, M, families: FAMILIES, lrs: LRS, grid: GRID, tauRecord: TAU_RECORD, blocks: BLOCKS, seed: SEED }), rows: rows.length });
  console.log(['n', 'η', 'N', 'pred shift (ODE + η b/N)', 'meas shift', 'z', 'pred sd', 'meas sd', 'z'].join(' | '));
  for (const r of rows)
    console.log([r[0], r[1], r[2], (r[9] as number).toExponential(4), `${(r[10] as number).toExponential(4)} ± ${(r[11] as number).toExponential(1)}`,
      (r[13] as number).toFixed(1), `${(r[14] as number).toExponential(3)}`, `${(r[18] as number).toExponential(3)} ± ${(r[19] as number).toExponential(1)}`, (r[20] as number).toFixed(1)].join(' | '));
}

const parts = process.argv.slice(2);
if (!parts.length) parts.push('default');
for (const part of parts) {
  if (part === 'report') continue;
  if (!GRID[part]) throw new Error(`unknown part "${part}" (default, full, report)`);
  runTheory();
  await runSgd(part);
}
report();
