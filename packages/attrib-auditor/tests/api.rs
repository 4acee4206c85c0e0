//! The auditor's HTTP side and probe without a chain: receipts are kept only when signed
//! by a watched operator of their model, for this chain and oracle; probing buys usage
//! from a meter (a small server here) and keeps the receipt; `/metrics` and `/v1/report`
//! show the store.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use attrib_auditor::api;
use attrib_auditor::config::{Config, Probe, WatchedOperator};
use attrib_auditor::follower::Auditor;
use attrib_auditor::probe::probe_once;
use attrib_auditor::store::Store;
use attrib_cli::context::{Ctx, Global};
use attrib_cli::keys::Signer;
use attrib_cli::receipts::sign_bytes;
use attrib_cli::service::{ForwardedReceipts, UsageEvent, UsageReceipt};
use attrib_std::receipts::{Receipt, SignedReceipt};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use clap::Parser;

const CHAIN: &str = "attrib-test";
const ORACLE: &str = "wasm1oracle";
const MODEL: u64 = 7;

fn account(name: &str) -> Signer {
    let doc: serde_json::Value =
        serde_json::from_str(include_str!("../../../scripts/test-accounts.json")).unwrap();
    let acc = doc["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == name)
        .unwrap();
    Signer::from_mnemonic(name, acc["mnemonic"].as_str().unwrap(), "wasm").unwrap()
}

fn signed(by: &Signer, id: u64) -> SignedReceipt {
    let receipt = Receipt {
        chain_id: CHAIN.into(),
        contract: ORACLE.into(),
        model_id: MODEL,
        epoch: 0,
        receipt_id: id,
        units: 3,
        timestamp: 1,
    };
    let signature = sign_bytes(by, &receipt.sign_bytes());
    SignedReceipt { receipt, signature }
}

#[derive(Parser)]
struct Flags {
    #[command(flatten)]
    g: Global,
}

/// A meter that signs one receipt per usage event for a bearer token "t0k".
async fn usage(
    State(next): State<Arc<AtomicU64>>,
    headers: HeaderMap,
    Json(e): Json<UsageEvent>,
) -> Result<Json<UsageReceipt>, StatusCode> {
    if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some("Bearer t0k") {
        return Err(StatusCode::UNAUTHORIZED);
    }
    let id = next.fetch_add(1, Ordering::SeqCst);
    Ok(Json(UsageReceipt {
        request_id: e.request_id,
        receipt: signed(&account("operator"), id),
        duplicate: false,
    }))
}

async fn serve(app: axum::Router) -> String {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", l.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(l, app).await.unwrap() });
    url
}

#[tokio::test]
async fn receipts_probes_metrics_and_report() {
    let meter = serve(
        axum::Router::new()
            .route("/v1/usage", axum::routing::post(usage))
            .with_state(Arc::new(AtomicU64::new(100))),
    )
    .await;
    let op = account("operator");
    let dir = tempfile::tempdir().unwrap();
    let config = Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        db: dir.path().join("a.db"),
        poll_ms: 1000,
        max_inclusion_requests: 1,
        operators: vec![WatchedOperator {
            address: op.address.to_string(),
            data_uri: meter.clone(),
            models: vec![MODEL],
        }],
        probe: None,
    };
    let g = Flags::parse_from(["t", "--node", "http://127.0.0.1:9", "--chain-id", CHAIN]).g;
    let ctx = Ctx::new(g).unwrap();
    let store = Store::open(&config.db).unwrap();
    let a = Arc::new(Auditor::new(ctx, account("auditor"), ORACLE.into(), config, store).unwrap());
    a.learn_key(op.address.as_ref(), &op.key.public_key().to_bytes())
        .unwrap();

    // Forwarded receipts: kept when the operator signed them for this chain and oracle.
    let good = signed(&op, 1);
    let forged = SignedReceipt {
        receipt: Receipt {
            units: 300,
            ..good.receipt.clone()
        },
        ..good.clone()
    };
    let other_chain = {
        let mut s = signed(&op, 2);
        s.receipt.chain_id = "elsewhere".into();
        s.signature = sign_bytes(&op, &s.receipt.sign_bytes());
        s
    };
    let unwatched_model = {
        let mut s = signed(&op, 3);
        s.receipt.model_id = MODEL + 1;
        s.signature = sign_bytes(&op, &s.receipt.sign_bytes());
        s
    };
    let by_someone_else = signed(&account("alice"), 4);
    let url = serve(api::router(a.clone())).await;
    let http = reqwest::Client::new();
    let body = ForwardedReceipts {
        receipts: vec![
            good.clone(),
            good,
            forged,
            other_chain,
            unwatched_model,
            by_someone_else,
        ],
    };
    let got: serde_json::Value = http
        .post(format!("{url}/v1/receipts"))
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (got["accepted"].as_u64(), got["duplicates"].as_u64()),
        (Some(1), Some(1))
    );
    let rejected: Vec<u64> = got["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["receipt_id"].as_u64().unwrap())
        .collect();
    assert_eq!(rejected, vec![1, 2, 3, 4]);
    assert!(got["rejected"][1]["reason"]
        .as_str()
        .unwrap()
        .contains("chain elsewhere"));

    // Probing: a paid use of the model, its receipt kept; a bad token buys nothing.
    let probe = Probe {
        meter_url: meter.clone(),
        token: "t0k".into(),
        model_id: MODEL,
        units: 2,
        interval_ms: 10,
    };
    let r = probe_once(&a, &probe, 1).await.unwrap();
    assert_eq!(r.receipt.receipt.receipt_id, 100);
    let bad = Probe {
        token: "nope".into(),
        ..probe
    };
    let err = probe_once(&a, &bad, 2).await.unwrap_err().to_string();
    assert!(err.contains("401"), "{err}");
    assert_eq!(held_ids(&a, &op), vec![1, 100]);

    let metrics = http
        .get(format!("{url}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for line in [
        "attrib_auditor_receipts_held 2",
        "attrib_auditor_receipts_rejected_total 4",
    ] {
        assert!(metrics.lines().any(|l| l == line), "{line} in\n{metrics}");
    }
    let report: serde_json::Value = http
        .get(format!("{url}/v1/report"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(report["totals"]["receipts_held"], 2);
    assert_eq!(
        http.get(format!("{url}/healthz"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        "ok"
    );
}

/// The ids of the receipts held for `op` on model `MODEL`.
fn held_ids(a: &Auditor, op: &Signer) -> Vec<u64> {
    a.store()
        .receipts(MODEL, op.address.as_ref())
        .unwrap()
        .iter()
        .map(|s| s.receipt.receipt_id)
        .collect()
}

/// `o`, watched on model `MODEL` (its data URI unused here).
fn watched(o: &Signer) -> WatchedOperator {
    WatchedOperator {
        address: o.address.to_string(),
        data_uri: "http://127.0.0.1:9".into(),
        models: vec![MODEL],
    }
}

/// An auditor of `operators` with its store in `dir`, no chain.
fn offline_auditor(dir: &std::path::Path, operators: Vec<WatchedOperator>) -> Auditor {
    let config = Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        db: dir.join("a.db"),
        poll_ms: 1000,
        max_inclusion_requests: 1,
        operators,
        probe: None,
    };
    let g = Flags::parse_from(["t", "--node", "http://127.0.0.1:9", "--chain-id", CHAIN]).g;
    let store = Store::open(&config.db).unwrap();
    Auditor::new(
        Ctx::new(g).unwrap(),
        account("auditor"),
        ORACLE.into(),
        config,
        store,
    )
    .unwrap()
}

/// Review (attacker): `ingest` verifies a forwarded receipt against the operator's key
/// registered *now* (`Auditor::keys`, replaced wholesale every block by
/// `refresh_keys`). The chain checks a receipt against the key in force during the batch's
/// epoch (SPEC §5.4: "the key that signed a batch is the key its proofs are checked
/// against"). An operator that rotates its key right after serving an epoch makes every
/// receipt forwarded after the rotation "not signed by a watched operator": the auditor
/// refuses the very receipts that prove its batch wrong. The auditor must keep the keys it
/// has seen (or read the key history) and let the chain judge.
#[tokio::test]
async fn a_receipt_signed_with_a_key_the_operator_rotated_away_is_still_kept() {
    let op = account("operator");
    let dir = tempfile::tempdir().unwrap();
    let a = offline_auditor(dir.path(), vec![watched(&op)]);
    // A block while the old key is registered: the auditor reads it (`refresh_keys`).
    a.learn_key(op.address.as_ref(), &op.key.public_key().to_bytes())
        .unwrap();
    let served = signed(&op, 1);
    // The operator rotates (the new key is alice's here); the next block's refresh
    // reads what the oracle registers now.
    let rotated = account("alice").key.public_key().to_bytes();
    a.learn_key(op.address.as_ref(), &rotated).unwrap();
    // The user forwards the receipt served under the old key.
    let got = api::ingest(&a, &[served]).unwrap();
    assert_eq!(got.accepted, 1, "refused: {:?}", got.rejected);
}

/// Review (#6): nothing on chain keeps two operators from registering one public key
/// (`register_operator` takes any key, without proof that the sender holds it), and a
/// receipt does not name its operator: a receipt signed by key K is evidence against the
/// batches of every operator K is registered for. `ingest` kept a forwarded receipt under
/// the first watched operator whose key verified it: an operator B that registers A's
/// public key and is listed before A takes A's receipts off A's batches, and A's
/// under-reporting goes unchecked. A receipt is kept for each watched operator of its
/// model whose keys verify it, and counted once.
#[tokio::test]
async fn a_receipt_is_kept_for_every_watched_operator_its_key_verifies_for() {
    let a_op = account("operator");
    let b_op = account("bob");
    let dir = tempfile::tempdir().unwrap();
    // B is listed first.
    let a = offline_auditor(dir.path(), vec![watched(&b_op), watched(&a_op)]);
    let a_key = a_op.key.public_key().to_bytes();
    a.learn_key(a_op.address.as_ref(), &a_key).unwrap();
    // B registered A's public key.
    a.learn_key(b_op.address.as_ref(), &a_key).unwrap();
    let got = api::ingest(&a, &[signed(&a_op, 1), signed(&a_op, 2)]).unwrap();
    assert_eq!((got.accepted, got.duplicates), (2, 0), "{:?}", got.rejected);
    for op in [&a_op, &b_op] {
        assert_eq!(held_ids(&a, op), vec![1, 2], "held for {}", op.address);
    }
    // Forwarded again: duplicates, once each.
    let got = api::ingest(&a, &[signed(&a_op, 1)]).unwrap();
    assert_eq!((got.accepted, got.duplicates), (0, 1));
}
