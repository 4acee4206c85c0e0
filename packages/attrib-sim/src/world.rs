//! One seeded run of a scenario on the real contracts (the protocol builder of
//! `attrib-tests`): the agents, what each does in an epoch, and what is read back. Every
//! outcome (accepted or not, slashed or not, paid how much) is read from the contracts'
//! queries and the bank; the simulator keeps only what an off-chain agent would know (its
//! own tranches, the receipts it signed or holds, the votes it committed).

use std::collections::{BTreeMap, BTreeSet};

use attrib_cli::keys::Signer;
use attrib_cli::proofs::Posted;
use attrib_curator_staking::contract::sv::mt::CuratorStakingContractProxy;
use attrib_curator_staking::state::ReviewStatus;
use attrib_receipt_oracle::contract::sv::mt::ReceiptOracleContractProxy;
use attrib_receipt_oracle::msg::BatchRef;
use attrib_receipt_oracle::state::{BatchStatus, LineageEntry};
use attrib_registry::contract::sv::mt::RegistryContractProxy;
use attrib_registry::msg::{NewDataset, TrancheRegistration};
use attrib_reward_distributor::contract::sv::mt::RewardDistributorContractProxy;
use attrib_reward_distributor::state::EpochStatus;
use attrib_std::curation::{vote_commitment, Vote};
use attrib_std::interfaces::license_registry::sv::mt::LicenseRegistryProxy;
use attrib_std::interfaces::points_source::sv::mt::PointsSourceProxy;
use attrib_std::interfaces::slashing_service::Role;
use attrib_std::receipts::{BatchHeader, Receipt, SignedReceipt};
use attrib_std::registry::{LicenseExpiry, LicenseId, LicenseTerms, TrancheStatus, VerificationTier};
use attrib_std::rewards::{PoolReceiveMsg, PositionRef, TakeRates};
use attrib_tests::books::{balance_of, check_backing, Known};
use attrib_tests::{addr, Protocol, ProtocolBuilder, DENOM};
use cosmwasm_std::{coin, from_json, to_json_binary, Addr, HexBinary, Uint128};
use cw_multi_test::{AppResponse, Executor};

use crate::gas::GasTable;
use crate::metrics::{EpochRow, RunResult};
use crate::rng::Rng;
use crate::scenario::Scenario;

/// Seconds per epoch: the protocol's (curator points, reward pool) and the oracle's.
pub const EPOCH: u64 = 3_600;
const CHALLENGE_WINDOW: u64 = 1_200;
const VOTE_PHASE: u64 = 300;
const ORACLE_WINDOW: u64 = 600;
/// Every agent's bank balance at genesis.
pub const START: u128 = 1_000_000_000_000_000;
const TOKEN_SUPPLY: u128 = 1_000_000_000_000_000;
const SETTLE_PAGE: u32 = 50;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Class {
    Contributor,
    Spammer,
    Maintainer,
    Curator,
    LazyCurator,
    ColludingCurator,
    Buyer,
    OneOffBuyer,
    ModelOwner,
    ForgettingOwner,
    CheapestOwner,
    Operator,
    CheatingOperator,
    WithholdingOperator,
    Auditor,
    Watcher,
    WashTrader,
    Keeper,
    Treasury,
}

impl Class {
    pub const ALL: [Class; 19] = [
        Class::Contributor,
        Class::Spammer,
        Class::Maintainer,
        Class::Curator,
        Class::LazyCurator,
        Class::ColludingCurator,
        Class::Buyer,
        Class::OneOffBuyer,
        Class::ModelOwner,
        Class::ForgettingOwner,
        Class::CheapestOwner,
        Class::Operator,
        Class::CheatingOperator,
        Class::WithholdingOperator,
        Class::Auditor,
        Class::Watcher,
        Class::WashTrader,
        Class::Keeper,
        Class::Treasury,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Class::Contributor => "contributor",
            Class::Spammer => "spammer",
            Class::Maintainer => "maintainer",
            Class::Curator => "curator",
            Class::LazyCurator => "lazy_curator",
            Class::ColludingCurator => "colluding_curator",
            Class::Buyer => "buyer",
            Class::OneOffBuyer => "one_off_buyer",
            Class::ModelOwner => "model_owner",
            Class::ForgettingOwner => "forgetting_model_owner",
            Class::CheapestOwner => "cheapest_model_owner",
            Class::Operator => "operator",
            Class::CheatingOperator => "cheating_operator",
            Class::WithholdingOperator => "withholding_operator",
            Class::Auditor => "auditor",
            Class::Watcher => "watcher",
            Class::WashTrader => "wash_trader",
            Class::Keeper => "keeper",
            Class::Treasury => "treasury",
        }
    }

    fn is_curator(self) -> bool {
        matches!(
            self,
            Class::Curator | Class::LazyCurator | Class::ColludingCurator
        )
    }
}

pub struct Agent {
    pub name: String,
    pub addr: Addr,
    pub class: Class,
    /// Gas units of every message it sent.
    pub gas: u64,
    pub msgs: u64,
    /// What it paid for licenses, and received by claims (uatr; the token at weight 1).
    pub paid_fees: u128,
    pub claimed_fee: u128,
    pub claimed_emission: u128,
}

struct DatasetSim {
    id: u64,
    maintainer: usize,
    strict: bool,
    /// Accepted tranches, in the order they were accepted.
    accepted: Vec<u64>,
    /// Sealed versions: (version, tranche ids).
    versions: Vec<(u32, Vec<u64>)>,
    sealed_count: usize,
    /// Its terms: license price and royalty per usage unit (uatr).
    price: u128,
    royalty: u128,
    /// The canaries' preimages (their sha256 commitments are in the registry).
    canaries: Vec<Vec<u8>>,
}

struct TrancheSim {
    contributor: usize,
    dataset: usize,
    junk: bool,
    /// Registered in this epoch.
    epoch: u32,
    status: TrancheStatus,
    challenged: bool,
}

struct ModelSim {
    id: u64,
    owner: usize,
    operator: usize,
    /// Epoch charge (receipts × units × royalty) the owner keeps in escrow.
    royalty: u128,
    /// The datasets it trains on (declared or not) and the epoch it was registered.
    trained: Vec<usize>,
    epoch: u32,
    /// Units its users were served (the receipts its operator signed).
    units: u128,
}

/// A dataset a model trains on but does not declare (SPEC §5.5).
struct OmissionSim {
    model: usize,
    dataset: usize,
    /// The version the model trained on (the latest when it registered).
    version: u32,
    /// A claim is open (filed in this epoch, review pending).
    open: Option<u64>,
    claims: u32,
    upheld: Option<u32>,
    /// Read back from the oracle after an upheld claim.
    lineage_extended: bool,
    back_royalty: u128,
    bond_slashed: u128,
}

struct PendingBatch {
    model: u64,
    operator: usize,
    seq: u64,
    dropped: Vec<Receipt>,
    posted: Vec<Receipt>,
    signed: Vec<Receipt>,
    /// Its leaves were never published (a withholding operator).
    withheld: bool,
}

/// Counters of what happened in the current epoch, as the agents saw it.
#[derive(Default)]
struct EpochCounters {
    tranches: u64,
    junk_submitted: u64,
    junk_accepted: u64,
    good_accepted: u64,
    good_rejected: u64,
    duplicates: u64,
    licenses: u64,
    batches: u64,
    cheating_batches: u64,
    caught: u64,
    catchable: u64,
    catchable_caught: u64,
    withheld: u64,
    withheld_catchable: u64,
    withheld_voided: u64,
    omission_claims: u64,
    omission_upheld: u64,
    onboarding_secs: Vec<u64>,
}

pub struct Sim<'a> {
    sc: &'a Scenario,
    gas: &'a GasTable,
    rng: Rng,
    p: Protocol,
    token_denom: Option<String>,
    pub agents: Vec<Agent>,
    by_class: BTreeMap<Class, Vec<usize>>,
    datasets: Vec<DatasetSim>,
    tranches: BTreeMap<u64, TrancheSim>,
    roots: Vec<[u8; 32]>,
    next_root: u64,
    votes: BTreeMap<(u64, usize), (Vote, Vec<u8>)>,
    open_reviews: BTreeSet<u64>,
    models: Vec<ModelSim>,
    omissions: Vec<OmissionSim>,
    /// Review id → the omission it decides.
    omission_reviews: BTreeMap<u64, usize>,
    /// Royalties the oracle paid, per (model, dataset): its `usage_royalty` events.
    received: BTreeMap<(u64, u64), u128>,
    /// The oracle's `omission_upheld` events: (model, dataset) → (back royalty, bond slashed).
    upheld_events: BTreeMap<(u64, u64), (u128, u128)>,
    keys: Vec<std::rc::Rc<Signer>>,
    next_one_off: usize,
    epoch: u32,
    counters: EpochCounters,
    start: u64,
    rows: Vec<EpochRow>,
    /// Which recurring buyers have bought before (for the simulator's own check of the
    /// pool's retention figures).
    schema: u64,
    agent_steps: u64,
    /// Wall seconds per phase of the epoch loop.
    phase_secs: BTreeMap<&'static str, f64>,
    /// Per version: its allocations when the contributors last read its positions, and
    /// whether any of them was still vesting.
    versions_read: BTreeMap<(u64, u32), (u128, bool)>,
}

fn err<E: std::fmt::Debug>(e: E) -> String {
    format!("{e:?}")
}

