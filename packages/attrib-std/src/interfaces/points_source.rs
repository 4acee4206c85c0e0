//! Implemented by curator staking: the review points the distributor splits the curator
//! pool by, on the clock both share, and the concentration it snapshots every epoch.

use cosmwasm_schema::cw_serde;
use cosmwasm_std::StdError;
use sylvia::ctx::QueryCtx;
use sylvia::interface;

use crate::curation::Concentration;
use crate::rewards::EpochClock;

#[cw_serde]
pub struct PointsResponse {
    pub epoch: u64,
    pub curator: Option<String>,
    pub points: u64,
    pub epoch_total: u64,
}

/// Challenges and disputes, counted since instantiation.
#[cw_serde]
#[derive(Default)]
pub struct DisputeStats {
    pub opened: u64,
    /// Challenges/disputes whose challenger was right.
    pub upheld: u64,
    pub dismissed: u64,
    /// Decisions that overturned the state challenged (SPEC §8): an upheld dispute that
    /// revoked an accepted tranche, an upheld omission claim that extended a lineage.
    /// An upheld challenge of a pending optimistic tranche stopped an acceptance that
    /// had not happened: upheld, but no outcome changed.
    pub changed_outcome: u64,
    pub decided_by_admin: u64,
    /// Of `opened`: omission claims (SPEC §5.5) — counted in the audits.
    #[serde(default)]
    pub omission_opened: u64,
    /// Of `upheld`: omission claims upheld.
    #[serde(default)]
    pub omission_upheld: u64,
}

#[cw_serde]
pub struct ConcentrationResponse {
    pub curators: Concentration,
    pub disputes: DisputeStats,
}

#[interface]
pub trait PointsSource {
    type Error: From<StdError>;

    /// Start and length of the epochs review points are counted in.
    #[sv::msg(query)]
    fn epoch_clock(&self, ctx: QueryCtx) -> Result<EpochClock, Self::Error>;

    /// A curator's review points in an epoch (0 without a curator), and the epoch's total.
    #[sv::msg(query)]
    fn points(
        &self,
        ctx: QueryCtx,
        epoch: u64,
        curator: Option<String>,
    ) -> Result<PointsResponse, Self::Error>;

    /// Stake concentration of curators (top-k share, Nakamoto coefficients, HHI) and
    /// dispute counts.
    #[sv::msg(query)]
    fn concentration(&self, ctx: QueryCtx, top_k: u32) -> Result<ConcentrationResponse, Self::Error>;
}
