//! Review of attrib-meter (issue 13) as an attacker: each test states a property the
//! meter must hold and fails today where the review found it broken (see the commit
//! message for which). No chain: the real writer and SQLite store, the API in-process.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use attrib_cli::keys::Signer;
use attrib_cli::service::{proof_url, InclusionProof, UsageEvent, UsageReceipt};
use attrib_meter::api::{router, ApiState, Labels, Models};
use attrib_meter::batcher::record_of;
use attrib_meter::clock::ChainTime;
use attrib_meter::metrics::Metrics;
use attrib_meter::publish::{inclusion_proof, BatchTree, TreeCache};
use attrib_meter::sqlite::SqliteStore;
use attrib_meter::store::{BatchRecord, BatchState, Store, StoredReceipt, Write};
use attrib_meter::writer::{self, Issuer, WriterHandle};
use attrib_std::receipts::{Node, SignedReceipt};
use attrib_std::rewards::EpochClock;
use serde_json::{json, Value};

const TOKEN_A: &str = "gateway-a-secret";
const TOKEN_B: &str = "gateway-b-secret";
const CLOCK: EpochClock = EpochClock {
    epoch_start: 0,
    epoch_secs: 3600,
};

fn operator() -> Signer {
    let doc: Value = serde_json::from_str(include_str!("../../../scripts/test-accounts.json")).unwrap();
    Signer::from_mnemonic(
        "operator",
        doc["accounts"][12]["mnemonic"].as_str().unwrap(),
        "wasm",
    )
    .unwrap()
}

fn issuer() -> Issuer {
    Issuer {
        chain_id: "attrib-test".into(),
        contract: "wasm1oracle".into(),
        clock: CLOCK,
        signer: operator(),
        time: Arc::new(ChainTime::new(30)),
    }
}

/// A store that passes everything to SQLite but can be told to fail: every commit (a
/// full or read-only disk), or the lookup of one request id (an I/O error mid-group).
/// It counts full-batch receipt reads (tree rebuilds).
struct FaultyStore {
    inner: SqliteStore,
    fail_commits: AtomicBool,
    fail_request: Option<String>,
    full_reads: AtomicUsize,
}

impl FaultyStore {
    fn new(path: &std::path::Path) -> Self {
        Self {
            inner: SqliteStore::open(path).unwrap(),
            fail_commits: AtomicBool::new(false),
            fail_request: None,
            full_reads: AtomicUsize::new(0),
        }
    }
}

impl Store for FaultyStore {
    fn commit(&self, writes: &[Write]) -> anyhow::Result<()> {
        if self.fail_commits.load(Ordering::SeqCst) {
            anyhow::bail!("database or disk is full");
        }
        self.inner.commit(writes)
    }
    fn max_receipt_id(&self, m: u64) -> anyhow::Result<u64> {
        self.inner.max_receipt_id(m)
    }
    fn by_request(&self, m: u64, r: &str) -> anyhow::Result<Option<StoredReceipt>> {
        if self.fail_request.as_deref() == Some(r) {
            anyhow::bail!("disk I/O error");
        }
        self.inner.by_request(m, r)
    }
    fn receipts(&self, m: u64, f: u64, l: u64, n: u64) -> anyhow::Result<Vec<SignedReceipt>> {
        if n == u64::MAX {
            self.full_reads.fetch_add(1, Ordering::SeqCst);
        }
        self.inner.receipts(m, f, l, n)
    }
    fn batch(&self, m: u64, s: u64) -> anyhow::Result<Option<BatchRecord>> {
        self.inner.batch(m, s)
    }
    fn batches(&self, m: u64) -> anyhow::Result<Vec<BatchRecord>> {
        self.inner.batches(m)
    }
    fn batches_in(&self, s: BatchState) -> anyhow::Result<Vec<BatchRecord>> {
        self.inner.batches_in(s)
    }
    fn receipt_counts(&self) -> anyhow::Result<(u64, u64)> {
        self.inner.receipt_counts()
    }
    fn meta(&self, e: &[(&str, &str)]) -> anyhow::Result<Vec<String>> {
        self.inner.meta(e)
    }
}

struct Meter {
    base: String,
    store: Arc<FaultyStore>,
    writer: WriterHandle,
    trees: Arc<TreeCache>,
    http: reqwest::Client,
    _dir: tempfile::TempDir,
}

/// A meter of model 1 with two clients (A and B), over a [`FaultyStore`] shared by the
/// writer and the readers.
async fn meter_with(fail_request: Option<&str>) -> Meter {
    meter_labelling(fail_request, None).await
}

