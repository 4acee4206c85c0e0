//! Implemented by the reward distributor: where every fee, forfeited bond, slash and
//! usage royalty of the protocol is paid, and what the registry tells it when an
//! accepted tranche is revoked. Pay with [`crate::rewards::pay_msg`].

use cosmwasm_schema::cw_serde;
use cosmwasm_std::{Addr, Empty, QuerierWrapper, Response, StdError, StdResult, Uint128};
use sylvia::ctx::{ExecCtx, QueryCtx};
use sylvia::interface;

use crate::registry::{DatasetId, TrancheId, VersionId};
use crate::rewards::{Earmark, InflowReason};

/// Namespace of the pool's allowlist (`Map<&str, AcceptedDenom>`, keyed by denom). A
/// contract that only needs to know whether a denom is on it reads the entry raw
/// ([`denom_accepted_raw`]): no contract call, a fraction of the gas of `denom_accepted`.
pub const ACCEPTED_DENOMS: &str = "accepted";

/// Whether `denom` is on the allowlist of the pool at `pool` (a raw storage read).
pub fn denom_accepted_raw(querier: &QuerierWrapper, pool: &Addr, denom: &str) -> StdResult<bool> {
    let key = cw_storage_plus::Map::<&str, Empty>::new(ACCEPTED_DENOMS).key(denom);
    Ok(querier.query_wasm_raw(pool, key.to_vec())?.is_some())
}

/// Whether the pool takes a denom from outsiders, and its minimum.
#[cw_serde]
pub struct DenomAcceptedResponse {
    pub denom: String,
    /// `None`: not on the allowlist.
    pub min_amount: Option<Uint128>,
}

#[interface]
pub trait RewardPool {
    type Error: From<StdError>;

    /// Pay the pool with one coin, recorded in the current epoch for the earmarked
    /// dataset versions (split by weight) or, without earmarks, for the unearmarked pool.
    /// Anyone may pay a dataset directly (`direct_payment`) in an allowlisted denom and at
    /// least its minimum; the other reasons and a named `payer` are for the protocol's
    /// own contracts.
    #[sv::msg(exec)]
    fn pay(
        &self,
        ctx: ExecCtx,
        earmarks: Vec<Earmark>,
        reason: InflowReason,
        payer: Option<String>,
    ) -> Result<Response, Self::Error>;

    /// Registry only: an accepted tranche of `weight` in these versions was revoked. Its
    /// vested rewards stay claimable; its unvested rewards are clawed back to the pool.
    #[sv::msg(exec)]
    fn record_revocation(
        &self,
        ctx: ExecCtx,
        tranche_id: TrancheId,
        dataset_id: DatasetId,
        contributor: String,
        weight: Uint128,
        versions: Vec<VersionId>,
    ) -> Result<Response, Self::Error>;

    /// Whether outsiders may pay `denom` (and its minimum): the registry and the oracle
    /// take IBC payments only in denoms the pool accepts.
    #[sv::msg(query)]
    fn denom_accepted(&self, ctx: QueryCtx, denom: String) -> Result<DenomAcceptedResponse, Self::Error>;
}
