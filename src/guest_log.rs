//! The CLI's tracing subscriber: guests' log lines (events with target `guest`, from the
//! `log` bridge) always go to stderr as `guest[LEVEL] module.export: message`; the
//! runtime's own spans and events (`load`, `call`, bridge refusals) are added in the usual
//! `tracing-subscriber` format when `RUST_LOG` asks for them (e.g. `RUST_LOG=debug`).

use std::fmt::{self, Write as _};

use tracing::field::{Field, Visit};
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::{Context, SubscriberExt as _};
use tracing_subscriber::util::SubscriberInitExt as _;
use tracing_subscriber::{EnvFilter, Layer, filter};

/// A layer that writes `guest[LEVEL] module.export: message` lines to stderr.
#[derive(Debug)]
pub struct GuestLog;

/// Installs the subscriber for the whole process (once; later calls do nothing).
pub fn install() {
    let guest = GuestLog.with_filter(filter::filter_fn(|metadata| metadata.target() == "guest"));
    // RUST_LOG adds the runtime's own diagnostics; guest lines are printed by `GuestLog`
    // already, so the fmt layer leaves them out.
    let runtime = std::env::var_os("RUST_LOG").map(|_| {
        tracing_subscriber::fmt::layer()
            .with_writer(std::io::stderr)
            // A closing `load` or `call` span carries its outcome, fuel and peak memory.
            .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
            .with_filter(EnvFilter::from_default_env())
            .with_filter(filter::filter_fn(|metadata| metadata.target() != "guest"))
    });
    let _ = tracing_subscriber::registry()
        .with(guest)
        .with(runtime)
        .try_init();
}

impl<S: Subscriber> Layer<S> for GuestLog {
    fn on_event(&self, event: &Event<'_>, _context: Context<'_, S>) {
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
