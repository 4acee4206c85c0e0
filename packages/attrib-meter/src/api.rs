//! The HTTP API (routes in [`attrib_cli::service`]): usage in with a client's bearer
//! token, receipts out once durable; leaves and proofs for anyone; health and metrics.
//! Errors map to status codes in one place ([`ApiError`]).

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Instant;

use attrib_cli::service::{UsageBatch, UsageEvent, UsageReceipt, UsageReceipts};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;

use attrib_receipt_oracle::batches::deadline;
use attrib_receipt_oracle::state::Config as OracleConfig;

use crate::clock::ChainTime;
use crate::metrics::Metrics;
use crate::publish::{inclusion_proof, leaves_page, PublishError, TreeCache};
use crate::store::Store;
use crate::writer::{WriteError, WriterHandle};

/// The models this meter meters, and whether the oracle lets its operator meter each
/// (refreshed from the chain).
#[derive(Default)]
pub struct Models {
    allowed: RwLock<HashMap<u64, bool>>,
}

impl Models {
    pub fn new(models: &[u64]) -> Self {
        Self {
            allowed: RwLock::new(models.iter().map(|m| (*m, false)).collect()),
        }
    }

    pub fn set_allowed(&self, model_id: u64, allowed: bool) {
        self.allowed
            .write()
            .expect("models lock")
            .insert(model_id, allowed);
    }

    pub fn ids(&self) -> Vec<u64> {
        let mut ids: Vec<u64> = self
            .allowed
            .read()
            .expect("models lock")
            .keys()
            .copied()
            .collect();
        ids.sort();
        ids
    }

    fn check(&self, model_id: u64) -> Result<(), ApiError> {
        match self.allowed.read().expect("models lock").get(&model_id) {
            None => Err(ApiError::UnknownModel { model_id }),
            Some(false) => Err(ApiError::NotAllowed { model_id }),
            Some(true) => Ok(()),
        }
    }
}

/// The longest reference stored with a receipt, in bytes.
pub const MAX_REFERENCE: usize = 1024;
/// The most events one usage request carries.
pub const MAX_EVENTS: usize = 1000;

/// What every handler shares.
pub struct ApiState {
    pub writer: WriterHandle,
    pub store: Arc<dyn Store>,
    /// Client names by bearer token.
    pub tokens: HashMap<String, String>,
    pub models: Arc<Models>,
    pub metrics: Arc<Metrics>,
    pub trees: Arc<TreeCache>,
    pub operator: String,
    /// The most units one event may carry (`max_units_per_event`): a batch total the
    /// oracle's charge overflows on would be refused for good.
    pub max_units: u64,
    /// The chain's time: usage is refused while this machine's clock is off it.
    pub time: Arc<ChainTime>,
    /// Set on SIGTERM/SIGINT: usage is refused from then on.
    pub stopping: Arc<AtomicBool>,
    /// When usage is refused at an epoch's end ([`Labels`]); `None`: never.
    pub labels: Option<Labels>,
}

/// The epoch a new receipt is labelled with must leave the meter time to post its batch:
/// the oracle refuses a batch after its epoch's posting deadline (`batches::deadline`:
/// the epoch's end plus `posting_grace_secs`), and a receipt it would refuse is lost to
/// billing. So usage is refused (503 `epoch_closing`) while the current epoch's deadline
/// is less than `min_posting_secs` away, until the next epoch starts; relabelling it
/// with the next epoch instead would be provable fraud.
pub struct Labels {
    pub oracle_config: OracleConfig,
    pub min_posting_secs: u64,
}

impl Labels {
    /// At chain time `now`: `None` when a receipt can be labelled, else the epoch whose
    /// deadline is too near and the seconds until the next one starts.
    pub fn closing(&self, now: u64) -> Option<(u64, u64)> {
        let clock = self.oracle_config.clock();
        let epoch = clock.epoch_at(now);
        let left = deadline(&self.oracle_config, epoch).saturating_sub(now);
        (left < self.min_posting_secs).then(|| (epoch, clock.end_of(epoch).saturating_sub(now).max(1)))
    }

