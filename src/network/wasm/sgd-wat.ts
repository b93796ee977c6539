// WAT source of the WASM SIMD (f64x2) online-SGD kernel (docs/theory.md §4.2, §10), assembled by the
// build (or at load time with wabt) through src/wasm/module.ts. One call of `run` (or `runq`)
// advances ONE replica by `steps` steps:
//
//   x ~ N(0, I_N)  (xoshiro128** + 128-strip ziggurat, bit-identical to src/random/rng.ts),
//   λ = W x/√N, ν = W* x/√N, Δ = Σ_k g(λ_k) − Σ_m g(ν_m),
//   w_k ← w_k − (η/√N) Δ g′(λ_k) x,     g(z) = z > 0 ? z : αz  (α = 0: ReLU).
//
// `runq` also keeps the replica's overlaps current by the exact increments of docs/theory.md §10
// (the same operations, in the same order, as src/network/track.ts):
//
//   row k of [Q R] ← (row − a_k z) − b_k c,   z = [λ, ν], c = [c_0…c_{K−1}, 0…],
//   a_k = c_k/√N, b_k = λ_k/√N − c_k |x|²/N,  c_k = (η/√N) Δ g′(λ_k),
//
// with |x|² from one more row (x itself) in the projection, and, when asked, folds every step into
// the window sums of src/network/window.ts (d = v − v_ref, S1 += d, S2 += d²) in f64x2.
// `exact` recomputes the overlaps from the weights (Q_kl = w_k·w_l/N, R_km = w_k·w*_m/N, with the
// projection loop) and returns the drift max |tracked − exact|.
//
// Memory layout (bytes): [0, 1024) kn, [1024, 2048) wn, [2048, 3072) fn (the ziggurat tables,
// f64, copied in from src/random/ziggurat.ts), [3072, 3584) ki = ⌈kn⌉ as i32; everything else is laid out by the JS side:
//   st   : 4 × i32 xoshiro state [s0, s1, s2, s3] (read at entry, written back at exit)
//   x    : Ns × f64 input buffer, Ns = N rounded up to a multiple of 4, x[N…Ns) = 0
//   rows : (K + M + 1) × i32 byte addresses of the rows w_0…w_{K−1}, w*_0…w*_{M−1}, and x (for |x|²)
//          (stride-free: each row holds Ns f64 with zero padding)
//   proj : (K + M + 1) × f64 scratch for λ, ν (and |x|²/√N, zeroed after use)
//   ov   : (runq) 4 blocks of K × Ps f64, Ps = K + M rounded up to even, B = 8·K·Ps bytes each:
//          [ov | ref | S1 | S2], row k of ov = [Q_k·, R_k·, 0 padding]
//   cz   : (runq) Ps × f64 scratch for c, zero beyond K
// `run` returns the number of steps taken: `steps`, or fewer when a step has !(|Δ| ≤ maxDelta)
// (that step's update is not applied, to the weights or the overlaps). With gen = 0 it does not
// sample: x must be filled by the caller (use steps = 1 then).
// The ziggurat's rare slow path (≈1.2 % of draws) calls the host's Math.log / Math.exp, so the
// stream matches the JS generator bit for bit.
import type { WatKernel } from '../../wasm/module.js';

/** Shape of the projection loop: rows sharing each load of x, and f64x2 accumulators per row (1 or 2). */
export interface SgdWatOptions {
  rowsPerBlock: number;
  accPerRow: 1 | 2;
}

export const DEFAULT_SGD_WAT: SgdWatOptions = { rowsPerBlock: 4, accPerRow: 1 };

/**
 * WAT of $project: proj[r] = (row_r · x)/√N for the R = K + M rows (Ns a multiple of 4). Rows go
 * in blocks of `nr` sharing each load of x (`na` accumulators per row), the rest one by one.
 */
