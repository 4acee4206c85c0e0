//! Helpers shared by the end-to-end tests: run the `attrib` binary, read its JSON.
#![allow(dead_code)]

use std::path::Path;
use std::process::Command;

use serde_json::Value;

/// The `attrib` binary: Cargo's, in the CLI's own tests; in another crate's tests that
/// include this module (the auditor's), the one built in the same target folder
/// (`cargo build -p attrib-cli` first).
pub fn attrib_bin() -> std::path::PathBuf {
    match option_env!("CARGO_BIN_EXE_attrib") {
        Some(p) => p.into(),
        None => {
            let exe = std::env::current_exe().expect("test binary path");
            // target/<profile>/deps/<test> → target/<profile>/attrib
            exe.parent()
                .and_then(Path::parent)
                .expect("target folder")
                .join("attrib")
        }
    }
}

pub fn attrib(args: &[&str]) -> std::process::Output {
    Command::new(attrib_bin())
        .args(["--yes", "-o", "json"])
        .args(args)
        .output()
        .expect("run attrib")
}

/// Runs a command that must succeed; returns its JSON output.
#[track_caller]
pub fn ok(args: &[&str]) -> Value {
    let out = attrib(args);
    assert!(
        out.status.success(),
        "attrib {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or(Value::Null)
}

/// Runs a command that must fail; returns its error text.
#[track_caller]
pub fn fails(args: &[&str]) -> String {
    let out = attrib(args);
    assert!(!out.status.success(), "attrib {args:?} should have failed");
    String::from_utf8_lossy(&out.stderr).to_string()
}

/// `attrib tx registry accept-unchallenged` for `tranche`, sent by the auditor.
pub fn accept_unchallenged(tranche: &str) -> [&str; 7] {
    [
        "tx",
        "registry",
        "accept-unchallenged",
        "--from",
        "auditor",
        "--tranche-id",
        tranche,
    ]
}

pub fn event_attr(tx: &Value, event: &str, key: &str) -> Option<String> {
    tx["events"]
        .as_array()?
        .iter()
        .filter(|e| e["type"] == format!("wasm-{event}"))
        .find_map(|e| {
            e["attributes"]
                .as_array()?
                .iter()
                .find(|kv| kv[0] == key)
                .map(|kv| kv[1].as_str().unwrap().to_string())
        })
}

pub fn fee(tx: &Value) -> u128 {
    tx["fee"]
        .as_str()
        .unwrap()
        .trim_end_matches("uatr")
        .parse()
        .unwrap()
}

pub fn balance(who: &str, denom: &str) -> u128 {
    ok(&["balance", who, "--denom", denom])["amount"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap()
}

pub fn contract_addr(name: &str) -> String {
    let path = std::env::var("ATTRIB_DEPLOYMENTS").expect("ATTRIB_DEPLOYMENTS");
    let d: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    d["contracts"][name]["address"].as_str().unwrap().to_string()
}

pub fn registry_addr() -> String {
    let path = std::env::var("ATTRIB_DEPLOYMENTS").expect("ATTRIB_DEPLOYMENTS");
    let d: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    d["contracts"]["registry"]["address"]
        .as_str()
        .unwrap()
        .to_string()
}

pub fn stats() -> Value {
    ok(&["q", "registry", "stats"])["stats"].clone()
}

pub fn write_records(dir: &Path, name: &str, n: usize, nonce: u128) -> String {
    let text: String = (0..n)
        .map(|i| format!("{{\"image\":\"{name}-{nonce}-{i}\",\"boxes\":[{i}]}}\n"))
        .collect();
    let path = dir.join(format!("{name}.jsonl"));
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into()
}

/// `register-schema` from a one-record file; returns the schema id.
pub fn register_schema(dir: &Path, name: &str, nonce: u128) -> String {
    let file = write_records(dir, name, 1, nonce);
    let tx = ok(&[
        "tx",
        "registry",
        "register-schema",
        "--from",
        "maintainer",
        "--uri",
        "ipfs://s",
        "--file",
        &file,
    ]);
    event_attr(&tx, "attrib_schema_registered", "schema_id").unwrap()
}

/// `register-tranche` of `n` fresh records by `who`; returns the tranche id.
pub fn register_tranche(dir: &Path, who: &str, dataset: &str, n: usize, nonce: u128) -> String {
    let file = write_records(dir, &format!("{who}-{dataset}"), n, nonce);
    let tx = ok(&[
        "tx",
        "registry",
        "register-tranche",
        "--from",
        who,
        "--dataset-id",
        dataset,
        "--records-file",
        &file,
        "--metadata-uri",
        "ipfs://t",
    ]);
    event_attr(&tx, "attrib_tranche_registered", "tranche_id").unwrap()
}

/// Waits out the challenge window, accepts the (optimistic) tranches unchallenged and
/// seals them as the dataset's next version.
pub fn accept_and_seal(dataset: &str, tranches: &[String]) {
    let window = ok(&["q", "registry", "config"])["config"]["challenge_window_secs"]
        .as_u64()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_secs(window + 1));
    for t in tranches {
        ok(&accept_unchallenged(t));
    }
    let list = tranches.join(",");
    ok(&[
        "tx",
        "registry",
        "seal-version",
        "--from",
        "maintainer",
        "--dataset-id",
        dataset,
        "--tranches",
        &list,
    ]);
}

/// What each curator's client does when a draw is requested: reveal the entropy
/// commitment it holds (and commit afresh). A draw waits for every commitment made before
/// its request; one with nothing to reveal is refused, which is fine here.
pub fn curators_reveal_entropy() {
    for c in ["curator1", "curator2", "curator3"] {
        let _ = attrib(&["tx", "curation", "reveal-entropy", "--from", c]);
    }
}

/// A sealed version 1 of a new optimistic dataset (royalty 3uatr per unit) with one tranche
/// of bob's, licensed by `licensee`; returns the dataset id.
pub fn licensed_dataset(dir: &Path, name: &str, nonce: u128, licensee: &str) -> String {
    let schema = register_schema(dir, &format!("{name}-schema"), nonce);
    let dataset_name = format!("{name}-{nonce}");
    let tx = ok(&[
        "tx",
        "registry",
        "register-dataset",
        "--from",
        "maintainer",
        "--name",
        &dataset_name,
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
    let tranche = register_tranche(dir, "bob", &dataset, 3, nonce);
    accept_and_seal(&dataset, &[tranche]);
    ok(&[
        "tx",
        "registry",
        "buy-license",
        "--from",
        licensee,
        "--dataset-id",
        &dataset,
        "--version",
        "1",
    ]);
    dataset
}

/// The uatr `operator` has bonded as an operator in curator staking.
pub fn operator_bonded() -> u128 {
    ok(&["q", "curation", "stake-of", "operator"])["bonded"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap()
}

/// `operator` bonded (topped up after earlier tests' slashes) with its key registered.
pub fn ready_operator() {
    if operator_bonded() < 2_000_000 {
        ok(&[
            "tx", "curation", "stake", "--from", "operator", "--amount", "5000000", "--role", "operator",
        ]);
    }
    ok(&["tx", "oracle", "register-operator", "--from", "operator"]);
}
