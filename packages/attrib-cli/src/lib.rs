//! Library half of the `attrib` CLI (the binary is `main.rs`), so tests and benchmarks
//! can reuse the chain client.

pub mod bench;
pub mod chain;
pub mod context;
pub mod curation;
pub mod deploy;
pub mod deployments;
pub mod governance;
pub mod ibc;
pub mod keys;
pub mod oracle;
pub mod progress;
pub mod proofs;
pub mod receipts;
pub mod registry;
pub mod rewards;
pub mod service;
