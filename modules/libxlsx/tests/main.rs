//! Integration tests of fazt-libxlsx, one binary (one link step) with a module per topic.

mod compat;
mod golden;
mod limits;
mod props;
mod selection;
mod support;
