//! Property tests: no byte sequence makes `probe` or `resize` panic.

use fazt_libimage::{Format, ResizeOptions, probe, resize};
use proptest::prelude::*;

use crate::fixture;

const SEEDS: [&[u8]; 8] = [
    fixture!("rgb.png"),
    fixture!("rgba.png"),
    fixture!("palette_trns.png"),
    fixture!("gray16.png"),
    fixture!("baseline.jpg"),
    fixture!("progressive.jpg"),
    fixture!("cmyk.jpg"),
    fixture!("orient_6.jpg"),
];

/// Small limits keep each case fast even when a mutation declares a large image.
fn small_options(width: u32, height: u32, format: Option<Format>) -> ResizeOptions {
    ResizeOptions {
        width,
        height,
        format,
        max_pixels: 1 << 16,
        ..ResizeOptions::default()
    }
}

/// 64 cases by default; raise it locally with `PROPTEST_CASES`.
fn case_count() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|cases| cases.parse().ok())
        .unwrap_or(64)
}

fn any_format() -> impl Strategy<Value = Option<Format>> {
    prop_oneof![
        Just(None),
        Just(Some(Format::Png)),
        Just(Some(Format::Jpeg))
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: case_count(), ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512), prefix in 0usize..3) {
        // Also start with each real signature so the decoders, not just the sniffer, see them.
        let mut input: Vec<u8> = match prefix {
            0 => Vec::new(),
            1 => b"\x89PNG\r\n\x1a\n".to_vec(),
            _ => vec![0xFF, 0xD8, 0xFF],
        };
        input.extend_from_slice(&bytes);
        let _ = probe(&input);
        let _ = resize(&input, &small_options(8, 8, None));
    }

    #[test]
    fn mutated_real_files_never_panic(
        seed in 0..SEEDS.len(),
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
        cut in any::<prop::sample::Index>(),
        truncate in any::<bool>(),
        width in 0u32..48,
        height in 0u32..48,
        format in any_format(),
    ) {
        let mut input = SEEDS[seed].to_vec();
        for (index, value) in edits {
            let at = index.index(input.len());
            input[at] = value;
        }
        if truncate {
            input.truncate(cut.index(input.len()));
        }
        let _ = probe(&input);
        if let Ok(output) = resize(&input, &small_options(width, height, format)) {
            // Whatever decodes must produce a valid image of the promised size.
            let info = probe(&output).unwrap();
            if width > 0 && height > 0 {
                prop_assert_eq!((info.width, info.height), (width, height));
            }
        }
    }
}
