//! Stored types of the receipt oracle; they double as query payloads.

use attrib_std::governance::AdminControl;
use attrib_std::receipts::Receipt;
use attrib_std::registry::{DatasetId, VersionId};
use attrib_std::rewards::EpochClock;
use cosmwasm_schema::cw_serde;
use cosmwasm_std::{Addr, Coin, HexBinary, Uint128};
use cw_storage_plus::{Item, Map};

/// Least posting grace: a minute, so an unpause always leaves operators time to post.
pub const MIN_POSTING_GRACE_SECS: u64 = 60;
pub const MAX_LINEAGE: u32 = 64;
pub const MAX_PARENT_DEPTH: u32 = 8;
pub const MAX_BACK_EPOCHS: u32 = 1_000;
/// Most inclusion requests open at once on a batch: an upheld one refunds all the others
/// in one message.
pub const MAX_INCLUSION_REQUESTS: u32 = 100;

/// The tunable parameters, set at instantiation and by `update_params`. Every field has a
/// range (checked at both, refused with `ValidationError::OutOfRange`); "a year" is
/// `attrib_std::validation::range::MAX_SECS`.
#[cw_serde]
pub struct Params {
    /// Length of a metering epoch. 1 s - a year.
    pub epoch_secs: u64,
    /// Batches of an epoch may be posted until its end plus this grace. 60 s - a day.
    pub posting_grace_secs: u64,
    /// How long a posted batch is open to fraud proofs before it can be finalized.
    /// 1 s - a year.
    pub dispute_window_secs: u64,
    /// Least operator stake in curator staking to register as an operator. Any amount.
    pub operator_min_bond: Uint128,
    /// Share of the operator's stake slashed per upheld fraud proof. 1 - 10 000 bps.
    pub fraud_slash_bps: u32,
    /// Most lineage entries of a model (its own, and after merging its parent's). 1 - 64.
    pub max_lineage: u32,
    /// Most ancestors a model's royalties flow through. 0 - 8.
    pub max_parent_depth: u32,
    /// A model owner's withdrawal of unused escrow waits this long. 0 s - a year.
    pub withdraw_notice_secs: u64,
    /// Bond a model owner posts at registration (royalty denom), slashed when a canary
    /// omission claim is upheld; returned when the model is closed. Any amount.
    pub model_bond: Uint128,
    /// Lineage weight an upheld omission claim gives the omitted dataset. 1 - 9 999 bps.
    pub omission_weight_bps: u32,
    /// Share of the slashed model bond paid to the claimant (the rest to the pool).
    /// 0 - 5 000 bps.
    pub omission_claimant_share_bps: u32,
    /// How many of the model's latest settled epochs back royalties cover. 1 - 1 000.
    pub max_back_epochs: u32,
    /// What an inclusion request (SPEC §5.6) costs, in a native denom: paid to the
    /// operator when it answers, refunded when the request is upheld. Amount ≥ 1. (Absent
    /// in configs stored before inclusion requests: requests are refused until set.)
    #[serde(default)]
    pub inclusion_fee: Coin,
    /// How long an operator has to answer an inclusion request. 1 s - a year.
    #[serde(default)]
    pub inclusion_response_secs: u64,
    /// Most inclusion requests open at once on one batch. 1 - 100.
    #[serde(default)]
    pub max_inclusion_requests: u32,
}

#[cw_serde]
pub struct Config {
    pub registry: Addr,
    pub curator_staking: Addr,
    /// Receives finalized usage royalties (the reward distributor).
    pub reward_pool: Addr,
    pub epoch_start: u64,
    pub params: Params,
}

impl Config {
    /// The metering epochs: `epoch_secs` long from `epoch_start`.
    pub fn clock(&self) -> EpochClock {
        EpochClock {
            epoch_start: self.epoch_start,
            epoch_secs: self.params.epoch_secs,
        }
    }
}

/// A dataset version a model is built from, and its share of the model's royalties.
#[cw_serde]
pub struct LineageEntry {
    pub dataset_id: DatasetId,
    pub version: VersionId,
    pub weight_bps: u32,
}

/// A model derived from another: `share_bps` of its royalties flows to the parent's lineage.
#[cw_serde]
pub struct ParentLink {
    pub model_id: u64,
    pub share_bps: u32,
}

#[cw_serde]
pub struct Withdrawal {
    pub amount: Uint128,
    pub available_at: u64,
}

