//! Shared helpers: fixture loading, output decoding and image comparison.

use fazt_libimage::{Format, ResizeOptions};

/// The bytes of a file in `tests/data/libimage/`, embedded at compile time.
#[macro_export]
macro_rules! fixture {
    ($name:literal) => {
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../tests/data/libimage/",
            $name
        ))
        .as_slice()
    };
}

/// Decoded test output: 8 bits per sample, `channels` samples per pixel.
#[derive(Debug)]
pub struct Decoded {
    pub width: u32,
    pub height: u32,
    pub channels: usize,
    pub color_type: image::ColorType,
    pub samples: Vec<u8>,
}

impl Decoded {
    /// The samples of pixel (x, y).
    pub fn pixel(&self, x: u32, y: u32) -> &[u8] {
        let start = (y as usize * self.width as usize + x as usize) * self.channels;
        &self.samples[start..start + self.channels]
    }
}

/// Decodes a PNG or JPEG with the `image` crate, reducing 16-bit samples to 8 bits (rounded).
pub fn decode(bytes: &[u8]) -> Decoded {
    let image = image::load_from_memory(bytes).expect("test output decodes");
    let color_type = image.color();
    let (channels, samples) = match (color_type.has_color(), color_type.has_alpha()) {
        (false, false) => (1, image.to_luma8().into_raw()),
        (false, true) => (2, image.to_luma_alpha8().into_raw()),
        (true, false) => (3, image.to_rgb8().into_raw()),
        (true, true) => (4, image.to_rgba8().into_raw()),
    };
    Decoded {
        width: image.width(),
        height: image.height(),
        channels,
        color_type,
        samples,
    }
}

/// Peak signal-to-noise ratio in dB between two images of the same size and channel count.
///
/// For images with alpha the color samples are compared premultiplied (color * alpha / 255),
/// i.e. as much as they are visible: the color of a nearly transparent pixel is numerically
/// unstable (one level of alpha can swing it by 255) and invisible.
pub fn psnr(ours: &Decoded, reference: &Decoded) -> f64 {
    assert_eq!(
        (ours.width, ours.height),
        (reference.width, reference.height),
        "sizes differ"
    );
    assert_eq!(ours.channels, reference.channels, "channel counts differ");
    let channels = ours.channels;
    let has_alpha = channels == 2 || channels == 4;
    let visible = |pixel: &[u8], channel: usize| -> f64 {
        let value = f64::from(pixel[channel]);
        if has_alpha && channel < channels - 1 {
            value * f64::from(pixel[channels - 1]) / 255.0
        } else {
            value
        }
    };
    let mut squared_error = 0.0;
    for (a, b) in ours
        .samples
        .chunks_exact(channels)
        .zip(reference.samples.chunks_exact(channels))
    {
        for channel in 0..channels {
            let diff = visible(a, channel) - visible(b, channel);
            squared_error += diff * diff;
        }
    }
    let mse = squared_error / ours.samples.len().max(1) as f64;
    if mse == 0.0 {
        f64::INFINITY
    } else {
        10.0 * (255.0 * 255.0 / mse).log10()
    }
}

/// Options for a `width` x `height` output in `format`.
pub fn options(width: u32, height: u32, format: Option<Format>) -> ResizeOptions {
    ResizeOptions {
        format,
        ..ResizeOptions::new(width, height)
    }
}
