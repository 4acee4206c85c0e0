//! End-to-end: the `attrib` binary against a real wasmd node. `scripts/e2e.sh` starts a
//! fresh local chain, deploys, and runs these tests with `--ignored`; a plain `cargo test`
//! reports every end-to-end test as ignored ("needs a chain"), never as passed.

mod common;

use std::process::Command;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::*;

/// The registry half of SPEC §10 on a real chain, with the bad input a user can send
/// through the CLI on the way: each refusal is a clear error and changes nothing.
#[test]
#[ignore = "needs a chain: run scripts/e2e.sh"]
fn registry_story_on_a_real_chain() {
    let dir = tempfile::tempdir().unwrap();
    let nonce = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_nanos();
    let registry = registry_addr();
    let config = ok(&["q", "registry", "config"])["config"].clone();
    let tranche_bond: u128 = config["tranche_bond"]["amount"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let window = config["challenge_window_secs"].as_u64().unwrap();
    let treasury0 = balance("reward_distributor", "uatr");

    let schema = register_schema(dir.path(), "schema", nonce);
    assert_eq!(
        balance("reward_distributor", "uatr"),
        treasury0 + 1_000,
        "schema fee forwarded"
    );

    let tx = ok(&[
        "tx",
        "registry",
        "register-dataset",
        "--from",
        "maintainer",
        "--name",
        "shelves",
        "--schema-id",
        &schema,
        "--metadata-uri",
        "ipfs://d",
        "--tier",
        "optimistic",
        "--spdx",
        "CC-BY-4.0",
        "--commercial",
        "--price",
        "250000uatr",
        "--royalty-per-unit",
        "2uatr",
        "--expiry-secs",
        "86400",
    ]);
    let dataset = event_attr(&tx, "attrib_dataset_registered", "dataset_id").unwrap();

    // Terms in a denom the reward pool does not accept: allowed (the admin may accept it
    // later), but the CLI warns that such licenses cannot be bought; then back to uatr.
    let terms = |price: &str| -> std::process::Output {
        attrib(&[
            "tx",
            "registry",
            "update-license-terms",
            "--from",
            "maintainer",
            "--dataset-id",
            &dataset,
            "--spdx",
            "CC-BY-4.0",
            "--commercial",
            "--price",
            price,
            "--royalty-per-unit",
            "2uatr",
            "--expiry-secs",
            "86400",
        ])
    };
    let junk = terms("250000ujunk");
    let warned = String::from_utf8_lossy(&junk.stderr).to_string();
    assert!(junk.status.success(), "{warned}");
    assert!(
        warned.contains("the reward pool does not accept ujunk"),
        "{warned}"
    );
    let back = terms("250000uatr");
    let quiet = String::from_utf8_lossy(&back.stderr).to_string();
    assert!(back.status.success(), "{quiet}");
    assert!(!quiet.contains("does not accept"), "{quiet}");

    let mut tranches = vec![];
    for (who, n) in [("alice", 12), ("bob", 8), ("carol", 3)] {
        let file = write_records(dir.path(), who, n, nonce);
        let tx = ok(&[
            "tx",
            "registry",
            "register-tranche",
            "--from",
            who,
            "--dataset-id",
            &dataset,
            "--records-file",
            &file,
            "--metadata-uri",
            "ipfs://t",
        ]);
        assert_eq!(
            event_attr(&tx, "attrib_tranche_registered", "status").as_deref(),
            Some("pending")
        );
        assert_eq!(
            event_attr(&tx, "attrib_tranche_registered", "record_count"),
            Some(n.to_string())
        );
        tranches.push(event_attr(&tx, "attrib_tranche_registered", "tranche_id").unwrap());
    }

    // Too early to accept: the newest tranche, straight after its reveal (each tranche takes a
    // commit and a reveal block, so the oldest may already be past a short local window).
    let err = fails(&accept_unchallenged(&tranches[2]));
    assert!(err.contains("challenge window"), "{err}");

    // Duplicate: the CLI refuses it before signing; nothing changes, no fee is paid.
    let alice_file = dir.path().join("alice.jsonl").to_string_lossy().to_string();
    let (spam0, stats0) = (balance("spammer", "uatr"), stats());
    let err = fails(&[
        "tx",
        "registry",
        "register-tranche",
        "--from",
        "spammer",
        "--dataset-id",
        &dataset,
        "--records-file",
        &alice_file,
        "--metadata-uri",
        "ipfs://x",
    ]);
    assert!(
        err.contains(&format!("already registered by tranche {}", tranches[0])),
        "{err}"
    );
    assert_eq!((balance("spammer", "uatr"), stats()), (spam0, stats0.clone()));

    // Forced on chain: refused at once, counted, bond forfeited to the reward pool.
    let treasury1 = balance("reward_distributor", "uatr");
    let tx = ok(&[
        "tx",
        "registry",
        "register-tranche",
        "--force",
        "--from",
        "spammer",
        "--dataset-id",
        &dataset,
        "--records-file",
        &alice_file,
        "--metadata-uri",
        "ipfs://x",
    ]);
    assert_eq!(
        event_attr(&tx, "attrib_tranche_duplicate_refused", "duplicate_of"),
        Some(tranches[0].clone())
    );
    assert_eq!(stats()["dedup_hits"], stats0["dedup_hits"].as_u64().unwrap() + 1);
    assert_eq!(stats()["tranches"], stats0["tranches"], "no tranche created");
    assert_eq!(balance("reward_distributor", "uatr"), treasury1 + tranche_bond);
    // The bond went with the commitment; two fees were paid (commit and reveal), of which
    // only the reveal's is printed.
    assert!(balance("spammer", "uatr") < spam0 - tranche_bond - fee(&tx));

    std::thread::sleep(Duration::from_secs(window + 1));
    let reg0 = balance(&registry, "uatr");
    for t in &tranches {
        ok(&accept_unchallenged(t));
    }
    assert_eq!(
        balance(&registry, "uatr"),
        reg0 - 3 * tranche_bond,
        "bonds returned on acceptance"
    );

    // Only the maintainer seals.
    let seal_list = format!("{},{}", tranches[0], tranches[1]);
    let err = fails(&[
        "tx",
        "registry",
        "seal-version",
        "--from",
        "alice",
        "--dataset-id",
        &dataset,
        "--tranches",
        &seal_list,
    ]);
    assert!(err.contains("is not the maintainer"), "{err}");
    assert!(
        attrib(&[
            "q",
            "registry",
            "version",
            "--dataset-id",
            &dataset,
            "--version",
            "1"
        ])
        .status
        .code()
            != Some(0)
    );
    let tx = ok(&[
        "tx",
        "registry",
        "seal-version",
        "--from",
        "maintainer",
        "--dataset-id",
        &dataset,
        "--tranches",
        &seal_list,
    ]);
    assert_eq!(
        event_attr(&tx, "attrib_version_sealed", "total_weight").as_deref(),
        Some("20")
    );
    let v = ok(&[
        "q",
        "registry",
        "version",
        "--dataset-id",
        &dataset,
        "--version",
        "1",
    ]);
    assert_eq!(v["weights"].as_array().unwrap().len(), 2);

    // Wrong coin and wrong amount: a clear error, no fee, no grant.
    let (dev0, dev_other0) = (balance("devshop", "uatr"), balance("devshop", "uother"));
    for amount in ["250000uother", "1uatr"] {
        let err = fails(&[
            "tx",
            "registry",
            "buy-license",
            "--from",
            "devshop",
            "--dataset-id",
            &dataset,
            "--version",
            "1",
            "--amount",
            amount,
        ]);
        assert!(err.contains("wrong payment"), "{err}");
    }
    assert_eq!(
        (balance("devshop", "uatr"), balance("devshop", "uother")),
        (dev0, dev_other0)
    );
    let check = ok(&[
        "q",
        "registry",
        "has-valid-license",
        "--licensee",
        "devshop",
        "--dataset-id",
        &dataset,
        "--version",
        "1",
    ]);
    assert_eq!(check["valid"], false);

    // The purchase: the payment reaches the reward pool and the grant is recorded.
    let treasury2 = balance("reward_distributor", "uatr");
    let tx = ok(&[
        "tx",
        "registry",
        "buy-license",
        "--from",
        "devshop",
        "--dataset-id",
        &dataset,
        "--version",
        "1",
    ]);
    assert_eq!(balance("reward_distributor", "uatr"), treasury2 + 250_000);
    assert_eq!(balance("devshop", "uatr"), dev0 - 250_000 - fee(&tx));
    let check = ok(&[
        "q",
        "registry",
        "has-valid-license",
        "--licensee",
        "devshop",
        "--dataset-id",
        &dataset,
        "--version",
        "1",
    ]);
    assert_eq!(check["valid"], true);

    // Nothing stuck: the registry holds exactly the bonds it records as held.
    let held: u128 = ok(&["q", "registry", "datasets", "--limit", "100"])["datasets"]
        .as_array()
        .unwrap()
        .iter()
        .chain(
            ok(&["q", "registry", "tranches", "--limit", "100"])["tranches"]
                .as_array()
                .unwrap()
                .iter(),
        )
        .filter_map(|x| x["bond_held"]["amount"].as_str())
        .map(|a| a.parse::<u128>().unwrap())
        .sum();
    assert_eq!(balance(&registry, "uatr"), held);
}

/// Admin-only and paused paths through the CLI.
/// A tranche that declares more records than its content root commits to: anyone with
/// the records proves it with `prove-record-count`; the pending tranche is rejected and
/// the prover gets half its bond.
#[test]
#[ignore = "needs a chain: run scripts/e2e.sh"]
fn a_wrong_record_count_is_proved_through_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let nonce = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_nanos();
    let schema = register_schema(dir.path(), "schema-count", nonce);
    let tx = ok(&[
        "tx",
        "registry",
        "register-dataset",
        "--from",
        "maintainer",
        "--name",
        "counts",
        "--schema-id",
        &schema,
        "--metadata-uri",
        "ipfs://d",
        "--tier",
        "optimistic",
        "--spdx",
        "CC-BY-4.0",
    ]);
    let dataset = event_attr(&tx, "attrib_dataset_registered", "dataset_id").unwrap();
    let file = write_records(dir.path(), "inflated", 3, nonce);
    let root = ok(&["data-root", &file])["content_root"]
        .as_str()
        .unwrap()
        .to_string();
    let tx = ok(&[
        "tx",
        "registry",
        "register-tranche",
        "--from",
        "spammer",
        "--dataset-id",
        &dataset,
        "--root",
        &root,
        "--record-count",
        "1000",
        "--byte-size",
        "1000",
        "--metadata-uri",
        "ipfs://inflated",
    ]);
    let tranche = event_attr(&tx, "attrib_tranche_registered", "tranche_id").unwrap();
    // The honest count cannot be "disproved" with the records that match it.
    let honest = write_records(dir.path(), "other", 2, nonce);
    let err = fails(&[
        "tx",
        "registry",
        "prove-record-count",
        "--from",
        "carol",
        "--tranche-id",
        &tranche,
        "--records-file",
        &honest,
    ]);
    assert!(err.contains("not its content"), "{err}");
    let tx = ok(&[
        "tx",
        "registry",
        "prove-record-count",
        "--from",
        "carol",
        "--tranche-id",
        &tranche,
        "--records-file",
        &file,
    ]);
    assert_eq!(
        event_attr(&tx, "attrib_tranche_count_disproved", "proven_count").as_deref(),
        Some("3")
    );
    assert_eq!(
        ok(&["q", "registry", "tranche", "--tranche-id", &tranche])["tranche"]["status"],
        "rejected"
    );
}

