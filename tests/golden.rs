//! Golden vectors (issue 8): output hash, error kind, trap code and exact fuel of fixed calls,
//! asserted on whatever architecture the tests run on.
//!
//! `FAZT_GOLDEN_UPDATE=1 cargo test -p fazt-wasm-tests golden` rewrites
//! `tests/golden/vectors.json` instead of asserting. A mismatch on another architecture is a
//! bug to fix, not a vector to update. A mismatch after a wasmi bump means the fuel schedule
//! changed: decide on it consciously, then regenerate.

use std::sync::Arc;

use fazt_wasm_hostfns::vfs::MemVfs;
use fazt_wasm_runtime::{
    Args, CallError, CallOptions, DEFAULT_MAX_STACK_DEPTH, Module, ModuleConfig, Output, Runtime,
    RuntimeConfig, engine_config,
};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::guests::{ECHO_WASM, LIBIMAGE_WASM, LIBPDF_WASM, LIBXLSX_WASM};

const GOLDEN_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/golden/vectors.json");

/// The golden file's first field, for whoever opens it.
const ABOUT: &str = "Asserted by tests/golden.rs on every architecture; regenerate with \
    FAZT_GOLDEN_UPDATE=1 only for a deliberate change (never for an architecture mismatch).";

/// Bigger frames than `DEFAULT_MAX_STACK_DEPTH` frames of value stack can hold, so that
/// recursion runs out of value stack before it reaches the depth limit.
const BIG_FRAME_LOCALS: usize = 2_000;

/// Outputs up to this size are recorded in full as well as hashed.
const MAX_OUTPUT_HEX_BYTES: usize = 512;

