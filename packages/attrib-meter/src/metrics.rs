//! `/metrics` in the Prometheus text format, written by hand (a few counters, gauges and
//! one histogram do not need a metrics crate). Counters live here; figures the store
//! holds (pending receipts, batches by state) are read from it at scrape time.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use crate::store::{BatchState, Store};

/// Upper bounds (seconds) of the ack latency histogram's buckets.
const LATENCY_BUCKETS: [f64; 10] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0];

#[derive(Default)]
pub struct Metrics {
    /// Receipts issued (new, not duplicates) since start.
    pub receipts_issued: AtomicU64,
    pub chain_errors: AtomicU64,
    /// Batches posted after their epoch's posting deadline since start: the oracle takes
    /// them, but each of their receipts is a provable late omission (a slash).
    pub batches_late: AtomicU64,
    latency_counts: [AtomicU64; LATENCY_BUCKETS.len()],
    latency_count: AtomicU64,
    latency_sum_micros: AtomicU64,
    /// Per model: how many batches its free escrow covers.
    escrow_batches: Mutex<BTreeMap<u64, f64>>,
    /// Per model with work not yet on chain: the nearest posting deadline of it (chain
    /// seconds; [`crate::batcher::nearest_posting_deadline`]).
    posting_deadlines: Mutex<BTreeMap<u64, u64>>,
}

impl Metrics {
    /// Records the time from a usage request's arrival to its acknowledgement.
    pub fn observe_ack(&self, d: Duration) {
        let secs = d.as_secs_f64();
        for (i, bound) in LATENCY_BUCKETS.iter().enumerate() {
            if secs <= *bound {
                self.latency_counts[i].fetch_add(1, Ordering::Relaxed);
            }
        }
        self.latency_count.fetch_add(1, Ordering::Relaxed);
        self.latency_sum_micros
            .fetch_add(d.as_micros() as u64, Ordering::Relaxed);
    }

    pub fn chain_error(&self) {
        self.chain_errors.fetch_add(1, Ordering::Relaxed);
    }

    pub fn batch_late(&self) {
        self.batches_late.fetch_add(1, Ordering::Relaxed);
    }

    pub fn set_escrow_batches(&self, model_id: u64, batches: f64) {
        self.escrow_batches
            .lock()
            .expect("metrics lock")
            .insert(model_id, batches);
    }

    /// Records the nearest posting deadline of a model's work not yet on chain (`None`:
    /// nothing waits).
    pub fn set_posting_deadline(&self, model_id: u64, deadline: Option<u64>) {
        let mut d = self.posting_deadlines.lock().expect("metrics lock");
        match deadline {
            Some(at) => d.insert(model_id, at),
            None => d.remove(&model_id),
        };
    }

    /// The exposition text, with deadlines counted from `now` (the chain's time).
    pub fn render(&self, store: &dyn Store, now: u64) -> anyhow::Result<String> {
        let mut out = String::new();
        let (total, pending) = store.receipt_counts()?;
        gauge(
            &mut out,
            "attrib_meter_receipts_total",
            "Receipts stored",
            total as f64,
        );
        gauge(
            &mut out,
            "attrib_meter_pending_receipts",
            "Receipts in no batch yet",
            pending as f64,
        );
        counter(
            &mut out,
            "attrib_meter_receipts_issued_total",
            "Receipts issued since start",
            self.receipts_issued.load(Ordering::Relaxed),
        );
        counter(
            &mut out,
            "attrib_meter_chain_errors_total",
            "Failed chain queries and transactions",
            self.chain_errors.load(Ordering::Relaxed),
        );
        counter(
            &mut out,
            "attrib_meter_batches_late_total",
            "Batches posted after their epoch's posting deadline since start (taken, but each receipt in them is a provable late omission): alert",
            self.batches_late.load(Ordering::Relaxed),
        );
        out.push_str("# HELP attrib_meter_batches Batches by state\n# TYPE attrib_meter_batches gauge\n");
        for state in BatchState::ALL {
            let n = store.batches_in(state)?.len();
            let _ = writeln!(out, "attrib_meter_batches{{state=\"{}\"}} {n}", state.as_str());
        }
        out.push_str(
            "# HELP attrib_meter_escrow_batches Batches a model's free escrow covers\n\
             # TYPE attrib_meter_escrow_batches gauge\n",
        );
        for (model, n) in self.escrow_batches.lock().expect("metrics lock").iter() {
            let v = if n.is_infinite() {
                "+Inf".to_string()
            } else {
                n.to_string()
            };
            let _ = writeln!(out, "attrib_meter_escrow_batches{{model_id=\"{model}\"}} {v}");
        }
        out.push_str(
            "# HELP attrib_meter_posting_deadline_seconds Seconds until the nearest posting deadline \
             of a model's batches not yet posted (built, or receipts in no batch); negative: passed\n\
             # TYPE attrib_meter_posting_deadline_seconds gauge\n",
        );
        for (model, at) in self.posting_deadlines.lock().expect("metrics lock").iter() {
            let left = *at as i128 - now as i128;
            let _ = writeln!(
                out,
                "attrib_meter_posting_deadline_seconds{{model_id=\"{model}\"}} {left}"
            );
        }
        self.render_latency(&mut out);
        Ok(out)
    }

    fn render_latency(&self, out: &mut String) {
        let name = "attrib_meter_ack_latency_seconds";
        let _ = writeln!(out, "# HELP {name} Usage request to durable acknowledgement");
        let _ = writeln!(out, "# TYPE {name} histogram");
        for (i, bound) in LATENCY_BUCKETS.iter().enumerate() {
            let n = self.latency_counts[i].load(Ordering::Relaxed);
            let _ = writeln!(out, "{name}_bucket{{le=\"{bound}\"}} {n}");
        }
        let count = self.latency_count.load(Ordering::Relaxed);
        let _ = writeln!(out, "{name}_bucket{{le=\"+Inf\"}} {count}");
        let sum = self.latency_sum_micros.load(Ordering::Relaxed) as f64 / 1e6;
        let _ = writeln!(out, "{name}_sum {sum}");
        let _ = writeln!(out, "{name}_count {count}");
    }
}

fn gauge(out: &mut String, name: &str, help: &str, v: f64) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {v}");
}

fn counter(out: &mut String, name: &str, help: &str, v: u64) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} counter\n{name} {v}");
}
