//! Arbitrary app ids and paths to `DirVfs` over a temporary tree with symlinks leading out:
//! nothing outside the root is ever returned.
#![no_main]

use std::sync::OnceLock;

use fazt_wasm_testkit::{VfsCase, VfsFixture};

static FIXTURE: OnceLock<VfsFixture> = OnceLock::new();

libfuzzer_sys::fuzz_target!(|case: VfsCase| {
    let fixture = FIXTURE.get_or_init(|| VfsFixture::new().expect("the fixture tree"));
    if let Err(violation) = fazt_wasm_testkit::check_vfs(fixture, &case) {
        panic!("{violation}");
    }
});
