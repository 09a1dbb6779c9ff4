//! The footprint baseline: bare wasmi 2.0 that loads, instantiates and calls one export,
//! with the same board support as the firmware image.
#![no_std]
#![no_main]

use cortex_m_rt::entry;
use cortex_m_semihosting::hprintln;

/// `(module (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1))))`
static ADD_WASM: [u8; 41] = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x07, 0x01, 0x60, 0x02, 0x7f, 0x7f, 0x01,
    0x7f, 0x03, 0x02, 0x01, 0x00, 0x07, 0x07, 0x01, 0x03, 0x61, 0x64, 0x64, 0x00, 0x00, 0x0a, 0x09,
    0x01, 0x07, 0x00, 0x20, 0x00, 0x20, 0x01, 0x6a, 0x0b,
];

#[entry]
fn main() -> ! {
    fazt_wasm_cortex_m::init_heap();
    let engine = wasmi::Engine::default();
    let module = wasmi::Module::new(&engine, &ADD_WASM[..]).expect("add.wasm compiles");
    let mut store = wasmi::Store::new(&engine, ());
    let instance = wasmi::Linker::<()>::new(&engine)
        .instantiate_and_start(&mut store, &module)
        .expect("add.wasm instantiates");
    let add = instance
        .get_typed_func::<(i32, i32), i32>(&store, "add")
        .expect("add is exported");
    let sum = add.call(&mut store, (40, 2)).expect("add runs");
    hprintln!(
        "bare wasmi: add(40, 2) = {}, heap peak {} bytes",
        sum,
        fazt_wasm_cortex_m::heap_peak()
    );
    fazt_wasm_cortex_m::exit(sum == 42)
}
