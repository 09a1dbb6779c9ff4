//! `OwnedArgs`: named arguments that own their data, so generators can produce them; with
//! proptest strategies (feature `proptest`) and `arbitrary::Arbitrary` (feature `arbitrary`).

use fazt_wasm_runtime::{Args, Value};

/// One argument value that owns its string or bytes.
#[derive(Debug, Clone)]
pub enum OwnedValue {
    /// An integer.
    Int(i64),
    /// A float (compared bit for bit, so NaNs equal themselves).
    Float(f64),
    /// A boolean.
    Bool(bool),
    /// A UTF-8 string.
    Str(String),
    /// Raw bytes.
    Bytes(Vec<u8>),
}

impl OwnedValue {
    /// The borrowed ABI value.
    pub fn as_value(&self) -> Value<'_> {
        match self {
            Self::Int(value) => Value::Int(*value),
            Self::Float(value) => Value::Float(*value),
            Self::Bool(value) => Value::Bool(*value),
            Self::Str(value) => Value::Str(value),
            Self::Bytes(value) => Value::Bytes(value),
        }
    }
}

impl PartialEq for OwnedValue {
    fn eq(&self, other: &Self) -> bool {
        values_equal(&self.as_value(), &other.as_value())
    }
}

/// Whether two ABI values are the same, comparing floats bit for bit (the codec keeps every
/// bit, NaN payloads included).
pub fn values_equal(left: &Value<'_>, right: &Value<'_>) -> bool {
    match (left, right) {
        (Value::Float(left), Value::Float(right)) => left.to_bits() == right.to_bits(),
        (left, right) => left == right,
    }
}

/// Whether two argument lists hold the same names and values in the same order.
pub fn entries_equal(left: &[(&str, Value<'_>)], right: &[(&str, Value<'_>)]) -> bool {
    left.len() == right.len()
        && left
            .iter()
            .zip(right)
            .all(|((ln, lv), (rn, rv))| ln == rn && values_equal(lv, rv))
}

/// Named arguments that own their data. Names are unique: [`OwnedArgs::set`] replaces, as
/// `fazt_wasm_runtime::Args::set` does.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OwnedArgs {
    entries: Vec<(String, OwnedValue)>,
}

impl OwnedArgs {
    /// No arguments.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `name` to `value`, replacing an earlier value of that name.
    pub fn set(&mut self, name: impl Into<String>, value: OwnedValue) {
        let name = name.into();
        match self.entries.iter_mut().find(|(n, _)| *n == name) {
            Some(entry) => entry.1 = value,
            None => self.entries.push((name, value)),
        }
    }

    /// Adds an argument (builder form of [`OwnedArgs::set`]).
    pub fn with(mut self, name: impl Into<String>, value: OwnedValue) -> Self {
        self.set(name, value);
        self
    }

    /// The arguments in order.
    pub fn entries(&self) -> &[(String, OwnedValue)] {
        &self.entries
    }

    /// Borrows them as the runtime's [`Args`].
    pub fn as_args(&self) -> Args<'_> {
        self.entries
            .iter()
            .fold(Args::new(), |args, (name, value)| {
                args.with(name, value.as_value())
            })
    }

    /// The arguments as borrowed ABI entries.
    pub fn as_entries(&self) -> Vec<(&str, Value<'_>)> {
        self.entries
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_value()))
            .collect()
    }

    /// The MessagePack encoding the host writes into guest memory.
    ///
    /// # Errors
    ///
    /// Whatever `fazt_wasm_abi::args::encode` refuses (more than `MAX_ARGS` entries).
    pub fn encode(&self) -> Result<Vec<u8>, fazt_wasm_abi::args::ArgsError> {
        let mut out = Vec::new();
        fazt_wasm_abi::args::encode(&self.as_entries(), &mut out)?;
        Ok(out)
    }
}

impl<'a> From<&Args<'a>> for OwnedArgs {
    fn from(args: &Args<'a>) -> Self {
        let mut owned = Self::new();
        for (name, value) in args.entries() {
            let value = match *value {
                Value::Int(value) => OwnedValue::Int(value),
                Value::Float(value) => OwnedValue::Float(value),
                Value::Bool(value) => OwnedValue::Bool(value),
                Value::Str(value) => OwnedValue::Str(value.to_owned()),
                Value::Bytes(value) => OwnedValue::Bytes(value.to_vec()),
            };
            owned.set(*name, value);
        }
        owned
    }
}

#[cfg(feature = "arbitrary")]
impl<'a> arbitrary::Arbitrary<'a> for OwnedValue {
    fn arbitrary(u: &mut arbitrary::Unstructured<'a>) -> arbitrary::Result<Self> {
        Ok(match u.int_in_range(0..=4u8)? {
            0 => Self::Int(u.arbitrary()?),
            1 => Self::Float(u.arbitrary()?),
            2 => Self::Bool(u.arbitrary()?),
            3 => Self::Str(u.arbitrary()?),
            _ => Self::Bytes(u.arbitrary()?),
        })
    }
}

