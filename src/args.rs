//! `test`'s free-form arguments: `--NAME VALUE` pairs typed from their text, `@PATH` file
//! contents, and positional values for raw exports.
//!
//! Typing rules (also in `fazt-wasm test --help`):
//! - `true`/`false` are booleans, `12`/`-3` integers (`i64`), `1.5`/`2e3` floats;
//! - `@PATH` is the bytes of the file (`@-` reads stdin); `@@text` is the string `@text`;
//! - anything else is a string;
//! - `--NAME:TYPE VALUE` forces a type: `int`, `float`, `bool`, `str` (taken literally) or
//!   `bytes` (the value's own bytes, or a file's with `@PATH`). The typed form also passes
//!   argument names that the options below would otherwise take (`--output:str x`).

use std::io::Read as _;
use std::path::{Path, PathBuf};

use crate::call::NamedArg;
use crate::cli::TestOptions;
use crate::exit::Failure;
use crate::units;

/// The free-form part of a `test` command line, after the known options were taken out.
#[derive(Debug, Default)]
pub struct FreeArgs {
    /// Named arguments in command-line order.
    pub named: Vec<NamedArg>,
    /// Values not preceded by `--NAME` (raw exports' parameters).
    pub positional: Vec<String>,
}

/// Where `@PATH` and `--input` read from; stdin can be read once.
#[derive(Debug, Default)]
pub struct FileReader {
    stdin_used: bool,
}

impl FileReader {
    /// The bytes of `path`, or of stdin for `-`.
    ///
    /// # Errors
    ///
    /// An `io` failure naming the file, or `usage` when stdin is asked for twice.
    pub fn read(&mut self, path: &Path) -> Result<Vec<u8>, Failure> {
        if path == Path::new("-") {
            if self.stdin_used {
                return Err(Failure::usage("stdin (`-`) can be read only once"));
            }
            self.stdin_used = true;
            let mut bytes = Vec::new();
            std::io::stdin()
                .read_to_end(&mut bytes)
                .map_err(|error| Failure::io("cannot read", Path::new("stdin"), &error))?;
            return Ok(bytes);
        }
        crate::files::read(path).map_err(|error| Failure::io("cannot read", path, &error))
    }
}

/// Splits `tokens` (everything after `test <module> <function>`) into options, named
/// arguments and positional values. Options found here fill the fields of `options` that
/// clap left empty; an option given twice is a usage error.
///
/// # Errors
///
/// `usage` for a malformed option value, `bad_arguments` for a malformed or duplicated
/// named argument, `not_found`/`io` when an `@PATH` or `--input` file cannot be read.
pub fn parse(
    tokens: &[String],
    options: &mut TestOptions,
    reader: &mut FileReader,
) -> Result<FreeArgs, Failure> {
    let mut free = FreeArgs::default();
    let mut pending_input = options.input.take();
    let mut tokens = tokens.iter();
    while let Some(token) = tokens.next() {
        let Some(flag) = token.strip_prefix("--").filter(|flag| !flag.is_empty()) else {
            free.positional.push(token.clone());
            continue;
        };
        let (flag, inline_value) = match flag.split_once('=') {
            Some((flag, value)) => (flag, Some(value.to_owned())),
            None => (flag, None),
        };
        let switch = |set: &mut bool| {
            if inline_value.is_some() {
                return Err(Failure::usage(format!("--{flag} takes no value")));
            }
            if *set {
                return Err(Failure::usage(format!("--{flag} is given twice")));
            }
            *set = true;
            Ok(())
        };
        match flag {
            "json" => switch(&mut options.json)?,
            "raw" => switch(&mut options.raw)?,
            _ => {
                let value = match inline_value {
                    Some(value) => value,
                    None => take_value(flag, &mut tokens)?,
                };
                match flag {
                    "input" => set_once(flag, &mut pending_input, PathBuf::from(value))?,
                    "output" => set_once(flag, &mut options.output, PathBuf::from(value))?,
                    "save-repro" => set_once(flag, &mut options.save_repro, PathBuf::from(value))?,
                    "socket" => set_once(flag, &mut options.socket, PathBuf::from(value))?,
                    "fuel" => set_once(
                        flag,
                        &mut options.fuel,
                        option(flag, units::parse_fuel(&value))?,
                    )?,
                    "memory" => set_once(
                        flag,
                        &mut options.memory,
                        option(flag, units::parse_size(&value))?,
                    )?,
                    "timeout" => set_once(
                        flag,
                        &mut options.timeout,
                        option(flag, units::parse_timeout(&value))?,
                    )?,
                    _ => {
                        let arg = named_arg(flag, &value, reader)?;
                        push_unique(&mut free.named, arg)?;
                    }
                }
            }
        }
    }
    if let Some(path) = pending_input {
        let bytes = reader.read(&path)?;
        push_unique(
            &mut free.named,
            NamedArg::Bytes {
                name: String::from("input"),
                value: bytes,
            },
        )?;
        options.input = Some(path);
    }
    Ok(free)
}

