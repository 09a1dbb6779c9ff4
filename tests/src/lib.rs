//! Placeholder library target so the package has a lib; the tests live in `main.rs`.
