use attrib_std::funds::FundsError;
use attrib_std::governance::GovernanceError;
use attrib_std::registry::{DatasetId, SchemaId, TermsError, TrancheId, TrancheStatus, VersionId};
use cosmwasm_std::StdError;
use thiserror::Error;

#[derive(Error, Debug, PartialEq)]
pub enum ContractError {
    #[error(transparent)]
    Std(#[from] StdError),

    #[error(transparent)]
    Incoming(#[from] attrib_std::ibc::IncomingError),

    #[error(transparent)]
    Funds(#[from] FundsError),

    #[error(transparent)]
    Governance(#[from] GovernanceError),

    #[error(transparent)]
    Peers(#[from] attrib_std::wiring::PeerError),

    #[error(transparent)]
    Migrate(#[from] attrib_std::migration::MigrateError),

    #[error(transparent)]
    Validation(#[from] attrib_std::validation::ValidationError),

    #[error("invalid license terms: {0}")]
    Terms(#[from] TermsError),

    #[error("schema {id} not found")]
    SchemaNotFound { id: SchemaId },

    #[error("dataset {id} not found")]
    DatasetNotFound { id: DatasetId },

    #[error("tranche {id} not found")]
    TrancheNotFound { id: TrancheId },

    #[error("version {version} of dataset {dataset_id} not found")]
    VersionNotFound {
        dataset_id: DatasetId,
        version: VersionId,
    },

    #[error("tranche {tranche_id} is not part of dataset {dataset_id} version {version}")]
    TrancheNotInVersion {
        tranche_id: TrancheId,
        dataset_id: DatasetId,
        version: VersionId,
    },

    #[error("unauthorized: {sender} is not the maintainer of dataset {dataset_id}")]
    NotMaintainer { sender: String, dataset_id: DatasetId },

    #[error("unauthorized: only the curator-staking contract may do this (sender {sender})")]
    NotCuratorStaking { sender: String },

    #[error("dataset {dataset_id} is retired")]
    DatasetRetired { dataset_id: DatasetId },

    #[error("strict datasets need a curator-staking contract, and none is configured")]
    NoReviewService {},

    #[error("canary commitment {commitment} is already registered for this dataset")]
    DuplicateCanary { commitment: String },

    #[error("a dataset holds at most {max} canary commitments")]
    TooManyCanaries { max: usize },

    #[error("tranche {tranche_id} is {status}; expected {expected}")]
    WrongTrancheStatus {
        tranche_id: TrancheId,
        status: TrancheStatus,
        expected: TrancheStatus,
    },

    #[error("tranche {tranche_id} belongs to a {tier} dataset; this step is for {expected} datasets")]
    WrongTier {
        tranche_id: TrancheId,
        tier: attrib_std::registry::VerificationTier,
        expected: attrib_std::registry::VerificationTier,
    },

    #[error("the challenge window of tranche {tranche_id} ends at {ends_at}; now is {now}")]
    ChallengeWindowOpen {
        tranche_id: TrancheId,
        ends_at: u64,
        now: u64,
    },

    #[error("the challenge window of tranche {tranche_id} ended at {ended_at}")]
    ChallengeWindowClosed { tranche_id: TrancheId, ended_at: u64 },

    #[error(
        "accepted records ({accepted}) must be between 1 and the tranche's record count ({record_count})"
    )]
    BadAcceptedRecords { accepted: u64, record_count: u64 },

    #[error("a version needs at least one tranche")]
    EmptyVersion {},

    #[error("a version holds at most {max} tranches, got {got}")]
    TooManyTranches { max: u32, got: usize },

    #[error("tranche {tranche_id} is already in {max} versions, the most one tranche may be sealed into")]
    TrancheInTooManyVersions { tranche_id: TrancheId, max: usize },

    #[error("tranche {tranche_id} is listed twice")]
    RepeatedTranche { tranche_id: TrancheId },

    #[error("tranche {tranche_id} belongs to dataset {actual}, not {expected}")]
    TrancheNotInDataset {
        tranche_id: TrancheId,
        expected: DatasetId,
        actual: DatasetId,
    },

    #[error("weight overflow while sealing")]
    WeightOverflow {},

    #[error("license expiry overflows the timestamp range")]
    ExpiryOverflow {},

    #[error("no unrevealed commitment {commitment} from this sender")]
    CommitmentNotFound { commitment: String },

    #[error("commitment {commitment} is already open")]
    CommitmentExists { commitment: String },

    #[error("a tranche is revealed in a later block than its commitment (committed at height {committed_at}, now {height})")]
    RevealTooEarly { committed_at: u64, height: u64 },

    #[error("the commitment could be revealed until {expired_at}; now is {now} (withdraw it to get the bond back)")]
    CommitmentExpired { expired_at: u64, now: u64 },

    #[error("a sender holds at most {max} unrevealed commitments")]
    TooManyCommitments { max: usize },

    #[error("record_count {record_count} is above the maximum {max}")]
    RecordCountTooLarge { record_count: u64, max: u64 },

    #[error("byte_size {byte_size} is above {max} (record_count times the maximum bytes per record)")]
    ByteSizeTooLarge { byte_size: u64, max: u64 },

    #[error("record-count proof refused: {0}")]
    CountProof(#[from] attrib_std::receipts::ProofError),

    #[error("tranche {tranche_id} is under review: prove its count once the review has accepted it")]
    CountProofDuringReview { tranche_id: TrancheId },
}
