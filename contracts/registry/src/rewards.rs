//! What the reward distributor reads from the registry ([`RewardSource`]): the weight of
//! a sealed version still earning, a tranche's position in a version, quality counters.

use attrib_std::interfaces::reward_source::{
    QualityStatsResponse, RewardSource, TranchePositionResponse, VersionSharesResponse,
};
use attrib_std::registry::{DatasetId, TrancheId, TrancheStatus, VersionId};
use cosmwasm_std::Uint128;
use sylvia::ctx::QueryCtx;

use crate::error::ContractError;
use crate::state::{RegistryContract, Version};

impl RegistryContract {
    fn load_version(
        &self,
        ctx: &QueryCtx,
        dataset_id: DatasetId,
        version: VersionId,
    ) -> Result<Version, ContractError> {
        self.versions
            .may_load(ctx.deps.storage, (dataset_id, version))?
            .ok_or(ContractError::VersionNotFound { dataset_id, version })
    }
}

impl RewardSource for RegistryContract {
    type Error = ContractError;

    fn version_shares(
        &self,
        ctx: QueryCtx,
        dataset_id: DatasetId,
        version: VersionId,
    ) -> Result<VersionSharesResponse, ContractError> {
        let v = self.load_version(&ctx, dataset_id, version)?;
        // Bounded by max_tranches_per_version.
        let mut revoked = Uint128::zero();
        for id in &v.tranche_ids {
            let t = self.load_tranche(ctx.deps.storage, *id)?;
            if t.status == TrancheStatus::Revoked {
                revoked += t.share_weight;
            }
        }
        Ok(VersionSharesResponse {
            total_weight: v.total_weight,
            live_weight: v.total_weight - revoked,
        })
    }

    fn tranche_position(
        &self,
        ctx: QueryCtx,
        dataset_id: DatasetId,
        version: VersionId,
        tranche_id: TrancheId,
    ) -> Result<TranchePositionResponse, ContractError> {
        let v = self.load_version(&ctx, dataset_id, version)?;
        if !v.tranche_ids.contains(&tranche_id) {
            return Err(ContractError::TrancheNotInVersion {
                tranche_id,
                dataset_id,
                version,
            });
        }
        let t = self.load_tranche(ctx.deps.storage, tranche_id)?;
        Ok(TranchePositionResponse {
            contributor: t.contributor.to_string(),
            weight: t.share_weight,
            status: t.status,
        })
    }

    fn quality_stats(&self, ctx: QueryCtx) -> Result<QualityStatsResponse, ContractError> {
        let s = self.stats.load(ctx.deps.storage)?;
        Ok(QualityStatsResponse {
            tranches: s.tranches,
            accepted: s.accepted,
            rejected: s.rejected,
            revoked: s.revoked,
            dedup_hits: s.dedup_hits,
            licenses_sold: s.licenses_sold,
        })
    }
}
