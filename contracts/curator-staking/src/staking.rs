//! Stake in, unbonding, release, payouts, and the two primitives every other module uses
//! to move value: `slash_stake` (take from a staker) and `route` (to a payee or the pool).

use attrib_std::events::{self, action, attr};
use attrib_std::funds;
use attrib_std::rewards::{self, InflowReason, PayMsg};
use attrib_std::validation::{self, ValidationError};
use cosmwasm_std::{
    from_json, Addr, BankMsg, Binary, CosmosMsg, Event, Order, Response, StdResult, Storage, Uint128,
};
use cw_storage_plus::Bound;
use sylvia::ctx::ExecCtx;

use crate::error::ContractError;
use crate::msg::ReceiveMsg;
use crate::state::{Config, CuratorStakingContract, Role, StakeAsset, Staker, Unbonding};

pub const MAX_UNBONDING_ENTRIES: usize = 32;

/// A transfer of the stake asset.
pub fn send_asset(config: &Config, to: &Addr, amount: Uint128) -> Result<CosmosMsg, ContractError> {
    Ok(match &config.asset {
        StakeAsset::Native { denom } => BankMsg::Send {
            to_address: to.to_string(),
            amount: vec![cosmwasm_std::coin(amount.u128(), denom)],
        }
        .into(),
        StakeAsset::Cw20 { address } => attrib_std::funds::Cw20Call::Transfer {
            recipient: to.to_string(),
            amount,
        }
        .on(address)?,
    })
}

pub fn asset_name(config: &Config) -> String {
    match &config.asset {
        StakeAsset::Native { denom } => denom.clone(),
        StakeAsset::Cw20 { address } => format!("cw20:{address}"),
    }
}

impl CuratorStakingContract {
    pub(crate) fn do_stake_native(&self, ctx: ExecCtx, role: Role) -> Result<Response, ContractError> {
        let amount = self.native_payment(&ctx)?;
        self.bond(
            ctx.deps.storage,
            ctx.env.block.height,
            &ctx.info.sender,
            role,
            amount,
        )
    }

    pub(crate) fn do_receive(
        &self,
        ctx: ExecCtx,
        sender: String,
        amount: Uint128,
        msg: Binary,
    ) -> Result<Response, ContractError> {
        funds::expect_none(&ctx.info.funds)?;
        let config = self.config.load(ctx.deps.storage)?;
        match &config.asset {
            StakeAsset::Cw20 { address } if *address == ctx.info.sender => {}
            _ => {
                return Err(ContractError::WrongAsset {
                    expected: asset_name(&config),
                })
            }
        }
        validation::nonzero("amount", amount)?;
        let sender = ctx.deps.api.addr_validate(&sender)?;
        let msg = from_json::<ReceiveMsg>(&msg)?;
        // A challenge is taken even while paused (a pause must not run out a challenge
        // window); the review it opens waits for the resume to be drawn.
        if !matches!(msg, ReceiveMsg::Challenge { .. }) {
            self.gov.assert_not_paused(ctx.deps.storage)?;
        }
        match msg {
            ReceiveMsg::Stake { role } => {
                self.bond(ctx.deps.storage, ctx.env.block.height, &sender, role, amount)
            }
            ReceiveMsg::Challenge {
                tranche_id,
                evidence_hash,
                evidence_uri,
            } => {
                let challenge = crate::disputes::Challenge {
                    challenger: &sender,
                    bond: amount,
                    tranche_id,
                    evidence_hash,
                    evidence_uri,
                };
                self.open_challenge(ctx.deps, &ctx.env, challenge)
            }
            ReceiveMsg::ChallengeOmission {
                model_id,
                dataset_id,
                version,
                canary_preimage,
                evidence_uri,
            } => {
                let claim = crate::disputes::OmissionClaim {
                    model_id,
                    dataset_id,
                    version,
                    canary_preimage,
                    evidence_uri,
                };
                self.open_omission(ctx.deps, &ctx.env, &sender, amount, claim)
            }
        }
    }

