//! The auditor's HTTP routes (`attrib_cli::service`): `POST /v1/receipts` takes copies of
//! receipts ([`ForwardedReceipts`]); `GET /v1/report`, `/healthz`, `/metrics`. Errors map
//! to status codes in one place ([`ApiError`]).

use std::sync::Arc;

use attrib_cli::service::ForwardedReceipts;
use attrib_std::receipts::SignedReceipt;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Serialize;

use crate::follower::Auditor;
use crate::report::Report;
use crate::store::hex;

/// An internal failure (the store): 500 with its message.
pub struct ApiError(anyhow::Error);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        tracing::error!(error = %format!("{:#}", self.0), "request failed");
        (StatusCode::INTERNAL_SERVER_ERROR, format!("{:#}", self.0)).into_response()
    }
}

impl<E: Into<anyhow::Error>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.into())
    }
}

/// A receipt that was not kept, and why.
#[derive(Serialize, Debug, PartialEq)]
pub struct Rejected {
    pub receipt_id: u64,
    pub reason: String,
}

/// What `POST /v1/receipts` answers.
#[derive(Serialize, Debug, Default, PartialEq)]
pub struct Ingested {
    /// Newly kept.
    pub accepted: u64,
    /// Held already.
    pub duplicates: u64,
    pub rejected: Vec<Rejected>,
}

pub fn router(a: Arc<Auditor>) -> Router {
    Router::new()
        .route("/v1/receipts", post(receipts))
        .route("/v1/report", get(report))
        .route("/healthz", get(|| async { "ok" }))
        .route("/metrics", get(metrics))
        .with_state(a)
}

async fn receipts(
    State(a): State<Arc<Auditor>>,
    Json(body): Json<ForwardedReceipts>,
) -> Result<Json<Ingested>, ApiError> {
    // Signature checks and the fsync of the store are blocking work: off the async workers.
    let ingested = tokio::task::spawn_blocking(move || ingest(&a, &body.receipts)).await??;
    Ok(Json(ingested))
}

/// Keeps the receipts signed by a watched operator of their model (with any key the oracle
/// registered for it, current or rotated away), for this chain and oracle, in one store
/// transaction; refuses the rest (counted in `/metrics`). A receipt does not name its
/// operator, and nothing on chain keeps two operators from registering one public key: a
/// receipt is kept for every watched operator of its model whose keys verify it (it is
/// evidence against the batches of each), and counted once.
pub fn ingest(a: &Auditor, receipts: &[SignedReceipt]) -> anyhow::Result<Ingested> {
    let mut out = Ingested::default();
    let mut verified = vec![];
    // For each receipt kept, how many rows of `verified` are its.
    let mut rows_of = vec![];
    for s in receipts {
        let r = &s.receipt;
        let reason = if r.chain_id != a.chain_id() {
            Some(format!("chain {} is not {}", r.chain_id, a.chain_id()))
        } else if r.contract != a.oracle {
            Some(format!("oracle {} is not {}", r.contract, a.oracle))
        } else {
            None
        };
        let signers: Vec<(String, Vec<u8>)> = a
            .config
            .watched()
            .into_iter()
            .filter(|(m, _)| *m == r.model_id)
            .filter_map(|(_, o)| {
                let key = a
                    .keys_of(&o.address)
                    .into_iter()
                    .rev()
                    .find(|k| crate::verify::signed_by(s, k))?;
                Some((o.address.clone(), key))
            })
            .collect();
        if reason.is_none() && !signers.is_empty() {
            rows_of.push(signers.len());
            verified.extend(
                signers
                    .into_iter()
                    .map(|(operator, key)| (operator, hex(&key), s)),
            );
            continue;
        }
        a.counters
            .receipts_rejected
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        out.rejected.push(Rejected {
            receipt_id: r.receipt_id,
            reason: reason
                .unwrap_or_else(|| format!("not signed by a watched operator of model {}", r.model_id)),
        });
    }
    let mut added = a.store().add_receipts(&verified)?.into_iter();
    for n in rows_of {
        let new: Vec<bool> = added.by_ref().take(n).collect();
        if new.contains(&true) {
            out.accepted += 1;
        } else {
            out.duplicates += 1;
        }
    }
    Ok(out)
}

async fn report(State(a): State<Arc<Auditor>>) -> Result<Json<Report>, ApiError> {
    Ok(Json(Report::of(&a.store())?))
}

async fn metrics(State(a): State<Arc<Auditor>>) -> Result<Response, ApiError> {
    let totals = a.store().totals()?;
    let text = crate::metrics::render(&totals, &a.counters);
    Ok(([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text).into_response())
}
