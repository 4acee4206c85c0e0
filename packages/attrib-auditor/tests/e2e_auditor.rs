//! The auditor on a real chain: an operator posts five batches with the `attrib` CLI —
//! honest, one receipt dropped, one receipt's units altered, one receipt's id carried under
//! another epoch, and one whose leaves it withholds (the leaves server below answers 404).
//! The auditor process (the real binary), holding copies of the receipts, catches each on
//! its own inside the dispute window and files; the batches are voided and the operator
//! slashed. Restarted on the same store, it files nothing again.
//!
//! Needs a deployed chain (ATTRIB_* variables, as for the CLI's end-to-end tests) and the
//! `attrib` binary built in the same target folder (`cargo build -p attrib-cli`).

mod chain;
#[path = "../../attrib-cli/tests/common/mod.rs"]
mod common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use attrib_cli::keys::KeyStore;
use attrib_cli::receipts::{read_receipts, sign_bytes};
use attrib_cli::service::{ForwardedReceipts, LeavesPage};
use attrib_std::receipts::{Receipt, SignedReceipt};
use axum::extract::{Path as UrlPath, Query, State};
use axum::http::StatusCode;
use axum::Json;
use chain::*;
use common::*;
use serde_json::Value;

/// Published leaves by (model, seq): the whole batch; pages are cut on request.
type Published = Arc<Mutex<HashMap<(u64, u64), LeavesPage>>>;

#[derive(serde::Deserialize)]
struct PageQuery {
    offset: u64,
    limit: u64,
}

async fn leaves(
    State(p): State<Published>,
    UrlPath((model, seq)): UrlPath<(u64, u64)>,
    Query(q): Query<PageQuery>,
) -> Result<Json<LeavesPage>, StatusCode> {
    let all = p
        .lock()
        .unwrap()
        .get(&(model, seq))
        .cloned()
        .ok_or(StatusCode::NOT_FOUND)?;
    let end = (q.offset + q.limit).min(all.count);
    Ok(Json(LeavesPage {
        offset: q.offset,
        receipts: all.receipts[q.offset as usize..end as usize].to_vec(),
        next_offset: (end < all.count).then_some(end),
        ..all
    }))
}

