//! # attrib-tests
//!
//! The one protocol builder for Attrib's multi-tests (DAO DAO's `dao-testing` shape):
//! `ProtocolBuilder::default().with_x(..).build()` instantiates the registry, curator
//! staking, the receipt oracle and the reward distributor — every one real unless a suite
//! swaps in one of the small [`mocks`] or an account — funds the actors, and wires the
//! deployment with [`attrib_std::wiring::plan`], the very list `attrib deploy` sends.
//!
//! Each contract's suite (`tests/<contract>/suite.rs`) is a thin layer over the builder
//! with its own action and `assert_*` helpers; the suites live in this crate so that no
//! contract crate depends on another, not even in its dev-dependencies.

pub mod books;
pub mod mocks;

use attrib_curator_staking::msg::Params as StakingParams;
use attrib_receipt_oracle::state::Params as OracleParams;
use attrib_reward_distributor::msg::AcceptedDenomEntry;
use attrib_reward_distributor::state::{AcceptedDenom, EmissionConfig};
use attrib_std::rewards::{EmissionSchedule, EpochClock, TakeRates};
use attrib_std::wiring::sv::ExecMsg as WiringExecMsg;
use attrib_std::wiring::{PeerRole, Peers};
use cosmwasm_std::{coin, Addr, Coin, Decimal, Uint128};
use cw_multi_test::{ContractWrapper, Executor, IntoBech32};
use sylvia::multitest::{App, Proxy};

use mocks::points::sv::mt::CodeId as PointsCodeId;
use mocks::review_service::sv::mt::{CodeId as ReviewerCodeId, ReviewServiceMockProxy};

pub type MtApp = cw_multi_test::BasicApp;

/// The protocol's native denom (fees, bonds, stake).
pub const DENOM: &str = "uatr";
pub const DAY: u64 = 86_400;

/// The address of the actor called `name` (the same in every suite).
pub fn addr(name: &str) -> Addr {
    name.into_bech32()
}

/// Who plays curator staking's part.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CuratorStakingPeer {
    Real,
    /// [`mocks::review_service::ReviewServiceMock`]: the registry's reviewer only.
    ReviewServiceMock,
    /// [`mocks::points::PointsMock`]: the distributor's points source, and (its address
    /// as sender) the registry's reviewer.
    PointsMock,
}

/// Who plays the receipt oracle's part.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReceiptOraclePeer {
    Real,
    /// A plain account (the actor of that name) trusted as the oracle: it pays usage
    /// royalties itself.
    Account(String),
    /// No oracle at all; nobody is wired to one.
    Absent,
}

/// What curator staking stakes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StakeAsset {
    Native(String),
    /// The protocol cw20 token ([`ProtocolBuilder::with_protocol_token`]).
    ProtocolToken,
}

#[derive(Clone, Debug)]
pub struct RegistrySetup {
    pub schema_fee: Option<Coin>,
    pub dataset_bond: Option<Coin>,
    pub tranche_bond: Option<Coin>,
    pub challenge_window_secs: u64,
    pub max_tranches_per_version: u32,
    /// Whether the registry is wired to a review service at all.
    pub reviews: bool,
}

#[derive(Clone, Debug)]
pub struct DistributorSetup {
    /// The treasury actor's name (default: the admin).
    pub treasury: Option<String>,
    pub rates: TakeRates,
    pub vesting_secs: u64,
    /// Emissions in the protocol token: (per epoch, k bps).
    pub emission: Option<(u128, u32)>,
    pub accepted: Vec<AcceptedDenomEntry>,
    pub top_k: u32,
}

/// Builds the protocol; see the crate doc. Every `with_*` has a default that suits a
/// suite that does not care.
#[derive(Clone, Debug)]
pub struct ProtocolBuilder {
    funded: Vec<(String, Vec<Coin>)>,
    registry: RegistrySetup,
    curator_staking: CuratorStakingPeer,
    staking_params: StakingParams,
    stake_asset: StakeAsset,
    receipt_oracle: ReceiptOraclePeer,
    oracle_params: OracleParams,
    distributor: DistributorSetup,
    token_holders: Option<Vec<(String, u128)>>,
}

