//! The physical limit of the resize workload (issue 9): libimage's resize of the 1920x1080
//! bench photo to 800x450, compiled natively and called directly. `scripts/perf-report.sh`
//! compares it with the same code running as a guest (`benches/benches/compute.rs`).
//!
//! `cargo bench --manifest-path modules/Cargo.toml -p fazt-libimage --bench native`

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use fazt_libimage::{ResizeOptions, resize};

static PHOTO: &[u8] = include_bytes!("../../../benches/data/photo-1920x1080.png");

fn native(c: &mut Criterion) {
    let options = ResizeOptions::new(800, 450);
    let output = resize(PHOTO, &options).expect("the photo resizes");
    assert_eq!(
        &output[12..24],
        b"IHDR\0\0\x03\x20\0\0\x01\xc2",
        "an 800x450 PNG"
    );
    let mut group = c.benchmark_group("resize");
    group.sample_size(10);
    group.bench_function("native", |b| {
        b.iter(|| resize(black_box(PHOTO), &options).expect("the photo resizes"))
    });
    group.finish();
}

criterion_group!(benches, native);
criterion_main!(benches);
