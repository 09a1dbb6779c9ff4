//! How deep a guest's shadow stack goes: fills the stack region of a fresh libimage instance
//! with a pattern, runs one service call, and reports the lowest address written. Rust guests
//! put a stack of fixed size below their data (`modules/build.sh` links 64 KiB), so this is
//! the margin left, and what a smaller stack (fewer pages to zero per call) would risk.
//!
//! `cargo run --release -p fazt-wasm-benches --example stack_depth -- [IMAGE] [WIDTH] [HEIGHT]`

use fazt_wasm_abi::args::Value;
use fazt_wasm_benches::{LIBIMAGE, PHOTO_1920X1080_PNG, RawWasmi};

const PATTERN: u8 = 0xA5;

fn main() {
    let mut argv = std::env::args().skip(1);
    let input = argv
        .next()
        .map(|path| std::fs::read(&path).unwrap_or_else(|error| panic!("{path}: {error}")))
        .unwrap_or_else(|| PHOTO_1920X1080_PNG.to_vec());
    let width: i64 = argv.next().map_or(800, |w| w.parse().expect("WIDTH"));
    let height: i64 = argv.next().map_or(0, |h| h.parse().expect("HEIGHT"));
    let raw = RawWasmi::new(LIBIMAGE, false);
    let mut store = raw.store();
    let instance = raw
        .linker
        .instantiate_and_start(&mut store, &raw.module)
        .expect("instantiates");
    let stack_top = match instance
        .get_global(&store, "__stack_pointer")
        .map(|global| global.get(&store))
    {
        Some(value) => value.i32().expect("i32 stack pointer") as usize,
        // Not exported: Rust's wasm32 layout puts the stack first, below the data.
        None => 64 * 1024,
    };
    let memory = instance.get_memory(&store, "memory").expect("memory");
    memory.data_mut(&mut store)[..stack_top].fill(PATTERN);
    let args = [
        ("input", Value::Bytes(&input)),
        ("width", Value::Int(width)),
        ("height", Value::Int(height)),
    ];
    let alloc = instance
        .get_typed_func::<i32, i32>(&store, fazt_wasm_abi::ALLOC)
        .expect("fazt_alloc");
    let len = fazt_wasm_abi::args::encoded_len(&args);
    let ptr = alloc.call(&mut store, len as i32).expect("alloc") as usize;
    fazt_wasm_abi::args::encode_to_slice(&args, &mut memory.data_mut(&mut store)[ptr..][..len])
        .expect("encode");
    let resize = instance
        .get_typed_func::<(i32, i32), i64>(&store, "resize")
        .expect("resize");
    let packed = resize
        .call(&mut store, (ptr as i32, len as i32))
        .expect("resize runs");
    let (out, out_len) = fazt_wasm_abi::unpack_ptr_len(packed);
    let data = memory.data(&store);
    let lowest = data[..stack_top]
        .iter()
        .position(|byte| *byte != PATTERN)
        .unwrap_or(stack_top);
    println!(
        "stack: {} of {} bytes used ({:.0}%), output {} bytes (tag {})",
        stack_top - lowest,
        stack_top,
        (stack_top - lowest) as f64 * 100.0 / stack_top as f64,
        out_len,
        data[out as usize]
    );
}
