//! Stands in for curator staking as the distributor's points source: review points are
//! set directly (the real committees are exercised in curator staking's own suites and
//! on the chain), on a clock fixed at instantiation.

use attrib_std::curation;
use attrib_std::interfaces::points_source::{
    ConcentrationResponse, DisputeStats, PointsResponse, PointsSource,
};
use attrib_std::rewards::EpochClock;
use cosmwasm_std::{Addr, Response, StdError, StdResult};
use cw_storage_plus::{Item, Map};
use sylvia::contract;
use sylvia::ctx::{ExecCtx, InstantiateCtx, QueryCtx};

pub struct PointsMock {
    clock: Item<EpochClock>,
    points: Map<(u64, &'static Addr), u64>,
    totals: Map<u64, u64>,
}

#[contract]
#[sv::messages(attrib_std::interfaces::points_source as PointsSource)]
impl PointsMock {
    pub const fn new() -> Self {
        Self {
            clock: Item::new("clock"),
            points: Map::new("points"),
            totals: Map::new("totals"),
        }
    }

    #[sv::msg(instantiate)]
    pub fn instantiate(&self, ctx: InstantiateCtx, clock: EpochClock) -> StdResult<Response> {
        self.clock.save(ctx.deps.storage, &clock)?;
        Ok(Response::new())
    }

    #[sv::msg(exec)]
    pub fn add_points(&self, ctx: ExecCtx, epoch: u64, curator: String, points: u64) -> StdResult<Response> {
        let c = ctx.deps.api.addr_validate(&curator)?;
        self.points
            .update(ctx.deps.storage, (epoch, &c), |p| -> StdResult<_> {
                Ok(p.unwrap_or(0) + points)
            })?;
        self.totals.update(ctx.deps.storage, epoch, |p| -> StdResult<_> {
            Ok(p.unwrap_or(0) + points)
        })?;
        Ok(Response::new())
    }
}

impl PointsSource for PointsMock {
    type Error = StdError;

    fn epoch_clock(&self, ctx: QueryCtx) -> StdResult<EpochClock> {
        self.clock.load(ctx.deps.storage)
    }

    fn points(&self, ctx: QueryCtx, epoch: u64, curator: Option<String>) -> StdResult<PointsResponse> {
        let points = match &curator {
            Some(c) => {
                let c = ctx.deps.api.addr_validate(c)?;
                self.points.may_load(ctx.deps.storage, (epoch, &c))?.unwrap_or(0)
            }
            None => 0,
        };
        Ok(PointsResponse {
            epoch,
            curator,
            points,
            epoch_total: self.totals.may_load(ctx.deps.storage, epoch)?.unwrap_or(0),
        })
    }

    fn concentration(&self, _ctx: QueryCtx, top_k: u32) -> StdResult<ConcentrationResponse> {
        Ok(ConcentrationResponse {
            curators: curation::concentration(&[600, 300, 100], top_k),
            disputes: DisputeStats {
                opened: 1,
                upheld: 1,
                ..Default::default()
            },
        })
    }
}
