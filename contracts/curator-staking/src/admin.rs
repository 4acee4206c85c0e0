//! Instantiation, parameters, slashers, migration and the governance interface.

use attrib_std::events::{self, action, attr};
use attrib_std::timelock::{TimelockError, CHANGE_DELAY_SECS};
use attrib_std::validation::{range, within, ValidationError};
use attrib_std::wiring::{PeerRole, Peers, PeersResponse, Wiring};
use attrib_std::{funds, migration};
use cosmwasm_std::{Addr, DepsMut, Event, HexBinary, Response, Storage};
use sha2::{Digest, Sha256};
use sylvia::ctx::{ExecCtx, InstantiateCtx, MigrateCtx, QueryCtx};

use crate::contract::{CONTRACT_NAME, CONTRACT_VERSION};
use crate::error::ContractError;
use crate::msg::{InstantiateConfig, Params, StakingChange};
use crate::state::{
    Config, CuratorStakingContract, DisputeStats, StakeAsset, Totals, MAX_CHALLENGER_SHARE_BPS,
    MAX_COMMITTEE, MAX_DISPUTE_COMMITTEE, MAX_DRAW_REVEALS, MAX_NON_REVEAL_SLASH_BPS, MAX_ROUNDS,
    MAX_STAKERS, MAX_WRONG_ACCEPT_SLASH_BPS,
};

/// Checks the tunable parameters as a whole; each field's range is on its doc comment.
fn validate(p: &Params) -> Result<(), ValidationError> {
    let secs = |field, v: u64| within(field, v, 1, range::MAX_SECS);
    secs("unbonding_secs", p.unbonding_secs)?;
    within("committee_size", p.committee_size, 1, MAX_COMMITTEE)?;
    within(
        "dispute_committee_size",
        p.dispute_committee_size,
        p.committee_size,
        MAX_DISPUTE_COMMITTEE,
    )?;
    within("max_weight_bps", p.max_weight_bps, 1, range::BPS)?;
    secs("commit_secs", p.commit_secs)?;
    secs("reveal_secs", p.reveal_secs)?;
    within("quorum_bps", p.quorum_bps, 1, range::BPS)?;
    within(
        "non_reveal_slash_bps",
        p.non_reveal_slash_bps,
        0,
        MAX_NON_REVEAL_SLASH_BPS,
    )?;
    within(
        "wrong_accept_slash_bps",
        p.wrong_accept_slash_bps,
        0,
        MAX_WRONG_ACCEPT_SLASH_BPS,
    )?;
    within("dispute_bond", p.dispute_bond.u128(), 1, u128::MAX)?;
    // An acceptor who unbonds at once is still slashable when a dispute opens at the
    // window's end (the dispute then locks its stake until it ends).
    within("dispute_window_secs", p.dispute_window_secs, 1, p.unbonding_secs)?;
    within(
        "challenger_share_bps",
        p.challenger_share_bps,
        0,
        MAX_CHALLENGER_SHARE_BPS,
    )?;
    within("max_rounds", p.max_rounds, 1, MAX_ROUNDS)?;
    secs("epoch_secs", p.epoch_secs)?;
    within("max_stakers", p.max_stakers, 1, MAX_STAKERS)?;
    within("draw_reveals", p.draw_reveals, 1, MAX_DRAW_REVEALS)?;
    within(
        "draw_timeout_secs",
        p.draw_timeout_secs,
        1,
        (p.unbonding_secs / 2).max(1),
    )?;
    // A staker who sees a new slasher announced can leave before it may act: unbonding
    // stake stays slashable, so the delay is at least the unbonding period.
    let (min_delay, max_delay) = CHANGE_DELAY_SECS;
    within(
        "change_delay_secs",
        p.change_delay_secs,
        min_delay.max(p.unbonding_secs),
        max_delay.max(p.unbonding_secs),
    )
}

