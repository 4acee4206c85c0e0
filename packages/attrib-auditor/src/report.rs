//! What the auditor checked, found, filed and won, from its store: `GET /v1/report` and
//! `attrib-auditor report` (text, or JSON with `-o json`).

use std::fmt::Write;

use anyhow::Result;
use serde::Serialize;

use crate::store::{CheckedBatch, Filing, Store, Totals};

#[derive(Serialize, Debug)]
pub struct Report {
    pub totals: Totals,
    pub batches: Vec<CheckedBatch>,
    pub filings: Vec<Filing>,
}

impl Report {
    pub fn of(store: &Store) -> Result<Report> {
        Ok(Report {
            totals: store.totals()?,
            batches: store.checked_batches()?,
            filings: store.filings()?,
        })
    }

    /// The report as a few aligned lines per section.
    pub fn text(&self) -> String {
        let t = &self.totals;
        let mut out = String::new();
        let won = self.filings.iter().filter(|f| f.outcome == "won").count();
        let _ = writeln!(
            out,
            "receipts held {}  batches checked {}  filings {}  won {won}",
            t.receipts_held,
            t.batches_checked,
            self.filings.len()
        );
        let _ = writeln!(
            out,
            "\nbatches (model operator seq epoch ids: verdict, status, checks)"
        );
        for b in &self.batches {
            let _ = writeln!(
                out,
                "  {} {} {} e{} {}-{}: {}, {}, {}x  {}",
                b.model_id,
                b.operator,
                b.seq,
                b.epoch,
                b.first_id,
                b.last_id,
                b.verdict,
                b.status,
                b.checks,
                b.note
            );
        }
        let _ = writeln!(
            out,
            "\nfilings (kind model operator seq receipt: outcome tx height)"
        );
        for f in &self.filings {
            let _ = writeln!(
                out,
                "  {} {} {} {} {}: {} {} {}{}",
                f.kind,
                f.model_id,
                f.operator,
                f.seq,
                f.receipt_id,
                f.outcome,
                f.tx_hash.as_deref().unwrap_or("-"),
                f.height.map(|h| h.to_string()).unwrap_or_else(|| "-".into()),
                f.error.as_deref().map(|e| format!("  ({e})")).unwrap_or_default()
            );
        }
        out
    }
}
