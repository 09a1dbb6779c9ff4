//! Output sizes, formats and channel handling for each kind of input.

use fazt_libimage::{ColorType, Format, ResizeOptions, probe, resize};

use crate::common::{decode, options};
use crate::fixture;

/// Every decodable fixture, its stored size and what `probe` should say about it.
const INPUTS: &[(&str, &[u8], ColorType, u8, bool)] = &[
    ("gray.png", fixture!("gray.png"), ColorType::Gray, 8, false),
    (
        "gray_alpha.png",
        fixture!("gray_alpha.png"),
        ColorType::GrayAlpha,
        8,
        true,
    ),
    ("rgb.png", fixture!("rgb.png"), ColorType::Rgb, 8, false),
    ("rgba.png", fixture!("rgba.png"), ColorType::Rgba, 8, true),
    (
        "palette.png",
        fixture!("palette.png"),
        ColorType::Palette,
        8,
        false,
    ),
    (
        "palette_trns.png",
        fixture!("palette_trns.png"),
        ColorType::Palette,
        8,
        true,
    ),
    (
        "gray16.png",
        fixture!("gray16.png"),
        ColorType::Gray,
        16,
        false,
    ),
    (
        "rgba16.png",
        fixture!("rgba16.png"),
        ColorType::Rgba,
        16,
        true,
    ),
    (
        "baseline.jpg",
        fixture!("baseline.jpg"),
        ColorType::Rgb,
        8,
        false,
    ),
    (
        "progressive.jpg",
        fixture!("progressive.jpg"),
        ColorType::Rgb,
        8,
        false,
    ),
    ("gray.jpg", fixture!("gray.jpg"), ColorType::Gray, 8, false),
    ("cmyk.jpg", fixture!("cmyk.jpg"), ColorType::Cmyk, 8, false),
];

#[test]
fn probe_reports_format_size_color_and_alpha() {
    for &(name, input, color_type, bit_depth, has_alpha) in INPUTS {
        let info = probe(input).unwrap();
        let format = if name.ends_with(".png") {
            Format::Png
        } else {
            Format::Jpeg
        };
        assert_eq!(info.format, format, "{name}");
        assert_eq!((info.width, info.height), (64, 48), "{name}");
        assert_eq!(info.color_type, color_type, "{name}");
        assert_eq!(info.bit_depth, bit_depth, "{name}");
        assert_eq!(info.has_alpha, has_alpha, "{name}");
        assert_eq!(info.orientation, 1, "{name}");
    }
}

#[test]
fn every_input_resizes_to_exact_size_in_both_formats() {
    for &(name, input, ..) in INPUTS {
        for format in [Format::Png, Format::Jpeg] {
            for (width, height) in [(40, 30), (1, 1), (200, 7), (64, 48)] {
                let output = resize(input, &options(width, height, Some(format))).unwrap();
                let info = probe(&output).unwrap();
                assert_eq!(info.format, format, "{name}");
                assert_eq!(
                    (info.width, info.height),
                    (width, height),
                    "{name} as {format}"
                );
                assert_eq!(info.orientation, 1, "{name}");
            }
        }
    }
}

#[test]
fn missing_side_is_derived_from_the_aspect_ratio() {
    // 64x48 is 4:3.
    let cases = [
        ((32, 0), (32, 24)),
        ((0, 30), (40, 30)),
        ((33, 0), (33, 25)),
        ((0, 1), (1, 1)),
        ((1, 0), (1, 1)),
    ];
    for ((width, height), expected) in cases {
        let output = resize(fixture!("rgb.png"), &ResizeOptions::new(width, height)).unwrap();
        let info = probe(&output).unwrap();
        assert_eq!(
            (info.width, info.height),
            expected,
            "requested {width}x{height}"
        );
    }
    // The sample: 640x400 is 16:10; 333 * 400 / 640 = 208.125 -> 208.
    let output = resize(fixture!("sample.jpg"), &ResizeOptions::new(333, 0)).unwrap();
    assert_eq!(probe(&output).unwrap().display_size(), (333, 208));
}

#[test]
fn zero_by_zero_keeps_the_size_and_format() {
    for &(name, input, ..) in INPUTS {
        let output = resize(input, &ResizeOptions::default()).unwrap();
        let (before, after) = (probe(input).unwrap(), probe(&output).unwrap());
        assert_eq!(after.format, before.format, "{name}");
        assert_eq!(
            (after.width, after.height),
            (before.width, before.height),
            "{name}"
        );
    }
}

