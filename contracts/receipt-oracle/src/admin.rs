//! Instantiation, parameters, migration, wiring to the peers and the governance
//! interface (the shared admin and pause implementation).

use attrib_std::events::{self, attr};
use attrib_std::validation::{ensure, range, within, ValidationError};
use attrib_std::wiring::{PeerRole, Peers, PeersResponse, Wiring};
use attrib_std::{funds, migration};
use cosmwasm_std::{Addr, DepsMut, Env, Event, Order, Response, StdResult};
use sylvia::ctx::{ExecCtx, InstantiateCtx, MigrateCtx, QueryCtx};

use crate::contract::{CONTRACT_NAME, CONTRACT_VERSION};
use crate::error::ContractError;
use crate::msg::{InstantiateConfig, LateCharge};
use crate::state::{
    Config, Params, PauseWindow, ReceiptOracleContract, MAX_BACK_EPOCHS, MAX_INCLUSION_REQUESTS, MAX_LINEAGE,
    MAX_PARENT_DEPTH, MIN_POSTING_GRACE_SECS,
};

fn validate(p: &Params) -> Result<(), ValidationError> {
    let secs = |field, v: u64, min| within(field, v, min, range::MAX_SECS);
    secs("epoch_secs", p.epoch_secs, 1)?;
    within(
        "posting_grace_secs",
        p.posting_grace_secs,
        MIN_POSTING_GRACE_SECS,
        range::DAY,
    )?;
    secs("dispute_window_secs", p.dispute_window_secs, 1)?;
    within("fraud_slash_bps", p.fraud_slash_bps, 1, range::BPS)?;
    within("max_lineage", p.max_lineage, 1, MAX_LINEAGE)?;
    within("max_parent_depth", p.max_parent_depth, 0, MAX_PARENT_DEPTH)?;
    secs("withdraw_notice_secs", p.withdraw_notice_secs, 0)?;
    within("omission_weight_bps", p.omission_weight_bps, 1, range::BPS - 1)?;
    within(
        "omission_claimant_share_bps",
        p.omission_claimant_share_bps,
        0,
        range::BPS / 2,
    )?;
    within("max_back_epochs", p.max_back_epochs, 1, MAX_BACK_EPOCHS)?;
    within(
        "inclusion_fee.amount",
        p.inclusion_fee.amount.u128(),
        1,
        u128::MAX,
    )?;
    // Native only: the fee is attached to the request (no cw20 hook takes it).
    ensure(
        !p.inclusion_fee.denom.is_empty() && !p.inclusion_fee.denom.starts_with(funds::CW20_PREFIX),
        "inclusion_fee.denom",
        "must be a native denom",
    )?;
    secs("inclusion_response_secs", p.inclusion_response_secs, 1)?;
    within(
        "max_inclusion_requests",
        p.max_inclusion_requests,
        1,
        MAX_INCLUSION_REQUESTS,
    )
}

impl ReceiptOracleContract {
    pub(crate) fn init(
        &self,
        ctx: InstantiateCtx,
        config: InstantiateConfig,
    ) -> Result<Response, ContractError> {
        let InstantiateConfig {
            admin,
            registry,
            curator_staking,
            reward_pool,
            params,
        } = config;
        funds::expect_none(&ctx.info.funds)?;
        validate(&params)?;
        cw2::set_contract_version(ctx.deps.storage, CONTRACT_NAME, CONTRACT_VERSION)?;
        let api = ctx.deps.api;
        let admin = admin
            .map(|a| api.addr_validate(&a))
            .transpose()?
            .unwrap_or(ctx.info.sender.clone());
        self.gov.init(ctx.deps.storage, &admin)?;
        self.config.save(
            ctx.deps.storage,
            &Config {
                registry: api.addr_validate(&registry)?,
                curator_staking: api.addr_validate(&curator_staking)?,
                reward_pool: api.addr_validate(&reward_pool)?,
                epoch_start: ctx.env.block.time.seconds(),
                params,
            },
        )?;
        self.next_model.save(ctx.deps.storage, &1)?;
        Ok(Response::new().add_attribute(attr::ADMIN, admin.as_str()))
    }

    pub(crate) fn do_update_params(&self, ctx: ExecCtx, params: Params) -> Result<Response, ContractError> {
        funds::expect_none(&ctx.info.funds)?;
        self.gov.assert_admin(ctx.deps.storage, &ctx.info.sender)?;
        validate(&params)?;
        self.config
            .update(ctx.deps.storage, |mut c| -> Result<_, ContractError> {
                c.params = params;
                Ok(c)
            })?;
        Ok(events::response(events::action::UPDATE_PARAMS).add_event(Event::new(events::CONFIG_UPDATED)))
    }

    /// A contract paused before pause windows were recorded has none: the migration opens
    /// one now, so deadlines that fall in the rest of the pause are pushed back too.
    pub(crate) fn do_migrate(
        &self,
        mut ctx: MigrateCtx,
        late_charges: Vec<LateCharge>,
    ) -> Result<Response, ContractError> {
        let resp = migration::migrate_response(ctx.deps.storage, CONTRACT_NAME, CONTRACT_VERSION)?;
        self.record_late_charges(ctx.deps.branch(), late_charges)?;
        let open = self
            .pause_window
            .may_load(ctx.deps.storage)?
            .is_some_and(|w| w.until.is_none());
        if self.gov.is_paused(ctx.deps.storage)? && !open {
            self.pause_window.save(
                ctx.deps.storage,
                &PauseWindow {
                    from: ctx.env.block.time.seconds(),
                    until: None,
                    resume_by: None,
                },
            )?;
        }
        Ok(resp)
    }
}

