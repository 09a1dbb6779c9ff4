//! Format sniffing, header probing and decoding of PNG (via `image`) and JPEG (via `zune-jpeg`).

use std::io::Cursor;

use image::ImageDecoder as _;
use image::codecs::png::PngDecoder;
use image::metadata::Orientation;
use zune_core::bytestream::ZCursor;
use zune_core::colorspace::ColorSpace;
use zune_core::options::DecoderOptions;
use zune_jpeg::errors::DecodeErrors;

use crate::pixels::{Pixels, Samples};
use crate::{Format, ImageError};

const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
const JPEG_SIGNATURE: &[u8] = &[0xFF, 0xD8, 0xFF];
/// JPEG stores each side in 16 bits.
pub(crate) const JPEG_MAX_SIDE: u32 = 65_535;

/// The color model stored in the file, before any expansion by the decoder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ColorType {
    /// One gray channel.
    Gray,
    /// Gray and alpha.
    GrayAlpha,
    /// Red, green and blue (for JPEG: YCbCr or RGB).
    Rgb,
    /// Red, green, blue and alpha.
    Rgba,
    /// PNG palette indices; [`ImageInfo::has_alpha`] tells whether a `tRNS` chunk adds transparency.
    Palette,
    /// JPEG CMYK or YCCK (typically from Adobe software); decoded to RGB.
    Cmyk,
}

/// What [`probe`](crate::probe) learns from an image's headers, without decoding pixels.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ImageInfo {
    /// The detected container format.
    pub format: Format,
    /// Width in pixels as stored, before the orientation is applied.
    pub width: u32,
    /// Height in pixels as stored, before the orientation is applied.
    pub height: u32,
    /// The stored color model.
    pub color_type: ColorType,
    /// Bits per sample as stored: 1, 2, 4, 8 or 16 for PNG, 8 for JPEG.
    pub bit_depth: u8,
    /// The image has an alpha channel or PNG `tRNS` transparency.
    pub has_alpha: bool,
    /// The EXIF orientation tag, 1 to 8; 1 (no transform) when absent or invalid.
    pub orientation: u8,
}

impl ImageInfo {
    /// Width and height as displayed, i.e. swapped for the orientations 5 to 8 that rotate by 90 degrees.
    ///
    /// This is the size that [`ResizeOptions`](crate::ResizeOptions) refer to.
    pub fn display_size(&self) -> (u32, u32) {
        if swaps_axes(self.orientation) {
            (self.height, self.width)
        } else {
            (self.width, self.height)
        }
    }
}

/// Orientations 5 to 8 turn the image by a quarter, so width and height trade places.
pub(crate) fn swaps_axes(orientation: u8) -> bool {
    (5..=8).contains(&orientation)
}

/// Identifies the container by its magic bytes.
pub(crate) fn sniff(input: &[u8]) -> Result<Format, ImageError> {
    if input.is_empty() {
        return Err(ImageError::EmptyInput);
    }
    if input.starts_with(PNG_SIGNATURE) {
        return Ok(Format::Png);
    }
    if input.starts_with(JPEG_SIGNATURE) {
        return Ok(Format::Jpeg);
    }
    if PNG_SIGNATURE.starts_with(input) || JPEG_SIGNATURE.starts_with(input) {
        return Err(ImageError::TooShort { len: input.len() });
    }
    let detected = if input.starts_with(b"GIF87a") || input.starts_with(b"GIF89a") {
        "GIF"
    } else if input.len() >= 12 && &input[..4] == b"RIFF" && &input[8..12] == b"WEBP" {
        "WebP"
    } else if input.starts_with(b"BM") {
        "BMP"
    } else if input.starts_with(b"II*\0") || input.starts_with(b"MM\0*") {
        "TIFF"
    } else if input.len() >= 12 && &input[4..8] == b"ftyp" {
        "HEIF/AVIF"
    } else if input.starts_with(b"\0\0\x01\0") {
        "ICO"
    } else if input.starts_with(b"qoif") {
        "QOI"
    } else if input.starts_with(b"<?xml") || input.starts_with(b"<svg") {
        "SVG"
    } else {
        "unknown"
    };
    Err(ImageError::UnsupportedFormat { detected })
}

/// Parsed headers plus the decoder state needed to read the pixels.
pub(crate) struct Header<'a> {
    pub(crate) info: ImageInfo,
    input: &'a [u8],
    decoder: Decoder<'a>,
}

