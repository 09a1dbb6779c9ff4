//! The caller-facing settings: [`Format`] and [`ResizeOptions`].

use core::fmt;
use core::str::FromStr;

use crate::ImageError;

/// An image container format this module reads and writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// Portable Network Graphics.
    Png,
    /// JPEG (JFIF/EXIF), baseline or progressive.
    Jpeg,
}

impl Format {
    /// Parses an output format name: `png`, `jpeg` or `jpg`, in any letter case.
    ///
    /// Surrounding whitespace is not accepted, so a typo never silently picks a format.
    ///
    /// # Errors
    ///
    /// [`ImageError::UnknownFormatName`] (kind `BadArgument`) for any other name.
    ///
    /// # Examples
    ///
    /// ```
    /// use fazt_libimage::Format;
    /// assert_eq!(Format::parse("JPG")?, Format::Jpeg);
    /// assert!(Format::parse("gif").is_err());
    /// # Ok::<(), fazt_libimage::ImageError>(())
    /// ```
    pub fn parse(name: &str) -> Result<Self, ImageError> {
        if name.eq_ignore_ascii_case("png") {
            Ok(Self::Png)
        } else if name.eq_ignore_ascii_case("jpeg") || name.eq_ignore_ascii_case("jpg") {
            Ok(Self::Jpeg)
        } else {
            Err(ImageError::UnknownFormatName {
                name: name.chars().take(32).collect(),
            })
        }
    }

    /// The lowercase name, `png` or `jpeg`, which [`Format::parse`] accepts back.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Png => "png",
            Self::Jpeg => "jpeg",
        }
    }

    /// The media type, `image/png` or `image/jpeg`.
    pub fn mime_type(self) -> &'static str {
        match self {
            Self::Png => "image/png",
            Self::Jpeg => "image/jpeg",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Png => "PNG",
            Self::Jpeg => "JPEG",
        })
    }
}

impl FromStr for Format {
    type Err = ImageError;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Self::parse(name)
    }
}

/// What [`resize`](crate::resize) should produce.
///
/// Sizes are of the image as displayed, i.e. after the EXIF orientation is applied.
/// - `width` and `height` both non-zero: the output is exactly that size (the aspect ratio may change).
/// - one of them zero: it is derived from the other so the aspect ratio is kept,
///   rounded to the nearest pixel (halves round up) and at least 1.
/// - both zero (the default): the output keeps the input's size; this re-encodes,
///   applies the orientation and converts the format without resampling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResizeOptions {
    /// Output width in pixels; 0 derives it from `height`. Default 0.
    pub width: u32,
    /// Output height in pixels; 0 derives it from `width`. Default 0.
    pub height: u32,
    /// JPEG quality, `1..=100`. Default 85. Checked even when the output is PNG, which ignores it.
    pub quality: u8,
    /// Output format; `None` (the default) keeps the input's format.
    pub format: Option<Format>,
    /// Largest number of pixels accepted for the input (as declared in its header, checked
    /// before any pixel buffer is allocated) and for the output. Default [`DEFAULT_MAX_PIXELS`].
    pub max_pixels: u64,
}

/// The default [`ResizeOptions::max_pixels`]: 40 megapixels.
///
/// Decoding needs up to 8 bytes per pixel (16-bit RGBA), so the guest's memory limit should
/// allow a few hundred MiB for inputs this large, or the embedder should lower the limit.
pub const DEFAULT_MAX_PIXELS: u64 = 40_000_000;

/// The default [`ResizeOptions::quality`].
pub const DEFAULT_QUALITY: u8 = 85;

impl Default for ResizeOptions {
    fn default() -> Self {
        Self {
            width: 0,
            height: 0,
            quality: DEFAULT_QUALITY,
            format: None,
            max_pixels: DEFAULT_MAX_PIXELS,
        }
    }
}

impl ResizeOptions {
    /// Options for a `width` x `height` output with the other settings at their defaults.
    pub fn new(width: u32, height: u32) -> Self {
        Self {
            width,
            height,
            ..Self::default()
        }
    }

    /// Checks the settings that do not depend on the input.
    pub(crate) fn validate(&self) -> Result<(), ImageError> {
        if !(1..=100).contains(&self.quality) {
            return Err(ImageError::InvalidQuality {
                quality: self.quality,
            });
        }
        Ok(())
    }

