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

/// How many batches an operator posted that are still pending (open to proofs and
/// inclusion requests): while any is, its stake may not leave curator staking.
#[cw_serde]
pub struct OpenBatchesResponse {
    pub operator: String,
    pub open: u32,
}

/// The oracle's audits (SPEC §8), counted since instantiation. A fraud proof that fails
/// reverts and leaves no trace, so every proof on chain was upheld.
#[cw_serde]
#[derive(Default)]
pub struct AuditStats {
    /// Fraud proofs upheld (every kind, late omissions included).
    pub fraud_proofs: u64,
    /// Inclusion requests filed (SPEC §5.6).
    pub inclusion_requests: u64,
    /// Requests the operator answered with the receipt's own leaf.
    pub inclusion_answered: u64,
    /// Requests upheld: unanswered by the deadline, or answered with a different leaf;
    /// each voided its batch.
    pub inclusion_upheld: u64,
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

    /// Pending batches `operator` posted (curator staking holds its stake while > 0).
    #[sv::msg(query)]
    fn open_batches(&self, ctx: QueryCtx, operator: String) -> Result<OpenBatchesResponse, Self::Error>;

    /// Fraud proofs and inclusion requests, filed and upheld.
    #[sv::msg(query)]
    fn audit_stats(&self, ctx: QueryCtx) -> Result<AuditStats, Self::Error>;
}
