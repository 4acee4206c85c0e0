//! Paginated read side: schemas, datasets, tranches, versions, stats.

use attrib_std::pagination;
use attrib_std::registry::{DatasetId, SchemaId, TrancheId, VersionId};
use cosmwasm_std::{Addr, Order, StdResult, Uint128};
use sylvia::ctx::QueryCtx;

use crate::error::ContractError;
use crate::msg::{
    ContributorWeight, DatasetResponse, DatasetsResponse, SchemaResponse, SchemasResponse, StatsResponse,
    TrancheFilter, TrancheResponse, TranchesResponse, VersionResponse, VersionWeightsResponse,
    VersionsResponse,
};
use crate::state::{RegistryContract, Tranche};

impl RegistryContract {
    pub(crate) fn query_schema(&self, ctx: QueryCtx, id: SchemaId) -> Result<SchemaResponse, ContractError> {
        let schema = self
            .schemas
            .may_load(ctx.deps.storage, id)?
            .ok_or(ContractError::SchemaNotFound { id })?;
        Ok(SchemaResponse { schema })
    }

    pub(crate) fn query_schemas(
        &self,
        ctx: QueryCtx,
        start_after: Option<SchemaId>,
        limit: Option<u32>,
    ) -> Result<SchemasResponse, ContractError> {
        let (start, limit) = pagination::page(start_after, limit);
        let schemas = self
            .schemas
            .range(ctx.deps.storage, start, None, Order::Ascending)
            .take(limit)
            .map(|r| r.map(|(_, s)| s))
            .collect::<StdResult<_>>()?;
        Ok(SchemasResponse { schemas })
    }

    pub(crate) fn query_dataset(
        &self,
        ctx: QueryCtx,
        id: DatasetId,
    ) -> Result<DatasetResponse, ContractError> {
        Ok(DatasetResponse {
            dataset: self.load_dataset(ctx.deps.storage, id)?,
        })
    }

    pub(crate) fn query_datasets(
        &self,
        ctx: QueryCtx,
        maintainer: Option<String>,
        start_after: Option<DatasetId>,
        limit: Option<u32>,
    ) -> Result<DatasetsResponse, ContractError> {
        let (start, n) = pagination::page(start_after, limit);
        let datasets = match maintainer {
            Some(m) => {
                let m = ctx.deps.api.addr_validate(&m)?;
                self.datasets
                    .idx
                    .maintainer
                    .prefix(m)
                    .range(ctx.deps.storage, start, None, Order::Ascending)
                    .take(n)
                    .map(|r| r.map(|(_, d)| d))
                    .collect::<StdResult<_>>()?
            }
            None => self
                .datasets
                .range(ctx.deps.storage, start, None, Order::Ascending)
                .take(n)
                .map(|r| r.map(|(_, d)| d))
                .collect::<StdResult<_>>()?,
        };
        Ok(DatasetsResponse { datasets })
    }

    pub(crate) fn query_tranche(
        &self,
        ctx: QueryCtx,
        id: TrancheId,
    ) -> Result<TrancheResponse, ContractError> {
        Ok(TrancheResponse {
            tranche: self.load_tranche(ctx.deps.storage, id)?,
        })
    }

    /// Picks the narrowest index for the filter and checks the remaining fields on each
    /// item. Pages are by tranche id in every case.
    pub(crate) fn query_tranches(
        &self,
        ctx: QueryCtx,
        filter: TrancheFilter,
        start_after: Option<TrancheId>,
        limit: Option<u32>,
    ) -> Result<TranchesResponse, ContractError> {
        let contributor: Option<Addr> = filter
            .contributor
            .as_deref()
            .map(|c| ctx.deps.api.addr_validate(c))
            .transpose()?;
        let matches = |t: &Tranche| {
            filter.dataset_id.is_none_or(|d| t.dataset_id == d)
                && filter.status.is_none_or(|s| t.status == s)
                && contributor.as_ref().is_none_or(|c| t.contributor == *c)
        };
        let (start, limit) = pagination::page(start_after, limit);
        let store = ctx.deps.storage;
        let idx = &self.tranches.idx;
        let iter: Box<dyn Iterator<Item = StdResult<(TrancheId, Tranche)>>> =
            match (filter.dataset_id, filter.status, &contributor) {
                (Some(d), Some(s), _) => {
                    idx.dataset_status
                        .prefix((d, s.key()))
                        .range(store, start, None, Order::Ascending)
                }
                (Some(d), None, _) => idx.dataset.prefix(d).range(store, start, None, Order::Ascending),
                (None, _, Some(c)) => {
                    idx.contributor
                        .prefix(c.clone())
                        .range(store, start, None, Order::Ascending)
                }
                (None, Some(s), None) => {
                    idx.status
                        .prefix(s.key())
                        .range(store, start, None, Order::Ascending)
                }
                (None, None, None) => self.tranches.range(store, start, None, Order::Ascending),
            };
        let mut tranches = vec![];
        for item in iter {
            let (_, t) = item?;
            if matches(&t) {
                tranches.push(t);
                if tranches.len() == limit {
                    break;
                }
            }
        }
        Ok(TranchesResponse { tranches })
    }

