//! The `libpdf` guest module's core: renders a small, forgiving subset of HTML to PDF.
//!
//! [`render`] takes HTML and [`PdfOptions`] (page size and margin) and returns the bytes of a
//! PDF file; [`PdfError`] says why it could not, and [`PdfError::kind`] classifies that as a
//! bad option, bad input or a hit limit. The crate is plain Rust with no I/O, so it runs the
//! same on the host and inside the Wasm guest, where the SDK glue adds the exports.
//!
//! # What is rendered
//!
//! - Headings `h1`–`h6` (bold, 22 to 10 pt), paragraphs, `br`, `hr`, `blockquote`, `dl`, and
//!   `div`/`section`/... as plain blocks; unknown elements render their text inline.
//! - `b`/`strong`, `i`/`em` (combined: Helvetica-BoldOblique), `code`/`kbd`/`samp` (Courier),
//!   `small`, `q`, and `a` (text kept, blue and underlined; `http`/`https` targets also get a
//!   clickable link annotation).
//! - `ul`/`ol`/`li` with "•" bullets and "1." numbers (`start` and `value` honoured), indented
//!   per level.
//! - `pre` in Courier keeping spaces and line breaks; a line too long for the page **wraps**
//!   between characters rather than being clipped, so no text is lost.
//! - `table`/`tr`/`td`/`th` as a grid: column widths follow the content (longest word to
//!   longest line), `th` is bold, cell text wraps in its column, a row is as tall as its
//!   tallest cell and splits across pages when taller than what is left. `colspan`/`rowspan`
//!   are ignored; tables nested in a cell are flattened into the cell's text.
//! - `head`, `script`, `style`, `title` and `template` render nothing; comments and doctypes
//!   are skipped. Whitespace collapses as in a browser outside `pre`. Broken markup (unclosed
//!   or stray tags, a lone `<`) is rendered as well as it can be and never panics.
//!
//! # Text and fonts
//!
//! Text is set in the standard PDF fonts Helvetica (four faces) and Courier (four faces), with
//! their real glyph widths for line breaking; nothing is embedded. Text is encoded as
//! WinAnsiEncoding, which covers Latin-1 (accented letters, `©`, `°`, `±`, `«»`, ...) plus `€`,
//! `•`, `–`, `—`, `…`, `™` and curly quotes, so PDF tools extract it correctly. Any other
//! character is drawn as `?` (a few close stand-ins are used instead: `‐`/`−` as `-`, Unicode
//! spaces as a space); soft hyphens and zero-width characters are dropped. Words longer than a
//! line are broken between characters.
//!
//! # Limits
//!
//! Inputs over [`MAX_INPUT_BYTES`], nesting deeper than [`MAX_NESTING_DEPTH`], documents over
//! [`MAX_PAGES`] pages or [`MAX_CONTENT_BYTES`] of page content, and tables wider than
//! [`MAX_TABLE_COLUMNS`] columns fail with [`ErrorKind::Limit`]. Work is linear in the input
//! size: about 10⁹ units of wasmi fuel per MB of ordinary HTML.
//!
//! The output is deterministic: no dates, no random file identifier, so the same input and
//! options always give the same bytes.
//!
//! # Examples
//!
//! ```
//! use fazt_libpdf::{PageSize, PdfOptions, render};
//!
//! let options = PdfOptions { page_size: PageSize::Letter, ..PdfOptions::default() };
//! let pdf = render("<h1>Invoice</h1><p>Total: <b>&euro;&nbsp;42</b></p>", &options)?;
//! assert!(pdf.starts_with(b"%PDF-1.7"));
//! assert_eq!(pdf, render("<h1>Invoice</h1><p>Total: <b>&euro;&nbsp;42</b></p>", &options)?);
//! # Ok::<(), fazt_libpdf::PdfError>(())
//! ```

