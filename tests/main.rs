//! The one integration-test binary: one module per topic (one link step on two cores).

mod support;

mod cache;
mod calls;
mod deadline;
mod determinism;
mod fuel;
mod golden;
mod guests;
mod hostfns;
mod hostile;
mod memory;
mod metrics;
mod props;
mod regressions;