    fn bond(
        &self,
        storage: &mut dyn Storage,
        height: u64,
        who: &Addr,
        role: Role,
        amount: Uint128,
    ) -> Result<Response, ContractError> {
        let config = self.config.load(storage)?;
        let mut staker = match self.stakers.may_load(storage, who)? {
            Some(s) if s.role != role => {
                return Err(ContractError::RoleMismatch {
                    address: who.to_string(),
                    actual: s.role,
                    requested: role,
                })
            }
            Some(s) => s,
            None => {
                let count = self.staker_count.load(storage)?;
                if count >= config.params.max_stakers {
                    return Err(ContractError::TooManyStakers {
                        max: config.params.max_stakers,
                    });
                }
                self.staker_count.save(storage, &(count + 1))?;
                Staker {
                    role,
                    bonded: Uint128::zero(),
                    unbonding: vec![],
                    slashed: Uint128::zero(),
                }
            }
        };
        staker.bonded += amount;
        // The stake floor: the staker set is capped (`max_stakers`), so a seat must cost
        // at least `min_stake` — else 1-unit stakers could fill it and lock every new
        // curator and operator out. Checked after the top-up, so a staker slashed under
        // the floor can come back above it.
        if staker.bonded < config.params.min_stake {
            return Err(ContractError::BelowMinStake {
                bonded: staker.bonded,
                min: config.params.min_stake,
            });
        }
        self.save_staker(storage, height, who, &staker)?;
        self.totals.update(storage, |mut t| -> Result<_, ContractError> {
            t.received += amount;
            t.bonded += amount;
            Ok(t)
        })?;
        Ok(events::response(action::STAKE).add_event(
            Event::new(events::STAKE_BONDED)
                .add_attribute(attr::STAKER, who.as_str())
                .add_attribute(attr::ROLE, role.as_str())
                .add_attribute(attr::AMOUNT, amount.to_string())
                .add_attribute(attr::BONDED, staker.bonded.to_string()),
        ))
    }

    /// Unstaking is open to operators with batches pending: stake that moves to
    /// unbonding stays slashable (`slash_stake`), and `claim_unbonded` holds it until the
    /// oracle has no batch of theirs open to proofs.
    pub(crate) fn do_unstake(&self, ctx: ExecCtx, amount: Uint128) -> Result<Response, ContractError> {
        self.gov.assert_not_paused(ctx.deps.storage)?;
        funds::expect_none(&ctx.info.funds)?;
        validation::nonzero("amount", amount)?;
        let config = self.config.load(ctx.deps.storage)?;
        let who = &ctx.info.sender;
        let mut staker = self.load_staker(ctx.deps.storage, who)?;
        if amount > staker.bonded {
            return Err(ContractError::InsufficientBonded {
                bonded: staker.bonded,
                requested: amount,
            });
        }
        let left = staker.bonded - amount;
        if !left.is_zero() && left < config.params.min_stake {
            return Err(ContractError::DustLeft {
                requested: amount,
                left,
                min: config.params.min_stake,
            });
        }
        let now = ctx.env.block.time.seconds();
        let release_at = now + config.params.unbonding_secs;
        let entries = staker.unbonding.len();
        match staker.unbonding.last_mut() {
            Some(last) if last.release_at == release_at && last.started_at == now => last.amount += amount,
            _ if entries >= MAX_UNBONDING_ENTRIES => {
                return Err(ValidationError::BadLength {
                    field: "unbonding entries (claim released ones first)",
                    max: MAX_UNBONDING_ENTRIES,
                    len: entries + 1,
                }
                .into())
            }
            _ => staker.unbonding.push(Unbonding {
                amount,
                release_at,
                started_at: now,
            }),
        }
        staker.bonded -= amount;
        self.save_staker(ctx.deps.storage, ctx.env.block.height, who, &staker)?;
        self.totals
            .update(ctx.deps.storage, |mut t| -> Result<_, ContractError> {
                t.bonded -= amount;
                t.unbonding += amount;
                Ok(t)
            })?;
        Ok(events::response(action::UNSTAKE).add_event(
            Event::new(events::STAKE_UNBONDING)
                .add_attribute(attr::STAKER, who.as_str())
                .add_attribute(attr::AMOUNT, amount.to_string())
                .add_attribute(attr::RELEASE_AT, release_at.to_string()),
        ))
    }

