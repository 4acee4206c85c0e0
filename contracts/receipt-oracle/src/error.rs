use attrib_std::funds::FundsError;
use attrib_std::governance::GovernanceError;
use attrib_std::migration::MigrateError;
use attrib_std::receipts::ProofError;
use attrib_std::registry::{DatasetId, VersionId};
use cosmwasm_std::{StdError, Uint128};
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
    Migrate(#[from] MigrateError),

    #[error("fraud proof rejected: {0}")]
    Proof(#[from] ProofError),

    #[error(transparent)]
    Validation(#[from] attrib_std::validation::ValidationError),

    #[error("royalty denom {denom} is not accepted by the reward pool")]
    RoyaltyDenomNotAccepted { denom: String },

    #[error("the cw20 hook takes only tokens the reward pool accepts, not {token}")]
    TokenNotAccepted { token: String },

    #[error("receipt ids are exhausted: the last batch ended at id {last_id}")]
    IdsExhausted { last_id: u64 },

    #[error("lineage weights must sum to 10000 bps, got {sum}")]
    LineageWeights { sum: u64 },

    #[error("lineage entry {dataset_id}/{version} has weight 0 bps: leave it out instead")]
    ZeroLineageWeight {
        dataset_id: DatasetId,
        version: VersionId,
    },

    #[error("a model's lineage holds 1-{max} entries, got {got}")]
    LineageSize { max: u32, got: usize },

    #[error("dataset {dataset_id} version {version} is listed twice")]
    LineageRepeated { dataset_id: u64, version: u32 },

    #[error("{owner} holds no valid license for dataset {dataset_id} version {version}")]
    NoLicense {
        owner: String,
        dataset_id: u64,
        version: u32,
    },

    #[error("royalty per unit {offered} is below what the lineage's terms demand: {required}")]
    RoyaltyTooLow { offered: Uint128, required: Uint128 },

    #[error("dataset {dataset_id} does not take royalties in {denom}")]
    RoyaltyDenom { dataset_id: u64, denom: String },

    #[error("model {id} not found")]
    ModelNotFound { id: u64 },

    #[error("parent chain too deep: at most {max} ancestors")]
    TooDeep { max: u32 },

    #[error("unauthorized: {sender} is not the owner of model {model_id}")]
    NotOwner { sender: String, model_id: u64 },

    #[error("{address} is not a registered operator")]
    NotOperator { address: String },

    #[error("{operator} may not meter model {model_id}")]
    OperatorNotAllowed { operator: String, model_id: u64 },

    #[error(
        "{address} must be bonded as an operator in curator staking with at least {required} (has {bonded})"
    )]
    OperatorBond {
        address: String,
        required: Uint128,
        bonded: Uint128,
    },

    #[error("public key must be a 33-byte compressed secp256k1 key")]
    BadPubkey {},

    #[error("the signature does not verify with the operator's key")]
    BadSignature {},

    #[error("model {model_id} is suspended until its debt of {debt} is repaid")]
    Suspended { model_id: u64, debt: Uint128 },

    #[error("batch sequence must be {expected}, got {got}")]
    WrongSequence { expected: u64, got: u64 },

    #[error("batch must start at receipt id {expected}, got {got}")]
    NotContiguous { expected: u64, got: u64 },

    #[error("bad batch range: first {first_id}, last {last_id}, count {count}: {reason}")]
    BadRange {
        first_id: u64,
        last_id: u64,
        count: u64,
        reason: &'static str,
    },

    #[error("epoch {epoch} is not postable now (current epoch {current}, deadline {deadline})")]
    EpochClosed { epoch: u64, current: u64, deadline: u64 },

    #[error("epoch {epoch} is before this operator's last posted epoch {last}")]
    EpochBackwards { epoch: u64, last: u64 },

    #[error("batch ({model_id}, {operator}, {seq}) not found")]
    BatchNotFound {
        model_id: u64,
        operator: String,
        seq: u64,
    },

    #[error("batch {seq} is not pending")]
    NotPending { seq: u64 },

    #[error("batch {seq} can be finalized at {at} (now {now})")]
    DisputeWindowOpen { seq: u64, at: u64, now: u64 },

    #[error("batch {seq} can only be replaced if it was voided and covers the same ids")]
    BadReplacement { seq: u64 },

    #[error("model {model_id} has {awaiting} voided batch(es) awaiting their replacement: post those first")]
    ReplacementDue { model_id: u64, awaiting: u32 },

    #[error("a key was already registered in epoch {epoch}; the next rotation opens at {next_at}")]
    KeyRotationTooSoon { epoch: u64, next_at: u64 },

    #[error("the receipt is not for this {field}")]
    ReceiptMismatch { field: &'static str },

    #[error("receipt id {id} is outside the batch's range {first_id}-{last_id}")]
    OutsideRange { id: u64, first_id: u64, last_id: u64 },

    #[error("receipt {id} is not late: {reason}")]
    NotLate { id: u64, reason: &'static str },

    #[error("receipt {id} was already proven omitted")]
    AlreadyProven { id: u64 },

    #[error("late charge of receipt {receipt_id} (model {model_id}, operator {operator}): {reason}")]
    BadLateCharge {
        model_id: u64,
        operator: String,
        receipt_id: u64,
        reason: &'static str,
    },

    #[error("withdrawal of {amount}: {reason}")]
    Withdrawal { amount: Uint128, reason: &'static str },

    #[error("model {model_id} is closed")]
    ModelClosed { model_id: u64 },

    #[error("model {model_id} cannot close: {reason}")]
    CannotClose { model_id: u64, reason: &'static str },

    #[error("dataset {dataset_id} version {version} is already in model {model_id}'s lineage")]
    AlreadyInLineage {
        model_id: u64,
        dataset_id: u64,
        version: u32,
    },

    #[error("the preimage does not match any canary commitment of dataset {dataset_id}")]
    CanaryMismatch { dataset_id: u64 },

    #[error("unauthorized: only curator staking records omission outcomes (sender {sender})")]
    NotCuratorStaking { sender: String },

    #[error("batch {seq} takes inclusion requests until {closed_at} (now {now})")]
    InclusionWindowClosed { seq: u64, closed_at: u64, now: u64 },

    #[error("receipt {receipt_id} already has an inclusion request on batch {seq}")]
    InclusionExists { seq: u64, receipt_id: u64 },

    #[error("batch {seq} already has {max} inclusion requests open")]
    TooManyInclusionRequests { seq: u64, max: u32 },

    #[error("no inclusion request for receipt {receipt_id} on batch {seq}")]
    InclusionNotFound { seq: u64, receipt_id: u64 },

    #[error("the inclusion request for receipt {receipt_id} is closed")]
    InclusionClosed { receipt_id: u64 },

    #[error("the inclusion request for receipt {receipt_id} was due by {deadline} (now {now}): expire it")]
    InclusionDeadlinePassed {
        receipt_id: u64,
        deadline: u64,
        now: u64,
    },

    #[error("the inclusion request for receipt {receipt_id} can be answered until {deadline} (now {now})")]
    InclusionNotDue {
        receipt_id: u64,
        deadline: u64,
        now: u64,
    },

    #[error("batch {seq} cannot finalize: {open} inclusion request(s) open")]
    InclusionOpen { seq: u64, open: u32 },

    #[error("batch {seq} cannot finalize before {until}: its inclusion requests were at the bound")]
    InclusionHeld { seq: u64, until: u64 },
}