impl ReceiptOracleContract {
    /// Late omissions proven beyond their cursor before `late_charged` existed were
    /// charged but not recorded as such: the batch that later covers the id (taken late
    /// now, refused before) would charge it again. Each must be named with its units in
    /// `given`; one given that is not such a proof, or given twice, is refused. (One pass
    /// over the proofs on record, once per upgrade; none is missing after this version.)
    fn record_late_charges(&self, deps: DepsMut, given: Vec<LateCharge>) -> Result<(), ContractError> {
        let mut by_key = std::collections::BTreeMap::new();
        for c in given {
            let op = deps.api.addr_validate(&c.operator)?;
            if by_key.insert((c.model_id, op, c.receipt_id), c.units).is_some() {
                return Err(ContractError::BadLateCharge {
                    model_id: c.model_id,
                    operator: c.operator,
                    receipt_id: c.receipt_id,
                    reason: "named twice",
                });
            }
        }
        let proven: Vec<(u64, Addr, u64)> = self
            .late_proven
            .keys(deps.storage, None, None, Order::Ascending)
            .collect::<StdResult<_>>()?;
        for (model_id, op, id) in proven {
            let mut cursor = self
                .cursors
                .may_load(deps.storage, (model_id, &op))?
                .unwrap_or_default();
            let key = (model_id, &op, id);
            if id <= cursor.last_id || self.late_charged.has(deps.storage, key) {
                continue;
            }
            let units =
                by_key
                    .remove(&(model_id, op.clone(), id))
                    .ok_or_else(|| ContractError::BadLateCharge {
                        model_id,
                        operator: op.to_string(),
                        receipt_id: id,
                        reason: "proven late beyond its cursor and charged, but its units are not given",
                    })?;
            self.late_charged.save(deps.storage, key, &units)?;
            cursor.late_charged += 1;
            self.cursors.save(deps.storage, (model_id, &op), &cursor)?;
        }
        if let Some(((model_id, op, id), _)) = by_key.into_iter().next() {
            return Err(ContractError::BadLateCharge {
                model_id,
                operator: op.to_string(),
                receipt_id: id,
                reason: "no late omission beyond its cursor without a recorded charge",
            });
        }
        Ok(())
    }
}

// Governance as every contract has it, plus the oracle's pause window.
attrib_std::impl_governance!(
    ReceiptOracleContract,
    ContractError,
    on_pause = ReceiptOracleContract::record_pause
);

impl ReceiptOracleContract {
    /// Records the pause window: posting deadlines that fall in a pause are pushed back
    /// (`batches::effective_deadline`). A pause that begins within a posting grace of
    /// the last unpause extends the same window, so no deadline slips between two pauses.
    fn record_pause(&self, deps: DepsMut, env: &Env, paused: bool) -> Result<(), ContractError> {
        let now = env.block.time.seconds();
        let grace = self.config.load(deps.storage)?.params.posting_grace_secs;
        let last = self.pause_window.may_load(deps.storage)?;
        let window = match (paused, last) {
            (true, Some(w)) if w.until.is_some_and(|u| now <= w.resume_by(u, grace)) => PauseWindow {
                from: w.from,
                until: None,
                resume_by: None,
            },
            (true, _) => PauseWindow {
                from: now,
                until: None,
                resume_by: None,
            },
            // A pause from before the window was recorded counts from its end.
            (false, last) => PauseWindow {
                from: last.map_or(now, |w| w.from),
                until: Some(now),
                resume_by: Some(now.saturating_add(grace)),
            },
        };
        Ok(self.pause_window.save(deps.storage, &window)?)
    }
}

/// The contracts the oracle calls: the registry for licenses and terms, curator staking
/// for operator bonds and slashing, and the reward pool that royalties are paid to. All
/// three are fixed once the first model is registered.
const PEER_ROLES: &[PeerRole] = &[PeerRole::Registry, PeerRole::CuratorStaking, PeerRole::RewardPool];

impl Wiring for ReceiptOracleContract {
    type Error = ContractError;

    fn set_peers(&self, ctx: ExecCtx, peers: Peers) -> Result<Response, ContractError> {
        let peers = peers.authorize::<ContractError>(&ctx, &self.gov, PEER_ROLES)?;
        let mut c = self.config.load(ctx.deps.storage)?;
        // Models carry escrow, batches and claims that name the current peers (licenses
        // in this registry, operators bonded in this staking contract, royalties owed
        // to this pool): from the first model on, the peers are fixed.
        let in_use = self.next_model.load(ctx.deps.storage)? > 1;
        peers.guard(PeerRole::Registry, Some(&c.registry), in_use)?;
        peers.guard(PeerRole::CuratorStaking, Some(&c.curator_staking), in_use)?;
        peers.guard(PeerRole::RewardPool, Some(&c.reward_pool), in_use)?;
        if let Some(a) = &peers.registry {
            c.registry = a.clone();
        }
        if let Some(a) = &peers.curator_staking {
            c.curator_staking = a.clone();
        }
        if let Some(a) = &peers.reward_pool {
            c.reward_pool = a.clone();
        }
        self.config.save(ctx.deps.storage, &c)?;
        Ok(peers.response())
    }

    fn peers(&self, ctx: QueryCtx) -> Result<PeersResponse, ContractError> {
        let c = self.config.load(ctx.deps.storage)?;
        Ok(PeersResponse {
            registry: Some(c.registry),
            curator_staking: Some(c.curator_staking),
            reward_pool: Some(c.reward_pool),
            ..Default::default()
        })
    }
}