#[cw_serde]
pub struct Model {
    pub id: u64,
    pub owner: Addr,
    pub metadata_uri: String,
    /// As declared (weights sum to 10 000).
    pub lineage: Vec<LineageEntry>,
    /// Where royalties actually go: own lineage plus the parent's, scaled (sums to 10 000).
    pub effective_lineage: Vec<LineageEntry>,
    pub parent: Option<ParentLink>,
    pub depth: u32,
    pub royalty_per_unit: Coin,
    /// Escrow held, in the royalty denom.
    pub escrow: Uint128,
    /// Charges of posted, unfinalized batches (escrow that cannot be withdrawn).
    pub reserved: Uint128,
    /// Usage finalized but not covered by escrow; the model is suspended while > 0.
    pub debt: Uint128,
    pub withdrawal: Option<Withdrawal>,
    /// Operators the owner lets meter this model.
    pub operators: Vec<Addr>,
    pub created_at: u64,
    /// Model bond still held.
    pub bond: Uint128,
    /// Closed by its owner: no more batches; escrow and bond were returned.
    pub closed: bool,
    /// Voided batches (of any operator) whose honest replacement is not posted yet:
    /// while > 0 the model cannot be closed (SPEC §5.4 "fraud never lowers what the
    /// model pays"). The operator that posted one posts nothing else for the model until
    /// it is replaced (`Cursor::awaiting_replacement`).
    #[serde(default)]
    pub awaiting_replacement: u32,
}

#[cw_serde]
pub struct Operator {
    pub address: Addr,
    /// Compressed secp256k1 public key that signs receipts and batches.
    pub pubkey: HexBinary,
}

/// Per (model, operator): where the next batch must start.
#[cw_serde]
pub struct Cursor {
    pub next_seq: u64,
    pub last_id: u64,
    pub last_epoch: u64,
    /// This operator's voided batches of the model not yet replaced: while > 0 it posts
    /// only replacements. (Per operator: another operator's fraud never keeps an honest
    /// one from posting in time.)
    #[serde(default)]
    pub awaiting_replacement: u32,
    /// Late omissions proven (and charged) beyond `last_id` whose ids no batch has
    /// covered yet: the next batches subtract their units from what they charge, so a
    /// receipt proven late and then posted late is charged once.
    #[serde(default)]
    pub late_charged: u32,
}

impl Default for Cursor {
    /// Before the first batch: sequence 1, starting at receipt id 1.
    fn default() -> Self {
        Cursor {
            next_seq: 1,
            last_id: 0,
            last_epoch: 0,
            awaiting_replacement: 0,
            late_charged: 0,
        }
    }
}

#[cw_serde]
pub enum BatchStatus {
    Pending,
    Finalized,
    Voided { reason: String, challenger: Addr },
}

#[cw_serde]
pub struct Batch {
    pub model_id: u64,
    pub operator: Addr,
    pub seq: u64,
    pub epoch: u64,
    pub first_id: u64,
    pub last_id: u64,
    pub count: u64,
    pub total_units: Uint128,
    pub root: HexBinary,
    pub posted_at: u64,
    /// A batch re-posting the honest totals of a voided one covers the same ids.
    pub replaces: Option<u64>,
    pub status: BatchStatus,
    /// What this batch reserves and, final, charges: (total_units − prior_units) ×
    /// royalty per unit (never below zero).
    pub charge: Uint128,
    /// Units of this id range already charged: when the batch it replaces was voided, or,
    /// for a batch that replaces nothing, by late omissions proven before it came.
    #[serde(default)]
    pub prior_units: Uint128,
    /// Units a fraud proof showed missing from `total_units` (set when voided).
    #[serde(default)]
    pub proven_units: Uint128,
    /// The batch posted in this one's place, once this one was voided.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replaced_by: Option<u64>,
    /// Counted in its operator's `open_batches` (from posting until it is final, or
    /// voided and replaced). False for batches stored before the count existed, so
    /// closing one never releases another's hold on the stake.
    #[serde(default)]
    pub counted: bool,
    /// Posted after its epoch's posting deadline. Accepted, so the ids after it are never
    /// stuck and the model pays for its receipts, but each receipt in it stays provable
    /// as a late omission (see `late_ranges`).
    #[serde(default)]
    pub late: bool,
}

/// The id range of a batch posted after its epoch's posting deadline, keyed by
/// (model, operator, first id): a receipt in it is a late omission as one beyond the
/// cursor was before the batch came.
#[cw_serde]
pub struct LateRange {
    pub last_id: u64,
    /// When the batch was posted: a receipt is late if its epoch's deadline passed before.
    pub posted_at: u64,
    /// The operator's last posted epoch before this batch: a receipt of an earlier epoch
    /// was never served in this range (as for one beyond the cursor).
    pub after_epoch: u64,
}

impl Batch {
    /// Units of this id range charged in all: never less than what it declared plus what
    /// was proven missing, nor than what was charged before it.
    pub fn floor_units(&self) -> Uint128 {
        self.prior_units
            .max(self.total_units.saturating_add(self.proven_units))
    }
}

