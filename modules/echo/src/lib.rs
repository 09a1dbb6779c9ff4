//! The sample guest: the smallest useful service module built with the SDK.

use fazt_wasm_guest::{Args, Error, Level, export, log, read_file};

/// Returns the `input` bytes unchanged.
pub fn echo(args: &Args<'_>) -> Result<Vec<u8>, Error> {
    args.only(&["input"])?;
    Ok(args.bytes("input")?.to_vec())
}

/// Logs a greeting for `name` and returns it.
pub fn greet(args: &Args<'_>) -> Result<Vec<u8>, Error> {
    let name = args.str("name")?;
    let greeting = format!("hello, {name}");
    log(Level::Info, &greeting);
    Ok(greeting.into_bytes())
}

/// Returns the contents of the file at `path` (the module must be granted `read_file`).
pub fn read(args: &Args<'_>) -> Result<Vec<u8>, Error> {
    read_file(args.str("path")?)
}

/// Sums the integer arguments `a` and `b`, as decimal text.
pub fn sum(args: &Args<'_>) -> Result<Vec<u8>, Error> {
    let total = args
        .i64("a")?
        .checked_add(args.i64("b")?)
        .ok_or_else(|| Error::limit("a + b overflows i64"))?;
    Ok(total.to_string().into_bytes())
}

/// Panics with `message` (a trap on the host side).
pub fn panic(args: &Args<'_>) -> Result<Vec<u8>, Error> {
    panic!("{}", args.opt_str("message")?.unwrap_or("guest panic"));
}

export!(echo);
export!(greet);
export!(read);
export!(sum);
export!(panic);

#[cfg(test)]
mod tests {
    use fazt_wasm_guest::{Value, abi, serve};

    fn encode(entries: &[(&str, Value<'_>)]) -> Vec<u8> {
        let mut out = Vec::new();
        abi::args::encode(entries, &mut out).unwrap();
        out
    }

    #[test]
    fn echo_returns_its_input_in_an_ok_envelope() {
        let envelope = serve(&encode(&[("input", Value::Bytes(b"xyz"))]), super::echo);
        assert_eq!(envelope, b"\0xyz");
    }

    #[test]
    fn unknown_arguments_are_refused() {
        let envelope = serve(&encode(&[("inptu", Value::Bytes(b"xyz"))]), super::echo);
        assert_eq!(
            envelope[..2],
            [
                abi::output::TAG_ERR,
                abi::output::ErrorCode::BadArgument as u8
            ]
        );
    }

    #[test]
    fn sum_overflow_is_a_limit_error() {
        let envelope = serve(
            &encode(&[("a", Value::Int(i64::MAX)), ("b", Value::Int(1))]),
            super::sum,
        );
        assert_eq!(envelope[1], abi::output::ErrorCode::Limit as u8);
        assert_eq!(
            serve(
                &encode(&[("a", Value::Int(2)), ("b", Value::Int(40))]),
                super::sum
            ),
            b"\x0042"
        );
    }
}
