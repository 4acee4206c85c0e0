//! Suite builder: a registry whose reviewer is the real curator-staking contract, funded
//! curators, and helpers that read like the story (`register_strict_tranche`, `vote`,
//! `finalize`), plus `assert_conserved` (every unit of stake accounted for).

use attrib_registry::contract::sv::mt::RegistryContractProxy;
use attrib_registry::contract::RegistryContract;
use attrib_registry::msg::NewDataset;
use attrib_std::curation::{vote_commitment, Vote};
use attrib_std::interfaces::points_source::sv::mt::PointsSourceProxy;
use attrib_std::registry::{LicenseExpiry, LicenseId, LicenseTerms, TrancheStatus, VerificationTier};
use cosmwasm_std::{coin, from_json, Addr, HexBinary};
use cw_multi_test::AppResponse;
use sylvia::multitest::{App, Proxy};

use attrib_curator_staking::contract::sv::mt::CuratorStakingContractProxy;
use attrib_curator_staking::contract::CuratorStakingContract;
use attrib_curator_staking::error::ContractError;
use attrib_curator_staking::msg::{Params, StakingChange};
use attrib_curator_staking::state::{Review, Role};
use attrib_tests::{addr, ProtocolBuilder};
pub use attrib_tests::{MtApp, DENOM};

pub const START: u128 = 10_000_000;
pub const BOND: u128 = 1_000;
pub const COMMIT: u64 = 100;
pub const REVEAL: u64 = 100;
pub const DAY: u64 = 86_400;

pub fn params() -> Params {
    attrib_tests::default_staking_params()
}

pub struct SuiteBuilder {
    stakes: Vec<u128>,
    params: Params,
}

impl Default for SuiteBuilder {
    fn default() -> Self {
        // Eight curators; c0 is a whale whose draw weight the cap limits.
        Self {
            stakes: vec![40_000, 10_000, 10_000, 8_000, 8_000, 6_000, 5_000, 3_000],
            params: params(),
        }
    }
}

impl SuiteBuilder {
    pub fn with_stakes(mut self, stakes: &[u128]) -> Self {
        self.stakes = stakes.to_vec();
        self
    }

    pub fn with_params(mut self, f: impl FnOnce(&mut Params)) -> Self {
        f(&mut self.params);
        self
    }

    pub fn build(self) -> Suite {
        let names: Vec<String> = (0..self.stakes.len()).map(|i| format!("curator{i}")).collect();
        let curators: Vec<Addr> = names.iter().map(|n| addr(n)).collect();
        let mut funded: Vec<&str> = names.iter().map(String::as_str).collect();
        funded.extend([
            "admin",
            "maintainer",
            "contributor",
            "challenger",
            "operator",
            "stranger",
        ]);
        let params = self.params;
        let delay = params.change_delay_secs;
        // The reward pool is a real reward distributor; the registry takes no fees.
        let p = ProtocolBuilder::default()
            .with_funded_actors(&funded, &[coin(START, DENOM), coin(START, "uother")])
            .without_registry_fees()
            .with_staking_params(|p| *p = params)
            .without_receipt_oracle()
            .build();
        let (admin, slasher) = (p.admin.clone(), addr("slasher"));
        let staking = p.curator_staking();
        // A slasher is announced and applies after the change delay.
        staking
            .announce_change(StakingChange::AddSlasher {
                address: slasher.to_string(),
            })
            .call(&admin)
            .unwrap();
        p.app.update_block(|b| b.time = b.time.plus_seconds(delay));
        staking.apply_change().call(&admin).unwrap();
        for (c, s) in curators.iter().zip(&self.stakes) {
            staking
                .stake(Role::Curator)
                .with_funds(&[coin(*s, DENOM)])
                .call(c)
                .unwrap();
        }
        // Every curator holds an entropy commitment for the draws to come (as `attrib
        // tx curation stake` leaves one), made before any review opens.
        for c in &curators {
            attrib_tests::commit_entropy(&p.app, &p.curator_staking, c);
        }
        attrib_tests::next_block(&p.app);
        let suite = Suite {
            registry: p.registry.clone(),
            staking: p.curator_staking.clone(),
            curators,
            admin,
            pool: p.reward_distributor.clone(),
            maintainer: addr("maintainer"),
            contributor: addr("contributor"),
            challenger: addr("challenger"),
            operator: addr("operator"),
            slasher,
            stranger: addr("stranger"),
            dataset_strict: 0,
            dataset_optimistic: 0,
            app: p.app,
        };
        suite.with_datasets()
    }
}

