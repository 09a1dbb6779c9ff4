//! End-to-end checks of real HTML documents with qpdf and poppler's pdftotext and pdfinfo.
//!
//! Validity, extracted text and its order, page count and size, margins, fonts, links,
//! limits and determinism.

use fazt_libpdf::{ErrorKind, MAX_PAGES, PageSize, PdfOptions, render};

use crate::support::{
    RenderedPdf, assert_in_order, assert_qpdf_clean, fixture, page_count, page_sizes, pdftotext,
    render_pdf, squash_spaces, word_boxes,
};

fn a4() -> PdfOptions {
    PdfOptions::default()
}

fn options(page_size: PageSize, margin_mm: f32) -> PdfOptions {
    PdfOptions {
        page_size,
        margin_mm,
    }
}

/// Asserts every extracted word lies inside the page's margin rectangle.
fn assert_words_inside_margins(pdf: &RenderedPdf, margin_mm: f32) {
    let margin_pt = margin_mm * 72.0 / 25.4;
    // Poppler rounds box coordinates; allow a hair of slack.
    let slack = 0.05;
    let (words, pages) = word_boxes(pdf);
    assert!(!words.is_empty(), "no words extracted");
    for word in &words {
        let (width, height) = pages[word.page - 1];
        assert!(
            word.x_min >= margin_pt - slack
                && word.y_min >= margin_pt - slack
                && word.x_max <= width - margin_pt + slack
                && word.y_max <= height - margin_pt + slack,
            "{word:?} is outside the {margin_mm} mm margins of a {width}x{height} page"
        );
    }
}

#[test]
fn report_passes_qpdf_check() {
    assert_qpdf_clean(&render_pdf(&fixture("report.html"), &a4()));
}

#[test]
fn report_text_comes_out_in_reading_order() {
    let pdf = render_pdf(&fixture("report.html"), &a4());
    let expected = [
        "Quarterly Report",
        "This report covers the third quarter of the year.",
        "reviewed by senior management.",
        "Highlights",
        "• Revenue grew by 12 % to €4.2 million.",
        "• Costs fell in every region:",
        "• North – down 3 %",
        "• South — down 5 %",
        "• Customer satisfaction reached an all-time high.",
        "Next Steps",
        "1. Open the Zürich office.",
        "2. Hire two engineers.",
        "3. Review the pricing model.",
        "Regional Figures",
        "Region",
        "North",
        "South",
        "East",
        "West",
        "Sample Query",
        "SELECT region, SUM(revenue)",
        "FROM sales",
        "GROUP BY region;",
        "Notes & Symbols",
        "Visit our website for details.",
        "Second line after a break.",
        "Small Print",
        "Smallest Print",
        "End of report.",
    ];
    for layout in [false, true] {
        assert_in_order(&squash_spaces(&pdftotext(&pdf, layout)), &expected);
    }
}

#[test]
fn report_table_cells_come_out_row_by_row() {
    let pdf = render_pdf(&fixture("report.html"), &a4());
    let rows: Vec<String> = pdftotext(&pdf, true).lines().map(squash_spaces).collect();
    for row in [
        "Region Revenue Growth",
        "North 1.5 +10%",
        "South 1.1 +14%",
        "East 0.9 +9%",
        "West 0.7 +16%",
    ] {
        assert!(
            rows.iter().any(|line| line == row),
            "no line {row:?} in {rows:#?}"
        );
    }
    // Plain reading order keeps the cells of a row together, rows in order.
    assert_in_order(
        &squash_spaces(&pdftotext(&pdf, false)),
        &[
            "Region", "Revenue", "Growth", "North", "1.5", "+10%", "South", "1.1", "+14%", "West",
            "0.7", "+16%",
        ],
    );
}

