//! Human units on the command line: sizes (`64MiB`), durations (`500ms`, `2s`) and fuel
//! (`10M`), parsed exactly and printed back compactly.

use std::time::Duration;

/// A deadline setting from the command line: a timeout, or none at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timeout {
    /// Stop the call after this long.
    After(Duration),
    /// No deadline (fuel still bounds the call).
    Never,
}

/// Parses a size in bytes: a whole number with an optional unit, `B`, `KiB`, `MiB`, `GiB`
/// (powers of 1024) or `kB`, `MB`, `GB` (powers of 1000). Units ignore case, a fraction is
/// allowed when the result is a whole number of bytes (`1.5KiB`), and `_` separates digits.
///
/// # Errors
///
/// A message naming the accepted units for anything else, including the ambiguous `64M`.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let (number, unit) = split_number(text)?;
    let multiplier: u128 = match unit.to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "kib" => 1 << 10,
        "mib" => 1 << 20,
        "gib" => 1 << 30,
        "tib" => 1 << 40,
        "kb" => 1_000,
        "mb" => 1_000_000,
        "gb" => 1_000_000_000,
        "tb" => 1_000_000_000_000,
        "k" | "m" | "g" | "t" => {
            return Err(format!(
                "{text:?} is ambiguous: write {number}{upper}iB (binary) or {number}{upper}B (decimal)",
                upper = unit.to_ascii_uppercase()
            ));
        }
        _ => {
            return Err(format!(
                "{text:?} is not a size: use a number of bytes with an optional unit B, KiB, MiB, GiB, kB, MB or GB"
            ));
        }
    };
    let bytes = scale(&number, multiplier)
        .ok_or_else(|| format!("{text:?} is not a whole number of bytes"))?;
    u64::try_from(bytes).map_err(|_| format!("{text:?} is too large"))
}

/// Parses a duration: a number with a unit `ns`, `us` (or `µs`), `ms`, `s`, `m` (or
/// `min`) or `h`; a bare number is seconds. Fractions are allowed (`1.5s`).
///
/// # Errors
///
/// A message naming the accepted units.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let (number, unit) = split_number(text)?;
    let nanos_per_unit: u128 = match unit {
        "ns" => 1,
        "us" | "µs" => 1_000,
        "ms" => 1_000_000,
        "" | "s" | "sec" => 1_000_000_000,
        "m" | "min" => 60_000_000_000,
        "h" => 3_600_000_000_000,
        _ => {
            return Err(format!(
                "{text:?} is not a duration: use a number with a unit ns, us, ms, s, min or h (a bare number is seconds)"
            ));
        }
    };
    let nanos = scale(&number, nanos_per_unit)
        .ok_or_else(|| format!("{text:?} is not a whole number of nanoseconds"))?;
    let secs = u64::try_from(nanos / 1_000_000_000).map_err(|_| format!("{text:?} is too long"))?;
    Ok(Duration::new(secs, (nanos % 1_000_000_000) as u32))
}

/// Parses a `--timeout`: a duration as [`parse_duration`], or `none`/`off` for no deadline.
///
/// # Errors
///
/// As [`parse_duration`].
pub fn parse_timeout(text: &str) -> Result<Timeout, String> {
    match text {
        "none" | "off" => Ok(Timeout::Never),
        _ => parse_duration(text).map(Timeout::After),
    }
}

/// Parses a fuel amount: a whole number, `_` between digits, and an optional decimal
/// multiplier `k`, `M` or `G` (`10M` is ten million).
///
/// # Errors
///
/// A message for anything else.
pub fn parse_fuel(text: &str) -> Result<u64, String> {
    let (number, unit) = split_number(text)?;
    let multiplier: u128 = match unit {
        "" => 1,
        "k" => 1_000,
        "M" => 1_000_000,
        "G" => 1_000_000_000,
        _ => {
            return Err(format!(
                "{text:?} is not a fuel amount: use a whole number, optionally with k, M or G"
            ));
        }
    };
    let fuel = scale(&number, multiplier)
        .ok_or_else(|| format!("{text:?} is not a whole amount of fuel"))?;
    u64::try_from(fuel).map_err(|_| format!("{text:?} is too large"))
}

/// Splits `12.5MiB` into (`12.5` without `_`, `MiB`); whitespace between them is allowed.
fn split_number(text: &str) -> Result<(String, &str), String> {
    let text = text.trim();
    let end = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '_'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(end);
    let number: String = number.chars().filter(|&c| c != '_').collect();
    let well_formed = !number.is_empty()
        && !number.starts_with('.')
        && !number.ends_with('.')
        && number.matches('.').count() <= 1;
    if !well_formed {
        return Err(format!("{text:?} does not start with a number"));
    }
    Ok((number, unit.trim_start()))
}

/// `number × multiplier` computed exactly; `None` unless it is a whole number that fits in
/// a u128.
fn scale(number: &str, multiplier: u128) -> Option<u128> {
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    let digits: u128 = format!("{whole}{fraction}").parse().ok()?;
    let denominator = 10u128.checked_pow(fraction.len() as u32)?;
    let numerator = digits.checked_mul(multiplier)?;
    (numerator % denominator == 0).then_some(numerator / denominator)
}