    pub(crate) fn do_claim_unbonded(&self, ctx: ExecCtx) -> Result<Response, ContractError> {
        self.gov.assert_not_paused(ctx.deps.storage)?;
        funds::expect_none(&ctx.info.funds)?;
        let config = self.config.load(ctx.deps.storage)?;
        let who = &ctx.info.sender;
        let mut staker = self.load_staker(ctx.deps.storage, who)?;
        // A committee seat, or an acceptance under dispute, keeps the stake slashable.
        if let Some(review_id) = self
            .locks
            .prefix(who)
            .keys(ctx.deps.storage, None, None, Order::Ascending)
            .next()
            .transpose()?
        {
            return Err(ContractError::StakeLocked {
                address: who.to_string(),
                review_id,
            });
        }
        self.assert_no_open_batches(&ctx, &config, &staker)?;
        let now = ctx.env.block.time.seconds();
        let released: Uint128 = staker
            .unbonding
            .iter()
            .filter(|u| u.release_at <= now)
            .map(|u| u.amount)
            .sum();
        if released.is_zero() {
            return Err(ContractError::NothingToClaim {});
        }
        staker.unbonding.retain(|u| u.release_at > now);
        if staker.bonded.is_zero() && staker.unbonding.is_empty() {
            self.remove_staker(ctx.deps.storage, ctx.env.block.height, who, staker.role)?;
            // An entropy commitment stays: leaving must not be a way to withhold it
            // unpunished from a draw requested while it was outstanding.
            self.staker_count
                .update(ctx.deps.storage, |c| -> Result<_, ContractError> { Ok(c - 1) })?;
        } else {
            self.save_staker(ctx.deps.storage, ctx.env.block.height, who, &staker)?;
        }
        self.totals
            .update(ctx.deps.storage, |mut t| -> Result<_, ContractError> {
                t.unbonding -= released;
                t.paid_out += released;
                Ok(t)
            })?;
        Ok(events::response(action::CLAIM_UNBONDED)
            .add_message(send_asset(&config, who, released)?)
            .add_event(
                Event::new(events::STAKE_RELEASED)
                    .add_attribute(attr::STAKER, who.as_str())
                    .add_attribute(attr::AMOUNT, released.to_string()),
            ))
    }

    /// SPEC §5.4: an operator's stake may not leave while any batch it posted can still
    /// be disputed (the receipt oracle counts them).
    fn assert_no_open_batches(
        &self,
        ctx: &ExecCtx,
        config: &Config,
        staker: &Staker,
    ) -> Result<(), ContractError> {
        use attrib_std::interfaces::omission_target::{sv::Querier as _, OmissionTarget};
        let (Role::Operator, Some(oracle)) = (staker.role, &config.receipt_oracle) else {
            return Ok(());
        };
        let who = ctx.info.sender.to_string();
        let open =
            sylvia::types::Remote::<dyn OmissionTarget<Error = cosmwasm_std::StdError>>::new(oracle.clone())
                .querier(&ctx.deps.querier)
                .open_batches(who.clone())?
                .open;
        if open > 0 {
            return Err(ContractError::OpenBatches { address: who, open });
        }
        Ok(())
    }

