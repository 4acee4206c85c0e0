//! Instantiation, parameters, migration, wiring to the peers and the governance
//! interface (the shared admin and pause implementation).

use attrib_std::events::{self, attr};
use attrib_std::validation::{ensure, ValidationError};
use attrib_std::wiring::{PeerRole, Peers, PeersResponse, Wiring};
use attrib_std::{funds, migration};
use cosmwasm_std::{DepsMut, Env, Event, Response};
use sylvia::ctx::{ExecCtx, InstantiateCtx, MigrateCtx, QueryCtx};

use crate::contract::{CONTRACT_NAME, CONTRACT_VERSION};
use crate::error::ContractError;
use crate::msg::InstantiateConfig;
use crate::state::{Config, Params, PauseWindow, ReceiptOracleContract};

fn validate(p: &Params) -> Result<(), ValidationError> {
    ensure(p.epoch_secs != 0, "epoch_secs", "must be positive")?;
    ensure(
        p.dispute_window_secs != 0,
        "dispute_window_secs",
        "must be positive",
    )?;
    ensure(p.max_lineage != 0, "max_lineage", "must be positive")?;
    ensure(
        (1..=10_000).contains(&p.fraud_slash_bps),
        "fraud_slash_bps",
        "must be 1-10000",
    )?;
    ensure(
        p.omission_weight_bps <= 10_000,
        "omission_weight_bps",
        "must be at most 10000",
    )?;
    ensure(
        p.omission_claimant_share_bps <= 10_000,
        "omission_claimant_share_bps",
        "must be at most 10000",
    )?;
    ensure(
        (1..10_000).contains(&p.omission_weight_bps),
        "omission_weight_bps",
        "must be 1-9999",
    )?;
    ensure(
        p.max_lineage <= 64,
        "max_lineage",
        "must be at most 64 (finalization cost)",
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

    pub(crate) fn do_migrate(&self, ctx: MigrateCtx) -> Result<Response, ContractError> {
        Ok(migration::migrate_response(
            ctx.deps.storage,
            CONTRACT_NAME,
            CONTRACT_VERSION,
        )?)
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
            (true, Some(w)) if w.until.is_some_and(|u| now <= u.saturating_add(grace)) => PauseWindow {
                from: w.from,
                until: None,
            },
            (true, _) => PauseWindow {
                from: now,
                until: None,
            },
            // A pause from before the window was recorded counts from its end.
            (false, last) => PauseWindow {
                from: last.map_or(now, |w| w.from),
                until: Some(now),
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