/// Curator staking's defaults: committees of three, a day per epoch and dispute window.
pub fn default_staking_params() -> StakingParams {
    StakingParams {
        min_stake: Uint128::new(100),
        unbonding_secs: 7 * DAY,
        committee_size: 3,
        dispute_committee_size: 3,
        max_weight_bps: 3_000,
        commit_secs: 100,
        reveal_secs: 100,
        quorum_bps: 5_000,
        non_reveal_slash_bps: 100,
        wrong_accept_slash_bps: 1_000,
        dispute_bond: Uint128::new(1_000),
        dispute_window_secs: DAY,
        challenger_share_bps: 5_000,
        max_rounds: 2,
        epoch_secs: DAY,
        max_stakers: 50,
        // The least the unbonding period allows.
        change_delay_secs: 7 * DAY,
        draw_reveals: 1,
        draw_timeout_secs: 600,
    }
}

/// The receipt oracle's defaults: hourly metering epochs, a ten-minute dispute window.
pub fn default_oracle_params() -> OracleParams {
    OracleParams {
        epoch_secs: 3_600,
        posting_grace_secs: 300,
        dispute_window_secs: 600,
        operator_min_bond: Uint128::new(10_000),
        fraud_slash_bps: 2_000,
        max_lineage: 16,
        max_parent_depth: 2,
        withdraw_notice_secs: DAY,
        model_bond: Uint128::new(10_000),
        omission_weight_bps: 1_000,
        omission_claimant_share_bps: 5_000,
        max_back_epochs: 12,
        inclusion_fee: coin(100, DENOM),
        inclusion_response_secs: 300,
        max_inclusion_requests: 8,
    }
}

impl Default for ProtocolBuilder {
    fn default() -> Self {
        Self {
            funded: vec![],
            registry: RegistrySetup {
                schema_fee: Some(coin(10, DENOM)),
                dataset_bond: Some(coin(1_000, DENOM)),
                tranche_bond: Some(coin(100, DENOM)),
                challenge_window_secs: 3_600,
                max_tranches_per_version: 50,
                reviews: true,
            },
            curator_staking: CuratorStakingPeer::Real,
            staking_params: default_staking_params(),
            stake_asset: StakeAsset::Native(DENOM.into()),
            receipt_oracle: ReceiptOraclePeer::Real,
            oracle_params: default_oracle_params(),
            distributor: DistributorSetup {
                treasury: None,
                rates: TakeRates {
                    protocol_bps: 1_000,
                    curator_bps: 1_500,
                },
                vesting_secs: 0,
                emission: None,
                // The chain's own denom: license prices and royalties must be in a
                // denom the pool accepts.
                accepted: vec![accepted(DENOM, 1)],
                top_k: 3,
            },
            token_holders: None,
        }
    }
}

impl ProtocolBuilder {
    /// Gives each actor of `names` the `balance` (in the bank at genesis).
    pub fn with_funded_actors(mut self, names: &[&str], balance: &[Coin]) -> Self {
        self.funded
            .extend(names.iter().map(|n| (n.to_string(), balance.to_vec())));
        self
    }

    pub fn with_registry_fees(
        mut self,
        schema_fee: Option<Coin>,
        dataset_bond: Option<Coin>,
        tranche_bond: Option<Coin>,
    ) -> Self {
        self.registry.schema_fee = schema_fee;
        self.registry.dataset_bond = dataset_bond;
        self.registry.tranche_bond = tranche_bond;
        self
    }

    /// No schema fee, no listing bonds.
    pub fn without_registry_fees(self) -> Self {
        self.with_registry_fees(None, None, None)
    }

    pub fn with_challenge_window(mut self, secs: u64) -> Self {
        self.registry.challenge_window_secs = secs;
        self
    }

    pub fn with_max_tranches(mut self, max: u32) -> Self {
        self.registry.max_tranches_per_version = max;
        self
    }

    /// The registry is wired to no review service (strict datasets are then refused).
    pub fn without_review_service(mut self) -> Self {
        self.registry.reviews = false;
        self
    }

    /// [`mocks::review_service::ReviewServiceMock`] stands in for curator staking.
    pub fn with_review_service_mock(mut self) -> Self {
        self.curator_staking = CuratorStakingPeer::ReviewServiceMock;
        self
    }

    /// [`mocks::points::PointsMock`] stands in for curator staking.
    pub fn with_points_mock(mut self) -> Self {
        self.curator_staking = CuratorStakingPeer::PointsMock;
        self
    }

