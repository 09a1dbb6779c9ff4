//! What a module declares (exports, imports, memories, tables), read from its bytes so that
//! even a module the runtime refuses can be described.

use serde::{Deserialize, Serialize};
use sha2::Digest as _;

use crate::exit::Failure;
use crate::units;

/// A module as `list` and `stats` show it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ModuleInfo {
    /// The name it is loaded under.
    pub name: String,
    /// `embedded`, `file` or `cached` (in a server's cache).
    pub source: String,
    /// The file it was read from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// What it does (embedded modules).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Size of the wasm bytes.
    pub size_bytes: u64,
    /// SHA-256 of the wasm bytes, hex.
    pub sha256: String,
    /// Why the runtime refuses it, when it does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<Failure>,
    /// Its exports.
    pub exports: Vec<ExportInfo>,
    /// Its imports.
    pub imports: Vec<ImportInfo>,
    /// Its memories, imported ones first.
    pub memories: Vec<MemoryInfo>,
    /// Its tables, imported ones first.
    pub tables: Vec<TableInfo>,
}

/// One export.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ExportInfo {
    /// The export name.
    pub name: String,
    /// `service` (`(i32, i32) -> i64`, named arguments), `abi` (the allocator exports),
    /// `raw` (numeric parameters and results), `function` (other function types),
    /// `memory`, `table`, `global` or `tag`.
    pub kind: String,
    /// The function type, for functions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
    /// What it does (embedded modules).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// One import.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ImportInfo {
    /// `module.field`.
    pub name: String,
    /// `function`, `memory`, `table`, `global` or `tag`.
    pub kind: String,
    /// The function type, for functions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
}

/// One memory declaration.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MemoryInfo {
    /// Initial size in 64 KiB pages.
    pub initial_pages: u64,
    /// Maximum size in pages, if declared.
    pub maximum_pages: Option<u64>,
    /// A 64-bit memory.
    pub memory64: bool,
    /// A shared memory.
    pub shared: bool,
    /// The export name, if exported.
    pub exported_as: Option<String>,
    /// Imported rather than defined.
    pub imported: bool,
}

/// One table declaration.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TableInfo {
    /// The element type (`funcref`, `externref`).
    pub element: String,
    /// Initial number of elements.
    pub initial: u64,
    /// Maximum number of elements, if declared.
    pub maximum: Option<u64>,
    /// The export name, if exported.
    pub exported_as: Option<String>,
    /// Imported rather than defined.
    pub imported: bool,
}

/// SHA-256 of `bytes` as lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    crate::call::hex(&sha2::Sha256::digest(bytes))
}

/// Describes `wasm`. `error` is the runtime's verdict on it (from loading it), and
/// `source` says where it came from.
pub fn describe(name: &str, source: &str, wasm: &[u8], error: Option<Failure>) -> ModuleInfo {
    let mut info = ModuleInfo {
        name: String::from(name),
        source: String::from(source),
        path: None,
        description: None,
        size_bytes: wasm.len() as u64,
        sha256: sha256_hex(wasm),
        error,
        exports: Vec::new(),
        imports: Vec::new(),
        memories: Vec::new(),
        tables: Vec::new(),
    };
    // A module that does not parse has no declarations to show; the runtime's error says why.
    let _ = read_declarations(wasm, &mut info);
    info
}