    /// Whether some part of every epoch can be labelled: an epoch plus the grace longer
    /// than `min_posting_secs` (else the meter would refuse all usage).
    pub fn ever_open(&self) -> bool {
        let p = &self.oracle_config.params;
        p.epoch_secs.saturating_add(p.posting_grace_secs) > self.min_posting_secs
    }
}

/// Every refusal, with its status code and a stable `error` code in the JSON body.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("missing or unknown bearer token")]
    Unauthorized,
    #[error("units must be positive (request {request_id})")]
    ZeroUnits { request_id: String },
    #[error("units above {max} (request {request_id})")]
    TooManyUnits { request_id: String, max: u64 },
    #[error("request_id must be 1 - 256 bytes, without control characters")]
    BadRequestId,
    #[error("reference above {MAX_REFERENCE} bytes or with control characters (request {request_id})")]
    BadReference { request_id: String },
    #[error("more than {MAX_EVENTS} events in one request")]
    TooManyEvents,
    #[error("{0}")]
    Conflict(String),
    #[error("the store cannot take writes: {0}")]
    StoreUnavailable(String),
    #[error("this meter does not meter model {model_id}")]
    UnknownModel { model_id: u64 },
    #[error("the oracle does not let this operator meter model {model_id}")]
    NotAllowed { model_id: u64 },
    #[error("an empty batch")]
    EmptyBatch,
    #[error("shutting down")]
    ShuttingDown,
    #[error("busy: retry later")]
    Busy,
    #[error("this meter's clock is {offset_secs} s off the chain's: not labelling epochs")]
    ClockSkew { offset_secs: i64 },
    #[error(
        "epoch {epoch}'s posting deadline is too near to post a batch of it: retry in {retry_after_secs} s, in the next epoch"
    )]
    EpochClosing { epoch: u64, retry_after_secs: u64 },
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Gone(String),
    #[error("{0}")]
    BadQuery(String),
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            Self::Unauthorized => (StatusCode::UNAUTHORIZED, "unauthorized"),
            Self::ZeroUnits { .. } => (StatusCode::BAD_REQUEST, "zero_units"),
            Self::TooManyUnits { .. } => (StatusCode::BAD_REQUEST, "too_many_units"),
            Self::BadRequestId => (StatusCode::BAD_REQUEST, "bad_request_id"),
            Self::BadReference { .. } => (StatusCode::BAD_REQUEST, "bad_reference"),
            Self::TooManyEvents => (StatusCode::BAD_REQUEST, "too_many_events"),
            Self::Conflict(_) => (StatusCode::CONFLICT, "request_id_conflict"),
            Self::StoreUnavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, "store_unavailable"),
            Self::UnknownModel { .. } => (StatusCode::BAD_REQUEST, "unknown_model"),
            Self::NotAllowed { .. } => (StatusCode::BAD_REQUEST, "operator_not_allowed"),
            Self::EmptyBatch => (StatusCode::BAD_REQUEST, "empty_batch"),
            Self::BadQuery(_) => (StatusCode::BAD_REQUEST, "bad_query"),
            Self::ShuttingDown => (StatusCode::SERVICE_UNAVAILABLE, "shutting_down"),
            Self::Busy => (StatusCode::SERVICE_UNAVAILABLE, "busy"),
            Self::ClockSkew { .. } => (StatusCode::SERVICE_UNAVAILABLE, "clock_skew"),
            Self::EpochClosing { .. } => (StatusCode::SERVICE_UNAVAILABLE, "epoch_closing"),
            Self::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            Self::Gone(_) => (StatusCode::GONE, "batch_final"),
            Self::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        let body = serde_json::json!({ "error": code, "message": self.to_string() });
        (status, Json(body)).into_response()
    }
}

impl From<WriteError> for ApiError {
    fn from(e: WriteError) -> Self {
        match e {
            WriteError::Stopped => ApiError::ShuttingDown,
            WriteError::Busy => ApiError::Busy,
            WriteError::Store(m) => ApiError::StoreUnavailable(m),
            e @ WriteError::Conflict { .. } => ApiError::Conflict(e.to_string()),
        }
    }
}

