//! What a run measured: the SPEC §8 metrics per epoch (read from the contracts' own
//! queries, plus what the agents saw), each agent class's profit net of gas, and the
//! summary over seeds (p5/p50/p95).

use std::collections::BTreeMap;

use serde::Serialize;

#[derive(Clone, Debug, Default, Serialize)]
pub struct EpochRow {
    pub epoch: u64,
    // The reward pool's metrics of the epoch (fee value and emission in fee units).
    pub fee_value: u128,
    pub emission: u128,
    pub emission_share_bps: u32,
    pub buyers: u64,
    pub returning_buyers: u64,
    pub curator_points: u64,
    // Curator staking's concentration after the epoch.
    pub nakamoto_third: u32,
    pub nakamoto_half: u32,
    pub hhi_bps: u32,
    pub top_k_share_bps: u32,
    // Cumulative counters as the pool recorded them when the epoch closed.
    pub disputes_opened: u64,
    pub disputes_upheld: u64,
    pub disputes_changed: u64,
    pub dedup_hits: u64,
    pub accepted: u64,
    pub rejected: u64,
    pub revoked: u64,
    pub fraud_proofs: u64,
    // What the agents did and saw in the epoch.
    pub tranches: u64,
    pub junk_submitted: u64,
    pub junk_accepted: u64,
    pub good_accepted: u64,
    pub good_rejected: u64,
    pub duplicates_refused: u64,
    pub licenses: u64,
    pub batches: u64,
    pub cheating_batches: u64,
    pub caught: u64,
    /// Cheating batches with a dropped receipt held by an auditor online in the window.
    pub catchable: u64,
    pub catchable_caught: u64,
    /// Batches whose leaves a withholding operator never published; of them, those an
    /// online auditor held a receipt of (and asked its inclusion), and those voided.
    pub withheld: u64,
    pub withheld_catchable: u64,
    pub withheld_voided: u64,
    /// Omission claims filed and upheld in the epoch (what the agents saw), and curator
    /// staking's cumulative counters.
    pub omission_claims: u64,
    pub omission_upheld: u64,
    pub omission_opened_total: u64,
    pub omission_upheld_total: u64,
    pub onboarding_secs_mean: f64,
    pub settled: bool,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct ClassResult {
    pub agents: u64,
    /// End wealth (bank, token at weight 1, stake, escrow and model bond, bonds still
    /// held for it, payouts owed) − genesis − gas, in uatr.
    pub profit: i128,
    /// Of that wealth, what is locked: stake, escrow and model bond, listing and tranche
    /// bonds held, payouts owed.
    pub held: u128,
    pub gas_cost: i128,
    pub msgs: u64,
    pub paid_fees: u128,
    pub claimed_fee: u128,
    pub claimed_emission: u128,
}

/// A dataset a model trained on without declaring it, and what came of it.
#[derive(Clone, Debug, Serialize)]
pub struct OmissionResult {
    pub owner_class: String,
    pub model_id: u64,
    pub dataset_id: u64,
    pub version: u32,
    pub registered_epoch: u32,
    /// Omission claims filed against it.
    pub claims: u32,
    pub upheld_epoch: Option<u32>,
    /// Read back from the oracle: the dataset joined the lineage.
    pub lineage_extended: bool,
    /// The oracle's `omission_upheld` event.
    pub back_royalty: u128,
    pub bond_slashed: u128,
    /// What the dataset's terms ask for the units the model served (royalty per unit ×
    /// units), and what the oracle paid it for this model (`usage_royalty` events, back
    /// royalty included).
    pub owed: u128,
    pub recovered: u128,
}

/// Royalties over every model: owed by the terms of every dataset it trains on, for the
/// units served, and paid by the oracle (its `usage_royalty` events).
#[derive(Clone, Debug, Default, Serialize)]
pub struct Royalties {
    pub owed: u128,
    pub received: u128,
}

#[derive(Clone, Debug, Serialize)]
pub struct RunResult {
    pub rows: Vec<EpochRow>,
    pub classes: BTreeMap<String, ClassResult>,
    pub agent_steps: u64,
    pub omissions: Vec<OmissionResult>,
    pub royalties: Royalties,
    /// Wall seconds per phase of the run (setup, each epoch step, the books' check).
    pub phase_secs: BTreeMap<String, f64>,
}

/// The headline figures of one run (each summarized over seeds).
pub fn headlines(r: &RunResult) -> BTreeMap<&'static str, f64> {
    let rows = &r.rows;
    let sum = |f: &dyn Fn(&EpochRow) -> f64| rows.iter().map(f).sum::<f64>();
    let fee = sum(&|x| x.fee_value as f64);
    let emission = sum(&|x| x.emission as f64);
    let last = rows.last().cloned().unwrap_or_default();
    let class = |n: &str| r.classes.get(n).cloned().unwrap_or_default();
    let contrib = class("contributor");
    let spam = class("spammer");
    let all_contrib_fee = (contrib.claimed_fee + spam.claimed_fee) as f64;
    let junk = sum(&|x| x.junk_submitted as f64);
    let cheating = sum(&|x| x.cheating_batches as f64);
    let catchable = sum(&|x| x.catchable as f64);
    let onboard: Vec<f64> = rows
        .iter()
        .filter(|x| x.onboarding_secs_mean > 0.0)
        .map(|x| x.onboarding_secs_mean)
        .collect();
    let wash = class("wash_trader");
    let mut h = BTreeMap::new();
    h.insert("fee_value", fee);
    h.insert("emission", emission);
    h.insert(
        "fee_funded_share",
        if fee + emission > 0.0 {
            fee / (fee + emission)
        } else {
            1.0
        },
    );
    h.insert(
        "honest_contributor_fee_share",
        if all_contrib_fee > 0.0 {
            contrib.claimed_fee as f64 / all_contrib_fee
        } else {
            1.0
        },
    );
    h.insert("junk_submitted", junk);
    h.insert("junk_accepted", sum(&|x| x.junk_accepted as f64));
    h.insert(
        "junk_accepted_share",
        if junk > 0.0 {
            sum(&|x| x.junk_accepted as f64) / junk
        } else {
            0.0
        },
    );
    h.insert("good_rejected", sum(&|x| x.good_rejected as f64));
    h.insert("duplicates_refused", sum(&|x| x.duplicates_refused as f64));
    h.insert(
        "onboarding_secs",
        if onboard.is_empty() {
            0.0
        } else {
            onboard.iter().sum::<f64>() / onboard.len() as f64
        },
    );
    h.insert(
        "onboarding_cost_uatr",
        if contrib.msgs > 0 && sum(&|x| x.good_accepted as f64) > 0.0 {
            contrib.gas_cost as f64 / sum(&|x| x.good_accepted as f64)
        } else {
            0.0
        },
    );
    h.insert("nakamoto_third_last", last.nakamoto_third as f64);
    h.insert("nakamoto_half_last", last.nakamoto_half as f64);
    h.insert("hhi_bps_last", last.hhi_bps as f64);
    h.insert(
        "nakamoto_third_min",
        rows.iter().map(|x| x.nakamoto_third).min().unwrap_or(0) as f64,
    );
    h.insert("disputes_opened", last.disputes_opened as f64);
    h.insert("disputes_upheld", last.disputes_upheld as f64);
    h.insert(
        "disputes_changed_share",
        if last.disputes_opened > 0 {
            last.disputes_changed as f64 / last.disputes_opened as f64
        } else {
            0.0
        },
    );
    h.insert("cheating_batches", cheating);
    h.insert("detected_share", ratio(sum(&|x| x.caught as f64), cheating, 0.0));
    h.insert(
        "caught_when_held_share",
        ratio(sum(&|x| x.catchable_caught as f64), catchable, 1.0),
    );
    let first_catch = rows.iter().position(|x| x.caught > 0);
    let first_cheat = rows.iter().position(|x| x.cheating_batches > 0);
    h.insert(
        "epochs_to_first_detection",
        match (first_cheat, first_catch) {
            (Some(a), Some(b)) => (b - a) as f64,
            _ => f64::NAN,
        },
    );
    h.insert("distinct_buyers", sum(&|x| x.buyers as f64));
    h.insert(
        "wash_return",
        if wash.paid_fees > 0 {
            (wash.claimed_fee as f64 + wash.claimed_emission as f64 - wash.paid_fees as f64)
                / wash.paid_fees as f64
        } else {
            f64::NAN
        },
    );
    h.insert(
        "wash_profit_after_gas",
        if wash.agents > 0 {
            wash.profit as f64
        } else {
            f64::NAN
        },
    );
    let withheld = sum(&|x| x.withheld as f64);
    h.insert("withheld_batches", withheld);
    h.insert(
        "withheld_voided_share",
        ratio(sum(&|x| x.withheld_voided as f64), withheld, f64::NAN),
    );
    let om = &r.omissions;
    let upheld: Vec<&OmissionResult> = om.iter().filter(|o| o.upheld_epoch.is_some()).collect();
    h.insert("omissions", om.len() as f64);
    h.insert(
        "omission_detected_share",
        ratio(upheld.len() as f64, om.len() as f64, f64::NAN),
    );
    h.insert(
        "epochs_to_omission_upheld",
        if upheld.is_empty() {
            f64::NAN
        } else {
            upheld
                .iter()
                .map(|o| (o.upheld_epoch.unwrap() - o.registered_epoch) as f64)
                .sum::<f64>()
                / upheld.len() as f64
        },
    );
    let owed: u128 = om.iter().map(|o| o.owed).sum();
    h.insert(
        "omitted_royalty_recovered_share",
        ratio(
            om.iter().map(|o| o.recovered).sum::<u128>() as f64,
            owed as f64,
            f64::NAN,
        ),
    );
    h.insert(
        "back_royalty_per_upheld",
        if upheld.is_empty() {
            f64::NAN
        } else {
            upheld.iter().map(|o| o.back_royalty as f64).sum::<f64>() / upheld.len() as f64
        },
    );
    h.insert(
        "royalty_paid_share",
        ratio(r.royalties.received as f64, r.royalties.owed as f64, f64::NAN),
    );
    let per = |n: &str| {
        r.classes
            .get(n)
            .filter(|c| c.agents > 0)
            .map(|c| c.profit as f64 / c.agents as f64)
    };
    for (key, cheat) in [
        ("forgetting_gain_per_owner", "forgetting_model_owner"),
        ("cheapest_gain_per_owner", "cheapest_model_owner"),
    ] {
        if let (Some(c), Some(h0)) = (per(cheat), per("model_owner")) {
            h.insert(key, c - h0);
        }
    }
    for (name, c) in &r.classes {
        let key: &'static str = Box::leak(format!("profit_per_agent.{name}").into_boxed_str());
        h.insert(key, c.profit as f64 / c.agents.max(1) as f64);
    }
    h
}