#[test]
fn png_output_keeps_channels_and_depth() {
    let cases: [(&[u8], image::ColorType); 8] = [
        (fixture!("gray.png"), image::ColorType::L8),
        (fixture!("gray_alpha.png"), image::ColorType::La8),
        (fixture!("rgb.png"), image::ColorType::Rgb8),
        (fixture!("rgba.png"), image::ColorType::Rgba8),
        (fixture!("palette.png"), image::ColorType::Rgb8),
        (fixture!("palette_trns.png"), image::ColorType::Rgba8),
        (fixture!("gray16.png"), image::ColorType::L16),
        (fixture!("rgba16.png"), image::ColorType::Rgba16),
    ];
    for (input, color_type) in cases {
        let output = decode(&resize(input, &options(20, 15, Some(Format::Png))).unwrap());
        assert_eq!(output.color_type, color_type);
    }
    let gray_jpeg =
        decode(&resize(fixture!("gray.jpg"), &options(20, 15, Some(Format::Png))).unwrap());
    assert_eq!(gray_jpeg.color_type, image::ColorType::L8);
}

#[test]
fn palette_transparency_survives_as_alpha() {
    let output = decode(
        &resize(
            fixture!("palette_trns.png"),
            &options(64, 48, Some(Format::Png)),
        )
        .unwrap(),
    );
    // Rows 0..=5 were painted with the transparent index.
    assert_eq!(output.pixel(10, 2)[3], 0);
    assert_eq!(output.pixel(10, 20)[3], 255);
}

#[test]
fn jpeg_output_composites_alpha_over_white() {
    for input in [
        fixture!("rgba.png"),
        fixture!("gray_alpha.png"),
        fixture!("palette_trns.png"),
        fixture!("rgba16.png"),
    ] {
        let output = decode(&resize(input, &options(32, 24, Some(Format::Jpeg))).unwrap());
        assert!(!output.color_type.has_alpha());
        // The corners are fully transparent (or transparent index) in every alpha fixture.
        let corner = output.pixel(0, 0);
        assert!(
            corner.iter().all(|&sample| sample >= 240),
            "corner {corner:?}"
        );
    }
    let gray = decode(
        &resize(
            fixture!("gray_alpha.png"),
            &options(32, 24, Some(Format::Jpeg)),
        )
        .unwrap(),
    );
    assert_eq!(gray.color_type, image::ColorType::L8);
}

#[test]
fn jpeg_quality_trades_size_for_fidelity() {
    let at = |quality| {
        resize(
            fixture!("sample.jpg"),
            &ResizeOptions {
                quality,
                ..ResizeOptions::new(320, 0)
            },
        )
        .unwrap()
        .len()
    };
    let (low, default, high) = (at(10), at(85), at(100));
    assert!(
        low < default && default < high,
        "sizes {low} {default} {high}"
    );
}

#[test]
fn cmyk_jpeg_decodes_to_plausible_rgb() {
    let output =
        decode(&resize(fixture!("cmyk.jpg"), &options(64, 48, Some(Format::Png))).unwrap());
    assert_eq!(output.channels, 3);
    // The blue rectangle of the scene sits around (48, 14).
    let [red, green, blue] = output.pixel(48, 14) else {
        unreachable!()
    };
    assert!(
        *blue > 150 && *red < 90 && *green < 110,
        "{red} {green} {blue}"
    );
}

#[test]
fn full_hd_rgb_png_resizes_to_800x450() {
    // A synthetic 1920x1080 photo stand-in, encoded here so the repository stays small.
    let mut source = image::RgbImage::new(1920, 1080);
    for (x, y, pixel) in source.enumerate_pixels_mut() {
        *pixel = image::Rgb([(x / 8) as u8, (y / 5) as u8, ((x ^ y) & 0xFF) as u8]);
    }
    let mut png = Vec::new();
    source
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    let started = std::time::Instant::now();
    let output = resize(&png, &ResizeOptions::new(800, 0)).unwrap();
    println!(
        "1920x1080 PNG -> 800x450 PNG: {:?}, {} bytes",
        started.elapsed(),
        output.len()
    );
    let info = probe(&output).unwrap();
    assert_eq!(
        (info.format, info.width, info.height),
        (Format::Png, 800, 450)
    );
}