impl From<PublishError> for ApiError {
    fn from(e: PublishError) -> Self {
        match e {
            PublishError::BadLimit => ApiError::BadQuery(e.to_string()),
            PublishError::Store(err) => ApiError::Internal(format!("{err:#}")),
            PublishError::Final { .. } => ApiError::Gone(e.to_string()),
            _ => ApiError::NotFound(e.to_string()),
        }
    }
}

/// The router of a meter.
pub fn router(state: Arc<ApiState>) -> Router {
    Router::new()
        .route("/v1/usage", post(usage))
        .route("/v1/usage/batch", post(usage_batch))
        .route("/v1/batches/{model_id}/{seq}/leaves", get(leaves))
        .route("/v1/proofs/{model_id}/{receipt_id}", get(proof))
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .with_state(state)
}

/// The client a bearer token names.
fn authorize(state: &ApiState, headers: &HeaderMap) -> Result<String, ApiError> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or(ApiError::Unauthorized)?;
    // Every token compared in full, whatever matches: the answer time tells nothing
    // about a token's bytes.
    let mut found = None;
    for (known, client) in &state.tokens {
        if constant_time_eq(known.as_bytes(), token.as_bytes()) {
            found = Some(client);
        }
    }
    found.cloned().ok_or(ApiError::Unauthorized)
}

/// Byte equality in a time that depends on the lengths only.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Refuses an event the meter cannot sign a receipt for.
fn validate(state: &ApiState, e: &UsageEvent) -> Result<(), ApiError> {
    // Control characters are refused: PostgreSQL's text refuses NUL, and one such event
    // would fail the whole commit group of every client with it (attacker review).
    let controlled = |t: &str| t.chars().any(char::is_control);
    if e.request_id.is_empty() || e.request_id.len() > 256 || controlled(&e.request_id) {
        return Err(ApiError::BadRequestId);
    }
    if e.reference
        .as_ref()
        .is_some_and(|r| r.len() > MAX_REFERENCE || controlled(r))
    {
        return Err(ApiError::BadReference {
            request_id: e.request_id.clone(),
        });
    }
    if e.units == 0 {
        return Err(ApiError::ZeroUnits {
            request_id: e.request_id.clone(),
        });
    }
    // SQLite keeps integers as i64.
    let max = state.max_units.min(i64::MAX as u64);
    if e.units > max {
        return Err(ApiError::TooManyUnits {
            request_id: e.request_id.clone(),
            max,
        });
    }
    state.models.check(e.model_id)
}

/// Validates, issues (durably) and times a group of events.
async fn issue(
    state: &ApiState,
    headers: &HeaderMap,
    events: Vec<UsageEvent>,
) -> Result<Vec<UsageReceipt>, ApiError> {
    let started = Instant::now();
    if state.stopping.load(Ordering::SeqCst) {
        return Err(ApiError::ShuttingDown);
    }
    let client = authorize(state, headers)?;
    if state.time.skewed() {
        return Err(ApiError::ClockSkew {
            offset_secs: state.time.offset(),
        });
    }
    if let Some((epoch, retry_after_secs)) = state.labels.as_ref().and_then(|l| l.closing(state.time.now())) {
        return Err(ApiError::EpochClosing {
            epoch,
            retry_after_secs,
        });
    }
    if events.len() > MAX_EVENTS {
        return Err(ApiError::TooManyEvents);
    }
    events.iter().try_for_each(|e| validate(state, e))?;
    let receipts = state.writer.issue(&client, events).await?;
    let fresh = receipts.iter().filter(|r| !r.duplicate).count();
    state
        .metrics
        .receipts_issued
        .fetch_add(fresh as u64, Ordering::Relaxed);
    state.metrics.observe_ack(started.elapsed());
    tracing::debug!(client, receipts = receipts.len(), fresh, "usage acknowledged");
    Ok(receipts)
}

async fn usage(
    State(state): State<Arc<ApiState>>,
    headers: HeaderMap,
    Json(event): Json<UsageEvent>,
) -> Result<Json<UsageReceipt>, ApiError> {
    let mut r = issue(&state, &headers, vec![event]).await?;
    Ok(Json(r.remove(0)))
}

