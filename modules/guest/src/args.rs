//! Typed access to the named arguments of a call, with errors that name the argument.

use alloc::format;

use fazt_wasm_abi::args::{self, Value};

use crate::Error;

/// The decoded named arguments of one call.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Args<'a> {
    inner: args::Args<'a>,
}

impl<'a> Args<'a> {
    /// Decodes the ABI's MessagePack map.
    ///
    /// # Errors
    ///
    /// A `bad_argument` error describing the malformed map.
    pub fn decode(bytes: &'a [u8]) -> Result<Self, Error> {
        args::decode(bytes)
            .map(|inner| Self { inner })
            .map_err(|error| Error::bad_argument(format!("{error}")))
    }

    /// The raw value of `name`, if present.
    pub fn get(&self, name: &str) -> Option<&Value<'a>> {
        self.inner.get(name)
    }

    /// All arguments in order.
    pub fn entries(&self) -> &[(&'a str, Value<'a>)] {
        self.inner.entries()
    }

    fn required<T>(&self, name: &str, value: Option<T>) -> Result<T, Error> {
        value.ok_or_else(|| Error::bad_argument(format!("missing required argument {name:?}")))
    }

    fn mistyped(name: &str, expected: &str, value: &Value<'_>) -> Error {
        Error::bad_argument(format!(
            "argument {name:?} must be {expected}, got {}",
            value.type_name()
        ))
    }

    /// The bytes argument `name`, if present. A string is accepted as its UTF-8 bytes.
    ///
    /// # Errors
    ///
    /// `bad_argument` when it has another type.
    pub fn opt_bytes(&self, name: &str) -> Result<Option<&'a [u8]>, Error> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Bytes(bytes)) => Ok(Some(bytes)),
            Some(Value::Str(text)) => Ok(Some(text.as_bytes())),
            Some(other) => Err(Self::mistyped(name, "bytes", other)),
        }
    }

    /// The required bytes argument `name`.
    ///
    /// # Errors
    ///
    /// `bad_argument` when missing or of another type.
    pub fn bytes(&self, name: &str) -> Result<&'a [u8], Error> {
        self.required(name, self.opt_bytes(name)?)
    }

    /// The string argument `name`, if present.
    ///
    /// # Errors
    ///
    /// `bad_argument` when it has another type.
    pub fn opt_str(&self, name: &str) -> Result<Option<&'a str>, Error> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Str(text)) => Ok(Some(text)),
            Some(other) => Err(Self::mistyped(name, "a string", other)),
        }
    }

    /// The required string argument `name`.
    ///
    /// # Errors
    ///
    /// `bad_argument` when missing or of another type.
    pub fn str(&self, name: &str) -> Result<&'a str, Error> {
        self.required(name, self.opt_str(name)?)
    }

    /// The integer argument `name`, if present.
    ///
    /// # Errors
    ///
    /// `bad_argument` when it has another type.
    pub fn opt_i64(&self, name: &str) -> Result<Option<i64>, Error> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Int(v)) => Ok(Some(*v)),
            Some(other) => Err(Self::mistyped(name, "an integer", other)),
        }
    }

    /// The required integer argument `name`.
    ///
    /// # Errors
    ///
    /// `bad_argument` when missing or of another type.
    pub fn i64(&self, name: &str) -> Result<i64, Error> {
        self.required(name, self.opt_i64(name)?)
    }

    /// The integer argument `name` as a `u32`, if present.
    ///
    /// # Errors
    ///
    /// `bad_argument` when of another type, negative or above `u32::MAX`.
    pub fn opt_u32(&self, name: &str) -> Result<Option<u32>, Error> {
        match self.opt_i64(name)? {
            None => Ok(None),
            Some(v) => u32::try_from(v).map(Some).map_err(|_| {
                Error::bad_argument(format!(
                    "argument {name:?} must be between 0 and {}, got {v}",
                    u32::MAX
                ))
            }),
        }
    }

    /// The required `u32` argument `name`.
    ///
    /// # Errors
    ///
    /// As [`Args::opt_u32`], or when missing.
    pub fn u32(&self, name: &str) -> Result<u32, Error> {
        self.required(name, self.opt_u32(name)?)
    }

    /// The float argument `name` (an integer is accepted), if present.
    ///
    /// # Errors
    ///
    /// `bad_argument` when it has another type.
    pub fn opt_f64(&self, name: &str) -> Result<Option<f64>, Error> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Float(v)) => Ok(Some(*v)),
            Some(Value::Int(v)) => Ok(Some(*v as f64)),
            Some(other) => Err(Self::mistyped(name, "a number", other)),
        }
    }

    /// The required float argument `name`.
    ///
    /// # Errors
    ///
    /// `bad_argument` when missing or of another type.
    pub fn f64(&self, name: &str) -> Result<f64, Error> {
        self.required(name, self.opt_f64(name)?)
    }

    /// The boolean argument `name`, if present.
    ///
    /// # Errors
    ///
    /// `bad_argument` when it has another type.
    pub fn opt_bool(&self, name: &str) -> Result<Option<bool>, Error> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Bool(v)) => Ok(Some(*v)),
            Some(other) => Err(Self::mistyped(name, "a boolean", other)),
        }
    }

    /// Refuses arguments other than `known`, so a typo (`widht`) is an error, not ignored.
    ///
    /// # Errors
    ///
    /// `bad_argument` naming the first unknown argument and listing the known ones.
    pub fn only(&self, known: &[&str]) -> Result<(), Error> {
        match self
            .entries()
            .iter()
            .find(|(name, _)| !known.contains(name))
        {
            None => Ok(()),
            Some((name, _)) => Err(Error::bad_argument(format!(
                "unknown argument {name:?}; expected one of {known:?}"
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;
    use fazt_wasm_abi::output::ErrorCode;

    fn encoded(entries: &[(&str, Value<'_>)]) -> Vec<u8> {
        let mut out = Vec::new();
        args::encode(entries, &mut out).unwrap();
        out
    }

    #[test]
    fn typed_getters_read_their_types() {
        let bytes = encoded(&[
            ("input", Value::Bytes(b"abc")),
            ("width", Value::Int(800)),
            ("ratio", Value::Float(0.5)),
            ("flag", Value::Bool(true)),
            ("format", Value::Str("png")),
        ]);
        let args = Args::decode(&bytes).unwrap();
        assert_eq!(args.bytes("input").unwrap(), b"abc");
        assert_eq!(args.u32("width").unwrap(), 800);
        assert_eq!(args.f64("ratio").unwrap(), 0.5);
        assert_eq!(args.f64("width").unwrap(), 800.0);
        assert_eq!(args.opt_bool("flag").unwrap(), Some(true));
        assert_eq!(args.str("format").unwrap(), "png");
        assert_eq!(args.opt_str("missing").unwrap(), None);
        args.only(&["input", "width", "ratio", "flag", "format"])
            .unwrap();
    }

    #[test]
    fn missing_mistyped_and_out_of_range_arguments_name_the_argument() {
        let bytes = encoded(&[("width", Value::Str("wide")), ("height", Value::Int(-1))]);
        let args = Args::decode(&bytes).unwrap();
        let error = args.u32("width").unwrap_err();
        assert_eq!(error.code, ErrorCode::BadArgument);
        assert!(
            error.message.contains("\"width\"") && error.message.contains("string"),
            "{error}"
        );
        assert!(
            args.u32("height")
                .unwrap_err()
                .message
                .contains("\"height\"")
        );
        assert!(
            args.bytes("input")
                .unwrap_err()
                .message
                .contains("missing required argument \"input\"")
        );
        assert!(
            args.only(&["width"])
                .unwrap_err()
                .message
                .contains("\"height\"")
        );
    }

    #[test]
    fn malformed_maps_are_bad_arguments() {
        let error = Args::decode(&[0x91, 0x01]).unwrap_err();
        assert_eq!(error.code, ErrorCode::BadArgument);
    }
}
