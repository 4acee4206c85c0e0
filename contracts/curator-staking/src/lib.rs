//! # attrib-curator-staking
//!
//! Where curators put stake behind their judgement (SPEC §4).
//!
//! - **Stake**: the protocol cw20 token (via `receive`) or a native denom — fixed at
//!   instantiation. Roles: curator (drawn onto committees) or metering operator (bonded
//!   to be slashable). `unstake` starts unbonding; unbonding stake stays slashable until
//!   `claim_unbonded` releases it.
//! - **Committees**: drawn with probability proportional to bonded stake, each curator's
//!   weight capped at `max_weight_bps` of the candidates' total (small curators keep
//!   being drawn). A review opens `Drawing`: curators `commit_entropy` and later
//!   `reveal_entropy` into an append-only log, and `draw_committee` (anyone) seeds the
//!   draw with the first `draw_reveals` salts committed before the request's block and
//!   revealed after it, by non-parties ([`attrib_std::curation::committee_seed`]) — so
//!   neither the submitter nor whoever sends the draw knows or picks the committee.
//!   After `draw_timeout_secs` without them the admin draws from block data and the
//!   curators who withheld a commitment that counted are slashed lightly. Redraws,
//!   disputes and omission claims take the same path. The draw is fixed at its request:
//!   candidates and weights are the curators' bonded stake before the request's block
//!   (kept with its history, `stake_history`), judged with the params of the request
//!   (`DrawRequest::terms`), so once the salts are out and the seed is known, no stake
//!   moved nor param updated can steer it. Each member's weight and ticket are stored,
//!   so anyone can recompute why they were drawn.
//! - **Reviews**: commit (`vote_commitment`) then reveal, with deadlines; quorum of
//!   revealed weight; stake-weighted majority (ties keep the status quo); members who do
//!   not reveal are slashed lightly; the majority earns a point for the epoch. No quorum:
//!   a fresh committee, up to `max_rounds`, then the admin decides.
//! - **Challenges**: a bond against a pending optimistic tranche (→ review) or an accepted
//!   tranche inside the dispute window (→ a larger committee without the original
//!   acceptors; the admin is the last appeal). Upheld: the tranche is rejected or revoked,
//!   the acceptors are slashed, the challenger gets the bond back plus the challenger
//!   share; dismissed: the bond goes to the curators who were right.
//! - **Slashing service** for authorized contracts; slashed value goes to the challenger
//!   share and the reward pool.
//! - **Totals** account for every unit of the stake asset: received = bonded + unbonding
//!   + challenge bonds + payouts owed + paid out + sent to the pool.

pub mod admin;
pub mod contract;
pub mod disputes;
pub mod entropy;
pub mod error;
pub mod msg;
pub mod queries;
pub mod review;
pub mod slashing;
pub mod staking;
pub mod state;

#[cfg(test)]
mod entry_tests;

pub use crate::contract::CuratorStakingContract;
pub use crate::error::ContractError;
