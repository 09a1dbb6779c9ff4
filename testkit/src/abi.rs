//! `check_abi`, `check_args_payload` and `check_sdk_payload`: hostile allocators, output
//! pointers and argument payloads end in the exact result the ABI predicts, never a crash.

use fazt_wasm_abi::{args, output};
use fazt_wasm_runtime::{Error, ErrorCode, Module, ModuleConfig, wasmi};

use crate::args::{OwnedArgs, entries_equal};
use crate::outcome::{fuzz_options, fuzz_runtime};

/// The SDK's sample guest (`modules/dist/echo.wasm`), whose `echo` export decodes its
/// arguments with the guest SDK and returns the `input` bytes.
pub const SDK_ECHO_WASM: &[u8] = include_bytes!("../../modules/dist/echo.wasm");

const PAGE_BYTES: u32 = 65_536;
/// Where a well-behaved allocator puts the argument buffer.
const GOOD_ALLOC: i32 = 1_024;
/// Largest data segment a case writes.
const MAX_DATA_BYTES: usize = 4_096;

/// What the guest's `fazt_alloc` returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AllocReply {
    /// A pointer to free memory (1024).
    Good,
    /// This value, whatever was asked.
    Fixed(i32),
    /// A pointer this many bytes before the end of memory.
    NearEnd(u16),
}

/// What the guest's service export returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputReply {
    /// This packed `len << 32 | ptr`.
    Packed(i64),
    /// A region starting `skip` bytes into the data segment.
    InData {
        /// Offset into the data segment.
        skip: u16,
        /// Length of the region.
        len: u16,
    },
    /// The argument buffer itself (its first byte is a map marker, never a valid tag).
    ArgsBuffer,
}

/// A hostile guest: memory of `memory_pages` pages holding `data` at `data_offset`, an
/// allocator answering `alloc`, a service answering `output`, called with `args`.
#[derive(Debug, Clone)]
pub struct AbiCase {
    /// Pages of linear memory (1 to 3; the memory cannot grow).
    pub memory_pages: u8,
    /// What `fazt_alloc` returns.
    pub alloc: AllocReply,
    /// What the service returns.
    pub output: OutputReply,
    /// Where the data segment goes (wrapped into memory).
    pub data_offset: u32,
    /// The data segment (at most 4096 bytes are used).
    pub data: Vec<u8>,
    /// The call's arguments.
    pub args: OwnedArgs,
}

#[cfg(feature = "arbitrary")]
impl<'a> arbitrary::Arbitrary<'a> for AbiCase {
    fn arbitrary(u: &mut arbitrary::Unstructured<'a>) -> arbitrary::Result<Self> {
        let alloc = match u.int_in_range(0..=3u8)? {
            0 | 1 => AllocReply::Good,
            2 => AllocReply::Fixed(u.arbitrary()?),
            _ => AllocReply::NearEnd(u.arbitrary()?),
        };
        let output = match u.int_in_range(0..=4u8)? {
            0 => OutputReply::Packed(u.arbitrary()?),
            1 => OutputReply::ArgsBuffer,
            _ => OutputReply::InData {
                skip: u.int_in_range(0..=16)?,
                len: u.int_in_range(0..=300)?,
            },
        };
        Ok(Self {
            memory_pages: u.int_in_range(1..=3)?,
            alloc,
            output,
            data_offset: u.arbitrary()?,
            data: u.arbitrary()?,
            args: u.arbitrary()?,
        })
    }
}

impl AbiCase {
    fn memory_len(&self) -> u32 {
        u32::from(self.memory_pages.clamp(1, 3)) * PAGE_BYTES
    }

    fn data(&self) -> &[u8] {
        &self.data[..self.data.len().min(MAX_DATA_BYTES)]
    }

    /// Where the data segment starts: wrapped so it always fits in memory.
    fn data_start(&self) -> u32 {
        let room = self.memory_len() - self.data().len() as u32;
        self.data_offset % (room + 1)
    }

