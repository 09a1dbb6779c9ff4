//! HTML character references: the HTML 4 names (plus `apos` and a few HTML5 ones) and numeric.

use crate::fonts::windows_1252_c1;

/// Longest name in [`NAMED`], so scanning for a name never runs past it.
const MAX_NAME_LEN: usize = 9;

/// Decodes the character reference that starts right after a `&`.
///
/// Returns the character and how many bytes of `rest` it used, or `None` when the `&` is
/// literal text. Like browsers, a missing `;` is accepted for numeric references and for the
/// legacy names (Latin-1 letters, `amp`, `lt`, `gt`, `quot`); inside attribute values such a
/// legacy name is left alone when a letter, digit or `=` follows, so query strings survive.
pub(crate) fn decode(rest: &str, in_attribute: bool) -> Option<(char, usize)> {
    let bytes = rest.as_bytes();
    if bytes.first() == Some(&b'#') {
        return decode_numeric(bytes);
    }
    let name_len = bytes
        .iter()
        .take(MAX_NAME_LEN + 1)
        .take_while(|b| b.is_ascii_alphanumeric())
        .count();
    if name_len == 0 {
        return None;
    }
    if bytes.get(name_len) == Some(&b';')
        && let Some(c) = lookup(&rest[..name_len])
    {
        return Some((c, name_len + 1));
    }
    // Legacy names without a semicolon: the longest matching prefix wins.
    for len in (2..=name_len.min(6)).rev() {
        let Some(c) = lookup(&rest[..len]).filter(|&c| is_legacy(&rest[..len], c)) else {
            continue;
        };
        let next = bytes.get(len).copied();
        if in_attribute && next.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'=') {
            return None;
        }
        return Some((c, len));
    }
    None
}

/// Names browsers still accept without a trailing semicolon.
fn is_legacy(name: &str, c: char) -> bool {
    matches!(u32::from(c), 0xA0..=0xFF)
        || matches!(
            name,
            "amp" | "lt" | "gt" | "quot" | "AMP" | "LT" | "GT" | "QUOT"
        )
}

fn lookup(name: &str) -> Option<char> {
    // Narrow the search to the names sharing the first letter (a handful), then bisect.
    let first = usize::from(*name.as_bytes().first()?);
    let &(start, end) = FIRST_BYTE_RANGES.get(first)?;
    let candidates = &NAMED[usize::from(start)..usize::from(end)];
    candidates
        .binary_search_by(|(candidate, _)| candidate.as_bytes().cmp(name.as_bytes()))
        .ok()
        .map(|index| candidates[index].1)
}

/// For each ASCII byte, the range of [`NAMED`] whose names start with it.
const FIRST_BYTE_RANGES: [(u16, u16); 128] = {
    let mut ranges = [(0u16, 0u16); 128];
    let mut index = 0;
    while index < NAMED.len() {
        let first = NAMED[index].0.as_bytes()[0] as usize;
        if ranges[first].1 == 0 {
            ranges[first].0 = index as u16;
        }
        ranges[first].1 = index as u16 + 1;
        index += 1;
    }
    ranges
};

/// `&#NNN;` and `&#xHH;`, following the HTML rules for out-of-range and C1 values.
fn decode_numeric(bytes: &[u8]) -> Option<(char, usize)> {
    let (radix, digits_start) = match bytes.get(1) {
        Some(b'x' | b'X') => (16, 2),
        _ => (10, 1),
    };
    let mut value: u32 = 0;
    let mut end = digits_start;
    while let Some(digit) = bytes.get(end).and_then(|&b| char::from(b).to_digit(radix)) {
        // Saturate past the Unicode range so long digit runs cannot overflow.
        value = value
            .saturating_mul(radix)
            .saturating_add(digit)
            .min(0x11_0000);
        end += 1;
    }
    if end == digits_start {
        return None;
    }
    if bytes.get(end) == Some(&b';') {
        end += 1;
    }
    let c = match value {
        0 | 0xD800..=0xDFFF | 0x11_0000.. => '\u{FFFD}',
        0x80..=0x9F => windows_1252_c1(value).unwrap_or('\u{FFFD}'),
        _ => char::from_u32(value).unwrap_or('\u{FFFD}'),
    };
    Some((c, end))
}

