// bench/reference/export-inits.ts — writes the initial conditions of an `scmv ensemble` as JSON
// for the numpy baseline (bench/reference/ode_numpy.py), so that both integrate the same runs.
// Run i of seed s is exactly what `scmv ensemble --seed s` integrates as run i:
//   gaussianInit(K, M, d, createRng(s, 'run', i)) with d = M (the ensemble's default --init-dim).
// With --rhs (default) each run also carries ε, dQ/dτ and dR/dτ at (Q0, R0) from makeFlow
// (src/theory/flow.ts), for bench/reference/check_rhs.py.
//
// Run: npx tsx bench/reference/export-inits.ts --K 8 --M 8 --seed 1 --runs 200 [--first 0]
//        [--init-dim d] [--no-rhs] [--out inits.json]      (stdout without --out)
import { writeFileSync } from 'node:fs';
import { getActivation } from '../../src/activations/index.js';
import { gaussianInit } from '../../src/theory/init.js';
import { makeFlow } from '../../src/theory/flow.js';
import { createRng } from '../../src/random/rng.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}
function intArg(name: string, def?: number): number {
  const s = arg(name);
  if (s === undefined) {
    if (def === undefined) throw new Error(`--${name} is required`);
    return def;
  }
  const v = Number(s);
  if (!Number.isInteger(v) || v < 0) throw new RangeError(`--${name} must be a non-negative integer, got "${s}"`);
  return v;
}

const K = intArg('K');
const M = intArg('M');
const seed = intArg('seed', 1);
const runs = intArg('runs');
const first = intArg('first', 0);
const d = intArg('init-dim', M);
const withRhs = !process.argv.includes('--no-rhs');
const out = arg('out');

/** Row-major K×C Float64Array → array of rows (plain numbers; JSON keeps every double exactly). */
function rows(a: Float64Array, C: number): number[][] {
  const r: number[][] = [];
  for (let i = 0; i < a.length; i += C) r.push(Array.from(a.subarray(i, i + C)));
  return r;
}

const act = getActivation('relu');
let T: Float64Array | null = null;
let flow: ReturnType<typeof makeFlow> | null = null;
const dQ = new Float64Array(K * K);
const dR = new Float64Array(K * M);
const runList: Array<Record<string, unknown>> = [];
for (let i = first; i < first + runs; i++) {
  const init = gaussianInit(K, M, d, createRng(seed, 'run', i));
  if (T === null) {
    T = init.T;
    flow = makeFlow(act, K, M, T);
  }
  const entry: Record<string, unknown> = { run: i, Q0: rows(init.Q, K), R0: rows(init.R, M) };
  if (withRhs) {
    const eps0 = flow!(init.Q, init.R, dQ, dR);
    entry.eps0 = eps0;
    entry.dQ0 = rows(dQ, K);
    entry.dR0 = rows(dR, M);
  }
  runList.push(entry);
}

const doc = {
  source: 'scm-validator bench/reference/export-inits.ts: gaussianInit(K, M, d, createRng(seed, "run", i))',
  activation: 'relu',
  K, M, seed, init_dim: d,
  T: rows(T ?? gaussianInit(K, M, d, createRng(seed, 'run', 0)).T, M),
  runs: runList,
};
const text = JSON.stringify(doc) + '\n';
if (out) writeFileSync(out, text);
else process.stdout.write(text);
