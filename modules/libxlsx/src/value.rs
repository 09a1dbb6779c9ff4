//! Turning raw cell values into text: numbers, date serials, ISO dates and `_xHHHH_` escapes.

use std::fmt::Write as _;

use crate::styles::NumberKind;

const SECONDS_PER_DAY: i64 = 86_400;
/// Days from 1970-01-01 back to 1899-12-30, the day before the 1900 system's serial 1 minus the
/// phantom 1900-02-29.
const UNIX_DAYS_AT_1899_12_30: i64 = -25_569;
/// Days from 1970-01-01 back to 1904-01-01, serial 0 of the 1904 system.
const UNIX_DAYS_AT_1904_01_01: i64 = -24_107;
/// Serial of 9999-12-31, the last date Excel shows, in the 1900 and 1904 systems.
const MAX_SERIAL_DAYS_1900: i64 = 2_958_465;
const MAX_SERIAL_DAYS_1904: i64 = 2_957_003;

/// Formats a number the way ECMAScript's `Number.prototype.toString` does: the shortest digits
/// that read back as the same `f64`, positional between 1e-7 and 1e21 and exponential
/// (`1e+21`, `1.5e-7`) outside, with `-0` printed as `0`.
pub(crate) fn format_number(value: f64) -> String {
    if value == 0.0 {
        return "0".to_owned();
    }
    if !value.is_finite() {
        // Cannot come from a parsed cell (those are checked for finiteness), but stay total.
        return value.to_string();
    }
    // `{:e}` prints the shortest round-trip digits as `d.ddde<exponent>`.
    let scientific = format!("{:e}", value.abs());
    let (mantissa, exponent) = scientific
        .split_once('e')
        .expect("LowerExp output always has an exponent");
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let exponent: i32 = exponent.parse().expect("LowerExp exponent is an integer");
    let digit_count = digits.len() as i32;
    // As in the ECMAScript spec: the value is 0.digits × 10^point.
    let point = exponent + 1;
    let mut out = String::with_capacity(24);
    if value < 0.0 {
        out.push('-');
    }
    if digit_count <= point && point <= 21 {
        out.push_str(&digits);
        out.extend(std::iter::repeat_n('0', (point - digit_count) as usize));
    } else if 0 < point && point <= 21 {
        out.push_str(&digits[..point as usize]);
        out.push('.');
        out.push_str(&digits[point as usize..]);
    } else if -6 < point && point <= 0 {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', (-point) as usize));
        out.push_str(&digits);
    } else {
        out.push_str(&digits[..1]);
        if digit_count > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        let _ = write!(
            out,
            "e{}{}",
            if point > 0 { '+' } else { '-' },
            (point - 1).abs()
        );
    }
    out
}

/// Formats a date serial as ISO 8601 for a cell whose number format is a date, time or duration.
///
/// The serial is rounded to the nearest second first. Under [`NumberKind::DateTime`], serials
/// below one day give `HH:MM:SS`, whole days `YYYY-MM-DD`, others `YYYY-MM-DDTHH:MM:SS`; under
/// [`NumberKind::Duration`] the result is `HH:MM:SS` with as many hours as needed. Returns `None`
/// for serials Excel cannot show as a date (negative, or after 9999-12-31), which then print as
/// plain numbers.
pub(crate) fn format_serial(serial: f64, kind: NumberKind, is_1904: bool) -> Option<String> {
    if serial.is_nan() || serial < 0.0 {
        return None;
    }
    let max_days = if is_1904 {
        MAX_SERIAL_DAYS_1904
    } else {
        MAX_SERIAL_DAYS_1900
    };
    let rounded_seconds = (serial * SECONDS_PER_DAY as f64).round();
    if rounded_seconds >= ((max_days + 1) * SECONDS_PER_DAY) as f64 {
        return None;
    }
    let total_seconds = rounded_seconds as i64;
    let days = total_seconds / SECONDS_PER_DAY;
    let second_of_day = total_seconds % SECONDS_PER_DAY;
    match kind {
        NumberKind::Plain => None,
        NumberKind::Duration => Some(format_clock(total_seconds)),
        NumberKind::DateTime if days == 0 => Some(format_clock(second_of_day)),
        NumberKind::DateTime => {
            let unix_days = if is_1904 {
                UNIX_DAYS_AT_1904_01_01 + days
            } else if days < 60 {
                // Excel counts a 1900-02-29 that never was, so serials before it are one day later
                // than a plain count from 1899-12-30.
                UNIX_DAYS_AT_1899_12_30 + 1 + days
            } else if days == 60 {
                // Serial 60 is Excel's phantom 1900-02-29; like openpyxl and calamine, say 02-28.
                UNIX_DAYS_AT_1899_12_30 + 60
            } else {
                UNIX_DAYS_AT_1899_12_30 + days
            };
            Some(format_date_time(unix_days, second_of_day))
        }
    }
}

