//! # attrib-receipt-oracle
//!
//! Usage settles in batches whose on-chain cost does not grow with the number of
//! inferences (SPEC §5).
//!
//! - **Models** declare their lineage — (dataset, version, weight bps) summing to 10 000 —
//!   optionally a parent whose lineage takes a share of the royalties (depth-capped), and
//!   a royalty per usage unit at least what the lineage's terms demand. The owner must
//!   hold a valid license for every entry (checked against the registry).
//! - **Escrow** in the royalty denom, funded by anyone; unused escrow is withdrawn by the
//!   owner after a notice, never the part reserved for posted batches. Finalized usage
//!   escrow cannot cover becomes debt and suspends the model until repaid.
//! - **Operators** are bonded in curator staking (role operator), register a secp256k1
//!   key, and are allowed per model by its owner.
//! - **Batches** carry the root of a merkle-sum tree over the receipts sorted by id, the
//!   total units, the leaf count and the first and last id, signed by the operator over
//!   `attrib_std::receipts::BatchHeader` (chain id, contract, model, epoch, sequence…).
//!   Each operator's batches for a model are contiguous in ids; each epoch has a posting
//!   deadline. After the dispute window, `finalize_batch` moves `units × royalty` from
//!   escrow to the reward pool, earmarked per dataset version by lineage weight.
//! - **Fraud proofs** (omitted receipt, altered receipt, bad sum, duplicate id, late
//!   omission) are decided on chain; upheld, the batch is voided, the operator slashed
//!   and the challenger paid through curator staking; a replacement batch can re-post the
//!   honest totals of the voided range.
//! - **Inclusion requests** (SPEC §5.6): a holder of a signed receipt asks, for a fee, for
//!   its leaf in a pending batch; the batch waits for the answer, and an unanswered or
//!   altered one voids it like a fraud proof (`inclusion.rs`).

pub mod admin;
pub mod batches;
pub mod contract;
pub mod error;
pub mod fraud;
pub mod ibc;
pub mod inclusion;
pub mod models;
pub mod msg;
pub mod obligations;
pub mod omission;
pub mod queries;
pub mod state;

#[cfg(test)]
mod entry_tests;

pub use crate::contract::ReceiptOracleContract;
pub use crate::error::ContractError;
