// Loads TensorFlow.js once per process, fastest backend first:
//   1. @tensorflow/tfjs-node (native, optional dependency; absent on many machines),
//   2. @tensorflow/tfjs-core with @tensorflow/tfjs-backend-wasm (float32, runs offline: the .wasm
//      files are read from the installed package's dist/ directory),
//   3. @tensorflow/tfjs-core on @tensorflow/tfjs-backend-cpu, the plain JS 'cpu' backend.
// SCMV_TFJS_BACKEND=node|wasm|cpu (or the `prefer` argument) starts the list at that entry.
// Only tfjs-core and the two backends are dependencies (not the whole @tensorflow/tfjs: layers,
// converter, data and webgl are unused). Importing a backend package registers the backend and
// all of its kernels with tfjs-core; gradient functions are NOT registered by tfjs-core's main
// entry (nothing here needs them: the kernels apply their updates by hand).
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export type Tf = typeof import('@tensorflow/tfjs-core');
export type TfBackendName = 'node' | 'wasm' | 'cpu';
const ORDER: readonly TfBackendName[] = ['node', 'wasm', 'cpu'];

export interface LoadedTf {
  tf: Tf;
  /** Which of the three loaded. */
  backend: TfBackendName;
}

const cache = new Map<TfBackendName, Promise<LoadedTf>>();

async function tryNode(): Promise<LoadedTf> {
  const name = '@tensorflow/tfjs-node'; // a variable: the optional package has no types here
  const tf = (await import(name)) as Tf;
  await tf.ready();
  return { tf, backend: 'node' };
}

async function tryWasm(): Promise<LoadedTf> {
  const tf = await import('@tensorflow/tfjs-core');
  const wasm = await import('@tensorflow/tfjs-backend-wasm'); // registers the 'wasm' backend and its kernels
  const main = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm');
  // main is …/tfjs-backend-wasm/dist/tf-backend-wasm.node.js; the .wasm files sit beside it
  wasm.setWasmPaths(join(dirname(main), '/'));
  if (!(await tf.setBackend('wasm'))) throw new Error('tfjs wasm backend failed to initialise');
  await tf.ready();
  return { tf, backend: 'wasm' };
}

async function tryCpu(): Promise<LoadedTf> {
  const tf = await import('@tensorflow/tfjs-core');
  await import('@tensorflow/tfjs-backend-cpu'); // registers 'cpu' and its kernels
  if (!(await tf.setBackend('cpu'))) throw new Error('tfjs cpu backend failed to initialise');
  await tf.ready();
  return { tf, backend: 'cpu' };
}

const TRY: Record<TfBackendName, () => Promise<LoadedTf>> = { node: tryNode, wasm: tryWasm, cpu: tryCpu };

/** TensorFlow.js on the first backend (from `prefer`, default node) that loads. */
export function loadTf(prefer?: TfBackendName): Promise<LoadedTf> {
  const envPrefer = process.env.SCMV_TFJS_BACKEND as TfBackendName | undefined;
  const start = prefer ?? (envPrefer && ORDER.includes(envPrefer) ? envPrefer : 'node');
  let p = cache.get(start);
  if (!p) {
    p = (async () => {
      const errors: string[] = [];
      for (const b of ORDER.slice(ORDER.indexOf(start))) {
        try {
          return await TRY[b]();
        } catch (e) {
          errors.push(`${b}: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
        }
      }
      throw new Error(`no TensorFlow.js backend loaded (${errors.join('; ')})`);
    })();
    cache.set(start, p);
  }
  return p;
}
