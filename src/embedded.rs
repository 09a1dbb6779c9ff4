//! The service modules built into the binary, with the limits each runs under by default.

use fazt_wasm_runtime::ModuleConfig;

/// A guest module compiled into the `fazt-wasm` binary.
#[derive(Debug)]
pub struct EmbeddedModule {
    /// The name `test`, `stats` and `serve` requests use (`libimage`).
    pub name: &'static str,
    /// One line on what it does.
    pub description: &'static str,
    /// The module's bytes (`modules/dist/<name>.wasm`).
    pub wasm: &'static [u8],
    /// Its service exports, each with one line on what it does.
    pub exports: &'static [(&'static str, &'static str)],
    /// The limits and grants its calls start from; `--fuel`, `--memory` and `--timeout`
    /// override them.
    pub config: fn() -> ModuleConfig,
}

/// Every embedded module, by name.
///
/// Each entry includes its guest from `modules/dist/` (built by `modules/build.sh`); a
/// guest joins the table when its `.wasm` lands there.
pub static EMBEDDED: &[EmbeddedModule] = &[
    EmbeddedModule {
        name: "libimage",
        description: "resize PNG and JPEG images",
        wasm: include_bytes!("../modules/dist/libimage.wasm"),
        exports: &[
            (
                "resize",
                "`input` PNG/JPEG bytes; `width`, `height` (one may be 0 to keep the aspect), `quality` 1-100, `format` png|jpeg (default: --output's extension, else the input's format)",
            ),
            (
                "info",
                "`input` image to JSON: format, size, color type, orientation",
            ),
        ],
        config: libimage_config,
    },
    EmbeddedModule {
        name: "libpdf",
        description: "render HTML to PDF",
        wasm: include_bytes!("../modules/dist/libpdf.wasm"),
        exports: &[(
            "render",
            "`html` (string or bytes) to PDF; `page_size` A4 or Letter, `margin` in mm",
        )],
        config: libpdf_config,
    },
    EmbeddedModule {
        name: "libxlsx",
        description: "read .xlsx worksheets as JSON rows of cell text",
        wasm: include_bytes!("../modules/dist/libxlsx.wasm"),
        exports: &[
            (
                "parse",
                "`input` (.xlsx bytes) to a JSON array of rows; `sheet` name or 0-based index",
            ),
            (
                "sheets",
                "`input` (.xlsx bytes) to a JSON array of sheet names",
            ),
        ],
        config: libxlsx_config,
    },
];

/// libimage: a 1920x1080 JPEG resize takes about 2.9e9 fuel and 11 MB (measured); a
/// 12-megapixel photo needs about 6x that in fuel and its decoded pixels (36 MB) plus the
/// output in memory, so 60e9 fuel and the 256 MiB ceiling.
fn libimage_config() -> ModuleConfig {
    ModuleConfig {
        memory_limit_bytes: fazt_wasm_runtime::MEMORY_CEILING_BYTES,
        fuel_limit: 60_000_000_000,
        timeout: Some(std::time::Duration::from_secs(120)),
        ..ModuleConfig::default()
    }
}

/// libpdf: a 1 MB HTML document takes about 1e9 fuel and 6 MB of memory (measured), so
/// 10x headroom on fuel and a 128 MiB cap.
fn libpdf_config() -> ModuleConfig {
    ModuleConfig {
        memory_limit_bytes: 128 << 20,
        fuel_limit: 10_000_000_000,
        timeout: Some(std::time::Duration::from_secs(30)),
        ..ModuleConfig::default()
    }
}

/// libxlsx: about 17k fuel per cell (measured on a 500k-cell sheet), so 60e9 fuel covers a
/// 10 MB workbook (3M+ cells) with room; memory at the 256 MiB ceiling for the cell text.
fn libxlsx_config() -> ModuleConfig {
    ModuleConfig {
        memory_limit_bytes: fazt_wasm_runtime::MEMORY_CEILING_BYTES,
        fuel_limit: 60_000_000_000,
        timeout: Some(std::time::Duration::from_secs(120)),
        ..ModuleConfig::default()
    }
}

/// The argument of `module.export` that names the output's image format, when there is
/// one: `test` fills it from `--output`'s extension (`thumb.png`) unless it is given.
pub fn output_format_arg(module: &str, export: &str) -> Option<&'static str> {
    (module == "libimage" && export == "resize").then_some("format")
}

/// The image format an output file name asks for, by extension.
pub fn format_of_output(path: &std::path::Path) -> Option<&'static str> {
    let extension = path.extension()?.to_str()?.to_ascii_lowercase();
    match extension.as_str() {
        "png" => Some("png"),
        "jpg" | "jpeg" => Some("jpeg"),
        _ => None,
    }
}

/// The embedded module called `name`.
pub fn find(name: &str) -> Option<&'static EmbeddedModule> {
    EMBEDDED.iter().find(|module| module.name == name)
}

/// The embedded names, comma-separated, for messages.
pub fn names() -> String {
    if EMBEDDED.is_empty() {
        return String::from("none are built into this binary");
    }
    let names: Vec<&str> = EMBEDDED.iter().map(|module| module.name).collect();
    names.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_modules_have_unique_names_and_valid_configs() {
        for (i, module) in EMBEDDED.iter().enumerate() {
            assert!(EMBEDDED[..i].iter().all(|other| other.name != module.name));
            assert!((module.config)().validate().is_ok(), "{}", module.name);
            assert!(module.wasm.starts_with(b"\0asm"), "{}", module.name);
        }
    }
}