#[test]
#[ignore = "needs a chain: run scripts/e2e-auditor.sh"]
fn the_auditor_catches_each_fraud_on_its_own() {
    let nonce = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_nanos();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let file = |name: &str| d.join(name).to_string_lossy().to_string();

    // A licensed dataset version, a bonded operator with its key registered, five models.
    let lineage = licensed_lineage(d, nonce);
    let scenarios = ["honest", "dropped", "altered", "relabelled", "withheld"];
    let models: HashMap<&str, u64> = scenarios.iter().map(|s| (*s, model(&lineage))).collect();
    let (operator, auditor) = (address("operator"), address("auditor"));

    // Six receipts of 2 units per model, signed by the operator; the batch each posts.
    let home = std::env::var("ATTRIB_HOME").expect("ATTRIB_HOME");
    let op_key = KeyStore::open(std::path::Path::new(&home))
        .unwrap()
        .signer("operator", "wasm")
        .unwrap();
    let published: Published = Default::default();
    let mut held: HashMap<&str, Vec<SignedReceipt>> = HashMap::new();
    let mut batches: HashMap<&str, String> = HashMap::new();
    for s in scenarios {
        let m = models[s].to_string();
        let signed = file(&format!("{s}.jsonl"));
        ok(&[
            "receipts",
            "sign",
            "--from",
            "operator",
            "--model-id",
            &m,
            "--first-id",
            "1",
            "--count",
            "6",
            "--units",
            "2",
            "--out",
            &signed,
        ]);
        let mut receipts = read_receipts(std::path::Path::new(&signed)).unwrap();
        let input = file(&format!("{s}-posted-in.jsonl"));
        let mut posted = receipts.clone();
        if s == "altered" {
            posted[3].receipt.units = 1;
        }
        if s == "relabelled" {
            // The user holds receipt 3 labelled with the next epoch; the batch carries
            // id 3 under its own epoch.
            let r = Receipt {
                epoch: receipts[2].receipt.epoch + 1,
                ..receipts[2].receipt.clone()
            };
            let signature = sign_bytes(&op_key, &r.sign_bytes());
            receipts[2] = SignedReceipt {
                receipt: r,
                signature,
            };
        }
        let lines: String = posted
            .iter()
            .map(|r| serde_json::to_string(r).unwrap() + "\n")
            .collect();
        std::fs::write(&input, lines).unwrap();
        let out = file(&format!("{s}-batch.json"));
        let mut args = vec!["receipts", "build", "--in", &input, "--out", &out];
        if s == "dropped" {
            args.extend(["--omit", "3"]);
        }
        let b = ok(&args);
        if s != "withheld" {
            let leaves = read_receipts(std::path::Path::new(b["receipts_file"].as_str().unwrap())).unwrap();
            let page = LeavesPage {
                model_id: models[s],
                operator: operator.clone(),
                seq: 1,
                epoch: b["epoch"].as_u64().unwrap(),
                first_id: b["first_id"].as_u64().unwrap(),
                last_id: b["last_id"].as_u64().unwrap(),
                count: b["count"].as_u64().unwrap(),
                total_units: uint(&b["total_units"]).into(),
                root: serde_json::from_value(b["root"].clone()).unwrap(),
                offset: 0,
                receipts: leaves,
                next_offset: None,
            };
            published.lock().unwrap().insert((models[s], 1), page);
        }
        held.insert(s, receipts);
        batches.insert(s, out);
    }

    // The operator's leaves server (404 for the withheld batch).
    let rt = tokio::runtime::Runtime::new().unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let data_uri = format!("http://{}", listener.local_addr().unwrap());
    let app = axum::Router::new()
        .route("/v1/batches/{model}/{seq}/leaves", axum::routing::get(leaves))
        .with_state(published.clone());
    rt.spawn(async move {
        let l = tokio::net::TcpListener::from_std(listener).unwrap();
        axum::serve(l, app).await.unwrap();
    });

    // The auditor, watching the operator on the five models.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let api = format!("http://127.0.0.1:{port}");
    let db = d.join("auditor.db");
    let config = d.join("auditor.toml");
    let model_list: Vec<String> = scenarios.iter().map(|s| models[s].to_string()).collect();
    std::fs::write(
        &config,
        format!(
            "listen = \"127.0.0.1:{port}\"\ndb = \"{}\"\npoll_ms = 300\nmax_inclusion_requests = 1\n\n[[operators]]\naddress = \"{operator}\"\ndata_uri = \"{data_uri}\"\nmodels = [{}]\n",
            db.display(),
            model_list.join(", ")
        ),
    )
    .unwrap();
    let log = d.join("auditor.log");
    let mut proc = start_auditor(&config, &log);
    let http = reqwest::Client::new();
    let get = |path: &str| rt.block_on(async { http.get(format!("{api}{path}")).send().await?.text().await });
    wait_for(30, &log, "healthz", || get("/healthz").is_ok_and(|t| t == "ok"));

    // Users forward their receipts; a forged one (units raised) is refused.
    for s in scenarios {
        let body = ForwardedReceipts {
            receipts: held[s].clone(),
        };
        let got: Value = rt
            .block_on(async {
                http.post(format!("{api}/v1/receipts"))
                    .json(&body)
                    .send()
                    .await?
                    .json()
                    .await
            })
            .unwrap();
        assert_eq!(got["accepted"], 6, "{s}: {got}");
    }
    let mut forged = held["honest"][0].clone();
    forged.receipt.units = 200;
    forged.receipt.receipt_id = 99;
    let got: Value = rt
        .block_on(async {
            http.post(format!("{api}/v1/receipts"))
                .json(&ForwardedReceipts {
                    receipts: vec![forged],
                })
                .send()
                .await?
                .json()
                .await
        })
        .unwrap();
    assert_eq!(
        (
            got["accepted"].as_u64(),
            got["rejected"][0]["receipt_id"].as_u64()
        ),
        (Some(0), Some(99))
    );

    // The operator posts its five batches.
    let stake0 = operator_bonded();
    let auditor0 = balance("auditor", "uatr");
    for s in scenarios {
        ok(&["receipts", "submit", "--from", "operator", "--batch", &batches[s]]);
    }
    let status =
        |s: &str| ok(&["q", "oracle", "batch", &models[s].to_string(), "operator", "1"])["status"].clone();

    // Each fraud is caught and filed by the auditor alone; the withheld batch after the
    // inclusion request's response deadline.
    let expect = [
        ("dropped", "omitted_receipt"),
        ("altered", "altered_receipt"),
        ("relabelled", "wrong_epoch"),
        ("withheld", "inclusion_unanswered"),
    ];
    wait_for(120, &log, "every fraudulent batch voided", || {
        expect.iter().all(|(s, _)| status(s).get("voided").is_some())
    });
    for (s, reason) in expect {
        let v = status(s);
        assert_eq!(v["voided"]["challenger"], auditor.as_str(), "{s}: {v}");
        if reason != "inclusion_unanswered" {
            assert_eq!(v["voided"]["reason"], reason, "{s}: {v}");
        }
    }
    assert_eq!(status("honest"), "pending", "the honest batch is left alone");
    let stake1 = operator_bonded();
    assert!(
        stake1 * 10_000 <= stake0 * 8_000,
        "slashed at least once by 20 %: {stake0} → {stake1}"
    );

    // The auditor settles its filings on the next block it follows.
    wait_for(30, &log, "every filing settled", || {
        report(&db)["filings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["outcome"] == "won")
    });
    let r = report(&db);
    let filings = r["filings"].as_array().unwrap();
    let of = |kind: &str| -> Vec<&Value> { filings.iter().filter(|f| f["kind"] == kind).collect() };
    for kind in ["omitted_receipt", "altered_receipt", "wrong_epoch"] {
        let f = of(kind);
        assert_eq!(f.len(), 1, "{kind}: {filings:?}");
        assert_eq!(f[0]["outcome"], "won", "{kind}: {f:?}");
    }
    assert_eq!(of("request_inclusion").len(), 1, "{filings:?}");
    assert_eq!(of("expire_inclusion").len(), 1, "{filings:?}");
    // The relabelled receipt (signed for the next epoch, never posted under it) is also a
    // late omission by the oracle's rule; the auditor may file that too, and the oracle
    // upholds it. Nothing else is filed.
    let late = of("late_omission");
    assert!(
        late.iter()
            .all(|f| f["model_id"].as_u64() == Some(models["relabelled"]) && f["outcome"] == "won"),
        "{filings:?}"
    );
    assert_eq!(filings.len(), 5 + late.len(), "{filings:?}");
    let verdict = |m: u64| {
        r["batches"]
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["model_id"] == m)
            .map(|b| b["verdict"].as_str().unwrap().to_string())
    };
    assert_eq!(verdict(models["honest"]).as_deref(), Some("honest"));
    assert_eq!(verdict(models["withheld"]).as_deref(), Some("unavailable"));
    let metrics = get("/metrics").unwrap();
    assert!(
        metrics.lines().any(|l| l == "attrib_auditor_receipts_held 30"),
        "{metrics}"
    );
    assert!(
        metrics
            .lines()
            .any(|l| l == "attrib_auditor_receipts_rejected_total 1"),
        "{metrics}"
    );
    assert!(proc.stop().success(), "graceful shutdown");

    // Restarted on the same store: nothing is filed again, no fee is spent.
    let filed = filings.len();
    let auditor1 = balance("auditor", "uatr");
    assert!(auditor1 != auditor0, "the auditor paid fees and was paid");
    let mut proc = start_auditor(&config, &log.with_extension("2.log"));
    wait_for(30, &log, "healthz after restart", || {
        get("/healthz").is_ok_and(|t| t == "ok")
    });
    let height = ok(&["status"])["height"].as_u64().unwrap_or(0);
    wait_for(30, &log, "a few blocks", || {
        ok(&["status"])["height"].as_u64().unwrap_or(0) >= height + 4
    });
    assert!(proc.stop().success());
    assert_eq!(report(&db)["filings"].as_array().unwrap().len(), filed);
    assert_eq!(
        balance("auditor", "uatr"),
        auditor1,
        "no transaction after the restart"
    );
}
