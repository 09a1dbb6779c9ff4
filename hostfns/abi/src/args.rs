//! Named arguments, encoded as one MessagePack map from string keys to typed values.
//!
//! Only a subset of MessagePack is produced and accepted: a map (fixmap, map16, map32)
//! whose keys are strings and whose values are integers, floats, booleans, strings or
//! binary. The encoder always picks the shortest form, so the same arguments always
//! encode to the same bytes. Any MessagePack library in C, Zig, Go or AssemblyScript can
//! produce and read this format; `docs/abi.md` lists test vectors.

use alloc::vec::Vec;
use core::fmt;

/// Most arguments a single call may carry; a guard against hostile maps, not a design limit.
pub const MAX_ARGS: usize = 256;

/// One argument value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value<'a> {
    /// A signed integer (MessagePack int or uint that fits in `i64`).
    Int(i64),
    /// A float (MessagePack float32 widens to `f64`).
    Float(f64),
    /// A boolean.
    Bool(bool),
    /// A UTF-8 string.
    Str(&'a str),
    /// Raw bytes (MessagePack bin).
    Bytes(&'a [u8]),
}

impl Value<'_> {
    /// The value's type as the ABI documents it: `int`, `float`, `bool`, `string` or `bytes`.
    pub fn type_name(&self) -> &'static str {
        match self {
            Self::Int(_) => "int",
            Self::Float(_) => "float",
            Self::Bool(_) => "bool",
            Self::Str(_) => "string",
            Self::Bytes(_) => "bytes",
        }
    }
}

/// Why an argument map could not be encoded or decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ArgsError {
    /// The bytes end before the map does.
    Truncated,
    /// The top-level value is not a map.
    NotAMap,
    /// A key is not a string.
    KeyNotString,
    /// A key or string value is not valid UTF-8.
    InvalidUtf8,
    /// A value has a MessagePack type outside the subset (nil, array, map, ext).
    UnsupportedType {
        /// The first byte of the offending value.
        marker: u8,
    },
    /// An unsigned integer does not fit in `i64`.
    IntegerOutOfRange,
    /// The same key appears twice.
    DuplicateKey,
    /// More than [`MAX_ARGS`] entries.
    TooManyArgs,
    /// Bytes follow the map.
    TrailingBytes,
    /// A string or byte value is longer than `u32::MAX` bytes.
    TooLong,
}

impl fmt::Display for ArgsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Truncated => f.write_str("argument map is truncated"),
            Self::NotAMap => f.write_str("arguments are not a msgpack map"),
            Self::KeyNotString => f.write_str("an argument name is not a string"),
            Self::InvalidUtf8 => f.write_str("an argument name or string is not valid utf-8"),
            Self::UnsupportedType { marker } => write!(
                f,
                "unsupported msgpack type (marker 0x{marker:02x}); allowed: int, float, bool, string, bytes"
            ),
            Self::IntegerOutOfRange => f.write_str("an integer argument does not fit in i64"),
            Self::DuplicateKey => f.write_str("an argument name appears twice"),
            Self::TooManyArgs => write!(f, "more than {MAX_ARGS} arguments"),
            Self::TrailingBytes => f.write_str("bytes follow the argument map"),
            Self::TooLong => f.write_str("an argument is longer than 4 GiB"),
        }
    }
}

impl core::error::Error for ArgsError {}