/// `n / d`, or `none` when there is nothing to divide by.
fn ratio(n: f64, d: f64, none: f64) -> f64 {
    if d > 0.0 {
        n / d
    } else {
        none
    }
}

/// p5, p50, p95 (nearest rank) of the finite values.
pub fn percentiles(values: &[f64]) -> Option<(f64, f64, f64)> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let at = |p: f64| v[((p * (v.len() - 1) as f64).round() as usize).min(v.len() - 1)];
    Some((at(0.05), at(0.5), at(0.95)))
}

pub fn csv(rows: &[EpochRow]) -> String {
    let header = "epoch,fee_value,emission,emission_share_bps,buyers,returning_buyers,curator_points,nakamoto_third,nakamoto_half,hhi_bps,top_k_share_bps,disputes_opened,disputes_upheld,disputes_changed,dedup_hits,accepted,rejected,revoked,fraud_proofs,tranches,junk_submitted,junk_accepted,good_accepted,good_rejected,duplicates_refused,licenses,batches,cheating_batches,caught,catchable,catchable_caught,withheld,withheld_catchable,withheld_voided,omission_claims,omission_upheld,omission_opened_total,omission_upheld_total,onboarding_secs_mean,settled\n";
    let mut s = header.to_string();
    for r in rows {
        s.push_str(&format!(
            "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{:.0},{}\n",
            r.epoch,
            r.fee_value,
            r.emission,
            r.emission_share_bps,
            r.buyers,
            r.returning_buyers,
            r.curator_points,
            r.nakamoto_third,
            r.nakamoto_half,
            r.hhi_bps,
            r.top_k_share_bps,
            r.disputes_opened,
            r.disputes_upheld,
            r.disputes_changed,
            r.dedup_hits,
            r.accepted,
            r.rejected,
            r.revoked,
            r.fraud_proofs,
            r.tranches,
            r.junk_submitted,
            r.junk_accepted,
            r.good_accepted,
            r.good_rejected,
            r.duplicates_refused,
            r.licenses,
            r.batches,
            r.cheating_batches,
            r.caught,
            r.catchable,
            r.catchable_caught,
            r.withheld,
            r.withheld_catchable,
            r.withheld_voided,
            r.omission_claims,
            r.omission_upheld,
            r.omission_opened_total,
            r.omission_upheld_total,
            r.onboarding_secs_mean,
            r.settled
        ));
    }
    s
}

