//! Inputs known to crash the runtime, recognised so fuzzing goes on past them until the fix
//! lands. Each names the ignored regression test in `tests/regressions.rs` that reproduces it;
//! delete the filter together with that test's `#[ignore]`.

/// The smallest code section wasmi 2.0.0 checks for an average function size
/// (`EnforcedLimits::strict().min_avg_bytes_per_function.req_funcs_bytes`).
const AVG_CHECK_MIN_SECTION_BYTES: u32 = 1_000;

/// Whether `wasm` has a code section of at least 1000 bytes that declares zero functions,
/// before anything wasmi would refuse first.
///
/// wasmi 2.0.0's `process_code_start` (module/parser/mod.rs:468) divides the section size by
/// the function count, so loading such bytes panics ("attempt to divide by zero") instead of
/// failing. Found by the `load` target; reproduced by
/// `issue_7_code_section_without_functions_is_refused_not_a_panic`.
pub fn is_empty_code_section_panic(wasm: &[u8]) -> bool {
    let Some(mut rest) = wasm.strip_prefix(b"\0asm\x01\0\0\0") else {
        return false;
    };
    while let Some((&id, after_id)) = rest.split_first() {
        let Some((size, payload)) = leb_u32(after_id) else {
            return false;
        };
        if id == 10 {
            return size >= AVG_CHECK_MIN_SECTION_BYTES
                && leb_u32(payload).map(|(n, _)| n) == Some(0);
        }
        match payload.get(size as usize..) {
            Some(next) => rest = next,
            None => return false,
        }
    }
    false
}

/// Whether `message` is one of the wasmi instantiation errors `classify` does not recognise and
/// reports as `Error::Trap { code: UnreachableCodeReached }` with wasmi's text as the message:
///
/// - "failed to instantiate table: a resource limiter denied ..." for a table declared above
///   `MAX_TABLE_ELEMENTS`: a limit, reported as a guest panic
///   (`issue_7_table_above_the_element_cap_is_out_of_memory_not_a_guest_panic`);
/// - "out of bounds table access: ..." for an active element segment outside its table: a
///   `TableOutOfBounds` trap, reported with the wrong code
///   (`issue_7_element_segment_outside_its_table_traps_as_table_out_of_bounds`).
///
/// Both found by the `execute` target.
pub fn is_unclassified_instantiation_error(message: &str) -> bool {
    message.starts_with("failed to instantiate table")
        || message.starts_with("out of bounds table access")
}

/// Whether `wasm` has a store instruction with a static offset above `u16::MAX`.
///
/// wasmi 2.0.0's translator reaches `unreachable!()` (translator/func/mod.rs:2583,
/// `encode_store`) for such a store whose address and value both sit in its register (for
/// example `(i32.store offset=70000 (local.tee 0 (i32.load (i32.const 0))) (local.get 0))`):
/// the first call of the function panics. Found by the `execute` target; reproduced by
/// `issue_7_store_with_a_large_offset_of_a_teed_address_does_not_panic`. Generated modules with
/// any such store are skipped (`ExecCase::arbitrary` refuses them), a superset of the trigger.
#[cfg(feature = "arbitrary")]
pub fn has_store_offset_above_u16(wasm: &[u8]) -> bool {
    use wasmparser::{Operator, Parser, Payload};
    for payload in Parser::new(0).parse_all(wasm) {
        let Ok(Payload::CodeSectionEntry(body)) = payload else {
            continue;
        };
        let Ok(mut operators) = body.get_operators_reader() else {
            continue;
        };
        while !operators.eof() {
            let Ok(operator) = operators.read() else {
                break;
            };
            let offset = match operator {
                Operator::I32Store { memarg }
                | Operator::I64Store { memarg }
                | Operator::F32Store { memarg }
                | Operator::F64Store { memarg }
                | Operator::I32Store8 { memarg }
                | Operator::I32Store16 { memarg }
                | Operator::I64Store8 { memarg }
                | Operator::I64Store16 { memarg }
                | Operator::I64Store32 { memarg } => memarg.offset,
                _ => 0,
            };
            if offset > u64::from(u16::MAX) {
                return true;
            }
        }
    }
    false
}

/// An unsigned LEB128 `u32` and the bytes after it.
fn leb_u32(bytes: &[u8]) -> Option<(u32, &[u8])> {
    let mut value = 0u32;
    for (index, &byte) in bytes.iter().enumerate().take(5) {
        value |= u32::from(byte & 0x7f).checked_shl(7 * index as u32)?;
        if byte & 0x80 == 0 {
            return Some((value, &bytes[index + 1..]));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fuzzer_found_input_is_recognised() {
        let crash = b"\0asm\x01\0\0\0\x0a\xf6\x21\x00\0\0\0\0\0\0\0\x5d";
        assert!(is_empty_code_section_panic(crash));
    }

    #[cfg(feature = "arbitrary")]
    #[test]
    fn stores_are_recognised_by_their_offset() {
        let store = |offset: u32| {
            wat::parse_str(format!(
                r#"(module (memory 1) (func (param i32)
                     (i32.store16 offset={offset} (local.get 0) (local.get 0))))"#
            ))
            .unwrap()
        };
        assert!(has_store_offset_above_u16(&store(65_536)));
        assert!(!has_store_offset_above_u16(&store(65_535)));
        let load = wat::parse_str(
            r#"(module (memory 1) (func (param i32) (result i32) (i32.load offset=70000 (local.get 0))))"#,
        )
        .unwrap();
        assert!(!has_store_offset_above_u16(&load));
    }

    #[test]
    fn small_or_non_empty_code_sections_and_other_modules_are_not() {
        assert!(!is_empty_code_section_panic(
            b"\0asm\x01\0\0\0\x0a\xe7\x07\x00"
        ));
        assert!(!is_empty_code_section_panic(
            b"\0asm\x01\0\0\0\x0a\xe8\x07\x01"
        ));
        assert!(is_empty_code_section_panic(
            b"\0asm\x01\0\0\0\x0a\xe8\x07\x00"
        ));
        let valid = wat::parse_str(r#"(module (func (export "f")))"#).unwrap();
        assert!(!is_empty_code_section_panic(&valid));
        assert!(!is_empty_code_section_panic(b""));
    }
}