function projectWat(nr: number, na: 1 | 2): string {
  const rows = Array.from({ length: nr }, (_, j) => j);
  const L = (n: string) => `(local.get $${n})`;
  const acc = (j: number, u: number) => `$a${j}_${u}`;
  const zero = '(v128.const i64x2 0 0)';
  const step = 16 * na;
  const lanes = (v: string) => `(f64.add (f64x2.extract_lane 0 ${v}) (f64x2.extract_lane 1 ${v}))`;
  const sumAcc = (j: number) => (na === 1 ? L(acc(j, 0).slice(1)) : `(f64x2.add ${L(acc(j, 0).slice(1))} ${L(acc(j, 1).slice(1))})`);
  return `
  (func $project (param $x i32) (param $rows i32) (param $proj i32) (param $R i32) (param $Ns i32) (param $s f64)
    (local $r i32) (local $i i32) (local $end i32) (local $q i32) (local $t0 v128) (local $t1 v128)
    ${Array.from({ length: na }, (_, u) => `(local $x${u} v128)`).join(' ')}
    ${rows.map((j) => `(local $p${j} i32)`).join(' ')}
    ${rows.map((j) => Array.from({ length: na }, (_, u) => `(local ${acc(j, u)} v128)`).join(' ')).join(' ')}
    (local.set $end (i32.shl ${L('Ns')} (i32.const 3)))
    (block $blocks
      (loop $block
        (br_if $blocks (i32.gt_s (i32.add ${L('r')} (i32.const ${nr})) ${L('R')}))
        (local.set $q (i32.add ${L('rows')} (i32.shl ${L('r')} (i32.const 2))))
        ${rows.map((j) => `(local.set $p${j} (i32.load offset=${4 * j} ${L('q')}))`).join('\n        ')}
        ${rows.map((j) => Array.from({ length: na }, (_, u) => `(local.set ${acc(j, u)} ${zero})`).join(' ')).join('\n        ')}
        (local.set $i (i32.const 0))
        (loop $dot
          ${Array.from({ length: na }, (_, u) => `(local.set $x${u} (v128.load offset=${16 * u} (i32.add ${L('x')} ${L('i')})))`).join('\n          ')}
          ${rows.map((j) => Array.from({ length: na }, (_, u) =>
            `(local.set ${acc(j, u)} (f64x2.add (local.get ${acc(j, u)}) (f64x2.mul (v128.load offset=${16 * u} (i32.add ${L(`p${j}`)} ${L('i')})) ${L(`x${u}`)})))`).join('\n          ')).join('\n          ')}
          (local.set $i (i32.add ${L('i')} (i32.const ${step})))
          (br_if $dot (i32.lt_u ${L('i')} ${L('end')})))
        (local.set $q (i32.add ${L('proj')} (i32.shl ${L('r')} (i32.const 3))))
        ${rows.map((j) => `(local.set $t0 ${sumAcc(j)}) (f64.store offset=${8 * j} ${L('q')} (f64.mul ${lanes(L('t0'))} ${L('s')}))`).join('\n        ')}
        (local.set $r (i32.add ${L('r')} (i32.const ${nr})))
        (br $block)))
    ;; remaining rows one at a time, two accumulators
    (block $rest
      (loop $row
        (br_if $rest (i32.ge_s ${L('r')} ${L('R')}))
        (local.set $p0 (i32.load (i32.add ${L('rows')} (i32.shl ${L('r')} (i32.const 2)))))
        (local.set $t0 ${zero}) (local.set $t1 ${zero})
        (local.set $i (i32.const 0))
        (loop $dot1
          (local.set $t0 (f64x2.add ${L('t0')}
            (f64x2.mul (v128.load (i32.add ${L('p0')} ${L('i')})) (v128.load (i32.add ${L('x')} ${L('i')})))))
          (local.set $t1 (f64x2.add ${L('t1')}
            (f64x2.mul (v128.load offset=16 (i32.add ${L('p0')} ${L('i')})) (v128.load offset=16 (i32.add ${L('x')} ${L('i')})))))
          (local.set $i (i32.add ${L('i')} (i32.const 32)))
          (br_if $dot1 (i32.lt_u ${L('i')} ${L('end')})))
        (local.set $t0 (f64x2.add ${L('t0')} ${L('t1')}))
        (f64.store (i32.add ${L('proj')} (i32.shl ${L('r')} (i32.const 3))) (f64.mul ${lanes(L('t0'))} ${L('s')}))
        (local.set $r (i32.add ${L('r')} (i32.const 1)))
        (br $row))))
`;
}

