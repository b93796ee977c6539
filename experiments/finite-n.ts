// The `scmv study finite-n` runs behind results/finite-n (study 1, the paper's Appendix C), as run
// on the shared 2-core machine (nice, 2 workers). Every runs CSV is keyed by run, and run i is the
// same network in every part, so parts extend each other's files.
//   ode     population GD (the exact ODE from each network), 500 runs per (N, teacher), and explicit
//           GD on a 20-run subset
//   sgd     random-start SGD, first pass (20 runs per N, η and teacher; η = 0.5 diverges at K = 8)
//   sgd100  random-start SGD at real sample sizes: 100 runs per (N, η) for N = 128 … 1024,
//           η = 0.1 and 0.2, orthonormal teacher (T = I exactly, so the levels and the predicted
//           SGD shift of docs/theory.md §9 apply as they are)
//   k10     K = M = 10, ODE only, 200 runs per (N, teacher)
//   report  rewrite the report from the runs present
// Usage: nice npx tsx experiments/finite-n.ts <part>
import { main } from '../src/cli/main.js';

const part = process.argv[2] ?? 'report';
const study = (...args: string[]) => main(['node', 'scmv', 'study', 'finite-n', ...args]);
const sgd = ['--sgd-runs', '20', '--sgd-lrs', '0.5,0.2,0.1', '--level-replicas', '2', '--level-lrs', '0.5,0.2,0.1,0.05'];
if (part === 'ode') await study('--K', '8', '--runs', '500', '--gd-runs', '20', '--sgd-runs', '0', '--workers', '2', '--out-dir', 'results/finite-n');
if (part === 'sgd') await study('--K', '8', '--Ns', '128,256,512,1024', '--runs', '20', '--gd-runs', '0', ...sgd, '--sgd-teachers', 'orthonormal,gaussian', '--workers', '2', '--out-dir', 'results/finite-n');
if (part === 'sgd100') await study('--K', '8', '--Ns', '128,256,512,1024', '--teachers', 'orthonormal', '--runs', '100', '--gd-runs', '0', '--sgd-runs', '100', '--sgd-lrs', '0.2,0.1', '--sgd-teachers', 'orthonormal', '--level-replicas', '0', '--workers', '2', '--out-dir', 'results/finite-n');
if (part === 'k10') await study('--K', '10', '--runs', '200', '--gd-runs', '0', '--sgd-runs', '0', '--level-replicas', '0', '--workers', '2', '--time-budget', '2700', '--out-dir', 'results/finite-n/K10');
if (part === 'report') await study('--report-only', '--runs', '500', '--gd-runs', '20', ...sgd, '--sgd-runs', '100');