impl CuratorStakingContract {
    pub(crate) fn init(
        &self,
        ctx: InstantiateCtx,
        config: InstantiateConfig,
    ) -> Result<Response, ContractError> {
        let InstantiateConfig {
            admin,
            registry,
            reward_pool,
            stake_denom,
            stake_cw20,
            params,
        } = config;
        funds::expect_none(&ctx.info.funds)?;
        cw2::set_contract_version(ctx.deps.storage, CONTRACT_NAME, CONTRACT_VERSION)?;
        let api = ctx.deps.api;
        let admin = admin
            .map(|a| api.addr_validate(&a))
            .transpose()?
            .unwrap_or(ctx.info.sender.clone());
        let asset = match (stake_denom, stake_cw20) {
            (Some(denom), None) if !denom.is_empty() => StakeAsset::Native { denom },
            (None, Some(token)) => StakeAsset::Cw20 {
                address: api.addr_validate(&token)?,
            },
            _ => {
                return Err(ValidationError::Invalid {
                    field: "stake_denom/stake_cw20",
                    reason: "give exactly one",
                }
                .into())
            }
        };
        validate(&params)?;
        let config = Config {
            registry: api.addr_validate(&registry)?,
            receipt_oracle: None,
            reward_pool: api.addr_validate(&reward_pool)?,
            asset,
            epoch_start: ctx.env.block.time.seconds(),
            params,
        };
        self.gov.init(ctx.deps.storage, &admin)?;
        self.config.save(ctx.deps.storage, &config)?;
        self.totals.save(ctx.deps.storage, &Totals::default())?;
        self.disputes.save(ctx.deps.storage, &DisputeStats::default())?;
        self.staker_count.save(ctx.deps.storage, &0)?;
        self.next_review.save(ctx.deps.storage, &1)?;
        // Initial entropy: the instantiation's own context; every reveal mixes in more.
        let seed: [u8; 32] = Sha256::digest(format!(
            "{}{}{}",
            ctx.env.contract.address,
            ctx.env.block.height,
            ctx.env.block.time.nanos()
        ))
        .into();
        self.entropy.save(ctx.deps.storage, &HexBinary::from(seed))?;
        Ok(Response::new().add_attribute(attr::ADMIN, admin.as_str()))
    }

    pub(crate) fn do_update_params(&self, ctx: ExecCtx, params: Params) -> Result<Response, ContractError> {
        funds::expect_none(&ctx.info.funds)?;
        self.gov.assert_admin(ctx.deps.storage, &ctx.info.sender)?;
        validate(&params)?;
        self.config
            .update(ctx.deps.storage, |mut c| -> Result<_, ContractError> {
                // The reward distributor splits curator pools by points per epoch of this
                // clock: changing its length would re-number past epochs.
                if params.epoch_secs != c.params.epoch_secs {
                    return Err(ValidationError::Invalid {
                        field: "epoch_secs",
                        reason:
                            "is fixed at instantiation (the reward distributor counts review points on it)",
                    }
                    .into());
                }
                c.params = params;
                Ok(c)
            })?;
        Ok(events::response(action::UPDATE_PARAMS).add_event(Event::new(events::CONFIG_UPDATED)))
    }

    /// Admin: revoke a slasher at once (fewer powers need no warning). Naming a new one
    /// is a change of who may slash: `announce_change`, then `apply_change` after the
    /// delay.
    pub(crate) fn do_set_slasher(
        &self,
        ctx: ExecCtx,
        address: String,
        allowed: bool,
    ) -> Result<Response, ContractError> {
        funds::expect_none(&ctx.info.funds)?;
        self.gov.assert_admin(ctx.deps.storage, &ctx.info.sender)?;
        let addr = ctx.deps.api.addr_validate(&address)?;
        if allowed {
            return Err(TimelockError::AnnounceFirst { what: "slasher" }.into());
        }
        if !self.slashers.has(ctx.deps.storage, &addr) {
            return Err(ContractError::NotSlasher {
                sender: addr.to_string(),
            });
        }
        self.slashers.remove(ctx.deps.storage, &addr);
        self.slasher_since.remove(ctx.deps.storage, &addr);
        Ok(events::response(action::SET_SLASHER).add_event(slasher_event(&addr, false)))
    }

    /// The admin may never slash its own contract's stakers: with a challenger share it
    /// would be paid for it.
    fn check_slasher(&self, storage: &dyn Storage, slasher: &Addr) -> Result<(), ContractError> {
        if self.gov.admin(storage)? == slasher {
            return Err(ContractError::AdminMayNotSlash {
                address: slasher.to_string(),
            });
        }
        Ok(())
    }

    /// Checks a change as `apply_change` will apply it; the peers also against
    /// `set_peers`' rules (a contract, not this one, a registry fixed once reviewed).
    fn check_change(
        &self,
        deps: &DepsMut,
        env_contract: &Addr,
        change: &StakingChange,
    ) -> Result<(), ContractError> {
        match change {
            StakingChange::AddSlasher { address } => {
                let a = deps.api.addr_validate(address)?;
                self.check_slasher(deps.storage, &a)
            }
            StakingChange::Peers { peers } => {
                let v = peers.validate::<ContractError>(deps.api, PEER_ROLES)?;
                v.check_contracts(&deps.querier, env_contract)?;
                if let Some(o) = &v.receipt_oracle {
                    self.check_slasher(deps.storage, o)?;
                }
                let c = self.config.load(deps.storage)?;
                let reviewed = self.next_review.load(deps.storage)? > 1;
                Ok(v.guard(PeerRole::Registry, Some(&c.registry), reviewed)?)
            }
        }
    }