/// `HH:MM:SS`, where hours may exceed 23 (and two digits).
fn format_clock(total_seconds: i64) -> String {
    format!(
        "{:02}:{:02}:{:02}",
        total_seconds / 3600,
        total_seconds / 60 % 60,
        total_seconds % 60
    )
}

/// `YYYY-MM-DD`, followed by `THH:MM:SS` unless the time is midnight.
fn format_date_time(unix_days: i64, second_of_day: i64) -> String {
    let (year, month, day) = civil_from_days(unix_days);
    let mut out = format!("{year:04}-{month:02}-{day:02}");
    if second_of_day != 0 {
        out.push('T');
        out.push_str(&format_clock(second_of_day));
    }
    out
}

/// Normalises the ISO 8601 text of a `t="d"` cell to this crate's date forms.
///
/// Accepts `YYYY-MM-DD`, optionally followed by `T` or a space and `HH:MM[:SS[.fff]]` and a zone
/// (`Z` or `±HH[:MM]`, dropped: the wall-clock time is kept), or a bare `HH:MM[:SS[.fff]]`.
/// Fractions round to the nearest second. Returns `None` if the text is not such a date.
pub(crate) fn normalize_iso_date(text: &str) -> Option<String> {
    let text = text.trim();
    if text.len() >= 5 && text.as_bytes()[2] == b':' {
        let seconds = parse_iso_time(text)?;
        return Some(format_clock(seconds));
    }
    let date = text.get(..10)?;
    let bytes = date.as_bytes();
    if bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    let year: i64 = parse_digits(&date[..4])?;
    let month: u32 = parse_digits(&date[5..7])?;
    let day: u32 = parse_digits(&date[8..10])?;
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    let rest = &text[10..];
    let seconds = if rest.is_empty() {
        0
    } else {
        let time = rest.strip_prefix(['T', ' '])?;
        parse_iso_time(strip_zone(time))?
    };
    let unix_days = days_from_civil(year, month, day) + seconds / SECONDS_PER_DAY;
    let (year, _, _) = civil_from_days(unix_days);
    if !(0..=9999).contains(&year) {
        return None;
    }
    Some(format_date_time(unix_days, seconds % SECONDS_PER_DAY))
}

fn strip_zone(time: &str) -> &str {
    if let Some(without_z) = time.strip_suffix(['Z', 'z']) {
        return without_z;
    }
    // A zone offset starts at the last sign after the seconds; times themselves contain none.
    match time.rfind(['+', '-']) {
        Some(sign) => &time[..sign],
        None => time,
    }
}

/// Seconds since midnight for `HH:MM[:SS[.fff]]`, rounded to the nearest second.
fn parse_iso_time(time: &str) -> Option<i64> {
    let mut parts = time.splitn(3, ':');
    let hours: i64 = parse_digits(parts.next()?)?;
    let minutes: i64 = parse_digits(parts.next()?)?;
    let seconds: f64 = match parts.next() {
        None => 0.0,
        Some(seconds) => {
            let (whole, fraction) = seconds.split_once(['.', ',']).unwrap_or((seconds, ""));
            let whole: i64 = parse_digits(whole)?;
            if !fraction.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let fraction: f64 = format!("0.{fraction}0").parse().ok()?;
            whole as f64 + fraction
        }
    };
    if hours > 24 || minutes > 59 || seconds >= 61.0 {
        return None;
    }
    Some(hours * 3600 + minutes * 60 + seconds.round() as i64)
}

