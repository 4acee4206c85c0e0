//! Multi-test suites: the real registry and curator staking wired together (and the
//! protocol cw20 token for the cw20 stake path). `suite.rs` builds them; `reviews.rs`,
//! `disputes.rs`, `staking.rs` tell the stories; `bad_input.rs` covers every message.

mod admin_bounds;
mod bad_input;
mod disputes;
mod draw;
mod locks;
mod reviews;
mod staking;
mod suite;
