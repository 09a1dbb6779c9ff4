//! The `fazt-wasm` admin CLI.
fn main() {}