/// A decoder that has read the headers.
///
/// Dev note: both are boxed because they are large (zune-jpeg's Huffman tables alone are tens
/// of KiB); kept on the stack they overflowed the guests' 64 KiB wasm stack.
enum Decoder<'a> {
    Png(Box<PngDecoder<Cursor<&'a [u8]>>>),
    Jpeg(Box<zune_jpeg::JpegDecoder<ZCursor<&'a [u8]>>>),
}

/// Reads the headers of a PNG or JPEG. Allocates no pixel buffer.
///
/// `max_pixels` is checked against the declared size before the PNG decoder even starts, so a
/// huge declared size fails fast; `max_alloc_bytes` bounds what the PNG decoder may buffer for
/// metadata chunks.
pub(crate) fn read_header(
    input: &[u8],
    max_pixels: u64,
    max_alloc_bytes: u64,
) -> Result<Header<'_>, ImageError> {
    match sniff(input)? {
        Format::Png => read_png_header(input, max_pixels, max_alloc_bytes),
        Format::Jpeg => read_jpeg_header(input, max_pixels),
    }
}

fn check_pixels(width: u32, height: u32, max_pixels: u64) -> Result<(), ImageError> {
    if u64::from(width) * u64::from(height) > max_pixels {
        return Err(ImageError::InputTooLarge {
            width,
            height,
            max_pixels,
        });
    }
    Ok(())
}

fn read_png_header(
    input: &[u8],
    max_pixels: u64,
    max_alloc_bytes: u64,
) -> Result<Header<'_>, ImageError> {
    // IHDR must be the first chunk: 8 signature bytes, length, "IHDR", width, height, depth, color.
    let ihdr = input.get(8..26).ok_or_else(|| ImageError::Truncated {
        format: Format::Png,
        detail: "ends inside the IHDR chunk".into(),
    })?;
    if &ihdr[4..8] != b"IHDR" {
        return Err(corrupt(Format::Png, "first chunk is not IHDR"));
    }
    let width = u32::from_be_bytes([ihdr[8], ihdr[9], ihdr[10], ihdr[11]]);
    let height = u32::from_be_bytes([ihdr[12], ihdr[13], ihdr[14], ihdr[15]]);
    let bit_depth = ihdr[16];
    let color_type = match ihdr[17] {
        0 => ColorType::Gray,
        2 => ColorType::Rgb,
        3 => ColorType::Palette,
        4 => ColorType::GrayAlpha,
        6 => ColorType::Rgba,
        other => return Err(corrupt(Format::Png, format!("invalid color type {other}"))),
    };
    if width == 0 || height == 0 {
        return Err(corrupt(Format::Png, "zero width or height"));
    }
    check_pixels(width, height, max_pixels)?;

    let mut limits = image::Limits::default();
    limits.max_image_width = Some(width);
    limits.max_image_height = Some(height);
    limits.max_alloc = Some(max_alloc_bytes);
    let mut decoder = Box::new(
        PngDecoder::with_limits(Cursor::new(input), limits)
            .map_err(|e| decode_error(Format::Png, e, max_alloc_bytes))?,
    );
    let has_alpha = decoder.color_type().has_alpha();
    let orientation = decoder
        .orientation()
        .map_err(|e| decode_error(Format::Png, e, max_alloc_bytes))?
        .to_exif();
    Ok(Header {
        info: ImageInfo {
            format: Format::Png,
            width,
            height,
            color_type,
            bit_depth,
            has_alpha,
            orientation,
        },
        input,
        decoder: Decoder::Png(decoder),
    })
}

fn jpeg_options() -> DecoderOptions {
    // Lenient like libjpeg: real-world files often carry junk between segments. Truncation is
    // caught separately by `has_end_of_image`, because lenient mode pads missing data with gray.
    DecoderOptions::default()
        .set_strict_mode(false)
        .set_max_width(JPEG_MAX_SIDE as usize)
        .set_max_height(JPEG_MAX_SIDE as usize)
}

/// A boxed zune-jpeg decoder, built in a frame of its own.
///
/// Dev note: the decoder struct is about 30 KiB. Built inline, that space stayed reserved in
/// `read_header`'s frame underneath the header parser's own large frames; out of line it is
/// released before parsing starts (see the stack numbers in the crate docs).
#[inline(never)]
fn new_jpeg_decoder(input: &[u8]) -> Box<zune_jpeg::JpegDecoder<ZCursor<&[u8]>>> {
    Box::new(zune_jpeg::JpegDecoder::new_with_options(
        ZCursor::new(input),
        jpeg_options(),
    ))
}

