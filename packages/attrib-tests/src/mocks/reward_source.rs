//! A registry impostor for the reward distributor: it claims every tranche belongs to one
//! address, so a suite can show what a repointed registry could (not) redirect.

use attrib_std::interfaces::reward_source::{
    QualityStatsResponse, RewardSource, TranchePositionResponse, VersionSharesResponse,
};
use attrib_std::registry::{DatasetId, TrancheId, TrancheStatus, VersionId};
use cosmwasm_std::{Response, StdError, StdResult, Uint128};
use cw_storage_plus::Item;
use sylvia::contract;
use sylvia::ctx::{InstantiateCtx, QueryCtx};

pub struct RewardSourceMock {
    owner: Item<(String, Uint128)>,
}

#[contract]
#[sv::messages(attrib_std::interfaces::reward_source as RewardSource)]
impl RewardSourceMock {
    pub const fn new() -> Self {
        Self {
            owner: Item::new("owner"),
        }
    }

    /// `owner` is named the contributor of every tranche asked about, with `weight`.
    #[sv::msg(instantiate)]
    pub fn instantiate(&self, ctx: InstantiateCtx, owner: String, weight: Uint128) -> StdResult<Response> {
        self.owner.save(ctx.deps.storage, &(owner, weight))?;
        Ok(Response::new())
    }
}

impl RewardSource for RewardSourceMock {
    type Error = StdError;

    fn version_shares(&self, _: QueryCtx, _: DatasetId, _: VersionId) -> StdResult<VersionSharesResponse> {
        Ok(VersionSharesResponse {
            total_weight: Uint128::new(1),
            live_weight: Uint128::new(1),
        })
    }

    fn tranche_position(
        &self,
        ctx: QueryCtx,
        _: DatasetId,
        _: VersionId,
        _: TrancheId,
    ) -> StdResult<TranchePositionResponse> {
        let (contributor, weight) = self.owner.load(ctx.deps.storage)?;
        Ok(TranchePositionResponse {
            contributor,
            weight,
            status: TrancheStatus::Accepted,
        })
    }

    fn quality_stats(&self, _: QueryCtx) -> StdResult<QualityStatsResponse> {
        Ok(QualityStatsResponse::default())
    }
}
