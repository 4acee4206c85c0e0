//! # attrib-sim
//!
//! The mechanism simulation of SPEC §13: agents — honest and spamming contributors,
//! honest, lazy and colluding curators, recurring and one-off buyers, model owners
//! (honest, forgetting a dataset, declaring only the cheapest), maintainers planting
//! canaries, operators (honest, under-reporting, withholding leaves), auditors with
//! limited reach (proofs, inclusion requests, omission claims), wash traders — act on the
//! REAL contracts (the protocol builder of `attrib-tests`, every contract real) over many
//! epochs and seeds, with parameters from a scenario file (TOML, `scenarios/`). Outcomes
//! are read back from the contracts' queries and the bank, never recomputed here; after
//! every epoch the run checks that no unit was lost (each contract's books back its
//! holdings; every coin of the genesis supply is held by someone) and fails loudly if
//! not. Each message an agent sends costs it the gas of `make gas`'s table at the
//! scenario's gas price, so each strategy's profit is net of what it paid to act.
//!
//! `attrib-sim scenarios/*.toml` (or `make sim`) writes, per scenario (and per value of
//! its sweep), under `target/sim/<scenario>/`: `epochs-seed<N>.csv` and `.json` (the SPEC
//! §8 metrics per epoch), `summary.json` (every headline figure's p5/p50/p95 over seeds
//! and each class's profit), `report.md` and SVG charts.

pub mod gas;
pub mod metrics;
pub mod rng;
pub mod scenario;
pub mod world;

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

use serde::Serialize;

pub use metrics::RunResult;
pub use scenario::Scenario;

/// One variant of a scenario (the scenario itself, or one value of its sweep).
#[derive(Clone, Debug, Serialize)]
pub struct Variant {
    pub label: String,
    pub value: Option<f64>,
    #[serde(skip)]
    pub scenario: Scenario,
}

pub fn variants(sc: &Scenario) -> anyhow::Result<Vec<Variant>> {
    match &sc.sweep {
        None => Ok(vec![Variant {
            label: sc.name.clone(),
            value: None,
            scenario: sc.clone(),
        }]),
        Some(sw) => sw
            .values
            .iter()
            .map(|v| {
                Ok(Variant {
                    label: format!("{}={v}", sw.param),
                    value: Some(*v),
                    scenario: sc.with(&sw.param, *v)?,
                })
            })
            .collect(),
    }
}

/// One seed of a variant.
pub fn run_seed(sc: &Scenario, gas: &gas::GasTable, seed: u64) -> Result<RunResult, String> {
    world::Sim::new(sc, gas, seed)
        .run()
        .map_err(|e| format!("seed {seed}: {e}"))
}

#[derive(Serialize)]
pub struct Stat {
    pub p5: f64,
    pub p50: f64,
    pub p95: f64,
}

#[derive(Serialize)]
pub struct VariantSummary {
    pub label: String,
    pub value: Option<f64>,
    pub seeds: u32,
    pub epochs: u32,
    pub agents: u64,
    pub headlines: BTreeMap<String, Stat>,
    pub wall_secs: f64,
    pub agent_steps: u64,
    pub agent_steps_per_sec: f64,
    pub messages: u64,
    /// Wall seconds per phase, summed over the seeds (threads overlap: the sum exceeds
    /// `wall_secs` when several ran at once).
    pub phase_secs: BTreeMap<String, f64>,
}

/// Runs every seed of a variant on `threads` threads; the results in seed order.
pub fn run_variant(
    v: &Variant,
    gas: &gas::GasTable,
    threads: usize,
) -> Result<(Vec<RunResult>, f64), String> {
    let sc = &v.scenario;
    let t0 = Instant::now();
    let seeds: Vec<u64> = (0..sc.seeds as u64).map(|i| sc.first_seed + i).collect();
    let threads = threads.max(1).min(seeds.len());
    let chunks: Vec<Vec<u64>> = (0..threads)
        .map(|t| seeds.iter().copied().skip(t).step_by(threads).collect())
        .collect();
    let mut out: BTreeMap<u64, RunResult> = BTreeMap::new();
    std::thread::scope(|s| -> Result<(), String> {
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|chunk| {
                s.spawn(move || -> Result<Vec<(u64, RunResult)>, String> {
                    chunk
                        .into_iter()
                        .map(|seed| Ok((seed, run_seed(sc, gas, seed)?)))
                        .collect()
                })
            })
            .collect();
        for h in handles {
            for (seed, r) in h
                .join()
                .map_err(|_| "a simulation thread panicked".to_string())??
            {
                out.insert(seed, r);
            }
        }
        Ok(())
    })?;
    Ok((out.into_values().collect(), t0.elapsed().as_secs_f64()))
}

