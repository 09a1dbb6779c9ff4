//! The Wasm export `render(html, page_size?, margin?)`, through the guest SDK.

use fazt_wasm_guest::{Args, Error, export};

use crate::{ErrorKind, PageSize, PdfError, PdfOptions, render_bytes};

/// Renders the `html` argument (string or bytes) to PDF bytes.
///
/// # Errors
///
/// `bad_argument` for an unknown argument, page size or margin; `invalid_input` for HTML that
/// is not UTF-8; `limit` for inputs beyond the renderer's limits.
pub fn render_service(args: &Args<'_>) -> Result<Vec<u8>, Error> {
    args.only(&["html", "page_size", "margin"])?;
    let html = args.bytes("html")?;
    let page_size = match args.opt_str("page_size")? {
        Some(name) => PageSize::parse(name).map_err(to_guest_error)?,
        None => PageSize::A4,
    };
    let margin_mm = args.opt_f64("margin")?.unwrap_or(20.0) as f32;
    render_bytes(
        html,
        &PdfOptions {
            page_size,
            margin_mm,
        },
    )
    .map_err(to_guest_error)
}

fn to_guest_error(error: PdfError) -> Error {
    let message = error.to_string();
    match error.kind() {
        ErrorKind::BadArgument => Error::bad_argument(message),
        ErrorKind::InvalidInput => Error::invalid_input(message),
        ErrorKind::Limit => Error::limit(message),
    }
}

export!(render => render_service);