    /// Curator staking's params; its `epoch_secs` is the protocol's epoch clock (the
    /// distributor's and the points mock's too).
    pub fn with_staking_params(mut self, f: impl FnOnce(&mut StakingParams)) -> Self {
        f(&mut self.staking_params);
        self
    }

    pub fn with_stake_asset(mut self, asset: StakeAsset) -> Self {
        self.stake_asset = asset;
        self
    }

    /// The actor `name` is trusted as the receipt oracle; no oracle contract is deployed.
    pub fn with_receipt_oracle_account(mut self, name: &str) -> Self {
        self.receipt_oracle = ReceiptOraclePeer::Account(name.into());
        self
    }

    pub fn without_receipt_oracle(mut self) -> Self {
        self.receipt_oracle = ReceiptOraclePeer::Absent;
        self
    }

    pub fn with_oracle_params(mut self, f: impl FnOnce(&mut OracleParams)) -> Self {
        f(&mut self.oracle_params);
        self
    }

    pub fn with_treasury(mut self, name: &str) -> Self {
        self.distributor.treasury = Some(name.into());
        self
    }

    pub fn with_take_rates(mut self, rates: TakeRates) -> Self {
        self.distributor.rates = rates;
        self
    }

    pub fn with_vesting(mut self, secs: u64) -> Self {
        self.distributor.vesting_secs = secs;
        self
    }

    /// Emissions of `per_epoch` protocol tokens (never halving), capped at `k_bps` of the
    /// fee value. The pool accepts the token (minimum 1, weight 1), after the denoms of
    /// [`Self::with_accepted_denom`]: its reserve is funded through the token's hook.
    /// Needs [`Self::with_protocol_token`].
    pub fn with_emission(mut self, per_epoch: u128, k_bps: u32) -> Self {
        self.distributor.emission = Some((per_epoch, k_bps));
        self
    }

    /// The pool takes `denom` from outsiders, at least `min_amount`, at weight 1
    /// (replacing the default entry for `DENOM`, which the pool accepts at minimum 1).
    pub fn with_accepted_denom(mut self, denom: &str, min_amount: u128) -> Self {
        self.distributor.accepted.retain(|a| a.denom != denom);
        self.distributor.accepted.push(accepted(denom, min_amount));
        self
    }

    pub fn with_top_k(mut self, top_k: u32) -> Self {
        self.distributor.top_k = top_k;
        self
    }

    /// Deploys the protocol cw20 token (cw20-base) with these initial balances.
    pub fn with_protocol_token(mut self, holders: &[(&str, u128)]) -> Self {
        self.token_holders = Some(holders.iter().map(|(n, a)| (n.to_string(), *a)).collect());
        self
    }

