//! Host-function bridges (`log`, `read_file`) and the mediated, app-scoped virtual filesystem.
#![cfg_attr(not(feature = "std"), no_std)]
#![warn(missing_docs)]

extern crate alloc;

pub mod vfs;
