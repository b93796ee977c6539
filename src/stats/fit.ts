// Least-squares fits (docs/theory.md §11).
import { mean } from './describe.js';

export interface LogLogFit {
  points: number;
  /** log y = intercept + slope · log x (in the base of `log`). */
  slope: number;
  intercept: number;
  /** Standard error of the slope, √(RSS/(n − 2)/Sxx) (NaN for fewer than 3 points). */
  slopeSe: number;
}

/**
 * Ordinary least squares of log y on log x over the points with x, y > 0 finite:
 * slope = Sxy/Sxx, intercept = ȳ − slope·x̄. `log` picks the base (Math.log or Math.log10).
 */
export function logLogFit(xs: readonly number[], ys: readonly number[], log: (v: number) => number = Math.log): LogLogFit {
  const X: number[] = [];
  const Y: number[] = [];
  xs.forEach((x, i) => {
    const y = ys[i];
    if (x > 0 && y > 0 && Number.isFinite(x) && Number.isFinite(y)) {
      X.push(log(x));
      Y.push(log(y));
    }
  });
  const n = X.length;
  if (n < 2) return { points: n, slope: NaN, intercept: NaN, slopeSe: NaN };
  const mx = mean(X);
  const my = mean(Y);
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (X[i] - mx) * (Y[i] - my);
    sxx += (X[i] - mx) ** 2;
  }
  const slope = sxx > 0 ? sxy / sxx : NaN;
  const intercept = my - slope * mx;
  let rss = 0;
  for (let i = 0; i < n; i++) rss += (Y[i] - intercept - slope * X[i]) ** 2;
  const slopeSe = n > 2 ? Math.sqrt(rss / (n - 2) / sxx) : NaN;
  return { points: n, slope, intercept, slopeSe };
}

/** Least squares of y = a η + b η² (no constant): [a, b]. */
export function fitLinearQuadratic(eta: readonly number[], y: readonly number[]): [number, number] {
  let s2 = 0, s3 = 0, s4 = 0, t1 = 0, t2 = 0;
  eta.forEach((e, i) => {
    s2 += e * e;
    s3 += e ** 3;
    s4 += e ** 4;
    t1 += e * y[i];
    t2 += e * e * y[i];
  });
  const det = s2 * s4 - s3 * s3;
  return [(t1 * s4 - t2 * s3) / det, (s2 * t2 - s3 * t1) / det];
}