    pub fn build(self) -> Protocol {
        let admin = addr("admin");
        let funded: Vec<(Addr, Vec<Coin>)> = self.funded.iter().map(|(n, c)| (addr(n), c.clone())).collect();
        let app = App::new(cw_multi_test::App::new(|router, _api, storage| {
            for (who, coins) in &funded {
                router.bank.init_balance(storage, who, coins.clone()).unwrap();
            }
        }));
        let epoch_secs = self.staking_params.epoch_secs;
        let clock = EpochClock {
            epoch_start: app.block_info().time.seconds(),
            epoch_secs,
        };

        let token = self.token_holders.as_ref().map(|holders| {
            let code = app.app_mut().store_code(Box::new(ContractWrapper::new(
                attrib_protocol_token::execute,
                attrib_protocol_token::instantiate,
                attrib_protocol_token::query,
            )));
            app.app_mut()
                .instantiate_contract(
                    code,
                    admin.clone(),
                    &attrib_protocol_token::InstantiateMsg {
                        name: "Attrib".into(),
                        symbol: "ATR".into(),
                        decimals: 6,
                        initial_balances: holders
                            .iter()
                            .map(|(n, a)| cw20::Cw20Coin {
                                address: addr(n).to_string(),
                                amount: Uint128::new(*a),
                            })
                            .collect(),
                        mint: None,
                        marketing: None,
                    },
                    &[],
                    "attrib-protocol-token",
                    Some(admin.to_string()),
                )
                .unwrap()
        });
        let token_denom = token.as_ref().map(attrib_std::funds::cw20_denom);

        // The reward distributor first: the others are instantiated paying into it.
        let d = &self.distributor;
        let mut accepted_denoms = d.accepted.clone();
        let emission = d.emission.map(|(per_epoch, k_bps)| {
            let denom = token_denom
                .clone()
                .expect("emissions are paid in the protocol token");
            accepted_denoms.push(accepted(&denom, 1));
            EmissionConfig {
                denom,
                schedule: EmissionSchedule {
                    per_epoch: Uint128::new(per_epoch),
                    halving_epochs: 0,
                },
                k_bps,
            }
        });
        let distributor_code = attrib_reward_distributor::contract::sv::mt::CodeId::store_code(&app);
        let reward_distributor = distributor_code
            .instantiate(attrib_reward_distributor::msg::InstantiateConfig {
                admin: Some(admin.to_string()),
                treasury: d
                    .treasury
                    .as_deref()
                    .map(addr)
                    .unwrap_or(admin.clone())
                    .to_string(),
                registry: None,
                curator_staking: None,
                // An account trusted as the oracle is not a contract, which set_peers
                // refuses: it can only be given at instantiation.
                receipt_oracle: match &self.receipt_oracle {
                    ReceiptOraclePeer::Account(name) => Some(addr(name).to_string()),
                    _ => None,
                },
                clock: Some(clock),
                rates: d.rates,
                vesting_secs: d.vesting_secs,
                emission,
                accepted: accepted_denoms,
                top_k: d.top_k,
                change_delay_secs: None,
            })
            .with_label("attrib-reward-distributor")
            .with_admin(Some(admin.as_str()))
            .call(&admin)
            .unwrap()
            .contract_addr;

        let r = &self.registry;
        let registry_code = attrib_registry::contract::sv::mt::CodeId::store_code(&app);
        let registry_code_id = registry_code.code_id();
        let registry = registry_code
            .instantiate(attrib_registry::msg::InstantiateConfig {
                admin: Some(admin.to_string()),
                reward_pool: reward_distributor.to_string(),
                curator_staking: None,
                schema_fee: r.schema_fee.clone(),
                dataset_bond: r.dataset_bond.clone(),
                tranche_bond: r.tranche_bond.clone(),
                challenge_window_secs: r.challenge_window_secs,
                max_tranches_per_version: r.max_tranches_per_version,
            })
            .with_label("attrib-registry")
            .with_admin(Some(admin.as_str()))
            .call(&admin)
            .unwrap()
            .contract_addr;

        let curator_staking = match self.curator_staking {
            CuratorStakingPeer::Real => {
                let (denom, cw20) = match &self.stake_asset {
                    StakeAsset::Native(d) => (Some(d.clone()), None),
                    StakeAsset::ProtocolToken => (
                        None,
                        Some(token.as_ref().expect("stake in the protocol token").to_string()),
                    ),
                };
                attrib_curator_staking::contract::sv::mt::CodeId::store_code(&app)
                    .instantiate(attrib_curator_staking::msg::InstantiateConfig {
                        admin: Some(admin.to_string()),
                        registry: registry.to_string(),
                        reward_pool: reward_distributor.to_string(),
                        stake_denom: denom,
                        stake_cw20: cw20,
                        params: self.staking_params.clone(),
                    })
                    .with_label("attrib-curator-staking")
                    .call(&admin)
                    .unwrap()
                    .contract_addr
            }
            CuratorStakingPeer::ReviewServiceMock => {
                let mock = ReviewerCodeId::store_code(&app)
                    .instantiate(None)
                    .with_label("review-service-mock")
                    .call(&admin)
                    .unwrap();
                mock.set_registry(registry.to_string()).call(&admin).unwrap();
                mock.contract_addr
            }
            CuratorStakingPeer::PointsMock => {
                PointsCodeId::store_code(&app)
                    .instantiate(clock)
                    .with_label("points-mock")
                    .call(&admin)
                    .unwrap()
                    .contract_addr
            }
        };

        let receipt_oracle = match &self.receipt_oracle {
            ReceiptOraclePeer::Real => Some(
                attrib_receipt_oracle::contract::sv::mt::CodeId::store_code(&app)
                    .instantiate(attrib_receipt_oracle::msg::InstantiateConfig {
                        admin: Some(admin.to_string()),
                        registry: registry.to_string(),
                        curator_staking: curator_staking.to_string(),
                        reward_pool: reward_distributor.to_string(),
                        params: self.oracle_params.clone(),
                    })
                    .with_label("attrib-receipt-oracle")
                    .with_admin(Some(admin.as_str()))
                    .call(&admin)
                    .unwrap()
                    .contract_addr,
            ),
            ReceiptOraclePeer::Account(name) => Some(addr(name)),
            ReceiptOraclePeer::Absent => None,
        };

        let protocol = Protocol {
            app,
            admin,
            registry,
            registry_code_id,
            curator_staking,
            receipt_oracle,
            reward_distributor,
            token,
        };
        self.wire(&protocol);
        protocol
    }

