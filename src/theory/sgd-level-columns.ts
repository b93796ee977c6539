// The SGD-prediction columns that `scmv levels --sgd-lr η --N N` appends to a level row
// (docs/theory.md §9): shifts of the level, the predicted SGD levels and the predicted sd of ε.
import type { Cell } from '../io/csv.js';
import type { SgdPredictionAtN } from './sgd-prediction.js';

export const SGD_LEVEL_COLUMNS = [
  'sgd_lr', 'sgd_N',
  'sgd_coef',            // a₁ = dε/dη at η = 0 (−∇ε·J⁻¹Φ̂, docs/theory.md §9.2)
  'sgd_shift_first',     // η a₁
  'sgd_level_first',     // ε* + η a₁
  'sgd_shift_ode',       // ε(X_η) − ε*, X_η the stationary point of the SGD ODE (§4.2)
  'sgd_level_ode',       // ε(X_η)
  'sgd_shift_finite_n',  // η b/N (§9.5, Monte Carlo)
  'sgd_level_mean',      // ε(X_η) + η b/N: predicted time average of ε
  'sgd_sd',              // predicted sd of ε, C = Cov(f + η h) at X_η (§9.3–9.4)
  'sgd_sd_se',           // Monte Carlo standard error of sgd_sd
  'sgd_sd_wishart',      // Wishart term of §9.4 alone
  'sgd_tau_int',         // integrated autocorrelation time of ε (OU, §9.3)
] as const;

/** The cells of SGD_LEVEL_COLUMNS; empty cells (except η and N) when there is no prediction. */
export function sgdLevelCells(eta: number, N: number, p: SgdPredictionAtN | null): Cell[] {
  if (!p) return [eta, N, ...Array(SGD_LEVEL_COLUMNS.length - 2).fill('')];
  return [eta, N, p.shiftFirst / eta, p.shiftFirst, p.levelFirst, p.shiftOde, p.levelOde, p.shiftFiniteN, p.levelMean, p.sd, p.sdSe, p.sdWishart, p.tauInt];
}
