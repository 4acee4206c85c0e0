//! attrib-auditor: the independent auditor of SPEC §11, run by anyone (a dataset's
//! maintainer, a buyer, a watchdog). It holds copies of receipts an operator signed
//! (forwarded by users, or bought by probing the model itself), follows the receipt
//! oracle's batches, fetches their published leaves from the operator's data URI, and
//! files the fraud proof or inclusion request they call for inside the dispute window.
//!
//! - [`checker`]: what a batch, its leaves and the held receipts prove (pure);
//! - [`store`]: receipts, progress, verdicts and filings in SQLite;
//! - [`follower`]: the loop that follows the chain and drives the rest;
//! - [`filer`]: sends the actions, once each;
//! - [`inspect`]: one batch checked now (`attrib-auditor check`), timed;
//! - [`api`], [`metrics`] and [`report`]: what it shows; [`probe`]: buying usage to hold
//!   receipts of its own; [`config`]: settings.

pub mod api;
pub mod checker;
pub mod config;
pub mod filer;
#[doc(hidden)]
pub mod fixtures;
pub mod follower;
pub mod inspect;
pub mod metrics;
pub mod probe;
pub mod report;
pub mod store;
pub mod verify;

#[cfg(test)]
mod testing;