    /// The output size for a source of `source_width` x `source_height` displayed pixels.
    pub(crate) fn target_size(
        &self,
        source_width: u32,
        source_height: u32,
    ) -> Result<(u32, u32), ImageError> {
        let (source_width, source_height) = (u64::from(source_width), u64::from(source_height));
        let (width, height) = match (u64::from(self.width), u64::from(self.height)) {
            (0, 0) => (source_width, source_height),
            (0, height) => (derive_side(source_width, height, source_height), height),
            (width, 0) => (width, derive_side(source_height, width, source_width)),
            (width, height) => (width, height),
        };
        let too_large = |limit: String| ImageError::OutputTooLarge {
            width,
            height,
            limit,
        };
        if width.saturating_mul(height) > self.max_pixels {
            return Err(too_large(format!("{} pixels", self.max_pixels)));
        }
        match (u32::try_from(width), u32::try_from(height)) {
            (Ok(width), Ok(height)) => Ok((width, height)),
            _ => Err(too_large(format!("{} pixels per side", u32::MAX))),
        }
    }
}

/// `numerator_side * given / denominator_side`, rounded to nearest (halves up), at least 1.
fn derive_side(numerator_side: u64, given: u64, denominator_side: u64) -> u64 {
    // Every factor fits in 32 bits, so nothing here can overflow 128 bits. Decoders never report
    // a zero side, but `checked_div` keeps a zero from ever becoming a panic.
    let scaled = u128::from(numerator_side) * u128::from(given);
    let rounded = (2 * scaled + u128::from(denominator_side))
        .checked_div(2 * u128::from(denominator_side))
        .unwrap_or(1);
    u64::try_from(rounded).unwrap_or(u64::MAX).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_parse_accepts_aliases_in_any_case() {
        assert_eq!(Format::parse("png").unwrap(), Format::Png);
        assert_eq!(Format::parse("PNG").unwrap(), Format::Png);
        assert_eq!(Format::parse("Jpeg").unwrap(), Format::Jpeg);
        assert_eq!(Format::parse("jPg").unwrap(), Format::Jpeg);
        assert_eq!("jpg".parse::<Format>().unwrap(), Format::Jpeg);
        for bad in ["", " png", "gif", "jpe", "webp"] {
            let err = Format::parse(bad).unwrap_err();
            assert_eq!(err.kind(), crate::ErrorKind::BadArgument, "{bad:?}");
        }
    }

    #[test]
    fn format_names_round_trip() {
        for format in [Format::Png, Format::Jpeg] {
            assert_eq!(Format::parse(format.as_str()).unwrap(), format);
        }
        assert_eq!(Format::Jpeg.mime_type(), "image/jpeg");
    }

    #[test]
    fn defaults_keep_size_and_format() {
        let options = ResizeOptions::default();
        assert_eq!((options.width, options.height), (0, 0));
        assert_eq!(options.quality, 85);
        assert_eq!(options.format, None);
        assert_eq!(options.target_size(640, 400).unwrap(), (640, 400));
    }

    #[test]
    fn derived_side_rounds_to_nearest_and_keeps_aspect() {
        assert_eq!(
            ResizeOptions::new(800, 0).target_size(1920, 1080).unwrap(),
            (800, 450)
        );
        assert_eq!(
            ResizeOptions::new(0, 450).target_size(1920, 1080).unwrap(),
            (800, 450)
        );
        // 100 * 33 / 64 = 51.5625 -> 52; 100 * 31 / 64 = 48.4375 -> 48.
        assert_eq!(
            ResizeOptions::new(33, 0).target_size(64, 100).unwrap(),
            (33, 52)
        );
        assert_eq!(
            ResizeOptions::new(31, 0).target_size(64, 100).unwrap(),
            (31, 48)
        );
        // Exactly half rounds up: 3 * 1 / 2 = 1.5 -> 2.
        assert_eq!(ResizeOptions::new(1, 0).target_size(2, 3).unwrap(), (1, 2));
        // A very wide image never derives a zero height.
        assert_eq!(
            ResizeOptions::new(10, 0).target_size(10_000, 1).unwrap(),
            (10, 1)
        );
    }

    #[test]
    fn absurd_output_sizes_are_refused() {
        let err = ResizeOptions::new(u32::MAX, u32::MAX)
            .target_size(10, 10)
            .unwrap_err();
        assert!(err.is_limit());
        // Derived: 1 x 10000 source widened to 100000 gives 10^9 rows.
        let err = ResizeOptions::new(100_000, 0)
            .target_size(1, 10_000)
            .unwrap_err();
        assert!(err.is_limit());
        let options = ResizeOptions {
            max_pixels: 100,
            ..ResizeOptions::new(11, 10)
        };
        assert!(options.target_size(1, 1).unwrap_err().is_limit());
    }

    #[test]
    fn quality_outside_range_is_a_bad_argument() {
        for quality in [0, 101, 255] {
            let options = ResizeOptions {
                quality,
                ..ResizeOptions::default()
            };
            assert_eq!(
                options.validate().unwrap_err().kind(),
                crate::ErrorKind::BadArgument
            );
        }
        assert!(ResizeOptions::default().validate().is_ok());
    }
}