    /// Sends [`attrib_std::wiring::plan`] as the admin, to the real contracts. A mock or
    /// account standing in for a peer is wired where it can play the part, and is never
    /// itself sent a wiring message.
    fn wire(&self, p: &Protocol) {
        let absent = "absent";
        let steps = attrib_std::wiring::plan(&attrib_std::wiring::Protocol {
            registry: p.registry.to_string(),
            curator_staking: p.curator_staking.to_string(),
            receipt_oracle: p
                .receipt_oracle
                .as_ref()
                .map_or(absent.to_string(), Addr::to_string),
            reward_distributor: p.reward_distributor.to_string(),
        });
        for step in steps {
            let Some(target) = p.role_of(&step.contract) else {
                continue;
            };
            if !self.is_real(target) {
                continue;
            }
            let WiringExecMsg::SetPeers { peers } = step.msg;
            let keep = |role: PeerRole, a: Option<String>| a.filter(|_| self.plays(role, target));
            let peers = Peers {
                registry: keep(PeerRole::Registry, peers.registry),
                curator_staking: keep(PeerRole::CuratorStaking, peers.curator_staking),
                receipt_oracle: keep(PeerRole::ReceiptOracle, peers.receipt_oracle),
                reward_pool: keep(PeerRole::RewardPool, peers.reward_pool),
            };
            if peers == Peers::default() {
                continue;
            }
            let msg = WiringExecMsg::SetPeers { peers };
            p.app
                .app_mut()
                .execute_contract(p.admin.clone(), Addr::unchecked(&step.contract), &msg, &[])
                .unwrap_or_else(|e| panic!("wiring step '{}': {e:?}", step.what));
        }
    }

    fn is_real(&self, role: PeerRole) -> bool {
        match role {
            PeerRole::Registry | PeerRole::RewardPool => true,
            PeerRole::CuratorStaking => self.curator_staking == CuratorStakingPeer::Real,
            PeerRole::ReceiptOracle => self.receipt_oracle == ReceiptOraclePeer::Real,
        }
    }

    /// Whether what stands in `role` can be `target`'s peer.
    fn plays(&self, role: PeerRole, target: PeerRole) -> bool {
        match role {
            PeerRole::Registry | PeerRole::RewardPool => true,
            PeerRole::CuratorStaking => {
                (target != PeerRole::Registry || self.registry.reviews)
                    && match self.curator_staking {
                        CuratorStakingPeer::Real => true,
                        CuratorStakingPeer::ReviewServiceMock => target == PeerRole::Registry,
                        CuratorStakingPeer::PointsMock => {
                            matches!(target, PeerRole::Registry | PeerRole::RewardPool)
                        }
                    }
            }
            // An account standing in for the oracle is given at instantiation (above).
            PeerRole::ReceiptOracle => self.receipt_oracle == ReceiptOraclePeer::Real,
        }
    }
}

pub fn accepted(denom: &str, min_amount: u128) -> AcceptedDenomEntry {
    AcceptedDenomEntry {
        denom: denom.into(),
        accepted: AcceptedDenom {
            min_amount: Uint128::new(min_amount),
            value_weight: Decimal::one(),
        },
    }
}

/// A built protocol. Suites take it apart into their own `Suite`.
pub struct Protocol {
    pub app: App<MtApp>,
    pub admin: Addr,
    pub registry: Addr,
    pub registry_code_id: u64,
    /// The real contract, or the mock standing in for it.
    pub curator_staking: Addr,
    /// The real contract or the account trusted as the oracle; `None` when absent.
    pub receipt_oracle: Option<Addr>,
    pub reward_distributor: Addr,
    /// The protocol cw20 token, when built with one.
    pub token: Option<Addr>,
}

