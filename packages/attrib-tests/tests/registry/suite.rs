//! Suite builder for registry tests: `SuiteBuilder::default().with_x(..).build()` gives a
//! `Suite` with funded actors, a registry wired to a stand-in reviewer, action helpers
//! that read like the story, and `assert_*` helpers.

use attrib_std::interfaces::governance::sv::mt::GovernanceProxy;
use attrib_std::interfaces::review_target::sv::mt::ReviewTargetProxy;
use attrib_std::registry::{
    DatasetId, LicenseExpiry, LicenseId, LicenseTerms, ReviewOutcome, SchemaId, TrancheId, VerificationTier,
};
use cosmwasm_std::{coin, from_json, Addr, Coin, HexBinary};
use cw_multi_test::{AppResponse, IntoBech32};
use sylvia::multitest::{App, Proxy};

use attrib_registry::contract::sv::mt::RegistryContractProxy;
use attrib_registry::contract::RegistryContract;
use attrib_registry::error::ContractError;
use attrib_registry::msg::{NewDataset, TrancheFilter, TrancheRegistration};
use attrib_registry::state::{Config, Dataset, Stats, Tranche};
use attrib_tests::mocks::review_service::{sv::mt::ReviewServiceMockProxy, ReviewServiceMock};
use attrib_tests::ProtocolBuilder;
pub use attrib_tests::{MtApp, TrancheArgs, DENOM};

/// An allowlisted IBC voucher (as a buyer from another chain would hold).
pub const IBC_DENOM: &str = "ibc/27394FB092D2ECCD56123C74F36E4C1F926001CEADA9CA97EA622B25F41E5EB2";
/// A coin nobody's terms accept.
pub const OTHER_DENOM: &str = "uatom";
pub const START_BALANCE: u128 = 1_000_000;
pub const SCHEMA_FEE: u128 = 10;
pub const DATASET_BOND: u128 = 1_000;
pub const TRANCHE_BOND: u128 = 100;
pub const LICENSE_PRICE: u128 = 5_000;
pub const LICENSE_PRICE_IBC: u128 = 7;
pub const LICENSE_SECS: u64 = 30 * 86_400;
pub const WINDOW: u64 = 3_600;

pub struct Actors {
    pub admin: Addr,
    pub pool: Addr,
    pub maintainer: Addr,
    pub alice: Addr,
    pub bob: Addr,
    pub carol: Addr,
    pub spammer: Addr,
    pub devshop: Addr,
    pub stranger: Addr,
}

impl Actors {
    fn new() -> Self {
        let a = |n: &str| n.into_bech32();
        Self {
            admin: a("admin"),
            pool: a("reward-pool"),
            maintainer: a("maintainer"),
            alice: a("alice"),
            bob: a("bob"),
            carol: a("carol"),
            spammer: a("spammer"),
            devshop: a("devshop"),
            stranger: a("stranger"),
        }
    }

    pub fn all(&self) -> Vec<&Addr> {
        vec![
            &self.admin,
            &self.pool,
            &self.maintainer,
            &self.alice,
            &self.bob,
            &self.carol,
            &self.spammer,
            &self.devshop,
            &self.stranger,
        ]
    }
}

pub struct SuiteBuilder {
    protocol: ProtocolBuilder,
}

impl Default for SuiteBuilder {
    fn default() -> Self {
        // Everyone but the pool (the reward distributor) starts with funds.
        let funded = [
            "admin",
            "maintainer",
            "alice",
            "bob",
            "carol",
            "spammer",
            "devshop",
            "stranger",
        ];
        let balance = [
            coin(START_BALANCE, DENOM),
            coin(START_BALANCE, IBC_DENOM),
            coin(START_BALANCE, OTHER_DENOM),
        ];
        Self {
            protocol: ProtocolBuilder::default()
                .with_funded_actors(&funded, &balance)
                .with_registry_fees(
                    Some(coin(SCHEMA_FEE, DENOM)),
                    Some(coin(DATASET_BOND, DENOM)),
                    Some(coin(TRANCHE_BOND, DENOM)),
                )
                .with_challenge_window(WINDOW)
                // Licenses are priced in both; OTHER_DENOM stays one the pool refuses.
                .with_accepted_denom(IBC_DENOM, 1)
                .with_max_tranches(50)
                .with_review_service_mock()
                .without_receipt_oracle(),
        }
    }
}

impl SuiteBuilder {
    pub fn without_bonds(mut self) -> Self {
        self.protocol = self.protocol.without_registry_fees();
        self
    }

    pub fn without_reviewer(mut self) -> Self {
        self.protocol = self.protocol.without_review_service();
        self
    }

    pub fn with_max_tranches(mut self, max: u32) -> Self {
        self.protocol = self.protocol.with_max_tranches(max);
        self
    }

