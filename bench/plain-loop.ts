// bench/plain-loop.ts — the machine-speed reference for bench/sgd.ts: a plain Float64Array
// online-SGD step (K = M = 10, N = 1000, ReLU, x from Math.random) with no optimisation at all,
// to compare this machine with the 21 µs/step quoted in the issue.
// Run: npx tsx bench/plain-loop.ts
import { median } from './stats.js';

const N = 1000, K = 10, M = 10;
const W = Float64Array.from({ length: K * N }, () => Math.random());
const Wstar = Float64Array.from({ length: M * N }, () => Math.random());
const x = new Float64Array(N);
const lambda = new Float64Array(K);
const sqrtN = Math.sqrt(N);

function step(eta: number): void {
  for (let i = 0; i < N; i++) x[i] = Math.random() - 0.5;
  let delta = 0;
  for (let k = 0; k < K; k++) {
    let s = 0;
    for (let i = 0; i < N; i++) s += W[k * N + i] * x[i];
    lambda[k] = s / sqrtN;
    delta += lambda[k] > 0 ? lambda[k] : 0;
  }
  for (let m = 0; m < M; m++) {
    let s = 0;
    for (let i = 0; i < N; i++) s += Wstar[m * N + i] * x[i];
    delta -= s > 0 ? s / sqrtN : 0;
  }
  for (let k = 0; k < K; k++) {
    if (lambda[k] <= 0) continue;
    const c = (-eta / sqrtN) * delta;
    for (let i = 0; i < N; i++) W[k * N + i] += c * x[i];
  }
}

const times: number[] = [];
for (let r = 0; r < 6; r++) {
  const steps = 20_000;
  const t0 = performance.now();
  for (let s = 0; s < steps; s++) step(1e-6);
  if (r > 0) times.push(((performance.now() - t0) / steps) * 1000);
}
console.log(`plain Float64Array SGD step, K = M = ${K}, N = ${N}: ${median(times).toFixed(2)} µs/step (median of ${times.length})`);
