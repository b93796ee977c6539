// Runs independent jobs on worker_threads (or in-process for workers ≤ 1). A job is a named
// export of a module: `fn(input) → output` (sync or async), with structured-clonable input and
// output. Results do not depend on the number of workers: each job carries its own seed.
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';

export interface JobRef {
  /** import.meta.url-style URL of the module exporting the job (a .ts path is mapped to dist/ for workers). */
  module: string;
  /** Name of the exported job function. */
  fn: string;
}

export interface PoolOptions<O> {
  workers: number;
  /** Called for each finished job; in index order when `ordered`, else in completion order. */
  onResult?: (index: number, output: O) => void;
  ordered?: boolean;
  /** Stops dispatching new jobs and terminates the workers when aborted. */
  signal?: AbortSignal;
}

/** URL of the compiled JS twin of a source module: …/src/x/y.ts → …/dist/x/y.js (unchanged for .js). */
export function compiledUrl(url: string): string {
  return url.endsWith('.ts') ? url.replace(/\/src\/(?!.*\/src\/)/, '/dist/').replace(/\.ts$/, '.js') : url;
}

/** Runs job(inputs[i]) for every i and returns the outputs in input order (holes if aborted). */
export async function mapPool<I, O>(job: JobRef, inputs: readonly I[], opts: PoolOptions<O>): Promise<O[]> {
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
  if (opts.workers <= 1 || inputs.length <= 1) {
    const mod = await import(job.module);
    for (let i = 0; i < inputs.length; i++) {
      // yield to the event loop between jobs so signal handlers (SIGINT → abort) can run
      await new Promise<void>((r) => setImmediate(r));
      if (opts.signal?.aborted) break;
      deliver(i, await mod[job.fn](inputs[i]));
    }
    return outputs;
  }
  const self = import.meta.url;
  const workerPath = fileURLToPath(compiledUrl(new URL(self.endsWith('.ts') ? './worker.ts' : './worker.js', self).href));
  const moduleUrl = compiledUrl(job.module);
  let next = 0;
  const n = Math.min(opts.workers, inputs.length);
  const workers: Worker[] = [];
  await new Promise<void>((resolve, reject) => {
    let running = n;
    const stopAll = () => {
      for (const w of workers) void w.terminate();
      resolve();
    };
    opts.signal?.addEventListener('abort', stopAll, { once: true });
    for (let w = 0; w < n; w++) {
      const worker = new Worker(workerPath);
      workers.push(worker);
      const feed = () => {
        if (next >= inputs.length || opts.signal?.aborted) {
          void worker.terminate();
          if (--running === 0) resolve();
          return;
        }
        const index = next++;
        worker.postMessage({ module: moduleUrl, fn: job.fn, index, input: inputs[index] });
      };
      worker.on('message', (msg: { index: number; output?: O; error?: string }) => {
        if (msg.error !== undefined) {
          for (const x of workers) void x.terminate();
          reject(new Error(`job ${msg.index} failed: ${msg.error}`));
          return;
        }
        deliver(msg.index, msg.output as O);
        feed();
      });
      worker.on('error', (e) => {
        for (const x of workers) void x.terminate();
        reject(e);
      });
      feed();
    }
  });
  return outputs;
}
