//! A scenario file (TOML): the market's size and behaviour, the protocol's parameters and
//! an optional sweep of one parameter. Every field has a default (the baseline), so a
//! scenario file states only what it changes.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Scenario {
    pub name: String,
    pub description: String,
    pub epochs: u32,
    pub seeds: u32,
    /// Seed of the first run; run `i` uses `first_seed + i`.
    pub first_seed: u64,
    /// The gas price agents pay, in uatr per gas unit.
    pub gas_price: f64,
    pub protocol: ProtocolParams,
    pub datasets: Datasets,
    pub contributors: Contributors,
    pub curators: Curators,
    pub buyers: Buyers,
    pub models: Models,
    pub operators: Operators,
    pub auditors: Auditors,
    pub wash: Wash,
    pub canaries: Canaries,
    /// Runs the scenario once per value of one parameter (`sweep.param`, a dotted path
    /// of this file, e.g. `auditors.reach`).
    pub sweep: Option<Sweep>,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Sweep {
    pub param: String,
    pub values: Vec<f64>,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct ProtocolParams {
    pub protocol_bps: u32,
    pub curator_bps: u32,
    /// Emission per epoch in protocol tokens (0: none) and its cap `k` in bps of the fee value.
    pub emission_per_epoch: u64,
    pub emission_k_bps: u32,
    pub emission_reserve: u64,
    pub tranche_bond: u64,
    pub dataset_bond: u64,
    pub dispute_bond: u64,
    pub curator_stake_min: u64,
    pub committee_size: u32,
    pub dispute_committee_size: u32,
    pub operator_bond: u64,
    pub model_bond: u64,
    pub fraud_slash_bps: u32,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Datasets {
    pub count: u32,
    /// Share of datasets on the strict tier (the rest optimistic).
    pub strict_share: f64,
    pub license_price: u64,
    pub royalty_per_unit: u64,
    /// A maintainer seals a new version every this many epochs.
    pub seal_every: u32,
    /// Prices differ: dataset `i` of `n` asks `(1 + price_spread × i / (n − 1))` times
    /// the license price and the royalty per unit (0: every dataset alike).
    pub price_spread: f64,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Contributors {
    pub honest: u32,
    pub spammers: u32,
    /// Chance per epoch that a contributor registers a tranche.
    pub rate: f64,
    /// Of a spammer's tranches: exact duplicates of an earlier root (the rest is junk).
    pub duplicate_share: f64,
    /// Chance per epoch that somebody watching an optimistic dataset challenges a junk
    /// tranche inside its window (and an accepted junk tranche inside the dispute window).
    pub watch_rate: f64,
    /// Claims every this many epochs.
    pub claim_every: u32,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Curators {
    pub honest: u32,
    /// Vote accept without checking.
    pub lazy: u32,
    /// Accept the spam ring's junk; their share of all curator stake.
    pub colluding: u32,
    pub colluding_stake_share: f64,
    pub stake: u64,
    /// Stakes spread: the i-th honest curator stakes `stake × (1 + spread × i / n)`.
    pub stake_spread: f64,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Buyers {
    pub recurring: u32,
    /// Chance per epoch that a recurring buyer buys.
    pub recurring_rate: f64,
    /// One-off buyers per epoch, a series cycled over the epochs (a demand curve).
    pub one_off_per_epoch: Vec<u32>,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Models {
    /// Honest owners: they declare every dataset their model trains on.
    pub owners: u32,
    /// Owners that train on `lineage` datasets and declare all but one (drawn at random):
    /// no license for it, a lower royalty per unit.
    pub forgetting: u32,
    /// Owners that train on `lineage` datasets and declare only the `cheapest_declared`
    /// cheapest of them (by royalty per unit).
    pub cheapest: u32,
    pub cheapest_declared: u32,
    /// Datasets each model trains on (an honest owner's lineage).
    pub lineage: u32,
    /// Receipts per model per epoch, a series cycled over the epochs (usage demand).
    pub receipts_per_epoch: Vec<u32>,
    pub units_per_receipt: u64,
    /// Escrow topped up to this many epochs of usage.
    pub escrow_epochs: u32,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Operators {
    pub honest: u32,
    pub cheating: u32,
    /// Operators that post complete batches but, at `withhold_rate`, publish no leaves
    /// (and answer no inclusion request, SPEC §5.6).
    pub withholding: u32,
    pub withhold_rate: f64,
    /// Chance that a cheating operator's batch leaves out receipts.
    pub cheat_rate: f64,
    /// Receipts left out of a cheating batch.
    pub dropped: u32,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Auditors {
    pub count: u32,
    /// Share of the receipts an auditor holds a copy of (a user of the model gave it).
    pub reach: f64,
    /// Chance an auditor is online during a batch's dispute window.
    pub uptime: f64,
}

/// Canary records (SPEC §5.5). The detection model: each of a dataset's `density`
/// canaries is, in an epoch, seen emitted by a model that trained on the dataset with
/// probability `emit_rate`, by an auditor probing it (independently per canary); so a
/// model that trained on the dataset is caught emitting one of its canaries in an epoch
/// with probability `1 − (1 − emit_rate)^density`. The auditor then files the omission
/// claim (the canary's preimage, its bond) — when the dataset is not in the lineage.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Canaries {
    /// Canaries each maintainer plants and commits (`add_canary`; the registry holds
    /// at most 16 per dataset).
    pub density: u32,
    pub emit_rate: f64,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Wash {
    /// Wash traders: each owns a dataset of its own and buys its licenses from itself.
    pub traders: u32,
    pub buys_per_epoch: u32,
}

impl Default for Scenario {
    fn default() -> Self {
        Scenario {
            name: "baseline".into(),
            description: String::new(),
            epochs: 100,
            seeds: 20,
            first_seed: 1,
            // The CLI's default (`--gas-prices 0.0025uatr`); the local chain's minimum is
            // 0.001uatr (scripts/localnet.sh).
            gas_price: 0.0025,
            protocol: ProtocolParams::default(),
            datasets: Datasets::default(),
            contributors: Contributors::default(),
            curators: Curators::default(),
            buyers: Buyers::default(),
            models: Models::default(),
            operators: Operators::default(),
            auditors: Auditors::default(),
            wash: Wash::default(),
            canaries: Canaries::default(),
            sweep: None,
        }
    }
}

/// One ATR in uatr.
pub const ATR: u64 = 1_000_000;

impl Default for ProtocolParams {
    fn default() -> Self {
        ProtocolParams {
            protocol_bps: 1_000,
            curator_bps: 1_500,
            emission_per_epoch: 0,
            emission_k_bps: 0,
            emission_reserve: 0,
            tranche_bond: 5 * ATR,
            dataset_bond: 50 * ATR,
            dispute_bond: 20 * ATR,
            curator_stake_min: 100 * ATR,
            committee_size: 3,
            dispute_committee_size: 5,
            operator_bond: 10_000 * ATR,
            model_bond: 100 * ATR,
            fraud_slash_bps: 2_000,
        }
    }
}

impl Default for Datasets {
    fn default() -> Self {
        Datasets {
            count: 10,
            strict_share: 0.5,
            license_price: 20 * ATR,
            royalty_per_unit: 1_000,
            seal_every: 5,
            price_spread: 0.0,
        }
    }
}

impl Default for Contributors {
    fn default() -> Self {
        Contributors {
            honest: 500,
            spammers: 0,
            rate: 0.02,
            duplicate_share: 0.5,
            watch_rate: 0.8,
            claim_every: 10,
        }
    }
}

impl Default for Curators {
    fn default() -> Self {
        Curators {
            honest: 30,
            lazy: 0,
            colluding: 0,
            colluding_stake_share: 0.0,
            stake: 1_000 * ATR,
            stake_spread: 2.0,
        }
    }
}

impl Default for Buyers {
    fn default() -> Self {
        Buyers {
            recurring: 200,
            recurring_rate: 0.05,
            one_off_per_epoch: vec![2],
        }
    }
}

impl Default for Models {
    fn default() -> Self {
        Models {
            owners: 20,
            forgetting: 0,
            cheapest: 0,
            cheapest_declared: 1,
            lineage: 3,
            receipts_per_epoch: vec![20],
            units_per_receipt: 50,
            escrow_epochs: 10,
        }
    }
}

impl Default for Operators {
    fn default() -> Self {
        Operators {
            honest: 5,
            cheating: 0,
            cheat_rate: 0.0,
            dropped: 1,
            withholding: 0,
            withhold_rate: 0.0,
        }
    }
}

impl Default for Auditors {
    fn default() -> Self {
        Auditors {
            count: 10,
            reach: 0.1,
            uptime: 0.95,
        }
    }
}

impl Default for Canaries {
    fn default() -> Self {
        Canaries {
            density: 0,
            emit_rate: 0.05,
        }
    }
}

/// Most canary commitments a dataset holds (the registry's bound).
pub const MAX_CANARIES: u32 = 16;

impl Default for Wash {
    fn default() -> Self {
        Wash {
            traders: 0,
            buys_per_epoch: 1,
        }
    }
}

impl Scenario {
    pub fn parse(text: &str) -> anyhow::Result<Scenario> {
        let s: Scenario = toml::from_str(text)?;
        s.validate()?;
        Ok(s)
    }

    pub fn validate(&self) -> anyhow::Result<()> {
        let shares = [
            ("datasets.strict_share", self.datasets.strict_share),
            ("contributors.rate", self.contributors.rate),
            ("contributors.duplicate_share", self.contributors.duplicate_share),
            ("contributors.watch_rate", self.contributors.watch_rate),
            (
                "curators.colluding_stake_share",
                self.curators.colluding_stake_share,
            ),
            ("buyers.recurring_rate", self.buyers.recurring_rate),
            ("operators.cheat_rate", self.operators.cheat_rate),
            ("operators.withhold_rate", self.operators.withhold_rate),
            ("canaries.emit_rate", self.canaries.emit_rate),
            ("auditors.reach", self.auditors.reach),
            ("auditors.uptime", self.auditors.uptime),
        ];
        for (name, v) in shares {
            anyhow::ensure!((0.0..=1.0).contains(&v), "{name} = {v}: a share between 0 and 1");
        }
        anyhow::ensure!(self.epochs >= 2, "epochs: at least 2");
        anyhow::ensure!(self.seeds >= 1, "seeds: at least 1");
        anyhow::ensure!(self.datasets.count >= 1, "datasets.count: at least 1");
        anyhow::ensure!(
            self.models.lineage >= 1 && self.models.lineage <= self.datasets.count,
            "models.lineage: between 1 and datasets.count"
        );
        anyhow::ensure!(
            self.curators.honest >= 2,
            "curators.honest: at least 2 (they keep the committee draw's entropy)"
        );
        anyhow::ensure!(
            self.curators.colluding_stake_share < 1.0,
            "curators.colluding_stake_share: below 1"
        );
        anyhow::ensure!(
            !self.models.receipts_per_epoch.is_empty() && !self.buyers.one_off_per_epoch.is_empty(),
            "demand series must not be empty"
        );
        anyhow::ensure!(
            self.models.receipts_per_epoch.iter().all(|r| *r != 1),
            "receipts_per_epoch: 0 or at least 2 per batch"
        );
        anyhow::ensure!(
            self.datasets.seal_every >= 1 && self.contributors.claim_every >= 1,
            "seal_every, claim_every: at least 1"
        );
        anyhow::ensure!(self.gas_price >= 0.0, "gas_price: not negative");
        anyhow::ensure!(
            self.datasets.price_spread >= 0.0,
            "datasets.price_spread: not negative"
        );
        anyhow::ensure!(
            self.canaries.density <= MAX_CANARIES,
            "canaries.density: at most {MAX_CANARIES} (the registry's bound)"
        );
        anyhow::ensure!(
            self.models.forgetting == 0 || self.models.lineage >= 2,
            "models.forgetting: a lineage of at least 2 (one dataset is left out)"
        );
        anyhow::ensure!(
            self.models.cheapest == 0
                || (self.models.cheapest_declared >= 1
                    && self.models.cheapest_declared < self.models.lineage),
            "models.cheapest_declared: between 1 and lineage − 1"
        );
        Ok(())
    }

    /// The scenario with `param` (a dotted path) set to `value`.
    pub fn with(&self, param: &str, value: f64) -> anyhow::Result<Scenario> {
        let mut doc = toml::Value::try_from(self)?;
        let mut at = &mut doc;
        let parts: Vec<&str> = param.split('.').collect();
        for p in &parts[..parts.len() - 1] {
            at = at
                .get_mut(*p)
                .ok_or_else(|| anyhow::anyhow!("sweep: no section {p} in {param}"))?;
        }
        let last = parts[parts.len() - 1];
        let slot = at
            .get_mut(last)
            .ok_or_else(|| anyhow::anyhow!("sweep: no parameter {param}"))?;
        *slot = match slot {
            toml::Value::Integer(_) => toml::Value::Integer(value as i64),
            toml::Value::Float(_) => toml::Value::Float(value),
            other => anyhow::bail!("sweep: {param} is {other}, not a number"),
        };
        let mut s: Scenario = doc.try_into()?;
        s.sweep = None;
        s.validate()?;
        Ok(s)
    }

    /// The scenario cut down for CI: `epochs` epochs, `seeds` seeds, about a tenth of
    /// the agents, each acting more often (so a short run still registers, reviews,
    /// seals, buys, meters and claims). The sweep is kept.
    pub fn short(&self, epochs: u32, seeds: u32) -> Scenario {
        let mut s = self.clone();
        let tenth = |n: u32, min: u32| if n == 0 { 0 } else { (n / 10).max(min) };
        s.epochs = epochs;
        s.seeds = seeds;
        s.contributors.honest = tenth(s.contributors.honest, 10);
        s.contributors.spammers = tenth(s.contributors.spammers, 5);
        s.contributors.rate = (s.contributors.rate * 10.0).min(1.0);
        s.contributors.claim_every = 2;
        s.curators.honest = tenth(s.curators.honest, 6);
        s.curators.lazy = tenth(s.curators.lazy, 1);
        s.curators.colluding = tenth(s.curators.colluding, 2);
        s.buyers.recurring = tenth(s.buyers.recurring, 10);
        s.buyers.recurring_rate = (s.buyers.recurring_rate * 5.0).min(1.0);
        s.models.owners = tenth(s.models.owners, 3);
        s.models.forgetting = tenth(s.models.forgetting, 2);
        s.models.cheapest = tenth(s.models.cheapest, 2);
        s.auditors.count = tenth(s.auditors.count, 2).max(self.auditors.count.min(2));
        s.datasets.count = tenth(s.datasets.count, 4).max(s.models.lineage);
        s.datasets.seal_every = 1;
        s.canaries.emit_rate = (s.canaries.emit_rate * 5.0).min(1.0);
        s
    }

    /// The agents of one run.
    pub fn agents(&self) -> u64 {
        let c = &self.contributors;
        let cu = &self.curators;
        (c.honest
            + c.spammers
            + cu.honest
            + cu.lazy
            + cu.colluding
            + self.buyers.recurring
            + self.models.owners
            + self.models.forgetting
            + self.models.cheapest
            + self.operators.honest
            + self.operators.cheating
            + self.operators.withholding
            + self.auditors.count
            + self.wash.traders
            + self.datasets.count
            // The treasury (admin), the keeper, the watcher.
            + 3) as u64
            + self.one_off_buyers()
    }

    /// One-off buyers over the run (each buys once).
    pub fn one_off_buyers(&self) -> u64 {
        let s = &self.buyers.one_off_per_epoch;
        (0..self.epochs as usize).map(|e| s[e % s.len()] as u64).sum()
    }
}
