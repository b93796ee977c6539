// WAT source of the f64x2 SIMD products of the weight-state flow (src/theory/flow-weights.ts,
// docs/theory.md §11.8), built and loaded by src/wasm/module.ts (the build writes
// dist/theory/wasm/weights.wasm) and used by src/theory/flow-weights-wasm.ts:
//   gram(u, K, c, q):           q[k,l] = q[l,k] = Σ_i u[k,i] u[l,i]              (K×c rows → K×K)
//   su(u, s, h, K, M, c, du):    du[k,:] = −(Σ_j s[k,j] u[j,:] + [h[k,:] | 0])    (K×K, K×M → K×c)
// All arguments are byte addresses or counts; matrices are row-major f64 without padding (odd c
// takes a scalar tail). The JS side owns the layout.
import type { WatKernel } from '../../wasm/module.js';

/** gram: one f64x2 accumulator pair per (k, l) dot product, upper triangle mirrored. */
const GRAM = `
  (func $gram (export "gram") (param $u i32) (param $K i32) (param $c i32) (param $q i32)
    (local $k i32) (local $l i32) (local $i i32) (local $pk i32) (local $pl i32)
    (local $rowb i32) (local $c4 i32) (local $c2 i32) (local $a0 v128) (local $a1 v128) (local $s f64)
    (local.set $rowb (i32.shl (local.get $c) (i32.const 3)))
    (local.set $c4 (i32.shl (i32.and (local.get $c) (i32.const -4)) (i32.const 3)))
    (local.set $c2 (i32.shl (i32.and (local.get $c) (i32.const -2)) (i32.const 3)))
    (block $kend (loop $kl
      (br_if $kend (i32.ge_u (local.get $k) (local.get $K)))
      (local.set $pk (i32.add (local.get $u) (i32.mul (local.get $k) (local.get $rowb))))
      (local.set $l (local.get $k))
      (block $lend (loop $ll
        (br_if $lend (i32.ge_u (local.get $l) (local.get $K)))
        (local.set $pl (i32.add (local.get $u) (i32.mul (local.get $l) (local.get $rowb))))
        (local.set $a0 (v128.const f64x2 0 0))
        (local.set $a1 (v128.const f64x2 0 0))
        (local.set $i (i32.const 0))
        (block $iend (loop $il
          (br_if $iend (i32.ge_u (local.get $i) (local.get $c4)))
          (local.set $a0 (f64x2.add (local.get $a0) (f64x2.mul
            (v128.load (i32.add (local.get $pk) (local.get $i))) (v128.load (i32.add (local.get $pl) (local.get $i))))))
          (local.set $a1 (f64x2.add (local.get $a1) (f64x2.mul
            (v128.load offset=16 (i32.add (local.get $pk) (local.get $i))) (v128.load offset=16 (i32.add (local.get $pl) (local.get $i))))))
          (local.set $i (i32.add (local.get $i) (i32.const 32)))
          (br $il)))
        (if (i32.lt_u (local.get $i) (local.get $c2))
          (then
            (local.set $a0 (f64x2.add (local.get $a0) (f64x2.mul
              (v128.load (i32.add (local.get $pk) (local.get $i))) (v128.load (i32.add (local.get $pl) (local.get $i))))))
            (local.set $i (i32.add (local.get $i) (i32.const 16)))))
        (local.set $a0 (f64x2.add (local.get $a0) (local.get $a1)))
        (local.set $s (f64.add (f64x2.extract_lane 0 (local.get $a0)) (f64x2.extract_lane 1 (local.get $a0))))
        (if (i32.lt_u (local.get $i) (local.get $rowb))
          (then (local.set $s (f64.add (local.get $s) (f64.mul
            (f64.load (i32.add (local.get $pk) (local.get $i))) (f64.load (i32.add (local.get $pl) (local.get $i))))))))
        (f64.store (i32.add (local.get $q) (i32.shl (i32.add (i32.mul (local.get $k) (local.get $K)) (local.get $l)) (i32.const 3))) (local.get $s))
        (f64.store (i32.add (local.get $q) (i32.shl (i32.add (i32.mul (local.get $l) (local.get $K)) (local.get $k)) (i32.const 3))) (local.get $s))
        (local.set $l (i32.add (local.get $l) (i32.const 1)))
        (br $ll)))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br $kl))))`;

/**
 * su: for each row k, output chunks of 4 (then 2, then 1) columns kept in registers while j runs
 * over the K rows of u (one splat of s[k,j] per j), then −(· + h) on the first M columns.
 */
