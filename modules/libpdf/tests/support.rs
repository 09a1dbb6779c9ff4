//! Helpers shared by the integration tests: fixtures, rendering to temporary files and the
//! external PDF tools (qpdf, pdftotext, pdfinfo) that check the output independently.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use fazt_libpdf::{PdfOptions, render};

/// Reads `tests/data/libpdf/<name>` at the repository root.
pub fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/data/libpdf")
        .join(name);
    std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("cannot read fixture {}: {error}", path.display()))
}

/// A rendered PDF written to a temporary file, removed again on drop.
pub struct RenderedPdf {
    pub bytes: Vec<u8>,
    path: PathBuf,
}

impl RenderedPdf {
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for RenderedPdf {
    fn drop(&mut self) {
        // Best effort: a leftover file in the temporary directory is harmless.
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Renders `html` and writes the PDF to a fresh temporary file.
pub fn render_pdf(html: &str, options: &PdfOptions) -> RenderedPdf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let bytes = render(html, options).expect("render failed");
    let path = std::env::temp_dir().join(format!(
        "fazt-libpdf-test-{}-{}.pdf",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::write(&path, &bytes).expect("cannot write temporary PDF");
    RenderedPdf { bytes, path }
}

/// Runs an external tool, failing loudly (with what to install) when it is missing.
fn run_tool(program: &str, args: &[&str], pdf: &Path) -> (bool, String, String) {
    let output = Command::new(program)
        .args(args)
        .arg(pdf)
        .args(if program == "pdftotext" {
            &["-"][..]
        } else {
            &[][..]
        })
        .output()
        .unwrap_or_else(|error| {
            panic!(
                "cannot run `{program}` ({error}): these tests check PDFs with independent tools; \
                 install them with `apt-get install qpdf poppler-utils`"
            )
        });
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Asserts that `qpdf --check` finds neither errors nor warnings.
pub fn assert_qpdf_clean(pdf: &RenderedPdf) {
    let (ok, stdout, stderr) = run_tool("qpdf", &["--check"], pdf.path());
    assert!(ok, "qpdf --check failed:\n{stdout}\n{stderr}");
    assert!(
        stdout.contains("No syntax or stream encoding errors found"),
        "unexpected qpdf output:\n{stdout}\n{stderr}"
    );
    let lower = format!("{stdout}{stderr}").to_lowercase();
    assert!(
        !lower.contains("warning"),
        "qpdf warned:\n{stdout}\n{stderr}"
    );
}

/// Number of pages, as qpdf counts them.
pub fn page_count(pdf: &RenderedPdf) -> usize {
    let (ok, stdout, stderr) = run_tool("qpdf", &["--show-npages"], pdf.path());
    assert!(ok, "qpdf --show-npages failed: {stderr}");
    stdout.trim().parse().expect("qpdf printed no page count")
}

/// Extracted text: poppler's reading order, or with `-layout` its physical layout.
pub fn pdftotext(pdf: &RenderedPdf, layout: bool) -> String {
    let args: &[&str] = if layout {
        &["-layout", "-enc", "UTF-8"]
    } else {
        &["-enc", "UTF-8"]
    };
    let (ok, stdout, stderr) = run_tool("pdftotext", args, pdf.path());
    assert!(ok, "pdftotext failed: {stderr}");
    stdout
}

/// Page sizes in points, per page, from `pdfinfo`.
pub fn page_sizes(pdf: &RenderedPdf) -> Vec<(f32, f32)> {
    let (ok, stdout, stderr) = run_tool("pdfinfo", &["-f", "1", "-l", "100000"], pdf.path());
    assert!(ok, "pdfinfo failed: {stderr}");
    stdout
        .lines()
        .filter(|line| line.starts_with("Page") && line.contains(" size:"))
        .map(|line| {
            let sizes: Vec<f32> = line
                .split_whitespace()
                .filter_map(|word| word.parse().ok())
                .collect();
            // "Page    1 size: 595.28 x 841.89 pts (A4)": page number, width, height.
            (sizes[1], sizes[2])
        })
        .collect()
}

/// One word and its box from `pdftotext -bbox`, in points from the top-left corner.
#[derive(Debug, Clone)]
pub struct WordBox {
    pub page: usize,
    pub text: String,
    pub x_min: f32,
    pub y_min: f32,
    pub x_max: f32,
    pub y_max: f32,
}

/// Every word with its bounding box, and each page's (width, height).
pub fn word_boxes(pdf: &RenderedPdf) -> (Vec<WordBox>, Vec<(f32, f32)>) {
    let (ok, stdout, stderr) = run_tool("pdftotext", &["-bbox"], pdf.path());
    assert!(ok, "pdftotext -bbox failed: {stderr}");
    let attribute = |tag: &str, name: &str| -> f32 {
        let start = tag.find(&format!("{name}=\"")).expect("attribute missing") + name.len() + 2;
        let end = start + tag[start..].find('"').expect("unterminated attribute");
        tag[start..end].parse().expect("attribute is not a number")
    };
    let mut words = Vec::new();
    let mut pages = Vec::new();
    for line in stdout.lines().map(str::trim) {
        if line.starts_with("<page ") {
            pages.push((attribute(line, "width"), attribute(line, "height")));
        } else if line.starts_with("<word ") {
            let text_start = line.find('>').expect("word tag") + 1;
            let text_end = line.rfind("</word>").expect("word end tag");
            words.push(WordBox {
                page: pages.len(),
                text: line[text_start..text_end].to_string(),
                x_min: attribute(line, "xMin"),
                y_min: attribute(line, "yMin"),
                x_max: attribute(line, "xMax"),
                y_max: attribute(line, "yMax"),
            });
        }
    }
    (words, pages)
}

/// Asserts that every item of `expected` occurs in `text`, in this order.
pub fn assert_in_order(text: &str, expected: &[&str]) {
    let mut from = 0;
    for item in expected {
        match text[from..].find(item) {
            Some(offset) => from += offset + item.len(),
            None => panic!(
                "{item:?} not found after byte {from}; in order so far, before it: {:?}\n--- text ---\n{text}",
                &text[from.saturating_sub(80)..from]
            ),
        }
    }
}

/// Collapses every run of whitespace to one space, so lines can be compared by words.
pub fn squash_spaces(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