pub struct Suite {
    pub app: App<MtApp>,
    pub registry: Addr,
    pub staking: Addr,
    pub curators: Vec<Addr>,
    pub admin: Addr,
    pub pool: Addr,
    pub maintainer: Addr,
    pub contributor: Addr,
    pub challenger: Addr,
    pub operator: Addr,
    pub slasher: Addr,
    pub stranger: Addr,
    pub dataset_strict: u64,
    pub dataset_optimistic: u64,
}

/// A voter's secret salt (32 bytes, as the CLI makes them).
pub fn salt(who: &Addr) -> HexBinary {
    use sha2::{Digest, Sha256};
    HexBinary::from(Sha256::digest(format!("salt-{who}")).to_vec())
}

impl Suite {
    fn with_datasets(mut self) -> Self {
        let r = self.registry();
        let schema: u64 = from_json(
            r.register_schema("ipfs://s".into(), HexBinary::from([7u8; 32]))
                .call(&self.maintainer)
                .unwrap()
                .data
                .unwrap(),
        )
        .unwrap();
        let terms = LicenseTerms {
            license: LicenseId::Spdx("CC-BY-4.0".into()),
            commercial_use: true,
            derivatives_allowed: true,
            price: vec![coin(500, DENOM)],
            royalty_per_unit: vec![],
            expiry: LicenseExpiry::Perpetual,
        };
        let mut ids = vec![];
        for tier in [VerificationTier::Strict, VerificationTier::Optimistic] {
            let id: u64 = from_json(
                r.register_dataset(NewDataset {
                    name: "d".into(),
                    schema_id: schema,
                    metadata_uri: "ipfs://d".into(),
                    terms: terms.clone(),
                    tier,
                    weight_rule: None,
                    max_tranche_records: None,
                    canaries: None,
                })
                .call(&self.maintainer)
                .unwrap()
                .data
                .unwrap(),
            )
            .unwrap();
            ids.push(id);
        }
        self.dataset_strict = ids[0];
        self.dataset_optimistic = ids[1];
        self
    }

