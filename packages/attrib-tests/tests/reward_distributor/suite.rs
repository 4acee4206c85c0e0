//! Suite builder for the reward distributor: a real registry (with an optimistic dataset,
//! two accepted tranches and a sealed version 1), a cw20 emission token with a funded
//! reserve, a points source standing in for curator staking, and stand-in addresses for
//! the receipt oracle (a trusted payer) and the registry's reviewer (who can revoke).
//! `assert_conserved` checks every coin after every step.

use attrib_registry::contract::sv::mt::RegistryContractProxy;
use attrib_registry::contract::RegistryContract;
use attrib_registry::msg::NewDataset;
use attrib_std::interfaces::governance::sv::mt::GovernanceProxy as _;
use attrib_std::interfaces::review_target::sv::mt::ReviewTargetProxy;
use attrib_std::interfaces::reward_pool::sv::mt::RewardPoolProxy;
use attrib_std::registry::{
    LicenseExpiry, LicenseId, LicenseTerms, ReviewOutcome, TrancheId, VerificationTier,
};
use attrib_std::rewards::{Earmark, InflowReason, PoolReceiveMsg, PositionRef, TakeRates};
use cosmwasm_std::{coin, from_json, to_json_binary, Addr, Coin, HexBinary, Uint128};
use cw_multi_test::{AppResponse, Executor};
use sylvia::multitest::{App, Proxy};

use attrib_reward_distributor::contract::sv::mt::RewardDistributorContractProxy;
use attrib_reward_distributor::contract::RewardDistributorContract;
use attrib_reward_distributor::error::ContractError;
use attrib_reward_distributor::msg::{AccountsResponse, PositionResponse};
use attrib_reward_distributor::state::EpochStatus;
use attrib_tests::mocks::points::sv::mt::PointsMockProxy;
use attrib_tests::mocks::points::PointsMock;
use attrib_tests::{addr, ProtocolBuilder};
pub use attrib_tests::{MtApp, DENOM};

/// A denom nobody allowlisted.
pub const OTHER: &str = "uother";
pub const START: u128 = 100_000_000;
pub const LICENSE_PRICE: u128 = 10_000;
pub const MIN_PAYMENT: u128 = 100;
pub const EPOCH: u64 = 86_400;
pub const VESTING: u64 = 3_600;
pub const WINDOW: u64 = 60;
pub const RESERVE: u128 = 50_000_000;
pub const ALICE_RECORDS: u64 = 1_000;
pub const BOB_RECORDS: u64 = 3_000;

pub struct SuiteBuilder {
    rates: TakeRates,
    k_bps: u32,
    per_epoch: u128,
    vesting: u64,
}

impl Default for SuiteBuilder {
    fn default() -> Self {
        Self {
            rates: TakeRates {
                protocol_bps: 1_000,
                curator_bps: 1_500,
            },
            k_bps: 2_500,
            per_epoch: 1_000_000,
            vesting: VESTING,
        }
    }
}

impl SuiteBuilder {
    pub fn with_k(mut self, k_bps: u32) -> Self {
        self.k_bps = k_bps;
        self
    }

    pub fn with_schedule(mut self, per_epoch: u128) -> Self {
        self.per_epoch = per_epoch;
        self
    }

    pub fn build(self) -> Suite {
        let names = [
            "admin",
            "treasury",
            "maintainer",
            "alice",
            "bob",
            "devshop",
            "buyer",
            "stranger",
            "oracle",
            "curator1",
            "curator2",
        ];
        let balance = [coin(START, DENOM), coin(START, OTHER)];
        // A real registry; the points mock stands in for curator staking (and, as the
        // registry's reviewer, revokes); the "oracle" account is trusted as the oracle.
        let p = ProtocolBuilder::default()
            .with_funded_actors(&names, &balance)
            .with_registry_fees(None, Some(coin(1_000, DENOM)), Some(coin(100, DENOM)))
            .with_challenge_window(WINDOW)
            .with_points_mock()
            .with_receipt_oracle_account("oracle")
            .with_treasury("treasury")
            .with_take_rates(self.rates)
            .with_vesting(self.vesting)
            .with_protocol_token(&[("admin", RESERVE)])
            .with_accepted_denom(DENOM, MIN_PAYMENT)
            .with_emission(self.per_epoch, self.k_bps)
            .with_top_k(2)
            .build();
        // The reviewer is the points mock's address, funded like every actor.
        attrib_tests::fund(&p.app, &p.curator_staking, balance.to_vec());
        let a = addr;
        let actors = Actors {
            admin: a("admin"),
            treasury: a("treasury"),
            maintainer: a("maintainer"),
            alice: a("alice"),
            bob: a("bob"),
            devshop: a("devshop"),
            buyer: a("buyer"),
            stranger: a("stranger"),
            reviewer: p.curator_staking.clone(),
            oracle: a("oracle"),
            curator1: a("curator1"),
            curator2: a("curator2"),
        };
        let token = p.token.clone().unwrap();
        let mut suite = Suite {
            pool: p.reward_distributor.clone(),
            registry: p.registry.clone(),
            points: p.curator_staking.clone(),
            token_denom: attrib_std::funds::cw20_denom(&token),
            token,
            actors,
            dataset: 0,
            alice_tranche: 0,
            bob_tranche: 0,
            app: p.app,
        };
        suite.fund_emissions(RESERVE).unwrap();
        suite.seed_dataset();
        suite
    }
}

