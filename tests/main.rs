//! The one integration-test binary: one module per topic (one link step on two cores).

mod support;

mod cache;
mod calls;
mod deadline;
mod fuel;
mod guests;
mod hostfns;
mod memory;
mod metrics;
mod props;
