//! Multi-test suites of the registry: a suite builder (`suite.rs`), the registry half of
//! the reference story and the review flows (`story.rs`), and one bad-input test per
//! execute message (`bad_input.rs`).

mod bad_input;
mod entry;
mod review_service_mock;
mod story;
mod suite;