pub struct Actors {
    pub admin: Addr,
    pub treasury: Addr,
    pub maintainer: Addr,
    pub alice: Addr,
    pub bob: Addr,
    pub devshop: Addr,
    pub buyer: Addr,
    pub stranger: Addr,
    /// The registry's review service (revokes tranches).
    pub reviewer: Addr,
    /// Trusted as the receipt oracle (pays usage royalties).
    pub oracle: Addr,
    pub curator1: Addr,
    pub curator2: Addr,
}

impl Actors {
    pub fn all(&self) -> Vec<Addr> {
        vec![
            self.admin.clone(),
            self.treasury.clone(),
            self.maintainer.clone(),
            self.alice.clone(),
            self.bob.clone(),
            self.devshop.clone(),
            self.buyer.clone(),
            self.stranger.clone(),
            self.reviewer.clone(),
            self.oracle.clone(),
            self.curator1.clone(),
            self.curator2.clone(),
        ]
    }
}

pub struct Suite {
    pub app: App<MtApp>,
    pub pool: Addr,
    pub registry: Addr,
    pub points: Addr,
    pub token: Addr,
    pub token_denom: String,
    pub actors: Actors,
    pub dataset: u64,
    pub alice_tranche: TrancheId,
    pub bob_tranche: TrancheId,
}

pub fn terms() -> LicenseTerms {
    LicenseTerms {
        license: LicenseId::Spdx("CC-BY-4.0".into()),
        commercial_use: true,
        derivatives_allowed: true,
        price: vec![coin(LICENSE_PRICE, DENOM)],
        royalty_per_unit: vec![coin(1, DENOM)],
        expiry: LicenseExpiry::Perpetual,
    }
}

