// A pool job (src/experiments/pool.ts) that trains ONE replica by plain online SGD (SPEC §4.2)
// for a fixed number of steps and reports its final loss; used by bench/sgd.ts to time
// `--workers`. The teacher comes from (seed, 'teacher'), the student and its input stream from
// (seed, 'replica', r), as in src/experiments/train.ts, so results do not depend on the worker.
import { getActivation, type ActivationName } from '../activations/index.js';
import { createSgdKernel, makeBatch, type BackendName } from './backend.js';
import { measure } from './measure.js';
import { sampleStudent } from './student.js';
import { sampleTeacher } from './teacher.js';
import { createRng } from '../random/rng.js';

export interface SgdJobInput {
  backend: BackendName;
  activation: ActivationName;
  alpha: number;
  K: number;
  M: number;
  N: number;
  lr: number;
  seed: number;
  replica: number;
  steps: number;
}

export interface SgdJobOutput {
  replica: number;
  steps: number;
  diverged: boolean;
  loss: number;
}

/** Runs `steps` online-SGD steps on replica `replica` and measures ε of the result. */
export async function sgdJob(input: SgdJobInput): Promise<SgdJobOutput> {
  const { K, M, N } = input;
  const Wstar = sampleTeacher(M, N, 'gaussian', createRng(input.seed, 'teacher'));
  const rng = createRng(input.seed, 'replica', input.replica);
  const batch = makeBatch(sampleStudent(K, N, rng), Wstar, [rng]);
  const kernel = await createSgdKernel(input.backend, { ...input, replicas: 1 });
  try {
    await kernel.load(batch);
    await kernel.advance(batch, input.steps);
    await kernel.sync(batch);
  } finally {
    kernel.dispose();
  }
  const loss = measure(getActivation(input.activation, input.alpha), batch.W, Wstar, K, M, N).loss;
  return { replica: input.replica, steps: batch.steps[0], diverged: batch.status[0] === 1, loss };
}
