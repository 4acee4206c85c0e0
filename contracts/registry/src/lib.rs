//! # attrib-registry
//!
//! The registry plane of Attrib (SPEC §3): what exists, who contributed it, and on what
//! terms it may be used. Bytes stay off-chain; the registry keeps hashes, roots, URIs,
//! counts, license terms and grants.
//!
//! - **Schemas**: URI + sha256 of a schema document (a fee may apply).
//! - **Datasets**: a maintainer, a schema, license terms, a verification tier
//!   (`strict`: a curator committee decides; `optimistic`: accepted after an unchallenged
//!   window), a weight rule, canary commitments. A listing bond is held until the first
//!   version is sealed.
//! - **Tranches**: a contributor's content root (unique across the registry), record
//!   count, size and URI, with a listing bond returned on acceptance and forfeited to
//!   the reward pool on rejection. A root registered before is refused at once: the
//!   transaction succeeds, no tranche is created, the dedup counter grows and the bond
//!   is forfeited. Query `content_root` first to avoid that. Registration is commit,
//!   then reveal ([`attrib_std::content`]): `commit_tranche` pays the bond for a hash
//!   naming the contributor, dataset, root and a salt; `register_tranche` reveals them
//!   in a later block within a day, so a root copied from the mempool cannot be taken.
//!   Unrevealed commitments (16 per sender) are withdrawn with their bond.
//! - **Record counts**: the content root is the root of a merkle-sum record tree, so it
//!   commits to the count; `prove_record_count` (anyone) rejects a pending tranche
//!   whose count it disproves (half its bond to the prover) or revokes an accepted one.
//! - **Review**: only the configured curator-staking contract may open reviews
//!   (`begin_review`) and record outcomes (`record_review_outcome`), through the
//!   [`attrib_std::review_target`] interface; strict tranches are sent to it with
//!   `open_review` ([`attrib_std::review_service`]) the moment they are registered.
//! - **Versions**: sealed by the maintainer from accepted tranches, in order; immutable;
//!   root over tranche roots ([`attrib_std::merkle`]); contributor weights stored for
//!   the reward distributor.
//! - **Licenses**: `buy_license` pays exactly one of the listed prices to the reward
//!   pool, earmarked for the licensed version, and records (or extends) the grant. The
//!   receipt oracle reads license checks (`has_valid_license`), datasets (terms,
//!   canaries) and sealed versions through [`attrib_std::license_registry`].
//! - **Rewards**: every fee and forfeited bond is paid to the reward distributor with
//!   its reason ([`attrib_std::rewards::pay_msg`]); a revocation is reported to it with
//!   the versions the tranche was sealed into; it reads versions, tranche positions and
//!   quality counters through [`attrib_std::reward_source`].
//! - **Governance**: two-step admin, pause (blocks all non-admin executes), cw2 +
//!   `migrate` (no downgrades).

pub mod admin;
pub mod checks;
pub mod contract;
pub mod datasets;
pub mod error;
pub mod ibc;
pub mod licenses;
pub mod msg;
pub mod queries;
pub mod rewards;
pub mod state;
pub mod tranches;
pub mod versions;

#[cfg(test)]
mod entry_tests;

pub use crate::contract::RegistryContract;
pub use crate::error::ContractError;