fn read_declarations(wasm: &[u8], info: &mut ModuleInfo) -> wasmparser::Result<()> {
    use wasmparser::{ExternalKind, Payload, TypeRef};

    let mut types: Vec<Option<wasmparser::FuncType>> = Vec::new();
    let mut func_types: Vec<u32> = Vec::new();
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        match payload? {
            Payload::TypeSection(reader) => {
                for rec_group in reader {
                    for sub_type in rec_group?.into_types() {
                        types.push(match sub_type.composite_type.inner {
                            wasmparser::CompositeInnerType::Func(func_type) => Some(func_type),
                            _ => None,
                        });
                    }
                }
            }
            Payload::ImportSection(reader) => {
                for import in reader {
                    let import = import?;
                    let (kind, signature) = match import.ty {
                        TypeRef::Func(index) => {
                            func_types.push(index);
                            ("function", Some(signature_of(&types, index)))
                        }
                        TypeRef::Memory(memory) => {
                            info.memories.push(memory_info(memory, true));
                            ("memory", None)
                        }
                        TypeRef::Table(table) => {
                            info.tables.push(table_info(table, true));
                            ("table", None)
                        }
                        TypeRef::Global(_) => ("global", None),
                        TypeRef::Tag(_) => ("tag", None),
                    };
                    info.imports.push(ImportInfo {
                        name: format!("{}.{}", import.module, import.name),
                        kind: String::from(kind),
                        signature,
                    });
                }
            }
            Payload::FunctionSection(reader) => {
                for index in reader {
                    func_types.push(index?);
                }
            }
            Payload::MemorySection(reader) => {
                for memory in reader {
                    info.memories.push(memory_info(memory?, false));
                }
            }
            Payload::TableSection(reader) => {
                for table in reader {
                    info.tables.push(table_info(table?.ty, false));
                }
            }
            Payload::ExportSection(reader) => {
                for export in reader {
                    let export = export?;
                    let index = export.index as usize;
                    let name = String::from(export.name);
                    let (kind, signature) = match export.kind {
                        ExternalKind::Func => {
                            let func_type = func_types
                                .get(index)
                                .and_then(|&type_index| types.get(type_index as usize))
                                .and_then(Option::as_ref);
                            let kind = func_type.map_or("function", |ty| function_kind(&name, ty));
                            (kind, func_type.map(format_func_type))
                        }
                        ExternalKind::Memory => {
                            if let Some(memory) = info.memories.get_mut(index) {
                                memory.exported_as.get_or_insert_with(|| name.clone());
                            }
                            ("memory", None)
                        }
                        ExternalKind::Table => {
                            if let Some(table) = info.tables.get_mut(index) {
                                table.exported_as.get_or_insert_with(|| name.clone());
                            }
                            ("table", None)
                        }
                        ExternalKind::Global => ("global", None),
                        ExternalKind::Tag => ("tag", None),
                    };
                    info.exports.push(ExportInfo {
                        name,
                        kind: String::from(kind),
                        signature,
                        description: None,
                    });
                }
            }
            _ => {}
        }
    }
    Ok(())
}

fn function_kind(name: &str, ty: &wasmparser::FuncType) -> &'static str {
    use wasmparser::ValType;

    if name == fazt_wasm_abi::ALLOC || name == fazt_wasm_abi::DEALLOC {
        "abi"
    } else if ty.params() == [ValType::I32, ValType::I32] && ty.results() == [ValType::I64] {
        "service"
    } else if ty
        .params()
        .iter()
        .chain(ty.results())
        .all(|t| matches!(t, ValType::I32 | ValType::I64 | ValType::F32 | ValType::F64))
    {
        "raw"
    } else {
        "function"
    }
}

fn signature_of(types: &[Option<wasmparser::FuncType>], index: u32) -> String {
    match types.get(index as usize) {
        Some(Some(ty)) => format_func_type(ty),
        _ => String::from("(unknown type)"),
    }
}

