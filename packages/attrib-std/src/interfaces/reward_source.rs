//! Implemented by the registry: what the reward distributor reads about dataset versions,
//! their tranches (the positions contributors claim by) and dataset quality.

use cosmwasm_schema::cw_serde;
use cosmwasm_std::{StdError, Uint128};
use sylvia::ctx::QueryCtx;
use sylvia::interface;

use crate::registry::{DatasetId, TrancheId, TrancheStatus, VersionId};

#[cw_serde]
pub struct VersionSharesResponse {
    /// Weight of the version's tranches when it was sealed.
    pub total_weight: Uint128,
    /// The same less the weight of tranches revoked since.
    pub live_weight: Uint128,
}

#[cw_serde]
pub struct TranchePositionResponse {
    pub contributor: String,
    /// The tranche's share weight inside the version.
    pub weight: Uint128,
    pub status: TrancheStatus,
}

/// Registry-wide quality counters (SPEC §8).
#[cw_serde]
#[derive(Default)]
pub struct QualityStatsResponse {
    pub tranches: u64,
    pub accepted: u64,
    pub rejected: u64,
    pub revoked: u64,
    /// Registrations refused as exact duplicates.
    pub dedup_hits: u64,
    pub licenses_sold: u64,
}

#[interface]
pub trait RewardSource {
    type Error: From<StdError>;

    /// Fails if the version is not sealed.
    #[sv::msg(query)]
    fn version_shares(
        &self,
        ctx: QueryCtx,
        dataset_id: DatasetId,
        version: VersionId,
    ) -> Result<VersionSharesResponse, Self::Error>;

    /// Fails unless the tranche is part of the version.
    #[sv::msg(query)]
    fn tranche_position(
        &self,
        ctx: QueryCtx,
        dataset_id: DatasetId,
        version: VersionId,
        tranche_id: TrancheId,
    ) -> Result<TranchePositionResponse, Self::Error>;

    #[sv::msg(query)]
    fn quality_stats(&self, ctx: QueryCtx) -> Result<QualityStatsResponse, Self::Error>;
}