/// [`meter_with`], refusing usage at an epoch's end as `labels` says.
async fn meter_labelling(fail_request: Option<&str>, labels: Option<Labels>) -> Meter {
    let dir = tempfile::tempdir().unwrap();
    let mut store = FaultyStore::new(&dir.path().join("meter.db"));
    store.fail_request = fail_request.map(str::to_string);
    let store = Arc::new(store);
    let (writer, _thread) = writer::spawn(store.clone(), issuer(), HashMap::new());
    let models = Arc::new(Models::new(&[1]));
    models.set_allowed(1, true);
    let trees = Arc::new(TreeCache::default());
    let state = Arc::new(ApiState {
        writer: writer.clone(),
        store: store.clone(),
        tokens: HashMap::from([
            (TOKEN_A.to_string(), "gateway-a".to_string()),
            (TOKEN_B.to_string(), "gateway-b".to_string()),
        ]),
        models,
        metrics: Arc::new(Metrics::default()),
        trees: trees.clone(),
        operator: operator().address.to_string(),
        max_units: 1_000_000,
        time: Arc::new(ChainTime::new(30)),
        stopping: Arc::new(AtomicBool::new(false)),
        labels,
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router(state)).await.unwrap() });
    Meter {
        base,
        store,
        writer,
        trees,
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
        (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
    }

    /// Records receipts `first..=last` of model 1 as a posted batch `seq`.
    async fn post_batch(&self, seq: u64, first: u64, last: u64) -> BatchRecord {
        let tree = BatchTree::build(self.store.receipts(1, first, last, 1_000_000).unwrap()).unwrap();
        let mut b = record_of(1, seq, 0, &tree, None);
        b.state = BatchState::Posted;
        self.writer.write(vec![Write::Batch(b.clone())]).await.unwrap();
        b
    }
}

fn usage(units: u64, request_id: &str) -> Value {
    json!({ "model_id": 1, "units": units, "request_id": request_id })
}

/// Request ids are the caller's: another client that sends the same id (by accident, or
/// replaying ids it saw) must not be answered with the first client's receipt — that
/// both leaks the other client's usage and drops this client's usage unmetered (HTTP
/// 200, `duplicate: true`, nothing stored). Either a receipt of its own or a refusal.
#[tokio::test]
async fn another_clients_request_id_never_returns_its_receipt() {
    let m = meter_with(None).await;
    let (status, body) = m.post("/v1/usage", TOKEN_B, usage(5, "req-42")).await;
    assert_eq!(status, 200, "{body}");
    let b: UsageReceipt = serde_json::from_value(body).unwrap();

    let (status, body) = m.post("/v1/usage", TOKEN_A, usage(9, "req-42")).await;
    if status == 200 {
        let a: UsageReceipt = serde_json::from_value(body).unwrap();
        assert_ne!(
            a.receipt, b.receipt,
            "client A got client B's receipt (units {}) for its own 9 units, marked duplicate={}",
            a.receipt.receipt.units, a.duplicate
        );
    } else {
        assert_eq!(status, 409, "{body}");
    }
}

/// The reference is free text stored with every receipt: a client must not be able to
/// store megabytes per receipt (the request id is capped at 256 bytes; the reference is
/// not capped at all).
#[tokio::test]
async fn an_oversized_reference_is_refused() {
    let m = meter_with(None).await;
    let huge = "x".repeat(1_000_000);
    let (status, body) = m
        .post(
            "/v1/usage",
            TOKEN_A,
            json!({ "model_id": 1, "units": 1, "request_id": "r", "reference": huge }),
        )
        .await;
    assert_eq!(status, 400, "a 1 MB reference was taken: {body}");
}

/// Issue 13: "a full or read-only store (503, never an acknowledgement it cannot keep)".
#[tokio::test]
async fn a_full_store_answers_503() {
    let m = meter_with(None).await;
    m.store.fail_commits.store(true, Ordering::SeqCst);
    let (status, body) = m.post("/v1/usage", TOKEN_A, usage(1, "r1")).await;
    assert_eq!(status, 503, "{body}");
}