    fn alloc_ptr(&self) -> i32 {
        match self.alloc {
            AllocReply::Good => GOOD_ALLOC,
            AllocReply::Fixed(ptr) => ptr,
            AllocReply::NearEnd(back) => self.memory_len().wrapping_sub(u32::from(back)) as i32,
        }
    }

    fn packed_output(&self) -> i64 {
        match self.output {
            OutputReply::Packed(packed) => packed,
            OutputReply::InData { skip, len } => fazt_wasm_abi::pack_ptr_len(
                self.data_start().wrapping_add(u32::from(skip)),
                u32::from(len),
            ),
            OutputReply::ArgsBuffer => {
                let len = args::encoded_len(&self.args.as_entries()) as u32;
                fazt_wasm_abi::pack_ptr_len(self.alloc_ptr() as u32, len)
            }
        }
    }

    /// The guest as WAT.
    pub fn wat(&self) -> String {
        let pages = self.memory_len() / PAGE_BYTES;
        let data: String = self
            .data()
            .iter()
            .map(|byte| format!("\\{byte:02x}"))
            .collect();
        format!(
            r#"(module
  (memory (export "memory") {pages} {pages})
  (data (i32.const {start}) "{data}")
  (func (export "fazt_alloc") (param i32) (result i32) (i32.const {alloc}))
  (func (export "fazt_dealloc") (param i32 i32))
  (func (export "service") (param i32 i32) (result i64) (i64.const {output})))"#,
            start = self.data_start(),
            alloc = self.alloc_ptr(),
            output = self.packed_output(),
        )
    }

    /// What the ABI says the call must give: output bytes, or an error kind with the guest's
    /// code for guest errors.
    pub fn expected(&self) -> Result<Vec<u8>, (&'static str, Option<ErrorCode>)> {
        let memory_len = self.memory_len() as usize;
        let mut memory = vec![0u8; memory_len];
        let start = self.data_start() as usize;
        memory[start..start + self.data().len()].copy_from_slice(self.data());
        let entries = self.args.as_entries();
        let len = args::encoded_len(&entries);
        let ptr = self.alloc_ptr() as u32 as usize;
        // Checked: on 32-bit hosts (armv7) a hostile pointer plus length overflows usize.
        if (ptr == 0 && len > 0) || ptr.checked_add(len).is_none_or(|end| end > memory_len) {
            return Err(("abi", None));
        }
        args::encode_to_slice(&entries, &mut memory[ptr..ptr + len])
            .map_err(|_| ("bad_arguments", None))?;
        let (offset, len) = fazt_wasm_abi::unpack_ptr_len(self.packed_output());
        let (offset, len) = (offset as usize, len as usize);
        if offset.checked_add(len).is_none_or(|end| end > memory_len) {
            return Err(("abi", None));
        }
        match output::parse(&memory[offset..offset + len]) {
            Ok(output::Envelope::Ok(payload)) => Ok(payload.to_vec()),
            Ok(output::Envelope::Err {
                code: Some(code), ..
            }) => Err(("guest", Some(code))),
            Ok(output::Envelope::Err { code: None, .. }) | Err(_) => Err(("abi", None)),
        }
    }
}

/// Runs the hostile guest of `case` and checks the call gives exactly what
/// [`AbiCase::expected`] predicts: the same bytes, or the same error kind (and guest code).
///
/// # Errors
///
/// A description of the difference.
pub fn check_abi(case: &AbiCase) -> Result<(), String> {
    let wasm = wat::parse_str(case.wat()).map_err(|error| format!("case WAT: {error}"))?;
    let module = fuzz_runtime(fazt_wasm_runtime::DEFAULT_FUEL_SLICE)
        .load("abi", &wasm, ModuleConfig::default())
        .map_err(|error| format!("the case module does not load: {error}"))?;
    let found = module
        .call("service", &case.args.as_args(), &fuzz_options())
        .map(|output| output.bytes().to_vec())
        .map_err(|error| {
            let code = match &error.error {
                Error::Guest { code, .. } => Some(*code),
                _ => None,
            };
            (error.kind(), code)
        });
    let expected = case.expected();
    if found == expected {
        Ok(())
    } else {
        Err(format!("expected {expected:?}, the call gave {found:?}"))
    }
}

