// A pool job (src/runs/pool.ts) that trains ONE replica by plain online SGD (docs/theory.md §4.2)
// for a fixed number of steps and reports its final loss; used by bench/sgd.ts to time
// `--workers`. The teacher comes from (seed, 'teacher'), the student and its input stream from
// (seed, 'replica', r), as in src/runs/train.ts, so results do not depend on the worker.
import { getActivation, type ActivationName } from '../src/activations/index.js';
import { createSgdKernel, makeBatch, type BackendName } from '../src/network/backend.js';
import { sampleStudent } from '../src/network/student.js';
import { sampleTeacher } from '../src/network/teacher.js';
import { createRng } from '../src/random/rng.js';
import { jobRef } from '../src/runs/jobs.js';
import { drive, kernelTrainer } from '../src/runs/trainer.js';

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
  const act = getActivation(input.activation, input.alpha);
  const Wstar = sampleTeacher(M, N, 'gaussian', createRng(input.seed, 'teacher'));
  const rng = createRng(input.seed, 'replica', input.replica);
  const batch = makeBatch(sampleStudent(K, N, rng), Wstar, [rng]);
  const kernel = await createSgdKernel(input.backend, { ...input, replicas: 1 });
  await kernel.load(batch);
  const tr = kernelTrainer(kernel, batch, act, K, M, N);
  let loss = NaN;
  try {
    await drive(tr, [input.steps], (_i, _s, _bad, measured) => {
      loss = measured().loss;
      return false;
    });
  } finally {
    tr.dispose();
  }
  return { replica: input.replica, steps: batch.steps[0], diverged: batch.status[0] === 1 && batch.steps[0] < input.steps, loss };
}

export const SGD_JOB = jobRef(import.meta.url, sgdJob);