/// Formats bytes compactly: `512 B`, `1.5 KiB`, `64 MiB`.
pub fn format_size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    let text = format!("{value:.1}");
    let text = text.strip_suffix(".0").unwrap_or(&text);
    format!("{text} {}", UNITS[unit])
}

/// Formats a measured duration for people: `840µs`, `3.2ms`, `1.25s`.
pub fn format_duration(duration: Duration) -> String {
    let micros = duration.as_secs_f64() * 1e6;
    if micros < 1_000.0 {
        format!("{micros:.0}µs")
    } else if micros < 1e6 {
        format!("{:.1}ms", micros / 1e3)
    } else {
        format!("{:.2}s", micros / 1e6)
    }
}

/// Formats a configured duration exactly, in the largest unit that divides it (`10s`,
/// `250ms`), so [`parse_duration`] reads back the same value.
pub fn format_duration_exact(duration: Duration) -> String {
    let nanos = duration.as_nanos();
    for (unit, size) in [
        ("h", 3_600_000_000_000),
        ("min", 60_000_000_000),
        ("s", 1_000_000_000),
        ("ms", 1_000_000),
        ("us", 1_000),
    ] {
        if nanos != 0 && nanos.is_multiple_of(size) {
            return format!("{}{unit}", nanos / size);
        }
    }
    format!("{nanos}ns")
}

impl Timeout {
    /// The setting as `--timeout` accepts it.
    pub fn to_arg(self) -> String {
        match self {
            Self::After(duration) => format_duration_exact(duration),
            Self::Never => String::from("none"),
        }
    }

    /// The deadline as `ModuleConfig::timeout` wants it.
    pub fn as_option(self) -> Option<Duration> {
        match self {
            Self::After(duration) => Some(duration),
            Self::Never => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_accept_binary_and_decimal_units() {
        assert_eq!(parse_size("64MiB"), Ok(64 << 20));
        assert_eq!(parse_size("64 mib"), Ok(64 << 20));
        assert_eq!(parse_size("1.5KiB"), Ok(1536));
        assert_eq!(parse_size("2GB"), Ok(2_000_000_000));
        assert_eq!(parse_size("4096"), Ok(4096));
        assert_eq!(parse_size("1_048_576B"), Ok(1 << 20));
    }

    #[test]
    fn sizes_refuse_ambiguous_fractional_and_garbage() {
        assert!(parse_size("64M").unwrap_err().contains("64MiB"));
        assert!(parse_size("1.3B").is_err());
        assert!(parse_size("MiB").is_err());
        assert!(parse_size("-1").is_err());
        assert!(parse_size("1..2KiB").is_err());
        assert!(parse_size("99999999999TiB").is_err());
    }

    #[test]
    fn durations_accept_units_and_fractions() {
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("2s"), Ok(Duration::from_secs(2)));
        assert_eq!(parse_duration("2"), Ok(Duration::from_secs(2)));
        assert_eq!(parse_duration("1.5s"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_duration("250us"), Ok(Duration::from_micros(250)));
        assert_eq!(parse_duration("1min"), Ok(Duration::from_secs(60)));
        assert!(parse_duration("2 fortnights").is_err());
        assert!(parse_duration("0.5ns").is_err());
    }

    #[test]
    fn timeout_none_means_no_deadline() {
        assert_eq!(parse_timeout("none"), Ok(Timeout::Never));
        assert_eq!(
            parse_timeout("100ms"),
            Ok(Timeout::After(Duration::from_millis(100)))
        );
    }

    #[test]
    fn fuel_accepts_separators_and_decimal_multipliers() {
        assert_eq!(parse_fuel("1_000_000"), Ok(1_000_000));
        assert_eq!(parse_fuel("10M"), Ok(10_000_000));
        assert_eq!(parse_fuel("2.5k"), Ok(2_500));
        assert!(parse_fuel("1.5").is_err());
        assert!(parse_fuel("10MiB").is_err());
    }

    #[test]
    fn exact_duration_format_round_trips() {
        for duration in [
            Duration::from_secs(10),
            Duration::from_millis(1500),
            Duration::from_nanos(7),
            Duration::from_secs(7200),
            Duration::from_micros(3),
        ] {
            assert_eq!(
                parse_duration(&format_duration_exact(duration)),
                Ok(duration)
            );
        }
        assert_eq!(format_duration_exact(Duration::from_millis(1500)), "1500ms");
    }

    #[test]
    fn sizes_and_durations_print_compactly() {
        assert_eq!(format_size(512), "512 B");
        assert_eq!(format_size(1536), "1.5 KiB");
        assert_eq!(format_size(64 << 20), "64 MiB");
        assert_eq!(format_duration(Duration::from_micros(840)), "840µs");
        assert_eq!(format_duration(Duration::from_micros(3200)), "3.2ms");
        assert_eq!(format_duration(Duration::from_millis(1250)), "1.25s");
    }
}
