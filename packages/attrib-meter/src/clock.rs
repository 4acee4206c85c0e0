//! Chain time: the meter labels receipts with the oracle's epochs, which run on the chain's
//! block time, not the machine's clock. The chain loop measures the offset of the block
//! time from the wall clock ([`ChainTime::observe`]); receipts are stamped with the wall
//! clock plus that offset, and usage is refused while the two are too far apart.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// The machine's clock, in seconds.
pub fn wall_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs()
}

/// The chain's time as seen from this machine.
pub struct ChainTime {
    /// Block time minus wall time, in seconds, as last measured.
    offset: AtomicI64,
    /// The largest offset (either way) at which usage is still taken.
    max_skew: u64,
}

impl ChainTime {
    /// In step with the wall clock until measured; usage refused past `max_skew` seconds.
    pub fn new(max_skew: u64) -> Self {
        Self {
            offset: AtomicI64::new(0),
            max_skew,
        }
    }

    /// Records a block time read now.
    pub fn observe(&self, block_time: u64) {
        let offset = block_time as i64 - wall_secs() as i64;
        self.offset.store(offset, Ordering::Relaxed);
    }

    pub fn offset(&self) -> i64 {
        self.offset.load(Ordering::Relaxed)
    }

    /// The chain's time now: the wall clock plus the measured offset.
    pub fn now(&self) -> u64 {
        (wall_secs() as i64 + self.offset()).max(0) as u64
    }

    /// Whether the machine's clock is too far from the chain's to label epochs.
    pub fn skewed(&self) -> bool {
        self.offset().unsigned_abs() > self.max_skew
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn receipts_take_the_chain_time_and_a_large_skew_is_flagged() {
        let t = ChainTime::new(30);
        assert!(!t.skewed());
        // The chain runs an hour behind this machine.
        t.observe(wall_secs() - 3600);
        assert!(t.skewed());
        let now = t.now();
        assert!(now.abs_diff(wall_secs() - 3600) <= 1, "{now}");
        // A few seconds of block lag is within the bound.
        t.observe(wall_secs() - 5);
        assert!(!t.skewed());
    }
}
