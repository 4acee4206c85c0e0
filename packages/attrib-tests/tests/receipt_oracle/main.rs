//! Multi-test suites: registry, curator staking and the receipt oracle wired together,
//! with a real secp256k1 operator key. `suite.rs` builds them and meters usage;
//! `batches.rs` covers settlement and escrow, `fraud.rs` every fraud proof and replay,
//! `inclusion.rs` SPEC §5.6's inclusion requests, `bad_input.rs` the refusals, `rewards_story.rs` SPEC §10 through to the reward claims.

mod attacks;
mod audits;
mod bad_input;
mod batches;
mod cw20_escrow;
mod cw20_hook;
mod fraud;
mod ibc_hooks;
mod inclusion;
mod late_batches;
mod omission;
mod operator_bond;
mod pause_shield;
mod rewards_story;
mod soundness;
mod suite;
