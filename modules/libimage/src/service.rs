//! The Wasm exports `resize(input, width?, height?, quality?, format?)` and `info(input)`,
//! through the guest SDK.

use fazt_wasm_guest::{Args, Error, export};

use crate::{ErrorKind, Format, ImageError, ResizeOptions, probe, resize};

/// Resizes the PNG or JPEG `input`. `width`/`height`: the exact output size when both are
/// given; one of them (or 0) derives the other from the aspect ratio; neither keeps the
/// size. `quality`: JPEG quality 1-100 (85). `format`: `png` or `jpeg` (the input's).
///
/// # Errors
///
/// `bad_argument` for unknown or out-of-range arguments, `invalid_input` for corrupt or
/// truncated images, `unsupported` for other formats, `limit` for enormous dimensions.
pub fn resize_service(args: &Args<'_>) -> Result<Vec<u8>, Error> {
    args.only(&["input", "width", "height", "quality", "format"])?;
    let input = args.bytes("input")?;
    let quality = match args.opt_u32("quality")? {
        None => crate::DEFAULT_QUALITY,
        Some(quality) => u8::try_from(quality)
            .ok()
            .filter(|q| (1..=100).contains(q))
            .ok_or_else(|| {
                Error::bad_argument(format!(
                    "argument \"quality\" must be 1 to 100, got {quality}"
                ))
            })?,
    };
    let format = args
        .opt_str("format")?
        .map(Format::parse)
        .transpose()
        .map_err(to_guest_error)?;
    let options = ResizeOptions {
        width: args.opt_u32("width")?.unwrap_or(0),
        height: args.opt_u32("height")?.unwrap_or(0),
        quality,
        format,
        ..ResizeOptions::default()
    };
    resize(input, &options).map_err(to_guest_error)
}

/// Describes the `input` image as JSON: format, stored and display size, color type, bit
/// depth, alpha and EXIF orientation.
///
/// # Errors
///
/// As [`resize_service`].
pub fn info_service(args: &Args<'_>) -> Result<Vec<u8>, Error> {
    args.only(&["input"])?;
    let info = probe(args.bytes("input")?).map_err(to_guest_error)?;
    let (display_width, display_height) = info.display_size();
    Ok(format!(
        "{{\"format\":\"{}\",\"width\":{},\"height\":{},\"display_width\":{display_width},\"display_height\":{display_height},\"color_type\":\"{:?}\",\"bit_depth\":{},\"has_alpha\":{},\"orientation\":{}}}",
        info.format.as_str(),
        info.width,
        info.height,
        info.color_type,
        info.bit_depth,
        info.has_alpha,
        info.orientation
    )
    .into_bytes())
}

fn to_guest_error(error: ImageError) -> Error {
    let message = error.to_string();
    match error.kind() {
        ErrorKind::BadArgument => Error::bad_argument(message),
        ErrorKind::InvalidInput => Error::invalid_input(message),
        ErrorKind::Unsupported => Error::unsupported(message),
        ErrorKind::Limit => Error::limit(message),
    }
}

export!(resize => resize_service);
export!(info => info_service);