#[test]
fn report_pre_keeps_line_breaks_and_indentation() {
    let pdf = render_pdf(&fixture("report.html"), &a4());
    let text = pdftotext(&pdf, true);
    let lines: Vec<&str> = text.lines().collect();
    let select = lines
        .iter()
        .position(|line| line.contains("SELECT region, SUM(revenue)"))
        .expect("pre block missing");
    let column = |line: &str, word: &str| line.find(word).expect("word on line");
    assert!(lines[select + 1].contains("FROM sales"));
    assert!(lines[select + 2].contains("WHERE quarter = 3"));
    // The source indents FROM by two and WHERE by one more column than SELECT.
    let select_column = column(lines[select], "SELECT");
    assert_eq!(column(lines[select + 1], "FROM"), select_column + 2);
    assert_eq!(column(lines[select + 2], "WHERE"), select_column + 1);
}

#[test]
fn entities_and_accented_characters_round_trip() {
    let pdf = render_pdf(&fixture("report.html"), &a4());
    let text = squash_spaces(&pdftotext(&pdf, false));
    assert_in_order(
        &text,
        &[
            "café & crème brûlée, naïve, Straße, © 2024 ACME®,",
            "Widget™, “quoted” and ‘single’, wait… 20°C ± 2,",
            "3 × 4 ÷ 2, «guillemets», ¡Hola! ¿Qué?, dot·dot,",
            "bullet•point, numeric é€—end, <tag> \"q\" 'a'.",
        ],
    );
}

#[test]
fn every_latin1_letter_round_trips() {
    // All of Latin-1 from U+00A1 except the soft hyphen, which browsers do not draw.
    let latin1: String = ('\u{A1}'..='\u{FF}').filter(|&c| c != '\u{AD}').collect();
    let windows = "€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ";
    let html = format!("<p>{latin1}</p><p>{windows}</p>");
    let pdf = render_pdf(&html, &a4());
    assert_qpdf_clean(&pdf);
    let text: String = pdftotext(&pdf, false).split_whitespace().collect();
    assert!(text.contains(&latin1), "{text}");
    assert!(text.contains(windows), "{text}");
}

#[test]
fn characters_outside_winansi_become_question_marks() {
    let pdf = render_pdf("<p>Kanji 漢字 and emoji 😀 end</p>", &a4());
    assert_eq!(
        squash_spaces(&pdftotext(&pdf, false)),
        "Kanji ?? and emoji ? end"
    );
}

#[test]
fn head_script_style_and_comments_are_not_rendered() {
    let pdf = render_pdf(&fixture("report.html"), &a4());
    let text = pdftotext(&pdf, false);
    for hidden in [
        "Hidden Title Text",
        "Hidden Script Text",
        "font-family",
        "Hidden Comment Text",
    ] {
        assert!(!text.contains(hidden), "{hidden:?} was rendered");
    }
}

#[test]
fn fonts_follow_bold_italic_and_code() {
    let pdf = render_pdf(&fixture("report.html"), &a4());
    let raw = String::from_utf8_lossy(&pdf.bytes);
    for font in [
        "/Helvetica/",
        "/Helvetica-Bold/",
        "/Helvetica-Oblique/",
        "/Helvetica-BoldOblique/",
        "/Courier/",
    ] {
        assert!(
            raw.contains(&format!("/BaseFont{font}")),
            "font {font} missing"
        );
    }
    assert!(raw.contains("/Encoding/WinAnsiEncoding"));
    assert!(!raw.contains("/FontFile"), "fonts must not be embedded");
}

#[test]
fn headings_are_set_larger_than_body_text() {
    let pdf = render_pdf(&fixture("report.html"), &a4());
    let (words, _) = word_boxes(&pdf);
    let height = |text: &str| {
        let word = words.iter().find(|word| word.text == text).expect(text);
        word.y_max - word.y_min
    };
    let (h1, h2, h3, body) = (
        height("Quarterly"),
        height("Highlights"),
        height("Regional"),
        height("report."),
    );
    assert!(
        h1 > h2 && h2 > h3 && h3 > body,
        "h1 {h1}, h2 {h2}, h3 {h3}, body {body}"
    );
}