impl<'a> Sim<'a> {
    pub fn new(sc: &'a Scenario, gas: &'a GasTable, seed: u64) -> Sim<'a> {
        let mut agents = vec![];
        let mut by_class: BTreeMap<Class, Vec<usize>> = BTreeMap::new();
        let mut add = |class: Class, n: u32| {
            for i in 0..n {
                let name = format!("{}-{i}", class.name());
                by_class.entry(class).or_default().push(agents.len());
                agents.push(Agent {
                    addr: addr(&name),
                    name,
                    class,
                    gas: 0,
                    msgs: 0,
                    paid_fees: 0,
                    claimed_fee: 0,
                    claimed_emission: 0,
                });
            }
        };
        let one_offs: u32 = (0..sc.epochs as usize)
            .map(|e| sc.buyers.one_off_per_epoch[e % sc.buyers.one_off_per_epoch.len()])
            .sum();
        add(Class::Treasury, 1);
        add(Class::Keeper, 1);
        add(Class::Maintainer, sc.datasets.count);
        add(Class::Contributor, sc.contributors.honest);
        add(Class::Spammer, sc.contributors.spammers);
        add(Class::Curator, sc.curators.honest);
        add(Class::LazyCurator, sc.curators.lazy);
        add(Class::ColludingCurator, sc.curators.colluding);
        add(Class::Buyer, sc.buyers.recurring);
        add(Class::OneOffBuyer, one_offs);
        add(Class::ModelOwner, sc.models.owners);
        add(Class::ForgettingOwner, sc.models.forgetting);
        add(Class::CheapestOwner, sc.models.cheapest);
        add(Class::Operator, sc.operators.honest);
        add(Class::CheatingOperator, sc.operators.cheating);
        add(Class::WithholdingOperator, sc.operators.withholding);
        add(Class::Auditor, sc.auditors.count);
        add(Class::Watcher, 1);
        add(Class::WashTrader, sc.wash.traders);

