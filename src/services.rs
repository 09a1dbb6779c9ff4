//! Typed wrappers of the embedded service modules (`media::resize`, `pdf::from_html`,
//! `parse::xlsx`).

use bytes::Bytes;
use fazt_wasm_runtime::{Args, CallOptions, Error, Module, Runtime};

use crate::embedded;

/// Loads the embedded module `name` under its default limits (a cache hit after the first).
fn module(runtime: &Runtime, name: &str) -> Result<Module, Error> {
    let entry = embedded::find(name).ok_or_else(|| Error::ExportNotFound {
        module: String::from(name),
        export: String::from("(module is not embedded in this build)"),
    })?;
    runtime.load_static(entry.name, entry.wasm, (entry.config)())
}

/// Image resizing with the embedded `libimage` module.
pub mod media {
    use super::{Args, Bytes, CallOptions, Error, Runtime, module};

    /// Output image formats.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum ImageFormat {
        /// PNG (keeps alpha and 16-bit depth).
        Png,
        /// JPEG (alpha is composited over white).
        Jpeg,
    }

    /// What `resize` produces. A plain settings struct.
    #[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
    pub struct ResizeOpts {
        /// Output width; 0 derives it from `height` keeping the aspect ratio.
        pub width: u32,
        /// Output height; 0 derives it from `width`. Both 0 keeps the size.
        pub height: u32,
        /// JPEG quality 1-100 (default 85).
        pub quality: Option<u8>,
        /// Output format (default: the input's).
        pub format: Option<ImageFormat>,
    }

    /// Resizes a PNG or JPEG image (EXIF orientation applied, Lanczos3 resampling).
    ///
    /// # Errors
    ///
    /// `Error::Guest` with `bad_argument`, `invalid_input`, `unsupported` or `limit` for bad
    /// options and images; limit and trap errors of the call.
    pub fn resize(runtime: &Runtime, input: &[u8], options: &ResizeOpts) -> Result<Bytes, Error> {
        let mut args = Args::new()
            .bytes("input", input)
            .int("width", i64::from(options.width))
            .int("height", i64::from(options.height));
        if let Some(quality) = options.quality {
            args = args.int("quality", i64::from(quality));
        }
        if let Some(format) = options.format {
            args = args.str(
                "format",
                match format {
                    ImageFormat::Png => "png",
                    ImageFormat::Jpeg => "jpeg",
                },
            );
        }
        let output = module(runtime, "libimage")?.call("resize", &args, &CallOptions::default())?;
        Ok(output.into_bytes())
    }
}

/// HTML to PDF with the embedded `libpdf` module.
pub mod pdf {
    use super::{Args, Bytes, CallOptions, Error, Runtime, module};

    /// Page sizes.
    #[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
    pub enum PageSize {
        /// ISO A4, 210 x 297 mm.
        #[default]
        A4,
        /// US Letter, 8.5 x 11 in.
        Letter,
    }

    /// Page settings. A plain settings struct.
    #[derive(Debug, Clone, Copy, PartialEq)]
    pub struct PdfOpts {
        /// Page size (A4).
        pub page_size: PageSize,
        /// Margin on every side in millimetres (20).
        pub margin_mm: f64,
    }

    impl Default for PdfOpts {
        fn default() -> Self {
            Self {
                page_size: PageSize::A4,
                margin_mm: 20.0,
            }
        }
    }

    /// Renders HTML (headings, paragraphs, lists, tables, pre, links, entities) to PDF.
    ///
    /// # Errors
    ///
    /// `Error::Guest` with `bad_argument` for a margin that leaves no room, `limit` for
    /// documents past the renderer's limits; limit and trap errors of the call.
    pub fn from_html(runtime: &Runtime, html: &str, options: &PdfOpts) -> Result<Bytes, Error> {
        let page_size = match options.page_size {
            PageSize::A4 => "A4",
            PageSize::Letter => "Letter",
        };
        let args = Args::new()
            .str("html", html)
            .str("page_size", page_size)
            .float("margin", options.margin_mm);
        let output = module(runtime, "libpdf")?.call("render", &args, &CallOptions::default())?;
        Ok(output.into_bytes())
    }
}

/// Spreadsheet parsing with the embedded `libxlsx` module.
pub mod parse {
    use super::{Args, CallOptions, Error, Runtime, module};