    pub(crate) fn do_announce_change(
        &self,
        ctx: ExecCtx,
        change: StakingChange,
    ) -> Result<Response, ContractError> {
        funds::expect_none(&ctx.info.funds)?;
        self.gov.assert_admin(ctx.deps.storage, &ctx.info.sender)?;
        self.check_change(&ctx.deps, &ctx.env.contract.address, &change)?;
        let delay = self.config.load(ctx.deps.storage)?.params.change_delay_secs;
        let what = change.what();
        Ok(self.pending_change.announce(
            ctx.deps.storage,
            ctx.env.block.time.seconds(),
            delay,
            change,
            what,
        )?)
    }

    /// Anyone, once the delay is over.
    pub(crate) fn do_apply_change(&self, ctx: ExecCtx) -> Result<Response, ContractError> {
        funds::expect_none(&ctx.info.funds)?;
        let change = self
            .pending_change
            .take_due(ctx.deps.storage, ctx.env.block.time.seconds())?;
        // Checked again: the admin may have changed since the announcement.
        self.check_change(&ctx.deps, &ctx.env.contract.address, &change)?;
        let resp = events::response(action::APPLY_CHANGE);
        match change {
            StakingChange::AddSlasher { address } => {
                let addr = ctx.deps.api.addr_validate(&address)?;
                self.add_slasher(ctx.deps.storage, &addr, ctx.env.block.time.seconds())?;
                Ok(resp
                    .add_event(Event::new(events::CHANGE_APPLIED).add_attribute(attr::CHANGE, "slasher"))
                    .add_event(slasher_event(&addr, true)))
            }
            StakingChange::Peers { peers } => {
                let v = peers.validate::<ContractError>(ctx.deps.api, PEER_ROLES)?;
                self.store_peers(ctx.deps.storage, &v, ctx.env.block.time.seconds())?;
                let set = v.response();
                Ok(resp
                    .add_event(Event::new(events::CHANGE_APPLIED).add_attribute(attr::CHANGE, "peers"))
                    .add_events(set.events))
            }
        }
    }

    pub(crate) fn do_cancel_change(&self, ctx: ExecCtx) -> Result<Response, ContractError> {
        funds::expect_none(&ctx.info.funds)?;
        self.gov.assert_admin(ctx.deps.storage, &ctx.info.sender)?;
        Ok(self.pending_change.cancel(ctx.deps.storage)?)
    }

    /// A new slasher reaches bonded stake and what starts unbonding from `now` on; one
    /// already named keeps its reach.
    fn add_slasher(&self, storage: &mut dyn Storage, addr: &Addr, now: u64) -> Result<(), ContractError> {
        if !self.slashers.has(storage, addr) {
            self.slashers.save(storage, addr, &())?;
            self.slasher_since.save(storage, addr, &now)?;
        }
        Ok(())
    }

    fn store_peers(
        &self,
        storage: &mut dyn Storage,
        peers: &attrib_std::wiring::ValidPeers,
        now: u64,
    ) -> Result<(), ContractError> {
        let mut c = self.config.load(storage)?;
        if let Some(a) = &peers.registry {
            c.registry = a.clone();
        }
        // The receipt oracle peer slashes operators whose batches it proves fraudulent:
        // the right moves with the role.
        if let Some(a) = &peers.receipt_oracle {
            // Re-stating the oracle it has changes nothing: a right revoked with
            // `set_slasher` comes back only through an announced change.
            match c.receipt_oracle.replace(a.clone()) {
                Some(old) if old == *a => {}
                Some(old) => {
                    self.slashers.remove(storage, &old);
                    self.slasher_since.remove(storage, &old);
                    self.add_slasher(storage, a, now)?;
                }
                None => self.add_slasher(storage, a, now)?,
            }
        }
        if let Some(a) = &peers.reward_pool {
            c.reward_pool = a.clone();
        }
        Ok(self.config.save(storage, &c)?)
    }

