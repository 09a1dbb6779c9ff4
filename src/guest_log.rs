//! Prints the log lines of guests (tracing events with target `guest`, from the `log`
//! bridge) on stderr, so `test` and `serve` show what a guest said.

use std::fmt::{self, Write as _};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

/// A subscriber that writes `guest[LEVEL] module.export: message` lines to stderr and
/// ignores every other event and span.
#[derive(Debug)]
pub struct GuestLog;

/// Installs [`GuestLog`] for the whole process (once; later calls do nothing).
pub fn install() {
    let _ = tracing::subscriber::set_global_default(GuestLog);
}

impl Subscriber for GuestLog {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        metadata.is_event() && metadata.target() == "guest"
    }

    fn new_span(&self, _span: &Attributes<'_>) -> Id {
        // No span is ever enabled, so this id is never used.
        Id::from_u64(1)
    }

    fn record(&self, _span: &Id, _values: &Record<'_>) {}

    fn record_follows_from(&self, _span: &Id, _follows: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let mut line = GuestLine::default();
        event.record(&mut line);
        eprintln!(
            "guest[{}] {}.{}: {}",
            event.metadata().level(),
            line.module,
            line.export,
            line.message
        );
    }

    fn enter(&self, _span: &Id) {}

    fn exit(&self, _span: &Id) {}
}

#[derive(Default)]
struct GuestLine {
    module: String,
    export: String,
    message: String,
}

impl Visit for GuestLine {
    fn record_str(&mut self, field: &Field, value: &str) {
        match field.name() {
            "module" => self.module = String::from(value),
            "export" => self.export = String::from(value),
            _ => {}
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.message, "{value:?}");
        }
    }
}
