//! Stored types. They double as query payloads (wrapped in `*Response` types), so their
//! fields are documented for API users. Datasets and versions are read by other contracts
//! too ([`attrib_std::license_registry`]), so their types live in [`attrib_std::registry`].

use attrib_std::governance::{AdminControl, PauseClock};
pub use attrib_std::registry::{Dataset, DatasetCounters, DatasetStatus, Version};
use attrib_std::registry::{DatasetId, SchemaId, TrancheId, TrancheStatus, VersionId};
use cosmwasm_schema::cw_serde;
use cosmwasm_std::{Addr, Coin, HexBinary, Uint128};
use cw_storage_plus::{Index, IndexList, IndexedMap, Item, Map, MultiIndex};

use crate::msg::VersionRoot;

#[cw_serde]
pub struct Config {
    /// The reward distributor: fees, license payments and forfeited bonds are paid to it
    /// (its `pay` message), and it is told of revocations.
    pub reward_pool: Addr,
    /// The only address allowed to move tranches through review.
    pub curator_staking: Option<Addr>,
    /// Fee to register a schema (forwarded to the reward pool).
    pub schema_fee: Option<Coin>,
    /// Listing bond of a dataset: returned when its first version is sealed.
    pub dataset_bond: Option<Coin>,
    /// Listing bond of a tranche: paid with its commitment, returned on acceptance (or
    /// when an unrevealed commitment is withdrawn), forfeited on rejection.
    pub tranche_bond: Option<Coin>,
    /// How long an optimistic tranche stays open to challenge, in seconds: 1 s - a year.
    pub challenge_window_secs: u64,
    /// Upper bound on the tranches of one version (bounds the cost of sealing): 1 -
    /// `checks::MAX_TRANCHES_PER_VERSION_CAP`.
    pub max_tranches_per_version: u32,
}

#[cw_serde]
pub struct Schema {
    pub id: SchemaId,
    pub uri: String,
    /// sha256 of the schema document.
    pub hash: HexBinary,
    pub owner: Addr,
    pub registered_at: u64,
}

#[cw_serde]
pub struct Tranche {
    pub id: TrancheId,
    pub dataset_id: DatasetId,
    pub contributor: Addr,
    /// Merkle root of the tranche's records; unique across the registry.
    pub content_root: HexBinary,
    pub record_count: u64,
    pub byte_size: u64,
    pub metadata_uri: String,
    pub status: TrancheStatus,
    /// Records the review accepted (0 until accepted).
    pub accepted_records: u64,
    /// Share weight inside its dataset versions (0 until accepted).
    pub share_weight: Uint128,
    /// Listing bond still held by the registry.
    pub bond_held: Option<Coin>,
    pub registered_at: u64,
    /// Optimistic tier: end of the challenge window (seconds), before pauses (the
    /// registry pushes it back by the pausing since registration).
    pub challenge_deadline: Option<u64>,
    pub decided_at: Option<u64>,
    /// The pause clock (`PauseClock::paused_secs`) when the tranche was registered.
    #[serde(default)]
    pub paused_secs_at_registration: u64,
}

/// An unrevealed tranche registration (`commit_tranche`): when it was made, and the
/// listing bond it holds until it is revealed or withdrawn.
#[cw_serde]
pub struct TrancheCommitment {
    pub height: u64,
    pub committed_at: u64,
    pub bond: Option<Coin>,
}

#[cw_serde]
pub struct LicenseGrant {
    pub licensee: Addr,
    pub dataset_id: DatasetId,
    pub version: VersionId,
    /// What the last purchase paid (None for a free license).
    pub paid: Option<Coin>,
    pub purchases: u32,
    pub granted_at: u64,
    /// Seconds since epoch; None = perpetual.
    pub expires_at: Option<u64>,
}

#[cw_serde]
#[derive(Default)]
pub struct Stats {
    pub schemas: u64,
    pub datasets: u64,
    pub tranches: u64,
    pub pending: u64,
    pub under_review: u64,
    pub accepted: u64,
    pub rejected: u64,
    pub revoked: u64,
    /// Registrations refused because their content root was already registered.
    pub dedup_hits: u64,
    pub versions: u64,
    pub licenses_sold: u64,
}