/// One request is all or nothing: when the store fails while the writer handles it, the
/// caller gets an error and nothing of the request is kept — today the events before the
/// failing one are committed (and billed) although the caller was told it failed.
#[tokio::test]
async fn a_request_that_fails_keeps_none_of_its_events() {
    let m = meter_with(Some("boom")).await;
    let (status, body) = m
        .post(
            "/v1/usage/batch",
            TOKEN_A,
            json!({ "events": [usage(7, "ok-1"), usage(7, "ok-2"), usage(1, "boom")] }),
        )
        .await;
    assert_ne!(status, 200, "{body}");
    assert_eq!(
        m.store.receipt_counts().unwrap().0,
        0,
        "receipts of a request answered {status} were stored: {:?}",
        m.store.by_request(1, "ok-1").unwrap().map(|r| r.signed.receipt)
    );
}

/// Unauthenticated proof requests must not make the meter rebuild a batch's whole tree
/// per request. The cache keeps 16 trees in insertion order; a caller cycling over 17
/// posted batches misses every time (with 1 000 000-leaf batches, each miss reads a
/// million rows and hashes them on the blocking pool the settler also needs).
#[tokio::test]
async fn proofs_cycling_over_many_batches_do_not_rebuild_a_tree_per_request() {
    let m = meter_with(None).await;
    let batches = 17u64;
    let per = 4u64;
    let events: Vec<Value> = (0..batches * per).map(|i| usage(1, &format!("r{i}"))).collect();
    let (status, _) = m
        .post("/v1/usage/batch", TOKEN_A, json!({ "events": events }))
        .await;
    assert_eq!(status, 200);
    for s in 0..batches {
        m.post_batch(s + 1, s * per + 1, s * per + per).await;
    }
    let before = m.store.full_reads.load(Ordering::SeqCst);
    let rounds = 3;
    for _ in 0..rounds {
        for s in 0..batches {
            let r = m
                .http
                .get(proof_url(&m.base, 1, s * per + 1))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status().as_u16(), 200);
        }
    }
    let rebuilds = m.store.full_reads.load(Ordering::SeqCst) - before;
    assert!(
        rebuilds <= batches as usize,
        "{rebuilds} tree rebuilds for {} proof requests over {batches} batches",
        rounds * batches
    );
}

/// A batch record is written once per seq: `INSERT OR REPLACE` lets the settler's
/// replacement (recorded at the cursor's next seq) silently overwrite a batch the batcher
/// recorded `built` at that same seq and could not broadcast yet.
#[tokio::test]
async fn a_batch_record_at_a_taken_seq_is_refused() {
    let m = meter_with(None).await;
    let events: Vec<Value> = (0..5).map(|i| usage(1, &format!("r{i}"))).collect();
    m.post("/v1/usage/batch", TOKEN_A, json!({ "events": events }))
        .await;
    let built = {
        let t = BatchTree::build(m.store.receipts(1, 4, 5, 10).unwrap()).unwrap();
        record_of(1, 3, 0, &t, None)
    };
    m.writer.write(vec![Write::Batch(built.clone())]).await.unwrap();
    let replacement = {
        let t = BatchTree::build(m.store.receipts(1, 1, 3, 10).unwrap()).unwrap();
        record_of(1, 3, 0, &t, Some(1))
    };
    let r = m.writer.write(vec![Write::Batch(replacement)]).await;
    assert!(
        r.is_err(),
        "seq 3 was overwritten: now {:?}",
        m.store.batch(1, 3).unwrap()
    );
}

/// The tree cache is keyed by (model, seq) only. The batcher caches a batch's tree before
/// the batch is recorded; when another batch ends at that seq (the record was refused,
/// or overwritten by a replacement as above), proofs — and the settler's inclusion
/// answers — come from the stale tree: the meter answers wrongly or not at all, and the
/// request expires, voiding its own batch.
#[tokio::test]
async fn a_proof_never_comes_from_a_stale_tree_of_the_same_seq() {
    let m = meter_with(None).await;
    let events: Vec<Value> = (0..5).map(|i| usage(1, &format!("r{i}"))).collect();
    m.post("/v1/usage/batch", TOKEN_A, json!({ "events": events }))
        .await;
    // The batcher built receipts 4-5 as seq 3 and cached the tree (batcher::close).
    let stale = BatchTree::build(m.store.receipts(1, 4, 5, 10).unwrap()).unwrap();
    m.trees.put((1, 3), Arc::new(stale));
    // What is posted at seq 3 is receipts 1-3 (the settler's replacement of seq 1).
    let posted = m.post_batch(3, 1, 3).await;
    let p: Result<InclusionProof, _> = inclusion_proof(m.store.as_ref(), &m.trees, "op", 1, 2);
    let p = p.expect("receipt 2 is in posted batch 3");
    let leaf = Node::leaf(&p.receipt.receipt.digest(), p.receipt.receipt.units as u128);
    let tree = BatchTree::build(m.store.receipts(1, 1, 3, 10).unwrap()).unwrap();
    assert_eq!(tree.tree.commitment().root.to_vec(), posted.root.to_vec());
    tree.tree.commitment().includes(leaf, &p.path).unwrap();
}

