//! Slashing as a service (SPEC §4): authorized slasher contracts (the registry, the
//! receipt oracle) slash a staker — bonded first, then unbonding — by amount or fraction,
//! with a reason; the challenger share goes to the beneficiary, the rest to the pool.

use attrib_std::events::{self, action, attr};
use attrib_std::funds;
use attrib_std::interfaces::slashing_service::{
    OpenOmissionClaimsResponse, SlashingService, StakeOfResponse,
};
use attrib_std::validation::{self, ValidationError};
use cosmwasm_std::{Event, Order, Response, Uint128};
use sylvia::ctx::{ExecCtx, QueryCtx};

use crate::error::ContractError;
use crate::state::CuratorStakingContract;

pub const MAX_REASON: usize = 256;

impl SlashingService for CuratorStakingContract {
    type Error = ContractError;

    fn slash(
        &self,
        ctx: ExecCtx,
        staker: String,
        amount: Option<Uint128>,
        fraction_bps: Option<u32>,
        reason: String,
        beneficiary: Option<String>,
    ) -> Result<Response, ContractError> {
        // No pause check: only authorized slasher contracts call this, to carry out a
        // proven fraud or a committee's outcome, and a pause never turns a valid proof
        // into a revert (SPEC §5.4).
        funds::expect_none(&ctx.info.funds)?;
        if !self.slashers.has(ctx.deps.storage, &ctx.info.sender) {
            return Err(ContractError::NotSlasher {
                sender: ctx.info.sender.to_string(),
            });
        }
        validation::text("reason", &reason, MAX_REASON)?;
        let api = ctx.deps.api;
        let staker = api.addr_validate(&staker)?;
        let beneficiary = beneficiary.map(|b| api.addr_validate(&b)).transpose()?;
        match (amount, fraction_bps) {
            (Some(a), None) if a.is_zero() => return Err(ValidationError::Zero { field: "amount" }.into()),
            (None, Some(bps)) if bps == 0 || bps > 10_000 => return Err(ContractError::BadFraction { bps }),
            (Some(_), None) | (None, Some(_)) => {}
            _ => return Err(ContractError::SlashAmountOrFraction {}),
        }
        // A proof never reverts for the operator's current state (SPEC §5.4): someone who
        // is no longer a staker is slashed nothing, and the slash is still recorded.
        let Some(s) = self.stakers.may_load(ctx.deps.storage, &staker)? else {
            return Ok(events::response(action::SLASH).add_event(
                Event::new(events::STAKE_SLASHED)
                    .add_attribute(attr::STAKER, staker.as_str())
                    .add_attribute(attr::AMOUNT, "0")
                    .add_attribute(attr::FROM_UNBONDING, "0")
                    .add_attribute(attr::REASON, reason)
                    .add_attribute(attr::SLASHER, ctx.info.sender.as_str()),
            ));
        };
        // Unbonding begun before this slasher was added is out of its reach.
        let since = self
            .slasher_since
            .may_load(ctx.deps.storage, &ctx.info.sender)?
            .unwrap_or(0);
        let reachable: Uint128 = s
            .unbonding
            .iter()
            .filter(|u| u.started_at >= since)
            .map(|u| u.amount)
            .sum();
        let slashable = s.bonded + reachable;
        let due = match (amount, fraction_bps) {
            (Some(a), _) => a.min(slashable),
            (None, bps) => slashable.multiply_ratio(bps.unwrap_or_default(), 10_000u32),
        };
        let config = self.config.load(ctx.deps.storage)?;
        let (taken, event) = self.slash_stake(ctx.deps.storage, ctx.env.block.height, &staker, due, since)?;
        let resp = events::response(action::SLASH).add_event(
            event
                .add_attribute(attr::REASON, reason)
                .add_attribute(attr::SLASHER, ctx.info.sender.as_str()),
        );
        self.route_slashed(ctx.deps.storage, &config, taken, beneficiary.as_ref(), resp)
    }

    fn open_omission_claims(
        &self,
        ctx: QueryCtx,
        model_id: u64,
    ) -> Result<OpenOmissionClaimsResponse, ContractError> {
        // At most one claim per (dataset, version) of the model's possible lineage.
        let open = self
            .open_omissions
            .sub_prefix(model_id)
            .keys_raw(ctx.deps.storage, None, None, Order::Ascending)
            .count();
        Ok(OpenOmissionClaimsResponse {
            model_id,
            open: open as u32,
        })
    }

    fn stake_of(&self, ctx: QueryCtx, address: String) -> Result<StakeOfResponse, ContractError> {
        let addr = ctx.deps.api.addr_validate(&address)?;
        Ok(match self.stakers.may_load(ctx.deps.storage, &addr)? {
            Some(s) => StakeOfResponse {
                role: Some(s.role),
                unbonding: s.unbonding_total(),
                bonded: s.bonded,
            },
            None => StakeOfResponse {
                role: None,
                bonded: Uint128::zero(),
                unbonding: Uint128::zero(),
            },
        })
    }
}
