//! Implemented by curator staking: what the registry calls when a tranche of a strict
//! dataset needs a committee.

use cosmwasm_std::{Response, StdError};
use sylvia::ctx::ExecCtx;
use sylvia::interface;

use crate::registry::TrancheId;

#[interface]
pub trait ReviewService {
    type Error: From<StdError>;

    /// Registry only: draw a committee for `tranche_id` (already UnderReview in the
    /// registry). The reviewer reads the subject back with `review_subject`.
    #[sv::msg(exec)]
    fn open_review(&self, ctx: ExecCtx, tranche_id: TrancheId) -> Result<Response, Self::Error>;
}