/// Hand-written numerics, memory and trap cases. Operands sit in mutable globals so wasmi
/// cannot fold them at translation time: the operations run in the interpreter.
const NUMERICS_WAT: &str = r#"
(module
  (type $i2i (func (param i32) (result i32)))
  (type $d2d (func (param f64) (result f64)))
  (memory (export "memory") 1)
  (table 4 funcref)
  (elem (i32.const 0) func $id_i32 $id_f64)
  (data (i32.const 0) "golden vectors: bytes to copy around")

  (global $bump (mut i32) (i32.const 4096))
  (global $out (mut i32) (i32.const 0))

  (global $d0 (mut f64) (f64.const 0))
  (global $dm0 (mut f64) (f64.const -0))
  (global $d1 (mut f64) (f64.const 1))
  (global $dm1 (mut f64) (f64.const -1))
  (global $d2 (mut f64) (f64.const 2))
  (global $d3 (mut f64) (f64.const 3))
  (global $d0_1 (mut f64) (f64.const 0.1))
  (global $d0_2 (mut f64) (f64.const 0.2))
  (global $d0_5 (mut f64) (f64.const 0.5))
  (global $dm0_5 (mut f64) (f64.const -0.5))
  (global $d2_5 (mut f64) (f64.const 2.5))
  (global $dbig (mut f64) (f64.const 1e300))
  (global $dtiny (mut f64) (f64.const 0x1p-1022))
  (global $dinf (mut f64) (f64.const inf))
  (global $dnan (mut f64) (f64.const nan:0x4000000000001))
  (global $dnegnan (mut f64) (f64.const -nan))

  (global $f0 (mut f32) (f32.const 0))
  (global $fm0 (mut f32) (f32.const -0))
  (global $f1 (mut f32) (f32.const 1))
  (global $fm1 (mut f32) (f32.const -1))
  (global $f3 (mut f32) (f32.const 3))
  (global $f0_1 (mut f32) (f32.const 0.1))
  (global $f0_2 (mut f32) (f32.const 0.2))
  (global $f2_5 (mut f32) (f32.const 2.5))
  (global $finf (mut f32) (f32.const inf))
  (global $fnan (mut f32) (f32.const nan:0x200001))
  (global $fnegnan (mut f32) (f32.const -nan))

  (global $i0 (mut i32) (i32.const 0))
  (global $i1 (mut i32) (i32.const 1))
  (global $im1 (mut i32) (i32.const -1))
  (global $im7 (mut i32) (i32.const -7))
  (global $imin (mut i32) (i32.const 0x80000000))
  (global $imax (mut i32) (i32.const 0x7fffffff))
  (global $ipat (mut i32) (i32.const 0x12345678))
  (global $l0 (mut i64) (i64.const 0))
  (global $l1 (mut i64) (i64.const 1))
  (global $lm1 (mut i64) (i64.const -1))
  (global $lm7 (mut i64) (i64.const -7))
  (global $lmin (mut i64) (i64.const 0x8000000000000000))
  (global $lmax (mut i64) (i64.const 0x7fffffffffffffff))
  (global $lpat (mut i64) (i64.const 0x123456789abcdef0))
  (global $lnanbits (mut i64) (i64.const 0xfff0000000000123))

  (func $alloc (export "fazt_alloc") (param $len i32) (result i32)
    (local $p i32)
    (local.set $p (global.get $bump))
    (global.set $bump (i32.add (local.get $p) (local.get $len)))
    (local.get $p))
  (func (export "fazt_dealloc") (param i32 i32))
  (func $pack (param $ptr i32) (param $len i32) (result i64)
    (i64.or
      (i64.shl (i64.extend_i32_u (local.get $len)) (i64.const 32))
      (i64.extend_i32_u (local.get $ptr))))

  ;; Results are appended at 1025.. behind an ok envelope tag at 1024.
  (func $begin
    (i32.store8 (i32.const 1024) (i32.const 0))
    (global.set $out (i32.const 1025)))
  (func $end (result i64)
    (call $pack (i32.const 1024) (i32.sub (global.get $out) (i32.const 1024))))
  (func $f64 (param f64)
    (f64.store (global.get $out) (local.get 0))
    (global.set $out (i32.add (global.get $out) (i32.const 8))))
  (func $f32 (param f32)
    (f32.store (global.get $out) (local.get 0))
    (global.set $out (i32.add (global.get $out) (i32.const 4))))
  (func $i32 (param i32)
    (i32.store (global.get $out) (local.get 0))
    (global.set $out (i32.add (global.get $out) (i32.const 4))))
  (func $i64 (param i64)
    (i64.store (global.get $out) (local.get 0))
    (global.set $out (i32.add (global.get $out) (i32.const 8))))

  (func $id_i32 (type $i2i) (local.get 0))
  (func $id_f64 (type $d2d) (local.get 0))
  ;; Some work before a trap, so the fuel up to the trap is not trivial.
  (func $work
    (local $i i32)
    (local.set $i (i32.const 100))
    (loop $l
      (local.set $i (i32.sub (local.get $i) (i32.const 1)))
      (br_if $l (i32.gt_s (local.get $i) (i32.const 0)))))

  (func (export "f64_ops") (param i32 i32) (result i64)
    (call $begin)
    ;; NaN-producing arithmetic.
    (call $f64 (f64.div (global.get $d0) (global.get $d0)))
    (call $f64 (f64.sqrt (global.get $dm1)))
    (call $f64 (f64.sub (global.get $dinf) (global.get $dinf)))
    (call $f64 (f64.mul (global.get $d0) (global.get $dinf)))
    (call $f64 (f64.add (global.get $dnan) (global.get $d1)))
    (call $f64 (f64.mul (global.get $dnegnan) (global.get $d1)))
    (call $f64 (f64.div (global.get $d1) (global.get $dm0)))
    ;; min and max with NaN and signed zeros.
    (call $f64 (f64.min (global.get $dnan) (global.get $d1)))
    (call $f64 (f64.max (global.get $d1) (global.get $dnegnan)))
    (call $f64 (f64.min (global.get $dm0) (global.get $d0)))
    (call $f64 (f64.min (global.get $d0) (global.get $dm0)))
    (call $f64 (f64.max (global.get $dm0) (global.get $d0)))
    (call $f64 (f64.max (global.get $d0) (global.get $dm0)))
    ;; Sign operations are bit operations: they keep NaN payloads.
    (call $f64 (f64.copysign (global.get $dnan) (global.get $dm1)))
    (call $f64 (f64.copysign (global.get $d1) (global.get $dnegnan)))
    (call $f64 (f64.neg (global.get $dnan)))
    (call $f64 (f64.abs (global.get $dnegnan)))
    ;; Rounding.
    (call $f64 (f64.nearest (global.get $d2_5)))
    (call $f64 (f64.nearest (global.get $dm0_5)))
    (call $f64 (f64.ceil (global.get $dm0_5)))
    (call $f64 (f64.floor (global.get $dnan)))
    (call $f64 (f64.trunc (global.get $dnegnan)))
    (call $f64 (f64.sqrt (global.get $dnan)))
    ;; Rounding of ordinary arithmetic; no fused multiply-add.
    (call $f64 (f64.div (global.get $d1) (global.get $d3)))
    (call $f64 (f64.sqrt (global.get $d2)))
    (call $f64 (f64.add (global.get $d0_1) (global.get $d0_2)))
    (call $f64 (f64.mul (global.get $dtiny) (global.get $d0_5)))
    (call $f64 (f64.add (f64.mul (global.get $d0_1) (global.get $d3)) (global.get $d0_2)))
    (call $f64 (f64.mul (global.get $dbig) (global.get $dbig)))
    ;; Conversions.
    (call $f64 (f64.promote_f32 (global.get $fnan)))
    (call $f64 (f64.promote_f32 (global.get $fnegnan)))
    (call $f32 (f32.demote_f64 (global.get $dnan)))
    (call $f32 (f32.demote_f64 (global.get $dnegnan)))
    (call $f32 (f32.demote_f64 (global.get $dbig)))
    (call $f32 (f32.demote_f64 (global.get $d0_1)))
    (call $f32 (f32.demote_f64 (global.get $dtiny)))
    (call $i32 (i32.trunc_sat_f64_s (global.get $dnan)))
    (call $i32 (i32.trunc_sat_f64_s (global.get $dinf)))
    (call $i32 (i32.trunc_sat_f64_u (global.get $dm1)))
    (call $i64 (i64.trunc_sat_f64_s (global.get $dbig)))
    (call $i64 (i64.trunc_sat_f64_u (global.get $dm0_5)))
    (call $i64 (i64.trunc_f64_s (global.get $dm0_5)))
    (call $f64 (f64.convert_i64_u (global.get $lm1)))
    (call $f64 (f64.convert_i64_s (global.get $lpat)))
    (call $f64 (f64.convert_i32_u (global.get $im1)))
    (call $f64 (f64.reinterpret_i64 (global.get $lnanbits)))
    (call $i64 (i64.reinterpret_f64 (f64.div (global.get $d0) (global.get $d0))))
    (call $end))

  (func (export "f32_ops") (param i32 i32) (result i64)
    (call $begin)
    (call $f32 (f32.div (global.get $f0) (global.get $f0)))
    (call $f32 (f32.sqrt (global.get $fm1)))
    (call $f32 (f32.sub (global.get $finf) (global.get $finf)))
    (call $f32 (f32.mul (global.get $f0) (global.get $finf)))
    (call $f32 (f32.add (global.get $fnan) (global.get $f1)))
    (call $f32 (f32.mul (global.get $fnegnan) (global.get $f1)))
    (call $f32 (f32.min (global.get $fnan) (global.get $f1)))
    (call $f32 (f32.max (global.get $f1) (global.get $fnegnan)))
    (call $f32 (f32.min (global.get $fm0) (global.get $f0)))
    (call $f32 (f32.max (global.get $f0) (global.get $fm0)))
    (call $f32 (f32.copysign (global.get $fnan) (global.get $fm1)))
    (call $f32 (f32.copysign (global.get $f1) (global.get $fnegnan)))
    (call $f32 (f32.neg (global.get $fnan)))
    (call $f32 (f32.abs (global.get $fnegnan)))
    (call $f32 (f32.nearest (global.get $f2_5)))
    (call $f32 (f32.ceil (global.get $fnan)))
    (call $f32 (f32.div (global.get $f1) (global.get $f3)))
    (call $f32 (f32.add (global.get $f0_1) (global.get $f0_2)))
    (call $f32 (f32.add (f32.mul (global.get $f0_1) (global.get $f3)) (global.get $f0_2)))
    (call $f32 (f32.convert_i64_u (global.get $lm1)))
    (call $f32 (f32.convert_i64_s (global.get $lpat)))
    (call $f32 (f32.convert_i32_s (global.get $imax)))
    (call $i32 (i32.trunc_sat_f32_s (global.get $fnan)))
    (call $i64 (i64.trunc_sat_f32_u (global.get $finf)))
    (call $i32 (i32.reinterpret_f32 (f32.sqrt (global.get $fm1))))
    (call $end))

  ;; The same kind of operations on constants, which wasmi folds while translating.
  (func (export "folded_ops") (param i32 i32) (result i64)
    (call $begin)
    (call $f64 (f64.div (f64.const 0) (f64.const 0)))
    (call $f64 (f64.sqrt (f64.const -1)))
    (call $f64 (f64.min (f64.const nan:0x4000000000001) (f64.const 1)))
    (call $f64 (f64.copysign (f64.const nan:0x4000000000001) (f64.const -1)))
    (call $f32 (f32.demote_f64 (f64.const nan:0x4000000000001)))
    (call $f64 (f64.promote_f32 (f32.const nan:0x200001)))
    (call $f32 (f32.sub (f32.const inf) (f32.const inf)))
    (call $i32 (i32.rem_s (i32.const 0x80000000) (i32.const -1)))
    (call $i32 (i32.shl (i32.const 1) (i32.const 33)))
    (call $i64 (i64.rotr (i64.const 1) (i64.const 65)))
    (call $end))

  (func (export "i32_ops") (param i32 i32) (result i64)
    (call $begin)
    (call $i32 (i32.div_s (global.get $imin) (i32.const 3)))
    (call $i32 (i32.div_s (global.get $im7) (i32.const 2)))
    (call $i32 (i32.div_u (global.get $im1) (i32.const 2)))
    (call $i32 (i32.rem_s (global.get $imin) (global.get $im1)))
    (call $i32 (i32.rem_s (global.get $im7) (i32.const 2)))
    (call $i32 (i32.rem_u (global.get $im7) (i32.const 2)))
    (call $i32 (i32.shl (global.get $i1) (i32.const 32)))
    (call $i32 (i32.shl (global.get $i1) (i32.const 33)))
    (call $i32 (i32.shl (global.get $i1) (global.get $im1)))
    (call $i32 (i32.shr_s (global.get $imin) (i32.const 31)))
    (call $i32 (i32.shr_s (global.get $imin) (i32.const 63)))
    (call $i32 (i32.shr_u (global.get $imin) (i32.const 63)))
    (call $i32 (i32.rotl (global.get $ipat) (i32.const 36)))
    (call $i32 (i32.rotr (global.get $ipat) (global.get $im1)))
    (call $i32 (i32.clz (global.get $i0)))
    (call $i32 (i32.clz (global.get $i1)))
    (call $i32 (i32.ctz (global.get $i0)))
    (call $i32 (i32.ctz (global.get $imin)))
    (call $i32 (i32.popcnt (global.get $im1)))
    (call $i32 (i32.popcnt (global.get $ipat)))
    (call $i32 (i32.mul (global.get $imax) (i32.const 2)))
    (call $i32 (i32.add (global.get $imax) (global.get $i1)))
    (call $i32 (i32.sub (global.get $imin) (global.get $i1)))
    (call $i32 (i32.extend8_s (i32.add (global.get $i0) (i32.const 0x80))))
    (call $i32 (i32.extend16_s (i32.add (global.get $i0) (i32.const 0x8000))))
    (call $i32 (i32.lt_s (global.get $im1) (global.get $i1)))
    (call $i32 (i32.lt_u (global.get $im1) (global.get $i1)))
    (call $i32 (i32.wrap_i64 (global.get $lpat)))
    (call $end))

  (func (export "i64_ops") (param i32 i32) (result i64)
    (call $begin)
    (call $i64 (i64.extend_i32_s (global.get $im1)))
    (call $i64 (i64.extend_i32_u (global.get $im1)))
    (call $i64 (i64.extend32_s (i64.add (global.get $l0) (i64.const 0x80000000))))
    (call $i64 (i64.extend8_s (i64.add (global.get $l0) (i64.const 0xff))))
    (call $i64 (i64.div_s (global.get $lmin) (i64.const 3)))
    (call $i64 (i64.div_u (global.get $lm1) (i64.const 3)))
    (call $i64 (i64.rem_s (global.get $lmin) (global.get $lm1)))
    (call $i64 (i64.rem_s (global.get $lm7) (i64.const 2)))
    (call $i64 (i64.rem_u (global.get $lm7) (i64.const 2)))
    (call $i64 (i64.shl (global.get $l1) (i64.const 64)))
    (call $i64 (i64.shl (global.get $l1) (i64.const 65)))
    (call $i64 (i64.shr_s (global.get $lmin) (i64.const 127)))
    (call $i64 (i64.shr_u (global.get $lmin) (global.get $lm1)))
    (call $i64 (i64.rotl (global.get $lpat) (i64.const 68)))
    (call $i64 (i64.rotr (global.get $lpat) (global.get $lm1)))
    (call $i64 (i64.clz (global.get $l0)))
    (call $i64 (i64.ctz (global.get $l0)))
    (call $i64 (i64.ctz (global.get $lmin)))
    (call $i64 (i64.popcnt (global.get $lm1)))
    (call $i64 (i64.popcnt (global.get $lpat)))
    (call $i64 (i64.mul (global.get $lmax) (global.get $lpat)))
    (call $i64 (i64.add (global.get $lmax) (global.get $l1)))
    (call $i32 (i64.lt_s (global.get $lm1) (global.get $l1)))
    (call $i32 (i64.lt_u (global.get $lm1) (global.get $l1)))
    (call $end))

  ;; A loop mixing integer and float work: fuel of a long basic-block sequence.
  (func (export "mix_loop") (param i32 i32) (result i64)
    (local $i i32)
    (local $h i64)
    (local $x f64)
    (local.set $h (i64.const 0xcbf29ce484222325))
    (local.set $x (global.get $d0_1))
    (loop $l
      (local.set $h (i64.mul
        (i64.xor (local.get $h) (i64.extend_i32_u (local.get $i)))
        (i64.const 0x100000001b3)))
      (local.set $h (i64.rotl (local.get $h) (i64.extend_i32_u (local.get $i))))
      (local.set $x (f64.add (f64.mul (local.get $x) (f64.const 1.0000001))
                             (f64.sqrt (f64.convert_i32_u (local.get $i)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 20000))))
    (call $begin)
    (call $i64 (local.get $h))
    (call $f64 (local.get $x))
    (call $end))

  (func (export "memory_grow") (param i32 i32) (result i64)
    (call $begin)
    (call $i32 (memory.size))
    (call $i32 (memory.grow (i32.const 3)))
    (call $i32 (memory.size))
    (i64.store (i32.const 262136) (global.get $lpat))
    (call $i64 (i64.load (i32.const 262136)))
    (call $i32 (memory.grow (i32.const 0)))
    ;; Above the module's 64 MiB limit: refused, -1.
    (call $i32 (memory.grow (i32.const 2000)))
    ;; Above the 4 GiB address space: -1.
    (call $i32 (memory.grow (i32.const 70000)))
    (call $i32 (memory.size))
    (call $end))

  ;; Fills, copies and patterns the second page and returns all of it.
  (func (export "memory_fill_copy") (param i32 i32) (result i64)
    (local $i i32)
    (drop (memory.grow (i32.const 1)))
    (memory.fill (i32.const 65536) (i32.const 0xab) (i32.const 65536))
    (memory.copy (i32.const 70000) (i32.const 0) (i32.const 36))
    (memory.copy (i32.const 80000) (i32.const 65536) (i32.const 40000))
    (loop $l
      (i32.store8 (i32.add (i32.const 65536) (i32.mul (local.get $i) (i32.const 7)))
                  (i32.mul (local.get $i) (local.get $i)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 9000))))
    (i32.store8 (i32.const 65535) (i32.const 0))
    (call $pack (i32.const 65535) (i32.const 65537)))

  (func (export "trap_unreachable") (param i32 i32) (result i64)
    (call $work) unreachable)
  (func (export "trap_memory_out_of_bounds") (param i32 i32) (result i64)
    (call $work) (i64.load (i32.const 65532)))
  (func (export "trap_memory_fill_out_of_bounds") (param i32 i32) (result i64)
    (call $work) (memory.fill (i32.const 65000) (i32.const 1) (i32.const 1000)) (i64.const 0))
  (func (export "trap_table_out_of_bounds") (param i32 i32) (result i64)
    (call $work) (drop (call_indirect (type $i2i) (i32.const 0) (i32.const 10))) (i64.const 0))
  (func (export "trap_table_get_out_of_bounds") (param i32 i32) (result i64)
    (call $work) (drop (table.get (i32.const 10))) (i64.const 0))
  (func (export "trap_indirect_call_to_null") (param i32 i32) (result i64)
    (call $work) (drop (call_indirect (type $i2i) (i32.const 0) (i32.const 3))) (i64.const 0))
  (func (export "trap_bad_signature") (param i32 i32) (result i64)
    (call $work) (drop (call_indirect (type $d2d) (f64.const 1) (i32.const 0))) (i64.const 0))
  (func (export "trap_division_by_zero") (param i32 i32) (result i64)
    (call $work) (drop (i32.div_u (global.get $i1) (global.get $i0))) (i64.const 0))
  (func (export "trap_remainder_by_zero") (param i32 i32) (result i64)
    (call $work) (drop (i64.rem_s (global.get $l1) (global.get $l0))) (i64.const 0))
  (func (export "trap_i32_div_overflow") (param i32 i32) (result i64)
    (call $work) (drop (i32.div_s (global.get $imin) (global.get $im1))) (i64.const 0))
  (func (export "trap_i64_div_overflow") (param i32 i32) (result i64)
    (call $work) (drop (i64.div_s (global.get $lmin) (global.get $lm1))) (i64.const 0))
  (func (export "trap_bad_conversion") (param i32 i32) (result i64)
    (call $work) (drop (i32.trunc_f64_s (global.get $dnan))) (i64.const 0))
  (func (export "trap_conversion_overflow") (param i32 i32) (result i64)
    (call $work) (drop (i64.trunc_f32_u (global.get $fm1))) (i64.const 0))
  (func $recurse (export "trap_stack_overflow") (param i32 i32) (result i64)
    (call $recurse (i32.add (local.get 0) (i32.const 1)) (local.get 1)))
  (func $recurse_big (export "trap_stack_overflow_big_frames") (param i32 i32) (result i64)
    (local BIG_FRAME_LOCALS)
    (call $recurse_big (i32.add (local.get 0) (i32.const 1)) (local.get 1)))
  (func (export "out_of_fuel") (param i32 i32) (result i64)
    (loop $l (br $l))
    (i64.const 0))
  ;; Grows until the limiter refuses, then aborts like a Rust guest's allocation failure.
  (func (export "out_of_memory") (param i32 i32) (result i64)
    (loop $l
      (br_if $l (i32.ne (memory.grow (i32.const 16)) (i32.const -1))))
    unreachable)
  (func (export "guest_error") (param i32 i32) (result i64)
    (i32.store (i32.const 1024) (i32.const 0x6f6e0201))
    (call $pack (i32.const 1024) (i32.const 4)))
  (func (export "abi_violation") (param i32 i32) (result i64)
    (call $pack (i32.const 65530) (i32.const 100)))
)
"#;

