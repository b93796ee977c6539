// Files written by `scmv validate`: summary.csv (+ manifest), runs.csv, fits.csv,
// trajectories.csv, three figures with their data beside them, and report.html (validate-html.ts).
import { join } from 'node:path';
import { writeCsv } from '../../io/csv.js';
import { makeManifest, manifestPath, writeManifest } from '../../io/manifest.js';
import { writeLineChart, type Row } from '../../io/plot.js';
import { validateChart, writeValidateHtml, type ValidateHtmlInput } from './html.js';
import { fitExponents, summarise, type FitRow, type RunResult, type SummaryRow, type ValidateOptions } from './validate.js';

export interface ValidateReport {
  summary: SummaryRow[];
  fits: FitRow[];
  files: string[];
}

const fmtLr = (r: { algorithm: string; lr: number; dtau: number }) => (r.algorithm === 'sgd' ? `η=${r.lr}` : `Δτ=${r.dtau}`);

/** Writes every output of a validate run into `dir` and returns the summary and fits. */
export async function writeValidateReport(dir: string, o: ValidateOptions, results: readonly RunResult[], extra: { seconds: number; quick: boolean; cliOptions: Record<string, unknown> }): Promise<ValidateReport> {
  const summary = summarise(results);
  const fits = fitExponents(summary, o);
  const files: string[] = [];
  const out = (name: string) => {
    const p = join(dir, name);
    files.push(p);
    return p;
  };
  const opt = (v: number) => (Number.isNaN(v) ? '' : v);
  const sgdOde = results.find((r) => r.algorithm === 'sgd')?.ode ?? 'gradient-flow';
  const figures: ValidateHtmlInput['figures'][number][] = [];
  const ctx = { K: o.K, M: o.M, seed0: o.seed0, Nmax: Math.max(...o.Ns), sgdOde };
  const vs = (alg: string) => (alg === 'sgd' ? ` vs ${sgdOde === 'sgd-ode' ? 'SGD ODE' : 'gradient flow'}` : ' vs gradient flow');

  const sumHeader = ['algorithm', 'N', 'lr', 'dtau', 'runs', 'diverged', 'mean_max_loss_abs_err', 'max_max_loss_abs_err', 'mean_max_Q_err', 'max_max_Q_err', 'mean_max_R_err', 'max_max_R_err', 'mean_seconds'];
  writeCsv(out('summary.csv'), sumHeader, summary.map((r) => [r.algorithm, r.N, opt(r.lr), opt(r.dtau), r.runs, r.diverged, r.meanMaxLossErr, r.maxMaxLossErr, r.meanMaxQErr, r.maxMaxQErr, r.meanMaxRErr, r.maxMaxRErr, r.meanSeconds]));

  const ordered = [...results].sort((a, b) => a.algorithm.localeCompare(b.algorithm) || a.N - b.N || (a.lr || 0) - (b.lr || 0) || a.seed - b.seed);
  writeCsv(out('runs.csv'), ['algorithm', 'N', 'lr', 'dtau', 'seed', 'steps', 'status', 'ode', 'loss0', 'final_loss', 'ode_final_loss', 'max_loss_abs_err', 'max_Q_err', 'max_R_err', 'seconds'],
    ordered.map((r) => [r.algorithm, r.N, opt(r.lr), opt(r.dtau), r.seed, r.steps, r.diverged ? 'diverged' : 'ok', r.ode, r.loss0, r.finalLoss, r.odeFinalLoss, r.maxLossErr, r.maxQErr, r.maxRErr, r.seconds]));

  writeCsv(out('fits.csv'), ['algorithm', 'variable', 'fixed', 'metric', 'slope', 'points', 'x_min', 'x_max'],
    fits.map((f) => [f.algorithm, f.variable, f.fixed, f.metric, f.slope, f.points, f.xMin, f.xMax]));

  writeCsv(out('trajectories.csv'), ['algorithm', 'N', 'lr', 'dtau', 'seed', 'step', 'tau', 'status', 'loss', 'ode_loss', 'loss_abs_err', 'Q_max_err', 'R_max_err'],
    ordered.flatMap((r) => r.trajectory.map((p) => [r.algorithm, r.N, opt(r.lr), opt(r.dtau), r.seed, p.step, p.tau, p.status, p.loss, p.odeLoss, p.lossErr, p.qErr, p.rErr])));

  // Figure 1: loss vs τ of one run per algorithm at the largest N (first seed), with its ODE.
  const Nmax = Math.max(...o.Ns);
  const pick = (alg: string) => ordered.find((r) => r.algorithm === alg && r.N === Nmax && r.seed === o.seed0 && (alg === 'gd' || r.lr === o.lrFixed));
  const lossRows: Row[] = [];
  for (const alg of ['sgd', 'gd']) {
    const r = pick(alg);
    if (!r) continue;
    for (const p of r.trajectory) {
      lossRows.push({ run: `${alg.toUpperCase()} (${fmtLr(r)})`, source: 'network', algorithm: alg, N: r.N, seed: r.seed, tau: p.tau, loss: p.loss });
      lossRows.push({ run: `${alg.toUpperCase()} (${fmtLr(r)})`, source: alg === 'sgd' && sgdOde === 'sgd-ode' ? 'SGD ODE' : 'gradient flow', algorithm: alg, N: r.N, seed: r.seed, tau: p.tau, loss: p.odeLoss });
    }
  }
  figures.push({ name: 'loss-vs-tau', ...(await writeLineChart(out('loss-vs-tau.svg'), lossRows, validateChart('loss-vs-tau', ctx))) });
  files.push(join(dir, 'loss-vs-tau.csv'));

  // Figure 2: max deviation vs N (log-log), SGD at η = lrFixed and GD; colour = run, dash and shape = metric.
  const devN: Row[] = summary.filter((r) => r.algorithm === 'gd' || r.lr === o.lrFixed).flatMap((r) => (['loss', 'Q'] as const).map((metric) => {
    const run = `${r.algorithm.toUpperCase()} ${fmtLr(r)}${vs(r.algorithm)}`;
    return { series: `${run}: ${metric}`, run, algorithm: r.algorithm, N: r.N, lr: opt(r.lr), dtau: opt(r.dtau), metric, deviation: metric === 'loss' ? r.meanMaxLossErr : r.meanMaxQErr };
  }));
  figures.push({ name: 'deviation-vs-N', ...(await writeLineChart(out('deviation-vs-N.svg'), devN, validateChart('deviation-vs-N', ctx))) });
  files.push(join(dir, 'deviation-vs-N.csv'));

  // Figure 3: SGD max loss deviation vs η (log-log) at each sweep N.
  const devLr: Row[] = summary.filter((r) => r.algorithm === 'sgd' && o.lrSweepNs.includes(r.N)).map((r) => ({ series: `N = ${r.N}`, N: r.N, lr: r.lr, deviation: r.meanMaxLossErr }));
  figures.push({ name: 'deviation-vs-lr', ...(await writeLineChart(out('deviation-vs-lr.svg'), devLr, validateChart('deviation-vs-lr', ctx))) });
  files.push(join(dir, 'deviation-vs-lr.csv'));

  files.push(writeValidateHtml(dir, { summary, fits, figures, sgdOde, config: { ...o } }));

  writeManifest(manifestPath(join(dir, 'summary.csv')), makeManifest('validate', extra.cliOptions, {
    seed: o.seed0,
    config: o,
    quick: extra.quick,
    ode: [...new Set(results.map((r) => r.ode))].join(', '),
    files: files.map((f) => f.slice(dir.length + 1)),
    result: { seconds: extra.seconds, runs: results.length, fits },
  }));
  return { summary, fits, files };
}