#[test]
fn links_keep_their_text_and_get_uri_annotations() {
    let pdf = render_pdf(&fixture("report.html"), &a4());
    let raw = String::from_utf8_lossy(&pdf.bytes);
    assert!(raw.contains("/Subtype/Link"));
    assert!(raw.contains("/URI(https://example.com/report?q=3&y=2024)"));
    assert!(pdftotext(&pdf, false).contains("our website"));
    // Non-web targets keep their text but get no annotation.
    let pdf = render_pdf("<p><a href='mailto:x@example.org'>mail us</a></p>", &a4());
    assert!(!String::from_utf8_lossy(&pdf.bytes).contains("/Annot"));
    assert!(pdftotext(&pdf, false).contains("mail us"));
}

#[test]
fn long_document_flows_over_pages_in_order() {
    let pdf = render_pdf(&fixture("long.html"), &a4());
    assert_qpdf_clean(&pdf);
    let pages = page_count(&pdf);
    assert!((6..=16).contains(&pages), "{pages} pages");
    let mut expected = Vec::new();
    expected.extend((1..=45).flat_map(|n| {
        [
            format!("Paragraph P{n:03} starts."),
            format!("Paragraph P{n:03} ends."),
        ]
    }));
    expected.extend((1..=60).map(|n| format!("{n}. List item L{n:03} with some words")));
    expected.extend((1..=80).map(|n| format!("R{n:03}")));
    expected.extend((1..=80).map(|n| format!("line C{n:03}: value = {}", n * n)));
    expected.push("The very end.".into());
    let expected: Vec<&str> = expected.iter().map(String::as_str).collect();
    for layout in [false, true] {
        assert_in_order(&squash_spaces(&pdftotext(&pdf, layout)), &expected);
    }
    // Every page carries text: nothing is pushed off into an empty page.
    let (words, _) = word_boxes(&pdf);
    for page in 1..=pages {
        assert!(
            words.iter().any(|word| word.page == page),
            "page {page} is empty"
        );
    }
}

#[test]
fn words_stay_inside_the_margins() {
    for (name, options) in [
        ("report.html", a4()),
        ("long.html", a4()),
        ("long.html", options(PageSize::Letter, 10.0)),
        ("report.html", options(PageSize::A4, 50.0)),
        ("malformed.html", options(PageSize::Letter, 0.0)),
    ] {
        let pdf = render_pdf(&fixture(name), &options);
        assert_words_inside_margins(&pdf, options.margin_mm);
    }
}

#[test]
fn very_long_words_are_broken_inside_the_margins() {
    let word: String = ('a'..='z').cycle().take(400).collect();
    let html = format!("<p>{word}</p><table><tr><td>x</td><td>{word}</td></tr></table>");
    let pdf = render_pdf(&html, &a4());
    assert_qpdf_clean(&pdf);
    assert_words_inside_margins(&pdf, 20.0);
    let text: String = pdftotext(&pdf, false).split_whitespace().collect();
    assert!(
        text.contains(&word),
        "the word was not kept whole across lines: {text}"
    );
}

#[test]
fn page_size_follows_the_options() {
    for (page_size, expected) in [
        (PageSize::A4, (595.28, 841.89)),
        (PageSize::Letter, (612.0, 792.0)),
    ] {
        let pdf = render_pdf(&fixture("long.html"), &options(page_size, 20.0));
        let sizes = page_sizes(&pdf);
        assert_eq!(sizes.len(), page_count(&pdf));
        assert!(
            sizes.iter().all(|&size| size == expected),
            "{page_size}: {sizes:?}"
        );
        let media_box = format!("/MediaBox[0 0 {} {}]", expected.0, expected.1);
        assert!(String::from_utf8_lossy(&pdf.bytes).contains(&media_box));
    }
}

#[test]
fn larger_margins_need_more_pages() {
    let narrow = render_pdf(&fixture("long.html"), &options(PageSize::A4, 10.0));
    let wide = render_pdf(&fixture("long.html"), &options(PageSize::A4, 40.0));
    assert!(page_count(&wide) > page_count(&narrow));
}

