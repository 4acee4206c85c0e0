//! Instantiation, configuration and the denom allowlist.

use attrib_std::events::{self, action, attr};
use attrib_std::funds::CW20_PREFIX;
use attrib_std::interfaces::points_source::sv::Querier as _;
use attrib_std::interfaces::points_source::PointsSource;
use attrib_std::rewards::{self, EpochClock};
use attrib_std::timelock::{TimelockError, CHANGE_DELAY_SECS};
use attrib_std::validation::{range, within, ValidationError};
use attrib_std::wiring::{PeerRole, Peers, PeersResponse, Wiring};
use cosmwasm_std::{Addr, Api, Deps, Event, Order, QuerierWrapper, Response, StdError};
use sylvia::ctx::{ExecCtx, InstantiateCtx, QueryCtx};
use sylvia::types::Remote;

use crate::contract::{CONTRACT_NAME, CONTRACT_VERSION};
use crate::error::ContractError;
use crate::msg::{ConfigUpdate, InstantiateConfig};
use crate::state::{AcceptedDenom, BuyerTotals, Config, RewardDistributorContract};
use crate::state::{DistributorChange, EpochTerms};

pub const MAX_TOP_K: u32 = 100;

/// A native denom, an IBC denom (`ibc/` + 64 hex) or a cw20 token (`cw20:<address>`).
pub fn validate_denom(api: &dyn Api, denom: &str) -> Result<(), ContractError> {
    let bad = |reason| ValidationError::Invalid {
        field: "denom",
        reason,
    };
    if let Some(token) = denom.strip_prefix(CW20_PREFIX) {
        api.addr_validate(token)
            .map_err(|_| bad("cw20: must name a valid address"))?;
        return Ok(());
    }
    if let Some(hash) = denom.strip_prefix("ibc/") {
        if hash.len() != 64 || !hash.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(bad("ibc/ must be followed by 64 hex digits").into());
        }
        return Ok(());
    }
    let ok = (3..=128).contains(&denom.len())
        && denom.starts_with(|c: char| c.is_ascii_alphabetic())
        && denom
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | ':' | '.' | '_' | '-'));
    if !ok {
        return Err(
            bad("native denoms are 3-128 characters [a-zA-Z0-9/:._-], starting with a letter").into(),
        );
    }
    Ok(())
}

/// Most of every fee either the treasury or the curators may take: half each.
pub const MAX_SHARE_BPS: u32 = 5_000;

fn validate_config(api: &dyn Api, c: &Config) -> Result<(), ContractError> {
    c.rates.validate()?;
    within("protocol_bps", c.rates.protocol_bps, 0, MAX_SHARE_BPS)?;
    within("curator_bps", c.rates.curator_bps, 0, MAX_SHARE_BPS)?;
    within("epoch_secs", c.clock.epoch_secs, 1, range::MAX_SECS)?;
    within("vesting_secs", c.vesting_secs, 0, range::MAX_SECS)?;
    within("top_k", c.top_k, 1, MAX_TOP_K)?;
    let (min, max) = CHANGE_DELAY_SECS;
    within("change_delay_secs", c.change_delay_secs, min, max)?;
    if let Some(em) = &c.emission {
        validate_denom(api, &em.denom)?;
        rewards::check_emission_factor(em.k_bps, c.rates)?;
    }
    Ok(())
}

/// The clock of curator staking, which must match ours (review points are per epoch).
fn staking_clock(querier: &QuerierWrapper, staking: &Addr) -> Result<EpochClock, ContractError> {
    Ok(Remote::<dyn PointsSource<Error = StdError>>::new(staking.clone())
        .querier(querier)
        .epoch_clock()?)
}

fn check_clock(ours: EpochClock, theirs: EpochClock) -> Result<(), ContractError> {
    if ours != theirs {
        return Err(ContractError::ClockMismatch {
            ours: format!("{ours:?}"),
            theirs: format!("{theirs:?}"),
        });
    }
    Ok(())
}