fn read_jpeg_header(input: &[u8], max_pixels: u64) -> Result<Header<'_>, ImageError> {
    let mut decoder = new_jpeg_decoder(input);
    decoder.decode_headers().map_err(jpeg_error)?;
    let (width, height) = decoder
        .dimensions()
        .ok_or_else(|| corrupt(Format::Jpeg, "no frame header"))?;
    // Both sides are at most 65535 (checked by the decoder options), so these never fail.
    let width = u32::try_from(width).unwrap_or(u32::MAX);
    let height = u32::try_from(height).unwrap_or(u32::MAX);
    check_pixels(width, height, max_pixels)?;
    let color_type = match decoder.input_colorspace() {
        Some(ColorSpace::Luma) => ColorType::Gray,
        Some(ColorSpace::LumaA) => ColorType::GrayAlpha,
        Some(ColorSpace::CMYK | ColorSpace::YCCK) => ColorType::Cmyk,
        _ => ColorType::Rgb,
    };
    let orientation = decoder
        .exif()
        .and_then(|exif| Orientation::from_exif_chunk(exif))
        .unwrap_or(Orientation::NoTransforms)
        .to_exif();
    Ok(Header {
        info: ImageInfo {
            format: Format::Jpeg,
            width,
            height,
            color_type,
            bit_depth: 8,
            has_alpha: false,
            orientation,
        },
        input,
        decoder: Decoder::Jpeg(decoder),
    })
}

impl Header<'_> {
    /// Decodes the pixels, as stored (the orientation is not applied).
    pub(crate) fn decode(self, max_alloc_bytes: u64) -> Result<Pixels, ImageError> {
        let (width, height) = (self.info.width, self.info.height);
        match self.decoder {
            Decoder::Png(decoder) => {
                let color_type = decoder.color_type();
                let channels = usize::from(color_type.channel_count());
                let samples = if color_type.bytes_per_pixel() == color_type.channel_count() {
                    let mut data = alloc_samples::<u8>(width, height, channels, max_alloc_bytes)?;
                    decoder
                        .read_image_boxed(&mut data)
                        .map_err(|e| decode_error(Format::Png, e, max_alloc_bytes))?;
                    Samples::U8(data)
                } else {
                    let mut data = alloc_samples::<u16>(width, height, channels, max_alloc_bytes)?;
                    // `image` writes 16-bit samples in native byte order.
                    decoder
                        .read_image_boxed(bytemuck::cast_slice_mut(&mut data))
                        .map_err(|e| decode_error(Format::Png, e, max_alloc_bytes))?;
                    Samples::U16(data)
                };
                Ok(Pixels {
                    width,
                    height,
                    channels,
                    samples,
                })
            }
            Decoder::Jpeg(mut decoder) => {
                if !has_end_of_image(self.input) {
                    return Err(ImageError::Truncated {
                        format: Format::Jpeg,
                        detail: "no end-of-image marker after the scan data".into(),
                    });
                }
                let (channels, colorspace) = match self.info.color_type {
                    ColorType::Gray | ColorType::GrayAlpha => (1, ColorSpace::Luma),
                    _ => (3, ColorSpace::RGB),
                };
                let mut data = alloc_samples::<u8>(width, height, channels, max_alloc_bytes)?;
                // The headers are already parsed; zune-jpeg picks its YCbCr->RGB converter for
                // the default RGB output then, and gray output never converts, so switching
                // the output color space now is enough.
                decoder.set_options(jpeg_options().jpeg_set_out_colorspace(colorspace));
                decoder.decode_into(&mut data).map_err(jpeg_error)?;
                Ok(Pixels {
                    width,
                    height,
                    channels,
                    samples: Samples::U8(data),
                })
            }
        }
    }
}

/// Allocates a zeroed sample buffer, refusing sizes above `max_alloc_bytes`.
fn alloc_samples<T: Copy + Default>(
    width: u32,
    height: u32,
    channels: usize,
    max_alloc_bytes: u64,
) -> Result<Vec<T>, ImageError> {
    let count = u64::from(width) * u64::from(height) * channels as u64;
    let bytes = count.saturating_mul(size_of::<T>() as u64);
    match usize::try_from(count) {
        Ok(len) if bytes <= max_alloc_bytes => Ok(vec![T::default(); len]),
        _ => Err(ImageError::MemoryLimit {
            max_bytes: max_alloc_bytes,
            detail: format!("a {width}x{height} pixel buffer needs {bytes} bytes"),
        }),
    }
}

