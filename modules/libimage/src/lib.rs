//! Pure-Rust core of the `libimage` guest module: PNG/JPEG decoding, EXIF orientation,
//! Lanczos3 resizing and PNG/JPEG encoding, built to run inside a fuel- and memory-limited
//! wasm32 interpreter.
//!
//! The entry points are [`resize`] (bytes in, bytes out, driven by [`ResizeOptions`]) and
//! [`probe`] (headers only, returning an [`ImageInfo`]). Every failure is an [`ImageError`],
//! classified by [`ImageError::kind`] into an [`ErrorKind`] for the ABI; no input makes this
//! crate panic.
//!
//! - Inputs: PNG (gray, gray+alpha, RGB, RGBA, palette with or without `tRNS`, 1 to 16 bits)
//!   and JPEG (baseline, progressive, gray, CMYK/YCCK), detected by magic bytes.
//! - The EXIF orientation (JPEG APP1 or PNG `eXIf`) is applied, and sizes refer to the upright
//!   image; outputs carry no metadata at all (no EXIF, no ICC profile; pixels are not color
//!   managed).
//! - Resampling is a port of Pillow's `Image.LANCZOS` convolution (premultiplied alpha, same
//!   fixed point, same pass order), so 8-bit results match Pillow's exactly in the tests.
//! - Limits: [`ResizeOptions::max_pixels`] is checked against the header's declared size before
//!   any pixel buffer exists, and against the requested output size.
//! - Wasm: no imports, no threads or clocks. Stack: JPEG input peaks between 32 and 40 KiB
//!   (zune-jpeg's decoder struct, about 29 KiB, is built on the stack before it is boxed) and
//!   PNG input stays under 32 KiB, so the guests' 64 KiB stack is enough with room to spare.
//!   Cost in wasmi for a 1920x1080 input resized to 800x450: about
//!   2.7 billion fuel from PNG to PNG and 2.9 billion from JPEG to JPEG; roughly 40% is
//!   decoding, 35% resampling and the rest encoding.
//!
//! # Examples
//!
//! ```
//! use fazt_libimage::{Format, ResizeOptions, probe, resize};
//!
//! let jpeg = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/data/libimage/sample.jpg"));
//! let options = ResizeOptions {
//!     width: 320,
//!     format: Some(Format::parse("png")?),
//!     ..ResizeOptions::default()
//! };
//! let png = resize(jpeg, &options)?;
//! let info = probe(&png)?;
//! assert_eq!((info.format, info.width, info.height), (Format::Png, 320, 200));
//! # Ok::<(), fazt_libimage::ImageError>(())
//! ```
mod decode;
mod encode;
mod error;
#[cfg(feature = "probe-export")]
#[allow(unsafe_code)]
mod export;
mod options;
mod pixels;
mod resample;
pub mod service;

pub use decode::{ColorType, ImageInfo};
pub use error::{ErrorKind, ImageError};
pub use options::{DEFAULT_MAX_PIXELS, DEFAULT_QUALITY, Format, ResizeOptions};

use decode::{JPEG_MAX_SIDE, swaps_axes};
use resample::PassOrder;

/// Decodes a PNG or JPEG, applies its EXIF orientation, resizes it and encodes the result.
///
/// The input format is detected from the magic bytes. The output size follows
/// [`ResizeOptions`]: exact when both sides are given, aspect-preserving when one is 0, and the
/// input's own (upright) size when both are 0. Upscaling is allowed within `max_pixels`.
/// The output format is `options.format`, or the input's format when it is `None`:
/// - PNG output keeps the decoded channels: gray stays gray, alpha (including palette `tRNS`)
///   stays alpha, 16-bit stays 16-bit; palettes are expanded to RGB or RGBA.
/// - JPEG output is 8-bit gray (from gray input) or RGB at `options.quality`; alpha is
///   composited over white, since JPEG has no transparency.
///
/// # Errors
///
/// - `BadArgument`: quality outside `1..=100`.
/// - `InvalidInput`: empty, corrupt or truncated input (a JPEG without its end-of-image marker
///   counts as truncated).
/// - `Unsupported`: neither PNG nor JPEG, or a PNG/JPEG feature the decoders lack
///   (e.g. arithmetic-coded or lossless JPEG).
/// - `Limit`: the declared input size or the output size is above `max_pixels`, or a JPEG
///   output side is above 65535.
///
/// # Examples
///
/// ```
/// # let jpeg = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/data/libimage/sample.jpg"));
/// use fazt_libimage::{ErrorKind, ResizeOptions, probe, resize};
///
/// let thumbnail = resize(jpeg, &ResizeOptions::new(0, 100))?;
/// assert_eq!(probe(&thumbnail)?.display_size(), (160, 100));
///
/// let err = resize(b"not an image", &ResizeOptions::new(10, 10)).unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::Unsupported);
/// # Ok::<(), fazt_libimage::ImageError>(())
/// ```
pub fn resize(input: &[u8], options: &ResizeOptions) -> Result<Vec<u8>, ImageError> {
    options.validate()?;
    let max_alloc_bytes = max_alloc_bytes(options.max_pixels);
    let header = decode::read_header(input, options.max_pixels, max_alloc_bytes)?;
    let (display_width, display_height) = header.info.display_size();
    let (width, height) = options.target_size(display_width, display_height)?;
    let format = options.format.unwrap_or(header.info.format);
    if format == Format::Jpeg && (width > JPEG_MAX_SIDE || height > JPEG_MAX_SIDE) {
        return Err(ImageError::OutputTooLarge {
            width: width.into(),
            height: height.into(),
            limit: format!("{JPEG_MAX_SIDE} pixels per side for JPEG"),
        });
    }
    let orientation = header.info.orientation;
    let pixels = header.decode(max_alloc_bytes)?;
    // Resample in stored orientation and turn the (usually smaller) result upright afterwards.
    // Lanczos is symmetric, so this equals turning first (as Pillow users do with
    // `exif_transpose`) as long as the passes run in the upright image's order.
    let order = PassOrder::pillow((display_width, display_height), (width, height));
    let (stored_width, stored_height, order) = if swaps_axes(orientation) {
        (height, width, order.transposed())
    } else {
        (width, height, order)
    };
    let pixels = resample::resample(pixels, stored_width, stored_height, order).orient(orientation);
    encode::encode(pixels, format, options.quality)
}

/// Reads an image's headers: format, stored size, color model, bit depth, alpha and EXIF
/// orientation. Decodes no pixels and applies no size limit.
///
/// # Errors
///
/// `InvalidInput` for empty, corrupt or truncated headers, `Unsupported` for other formats.
///
/// # Examples
///
/// ```
/// # let jpeg = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/data/libimage/sample.jpg"));
/// use fazt_libimage::{ColorType, Format, probe};
///
/// let info = probe(jpeg)?;
/// assert_eq!((info.format, info.width, info.height), (Format::Jpeg, 640, 400));
/// assert_eq!((info.color_type, info.orientation), (ColorType::Rgb, 1));
/// # Ok::<(), fazt_libimage::ImageError>(())
/// ```
pub fn probe(input: &[u8]) -> Result<ImageInfo, ImageError> {
    let header = decode::read_header(input, u64::MAX, max_alloc_bytes(DEFAULT_MAX_PIXELS))?;
    Ok(header.info)
}

/// The most any single decoder buffer may take: 8 bytes (16-bit RGBA) per allowed pixel,
/// and never less than 16 MiB so metadata chunks of small images still fit.
fn max_alloc_bytes(max_pixels: u64) -> u64 {
    max_pixels.saturating_mul(8).max(16 << 20)
}