/// The WAT exports above, with the fuel limit each runs under (`None`: the default).
const NUMERICS_CASES: &[(&str, Option<u64>)] = &[
    ("f64_ops", None),
    ("f32_ops", None),
    ("folded_ops", None),
    ("i32_ops", None),
    ("i64_ops", None),
    ("mix_loop", None),
    ("memory_grow", None),
    ("memory_fill_copy", None),
    ("trap_unreachable", None),
    ("trap_memory_out_of_bounds", None),
    ("trap_memory_fill_out_of_bounds", None),
    ("trap_table_out_of_bounds", None),
    ("trap_table_get_out_of_bounds", None),
    ("trap_indirect_call_to_null", None),
    ("trap_bad_signature", None),
    ("trap_division_by_zero", None),
    ("trap_remainder_by_zero", None),
    ("trap_i32_div_overflow", None),
    ("trap_i64_div_overflow", None),
    ("trap_bad_conversion", None),
    ("trap_conversion_overflow", None),
    ("trap_stack_overflow", None),
    ("trap_stack_overflow_big_frames", None),
    ("out_of_fuel", Some(1_000_000)),
    ("out_of_memory", None),
    ("guest_error", None),
    ("abi_violation", None),
];

fn numerics_wasm() -> Vec<u8> {
    let locals = " i64".repeat(BIG_FRAME_LOCALS);
    let wat = NUMERICS_WAT.replace("(local BIG_FRAME_LOCALS)", &format!("(local{locals})"));
    wat::parse_str(wat).expect("the golden WAT parses")
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn data(path: &str) -> Vec<u8> {
    let full = format!("{}/data/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&full).unwrap_or_else(|error| panic!("{full}: {error}"))
}

/// Runs one call and records what the golden file compares.
fn record(
    name: &str,
    module: &Module,
    export: &str,
    args: &Args<'_>,
    options: &CallOptions,
) -> Value {
    let mut encoded_args = Vec::new();
    fazt_wasm_abi::args::encode(args.entries(), &mut encoded_args).expect("golden args encode");
    let result: Result<Output, CallError> = module.call(export, args, options);
    let (output, stats, error) = match &result {
        Ok(output) => (Some(output.bytes()), output.stats(), None),
        Err(error) => (None, error.stats, Some(&error.error)),
    };
    let guest_code = match error {
        Some(fazt_wasm_runtime::Error::Guest { code, .. }) => Some(code.to_string()),
        _ => None,
    };
    let trap_code = error
        .and_then(fazt_wasm_runtime::Error::trap_code)
        .map(|code| format!("{code:?}"));
    json!({
        "name": name,
        "module": module.name(),
        "export": export,
        "args_sha256": sha256_hex(&encoded_args),
        "output_len": output.map(<[u8]>::len),
        "output_sha256": output.map(sha256_hex),
        // Small outputs in full, so a mismatch shows which value (which NaN bit) differs.
        "output_hex": output.filter(|bytes| bytes.len() <= MAX_OUTPUT_HEX_BYTES).map(hex),
        "error_kind": error.map(fazt_wasm_runtime::Error::kind),
        "trap_code": trap_code,
        "guest_code": guest_code,
        "fuel_consumed": stats.fuel_consumed,
        "memory_peak_bytes": stats.memory_peak_bytes,
    })
}

fn numerics_vectors(runtime_config: RuntimeConfig) -> Vec<Value> {
    let runtime = Runtime::new(runtime_config).expect("runtime");
    let module = runtime
        .load("numerics", &numerics_wasm(), ModuleConfig::default())
        .expect("the golden WAT loads");
    NUMERICS_CASES
        .iter()
        .map(|&(export, fuel_limit)| {
            let options = match fuel_limit {
                Some(fuel) => CallOptions::default().fuel_limit(fuel),
                None => CallOptions::default(),
            };
            record(
                &format!("numerics/{export}"),
                &module,
                export,
                &Args::new(),
                &options,
            )
        })
        .collect()
}

fn guest_vectors() -> Vec<Value> {
    let vfs = MemVfs::new()
        .with_file("app-1", "notes/hello.txt", b"hello from the vfs".to_vec())
        .expect("vfs");
    let runtime = Runtime::new(fazt_wasm_hostfns::install(
        RuntimeConfig::default(),
        Some(Arc::new(vfs)),
    ))
    .expect("runtime");
    let big = ModuleConfig {
        memory_limit_bytes: 256 << 20,
        fuel_limit: 60_000_000_000,
        ..ModuleConfig::default()
    };
    let echo = runtime
        .load_static(
            "echo",
            ECHO_WASM,
            ModuleConfig::default().grant("read_file"),
        )
        .expect("echo loads");
    let libimage = runtime
        .load_static("libimage", LIBIMAGE_WASM, big.clone())
        .expect("libimage loads");
    let libpdf = runtime
        .load_static("libpdf", LIBPDF_WASM, ModuleConfig::default())
        .expect("libpdf loads");
    let libxlsx = runtime
        .load_static("libxlsx", LIBXLSX_WASM, big)
        .expect("libxlsx loads");

    let app = CallOptions::default().caller("app-1");
    let pattern: Vec<u8> = (0..4096u32).map(|i| (i * 31 % 251) as u8).collect();
    let sample = data("libimage/sample.jpg");
    let rgba = data("libimage/rgba.png");
    let report = String::from_utf8(data("libpdf/report.html")).expect("report.html is UTF-8");
    let multiple_sheets = data("libxlsx/multiple_sheets.xlsx");
    let numbers = data("libxlsx/numbers.xlsx");
    let dates = data("libxlsx/dates.xlsx");
    let strings_shared = data("libxlsx/strings_shared.xlsx");
    let not_a_zip = data("libxlsx/not_a_zip.xlsx");

    let call = |name: &str, module: &Module, export: &str, args: Args<'_>| {
        record(name, module, export, &args, &app)
    };
    vec![
        call(
            "echo/echo",
            &echo,
            "echo",
            Args::new().bytes("input", &pattern),
        ),
        call(
            "echo/greet",
            &echo,
            "greet",
            Args::new().str("name", "golden"),
        ),
        call(
            "echo/sum",
            &echo,
            "sum",
            Args::new().int("a", 40).int("b", 2),
        ),
        call(
            "echo/sum_overflow",
            &echo,
            "sum",
            Args::new().int("a", i64::MAX).int("b", 1),
        ),
        call(
            "echo/read",
            &echo,
            "read",
            Args::new().str("path", "notes/hello.txt"),
        ),
        call(
            "echo/read_outside_root",
            &echo,
            "read",
            Args::new().str("path", "../etc/passwd"),
        ),
        call(
            "echo/panic",
            &echo,
            "panic",
            Args::new().str("message", "boom"),
        ),
        call(
            "libimage/info_sample_jpg",
            &libimage,
            "info",
            Args::new().bytes("input", &sample),
        ),
        call(
            "libimage/resize_sample_jpg_w100",
            &libimage,
            "resize",
            Args::new().bytes("input", &sample).int("width", 100),
        ),
        call(
            "libimage/resize_sample_jpg_50x50_png",
            &libimage,
            "resize",
            Args::new()
                .bytes("input", &sample)
                .int("width", 50)
                .int("height", 50)
                .str("format", "png"),
        ),
        call(
            "libimage/resize_rgba_png_w40",
            &libimage,
            "resize",
            Args::new().bytes("input", &rgba).int("width", 40),
        ),
        call(
            "libpdf/render_report",
            &libpdf,
            "render",
            Args::new().str("html", &report),
        ),
        call(
            "libpdf/render_report_letter",
            &libpdf,
            "render",
            Args::new()
                .str("html", &report)
                .str("page_size", "Letter")
                .float("margin", 10.0),
        ),
        call(
            "libxlsx/sheets_multiple_sheets",
            &libxlsx,
            "sheets",
            Args::new().bytes("input", &multiple_sheets),
        ),
        call(
            "libxlsx/parse_numbers",
            &libxlsx,
            "parse",
            Args::new().bytes("input", &numbers),
        ),
        call(
            "libxlsx/parse_dates",
            &libxlsx,
            "parse",
            Args::new().bytes("input", &dates),
        ),
        call(
            "libxlsx/parse_strings_shared",
            &libxlsx,
            "parse",
            Args::new().bytes("input", &strings_shared),
        ),
        call(
            "libxlsx/parse_not_a_zip",
            &libxlsx,
            "parse",
            Args::new().bytes("input", &not_a_zip),
        ),
    ]
}

/// The exact wasmi version in Cargo.lock: the fuel schedule is wasmi's.
fn locked_wasmi_version() -> String {
    let lock = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../Cargo.lock"))
        .expect("Cargo.lock at the workspace root");
    lock.split("[[package]]")
        .find_map(|package| {
            let mut lines = package.lines().map(str::trim);
            (lines.find(|line| line.starts_with("name = "))? == "name = \"wasmi\"")
                .then(|| lines.find_map(|line| line.strip_prefix("version = ")))
                .flatten()
                .map(|version| version.trim_matches('"').to_owned())
        })
        .expect("wasmi in Cargo.lock")
}

/// A `name: value` field of a `Debug` rendering.
fn debug_field(debug: &str, name: &str) -> Value {
    let value = debug
        .split(&format!("{name}: "))
        .nth(1)
        .and_then(|rest| rest.split([',', ' ', '}']).next())
        .unwrap_or_else(|| panic!("{name} is not in the engine config {debug}"));
    if let Ok(number) = value.parse::<u64>() {
        json!(number)
    } else if let Ok(flag) = value.parse::<bool>() {
        json!(flag)
    } else {
        json!(value)
    }
}

/// What fuel figures depend on besides module bytes and arguments.
fn fuel_schedule() -> Value {
    let debug = format!("{:?}", engine_config(DEFAULT_MAX_STACK_DEPTH));
    json!({
        "wasmi_version": locked_wasmi_version(),
        "consume_fuel": debug_field(&debug, "consume_fuel"),
        "compilation_mode": debug_field(&debug, "compilation_mode"),
        "bytes_copied_per_fuel": debug_field(&debug, "bytes_copied_per_fuel"),
        "fuel_per_bytes_translated": debug_field(&debug, "fuel_per_bytes_translated"),
        "fuel_per_bytes_validated": debug_field(&debug, "fuel_per_bytes_validated"),
        "operator_cost": debug_field(&debug, "operator_cost"),
        "max_recursion_depth": debug_field(&debug, "max_recursion_depth"),
        "max_stack_height": debug_field(&debug, "max_stack_height"),
    })
}

fn all_vectors() -> Vec<Value> {
    let mut vectors = numerics_vectors(RuntimeConfig::default());
    vectors.extend(guest_vectors());
    vectors
}

fn read_golden() -> Value {
    let text = std::fs::read_to_string(GOLDEN_PATH)
        .unwrap_or_else(|error| panic!("{GOLDEN_PATH}: {error}"));
    serde_json::from_str(&text).expect("the golden file is JSON")
}

#[test]
fn golden_vectors_match_on_this_architecture() {
    let vectors = all_vectors();
    let names: std::collections::HashSet<_> = vectors.iter().map(|v| &v["name"]).collect();
    assert_eq!(names.len(), vectors.len(), "golden vector names are unique");
    if std::env::var_os("FAZT_GOLDEN_UPDATE").is_some() {
        let golden = json!({
            "about": ABOUT,
            "fuel_schedule": fuel_schedule(),
            "vectors": vectors,
        });
        let text = serde_json::to_string_pretty(&golden).expect("golden JSON") + "\n";
        let path = std::path::Path::new(GOLDEN_PATH);
        std::fs::create_dir_all(path.parent().expect("a parent directory"))
            .expect("tests/golden created");
        std::fs::write(path, text).expect("golden file written");
        return;
    }
    let golden = read_golden();
    let expected = golden["vectors"].as_array().expect("a vectors array");
    let mut mismatches = Vec::new();
    for actual in &vectors {
        match expected.iter().find(|e| e["name"] == actual["name"]) {
            Some(expected) if expected == actual => {}
            Some(expected) => mismatches.push(format!("expected {expected}\n     got {actual}")),
            None => mismatches.push(format!("not in the golden file: {actual}")),
        }
    }
    for expected in expected {
        if !vectors.iter().any(|a| a["name"] == expected["name"]) {
            mismatches.push(format!("no longer produced: {}", expected["name"]));
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} golden vector(s) differ on {}-{} (a bug to fix, not a vector to update):\n{}",
        mismatches.len(),
        std::env::consts::ARCH,
        std::env::consts::OS,
        mismatches.join("\n")
    );
}

#[test]
fn golden_file_records_the_pinned_wasmi_and_fuel_schedule() {
    if std::env::var_os("FAZT_GOLDEN_UPDATE").is_some() {
        return;
    }
    assert_eq!(
        read_golden()["fuel_schedule"],
        fuel_schedule(),
        "the fuel schedule changed (wasmi version or engine_config): fuel figures may move; \
         decide consciously, then regenerate with FAZT_GOLDEN_UPDATE=1"
    );
}

#[test]
fn fuel_slicing_does_not_change_golden_numerics() {
    let sliced = numerics_vectors(RuntimeConfig {
        fuel_slice: 997,
        ..RuntimeConfig::default()
    });
    assert_eq!(sliced, numerics_vectors(RuntimeConfig::default()));
}