const SU = `
  (func $su (export "su") (param $u i32) (param $s i32) (param $h i32) (param $K i32) (param $M i32) (param $c i32) (param $du i32)
    (local $k i32) (local $j i32) (local $i i32) (local $rowb i32) (local $c4 i32) (local $c2 i32)
    (local $pdu i32) (local $sk i32) (local $p i32) (local $sv v128) (local $a0 v128) (local $a1 v128) (local $x f64)
    (local $m i32) (local $ph i32)
    (local.set $rowb (i32.shl (local.get $c) (i32.const 3)))
    (local.set $c4 (i32.shl (i32.and (local.get $c) (i32.const -4)) (i32.const 3)))
    (local.set $c2 (i32.shl (i32.and (local.get $c) (i32.const -2)) (i32.const 3)))
    (block $kend (loop $kl
      (br_if $kend (i32.ge_u (local.get $k) (local.get $K)))
      (local.set $pdu (i32.add (local.get $du) (i32.mul (local.get $k) (local.get $rowb))))
      (local.set $sk (i32.add (local.get $s) (i32.shl (i32.mul (local.get $k) (local.get $K)) (i32.const 3))))
      (local.set $i (i32.const 0))
      (block $c4end (loop $c4l
        (br_if $c4end (i32.ge_u (local.get $i) (local.get $c4)))
        (local.set $a0 (v128.const f64x2 0 0))
        (local.set $a1 (v128.const f64x2 0 0))
        (local.set $j (i32.const 0))
        (local.set $p (i32.add (local.get $u) (local.get $i)))
        (block $jend (loop $jl
          (br_if $jend (i32.ge_u (local.get $j) (local.get $K)))
          (local.set $sv (v128.load64_splat (i32.add (local.get $sk) (i32.shl (local.get $j) (i32.const 3)))))
          (local.set $a0 (f64x2.add (local.get $a0) (f64x2.mul (local.get $sv) (v128.load (local.get $p)))))
          (local.set $a1 (f64x2.add (local.get $a1) (f64x2.mul (local.get $sv) (v128.load offset=16 (local.get $p)))))
          (local.set $p (i32.add (local.get $p) (local.get $rowb)))
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (br $jl)))
        (v128.store (i32.add (local.get $pdu) (local.get $i)) (local.get $a0))
        (v128.store offset=16 (i32.add (local.get $pdu) (local.get $i)) (local.get $a1))
        (local.set $i (i32.add (local.get $i) (i32.const 32)))
        (br $c4l)))
      (if (i32.lt_u (local.get $i) (local.get $c2))
        (then
          (local.set $a0 (v128.const f64x2 0 0))
          (local.set $j (i32.const 0))
          (local.set $p (i32.add (local.get $u) (local.get $i)))
          (block $jend2 (loop $jl2
            (br_if $jend2 (i32.ge_u (local.get $j) (local.get $K)))
            (local.set $a0 (f64x2.add (local.get $a0) (f64x2.mul
              (v128.load64_splat (i32.add (local.get $sk) (i32.shl (local.get $j) (i32.const 3)))) (v128.load (local.get $p)))))
            (local.set $p (i32.add (local.get $p) (local.get $rowb)))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $jl2)))
          (v128.store (i32.add (local.get $pdu) (local.get $i)) (local.get $a0))
          (local.set $i (i32.add (local.get $i) (i32.const 16)))))
      (if (i32.lt_u (local.get $i) (local.get $rowb))
        (then
          (local.set $x (f64.const 0))
          (local.set $j (i32.const 0))
          (local.set $p (i32.add (local.get $u) (local.get $i)))
          (block $jend3 (loop $jl3
            (br_if $jend3 (i32.ge_u (local.get $j) (local.get $K)))
            (local.set $x (f64.add (local.get $x) (f64.mul
              (f64.load (i32.add (local.get $sk) (i32.shl (local.get $j) (i32.const 3)))) (f64.load (local.get $p)))))
            (local.set $p (i32.add (local.get $p) (local.get $rowb)))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $jl3)))
          (f64.store (i32.add (local.get $pdu) (local.get $i)) (local.get $x))))
      ;; du[k, m] = −(du[k, m] + h[k, m]) for m < M, −du[k, i] beyond
      (local.set $ph (i32.add (local.get $h) (i32.shl (i32.mul (local.get $k) (local.get $M)) (i32.const 3))))
      (local.set $m (i32.const 0))
      (block $mend (loop $ml
        (br_if $mend (i32.ge_u (local.get $m) (local.get $M)))
        (local.set $p (i32.add (local.get $pdu) (i32.shl (local.get $m) (i32.const 3))))
        (f64.store (local.get $p) (f64.neg (f64.add (f64.load (local.get $p))
          (f64.load (i32.add (local.get $ph) (i32.shl (local.get $m) (i32.const 3)))))))
        (local.set $m (i32.add (local.get $m) (i32.const 1)))
        (br $ml)))
      (block $pend (loop $pl
        (br_if $pend (i32.ge_u (local.get $m) (local.get $c)))
        (local.set $p (i32.add (local.get $pdu) (i32.shl (local.get $m) (i32.const 3))))
        (f64.store (local.get $p) (f64.neg (f64.load (local.get $p))))
        (local.set $m (i32.add (local.get $m) (i32.const 1)))
        (br $pl)))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br $kl))))`;

export const WEIGHTS_WAT = `(module
  (memory (export "memory") 1)
${GRAM}
${SU}
)`;

/** The kernel for src/wasm/module.ts: the build writes dist/theory/wasm/weights.wasm. */
export const WEIGHTS_KERNEL: WatKernel = { name: 'weights', text: WEIGHTS_WAT, file: 'theory/wasm/weights.wasm' };
