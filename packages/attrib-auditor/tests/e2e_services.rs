//! The metering service and the auditor together on a real chain (scripts/e2e-services.sh):
//! the real `attrib-meter` binary meters five models of one operator, usage comes from the
//! real `attrib-loadgen` binary whose clients forward every receipt to the real
//! `attrib-auditor` binary. This test is the harness that makes the operator cheat — it
//! edits the meter's SQLite store after the acknowledgement and before the batch closes,
//! or stops the meter — never a switch of the meter itself:
//! - dropped: receipt 3's row deleted (the batch omits it);
//! - altered: receipt 4's units cut from 2 to 1;
//! - relabelled: the batch's receipts carried under the previous epoch (the users hold
//!   them signed with the current one: a signed receipt of another epoch in its range);
//! - withheld: the meter is stopped once its batch is posted (no leaves, no answers).
//!
//! Relabelled and withheld run on a meter B that is down after posting (the auditor is
//! stopped meanwhile, so it never saw B's leaves, and restarted on its store); the others
//! on a meter A that keeps running. The oracle's epochs are set to a minute (admin
//! `update_params`) so an epoch before the current one exists and still takes batches.
//!
//! With no person acting, the auditor files the right proof inside the window; each batch
//! is voided and the operator slashed 20 % of its bond per fraud. The rows the harness
//! edited on meter A are put back once the auditor has checked the batch (its verdict is
//! recorded before it files, and it holds the leaves by then), so the store is honest
//! again: meter A re-posts those ranges as honest replacements that the auditor leaves
//! alone and the meter finalizes.
//!
//! Needs a deployed chain (ATTRIB_* variables) and the `attrib`, `attrib-meter` and
//! `attrib-loadgen` binaries built in the same target folder.

mod chain;
#[path = "../../attrib-cli/tests/common/mod.rs"]
mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use chain::*;
use common::*;
use rusqlite::Connection;
use serde_json::Value;

/// The bearer token of the test's inference servers at the meters.
const TOKEN: &str = "services-test-token";

/// A binary built beside `attrib` (same target folder).
fn sibling(name: &str) -> PathBuf {
    attrib_bin().with_file_name(name)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A meter of `models` on `port` with its store `db`, signing as `operator`, a pass every
/// `tick_ms`; batches close after 4 s.
fn start_meter(db: &Path, port: u16, models: &[u64], tick_ms: u64, log: &Path) -> Service {
    let models: Vec<String> = models.iter().map(u64::to_string).collect();
    let listen = format!("127.0.0.1:{port}");
    let clients = format!("loadgen:{TOKEN}");
    let db = db.to_str().unwrap();
    let models = models.join(",");
    Service::start(
        &sibling("attrib-meter"),
        &[
            "--from",
            "operator",
            "--yes",
            "--listen",
            &listen,
            "--database",
            db,
            "--models",
            &models,
            "--clients",
            &clients,
            "--max-batch-secs",
            "4",
            "--tick-ms",
            &tick_ms.to_string(),
        ],
        log,
    )
}

/// The body of a successful GET of `url`.
fn get(url: &str) -> Option<String> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let r = reqwest::get(url).await.ok()?;
        if !r.status().is_success() {
            return None;
        }
        r.text().await.ok()
    })
}

/// Waits until the service at `base` answers /healthz.
fn wait_healthy(base: &str, log: &Path) {
    wait_for(30, log, &format!("{base} healthy"), || {
        get(&format!("{base}/healthz")).is_some()
    });
}

/// `attrib-loadgen`: `count` uses of 2 units of `model` at the meter, each receipt
/// forwarded to the auditor; its summary.
fn loadgen(meter: &str, auditor: &str, model: u64, count: u64) -> Value {
    let out = std::process::Command::new(sibling("attrib-loadgen"))
        .args(["--url", meter, "--token", TOKEN, "--forward", auditor])
        .args(["--model-id", &model.to_string(), "--count", &count.to_string()])
        .args(["--units", "2", "--concurrency", "2"])
        .args(["--request-prefix", &format!("m{model}")])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let s: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (s["acknowledged"].as_u64(), s["forwarded"].as_u64()),
        (Some(count), Some(count)),
        "{s}"
    );
    s
}