fn take_value<'a>(
    flag: &str,
    tokens: &mut impl Iterator<Item = &'a String>,
) -> Result<String, Failure> {
    match tokens.next() {
        // A value that looks like the next option is almost always a forgotten value;
        // `--NAME=--text` passes such a value on purpose.
        Some(value) if !value.starts_with("--") => Ok(value.clone()),
        _ => Err(Failure::bad_argument(format!(
            "--{flag} needs a value (write --{flag}=VALUE for a value starting with --)"
        ))),
    }
}

fn set_once<T>(flag: &str, slot: &mut Option<T>, value: T) -> Result<(), Failure> {
    if slot.is_some() {
        return Err(Failure::usage(format!("--{flag} is given twice")));
    }
    *slot = Some(value);
    Ok(())
}

fn option<T>(flag: &str, parsed: Result<T, String>) -> Result<T, Failure> {
    parsed.map_err(|reason| Failure::usage(format!("invalid value for --{flag}: {reason}")))
}

fn push_unique(named: &mut Vec<NamedArg>, arg: NamedArg) -> Result<(), Failure> {
    if named.iter().any(|other| other.name() == arg.name()) {
        return Err(Failure::bad_argument(format!(
            "argument {:?} is given twice",
            arg.name()
        )));
    }
    named.push(arg);
    Ok(())
}

/// Types `--NAME VALUE` (or `--NAME:TYPE VALUE`).
fn named_arg(flag: &str, value: &str, reader: &mut FileReader) -> Result<NamedArg, Failure> {
    let (name, forced) = match flag.split_once(':') {
        Some((name, forced)) => (name, Some(forced)),
        None => (flag, None),
    };
    if name.is_empty() {
        return Err(Failure::bad_argument(format!(
            "--{flag} has no argument name"
        )));
    }
    let name = String::from(name);
    let bad = |expected: &str| {
        Failure::bad_argument(format!("argument {name:?}: {value:?} is not {expected}"))
    };
    Ok(match forced {
        None => return infer(name, value, reader),
        Some("int") => NamedArg::Int {
            value: value.parse().map_err(|_| bad("an integer (i64)"))?,
            name,
        },
        Some("float") => NamedArg::Float {
            value: value
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(|| bad("a finite float"))?,
            name,
        },
        Some("bool") => NamedArg::Bool {
            value: value.parse().map_err(|_| bad("true or false"))?,
            name,
        },
        Some("str") => NamedArg::String {
            value: String::from(value),
            name,
        },
        Some("bytes") => NamedArg::Bytes {
            value: match value.strip_prefix('@') {
                Some(path) if !path.starts_with('@') => reader.read(Path::new(path))?,
                _ => value.as_bytes().to_vec(),
            },
            name,
        },
        Some(other) => {
            return Err(Failure::bad_argument(format!(
                "--{flag}: unknown type {other:?} (use int, float, bool, str or bytes)"
            )));
        }
    })
}

fn infer(name: String, value: &str, reader: &mut FileReader) -> Result<NamedArg, Failure> {
    if let Some(rest) = value.strip_prefix('@') {
        return Ok(match rest.strip_prefix('@') {
            Some(_) => NamedArg::String {
                value: String::from(rest),
                name,
            },
            None if rest.is_empty() => {
                return Err(Failure::bad_argument(format!(
                    "argument {name:?}: `@` needs a path (write @@ for a literal @)"
                )));
            }
            None => NamedArg::Bytes {
                value: reader.read(Path::new(rest))?,
                name,
            },
        });
    }
    Ok(match value {
        "true" => NamedArg::Bool { name, value: true },
        "false" => NamedArg::Bool { name, value: false },
        _ if is_integer(value) => NamedArg::Int {
            value: value.parse().map_err(|_| {
                Failure::bad_argument(format!(
                    "argument {name:?}: {value} does not fit in i64 (use --{name}:str or --{name}:float)"
                ))
            })?,
            name,
        },
        _ if is_float(value) => NamedArg::Float {
            value: value.parse().map_err(|_| {
                Failure::bad_argument(format!("argument {name:?}: {value} is not a float"))
            })?,
            name,
        },
        _ => NamedArg::String {
            value: String::from(value),
            name,
        },
    })
}