/// Whether an end-of-image marker follows the first start-of-scan.
///
/// Walks the marker segments up to the first SOS (so an EXIF thumbnail's own EOI does not
/// count), then looks for `FF D9`; inside entropy-coded data `FF` is always followed by `00` or
/// a restart marker, so any `FF D9` there is a real end-of-image.
fn has_end_of_image(input: &[u8]) -> bool {
    let mut pos = 2;
    loop {
        // Like the lenient decoder, skip junk up to the next marker; markers may be preceded by
        // any number of 0xFF fill bytes.
        while input.get(pos).is_some_and(|&byte| byte != 0xFF) {
            pos += 1;
        }
        while input.get(pos) == Some(&0xFF) {
            pos += 1;
        }
        let Some(&marker) = input.get(pos) else {
            return false;
        };
        pos += 1;
        match marker {
            0xDA => {
                let scan = input.get(pos..).unwrap_or_default();
                return scan.windows(2).any(|pair| pair == [0xFF, 0xD9]);
            }
            0xD9 => return false,
            0x01 | 0xD0..=0xD8 => {}
            _ => {
                let Some(length) = input.get(pos..pos + 2) else {
                    return false;
                };
                pos += usize::from(u16::from_be_bytes([length[0], length[1]]));
            }
        }
    }
}

fn corrupt(format: Format, detail: impl Into<String>) -> ImageError {
    ImageError::Corrupt {
        format,
        detail: detail.into(),
    }
}

fn jpeg_error(err: DecodeErrors) -> ImageError {
    let detail = format!("{err:?}");
    match err {
        DecodeErrors::Unsupported(_) => ImageError::UnsupportedFeature {
            format: Format::Jpeg,
            detail,
        },
        DecodeErrors::ExhaustedData | DecodeErrors::IoErrors(_) => ImageError::Truncated {
            format: Format::Jpeg,
            detail,
        },
        _ => corrupt(Format::Jpeg, detail),
    }
}

/// Maps an `image` decoding error onto ours.
pub(crate) fn decode_error(
    format: Format,
    err: image::ImageError,
    max_alloc_bytes: u64,
) -> ImageError {
    let detail = err.to_string();
    match err {
        image::ImageError::Unsupported(_) => ImageError::UnsupportedFeature { format, detail },
        image::ImageError::Limits(_) => ImageError::MemoryLimit {
            max_bytes: max_alloc_bytes,
            detail,
        },
        image::ImageError::IoError(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => {
            ImageError::Truncated { format, detail }
        }
        image::ImageError::Decoding(_)
        | image::ImageError::Encoding(_)
        | image::ImageError::Parameter(_)
        | image::ImageError::IoError(_) => corrupt(format, detail),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniff_names_other_formats() {
        let cases: [(&[u8], &str); 4] = [
            (b"GIF89a....", "GIF"),
            (b"RIFF\0\0\0\0WEBPVP8 ", "WebP"),
            (b"BM\0\0\0\0", "BMP"),
            (b"hello world", "unknown"),
        ];
        for (input, name) in cases {
            match sniff(input) {
                Err(ImageError::UnsupportedFormat { detected }) => assert_eq!(detected, name),
                other => panic!("{name}: {other:?}"),
            }
        }
    }

    #[test]
    fn sniff_reports_empty_and_cut_signatures_as_invalid_input() {
        assert!(matches!(sniff(b""), Err(ImageError::EmptyInput)));
        assert!(matches!(
            sniff(b"\x89PN"),
            Err(ImageError::TooShort { len: 3 })
        ));
        assert!(matches!(
            sniff(&[0xFF, 0xD8]),
            Err(ImageError::TooShort { len: 2 })
        ));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n").unwrap(), Format::Png);
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0]).unwrap(), Format::Jpeg);
    }

    #[test]
    fn end_of_image_search_skips_segments_before_the_scan() {
        // SOI, APP1 whose payload contains FF D9 (like an EXIF thumbnail), SOS, data, no EOI.
        let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x06, 0xFF, 0xD9, 0x00, 0x00];
        jpeg.extend_from_slice(&[0xFF, 0xDA, 0x00, 0x02, 0x12, 0x34]);
        assert!(!has_end_of_image(&jpeg));
        jpeg.extend_from_slice(&[0xFF, 0xD9]);
        assert!(has_end_of_image(&jpeg));
        assert!(!has_end_of_image(&[0xFF, 0xD8, 0xFF, 0xE0, 0xFF]));
    }

    #[test]
    fn swapped_axes_only_for_quarter_turns() {
        let info = ImageInfo {
            format: Format::Jpeg,
            width: 40,
            height: 30,
            color_type: ColorType::Rgb,
            bit_depth: 8,
            has_alpha: false,
            orientation: 6,
        };
        assert_eq!(info.display_size(), (30, 40));
        for orientation in 1..=4 {
            assert!(!swaps_axes(orientation));
        }
        for orientation in 5..=8 {
            assert!(swaps_axes(orientation));
        }
    }
}
