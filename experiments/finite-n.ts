// The full `scmv study finite-n` runs behind results/finite-n (issue 6, study 1), as run on the
// shared 2-core machine (nice, 2 workers). Population GD (ODE) and explicit GD ran at full size;
// random-initialisation SGD ran in a second process (its own out-dir, merged afterwards: the runs
// CSVs are keyed by run, and run i is the same network everywhere) with reduced counts; K = 10
// ran the ODE part only with 200 runs per (N, teacher) under a time budget.
// Usage: npx tsx experiments/finite-n.ts [part: ode | sgd | k10 | report]   (dist/ must be built: workers load it)
import { execFileSync } from 'node:child_process';

const part = process.argv[2] ?? 'report';
const scmv = (...args: string[]) => execFileSync('node', ['bin/scmv.js', 'study', 'finite-n', ...args], { stdio: 'inherit' });
const sgd = ['--sgd-runs', '20', '--sgd-lrs', '0.5,0.2,0.1', '--level-replicas', '2', '--level-lrs', '0.5,0.2,0.1,0.05'];
if (part === 'ode') scmv('--K', '8', '--runs', '500', '--gd-runs', '20', '--sgd-runs', '0', '--workers', '2', '--out-dir', 'results/finite-n');
if (part === 'sgd') scmv('--K', '8', '--Ns', '128,256,512,1024', '--runs', '20', '--gd-runs', '0', ...sgd, '--sgd-teachers', 'orthonormal,gaussian', '--workers', '2', '--out-dir', 'results/finite-n-sgd');
if (part === 'k10') scmv('--K', '10', '--runs', '200', '--gd-runs', '0', '--sgd-runs', '0', '--level-replicas', '0', '--workers', '2', '--time-budget', '2700', '--out-dir', 'results/finite-n/K10');
// after copying results/finite-n-sgd/runs/sgd-*.csv into results/finite-n/runs/:
if (part === 'report') scmv('--report-only', '--runs', '500', '--gd-runs', '20', ...sgd);