/// The host's argument codec on arbitrary bytes: decoding never panics, and whatever decodes
/// re-encodes canonically (encoding the re-decoded arguments gives the same bytes again).
///
/// # Errors
///
/// A description of the broken round trip.
pub fn check_args_payload(payload: &[u8]) -> Result<(), String> {
    let Ok(decoded) = args::decode(payload) else {
        return Ok(());
    };
    let mut encoded = Vec::new();
    args::encode(decoded.entries(), &mut encoded)
        .map_err(|error| format!("decoded arguments do not re-encode: {error}"))?;
    if encoded.len() != args::encoded_len(decoded.entries()) {
        return Err(String::from("encoded_len disagrees with encode"));
    }
    let again = args::decode(&encoded)
        .map_err(|error| format!("re-encoded arguments do not decode: {error}"))?;
    if !entries_equal(decoded.entries(), again.entries()) {
        return Err(format!(
            "round trip changed the arguments: {:?} became {:?}",
            decoded.entries(),
            again.entries()
        ));
    }
    let mut canonical = Vec::new();
    args::encode(again.entries(), &mut canonical).map_err(|error| error.to_string())?;
    if canonical != encoded {
        return Err(String::from("encoding is not canonical"));
    }
    Ok(())
}

/// Loads the SDK sample guest ([`SDK_ECHO_WASM`]) for [`check_sdk_payload`].
///
/// # Panics
///
/// If the committed `echo.wasm` does not load, which no input can cause.
pub fn sdk_echo_module() -> Module {
    fuzz_runtime(fazt_wasm_runtime::DEFAULT_FUEL_SLICE)
        .load_static(
            "echo",
            SDK_ECHO_WASM,
            ModuleConfig::default().grant(fazt_wasm_abi::READ_FILE),
        )
        .expect("modules/dist/echo.wasm loads")
}