impl Stats {
    fn slot(&mut self, status: TrancheStatus) -> &mut u64 {
        match status {
            TrancheStatus::Pending => &mut self.pending,
            TrancheStatus::UnderReview => &mut self.under_review,
            TrancheStatus::Accepted => &mut self.accepted,
            TrancheStatus::Rejected => &mut self.rejected,
            TrancheStatus::Revoked => &mut self.revoked,
        }
    }

    pub fn enter(&mut self, status: TrancheStatus) {
        *self.slot(status) += 1;
    }

    pub fn transition(&mut self, from: TrancheStatus, to: TrancheStatus) {
        *self.slot(from) -= 1;
        *self.slot(to) += 1;
    }
}

pub struct DatasetIndexes<'a> {
    pub maintainer: MultiIndex<'a, Addr, Dataset, DatasetId>,
}

impl IndexList<Dataset> for DatasetIndexes<'_> {
    fn get_indexes(&'_ self) -> Box<dyn Iterator<Item = &'_ dyn Index<Dataset>> + '_> {
        let v: Vec<&dyn Index<Dataset>> = vec![&self.maintainer];
        Box::new(v.into_iter())
    }
}

pub struct TrancheIndexes<'a> {
    pub dataset: MultiIndex<'a, DatasetId, Tranche, TrancheId>,
    pub dataset_status: MultiIndex<'a, (DatasetId, u8), Tranche, TrancheId>,
    pub contributor: MultiIndex<'a, Addr, Tranche, TrancheId>,
    pub status: MultiIndex<'a, u8, Tranche, TrancheId>,
}

impl IndexList<Tranche> for TrancheIndexes<'_> {
    fn get_indexes(&'_ self) -> Box<dyn Iterator<Item = &'_ dyn Index<Tranche>> + '_> {
        let v: Vec<&dyn Index<Tranche>> = vec![
            &self.dataset,
            &self.dataset_status,
            &self.contributor,
            &self.status,
        ];
        Box::new(v.into_iter())
    }
}

/// The registry contract: its state is these fields.
pub struct RegistryContract {
    pub(crate) gov: AdminControl,
    /// Pauses added up: challenge windows are pushed back by them.
    pub(crate) pause_clock: Item<PauseClock>,
    pub(crate) config: Item<Config>,
    pub(crate) stats: Item<Stats>,
    pub(crate) next_schema_id: Item<SchemaId>,
    pub(crate) next_dataset_id: Item<DatasetId>,
    pub(crate) next_tranche_id: Item<TrancheId>,
    pub(crate) schemas: Map<SchemaId, Schema>,
    pub(crate) datasets: IndexedMap<DatasetId, Dataset, DatasetIndexes<'static>>,
    pub(crate) tranches: IndexedMap<TrancheId, Tranche, TrancheIndexes<'static>>,
    /// content root → tranche that registered it (exact dedup across the registry).
    pub(crate) roots: Map<&'static [u8], TrancheId>,
    /// version root → the first version sealed with it: a tranche may not register a
    /// version's root (the whole version re-registered as one tranche).
    pub(crate) version_roots: Map<&'static [u8], VersionRoot>,
    pub(crate) versions: Map<(DatasetId, VersionId), Version>,
    /// (dataset, version, contributor) → summed share weight of their tranches.
    pub(crate) version_weights: Map<(DatasetId, VersionId, &'static Addr), Uint128>,
    /// tranche → the versions it was sealed into (the reward pool claws back from each).
    pub(crate) tranche_versions: Map<TrancheId, Vec<VersionId>>,
    /// (committer, commitment) → unrevealed registration (attrib_std::content).
    pub(crate) commitments: Map<(&'static Addr, &'static [u8]), TrancheCommitment>,
    /// (licensee, dataset, version) → grant.
    pub(crate) grants: Map<(&'static Addr, DatasetId, VersionId), LicenseGrant>,
}
