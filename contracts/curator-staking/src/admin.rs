//! Instantiation, parameters, slashers, migration and the governance interface.

use attrib_std::events::{self, action, attr};
use attrib_std::validation::{ensure, ValidationError};
use attrib_std::wiring::{PeerRole, Peers, PeersResponse, Wiring};
use attrib_std::{funds, migration};
use cosmwasm_std::{Event, HexBinary, Response};
use sha2::{Digest, Sha256};
use sylvia::ctx::{ExecCtx, InstantiateCtx, MigrateCtx, QueryCtx};

use crate::contract::{CONTRACT_NAME, CONTRACT_VERSION};
use crate::error::ContractError;
use crate::msg::{InstantiateConfig, Params};
use crate::state::{Config, CuratorStakingContract, DisputeStats, StakeAsset, Totals};

fn bps(field: &'static str, v: u32, allow_zero: bool) -> Result<(), ValidationError> {
    ensure(
        v <= 10_000 && (allow_zero || v != 0),
        field,
        "must be a share in basis points (1-10000)",
    )
}

fn positive(field: &'static str, v: u64) -> Result<(), ValidationError> {
    ensure(v != 0, field, "must be positive")
}

/// Checks the tunable parameters as a whole.
fn validate(p: &Params) -> Result<(), ValidationError> {
    positive("unbonding_secs", p.unbonding_secs)?;
    positive("committee_size", p.committee_size.into())?;
    positive("commit_secs", p.commit_secs)?;
    positive("reveal_secs", p.reveal_secs)?;
    positive("epoch_secs", p.epoch_secs)?;
    positive("max_stakers", p.max_stakers.into())?;
    positive("max_rounds", p.max_rounds.into())?;
    positive("dispute_bond", p.dispute_bond.u128() as u64)?;
    positive("dispute_window_secs", p.dispute_window_secs)?;
    ensure(
        p.dispute_committee_size >= p.committee_size,
        "dispute_committee_size",
        "must be at least committee_size",
    )?;
    ensure(
        p.max_stakers <= 1_000,
        "max_stakers",
        "must be at most 1000 (draw cost)",
    )?;
    ensure((1..=16).contains(&p.draw_reveals), "draw_reveals", "must be 1-16")?;
    positive("draw_timeout_secs", p.draw_timeout_secs)?;
    bps("max_weight_bps", p.max_weight_bps, false)?;
    bps("quorum_bps", p.quorum_bps, false)?;
    bps("non_reveal_slash_bps", p.non_reveal_slash_bps, true)?;
    bps("wrong_accept_slash_bps", p.wrong_accept_slash_bps, true)?;
    bps("challenger_share_bps", p.challenger_share_bps, true)?;
    Ok(())
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
            self.slashers.save(ctx.deps.storage, &addr, &())?;
        } else {
            self.slashers.remove(ctx.deps.storage, &addr);
        }
        Ok(events::response(action::SET_SLASHER).add_event(
            Event::new(events::SLASHER_SET)
                .add_attribute(attr::SLASHER, addr.as_str())
                .add_attribute(attr::ALLOWED, allowed.to_string()),
        ))
    }

    pub(crate) fn do_migrate(&self, ctx: MigrateCtx) -> Result<Response, ContractError> {
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

    fn set_peers(&self, ctx: ExecCtx, peers: Peers) -> Result<Response, ContractError> {
        let peers = peers.authorize::<ContractError>(&ctx, &self.gov, PEER_ROLES)?;
        let mut c = self.config.load(ctx.deps.storage)?;
        // Reviews are keyed by the registry's tranche ids: once one was opened, another
        // registry's ids would collide with them.
        let reviewed = self.next_review.load(ctx.deps.storage)? > 1;
        peers.guard(PeerRole::Registry, Some(&c.registry), reviewed)?;
        if let Some(a) = &peers.registry {
            c.registry = a.clone();
        }
        // The receipt oracle peer slashes operators whose batches it proves fraudulent:
        // the right moves with the role.
        if let Some(a) = &peers.receipt_oracle {
            if let Some(old) = c.receipt_oracle.replace(a.clone()) {
                self.slashers.remove(ctx.deps.storage, &old);
            }
            self.slashers.save(ctx.deps.storage, a, &())?;
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
            receipt_oracle: c.receipt_oracle,
            reward_pool: Some(c.reward_pool),
            ..Default::default()
        })
    }
}

attrib_std::impl_governance!(CuratorStakingContract, ContractError);
