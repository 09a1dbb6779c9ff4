//! The decoded pixel buffer and the pixel-level steps around resampling: orientation and
//! flattening for JPEG output.

/// Interleaved samples; 16-bit images keep their full precision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Samples {
    U8(Vec<u8>),
    U16(Vec<u16>),
}

impl Samples {
    /// The samples as bytes, 16-bit ones in native byte order (what `image`'s encoders take).
    pub(crate) fn as_bytes(&self) -> &[u8] {
        match self {
            Self::U8(data) => data,
            Self::U16(data) => bytemuck::cast_slice(data),
        }
    }
}

/// A decoded image: `width * height` pixels of `channels` samples (1 gray, 2 gray+alpha,
/// 3 RGB, 4 RGBA) in row-major order, no row padding.
#[derive(Debug)]
pub(crate) struct Pixels {
    pub(crate) width: u32,
    pub(crate) height: u32,
    pub(crate) channels: usize,
    pub(crate) samples: Samples,
}

impl Pixels {
    /// Gray+alpha and RGBA carry alpha as their last sample.
    pub(crate) fn has_alpha(&self) -> bool {
        self.channels.is_multiple_of(2)
    }

    pub(crate) fn is_16_bit(&self) -> bool {
        matches!(self.samples, Samples::U16(_))
    }

    /// Applies an EXIF orientation (1 to 8) so the result is upright; 1 and unknown values are no-ops.
    pub(crate) fn orient(self, orientation: u8) -> Pixels {
        if !(2..=8).contains(&orientation) {
            return self;
        }
        let (width, height) = (self.width as usize, self.height as usize);
        let (out_width, out_height) = if crate::decode::swaps_axes(orientation) {
            (height, width)
        } else {
            (width, height)
        };
        let shape = (width, height, out_width, self.channels);
        let samples = match &self.samples {
            Samples::U8(data) => Samples::U8(orient_samples(data, shape, orientation)),
            Samples::U16(data) => Samples::U16(orient_samples(data, shape, orientation)),
        };
        Pixels {
            // The output sides are the input sides, possibly swapped, so they fit in u32.
            width: out_width as u32,
            height: out_height as u32,
            channels: self.channels,
            samples,
        }
    }

    /// Converts to 8-bit gray or RGB for JPEG: 16-bit samples are rounded to 8 bits and alpha is
    /// composited over white.
    pub(crate) fn into_opaque_8_bit(self) -> Pixels {
        if !self.has_alpha() && !self.is_16_bit() {
            return self;
        }
        let channels = self.channels;
        let color_channels = if channels >= 3 { 3 } else { 1 };
        let pixel_count = self.width as usize * self.height as usize;
        let mut data = Vec::with_capacity(pixel_count * color_channels);
        match &self.samples {
            Samples::U8(samples) => flatten(samples, channels, &mut data, u32::from),
            Samples::U16(samples) => flatten(samples, channels, &mut data, |value| {
                // Round to nearest: 65535 maps to 255.
                (u32::from(value) * 255 + 32_767) / 65_535
            }),
        }
        Pixels {
            width: self.width,
            height: self.height,
            channels: color_channels,
            samples: Samples::U8(data),
        }
    }
}

/// Rearranges pixels of `channels` samples for `orientation`; `shape` is the stored width and
/// height, the upright width and the channel count.
fn orient_samples<T: Copy + Default>(
    data: &[T],
    (width, height, out_width, channels): (usize, usize, usize, usize),
    orientation: u8,
) -> Vec<T> {
    let mut out = vec![T::default(); data.len()];
    for (out_y, out_row) in out.chunks_exact_mut(out_width * channels).enumerate() {
        for (out_x, out_pixel) in out_row.chunks_exact_mut(channels).enumerate() {
            // Where the upright pixel (out_x, out_y) sits in the stored image.
            let (x, y) = match orientation {
                2 => (width - 1 - out_x, out_y),
                3 => (width - 1 - out_x, height - 1 - out_y),
                4 => (out_x, height - 1 - out_y),
                5 => (out_y, out_x),
                6 => (out_y, height - 1 - out_x),
                7 => (width - 1 - out_y, height - 1 - out_x),
                _ => (width - 1 - out_y, out_x),
            };
            let start = (y * width + x) * channels;
            out_pixel.copy_from_slice(&data[start..start + channels]);
        }
    }
    out
}