/// When the oracle was paused and, once it was, unpaused.
#[cw_serde]
pub struct PauseWindow {
    pub from: u64,
    pub until: Option<u64>,
    /// Deadlines that fell in the pause run until this time: the unpause plus the posting
    /// grace in force then. Fixed at the unpause, so a later change of the grace moves no
    /// deadline. (Absent in windows recorded before it existed: `until` + the grace.)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resume_by: Option<u64>,
}

impl PauseWindow {
    /// The time deadlines that fell in this (ended) pause run until.
    pub fn resume_by(&self, until: u64, grace: u64) -> u64 {
        self.resume_by.unwrap_or(until.saturating_add(grace))
    }
}

/// Where an inclusion request stands (SPEC §5.6).
#[cw_serde]
pub enum InclusionStatus {
    /// Waiting for the operator's answer; the batch cannot finalize.
    Open,
    /// Answered with the receipt's own leaf: the fee went to the operator.
    Answered,
    /// Upheld (unanswered by the deadline, or answered with another leaf): the batch was
    /// voided and the fee refunded.
    Upheld,
    /// Closed with the fee refunded because the batch was voided otherwise.
    Refunded,
}

/// A signed receipt whose leaf the operator must show (SPEC §5.6).
#[cw_serde]
pub struct InclusionRequest {
    pub requester: Addr,
    pub receipt: Receipt,
    /// The fee paid, held by the oracle while the request is open.
    pub fee: Coin,
    pub requested_at: u64,
    /// The operator must answer by this time (inclusive).
    pub deadline: u64,
    pub status: InclusionStatus,
}

/// Per batch: open inclusion requests (the batch cannot finalize while any is), and the
/// last time they reached the bound. Requests stay possible, and finalization waits, until
/// a response time after that, so an operator that fills the bound with requests of its
/// own cannot run out the dispute window on genuine requesters.
#[cw_serde]
#[derive(Default)]
pub struct InclusionHold {
    pub open: u32,
    pub full_at: Option<u64>,
}

pub struct ReceiptOracleContract {
    pub(crate) gov: AdminControl,
    pub(crate) config: Item<Config>,
    /// The last pause (merged with any that began within a posting grace of the one
    /// before): posting deadlines that fell in it are pushed back (see
    /// `batches::effective_deadline`).
    pub(crate) pause_window: Item<PauseWindow>,
    pub(crate) next_model: Item<u64>,
    pub(crate) models: Map<u64, Model>,
    pub(crate) operators: Map<&'static Addr, Operator>,
    /// Every key an operator registered, by the epoch it was registered in (at most one
    /// per epoch): a receipt of epoch e is checked against the keys in force during e,
    /// so rotating a key never disowns what the old one signed (SPEC §5.4).
    pub(crate) keys: Map<(&'static Addr, u64), HexBinary>,
    pub(crate) cursors: Map<(u64, &'static Addr), Cursor>,
    pub(crate) batches: Map<(u64, &'static Addr, u64), Batch>,
    /// Late omissions already proven: (model, operator, receipt id).
    pub(crate) late_proven: Map<(u64, &'static Addr, u64), ()>,
    /// Units charged by late omissions proven beyond the cursor, until a batch covers
    /// their ids (see `Cursor::late_charged`): (model, operator, receipt id).
    pub(crate) late_charged: Map<(u64, &'static Addr, u64), Uint128>,
    /// Batches posted late, by (model, operator, first id) (see [`LateRange`]).
    pub(crate) late_ranges: Map<(u64, &'static Addr, u64), LateRange>,
    /// Units settled per (model, epoch): the base of back royalties.
    pub(crate) usage: Map<(u64, u64), Uint128>,
    /// Pending batches per operator (its stake cannot leave curator staking while > 0).
    pub(crate) open_batches: Map<&'static Addr, u32>,
    /// Fraud proofs and inclusion requests, filed and upheld (SPEC §8 "audits").
    pub(crate) audits: Item<attrib_std::interfaces::omission_target::AuditStats>,
    /// Inclusion requests by (model, operator, seq, receipt id), open and closed.
    pub(crate) inclusions: Map<((u64, &'static Addr, u64), u64), InclusionRequest>,
    /// The open ones only: what an upheld request closes (at most the bound per batch).
    pub(crate) inclusions_open: Map<((u64, &'static Addr, u64), u64), ()>,
    /// Per batch (model, operator, seq): open count and when the bound was last reached.
    pub(crate) inclusion_holds: Map<(u64, &'static Addr, u64), InclusionHold>,
}
