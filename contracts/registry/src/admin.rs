//! Instantiation, configuration, migration and the governance interface.

use attrib_std::events::{self, action, attr};
use attrib_std::governance::PauseClock;
use attrib_std::wiring::{PeerRole, Peers, PeersResponse, Wiring};
use attrib_std::{migration, validation};
use cosmwasm_std::{Event, Response};
use sylvia::ctx::{ExecCtx, InstantiateCtx, MigrateCtx, QueryCtx};

use crate::checks;
use crate::contract::{CONTRACT_NAME, CONTRACT_VERSION};
use crate::error::ContractError;
use crate::msg::ConfigUpdate;
use crate::state::{Config, RegistryContract, Stats};

impl RegistryContract {
    pub(crate) fn init(
        &self,
        ctx: InstantiateCtx,
        admin: Option<String>,
        peers: Peers,
        settings: ConfigUpdate,
    ) -> Result<Response, ContractError> {
        attrib_std::funds::expect_none(&ctx.info.funds)?;
        cw2::set_contract_version(ctx.deps.storage, CONTRACT_NAME, CONTRACT_VERSION)?;
        let admin = match admin {
            Some(a) => ctx.deps.api.addr_validate(&a)?,
            None => ctx.info.sender.clone(),
        };
        self.gov.init(ctx.deps.storage, &admin)?;
        let peers = peers.validate::<ContractError>(ctx.deps.api, PEER_ROLES)?;
        let placeholder = Config {
            reward_pool: peers.reward_pool.unwrap_or_else(|| admin.clone()),
            curator_staking: peers.curator_staking,
            schema_fee: None,
            dataset_bond: None,
            tranche_bond: None,
            challenge_window_secs: 0,
            max_tranches_per_version: 0,
        };
        let config = apply_update(placeholder, settings)?;
        self.config.save(ctx.deps.storage, &config)?;
        self.stats.save(ctx.deps.storage, &Stats::default())?;
        self.next_schema_id.save(ctx.deps.storage, &1)?;
        self.next_dataset_id.save(ctx.deps.storage, &1)?;
        self.next_tranche_id.save(ctx.deps.storage, &1)?;
        Ok(Response::new()
            .add_attribute(attr::ADMIN, admin.as_str())
            .add_attribute(attr::CONTRACT_VERSION, CONTRACT_VERSION))
    }

    pub(crate) fn do_update_config(
        &self,
        ctx: ExecCtx,
        update: ConfigUpdate,
    ) -> Result<Response, ContractError> {
        attrib_std::funds::expect_none(&ctx.info.funds)?;
        self.gov.assert_admin(ctx.deps.storage, &ctx.info.sender)?;
        let config = apply_update(self.config.load(ctx.deps.storage)?, update)?;
        self.config.save(ctx.deps.storage, &config)?;
        Ok(events::response(action::UPDATE_CONFIG).add_event(Event::new(events::CONFIG_UPDATED)))
    }

    pub(crate) fn do_migrate(&self, ctx: MigrateCtx) -> Result<Response, ContractError> {
        let resp = migration::migrate_response(ctx.deps.storage, CONTRACT_NAME, CONTRACT_VERSION)?;
        let paused = self.gov.is_paused(ctx.deps.storage)?;
        PauseClock::start_if_paused(
            &self.pause_clock,
            ctx.deps.storage,
            paused,
            ctx.env.block.time.seconds(),
        )?;
        Ok(resp)
    }
}

/// Applies the fields set in `update` and checks the result as a whole.
fn apply_update(mut c: Config, u: ConfigUpdate) -> Result<Config, ContractError> {
    if let Some(f) = u.schema_fee {
        checks::optional_coin("schema_fee", &f)?;
        c.schema_fee = f;
    }
    if let Some(b) = u.dataset_bond {
        checks::optional_coin("dataset_bond", &b)?;
        c.dataset_bond = b;
    }
    if let Some(b) = u.tranche_bond {
        checks::optional_coin("tranche_bond", &b)?;
        c.tranche_bond = b;
    }
    if let Some(w) = u.challenge_window_secs {
        c.challenge_window_secs = w;
    }
    if let Some(m) = u.max_tranches_per_version {
        c.max_tranches_per_version = m;
    }
    validation::within(
        "challenge_window_secs",
        c.challenge_window_secs,
        1,
        validation::range::MAX_SECS,
    )?;
    validation::nonzero("max_tranches_per_version", c.max_tranches_per_version)?;
    if c.max_tranches_per_version > checks::MAX_TRANCHES_PER_VERSION_CAP {
        return Err(ContractError::TooManyTranches {
            max: checks::MAX_TRANCHES_PER_VERSION_CAP,
            got: c.max_tranches_per_version as usize,
        });
    }
    Ok(c)
}

/// The contracts the registry calls: curator staking reviews strict tranches; fees and
/// bonds are paid to the reward pool.
const PEER_ROLES: &[PeerRole] = &[PeerRole::CuratorStaking, PeerRole::RewardPool];

impl Wiring for RegistryContract {
    type Error = ContractError;

    fn set_peers(&self, ctx: ExecCtx, peers: Peers) -> Result<Response, ContractError> {
        let peers = peers.authorize::<ContractError>(&ctx, &self.gov, PEER_ROLES)?;
        let mut c = self.config.load(ctx.deps.storage)?;
        if let Some(a) = &peers.reward_pool {
            c.reward_pool = a.clone();
        }
        if let Some(a) = &peers.curator_staking {
            c.curator_staking = Some(a.clone());
        }
        self.config.save(ctx.deps.storage, &c)?;
        Ok(peers.response())
    }

    fn peers(&self, ctx: QueryCtx) -> Result<PeersResponse, ContractError> {
        let c = self.config.load(ctx.deps.storage)?;
        Ok(PeersResponse {
            reward_pool: Some(c.reward_pool),
            curator_staking: c.curator_staking,
            ..Default::default()
        })
    }
}

// Governance as every contract has it, plus the registry's record of pauses.
attrib_std::impl_governance!(
    RegistryContract,
    ContractError,
    on_pause = RegistryContract::record_pause
);

impl RegistryContract {
    /// Adds each pause's length to the pause clock when it ends.
    fn record_pause(
        &self,
        deps: cosmwasm_std::DepsMut,
        env: &cosmwasm_std::Env,
        paused: bool,
    ) -> Result<(), ContractError> {
        let now = env.block.time.seconds();
        Ok(PauseClock::record_in(
            &self.pause_clock,
            deps.storage,
            paused,
            now,
        )?)
    }

    /// What the pause clock reads now (ended pauses only).
    pub(crate) fn paused_secs(&self, storage: &dyn cosmwasm_std::Storage) -> Result<u64, ContractError> {
        Ok(self
            .pause_clock
            .may_load(storage)?
            .unwrap_or_default()
            .paused_secs)
    }

    /// The end of a tranche's challenge window, pushed back by the pausing since it was
    /// registered.
    pub(crate) fn challenge_ends(
        &self,
        storage: &dyn cosmwasm_std::Storage,
        tranche: &crate::state::Tranche,
    ) -> Result<u64, ContractError> {
        let clock = self.pause_clock.may_load(storage)?.unwrap_or_default();
        let deadline = tranche.challenge_deadline.unwrap_or_default();
        Ok(clock.extend(deadline, tranche.paused_secs_at_registration))
    }
}
