//! End-to-end metering on a real wasmd node through the CLI: an operator bonds and
//! registers its key, a licensed model is registered and funded, receipts are signed,
//! treed and posted; an under-reported batch is proven, the operator slashed, the honest
//! totals re-posted and settled. Bad input is refused with a clear error.

mod common;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::*;

fn path(dir: &std::path::Path, name: &str) -> String {
    dir.join(name).to_string_lossy().to_string()
}

#[test]
#[ignore = "needs a chain: run scripts/e2e.sh"]
fn metering_on_a_real_chain() {
    let nonce = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_nanos();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();

    // A sealed, licensed dataset version (optimistic, so it is accepted after the window).
    let schema = register_schema(d, "schema", nonce);
    let tx = ok(&[
        "tx",
        "registry",
        "register-dataset",
        "--from",
        "maintainer",
        "--name",
        "metered",
        "--schema-id",
        &schema,
        "--metadata-uri",
        "ipfs://d",
        "--tier",
        "optimistic",
        "--spdx",
        "CC-BY-4.0",
        "--price",
        "100uatr",
        "--royalty-per-unit",
        "3uatr",
    ]);
    let dataset = event_attr(&tx, "attrib_dataset_registered", "dataset_id").unwrap();
    let records = write_records(d, "bob", 4, nonce);
    let tx = ok(&[
        "tx",
        "registry",
        "register-tranche",
        "--from",
        "bob",
        "--dataset-id",
        &dataset,
        "--records-file",
        &records,
        "--metadata-uri",
        "ipfs://t",
    ]);
    let tranche = event_attr(&tx, "attrib_tranche_registered", "tranche_id").unwrap();
    // A second dataset whose data hides a canary; the model will not declare it.
    let secret = format!("canary record {nonce}: aisle 4, zebra cereal");
    let commitment = {
        use sha2::{Digest, Sha256};
        hex::encode(Sha256::digest(secret.as_bytes()))
    };
    let tx = ok(&[
        "tx",
        "registry",
        "register-dataset",
        "--from",
        "maintainer",
        "--name",
        "canaried",
        "--schema-id",
        &schema,
        "--metadata-uri",
        "ipfs://d2",
        "--tier",
        "optimistic",
        "--spdx",
        "CC-BY-4.0",
        "--royalty-per-unit",
        "1uatr",
        "--canary",
        &commitment,
    ]);
    let hidden = event_attr(&tx, "attrib_dataset_registered", "dataset_id").unwrap();
    let records2 = write_records(d, "carol", 3, nonce);
    let tx = ok(&[
        "tx",
        "registry",
        "register-tranche",
        "--from",
        "carol",
        "--dataset-id",
        &hidden,
        "--records-file",
        &records2,
        "--metadata-uri",
        "ipfs://t2",
    ]);
    let tranche2 = event_attr(&tx, "attrib_tranche_registered", "tranche_id").unwrap();
    let window = ok(&["q", "registry", "config"])["config"]["challenge_window_secs"]
        .as_u64()
        .unwrap();
    std::thread::sleep(Duration::from_secs(window + 1));
    ok(&accept_unchallenged(&tranche));
    ok(&[
        "tx",
        "registry",
        "seal-version",
        "--from",
        "maintainer",
        "--dataset-id",
        &dataset,
        "--tranches",
        &tranche,
    ]);

    ok(&accept_unchallenged(&tranche2));
    ok(&[
        "tx",
        "registry",
        "seal-version",
        "--from",
        "maintainer",
        "--dataset-id",
        &hidden,
        "--tranches",
        &tranche2,
    ]);

    // Without a license, no model.
    let lineage = format!("{dataset}:1:10000");
    let err = fails(&[
        "tx",
        "oracle",
        "register-model",
        "--from",
        "buyer",
        "--metadata-uri",
        "ipfs://m",
        "--lineage",
        &lineage,
        "--royalty-per-unit",
        "3uatr",
    ]);
    assert!(err.contains("holds no valid license"), "{err}");
    ok(&[
        "tx",
        "registry",
        "buy-license",
        "--from",
        "buyer",
        "--dataset-id",
        &dataset,
        "--version",
        "1",
    ]);
    // Below the terms' royalty.
    let err = fails(&[
        "tx",
        "oracle",
        "register-model",
        "--from",
        "buyer",
        "--metadata-uri",
        "ipfs://m",
        "--lineage",
        &lineage,
        "--royalty-per-unit",
        "2uatr",
    ]);
    assert!(err.contains("below what the lineage's terms demand"), "{err}");
    let tx = ok(&[
        "tx",
        "oracle",
        "register-model",
        "--from",
        "buyer",
        "--metadata-uri",
        "ipfs://m",
        "--lineage",
        &lineage,
        "--royalty-per-unit",
        "3uatr",
    ]);
    let model = event_attr(&tx, "attrib_model_registered", "model_id").unwrap();

    // An operator that is not bonded cannot register.
    let err = fails(&["tx", "oracle", "register-operator", "--from", "spammer"]);
    assert!(err.contains("must be bonded as an operator"), "{err}");
    ready_operator();
    ok(&[
        "tx",
        "oracle",
        "set-model-operator",
        "--from",
        "buyer",
        "--model-id",
        &model,
        "--operator",
        "operator",
    ]);
    ok(&[
        "tx",
        "oracle",
        "fund-escrow",
        "--from",
        "buyer",
        "--model-id",
        &model,
        "--amount",
        "10000uatr",
    ]);

    // 300 receipts of 2 units; batch 1 honest, batch 2 leaves out receipt 250.
    let signed = path(d, "signed.jsonl");
    ok(&[
        "receipts",
        "sign",
        "--from",
        "operator",
        "--model-id",
        &model,
        "--first-id",
        "1",
        "--count",
        "300",
        "--units",
        "2",
        "--out",
        &signed,
    ]);
    let all: Vec<serde_json::Value> = std::fs::read_to_string(&signed)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let first_half: String = all[..200].iter().map(|v| v.to_string() + "\n").collect();
    let second_half: String = all[200..].iter().map(|v| v.to_string() + "\n").collect();
    std::fs::write(path(d, "first.jsonl"), first_half).unwrap();
    std::fs::write(path(d, "second.jsonl"), second_half).unwrap();
    let b1 = ok(&[
        "receipts",
        "build",
        "--in",
        &path(d, "first.jsonl"),
        "--out",
        &path(d, "b1.json"),
    ]);
    assert_eq!(
        (b1["count"].as_u64(), b1["total_units"].as_str()),
        (Some(200), Some("400"))
    );
    ok(&[
        "receipts",
        "submit",
        "--from",
        "operator",
        "--batch",
        &path(d, "b1.json"),
    ]);
    let b2 = ok(&[
        "receipts",
        "build",
        "--in",
        &path(d, "second.jsonl"),
        "--omit",
        "250",
        "--out",
        &path(d, "b2.json"),
    ]);
    assert_eq!(b2["count"].as_u64(), Some(99));
    let tx = ok(&[
        "receipts",
        "submit",
        "--from",
        "operator",
        "--batch",
        &path(d, "b2.json"),
    ]);
    assert_eq!(
        event_attr(&tx, "attrib_batch_submitted", "seq").as_deref(),
        Some("2")
    );

    // Too early to settle.
    let err = fails(&[
        "tx",
        "oracle",
        "finalize-batch",
        "--from",
        "auditor",
        "--model-id",
        &model,
        "--operator",
        "operator",
        "--seq",
        "1",
    ]);
    assert!(err.contains("can be finalized at"), "{err}");
    // A receipt that is in the batch is not omitted (refused before signing).
    let posted2 = path(d, "b2.receipts.jsonl");
    let err = fails(&[
        "tx",
        "oracle",
        "challenge-omitted",
        "--from",
        "auditor",
        "--model-id",
        &model,
        "--operator",
        "operator",
        "--seq",
        "2",
        "--posted",
        &posted2,
        "--signed",
        &signed,
        "--receipt-id",
        "249",
    ]);
    assert!(err.contains("nothing omitted"), "{err}");

    let stake0 = ok(&["q", "curation", "stake-of", "operator"])["bonded"]
        .as_str()
        .unwrap()
        .parse::<u128>()
        .unwrap();
    // The voided batch's charge (declared and proven units) is taken at the proof.
    let pool0 = balance("reward_distributor", "uatr");
    let tx = ok(&[
        "tx",
        "oracle",
        "challenge-omitted",
        "--from",
        "auditor",
        "--model-id",
        &model,
        "--operator",
        "operator",
        "--seq",
        "2",
        "--posted",
        &posted2,
        "--signed",
        &signed,
        "--receipt-id",
        "250",
    ]);
    assert_eq!(
        event_attr(&tx, "attrib_fraud_proven", "kind").as_deref(),
        Some("omitted_receipt")
    );
    assert!(
        tx["events"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["type"] == "wasm-attrib_stake_slashed"),
        "slashed in the same transaction"
    );
    let stake1 = ok(&["q", "curation", "stake-of", "operator"])["bonded"]
        .as_str()
        .unwrap()
        .parse::<u128>()
        .unwrap();
    assert_eq!(stake1, stake0 - stake0 / 5);
    let batch2 = ok(&["q", "oracle", "batch", &model, "operator", "2"]);
    assert!(batch2["status"]["voided"].is_object(), "{batch2}");

    // The honest totals replace it; both settle after the window.
    ok(&[
        "receipts",
        "build",
        "--in",
        &path(d, "second.jsonl"),
        "--out",
        &path(d, "b3.json"),
    ]);
    ok(&[
        "receipts",
        "submit",
        "--from",
        "operator",
        "--batch",
        &path(d, "b3.json"),
        "--replaces",
        "2",
    ]);
    let dispute = ok(&["q", "oracle", "config"])["params"]["dispute_window_secs"]
        .as_u64()
        .unwrap();
    std::thread::sleep(Duration::from_secs(dispute + 1));
    ok(&[
        "tx",
        "oracle",
        "finalize-batch",
        "--from",
        "auditor",
        "--model-id",
        &model,
        "--operator",
        "operator",
        "--seq",
        "1",
    ]);
    ok(&[
        "tx",
        "oracle",
        "finalize-batch",
        "--from",
        "auditor",
        "--model-id",
        &model,
        "--operator",
        "operator",
        "--seq",
        "3",
    ]);
    assert_eq!(
        balance("reward_distributor", "uatr"),
        pool0 + 600 * 3,
        "600 units × 3 uatr: batch 2's at the proof, batch 1's at finalization, none twice"
    );
    let m = ok(&["q", "oracle", "model", &model]);
    assert_eq!(m["escrow"].as_str(), Some("8200"));
    let bond: u128 = m["bond"].as_str().unwrap().parse().unwrap();
    // The oracle holds exactly what its models hold (escrow + bond), this chain's other
    // tests' models included.
    let mut held = 0u128;
    for id in 1u64.. {
        let out = attrib(&["q", "oracle", "model", &id.to_string()]);
        if !out.status.success() {
            break;
        }
        let m: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        if m["royalty_per_unit"]["denom"] == "uatr" {
            held += uint(&m["escrow"]) + uint(&m["bond"]);
        }
    }
    assert!(held >= 8_200 + bond, "this test's model is among them");
    let oracle = contract_addr("receipt_oracle");
    assert_eq!(
        balance(&oracle, "uatr"),
        held,
        "the oracle holds exactly its models' escrow + bond"
    );

    // The model emitted the hidden dataset's canary: the auditor claims the omission.
    let err = fails(&[
        "tx",
        "curation",
        "challenge-omission",
        "--from",
        "auditor",
        "--model-id",
        &model,
        "--dataset-id",
        &hidden,
        "--version",
        "1",
        "--canary",
        "a guess",
        "--evidence-uri",
        "ipfs://e",
    ]);
    assert!(err.contains("does not match any canary"), "{err}");
    for c in ["curator1", "curator2", "curator3"] {
        let staked: u128 = ok(&["q", "curation", "stake-of", c])["bonded"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        if staked < 1_000_000 {
            ok(&["tx", "curation", "stake", "--from", c, "--amount", "5000000"]);
        }
    }
    let tx = ok(&[
        "tx",
        "curation",
        "challenge-omission",
        "--from",
        "auditor",
        "--model-id",
        &model,
        "--dataset-id",
        &hidden,
        "--version",
        "1",
        "--canary",
        &secret,
        "--evidence-uri",
        "ipfs://evidence/generation.png",
    ]);
    let review = event_attr(&tx, "attrib_review_opened", "review_id").unwrap();
    // Drawn one step later, once the curators revealed the entropy they committed.
    curators_reveal_entropy();
    ok(&[
        "tx",
        "curation",
        "draw-committee",
        "--from",
        "curator1",
        "--review-id",
        &review,
    ]);
    let members: Vec<String> = ok(&["q", "curation", "review", &review])["review"]["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["curator"].as_str().unwrap().to_string())
        .collect();
    let keys = ok(&["keys", "list"]);
    let key_of = |a: &str| {
        keys.as_array().unwrap().iter().find(|kv| kv[1] == a).unwrap()[0]
            .as_str()
            .unwrap()
            .to_string()
    };
    for m in &members {
        ok(&[
            "tx",
            "curation",
            "commit-vote",
            "--from",
            &key_of(m),
            "--review-id",
            &review,
            "--vote",
            "accept",
        ]);
    }
    for m in &members {
        ok(&[
            "tx",
            "curation",
            "reveal-vote",
            "--from",
            &key_of(m),
            "--review-id",
            &review,
            "--vote",
            "accept",
        ]);
    }
    let (pool1, auditor1) = (balance("reward_distributor", "uatr"), balance("auditor", "uatr"));
    let tx = ok(&[
        "tx",
        "curation",
        "finalize-review",
        "--from",
        "auditor",
        "--review-id",
        &review,
    ]);
    assert_eq!(
        event_attr(&tx, "attrib_omission_upheld", "back_royalty").as_deref(),
        Some("180"),
        "600 units × 3 uatr × 10%"
    );
    let m = ok(&["q", "oracle", "model", &model]);
    assert!(
        m["effective_lineage"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["dataset_id"] == hidden.parse::<u64>().unwrap()),
        "{m}"
    );
    assert_eq!(m["escrow"].as_str(), Some("8020"));
    assert_eq!(m["bond"].as_str(), Some("0"));
    assert_eq!(balance("reward_distributor", "uatr"), pool1 + 180 + bond / 2);
    assert_eq!(balance("auditor", "uatr"), auditor1 + bond / 2 - fee(&tx));
    // Nothing lost: the oracle holds exactly what the model still has in escrow (and the
    // other models what they held).
    assert_eq!(balance(&oracle, "uatr"), held - (8_200 + bond) + 8_020);
}

/// A sealed, licensed dataset version and a model of it owned by the buyer, metered by
/// the operator (bonded, key registered) with `escrow` uatr in escrow; returns the model id.
fn metered_model(d: &std::path::Path, nonce: u128, escrow: &str) -> String {
    let dataset = licensed_dataset(d, "inclusion", nonce, "buyer");
    let lineage = format!("{dataset}:1:10000");
    let tx = ok(&[
        "tx",
        "oracle",
        "register-model",
        "--from",
        "buyer",
        "--metadata-uri",
        "ipfs://m",
        "--lineage",
        &lineage,
        "--royalty-per-unit",
        "3uatr",
    ]);
    let model = event_attr(&tx, "attrib_model_registered", "model_id").unwrap();
    let bonded = ok(&["q", "curation", "stake-of", "operator"])["bonded"]
        .as_str()
        .unwrap()
        .parse::<u128>()
        .unwrap();
    if bonded < 2_000_000 {
        ok(&[
            "tx", "curation", "stake", "--from", "operator", "--amount", "5000000", "--role", "operator",
        ]);
    }
    ok(&["tx", "oracle", "register-operator", "--from", "operator"]);
    ok(&[
        "tx",
        "oracle",
        "set-model-operator",
        "--from",
        "buyer",
        "--model-id",
        &model,
        "--operator",
        "operator",
    ]);
    ok(&[
        "tx",
        "oracle",
        "fund-escrow",
        "--from",
        "buyer",
        "--model-id",
        &model,
        "--amount",
        escrow,
    ]);
    model
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

fn uint(v: &serde_json::Value) -> u128 {
    v.as_str().unwrap().parse().unwrap()
}

/// SPEC §5.6 on a real chain: an operator that withholds its leaves gets an inclusion
/// request it cannot answer; after the deadline `expire` voids the batch, the operator is
/// slashed, the requester paid (challenger share, fee back) and the batch's charge stays
/// on record. An honest operator answers another request and keeps its fee.
#[test]
#[ignore = "needs a chain: run scripts/e2e.sh"]
fn inclusion_requests_on_a_real_chain() {
    let nonce = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_nanos();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let model = metered_model(d, nonce, "10000uatr");
    let params = ok(&["q", "oracle", "config"])["params"].clone();
    let incl_fee = uint(&params["inclusion_fee"]["amount"]);
    let response = params["inclusion_response_secs"].as_u64().unwrap();
    let window = params["dispute_window_secs"].as_u64().unwrap();

    // 20 receipts of 2 units. Batch 1 (ids 1-10) leaves out receipt 5 and its leaves are
    // never published; batch 2 (ids 11-20) is honest and published.
    let signed = path(d, "signed.jsonl");
    ok(&[
        "receipts",
        "sign",
        "--from",
        "operator",
        "--model-id",
        &model,
        "--first-id",
        "1",
        "--count",
        "20",
        "--units",
        "2",
        "--out",
        &signed,
    ]);
    let all: Vec<String> = std::fs::read_to_string(&signed)
        .unwrap()
        .lines()
        .map(|l| l.to_string() + "\n")
        .collect();
    std::fs::write(path(d, "first.jsonl"), all[..10].concat()).unwrap();
    std::fs::write(path(d, "second.jsonl"), all[10..].concat()).unwrap();
    for (input, omit, out) in [
        ("first.jsonl", Some("5"), "b1.json"),
        ("second.jsonl", None, "b2.json"),
    ] {
        let (i, o) = (path(d, input), path(d, out));
        let mut args = vec!["receipts", "build", "--in", &i, "--out", &o];
        if let Some(id) = omit {
            args.extend(["--omit", id]);
        }
        ok(&args);
        ok(&["receipts", "submit", "--from", "operator", "--batch", &o]);
    }
    let batch1 = ok(&["q", "oracle", "batch", &model, "operator", "1"]);
    assert_eq!(batch1["count"].as_u64(), Some(9));
    let charge1 = batch1["charge"].clone();
    assert_eq!(charge1.as_str(), Some("54"), "9 receipts × 2 units × 3 uatr");
    let target = |seq: &'static str| -> Vec<String> {
        ["--model-id", &model, "--operator", "operator", "--seq", seq]
            .iter()
            .map(|s| s.to_string())
            .collect()
    };
    let run = |head: &[&str], seq: &'static str, tail: &[&str]| -> Vec<String> {
        head.iter()
            .map(|s| s.to_string())
            .chain(target(seq))
            .chain(tail.iter().map(|s| s.to_string()))
            .collect()
    };

    // The auditor asks for receipt 5 of batch 1; curator1 for receipt 15 of batch 2.
    let (auditor0, curator0, operator0) = (
        balance("auditor", "uatr"),
        balance("curator1", "uatr"),
        balance("operator", "uatr"),
    );
    let stake0 = uint(&ok(&["q", "curation", "stake-of", "operator"])["bonded"]);
    let payout0 = uint(&ok(&["q", "curation", "payout", "auditor"])["amount"]);
    let req1 = ok(&strs(&run(
        &["tx", "oracle", "inclusion", "request", "--from", "auditor"],
        "1",
        &["--signed", &signed, "--receipt-id", "5"],
    )));
    assert_eq!(
        event_attr(&req1, "attrib_inclusion_requested", "receipt_id").as_deref(),
        Some("5")
    );
    let req2 = ok(&strs(&run(
        &["tx", "oracle", "inclusion", "request", "--from", "curator1"],
        "2",
        &["--signed", &signed, "--receipt-id", "15"],
    )));
    assert_eq!(balance("curator1", "uatr"), curator0 - incl_fee - fee(&req2));
    // The same receipt twice is refused.
    let err = fails(&strs(&run(
        &["tx", "oracle", "inclusion", "request", "--from", "curator1"],
        "2",
        &["--signed", &signed, "--receipt-id", "15"],
    )));
    assert!(err.contains("already has an inclusion request"), "{err}");

    // The honest operator answers from its published receipts and keeps the fee.
    let answer = ok(&strs(&run(
        &["tx", "oracle", "inclusion", "answer", "--from", "operator"],
        "2",
        &["--posted", &path(d, "b2.receipts.jsonl"), "--receipt-id", "15"],
    )));
    assert_eq!(
        event_attr(&answer, "attrib_inclusion_answered", "outcome").as_deref(),
        Some("included")
    );
    assert_eq!(balance("operator", "uatr"), operator0 + incl_fee - fee(&answer));
    // The withholding operator has no leaf for receipt 5 to answer with.
    let err = fails(&strs(&run(
        &["tx", "oracle", "inclusion", "answer", "--from", "operator"],
        "1",
        &["--posted", &path(d, "b1.receipts.jsonl"), "--receipt-id", "5"],
    )));
    assert!(err.contains("no answer"), "{err}");
    // Not before the deadline.
    let err = fails(&strs(&run(
        &["tx", "oracle", "inclusion", "expire", "--from", "buyer"],
        "1",
        &["--receipt-id", "5"],
    )));
    assert!(err.contains("can be answered until"), "{err}");

    std::thread::sleep(Duration::from_secs(window.max(response) + 2));
    // Batch 1 cannot settle while its request is open; batch 2 settles.
    let err = fails(&strs(&run(
        &["tx", "oracle", "finalize-batch", "--from", "buyer"],
        "1",
        &[],
    )));
    assert!(err.contains("inclusion request(s) open"), "{err}");
    let pool0 = balance("reward_distributor", "uatr");
    ok(&strs(&run(
        &["tx", "oracle", "finalize-batch", "--from", "buyer"],
        "2",
        &[],
    )));
    assert_eq!(
        balance("reward_distributor", "uatr"),
        pool0 + 60,
        "10 × 2 units × 3 uatr"
    );

    // Past the deadline anyone expires the request: batch 1 is voided, the operator
    // slashed, the auditor paid the challenger's share and refunded its fee.
    let tx = ok(&strs(&run(
        &["tx", "oracle", "inclusion", "expire", "--from", "buyer"],
        "1",
        &["--receipt-id", "5"],
    )));
    assert_eq!(
        event_attr(&tx, "attrib_inclusion_expired", "outcome").as_deref(),
        Some("upheld")
    );
    assert_eq!(
        event_attr(&tx, "attrib_fraud_proven", "kind").as_deref(),
        Some("inclusion_unanswered")
    );
    assert_eq!(
        event_attr(&tx, "attrib_fraud_proven", "challenger"),
        Some(
            String::from_utf8(attrib(&["keys", "show", "auditor"]).stdout)
                .unwrap()
                .trim()
                .to_string()
        ),
        "the requester is the challenger of record"
    );
    let stake1 = uint(&ok(&["q", "curation", "stake-of", "operator"])["bonded"]);
    assert_eq!(stake1, stake0 - stake0 / 5, "20 % slashed");
    let payout1 = uint(&ok(&["q", "curation", "payout", "auditor"])["amount"]);
    assert!(payout1 > payout0, "the requester is paid from the slash");
    assert_eq!(
        balance("auditor", "uatr"),
        auditor0 - fee(&req1),
        "the fee came back"
    );
    let batch1 = ok(&["q", "oracle", "batch", &model, "operator", "1"]);
    assert_eq!(
        batch1["status"]["voided"]["reason"].as_str(),
        Some("inclusion_unanswered"),
        "{batch1}"
    );
    assert_eq!(
        batch1["charge"], charge1,
        "the batch's declared charge stays on record"
    );

    // The requests as listed; expiring again is refused.
    let list = ok(&strs(&run(&["q", "oracle", "inclusion", "list"], "1", &[])));
    let reqs = list["requests"].as_array().unwrap();
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0]["status"].as_str(), Some("upheld"), "{list}");
    let shown = ok(&strs(&run(
        &["q", "oracle", "inclusion", "show"],
        "2",
        &["--receipt-id", "15"],
    )));
    assert_eq!(shown["status"].as_str(), Some("answered"), "{shown}");
    let err = fails(&strs(&run(
        &["tx", "oracle", "inclusion", "expire", "--from", "buyer"],
        "1",
        &["--receipt-id", "5"],
    )));
    assert!(err.contains("is closed"), "{err}");
}
