//! Small contracts that stand in for a peer in one contract's own suite, so that suite
//! controls what the peer does ([`crate::ProtocolBuilder::with_review_service_mock`],
//! [`crate::ProtocolBuilder::with_points_mock`]).

pub mod points;
pub mod review_service;
pub mod reward_source;
