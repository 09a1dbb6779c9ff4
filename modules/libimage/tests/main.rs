//! Integration tests of `fazt_libimage` on the fixtures in `tests/data/libimage/`, one binary
//! with one module per topic (one link step).

mod common;
mod errors;
mod formats;
mod meter;
mod orientation;
mod pillow;
mod props;
