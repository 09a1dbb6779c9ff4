//! EXIF orientation: applied before sizing, and never written to the output.

use fazt_libimage::{Format, ResizeOptions, probe, resize};

use crate::common::{Decoded, decode, options};
use crate::fixture;

const ORIENTED: [&[u8]; 8] = [
    fixture!("orient_1.jpg"),
    fixture!("orient_2.jpg"),
    fixture!("orient_3.jpg"),
    fixture!("orient_4.jpg"),
    fixture!("orient_5.jpg"),
    fixture!("orient_6.jpg"),
    fixture!("orient_7.jpg"),
    fixture!("orient_8.jpg"),
];

#[derive(Debug, PartialEq, Eq, Clone, Copy)]
enum Corner {
    TopLeft,
    TopRight,
    BottomLeft,
    BottomRight,
}

/// Which corner of `image` holds a block whose dominant channel is `channel`.
fn corner_of(image: &Decoded, channel: usize) -> Corner {
    let (right, bottom) = (image.width - 3, image.height - 3);
    let corners = [
        (Corner::TopLeft, image.pixel(2, 2)),
        (Corner::TopRight, image.pixel(right, 2)),
        (Corner::BottomLeft, image.pixel(2, bottom)),
        (Corner::BottomRight, image.pixel(right, bottom)),
    ];
    let matching: Vec<Corner> = corners
        .iter()
        .filter(|(_, pixel)| {
            pixel[channel] > 200
                && pixel
                    .iter()
                    .enumerate()
                    .all(|(c, &v)| c == channel || v < 60)
        })
        .map(|(corner, _)| *corner)
        .collect();
    assert_eq!(matching.len(), 1, "channel {channel}: {corners:?}");
    matching[0]
}

#[test]
fn orientation_tag_is_reported_by_probe() {
    for (index, input) in ORIENTED.iter().enumerate() {
        let info = probe(input).unwrap();
        assert_eq!(info.orientation as usize, index + 1);
        assert_eq!((info.width, info.height), (48, 32));
        let upright = if index >= 4 { (32, 48) } else { (48, 32) };
        assert_eq!(info.display_size(), upright);
    }
}

#[test]
fn marked_corners_move_where_exif_says() {
    use Corner::*;
    // The stored image has red top-left and green top-right. Where they are once upright:
    let expected = [
        (TopLeft, TopRight),
        (TopRight, TopLeft),
        (BottomRight, BottomLeft),
        (BottomLeft, BottomRight),
        (TopLeft, BottomLeft),
        (TopRight, BottomRight),
        (BottomRight, TopRight),
        (BottomLeft, TopLeft),
    ];
    for (index, input) in ORIENTED.iter().enumerate() {
        // Width only: the height is derived from the upright aspect ratio.
        let output = decode(&resize(input, &options(24, 0, Some(Format::Png))).unwrap());
        let upright = if index >= 4 { (24, 36) } else { (24, 16) };
        assert_eq!(
            (output.width, output.height),
            upright,
            "orientation {}",
            index + 1
        );
        let found = (corner_of(&output, 0), corner_of(&output, 1));
        assert_eq!(found, expected[index], "orientation {}", index + 1);
    }
}

#[test]
fn output_carries_no_orientation_tag() {
    for format in [Format::Jpeg, Format::Png] {
        let output = resize(fixture!("orient_6.jpg"), &options(0, 0, Some(format))).unwrap();
        let info = probe(&output).unwrap();
        assert_eq!(info.orientation, 1);
        assert_eq!((info.width, info.height), (32, 48));
    }
}

#[test]
fn png_exif_orientation_is_applied_too() {
    let info = probe(fixture!("orient_6.png")).unwrap();
    assert_eq!(info.orientation, 6);
    let output = decode(&resize(fixture!("orient_6.png"), &ResizeOptions::new(16, 0)).unwrap());
    assert_eq!((output.width, output.height), (16, 24));
    assert_eq!(corner_of(&output, 0), Corner::TopRight);
}