#[cfg(feature = "arbitrary")]
impl<'a> arbitrary::Arbitrary<'a> for OwnedArgs {
    /// Unique names (a repeated name replaces the earlier value), any number of entries: more
    /// than `MAX_ARGS` is possible on purpose, since the host must refuse it cleanly.
    fn arbitrary(u: &mut arbitrary::Unstructured<'a>) -> arbitrary::Result<Self> {
        let mut args = Self::new();
        for entry in u.arbitrary_iter::<(String, OwnedValue)>()? {
            let (name, value) = entry?;
            args.set(name, value);
        }
        Ok(args)
    }
}

/// proptest strategies for arguments: per type, any value, and whole argument lists.
#[cfg(feature = "proptest")]
pub mod strategy {
    use proptest::prelude::*;

    use super::{OwnedArgs, OwnedValue};

    /// Any integer, with the encoding's boundaries (fixint, 8/16/32-bit forms) made likely.
    pub fn int() -> impl Strategy<Value = OwnedValue> {
        prop_oneof![
            any::<i64>(),
            prop::sample::select(vec![
                0,
                1,
                -1,
                127,
                128,
                -32,
                -33,
                255,
                256,
                -128,
                -129,
                65_535,
                65_536,
                i64::from(i32::MIN),
                i64::from(u32::MAX),
                i64::MIN,
                i64::MAX,
            ]),
        ]
        .prop_map(OwnedValue::Int)
    }

    /// Any float, NaNs, infinities and negative zero included.
    pub fn float() -> impl Strategy<Value = OwnedValue> {
        prop_oneof![
            any::<f64>(),
            any::<u64>().prop_map(f64::from_bits),
            prop::sample::select(vec![0.0, -0.0, f64::NAN, f64::INFINITY, f64::MIN_POSITIVE]),
        ]
        .prop_map(OwnedValue::Float)
    }

    /// `true` or `false`.
    pub fn boolean() -> impl Strategy<Value = OwnedValue> {
        any::<bool>().prop_map(OwnedValue::Bool)
    }

    /// A string of up to `max_len` characters (any Unicode).
    pub fn string(max_len: usize) -> impl Strategy<Value = OwnedValue> {
        prop::collection::vec(any::<char>(), 0..=max_len)
            .prop_map(|chars| OwnedValue::Str(chars.into_iter().collect()))
    }

    /// Up to `max_len` bytes; lengths around the bin8/bin16 boundaries are reachable.
    pub fn bytes(max_len: usize) -> impl Strategy<Value = OwnedValue> {
        prop::collection::vec(any::<u8>(), 0..=max_len).prop_map(OwnedValue::Bytes)
    }

    /// A value of any of the five ABI types.
    pub fn value() -> impl Strategy<Value = OwnedValue> {
        prop_oneof![int(), float(), boolean(), string(40), bytes(300)]
    }

    /// An argument name: short ASCII most of the time, any Unicode sometimes.
    pub fn name() -> impl Strategy<Value = String> {
        prop_oneof![
            4 => "[a-z_][a-z0-9_]{0,12}",
            1 => ".{0,40}",
        ]
    }

    /// Up to `max_entries` arguments with unique names (at most `MAX_ARGS` is what the host
    /// accepts).
    pub fn args(max_entries: usize) -> impl Strategy<Value = OwnedArgs> {
        prop::collection::vec((name(), value()), 0..=max_entries).prop_map(|entries| {
            entries
                .into_iter()
                .fold(OwnedArgs::new(), |args, (name, value)| {
                    args.with(name, value)
                })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_replaces_an_existing_name_like_the_runtime_args() {
        let owned = OwnedArgs::new()
            .with("a", OwnedValue::Int(1))
            .with("b", OwnedValue::Bool(true))
            .with("a", OwnedValue::Int(2));
        let runtime_args = Args::new().int("a", 1).bool("b", true).int("a", 2);
        assert_eq!(owned.as_args(), runtime_args);
        assert_eq!(OwnedArgs::from(&runtime_args), owned);
    }

    #[test]
    fn nan_floats_compare_equal_bit_for_bit() {
        assert_eq!(OwnedValue::Float(f64::NAN), OwnedValue::Float(f64::NAN));
        assert_ne!(OwnedValue::Float(0.0), OwnedValue::Float(-0.0));
    }

    #[test]
    fn encoding_matches_the_documented_test_vector() {
        let args = OwnedArgs::new().with("width", OwnedValue::Int(800));
        assert_eq!(
            args.encode().unwrap(),
            [0x81, 0xa5, b'w', b'i', b'd', b't', b'h', 0xcd, 0x03, 0x20]
        );
    }
}
