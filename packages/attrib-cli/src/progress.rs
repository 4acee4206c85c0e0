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
