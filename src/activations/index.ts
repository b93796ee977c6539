// Registry of activations (docs/theory.md §2).
import type { Activation, ActivationName } from './types.js';
import { ACTIVATION_NAMES } from './types.js';
import { relu } from './relu.js';
import { leakyRelu } from './leaky-relu.js';
import { erfActivation } from './erf.js';

export type { Activation, ActivationName } from './types.js';
export { ACTIVATION_NAMES } from './types.js';

/** The activation called `name`; `alpha` is leaky ReLU's negative slope. */
export function getActivation(name: ActivationName | string, alpha = 0.01): Activation {
  switch (name) {
    case 'relu':
      return relu;
    case 'leaky-relu':
      return leakyRelu(alpha);
    case 'erf':
      return erfActivation;
    default:
      throw new RangeError(`unknown activation "${name}" (valid: ${ACTIVATION_NAMES.join(', ')})`);
  }
}
