// docs/reliability.md, tested: every bad input gets one line naming the flag, exit code 2, no
// stack trace and nothing left behind; file-system problems and full disks are one line; resume
// refuses other settings; summarize refuses malformed input; diverged replicas are not summarised.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './cli.js';

const fresh = () => mkdtempSync(join(tmpdir(), 'scmv-rel-'));

/** [command and flags, the flag the one-line message must name]; each gets --out or --out-dir in a fresh folder. */
const BAD: Array<[string[], string]> = [];
const add = (cmd: string[], cases: Array<[string[], string]>) => cases.forEach(([a, f]) => BAD.push([[...cmd, ...a], f]));
const ints = (flag: string, bads: string[]) => bads.map((b): [string[], string] => [[flag, b], flag]);
add(['ode'], [
  ...ints('--K', ['0', '-1', '101', '2.5', 'x', '', '1e3']), ...ints('--M', ['0', '101', 'abc']),
  ...ints('--tau-max', ['0', '-5', 'inf', 'NaN']), ...ints('--tol', ['0', '-1e-3']), ...ints('--alpha', ['1', '-0.1', '2']),
  ...ints('--activation', ['tanh', 'RELU']), ...ints('--method', ['euler', 'rk45']), ...ints('--algorithm', ['sgd', 'adam']),
  ...ints('--seed', ['-1', '4294967296', '1.5']), ...ints('--records-per-decade', ['0', '1001']), ...ints('--dt', ['0', '-0.1']),
  [['--M', '4', '--init-dim', '3'], '--init-dim'], [['--algorithm', 'ongd', '--K', '5', '--M', '3', '--init-dim', '4'], '--init-dim'],
  [['--kappa', '2'], '--kappa'], [['--alpha', '0.3'], '--alpha'], [['--kappa', '-1', '--algorithm', '2l'], '--kappa'],
]);
add(['train'], [
  ...ints('--N', ['0', '10000001', 'many']), ...ints('--lr', ['0', '-1', 'fast']), ...ints('--replicas', ['0', '1000001']),
  ...ints('--workers', ['0', '1000']), ...ints('--backend', ['cuda', 'gpu']), ...ints('--teacher', ['random']),
  ...ints('--algorithm', ['adam', 'ngd-gd']), ...ints('--retraction', ['svd']), ...ints('--gd-method', ['rk45']),
  ...ints('--record-every', ['0', '-3']), ...ints('--ode', ['exact']), ...ints('--tau-max', ['0']),
  [['--algorithm', 'gd', '--lr', '0.1'], '--lr'], [['--dtau', '0.1'], '--dtau'], [['--kappa', '2'], '--kappa'],
  [['--retraction', 'polar'], '--retraction'], [['--algorithm', 'gd', '--backend', 'wasm'], '--backend'], [['--ode', 'sgd-ode'], '--ode'],
  [['--alpha', '0.2'], '--alpha'], [['--algorithm', 'gd', '--ode', 'sgd-ode', '--compare-ode'], '--ode'],
  [['--teacher', 'orthonormal', '--M', '5', '--N', '4'], '--teacher'], [['--N', '10000000', '--K', '1000', '--M', '1000'], 'memory'],
  [['--algorithm', 'ongd', '--K', '5', '--N', '3', '--M', '2'], '--algorithm'],
]);
add(['ensemble', '--runs', '4'], [
  ...ints('--K', ['0', '101', '1000']), ...ints('--M', ['1000']), ...ints('--shard', ['x', '3/3', '-1/2', '1/0', '1.5/3']),
  ...ints('--rtol', ['0', '2']), ...ints('--atol', ['0']), ...ints('--eps-global', ['0', '-1']), ...ints('--g-tol', ['0']),
  ...ints('--polish-at', ['-1']), ...ints('--vanish-tol', ['0']), ...ints('--init-dim', ['0']), ...ints('--workers', ['0', '1000']),
  [['--runs', '0'], '--runs'], [['--runs', '9007199254740991'], '--runs'], [['--runs', '10000001'], '--runs'],
  [['--algorithm', 'ongd', '--K', '5', '--M', '3'], '--init-dim'], [['--runs', '2', '--shard', '5/6'], '--shard'],
]);
add(['levels'], [
  ...ints('--K', ['0', '201']), ...ints('--families', ['x', '1,-1', '']), [['--K', '4', '--M', '5'], '--K'], [['--K', '5', '--M', '5', '--families', '1,9'], '--families'],
  [['--K', '200', '--M', '200'], 'memory'],
]);
add(['stability'], [
  ...ints('--delta', ['0', '-1']), ...ints('--seeds', ['0', '100001']), ...ints('--source', ['both']), ...ints('--branch', ['-1', '101']),
  [['--K', '5', '--M', '5', '--source', 'embed'], '--source'], [['--K', '6', '--M', '6', '--N', '12'], '--N'], [['--K', '5', '--M', '6'], '--K'],
]);
add(['validate'], [...ints('--N', ['100,0', 'x', '']), ...ints('--seeds', ['0', '1001']), ...ints('--K', ['0']), ...ints('--workers', ['0'])]);
add(['study', 'sgd-scaling'], [...ints('--configs', ['4y4', '0x4', '21x4']), ...ints('--cs', ['0', 'x']), ...ints('--scalings', ['log']), ...ints('--records', ['1'])]);
add(['study', 'finite-n'], [...ints('--K', ['1', '41']), ...ints('--Ns', ['1', 'x']), ...ints('--teachers', ['uniform']), [['--Ns', '4'], '--Ns']]);
add(['study', 'optimisers'], [...ints('--M', ['0', '101']), ...ints('--algorithms', ['sgd']), ...ints('--offsets', ['-1', '21']), ...ints('--runs', ['0'])]);