mod builder;
mod document;
mod entities;
mod error;
mod fonts;
mod html;
mod layout;
pub mod service;
mod writer;

use std::fmt;
use std::str::FromStr;

pub use error::{ErrorKind, PdfError};

/// Largest HTML input accepted, in bytes (4 MiB).
pub const MAX_INPUT_BYTES: usize = 4 * 1024 * 1024;
/// Deepest nesting of open elements accepted.
pub const MAX_NESTING_DEPTH: usize = 256;
/// Most pages one document may have.
pub const MAX_PAGES: usize = 1000;
/// Largest total size of the page content streams, in bytes (16 MiB). Ordinary text needs
/// about twice its HTML size; the limit stops inputs that multiply into huge output, such as
/// thousands of rows of 64 narrow table columns.
pub const MAX_CONTENT_BYTES: usize = 16 * 1024 * 1024;
/// Most columns one table may have.
pub const MAX_TABLE_COLUMNS: usize = 64;
/// Smallest content area (width and height between the margins) accepted, in millimetres.
pub const MIN_CONTENT_MM: f32 = 25.4;

const POINTS_PER_MM: f32 = 72.0 / 25.4;

/// Paper size of every page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum PageSize {
    /// ISO A4, 210 × 297 mm (595.28 × 841.89 pt). The default.
    #[default]
    A4,
    /// US Letter, 8.5 × 11 in (612 × 792 pt).
    Letter,
}

impl PageSize {
    /// Parses `A4` or `Letter`, ignoring ASCII case.
    ///
    /// # Errors
    ///
    /// Fails with [`PdfError::UnknownPageSize`] (kind [`ErrorKind::BadArgument`]) for any other
    /// name.
    ///
    /// # Examples
    ///
    /// ```
    /// use fazt_libpdf::PageSize;
    ///
    /// assert_eq!(PageSize::parse("letter")?, PageSize::Letter);
    /// assert!(PageSize::parse("A3").unwrap_err().is_bad_argument());
    /// # Ok::<(), fazt_libpdf::PdfError>(())
    /// ```
    pub fn parse(name: &str) -> Result<PageSize, PdfError> {
        if name.eq_ignore_ascii_case("a4") {
            Ok(PageSize::A4)
        } else if name.eq_ignore_ascii_case("letter") {
            Ok(PageSize::Letter)
        } else {
            Err(PdfError::UnknownPageSize {
                name: name.chars().take(64).collect(),
            })
        }
    }

    /// Width and height in PDF points (1/72 inch), as written to the `/MediaBox`.
    pub fn size_pt(self) -> (f32, f32) {
        match self {
            PageSize::A4 => (595.28, 841.89),
            PageSize::Letter => (612.0, 792.0),
        }
    }
}

impl FromStr for PageSize {
    type Err = PdfError;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        PageSize::parse(name)
    }
}

impl fmt::Display for PageSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PageSize::A4 => "A4",
            PageSize::Letter => "Letter",
        })
    }
}

/// How [`render`] lays out pages.
#[derive(Debug, Clone, PartialEq)]
pub struct PdfOptions {
    /// Paper size; defaults to [`PageSize::A4`].
    pub page_size: PageSize,
    /// Margin on all four sides, in millimetres; defaults to 20. It must be finite, not
    /// negative, and leave at least [`MIN_CONTENT_MM`] of content width and height.
    pub margin_mm: f32,
}

impl Default for PdfOptions {
    fn default() -> Self {
        PdfOptions {
            page_size: PageSize::A4,
            margin_mm: 20.0,
        }
    }
}