fn parse_digits<T: std::str::FromStr>(text: &str) -> Option<T> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

fn is_leap_year(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month = i64::from(month);
    let day_of_year =
        (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The proleptic Gregorian date of a day count since 1970-01-01 (Hinnant's `civil_from_days`).
fn civil_from_days(unix_days: i64) -> (i64, u32, u32) {
    let shifted = unix_days + 719_468;
    let era = shifted.div_euclid(146_097);
    let day_of_era = shifted - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * month_index + 2) / 5 + 1) as u32;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Appends `text` to `out`, decoding the `_xHHHH_` escapes Excel uses for characters XML cannot
/// carry (`_x000D_` is a carriage return, `_x005F_` a literal underscore). Malformed escapes and
/// lone surrogates stay as they are.
pub(crate) fn push_unescaped(text: &str, out: &mut String) {
    let mut rest = text;
    while let Some(position) = rest.find("_x") {
        let (code, after) = match escape_at(&rest[position..]) {
            Some(found) => found,
            None => {
                out.push_str(&rest[..position + 1]);
                rest = &rest[position + 1..];
                continue;
            }
        };
        let decoded = match code {
            0xd800..=0xdbff => escape_at(after)
                .filter(|(low, _)| (0xdc00..=0xdfff).contains(low))
                .and_then(|(low, after_low)| {
                    let scalar = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
                    Some((char::from_u32(scalar)?, after_low))
                }),
            _ => char::from_u32(code).map(|character| (character, after)),
        };
        match decoded {
            Some((character, after)) => {
                out.push_str(&rest[..position]);
                out.push(character);
                rest = after;
            }
            None => {
                out.push_str(&rest[..position + 1]);
                rest = &rest[position + 1..];
            }
        }
    }
    out.push_str(rest);
}

/// Parses `_xHHHH_` at the start of `text`, returning the code unit and the text after it.
fn escape_at(text: &str) -> Option<(u32, &str)> {
    let bytes = text.as_bytes();
    if bytes.len() < 7 || &bytes[..2] != b"_x" || bytes[6] != b'_' {
        return None;
    }
    let hex = text.get(2..6)?;
    if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    Some((u32::from_str_radix(hex, 16).ok()?, &text[7..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_use_shortest_round_trip_digits_in_ecmascript_layout() {
        let cases: &[(f64, &str)] = &[
            (0.0, "0"),
            (-0.0, "0"),
            (1.0, "1"),
            (-42.0, "-42"),
            (1.5, "1.5"),
            (0.1 + 0.2, "0.30000000000000004"),
            (0.1, "0.1"),
            (123_456_789_012_345_680.0, "123456789012345680"),
            (9_007_199_254_740_993.0, "9007199254740992"),
            (1e20, "100000000000000000000"),
            (1e21, "1e+21"),
            (1.5e300, "1.5e+300"),
            (0.000_001, "0.000001"),
            (1e-7, "1e-7"),
            (-2.5e-10, "-2.5e-10"),
            (f64::MIN_POSITIVE, "2.2250738585072014e-308"),
            (5e-324, "5e-324"),
            (f64::MAX, "1.7976931348623157e+308"),
        ];
        for &(value, expected) in cases {
            assert_eq!(format_number(value), expected, "formatting {value:e}");
        }
        // Excel writes 17 significant digits; they must collapse to the shortest form.
        assert_eq!(format_number("0.10000000000000001".parse().unwrap()), "0.1");
    }

    #[test]
    fn serials_become_iso_dates_with_the_1900_leap_year_bug() {
        let date = |serial: f64| format_serial(serial, NumberKind::DateTime, false);
        assert_eq!(date(1.0).as_deref(), Some("1900-01-01"));
        assert_eq!(date(59.0).as_deref(), Some("1900-02-28"));
        assert_eq!(date(60.0).as_deref(), Some("1900-02-28"));
        assert_eq!(date(61.0).as_deref(), Some("1900-03-01"));
        assert_eq!(date(45_306.0).as_deref(), Some("2024-01-15"));
        assert_eq!(date(45_306.5).as_deref(), Some("2024-01-15T12:00:00"));
        assert_eq!(date(2_958_465.0).as_deref(), Some("9999-12-31"));
        assert_eq!(date(2_958_466.0), None);
        assert_eq!(date(-1.0), None);
    }

    #[test]
    fn serials_round_to_the_nearest_second() {
        let date = |serial: f64| format_serial(serial, NumberKind::DateTime, false);
        // 12:00:00.4 and 12:00:00.6.
        assert_eq!(
            date(45_306.5 + 0.4 / 86_400.0).as_deref(),
            Some("2024-01-15T12:00:00")
        );
        assert_eq!(
            date(45_306.5 + 0.6 / 86_400.0).as_deref(),
            Some("2024-01-15T12:00:01")
        );
        // 23:59:59.7 rolls over into the next day.
        assert_eq!(
            date(45_306.0 + 86_399.7 / 86_400.0).as_deref(),
            Some("2024-01-16")
        );
        // A time stored as an inexact binary fraction still lands on its second.
        assert_eq!(date(0.291_666_666_666_666_6).as_deref(), Some("07:00:00"));
    }

    #[test]
    fn times_and_durations_print_as_clock_text() {
        assert_eq!(
            format_serial(0.5, NumberKind::DateTime, false).as_deref(),
            Some("12:00:00")
        );
        assert_eq!(
            format_serial(0.0, NumberKind::DateTime, false).as_deref(),
            Some("00:00:00")
        );
        assert_eq!(
            format_serial(1.5, NumberKind::Duration, false).as_deref(),
            Some("36:00:00")
        );
        assert_eq!(
            format_serial(0.75, NumberKind::Duration, true).as_deref(),
            Some("18:00:00")
        );
    }

    #[test]
    fn the_1904_system_counts_from_1904_01_01() {
        let date = |serial: f64| format_serial(serial, NumberKind::DateTime, true);
        assert_eq!(date(1.0).as_deref(), Some("1904-01-02"));
        assert_eq!(date(43_844.0).as_deref(), Some("2024-01-15"));
        assert_eq!(date(2_957_003.0).as_deref(), Some("9999-12-31"));
        assert_eq!(date(2_957_004.0), None);
    }

    #[test]
    fn iso_dates_normalise() {
        let cases: &[(&str, Option<&str>)] = &[
            ("2024-01-15", Some("2024-01-15")),
            ("2024-01-15T00:00:00", Some("2024-01-15")),
            ("2024-01-15T13:45:30Z", Some("2024-01-15T13:45:30")),
            ("2024-01-15T13:45:30.6+02:00", Some("2024-01-15T13:45:31")),
            ("2024-01-15 13:45", Some("2024-01-15T13:45:00")),
            ("2024-12-31T23:59:59.9", Some("2025-01-01")),
            ("13:45:30", Some("13:45:30")),
            ("2024-02-30", None),
            ("2024-1-5", None),
            ("yesterday", None),
            ("2024-01-15Tnoon", None),
        ];
        for &(text, expected) in cases {
            assert_eq!(
                normalize_iso_date(text).as_deref(),
                expected,
                "normalising {text}"
            );
        }
    }

    #[test]
    fn ooxml_escapes_decode() {
        let unescape = |text: &str| {
            let mut out = String::new();
            push_unescaped(text, &mut out);
            out
        };
        assert_eq!(unescape("a_x000D_b"), "a\rb");
        assert_eq!(unescape("_x005F_x000D_"), "_x000D_");
        assert_eq!(unescape("snake_case_x"), "snake_case_x");
        assert_eq!(unescape("_xD83D__xDE00_"), "\u{1f600}");
        assert_eq!(unescape("_xD83D_ alone"), "_xD83D_ alone");
        assert_eq!(unescape("é_x00E9_"), "éé");
    }

    #[test]
    fn civil_day_conversions_agree() {
        for unix_days in [-719_468, -25_569, -1, 0, 1, 11_016, 2_932_896] {
            let (year, month, day) = civil_from_days(unix_days);
            assert_eq!(days_from_civil(year, month, day), unix_days);
        }
        assert_eq!(civil_from_days(UNIX_DAYS_AT_1899_12_30), (1899, 12, 30));
        assert_eq!(civil_from_days(UNIX_DAYS_AT_1904_01_01), (1904, 1, 1));
    }
}