#[test]
#[ignore = "needs a chain: run scripts/e2e.sh"]
fn governance_through_the_cli() {
    let err = fails(&[
        "tx",
        "registry",
        "set-paused",
        "--paused",
        "true",
        "--from",
        "alice",
    ]);
    assert!(err.contains("is not the admin"), "{err}");
    assert_eq!(ok(&["q", "registry", "governance"])["paused"], false);

    ok(&[
        "tx",
        "registry",
        "set-paused",
        "--paused",
        "true",
        "--from",
        "admin",
    ]);
    let file = std::env::temp_dir().join("attrib-e2e-paused.json");
    std::fs::write(&file, "{}").unwrap();
    let err = fails(&[
        "tx",
        "registry",
        "register-schema",
        "--from",
        "maintainer",
        "--uri",
        "ipfs://p",
        "--file",
        &file.to_string_lossy(),
    ]);
    assert!(err.contains("paused"), "{err}");
    ok(&[
        "tx",
        "registry",
        "set-paused",
        "--paused",
        "false",
        "--from",
        "admin",
    ]);
    assert_eq!(ok(&["q", "registry", "governance"])["paused"], false);

    // --dry-run prints the exact message and sends nothing.
    let out = Command::new(env!("CARGO_BIN_EXE_attrib"))
        .args([
            "tx",
            "registry",
            "set-paused",
            "--paused",
            "true",
            "--from",
            "admin",
            "--dry-run",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        r#"{"set_paused":{"paused":true}}"#
    );
    assert_eq!(ok(&["q", "registry", "governance"])["paused"], false);
}

/// `attrib deploy` wired every contract by `attrib_std::wiring::plan`: each `peers` query
/// names the deployment's own contracts; `set-peers` is admin-only and refuses a role the
/// contract does not call.
#[test]
#[ignore = "needs a chain: run scripts/e2e.sh"]
fn deploy_wires_every_contract_to_its_peers() {
    let [registry, staking, oracle, pool] = [
        "registry",
        "curator_staking",
        "receipt_oracle",
        "reward_distributor",
    ]
    .map(contract_addr);
    let peers = |name: &str| ok(&["q", "wasm", name, r#"{"peers":{}}"#]);
    let expect = |name: &str, want: [Option<&String>; 4]| {
        let got = peers(name);
        for (role, want) in ["registry", "curator_staking", "receipt_oracle", "reward_pool"]
            .into_iter()
            .zip(want)
        {
            assert_eq!(
                got[role].as_str(),
                want.map(|s| s.as_str()),
                "{name}.{role}: {got}"
            );
        }
    };
    expect("registry", [None, Some(&staking), None, Some(&pool)]);
    expect(
        "curator_staking",
        [Some(&registry), None, Some(&oracle), Some(&pool)],
    );
    expect(
        "receipt_oracle",
        [Some(&registry), Some(&staking), None, Some(&pool)],
    );
    expect(
        "reward_distributor",
        [Some(&registry), Some(&staking), Some(&oracle), None],
    );

    let err = fails(&[
        "tx",
        "registry",
        "set-peers",
        "--reward-pool",
        "alice",
        "--from",
        "alice",
    ]);
    assert!(err.contains("is not the admin"), "{err}");
    let err = fails(&[
        "tx",
        "registry",
        "set-peers",
        "--registry",
        "alice",
        "--from",
        "admin",
    ]);
    assert!(err.contains("has no registry peer"), "{err}");
    // Re-sending the deployment's own wiring changes nothing.
    let tx = ok(&[
        "tx",
        "registry",
        "set-peers",
        "--reward-pool",
        &pool,
        "--from",
        "admin",
    ]);
    assert_eq!(
        event_attr(&tx, "attrib_peers_set", "reward_pool"),
        Some(pool.clone())
    );
    expect("registry", [None, Some(&staking), None, Some(&pool)]);
}
