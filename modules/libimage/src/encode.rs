//! PNG and JPEG encoding of the resampled pixels, with no metadata carried over.

use image::ExtendedColorType;
use image::ImageEncoder as _;
use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::{CompressionType, FilterType, PngEncoder};

use crate::pixels::Pixels;
use crate::{Format, ImageError};

/// Encodes `pixels` as `format`.
///
/// PNG keeps the layout as is (gray or color, alpha, 8 or 16 bits). JPEG gets 8-bit gray or
/// RGB at `quality`, with alpha composited over white. Neither writes EXIF, so the output
/// carries no orientation tag.
pub(crate) fn encode(pixels: Pixels, format: Format, quality: u8) -> Result<Vec<u8>, ImageError> {
    let internal = |err: image::ImageError| ImageError::Internal {
        stage: match format {
            Format::Png => "encode PNG",
            Format::Jpeg => "encode JPEG",
        },
        detail: err.to_string(),
    };
    match format {
        Format::Png => {
            let bytes = pixels.samples.as_bytes();
            let mut out = Vec::with_capacity(bytes.len() / 2 + 1024);
            PngEncoder::new_with_quality(&mut out, PNG_COMPRESSION, FilterType::Adaptive)
                .write_image(bytes, pixels.width, pixels.height, color_type(&pixels))
                .map_err(internal)?;
            Ok(out)
        }
        Format::Jpeg => {
            let pixels = pixels.into_opaque_8_bit();
            let bytes = pixels.samples.as_bytes();
            let mut out = Vec::with_capacity(bytes.len() / 8 + 1024);
            JpegEncoder::new_with_quality(&mut out, quality)
                .encode(bytes, pixels.width, pixels.height, color_type(&pixels))
                .map_err(internal)?;
            Ok(out)
        }
    }
}

const PNG_COMPRESSION: CompressionType = CompressionType::Fast;

fn color_type(pixels: &Pixels) -> ExtendedColorType {
    match (pixels.channels, pixels.is_16_bit()) {
        (1, false) => ExtendedColorType::L8,
        (2, false) => ExtendedColorType::La8,
        (3, false) => ExtendedColorType::Rgb8,
        (_, false) => ExtendedColorType::Rgba8,
        (1, true) => ExtendedColorType::L16,
        (2, true) => ExtendedColorType::La16,
        (3, true) => ExtendedColorType::Rgb16,
        (_, true) => ExtendedColorType::Rgba16,
    }
}