/// `total_units` is the batch's declared charge basis: a value the store cannot parse
/// must be an error, never 0 (`unwrap_or_default`), which a re-post of a `built` batch
/// would declare on chain (a bad-total fraud against the meter itself).
#[test]
fn a_corrupt_total_units_is_an_error_not_zero() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("m.db");
    let store = SqliteStore::open(&db).unwrap();
    let b = BatchRecord {
        model_id: 1,
        seq: 1,
        epoch: 0,
        first_id: 1,
        last_id: 1,
        count: 1,
        total_units: 7u128.into(),
        root: vec![0u8; 32].into(),
        replaces: None,
        state: BatchState::Built,
    };
    store.commit(&[Write::Batch(b)]).unwrap();
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute("UPDATE batches SET total_units = '7e', state = 'bulit'", [])
        .unwrap();
    let read = store.batch(1, 1);
    assert!(read.is_err(), "a corrupt row read as {read:?}");
}

fn now_secs() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs()
}

/// The writer promises "epochs never go backwards along the ids, even if the clock does",
/// but `last_epoch` starts at 0 on every start: after a restart with the clock set back
/// (NTP step, VM restore), a new receipt is labelled an earlier epoch than receipts with
/// lower ids already acknowledged.
#[tokio::test]
async fn epochs_never_go_backwards_across_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("m.db");
    let store = Arc::new(SqliteStore::open(&db).unwrap());
    // Before the restart the clock ran two epochs ahead: receipt 1 is of epoch now + 2.
    let ahead = CLOCK.epoch_at(now_secs()) + 2;
    let (w, t) = writer::spawn(store.clone(), issuer(), HashMap::new());
    let mut first = w
        .issue(
            "gateway-a",
            vec![UsageEvent {
                model_id: 1,
                units: 1,
                request_id: "before".into(),
                reference: None,
            }],
        )
        .await
        .unwrap()
        .remove(0)
        .receipt;
    w.stop();
    t.join().unwrap();
    // (Rewrite it as the ahead-clock meter signed it.)
    first.receipt.epoch = ahead;
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute("UPDATE receipts SET epoch = ?1", [ahead as i64])
        .unwrap();

    let next = HashMap::from([(1, store.max_receipt_id(1).unwrap() + 1)]);
    let (w, t) = writer::spawn(store.clone(), issuer(), next);
    let second = w
        .issue(
            "gateway-a",
            vec![UsageEvent {
                model_id: 1,
                units: 1,
                request_id: "after".into(),
                reference: None,
            }],
        )
        .await
        .unwrap()
        .remove(0)
        .receipt;
    w.stop();
    t.join().unwrap();
    assert_eq!(second.receipt.receipt_id, 2);
    assert!(
        second.receipt.epoch >= first.receipt.epoch,
        "receipt 2 labelled epoch {} after receipt 1 of epoch {}",
        second.receipt.epoch,
        first.receipt.epoch
    );
}

/// A cached tree keeps leaves, not receipts (a million receipts were ~300 MB of the
/// meter's memory): a proof reads its receipt back from the store and checks it against
/// its leaf, so a receipt changed under a built tree is an error, never a wrong proof.
#[tokio::test]
async fn a_receipt_changed_under_a_built_tree_gives_an_error_not_a_proof() {
    let m = meter_with(None).await;
    let events: Vec<Value> = (0..3).map(|i| usage(1, &format!("r{i}"))).collect();
    m.post("/v1/usage/batch", TOKEN_A, json!({ "events": events }))
        .await;
    let posted = m.post_batch(1, 1, 3).await;
    let p = inclusion_proof(m.store.as_ref(), &m.trees, "op", 1, 2).unwrap();
    let leaf = Node::leaf(&p.receipt.receipt.digest(), p.receipt.receipt.units as u128);
    let root = BatchTree::build(m.store.receipts(1, 1, 3, 10).unwrap()).unwrap();
    assert_eq!(root.tree.commitment().root.to_vec(), posted.root.to_vec());
    root.tree.commitment().includes(leaf, &p.path).unwrap();
    let db = rusqlite::Connection::open(m._dir.path().join("meter.db")).unwrap();
    db.execute(
        "UPDATE receipts SET units = 99 WHERE model_id = 1 AND receipt_id = 2",
        [],
    )
    .unwrap();
    let err = inclusion_proof(m.store.as_ref(), &m.trees, "op", 1, 2).unwrap_err();
    assert!(err.to_string().contains("no longer makes its leaf"), "{err}");
    let other = inclusion_proof(m.store.as_ref(), &m.trees, "op", 1, 3).unwrap();
    assert_eq!(other.receipt.receipt.receipt_id, 3);
}

