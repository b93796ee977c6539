// `--backend tfjs` entry point for backend.ts: the float32 TensorFlow.js kernel of tfjs-backend.ts.
import type { SgdKernel, SgdKernelSpec } from './backend.js';
import { createTfjsKernel } from './tfjs-backend.js';

/** Creates the tfjs kernel on the best TensorFlow.js backend that loads (node, wasm, cpu). */
export function createKernel(spec: SgdKernelSpec): Promise<SgdKernel> {
  return createTfjsKernel(spec);
}