async fn usage_batch(
    State(state): State<Arc<ApiState>>,
    headers: HeaderMap,
    Json(batch): Json<UsageBatch>,
) -> Result<Json<UsageReceipts>, ApiError> {
    if batch.events.is_empty() {
        return Err(ApiError::EmptyBatch);
    }
    let receipts = issue(&state, &headers, batch.events).await?;
    Ok(Json(UsageReceipts { receipts }))
}

#[derive(Deserialize)]
struct Page {
    #[serde(default)]
    offset: u64,
    limit: Option<u64>,
}

async fn leaves(
    State(state): State<Arc<ApiState>>,
    Path((model_id, seq)): Path<(u64, u64)>,
    Query(page): Query<Page>,
) -> Result<Response, ApiError> {
    let limit = page.limit.unwrap_or(attrib_cli::service::MAX_LEAVES_PAGE);
    let store = state.store.clone();
    let operator = state.operator.clone();
    let p =
        blocking(move || leaves_page(store.as_ref(), &operator, model_id, seq, page.offset, limit)).await??;
    Ok(Json(p).into_response())
}

async fn proof(
    State(state): State<Arc<ApiState>>,
    Path((model_id, receipt_id)): Path<(u64, u64)>,
) -> Result<Response, ApiError> {
    let s = state.clone();
    let p = blocking(move || inclusion_proof(s.store.as_ref(), &s.trees, &s.operator, model_id, receipt_id))
        .await??;
    Ok(Json(p).into_response())
}

async fn healthz(State(state): State<Arc<ApiState>>) -> Response {
    if state.stopping.load(Ordering::SeqCst) {
        return ApiError::ShuttingDown.into_response();
    }
    Json(serde_json::json!({ "status": "ok", "models": state.models.ids() })).into_response()
}

async fn metrics(State(state): State<Arc<ApiState>>) -> Result<Response, ApiError> {
    let s = state.clone();
    let text = blocking(move || s.metrics.render(s.store.as_ref(), s.time.now()))
        .await?
        .map_err(|e| ApiError::Internal(format!("{e:#}")))?;
    Ok(([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text).into_response())
}

/// Runs store reads off the async threads.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))
}

#[cfg(test)]
mod label_tests {
    use super::*;

    fn labels(epoch_secs: u64, grace: u64, min_posting_secs: u64) -> Labels {
        Labels {
            oracle_config: OracleConfig {
                registry: cosmwasm_std::Addr::unchecked("r"),
                curator_staking: cosmwasm_std::Addr::unchecked("s"),
                reward_pool: cosmwasm_std::Addr::unchecked("p"),
                epoch_start: 1_000,
                params: attrib_receipt_oracle::state::Params {
                    epoch_secs,
                    posting_grace_secs: grace,
                    ..attrib_cli::deploy::local_oracle_params()
                },
            },
            min_posting_secs,
        }
    }

    /// Item 5 of the review: epoch 0 runs 1000..1100 and must be posted by 1120 (a 20 s
    /// grace); a batch needs 60 s. Receipts of it are refused from 1061 (the deadline less
    /// than 60 s away) until epoch 1 starts at 1100, with the seconds to wait.
    #[test]
    fn usage_is_refused_while_the_epochs_posting_deadline_is_too_near() {
        let l = labels(100, 20, 60);
        assert_eq!(l.closing(1_000), None);
        assert_eq!(l.closing(1_060), None, "60 s left is not less than 60");
        assert_eq!(l.closing(1_061), Some((0, 39)), "59 s left");
        assert_eq!(l.closing(1_099), Some((0, 1)));
        assert_eq!(l.closing(1_100), None, "epoch 1: 120 s left");
        // A grace longer than a batch needs: never refused.
        let roomy = labels(100, 600, 60);
        assert!((1_000..1_300).all(|t| roomy.closing(t).is_none()));
        assert!(l.ever_open() && roomy.ever_open());
        assert!(
            !labels(30, 20, 60).ever_open(),
            "every second of every epoch too near"
        );
        let e = ApiError::EpochClosing {
            epoch: 0,
            retry_after_secs: 39,
        };
        assert_eq!(
            e.status_and_code(),
            (StatusCode::SERVICE_UNAVAILABLE, "epoch_closing")
        );
        assert!(e.to_string().contains("retry in 39 s"), "{e}");
    }
}