/// A harness step that undoes its edit of a meter's store.
type PutBack = Box<dyn Fn(&Connection)>;

/// The harness's own connection to a meter's store.
fn store(db: &Path) -> Connection {
    let c = Connection::open(db).unwrap();
    c.busy_timeout(std::time::Duration::from_secs(10)).unwrap();
    c
}

/// scripts/meter_tamper.py `args`: the harness's edit of a meter's store (the demo uses
/// the same script); it fails unless exactly one row changed.
fn tamper(args: &[&str]) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/meter_tamper.py");
    let out = std::process::Command::new("python3")
        .arg(script)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "HARNESS: meter_tamper.py {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The operator's batch `seq` of `model` on chain, if posted.
fn batch(model: u64, seq: u64) -> Option<Value> {
    let out = attrib(&[
        "q",
        "oracle",
        "batch",
        &model.to_string(),
        "operator",
        &seq.to_string(),
    ]);
    if !out.status.success() {
        return None;
    }
    serde_json::from_slice::<Value>(&out.stdout)
        .ok()
        .filter(|v| !v.is_null())
}

/// One-minute oracle epochs (the admin's `update_params`), so that the chain is a few
/// epochs in and an epoch before the current one still takes batches (its posting grace
/// runs): what the relabelling needs.
fn short_oracle_epochs() {
    let mut params = ok(&["q", "oracle", "config"])["params"].clone();
    if params["epoch_secs"] != 60 {
        params["epoch_secs"] = 60.into();
        ok(&[
            "tx",
            "oracle",
            "update-params",
            "--from",
            "admin",
            "--json",
            &params.to_string(),
        ]);
    }
    // A chain younger than one epoch is still in epoch 0: wait for epoch 1 (a fast deploy
    // gets here within the first minute).
    let started = std::time::Instant::now();
    while ok(&["q", "oracle", "epoch"])["current"].as_u64().unwrap() < 1 {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(120),
            "the oracle is still in epoch 0 after 120 s"
        );
        std::thread::sleep(std::time::Duration::from_secs(1));
    }
}

/// Waits for the next oracle epoch unless `secs` are left in this one: a batch of the
/// usage sent now then falls in one epoch.
fn epoch_room(secs: u64) {
    let ends = ok(&["q", "oracle", "epoch"])["ends_at"].as_u64().unwrap();
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
    if ends < now + secs {
        std::thread::sleep(std::time::Duration::from_secs(ends + 2 - now.min(ends)));
    }
}