fn is_integer(text: &str) -> bool {
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

/// Decimal notation only: `inf`, `NaN` and `1_000` stay strings.
fn is_float(text: &str) -> bool {
    let body = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (mantissa, exponent) = match body.split_once(['e', 'E']) {
        Some((mantissa, exponent)) => (mantissa, Some(exponent)),
        None => (body, None),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok =
        (!whole.is_empty() || !fraction.is_empty()) && digits(whole) && digits(fraction);
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && digits(e)
    });
    mantissa_ok && exponent_ok && (mantissa.contains('.') || exponent.is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_line(line: &[&str]) -> Result<(FreeArgs, TestOptions), Failure> {
        let tokens: Vec<String> = line.iter().map(|s| String::from(*s)).collect();
        let mut options = TestOptions::default();
        let free = parse(&tokens, &mut options, &mut FileReader::default())?;
        Ok((free, options))
    }

    #[test]
    fn values_are_typed_from_their_text() {
        let (free, _) = parse_line(&[
            "--w", "800", "--neg", "-3", "--scale", "0.5", "--exp", "2e3", "--on", "true",
            "--name", "cat", "--at", "@@home", "--nan", "NaN", "--sep", "1_000",
        ])
        .unwrap();
        assert_eq!(
            free.named,
            vec![
                NamedArg::Int {
                    name: "w".into(),
                    value: 800
                },
                NamedArg::Int {
                    name: "neg".into(),
                    value: -3
                },
                NamedArg::Float {
                    name: "scale".into(),
                    value: 0.5
                },
                NamedArg::Float {
                    name: "exp".into(),
                    value: 2000.0
                },
                NamedArg::Bool {
                    name: "on".into(),
                    value: true
                },
                NamedArg::String {
                    name: "name".into(),
                    value: "cat".into()
                },
                NamedArg::String {
                    name: "at".into(),
                    value: "@home".into()
                },
                NamedArg::String {
                    name: "nan".into(),
                    value: "NaN".into()
                },
                NamedArg::String {
                    name: "sep".into(),
                    value: "1_000".into()
                },
            ]
        );
    }

    #[test]
    fn typed_names_force_the_type_and_free_reserved_names() {
        let (free, options) = parse_line(&[
            "--zip:str",
            "01234",
            "--output:str",
            "x",
            "--n:float",
            "3",
            "--b:bytes",
            "hi",
        ])
        .unwrap();
        assert!(options.output.is_none());
        assert_eq!(
            free.named,
            vec![
                NamedArg::String {
                    name: "zip".into(),
                    value: "01234".into()
                },
                NamedArg::String {
                    name: "output".into(),
                    value: "x".into()
                },
                NamedArg::Float {
                    name: "n".into(),
                    value: 3.0
                },
                NamedArg::Bytes {
                    name: "b".into(),
                    value: b"hi".to_vec()
                },
            ]
        );
        assert_eq!(
            parse_line(&["--n:int", "x"]).unwrap_err().kind,
            "bad_arguments"
        );
        assert_eq!(
            parse_line(&["--n:list", "x"]).unwrap_err().kind,
            "bad_arguments"
        );
    }

    #[test]
    fn known_options_are_taken_out_wherever_they_appear() {
        let (free, options) = parse_line(&[
            "1",
            "--fuel",
            "10M",
            "--json",
            "--memory=1MiB",
            "-2",
            "--timeout",
            "none",
        ])
        .unwrap();
        assert_eq!(free.positional, vec!["1", "-2"]);
        assert!(free.named.is_empty());
        assert_eq!(options.fuel, Some(10_000_000));
        assert_eq!(options.memory, Some(1 << 20));
        assert_eq!(options.timeout, Some(units::Timeout::Never));
        assert!(options.json);
        assert_eq!(parse_line(&["--fuel", "lots"]).unwrap_err().kind, "usage");
        assert_eq!(parse_line(&["--json", "--json"]).unwrap_err().kind, "usage");
    }

    #[test]
    fn malformed_named_arguments_are_bad_arguments() {
        for line in [
            &["--w"][..],
            &["--w", "--h", "2"],
            &["--w", "1", "--w", "2"],
            &["--big", "99999999999999999999"],
            &["--at", "@"],
        ] {
            assert_eq!(
                parse_line(line).unwrap_err().kind,
                "bad_arguments",
                "{line:?}"
            );
        }
        let (free, _) = parse_line(&["--w=--dash"]).unwrap();
        assert_eq!(
            free.named,
            vec![NamedArg::String {
                name: "w".into(),
                value: "--dash".into()
            }]
        );
    }

    #[test]
    fn missing_at_path_is_not_found() {
        let error = parse_line(&["--data", "@/nonexistent/fazt-wasm-test"]).unwrap_err();
        assert_eq!(error.kind, "not_found");
        assert!(error.message.contains("/nonexistent/fazt-wasm-test"));
    }
}