impl PdfOptions {
    /// Checks the options and turns them into page geometry in points.
    fn geometry(&self) -> Result<layout::Geometry, PdfError> {
        let margin_mm = self.margin_mm;
        if !margin_mm.is_finite() || margin_mm < 0.0 {
            return Err(PdfError::InvalidMargin { margin_mm });
        }
        let (width_pt, height_pt) = self.page_size.size_pt();
        let short_side_mm = width_pt.min(height_pt) / POINTS_PER_MM;
        let max_margin_mm = (short_side_mm - MIN_CONTENT_MM) / 2.0;
        if margin_mm > max_margin_mm {
            return Err(PdfError::MarginTooLarge {
                margin_mm,
                max_margin_mm,
                min_content_mm: MIN_CONTENT_MM,
            });
        }
        Ok(layout::Geometry {
            width_pt,
            height_pt,
            margin_pt: margin_mm * POINTS_PER_MM,
        })
    }
}

/// Renders `html` to the bytes of a PDF file.
///
/// Every page has the size and margins of `options`; text that does not fit flows onto new
/// pages. The same input and options always give the same bytes.
///
/// # Errors
///
/// - [`ErrorKind::BadArgument`]: the margin is negative, not finite or too large for the page.
/// - [`ErrorKind::Limit`]: the input is over [`MAX_INPUT_BYTES`], nests elements deeper than
///   [`MAX_NESTING_DEPTH`], has a table over [`MAX_TABLE_COLUMNS`] columns, or needs more than
///   [`MAX_PAGES`] pages or [`MAX_CONTENT_BYTES`] of page content.
///
/// Malformed HTML is not an error: it is rendered as well as it can be.
///
/// # Examples
///
/// ```
/// use fazt_libpdf::{PdfOptions, render};
///
/// let pdf = render("<ul><li>one<li>two</ul>", &PdfOptions::default())?;
/// assert!(pdf.starts_with(b"%PDF-"));
/// let error = render("<p>x", &PdfOptions { margin_mm: -1.0, ..PdfOptions::default() });
/// assert!(error.unwrap_err().is_bad_argument());
/// # Ok::<(), fazt_libpdf::PdfError>(())
/// ```
pub fn render(html: &str, options: &PdfOptions) -> Result<Vec<u8>, PdfError> {
    let geometry = options.geometry()?;
    if html.len() > MAX_INPUT_BYTES {
        return Err(PdfError::InputTooLarge {
            len_bytes: html.len(),
            limit_bytes: MAX_INPUT_BYTES,
        });
    }
    let mut builder = builder::Builder::new(layout::Layout::new(geometry));
    for token in html::Tokenizer::new(html) {
        builder.token(token)?;
    }
    let (pages, links) = builder.finish()?;
    Ok(writer::write_pdf(pages, &links, geometry))
}

/// Like [`render`], for input that still has to be checked to be UTF-8 (as it arrives from
/// the guest's caller).
///
/// # Errors
///
/// Fails with [`PdfError::InvalidUtf8`] (kind [`ErrorKind::InvalidInput`]) when `html` is not
/// UTF-8, and otherwise as [`render`] does.
///
/// # Examples
///
/// ```
/// use fazt_libpdf::{ErrorKind, PdfOptions, render_bytes};
///
/// assert!(render_bytes(b"<p>ok</p>", &PdfOptions::default()).is_ok());
/// let error = render_bytes(b"<p>\xff</p>", &PdfOptions::default()).unwrap_err();
/// assert_eq!(error.kind(), ErrorKind::InvalidInput);
/// ```
pub fn render_bytes(html: &[u8], options: &PdfOptions) -> Result<Vec<u8>, PdfError> {
    let html = std::str::from_utf8(html).map_err(|error| PdfError::InvalidUtf8 {
        valid_up_to: error.valid_up_to(),
    })?;
    render(html, options)
}

/// A stand-in export until the guest SDK glue exists: lets a wasm32 build keep the renderer
/// so its size and imports can be checked, and lets a host drive it for fuel measurements.
#[cfg(feature = "probe-export")]
#[allow(unsafe_code)]
mod probe {
    use crate::{PdfOptions, render_bytes};

