//! # attrib-reward-distributor
//!
//! Closes the loop of Attrib (SPEC §6, §8): real buyer fees reach contributors, curators
//! and the treasury, and the protocol shows how much of what it pays is fee-funded.
//!
//! - **Inflows** are recorded per epoch, denom and destination, tagged fee: license
//!   purchases (registry), usage royalties by lineage weight (receipt oracle), direct
//!   payments, forfeited bonds and slashes (unearmarked). Paid with native funds on
//!   `pay`, or a cw20 `send` whose hook carries the same body
//!   ([`attrib_std::rewards::pay_msg`]). Outsiders pay in allowlisted denoms (native,
//!   `ibc/…`, `cw20:…`) at least the denom's minimum; the protocol's own contracts are
//!   exempt, since refusing what they forward would strand funds mid-flow.
//! - **Epochs** have a fixed length on curator staking's clock. Anyone closes the oldest
//!   due epoch (`close_epoch`): per denom the protocol fee goes to the treasury, the
//!   curator pool to curators by review points, the rest to the earmarked versions in
//!   proportion to their earmarks (unearmarked fees are spread the same way). Then
//!   `settle_epoch { limit }` applies at most `limit` allocations per call.
//! - **Emissions** per epoch are `min(schedule, k × fee value, reserve)`, fee value by
//!   admin-set denom weights, allocated like the fees; `k` above the take rate is
//!   refused (a self-dealing buyer could otherwise earn more emission than its fees cost).
//! - **Claims**: a reward-per-weight accumulator per (version, denom, funding), with a
//!   vesting snapshot per epoch; a contributor's claim costs O(positions), never
//!   O(epochs). Rewards vest after the dispute window; a revoked tranche keeps what had
//!   vested and its unvested rewards are clawed back (fees to the pool, emission to the
//!   reserve). Curators claim per epoch (the last claimant takes the rounding remainder);
//!   the treasury claims its balance.
//! - **Conservation**: a ledger per denom accounts for every unit (`accounts`).
//! - **Metrics** per epoch and over a range (`metrics`): fee value vs emission, buyers
//!   and returning buyers, and snapshots of curator concentration, disputes and dataset
//!   quality taken as each epoch closes.
//! - **Governance**: two-step admin, pause (claims, cranks and outsiders' payments wait;
//!   what the protocol's contracts forward is still recorded), cw2 + `migrate`.

pub mod admin;
pub mod claims;
pub mod contract;
pub mod epochs;
pub mod error;
pub mod ibc;
pub mod inflows;
pub mod msg;
pub mod queries;
pub mod state;

#[cfg(test)]
mod entry_tests;

pub use crate::contract::RewardDistributorContract;
pub use crate::error::ContractError;
