//! Multi-test suites of the registry: a suite builder (`suite.rs`), the registry half of
//! the reference story and the review flows (`story.rs`), one bad-input test per execute
//! message (`bad_input.rs`), and what the receipt oracle reads (`license_registry.rs`).

mod bad_input;
mod hardening;
mod license_registry;
mod story;
mod suite;
