//! Property tests: any input renders to a complete PDF or a classified error, never a panic.
//!
//! The default case count is small; raise it locally with `PROPTEST_CASES`.

use fazt_libpdf::{ErrorKind, PdfOptions, render, render_bytes};
use proptest::prelude::*;

fn config() -> ProptestConfig {
    let mut config = ProptestConfig::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = 48;
    }
    config
}

/// Checks the invariant for one input.
fn check(result: Result<Vec<u8>, fazt_libpdf::PdfError>) {
    match result {
        Ok(pdf) => {
            assert!(pdf.starts_with(b"%PDF-1.7\n"));
            assert!(pdf.ends_with(b"%%EOF\n"));
        }
        Err(error) => assert!(
            matches!(error.kind(), ErrorKind::Limit | ErrorKind::InvalidInput),
            "unexpected error {error}"
        ),
    }
}

/// Fragments of tag soup: real tags (often unbalanced), entities, odd characters.
fn fragment() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "<p>",
        "</p>",
        "<b>",
        "</b>",
        "<i>",
        "</i>",
        "<em>",
        "<strong>",
        "<br>",
        "</br>",
        "<h1>",
        "</h1>",
        "<h3>",
        "</h2>",
        "<ul>",
        "</ul>",
        "<ol start=9>",
        "</ol>",
        "<li>",
        "</li>",
        "<table>",
        "</table>",
        "<tr>",
        "</tr>",
        "<td>",
        "</td>",
        "<th>",
        "<pre>",
        "</pre>",
        "<code>",
        "<a href='https://e.org/x'>",
        "<a href=\"mailto:x\">",
        "</a>",
        "<div>",
        "</div>",
        "<hr>",
        "<img alt='pic'>",
        "<script>",
        "</script>",
        "<style>",
        "<head>",
        "<title>",
        "<!--",
        "-->",
        "<!DOCTYPE html>",
        "<",
        ">",
        "&",
        "&amp;",
        "&nbsp;",
        "&#x20AC;",
        "&#99999999;",
        "&bogus;",
        "&eacute",
        "\n",
        "\t",
        "  ",
        "\r\n",
        "word",
        "Wörd",
        "漢字",
        "😀",
        "<x-y/>",
        "<q>",
        "</q>",
        "<blockquote>",
        "<dl><dt>t<dd>d",
        "<caption>",
    ]);
    prop_oneof![pieces.prop_map(str::to_string), "[a-zA-Z ]{1,12}",]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn random_strings_never_panic(html in any::<String>()) {
        check(render(&html, &PdfOptions::default()));
    }

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        check(render_bytes(&bytes, &PdfOptions::default()));
    }

    #[test]
    fn tag_soup_never_panics(fragments in prop::collection::vec(fragment(), 0..200)) {
        check(render(&fragments.concat(), &PdfOptions::default()));
    }

    #[test]
    fn rendering_is_a_pure_function(fragments in prop::collection::vec(fragment(), 0..60)) {
        let html = fragments.concat();
        let first = render(&html, &PdfOptions::default());
        let second = render(&html, &PdfOptions::default());
        prop_assert_eq!(first, second);
    }
}