/// Named character references, sorted bytewise by name for binary search.
#[rustfmt::skip]
const NAMED: [(&str, char); 263] = [
    ("AElig", '\u{c6}'), ("AMP", '\u{26}'), ("Aacute", '\u{c1}'), ("Acirc", '\u{c2}'),
    ("Agrave", '\u{c0}'), ("Alpha", '\u{391}'), ("Aring", '\u{c5}'), ("Atilde", '\u{c3}'),
    ("Auml", '\u{c4}'), ("Beta", '\u{392}'), ("COPY", '\u{a9}'), ("Ccedil", '\u{c7}'),
    ("Chi", '\u{3a7}'), ("Dagger", '\u{2021}'), ("Delta", '\u{394}'), ("ETH", '\u{d0}'),
    ("Eacute", '\u{c9}'), ("Ecirc", '\u{ca}'), ("Egrave", '\u{c8}'), ("Epsilon", '\u{395}'),
    ("Eta", '\u{397}'), ("Euml", '\u{cb}'), ("GT", '\u{3e}'), ("Gamma", '\u{393}'),
    ("Iacute", '\u{cd}'), ("Icirc", '\u{ce}'), ("Igrave", '\u{cc}'), ("Iota", '\u{399}'),
    ("Iuml", '\u{cf}'), ("Kappa", '\u{39a}'), ("LT", '\u{3c}'), ("Lambda", '\u{39b}'),
    ("Mu", '\u{39c}'), ("Ntilde", '\u{d1}'), ("Nu", '\u{39d}'), ("OElig", '\u{152}'),
    ("Oacute", '\u{d3}'), ("Ocirc", '\u{d4}'), ("Ograve", '\u{d2}'), ("Omega", '\u{3a9}'),
    ("Omicron", '\u{39f}'), ("Oslash", '\u{d8}'), ("Otilde", '\u{d5}'), ("Ouml", '\u{d6}'),
    ("Phi", '\u{3a6}'), ("Pi", '\u{3a0}'), ("Prime", '\u{2033}'), ("Psi", '\u{3a8}'),
    ("QUOT", '\u{22}'), ("REG", '\u{ae}'), ("Rho", '\u{3a1}'), ("Scaron", '\u{160}'),
    ("Sigma", '\u{3a3}'), ("THORN", '\u{de}'), ("Tau", '\u{3a4}'), ("Theta", '\u{398}'),
    ("Uacute", '\u{da}'), ("Ucirc", '\u{db}'), ("Ugrave", '\u{d9}'), ("Upsilon", '\u{3a5}'),
    ("Uuml", '\u{dc}'), ("Xi", '\u{39e}'), ("Yacute", '\u{dd}'), ("Yuml", '\u{178}'),
    ("Zeta", '\u{396}'), ("aacute", '\u{e1}'), ("acirc", '\u{e2}'), ("acute", '\u{b4}'),
    ("aelig", '\u{e6}'), ("agrave", '\u{e0}'), ("alefsym", '\u{2135}'), ("alpha", '\u{3b1}'),
    ("amp", '\u{26}'), ("and", '\u{2227}'), ("ang", '\u{2220}'), ("apos", '\u{27}'),
    ("aring", '\u{e5}'), ("asymp", '\u{2248}'), ("atilde", '\u{e3}'), ("auml", '\u{e4}'),
    ("bdquo", '\u{201e}'), ("beta", '\u{3b2}'), ("brvbar", '\u{a6}'), ("bull", '\u{2022}'),
    ("bullet", '\u{2022}'), ("cap", '\u{2229}'), ("ccedil", '\u{e7}'), ("cedil", '\u{b8}'),
    ("cent", '\u{a2}'), ("centerdot", '\u{b7}'), ("chi", '\u{3c7}'), ("circ", '\u{2c6}'),
    ("clubs", '\u{2663}'), ("cong", '\u{2245}'), ("copy", '\u{a9}'), ("crarr", '\u{21b5}'),
    ("cup", '\u{222a}'), ("curren", '\u{a4}'), ("dArr", '\u{21d3}'), ("dagger", '\u{2020}'),
    ("darr", '\u{2193}'), ("dash", '\u{2010}'), ("deg", '\u{b0}'), ("delta", '\u{3b4}'),
    ("diams", '\u{2666}'), ("divide", '\u{f7}'), ("eacute", '\u{e9}'), ("ecirc", '\u{ea}'),
    ("egrave", '\u{e8}'), ("empty", '\u{2205}'), ("emsp", '\u{2003}'), ("ensp", '\u{2002}'),
    ("epsilon", '\u{3b5}'), ("equiv", '\u{2261}'), ("eta", '\u{3b7}'), ("eth", '\u{f0}'),
    ("euml", '\u{eb}'), ("euro", '\u{20ac}'), ("exist", '\u{2203}'), ("fnof", '\u{192}'),
    ("forall", '\u{2200}'), ("frac12", '\u{bd}'), ("frac14", '\u{bc}'), ("frac34", '\u{be}'),
    ("frasl", '\u{2044}'), ("gamma", '\u{3b3}'), ("ge", '\u{2265}'), ("gt", '\u{3e}'),
    ("hArr", '\u{21d4}'), ("harr", '\u{2194}'), ("hearts", '\u{2665}'), ("hellip", '\u{2026}'),
    ("hyphen", '\u{2010}'), ("iacute", '\u{ed}'), ("icirc", '\u{ee}'), ("iexcl", '\u{a1}'),
    ("igrave", '\u{ec}'), ("image", '\u{2111}'), ("infin", '\u{221e}'), ("int", '\u{222b}'),
    ("iota", '\u{3b9}'), ("iquest", '\u{bf}'), ("isin", '\u{2208}'), ("iuml", '\u{ef}'),
    ("kappa", '\u{3ba}'), ("lArr", '\u{21d0}'), ("lambda", '\u{3bb}'), ("lang", '\u{2329}'),
    ("laquo", '\u{ab}'), ("larr", '\u{2190}'), ("lceil", '\u{2308}'), ("ldquo", '\u{201c}'),
    ("le", '\u{2264}'), ("lfloor", '\u{230a}'), ("lowast", '\u{2217}'), ("loz", '\u{25ca}'),
    ("lrm", '\u{200e}'), ("lsaquo", '\u{2039}'), ("lsquo", '\u{2018}'), ("lt", '\u{3c}'),
    ("macr", '\u{af}'), ("mdash", '\u{2014}'), ("micro", '\u{b5}'), ("middot", '\u{b7}'),
    ("minus", '\u{2212}'), ("mu", '\u{3bc}'), ("nabla", '\u{2207}'), ("nbsp", '\u{a0}'),
    ("ndash", '\u{2013}'), ("ne", '\u{2260}'), ("ni", '\u{220b}'), ("not", '\u{ac}'),
    ("notin", '\u{2209}'), ("nsub", '\u{2284}'), ("ntilde", '\u{f1}'), ("nu", '\u{3bd}'),
    ("oacute", '\u{f3}'), ("ocirc", '\u{f4}'), ("oelig", '\u{153}'), ("ograve", '\u{f2}'),
    ("oline", '\u{203e}'), ("omega", '\u{3c9}'), ("omicron", '\u{3bf}'), ("oplus", '\u{2295}'),
    ("or", '\u{2228}'), ("ordf", '\u{aa}'), ("ordm", '\u{ba}'), ("oslash", '\u{f8}'),
    ("otilde", '\u{f5}'), ("otimes", '\u{2297}'), ("ouml", '\u{f6}'), ("para", '\u{b6}'),
    ("part", '\u{2202}'), ("permil", '\u{2030}'), ("perp", '\u{22a5}'), ("phi", '\u{3c6}'),
    ("pi", '\u{3c0}'), ("piv", '\u{3d6}'), ("plusmn", '\u{b1}'), ("pound", '\u{a3}'),
    ("prime", '\u{2032}'), ("prod", '\u{220f}'), ("prop", '\u{221d}'), ("psi", '\u{3c8}'),
    ("quot", '\u{22}'), ("rArr", '\u{21d2}'), ("radic", '\u{221a}'), ("rang", '\u{232a}'),
    ("raquo", '\u{bb}'), ("rarr", '\u{2192}'), ("rceil", '\u{2309}'), ("rdquo", '\u{201d}'),
    ("real", '\u{211c}'), ("reg", '\u{ae}'), ("rfloor", '\u{230b}'), ("rho", '\u{3c1}'),
    ("rlm", '\u{200f}'), ("rsaquo", '\u{203a}'), ("rsquo", '\u{2019}'), ("sbquo", '\u{201a}'),
    ("scaron", '\u{161}'), ("sdot", '\u{22c5}'), ("sect", '\u{a7}'), ("shy", '\u{ad}'),
    ("sigma", '\u{3c3}'), ("sigmaf", '\u{3c2}'), ("sim", '\u{223c}'), ("spades", '\u{2660}'),
    ("sub", '\u{2282}'), ("sube", '\u{2286}'), ("sum", '\u{2211}'), ("sup", '\u{2283}'),
    ("sup1", '\u{b9}'), ("sup2", '\u{b2}'), ("sup3", '\u{b3}'), ("supe", '\u{2287}'),
    ("szlig", '\u{df}'), ("tau", '\u{3c4}'), ("there4", '\u{2234}'), ("theta", '\u{3b8}'),
    ("thetasym", '\u{3d1}'), ("thinsp", '\u{2009}'), ("thorn", '\u{fe}'), ("tilde", '\u{2dc}'),
    ("times", '\u{d7}'), ("trade", '\u{2122}'), ("uArr", '\u{21d1}'), ("uacute", '\u{fa}'),
    ("uarr", '\u{2191}'), ("ucirc", '\u{fb}'), ("ugrave", '\u{f9}'), ("uml", '\u{a8}'),
    ("upsih", '\u{3d2}'), ("upsilon", '\u{3c5}'), ("uuml", '\u{fc}'), ("weierp", '\u{2118}'),
    ("xi", '\u{3be}'), ("yacute", '\u{fd}'), ("yen", '\u{a5}'), ("yuml", '\u{ff}'),
    ("zeta", '\u{3b6}'), ("zwj", '\u{200d}'), ("zwnj", '\u{200c}'),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_text(rest: &str) -> Option<(char, usize)> {
        decode(rest, false)
    }

    #[test]
    fn table_is_sorted_for_binary_search() {
        assert!(
            NAMED
                .windows(2)
                .all(|pair| pair[0].0.as_bytes() < pair[1].0.as_bytes())
        );
        assert!(NAMED.iter().all(|(name, _)| name.len() <= MAX_NAME_LEN));
    }

    #[test]
    fn every_name_is_found_through_the_first_letter_index() {
        for (name, c) in NAMED {
            assert_eq!(lookup(name), Some(c), "{name}");
        }
        assert_eq!(lookup("zzz"), None);
        assert_eq!(lookup(""), None);
    }

    #[test]
    fn named_references_decode() {
        for (name, expected) in [
            ("amp;", '&'),
            ("lt;", '<'),
            ("gt;", '>'),
            ("quot;", '"'),
            ("apos;", '\''),
            ("nbsp;", '\u{A0}'),
            ("copy;", '©'),
            ("reg;", '®'),
            ("trade;", '™'),
            ("hellip;", '…'),
            ("mdash;", '—'),
            ("ndash;", '–'),
            ("lsquo;", '‘'),
            ("rsquo;", '’'),
            ("ldquo;", '“'),
            ("rdquo;", '”'),
            ("euro;", '€'),
            ("bull;", '•'),
            ("middot;", '·'),
            ("deg;", '°'),
            ("plusmn;", '±'),
            ("times;", '×'),
            ("divide;", '÷'),
            ("laquo;", '«'),
            ("raquo;", '»'),
            ("iexcl;", '¡'),
            ("iquest;", '¿'),
            ("eacute;", 'é'),
            ("uuml;", 'ü'),
            ("szlig;", 'ß'),
            ("Ntilde;", 'Ñ'),
        ] {
            assert_eq!(decode_text(name), Some((expected, name.len())), "{name}");
        }
    }

    #[test]
    fn numeric_references_decode() {
        assert_eq!(decode_text("#233;"), Some(('é', 5)));
        assert_eq!(decode_text("#xE9;"), Some(('é', 5)));
        assert_eq!(decode_text("#X20AC;x"), Some(('€', 7)));
        assert_eq!(decode_text("#65"), Some(('A', 3)));
        assert_eq!(decode_text("#150;"), Some(('–', 5)));
        assert_eq!(decode_text("#0;"), Some(('\u{FFFD}', 3)));
        assert_eq!(decode_text("#xD800;"), Some(('\u{FFFD}', 7)));
        assert_eq!(
            decode_text("#99999999999999999999;"),
            Some(('\u{FFFD}', 22))
        );
        assert_eq!(decode_text("#;"), None);
        assert_eq!(decode_text("#x;"), None);
    }

    #[test]
    fn unknown_or_bare_ampersands_stay_literal() {
        assert_eq!(decode_text(" and"), None);
        assert_eq!(decode_text("bogus;"), None);
        assert_eq!(decode_text(""), None);
    }

    #[test]
    fn legacy_names_work_without_semicolon_except_before_attribute_text() {
        assert_eq!(decode_text("amp and"), Some(('&', 3)));
        assert_eq!(decode_text("copy2024"), Some(('©', 4)));
        assert_eq!(decode_text("notit;"), Some(('¬', 3)));
        assert_eq!(decode("copy=1", true), None);
        assert_eq!(decode("amp;x", true), Some(('&', 4)));
        assert_eq!(decode("lt", true), Some(('<', 2)));
        // Not a legacy name: needs its semicolon.
        assert_eq!(decode_text("hellip"), None);
    }
}
