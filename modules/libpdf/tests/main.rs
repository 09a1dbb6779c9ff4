//! Integration tests for `fazt-libpdf`: real HTML documents checked with qpdf and poppler.
//!
//! One binary (see `[[test]]` in Cargo.toml), one module per topic. The document tests need
//! `qpdf` and poppler's `pdftotext`/`pdfinfo` on `PATH` and fail, naming the packages to
//! install, when they are missing.

mod documents;
mod props;
mod support;
