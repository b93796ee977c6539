// bench/methods-trial.ts — the trial behind ENSEMBLE_METHOD.byAlgorithm (src/defaults.ts): for each
// algorithm, the same runs with --method dopri5 and --method rkc2 (RKC2 on the (Q, R) state for
// ngd, ongd and 2l; the weight state for gd), class and family n compared run for run, and the
// CPU seconds per trajectory of each. An algorithm gets rkc2 as its default only if every class
// agrees.
// Run: nice npx tsx bench/methods-trial.ts [--algorithms ngd,ongd,2l] [--K 10] [--M 10] [--runs 48]
//        [--first 0] [--init-dim d (default max(M, K for ongd))]
import { ensembleRunJob, type RunSpec } from '../src/runs/ensemble-member.js';
import { ENSEMBLE, ENSEMBLE_METHOD } from '../src/defaults.js';

const args = process.argv.slice(2);
const arg = (name: string, dflt: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const ALGORITHMS = arg('algorithms', 'ngd,ongd,2l').split(',');
const K = Number(arg('K', '10'));
const M = Number(arg('M', '10'));
const RUNS = Number(arg('runs', '48'));
const FIRST = Number(arg('first', '0'));
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

const spec = (algorithm: string, run: number, method: 'rkc2' | 'dopri5'): RunSpec => ({
  run, seed: 1, K, M, initDim: Number(arg('init-dim', String(Math.max(M, algorithm === 'ongd' ? K : 0)))), algorithm, activation: 'relu', alpha: 0,
  tol: ENSEMBLE.tol, tauMax: ENSEMBLE.tauMax, ...ENSEMBLE_METHOD.tolerances[method], epsGlobal: ENSEMBLE.epsGlobal, gTol: ENSEMBLE.gTol,
  vanishTol: ENSEMBLE.vanishTol, earlyGlobal: true, polishAt: ENSEMBLE.polishAt, method,
});

for (const alg of ALGORITHMS) {
  let same = 0;
  let tDopri = 0;
  let tRkc = 0;
  const counts: Record<string, number> = {};
  for (let run = FIRST; run < FIRST + RUNS; run++) {
    let c = cpu();
    const a = await ensembleRunJob(spec(alg, run, 'dopri5'));
    tDopri += cpu() - c;
    c = cpu();
    const b = await ensembleRunJob(spec(alg, run, 'rkc2'));
    tRkc += cpu() - c;
    const la = `${a.class} ${a.family_n}`;
    const lb = `${b.class} ${b.family_n}`;
    counts[la] = (counts[la] ?? 0) + 1;
    if (la === lb) same++;
    else console.log(`  ${alg} run ${run}: dopri5 ${la} (${a.stop}, τ ${a.tau_end.toFixed(1)}, ε ${a.final_loss.toExponential(4)}), rkc2 ${lb} (${b.stop}, τ ${b.tau_end.toFixed(1)}, ε ${b.final_loss.toExponential(4)})`);
  }
  const classes = Object.entries(counts).sort().map(([k, v]) => `${k}: ${v}`).join(', ');
  console.log(`${alg} K=${K} M=${M} runs ${FIRST}..${FIRST + RUNS - 1}: same class and n ${same}/${RUNS} (${classes}); CPU s/traj dopri5 ${(tDopri / RUNS).toFixed(3)}, rkc2 ${(tRkc / RUNS).toFixed(3)}`);
}
