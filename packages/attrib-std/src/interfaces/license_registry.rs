//! Implemented by the registry: what the receipt oracle reads before it lets a model use
//! a dataset version (SPEC §5.1: a valid license, the royalty the terms demand) and before
//! it hears an omission claim (SPEC §5.5: a sealed version, the dataset's canaries).
//! These are the registry's own `dataset`, `version` and `has_valid_license` queries, so
//! clients send the same JSON as before.

use cosmwasm_schema::cw_serde;
use cosmwasm_std::StdError;
use sylvia::ctx::QueryCtx;
use sylvia::interface;

use crate::registry::{ContributorWeight, Dataset, DatasetId, LicenseCheckResponse, Version, VersionId};

#[cw_serde]
pub struct DatasetResponse {
    pub dataset: Dataset,
}

#[cw_serde]
pub struct VersionResponse {
    pub version: Version,
    /// First page of contributor weights (all of them when fewer than the page size);
    /// use `version_weights` to page through the rest.
    pub weights: Vec<ContributorWeight>,
}

#[interface]
pub trait LicenseRegistry {
    type Error: From<StdError>;

    /// A dataset: its license terms (with the royalty per unit a model must charge) and
    /// canary commitments among the rest. Fails if there is no such dataset.
    #[sv::msg(query)]
    fn dataset(&self, ctx: QueryCtx, dataset_id: DatasetId) -> Result<DatasetResponse, Self::Error>;

    /// A sealed version. Fails if the version was never sealed.
    #[sv::msg(query)]
    fn version(
        &self,
        ctx: QueryCtx,
        dataset_id: DatasetId,
        version: VersionId,
    ) -> Result<VersionResponse, Self::Error>;

    /// Does `licensee` hold an unexpired license to this version right now?
    #[sv::msg(query)]
    fn has_valid_license(
        &self,
        ctx: QueryCtx,
        licensee: String,
        dataset_id: DatasetId,
        version: VersionId,
    ) -> Result<LicenseCheckResponse, Self::Error>;
}
