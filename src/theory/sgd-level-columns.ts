// The SGD-prediction columns that `scmv levels --sgd-lr η --N N` appends to a level row
// (docs/theory.md §9): shifts of the level, the predicted SGD levels and the predicted sd of ε;
// and the columns of the N-independent numbers of a prediction (SgdPredictionNumbers), as cached
// in CSVs (experiments/sgd-prediction.ts theory.csv, the finite-n study's sgd-predictions-*.csv).
import type { Cell } from '../io/csv.js';
import type { SgdPredictionAtN, SgdPredictionNumbers } from './sgd-prediction.js';

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

/** The N-independent numbers of an η prediction (SgdPredictionNumbers without η and M, which key the row). */
export const SGD_NUMBERS_COLUMNS = [
  'level',             // ε* at X*
  'shift_first',       // η a₁ (docs/theory.md §9.2)
  'shift_ode',         // ε(X_η) − ε* (§4.2, §9.2)
  'var_coef',          // Var ε = (η/N) var_coef, C = Cov(f + η h) at X_η (§9.3–9.4)
  'var_coef_se',       // its Monte Carlo standard error
  'var_coef_leading',  // the same with C = Cov f
  'tau_int',           // integrated autocorrelation time of ε (§9.3)
  'finite_n_coef',     // b of the O(η/N) mean correction η b/N (§9.5)
  'finite_n_coef_se',  // its Monte Carlo standard error
  'wishart_coef',      // ½ tr((S P₁)²) of the Wishart term (§9.4)
] as const;

/** The cells of SGD_NUMBERS_COLUMNS. */
export function sgdNumbersCells(p: SgdPredictionNumbers): Cell[] {
  return [p.level, p.shiftFirst, p.shiftOde, p.varCoef, p.varCoefSe, p.varCoefLeading, p.tauInt, p.finiteNCoef, p.finiteNCoefSe, p.wishartCoef];
}

/** SgdPredictionNumbers from a CSV record with SGD_NUMBERS_COLUMNS, at learning rate η and M teacher units. */
export function sgdNumbersOf(r: Record<string, string | number>, eta: number, M: number): SgdPredictionNumbers {
  const v = (c: (typeof SGD_NUMBERS_COLUMNS)[number]) => {
    const x = r[c];
    return typeof x === 'number' ? x : x === undefined || x === '' ? NaN : x === 'Inf' ? Infinity : x === '-Inf' ? -Infinity : Number(x);
  };
  return {
    eta, M, level: v('level'), shiftFirst: v('shift_first'), shiftOde: v('shift_ode'), varCoef: v('var_coef'), varCoefSe: v('var_coef_se'),
    varCoefLeading: v('var_coef_leading'), tauInt: v('tau_int'), finiteNCoef: v('finite_n_coef'), finiteNCoefSe: v('finite_n_coef_se'), wishartCoef: v('wishart_coef'),
  };
}