impl Protocol {
    fn role_of(&self, contract: &str) -> Option<PeerRole> {
        if contract == self.registry.as_str() {
            Some(PeerRole::Registry)
        } else if contract == self.curator_staking.as_str() {
            Some(PeerRole::CuratorStaking)
        } else if Some(contract) == self.receipt_oracle.as_ref().map(Addr::as_str) {
            Some(PeerRole::ReceiptOracle)
        } else if contract == self.reward_distributor.as_str() {
            Some(PeerRole::RewardPool)
        } else {
            None
        }
    }

    pub fn registry(&self) -> Proxy<'_, MtApp, attrib_registry::RegistryContract> {
        Proxy::new(self.registry.clone(), &self.app)
    }

    pub fn curator_staking(&self) -> Proxy<'_, MtApp, attrib_curator_staking::CuratorStakingContract> {
        Proxy::new(self.curator_staking.clone(), &self.app)
    }

    pub fn receipt_oracle(&self) -> Proxy<'_, MtApp, attrib_receipt_oracle::ReceiptOracleContract> {
        Proxy::new(
            self.receipt_oracle.clone().expect("built with an oracle"),
            &self.app,
        )
    }

    pub fn reward_distributor(
        &self,
    ) -> Proxy<'_, MtApp, attrib_reward_distributor::RewardDistributorContract> {
        Proxy::new(self.reward_distributor.clone(), &self.app)
    }
}

/// Sets `who`'s bank balance (e.g. a mock that plays an actor's part).
pub fn fund(app: &App<MtApp>, who: &Addr, coins: Vec<Coin>) {
    app.app_mut()
        .init_modules(|router, _api, storage| router.bank.init_balance(storage, who, coins))
        .unwrap();
}

/// The pool allowlists `denom` (minimum 1, weight 1): a cw20 token's hook or a voucher is
/// only taken once its denom is accepted.
pub fn accept_denom(app: &App<MtApp>, pool: &Addr, admin: &Addr, denom: &str) {
    use attrib_reward_distributor::contract::sv::mt::RewardDistributorContractProxy;
    let proxy = Proxy::<MtApp, attrib_reward_distributor::RewardDistributorContract>::new(pool.clone(), app);
    proxy
        .set_accepted_denom(denom.to_string(), Some(accepted(denom, 1).accepted))
        .call(admin)
        .unwrap();
}

/// Moves the block time `secs` ahead, and the height one block per five seconds.
pub fn advance(app: &App<MtApp>, secs: u64) {
    app.update_block(|b| {
        b.time = b.time.plus_seconds(secs);
        b.height += 1 + secs / 5;
    });
}

/// `who`'s bank balance of `denom`.
pub fn balance(app: &App<MtApp>, who: &Addr, denom: &str) -> u128 {
    app.app().wrap().query_balance(who, denom).unwrap().amount.u128()
}

/// A tranche as its contributor reveals it (`register_tranche`'s fields but the salt).
#[derive(Clone)]
pub struct TrancheArgs<'a> {
    pub dataset_id: u64,
    pub content_root: cosmwasm_std::HexBinary,
    pub record_count: u64,
    pub byte_size: u64,
    pub metadata_uri: &'a str,
}

/// The salt the helpers commit with: fixed per (contributor, root), which tests may
/// reproduce; the CLI draws a random one.
pub fn test_salt(who: &Addr, content_root: &[u8]) -> cosmwasm_std::HexBinary {
    // Any fixed 32 bytes per (who, root) do; this hash is at hand.
    let salt = attrib_std::content::commitment(who.as_str(), 0, content_root, b"attrib-tests/salt");
    cosmwasm_std::HexBinary::from(salt.to_vec())
}

/// `commit_tranche` for `t` by `who`, paying `bond`; returns the commitment.
pub fn commit_tranche(
    app: &App<MtApp>,
    registry: &Addr,
    who: &Addr,
    t: &TrancheArgs<'_>,
    bond: &[Coin],
) -> Result<cosmwasm_std::HexBinary, attrib_registry::error::ContractError> {
    use attrib_registry::contract::sv::mt::RegistryContractProxy;
    let salt = test_salt(who, &t.content_root);
    let commitment = cosmwasm_std::HexBinary::from(
        attrib_std::content::commitment(who.as_str(), t.dataset_id, &t.content_root, &salt).to_vec(),
    );
    Proxy::<MtApp, attrib_registry::RegistryContract>::new(registry.clone(), app)
        .commit_tranche(commitment.clone())
        .with_funds(bond)
        .call(who)?;
    Ok(commitment)
}

