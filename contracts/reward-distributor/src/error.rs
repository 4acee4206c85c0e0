use attrib_std::funds::FundsError;
use attrib_std::governance::GovernanceError;
use attrib_std::migration::MigrateError;
use attrib_std::rewards::RewardsError;
use cosmwasm_std::{StdError, Uint128};
use thiserror::Error;

#[derive(Error, Debug, PartialEq)]
pub enum ContractError {
    #[error(transparent)]
    Timelock(#[from] attrib_std::timelock::TimelockError),

    #[error(transparent)]
    Std(#[from] StdError),

    #[error(transparent)]
    Incoming(#[from] attrib_std::ibc::IncomingError),

    #[error(transparent)]
    Ibc(#[from] attrib_std::ibc::IbcError),

    #[error(transparent)]
    Funds(#[from] FundsError),

    #[error(transparent)]
    Governance(#[from] GovernanceError),

    #[error(transparent)]
    Peers(#[from] attrib_std::wiring::PeerError),

    #[error(transparent)]
    Migrate(#[from] MigrateError),

    #[error(transparent)]
    Rewards(#[from] RewardsError),

    #[error(transparent)]
    Validation(#[from] attrib_std::validation::ValidationError),

    #[error("denom {denom} is not accepted by the reward pool")]
    DenomNotAccepted { denom: String },

    #[error("payment of {amount}{denom} is below the minimum {min}")]
    BelowMinimum {
        denom: String,
        amount: Uint128,
        min: Uint128,
    },

    #[error("send exactly one coin to pay the pool, sent {count}")]
    OneCoin { count: usize },

    #[error("unauthorized: only the registry, curator staking or the receipt oracle may pay as {reason}")]
    ReasonNotAllowed { reason: String },

    #[error("unauthorized: only the protocol's contracts may name a payer")]
    PayerNotAllowed {},

    #[error("the pool accepts at most {max} denoms: remove one first")]
    TooManyDenoms { max: usize },

    #[error("at most {max} earmarks per payment")]
    TooManyEarmarks { max: usize },

    #[error("the registry is not configured: earmarked payments and claims need it")]
    NoRegistry {},

    #[error("unauthorized: {sender} is not the registry")]
    NotRegistry { sender: String },

    #[error("unauthorized: {sender} is not the treasury")]
    NotTreasury { sender: String },

    #[error("a new treasury applies its own change (proving it can claim): {sender} is not {treasury}")]
    NotNewTreasury { sender: String, treasury: String },

    #[error("the pool cannot be its own treasury: it could never claim")]
    PoolAsTreasury {},

    #[error("emissions are not configured")]
    NoEmissions {},

    #[error("emissions are funded in {expected}, not {denom}")]
    WrongEmissionDenom { expected: String, denom: String },

    #[error("the emission reserve holds {available}, cannot withdraw {requested}")]
    ReserveTooSmall { available: Uint128, requested: Uint128 },

    #[error("no epoch is due to close (current epoch {current}, next to close {next})")]
    NothingToClose { current: u64, next: u64 },

    #[error("epoch {epoch} is still being settled: settle it first")]
    SettlementInProgress { epoch: u64 },

    #[error("no epoch is being settled")]
    NothingToSettle {},

    #[error("settle limit must be 1-{max}, got {got}")]
    BadLimit { max: u32, got: u32 },

    #[error("epoch {epoch} not found")]
    EpochNotFound { epoch: u64 },

    #[error("epoch {epoch} is not settled yet")]
    EpochNotSettled { epoch: u64 },

    #[error("rewards of epoch {epoch} vest at {vest_at}")]
    NotVested { epoch: u64, vest_at: u64 },

    #[error("{curator} already claimed the curator rewards of epoch {epoch}")]
    AlreadyClaimed { epoch: u64, curator: String },

    #[error("{curator} has no review points in epoch {epoch}")]
    NoPoints { epoch: u64, curator: String },

    #[error("unauthorized: {sender} is not the contributor of tranche {tranche_id}")]
    NotContributor { sender: String, tranche_id: u64 },

    #[error("epoch {epoch} is listed twice")]
    RepeatedEpoch { epoch: u64 },

    #[error("position tranche {tranche_id} of {dataset_id}/{version} is listed twice")]
    RepeatedPosition {
        tranche_id: u64,
        dataset_id: u64,
        version: u32,
    },

    #[error("claim 1-{max} items at a time, got {got}")]
    ClaimSize { max: usize, got: usize },

    #[error("nothing to claim")]
    NothingToClaim {},

    #[error("the curator staking contract runs epochs of {theirs:?}, this distributor {ours:?}")]
    ClockMismatch { ours: String, theirs: String },

    #[error("the cw20 hook was called by {sender}, which is not an accepted token")]
    UnknownToken { sender: String },
}