fn format_func_type(ty: &wasmparser::FuncType) -> String {
    let list = |types: &[wasmparser::ValType]| {
        types
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    match ty.results() {
        [] => format!("({})", list(ty.params())),
        [one] => format!("({}) -> {one}", list(ty.params())),
        many => format!("({}) -> ({})", list(ty.params()), list(many)),
    }
}

fn memory_info(memory: wasmparser::MemoryType, imported: bool) -> MemoryInfo {
    MemoryInfo {
        initial_pages: memory.initial,
        maximum_pages: memory.maximum,
        memory64: memory.memory64,
        shared: memory.shared,
        exported_as: None,
        imported,
    }
}

fn table_info(table: wasmparser::TableType, imported: bool) -> TableInfo {
    TableInfo {
        element: table.element_type.to_string(),
        initial: table.initial,
        maximum: table.maximum,
        exported_as: None,
        imported,
    }
}

impl MemoryInfo {
    /// `17 pages (1.1 MiB), max 256 pages (16 MiB), exported as "memory"`.
    pub fn summary(&self) -> String {
        let pages = |n: u64| {
            let unit = if n == 1 { "page" } else { "pages" };
            format!(
                "{n} {unit} ({})",
                units::format_size(n.saturating_mul(65536))
            )
        };
        let mut text = pages(self.initial_pages);
        match self.maximum_pages {
            Some(maximum) => text.push_str(&format!(", max {}", pages(maximum))),
            None => text.push_str(", no max"),
        }
        if self.memory64 {
            text.push_str(", 64-bit");
        }
        if self.shared {
            text.push_str(", shared");
        }
        if self.imported {
            text.push_str(", imported");
        }
        if let Some(name) = &self.exported_as {
            text.push_str(&format!(", exported as {name:?}"));
        }
        text
    }
}

impl TableInfo {
    /// `funcref, 3 elements, max 3`.
    pub fn summary(&self) -> String {
        let mut text = format!("{}, {} elements", self.element, self.initial);
        match self.maximum {
            Some(maximum) => text.push_str(&format!(", max {maximum}")),
            None => text.push_str(", no max"),
        }
        if self.imported {
            text.push_str(", imported");
        }
        if let Some(name) = &self.exported_as {
            text.push_str(&format!(", exported as {name:?}"));
        }
        text
    }
}

/// Prints `info` as an indented block (the text form of `list` and `stats`).
pub fn print_block(info: &ModuleInfo) {
    let mut title = format!(
        "{} ({}, {}",
        info.name,
        info.source,
        units::format_size(info.size_bytes)
    );
    if let Some(path) = &info.path {
        title.push_str(&format!(", {path}"));
    }
    title.push(')');
    if let Some(description) = &info.description {
        title.push_str(&format!(": {description}"));
    }
    println!("{title}");
    match &info.error {
        Some(error) => println!("  valid:    no: {error}"),
        None => println!("  valid:    yes"),
    }
    println!("  sha256:   {}", info.sha256);
    if info.exports.is_empty() {
        println!("  exports:  none");
    }
    for (i, export) in info.exports.iter().enumerate() {
        let heading = if i == 0 { "exports:" } else { "" };
        let mut line = format!("  {heading:<9} {} [{}]", export.name, export.kind);
        if let Some(signature) = &export.signature {
            line.push_str(&format!(" {signature}"));
        }
        if let Some(description) = &export.description {
            line.push_str(&format!(": {description}"));
        }
        println!("{line}");
    }
    if info.imports.is_empty() {
        println!("  imports:  none");
    }
    for (i, import) in info.imports.iter().enumerate() {
        let heading = if i == 0 { "imports:" } else { "" };
        let detail = import.signature.as_deref().unwrap_or(&import.kind);
        println!("  {heading:<9} {} {detail}", import.name);
    }
    if info.memories.is_empty() {
        println!("  memory:   none");
    }
    for memory in &info.memories {
        println!("  memory:   {}", memory.summary());
    }
    for table in &info.tables {
        println!("  table:    {}", table.summary());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declarations_are_read_without_the_runtime() {
        let wasm = wat::parse_str(
            r#"(module
                (import "env" "clock" (func (param i32) (result i64)))
                (memory (export "memory") 2 16)
                (table 3 funcref)
                (func (export "fazt_alloc") (param i32) (result i32) i32.const 0)
                (func (export "run") (param i32 i32) (result i64) i64.const 0)
                (func (export "add") (param f64 f64) (result f64) f64.const 0)
                (func (export "ref") (param externref)))"#,
        )
        .unwrap();
        let info = describe("m", "file", &wasm, None);
        let kinds: Vec<(&str, &str)> = info
            .exports
            .iter()
            .map(|e| (e.name.as_str(), e.kind.as_str()))
            .collect();
        assert_eq!(
            kinds,
            [
                ("memory", "memory"),
                ("fazt_alloc", "abi"),
                ("run", "service"),
                ("add", "raw"),
                ("ref", "function"),
            ]
        );
        assert_eq!(
            info.exports[2].signature.as_deref(),
            Some("(i32, i32) -> i64")
        );
        assert_eq!(info.imports[0].name, "env.clock");
        assert_eq!(info.imports[0].signature.as_deref(), Some("(i32) -> i64"));
        assert_eq!(info.memories[0].initial_pages, 2);
        assert_eq!(info.memories[0].maximum_pages, Some(16));
        assert_eq!(info.memories[0].exported_as.as_deref(), Some("memory"));
        assert_eq!(info.tables[0].initial, 3);
        assert_eq!(info.size_bytes, wasm.len() as u64);
    }

    #[test]
    fn garbage_is_described_without_panicking() {
        let info = describe("junk", "file", b"\0asm\x01\0\0\0\x05junk", None);
        assert!(info.exports.is_empty());
    }
}