    pub fn build(self) -> Suite {
        let mut actors = Actors::new();
        // The reward pool is a real reward distributor (its balance is what the tests read).
        let p = self.protocol.build();
        actors.pool = p.reward_distributor.clone();
        Suite {
            registry: p.registry.clone(),
            reviewer: p.curator_staking.clone(),
            registry_code_id: p.registry_code_id,
            actors,
            app: p.app,
        }
    }
}

pub struct Suite {
    pub app: App<MtApp>,
    pub registry: Addr,
    pub reviewer: Addr,
    pub registry_code_id: u64,
    pub actors: Actors,
}

/// Everything a failed message must leave as it was.
#[derive(Debug, PartialEq)]
pub struct Snapshot {
    config: Config,
    stats: Stats,
    datasets: Vec<Dataset>,
    tranches: Vec<Tranche>,
    balances: Vec<(Addr, u128, u128, u128)>,
    governance: attrib_std::interfaces::governance::GovernanceResponse,
    opened_reviews: Vec<TrancheId>,
    commitments: Vec<attrib_registry::msg::OpenCommitment>,
}

pub fn root(byte: u8) -> HexBinary {
    HexBinary::from([byte; 32])
}

pub fn default_terms() -> LicenseTerms {
    LicenseTerms {
        license: LicenseId::Spdx("CC-BY-4.0".into()),
        commercial_use: true,
        derivatives_allowed: true,
        price: vec![coin(LICENSE_PRICE, DENOM), coin(LICENSE_PRICE_IBC, IBC_DENOM)],
        royalty_per_unit: vec![coin(1, DENOM)],
        expiry: LicenseExpiry::AfterSeconds(LICENSE_SECS),
    }
}

