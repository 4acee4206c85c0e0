//! Implemented by the registry: what curator staking calls to move a tranche through
//! review (SPEC §3.3: only the curator-staking contract may do so).

use cosmwasm_std::{Response, StdError};
use sylvia::ctx::{ExecCtx, QueryCtx};
use sylvia::interface;

use crate::registry::{ReviewOutcome, ReviewSubjectResponse, TrancheId};

#[interface]
pub trait ReviewTarget {
    type Error: From<StdError>;

    /// Curator staking only: an optimistic tranche was challenged inside its window and
    /// goes to a committee (Pending → UnderReview).
    #[sv::msg(exec)]
    fn begin_review(&self, ctx: ExecCtx, tranche_id: TrancheId) -> Result<Response, Self::Error>;

    /// Curator staking only: the decision of a review (UnderReview → Accepted | Rejected)
    /// or of an upheld dispute (Accepted → Revoked).
    #[sv::msg(exec)]
    fn record_review_outcome(
        &self,
        ctx: ExecCtx,
        tranche_id: TrancheId,
        outcome: ReviewOutcome,
    ) -> Result<Response, Self::Error>;

    /// The facts about a tranche that a reviewer needs.
    #[sv::msg(query)]
    fn review_subject(
        &self,
        ctx: QueryCtx,
        tranche_id: TrancheId,
    ) -> Result<ReviewSubjectResponse, Self::Error>;
}
