//! Probing (SPEC §11): the auditor uses a model as a paying user, at a configured rate,
//! through the operator's meter (`POST /v1/usage` with its own token), and keeps the
//! receipts it is given like any forwarded ones.

use std::sync::atomic::Ordering;
use std::time::Duration;

use anyhow::{anyhow, Result};
use attrib_cli::service::{UsageEvent, UsageReceipt};
use tokio::sync::watch;

use crate::config::Probe;
use crate::follower::Auditor;

/// Buys one use of the model and keeps its receipt.
pub async fn probe_once(a: &Auditor, p: &Probe, n: u64) -> Result<UsageReceipt> {
    let event = UsageEvent {
        model_id: p.model_id,
        units: p.units,
        request_id: format!("auditor-probe-{}-{n}", a.signer.address),
        reference: None,
    };
    let url = format!("{}/v1/usage", p.meter_url.trim_end_matches('/'));
    let resp = a
        .http
        .post(&url)
        .bearer_auth(&p.token)
        .json(&event)
        .send()
        .await?;
    if !resp.status().is_success() {
        return Err(anyhow!("POST {url}: HTTP {}", resp.status()));
    }
    let got: UsageReceipt =
        crate::follower::read_json_capped(resp, crate::follower::MAX_RESPONSE_BYTES).await?;
    let kept = crate::api::ingest(a, std::slice::from_ref(&got.receipt))?;
    if let Some(r) = kept.rejected.first() {
        return Err(anyhow!("the meter's receipt was refused: {}", r.reason));
    }
    Ok(got)
}

/// Probes every `interval_ms` until `shutdown`.
pub async fn run(a: &Auditor, p: &Probe, mut shutdown: watch::Receiver<bool>) {
    let started = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let mut n = 0;
    loop {
        tokio::select! {
            _ = shutdown.changed() => break,
            _ = tokio::time::sleep(Duration::from_millis(p.interval_ms)) => {}
        }
        n += 1;
        match probe_once(a, p, started * 1_000_000 + n).await {
            Ok(r) => {
                a.counters.probes.fetch_add(1, Ordering::Relaxed);
                tracing::info!(
                    model_id = p.model_id,
                    receipt_id = r.receipt.receipt.receipt_id,
                    "probe"
                );
            }
            Err(e) => {
                a.counters.probe_errors.fetch_add(1, Ordering::Relaxed);
                tracing::warn!(error = %format!("{e:#}"), "probe failed");
            }
        }
    }
}