#[test]
#[ignore = "needs a chain: run scripts/e2e-services.sh"]
fn the_running_auditor_catches_a_cheating_meter() {
    let nonce = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_nanos();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let lineage = licensed_lineage(d, nonce);
    let scenarios = ["honest", "dropped", "altered", "relabelled", "withheld"];
    let models: HashMap<&str, u64> = scenarios.iter().map(|s| (*s, model(&lineage))).collect();
    let (operator, auditor) = (address("operator"), address("auditor"));
    short_oracle_epochs();

    // Two meters of the operator: B (relabelled, withheld) goes down after posting; A
    // (honest, dropped, altered) keeps running.
    let (port_a, port_b, port_auditor) = (free_port(), free_port(), free_port());
    let (meter_a, meter_b) = (
        format!("http://127.0.0.1:{port_a}"),
        format!("http://127.0.0.1:{port_b}"),
    );
    let api = format!("http://127.0.0.1:{port_auditor}");
    let db = d.join("auditor.db");
    let config = d.join("auditor.toml");
    std::fs::write(
        &config,
        format!(
            "listen = \"127.0.0.1:{port_auditor}\"\ndb = \"{}\"\npoll_ms = 300\nmax_inclusion_requests = 1\n\n\
             [[operators]]\naddress = \"{operator}\"\ndata_uri = \"{meter_a}\"\nmodels = [{}, {}, {}]\n\n\
             [[operators]]\naddress = \"{operator}\"\ndata_uri = \"{meter_b}\"\nmodels = [{}, {}]\n",
            db.display(),
            models["honest"],
            models["dropped"],
            models["altered"],
            models["relabelled"],
            models["withheld"],
        ),
    )
    .unwrap();
    let log = d.join("auditor.log");
    let mut auditor_proc = start_auditor(&config, &log);
    wait_healthy(&api, &log);
    let stake0 = operator_bonded();

    // Meter B: usage, the relabelling, the batches posted while the auditor is away (so it
    // never saw B's leaves), then B stops and the auditor comes back.
    let (db_b, log_b) = (d.join("meter-b.db"), d.join("meter-b.log"));
    let mut b = start_meter(
        &db_b,
        port_b,
        &[models["relabelled"], models["withheld"]],
        300,
        &log_b,
    );
    wait_healthy(&meter_b, &log_b);
    epoch_room(30);
    for s in ["relabelled", "withheld"] {
        loadgen(&meter_b, &api, models[s], 6);
    }
    let relabelled = store(&db_b)
        .execute(
            "UPDATE receipts SET epoch = epoch - 1 WHERE model_id = ?1",
            [models["relabelled"] as i64],
        )
        .unwrap();
    assert_eq!(relabelled, 6, "HARNESS: the batch's receipts relabelled");
    assert!(auditor_proc.stop().success(), "graceful shutdown");
    wait_for(60, &log_b, "meter B's batches posted", || {
        batch(models["relabelled"], 1).is_some() && batch(models["withheld"], 1).is_some()
    });
    assert!(b.stop().success(), "HARNESS: meter B stopped after posting");
    let mut auditor_proc = start_auditor(&config, &d.join("auditor-2.log"));
    let log = d.join("auditor-2.log");
    wait_healthy(&api, &log);

    // Meter A: usage; the harness deletes one row and cuts another's units before the
    // batches close, and puts them back once the batches are posted.
    let (db_a, log_a) = (d.join("meter-a.db"), d.join("meter-a.log"));
    let _a = start_meter(
        &db_a,
        port_a,
        &[models["honest"], models["dropped"], models["altered"]],
        2_000,
        &log_a,
    );
    wait_healthy(&meter_a, &log_a);
    epoch_room(30);
    for s in ["honest", "dropped", "altered"] {
        loadgen(&meter_a, &api, models[s], 6);
    }
    let c = store(&db_a);
    // The dropped row is kept aside in a table of the harness's own (whatever columns the
    // meter's schema has), to be put back later: scripts/meter_tamper.py, as the demo does.
    tamper(&[
        "drop",
        db_a.to_str().unwrap(),
        &models["dropped"].to_string(),
        "3",
    ]);
    let n = c
        .execute(
            "UPDATE receipts SET units = 1 WHERE model_id = ?1 AND receipt_id = 4",
            [models["altered"] as i64],
        )
        .unwrap();
    assert_eq!(n, 1, "HARNESS: one receipt altered");
    // Put back once the auditor holds the leaves it proves with (it fetches a pending
    // batch's leaves once; its verdict is recorded before it files, and the meter re-posts
    // a voided range from its store on its next pass): the store is honest again.
    let altered_model = models["altered"] as i64;
    let db_a_path = db_a.to_str().unwrap().to_string();
    let mut restore: Vec<(&str, PutBack)> = vec![
        (
            "dropped",
            Box::new(move |_: &Connection| tamper(&["put-back", db_a_path.as_str()])),
        ),
        (
            "altered",
            Box::new(move |c: &Connection| {
                c.execute(
                    "UPDATE receipts SET units = 2 WHERE model_id = ?1 AND receipt_id = 4",
                    [altered_model],
                )
                .unwrap();
            }),
        ),
    ];
    let until = std::time::Instant::now() + std::time::Duration::from_secs(90);
    while !restore.is_empty() {
        assert!(
            std::time::Instant::now() < until,
            "no fraud verdict on {:?}",
            restore.iter().map(|r| r.0).collect::<Vec<_>>()
        );
        let r = report(&db);
        restore.retain(|(s, put_back)| {
            let fraud = r["batches"]
                .as_array()
                .unwrap()
                .iter()
                .any(|b| b["model_id"] == models[s] && b["seq"] == 1 && b["verdict"] == "fraud");
            if fraud {
                put_back(&c);
            }
            !fraud
        });
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let dropped = batch(models["dropped"], 1).unwrap();
    assert_eq!(
        (dropped["count"].as_u64(), uint(&dropped["total_units"])),
        (Some(5), 10)
    );
    let altered = batch(models["altered"], 1).unwrap();
    assert_eq!(
        (altered["count"].as_u64(), uint(&altered["total_units"])),
        (Some(6), 11)
    );

    // The auditor alone: each fraudulent batch voided on its proof, by the auditor.
    let expect = [
        ("dropped", "omitted_receipt"),
        ("altered", "altered_receipt"),
        ("relabelled", "wrong_epoch"),
        ("withheld", "inclusion_unanswered"),
    ];
    let status = |s: &str| batch(models[s], 1).unwrap()["status"].clone();
    wait_for(150, &log, "every fraudulent batch voided", || {
        expect.iter().all(|(s, _)| status(s).get("voided").is_some())
    });
    for (s, reason) in expect {
        let v = status(s);
        assert_eq!(v["voided"]["challenger"], auditor.as_str(), "{s}: {v}");
        if reason != "inclusion_unanswered" {
            assert_eq!(v["voided"]["reason"], reason, "{s}: {v}");
        }
    }

    // Four frauds, 20 % of the bond each (rounded down, as the staking contract does).
    let stake1 = operator_bonded();
    let expected = (0..4).fold(stake0, |b, _| b - b * 2_000 / 10_000);
    assert_eq!(stake1, expected, "slashed four times 20 %: {stake0} → {stake1}");
    println!("operator bond {stake0} → {stake1} (four frauds at 20 %)");

    // The auditor reports every filing settled: each fraud won. An inclusion request on
    // an honest batch (its leaves not reachable yet when first fetched) is answered by
    // the meter and closes; it is no fraud and no loss but the fee.
    wait_for(30, &log, "every filing settled", || {
        report(&db)["filings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["outcome"] == "won" || f["outcome"] == "closed")
    });
    let r = report(&db);
    let all = r["filings"].as_array().unwrap();
    let answered: Vec<&Value> = all.iter().filter(|f| f["outcome"] == "closed").collect();
    assert!(
        answered
            .iter()
            .all(|f| f["kind"] == "request_inclusion" && f["model_id"].as_u64() != Some(models["withheld"])),
        "only inclusion requests the meter answered close without a win: {all:?}"
    );
    let filings: Vec<&Value> = all.iter().filter(|f| f["outcome"] == "won").collect();
    let of = |kind: &str| -> Vec<&Value> { filings.iter().copied().filter(|f| f["kind"] == kind).collect() };
    for (kind, s) in [
        ("omitted_receipt", "dropped"),
        ("altered_receipt", "altered"),
        ("wrong_epoch", "relabelled"),
        ("request_inclusion", "withheld"),
        ("expire_inclusion", "withheld"),
    ] {
        let f = of(kind);
        assert_eq!(f.len(), 1, "{kind}: {filings:?}");
        assert_eq!(
            (f[0]["model_id"].as_u64(), f[0]["outcome"].as_str()),
            (Some(models[s]), Some("won")),
            "{kind}: {f:?}"
        );
    }
    assert_eq!(filings.len(), 5, "{filings:?}");
    let metrics = get(&format!("{api}/metrics")).unwrap();
    assert!(
        metrics.lines().any(|l| l == "attrib_auditor_receipts_held 30"),
        "{metrics}"
    );
    assert!(metrics.lines().any(|l| l == "attrib_auditor_won 5"), "{metrics}");

    // The store is honest again: meter A re-posts the voided ranges in full (6 receipts,
    // 12 units) as replacements, which the auditor leaves alone and the meter finalizes,
    // with the honest batch.
    wait_for(90, &log_a, "replacements posted and finalized", || {
        ["dropped", "altered"]
            .iter()
            .all(|s| batch(models[s], 2).is_some_and(|b| b["status"] == "finalized"))
            && status("honest") == "finalized"
    });
    for s in ["dropped", "altered"] {
        let b = batch(models[s], 2).unwrap();
        assert_eq!(
            (
                b["replaces"].as_u64(),
                b["count"].as_u64(),
                uint(&b["total_units"])
            ),
            (Some(1), Some(6), 12),
            "{s}: {b}"
        );
    }
    assert_eq!(
        report(&db)["filings"].as_array().unwrap().len(),
        5,
        "nothing more filed"
    );
    assert!(auditor_proc.stop().success());
}
