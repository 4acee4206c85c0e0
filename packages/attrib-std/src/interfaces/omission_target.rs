//! Implemented by the receipt oracle: what curator staking asks before opening an
//! omission claim ("this model used a dataset it did not declare", SPEC §5.5), and
//! where it reports an upheld claim.

use cosmwasm_schema::cw_serde;
use cosmwasm_std::{HexBinary, Response, StdError};
use sylvia::ctx::{ExecCtx, QueryCtx};
use sylvia::interface;

use crate::registry::{DatasetId, VersionId};

#[cw_serde]
pub struct OmissionCheckResponse {
    /// The model's owner (never drawn onto the claim's committee).
    pub model_owner: String,
}

#[interface]
pub trait OmissionTarget {
    type Error: From<StdError>;

    /// Fails unless the claim can be heard: the model exists and is open, the dataset
    /// version is sealed and not in the model's lineage, and `sha256(canary_preimage)`
    /// is one of the dataset's canary commitments.
    #[sv::msg(query)]
    fn omission_claim_check(
        &self,
        ctx: QueryCtx,
        model_id: u64,
        dataset_id: DatasetId,
        version: VersionId,
        canary_preimage: HexBinary,
    ) -> Result<OmissionCheckResponse, Self::Error>;

    /// Curator staking only: a committee upheld the claim. The dataset joins the model's
    /// lineage, back royalties are charged, the model's bond is slashed.
    #[sv::msg(exec)]
    fn record_omission(
        &self,
        ctx: ExecCtx,
        model_id: u64,
        dataset_id: DatasetId,
        version: VersionId,
        claimant: String,
    ) -> Result<Response, Self::Error>;
}