impl Suite {
    pub fn distributor(&self) -> Proxy<'_, MtApp, RewardDistributorContract> {
        Proxy::new(self.pool.clone(), &self.app)
    }

    pub fn registry(&self) -> Proxy<'_, MtApp, RegistryContract> {
        Proxy::new(self.registry.clone(), &self.app)
    }

    pub fn points_source(&self) -> Proxy<'_, MtApp, PointsMock> {
        Proxy::new(self.points.clone(), &self.app)
    }

    /// Dataset 1 (optimistic): Alice's and Bob's tranches accepted, version 1 sealed.
    fn seed_dataset(&mut self) {
        let a = &self.actors;
        let r = self.registry();
        let schema: u64 = from_json(
            r.register_schema("ipfs://schema".into(), HexBinary::from([7u8; 32]))
                .call(&a.maintainer)
                .unwrap()
                .data
                .unwrap(),
        )
        .unwrap();
        let dataset: u64 = from_json(
            r.register_dataset(NewDataset {
                name: "retail-shelves".into(),
                schema_id: schema,
                metadata_uri: "ipfs://dataset".into(),
                terms: terms(),
                tier: VerificationTier::Optimistic,
                weight_rule: None,
                max_tranche_records: None,
                canaries: None,
            })
            .with_funds(&[coin(1_000, DENOM)])
            .call(&a.maintainer)
            .unwrap()
            .data
            .unwrap(),
        )
        .unwrap();
        let mut ids = vec![];
        for (who, byte, records) in [(&a.alice, 1u8, ALICE_RECORDS), (&a.bob, 2u8, BOB_RECORDS)] {
            let reg: attrib_registry::msg::TrancheRegistration = from_json(
                attrib_tests::register_tranche(
                    r.app,
                    &r.contract_addr,
                    who,
                    attrib_tests::TrancheArgs {
                        dataset_id: dataset,
                        content_root: HexBinary::from([byte; 32]),
                        record_count: records,
                        byte_size: records * 10,
                        metadata_uri: "ipfs://t",
                    },
                    &[coin(100, DENOM)],
                )
                .unwrap()
                .data
                .unwrap(),
            )
            .unwrap();
            ids.push(reg.tranche_id.unwrap());
        }
        self.advance(WINDOW + 1);
        for id in &ids {
            r.accept_unchallenged(*id).call(&a.stranger).unwrap();
        }
        r.seal_version(dataset, ids.clone()).call(&a.maintainer).unwrap();
        self.dataset = dataset;
        self.alice_tranche = ids[0];
        self.bob_tranche = ids[1];
    }

    // ---- time ----

    pub fn now(&self) -> u64 {
        self.app.block_info().time.seconds()
    }

    pub fn advance(&self, secs: u64) {
        self.app.app_mut().update_block(|b| {
            b.time = b.time.plus_seconds(secs);
            b.height += 1;
        });
    }

    /// To the start of the next epoch.
    pub fn next_epoch(&self) {
        let c = self.distributor().config().unwrap();
        let end = c.config.clock.end_of(c.current_epoch);
        self.advance(end - self.now());
    }

    // ---- inflows ----

    pub fn earmark(&self) -> Vec<Earmark> {
        vec![Earmark {
            dataset_id: self.dataset,
            version: 1,
            weight_bps: 10_000,
        }]
    }

    pub fn buy_license(&self, buyer: &Addr) -> Result<AppResponse, attrib_registry::ContractError> {
        self.registry()
            .buy_license(self.dataset, 1, None)
            .with_funds(&[coin(LICENSE_PRICE, DENOM)])
            .call(buyer)
    }

    /// Finalized usage, as the receipt oracle pays it (on behalf of the dev shop).
    pub fn pay_usage(&self, amount: u128) -> Result<AppResponse, ContractError> {
        self.distributor()
            .pay(
                self.earmark(),
                InflowReason::UsageRoyalty,
                Some(self.actors.devshop.to_string()),
            )
            .with_funds(&[coin(amount, DENOM)])
            .call(&self.actors.oracle)
    }

    /// A slashed model bond, as the oracle pays it (unearmarked).
    pub fn pay_slash(&self, amount: u128) -> Result<AppResponse, ContractError> {
        self.distributor()
            .pay(vec![], InflowReason::ModelBondSlash, None)
            .with_funds(&[coin(amount, DENOM)])
            .call(&self.actors.oracle)
    }

    pub fn pay_direct(
        &self,
        who: &Addr,
        funds: &[Coin],
        earmarks: Vec<Earmark>,
    ) -> Result<AppResponse, ContractError> {
        self.distributor()
            .pay(earmarks, InflowReason::DirectPayment, None)
            .with_funds(funds)
            .call(who)
    }

    pub fn fund_emissions(&self, amount: u128) -> cw_multi_test::error::AnyResult<AppResponse> {
        self.app.app_mut().execute_contract(
            self.actors.admin.clone(),
            self.token.clone(),
            &cw20::Cw20ExecuteMsg::Send {
                contract: self.pool.to_string(),
                amount: Uint128::new(amount),
                msg: to_json_binary(&PoolReceiveMsg::FundEmissions {}).unwrap(),
            },
            &[],
        )
    }

    pub fn add_points(&self, epoch: u64, curator: &Addr, points: u64) {
        self.points_source()
            .add_points(epoch, curator.to_string(), points)
            .call(&self.actors.admin)
            .unwrap();
    }

    pub fn revoke(&self, tranche: TrancheId) -> Result<AppResponse, attrib_registry::ContractError> {
        self.registry()
            .record_review_outcome(tranche, ReviewOutcome::Revoke {})
            .call(&self.actors.reviewer)
    }

    // ---- crank and claims ----

    /// Closes the oldest due epoch and settles it in pages of `limit`; returns the number
    /// of settle calls.
    pub fn crank(&self, limit: u32) -> u32 {
        let d = self.distributor();
        d.close_epoch().call(&self.actors.stranger).unwrap();
        let mut calls = 0;
        while d.config().unwrap().settling.is_some() {
            d.settle_epoch(limit).call(&self.actors.stranger).unwrap();
            calls += 1;
        }
        calls
    }

    pub fn position(&self, tranche: TrancheId) -> PositionResponse {
        self.distributor().position(self.dataset, 1, tranche).unwrap()
    }

    pub fn pos(&self, tranche: TrancheId) -> PositionRef {
        PositionRef {
            dataset_id: self.dataset,
            version: 1,
            tranche_id: tranche,
        }
    }

    pub fn claim(&self, who: &Addr, tranche: TrancheId) -> Result<AppResponse, ContractError> {
        self.distributor()
            .claim_rewards(vec![self.pos(tranche)], None)
            .call(who)
    }

    // ---- balances and assertions ----

    pub fn balance(&self, who: &Addr, denom: &str) -> u128 {
        attrib_tests::books::balance_of(&self.app, who, denom)
    }

    pub fn ledger(&self, denom: &str) -> attrib_reward_distributor::state::Ledger {
        self.accounts()
            .accounts
            .into_iter()
            .find(|e| e.denom == denom)
            .map(|e| e.ledger)
            .unwrap_or_default()
    }

    pub fn accounts(&self) -> AccountsResponse {
        self.distributor().accounts().unwrap()
    }

    /// Nothing lost, per denom: the pool holds exactly what its ledger says it owes; the
    /// ledger's receipts equal its unsettled, owed (treasury, curators, versions),
    /// reserved and paid-out amounts; what positions can claim or will vest never exceeds
    /// what versions are owed (the difference is rounding, under one unit per position and
    /// accumulator); and across every account and contract the total supply is unchanged.
    #[track_caller]
    pub fn assert_conserved(&self) {
        let positions = [self.alice_tranche, self.bob_tranche];
        for entry in self.accounts().accounts {
            let l = &entry.ledger;
            assert_eq!(
                self.balance(&self.pool, &entry.denom),
                entry.expected_balance.u128(),
                "{}: the pool's balance differs from its ledger",
                entry.denom
            );
            assert_eq!(
                l.received,
                l.liabilities() + l.paid_out,
                "{}: ledger does not add up: {l:?}",
                entry.denom
            );
            let mut positions_owed = Uint128::zero();
            for t in positions {
                let p = self.position(t);
                for a in p.claimable.iter().chain(&p.unvested) {
                    if a.denom == entry.denom {
                        positions_owed += a.amount;
                    }
                }
            }
            assert!(
                positions_owed <= l.versions_owed,
                "{}: positions claim {positions_owed} of {} owed",
                entry.denom,
                l.versions_owed
            );
            // Two positions, two fundings: at most a few units of rounding.
            assert!(
                (l.versions_owed - positions_owed).u128() <= 4,
                "{}: {} owed to versions but positions account for {positions_owed}",
                entry.denom,
                l.versions_owed
            );
        }
        let holders: Vec<Addr> = self
            .actors
            .all()
            .into_iter()
            .chain([self.pool.clone(), self.registry.clone()])
            .collect();
        let native: u128 = holders.iter().map(|h| self.balance(h, DENOM)).sum();
        assert_eq!(
            native,
            START * self.actors.all().len() as u128,
            "{DENOM} supply changed"
        );
        let tokens: u128 = holders.iter().map(|h| self.balance(h, &self.token_denom)).sum();
        assert_eq!(tokens, RESERVE, "emission token supply changed");
    }

    pub fn epoch_status(&self, epoch: u64) -> EpochStatus {
        self.distributor().epoch(epoch).unwrap().epoch.status
    }

    /// A message must fail with exactly `expected` and change nothing: the pool's
    /// ledgers, its epoch state and every balance stay as they were.
    #[track_caller]
    pub fn assert_refused<T: std::fmt::Debug>(
        &self,
        expected: ContractError,
        f: impl FnOnce(&Self) -> Result<T, ContractError>,
    ) {
        let before = self.snapshot();
        let err = f(self).unwrap_err();
        assert_eq!(err, expected);
        assert_eq!(self.snapshot(), before, "a refused message changed state");
    }

    pub fn snapshot(&self) -> String {
        let d = self.distributor();
        let config = d.config().unwrap();
        let balances: Vec<u128> = self
            .actors
            .all()
            .iter()
            .chain([&self.pool])
            .flat_map(|h| [self.balance(h, DENOM), self.balance(h, &self.token_denom)])
            .collect();
        format!(
            "{:?}|{:?}|{:?}|{:?}|{:?}",
            self.accounts(),
            config,
            d.treasury(None).unwrap(),
            d.governance().unwrap(),
            balances
        )
    }
}