    pub(crate) fn do_withdraw_payout(&self, ctx: ExecCtx) -> Result<Response, ContractError> {
        self.gov.assert_not_paused(ctx.deps.storage)?;
        funds::expect_none(&ctx.info.funds)?;
        let config = self.config.load(ctx.deps.storage)?;
        let who = &ctx.info.sender;
        let amount = self.payouts.may_load(ctx.deps.storage, who)?.unwrap_or_default();
        if amount.is_zero() {
            return Err(ContractError::NothingToClaim {});
        }
        self.payouts.remove(ctx.deps.storage, who);
        self.totals
            .update(ctx.deps.storage, |mut t| -> Result<_, ContractError> {
                t.payouts_owed -= amount;
                t.paid_out += amount;
                Ok(t)
            })?;
        Ok(events::response(action::WITHDRAW_PAYOUT)
            .add_message(send_asset(&config, who, amount)?)
            .add_event(
                Event::new(events::PAYOUT_WITHDRAWN)
                    .add_attribute(attr::RECIPIENT, who.as_str())
                    .add_attribute(attr::AMOUNT, amount.to_string()),
            ))
    }

    /// The stake asset attached as native funds (stake, challenge bonds), when the stake
    /// asset is a native denom and the contract is not paused.
    pub(crate) fn native_payment(&self, ctx: &ExecCtx) -> Result<Uint128, ContractError> {
        self.gov.assert_not_paused(ctx.deps.storage)?;
        self.native_payment_even_paused(ctx)
    }

    /// The bond of a challenge, taken even while paused.
    pub(crate) fn native_payment_even_paused(&self, ctx: &ExecCtx) -> Result<Uint128, ContractError> {
        let config = self.config.load(ctx.deps.storage)?;
        let StakeAsset::Native { denom } = &config.asset else {
            return Err(ContractError::WrongAsset {
                expected: asset_name(&config),
            });
        };
        Ok(funds::one_coin_of(&ctx.info.funds, denom)?)
    }

    pub(crate) fn load_staker(&self, storage: &dyn Storage, who: &Addr) -> Result<Staker, ContractError> {
        self.stakers
            .may_load(storage, who)?
            .ok_or_else(|| ContractError::NotStaker {
                address: who.to_string(),
            })
    }

    /// Every write of a staker goes through here (at the block `height`): a curator's
    /// bonded stake is kept with its history too, for draws (`stake_history`).
    pub(crate) fn save_staker(
        &self,
        storage: &mut dyn Storage,
        height: u64,
        who: &Addr,
        staker: &Staker,
    ) -> StdResult<()> {
        self.stakers.save(storage, who, staker)?;
        if staker.role == Role::Curator {
            self.stake_history.save(storage, (who, height), &staker.bonded)?;
        }
        Ok(())
    }

    /// A staker leaves; a curator's departure is logged so that draws requested before
    /// it still find it.
    fn remove_staker(&self, storage: &mut dyn Storage, height: u64, who: &Addr, role: Role) -> StdResult<()> {
        self.stakers.remove(storage, who);
        if role == Role::Curator {
            self.stake_history
                .save(storage, (who, height), &Uint128::zero())?;
            let mut gone = self
                .curator_departures
                .may_load(storage, height)?
                .unwrap_or_default();
            gone.push(who.clone());
            self.curator_departures.save(storage, height, &gone)?;
        }
        Ok(())
    }

    /// The bonded stake of curator `who` before block `height` (0 if none).
    pub(crate) fn stake_before(&self, storage: &dyn Storage, who: &Addr, height: u64) -> StdResult<Uint128> {
        Ok(self
            .stake_history
            .prefix(who)
            .range(storage, None, Some(Bound::exclusive(height)), Order::Descending)
            .next()
            .transpose()?
            .map_or(Uint128::zero(), |(_, s)| s))
    }

