//! `attrib-auditor check`: one posted batch checked now against its published leaves, with
//! no store and no key — what the follower does for each pending batch (fetch every page,
//! rebuild the tree, check root, count, total, order and declared range), timed. For an
//! operator ("would an auditor accept what my meter publishes?") and for the benchmark.
//!
//! The leaves are checked whatever the batch's status: the checker files nothing on a
//! closed batch, but what was published can still be judged. The status is reported.

use std::time::{Duration, Instant};

use attrib_cli::proofs::Posted;
use attrib_receipt_oracle::state::{Batch, BatchStatus};
use attrib_std::receipts::SignedReceipt;
use serde::Serialize;

use crate::checker::{check_against, Kind, Leaves, Verdict};
use crate::follower::{fetch_leaves_within, status_text};

/// What one check found and how long each half took.
#[derive(Serialize, Clone, Debug, PartialEq)]
pub struct BatchCheck {
    pub model_id: u64,
    pub operator: String,
    pub seq: u64,
    pub epoch: u64,
    pub first_id: u64,
    pub last_id: u64,
    pub count: u64,
    /// The batch's status on chain (`pending`, `finalized`, `voided`).
    pub status: String,
    /// Leaves fetched (0 when none could be).
    pub leaves: u64,
    pub verdict: Verdict,
    pub note: String,
    /// The proofs the leaves and the held receipts call for, in filing order.
    pub findings: Vec<Kind>,
    /// Fetching every page of leaves from the data URI.
    pub fetch_secs: f64,
    /// Rebuilding the tree and running the checker.
    pub check_secs: f64,
}

/// Fetches `batch`'s leaves from `data_uri` within `budget` and checks them (and the
/// receipts in `held`) with the auditor's checker.
pub async fn check_published(
    http: &reqwest::Client,
    data_uri: &str,
    batch: &Batch,
    held: &[SignedReceipt],
    budget: Duration,
) -> BatchCheck {
    let started = Instant::now();
    let fetched = fetch_leaves_within(http, data_uri, batch, budget).await;
    let fetch_secs = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let leaves = match &fetched {
        Leaves::Published(v) => v.len() as u64,
        Leaves::Unavailable(_) => 0,
    };
    let posted = match fetched {
        Leaves::Published(v) => Posted::new(v).map_err(|e| format!("{e:#}")),
        Leaves::Unavailable(why) => Err(why),
    };
    let as_pending = Batch {
        status: BatchStatus::Pending,
        ..batch.clone()
    };
    let check = check_against(&as_pending, posted.as_ref().map_err(String::as_str), held);
    let check_secs = started.elapsed().as_secs_f64();
    BatchCheck {
        model_id: batch.model_id,
        operator: batch.operator.to_string(),
        seq: batch.seq,
        epoch: batch.epoch,
        first_id: batch.first_id,
        last_id: batch.last_id,
        count: batch.count,
        status: status_text(&batch.status),
        leaves,
        verdict: check.verdict,
        note: check.note,
        findings: check.actions.iter().map(|a| a.kind).collect(),
        fetch_secs,
        check_secs,
    }
}