/// `register_tranche` revealing `t` (committed before with [`commit_tranche`]).
pub fn reveal_tranche(
    app: &App<MtApp>,
    registry: &Addr,
    who: &Addr,
    t: TrancheArgs<'_>,
) -> Result<cw_multi_test::AppResponse, attrib_registry::error::ContractError> {
    use attrib_registry::contract::sv::mt::RegistryContractProxy;
    let salt = test_salt(who, &t.content_root);
    Proxy::<MtApp, attrib_registry::RegistryContract>::new(registry.clone(), app)
        .register_tranche(
            t.dataset_id,
            t.content_root,
            t.record_count,
            t.byte_size,
            t.metadata_uri.to_string(),
            salt,
        )
        .call(who)
}

/// Registers a tranche the way a contributor must (SPEC §3.2): commit with the listing
/// bond, one block later (same time) reveal. Fails with the first step's error.
pub fn register_tranche(
    app: &App<MtApp>,
    registry: &Addr,
    who: &Addr,
    t: TrancheArgs<'_>,
    bond: &[Coin],
) -> Result<cw_multi_test::AppResponse, attrib_registry::error::ContractError> {
    commit_tranche(app, registry, who, &t, bond)?;
    app.update_block(|b| b.height += 1);
    reveal_tranche(app, registry, who, t)
}

/// A curator's test entropy salt for a commitment made at `height` (recomputable at
/// reveal from the stored commitment's height).
pub fn entropy_salt(who: &Addr, height: u64) -> cosmwasm_std::HexBinary {
    let label = format!("entropy-{who}-{height}");
    attrib_std::curation::mix_entropy(&[0; 32], label.as_bytes())
        .to_vec()
        .into()
}

/// `who` commits a fresh entropy salt to curator staking.
#[track_caller]
pub fn commit_entropy(app: &App<MtApp>, staking: &Addr, who: &Addr) {
    use attrib_curator_staking::contract::sv::mt::CuratorStakingContractProxy;
    let salt = entropy_salt(who, app.block_info().height);
    let commitment = attrib_std::curation::entropy_commitment(who.as_str(), &salt);
    Proxy::<MtApp, attrib_curator_staking::CuratorStakingContract>::new(staking.clone(), app)
        .commit_entropy(commitment.to_vec().into())
        .call(who)
        .unwrap();
}

/// Moves one block on (height only: no deadline moves).
pub fn next_block(app: &App<MtApp>) {
    app.update_block(|b| b.height += 1);
}

/// What the CLI does before a vote: in the next block, every curator in `curators` with
/// an outstanding entropy commitment reveals it (and commits a fresh one), then `review`
/// is drawn if it is still `Drawing`. One more block ends it, so a review opened next
/// has commitments made before it.
#[track_caller]
pub fn draw_review(app: &App<MtApp>, staking: &Addr, review: u64, curators: &[Addr]) {
    use attrib_curator_staking::contract::sv::mt::CuratorStakingContractProxy;
    use attrib_curator_staking::state::ReviewStatus;
    let st = Proxy::<MtApp, attrib_curator_staking::CuratorStakingContract>::new(staking.clone(), app);
    if st.review(review).unwrap().review.status != ReviewStatus::Drawing {
        return;
    }
    next_block(app);
    for c in curators {
        if let Some(commit) = st.entropy(c.to_string()).unwrap().commit {
            st.reveal_entropy(entropy_salt(c, commit.height)).call(c).unwrap();
            // A curator still bonded commits afresh (one whose stake is all unbonding
            // may not, and need not: it is drawn no more).
            let bonded = st.staker(c.to_string()).unwrap().staker.map(|s| s.bonded);
            if bonded >= Some(st.config().unwrap().config.params.min_stake) {
                commit_entropy(app, staking, c);
            }
        }
    }
    st.draw_committee(review).call(&curators[0]).unwrap();
    next_block(app);
}
