//! `/metrics` in the Prometheus text format: the store's totals (receipts held, batches
//! checked by verdict, filings by kind and outcome, won) and the follower's counters.

use std::fmt::Write;
use std::sync::atomic::Ordering;

use crate::follower::Counters;
use crate::store::Totals;

fn gauge(out: &mut String, name: &str, help: &str, kind: &str, value: u64) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}");
}

/// The exposition text of `totals` and `counters`.
pub fn render(totals: &Totals, counters: &Counters) -> String {
    let mut out = String::new();
    gauge(
        &mut out,
        "attrib_auditor_receipts_held",
        "Receipts held, signatures verified.",
        "gauge",
        totals.receipts_held,
    );
    gauge(
        &mut out,
        "attrib_auditor_receipts_rejected_total",
        "Receipts refused (bad signature, unknown operator, other chain or oracle).",
        "counter",
        counters.receipts_rejected.load(Ordering::Relaxed),
    );
    gauge(
        &mut out,
        "attrib_auditor_batches_checked",
        "Batches checked.",
        "gauge",
        totals.batches_checked,
    );
    let _ = writeln!(
        out,
        "# HELP attrib_auditor_batches Batches checked, by verdict.\n# TYPE attrib_auditor_batches gauge"
    );
    for (verdict, n) in &totals.verdicts {
        let _ = writeln!(out, "attrib_auditor_batches{{verdict=\"{verdict}\"}} {n}");
    }
    let _ = writeln!(
        out,
        "# HELP attrib_auditor_filings Filings, by kind and outcome.\n# TYPE attrib_auditor_filings gauge"
    );
    for (kind, outcome, n) in &totals.filings {
        let _ = writeln!(
            out,
            "attrib_auditor_filings{{kind=\"{kind}\",outcome=\"{outcome}\"}} {n}"
        );
    }
    let won = totals.filings.iter().filter(|f| f.1 == "won").map(|f| f.2).sum();
    gauge(
        &mut out,
        "attrib_auditor_won",
        "Filings that voided a batch or were upheld.",
        "gauge",
        won,
    );
    gauge(
        &mut out,
        "attrib_auditor_height",
        "Last block height followed.",
        "gauge",
        counters.height.load(Ordering::Relaxed),
    );
    gauge(
        &mut out,
        "attrib_auditor_passes_total",
        "Passes over the watched batches.",
        "counter",
        counters.ticks.load(Ordering::Relaxed),
    );
    gauge(
        &mut out,
        "attrib_auditor_pass_errors_total",
        "Passes that failed.",
        "counter",
        counters.tick_errors.load(Ordering::Relaxed),
    );
    gauge(
        &mut out,
        "attrib_auditor_last_pass_ms",
        "Duration of the last pass, milliseconds.",
        "gauge",
        counters.last_pass_ms.load(Ordering::Relaxed),
    );
    gauge(
        &mut out,
        "attrib_auditor_max_pass_ms",
        "Longest pass since start, milliseconds.",
        "gauge",
        counters.max_pass_ms.load(Ordering::Relaxed),
    );
    gauge(
        &mut out,
        "attrib_auditor_probes_total",
        "Usage bought by probing.",
        "counter",
        counters.probes.load(Ordering::Relaxed),
    );
    gauge(
        &mut out,
        "attrib_auditor_probe_errors_total",
        "Probes that failed.",
        "counter",
        counters.probe_errors.load(Ordering::Relaxed),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_labelled_series_and_the_won_sum() {
        let totals = Totals {
            receipts_held: 7,
            batches_checked: 3,
            verdicts: vec![("fraud".into(), 1), ("honest".into(), 2)],
            filings: vec![
                ("omitted_receipt".into(), "won".into(), 1),
                ("request_inclusion".into(), "won".into(), 2),
                ("request_inclusion".into(), "sent".into(), 1),
            ],
        };
        let c = Counters::default();
        c.receipts_rejected.store(4, Ordering::Relaxed);
        let text = render(&totals, &c);
        for line in [
            "attrib_auditor_receipts_held 7",
            "attrib_auditor_receipts_rejected_total 4",
            "attrib_auditor_batches{verdict=\"honest\"} 2",
            "attrib_auditor_filings{kind=\"request_inclusion\",outcome=\"sent\"} 1",
            "attrib_auditor_won 3",
        ] {
            assert!(text.lines().any(|l| l == line), "{line} in\n{text}");
        }
    }
}