    pub(crate) fn do_migrate(&self, ctx: MigrateCtx) -> Result<Response, ContractError> {
        // Draws read curators' stake with its history (`stake_history`): it starts here
        // for a contract from before it (draws requested before keep no terms and are
        // drawn as then); for others it only restates the current stake.
        for (a, bonded) in self.curators(ctx.deps.storage) {
            self.stake_history
                .save(ctx.deps.storage, (&a, ctx.env.block.height), &bonded)?;
        }
        // Params stored before the dispute window and the draw timeout were bounded by
        // the unbonding period are brought within their bounds (shortened, never longer).
        let mut config = self.config.load(ctx.deps.storage)?;
        let p = &mut config.params;
        p.dispute_window_secs = p.dispute_window_secs.min(p.unbonding_secs);
        p.draw_timeout_secs = p.draw_timeout_secs.min((p.unbonding_secs / 2).max(1));
        self.config.save(ctx.deps.storage, &config)?;
        let paused = self.gov.is_paused(ctx.deps.storage)?;
        let now = ctx.env.block.time.seconds();
        attrib_std::governance::PauseClock::start_if_paused(
            &self.pause_clock,
            ctx.deps.storage,
            paused,
            now,
        )?;
        Ok(migration::migrate_response(
            ctx.deps.storage,
            CONTRACT_NAME,
            CONTRACT_VERSION,
        )?)
    }
}

/// The contracts curator staking calls: the registry it reviews tranches for (fixed once
/// a review was opened), the oracle that checks omission claims and may slash operators,
/// and the reward pool that receives slashed stake.
const PEER_ROLES: &[PeerRole] = &[PeerRole::Registry, PeerRole::ReceiptOracle, PeerRole::RewardPool];

impl Wiring for CuratorStakingContract {
    type Error = ContractError;

    /// Sets roles that have no address yet (the deployment's wiring) at once; moving one
    /// that is set is announced first (`announce_change`).
    fn set_peers(&self, ctx: ExecCtx, peers: Peers) -> Result<Response, ContractError> {
        let peers = peers.authorize::<ContractError>(&ctx, &self.gov, PEER_ROLES)?;
        let c = self.config.load(ctx.deps.storage)?;
        // Before anyone stakes or a review opens, nothing can be slashed, held or paid
        // out: the deployment wires (and re-wires) its peers at once. From then on moves
        // are announced — even once every staker left, since a review's bond may be held.
        let in_use =
            self.staker_count.load(ctx.deps.storage)? > 0 || self.next_review.load(ctx.deps.storage)? > 1;
        if in_use {
            // The oracle slashes: naming one where there was none is announced too.
            if peers.receipt_oracle.is_some() && peers.receipt_oracle != c.receipt_oracle {
                return Err(TimelockError::AnnounceFirst {
                    what: PeerRole::ReceiptOracle.as_str(),
                }
                .into());
            }
            peers.check_immediate(&PeersResponse {
                registry: Some(c.registry),
                receipt_oracle: c.receipt_oracle,
                reward_pool: Some(c.reward_pool),
                ..Default::default()
            })?;
        }
        if let Some(o) = &peers.receipt_oracle {
            self.check_slasher(ctx.deps.storage, o)?;
        }
        self.store_peers(ctx.deps.storage, &peers, ctx.env.block.time.seconds())?;
        Ok(peers.response())
    }

    fn peers(&self, ctx: QueryCtx) -> Result<PeersResponse, ContractError> {
        let c = self.config.load(ctx.deps.storage)?;
        Ok(PeersResponse {
            registry: Some(c.registry),
            receipt_oracle: c.receipt_oracle,
            reward_pool: Some(c.reward_pool),
            ..Default::default()
        })
    }
}

fn slasher_event(addr: &Addr, allowed: bool) -> Event {
    Event::new(events::SLASHER_SET)
        .add_attribute(attr::SLASHER, addr.as_str())
        .add_attribute(attr::ALLOWED, allowed.to_string())
}

// Governance as every contract has it, plus the pause clock draw timeouts wait out.
attrib_std::impl_governance!(
    CuratorStakingContract,
    ContractError,
    on_pause = CuratorStakingContract::record_pause
);

impl CuratorStakingContract {
    fn record_pause(
        &self,
        deps: DepsMut,
        env: &cosmwasm_std::Env,
        paused: bool,
    ) -> Result<(), ContractError> {
        let now = env.block.time.seconds();
        Ok(attrib_std::governance::PauseClock::record_in(
            &self.pause_clock,
            deps.storage,
            paused,
            now,
        )?)
    }
}