        let pp = &sc.protocol;
        let names: Vec<String> = agents.iter().map(|a| a.name.clone()).collect();
        let mut builder = ProtocolBuilder::default()
            .with_registry_fees(
                Some(coin(10, DENOM)),
                Some(coin(pp.dataset_bond as u128, DENOM)),
                Some(coin(pp.tranche_bond as u128, DENOM)),
            )
            .with_challenge_window(CHALLENGE_WINDOW)
            .with_max_tranches(1_000)
            .with_take_rates(TakeRates {
                protocol_bps: pp.protocol_bps,
                curator_bps: pp.curator_bps,
            })
            .with_vesting(EPOCH)
            .with_treasury("treasury-0")
            .with_staking_params(|s| {
                s.epoch_secs = EPOCH;
                s.min_stake = Uint128::new(pp.curator_stake_min as u128);
                s.unbonding_secs = 2 * EPOCH;
                s.dispute_window_secs = 2 * EPOCH;
                s.commit_secs = VOTE_PHASE;
                s.reveal_secs = VOTE_PHASE;
                s.committee_size = pp.committee_size;
                s.dispute_committee_size = pp.dispute_committee_size;
                s.dispute_bond = Uint128::new(pp.dispute_bond as u128);
                s.max_stakers = 1_000;
            })
            .with_oracle_params(|o| {
                o.epoch_secs = EPOCH;
                o.dispute_window_secs = ORACLE_WINDOW;
                o.operator_min_bond = Uint128::new(pp.operator_bond as u128);
                o.model_bond = Uint128::new(pp.model_bond as u128);
                o.fraud_slash_bps = pp.fraud_slash_bps;
                o.inclusion_fee = coin(1_000, DENOM);
            });
        // Names are bech32 addresses already: fund them by address.
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        builder = builder.with_funded_actors(&names, &[coin(START, DENOM)]);
        if pp.emission_per_epoch > 0 {
            builder = builder
                .with_protocol_token(&[("treasury-0", TOKEN_SUPPLY)])
                .with_emission(pp.emission_per_epoch as u128, pp.emission_k_bps);
        }
        let p = builder.build();
        let token_denom = p.token.as_ref().map(attrib_std::funds::cw20_denom);
        let start = p.app.block_info().time.seconds();
        Sim {
            sc,
            gas,
            rng: Rng::new(seed),
            p,
            token_denom,
            agents,
            by_class,
            datasets: vec![],
            tranches: BTreeMap::new(),
            roots: vec![],
            next_root: 0,
            votes: BTreeMap::new(),
            open_reviews: BTreeSet::new(),
            models: vec![],
            omissions: vec![],
            omission_reviews: BTreeMap::new(),
            received: BTreeMap::new(),
            upheld_events: BTreeMap::new(),
            keys: vec![],
            next_one_off: 0,
            epoch: 0,
            counters: EpochCounters::default(),
            start,
            rows: vec![],
            schema: 0,
            agent_steps: 0,
            phase_secs: BTreeMap::new(),
            versions_read: BTreeMap::new(),
        }
    }

    fn class(&self, c: Class) -> Vec<usize> {
        self.by_class.get(&c).cloned().unwrap_or_default()
    }

    fn now(&self) -> u64 {
        self.p.app.block_info().time.seconds()
    }

    fn advance_to(&self, t: u64) {
        let now = self.now();
        if t > now {
            attrib_tests::advance(&self.p.app, t - now);
        } else {
            attrib_tests::next_block(&self.p.app);
        }
    }

    /// Charges `who` the gas of `message` when it went through.
    fn paid<E: std::fmt::Debug>(
        &mut self,
        who: usize,
        message: &str,
        r: Result<AppResponse, E>,
    ) -> Result<AppResponse, String> {
        let r = r.map_err(err)?;
        let a = &mut self.agents[who];
        a.gas += self.gas.gas(message);
        a.msgs += 1;
        self.note_events(&r);
        Ok(r)
    }

    /// Records the oracle's royalty payments and upheld omission claims from a
    /// response's events (the contracts' own account of what they paid and charged).
    fn note_events(&mut self, r: &AppResponse) {
        use attrib_std::events::{attr, OMISSION_UPHELD, USAGE_ROYALTY};
        let get = |e: &cosmwasm_std::Event, k: &str| -> u128 {
            e.attributes
                .iter()
                .find(|a| a.key == k)
                .map(|a| {
                    let digits: String = a.value.chars().take_while(char::is_ascii_digit).collect();
                    digits.parse().unwrap_or(0)
                })
                .unwrap_or(0)
        };
        for e in &r.events {
            let Some(ty) = e.ty.strip_prefix("wasm-") else {
                continue;
            };
            let key = (get(e, attr::MODEL_ID) as u64, get(e, attr::DATASET_ID) as u64);
            if ty == USAGE_ROYALTY {
                *self.received.entry(key).or_default() += get(e, attr::AMOUNT);
            } else if ty == OMISSION_UPHELD {
                self.upheld_events
                    .insert(key, (get(e, attr::BACK_ROYALTY), get(e, attr::BOND_SLASHED)));
            }
        }
    }

    fn a(&self, who: usize) -> Addr {
        self.agents[who].addr.clone()
    }

    // ------------------------------------------------------------------ setup

    fn terms(price: u128, royalty: u128) -> LicenseTerms {
        LicenseTerms {
            license: LicenseId::Spdx("CC-BY-4.0".into()),
            commercial_use: true,
            derivatives_allowed: true,
            price: vec![coin(price, DENOM)],
            royalty_per_unit: vec![coin(royalty, DENOM)],
            expiry: LicenseExpiry::Perpetual,
        }
    }

    /// Registers a dataset whose terms are `factor` times the scenario's.
    fn register_dataset(&mut self, maintainer: usize, strict: bool, factor: f64) -> Result<(), String> {
        let price = (self.sc.datasets.license_price as f64 * factor).round() as u128;
        let royalty = (self.sc.datasets.royalty_per_unit as f64 * factor).round() as u128;
        let tier = if strict {
            VerificationTier::Strict
        } else {
            VerificationTier::Optimistic
        };
        let r = self
            .p
            .registry()
            .register_dataset(NewDataset {
                name: format!("d{}", self.datasets.len()),
                schema_id: self.schema,
                metadata_uri: "ipfs://d".into(),
                terms: Self::terms(price, royalty),
                tier,
                weight_rule: None,
                max_tranche_records: None,
                canaries: None,
            })
            .with_funds(&[coin(self.sc.protocol.dataset_bond as u128, DENOM)])
            .call(&self.a(maintainer));
        let r = self.paid(maintainer, "register_dataset", r)?;
        let id: u64 = from_json(r.data.unwrap()).map_err(err)?;
        self.datasets.push(DatasetSim {
            id,
            maintainer,
            strict,
            accepted: vec![],
            versions: vec![],
            sealed_count: 0,
            price,
            royalty,
            canaries: vec![],
        });
        Ok(())
    }

    /// The maintainer plants `canaries.density` canaries in dataset `d` and commits them.
    fn plant_canaries(&mut self, d: usize) -> Result<(), String> {
        let (id, m) = (self.datasets[d].id, self.datasets[d].maintainer);
        for i in 0..self.sc.canaries.density {
            let secret = format!("canary {id}.{i}.{:016x}", self.rng.u64()).into_bytes();
            let r = self
                .p
                .registry()
                .add_canary(id, attrib_cli::registry::sha256_hex(&secret))
                .call(&self.a(m));
            self.paid(m, "add_canary", r)?;
            self.datasets[d].canaries.push(secret);
        }
        Ok(())
    }

    fn stake(&mut self, who: usize, amount: u128, role: Role) -> Result<(), String> {
        let r = self
            .p
            .curator_staking()
            .stake(role)
            .with_funds(&[coin(amount, DENOM)])
            .call(&self.a(who));
        self.paid(who, "stake", r).map(|_| ())
    }

    fn commit_entropy(&mut self, who: usize) -> Result<(), String> {
        let a = self.a(who);
        let salt = attrib_tests::entropy_salt(&a, self.p.app.block_info().height);
        let c = attrib_std::curation::entropy_commitment(a.as_str(), &salt);
        let r = self
            .p
            .curator_staking()
            .commit_entropy(c.to_vec().into())
            .call(&a);
        self.paid(who, "commit_entropy", r).map(|_| ())
    }

    /// Deploys the market: datasets, curators' stakes, operators, the emission reserve.
    pub fn setup(&mut self) -> Result<(), String> {
        let sc = self.sc;
        let maintainer0 = self.class(Class::Maintainer)[0];
        let r = self
            .p
            .registry()
            .register_schema("ipfs://schema".into(), HexBinary::from([1u8; 32]))
            .with_funds(&[coin(10, DENOM)])
            .call(&self.a(maintainer0));
        let r = self.paid(maintainer0, "register_schema", r)?;
        self.schema = from_json(r.data.unwrap()).map_err(err)?;
        let maintainers = self.class(Class::Maintainer);
        let strict_n = (sc.datasets.count as f64 * sc.datasets.strict_share).round() as usize;
        let spread_over = (maintainers.len().max(2) - 1) as f64;
        for (i, m) in maintainers.iter().enumerate() {
            let factor = 1.0 + sc.datasets.price_spread * i as f64 / spread_over;
            self.register_dataset(*m, i < strict_n, factor)?;
            self.plant_canaries(i)?;
        }
        // Curators: honest and lazy stakes spread; colluders hold their share in total.
        let honest: Vec<usize> = self
            .class(Class::Curator)
            .into_iter()
            .chain(self.class(Class::LazyCurator))
            .collect();
        let n = honest.len().max(1) as f64;
        let mut honest_total = 0u128;
        for (i, c) in honest.iter().enumerate() {
            let s = (sc.curators.stake as f64 * (1.0 + sc.curators.stake_spread * i as f64 / n)) as u128;
            honest_total += s;
            self.stake(*c, s, Role::Curator)?;
        }
        let colluders = self.class(Class::ColludingCurator);
        if !colluders.is_empty() {
            let share = sc.curators.colluding_stake_share;
            let total = (honest_total as f64 * share / (1.0 - share)) as u128;
            let each = (total / colluders.len() as u128).max(sc.protocol.curator_stake_min as u128);
            for c in colluders {
                self.stake(c, each, Role::Curator)?;
            }
        }
        // Two honest curators keep an entropy commitment outstanding for the draws.
        for k in self.keepers() {
            self.commit_entropy(k)?;
        }
        for (i, o) in self.operators().into_iter().enumerate() {
            self.stake(o, sc.protocol.operator_bond as u128, Role::Operator)?;
            let address = cosmrs::AccountId::new("wasm", &[i as u8 + 1; 20]).map_err(err)?;
            let key =
                Signer::from_secret(&format!("operator-{i}"), &operator_secret(i), address).map_err(err)?;
            let pubkey = HexBinary::from(key.key.public_key().to_bytes());
            let r = self.p.receipt_oracle().register_operator(pubkey).call(&self.a(o));
            self.paid(o, "register_operator", r)?;
            self.keys.push(std::rc::Rc::new(key));
        }
        // Wash traders: a dataset each, optimistic, with one tranche of their own.
        for w in self.class(Class::WashTrader) {
            self.register_dataset(w, false, 1.0)?;
        }
        if let Some(token) = self.p.token.clone() {
            let t = self.class(Class::Treasury)[0];
            let r = self.p.app.app_mut().execute_contract(
                self.a(t),
                token,
                &cw20::Cw20ExecuteMsg::Send {
                    contract: self.p.reward_distributor.to_string(),
                    amount: Uint128::new(sc.protocol.emission_reserve as u128),
                    msg: to_json_binary(&PoolReceiveMsg::FundEmissions {}).map_err(err)?,
                },
                &[],
            );
            self.paid(t, "fund_emissions", r.map_err(|e| format!("{e:#}")))?;
        }
        attrib_tests::next_block(&self.p.app);
        Ok(())
    }

    fn keepers(&self) -> Vec<usize> {
        self.class(Class::Curator).into_iter().take(2).collect()
    }

    fn operators(&self) -> Vec<usize> {
        self.class(Class::Operator)
            .into_iter()
            .chain(self.class(Class::CheatingOperator))
            .chain(self.class(Class::WithholdingOperator))
            .collect()
    }

    // ------------------------------------------------------------------ contributors

    fn fresh_root(&mut self) -> [u8; 32] {
        self.next_root += 1;
        let mut root = [0u8; 32];
        root[..8].copy_from_slice(&self.next_root.to_be_bytes());
        root[8..16].copy_from_slice(&self.rng.u64().to_be_bytes());
        root[31] = 0x5e;
        self.roots.push(root);
        root
    }

    /// Commit in this block, reveal in the next: returns the tranche, or None when the
    /// registry refused it as a duplicate.
    fn register_tranche(
        &mut self,
        who: usize,
        dataset: usize,
        root: [u8; 32],
        junk: bool,
    ) -> Result<Option<u64>, String> {
        let a = self.a(who);
        let records = 100 + self.rng.below(900) as u64;
        let args = attrib_tests::TrancheArgs {
            dataset_id: self.datasets[dataset].id,
            content_root: HexBinary::from(root),
            record_count: records,
            byte_size: records * 1_000,
            metadata_uri: "ipfs://t",
        };
        let bond = [coin(self.sc.protocol.tranche_bond as u128, DENOM)];
        let r = attrib_tests::commit_tranche(&self.p.app, &self.p.registry, &a, &args, &bond)
            .map(|_| AppResponse::default());
        self.paid(who, "commit_tranche", r)?;
        attrib_tests::next_block(&self.p.app);
        let r = attrib_tests::reveal_tranche(&self.p.app, &self.p.registry, &a, args).map_err(err)?;
        let reg: TrancheRegistration = from_json(r.data.clone().unwrap()).map_err(err)?;
        let msg = if reg.tranche_id.is_none() {
            "register_tranche (duplicate)"
        } else {
            "register_tranche"
        };
        self.agents[who].gas += self.gas.gas(msg);
        self.agents[who].msgs += 1;
        match reg.tranche_id {
            None => {
                self.counters.duplicates += 1;
                Ok(None)
            }
            Some(t) => {
                let status = self.p.registry().tranche(t).map_err(err)?.tranche.status;
                self.tranches.insert(
                    t,
                    TrancheSim {
                        contributor: who,
                        dataset,
                        junk,
                        epoch: self.epoch,
                        status,
                        challenged: false,
                    },
                );
                self.counters.tranches += 1;
                if junk {
                    self.counters.junk_submitted += 1;
                }
                if let Some(r) = self.p.curator_staking().open_review_of(t).map_err(err)?.review_id {
                    self.open_reviews.insert(r);
                }
                Ok(Some(t))
            }
        }
    }

    fn contribute(&mut self) -> Result<(), String> {
        let sc = self.sc;
        let open: Vec<usize> = (0..self.datasets.len())
            .filter(|d| self.agents[self.datasets[*d].maintainer].class == Class::Maintainer)
            .collect();
        for who in self.class(Class::Contributor) {
            self.agent_steps += 1;
            if self.rng.chance(sc.contributors.rate) {
                let d = open[self.rng.below(open.len())];
                let root = self.fresh_root();
                self.register_tranche(who, d, root, false)?;
            }
        }
        for who in self.class(Class::Spammer) {
            self.agent_steps += 1;
            if self.rng.chance(sc.contributors.rate) {
                let d = open[self.rng.below(open.len())];
                if !self.roots.is_empty() && self.rng.chance(sc.contributors.duplicate_share) {
                    let root = self.roots[self.rng.below(self.roots.len())];
                    self.register_tranche(who, d, root, true)?;
                } else {
                    let root = self.fresh_root();
                    self.register_tranche(who, d, root, true)?;
                }
            }
        }
        // A wash trader's dataset gets its one tranche in the first epoch.
        if self.epoch == 0 {
            for (d, ds) in self
                .datasets
                .iter()
                .enumerate()
                .map(|(i, d)| (i, d.maintainer))
                .collect::<Vec<_>>()
            {
                if self.agents[ds].class == Class::WashTrader {
                    let root = self.fresh_root();
                    self.register_tranche(ds, d, root, false)?;
                }
            }
        }
        Ok(())
    }

    /// The watcher challenges junk it sees: pending on an optimistic dataset inside the
    /// window, or accepted inside the dispute window (a revocation).
    fn watch(&mut self) -> Result<(), String> {
        let watcher = self.class(Class::Watcher)[0];
        let junk: Vec<u64> = self
            .tranches
            .iter()
            .filter(|(_, t)| {
                t.junk
                    && !t.challenged
                    && matches!(t.status, TrancheStatus::Pending | TrancheStatus::Accepted)
                    && self.epoch <= t.epoch + 1
            })
            .map(|(id, _)| *id)
            .collect();
        for t in junk {
            self.agent_steps += 1;
            if !self.rng.chance(self.sc.contributors.watch_rate) {
                continue;
            }
            self.tranches.get_mut(&t).unwrap().challenged = true;
            let r = self
                .p
                .curator_staking()
                .challenge(t, HexBinary::from([5u8; 32]), "ipfs://evidence".into())
                .with_funds(&[coin(self.sc.protocol.dispute_bond as u128, DENOM)])
                .call(&self.a(watcher));
            // Too late (window over) or not challengeable: the watcher keeps its bond.
            if self.paid(watcher, "challenge", r).is_ok() {
                if let Some(r) = self.p.curator_staking().open_review_of(t).map_err(err)?.review_id {
                    self.open_reviews.insert(r);
                }
            }
        }
        Ok(())
    }

    // ------------------------------------------------------------------ curation

    /// What review `r` (of tranche `t`) should decide on the evidence: a junk tranche
    /// rejected, a good one accepted; an omission claim (its canary really was emitted,
    /// the simulator files no other) upheld.
    fn truth(&self, r: u64, t: u64) -> Vote {
        if self.omission_reviews.contains_key(&r) {
            return Vote::Accept;
        }
        if self.tranches.get(&t).is_some_and(|t| t.junk) {
            Vote::Reject
        } else {
            Vote::Accept
        }
    }

    /// How curator `c` votes where the evidence says `truth`.
    fn vote_of(&self, c: usize, truth: Vote) -> Vote {
        match self.agents[c].class {
            Class::LazyCurator | Class::ColludingCurator => Vote::Accept,
            _ => truth,
        }
    }

    /// Carries every open review through draw, commit, reveal and finalization.
    fn run_reviews(&mut self) -> Result<(), String> {
        if self.open_reviews.is_empty() {
            return Ok(());
        }
        // Next block: the keepers reveal their entropy (committed before every request
        // of this epoch) and commit afresh; then the keeper draws each review.
        attrib_tests::next_block(&self.p.app);
        for k in self.keepers() {
            let a = self.a(k);
            if let Some(c) = self
                .p
                .curator_staking()
                .entropy(a.to_string())
                .map_err(err)?
                .commit
            {
                let r = self
                    .p
                    .curator_staking()
                    .reveal_entropy(attrib_tests::entropy_salt(&a, c.height))
                    .call(&a);
                self.paid(k, "reveal_entropy", r)?;
            }
        }
        let keeper = self.class(Class::Keeper)[0];
        let reviews: Vec<u64> = self.open_reviews.iter().copied().collect();
        let mut members: Vec<(u64, Vote, Vec<usize>)> = vec![];
        let index: BTreeMap<Addr, usize> = self
            .agents
            .iter()
            .enumerate()
            .filter(|(_, a)| a.class.is_curator())
            .map(|(i, a)| (a.addr.clone(), i))
            .collect();
        for r in reviews {
            let review = self.p.curator_staking().review(r).map_err(err)?.review;
            if review.status == ReviewStatus::Drawing {
                let res = self.p.curator_staking().draw_committee(r).call(&self.a(keeper));
                self.paid(keeper, "draw_committee", res)?;
            }
            let review = self.p.curator_staking().review(r).map_err(err)?.review;
            let m = review.members.iter().map(|m| index[&m.curator]).collect();
            members.push((r, self.truth(r, review.tranche_id), m));
        }
        for k in self.keepers() {
            self.commit_entropy(k)?;
        }
        for (r, truth, m) in &members {
            for c in m {
                let vote = self.vote_of(*c, *truth);
                let salt = self.rng.u64().to_be_bytes().to_vec();
                let a = self.a(*c);
                let commitment = vote_commitment(*r, a.as_str(), vote, &salt);
                let res = self
                    .p
                    .curator_staking()
                    .commit_vote(*r, HexBinary::from(commitment.to_vec()))
                    .call(&a);
                self.paid(*c, "commit_vote", res)?;
                self.votes.insert((*r, *c), (vote, salt));
            }
        }
        self.advance_to(self.now() + VOTE_PHASE + 1);
        for (r, _, m) in &members {
            for c in m {
                let (vote, salt) = self.votes.remove(&(*r, *c)).expect("committed");
                let res = self
                    .p
                    .curator_staking()
                    .reveal_vote(*r, vote, HexBinary::from(salt))
                    .call(&self.a(*c));
                self.paid(*c, "reveal_vote", res)?;
            }
        }
        let admin_idx = self.class(Class::Treasury)[0];
        for (r, truth, _) in &members {
            let res = self.p.curator_staking().finalize_review(*r).call(&self.a(keeper));
            self.paid(keeper, "finalize_review", res)?;
            let review = self.p.curator_staking().review(*r).map_err(err)?.review;
            if review.status == ReviewStatus::AwaitingAdmin {
                // The last appeal decides on the evidence.
                let res = self
                    .p
                    .curator_staking()
                    .admin_resolve(*r, *truth)
                    .call(&self.p.admin.clone());
                // The admin's gas is the treasury's (governance).
                self.paid(admin_idx, "admin_resolve", res)?;
            }
            let review = self.p.curator_staking().review(*r).map_err(err)?.review;
            if review.status == ReviewStatus::Finalized {
                self.open_reviews.remove(r);
                if let Some(o) = self.omission_reviews.remove(r) {
                    self.omission_decided(o, review.outcome)?;
                }
            }
        }
        Ok(())
    }

    /// An omission claim was decided: upheld, what the oracle did is read back (the
    /// model's lineage, and its `omission_upheld` event's back royalty and bond slashed).
    fn omission_decided(&mut self, o: usize, outcome: Option<Vote>) -> Result<(), String> {
        let (m, d, version) = {
            let om = &self.omissions[o];
            (om.model, om.dataset, om.version)
        };
        self.omissions[o].open = None;
        if outcome != Some(Vote::Accept) {
            return Ok(());
        }
        let (model_id, dataset_id) = (self.models[m].id, self.datasets[d].id);
        let model = self.p.receipt_oracle().model(model_id).map_err(err)?;
        let extended = model
            .lineage
            .iter()
            .any(|e| e.dataset_id == dataset_id && e.version == version);
        let (back, bond) = self
            .upheld_events
            .get(&(model_id, dataset_id))
            .copied()
            .ok_or_else(|| {
                format!("omission claim on model {model_id} upheld without the oracle's record")
            })?;
        let om = &mut self.omissions[o];
        om.upheld = Some(self.epoch);
        om.lineage_extended = extended;
        om.back_royalty = back;
        om.bond_slashed = bond;
        self.counters.omission_upheld += 1;
        Ok(())
    }

    /// Auditors probe the models: one that trained on a dataset emits one of its
    /// canaries with the scenario's probability per epoch (`canaries`); seen from a model
    /// whose lineage lacks the dataset, the auditor files the omission claim with the
    /// canary's preimage and its bond.
    fn probe_canaries(&mut self) -> Result<(), String> {
        let c = &self.sc.canaries;
        if c.density == 0 || self.omissions.is_empty() {
            return Ok(());
        }
        let p = 1.0 - (1.0 - c.emit_rate).powi(c.density as i32);
        let auditors = self.class(Class::Auditor);
        for o in 0..self.omissions.len() {
            let (m, d, version) = {
                let om = &self.omissions[o];
                if om.upheld.is_some() || om.open.is_some() {
                    continue;
                }
                (om.model, om.dataset, om.version)
            };
            if self.models[m].epoch >= self.epoch || auditors.is_empty() {
                continue;
            }
            self.agent_steps += 1;
            if !self.rng.chance(p) {
                continue;
            }
            let who = auditors[self.rng.below(auditors.len())];
            let ds = &self.datasets[d];
            let secret = ds.canaries[self.rng.below(ds.canaries.len())].clone();
            let r = self
                .p
                .curator_staking()
                .challenge_omission(
                    self.models[m].id,
                    ds.id,
                    version,
                    HexBinary::from(secret),
                    "ipfs://canary-output".into(),
                )
                .with_funds(&[coin(self.sc.protocol.dispute_bond as u128, DENOM)])
                .call(&self.a(who));
            let r = self.paid(who, "challenge_omission", r)?;
            let review: u64 = from_json(r.data.unwrap()).map_err(err)?;
            self.open_reviews.insert(review);
            self.omission_reviews.insert(review, o);
            self.omissions[o].open = Some(review);
            self.omissions[o].claims += 1;
            self.counters.omission_claims += 1;
        }
        Ok(())
    }

    /// Reads back the status of every tranche still in play (pending, under review, or
    /// accepted and challenged: only a dispute revokes); records acceptances.
    fn refresh_tranches(&mut self) -> Result<(), String> {
        let live: Vec<u64> = self
            .tranches
            .iter()
            .filter(|(_, t)| match t.status {
                TrancheStatus::Pending | TrancheStatus::UnderReview => true,
                TrancheStatus::Accepted => t.challenged,
                _ => false,
            })
            .map(|(id, _)| *id)
            .collect();
        for id in live {
            let now_status = self.p.registry().tranche(id).map_err(err)?.tranche.status;
            let now = self.now();
            let t = self.tranches.get_mut(&id).unwrap();
            if now_status == t.status {
                continue;
            }
            match now_status {
                TrancheStatus::Accepted => {
                    if t.junk {
                        self.counters.junk_accepted += 1;
                    } else {
                        self.counters.good_accepted += 1;
                        let waited = now - (self.start + t.epoch as u64 * EPOCH);
                        self.counters.onboarding_secs.push(waited);
                    }
                    self.datasets[t.dataset].accepted.push(id);
                }
                TrancheStatus::Rejected if !t.junk => self.counters.good_rejected += 1,
                TrancheStatus::Revoked => {
                    let d = &mut self.datasets[t.dataset];
                    d.accepted.retain(|x| *x != id);
                }
                _ => {}
            }
            t.status = now_status;
        }
        Ok(())
    }

    /// Each contributor whose optimistic tranche's window has passed unchallenged
    /// accepts it (its bond comes back).
    fn accept_unchallenged(&mut self) -> Result<(), String> {
        let due: Vec<(u64, usize)> = self
            .tranches
            .iter()
            .filter(|(_, t)| t.status == TrancheStatus::Pending && !self.datasets[t.dataset].strict)
            .map(|(id, t)| (*id, t.contributor))
            .collect();
        for (t, who) in due {
            let r = self.p.registry().accept_unchallenged(t).call(&self.a(who));
            // Challenged meanwhile (under review): not due.
            let _ = self.paid(who, "accept_unchallenged", r);
        }
        Ok(())
    }

    fn seal_versions(&mut self) -> Result<(), String> {
        for d in 0..self.datasets.len() {
            let ds = &self.datasets[d];
            let is_wash = self.agents[ds.maintainer].class == Class::WashTrader;
            let due = is_wash || self.epoch.is_multiple_of(self.sc.datasets.seal_every);
            if !due || ds.accepted.len() == ds.sealed_count || ds.accepted.is_empty() {
                continue;
            }
            // The newest accepted tranches, as many as a version holds.
            let tranches: Vec<u64> = ds.accepted.iter().rev().take(1_000).rev().copied().collect();
            let (id, m) = (ds.id, ds.maintainer);
            let r = self
                .p
                .registry()
                .seal_version(id, tranches.clone())
                .call(&self.a(m));
            let r = self.paid(m, "seal_version", r)?;
            let v: u32 = from_json(r.data.unwrap()).map_err(err)?;
            let ds = &mut self.datasets[d];
            ds.versions.push((v, tranches));
            ds.sealed_count = ds.accepted.len();
        }
        Ok(())
    }

    // ------------------------------------------------------------------ buyers

    fn latest(&self, d: usize) -> Option<(u64, u32)> {
        let ds = &self.datasets[d];
        ds.versions.last().map(|(v, _)| (ds.id, *v))
    }

    fn buy(&mut self, who: usize, d: usize) -> Result<bool, String> {
        let Some((id, v)) = self.latest(d) else {
            return Ok(false);
        };
        let price = self.datasets[d].price;
        let r = self
            .p
            .registry()
            .buy_license(id, v, None)
            .with_funds(&[coin(price, DENOM)])
            .call(&self.a(who));
        self.paid(who, "buy_license", r)?;
        self.agents[who].paid_fees += price;
        self.counters.licenses += 1;
        Ok(true)
    }

    fn market_datasets(&self) -> Vec<usize> {
        (0..self.datasets.len())
            .filter(|d| {
                self.agents[self.datasets[*d].maintainer].class == Class::Maintainer
                    && !self.datasets[*d].versions.is_empty()
            })
            .collect()
    }

    fn buyers(&mut self) -> Result<(), String> {
        let sc = self.sc;
        let open = self.market_datasets();
        for b in self.class(Class::Buyer) {
            self.agent_steps += 1;
            if !open.is_empty() && self.rng.chance(sc.buyers.recurring_rate) {
                let d = open[self.rng.below(open.len())];
                self.buy(b, d)?;
            }
        }
        let n = sc.buyers.one_off_per_epoch[self.epoch as usize % sc.buyers.one_off_per_epoch.len()];
        let one_offs = self.class(Class::OneOffBuyer);
        for _ in 0..n {
            let b = one_offs[self.next_one_off];
            self.next_one_off += 1;
            self.agent_steps += 1;
            if !open.is_empty() {
                let d = open[self.rng.below(open.len())];
                self.buy(b, d)?;
            }
        }
        // Wash traders buy their own dataset's licenses.
        for (d, m) in self
            .datasets
            .iter()
            .enumerate()
            .map(|(i, d)| (i, d.maintainer))
            .collect::<Vec<_>>()
        {
            if self.agents[m].class == Class::WashTrader {
                for _ in 0..sc.wash.buys_per_epoch {
                    self.agent_steps += 1;
                    self.buy(m, d)?;
                }
            }
        }
        Ok(())
    }

    // ------------------------------------------------------------------ models

    /// A model owner without a model registers one once enough datasets have a version:
    /// it trains on `lineage` of them, buys the licenses of those it declares,
    /// registers (royalty per unit: the declared datasets' terms, each weighted by its
    /// royalty), names its operator and funds the escrow. An honest owner declares all;
    /// a forgetting one all but one; a cheapest-only one the cheapest few.
    fn register_models(&mut self) -> Result<(), String> {
        let sc = self.sc;
        let open = self.market_datasets();
        if open.len() < sc.models.lineage as usize {
            return Ok(());
        }
        let have: BTreeSet<usize> = self.models.iter().map(|m| m.owner).collect();
        let operators = self.operators();
        let owners: Vec<usize> = [Class::ModelOwner, Class::ForgettingOwner, Class::CheapestOwner]
            .into_iter()
            .flat_map(|c| self.class(c))
            .collect();
        for (i, owner) in owners.into_iter().enumerate() {
            if have.contains(&owner) || operators.is_empty() {
                continue;
            }
            let trained: Vec<usize> = self
                .rng
                .sample(open.len(), sc.models.lineage as usize)
                .into_iter()
                .map(|k| open[k])
                .collect();
            let declared: Vec<usize> = match self.agents[owner].class {
                Class::ForgettingOwner => {
                    let skip = self.rng.below(trained.len());
                    trained
                        .iter()
                        .enumerate()
                        .filter(|(j, _)| *j != skip)
                        .map(|(_, d)| *d)
                        .collect()
                }
                Class::CheapestOwner => {
                    let mut by_price = trained.clone();
                    by_price.sort_by_key(|d| (self.datasets[*d].royalty, *d));
                    by_price.truncate(sc.models.cheapest_declared as usize);
                    by_price
                }
                _ => trained.clone(),
            };
            let total: u128 = declared.iter().map(|d| self.datasets[*d].royalty).sum();
            let mut lineage = vec![];
            for d in &declared {
                self.buy(owner, *d)?;
                let (id, v) = self.latest(*d).unwrap();
                lineage.push(LineageEntry {
                    dataset_id: id,
                    version: v,
                    weight_bps: (self.datasets[*d].royalty * 10_000 / total.max(1)) as u32,
                });
            }
            let short = 10_000 - lineage.iter().map(|e| e.weight_bps).sum::<u32>();
            lineage[0].weight_bps += short;
            let royalty = coin(total, DENOM);
            let r = self
                .p
                .receipt_oracle()
                .register_model("ipfs://model".into(), lineage, None, royalty.clone())
                .with_funds(&[coin(sc.protocol.model_bond as u128, DENOM)])
                .call(&self.a(owner));
            let r = self.paid(owner, "register_model", r)?;
            let id: u64 = from_json(r.data.unwrap()).map_err(err)?;
            let operator = operators[i % operators.len()];
            let r = self
                .p
                .receipt_oracle()
                .set_model_operator(id, self.a(operator).to_string(), true)
                .call(&self.a(owner));
            self.paid(owner, "set_model_operator", r)?;
            let per_epoch = sc.models.receipts_per_epoch.iter().copied().max().unwrap_or(0) as u128
                * sc.models.units_per_receipt as u128
                * royalty.amount.u128();
            for d in trained.iter().filter(|d| !declared.contains(*d)) {
                let version = self.latest(*d).unwrap().1;
                self.omissions.push(OmissionSim {
                    model: self.models.len(),
                    dataset: *d,
                    version,
                    open: None,
                    claims: 0,
                    upheld: None,
                    lineage_extended: false,
                    back_royalty: 0,
                    bond_slashed: 0,
                });
            }
            self.models.push(ModelSim {
                id,
                owner,
                operator,
                royalty: per_epoch,
                trained,
                epoch: self.epoch,
                units: 0,
            });
        }
        Ok(())
    }

    fn top_up_escrow(&mut self, m: usize) -> Result<(), String> {
        let (id, owner, per_epoch) = (self.models[m].id, self.models[m].owner, self.models[m].royalty);
        let model = self.p.receipt_oracle().model(id).map_err(err)?;
        let want = per_epoch * self.sc.models.escrow_epochs as u128;
        let have = model.escrow.u128().saturating_sub(model.debt.u128());
        if have < 2 * per_epoch && want > have {
            let r = self
                .p
                .receipt_oracle()
                .fund_escrow(id)
                .with_funds(&[coin(want - have, DENOM)])
                .call(&self.a(owner));
            self.paid(owner, "fund_escrow", r)?;
        }
        Ok(())
    }

    /// A slashed operator tops its bond back up to the minimum, to keep posting.
    fn rebond(&mut self, o: usize) -> Result<(), String> {
        let bonded = self
            .p
            .curator_staking()
            .staker(self.a(o).to_string())
            .map_err(err)?
            .staker
            .map_or(0, |s| s.bonded.u128());
        let min = self.sc.protocol.operator_bond as u128;
        if bonded < min {
            self.stake(o, min - bonded, Role::Operator)?;
        }
        Ok(())
    }

    /// Every model is used; its operator signs the receipts and posts the epoch's batch
    /// (a cheating one leaves some out); auditors that hold a left-out receipt prove it.
    fn usage(&mut self) -> Result<Vec<PendingBatch>, String> {
        let sc = self.sc;
        let n = sc.models.receipts_per_epoch[self.epoch as usize % sc.models.receipts_per_epoch.len()] as u64;
        let mut posted = vec![];
        if n == 0 {
            return Ok(posted);
        }
        let epoch = self.p.receipt_oracle().epoch().map_err(err)?.current;
        let oracle = self.p.receipt_oracle.clone().unwrap().to_string();
        let chain_id = self.p.app.block_info().chain_id;
        let operators = self.operators();
        for m in 0..self.models.len() {
            self.agent_steps += 1;
            self.top_up_escrow(m)?;
            let (model, operator) = (self.models[m].id, self.models[m].operator);
            let op_addr = self.a(operator);
            let cursor = self
                .p
                .receipt_oracle()
                .cursor(model, op_addr.to_string())
                .map_err(err)?;
            let signed: Vec<Receipt> = (0..n)
                .map(|i| Receipt {
                    chain_id: chain_id.clone(),
                    contract: oracle.clone(),
                    model_id: model,
                    epoch,
                    receipt_id: cursor.last_id + 1 + i,
                    units: sc.models.units_per_receipt,
                    timestamp: self.now(),
                })
                .collect();
            self.models[m].units += n as u128 * sc.models.units_per_receipt as u128;
            let cheats = self.agents[operator].class == Class::CheatingOperator
                && self.rng.chance(sc.operators.cheat_rate);
            let withheld = self.agents[operator].class == Class::WithholdingOperator
                && self.rng.chance(sc.operators.withhold_rate);
            if withheld {
                self.counters.withheld += 1;
            }
            let mut dropped = vec![];
            let mut kept = signed.clone();
            if cheats && n > 2 {
                // Interior receipts only: the first and last carry the declared range.
                let k = (sc.operators.dropped as usize).min(n as usize - 2);
                let mut idx: Vec<usize> = self
                    .rng
                    .sample(n as usize - 2, k)
                    .into_iter()
                    .map(|i| i + 1)
                    .collect();
                idx.sort_unstable();
                for i in idx.iter().rev() {
                    dropped.push(kept.remove(*i));
                }
                dropped.reverse();
                self.counters.cheating_batches += 1;
            }
            let tree = attrib_std::receipts::SumTree::from_receipts(&kept)
                .map_err(err)?
                .unwrap();
            let c = tree.commitment();
            let header = BatchHeader {
                chain_id: chain_id.clone(),
                contract: oracle.clone(),
                model_id: model,
                epoch,
                operator: op_addr.to_string(),
                seq: cursor.next_seq,
                first_id: signed[0].receipt_id,
                last_id: signed.last().unwrap().receipt_id,
                count: c.count,
                total_units: Uint128::new(c.total),
                root: HexBinary::from(c.root.to_vec()),
            };
            let key = self.keys[operators.iter().position(|o| *o == operator).unwrap()].clone();
            let msg = attrib_cli::receipts::signed_new_batch(&key, header, None);
            let r = self.p.receipt_oracle().submit_batch(msg).call(&op_addr);
            self.paid(operator, "submit_batch", r)?;
            self.counters.batches += 1;
            posted.push(PendingBatch {
                model,
                operator,
                seq: cursor.next_seq,
                dropped,
                posted: kept,
                signed,
                withheld,
            });
        }
        Ok(posted)
    }

    /// Auditors online that hold a left-out receipt file the omitted-receipt proof; a
    /// voided batch is replaced with the honest one.
    fn audit(&mut self, batches: &mut [PendingBatch]) -> Result<(), String> {
        let operators = self.operators();
        for b in batches.iter_mut() {
            if b.dropped.is_empty() {
                continue;
            }
            let holder = self.holder(&b.dropped);
            if holder.is_some() {
                self.counters.catchable += 1;
            }
            let Some((auditor, receipt)) = holder else {
                continue;
            };
            let key = self.keys[operators.iter().position(|o| *o == b.operator).unwrap()].clone();
            let key = &key;
            // The operator signed this receipt when it served it (deterministic
            // signatures: signing it now gives the same bytes).
            let signature = attrib_cli::receipts::sign_bytes(key, &receipt.sign_bytes());
            let held = SignedReceipt { receipt, signature };
            let leaves: Vec<SignedReceipt> = b
                .posted
                .iter()
                .map(|r| SignedReceipt {
                    receipt: r.clone(),
                    signature: HexBinary::default(),
                })
                .collect();
            let msg = Posted::new(leaves)
                .map_err(err)?
                .omitted(self.batch_ref(b), &held)
                .map_err(err)?;
            self.oracle_exec(auditor, "challenge_omitted_receipt", &msg, &[])?;
            self.voided_then_replaced(b, "an omitted-receipt proof")?;
            self.counters.caught += 1;
            self.counters.catchable_caught += 1;
        }
        Ok(())
    }

    /// Who holds one of `receipts` (each auditor a `reach` share of the receipts) and is
    /// online in the dispute window (`uptime`): the first found, and the receipt.
    fn holder(&mut self, receipts: &[Receipt]) -> Option<(usize, Receipt)> {
        let sc = self.sc;
        let mut holder = None;
        for a in self.class(Class::Auditor) {
            let online = self.rng.chance(sc.auditors.uptime);
            for r in receipts {
                if self.rng.chance(sc.auditors.reach) && online && holder.is_none() {
                    holder = Some((a, r.clone()));
                }
            }
        }
        holder
    }

    /// Agent `who` sends `msg` to the oracle (charged as `message`).
    fn oracle_exec<M: serde::Serialize + std::fmt::Debug>(
        &mut self,
        who: usize,
        message: &str,
        msg: &M,
        funds: &[cosmwasm_std::Coin],
    ) -> Result<AppResponse, String> {
        let r = self.p.app.app_mut().execute_contract(
            self.a(who),
            self.p.receipt_oracle.clone().unwrap(),
            msg,
            funds,
        );
        self.paid(who, message, r.map_err(|e| format!("{e:#}")))
    }

    /// `what` must have voided batch `b` (read back); its operator posts the replacement.
    fn voided_then_replaced(&mut self, b: &mut PendingBatch, what: &str) -> Result<(), String> {
        let status = self
            .p
            .receipt_oracle()
            .batch(b.model, self.a(b.operator).to_string(), b.seq)
            .map_err(err)?
            .status;
        if !matches!(status, BatchStatus::Voided { .. }) {
            return Err(format!(
                "{what} left batch {} of model {} {status:?}",
                b.seq, b.model
            ));
        }
        self.replace(b)
    }

    /// A voided batch's operator tops its bond up and posts the honest replacement
    /// (every receipt it signed), its leaves published.
    fn replace(&mut self, b: &mut PendingBatch) -> Result<(), String> {
        let operators = self.operators();
        let key = self.keys[operators.iter().position(|o| *o == b.operator).unwrap()].clone();
        self.rebond(b.operator)?;
        let op_addr = self.a(b.operator);
        let cursor = self
            .p
            .receipt_oracle()
            .cursor(b.model, op_addr.to_string())
            .map_err(err)?;
        let tree = attrib_std::receipts::SumTree::from_receipts(&b.signed)
            .map_err(err)?
            .unwrap();
        let c = tree.commitment();
        let header = BatchHeader {
            chain_id: self.p.app.block_info().chain_id,
            contract: self.p.receipt_oracle.clone().unwrap().to_string(),
            model_id: b.model,
            epoch: b.signed[0].epoch,
            operator: op_addr.to_string(),
            seq: cursor.next_seq,
            first_id: b.signed[0].receipt_id,
            last_id: b.signed.last().unwrap().receipt_id,
            count: c.count,
            total_units: Uint128::new(c.total),
            root: HexBinary::from(c.root.to_vec()),
        };
        let msg = attrib_cli::receipts::signed_new_batch(&key, header, Some(b.seq));
        let r = self.p.receipt_oracle().submit_batch(msg).call(&op_addr);
        self.paid(b.operator, "submit_batch", r)?;
        b.seq = cursor.next_seq;
        b.posted = b.signed.clone();
        b.dropped.clear();
        b.withheld = false;
        Ok(())
    }

    /// Auditors online that hold a receipt of a batch whose leaves were never
    /// published ask for its inclusion (SPEC §5.6, the fee attached); the withholding
    /// operator answers none, so after the response time the requester expires the
    /// request: the batch is voided, the operator slashed, and it posts the replacement.
    fn inclusions(&mut self, batches: &mut [PendingBatch]) -> Result<(), String> {
        if !batches.iter().any(|b| b.withheld) {
            return Ok(());
        }
        let operators = self.operators();
        let config = self.p.receipt_oracle().config().map_err(err)?;
        let fee = config.params.inclusion_fee.clone();
        let mut requests: Vec<(usize, usize, u64)> = vec![];
        for (i, b) in batches.iter().enumerate() {
            if !b.withheld {
                continue;
            }
            let Some((auditor, receipt)) = self.holder(&b.posted) else {
                continue;
            };
            self.counters.withheld_catchable += 1;
            let key = self.keys[operators.iter().position(|o| *o == b.operator).unwrap()].clone();
            let signature = attrib_cli::receipts::sign_bytes(&key, &receipt.sign_bytes());
            let id = receipt.receipt_id;
            let held = SignedReceipt { receipt, signature };
            let msg = attrib_cli::proofs::request_inclusion(self.batch_ref(b), &held);
            self.oracle_exec(auditor, "request_inclusion", &msg, std::slice::from_ref(&fee))?;
            requests.push((i, auditor, id));
        }
        if requests.is_empty() {
            return Ok(());
        }
        self.advance_to(self.now() + config.params.inclusion_response_secs + 1);
        for (i, auditor, id) in requests {
            let b = &mut batches[i];
            let msg = attrib_cli::proofs::expire_inclusion(self.batch_ref(b), id);
            self.oracle_exec(auditor, "expire_inclusion", &msg, &[])?;
            self.voided_then_replaced(b, "an unanswered inclusion request")?;
            self.counters.withheld_voided += 1;
        }
        Ok(())
    }

    fn batch_ref(&self, b: &PendingBatch) -> BatchRef {
        BatchRef {
            model_id: b.model,
            operator: self.a(b.operator).to_string(),
            seq: b.seq,
        }
    }

    fn finalize_batches(&mut self, batches: &[PendingBatch]) -> Result<(), String> {
        for b in batches {
            let op = self.a(b.operator);
            let r = self
                .p
                .receipt_oracle()
                .finalize_batch(b.model, op.to_string(), b.seq)
                .call(&op);
            self.paid(b.operator, "finalize_batch", r)?;
        }
        Ok(())
    }

    // ------------------------------------------------------------------ epochs, claims

    /// Closes and settles every epoch due (the keeper cranks).
    fn crank(&mut self) -> Result<Vec<u64>, String> {
        let keeper = self.class(Class::Keeper)[0];
        let mut settled = vec![];
        loop {
            let cfg = self.p.reward_distributor().config().map_err(err)?;
            let e = match cfg.settling {
                Some(e) => e,
                None if cfg.next_close < cfg.current_epoch => {
                    let r = self.p.reward_distributor().close_epoch().call(&self.a(keeper));
                    self.paid(keeper, "close_epoch", r)?;
                    continue;
                }
                None => break,
            };
            let r = self
                .p
                .reward_distributor()
                .settle_epoch(SETTLE_PAGE)
                .call(&self.a(keeper));
            self.paid(keeper, "settle_epoch", r)?;
            if self.p.reward_distributor().epoch(e).map_err(err)?.epoch.status == EpochStatus::Settled {
                settled.push(e);
            }
        }
        Ok(settled)
    }

    /// Sends a claim and records what it paid (read from the balances).
    fn claim_with<F>(&mut self, who: usize, message: &str, f: F) -> Result<(), String>
    where
        F: FnOnce(&Protocol, &Addr) -> Result<AppResponse, String>,
    {
        let a = self.a(who);
        let before = self.wallet(&a);
        let r = f(&self.p, &a);
        self.paid(who, message, r)?;
        let after = self.wallet(&a);
        self.agents[who].claimed_fee += after.0 - before.0;
        self.agents[who].claimed_emission += after.1 - before.1;
        Ok(())
    }

    /// (uatr, protocol token) of `a`.
    fn wallet(&self, a: &Addr) -> (u128, u128) {
        let t = self
            .token_denom
            .as_ref()
            .map_or(0, |d| balance_of(&self.p.app, a, d));
        (attrib_tests::balance(&self.p.app, a, DENOM), t)
    }

    fn versions_known(&self) -> Vec<(u64, u32, Vec<u64>)> {
        self.datasets
            .iter()
            .flat_map(|d| d.versions.iter().map(move |(v, ts)| (d.id, *v, ts.clone())))
            .collect()
    }

    fn claims(&mut self) -> Result<(), String> {
        // Contributors: every position that shows something claimable. A version whose
        // allocations did not grow since its positions were last read, none of them then
        // vesting, has nothing new to claim: its positions are not read again.
        let mut t = std::time::Instant::now();
        let mut lap = |phases: &mut BTreeMap<&'static str, f64>, name: &'static str| {
            *phases.entry(name).or_default() += t.elapsed().as_secs_f64();
            t = std::time::Instant::now();
        };
        let mut by_owner: BTreeMap<usize, Vec<PositionRef>> = BTreeMap::new();
        for (d, v, ts) in self.versions_known() {
            let account = self.p.reward_distributor().version_account(d, v).map_err(err)?;
            let allocated: u128 = account
                .accumulators
                .iter()
                .map(|a| a.accumulator.allocated.u128())
                .sum();
            if self.versions_read.get(&(d, v)) == Some(&(allocated, false)) {
                continue;
            }
            let mut vesting = false;
            for t in ts {
                let pos = self.p.reward_distributor().position(d, v, t).map_err(err)?;
                vesting |= pos.unvested.iter().any(|a| !a.amount.is_zero());
                if pos.claimable.iter().any(|a| !a.amount.is_zero()) {
                    let owner = self.tranches[&t].contributor;
                    by_owner.entry(owner).or_default().push(PositionRef {
                        dataset_id: d,
                        version: v,
                        tranche_id: t,
                    });
                }
            }
            self.versions_read.insert((d, v), (allocated, vesting));
        }
        lap(&mut self.phase_secs, "claims.read_positions");
        for (who, positions) in by_owner {
            for chunk in positions.chunks(20) {
                let chunk = chunk.to_vec();
                self.claim_with(who, "claim_rewards", |p, a| {
                    p.reward_distributor()
                        .claim_rewards(chunk, None)
                        .call(a)
                        .map_err(err)
                })?;
            }
        }
        lap(&mut self.phase_secs, "claims.contributors");
        // Curators: every vested epoch they earned points in; and payouts owed.
        let now = self.now();
        let next_close = self.p.reward_distributor().config().map_err(err)?.next_close;
        let curators: Vec<usize> = (0..self.agents.len())
            .filter(|i| self.agents[*i].class.is_curator())
            .collect();
        let mut vested = vec![];
        for e in 0..next_close {
            let Ok(ep) = self.p.reward_distributor().epoch(e) else {
                continue;
            };
            let ep = ep.epoch;
            if ep.status == EpochStatus::Settled
                && ep.curator_points > ep.curator_points_claimed
                && ep.vest_at.is_some_and(|v| v <= now)
            {
                vested.push(e);
            }
        }
        for c in curators {
            let a = self.a(c);
            let mut epochs = vec![];
            for e in &vested {
                let cr = self
                    .p
                    .reward_distributor()
                    .curator_rewards(*e, a.to_string())
                    .map_err(err)?;
                if !cr.claimed && cr.points > 0 {
                    epochs.push(*e);
                }
            }
            if !epochs.is_empty() {
                self.claim_with(c, "claim_curator_rewards", |p, a| {
                    p.reward_distributor()
                        .claim_curator_rewards(epochs, None)
                        .call(a)
                        .map_err(err)
                })?;
            }
        }
        lap(&mut self.phase_secs, "claims.curators");
        // Whoever is owed a payout (challengers, winning curators, auditors) withdraws.
        for who in 0..self.agents.len() {
            let a = self.a(who);
            if !self
                .p
                .curator_staking()
                .payout(a.to_string())
                .map_err(err)?
                .amount
                .is_zero()
            {
                let r = self.p.curator_staking().withdraw_payout().call(&a);
                self.paid(who, "withdraw_payout", r)?;
            }
        }
        lap(&mut self.phase_secs, "claims.payouts");
        let treasury = self.class(Class::Treasury)[0];
        let owed = self.p.reward_distributor().treasury(None).map_err(err)?.owed;
        if owed.iter().any(|a| !a.amount.is_zero()) {
            self.claim_with(treasury, "claim_treasury", |p, a| {
                p.reward_distributor().claim_treasury(None).call(a).map_err(err)
            })?;
        }
        Ok(())
    }

    // ------------------------------------------------------------------ checks

    /// No unit lost: every contract's books back its holdings, and every coin of every
    /// denom is held by an agent or a contract (the genesis supply). With `positions`,
    /// also that the positions of every known version never claim more than the
    /// versions are owed: one query per (version, tranche), which grows with the square
    /// of the run's length (a version holds its dataset's tranches so far), so it runs
    /// on the epochs the contributors claim and at the end, the rest every epoch.
    fn check_conservation(&self, positions: bool) -> Result<(), String> {
        let versions = if positions { self.versions_known() } else { vec![] };
        let mut denoms = vec![DENOM.to_string()];
        denoms.extend(self.token_denom.clone());
        let models: Vec<u64> = self.models.iter().map(|m| m.id).collect();
        check_backing(
            &self.p,
            &Known {
                models: &models,
                versions: &versions,
                denoms: &denoms,
            },
        )
        .map_err(|e| format!("epoch {}: {e}", self.epoch))?;
        let mut holders: Vec<Addr> = self.agents.iter().map(|a| a.addr.clone()).collect();
        holders.push(self.p.admin.clone());
        holders.extend([
            self.p.registry.clone(),
            self.p.curator_staking.clone(),
            self.p.reward_distributor.clone(),
        ]);
        holders.extend(self.p.receipt_oracle.clone());
        let total: u128 = holders
            .iter()
            .map(|h| attrib_tests::balance(&self.p.app, h, DENOM))
            .sum();
        let supply = START * self.agents.len() as u128;
        if total != supply {
            return Err(format!(
                "epoch {}: agents and contracts hold {total} {DENOM}, genesis gave {supply}",
                self.epoch
            ));
        }
        Ok(())
    }

    // ------------------------------------------------------------------ the run

    pub fn run(mut self) -> Result<RunResult, String> {
        /// Runs a phase and adds its wall time to `phase_secs` (where a run's time goes).
        macro_rules! timed {
            ($name:literal, $e:expr) => {{
                let t = std::time::Instant::now();
                let r = $e;
                *self.phase_secs.entry($name).or_default() += t.elapsed().as_secs_f64();
                r
            }};
        }
        timed!("setup", self.setup())?;
        for e in 0..self.sc.epochs {
            self.epoch = e;
            self.counters = EpochCounters::default();
            let t0 = self.start + e as u64 * EPOCH;
            self.advance_to(t0 + 1);
            timed!("contribute", self.contribute())?;
            timed!("watch", self.watch())?;
            timed!("probe_canaries", self.probe_canaries())?;
            timed!("reviews", self.run_reviews())?;
            timed!("refresh_tranches", self.refresh_tranches())?;
            self.advance_to(t0 + CHALLENGE_WINDOW + 2);
            timed!("accept_unchallenged", self.accept_unchallenged())?;
            timed!("refresh_tranches", self.refresh_tranches())?;
            timed!("seal_versions", self.seal_versions())?;
            timed!("buyers", self.buyers())?;
            timed!("register_models", self.register_models())?;
            self.advance_to(t0 + CHALLENGE_WINDOW + 100);
            let mut batches = timed!("usage", self.usage())?;
            timed!("audit", self.audit(&mut batches))?;
            timed!("inclusions", self.inclusions(&mut batches))?;
            self.advance_to(self.now() + ORACLE_WINDOW + 1);
            timed!("finalize_batches", self.finalize_batches(&batches))?;
            let claim_epoch = (e + 1).is_multiple_of(self.sc.contributors.claim_every);
            if claim_epoch {
                timed!("claims", self.claims())?;
            }
            // The epoch ends: the keeper closes and settles it.
            self.advance_to(t0 + EPOCH + 1);
            timed!("crank", self.crank())?;
            timed!("check_conservation", self.check_conservation(claim_epoch))?;
            timed!("record", self.record())?;
        }
        // Wind down: let the last settlement vest, everyone claims.
        self.advance_to(self.now() + EPOCH + 1);
        timed!("crank", self.crank())?;
        timed!("claims", self.claims())?;
        timed!("check_conservation", self.check_conservation(true))?;
        self.result()
    }

    fn record(&mut self) -> Result<(), String> {
        let e = self.epoch as u64;
        let m = self.p.reward_distributor().metrics(e, e).map_err(err)?;
        let conc_all = self.p.curator_staking().concentration(3).map_err(err)?;
        let conc = conc_all.curators;
        let row_m = m.epochs.first();
        let prev = self.rows.last();
        let disputes = row_m.and_then(|r| r.disputes.clone());
        let quality = row_m.and_then(|r| r.quality.clone());
        let audits = row_m.and_then(|r| r.audits.clone());
        let c = &self.counters;
        let mut row = EpochRow {
            epoch: e,
            fee_value: row_m.map_or(0, |r| r.fee_value.u128()),
            emission: row_m.map_or(0, |r| r.emission.u128()),
            emission_share_bps: row_m.map_or(0, |r| r.emission_share_bps),
            buyers: row_m.map_or(0, |r| r.buyers),
            returning_buyers: row_m.map_or(0, |r| r.returning_buyers),
            curator_points: row_m.map_or(0, |r| r.curator_points),
            nakamoto_third: conc.nakamoto_one_third,
            nakamoto_half: conc.nakamoto_one_half,
            hhi_bps: conc.hhi_bps,
            top_k_share_bps: conc.top_k_share_bps,
            disputes_opened: disputes.as_ref().map_or(0, |d| d.opened),
            disputes_upheld: disputes.as_ref().map_or(0, |d| d.upheld),
            disputes_changed: disputes.as_ref().map_or(0, |d| d.changed_outcome),
            dedup_hits: quality.as_ref().map_or(0, |q| q.dedup_hits),
            accepted: quality.as_ref().map_or(0, |q| q.accepted),
            rejected: quality.as_ref().map_or(0, |q| q.rejected),
            revoked: quality.as_ref().map_or(0, |q| q.revoked),
            fraud_proofs: audits.as_ref().map_or(0, |a| a.fraud_proofs),
            tranches: c.tranches,
            junk_submitted: c.junk_submitted,
            junk_accepted: c.junk_accepted,
            good_accepted: c.good_accepted,
            good_rejected: c.good_rejected,
            duplicates_refused: c.duplicates,
            licenses: c.licenses,
            batches: c.batches,
            cheating_batches: c.cheating_batches,
            caught: c.caught,
            catchable: c.catchable,
            catchable_caught: c.catchable_caught,
            withheld: c.withheld,
            withheld_catchable: c.withheld_catchable,
            withheld_voided: c.withheld_voided,
            omission_claims: c.omission_claims,
            omission_upheld: c.omission_upheld,
            omission_opened_total: conc_all.disputes.omission_opened,
            omission_upheld_total: conc_all.disputes.omission_upheld,
            onboarding_secs_mean: if c.onboarding_secs.is_empty() {
                0.0
            } else {
                c.onboarding_secs.iter().sum::<u64>() as f64 / c.onboarding_secs.len() as f64
            },
            settled: row_m.is_some_and(|r| r.settled),
        };
        // The pool's snapshots of the other contracts' counters are cumulative (taken as
        // the epoch closed); the row keeps the epoch's own part. An epoch without inflow
        // has no record: its counters carry over.
        if row_m.is_none() {
            if let Some(p) = prev {
                row.disputes_opened = p.disputes_opened;
                row.disputes_upheld = p.disputes_upheld;
                row.disputes_changed = p.disputes_changed;
                row.dedup_hits = p.dedup_hits;
                row.accepted = p.accepted;
                row.rejected = p.rejected;
                row.revoked = p.revoked;
                row.fraud_proofs = p.fraud_proofs;
            }
        }
        self.rows.push(row);
        Ok(())
    }

    fn result(&self) -> Result<RunResult, String> {
        let price = self.sc.gas_price;
        let mut classes: BTreeMap<Class, crate::metrics::ClassResult> = BTreeMap::new();
        let oracle = self.p.receipt_oracle();
        let mut escrow_of: BTreeMap<usize, u128> = BTreeMap::new();
        for m in &self.models {
            let model = oracle.model(m.id).map_err(err)?;
            *escrow_of.entry(m.owner).or_default() += (model.escrow + model.bond).u128();
        }
        // The emission reserve not yet minted is still the treasury's (it funded it).
        let reserve = match &self.token_denom {
            Some(d) => self
                .p
                .reward_distributor()
                .accounts()
                .map_err(err)?
                .accounts
                .iter()
                .find(|a| &a.denom == d)
                .map_or(0, |a| a.ledger.emission_reserve.u128()),
            None => 0,
        };
        // Bonds still held for their owners: a listing bond (no version sealed yet), a
        // tranche's bond (not decided yet), a payout owed.
        let mut held_of: BTreeMap<usize, u128> = BTreeMap::new();
        for d in &self.datasets {
            let ds = self.p.registry().dataset(d.id).map_err(err)?.dataset;
            *held_of.entry(d.maintainer).or_default() += ds.bond_held.map_or(0, |c| c.amount.u128());
        }
        for (id, t) in &self.tranches {
            if matches!(t.status, TrancheStatus::Pending | TrancheStatus::UnderReview) {
                let tr = self.p.registry().tranche(*id).map_err(err)?.tranche;
                *held_of.entry(t.contributor).or_default() += tr.bond_held.map_or(0, |c| c.amount.u128());
            }
        }
        let mut token_total = 0u128;
        for (i, a) in self.agents.iter().enumerate() {
            let owed = self
                .p
                .curator_staking()
                .payout(a.addr.to_string())
                .map_err(err)?
                .amount
                .u128();
            let held = held_of.get(&i).copied().unwrap_or(0) + owed;
            let (uatr, token) = self.wallet(&a.addr);
            token_total += token;
            let staked = self
                .p
                .curator_staking()
                .staker(a.addr.to_string())
                .map_err(err)?
                .staker
                .map_or(0, |s| (s.bonded + s.unbonding_total()).u128());
            let (token_start, reserve) = if a.class == Class::Treasury && self.token_denom.is_some() {
                (TOKEN_SUPPLY, reserve)
            } else {
                (0, 0)
            };
            let wealth = uatr as i128
                + token as i128
                + reserve as i128
                + staked as i128
                + held as i128
                + *escrow_of.get(&i).unwrap_or(&0) as i128;
            let gas_cost = (a.gas as f64 * price).round() as i128;
            let profit = wealth - START as i128 - token_start as i128 - gas_cost;
            let c = classes.entry(a.class).or_default();
            c.agents += 1;
            c.profit += profit;
            c.gas_cost += gas_cost;
            c.held += held + staked + *escrow_of.get(&i).unwrap_or(&0);
            c.msgs += a.msgs;
            c.paid_fees += a.paid_fees;
            c.claimed_fee += a.claimed_fee;
            c.claimed_emission += a.claimed_emission;
        }
        if let Some(d) = &self.token_denom {
            token_total += balance_of(&self.p.app, &self.p.reward_distributor, d);
            if token_total != TOKEN_SUPPLY {
                return Err(format!(
                    "the agents and the pool hold {token_total} of {d}, its supply is {TOKEN_SUPPLY}"
                ));
            }
        }
        let omissions = self
            .omissions
            .iter()
            .map(|o| {
                let m = &self.models[o.model];
                let d = &self.datasets[o.dataset];
                crate::metrics::OmissionResult {
                    owner_class: self.agents[m.owner].class.name().to_string(),
                    model_id: m.id,
                    dataset_id: d.id,
                    version: o.version,
                    registered_epoch: m.epoch,
                    claims: o.claims,
                    upheld_epoch: o.upheld,
                    lineage_extended: o.lineage_extended,
                    back_royalty: o.back_royalty,
                    bond_slashed: o.bond_slashed,
                    owed: m.units * d.royalty,
                    recovered: self.received.get(&(m.id, d.id)).copied().unwrap_or(0),
                }
            })
            .collect();
        let royalties = crate::metrics::Royalties {
            owed: self
                .models
                .iter()
                .map(|m| m.units * m.trained.iter().map(|d| self.datasets[*d].royalty).sum::<u128>())
                .sum(),
            received: self.received.values().sum(),
        };
        Ok(RunResult {
            omissions,
            royalties,
            rows: self.rows.clone(),
            phase_secs: self.phase_secs.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
            classes: classes
                .into_iter()
                .map(|(k, v)| (k.name().to_string(), v))
                .collect(),
            agent_steps: self.agent_steps,
        })
    }
}

/// Operator `i`'s secp256k1 secret (any fixed nonzero 32 bytes below the curve order).
fn operator_secret(i: usize) -> [u8; 32] {
    let mut s = [0x11u8; 32];
    s[31] = i as u8 + 1;
    s
}