/** The module text; `opts` shapes the projection loop (bench/sgd.ts tries a few). */
export function sgdWat(opts: SgdWatOptions = DEFAULT_SGD_WAT): string {
  return String.raw`
(module
  (import "m" "log" (func $log (param f64) (result f64)))
  (import "m" "exp" (func $exp (param f64) (result f64)))
  (memory (export "memory") 1)
  (global $s0 (mut i32) (i32.const 0))
  (global $s1 (mut i32) (i32.const 0))
  (global $s2 (mut i32) (i32.const 0))
  (global $s3 (mut i32) (i32.const 0))

  ;; xoshiro128** on the globals
  (func $u32 (result i32)
    (local $r i32) (local $t i32)
    (local.set $r (i32.mul (i32.rotl (i32.mul (global.get $s1) (i32.const 5)) (i32.const 7)) (i32.const 9)))
    (local.set $t (i32.shl (global.get $s1) (i32.const 9)))
    (global.set $s2 (i32.xor (global.get $s2) (global.get $s0)))
    (global.set $s3 (i32.xor (global.get $s3) (global.get $s1)))
    (global.set $s1 (i32.xor (global.get $s1) (global.get $s2)))
    (global.set $s0 (i32.xor (global.get $s0) (global.get $s3)))
    (global.set $s2 (i32.xor (global.get $s2) (local.get $t)))
    (global.set $s3 (i32.rotl (global.get $s3) (i32.const 11)))
    (local.get $r))

  ;; uniform in (0, 1): (u32 + 0.5) 2^-32
  (func $uniform (result f64)
    (f64.mul (f64.add (f64.convert_i32_u (call $u32)) (f64.const 0.5)) (f64.const 2.3283064365386963e-10)))

  ;; ziggurat slow path, entered with the draw j that failed the fast test; loops like the JS sampler
  (func $normalSlow (param $j i32) (result f64)
    (local $iz i32) (local $hz i32) (local $x f64) (local $xt f64) (local $yt f64) (local $hzf f64)
    (loop $again
      (local.set $iz (i32.and (local.get $j) (i32.const 127)))
      (local.set $hz (i32.shr_s (local.get $j) (i32.const 7)))
      (local.set $hzf (f64.convert_i32_s (local.get $hz)))
      (local.set $x (f64.mul (local.get $hzf) (f64.load offset=1024 (i32.shl (local.get $iz) (i32.const 3)))))
      (if (f64.lt (f64.abs (local.get $hzf)) (f64.load (i32.shl (local.get $iz) (i32.const 3))))
        (then (return (local.get $x))))
      (if (i32.eqz (local.get $iz))
        (then
          ;; tail beyond R
          (loop $tail
            (local.set $xt (f64.div (f64.neg (call $log (call $uniform))) (f64.const 3.442619855899)))
            (local.set $yt (f64.neg (call $log (call $uniform))))
            (br_if $tail (f64.lt (f64.add (local.get $yt) (local.get $yt)) (f64.mul (local.get $xt) (local.get $xt)))))
          (if (i32.gt_s (local.get $hz) (i32.const 0))
            (then (return (f64.add (f64.const 3.442619855899) (local.get $xt)))))
          (return (f64.sub (f64.const -3.442619855899) (local.get $xt)))))
      ;; wedge: fn[iz] + U (fn[iz−1] − fn[iz]) < exp(−x²/2)
      (if (f64.lt
            (f64.add
              (f64.load offset=2048 (i32.shl (local.get $iz) (i32.const 3)))
              (f64.mul (call $uniform)
                (f64.sub (f64.load offset=2040 (i32.shl (local.get $iz) (i32.const 3)))
                         (f64.load offset=2048 (i32.shl (local.get $iz) (i32.const 3))))))
            (call $exp (f64.mul (f64.mul (f64.const -0.5) (local.get $x)) (local.get $x))))
        (then (return (local.get $x))))
      (local.set $j (call $u32))
      (br $again))
    (f64.const 0))

  ;; x[0…N) ← N(0, 1) draws. The fast path runs with the state in locals; a draw that needs the
  ;; slow path leaves the inner loop, which hands the state to $normalSlow through the globals.
  (func $fill (export "fill") (param $x i32) (param $N i32)
    (local $a i32) (local $b i32) (local $c i32) (local $d i32) (local $t i32)
    (local $j i32) (local $iz i32) (local $hz i32) (local $sg i32) (local $end i32)
    (local.set $end (i32.add (local.get $x) (i32.shl (local.get $N) (i32.const 3))))
    (if (i32.ge_u (local.get $x) (local.get $end)) (then (return)))
    (block $done
      (loop $outer
        (local.set $a (global.get $s0)) (local.set $b (global.get $s1))
        (local.set $c (global.get $s2)) (local.set $d (global.get $s3))
        (block $slow
          (loop $next
            (local.set $j (i32.mul (i32.rotl (i32.mul (local.get $b) (i32.const 5)) (i32.const 7)) (i32.const 9)))
            (local.set $t (i32.shl (local.get $b) (i32.const 9)))
            (local.set $c (i32.xor (local.get $c) (local.get $a)))
            (local.set $d (i32.xor (local.get $d) (local.get $b)))
            (local.set $b (i32.xor (local.get $b) (local.get $c)))
            (local.set $a (i32.xor (local.get $a) (local.get $d)))
            (local.set $c (i32.xor (local.get $c) (local.get $t)))
            (local.set $d (i32.rotl (local.get $d) (i32.const 11)))
            (local.set $iz (i32.and (local.get $j) (i32.const 127)))
            (local.set $hz (i32.shr_s (local.get $j) (i32.const 7)))
            (local.set $sg (i32.shr_s (local.get $hz) (i32.const 31)))
            ;; fast test |hz| < kn[iz]  ⇔  |hz| < ki[iz] = ⌈kn[iz]⌉ (hz is an integer)
            (br_if $slow (i32.ge_u (i32.sub (i32.xor (local.get $hz) (local.get $sg)) (local.get $sg))
                                   (i32.load offset=3072 (i32.shl (local.get $iz) (i32.const 2)))))
            (f64.store (local.get $x)
              (f64.mul (f64.convert_i32_s (local.get $hz)) (f64.load offset=1024 (i32.shl (local.get $iz) (i32.const 3)))))
            (local.set $x (i32.add (local.get $x) (i32.const 8)))
            (br_if $next (i32.lt_u (local.get $x) (local.get $end))))
          (global.set $s0 (local.get $a)) (global.set $s1 (local.get $b))
          (global.set $s2 (local.get $c)) (global.set $s3 (local.get $d))
          (br $done))
        (global.set $s0 (local.get $a)) (global.set $s1 (local.get $b))
        (global.set $s2 (local.get $c)) (global.set $s3 (local.get $d))
        (f64.store (local.get $x) (call $normalSlow (local.get $j)))
        (local.set $x (i32.add (local.get $x) (i32.const 8)))
        (br_if $outer (i32.lt_u (local.get $x) (local.get $end))))))

${projectWat(opts.rowsPerBlock, opts.accPerRow)}
  ;; row ← row − c x over Ns (multiple of 4) entries
  (func $axpy (param $row i32) (param $x i32) (param $Ns i32) (param $c f64)
    (local $i i32) (local $end i32) (local $cv v128) (local $p i32) (local $q i32)
    (local.set $cv (f64x2.splat (local.get $c)))
    (local.set $end (i32.shl (local.get $Ns) (i32.const 3)))
    (loop $l
      (local.set $p (i32.add (local.get $row) (local.get $i)))
      (local.set $q (i32.add (local.get $x) (local.get $i)))
      (v128.store (local.get $p) (f64x2.sub (v128.load (local.get $p)) (f64x2.mul (local.get $cv) (v128.load (local.get $q)))))
      (v128.store offset=16 (local.get $p)
        (f64x2.sub (v128.load offset=16 (local.get $p)) (f64x2.mul (local.get $cv) (v128.load offset=16 (local.get $q)))))
      (local.set $i (i32.add (local.get $i) (i32.const 32)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $end)))))

  ;; row ← (row − a z) − b c over Ps (even) entries: docs/theory.md §10's increment of row k of [Q R].
  ;; With B > 0 the new values are also folded into the window: d = row − ref, S1 += d, S2 += d²,
  ;; where ref, S1, S2 sit B, 2B, 3B bytes after the row.
  (func $trackRow (param $row i32) (param $z i32) (param $c i32) (param $Ps i32) (param $a f64) (param $b f64) (param $B i32)
    (local $i i32) (local $end i32) (local $p i32) (local $av v128) (local $bv v128) (local $v v128) (local $d v128) (local $q i32)
    (local.set $av (f64x2.splat (local.get $a)))
    (local.set $bv (f64x2.splat (local.get $b)))
    (local.set $end (i32.shl (local.get $Ps) (i32.const 3)))
    (if (i32.eqz (local.get $B))
      (then
        (loop $l
          (local.set $p (i32.add (local.get $row) (local.get $i)))
          (v128.store (local.get $p)
            (f64x2.sub
              (f64x2.sub (v128.load (local.get $p)) (f64x2.mul (local.get $av) (v128.load (i32.add (local.get $z) (local.get $i)))))
              (f64x2.mul (local.get $bv) (v128.load (i32.add (local.get $c) (local.get $i))))))
          (local.set $i (i32.add (local.get $i) (i32.const 16)))
          (br_if $l (i32.lt_u (local.get $i) (local.get $end)))))
      (else
        (loop $w
          (local.set $p (i32.add (local.get $row) (local.get $i)))
          (local.set $v
            (f64x2.sub
              (f64x2.sub (v128.load (local.get $p)) (f64x2.mul (local.get $av) (v128.load (i32.add (local.get $z) (local.get $i)))))
              (f64x2.mul (local.get $bv) (v128.load (i32.add (local.get $c) (local.get $i))))))
          (v128.store (local.get $p) (local.get $v))
          (local.set $q (i32.add (local.get $p) (local.get $B)))
          (local.set $d (f64x2.sub (local.get $v) (v128.load (local.get $q))))
          (local.set $q (i32.add (local.get $q) (local.get $B)))
          (v128.store (local.get $q) (f64x2.add (v128.load (local.get $q)) (local.get $d)))
          (local.set $q (i32.add (local.get $q) (local.get $B)))
          (v128.store (local.get $q) (f64x2.add (v128.load (local.get $q)) (f64x2.mul (local.get $d) (local.get $d))))
          (local.set $i (i32.add (local.get $i) (i32.const 16)))
          (br_if $w (i32.lt_u (local.get $i) (local.get $end)))))))

  ;; Exact overlaps from the weights (docs/theory.md §1, §10): row k of [Q R] = (w_k · [w_0…w_{K−1}, w*_0…w*_{M−1}])·invN,
  ;; computed into scratch (K × Ps f64), compared with ov, copied over it. Returns max |ov − exact| (NaN propagates).
  (func (export "exact")
    (param $rows i32) (param $ov i32) (param $scratch i32) (param $K i32) (param $M i32) (param $Ns i32) (param $Ps i32) (param $invN f64)
    (result f64)
    (local $k i32) (local $i i32) (local $end i32) (local $drift f64) (local $e f64)
    (block $done
      (loop $row
        (br_if $done (i32.ge_s (local.get $k) (local.get $K)))
        (call $project
          (i32.load (i32.add (local.get $rows) (i32.shl (local.get $k) (i32.const 2))))
          (local.get $rows)
          (i32.add (local.get $scratch) (i32.shl (i32.mul (local.get $k) (local.get $Ps)) (i32.const 3)))
          (i32.add (local.get $K) (local.get $M)) (local.get $Ns) (local.get $invN))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $row)))
    (local.set $end (i32.shl (i32.mul (local.get $K) (local.get $Ps)) (i32.const 3)))
    (block $cdone
      (loop $copy
        (br_if $cdone (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $e (f64.load (i32.add (local.get $scratch) (local.get $i))))
        (local.set $drift (f64.max (local.get $drift)
          (f64.abs (f64.sub (f64.load (i32.add (local.get $ov) (local.get $i))) (local.get $e)))))
        (f64.store (i32.add (local.get $ov) (local.get $i)) (local.get $e))
        (local.set $i (i32.add (local.get $i) (i32.const 8)))
        (br $copy)))
    (local.get $drift))

  ;; The step loop. track = 0: weights only (ov, cz, Ps, B unused). track = 1: also the overlaps in ov
  ;; (K rows of Ps f64), c in cz, and with B > 0 the window sums B, 2B, 3B bytes after ov.
  (func $steps
    (param $st i32) (param $x i32) (param $rows i32) (param $proj i32)
    (param $K i32) (param $M i32) (param $N i32) (param $Ns i32) (param $steps i32) (param $gen i32)
    (param $lr f64) (param $s f64) (param $alpha f64) (param $maxDelta f64)
    (param $track i32) (param $ov i32) (param $cz i32) (param $Ps i32) (param $B i32)
    (result i32)
    (local $t i32) (local $k i32) (local $delta f64) (local $z f64) (local $c f64) (local $ck f64) (local $x2 f64) (local $q i32)
    (global.set $s0 (i32.load (local.get $st)))
    (global.set $s1 (i32.load offset=4 (local.get $st)))
    (global.set $s2 (i32.load offset=8 (local.get $st)))
    (global.set $s3 (i32.load offset=12 (local.get $st)))
    (block $stop
      (loop $step
        (br_if $stop (i32.ge_s (local.get $t) (local.get $steps)))
        (if (local.get $gen) (then (call $fill (local.get $x) (local.get $N))))
        ;; with track, row K + M is x itself: proj[K + M] = |x|²/√N
        (call $project (local.get $x) (local.get $rows) (local.get $proj)
          (i32.add (i32.add (local.get $K) (local.get $M)) (local.get $track)) (local.get $Ns) (local.get $s))
        ;; Δ = −Σ_m g(ν_m) + Σ_k g(λ_k) (same order as the js kernel)
        (local.set $delta (f64.const 0))
        (local.set $k (i32.const 0))
        (block $tdone
          (loop $tl
            (br_if $tdone (i32.ge_s (local.get $k) (local.get $M)))
            (local.set $z (f64.load (i32.add (local.get $proj) (i32.shl (i32.add (local.get $K) (local.get $k)) (i32.const 3)))))
            (local.set $delta (f64.sub (local.get $delta)
              (select (local.get $z) (f64.mul (local.get $alpha) (local.get $z)) (f64.gt (local.get $z) (f64.const 0)))))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br $tl)))
        (local.set $k (i32.const 0))
        (block $sdone
          (loop $sl
            (br_if $sdone (i32.ge_s (local.get $k) (local.get $K)))
            (local.set $z (f64.load (i32.add (local.get $proj) (i32.shl (local.get $k) (i32.const 3)))))
            (local.set $delta (f64.add (local.get $delta)
              (select (local.get $z) (f64.mul (local.get $alpha) (local.get $z)) (f64.gt (local.get $z) (f64.const 0)))))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br $sl)))
        (br_if $stop (i32.eqz (f64.le (f64.abs (local.get $delta)) (local.get $maxDelta))))
        (local.set $c (f64.mul (local.get $lr) (local.get $delta)))
        (local.set $k (i32.const 0))
        (block $udone
          (loop $ul
            (br_if $udone (i32.ge_s (local.get $k) (local.get $K)))
            (local.set $ck (f64.mul (local.get $c)
              (select (f64.const 1) (local.get $alpha)
                (f64.gt (f64.load (i32.add (local.get $proj) (i32.shl (local.get $k) (i32.const 3)))) (f64.const 0)))))
            (if (local.get $track)
              (then (f64.store (i32.add (local.get $cz) (i32.shl (local.get $k) (i32.const 3))) (local.get $ck))))
            (if (f64.ne (local.get $ck) (f64.const 0))
              (then (call $axpy (i32.load (i32.add (local.get $rows) (i32.shl (local.get $k) (i32.const 2))))
                (local.get $x) (local.get $Ns) (local.get $ck))))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br $ul)))
        (if (local.get $track)
          (then
            ;; |x|²/N = proj[K + M]·(1/√N); the slot is zeroed so that z's padding stays 0
            (local.set $q (i32.add (local.get $proj) (i32.shl (i32.add (local.get $K) (local.get $M)) (i32.const 3))))
            (local.set $x2 (f64.mul (f64.load (local.get $q)) (local.get $s)))
            (f64.store (local.get $q) (f64.const 0))
            (local.set $k (i32.const 0))
            (block $qdone
              (loop $ql
                (br_if $qdone (i32.ge_s (local.get $k) (local.get $K)))
                (local.set $ck (f64.load (i32.add (local.get $cz) (i32.shl (local.get $k) (i32.const 3)))))
                ;; a_k = c_k/√N, b_k = λ_k/√N − c_k |x|²/N
                (call $trackRow
                  (i32.add (local.get $ov) (i32.shl (i32.mul (local.get $k) (local.get $Ps)) (i32.const 3)))
                  (local.get $proj) (local.get $cz) (local.get $Ps)
                  (f64.mul (local.get $s) (local.get $ck))
                  (f64.sub
                    (f64.mul (local.get $s) (f64.load (i32.add (local.get $proj) (i32.shl (local.get $k) (i32.const 3)))))
                    (f64.mul (local.get $x2) (local.get $ck)))
                  (local.get $B))
                (local.set $k (i32.add (local.get $k) (i32.const 1)))
                (br $ql)))))
        (local.set $t (i32.add (local.get $t) (i32.const 1)))
        (br $step)))
    (i32.store (local.get $st) (global.get $s0))
    (i32.store offset=4 (local.get $st) (global.get $s1))
    (i32.store offset=8 (local.get $st) (global.get $s2))
    (i32.store offset=12 (local.get $st) (global.get $s3))
    (local.get $t))

  ;; Weights only (docs/theory.md §4.2).
  (func (export "run")
    (param $st i32) (param $x i32) (param $rows i32) (param $proj i32)
    (param $K i32) (param $M i32) (param $N i32) (param $Ns i32) (param $steps i32) (param $gen i32)
    (param $lr f64) (param $s f64) (param $alpha f64) (param $maxDelta f64)
    (result i32)
    (call $steps (local.get $st) (local.get $x) (local.get $rows) (local.get $proj)
      (local.get $K) (local.get $M) (local.get $N) (local.get $Ns) (local.get $steps) (local.get $gen)
      (local.get $lr) (local.get $s) (local.get $alpha) (local.get $maxDelta)
      (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)))

  ;; Weights and overlaps (docs/theory.md §4.2, §10), and with B > 0 the window sums.
  (func (export "runq")
    (param $st i32) (param $x i32) (param $rows i32) (param $proj i32)
    (param $K i32) (param $M i32) (param $N i32) (param $Ns i32) (param $steps i32) (param $gen i32)
    (param $lr f64) (param $s f64) (param $alpha f64) (param $maxDelta f64)
    (param $ov i32) (param $cz i32) (param $Ps i32) (param $B i32)
    (result i32)
    (call $steps (local.get $st) (local.get $x) (local.get $rows) (local.get $proj)
      (local.get $K) (local.get $M) (local.get $N) (local.get $Ns) (local.get $steps) (local.get $gen)
      (local.get $lr) (local.get $s) (local.get $alpha) (local.get $maxDelta)
      (i32.const 1) (local.get $ov) (local.get $cz) (local.get $Ps) (local.get $B)))
)
`;
}

/** The module text with the default loop shape. */
export const SGD_WAT = sgdWat();

/** The kernel for src/wasm/module.ts: the build writes dist/network/wasm/sgd.wasm. */
export const SGD_KERNEL: WatKernel = { name: 'sgd', text: SGD_WAT, file: 'network/wasm/sgd.wasm' };