impl RewardDistributorContract {
    pub(crate) fn init(&self, ctx: InstantiateCtx, a: InstantiateConfig) -> Result<Response, ContractError> {
        attrib_std::funds::expect_none(&ctx.info.funds)?;
        let api = ctx.deps.api;
        let opt = |a: Option<String>| a.map(|a| api.addr_validate(&a)).transpose();
        let curator_staking = opt(a.curator_staking)?;
        // With curator staking the clock is its clock; without, it must be given.
        let clock = match (&curator_staking, a.clock) {
            (Some(s), given) => {
                let theirs = staking_clock(&ctx.deps.querier, s)?;
                if let Some(ours) = given {
                    check_clock(ours, theirs)?;
                }
                theirs
            }
            (None, Some(c)) => c,
            (None, None) => {
                return Err(ValidationError::Invalid {
                    field: "clock",
                    reason: "give a clock or a curator staking contract to take it from",
                }
                .into())
            }
        };
        let config = Config {
            registry: opt(a.registry)?,
            curator_staking,
            receipt_oracle: opt(a.receipt_oracle)?,
            treasury: api.addr_validate(&a.treasury)?,
            clock,
            rates: a.rates,
            vesting_secs: a.vesting_secs,
            emission: a.emission,
            top_k: a.top_k,
            change_delay_secs: a
                .change_delay_secs
                .unwrap_or(attrib_std::timelock::DEFAULT_CHANGE_DELAY_SECS),
        };
        validate_config(api, &config)?;
        let admin = match a.admin {
            Some(x) => api.addr_validate(&x)?,
            None => ctx.info.sender.clone(),
        };
        self.gov.init(ctx.deps.storage, &admin)?;
        cw2::set_contract_version(ctx.deps.storage, CONTRACT_NAME, CONTRACT_VERSION)?;
        self.config.save(ctx.deps.storage, &config)?;
        self.terms.save(ctx.deps.storage, 0, &terms(&config))?;
        self.next_close.save(
            ctx.deps.storage,
            &config.clock.epoch_at(ctx.env.block.time.seconds()),
        )?;
        self.settling.save(ctx.deps.storage, &None)?;
        self.buyer_totals
            .save(ctx.deps.storage, &BuyerTotals::default())?;
        if a.accepted.len() > MAX_ACCEPTED_DENOMS {
            return Err(ContractError::TooManyDenoms {
                max: MAX_ACCEPTED_DENOMS,
            });
        }
        for entry in a.accepted {
            validate_denom(api, &entry.denom)?;
            self.accepted
                .save(ctx.deps.storage, &entry.denom, &entry.accepted)?;
        }
        Ok(Response::new()
            .add_attribute(attr::ACTION, action::INSTANTIATE)
            .add_attribute(attr::ADMIN, admin.as_str()))
    }

    /// Rates, vesting, emission, top-k and the change delay; new rates and vesting apply
    /// from the next epoch. A new treasury is refused here: it is announced.
    pub(crate) fn do_update_config(&self, ctx: ExecCtx, u: ConfigUpdate) -> Result<Response, ContractError> {
        attrib_std::funds::expect_none(&ctx.info.funds)?;
        self.gov.assert_admin(ctx.deps.storage, &ctx.info.sender)?;
        let api = ctx.deps.api;
        if u.treasury.is_some() {
            return Err(TimelockError::AnnounceFirst { what: "treasury" }.into());
        }
        let mut c = self.config.load(ctx.deps.storage)?;
        let before = terms(&c);
        if let Some(r) = u.rates {
            c.rates = r;
        }
        if let Some(v) = u.vesting_secs {
            c.vesting_secs = v;
        }
        if let Some(e) = u.emission {
            c.emission = e;
        }
        if let Some(k) = u.top_k {
            c.top_k = k;
        }
        if let Some(d) = u.change_delay_secs {
            c.change_delay_secs = d;
        }
        // Epochs open now (and earlier ones not yet closed) keep the terms they opened
        // with; the new ones apply from the next epoch.
        let current = c.clock.epoch_at(ctx.env.block.time.seconds());
        if self.terms.is_empty(ctx.deps.storage) {
            self.terms.save(ctx.deps.storage, 0, &before)?;
        }
        self.terms.save(ctx.deps.storage, current + 1, &terms(&c))?;
        validate_config(api, &c)?;
        self.config.save(ctx.deps.storage, &c)?;
        Ok(events::response(events::action::UPDATE_CONFIG).add_event(
            Event::new(events::CONFIG_UPDATED)
                .add_attribute(attr::TREASURY, c.treasury.as_str())
                .add_attribute(attr::PROTOCOL_BPS, c.rates.protocol_bps.to_string())
                .add_attribute(attr::CURATOR_BPS, c.rates.curator_bps.to_string())
                .add_attribute(attr::VESTING_SECS, c.vesting_secs.to_string())
                .add_attribute(attr::FROM_EPOCH, (current + 1).to_string()),
        ))
    }