/// Review of issue 13: an inclusion request is answered with the requester's own
/// receipt when it makes the tree's leaf, so a receipt row lost from the store (a disk
/// fault, a bad restore) does not cost the answer — and the operator a slash — while the
/// tree is at hand. A requested receipt that is not the leaf is answered from the store
/// (or not at all), never with the requester's altered copy.
#[tokio::test]
async fn an_inclusion_request_is_answered_from_the_requesters_receipt() {
    let m = meter_with(None).await;
    let events: Vec<Value> = (0..3).map(|i| usage(1, &format!("r{i}"))).collect();
    m.post("/v1/usage/batch", TOKEN_A, json!({ "events": events }))
        .await;
    let posted = m.post_batch(1, 1, 3).await;
    let held = m.store.receipts(1, 1, 3, 10).unwrap();
    let tree = BatchTree::build(held.clone()).unwrap();
    let db = rusqlite::Connection::open(m._dir.path().join("meter.db")).unwrap();
    db.execute("DELETE FROM receipts WHERE model_id = 1 AND receipt_id = 2", [])
        .unwrap();
    let (leaf, path) = tree.answer(m.store.as_ref(), &held[1].receipt).unwrap().unwrap();
    assert_eq!(leaf, held[1].receipt);
    let c = tree.tree.commitment();
    assert_eq!(c.root.to_vec(), posted.root.to_vec());
    c.includes(Node::leaf(&leaf.digest(), leaf.units as u128), &path)
        .unwrap();
    // An altered copy is not the leaf: the store is asked, and its row is gone.
    let mut altered = held[1].receipt.clone();
    altered.units += 1;
    let err = tree.answer(m.store.as_ref(), &altered).unwrap_err();
    assert!(err.to_string().contains("is gone from the store"), "{err}");
    let mut altered3 = held[2].receipt.clone();
    altered3.units += 1;
    let (leaf3, _) = tree.answer(m.store.as_ref(), &altered3).unwrap().unwrap();
    assert_eq!(leaf3, held[2].receipt, "the leaf, not the altered copy");
    let mut absent = held[2].receipt.clone();
    absent.receipt_id = 9;
    assert_eq!(tree.answer(m.store.as_ref(), &absent).unwrap(), None);
}

/// Item 5 of the review: the oracle's epochs are 100 s with a 20 s posting grace and the
/// current one ends in 10 s, so its deadline is 30 s away, under the 60 s a batch needs:
/// usage is refused (503 `epoch_closing`, the seconds to wait) and nothing is stored —
/// no receipt the oracle would refuse is given, and no id is used up.
#[tokio::test]
async fn usage_is_refused_while_the_epochs_posting_deadline_is_too_near() {
    let now = ChainTime::new(30).now();
    let oracle_config = attrib_receipt_oracle::state::Config {
        registry: cosmwasm_std::Addr::unchecked("r"),
        curator_staking: cosmwasm_std::Addr::unchecked("s"),
        reward_pool: cosmwasm_std::Addr::unchecked("p"),
        epoch_start: now + 10 - 100,
        params: attrib_receipt_oracle::state::Params {
            epoch_secs: 100,
            posting_grace_secs: 20,
            ..attrib_cli::deploy::local_oracle_params()
        },
    };
    let labels = Labels {
        oracle_config,
        min_posting_secs: 60,
    };
    let m = meter_labelling(None, Some(labels)).await;
    let (status, body) = m.post("/v1/usage", TOKEN_A, usage(5, "late")).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (503, Some("epoch_closing")),
        "{body}"
    );
    assert!(body["message"].as_str().unwrap().contains("retry in"), "{body}");
    assert_eq!(m.store.receipt_counts().unwrap(), (0, 0));
    assert_eq!(m.store.max_receipt_id(1).unwrap(), 0);
}
