//! The wire between the off-chain services (SPEC §11): what the metering service
//! (`attrib-meter`) serves and what the auditor (`attrib-auditor`) and inference servers
//! read. One definition, used by both binaries and by the tests that drive them.
//!
//! Routes of a meter (its public base URL is the operator's data URI):
//! - `POST /v1/usage` (bearer token): [`UsageEvent`] → [`UsageReceipt`];
//! - `POST /v1/usage/batch` (bearer token): [`UsageBatch`] → [`UsageReceipts`];
//! - `GET /v1/batches/{model_id}/{seq}/leaves?offset=&limit=` (public): [`LeavesPage`];
//! - `GET /v1/proofs/{model_id}/{receipt_id}` (public): [`InclusionProof`];
//! - `GET /healthz`, `GET /metrics` (Prometheus text).
//!
//! Routes of an auditor:
//! - `POST /v1/receipts`: [`ForwardedReceipts`] (copies of receipts users were given);
//! - `GET /v1/report`, `GET /healthz`, `GET /metrics`.

use attrib_std::receipts::{Path, SignedReceipt};
use cosmwasm_std::{HexBinary, Uint128};
use serde::{Deserialize, Serialize};

/// The largest page of leaves a meter serves (and an auditor asks for).
pub const MAX_LEAVES_PAGE: u64 = 10_000;

/// One metered use, as an inference server reports it.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct UsageEvent {
    pub model_id: u64,
    pub units: u64,
    /// The caller's id for this request: a retry with the same id gets the same receipt.
    pub request_id: String,
    /// Free text the caller keeps with the receipt (its own reference; never signed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
}

/// The signed receipt for one [`UsageEvent`], durable when returned.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct UsageReceipt {
    pub request_id: String,
    pub receipt: SignedReceipt,
    /// True when `request_id` had been seen: this is the receipt given the first time.
    pub duplicate: bool,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct UsageBatch {
    pub events: Vec<UsageEvent>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct UsageReceipts {
    pub receipts: Vec<UsageReceipt>,
}

/// One page of a posted batch's leaves, in tree order (receipt id order).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct LeavesPage {
    pub model_id: u64,
    pub operator: String,
    pub seq: u64,
    pub epoch: u64,
    pub first_id: u64,
    pub last_id: u64,
    pub count: u64,
    pub total_units: Uint128,
    pub root: HexBinary,
    /// Position of `receipts[0]` among the batch's leaves.
    pub offset: u64,
    pub receipts: Vec<SignedReceipt>,
    /// Where the next page starts; `None` on the last page.
    pub next_offset: Option<u64>,
}

/// A receipt's place in the batch that carries it: what `answer_inclusion` sends.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct InclusionProof {
    pub model_id: u64,
    pub operator: String,
    pub seq: u64,
    pub receipt: SignedReceipt,
    pub path: Path,
}

/// Receipts a model's users forward to an auditor.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct ForwardedReceipts {
    pub receipts: Vec<SignedReceipt>,
}

/// The URL of one page of a batch's leaves at a meter's base URL (the data URI).
pub fn leaves_url(base: &str, model_id: u64, seq: u64, offset: u64, limit: u64) -> String {
    format!(
        "{}/v1/batches/{model_id}/{seq}/leaves?offset={offset}&limit={limit}",
        base.trim_end_matches('/')
    )
}

/// The URL of a receipt's inclusion proof at a meter's base URL.
pub fn proof_url(base: &str, model_id: u64, receipt_id: u64) -> String {
    format!("{}/v1/proofs/{model_id}/{receipt_id}", base.trim_end_matches('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_join_the_base_without_a_double_slash() {
        assert_eq!(
            leaves_url("http://m:8080/", 3, 7, 0, 100),
            "http://m:8080/v1/batches/3/7/leaves?offset=0&limit=100"
        );
        assert_eq!(proof_url("http://m", 3, 42), "http://m/v1/proofs/3/42");
    }

    #[test]
    fn a_usage_event_without_reference_reads_and_writes_the_same() {
        let e: UsageEvent = serde_json::from_str(r#"{"model_id":1,"units":5,"request_id":"r-1"}"#).unwrap();
        assert_eq!(e.reference, None);
        assert_eq!(
            serde_json::to_string(&e).unwrap(),
            r#"{"model_id":1,"units":5,"request_id":"r-1"}"#
        );
    }
}
