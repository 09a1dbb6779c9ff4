//! Bad input and bad arguments give classified errors, and limits hold before allocation.

use fazt_libimage::{ErrorKind, Format, ImageError, ResizeOptions, probe, resize};

use crate::common::options;
use crate::fixture;
use crate::meter::peak_alloc_bytes;

fn resize_kind(input: &[u8], options: &ResizeOptions) -> ErrorKind {
    match resize(input, options) {
        Ok(output) => panic!("expected an error, got {} bytes", output.len()),
        Err(err) => {
            println!("{err}");
            err.kind()
        }
    }
}

#[test]
fn corrupt_and_truncated_files_are_invalid_input() {
    let cases: [(&str, &[u8]); 4] = [
        ("corrupt.png", fixture!("corrupt.png")),
        ("corrupt.jpg", fixture!("corrupt.jpg")),
        ("truncated.png", fixture!("truncated.png")),
        ("truncated.jpg", fixture!("truncated.jpg")),
    ];
    for (name, input) in cases {
        assert_eq!(
            resize_kind(input, &ResizeOptions::new(10, 10)),
            ErrorKind::InvalidInput,
            "{name}"
        );
    }
    // Cutting a file anywhere is an error, never a silently gray image.
    let progressive = fixture!("progressive.jpg");
    for len in [3, 20, 200, progressive.len() / 2, progressive.len() - 2] {
        assert_eq!(
            resize_kind(&progressive[..len], &ResizeOptions::new(10, 10)),
            ErrorKind::InvalidInput,
            "cut at {len}"
        );
    }
    let png = fixture!("rgba.png");
    for len in [3, 8, 20, 40, png.len() / 2, png.len() - 13] {
        assert_eq!(
            resize_kind(&png[..len], &ResizeOptions::new(10, 10)),
            ErrorKind::InvalidInput,
            "cut at {len}"
        );
    }
}

#[test]
fn truncated_errors_say_truncated() {
    assert!(matches!(
        resize(fixture!("truncated.jpg"), &ResizeOptions::new(10, 10)),
        Err(ImageError::Truncated { .. })
    ));
    assert!(matches!(
        resize(fixture!("truncated.png"), &ResizeOptions::new(10, 10)),
        Err(ImageError::Truncated { .. })
    ));
}

#[test]
fn empty_input_is_invalid_and_other_formats_unsupported() {
    assert_eq!(
        resize_kind(b"", &ResizeOptions::default()),
        ErrorKind::InvalidInput
    );
    assert_eq!(
        resize_kind(fixture!("not_supported.gif"), &ResizeOptions::default()),
        ErrorKind::Unsupported
    );
    assert_eq!(
        resize_kind(b"%PDF-1.7 hello", &ResizeOptions::default()),
        ErrorKind::Unsupported
    );
    assert_eq!(
        probe(fixture!("not_supported.gif")).unwrap_err().kind(),
        ErrorKind::Unsupported
    );
}

#[test]
fn bad_arguments_are_reported_before_decoding() {
    for quality in [0, 101] {
        let options = ResizeOptions {
            quality,
            ..ResizeOptions::new(10, 10)
        };
        // Even on garbage input the argument is what gets reported.
        assert_eq!(resize_kind(b"garbage", &options), ErrorKind::BadArgument);
    }
    assert_eq!(
        Format::parse("bmp").unwrap_err().kind(),
        ErrorKind::BadArgument
    );
}

#[test]
fn huge_declared_dimensions_are_refused_without_allocating() {
    for (name, input) in [
        ("huge.png", fixture!("huge.png")),
        ("huge.jpg", fixture!("huge.jpg")),
    ] {
        let (result, peak_bytes) =
            peak_alloc_bytes(|| resize(input, &ResizeOptions::new(100, 100)));
        let err = result.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Limit, "{name}: {err}");
        assert!(
            matches!(err, ImageError::InputTooLarge { .. }),
            "{name}: {err}"
        );
        assert!(
            peak_bytes < 1 << 20,
            "{name} allocated {peak_bytes} bytes before refusing"
        );
        // The header itself is fine: probe reports it.
        let info = probe(input).unwrap();
        assert!(info.width >= 65_000 && info.height >= 65_000);
    }
}

#[test]
fn max_pixels_applies_to_input_and_output() {
    let small = ResizeOptions {
        max_pixels: 1000,
        ..ResizeOptions::new(10, 10)
    };
    // The 64x48 input alone is above 1000 pixels.
    assert_eq!(resize_kind(fixture!("rgb.png"), &small), ErrorKind::Limit);
    let roomy = ResizeOptions {
        max_pixels: 64 * 48,
        ..ResizeOptions::new(64, 49)
    };
    assert_eq!(resize_kind(fixture!("rgb.png"), &roomy), ErrorKind::Limit);
    assert!(
        resize(
            fixture!("rgb.png"),
            &ResizeOptions {
                max_pixels: 64 * 48,
                ..ResizeOptions::new(48, 64)
            }
        )
        .is_ok()
    );
}

#[test]
fn absurd_output_sizes_are_refused_without_allocating() {
    let cases = [
        ResizeOptions::new(u32::MAX, u32::MAX),
        ResizeOptions::new(100_000, 100_000),
        ResizeOptions::new(0, u32::MAX),
        // Within 40 megapixels but wider than JPEG allows.
        options(70_000, 1, Some(Format::Jpeg)),
    ];
    for options in cases {
        let (result, peak_bytes) = peak_alloc_bytes(|| resize(fixture!("baseline.jpg"), &options));
        assert_eq!(result.unwrap_err().kind(), ErrorKind::Limit, "{options:?}");
        assert!(
            peak_bytes < 1 << 20,
            "{options:?} allocated {peak_bytes} bytes"
        );
    }
    // Wide PNG output is fine.
    let wide = resize(
        fixture!("baseline.jpg"),
        &options(70_000, 1, Some(Format::Png)),
    )
    .unwrap();
    assert_eq!(probe(&wide).unwrap().width, 70_000);
}
