//! End-to-end curation on a real wasmd node through the CLI: curators stake protocol
//! tokens, a strict tranche goes to a committee, votes are committed and revealed, the
//! outcome reaches the registry; bad input is refused with a clear error and no change.

mod common;

use std::time::{SystemTime, UNIX_EPOCH};

use common::*;
use serde_json::Value;

/// Protocol-token balance of an address.
fn token_balance(addr: &str) -> u128 {
    let q = format!("{{\"balance\":{{\"address\":\"{addr}\"}}}}");
    ok(&["q", "wasm", "protocol_token", &q])["balance"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap()
}

fn address_of(key: &str) -> String {
    let out = attrib(&["keys", "show", key]);
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn key_of(address: &str) -> String {
    let list = ok(&["keys", "list"]);
    list.as_array()
        .unwrap()
        .iter()
        .find(|kv| kv[1] == address)
        .unwrap()[0]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
#[ignore = "needs a chain: run scripts/e2e.sh"]
fn curated_review_on_a_real_chain() {
    let nonce = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_nanos();
    let staking = contract_addr("curator_staking");

    // Stake through the cw20 hook.
    let before = token_balance(&address_of("curator1"));
    for (who, amount) in [
        ("curator1", "30000000"),
        ("curator2", "20000000"),
        ("curator3", "10000000"),
    ] {
        let tx = ok(&["tx", "curation", "stake", "--from", who, "--amount", amount]);
        assert_eq!(
            event_attr(&tx, "attrib_stake_bonded", "amount").as_deref(),
            Some(amount)
        );
    }
    assert_eq!(token_balance(&address_of("curator1")), before - 30_000_000);
    let totals = ok(&["q", "curation", "totals"]);
    assert_eq!(
        token_balance(&staking).to_string(),
        totals["expected_balance"].as_str().unwrap()
    );

    // Concentration of the known distribution 30/20/10.
    let c = ok(&["q", "curation", "concentration"])["curators"].clone();
    assert_eq!(
        (c["nakamoto_one_third"].as_u64(), c["nakamoto_one_half"].as_u64()),
        (Some(1), Some(2))
    );
    assert_eq!(c["hhi_bps"].as_u64(), Some(3_888));

    // Unstaking more than is bonded: refused, nothing changes.
    let err = fails(&[
        "tx", "curation", "unstake", "--from", "curator3", "--amount", "10000001",
    ]);
    assert!(err.contains("only 10000000 is bonded"), "{err}");

    // A strict dataset: a new tranche goes straight to a committee.
    let dir = tempfile::tempdir().unwrap();
    let schema = register_schema(dir.path(), "schema", nonce);
    let tx = ok(&[
        "tx",
        "registry",
        "register-dataset",
        "--from",
        "maintainer",
        "--name",
        "strict",
        "--schema-id",
        &schema,
        "--metadata-uri",
        "ipfs://d",
        "--tier",
        "strict",
        "--spdx",
        "CC-BY-4.0",
        "--price",
        "100uatr",
    ]);
    let dataset = event_attr(&tx, "attrib_dataset_registered", "dataset_id").unwrap();
    let records = write_records(dir.path(), "alice", 5, nonce);
    let tx = ok(&[
        "tx",
        "registry",
        "register-tranche",
        "--from",
        "alice",
        "--dataset-id",
        &dataset,
        "--records-file",
        &records,
        "--metadata-uri",
        "ipfs://t",
    ]);
    let tranche = event_attr(&tx, "attrib_tranche_registered", "tranche_id").unwrap();
    assert_eq!(
        event_attr(&tx, "attrib_tranche_registered", "status").as_deref(),
        Some("under_review")
    );
    let review = event_attr(&tx, "attrib_review_opened", "review_id").unwrap();
    // The committee is drawn one step later, from the entropy every curator committed
    // when it staked: until all of it is revealed the draw waits, and says for whom.
    let r: Value = ok(&["q", "curation", "review", &review])["review"].clone();
    assert_eq!(r["status"], "drawing");
    assert_eq!(r["members"].as_array().unwrap().len(), 0);
    let status = ok(&["q", "curation", "draw-status", &review]);
    assert_eq!(status["withheld"].as_array().unwrap().len(), 3, "{status}");
    let err = fails(&[
        "tx",
        "curation",
        "draw-committee",
        "--from",
        "curator1",
        "--review-id",
        &review,
    ]);
    assert!(err.contains("waits for entropy from 2 curator(s)"), "{err}");
    curators_reveal_entropy();
    let tx = ok(&[
        "tx",
        "curation",
        "draw-committee",
        "--from",
        "curator1",
        "--review-id",
        &review,
    ]);
    assert_eq!(
        event_attr(&tx, "attrib_committee_drawn", "fallback").as_deref(),
        Some("false")
    );
    let err = fails(&[
        "tx",
        "curation",
        "draw-committee",
        "--from",
        "curator1",
        "--review-id",
        &review,
    ]);
    assert!(err.contains("not waiting for its committee draw"), "{err}");
    let r: Value = ok(&["q", "curation", "review", &review])["review"].clone();
    let members: Vec<String> = r["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| key_of(m["curator"].as_str().unwrap()))
        .collect();
    assert_eq!(members.len(), 3);

    // Someone off the committee cannot vote.
    let err = fails(&[
        "tx",
        "curation",
        "commit-vote",
        "--from",
        "alice",
        "--review-id",
        &review,
        "--vote",
        "accept",
    ]);
    assert!(err.contains("is not on the committee"), "{err}");

    for m in &members {
        ok(&[
            "tx",
            "curation",
            "commit-vote",
            "--from",
            m,
            "--review-id",
            &review,
            "--vote",
            "accept",
        ]);
    }
    // Revealing a different vote than committed fails and reveals nothing.
    let err = fails(&[
        "tx",
        "curation",
        "reveal-vote",
        "--from",
        &members[0],
        "--review-id",
        &review,
        "--vote",
        "reject",
    ]);
    assert!(err.contains("do not match the commitment"), "{err}");
    for m in &members {
        let tx = ok(&[
            "tx",
            "curation",
            "reveal-vote",
            "--from",
            m,
            "--review-id",
            &review,
            "--vote",
            "accept",
        ]);
        assert_eq!(
            event_attr(&tx, "attrib_vote_revealed", "vote").as_deref(),
            Some("accept")
        );
    }
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
        event_attr(&tx, "attrib_review_finalized", "outcome").as_deref(),
        Some("accept")
    );
    assert!(
        tx["events"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["type"] == "wasm-attrib_tranche_accepted"),
        "the outcome reached the registry in the same transaction"
    );
    let t = ok(&["q", "registry", "tranche", "--tranche-id", &tranche]);
    assert_eq!(t["tranche"]["status"], "accepted");
    // Reviews may straddle epochs (one-minute epochs on the e2e chain): count them all.
    let current = ok(&["q", "rewards", "config"])["current_epoch"].as_u64().unwrap();
    let total: u64 = (0..=current)
        .map(|e| {
            ok(&["q", "curation", "epoch-points", &e.to_string()])["total"]
                .as_u64()
                .unwrap()
        })
        .sum();
    assert!(total >= 3, "{total} review points");

    // A dispute needs curators who did not accept it; here every curator did.
    let auditor_tokens = token_balance(&address_of("auditor"));
    let evidence = write_records(dir.path(), "evidence", 1, nonce);
    let err = fails(&[
        "tx",
        "curation",
        "challenge",
        "--from",
        "auditor",
        "--tranche-id",
        &tranche,
        "--evidence-file",
        &evidence,
        "--evidence-uri",
        "ipfs://e",
    ]);
    assert!(err.contains("no curator is eligible"), "{err}");
    assert_eq!(token_balance(&address_of("auditor")), auditor_tokens);
    let totals = ok(&["q", "curation", "totals"]);
    assert_eq!(
        token_balance(&staking).to_string(),
        totals["expected_balance"].as_str().unwrap()
    );
}