    /// Takes up to `amount` from `who`: bonded stake first, then unbonding stake (newest
    /// first), which stays slashable until released — unless it started unbonding before
    /// `since` (a slasher added later cannot reach it). Returns what was taken.
    pub(crate) fn slash_stake(
        &self,
        storage: &mut dyn Storage,
        height: u64,
        who: &Addr,
        amount: Uint128,
        since: u64,
    ) -> Result<(Uint128, Event), ContractError> {
        let mut staker = self.load_staker(storage, who)?;
        let from_bonded = amount.min(staker.bonded);
        staker.bonded -= from_bonded;
        let mut rest = amount - from_bonded;
        let mut from_unbonding = Uint128::zero();
        for u in staker
            .unbonding
            .iter_mut()
            .rev()
            .filter(|u| u.started_at >= since)
        {
            let take = rest.min(u.amount);
            u.amount -= take;
            rest -= take;
            from_unbonding += take;
        }
        staker.unbonding.retain(|u| !u.amount.is_zero());
        let taken = from_bonded + from_unbonding;
        staker.slashed += taken;
        self.save_staker(storage, height, who, &staker)?;
        self.totals.update(storage, |mut t| -> Result<_, ContractError> {
            t.bonded -= from_bonded;
            t.unbonding -= from_unbonding;
            Ok(t)
        })?;
        let event = Event::new(events::STAKE_SLASHED)
            .add_attribute(attr::STAKER, who.as_str())
            .add_attribute(attr::AMOUNT, taken.to_string())
            .add_attribute(attr::FROM_UNBONDING, from_unbonding.to_string());
        Ok((taken, event))
    }

    /// Owes `amount` to `who`, claimable with `withdraw_payout` (counted out of `source`
    /// in the totals: the caller says where the value was held).
    pub(crate) fn credit(
        &self,
        storage: &mut dyn Storage,
        who: &Addr,
        amount: Uint128,
    ) -> Result<Option<Event>, ContractError> {
        if amount.is_zero() {
            return Ok(None);
        }
        self.payouts
            .update(storage, who, |p| -> Result<_, ContractError> {
                Ok(p.unwrap_or_default() + amount)
            })?;
        self.totals.update(storage, |mut t| -> Result<_, ContractError> {
            t.payouts_owed += amount;
            Ok(t)
        })?;
        Ok(Some(
            Event::new(events::PAYOUT_CREDITED)
                .add_attribute(attr::RECIPIENT, who.as_str())
                .add_attribute(attr::AMOUNT, amount.to_string()),
        ))
    }

    /// Pays `amount` to the reward pool (its `pay` message, or the cw20 hook), unearmarked.
    pub(crate) fn to_pool(
        &self,
        storage: &mut dyn Storage,
        config: &Config,
        amount: Uint128,
        reason: InflowReason,
    ) -> Result<Option<CosmosMsg>, ContractError> {
        if amount.is_zero() {
            return Ok(None);
        }
        self.totals.update(storage, |mut t| -> Result<_, ContractError> {
            t.sent_to_pool += amount;
            Ok(t)
        })?;
        let pay = PayMsg {
            earmarks: vec![],
            reason,
            payer: None,
        };
        Ok(Some(rewards::pay_msg(
            &config.reward_pool,
            &asset_name(config),
            amount,
            pay,
        )?))
    }

    /// Routes slashed value: `challenger_share_bps` to the beneficiary (if any), the rest
    /// to the reward pool.
    pub(crate) fn route_slashed(
        &self,
        storage: &mut dyn Storage,
        config: &Config,
        slashed: Uint128,
        beneficiary: Option<&Addr>,
        resp: Response,
    ) -> Result<Response, ContractError> {
        let share = match beneficiary {
            Some(_) => slashed.multiply_ratio(config.params.challenger_share_bps, 10_000u32),
            None => Uint128::zero(),
        };
        let mut resp = resp;
        if let Some(b) = beneficiary {
            if let Some(e) = self.credit(storage, b, share)? {
                resp = resp.add_event(e);
            }
        }
        if let Some(m) = self.to_pool(storage, config, slashed - share, InflowReason::Slash)? {
            resp = resp.add_message(m);
        }
        Ok(resp)
    }
}