    pub fn registry(&self) -> Proxy<'_, MtApp, RegistryContract> {
        Proxy::new(self.registry.clone(), &self.app)
    }

    /// The current review-points epoch.
    pub fn epoch(&self) -> u64 {
        let c = self.staking().config().unwrap().config;
        c.clock().epoch_at(self.app.block_info().time.seconds())
    }

    pub fn staking(&self) -> Proxy<'_, MtApp, CuratorStakingContract> {
        Proxy::new(self.staking.clone(), &self.app)
    }

    pub fn balance(&self, who: &Addr) -> u128 {
        attrib_tests::balance(&self.app, who, DENOM)
    }

    pub fn advance(&self, secs: u64) {
        attrib_tests::advance(&self.app, secs);
    }

    /// A tranche in the strict dataset: the registry opens its review here at once.
    pub fn register_strict_tranche(&self, root: u8) -> (u64, u64) {
        self.register_tranche(self.dataset_strict, root)
    }

    pub fn register_tranche(&self, dataset: u64, root: u8) -> (u64, u64) {
        let (tranche, review) = self.submit_tranche(dataset, root);
        if review != 0 {
            self.drawn(review);
        }
        (tranche, review)
    }

    /// Registers a tranche and leaves its review (if any) waiting for its draw.
    pub fn submit_tranche(&self, dataset: u64, root: u8) -> (u64, u64) {
        let registry = self.registry();
        let resp = attrib_tests::register_tranche(
            registry.app,
            &registry.contract_addr,
            &self.contributor,
            attrib_tests::TrancheArgs {
                dataset_id: dataset,
                content_root: HexBinary::from([root; 32]),
                record_count: 100,
                byte_size: 1_000,
                metadata_uri: "ipfs://t",
            },
            &[],
        )
        .unwrap();
        let reg: attrib_registry::msg::TrancheRegistration = from_json(resp.data.unwrap()).unwrap();
        let tranche = reg.tranche_id.unwrap();
        let review = self
            .staking()
            .open_review_of(tranche)
            .unwrap()
            .review_id
            .unwrap_or(0);
        (tranche, review)
    }

    /// Draws `review`'s committee if it is still `Drawing`, the way the CLI does before a
    /// vote: the curators reveal their entropy in the next block, then anyone draws.
    pub fn drawn(&self, review: u64) {
        attrib_tests::draw_review(&self.app, &self.staking, review, &self.curators);
    }

    pub fn review(&self, id: u64) -> Review {
        self.staking().review(id).unwrap().review
    }

    pub fn committee(&self, id: u64) -> Vec<Addr> {
        self.drawn(id);
        self.review(id).members.into_iter().map(|m| m.curator).collect()
    }

    pub fn commit(&self, review: u64, who: &Addr, vote: Vote) -> Result<AppResponse, ContractError> {
        let c = vote_commitment(review, who.as_str(), vote, &salt(who));
        self.staking().commit_vote(review, HexBinary::from(c)).call(who)
    }

    pub fn reveal(&self, review: u64, who: &Addr, vote: Vote) -> Result<AppResponse, ContractError> {
        self.staking().reveal_vote(review, vote, salt(who)).call(who)
    }

    /// Every listed member commits, then every listed member reveals.
    pub fn vote(&self, review: u64, votes: &[(Addr, Vote)]) {
        self.drawn(review);
        for (who, v) in votes {
            self.commit(review, who, *v).unwrap();
        }
        if votes.len() < self.review(review).members.len() {
            self.advance(COMMIT + 1);
        }
        for (who, v) in votes {
            self.reveal(review, who, *v).unwrap();
        }
    }

    /// The whole committee votes `v`.
    pub fn unanimous(&self, review: u64, v: Vote) {
        let votes: Vec<_> = self.committee(review).into_iter().map(|c| (c, v)).collect();
        self.vote(review, &votes);
    }

    /// The challenger challenges (or, once accepted, disputes) `tranche` with the bond:
    /// the id of the review it opens.
    pub fn challenge(&self, tranche: u64) -> u64 {
        let resp = self
            .staking()
            .challenge(tranche, HexBinary::from([9u8; 32]), "ipfs://evidence".into())
            .with_funds(&[coin(BOND, DENOM)])
            .call(&self.challenger)
            .unwrap();
        from_json(resp.data.unwrap()).unwrap()
    }

    /// A second curator staking contract with the admin as wasm admin (the suite's own
    /// has none), for migration tests: its code and a proxy to it.
    pub fn migratable_staking(
        &self,
    ) -> (
        attrib_curator_staking::contract::sv::mt::CodeId<'_, CuratorStakingContract, MtApp>,
        Proxy<'_, MtApp, CuratorStakingContract>,
    ) {
        let code = attrib_curator_staking::contract::sv::mt::CodeId::store_code(&self.app);
        let staking = code
            .instantiate(attrib_curator_staking::msg::InstantiateConfig {
                admin: None,
                registry: self.registry.to_string(),
                reward_pool: self.pool.to_string(),
                stake_denom: Some(DENOM.into()),
                stake_cw20: None,
                params: params(),
            })
            .with_label("migratable")
            .with_admin(Some(self.admin.as_str()))
            .call(&self.admin)
            .unwrap();
        (code, staking)
    }

    pub fn finalize(&self, review: u64) -> Result<AppResponse, ContractError> {
        self.staking().finalize_review(review).call(&self.stranger)
    }

    pub fn tranche_status(&self, id: u64) -> TrancheStatus {
        self.registry().tranche(id).unwrap().tranche.status
    }

    pub fn bonded(&self, who: &Addr) -> u128 {
        self.staking()
            .staker(who.to_string())
            .unwrap()
            .staker
            .map(|s| s.bonded.u128())
            .unwrap_or(0)
    }

    pub fn payout(&self, who: &Addr) -> u128 {
        self.staking().payout(who.to_string()).unwrap().amount.u128()
    }

    /// The contract holds exactly what its totals say it owes, and the totals add up.
    #[track_caller]
    pub fn assert_conserved(&self) {
        let t = self.staking().totals().unwrap();
        assert_eq!(
            self.balance(&self.staking),
            t.expected_balance.u128(),
            "balance != owed"
        );
        let tt = t.totals;
        assert_eq!(
            tt.received,
            tt.bonded + tt.unbonding + tt.challenge_bonds + tt.payouts_owed + tt.paid_out + tt.sent_to_pool,
            "received != where it went"
        );
        let stakers = self.staking().stakers(None, Some(100)).unwrap().stakers;
        let bonded: u128 = stakers
            .iter()
            .filter_map(|s| s.staker.as_ref())
            .map(|s| s.bonded.u128())
            .sum();
        let unbonding: u128 = stakers
            .iter()
            .filter_map(|s| s.staker.as_ref())
            .map(|s| s.unbonding_total().u128())
            .sum();
        assert_eq!(
            (bonded, unbonding),
            (tt.bonded.u128(), tt.unbonding.u128()),
            "stakers != totals"
        );
    }
}

