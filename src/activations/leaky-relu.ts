// Leaky ReLU g(z) = max(z, αz), 0 ≤ α < 1 (docs/theory.md §2). Writing g = αz + (1 − α) relu(z):
//   I2 = (1 − α)² I2_relu + α c,   I3 = (1 − α)² I3_relu + α C_vw
// (E[u relu(v)] = c/2 and E[1(u>0) v w] = C_vw/2 for centred Gaussians). The αc term is linear,
// so the second derivatives of I2 are (1 − α)² times ReLU's (docs/theory.md §8.4).
import type { Activation } from './types.js';
import { reluI2, reluI2Partials, reluI2Second, reluI3 } from './relu.js';
import { leakyReluI4, leakyReluJ2 } from './relu-i4.js';

export function leakyRelu(alpha: number): Activation {
  if (!(alpha >= 0 && alpha < 1)) throw new RangeError(`alpha must be in [0, 1), got ${alpha}`);
  const k = (1 - alpha) * (1 - alpha);
  return {
    name: 'leaky-relu',
    g: (z) => (z > 0 ? z : alpha * z),
    gPrime: (z) => (z > 0 ? 1 : alpha),
    I2: (a, b, c) => k * reluI2(a, b, c) + alpha * c,
    I2Partials(a, b, c, out) {
      reluI2Partials(a, b, c, out);
      out[0] = k * out[0] + alpha * c;
      out[1] *= k;
      out[2] *= k;
      out[3] = k * out[3] + alpha;
    },
    I2Second(a, b, c, out) {
      reluI2Second(a, b, c, out);
      out[0] = k * out[0] + alpha * c;
      out[1] *= k;
      out[2] *= k;
      out[3] = k * out[3] + alpha;
      for (let i = 4; i < 10; i++) out[i] *= k;
    },
    // σ(q) = ½ I2(q, q, q) = (1 − α)² q/4 + α q/2 is linear
    selfSecond: () => 0,
    I3: (Cuu, Cuv, Cuw, Cvw, Cww) => k * reluI3(Cuu, Cuv, Cuw, Cvw, Cww) + alpha * Cvw,
    I4: leakyReluI4(alpha),
    J2: leakyReluJ2(alpha),
  };
}