    /// Which sheet to read. A plain settings struct.
    #[derive(Debug, Clone, Default, PartialEq, Eq)]
    pub struct XlsxOpts {
        /// A sheet name; `None` reads `sheet_index` (or the first sheet).
        pub sheet_name: Option<String>,
        /// A 0-based sheet index, used when `sheet_name` is `None`.
        pub sheet_index: Option<usize>,
    }

    /// Reads a sheet of an .xlsx workbook as rows of cell text (its used range, empty cells
    /// as "", dates as ISO 8601).
    ///
    /// # Errors
    ///
    /// `Error::Guest` with `bad_argument` for an unknown sheet, `invalid_input`,
    /// `unsupported` (encrypted, .xls, .ods) or `limit` (zip bombs, huge sheets);
    /// `Error::OutputFormat` if the module's JSON does not parse.
    pub fn xlsx(
        runtime: &Runtime,
        data: &[u8],
        options: &XlsxOpts,
    ) -> Result<Vec<Vec<String>>, Error> {
        let mut args = Args::new().bytes("input", data);
        if let Some(name) = &options.sheet_name {
            args = args.str("sheet", name);
        } else if let Some(index) = options.sheet_index {
            let index = i64::try_from(index)
                .map_err(|_| Error::BadArguments(format!("sheet index {index} is too large")))?;
            args = args.int("sheet", index);
        }
        let output = module(runtime, "libxlsx")?.call("parse", &args, &CallOptions::default())?;
        serde_json::from_slice(output.bytes()).map_err(|error| {
            Error::OutputFormat(format!("libxlsx returned rows that are not JSON: {error}"))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(path: &str) -> Vec<u8> {
        std::fs::read(format!("{}/tests/data/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap()
    }

    #[test]
    fn media_resize_derives_the_height_and_honours_the_format() {
        let runtime = crate::runtime().unwrap();
        let thumb = media::resize(
            &runtime,
            &data("libimage/sample.jpg"),
            &media::ResizeOpts {
                width: 100,
                format: Some(media::ImageFormat::Png),
                ..Default::default()
            },
        )
        .unwrap();
        assert!(thumb.starts_with(b"\x89PNG"));
        // PNG IHDR: width and height as big-endian u32 at bytes 16..24.
        assert_eq!(&thumb[16..24], &[0, 0, 0, 100, 0, 0, 0, 63]);
        let error =
            media::resize(&runtime, b"not an image", &media::ResizeOpts::default()).unwrap_err();
        assert!(
            matches!(
                error,
                Error::Guest {
                    code: fazt_wasm_runtime::ErrorCode::Unsupported
                        | fazt_wasm_runtime::ErrorCode::InvalidInput,
                    ..
                }
            ),
            "{error}"
        );
    }

    #[test]
    fn pdf_from_html_renders_letter_pages() {
        let runtime = crate::runtime().unwrap();
        let options = pdf::PdfOpts {
            page_size: pdf::PageSize::Letter,
            ..Default::default()
        };
        let document = pdf::from_html(
            &runtime,
            "<h1>Report</h1><p>Hello &amp; welcome</p>",
            &options,
        )
        .unwrap();
        assert!(document.starts_with(b"%PDF-"));
        assert!(String::from_utf8_lossy(&document).contains("612"));
    }

    #[test]
    fn parse_xlsx_reads_sheets_by_name_and_index() {
        let runtime = crate::runtime().unwrap();
        let workbook = data("libxlsx/multiple_sheets.xlsx");
        let by_index = parse::xlsx(
            &runtime,
            &workbook,
            &parse::XlsxOpts {
                sheet_index: Some(2),
                ..Default::default()
            },
        )
        .unwrap();
        let by_name = parse::xlsx(
            &runtime,
            &workbook,
            &parse::XlsxOpts {
                sheet_name: Some(String::from("Third & last")),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(by_index, by_name);
        assert!(!by_index.is_empty());
        let first = parse::xlsx(&runtime, &workbook, &parse::XlsxOpts::default()).unwrap();
        assert_ne!(first, by_index);
        let error = parse::xlsx(
            &runtime,
            &workbook,
            &parse::XlsxOpts {
                sheet_name: Some(String::from("nope")),
                ..Default::default()
            },
        )
        .unwrap_err();
        assert!(
            matches!(
                error,
                Error::Guest {
                    code: fazt_wasm_runtime::ErrorCode::BadArgument,
                    ..
                }
            ),
            "{error}"
        );
    }
}