pub fn summarize(v: &Variant, runs: &[RunResult], wall_secs: f64) -> VariantSummary {
    let mut by_key: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for r in runs {
        for (k, x) in metrics::headlines(r) {
            by_key.entry(k.to_string()).or_default().push(x);
        }
    }
    let headlines = by_key
        .into_iter()
        .filter_map(|(k, xs)| metrics::percentiles(&xs).map(|(p5, p50, p95)| (k, Stat { p5, p50, p95 })))
        .collect();
    let agent_steps: u64 = runs.iter().map(|r| r.agent_steps).sum();
    let messages = runs.iter().flat_map(|r| r.classes.values()).map(|c| c.msgs).sum();
    let mut phase_secs: BTreeMap<String, f64> = BTreeMap::new();
    for (k, v) in runs.iter().flat_map(|r| &r.phase_secs) {
        *phase_secs.entry(k.clone()).or_default() += v;
    }
    VariantSummary {
        label: v.label.clone(),
        value: v.value,
        seeds: v.scenario.seeds,
        epochs: v.scenario.epochs,
        agents: v.scenario.agents(),
        headlines,
        wall_secs,
        agent_steps,
        agent_steps_per_sec: agent_steps as f64 / wall_secs.max(1e-9),
        messages,
        phase_secs,
    }
}

/// One figure of an epoch row, charted over the epochs.
type Series = &'static dyn Fn(&metrics::EpochRow) -> f64;

/// Writes a variant's per-seed epochs (CSV, JSON) and charts under `dir`.
pub fn write_runs(dir: &Path, v: &Variant, runs: &[RunResult]) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir)?;
    for (i, r) in runs.iter().enumerate() {
        let seed = v.scenario.first_seed + i as u64;
        std::fs::write(dir.join(format!("epochs-seed{seed}.csv")), metrics::csv(&r.rows))?;
        std::fs::write(
            dir.join(format!("epochs-seed{seed}.json")),
            serde_json::to_string_pretty(&r)?,
        )?;
    }
    let charts: [(&str, Series); 7] = [
        ("emission_share_bps", &|x| x.emission_share_bps as f64),
        ("fee_value", &|x| x.fee_value as f64),
        ("nakamoto_third", &|x| x.nakamoto_third as f64),
        ("junk_accepted", &|x| x.junk_accepted as f64),
        ("caught", &|x| x.caught as f64),
        ("withheld_voided", &|x| x.withheld_voided as f64),
        ("omission_upheld_total", &|x| x.omission_upheld_total as f64),
    ];
    for (name, f) in charts {
        let series: Vec<Vec<f64>> = runs.iter().map(|r| r.rows.iter().map(f).collect()).collect();
        std::fs::write(
            dir.join(format!("{name}.svg")),
            metrics::svg_chart(&format!("{} — {name}", v.label), &series),
        )?;
    }
    Ok(())
}

/// The markdown report of a scenario: its variants' headline figures.
pub fn report(sc: &Scenario, summaries: &[VariantSummary]) -> String {
    let mut s = format!("# {}\n\n{}\n\n", sc.name, sc.description.trim());
    let keys = [
        "fee_funded_share",
        "honest_contributor_fee_share",
        "junk_accepted_share",
        "good_rejected",
        "duplicates_refused",
        "onboarding_secs",
        "onboarding_cost_uatr",
        "nakamoto_third_last",
        "nakamoto_half_last",
        "hhi_bps_last",
        "disputes_opened",
        "disputes_changed_share",
        "detected_share",
        "caught_when_held_share",
        "epochs_to_first_detection",
        "wash_return",
        "withheld_voided_share",
        "omission_detected_share",
        "epochs_to_omission_upheld",
        "omitted_royalty_recovered_share",
        "back_royalty_per_upheld",
        "royalty_paid_share",
        "forgetting_gain_per_owner",
        "cheapest_gain_per_owner",
    ];
    for v in summaries {
        s.push_str(&format!(
            "## {}\n\n{} seeds × {} epochs, {} agents; {:.1} s wall, {} agent-steps ({:.0}/s), {} messages.\n\n| figure | p5 | p50 | p95 |\n|---|---|---|---|\n",
            v.label, v.seeds, v.epochs, v.agents, v.wall_secs, v.agent_steps, v.agent_steps_per_sec, v.messages
        ));
        for (k, st) in v
            .headlines
            .iter()
            .filter(|(k, _)| keys.contains(&k.as_str()) || k.starts_with("profit_per_agent."))
        {
            s.push_str(&format!(
                "| {k} | {:.4} | {:.4} | {:.4} |\n",
                st.p5, st.p50, st.p95
            ));
        }
        s.push('\n');
    }
    s
}