describe('bad input: one line naming the flag, exit 2, nothing left behind', () => {
  it(`has at least 100 cases (${BAD.length})`, () => expect(BAD.length).toBeGreaterThanOrEqual(100));

  it.each(BAD)('%j', async (args, flag) => {
    const dir = fresh();
    const dirOut = ['validate', 'study'].includes(args[0]);
    const out = join(dir, dirOut ? 'outdir' : 'out.csv');
    const r = await runCli([...args, dirOut ? '--out-dir' : '--out', out]);
    expect(r.status, r.stderr).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^scmv: /);
    expect(lines[0]).toContain(flag);
    expect(lines[0]).not.toMatch(/\bat .*\.(ts|js):\d+/);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('file-system problems: one line, before any work, nothing left behind', () => {
  const dir = fresh();
  const file = join(dir, 'a-file');
  writeFileSync(file, 'x');
  const sub = join(dir, 'a-dir');
  mkdirSync(sub);
  it.each([
    [['ode', '--K', '2', '--M', '2', '--out', '/proc/x.csv'], /cannot write \/proc\/x\.csv/],
    [['ode', '--K', '2', '--M', '2', '--out', sub], /cannot write .*a-dir: it is a directory/],
    [['ode', '--K', '2', '--M', '2', '--out', join(file, 'x.csv')], /a-file is not a directory/],
    [['ode', '--K', '2', '--M', '2', '--out', ''], /--out must be a file path/],
    [['validate', '--quick', '--out-dir', file], /cannot write into .*a-file \(--out-dir\): it is not a directory/],
    [['summarize', sub], /cannot read .*a-dir: it is a directory/],
    [['ensemble', '--runs', '2', '--out', sub], /it is a directory/],
    [['levels', '--K', '3', '--M', '3', '--out', '/proc/sys/x.csv'], /cannot write/],
  ])('%j', async (args, msg) => {
    const r = await runCli(args as string[]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(msg as RegExp);
    expect(readdirSync(dir).sort()).toEqual(['a-dir', 'a-file']);
    expect(readdirSync(sub)).toEqual([]);
  });

  it('summarize refuses a binary file, a CSV with the wrong columns, a train CSV, bad rows; --skip-bad-rows counts them', async () => {
    const d = fresh();
    const header = 'run,seed,K,M,final_loss,class,family_n,tau_end,rhs_norm,rhs_evals,stop,wall_ms\n';
    const row = (run: number, cls = 'global') => `${run},1,3,3,1e-4,${cls},0,10,1e-9,100,global,1\n`;
    writeFileSync(join(d, 'bin.csv'), Buffer.from([0, 1, 2, 255, 0, 10]));
    writeFileSync(join(d, 'wrong.csv'), 'a,b,c\n1,2,3\n');
    writeFileSync(join(d, 'train.csv'), 'replica,step,tau,status,loss\n0,0,0,ok,1\n');
    writeFileSync(join(d, 'weird.csv'), header + row(0) + row(1, 'weird') + row(2));
    writeFileSync(join(d, 'cut.csv'), header + row(0) + row(1).slice(0, 9));
    const expectations: Array<[string, RegExp]> = [
      ['bin.csv', /bin\.csv is not an ensemble runs CSV.*binary/], ['wrong.csv', /missing columns run, seed/],
      ['train.csv', /train\.csv is not an ensemble runs CSV/], ['weird.csv', /weird\.csv:3 \(class "weird" is not one of/],
      ['cut.csv', /cut\.csv:3 \(truncated last line/],
    ];
    for (const [f, msg] of expectations) {
      const r = await runCli(['summarize', join(d, f), '--out', join(d, 'out.csv')]);
      expect(r.status, f).toBe(2);
      expect(r.stderr.trim().split('\n'), f).toHaveLength(1);
      expect(r.stderr, f).toMatch(msg);
      expect(existsSync(join(d, 'out.csv'))).toBe(false);
    }
    const ok = await runCli(['summarize', join(d, 'weird.csv'), join(d, 'cut.csv'), '--skip-bad-rows', '--out', join(d, 'out.csv')]);
    expect(ok.status).toBe(0);
    expect(ok.stderr).toMatch(/skipped 2 malformed rows/);
    expect(JSON.parse(readFileSync(join(d, 'out.manifest.json'), 'utf8')).skippedBadRows).toBe(2);
    expect(readFileSync(join(d, 'out.csv'), 'utf8')).toMatch(/^3,3,,2,1,global,,2,1,/m);
  });
});

describe('full disks and read-only file systems (a small tmpfs)', () => {
  const mnt = join(fresh(), 'mnt');
  mkdirSync(mnt);
  let mounted = false;
  let why = '';
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=96k', 'tmpfs', mnt], { stdio: 'pipe' });
    mounted = true;
  } catch (e) {
    why = (e as Error).message.split('\n')[0];
    process.stdout.write(`skipping the tmpfs tests: cannot mount a tmpfs here (${why})\n`);
  }
  const umount = () => execFileSync('umount', [mnt], { stdio: 'pipe' });

  it.skipIf(!mounted)('train on a full disk: "no space left", exit 1, no partial file', async () => {
    const out = join(mnt, 'big.csv');
    const r = await runCli(['train', '--K', '6', '--M', '6', '--N', '50', '--tau-max', '2', '--record-every', '1', '--backend', 'js', '--out', out]);
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^scmv: no space left on .*big\.csv/);
    expect(readdirSync(mnt)).toEqual([]);
  });

  it.skipIf(!mounted)('ensemble on a full disk keeps whole rows and resumes once there is room', async () => {
    writeFileSync(join(mnt, 'filler'), Buffer.alloc(76 * 1024));
    const out = join(mnt, 'runs.csv');
    const r = await runCli(['ensemble', '--K', '3', '--M', '3', '--runs', '200', '--seed', '5', '--workers', '1', '--out', out]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^scmv: no space left on /);
    const text = readFileSync(out, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    const before = text.trim().split('\n').length - 1;
    expect(before).toBeLessThan(200);
    execFileSync('rm', [join(mnt, 'filler')]);
    const again = await runCli(['ensemble', '--K', '3', '--M', '3', '--runs', '200', '--seed', '5', '--workers', '1', '--out', out]);
    expect(again.status, again.stderr).toBe(0);
    expect(readFileSync(out, 'utf8').trim().split('\n')).toHaveLength(201);
    expect(again.stdout).toMatch(new RegExp(`${before} resumed`));
    execFileSync('rm', ['-f', join(mnt, 'runs.csv'), join(mnt, 'runs.manifest.json')]);
  });

  it.skipIf(!mounted)('a read-only file system is one line before any work', async () => {
    execFileSync('mount', ['-o', 'remount,ro', mnt]);
    try {
      const r = await runCli(['ode', '--K', '2', '--M', '2', '--out', join(mnt, 'x.csv')]);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/^scmv: cannot write .*x\.csv: read-only file system\n$/);
    } finally {
      execFileSync('mount', ['-o', 'remount,rw', mnt]);
      umount();
    }
  });
});

describe('interrupts and diverging runs', () => {
  it('SIGTERM stops an ensemble within two seconds, with whole rows and exit 130', () => {
    const d = fresh();
    const out = join(d, 'runs.csv');
    // a shell runs scmv, waits for the first row, sends SIGTERM and times the exit
    const script = `
      "$@" 2> "${out}.err" & pid=$!
      for i in $(seq 1 600); do [ -s "${out}" ] && [ "$(wc -l < "${out}")" -ge 3 ] && break; sleep 0.05; done
      t0=$(date +%s%N); kill -TERM $pid; wait $pid; code=$?; t1=$(date +%s%N)
      echo "$code $(( (t1 - t0) / 1000000 )) $(head -c 300 "${out}.err" | tr '\n' ' ')"; rm -f "${out}.err"`;
    const line = execFileSync('bash', ['-c', script, 'bash', process.execPath, '--import', 'tsx', 'src/cli/bin.ts', 'ensemble', '--K', '10', '--M', '10', '--runs', '500', '--workers', '1', '--out', out], { cwd: join(__dirname, '..'), encoding: 'utf8' }).trim().split('\n').pop()!;
    const [code, ms] = line.split(' ').map(Number);
    expect(code, line).toBe(130);
    expect(ms).toBeLessThan(2000);
    expect(readFileSync(out, 'utf8').endsWith('\n')).toBe(true);
    expect(readdirSync(d).filter((f) => f.endsWith('.partial') || f.endsWith('.lock'))).toEqual([]);
  });

  it('diverged replicas are counted, not summarised; a run-away comparison ODE stops at once', async () => {
    const d = fresh();
    const t0 = performance.now();
    const r = await runCli(['train', '--K', '4', '--M', '4', '--N', '100', '--lr', '50', '--replicas', '2', '--seed', '3', '--compare-ode', '--backend', 'js', '--out', join(d, 'x.csv')]);
    expect(performance.now() - t0).toBeLessThan(15_000);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/2 diverged/);
    const m = JSON.parse(readFileSync(join(d, 'x.manifest.json'), 'utf8'));
    expect(m.result.divergedCount).toBe(2);
    expect(m.result.finalLoss).toEqual([]);
    expect(m.result.maxLossAbsErr).toBeNull();
    // a moderate η: the diverged replica is left out of the headline error
    const q = await runCli(['train', '--K', '4', '--M', '4', '--N', '50', '--lr', '0.75', '--replicas', '8', '--seed', '1', '--tau-max', '20', '--compare-ode', '--ode', 'gradient-flow', '--backend', 'js', '--out', join(d, 'y.csv')]);
    const my = JSON.parse(readFileSync(join(d, 'y.manifest.json'), 'utf8'));
    expect(my.result.divergedCount).toBeGreaterThan(0);
    expect(my.result.finalLoss).toHaveLength(8 - my.result.divergedCount);
    expect(my.result.finalLoss.length).toBeGreaterThan(0);
    const rows = readFileSync(join(d, 'y.csv'), 'utf8').trim().split('\n').map((l) => l.split(','));
    const h = rows[0];
    const bad = new Set(rows.slice(1).filter((r) => r[h.indexOf('status')] === 'diverged').map((r) => r[0]));
    const errs = rows.slice(1).filter((r) => !bad.has(r[0])).map((r) => Number(r[h.indexOf('loss_abs_err')]) || 0);
    expect(bad.size).toBe(my.result.divergedCount);
    expect(my.result.maxLossAbsErr).toBe(Math.max(...errs));
    expect(q.status).toBe(0);
  });
});

describe('the main job leaves tracked files alone', () => {
  it('scmv validate writes to scmv-out/validate by default, which git ignores', () => {
    const ignored = execFileSync('git', ['check-ignore', 'scmv-out/validate/summary.csv'], { cwd: join(__dirname, '..'), encoding: 'utf8' }).trim();
    expect(ignored).toBe('scmv-out/validate/summary.csv');
  });

  it('--help states defaults plainly (no JSON) and marks required options', async () => {
    const r = await runCli(['study', 'sgd-scaling', '--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('(default: 100,200,400,800,1600)');
    expect(r.stdout).not.toMatch(/\(default: \[/);
    const e = await runCli(['ensemble', '--help']);
    expect(e.stdout).toMatch(/--runs <int>[\s\S]*?\(required\)/);
  });
});