/// A hand-written SVG line chart of one series per seed (x: epoch).
pub fn svg_chart(title: &str, series: &[Vec<f64>]) -> String {
    let (w, h, pad) = (640.0, 240.0, 36.0);
    let n = series.iter().map(Vec::len).max().unwrap_or(0).max(2);
    let max = series
        .iter()
        .flatten()
        .copied()
        .filter(|x| x.is_finite())
        .fold(0.0f64, f64::max)
        .max(1e-9);
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" font-family=\"sans-serif\" font-size=\"11\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n<text x=\"{pad}\" y=\"16\">{title} (max {max:.3})</text>\n<line x1=\"{pad}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"black\"/>\n<line x1=\"{pad}\" y1=\"{pad}\" x2=\"{pad}\" y2=\"{}\" stroke=\"black\"/>\n",
        h - pad,
        w - 8.0,
        h - pad,
        h - pad
    );
    for (i, ys) in series.iter().enumerate() {
        let pts: Vec<String> = ys
            .iter()
            .enumerate()
            .map(|(x, y)| {
                let px = pad + (w - pad - 8.0) * x as f64 / (n - 1) as f64;
                let py = (h - pad) - (h - 2.0 * pad) * (y.max(0.0) / max);
                format!("{px:.1},{py:.1}")
            })
            .collect();
        let hue = (i * 47) % 360;
        s.push_str(&format!(
            "<polyline fill=\"none\" stroke=\"hsl({hue},60%,45%)\" stroke-opacity=\"0.6\" points=\"{}\"/>\n",
            pts.join(" ")
        ));
    }
    s.push_str(&format!(
        "<text x=\"{pad}\" y=\"{}\">epoch 0</text><text x=\"{}\" y=\"{}\" text-anchor=\"end\">epoch {}</text>\n</svg>\n",
        h - 20.0,
        w - 8.0,
        h - 20.0,
        n - 1
    ));
    s
}
