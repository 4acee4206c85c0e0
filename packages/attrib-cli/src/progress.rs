//! A spinner on stderr for slow steps (hidden when stderr is not a terminal).

use std::future::Future;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

pub async fn spin<T>(message: &str, fut: impl Future<Output = T>) -> T {
    let pb = ProgressBar::new_spinner();
    pb.set_style(ProgressStyle::with_template("{spinner} {msg} {elapsed}").unwrap());
    pb.set_message(message.to_string());
    pb.enable_steady_tick(Duration::from_millis(120));
    let out = fut.await;
    pb.finish_and_clear();
    out
}

/// A progress bar over `len` items.
pub fn bar(len: u64, message: &str) -> ProgressBar {
    let pb = ProgressBar::new(len);
    pb.set_style(ProgressStyle::with_template("{msg} {bar:40} {pos}/{len} {eta}").unwrap());
    pb.set_message(message.to_string());
    pb
}

/// A spinner around a blocking computation.
pub fn spin_sync<T>(message: &str, f: impl FnOnce() -> T) -> T {
    let pb = ProgressBar::new_spinner();
    pb.set_style(ProgressStyle::with_template("{spinner} {msg} {elapsed}").unwrap());
    pb.set_message(message.to_string());
    pb.enable_steady_tick(Duration::from_millis(120));
    let out = f();
    pb.finish_and_clear();
    out
}