    /// Checks a change as `apply_change` will apply it; peers also against `set_peers`'
    /// rules. The registry is fixed once any version was allocated to.
    fn check_change(&self, deps: Deps, this: &Addr, change: &DistributorChange) -> Result<(), ContractError> {
        match change {
            DistributorChange::Treasury { address } => {
                if deps.api.addr_validate(address)? == this {
                    return Err(ContractError::PoolAsTreasury {});
                }
            }
            DistributorChange::Peers { peers } => {
                let v = peers.validate::<ContractError>(deps.api, PEER_ROLES)?;
                v.check_contracts(&deps.querier, this)?;
                let c = self.config.load(deps.storage)?;
                let allocated = !self.versions.is_empty(deps.storage);
                v.guard(PeerRole::Registry, c.registry.as_ref(), allocated)?;
                if let Some(s) = &v.curator_staking {
                    check_clock(c.clock, staking_clock(&deps.querier, s)?)?;
                }
            }
        }
        Ok(())
    }

    pub(crate) fn do_announce_change(
        &self,
        ctx: ExecCtx,
        change: DistributorChange,
    ) -> Result<Response, ContractError> {
        attrib_std::funds::expect_none(&ctx.info.funds)?;
        self.gov.assert_admin(ctx.deps.storage, &ctx.info.sender)?;
        self.check_change(ctx.deps.as_ref(), &ctx.env.contract.address, &change)?;
        let delay = self.config.load(ctx.deps.storage)?.change_delay_secs;
        let what = match change {
            DistributorChange::Treasury { .. } => "treasury",
            DistributorChange::Peers { .. } => "peers",
        };
        Ok(self.pending_change.announce(
            ctx.deps.storage,
            ctx.env.block.time.seconds(),
            delay,
            change,
            what,
        )?)
    }

    /// Anyone, once the delay is over.
    /// Deployments from before owed amounts were keyed by treasury: what was owed is
    /// owed to the treasury of the day of the migration (a few dozen entries at most: one
    /// per accepted denom and funding).
    pub(crate) fn move_legacy_treasury_owed(
        &self,
        storage: &mut dyn cosmwasm_std::Storage,
    ) -> Result<(), ContractError> {
        let legacy: cw_storage_plus::Map<(&str, u8), cosmwasm_std::Uint128> =
            cw_storage_plus::Map::new("treasury_owed");
        let entries: Vec<((String, u8), cosmwasm_std::Uint128)> = legacy
            .range(storage, None, None, cosmwasm_std::Order::Ascending)
            .collect::<cosmwasm_std::StdResult<_>>()?;
        if entries.is_empty() {
            return Ok(());
        }
        let treasury = self.config.load(storage)?.treasury;
        for ((denom, fk), amount) in entries {
            legacy.remove(storage, (&denom, fk));
            self.treasury_owed.update(storage, (&treasury, &denom, fk), |a| {
                cosmwasm_std::StdResult::Ok(a.unwrap_or_default() + amount)
            })?;
        }
        Ok(())
    }

    /// Anyone, once the delay is over; a new treasury only by itself: what epochs book to
    /// it stays its own, so it must show it can send (and so claim) before it applies.
    pub(crate) fn do_apply_change(&self, ctx: ExecCtx) -> Result<Response, ContractError> {
        attrib_std::funds::expect_none(&ctx.info.funds)?;
        let change = self
            .pending_change
            .take_due(ctx.deps.storage, ctx.env.block.time.seconds())?;
        self.check_change(ctx.deps.as_ref(), &ctx.env.contract.address, &change)?;
        let mut c = self.config.load(ctx.deps.storage)?;
        let resp = events::response(events::action::APPLY_CHANGE);
        match change {
            DistributorChange::Treasury { address } => {
                if ctx.info.sender.as_str() != address {
                    return Err(ContractError::NotNewTreasury {
                        sender: ctx.info.sender.to_string(),
                        treasury: address,
                    });
                }
                c.treasury = ctx.deps.api.addr_validate(&address)?;
                self.config.save(ctx.deps.storage, &c)?;
                Ok(resp.add_event(
                    Event::new(events::CHANGE_APPLIED)
                        .add_attribute(attr::CHANGE, "treasury")
                        .add_attribute(attr::TREASURY, c.treasury.as_str()),
                ))
            }
            DistributorChange::Peers { peers } => {
                let v = peers.validate::<ContractError>(ctx.deps.api, PEER_ROLES)?;
                store_peers(&mut c, &v);
                self.config.save(ctx.deps.storage, &c)?;
                Ok(resp
                    .add_event(Event::new(events::CHANGE_APPLIED).add_attribute(attr::CHANGE, "peers"))
                    .add_events(v.response().events))
            }
        }
    }

