mod bad_input;
mod entry;
mod points_mock;
mod properties;
mod story;
mod suite;
