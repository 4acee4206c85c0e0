//! Read side: stakers, points, concentration, totals, payouts.

use attrib_std::curation;
use attrib_std::interfaces::points_source::PointsSource;
use attrib_std::pagination;
use attrib_std::rewards::EpochClock;
use cosmwasm_std::{Addr, Order, StdResult};
use sylvia::ctx::QueryCtx;

use crate::error::ContractError;
use crate::msg::{
    ConcentrationResponse, EpochPointsResponse, PayoutResponse, PointsResponse, StakerResponse,
    StakersResponse, TotalsResponse,
};
use crate::state::{CuratorStakingContract, Role};

impl CuratorStakingContract {
    pub(crate) fn query_staker(
        &self,
        ctx: QueryCtx,
        address: String,
    ) -> Result<StakerResponse, ContractError> {
        let addr = ctx.deps.api.addr_validate(&address)?;
        Ok(StakerResponse {
            address,
            staker: self.stakers.may_load(ctx.deps.storage, &addr)?,
        })
    }

    pub(crate) fn query_stakers(
        &self,
        ctx: QueryCtx,
        start_after: Option<String>,
        limit: Option<u32>,
    ) -> Result<StakersResponse, ContractError> {
        let start = start_after.map(|a| ctx.deps.api.addr_validate(&a)).transpose()?;
        let (start, limit) = pagination::page(start.as_ref(), limit);
        let stakers = self
            .stakers
            .range(ctx.deps.storage, start, None, Order::Ascending)
            .take(limit)
            .map(|r| {
                r.map(|(a, s)| StakerResponse {
                    address: a.to_string(),
                    staker: Some(s),
                })
            })
            .collect::<StdResult<_>>()?;
        Ok(StakersResponse { stakers })
    }

    pub(crate) fn query_epoch_points(
        &self,
        ctx: QueryCtx,
        epoch: u64,
        start_after: Option<String>,
        limit: Option<u32>,
    ) -> Result<EpochPointsResponse, ContractError> {
        let start = start_after.map(|a| ctx.deps.api.addr_validate(&a)).transpose()?;
        let (start, limit) = pagination::page(start.as_ref(), limit);
        let points = self
            .points
            .prefix(epoch)
            .range(ctx.deps.storage, start, None, Order::Ascending)
            .take(limit)
            .map(|r| r.map(|(a, p): (Addr, u64)| (a.to_string(), p)))
            .collect::<StdResult<_>>()?;
        Ok(EpochPointsResponse {
            epoch,
            total: self.epoch_points.may_load(ctx.deps.storage, epoch)?.unwrap_or(0),
            points,
        })
    }

    pub(crate) fn query_totals(&self, ctx: QueryCtx) -> Result<TotalsResponse, ContractError> {
        let t = self.totals.load(ctx.deps.storage)?;
        Ok(TotalsResponse {
            expected_balance: t.bonded + t.unbonding + t.challenge_bonds + t.payouts_owed,
            totals: t,
        })
    }

    pub(crate) fn query_payout(
        &self,
        ctx: QueryCtx,
        address: String,
    ) -> Result<PayoutResponse, ContractError> {
        let addr = ctx.deps.api.addr_validate(&address)?;
        Ok(PayoutResponse {
            amount: self
                .payouts
                .may_load(ctx.deps.storage, &addr)?
                .unwrap_or_default(),
            address,
        })
    }
}

impl PointsSource for CuratorStakingContract {
    type Error = ContractError;

    fn epoch_clock(&self, ctx: QueryCtx) -> Result<EpochClock, ContractError> {
        Ok(self.config.load(ctx.deps.storage)?.clock())
    }

    fn points(
        &self,
        ctx: QueryCtx,
        epoch: u64,
        curator: Option<String>,
    ) -> Result<PointsResponse, ContractError> {
        let points = match &curator {
            Some(c) => {
                let addr = ctx.deps.api.addr_validate(c)?;
                self.points
                    .may_load(ctx.deps.storage, (epoch, &addr))?
                    .unwrap_or(0)
            }
            None => 0,
        };
        Ok(PointsResponse {
            epoch,
            curator,
            points,
            epoch_total: self.epoch_points.may_load(ctx.deps.storage, epoch)?.unwrap_or(0),
        })
    }

    /// Over all curators (bounded by `max_stakers`).
    fn concentration(&self, ctx: QueryCtx, top_k: u32) -> Result<ConcentrationResponse, ContractError> {
        let stakes: Vec<u128> = self
            .stakers
            .range(ctx.deps.storage, None, None, Order::Ascending)
            .filter_map(|r| r.ok())
            .filter(|(_, s)| s.role == Role::Curator)
            .map(|(_, s)| s.bonded.u128())
            .collect();
        Ok(ConcentrationResponse {
            curators: curation::concentration(&stakes, top_k),
            disputes: self.disputes.load(ctx.deps.storage)?,
        })
    }
}