/// Appends the color samples of each pixel, converted to 8 bits by `to_8_bit` and, when
/// `channels` includes alpha, composited over white.
fn flatten<T: Copy>(
    samples: &[T],
    channels: usize,
    out: &mut Vec<u8>,
    to_8_bit: impl Fn(T) -> u32,
) {
    let has_alpha = channels.is_multiple_of(2);
    let color_channels = if has_alpha { channels - 1 } else { channels };
    for pixel in samples.chunks_exact(channels) {
        let alpha = if has_alpha {
            to_8_bit(pixel[channels - 1])
        } else {
            255
        };
        for &sample in &pixel[..color_channels] {
            // Over white: value * a + 255 * (1 - a), with a in 0..=255, rounded.
            let blended = (to_8_bit(sample) * alpha + 255 * (255 - alpha) + 127) / 255;
            out.push(blended as u8);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 3x2 gray image numbered 0..6 in row-major order.
    fn numbered() -> Pixels {
        Pixels {
            width: 3,
            height: 2,
            channels: 1,
            samples: Samples::U8(vec![0, 1, 2, 3, 4, 5]),
        }
    }

    #[test]
    fn orientations_match_the_exif_definitions() {
        // Stored:  0 1 2
        //          3 4 5
        let cases: [(u8, (u32, u32), [u8; 6]); 8] = [
            (1, (3, 2), [0, 1, 2, 3, 4, 5]),
            (2, (3, 2), [2, 1, 0, 5, 4, 3]),
            (3, (3, 2), [5, 4, 3, 2, 1, 0]),
            (4, (3, 2), [3, 4, 5, 0, 1, 2]),
            (5, (2, 3), [0, 3, 1, 4, 2, 5]),
            (6, (2, 3), [3, 0, 4, 1, 5, 2]),
            (7, (2, 3), [5, 2, 4, 1, 3, 0]),
            (8, (2, 3), [2, 5, 1, 4, 0, 3]),
        ];
        for (orientation, size, expected) in cases {
            let out = numbered().orient(orientation);
            assert_eq!((out.width, out.height), size, "orientation {orientation}");
            assert_eq!(
                out.samples,
                Samples::U8(expected.to_vec()),
                "orientation {orientation}"
            );
        }
    }

    #[test]
    fn orientation_moves_whole_multi_byte_pixels() {
        let pixels = Pixels {
            width: 2,
            height: 1,
            channels: 3,
            samples: Samples::U16((0..6).collect()),
        };
        let out = pixels.orient(2);
        assert_eq!(out.samples, Samples::U16(vec![3, 4, 5, 0, 1, 2]));
    }

    #[test]
    fn alpha_is_composited_over_white_for_jpeg() {
        let pixels = Pixels {
            width: 3,
            height: 1,
            channels: 4,
            samples: Samples::U8(vec![255, 0, 0, 255, 255, 0, 0, 0, 0, 0, 0, 128]),
        };
        let out = pixels.into_opaque_8_bit();
        assert_eq!(out.channels, 3);
        assert_eq!(
            out.samples,
            Samples::U8(vec![255, 0, 0, 255, 255, 255, 127, 127, 127])
        );
    }

    #[test]
    fn sixteen_bit_samples_round_to_eight_bits() {
        let pixels = Pixels {
            width: 3,
            height: 1,
            channels: 1,
            samples: Samples::U16(vec![65_535, 0, 32_896]),
        };
        let out = pixels.into_opaque_8_bit();
        assert_eq!(out.channels, 1);
        assert_eq!(out.samples, Samples::U8(vec![255, 0, 128]));
        assert_eq!(
            Samples::U16(vec![0x0102]).as_bytes(),
            0x0102u16.to_ne_bytes()
        );
    }
}
