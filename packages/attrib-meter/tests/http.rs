//! The meter's HTTP API in-process (no chain): a real listener on 127.0.0.1:0, the real
//! writer and store, the operator key of scripts/test-accounts.json. The store is SQLite,
//! or PostgreSQL when ATTRIB_TEST_PG_URL names a server (scripts/meter-pg.sh): the same
//! tests on either backend.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

use attrib_cli::keys::Signer;
use attrib_cli::service::{leaves_url, proof_url, InclusionProof, LeavesPage, UsageReceipt, UsageReceipts};
use attrib_meter::api::{router, ApiState, Models};
use attrib_meter::batcher::record_of;
use attrib_meter::clock::ChainTime;
use attrib_meter::metrics::Metrics;
use attrib_meter::postgres::{fresh_schema, PgStore};
use attrib_meter::publish::{BatchTree, TreeCache};
use attrib_meter::sqlite::SqliteStore;
use attrib_meter::store::{BatchState, Store, Write};
use attrib_meter::writer::{self, Issuer, WriterHandle};
use attrib_std::receipts::Node;
use attrib_std::rewards::EpochClock;
use cosmwasm_std::Api;
use serde_json::{json, Value};

const TOKEN: &str = "gateway-secret";

fn operator() -> Signer {
    let doc: Value = serde_json::from_str(include_str!("../../../scripts/test-accounts.json")).unwrap();
    Signer::from_mnemonic(
        "operator",
        doc["accounts"][12]["mnemonic"].as_str().unwrap(),
        "wasm",
    )
    .unwrap()
}

struct Meter {
    base: String,
    store: Arc<dyn Store>,
    writer: WriterHandle,
    stopping: Arc<AtomicBool>,
    http: reqwest::Client,
    _dir: tempfile::TempDir,
}

/// The writer's and the readers' store: on PostgreSQL when ATTRIB_TEST_PG_URL is set (a
/// schema of the meter's own), else a SQLite file in `dir`.
fn stores(dir: &std::path::Path) -> (Arc<dyn Store>, Arc<dyn Store>) {
    match std::env::var("ATTRIB_TEST_PG_URL") {
        Ok(url) => {
            static METERS: AtomicUsize = AtomicUsize::new(0);
            let schema = format!(
                "http_{}_{}",
                std::process::id(),
                METERS.fetch_add(1, Ordering::SeqCst)
            );
            let url = fresh_schema(&url, &schema).unwrap();
            (
                Arc::new(PgStore::open(&url).unwrap()),
                Arc::new(PgStore::open(&url).unwrap()),
            )
        }
        Err(_) => {
            let db = dir.join("meter.db");
            (
                Arc::new(SqliteStore::open(&db).unwrap()),
                Arc::new(SqliteStore::open(&db).unwrap()),
            )
        }
    }
}

/// A meter of model 1 (allowed) and model 2 (the operator is not allowed on it).
async fn meter() -> Meter {
    let dir = tempfile::tempdir().unwrap();
    let (writer_store, store) = stores(dir.path());
    let issuer = Issuer {
        chain_id: "attrib-test".into(),
        contract: "wasm1oracle".into(),
        clock: EpochClock {
            epoch_start: 0,
            epoch_secs: 3600,
        },
        signer: operator(),
        time: Arc::new(ChainTime::new(30)),
    };
    let (writer, _thread) = writer::spawn(writer_store, issuer, HashMap::new());
    let models = Arc::new(Models::new(&[1, 2]));
    models.set_allowed(1, true);
    let stopping = Arc::new(AtomicBool::new(false));
    let state = Arc::new(ApiState {
        writer: writer.clone(),
        store: store.clone(),
        tokens: HashMap::from([(TOKEN.to_string(), "gateway".to_string())]),
        models,
        metrics: Arc::new(Metrics::default()),
        trees: Arc::new(TreeCache::default()),
        operator: operator().address.to_string(),
        max_units: 1_000_000,
        time: Arc::new(ChainTime::new(30)),
        stopping: stopping.clone(),
        labels: None,
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router(state)).await.unwrap() });
    Meter {
        base,
        store,
        writer,
        stopping,
        http: reqwest::Client::new(),
        _dir: dir,
    }
}