    pub(crate) fn query_version(
        &self,
        ctx: QueryCtx,
        dataset_id: DatasetId,
        version: VersionId,
    ) -> Result<VersionResponse, ContractError> {
        let v = self
            .versions
            .may_load(ctx.deps.storage, (dataset_id, version))?
            .ok_or(ContractError::VersionNotFound { dataset_id, version })?;
        let weights = self.weights_page(&ctx, dataset_id, version, None, None)?;
        Ok(VersionResponse { version: v, weights })
    }

    pub(crate) fn query_versions(
        &self,
        ctx: QueryCtx,
        dataset_id: DatasetId,
        start_after: Option<VersionId>,
        limit: Option<u32>,
    ) -> Result<VersionsResponse, ContractError> {
        self.load_dataset(ctx.deps.storage, dataset_id)?;
        let (start, limit) = pagination::page(start_after, limit);
        let versions = self
            .versions
            .prefix(dataset_id)
            .range(ctx.deps.storage, start, None, Order::Ascending)
            .take(limit)
            .map(|r| r.map(|(_, v)| v))
            .collect::<StdResult<_>>()?;
        Ok(VersionsResponse { versions })
    }

    pub(crate) fn query_version_weights(
        &self,
        ctx: QueryCtx,
        dataset_id: DatasetId,
        version: VersionId,
        start_after: Option<String>,
        limit: Option<u32>,
    ) -> Result<VersionWeightsResponse, ContractError> {
        let v = self
            .versions
            .may_load(ctx.deps.storage, (dataset_id, version))?
            .ok_or(ContractError::VersionNotFound { dataset_id, version })?;
        let start_after = start_after.map(|a| ctx.deps.api.addr_validate(&a)).transpose()?;
        let weights = self.weights_page(&ctx, dataset_id, version, start_after.as_ref(), limit)?;
        Ok(VersionWeightsResponse {
            dataset_id,
            version,
            total_weight: v.total_weight,
            weights,
        })
    }

    fn weights_page(
        &self,
        ctx: &QueryCtx,
        dataset_id: DatasetId,
        version: VersionId,
        start_after: Option<&Addr>,
        limit: Option<u32>,
    ) -> Result<Vec<ContributorWeight>, ContractError> {
        let (start, limit) = pagination::page(start_after, limit);
        Ok(self
            .version_weights
            .prefix((dataset_id, version))
            .range(ctx.deps.storage, start, None, Order::Ascending)
            .take(limit)
            .map(|r| {
                r.map(|(contributor, weight): (Addr, Uint128)| ContributorWeight {
                    contributor: contributor.to_string(),
                    weight,
                })
            })
            .collect::<StdResult<_>>()?)
    }

    pub(crate) fn query_stats(&self, ctx: QueryCtx) -> Result<StatsResponse, ContractError> {
        let stats = self.stats.load(ctx.deps.storage)?;
        let decided = stats.accepted + stats.rejected + stats.revoked;
        let attempts = stats.tranches + stats.dedup_hits;
        Ok(StatsResponse {
            rejection_rate_bps: bps(stats.rejected, decided),
            dedup_rate_bps: bps(stats.dedup_hits, attempts),
            stats,
        })
    }
}

fn bps(part: u64, whole: u64) -> u32 {
    if whole == 0 {
        0
    } else {
        (u128::from(part) * 10_000 / u128::from(whole)) as u32
    }
}
