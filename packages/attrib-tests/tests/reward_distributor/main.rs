mod admin_bounds;
mod bad_input;
mod properties;
mod story;
mod suite;