impl Meter {
    async fn post(&self, path: &str, token: &str, body: Value) -> (u16, Value) {
        let r = self
            .http
            .post(format!("{}{path}", self.base))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.json().await.unwrap())
    }

    async fn get(&self, url: &str) -> (u16, Value) {
        let r = self.http.get(url).send().await.unwrap();
        (r.status().as_u16(), r.json().await.unwrap())
    }

    /// Records the model's stored receipts as posted batch `seq` (what the batcher does
    /// once the chain has it).
    async fn post_batch(&self, seq: u64, first: u64, last: u64) -> attrib_meter::store::BatchRecord {
        let tree = BatchTree::build(self.store.receipts(1, first, last, u64::MAX).unwrap()).unwrap();
        let mut b = record_of(1, seq, 0, &tree, None);
        b.state = BatchState::Posted;
        self.writer.write(vec![Write::Batch(b.clone())]).await.unwrap();
        b
    }
}

fn usage(model_id: u64, units: u64, request_id: &str) -> Value {
    json!({ "model_id": model_id, "units": units, "request_id": request_id })
}

#[tokio::test]
async fn usage_is_signed_once_per_request_id() {
    let m = meter().await;
    let (status, body) = m.post("/v1/usage", TOKEN, usage(1, 5, "req-1")).await;
    assert_eq!(status, 200, "{body}");
    let first: UsageReceipt = serde_json::from_value(body).unwrap();
    assert!(!first.duplicate);
    assert_eq!(first.receipt.receipt.receipt_id, 1);
    assert_eq!(first.receipt.receipt.units, 5);
    // Signed by the operator over the receipt's sign bytes.
    let pubkey = operator().key.public_key().to_bytes();
    let api = cosmwasm_std::testing::MockApi::default();
    assert!(api
        .secp256k1_verify(&first.receipt.receipt.digest(), &first.receipt.signature, &pubkey)
        .unwrap());
    // The retry: the same receipt, marked duplicate, and no second one stored.
    let (_, body) = m.post("/v1/usage", TOKEN, usage(1, 5, "req-1")).await;
    let again: UsageReceipt = serde_json::from_value(body).unwrap();
    assert!(again.duplicate);
    assert_eq!(again.receipt, first.receipt);
    assert_eq!(m.store.receipt_counts().unwrap(), (1, 1));
    // The same request id with other units is a conflict, not the first receipt.
    let (status, body) = m.post("/v1/usage", TOKEN, usage(1, 2, "req-1")).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error"], "request_id_conflict");
    // A batch of events, one a retry of the request above.
    let (status, body) = m
        .post(
            "/v1/usage/batch",
            TOKEN,
            json!({ "events": [usage(1, 1, "req-2"), usage(1, 5, "req-1"), usage(1, 3, "req-3")] }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let rs: UsageReceipts = serde_json::from_value(body).unwrap();
    let ids: Vec<(u64, bool)> = rs
        .receipts
        .iter()
        .map(|r| (r.receipt.receipt.receipt_id, r.duplicate))
        .collect();
    assert_eq!(ids, vec![(2, false), (1, true), (3, false)]);
    assert_eq!(m.store.max_receipt_id(1).unwrap(), 3);
}

#[tokio::test]
async fn refusals_are_typed_json_errors() {
    let m = meter().await;
    let cases = [
        ("/v1/usage", "wrong-token", usage(1, 1, "a"), 401, "unauthorized"),
        ("/v1/usage", TOKEN, usage(1, 0, "a"), 400, "zero_units"),
        (
            "/v1/usage",
            TOKEN,
            usage(1, 1_000_001, "a"),
            400,
            "too_many_units",
        ),
        ("/v1/usage", TOKEN, usage(9, 1, "a"), 400, "unknown_model"),
        ("/v1/usage", TOKEN, usage(2, 1, "a"), 400, "operator_not_allowed"),
        ("/v1/usage", TOKEN, usage(1, 1, ""), 400, "bad_request_id"),
        // A NUL (which PostgreSQL's text refuses, failing every client's events of the
        // commit group) or any control character, in the request id or the reference.
        ("/v1/usage", TOKEN, usage(1, 1, "a\u{0}b"), 400, "bad_request_id"),
        ("/v1/usage", TOKEN, usage(1, 1, "a\nb"), 400, "bad_request_id"),
        (
            "/v1/usage",
            TOKEN,
            json!({ "model_id": 1, "units": 1, "request_id": "r", "reference": "x\u{0}" }),
            400,
            "bad_reference",
        ),
        (
            "/v1/usage/batch",
            TOKEN,
            json!({ "events": [] }),
            400,
            "empty_batch",
        ),
        // One bad event refuses the whole batch.
        (
            "/v1/usage/batch",
            TOKEN,
            json!({ "events": [usage(1, 1, "ok"), usage(1, 0, "zero")] }),
            400,
            "zero_units",
        ),
    ];
    for (path, token, body, status, code) in cases {
        let (got, answer) = m.post(path, token, body.clone()).await;
        assert_eq!(
            (got, answer["error"].as_str().unwrap()),
            (status, code),
            "{body} → {answer}"
        );
    }
    assert_eq!(m.store.receipt_counts().unwrap(), (0, 0), "nothing was signed");
    // Shutting down: usage is refused with 503, health says so too.
    m.stopping.store(true, Ordering::SeqCst);
    let (got, answer) = m.post("/v1/usage", TOKEN, usage(1, 1, "late")).await;
    assert_eq!((got, answer["error"].as_str().unwrap()), (503, "shutting_down"));
    let (got, _) = m.get(&format!("{}/healthz", m.base)).await;
    assert_eq!(got, 503);
}

#[tokio::test]
async fn posted_batches_are_served_as_pages_and_proofs() {
    let m = meter().await;
    let events: Vec<Value> = (0..25).map(|i| usage(1, i % 4 + 1, &format!("r{i}"))).collect();
    let (status, _) = m
        .post("/v1/usage/batch", TOKEN, json!({ "events": events }))
        .await;
    assert_eq!(status, 200);
    let b1 = m.post_batch(1, 1, 20).await;
    // Receipts 21-25 are in no posted batch yet: no proof, no page of batch 2.
    let (status, body) = m.get(&proof_url(&m.base, 1, 21)).await;
    assert_eq!((status, body["error"].as_str().unwrap()), (404, "not_found"));
    let (status, _) = m.get(&leaves_url(&m.base, 1, 2, 0, 10)).await;
    assert_eq!(status, 404);

    // Pages of 8: 8 + 8 + 4 leaves, in id order, the root of the whole batch on each.
    let mut leaves = vec![];
    let mut offset = Some(0);
    while let Some(o) = offset {
        let (status, body) = m.get(&leaves_url(&m.base, 1, 1, o, 8)).await;
        assert_eq!(status, 200, "{body}");
        let page: LeavesPage = serde_json::from_value(body).unwrap();
        assert_eq!(
            (page.count, page.root.clone(), page.offset),
            (20, b1.root.clone(), o)
        );
        leaves.extend(page.receipts);
        offset = page.next_offset;
    }
    let ids: Vec<u64> = leaves.iter().map(|r| r.receipt.receipt_id).collect();
    assert_eq!(ids, (1..=20).collect::<Vec<u64>>());
    // The served leaves rebuild the posted root.
    let tree = BatchTree::build(leaves).unwrap();
    assert_eq!(tree.tree.commitment().root.to_vec(), b1.root.to_vec());
    assert_eq!(tree.tree.commitment().total, b1.total_units.u128());
    let (status, _) = m.get(&leaves_url(&m.base, 1, 1, 0, 10_001)).await;
    assert_eq!(status, 400, "a page above MAX_LEAVES_PAGE");

    // Every receipt's proof walks to the batch's root.
    for id in [1, 2, 13, 20] {
        let (status, body) = m.get(&proof_url(&m.base, 1, id)).await;
        assert_eq!(status, 200, "{body}");
        let p: InclusionProof = serde_json::from_value(body).unwrap();
        assert_eq!((p.seq, p.receipt.receipt.receipt_id), (1, id));
        let c = tree.tree.commitment();
        c.includes(
            Node::leaf(&p.receipt.receipt.digest(), p.receipt.receipt.units as u128),
            &p.path,
        )
        .unwrap();
    }

    // Final on chain: its proofs are served from the cached tree; a final batch whose
    // tree is not cached is not rebuilt for a proof (a rebuild per request for old
    // batches was anyone's lever on the meter), its leaves are still served.
    let b2 = m.post_batch(2, 21, 25).await;
    for seq in [1, 2] {
        m.writer
            .write(vec![Write::BatchState {
                model_id: 1,
                seq,
                state: BatchState::Final,
            }])
            .await
            .unwrap();
    }
    let (status, _) = m.get(&proof_url(&m.base, 1, 2)).await;
    assert_eq!(status, 200, "cached");
    let (status, body) = m.get(&proof_url(&m.base, 1, 21)).await;
    assert_eq!(
        (status, body["error"].as_str().unwrap()),
        (410, "batch_final"),
        "{body}"
    );
    let (status, body) = m.get(&leaves_url(&m.base, 1, 2, 0, 8)).await;
    assert_eq!(
        (status, body["root"].as_str()),
        (200, Some(b2.root.to_hex().as_str()))
    );

    // Metrics: the figures of the store and the requests.
    let text = m
        .http
        .get(format!("{}/metrics", m.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for line in [
        "attrib_meter_receipts_total 25",
        "attrib_meter_pending_receipts 0",
        "attrib_meter_batches{state=\"final\"} 2",
        "attrib_meter_ack_latency_seconds_count 1",
    ] {
        assert!(text.lines().any(|l| l == line), "{line} missing from\n{text}");
    }
}

/// A harness that deleted a row before the batch closed made a batch with a gap in its
/// ids: its leaves are still served by position (as it was posted), so an auditor can
/// fetch them all and prove the omission.
#[tokio::test]
async fn a_batch_with_a_gap_in_its_ids_is_served_by_position() {
    // The harness deletes the row with SQL of the SQLite file; the paging it tests is the
    // publisher's, the same on either backend.
    if std::env::var("ATTRIB_TEST_PG_URL").is_ok() {
        eprintln!("a_batch_with_a_gap_in_its_ids_is_served_by_position: the SQLite store's harness; skipped on PostgreSQL");
        return;
    }
    let m = meter().await;
    // Receipt 3's row gone from the store (a test harness's hand) before batch 1 of 1-7:
    // the batch has 6 leaves, and its pages are by position, not by id.
    let events: Vec<Value> = (0..7).map(|i| usage(1, 1, &format!("r{i}"))).collect();
    let (status, _) = m
        .post("/v1/usage/batch", TOKEN, json!({ "events": events }))
        .await;
    assert_eq!(status, 200);
    let n = rusqlite::Connection::open(m._dir.path().join("meter.db"))
        .unwrap()
        .execute("DELETE FROM receipts WHERE model_id = 1 AND receipt_id = 3", [])
        .unwrap();
    assert_eq!(n, 1);
    let b = m.post_batch(1, 1, 7).await;
    assert_eq!((b.first_id, b.last_id, b.count), (1, 7, 6));
    let mut ids = vec![];
    let mut offset = Some(0);
    while let Some(o) = offset {
        let (status, body) = m.get(&leaves_url(&m.base, 1, 1, o, 2)).await;
        assert_eq!(status, 200, "{body}");
        let page: LeavesPage = serde_json::from_value(body).unwrap();
        assert_eq!((page.count, page.offset, page.receipts.len()), (6, o, 2));
        ids.extend(page.receipts.iter().map(|r| r.receipt.receipt_id));
        offset = page.next_offset;
    }
    assert_eq!(ids, vec![1, 2, 4, 5, 6, 7]);
    let (status, body) = m.get(&leaves_url(&m.base, 1, 1, 6, 2)).await;
    assert_eq!(
        (status, body["receipts"].as_array().map(Vec::len)),
        (200, Some(0))
    );
}
