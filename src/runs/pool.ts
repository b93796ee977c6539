// Runs independent jobs (runs/jobs.ts) on worker_threads, or in-process for workers ≤ 1.
// Results do not depend on the number of workers: each job carries its own seed.
// Workers import the job's module by URL; when that is a TypeScript source (tests, tsx), the
// worker first registers tsx's loader, so no build is needed.
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { JobRef } from './jobs.js';

export interface PoolOptions<O> {
  workers: number;
  /** Called for each finished job; in index order when `ordered`, else in completion order. */
  onResult?: (index: number, output: O) => void;
  ordered?: boolean;
  /** Stops dispatching new jobs and terminates the workers when aborted. */
  signal?: AbortSignal;
  /**
   * Run even a single worker in a thread, so that the main thread stays free to handle signals
   * (default: whenever a signal is given — a cancellable pool never runs jobs in-process).
   */
  isolate?: boolean;
}

// The worker's code: imports job modules on demand and runs the named export per message.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const ready = workerData.tsx ? import(workerData.tsx).then((m) => m.register()) : Promise.resolve();
const modules = new Map();
parentPort.on('message', async (msg) => {
  try {
    await ready;
    let mod = modules.get(msg.module);
    if (!mod) {
      mod = await import(msg.module);
      modules.set(msg.module, mod);
    }
    const output = await mod[msg.name](msg.input);
    parentPort.postMessage({ index: msg.index, output });
  } catch (e) {
    parentPort.postMessage({ index: msg.index, error: e instanceof Error ? e.message + '\\n' + e.stack : String(e) });
  }
});`;

/** URL of tsx's ESM loader API (its package's "./esm/api" import export) when `moduleUrl` is TypeScript source. */
function tsxLoader(moduleUrl: string): string | undefined {
  if (!moduleUrl.endsWith('.ts')) return undefined;
  const pkg = createRequire(import.meta.url).resolve('tsx/package.json');
  const exportsMap = JSON.parse(readFileSync(pkg, 'utf8')).exports['./esm/api'].import.default as string;
  return pathToFileURL(join(dirname(pkg), exportsMap)).href;
}

/** Runs job(inputs[i]) for every i and returns the outputs in input order (holes if aborted). */
export async function mapPool<I, O>(job: JobRef<I, O>, inputs: readonly I[], opts: PoolOptions<O>): Promise<O[]> {
  const outputs: O[] = new Array(inputs.length);
  const done = new Uint8Array(inputs.length);
  let emitted = 0;
  const deliver = (i: number, o: O) => {
    outputs[i] = o;
    done[i] = 1;
    if (!opts.ordered) return opts.onResult?.(i, o);
    while (emitted < inputs.length && done[emitted]) {
      opts.onResult?.(emitted, outputs[emitted]);
      emitted++;
    }
  };
  const isolate = opts.isolate ?? opts.signal !== undefined;
  if (!isolate && (opts.workers <= 1 || inputs.length <= 1)) {
    for (let i = 0; i < inputs.length; i++) {
      // yield to the event loop between jobs so signal handlers (SIGINT → abort) can run
      await new Promise<void>((r) => setImmediate(r));
      if (opts.signal?.aborted) break;
      deliver(i, await job.fn(inputs[i]));
    }
    return outputs;
  }
  const tsx = tsxLoader(job.module);
  let next = 0;
  const n = Math.max(1, Math.min(opts.workers, inputs.length));
  const workers: Worker[] = [];
  let stopAll = () => {};
  const onAbort = () => stopAll();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await new Promise<void>((resolve, reject) => {
      let running = n;
      stopAll = () => {
        for (const w of workers) void w.terminate();
        resolve();
      };
      if (opts.signal?.aborted) stopAll();
      for (let w = 0; w < n; w++) {
        const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { tsx } });
        workers.push(worker);
        const feed = () => {
          if (next >= inputs.length || opts.signal?.aborted) {
            void worker.terminate();
            if (--running === 0) resolve();
            return;
          }
          const index = next++;
          worker.postMessage({ module: job.module, name: job.name, index, input: inputs[index] });
        };
        worker.on('message', (msg: { index: number; output?: O; error?: string }) => {
          if (msg.error !== undefined) {
            for (const x of workers) void x.terminate();
            reject(new Error(`job ${msg.index} failed: ${msg.error}`));
            return;
          }
          try {
            deliver(msg.index, msg.output as O);
          } catch (e) {
            // the caller's onResult failed (e.g. a full disk): stop everything and report it
            for (const x of workers) void x.terminate();
            reject(e);
            return;
          }
          feed();
        });
        worker.on('error', (e) => {
          for (const x of workers) void x.terminate();
          reject(e);
        });
        feed();
      }
    });
  } finally {
    // a long-lived signal (a study's) must not collect one listener per pool
    opts.signal?.removeEventListener('abort', onAbort);
  }
  return outputs;
}