#[test]
fn rendering_is_deterministic() {
    for name in ["report.html", "long.html", "malformed.html"] {
        let html = fixture(name);
        let first = render(&html, &a4()).unwrap();
        let second = render(&html, &a4()).unwrap();
        assert!(first == second, "{name} rendered differently twice");
        let text = String::from_utf8_lossy(&first);
        assert!(!text.contains("/CreationDate") && !text.contains("/ID["));
    }
}

#[test]
fn malformed_markup_renders_best_effort() {
    let pdf = render_pdf(&fixture("malformed.html"), &a4());
    assert_qpdf_clean(&pdf);
    assert_in_order(
        &squash_spaces(&pdftotext(&pdf, true)),
        &[
            "Broken markup",
            "Unclosed paragraph one",
            "Unclosed paragraph two with a stray < sign and a bare & ampersand",
            "• item one",
            "• item two",
            "cell A",
            "cell B",
            "cell C",
            "italic never closed",
            "After the div custom element text",
            "kept spaces",
            "tail & more ©2024 AB text",
        ],
    );
}

#[test]
fn empty_and_whitespace_input_give_one_valid_page() {
    for html in [
        "",
        "   \n ",
        "<html><head><title>x</title></head><body></body></html>",
    ] {
        let pdf = render_pdf(html, &a4());
        assert_qpdf_clean(&pdf);
        assert_eq!(page_count(&pdf), 1);
    }
}

#[test]
fn tall_table_rows_and_long_pre_lines_flow_over_pages() {
    let cell: String = (1..=900).map(|n| format!("w{n:04} ")).collect();
    let pre_line = "x".repeat(3000);
    let html = format!(
        "<table><tr><th>A</th><th>B</th></tr><tr><td>{cell}</td><td>short</td></tr></table><pre>{pre_line}</pre><p>end</p>"
    );
    let pdf = render_pdf(&html, &a4());
    assert_qpdf_clean(&pdf);
    assert!(page_count(&pdf) >= 2);
    assert_words_inside_margins(&pdf, 20.0);
    let expected: Vec<String> = (1..=900).map(|n| format!("w{n:04}")).collect();
    let expected: Vec<&str> = expected.iter().map(String::as_str).collect();
    let text = squash_spaces(&pdftotext(&pdf, false));
    assert_in_order(&text, &expected);
    // The long pre line wraps rather than being clipped: all 3000 characters come back.
    let xs: usize = text.chars().filter(|&c| c == 'x').count();
    assert_eq!(xs, 3000);
}

#[test]
fn one_megabyte_input_renders_within_the_limits() {
    let mut html = String::from("<html><body>");
    let mut section = 0;
    while html.len() < 1_000_000 {
        section += 1;
        html.push_str(&format!(
            "<h2>Section {section}</h2><p>{}</p><ul><li>alpha<li>beta <b>bold</b></ul>\
             <table><tr><th>k</th><th>v</th></tr><tr><td>{section}</td><td>caf&eacute; &euro;</td></tr></table>\
             <pre>let x = {section};</pre>",
            "lorem ipsum dolor sit amet ".repeat(40)
        ));
    }
    let pdf = render_pdf(&html, &a4());
    assert_qpdf_clean(&pdf);
    let pages = page_count(&pdf);
    assert!(pages > 100 && pages < MAX_PAGES, "{pages} pages");
    let text = pdftotext(&pdf, false);
    assert_in_order(
        &text,
        &[
            "Section 1\n",
            "Section 2\n",
            &format!("Section {section}\n"),
        ],
    );
}

#[test]
fn limits_and_bad_options_classify() {
    let huge = "<p>line</p>".repeat(200_000);
    assert_eq!(render(&huge, &a4()).unwrap_err().kind(), ErrorKind::Limit);
    let deep = "<div>".repeat(10_000);
    assert_eq!(render(&deep, &a4()).unwrap_err().kind(), ErrorKind::Limit);
    let error = render("<p>x</p>", &options(PageSize::Letter, 100.0)).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::BadArgument);
}
