// `scmv levels --sgd-lr η --N N` end to end: the sgd_* columns of a stable level (docs/theory.md §9),
// their internal consistency, --help, and the one-line exit-2 errors for bad or missing options.
import { describe, expect, it } from 'vitest';
import { runCli } from './cli.js';

const run = (args: string[]) => runCli(args);

describe('scmv levels --sgd-lr --N', () => {
  it('appends the SGD predictions to a stable level', async () => {
    const r = await run(['levels', '--K', '6', '--M', '6', '--families', '1', '--sgd-lr', '0.05', '--N', '512', '--sgd-samples', '5000']);
    expect(r.status).toBe(0);
    const [head, row] = r.stdout.trim().split('\n').map((l) => l.split(','));
    const v = (name: string) => Number(row[head.indexOf(name)]);
    expect(head.slice(-13)).toEqual(['sgd_lr', 'sgd_N', 'sgd_coef', 'sgd_shift_first', 'sgd_level_first', 'sgd_shift_ode', 'sgd_level_ode',
      'sgd_shift_finite_n', 'sgd_level_mean', 'sgd_sd', 'sgd_sd_se', 'sgd_sd_wishart', 'sgd_tau_int']);
    expect(v('sgd_lr')).toBe(0.05);
    expect(v('sgd_N')).toBe(512);
    expect(v('sgd_coef')).toBeCloseTo(0.0360329333, 8); // ¼ tr Φ at the K = M = 6, n = 1 level
    expect(v('sgd_shift_first')).toBeCloseTo(0.05 * v('sgd_coef'), 15);
    expect(v('sgd_level_first')).toBeCloseTo(v('loss') + v('sgd_shift_first'), 15);
    expect(v('sgd_level_ode')).toBeCloseTo(v('loss') + v('sgd_shift_ode'), 15);
    expect(v('sgd_shift_ode')).toBeGreaterThan(v('sgd_shift_first')); // positive η² term
    expect(v('sgd_level_mean')).toBeCloseTo(v('sgd_level_ode') + v('sgd_shift_finite_n'), 15);
    expect(v('sgd_sd')).toBeGreaterThan(v('sgd_sd_wishart'));
    expect(v('sgd_sd')).toBeLessThan(2 * v('sgd_sd_wishart'));
    expect(v('sgd_sd_se')).toBeLessThan(0.1 * v('sgd_sd'));
  });

  it('documents the options and rejects bad values with one line and exit code 2', async () => {
    const help = (await run(['levels', '--help'])).stdout;
    for (const f of ['--sgd-lr <float>', '--N <int>', '--sgd-samples <int>']) expect(help).toContain(f);
    const bad: [string[], RegExp][] = [
      [['--sgd-lr', '0', '--N', '100'], /^scmv: --sgd-lr must be a number in \(0, 1\]/],
      [['--sgd-lr', 'x', '--N', '100'], /^scmv: --sgd-lr must be/],
      [['--sgd-lr', '0.1'], /^scmv: --sgd-lr needs --N/],
      [['--N', '100'], /^scmv: --N is only used with --sgd-lr/],
      [['--K', '6', '--M', '6', '--sgd-lr', '0.1', '--N', '12'], /^scmv: --N must be an integer in \[K \+ M \+ 1 = 13/],
      [['--sgd-lr', '0.1', '--N', '100', '--sgd-samples', '10'], /^scmv: --sgd-samples must be an integer in \[1000/],
    ];
    for (const [args, re] of bad) {
      const r = await run(['levels', ...args]);
      expect({ status: r.status, stderr: r.stderr }).toMatchObject({ status: 2, stderr: expect.stringMatching(re) });
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});
