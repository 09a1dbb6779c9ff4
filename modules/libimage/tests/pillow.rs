//! Closeness to Pillow: every reference made by `make_fixtures.py` (`Image.resize(..., LANCZOS)`
//! after `ImageOps.exif_transpose`) is matched within a PSNR bound.

use fazt_libimage::{Format, resize};

use crate::common::{decode, options, psnr};
use crate::fixture;

/// Below this the output would be visibly different from Pillow's.
const MIN_PSNR_DB: f64 = 35.0;
/// For 8-bit PNG input both sides decode the same pixels, and the resampler is a port of
/// Pillow's, so the outputs are identical (infinite PSNR) up to floating-point noise.
const MIN_PSNR_DB_SAME_PIXELS: f64 = 60.0;

/// One row of the list in `make_fixtures.py`.
struct Reference {
    name: &'static str,
    input: &'static [u8],
    width: u32,
    height: u32,
    pillow_output: &'static [u8],
}

macro_rules! reference {
    ($name:literal, $width:literal, $height:literal, $pillow_output:literal) => {
        Reference {
            name: $name,
            input: fixture!($name),
            width: $width,
            height: $height,
            pillow_output: fixture!($pillow_output),
        }
    };
}

/// The list in `make_fixtures.py`: input, requested size and Pillow's output.
const REFERENCES: &[Reference] = &[
    reference!("gray.png", 40, 30, "ref_gray_png_40x30.png"),
    reference!("gray_alpha.png", 40, 30, "ref_gray_alpha_png_40x30.png"),
    reference!("rgb.png", 40, 30, "ref_rgb_png_40x30.png"),
    reference!("rgb.png", 100, 75, "ref_rgb_png_100x75.png"),
    reference!("rgb.png", 50, 20, "ref_rgb_png_50x20.png"),
    reference!("rgba.png", 40, 30, "ref_rgba_png_40x30.png"),
    reference!("rgba.png", 97, 31, "ref_rgba_png_97x31.png"),
    reference!("palette.png", 40, 30, "ref_palette_png_40x30.png"),
    reference!("palette_trns.png", 40, 30, "ref_palette_trns_png_40x30.png"),
    reference!("gray16.png", 40, 30, "ref_gray16_png_40x30.png"),
    reference!("rgba16.png", 40, 30, "ref_rgba16_png_40x30.png"),
    reference!("baseline.jpg", 40, 30, "ref_baseline_jpg_40x30.png"),
    reference!("progressive.jpg", 40, 30, "ref_progressive_jpg_40x30.png"),
    reference!("gray.jpg", 40, 30, "ref_gray_jpg_40x30.png"),
    reference!("cmyk.jpg", 40, 30, "ref_cmyk_jpg_40x30.png"),
    reference!("orient_6.png", 20, 30, "ref_orient_6_png_20x30.png"),
    reference!("sample.jpg", 160, 100, "ref_sample_jpg_160x100.png"),
    reference!("orient_1.jpg", 24, 16, "ref_orient_1_jpg_24x16.png"),
    reference!("orient_2.jpg", 24, 16, "ref_orient_2_jpg_24x16.png"),
    reference!("orient_3.jpg", 24, 16, "ref_orient_3_jpg_24x16.png"),
    reference!("orient_4.jpg", 24, 16, "ref_orient_4_jpg_24x16.png"),
    reference!("orient_5.jpg", 16, 24, "ref_orient_5_jpg_16x24.png"),
    reference!("orient_6.jpg", 16, 24, "ref_orient_6_jpg_16x24.png"),
    reference!("orient_7.jpg", 16, 24, "ref_orient_7_jpg_16x24.png"),
    reference!("orient_8.jpg", 16, 24, "ref_orient_8_jpg_16x24.png"),
];

#[test]
fn png_output_is_close_to_pillow_lanczos() {
    let mut failures = Vec::new();
    for &Reference {
        name,
        input,
        width,
        height,
        pillow_output,
    } in REFERENCES
    {
        let ours = decode(&resize(input, &options(width, height, Some(Format::Png))).unwrap());
        let reference = decode(pillow_output);
        let db = psnr(&ours, &reference);
        println!("{name} -> {width}x{height}: {db:.1} dB");
        // JPEG decoders (zune-jpeg here, libjpeg in Pillow) and 16-bit input (Pillow resizes
        // the high bytes) differ slightly before resampling even starts.
        let same_pixels = name.ends_with(".png") && !name.contains("16");
        if db
            < if same_pixels {
                MIN_PSNR_DB_SAME_PIXELS
            } else {
                MIN_PSNR_DB
            }
        {
            failures.push(format!("{name} -> {width}x{height}: {db:.1} dB"));
        }
    }
    assert!(failures.is_empty(), "too far from Pillow: {failures:?}");
}

#[test]
fn jpeg_output_is_close_to_pillow_lanczos() {
    // Even through a quality-95 JPEG (with its chroma subsampling) the result stays close.
    let ours = resize(
        fixture!("rgb.png"),
        &fazt_libimage::ResizeOptions {
            quality: 95,
            ..options(40, 30, Some(Format::Jpeg))
        },
    )
    .unwrap();
    let db = psnr(&decode(&ours), &decode(fixture!("ref_rgb_png_40x30.png")));
    println!("rgb.png -> 40x30 JPEG q95: {db:.1} dB");
    assert!(db >= MIN_PSNR_DB, "{db:.1} dB");
}