impl Suite {
    pub fn registry(&self) -> Proxy<'_, MtApp, RegistryContract> {
        Proxy::new(self.registry.clone(), &self.app)
    }

    pub fn balance(&self, who: &Addr, denom: &str) -> u128 {
        attrib_tests::balance(&self.app, who, denom)
    }

    pub fn advance(&self, secs: u64) {
        attrib_tests::advance(&self.app, secs);
    }

    pub fn now(&self) -> u64 {
        self.app.block_info().time.seconds()
    }

    // ---- actions, as the story tells them ----

    pub fn register_schema(&self) -> SchemaId {
        let resp = self
            .registry()
            .register_schema("ipfs://schema/images-boxes".into(), root(0xAB))
            .with_funds(&[coin(SCHEMA_FEE, DENOM)])
            .call(&self.actors.maintainer)
            .unwrap();
        from_json(resp.data.unwrap()).unwrap()
    }

    pub fn register_dataset(&self, tier: VerificationTier) -> DatasetId {
        let resp = self.try_register_dataset(self.new_dataset(tier)).unwrap();
        from_json(resp.data.unwrap()).unwrap()
    }

    /// The maintainer's usual dataset, on a schema registered for it.
    pub fn new_dataset(&self, tier: VerificationTier) -> NewDataset {
        NewDataset {
            name: "retail-shelves".into(),
            schema_id: self.register_schema(),
            metadata_uri: "ipfs://datasets/retail-shelves".into(),
            terms: default_terms(),
            tier,
            weight_rule: None,
            max_tranche_records: None,
            canaries: Some(vec![root(0xC1)]),
        }
    }

    /// The maintainer registers `new` with the listing bond.
    pub fn try_register_dataset(&self, new: NewDataset) -> Result<AppResponse, ContractError> {
        self.registry()
            .register_dataset(new)
            .with_funds(&[coin(DATASET_BOND, DENOM)])
            .call(&self.actors.maintainer)
    }

    /// Commits (with the bond), waits a block and reveals, as a contributor must.
    pub fn try_register_tranche(
        &self,
        who: &Addr,
        dataset: DatasetId,
        content_root: HexBinary,
        records: u64,
    ) -> Result<AppResponse, ContractError> {
        attrib_tests::register_tranche(
            &self.app,
            &self.registry,
            who,
            TrancheArgs {
                dataset_id: dataset,
                content_root,
                record_count: records,
                byte_size: records.saturating_mul(50_000),
                metadata_uri: "ipfs://tranche",
            },
            &self.tranche_bond(),
        )
    }

    /// The listing bond as configured (what a commitment must pay).
    pub fn tranche_bond(&self) -> Vec<Coin> {
        self.registry()
            .config()
            .unwrap()
            .config
            .tranche_bond
            .into_iter()
            .collect()
    }

    /// Registers a tranche and returns its registration data (id, or the duplicate's original).
    pub fn register_tranche(
        &self,
        who: &Addr,
        dataset: DatasetId,
        root_byte: u8,
        records: u64,
    ) -> TrancheRegistration {
        let resp = self
            .try_register_tranche(who, dataset, root(root_byte), records)
            .unwrap();
        from_json(resp.data.unwrap()).unwrap()
    }

    /// Registers a tranche and has the reviewer accept it in full.
    pub fn accepted_tranche(&self, who: &Addr, dataset: DatasetId, root_byte: u8, records: u64) -> TrancheId {
        let id = self
            .register_tranche(who, dataset, root_byte, records)
            .tranche_id
            .unwrap();
        self.decide(
            id,
            ReviewOutcome::Accept {
                accepted_records: None,
            },
        )
        .unwrap();
        id
    }

    pub fn decide(&self, tranche: TrancheId, outcome: ReviewOutcome) -> Result<AppResponse, ContractError> {
        self.registry()
            .record_review_outcome(tranche, outcome)
            .call(&self.reviewer)
    }

    pub fn seal(&self, dataset: DatasetId, tranches: Vec<TrancheId>) -> Result<AppResponse, ContractError> {
        self.registry()
            .seal_version(dataset, tranches)
            .call(&self.actors.maintainer)
    }

    pub fn buy_license(
        &self,
        buyer: &Addr,
        dataset: DatasetId,
        version: u32,
        pay: Coin,
    ) -> Result<AppResponse, ContractError> {
        self.registry()
            .buy_license(dataset, version, None)
            .with_funds(&[pay])
            .call(buyer)
    }

    pub fn tranche(&self, id: TrancheId) -> Tranche {
        self.registry().tranche(id).unwrap().tranche
    }

    pub fn stats(&self) -> Stats {
        self.registry().stats().unwrap().stats
    }

    pub fn opened_reviews(&self) -> Vec<TrancheId> {
        let reviewer: Proxy<'_, MtApp, ReviewServiceMock> = Proxy::new(self.reviewer.clone(), &self.app);
        reviewer.opened().unwrap()
    }

    // ---- assertions ----

    pub fn snapshot(&self) -> Snapshot {
        let r = self.registry();
        let mut balances = vec![];
        for who in self
            .actors
            .all()
            .into_iter()
            .chain([&self.registry, &self.reviewer])
        {
            balances.push((
                who.clone(),
                self.balance(who, DENOM),
                self.balance(who, IBC_DENOM),
                self.balance(who, OTHER_DENOM),
            ));
        }
        Snapshot {
            config: r.config().unwrap().config,
            stats: r.stats().unwrap().stats,
            datasets: r.datasets(None, None, Some(100)).unwrap().datasets,
            tranches: r
                .tranches(Some(TrancheFilter::default()), None, Some(100))
                .unwrap()
                .tranches,
            balances,
            governance: r.governance().unwrap(),
            opened_reviews: self.opened_reviews(),
            commitments: self
                .actors
                .all()
                .into_iter()
                .flat_map(|a| r.tranche_commitments(a.to_string()).unwrap().commitments)
                .collect(),
        }
    }

    /// The call fails with exactly `expected` and leaves state and balances untouched.
    #[track_caller]
    pub fn assert_refused(
        &self,
        expected: ContractError,
        call: impl FnOnce(&Suite) -> Result<AppResponse, ContractError>,
    ) {
        let before = self.snapshot();
        let err = call(self).expect_err("the call should have failed");
        assert_eq!(err, expected);
        assert_eq!(self.snapshot(), before, "a refused call changed state");
    }

    /// What the registry holds in `denom` equals the bonds it still records as held.
    #[track_caller]
    pub fn assert_bonds_backed(&self) {
        let r = self.registry();
        let datasets = r.datasets(None, None, Some(100)).unwrap().datasets;
        let tranches = r.tranches(None, None, Some(100)).unwrap().tranches;
        let committed: Vec<_> = self
            .actors
            .all()
            .into_iter()
            .flat_map(|a| r.tranche_commitments(a.to_string()).unwrap().commitments)
            .collect();
        let held: u128 = datasets
            .iter()
            .filter_map(|d| d.bond_held.as_ref())
            .chain(tranches.iter().filter_map(|t| t.bond_held.as_ref()))
            .chain(committed.iter().filter_map(|c| c.bond.as_ref()))
            .map(|c| c.amount.u128())
            .sum();
        assert_eq!(
            self.balance(&self.registry, DENOM),
            held,
            "registry balance != bonds held"
        );
        assert_eq!(
            self.balance(&self.registry, IBC_DENOM),
            0,
            "registry keeps no payments"
        );
    }

    /// Total supply of each denom among the actors and contracts is what we started with.
    #[track_caller]
    pub fn assert_conserved(&self) {
        for denom in [DENOM, IBC_DENOM, OTHER_DENOM] {
            let total: u128 = self
                .actors
                .all()
                .into_iter()
                .chain([&self.registry, &self.reviewer])
                .map(|a| self.balance(a, denom))
                .sum();
            assert_eq!(
                total,
                START_BALANCE * (self.actors.all().len() as u128 - 1),
                "{denom} not conserved"
            );
        }
    }
}
