//! The auditor's pass over its store, timed (JSON on stdout): `cargo run --release -p
//! attrib-auditor --example pass_bench [-- RECEIPTS PASSES]`.
//!
//! The demo's situation (SPEC §10): RECEIPTS (100 000) held for one (model, operator),
//! two pending batches of half each whose leaves the follower holds already (their trees
//! are built outside the timing, as the follower caches them), the second omitting one
//! receipt. A pass reads the held receipts, checks both batches and looks for late
//! omissions, as `follower::follow_pair` does:
//! - `scan`: every receipt held read, each batch checked against all of them (the pass
//!   before the range query);
//! - `range`: each batch's range read by index, and only late epochs' receipts beyond the
//!   cursor (`follower::check_pending`, `follower::late_candidates`), nothing remembered;
//! - `unchanged`: the same on later passes, no receipt come in since: the honest batch is
//!   not read again (its range's stamp is unchanged), the fraudulent one is (until voided).
//!
//! Both must reach the same verdicts. The signatures are fixed bytes: neither the store
//! nor the checker verifies them (the API did, on intake).

use std::sync::Mutex;
use std::time::Instant;

use attrib_auditor::checker::{check_against, late_omissions, Verdict};
use attrib_auditor::fixtures::posted_batch;
use attrib_auditor::follower::{check_pending, late_candidates, Seen};
use attrib_auditor::store::Store;
use attrib_cli::proofs::Posted;
use attrib_receipt_oracle::state::{Config, Cursor};
use attrib_std::receipts::{Receipt, SignedReceipt};
use cosmwasm_std::{Addr, HexBinary};

const OP: &str = "wasm1operator";

fn receipt(id: u64) -> SignedReceipt {
    SignedReceipt {
        receipt: Receipt {
            chain_id: "attrib-local".into(),
            contract: "wasm1oracle".into(),
            model_id: 1,
            epoch: 0,
            receipt_id: id,
            units: 1,
            timestamp: 1_700_000_000 + id / 1000,
        },
        signature: HexBinary::from(vec![7u8; 64]),
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let n: u64 = args.next().map(|a| a.parse()).transpose()?.unwrap_or(100_000);
    let passes: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(5);
    let half = n / 2;
    let omitted = half + half / 2 + 1;
    let dir = tempfile::tempdir()?;
    let mut store = Store::open(&dir.path().join("auditor.db"))?;
    let all: Vec<SignedReceipt> = (1..=n).map(receipt).collect();
    let verified: Vec<(String, String, &SignedReceipt)> = all
        .iter()
        .map(|s| (OP.to_string(), "02ab".to_string(), s))
        .collect();
    store.add_receipts(&verified)?;
    let first: Vec<SignedReceipt> = all[..half as usize].to_vec();
    let second: Vec<SignedReceipt> = all[half as usize..]
        .iter()
        .filter(|s| s.receipt.receipt_id != omitted)
        .cloned()
        .collect();
    let batches = [
        posted_batch(1, OP, 1, 0, &first),
        posted_batch(1, OP, 2, 0, &second),
    ];
    let trees = [Posted::new(first)?, Posted::new(second)?];
    let config = Config {
        registry: Addr::unchecked("r"),
        curator_staking: Addr::unchecked("s"),
        reward_pool: Addr::unchecked("p"),
        epoch_start: 0,
        params: attrib_cli::deploy::local_oracle_params(),
    };
    let cursor = Cursor {
        next_seq: 3,
        last_id: n,
        last_epoch: 0,
        awaiting_replacement: 0,
        late_charged: 0,
    };
    let now = 1_700_000_100;

    let scan = |store: &Mutex<Store>| -> anyhow::Result<Vec<Verdict>> {
        let held = store.lock().unwrap().receipts(1, OP)?;
        let v = batches
            .iter()
            .zip(&trees)
            .map(|(b, t)| check_against(b, Ok(t), &held).verdict)
            .collect();
        late_omissions(&config, &cursor, OP, now, &held);
        Ok(v)
    };
    let store = Mutex::new(store);
    // The follower's own functions; `seen` starts empty on each pass of `range` (every
    // batch read and checked), and is kept across the passes of `unchanged`.
    let pass = |seen: &Seen| -> anyhow::Result<Vec<Verdict>> {
        let mut v = vec![];
        for (b, t) in batches.iter().zip(&trees) {
            v.push(check_pending(&store, seen, b, Ok(t))?.verdict);
        }
        let held = late_candidates(&store.lock().unwrap(), &config, &cursor, 1, OP, now)?;
        late_omissions(&config, &cursor, OP, now, &held);
        Ok(v)
    };
    let range = |_: &Mutex<Store>| pass(&Seen::default());
    let kept = Seen::default();
    let unchanged = |_: &Mutex<Store>| pass(&kept);
    let time =
        |f: &dyn Fn(&Mutex<Store>) -> anyhow::Result<Vec<Verdict>>| -> anyhow::Result<(Vec<Verdict>, f64)> {
            let mut ms = vec![];
            let mut verdicts = vec![];
            for _ in 0..passes {
                let t = Instant::now();
                verdicts = f(&store)?;
                ms.push(t.elapsed().as_secs_f64() * 1e3);
            }
            Ok((verdicts, median(ms)))
        };
    let (v_scan, scan_ms) = time(&scan)?;
    let (v_range, range_ms) = time(&range)?;
    let (v_unchanged, unchanged_ms) = time(&unchanged)?;
    assert_eq!(v_scan, vec![Verdict::Honest, Verdict::Fraud]);
    assert_eq!(v_scan, v_range, "the same verdicts");
    assert_eq!(v_scan, v_unchanged, "the same verdicts");
    // Once the fraudulent batch is voided: the honest one alone, unchanged.
    let honest = |_: &Mutex<Store>| {
        Ok(vec![
            check_pending(&store, &kept, &batches[0], Ok(&trees[0]))?.verdict,
        ])
    };
    let (v_honest, honest_ms) = time(&honest)?;
    assert_eq!(v_honest, vec![Verdict::Honest]);
    println!(
        "{}",
        serde_json::json!({
            "receipts_held": n,
            "passes": passes,
            "profile": if cfg!(debug_assertions) { "dev" } else { "release" },
            "scan_pass_ms_median": (scan_ms * 10.0).round() / 10.0,
            "range_pass_ms_median": (range_ms * 10.0).round() / 10.0,
            "unchanged_pass_ms_median": (unchanged_ms * 10.0).round() / 10.0,
            "unchanged_honest_batch_ms_median": (honest_ms * 100.0).round() / 100.0,
            "verdicts": ["honest", "fraud"],
        })
    );
    Ok(())
}
