//! Sylvia interfaces through which Attrib contracts are driven and talk to each other.
//! Each trait sits in a module of its snake_case name, as sylvia requires.

pub mod governance;
pub mod license_registry;
pub mod omission_target;
pub mod points_source;
pub mod review_service;
pub mod review_target;
pub mod reward_pool;
pub mod reward_source;
pub mod slashing_service;
pub mod wiring;
