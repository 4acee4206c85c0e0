//! # attrib-std
//!
//! The one place where Attrib's shared rules live. The contracts and the `attrib` CLI
//! both depend on this crate, so a rule written here cannot drift between on-chain and
//! off-chain code:
//!
//! - [`registry`]: the registry's public types (tiers, statuses, license terms, datasets,
//!   versions) that the other contracts read;
//! - [`interfaces`]: sylvia interfaces the contracts implement and call each other by
//!   (governance, review target, review service, license registry, …);
//! - [`merkle`]: the binary merkle root of a dataset version over its tranche roots;
//! - [`content`]: a tranche's record tree (its content root commits to its record
//!   count), count bounds, registration commitments and record-count proofs;
//! - [`funds`]: the exact-payment check every payable message uses;
//! - [`rewards`]: paying the reward pool, fee splits, emission caps and the reward
//!   accumulator;
//! - [`entry`]: the contracts' entry points, which read each message once, straight
//!   into sylvia's generated enums;
//! - [`events`]: event type and attribute names, read by the CLI and indexers.
//! - [`validation`]: the one input-validation error every contract wraps, and its checks
//!   (the bounds check of every admin-set parameter among them);
//! - [`timelock`]: announce, apply after a delay, cancel — for changes of who may slash
//!   and where money goes;
//! - [`pagination`]: the start-after/limit rule of every list query;
//! - [`ibc`]: ICS-20 packets, local `ibc/…` denoms, the ibc-hooks derived sender, the
//!   memos of incoming payments and outgoing claims.

pub mod content;
pub mod curation;
pub mod entry;
pub mod events;
pub mod funds;
pub mod governance;
pub mod ibc;
pub mod interfaces;
pub mod merkle;
pub mod migration;
pub mod pagination;
pub mod receipts;
pub mod registry;
pub mod rewards;
pub mod timelock;
pub mod validation;

pub use interfaces::{
    license_registry, points_source, review_service, review_target, reward_pool, reward_source,
    slashing_service, wiring,
};