    /// Admin: allow a denom (or change its minimum and value weight), or remove it.
    pub(crate) fn do_set_accepted_denom(
        &self,
        ctx: ExecCtx,
        denom: String,
        accepted: Option<AcceptedDenom>,
    ) -> Result<Response, ContractError> {
        attrib_std::funds::expect_none(&ctx.info.funds)?;
        self.gov.assert_admin(ctx.deps.storage, &ctx.info.sender)?;
        validate_denom(ctx.deps.api, &denom)?;
        let mut event = Event::new(events::DENOM_ACCEPTED).add_attribute(attr::DENOM, &denom);
        match &accepted {
            Some(a) => {
                let accepted = self
                    .accepted
                    .range(ctx.deps.storage, None, None, Order::Ascending)
                    .take(MAX_ACCEPTED_DENOMS)
                    .count();
                if accepted >= MAX_ACCEPTED_DENOMS && !self.accepted.has(ctx.deps.storage, &denom) {
                    return Err(ContractError::TooManyDenoms {
                        max: MAX_ACCEPTED_DENOMS,
                    });
                }
                self.accepted.save(ctx.deps.storage, &denom, a)?;
                event = event
                    .add_attribute(attr::MIN_AMOUNT, a.min_amount.to_string())
                    .add_attribute(attr::VALUE_WEIGHT, a.value_weight.to_string());
            }
            None => {
                if !self.accepted.has(ctx.deps.storage, &denom) {
                    return Err(ContractError::DenomNotAccepted { denom });
                }
                self.accepted.remove(ctx.deps.storage, &denom);
                event = event.add_attribute(attr::REMOVED, "true");
            }
        }
        Ok(events::response(events::action::SET_ACCEPTED_DENOM).add_event(event))
    }

    /// Whether a cw20 token may call our hook: an accepted token or the emission token.
    /// A token we do not know could claim any `sender`, including our own contracts.
    pub(crate) fn known_token(&self, deps: Deps, denom: &str) -> Result<bool, ContractError> {
        let config = self.config.load(deps.storage)?;
        Ok(self.accepted.has(deps.storage, denom)
            || config.emission.as_ref().is_some_and(|e| e.denom == denom))
    }
}

/// Denoms the pool accepts at most. Settlement and treasury claims are paged whatever
/// the number of denoms; this bounds what buyers can bring in, and so the per-denom
/// work of curator claims and of the epoch and metrics queries. (Protocol inflows —
/// bonds, slashes — come in the few denoms the protocol's own config names.)
pub const MAX_ACCEPTED_DENOMS: usize = 32;

/// The contracts the distributor reads: version weights from the registry, review points
/// (and the epoch clock, which must match ours) from curator staking, and which payments
/// are usage royalties from the receipt oracle.
const PEER_ROLES: &[PeerRole] = &[
    PeerRole::Registry,
    PeerRole::CuratorStaking,
    PeerRole::ReceiptOracle,
];

impl Wiring for RewardDistributorContract {
    type Error = ContractError;

    /// Sets roles that have no address yet (the deployment's wiring) at once; moving one
    /// that is set is announced first (`announce_change`).
    fn set_peers(&self, ctx: ExecCtx, peers: Peers) -> Result<Response, ContractError> {
        let peers = peers.authorize::<ContractError>(&ctx, &self.gov, PEER_ROLES)?;
        let mut c = self.config.load(ctx.deps.storage)?;
        peers.check_immediate(&PeersResponse {
            registry: c.registry.clone(),
            curator_staking: c.curator_staking.clone(),
            receipt_oracle: c.receipt_oracle.clone(),
            ..Default::default()
        })?;
        if let Some(a) = &peers.curator_staking {
            check_clock(c.clock, staking_clock(&ctx.deps.querier, a)?)?;
        }
        store_peers(&mut c, &peers);
        self.config.save(ctx.deps.storage, &c)?;
        Ok(peers.response())
    }

    fn peers(&self, ctx: QueryCtx) -> Result<PeersResponse, ContractError> {
        let c = self.config.load(ctx.deps.storage)?;
        Ok(PeersResponse {
            registry: c.registry,
            curator_staking: c.curator_staking,
            receipt_oracle: c.receipt_oracle,
            ..Default::default()
        })
    }
}

fn store_peers(c: &mut Config, peers: &attrib_std::wiring::ValidPeers) {
    if let Some(a) = &peers.registry {
        c.registry = Some(a.clone());
    }
    if let Some(a) = &peers.curator_staking {
        c.curator_staking = Some(a.clone());
    }
    if let Some(a) = &peers.receipt_oracle {
        c.receipt_oracle = Some(a.clone());
    }
}

fn terms(c: &Config) -> EpochTerms {
    EpochTerms {
        rates: c.rates,
        vesting_secs: c.vesting_secs,
    }
}
