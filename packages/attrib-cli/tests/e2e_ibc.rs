//! SPEC §7 on two real chains joined by the Go relayer (scripts/e2e.sh starts them with
//! scripts/ibc.sh): a buyer on the buyer chain buys a license and funds a model's escrow
//! in its own token through wasmd's IBC callbacks; transfers in a denom the pool does not
//! accept, with a memo no contract takes, or sent to another receiver than the contract
//! the memo names are refunded on the source chain (balances asserted there); the
//! treasury claims to the buyer chain; a contributor's claim sent while the relayer is
//! stopped times out, is credited back and claimed again. Nothing is lost on either
//! chain: each side's ICS-20 escrow holds exactly the vouchers out on the other.

mod common;

use std::process::Command;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use common::*;
use serde_json::Value;
use sha2::{Digest, Sha256};

fn buyer_chain() -> String {
    std::env::var("BUYER_CHAIN").expect("BUYER_CHAIN (scripts/e2e.sh sets it)")
}

fn text(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_attrib"))
        .args(args)
        .output()
        .expect("run attrib");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn remote_balance(who: &str, denom: &str) -> u128 {
    ok(&["balance", who, "--denom", denom, "--on", &buyer_chain()])["amount"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap()
}

fn ubuy_fee(tx: &Value) -> u128 {
    tx["fee"]
        .as_str()
        .unwrap()
        .trim_end_matches("ubuy")
        .parse()
        .unwrap()
}

/// Polls `f` until it holds (the relayer takes a few blocks each way).
#[track_caller]
fn eventually(what: &str, secs: u64, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !f() {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        std::thread::sleep(Duration::from_millis(700));
    }
}

fn ibc_pay(amount: &str, extra: &[&str]) -> Value {
    let chain = buyer_chain();
    let mut args = vec![
        "ibc", "pay", "--from", "buyer", "--on", &chain, "--amount", amount,
    ];
    args.extend_from_slice(extra);
    ok(&args)
}

/// The ICS-20 escrow account of a transfer channel (ibc-go's `GetEscrowAddress`).
fn escrow_address(channel: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"ics20-1");
    h.update([0u8]);
    h.update(format!("transfer/{channel}").as_bytes());
    cosmrs::AccountId::new("wasm", &h.finalize()[..20])
        .unwrap()
        .to_string()
}

fn link() -> Value {
    let path = std::env::var("ATTRIB_DEPLOYMENTS").expect("ATTRIB_DEPLOYMENTS");
    let d: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    d["ibc"][buyer_chain()].clone()
}

fn relayer(cmd: &str) {
    let status = Command::new("bash")
        .args(["scripts/ibc.sh", cmd])
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .status()
        .unwrap();
    assert!(status.success(), "ibc.sh {cmd}");
}

fn pool_row(denom: &str) -> Value {
    ok(&["q", "rewards", "accounts"])["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["denom"] == denom)
        .cloned()
        .unwrap_or(Value::Null)
}

fn amount_of(v: &Value) -> u128 {
    v.as_str().map_or(0, |s| s.parse().unwrap())
}

#[test]
#[ignore = "needs a chain: run scripts/e2e.sh"]
fn paying_and_claiming_across_two_chains() {
    let voucher = text(&["ibc", "denom"]);
    assert!(voucher.starts_with("ibc/"), "{voucher}");
    let dir = tempfile::tempdir().unwrap();
    let nonce = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_nanos();
    ok(&[
        "tx",
        "rewards",
        "set-accepted-denom",
        "--from",
        "admin",
        "--denom",
        &voucher,
        "--min-amount",
        "100",
    ]);

    // A dataset priced in uatr or in the buyer chain's token, one tranche by carol.
    let schema = register_schema(dir.path(), "ibc-schema", nonce);
    let price = format!("250000uatr,250000{voucher}");
    let royalty = format!("1uatr,1{voucher}");
    let tx = ok(&[
        "tx",
        "registry",
        "register-dataset",
        "--from",
        "maintainer",
        "--name",
        "ibc-e2e",
        "--schema-id",
        &schema,
        "--metadata-uri",
        "ipfs://id",
        "--tier",
        "optimistic",
        "--spdx",
        "CC-BY-4.0",
        "--commercial",
        "--derivatives",
        "--price",
        &price,
        "--royalty-per-unit",
        &royalty,
    ]);
    let dataset = event_attr(&tx, "attrib_dataset_registered", "dataset_id").unwrap();
    let tranche = register_tranche(dir.path(), "carol", &dataset, 20, nonce);
    accept_and_seal(&dataset, std::slice::from_ref(&tranche));
    let received = |d: &str| amount_of(&pool_row(d)["ledger"]["received"]);
    let pool_before = received(&voucher);

    // 1. A license for devshop, bought from the buyer chain in ubuy.
    let ubuy_before = remote_balance("buyer", "ubuy");
    let tx = ibc_pay(
        "250000ubuy",
        &[
            "buy-license",
            "--dataset-id",
            &dataset,
            "--version",
            "1",
            "--licensee",
            "devshop",
        ],
    );
    assert_eq!(
        remote_balance("buyer", "ubuy"),
        ubuy_before - 250_000 - ubuy_fee(&tx)
    );
    eventually("the license is granted", 60, || {
        ok(&[
            "q",
            "registry",
            "has-valid-license",
            "--licensee",
            "devshop",
            "--dataset-id",
            &dataset,
            "--version",
            "1",
        ])["valid"]
            == true
    });
    assert_eq!(
        received(&voucher),
        pool_before + 250_000,
        "the pool's ibc/ inflow"
    );

    // 2. devshop gets vouchers by a plain transfer, registers a model paid in them, and the
    //    buyer funds its escrow from the buyer chain.
    let devshop = ok(&["balance", "devshop"])["address"]
        .as_str()
        .unwrap()
        .to_string();
    ibc_pay("150000ubuy", &["--receiver", &devshop, "plain"]);
    eventually("devshop holds vouchers", 60, || {
        balance("devshop", &voucher) >= 150_000
    });
    let royalty_unit = format!("1{voucher}");
    let lineage = format!("{dataset}:1:10000");
    let tx = ok(&[
        "tx",
        "oracle",
        "register-model",
        "--from",
        "devshop",
        "--metadata-uri",
        "ipfs://ibc-model",
        "--lineage",
        &lineage,
        "--royalty-per-unit",
        &royalty_unit,
    ]);
    let model = event_attr(&tx, "attrib_model_registered", "model_id").unwrap();
    ibc_pay("40000ubuy", &["fund-escrow", "--model-id", &model]);
    eventually("the escrow is funded", 60, || {
        ok(&["q", "oracle", "model", &model])["escrow"] == "40000"
    });

    // 3. Refunds on the source chain.
    //    a. A denom the pool does not accept (the buyer chain's second token).
    let other_before = remote_balance("buyer", "uother");
    let earmark = format!("{dataset}/1:10000");
    ibc_pay("5000uother", &["pay", "--earmark", &earmark]);
    assert_eq!(remote_balance("buyer", "uother"), other_before - 5_000);
    eventually("the uother transfer is refunded", 60, || {
        remote_balance("buyer", "uother") == other_before
    });
    //    b. A memo no contract takes.
    let before = remote_balance("buyer", "ubuy");
    let tx = ibc_pay(
        "5000ubuy",
        &["raw", "--contract", "registry", "--json", r#"{"nonsense":{}}"#],
    );
    let fee = ubuy_fee(&tx);
    assert_eq!(remote_balance("buyer", "ubuy"), before - fee - 5_000);
    eventually("the bad memo is refunded", 60, || {
        remote_balance("buyer", "ubuy") == before - fee
    });
    //    c. The memo names the registry but the tokens go to devshop: the registry refuses.
    let before = remote_balance("buyer", "ubuy");
    let devshop_vouchers = balance("devshop", &voucher);
    let tx = ibc_pay(
        "250000ubuy",
        &[
            "--receiver",
            &devshop,
            "buy-license",
            "--dataset-id",
            &dataset,
            "--version",
            "1",
            "--licensee",
            "bob",
        ],
    );
    let fee = ubuy_fee(&tx);
    eventually("the misdirected transfer is refunded", 60, || {
        remote_balance("buyer", "ubuy") == before - fee
    });
    assert_eq!(balance("devshop", &voucher), devshop_vouchers);
    assert_eq!(
        received(&voucher),
        pool_before + 250_000,
        "nothing recorded for refunds"
    );

    // 4. The epoch closes; the treasury claims to the buyer chain, where the voucher
    //    unwinds to ubuy.
    let config = ok(&["q", "rewards", "config"]);
    let clock = &config["config"]["clock"];
    let (start, secs) = (
        clock["epoch_start"].as_u64().unwrap(),
        clock["epoch_secs"].as_u64().unwrap(),
    );
    let epoch = config["current_epoch"].as_u64().unwrap();
    let vesting = config["config"]["vesting_secs"].as_u64().unwrap();
    let end = start + (epoch + 1) * secs + vesting + 2;
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
    std::thread::sleep(Duration::from_secs(end.saturating_sub(now)));
    ok(&["tx", "rewards", "crank", "--from", "auditor"]);
    let owed = ok(&["q", "rewards", "treasury"])["owed"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["denom"] == voucher.as_str())
        .map(|o| amount_of(&o["amount"]))
        .sum::<u128>();
    assert!(owed > 0);
    let chain = buyer_chain();
    let treasury_before = remote_balance("treasury", "ubuy");
    ok(&[
        "tx",
        "rewards",
        "claim-treasury",
        "--from",
        "treasury",
        "--to-chain",
        &chain,
    ]);
    eventually("the treasury's ubuy arrives", 60, || {
        remote_balance("treasury", "ubuy") == treasury_before + owed
    });
    eventually("the transfer is acknowledged", 30, || {
        ok(&["q", "rewards", "claim-transfers"])["transfers"]
            .as_array()
            .unwrap()
            .is_empty()
    });

    // 5. carol's claim leaves while the relayer is stopped, times out, comes back as
    //    credit and is claimed again to the buyer chain.
    let position = format!("{dataset}/1/{tranche}");
    let claimable = || {
        ok(&["q", "rewards", "position", &position])["claimable"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["denom"] == voucher.as_str())
            .map(|c| amount_of(&c["amount"]))
            .sum::<u128>()
    };
    // Allocations vest `vesting_secs` after the close.
    eventually("carol's rewards vest", vesting + 30, || claimable() > 0);
    let claimable = claimable();
    // The dataset's share of the license fee (after 10% protocol and 15% curator take).
    assert_eq!(claimable, 250_000 * 75 / 100);
    relayer("relayer-stop");
    let tx = ok(&[
        "tx",
        "rewards",
        "claim",
        "--from",
        "carol",
        "--position",
        &position,
        "--to-chain",
        &chain,
        "--timeout-secs",
        "60",
    ]);
    assert!(event_attr(&tx, "attrib_remote_claim_sent", "transfer_id").is_some());
    let row = pool_row(&voucher);
    assert_eq!(amount_of(&row["ledger"]["in_transit"]), claimable);
    std::thread::sleep(Duration::from_secs(65));
    relayer("relayer-start");
    eventually("the timed-out claim is credited back", 120, || {
        ok(&["q", "rewards", "credits", "carol"])["credits"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["denom"] == voucher.as_str() && amount_of(&c["amount"]) == claimable)
    });
    let row = pool_row(&voucher);
    assert_eq!(amount_of(&row["ledger"]["in_transit"]), 0);
    assert_eq!(amount_of(&row["ledger"]["credits_owed"]), claimable);
    let carol_before = remote_balance("carol", "ubuy");
    ok(&[
        "tx",
        "rewards",
        "claim-credits",
        "--from",
        "carol",
        "--to-chain",
        &chain,
    ]);
    eventually("carol's ubuy arrives", 60, || {
        remote_balance("carol", "ubuy") == carol_before + claimable
    });
    assert!(fails(&["tx", "rewards", "claim-credits", "--from", "carol"]).contains("nothing to claim"));

    // Nothing lost: the pool holds what its ledger says; on the buyer chain the channel's
    // escrow holds exactly the vouchers still out on this chain.
    let pool = contract_addr("reward_distributor");
    let _ = &devshop;
    let row = pool_row(&voucher);
    assert_eq!(balance(&pool, &voucher), amount_of(&row["expected_balance"]));
    let supply = |args: &[&str]| -> u128 {
        let mut a = vec!["balance", "-", "--supply"];
        a.extend_from_slice(args);
        amount_of(&ok(&a)["amount"])
    };
    let out_here = supply(&["--denom", &voucher]);
    let l = link();
    let escrow = escrow_address(l["counterparty_channel_id"].as_str().unwrap());
    assert_eq!(
        remote_balance(&escrow, "ubuy"),
        out_here,
        "buyer-chain escrow = vouchers here"
    );
    // And the other way: uatr claimed to the buyer chain sits in this chain's escrow.
    let uatr_there = attrib_std::ibc::ibc_denom(&format!(
        "transfer/{}/uatr",
        l["counterparty_channel_id"].as_str().unwrap()
    ));
    let escrow_here = escrow_address(l["channel_id"].as_str().unwrap());
    assert_eq!(
        balance(&escrow_here, "uatr"),
        supply(&["--denom", &uatr_there, "--on", &chain]),
        "attrib-chain escrow = uatr vouchers on the buyer chain"
    );
}