/// Hands `payload` to the SDK guest's `echo` as its raw argument buffer, bypassing the host's
/// encoder: the guest must answer what the host decoder predicts, `input` back for exactly
/// `{"input": bytes or string}` and a `bad_argument` refusal for everything else.
///
/// # Errors
///
/// A description of the disagreement, or of a call that failed instead of answering.
pub fn check_sdk_payload(module: &Module, payload: &[u8]) -> Result<(), String> {
    let expected = match args::decode(payload) {
        Ok(decoded) => match decoded.entries() {
            [("input", args::Value::Bytes(input))] => Ok(input.to_vec()),
            // The SDK accepts a string where it wants bytes, as its UTF-8.
            [("input", args::Value::Str(input))] => Ok(input.as_bytes().to_vec()),
            _ => Err(ErrorCode::BadArgument),
        },
        Err(_) => Err(ErrorCode::BadArgument),
    };
    let mut instance = module
        .instantiate(&fuzz_options())
        .map_err(|error| format!("instantiate: {error}"))?;
    let buffer = instance
        .write_bytes(payload)
        .map_err(|error| format!("write_bytes: {error}"))?;
    let params = [
        wasmi::Val::I32(buffer.offset as i32),
        wasmi::Val::I32(buffer.len as i32),
    ];
    let results = instance
        .call_raw("echo", &params)
        .map_err(|error| format!("echo failed ({}): {error}", error.kind()))?;
    let packed = results.first().and_then(wasmi::Val::i64).unwrap_or(0);
    let (offset, len) = fazt_wasm_abi::unpack_ptr_len(packed);
    let region = instance
        .read_bytes(offset, len)
        .map_err(|error| format!("output region: {error}"))?;
    let found = match output::parse(&region) {
        Ok(output::Envelope::Ok(bytes)) => Ok(bytes.to_vec()),
        Ok(output::Envelope::Err {
            code: Some(code), ..
        }) => Err(code),
        other => return Err(format!("the guest broke the envelope: {other:?}")),
    };
    if found == expected {
        Ok(())
    } else {
        Err(format!(
            "host decoder predicts {expected:?}, guest gave {found:?}"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::args::OwnedValue;

    fn case(alloc: AllocReply, output: OutputReply, data: &[u8]) -> AbiCase {
        AbiCase {
            memory_pages: 1,
            alloc,
            output,
            data_offset: 4_000,
            data: data.to_vec(),
            args: OwnedArgs::new().with("x", OwnedValue::Int(1)),
        }
    }

    fn in_data(len: u16) -> OutputReply {
        OutputReply::InData { skip: 0, len }
    }

    #[test]
    fn a_well_behaved_guest_returns_its_envelope_payload() {
        let good = case(AllocReply::Good, in_data(4), b"\0abc");
        assert_eq!(good.expected(), Ok(b"abc".to_vec()));
        assert_eq!(check_abi(&good), Ok(()));
    }

    #[test]
    fn guest_errors_carry_their_code() {
        let refusal = case(AllocReply::Good, in_data(4), b"\x01\x03no");
        assert_eq!(
            refusal.expected(),
            Err(("guest", Some(ErrorCode::Unsupported)))
        );
        assert_eq!(check_abi(&refusal), Ok(()));
    }

    #[test]
    fn hostile_allocators_and_output_pointers_are_abi_violations() {
        for hostile in [
            case(AllocReply::Fixed(0), in_data(1), b"\0"),
            case(AllocReply::Fixed(-1), in_data(1), b"\0"),
            case(AllocReply::NearEnd(2), in_data(1), b"\0"),
            case(AllocReply::Good, OutputReply::Packed(-1), b"\0"),
            case(
                AllocReply::Good,
                OutputReply::Packed(65_530 | (100 << 32)),
                b"\0",
            ),
            case(AllocReply::Good, in_data(0), b"\0"),
            case(AllocReply::Good, in_data(2), b"\x01\x09"),
            case(AllocReply::Good, OutputReply::ArgsBuffer, b""),
        ] {
            assert_eq!(hostile.expected(), Err(("abi", None)), "{hostile:?}");
            assert_eq!(check_abi(&hostile), Ok(()), "{hostile:?}");
        }
    }

    #[test]
    fn more_arguments_than_the_abi_allows_are_bad_arguments() {
        let mut many = case(AllocReply::Good, in_data(1), b"\0");
        many.memory_pages = 2;
        for i in 0..=args::MAX_ARGS {
            many.args.set(format!("k{i}"), OwnedValue::Bool(true));
        }
        assert_eq!(many.expected(), Err(("bad_arguments", None)));
        assert_eq!(check_abi(&many), Ok(()));
    }

    #[test]
    fn payload_round_trips_and_refusals_pass() {
        for payload in [
            &b""[..],
            b"\x80",
            b"\x81\xa1a\xca\x3f\xc0\x00\x00",
            b"\x81\xa1a\xcf\x7f\xff\xff\xff\xff\xff\xff\xff",
            b"\x81\xa1a\xc0",
            b"\x82\xa1a\x01\xa1a\x02",
            b"\x91\x01",
        ] {
            assert_eq!(check_args_payload(payload), Ok(()), "{payload:?}");
        }
    }

    #[test]
    fn the_sdk_guest_agrees_with_the_host_decoder() {
        let module = sdk_echo_module();
        let input = OwnedArgs::new().with("input", OwnedValue::Bytes(b"xyz".to_vec()));
        let mut extra = input.clone();
        extra.set("other", OwnedValue::Int(1));
        for payload in [
            input.encode().unwrap(),
            extra.encode().unwrap(),
            Vec::new(),
            b"\xff\xff".to_vec(),
            b"\x81\xa5input\xa3xyz".to_vec(),
        ] {
            assert_eq!(check_sdk_payload(&module, &payload), Ok(()), "{payload:?}");
        }
    }
}