/// Encodes `entries` as a MessagePack map into `out` (appending).
///
/// # Errors
///
/// [`ArgsError::DuplicateKey`], [`ArgsError::TooManyArgs`] or [`ArgsError::TooLong`].
pub fn encode(entries: &[(&str, Value<'_>)], out: &mut Vec<u8>) -> Result<(), ArgsError> {
    out.reserve(encoded_len(entries));
    encode_to(entries, out)
}

/// Encodes `entries` into `buf`, which must be exactly [`encoded_len`] bytes long.
///
/// This is how the host writes arguments straight into guest memory without an
/// intermediate copy.
///
/// # Errors
///
/// As [`encode`], plus [`ArgsError::Truncated`] when `buf` has the wrong length.
pub fn encode_to_slice(entries: &[(&str, Value<'_>)], buf: &mut [u8]) -> Result<(), ArgsError> {
    if buf.len() != encoded_len(entries) {
        return Err(ArgsError::Truncated);
    }
    let mut sink = SliceSink { buf, pos: 0 };
    encode_to(entries, &mut sink)
}

fn encode_to(entries: &[(&str, Value<'_>)], out: &mut impl Sink) -> Result<(), ArgsError> {
    if entries.len() > MAX_ARGS {
        return Err(ArgsError::TooManyArgs);
    }
    for (i, (name, _)) in entries.iter().enumerate() {
        if entries[..i].iter().any(|(other, _)| other == name) {
            return Err(ArgsError::DuplicateKey);
        }
    }
    let n = entries.len() as u32;
    if n < 16 {
        out.put(&[0x80 | n as u8]);
    } else {
        out.put(&[0xde]);
        out.put(&(n as u16).to_be_bytes());
    }
    for (name, value) in entries {
        encode_str_header(name.len(), out)?;
        out.put(name.as_bytes());
        match *value {
            Value::Int(v) => encode_int(v, out),
            Value::Float(v) => {
                out.put(&[0xcb]);
                out.put(&v.to_bits().to_be_bytes());
            }
            Value::Bool(v) => out.put(&[if v { 0xc3 } else { 0xc2 }]),
            Value::Str(s) => {
                encode_str_header(s.len(), out)?;
                out.put(s.as_bytes());
            }
            Value::Bytes(b) => {
                let len = u32::try_from(b.len()).map_err(|_| ArgsError::TooLong)?;
                if len <= 0xff {
                    out.put(&[0xc4, len as u8]);
                } else if len <= 0xffff {
                    out.put(&[0xc5]);
                    out.put(&(len as u16).to_be_bytes());
                } else {
                    out.put(&[0xc6]);
                    out.put(&len.to_be_bytes());
                }
                out.put(b);
            }
        }
    }
    Ok(())
}

/// The exact encoded size of `entries`, so a guest buffer can be allocated before encoding.
pub fn encoded_len(entries: &[(&str, Value<'_>)]) -> usize {
    let map_header = if entries.len() < 16 { 1 } else { 3 };
    let body: usize = entries
        .iter()
        .map(|(name, value)| {
            let value_len = match *value {
                Value::Int(v) => int_len(v),
                Value::Float(_) => 9,
                Value::Bool(_) => 1,
                Value::Str(s) => str_header_len(s.len()) + s.len(),
                Value::Bytes(b) => bin_header_len(b.len()) + b.len(),
            };
            str_header_len(name.len()) + name.len() + value_len
        })
        .sum();
    map_header + body
}

fn str_header_len(len: usize) -> usize {
    match len {
        0..32 => 1,
        32..=0xff => 2,
        0x100..=0xffff => 3,
        _ => 5,
    }
}

fn bin_header_len(len: usize) -> usize {
    match len {
        0..=0xff => 2,
        0x100..=0xffff => 3,
        _ => 5,
    }
}

fn int_len(v: i64) -> usize {
    match v {
        -32..=0x7f => 1,
        0x80..=0xff | -128..=-33 => 2,
        0x100..=0xffff | -32_768..=-129 => 3,
        0x1_0000..=0xffff_ffff | -2_147_483_648..=-32_769 => 5,
        _ => 9,
    }
}

fn encode_str_header(len: usize, out: &mut impl Sink) -> Result<(), ArgsError> {
    let len = u32::try_from(len).map_err(|_| ArgsError::TooLong)?;
    if len < 32 {
        out.put(&[0xa0 | len as u8]);
    } else if len <= 0xff {
        out.put(&[0xd9, len as u8]);
    } else if len <= 0xffff {
        out.put(&[0xda]);
        out.put(&(len as u16).to_be_bytes());
    } else {
        out.put(&[0xdb]);
        out.put(&len.to_be_bytes());
    }
    Ok(())
}

fn encode_int(v: i64, out: &mut impl Sink) {
    if (0..=0x7f).contains(&v) {
        out.put(&[v as u8]);
    } else if (-32..0).contains(&v) {
        out.put(&[v as i8 as u8]);
    } else if v >= 0 {
        if v <= 0xff {
            out.put(&[0xcc, v as u8]);
        } else if v <= 0xffff {
            out.put(&[0xcd]);
            out.put(&(v as u16).to_be_bytes());
        } else if v <= 0xffff_ffff {
            out.put(&[0xce]);
            out.put(&(v as u32).to_be_bytes());
        } else {
            out.put(&[0xcf]);
            out.put(&(v as u64).to_be_bytes());
        }
    } else if v >= i64::from(i8::MIN) {
        out.put(&[0xd0, v as i8 as u8]);
    } else if v >= i64::from(i16::MIN) {
        out.put(&[0xd1]);
        out.put(&(v as i16).to_be_bytes());
    } else if v >= i64::from(i32::MIN) {
        out.put(&[0xd2]);
        out.put(&(v as i32).to_be_bytes());
    } else {
        out.put(&[0xd3]);
        out.put(&v.to_be_bytes());
    }
}

trait Sink {
    fn put(&mut self, bytes: &[u8]);
}

impl Sink for Vec<u8> {
    fn put(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }
}

struct SliceSink<'a> {
    buf: &'a mut [u8],
    pos: usize,
}

impl Sink for SliceSink<'_> {
    fn put(&mut self, bytes: &[u8]) {
        // `encode_to_slice` checked the length up front, so this never goes past the end.
        self.buf[self.pos..self.pos + bytes.len()].copy_from_slice(bytes);
        self.pos += bytes.len();
    }
}

/// Decoded named arguments, borrowing strings and bytes from the encoded buffer.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Args<'a> {
    entries: Vec<(&'a str, Value<'a>)>,
}

impl<'a> Args<'a> {
    /// The value named `name`, if present.
    pub fn get(&self, name: &str) -> Option<&Value<'a>> {
        self.entries
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v)
    }

    /// All entries in encoding order.
    pub fn entries(&self) -> &[(&'a str, Value<'a>)] {
        &self.entries
    }

    /// Number of arguments.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are no arguments.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// Decodes a MessagePack map of named arguments. An empty buffer is an empty map.
///
/// # Errors
///
/// Any [`ArgsError`] describing the first problem found; never panics on any input.
pub fn decode(bytes: &[u8]) -> Result<Args<'_>, ArgsError> {
    if bytes.is_empty() {
        return Ok(Args::default());
    }
    let mut reader = Reader { bytes, pos: 0 };
    let marker = reader.u8()?;
    let n = match marker {
        0x80..=0x8f => usize::from(marker & 0x0f),
        0xde => usize::from(reader.u16()?),
        0xdf => reader.u32()? as usize,
        _ => return Err(ArgsError::NotAMap),
    };
    if n > MAX_ARGS {
        return Err(ArgsError::TooManyArgs);
    }
    let mut entries: Vec<(&str, Value<'_>)> = Vec::with_capacity(n);
    for _ in 0..n {
        let key = match reader.value()? {
            Value::Str(s) => s,
            _ => return Err(ArgsError::KeyNotString),
        };
        if entries.iter().any(|(k, _)| *k == key) {
            return Err(ArgsError::DuplicateKey);
        }
        let value = reader.value()?;
        entries.push((key, value));
    }
    if reader.pos != bytes.len() {
        return Err(ArgsError::TrailingBytes);
    }
    Ok(Args { entries })
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], ArgsError> {
        let end = self.pos.checked_add(n).ok_or(ArgsError::Truncated)?;
        let slice = self.bytes.get(self.pos..end).ok_or(ArgsError::Truncated)?;
        self.pos = end;
        Ok(slice)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], ArgsError> {
        let mut out = [0; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    fn u8(&mut self) -> Result<u8, ArgsError> {
        Ok(self.array::<1>()?[0])
    }

    fn u16(&mut self) -> Result<u16, ArgsError> {
        Ok(u16::from_be_bytes(self.array()?))
    }

    fn u32(&mut self) -> Result<u32, ArgsError> {
        Ok(u32::from_be_bytes(self.array()?))
    }

    fn str(&mut self, len: usize) -> Result<&'a str, ArgsError> {
        core::str::from_utf8(self.take(len)?).map_err(|_| ArgsError::InvalidUtf8)
    }

    fn value(&mut self) -> Result<Value<'a>, ArgsError> {
        let marker = self.u8()?;
        Ok(match marker {
            0x00..=0x7f => Value::Int(i64::from(marker)),
            0xe0..=0xff => Value::Int(i64::from(marker as i8)),
            0xa0..=0xbf => Value::Str(self.str(usize::from(marker & 0x1f))?),
            0xc2 => Value::Bool(false),
            0xc3 => Value::Bool(true),
            0xc4 => {
                let len = usize::from(self.u8()?);
                Value::Bytes(self.take(len)?)
            }
            0xc5 => {
                let len = usize::from(self.u16()?);
                Value::Bytes(self.take(len)?)
            }
            0xc6 => {
                let len = self.u32()? as usize;
                Value::Bytes(self.take(len)?)
            }
            0xca => Value::Float(f64::from(f32::from_be_bytes(self.array()?))),
            0xcb => Value::Float(f64::from_be_bytes(self.array()?)),
            0xcc => Value::Int(i64::from(self.u8()?)),
            0xcd => Value::Int(i64::from(self.u16()?)),
            0xce => Value::Int(i64::from(self.u32()?)),
            0xcf => {
                let v = u64::from_be_bytes(self.array()?);
                Value::Int(i64::try_from(v).map_err(|_| ArgsError::IntegerOutOfRange)?)
            }
            0xd0 => Value::Int(i64::from(i8::from_be_bytes(self.array()?))),
            0xd1 => Value::Int(i64::from(i16::from_be_bytes(self.array()?))),
            0xd2 => Value::Int(i64::from(i32::from_be_bytes(self.array()?))),
            0xd3 => Value::Int(i64::from_be_bytes(self.array()?)),
            0xd9 => {
                let len = usize::from(self.u8()?);
                Value::Str(self.str(len)?)
            }
            0xda => {
                let len = usize::from(self.u16()?);
                Value::Str(self.str(len)?)
            }
            0xdb => {
                let len = self.u32()? as usize;
                Value::Str(self.str(len)?)
            }
            other => return Err(ArgsError::UnsupportedType { marker: other }),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    fn round_trip(entries: &[(&str, Value<'_>)]) -> Vec<u8> {
        let mut out = Vec::new();
        encode(entries, &mut out).unwrap();
        assert_eq!(out.len(), encoded_len(entries));
        let mut slice = vec![0u8; out.len()];
        encode_to_slice(entries, &mut slice).unwrap();
        assert_eq!(slice, out);
        let decoded = decode(&out).unwrap();
        assert_eq!(decoded.entries(), entries);
        out
    }

    #[test]
    fn documented_test_vectors_encode_exactly() {
        // These vectors are repeated in docs/abi.md; keep both in sync.
        assert_eq!(round_trip(&[]), [0x80]);
        assert_eq!(
            round_trip(&[("width", Value::Int(800))]),
            [0x81, 0xa5, b'w', b'i', b'd', b't', b'h', 0xcd, 0x03, 0x20]
        );
        assert_eq!(
            round_trip(&[("input", Value::Bytes(&[1, 2, 3]))]),
            [0x81, 0xa5, b'i', b'n', b'p', b'u', b't', 0xc4, 3, 1, 2, 3]
        );
        assert_eq!(
            round_trip(&[("q", Value::Bool(true))]),
            [0x81, 0xa1, b'q', 0xc3]
        );
        assert_eq!(
            round_trip(&[("n", Value::Int(-1))]),
            [0x81, 0xa1, b'n', 0xff]
        );
        assert_eq!(
            round_trip(&[("f", Value::Str("png"))]),
            [0x81, 0xa1, b'f', 0xa3, b'p', b'n', b'g']
        );
        assert_eq!(
            round_trip(&[("x", Value::Float(1.5))]),
            [0x81, 0xa1, b'x', 0xcb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0]
        );
    }

    #[test]
    fn integers_use_the_shortest_form_and_round_trip() {
        let cases: [(i64, usize); 14] = [
            (0, 1),
            (127, 1),
            (128, 2),
            (255, 2),
            (256, 3),
            (65_535, 3),
            (65_536, 5),
            (u32::MAX as i64, 5),
            (i64::MAX, 9),
            (-32, 1),
            (-33, 2),
            (-129, 3),
            (i32::MIN as i64, 5),
            (i64::MIN, 9),
        ];
        for (v, len) in cases {
            let mut out = Vec::new();
            encode_int(v, &mut out);
            assert_eq!(out.len(), len, "{v}");
            assert_eq!(int_len(v), len, "{v}");
            let encoded = round_trip(&[("v", Value::Int(v))]);
            assert_eq!(encoded.len(), 3 + len);
        }
    }

    #[test]
    fn long_strings_and_bytes_round_trip() {
        let long = "x".repeat(70_000);
        let bytes = vec![7u8; 300];
        round_trip(&[("s", Value::Str(&long)), ("b", Value::Bytes(&bytes))]);
        let many: Vec<(alloc::string::String, i64)> =
            (0..40).map(|i| (alloc::format!("k{i}"), i)).collect();
        let entries: Vec<(&str, Value<'_>)> = many
            .iter()
            .map(|(k, v)| (k.as_str(), Value::Int(*v)))
            .collect();
        assert_eq!(round_trip(&entries)[0], 0xde);
    }

    #[test]
    fn foreign_encodings_decode() {
        // float32, uint64 and str8 forms that our encoder never emits but others do.
        let bytes = [
            0x83, 0xa1, b'a', 0xca, 0x3f, 0xc0, 0, 0, 0xa1, b'b', 0xcf, 0, 0, 0, 0, 0, 0, 0, 5,
            0xa1, b'c', 0xd9, 1, b'z',
        ];
        let args = decode(&bytes).unwrap();
        assert_eq!(args.get("a"), Some(&Value::Float(1.5)));
        assert_eq!(args.get("b"), Some(&Value::Int(5)));
        assert_eq!(args.get("c"), Some(&Value::Str("z")));
        assert_eq!(args.get("d"), None);
    }

    #[test]
    fn malformed_maps_are_rejected_with_the_reason() {
        let cases: [(&[u8], ArgsError); 9] = [
            (&[0x81], ArgsError::Truncated),
            (&[0x91, 0x01], ArgsError::NotAMap),
            (&[0x81, 0x01, 0x01], ArgsError::KeyNotString),
            (&[0x81, 0xa1, 0xff, 0x01], ArgsError::InvalidUtf8),
            (
                &[0x81, 0xa1, b'a', 0xc0],
                ArgsError::UnsupportedType { marker: 0xc0 },
            ),
            (
                &[0x81, 0xa1, b'a', 0xcf, 0xff, 0, 0, 0, 0, 0, 0, 0],
                ArgsError::IntegerOutOfRange,
            ),
            (
                &[0x82, 0xa1, b'a', 1, 0xa1, b'a', 2],
                ArgsError::DuplicateKey,
            ),
            (&[0x80, 0x00], ArgsError::TrailingBytes),
            (&[0xdf, 0xff, 0xff, 0xff, 0xff], ArgsError::TooManyArgs),
        ];
        for (bytes, expected) in cases {
            assert_eq!(decode(bytes), Err(expected.clone()), "{bytes:?}");
        }
        assert_eq!(
            decode(&[0x81, 0xa1, b'a', 0xc6, 0xff, 0xff, 0xff, 0xff]),
            Err(ArgsError::Truncated)
        );
    }

    #[test]
    fn encoding_rejects_duplicate_names() {
        let mut out = Vec::new();
        assert_eq!(
            encode(&[("a", Value::Int(1)), ("a", Value::Int(2))], &mut out),
            Err(ArgsError::DuplicateKey)
        );
    }
}
