mod admin_bounds;
mod bad_input;
mod paging;
mod properties;
mod story;
mod suite;
