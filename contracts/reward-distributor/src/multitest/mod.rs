mod bad_input;
mod points_mock;
mod properties;
mod story;
mod suite;
