use attrib_std::funds::FundsError;
use attrib_std::governance::GovernanceError;
use attrib_std::migration::MigrateError;
use attrib_std::registry::{TrancheId, TrancheStatus};
use cosmwasm_std::{StdError, Uint128};
use thiserror::Error;

use crate::state::Role;

#[derive(Error, Debug, PartialEq)]
pub enum ContractError {
    #[error(transparent)]
    Std(#[from] StdError),

    #[error(transparent)]
    Funds(#[from] FundsError),

    #[error(transparent)]
    Governance(#[from] GovernanceError),

    #[error(transparent)]
    Peers(#[from] attrib_std::wiring::PeerError),

    #[error(transparent)]
    Migrate(#[from] MigrateError),

    #[error(transparent)]
    Validation(#[from] attrib_std::validation::ValidationError),

    #[error(transparent)]
    Timelock(#[from] attrib_std::timelock::TimelockError),

    #[error("{address} is the admin, which may never slash")]
    AdminMayNotSlash { address: String },

    #[error("stake is paid in {expected}; this payment is not")]
    WrongAsset { expected: String },

    #[error("unauthorized: only the registry may open reviews (sender {sender})")]
    NotRegistry { sender: String },

    #[error("unauthorized: {sender} is not an authorized slasher")]
    NotSlasher { sender: String },

    #[error("{address} has no stake")]
    NotStaker { address: String },

    #[error("{address} stakes as {actual:?}, not {requested:?}")]
    RoleMismatch {
        address: String,
        actual: Role,
        requested: Role,
    },

    #[error("at most {max} stakers")]
    TooManyStakers { max: u32 },

    #[error("stake would be {bonded} bonded, under the minimum stake of {min}")]
    BelowMinStake { bonded: Uint128, min: Uint128 },

    #[error("unstaking {requested} would leave {left} bonded: unstake all, or leave at least the minimum stake of {min}")]
    DustLeft {
        requested: Uint128,
        left: Uint128,
        min: Uint128,
    },

    #[error("cannot unstake {requested}: only {bonded} is bonded")]
    InsufficientBonded { bonded: Uint128, requested: Uint128 },

    #[error("nothing to claim")]
    NothingToClaim {},

    #[error("slash fraction must be 1-10000 bps, got {bps}")]
    BadFraction { bps: u32 },

    #[error("give exactly one of amount or fraction_bps")]
    SlashAmountOrFraction {},

    #[error("review {id} not found")]
    ReviewNotFound { id: u64 },

    #[error("tranche {tranche_id} already has open review {review_id}")]
    ReviewAlreadyOpen { tranche_id: TrancheId, review_id: u64 },

    #[error("no curator is eligible for a committee (need bonded stake ≥ min_stake, not a party)")]
    NoEligibleCurators {},

    #[error("unauthorized: {sender} is not on the committee of review {review_id}")]
    NotMember { review_id: u64, sender: String },

    #[error("review {review_id} is not open for voting")]
    NotVoting { review_id: u64 },

    #[error("the commit phase of review {review_id} ended at {deadline}")]
    CommitClosed { review_id: u64, deadline: u64 },

    #[error("the reveal phase of review {review_id} opens after {opens_after}")]
    RevealNotOpen { review_id: u64, opens_after: u64 },

    #[error("the reveal phase of review {review_id} ended at {deadline}")]
    RevealClosed { review_id: u64, deadline: u64 },

    #[error("already committed to review {review_id}")]
    AlreadyCommitted { review_id: u64 },

    #[error("already revealed in review {review_id}")]
    AlreadyRevealed { review_id: u64 },

    #[error("no commitment to reveal in review {review_id}")]
    NoCommitment { review_id: u64 },

    #[error("the revealed vote and salt do not match the commitment")]
    CommitmentMismatch {},

    #[error("review {review_id} can be finalized after {reveal_deadline} (now {now}) unless every member revealed")]
    TooEarlyToFinalize {
        review_id: u64,
        reveal_deadline: u64,
        now: u64,
    },

    #[error(
        "tranche {tranche_id} is {status}: only pending optimistic or accepted tranches can be challenged"
    )]
    CannotChallenge {
        tranche_id: TrancheId,
        status: TrancheStatus,
    },

    #[error("the dispute window of tranche {tranche_id} ended at {ended_at}")]
    DisputeWindowClosed { tranche_id: TrancheId, ended_at: u64 },

    #[error("a challenge needs a bond of exactly {expected}, sent {sent}")]
    WrongBond { expected: Uint128, sent: Uint128 },

    #[error("review {review_id} is a registry admission review; only disputes and stalled reviews go to the admin")]
    NotAppealable { review_id: u64 },

    #[error("{address} is not a curator with at least the minimum stake")]
    NotCurator { address: String },

    #[error("{address} already has an entropy commitment from block {height}; reveal it first")]
    EntropyAlreadyCommitted { address: String, height: u64 },

    #[error("{address} has no entropy commitment to reveal")]
    NoEntropyCommitment { address: String },

    #[error("an entropy salt committed in block {committed_height} can be revealed from the next block on")]
    EntropyRevealTooEarly { committed_height: u64 },

    #[error("the revealed entropy salt does not match the commitment")]
    EntropyMismatch {},

    #[error("review {review_id} is not waiting for its committee draw")]
    NotDrawing { review_id: u64 },

    #[error("review {review_id} waits for entropy committed before its request (block {requested_height}) and revealed after it: {withheld} commitments still unrevealed, {found} of at least {needed} salts revealed; the admin may draw after {fallback_after}")]
    EntropyNotAvailable {
        review_id: u64,
        requested_height: u64,
        needed: u32,
        found: u32,
        withheld: u32,
        fallback_after: u64,
    },

    #[error("{address} holds stake a review may still slash (review {review_id}): it is released when the review ends")]
    StakeLocked { address: String, review_id: u64 },

    #[error("operator {address} has {open} batches still open to fraud proofs: its stake is released when they are final")]
    OpenBatches { address: String, open: u32 },

    #[error("no receipt oracle is configured for omission claims")]
    NoReceiptOracle {},

    #[error("model {model_id} already has an open omission claim {review_id} for dataset {dataset_id} version {version}")]
    OmissionAlreadyOpen {
        model_id: u64,
        dataset_id: u64,
        version: u32,
        review_id: u64,
    },
}