    /// Allocates `len` zeroed bytes for the caller to fill with HTML and pass to
    /// [`probe_render`].
    #[unsafe(no_mangle)]
    pub extern "C" fn probe_alloc(len: u32) -> *mut u8 {
        let buffer = vec![0u8; len as usize].into_boxed_slice();
        Box::into_raw(buffer).cast::<u8>()
    }

    /// Renders the HTML at `ptr..ptr + len` with default options and frees it. Returns the
    /// output's address in the high 32 bits and its length in the low 32 bits (the output is
    /// leaked), or 0 on error.
    #[unsafe(no_mangle)]
    pub extern "C" fn probe_render(ptr: *mut u8, len: u32) -> u64 {
        // SAFETY: `ptr` and `len` come from `probe_alloc`, which leaked a boxed slice of
        // exactly `len` bytes; ownership returns here exactly once.
        let input = unsafe { Box::from_raw(std::ptr::slice_from_raw_parts_mut(ptr, len as usize)) };
        match render_bytes(&input, &PdfOptions::default()) {
            Ok(pdf) => {
                let len = pdf.len() as u64;
                let address = Box::into_raw(pdf.into_boxed_slice()).cast::<u8>() as usize as u64;
                (address << 32) | len
            }
            Err(_) => 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_size_parses_case_insensitively() {
        for (name, size) in [
            ("A4", PageSize::A4),
            ("a4", PageSize::A4),
            ("Letter", PageSize::Letter),
            ("LETTER", PageSize::Letter),
        ] {
            assert_eq!(name.parse::<PageSize>().unwrap(), size);
        }
        let error = PageSize::parse("Legal").unwrap_err();
        assert_eq!(error.kind(), ErrorKind::BadArgument);
        assert_eq!(PageSize::A4.to_string(), "A4");
    }

    #[test]
    fn margins_are_validated() {
        let render_with = |margin_mm| {
            render(
                "<p>x</p>",
                &PdfOptions {
                    margin_mm,
                    ..PdfOptions::default()
                },
            )
        };
        for bad in [-0.1, f32::NAN, f32::INFINITY, 93.0, 1e9] {
            assert!(render_with(bad).unwrap_err().is_bad_argument(), "{bad}");
        }
        for good in [0.0, 5.0, 92.0] {
            assert!(render_with(good).is_ok(), "{good}");
        }
    }

    #[test]
    fn oversized_input_is_a_limit_error() {
        let html = "a".repeat(MAX_INPUT_BYTES + 1);
        let error = render(&html, &PdfOptions::default()).unwrap_err();
        assert!(error.is_limit());
        assert!(matches!(error, PdfError::InputTooLarge { .. }));
    }

    #[test]
    fn too_many_pages_is_a_limit_error() {
        let html = "<br>".repeat(60 * MAX_PAGES);
        let error = render(&html, &PdfOptions::default()).unwrap_err();
        assert_eq!(error, PdfError::TooManyPages { limit: MAX_PAGES });
    }

    #[test]
    fn too_many_columns_is_a_limit_error() {
        let html = format!(
            "<table><tr>{}</table>",
            "<td>x".repeat(MAX_TABLE_COLUMNS + 1)
        );
        let error = render(&html, &PdfOptions::default()).unwrap_err();
        assert!(matches!(
            error,
            PdfError::TooManyColumns { columns: 65, .. }
        ));
    }

    #[test]
    fn output_has_no_date_or_id_and_is_deterministic() {
        let html = "<h1>T</h1><p>a <a href='https://example.org'>link</a></p>";
        let first = render(html, &PdfOptions::default()).unwrap();
        assert_eq!(first, render(html, &PdfOptions::default()).unwrap());
        let text = String::from_utf8_lossy(&first);
        assert!(!text.contains("/CreationDate") && !text.contains("/ID"));
        assert!(text.contains("/URI(https://example.org)"));
        assert!(text.contains("/MediaBox[0 0 595.28 841.89]"));
    }
}
