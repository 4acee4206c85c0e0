//! End to end on a real wasmd node through the `attrib` binary: a licensed version and a
//! direct payment reach the reward distributor; bad payments are refused and change
//! nothing; the epoch is cranked; after vesting the contributors claim in proportion to
//! their weights, a second claim pays nothing, the treasury claims; `attrib stats`
//! reports the epoch; the distributor holds exactly what its ledger says, per denom.

mod common;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::*;
use serde_json::Value;

fn uatr_in(list: &Value) -> u128 {
    list.as_array()
        .unwrap()
        .iter()
        .filter(|a| a["denom"] == "uatr")
        .map(|a| a["amount"].as_str().unwrap().parse::<u128>().unwrap())
        .sum()
}

fn wait_until(t: u64) {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
    if t > now {
        std::thread::sleep(Duration::from_secs(t - now));
    }
}

#[test]
#[ignore = "needs a chain: run scripts/e2e.sh"]
fn rewards_on_a_real_chain() {
    let dir = tempfile::tempdir().unwrap();
    let nonce = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_nanos();
    // A version of two tranches, weights 30 (alice) and 10 (bob).
    let schema = register_schema(dir.path(), "rw-schema", nonce);
    let tx = ok(&[
        "tx",
        "registry",
        "register-dataset",
        "--from",
        "maintainer",
        "--name",
        "rewards-e2e",
        "--schema-id",
        &schema,
        "--metadata-uri",
        "ipfs://rd",
        "--tier",
        "optimistic",
        "--spdx",
        "CC-BY-4.0",
        "--commercial",
        "--price",
        "50000uatr",
        "--royalty-per-unit",
        "1uatr",
        "--expiry-secs",
        "86400",
    ]);
    let dataset = event_attr(&tx, "attrib_dataset_registered", "dataset_id").unwrap();
    let tranches: Vec<String> = [("alice", 30), ("bob", 10)]
        .iter()
        .map(|(who, n)| register_tranche(dir.path(), who, &dataset, *n, nonce))
        .collect();
    accept_and_seal(&dataset, &tranches);

    // Fees: a license and a direct payment, both earmarked for version 1.
    let pool0 = balance("reward_distributor", "uatr");
    ok(&[
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
    let earmark = format!("{dataset}/1:10000");
    let tx = ok(&[
        "tx",
        "rewards",
        "pay",
        "--from",
        "buyer",
        "--amount",
        "20000uatr",
        "--earmark",
        &earmark,
    ]);
    assert_eq!(
        event_attr(&tx, "attrib_reward_inflow", "reason").as_deref(),
        Some("direct_payment")
    );
    assert_eq!(balance("reward_distributor", "uatr"), pool0 + 70_000);

    // Bad payments are refused before any fee is paid and change nothing.
    let (buyer0, accounts0) = (balance("buyer", "uatr"), ok(&["q", "rewards", "accounts"]));
    let err = fails(&[
        "tx",
        "rewards",
        "pay",
        "--from",
        "buyer",
        "--amount",
        "5000uother",
        "--earmark",
        &earmark,
    ]);
    assert!(err.contains("not accepted by the reward pool"), "{err}");
    let err = fails(&[
        "tx",
        "rewards",
        "pay",
        "--from",
        "buyer",
        "--amount",
        "10uatr",
        "--earmark",
        &earmark,
    ]);
    assert!(err.contains("below the minimum"), "{err}");
    let bad = format!("{dataset}/1:9000");
    let err = fails(&[
        "tx",
        "rewards",
        "pay",
        "--from",
        "buyer",
        "--amount",
        "5000uatr",
        "--earmark",
        &bad,
    ]);
    assert!(err.contains("must sum to 10000"), "{err}");
    assert_eq!(
        (balance("buyer", "uatr"), ok(&["q", "rewards", "accounts"])),
        (buyer0, accounts0)
    );

    // Close every due epoch: wait for the current one to end, then crank.
    let config = ok(&["q", "rewards", "config"]);
    let clock = &config["config"]["clock"];
    let (start, secs) = (
        clock["epoch_start"].as_u64().unwrap(),
        clock["epoch_secs"].as_u64().unwrap(),
    );
    let epoch = config["current_epoch"].as_u64().unwrap();
    wait_until(start + (epoch + 1) * secs + 2);
    ok(&["tx", "rewards", "crank", "--from", "auditor"]);
    let record = ok(&["q", "rewards", "epoch", &epoch.to_string()]);
    assert_eq!(record["epoch"]["status"], "settled");
    assert!(fails(&["tx", "rewards", "close-epoch", "--from", "auditor"]).contains("no epoch is due"));

    // Nothing vests before the dispute window; then each contributor claims its share.
    let alice_pos = format!("{dataset}/1/{}", tranches[0]);
    let bob_pos = format!("{dataset}/1/{}", tranches[1]);
    let pending = ok(&["q", "rewards", "position", &alice_pos]);
    let vest_secs = config["config"]["vesting_secs"].as_u64().unwrap();
    std::thread::sleep(Duration::from_secs(vest_secs + 2));
    let alice_due = uatr_in(&ok(&["q", "rewards", "position", &alice_pos])["claimable"]);
    let bob_due = uatr_in(&ok(&["q", "rewards", "position", &bob_pos])["claimable"]);
    assert!(uatr_in(&pending["claimable"]) + uatr_in(&pending["unvested"]) >= alice_due);
    // Three quarters of 75% of 70 000, plus whatever unearmarked fees of the epoch
    // (bonds, fees of the other tests) were spread over earmarked versions.
    assert!(alice_due >= 39_375, "alice is due {alice_due}");
    assert!(
        alice_due.abs_diff(3 * bob_due) <= 3,
        "weights 30:10 → {alice_due} vs {bob_due}"
    );

    let a0 = balance("alice", "uatr");
    let tx = ok(&[
        "tx",
        "rewards",
        "claim",
        "--from",
        "alice",
        "--position",
        &alice_pos,
    ]);
    assert_eq!(balance("alice", "uatr") + fee(&tx), a0 + alice_due);
    let err = fails(&[
        "tx",
        "rewards",
        "claim",
        "--from",
        "alice",
        "--position",
        &alice_pos,
    ]);
    assert!(err.contains("nothing to claim"), "{err}");
    let err = fails(&[
        "tx",
        "rewards",
        "claim",
        "--from",
        "alice",
        "--position",
        &bob_pos,
    ]);
    assert!(err.contains("is not the contributor"), "{err}");
    let b0 = balance("bob", "uatr");
    let tx = ok(&["tx", "rewards", "claim", "--from", "bob", "--position", &bob_pos]);
    assert_eq!(balance("bob", "uatr") + fee(&tx), b0 + bob_due);

    // The treasury claims what it is owed; only the treasury may.
    assert!(fails(&["tx", "rewards", "claim-treasury", "--from", "spammer"]).contains("is not the treasury"));
    let owed = uatr_in(&ok(&["q", "rewards", "treasury"])["owed"]);
    let t0 = balance("treasury", "uatr");
    let tx = ok(&["tx", "rewards", "claim-treasury", "--from", "treasury"]);
    assert_eq!(balance("treasury", "uatr") + fee(&tx), t0 + owed);

    // Metrics over the epochs so far, as JSON and as a table.
    let m = ok(&["stats", "--from-epoch", "0", "--to-epoch", &epoch.to_string()]);
    let row = m["epochs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["epoch"] == epoch)
        .unwrap()
        .clone();
    assert!(row["fee_value"].as_str().unwrap().parse::<u128>().unwrap() >= 70_000);
    assert!(row["buyers"].as_u64().unwrap() >= 2, "devshop and buyer");
    assert!(row["concentration"]["stakers"].as_u64().is_some());
    let table = std::process::Command::new(env!("CARGO_BIN_EXE_attrib"))
        .args(["stats", "--from-epoch", "0", "--to-epoch", &epoch.to_string()])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(
        text.contains("fee value") && text.contains("emission share"),
        "{text}"
    );

    // Nothing lost: per denom, the pool holds received - paid out, and the ledger adds up.
    for a in ok(&["q", "rewards", "accounts"])["accounts"].as_array().unwrap() {
        let l = &a["ledger"];
        let n = |k: &str| l[k].as_str().unwrap().parse::<u128>().unwrap();
        assert_eq!(
            n("received"),
            n("unsettled")
                + n("treasury_owed")
                + n("curators_owed")
                + n("versions_owed")
                + n("emission_reserve")
                + n("paid_out"),
            "{a}"
        );
        let denom = a["denom"].as_str().unwrap();
        let held = match denom.strip_prefix("cw20:") {
            Some(_) => {
                let pool = contract_addr("reward_distributor");
                let q = format!("{{\"balance\":{{\"address\":\"{pool}\"}}}}");
                ok(&["q", "wasm", "protocol_token", &q])["balance"]
                    .as_str()
                    .unwrap()
                    .parse()
                    .unwrap()
            }
            None => balance("reward_distributor", denom),
        };
        assert_eq!(
            held.to_string(),
            a["expected_balance"].as_str().unwrap(),
            "{denom}"
        );
    }
}
