//! Every shipped scenario, short (few epochs, seeds and agents), against the bounds the
//! protocol promises (SPEC §1.4, §1.5, §5.4, §6.4) — bounds taken from the spec, never
//! from the simulator's output:
//! - no unit lost: every run checks after every epoch that each contract's books back
//!   its holdings and the genesis supply is all held (a run fails otherwise);
//! - emissions never exceed `k` × the epoch's fee value;
//! - wash trading never profits at any allowed `k` (`k` ≤ the take rate);
//! - an under-reporting operator is caught whenever an online auditor holds one of the
//!   receipts it dropped;
//! - a withholding operator's batch is voided whenever an online auditor holds one of
//!   its receipts and asks its inclusion (SPEC §5.6);
//! - an upheld omission claim adds the dataset to the model's lineage, charges back
//!   royalties (paid to that dataset) and slashes the owner's model bond (SPEC §5.5).

use std::collections::BTreeMap;
use std::path::Path;

use attrib_sim::gas::GasTable;
use attrib_sim::metrics::RunResult;
use attrib_sim::{run_variant, variants, Scenario};

const EPOCHS: u32 = 5;
/// Seeds of a scenario without a sweep; a sweep runs one seed per value (the values
/// cover the parameter, the run stays under a minute in the debug profile).
const SEEDS: u32 = 2;

fn scenarios() -> Vec<Scenario> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    assert!(files.len() >= 6, "the shipped scenarios: {files:?}");
    files
        .iter()
        .map(|f| {
            let sc = Scenario::parse(&std::fs::read_to_string(f).unwrap())
                .unwrap_or_else(|e| panic!("{}: {e}", f.display()));
            assert_eq!(
                Some(sc.name.as_str()),
                f.file_stem().and_then(|s| s.to_str()),
                "a scenario is named after its file"
            );
            sc.short(EPOCHS, if sc.sweep.is_some() { 1 } else { SEEDS })
        })
        .collect()
}

fn check_emission_cap(label: &str, sc: &Scenario, runs: &[RunResult]) {
    for r in runs {
        for row in &r.rows {
            let cap = row.fee_value * sc.protocol.emission_k_bps as u128 / 10_000;
            assert!(
                row.emission <= cap,
                "{label} epoch {}: emission {} > k × fees = {cap}",
                row.epoch,
                row.emission
            );
        }
    }
}

#[test]
fn every_scenario_keeps_the_protocols_promises() {
    let gas = GasTable::snapshot();
    let mut wash_checked = 0;
    let mut cheats_checked = 0;
    let mut withheld_checked = 0;
    let mut upheld_checked = 0;
    for sc in scenarios() {
        let take = sc.protocol.protocol_bps + sc.protocol.curator_bps;
        for v in variants(&sc).unwrap() {
            // No unit lost: a run that loses one fails with the epoch and the figures.
            let (runs, _) = run_variant(&v, &gas, 2).unwrap_or_else(|e| panic!("{}: {e}", v.label));
            let vs = &v.scenario;
            assert!(
                vs.protocol.emission_k_bps <= take,
                "{}: k above the take rate",
                v.label
            );
            check_emission_cap(&v.label, vs, &runs);
            for r in &runs {
                let fees: u128 = r.rows.iter().map(|x| x.fee_value).sum();
                assert!(fees > 0, "{}: a run with no fee at all measures nothing", v.label);
                if let Some(w) = r.classes.get("wash_trader") {
                    assert!(w.paid_fees > 0, "{}: the wash traders bought nothing", v.label);
                    let back = w.claimed_fee + w.claimed_emission;
                    assert!(
                        back <= w.paid_fees,
                        "{}: wash trading got back {back} for {} paid",
                        v.label,
                        w.paid_fees
                    );
                    wash_checked += 1;
                }
                let (caught, catchable): (u64, u64) = r
                    .rows
                    .iter()
                    .fold((0, 0), |(a, b), x| (a + x.catchable_caught, b + x.catchable));
                assert_eq!(
                    caught, catchable,
                    "{}: a held dropped receipt went unproven",
                    v.label
                );
                let (voided, asked, withheld): (u64, u64, u64) =
                    r.rows.iter().fold((0, 0, 0), |(a, b, c), x| {
                        (a + x.withheld_voided, b + x.withheld_catchable, c + x.withheld)
                    });
                assert_eq!(
                    voided, asked,
                    "{}: an unanswered inclusion request left its batch standing",
                    v.label
                );
                if vs.operators.withholding > 0 && vs.auditors.reach >= 1.0 && vs.auditors.uptime >= 1.0 {
                    assert_eq!(
                        voided, withheld,
                        "{}: full reach, yet a withheld batch stood",
                        v.label
                    );
                    withheld_checked += withheld;
                }
                for o in r.omissions.iter().filter(|o| o.upheld_epoch.is_some()) {
                    let what = format!("{}: model {} dataset {}", v.label, o.model_id, o.dataset_id);
                    assert!(o.lineage_extended, "{what}: upheld, yet not in the lineage");
                    // The model was used (and its usage settled) in every epoch before
                    // the claim: back royalties are due, and reach the dataset.
                    assert!(o.back_royalty > 0, "{what}: upheld without back royalties");
                    assert!(
                        o.recovered >= o.back_royalty,
                        "{what}: back royalty not paid to the dataset"
                    );
                    upheld_checked += 1;
                }
                // The owner's model bond is slashed: all of it, by the first upheld claim
                // against the model (a later one finds none left).
                let mut slashed: BTreeMap<u64, u128> = BTreeMap::new();
                for o in r.omissions.iter().filter(|o| o.upheld_epoch.is_some()) {
                    *slashed.entry(o.model_id).or_default() += o.bond_slashed;
                }
                for (m, b) in slashed {
                    assert_eq!(
                        b, vs.protocol.model_bond as u128,
                        "{}: model {m}'s bond not slashed",
                        v.label
                    );
                }
                let last = r.rows.last().unwrap();
                let upheld = r.omissions.iter().filter(|o| o.upheld_epoch.is_some()).count() as u64;
                assert_eq!(
                    last.omission_upheld_total, upheld,
                    "{}: curator staking counts other upheld omission claims than the run saw",
                    v.label
                );
                if vs.operators.cheating > 0 && vs.auditors.reach >= 1.0 && vs.auditors.uptime >= 1.0 {
                    let cheating: u64 = r.rows.iter().map(|x| x.cheating_batches).sum();
                    let voided: u64 = r.rows.iter().map(|x| x.caught).sum();
                    assert_eq!(
                        voided, cheating,
                        "{}: full reach, yet a cheat went uncaught",
                        v.label
                    );
                    cheats_checked += cheating;
                }
            }
        }
    }
    assert!(wash_checked > 0, "no scenario has wash traders");
    assert!(cheats_checked > 0, "no scenario cheats under full auditor reach");
    assert!(
        withheld_checked > 0,
        "no scenario withholds leaves under full auditor reach"
    );
    assert!(upheld_checked > 0, "no omission claim was upheld");
}