/// Everything a refused message must leave as it was.
#[derive(Debug, PartialEq)]
pub struct Snapshot {
    totals: attrib_curator_staking::msg::TotalsResponse,
    stakers: Vec<attrib_curator_staking::msg::StakerResponse>,
    reviews: Vec<Review>,
    balances: Vec<u128>,
    concentration: attrib_curator_staking::msg::ConcentrationResponse,
    config: attrib_curator_staking::state::Config,
    tranches: Vec<attrib_registry::state::Tranche>,
    entropy: Vec<attrib_curator_staking::msg::EntropyResponse>,
}

impl Suite {
    pub fn snapshot(&self) -> Snapshot {
        let st = self.staking();
        let next: u64 = (1..200).take_while(|i| st.review(*i).is_ok()).count() as u64;
        let mut who = self.curators.clone();
        who.extend(
            [
                &self.staking,
                &self.registry,
                &self.pool,
                &self.challenger,
                &self.operator,
                &self.stranger,
            ]
            .map(|a| a.clone()),
        );
        Snapshot {
            totals: st.totals().unwrap(),
            stakers: st.stakers(None, Some(100)).unwrap().stakers,
            reviews: (1..=next).map(|i| self.review(i)).collect(),
            balances: who.iter().map(|a| self.balance(a)).collect(),
            concentration: st.concentration(3).unwrap(),
            config: st.config().unwrap().config,
            tranches: self.registry().tranches(None, None, Some(100)).unwrap().tranches,
            entropy: who.iter().map(|a| st.entropy(a.to_string()).unwrap()).collect(),
        }
    }

    /// The call fails with exactly `expected` and changes nothing.
    #[track_caller]
    pub fn assert_refused(
        &self,
        expected: ContractError,
        call: impl FnOnce(&Suite) -> Result<AppResponse, ContractError>,
    ) {
        let before = self.snapshot();
        assert_eq!(call(self).expect_err("should fail"), expected);
        assert_eq!(self.snapshot(), before, "a refused call changed state");
    }
}

/// Names a first receipt oracle after curators staked: announced, applied after the delay.
pub fn announce_oracle(suite: &Suite, oracle: &cosmwasm_std::Addr) {
    suite
        .staking()
        .announce_change(StakingChange::Peers {
            peers: attrib_std::interfaces::wiring::Peers {
                receipt_oracle: Some(oracle.to_string()),
                ..Default::default()
            },
        })
        .call(&suite.admin)
        .unwrap();
    suite.advance(params().change_delay_secs);
    suite.staking().apply_change().call(&suite.stranger).unwrap();
}
