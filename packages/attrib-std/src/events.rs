//! Event types and attribute keys. Every execute sets `action` (wasm attribute) and each
//! state change emits one `Event::new(<type>)` with snake_case attributes. The CLI and
//! indexers read these constants, never string literals.

/// Attribute keys shared by many events.
pub mod attr {
    pub const ACTION: &str = "action";
    pub const SCHEMA_ID: &str = "schema_id";
    pub const DATASET_ID: &str = "dataset_id";
    pub const TRANCHE_ID: &str = "tranche_id";
    pub const VERSION: &str = "version";
    pub const CONTENT_ROOT: &str = "content_root";
    pub const VERSION_ROOT: &str = "version_root";
    pub const DUPLICATE_OF: &str = "duplicate_of";
    /// A refused tranche root that is a sealed version's root: `<dataset>/<version>`.
    pub const DUPLICATE_OF_VERSION: &str = "duplicate_of_version";
    pub const MAINTAINER: &str = "maintainer";
    pub const CONTRIBUTOR: &str = "contributor";
    pub const LICENSEE: &str = "licensee";
    pub const TIER: &str = "tier";
    pub const STATUS: &str = "status";
    pub const OUTCOME: &str = "outcome";
    pub const WEIGHT: &str = "weight";
    pub const TOTAL_WEIGHT: &str = "total_weight";
    pub const TRANCHE_COUNT: &str = "tranche_count";
    pub const AMOUNT: &str = "amount";
    pub const RECIPIENT: &str = "recipient";
    /// Whether a paged payout left more owed for a next call.
    pub const MORE_OWED: &str = "more_owed";
    pub const REASON: &str = "reason";
    pub const EXPIRES_AT: &str = "expires_at";
    pub const ADMIN: &str = "admin";
    pub const PENDING_ADMIN: &str = "pending_admin";
    pub const PAUSED: &str = "paused";
    pub const COMMITMENT: &str = "commitment";
    pub const STAKER: &str = "staker";
    pub const ROLE: &str = "role";
    pub const REVIEW_ID: &str = "review_id";
    pub const ROUND: &str = "round";
    pub const KIND: &str = "kind";
    pub const MEMBERS: &str = "members";
    pub const SEED: &str = "seed";
    pub const HEIGHT: &str = "height";
    pub const FALLBACK: &str = "fallback";
    pub const VOTER: &str = "voter";
    pub const VOTE: &str = "vote";
    pub const CHALLENGER: &str = "challenger";
    pub const RELEASE_AT: &str = "release_at";
    pub const EPOCH: &str = "epoch";
    pub const FUNDING: &str = "funding";
    pub const PAYER: &str = "payer";
    pub const EARMARKS: &str = "earmarks";
    pub const DENOM: &str = "denom";
    pub const SLASHER: &str = "slasher";
    pub const MODEL_ID: &str = "model_id";
    pub const BONDED: &str = "bonded";
    pub const FROM_UNBONDING: &str = "from_unbonding";
    pub const MAJORITY: &str = "majority";
    pub const BY_ADMIN: &str = "by_admin";
    pub const ALLOWED: &str = "allowed";
    pub const RECORD_COUNT: &str = "record_count";
    pub const CHALLENGE_DEADLINE: &str = "challenge_deadline";
    pub const ACCEPTED_RECORDS: &str = "accepted_records";
    pub const URI: &str = "uri";
    pub const HASH: &str = "hash";
    pub const CANARIES: &str = "canaries";
    pub const CONTRACT_VERSION: &str = "contract_version";
    pub const REWARD_POOL: &str = "reward_pool";
    pub const POSITIONS: &str = "positions";
    pub const FEE: &str = "fee";
    pub const EMISSION: &str = "emission";
    pub const CURATOR: &str = "curator";
    pub const FROM_EPOCH: &str = "from_epoch";
    pub const TO_EPOCH: &str = "to_epoch";
    pub const FEE_VALUE: &str = "fee_value";
    pub const CURATOR_POINTS: &str = "curator_points";
    pub const VEST_AT: &str = "vest_at";
    pub const APPLIED: &str = "applied";
    pub const TRANSFER_ID: &str = "transfer_id";
    pub const OWNER: &str = "owner";
    pub const CHANNEL: &str = "channel";
    pub const IGNORED: &str = "ignored";
    pub const TREASURY: &str = "treasury";
    pub const PROTOCOL_BPS: &str = "protocol_bps";
    pub const CURATOR_BPS: &str = "curator_bps";
    pub const VESTING_SECS: &str = "vesting_secs";
    pub const MIN_AMOUNT: &str = "min_amount";
    pub const VALUE_WEIGHT: &str = "value_weight";
    pub const REMOVED: &str = "removed";
    pub const OPERATOR: &str = "operator";
    pub const SEQ: &str = "seq";
    pub const CHANGE: &str = "change";
    pub const EFFECTIVE_AT: &str = "effective_at";
    pub const FIRST_ID: &str = "first_id";
    pub const LAST_ID: &str = "last_id";
    /// On `batch_submitted`: "true" when posted after its epoch's posting deadline.
    pub const LATE: &str = "late";
    pub const COUNT: &str = "count";
    pub const TOTAL_UNITS: &str = "total_units";
    pub const ROOT: &str = "root";
    pub const CHARGED: &str = "charged";
    pub const DEBT: &str = "debt";
    pub const CLAIMANT: &str = "claimant";
    pub const BACK_ROYALTY: &str = "back_royalty";
    pub const BOND_SLASHED: &str = "bond_slashed";
    pub const LINEAGE_EXTENDED: &str = "lineage_extended";
    pub const ROYALTY_PER_UNIT: &str = "royalty_per_unit";
    pub const LINEAGE: &str = "lineage";
    pub const PUBKEY: &str = "pubkey";
    pub const FUNDER: &str = "funder";
    pub const DEBT_REPAID: &str = "debt_repaid";
    pub const ESCROW: &str = "escrow";
    pub const AVAILABLE_AT: &str = "available_at";
    pub const RETURNED: &str = "returned";
    pub const VOIDED_UNITS: &str = "voided_units";
    /// Units a fraud proof showed missing from a batch's declared total.
    pub const PROVEN_UNITS: &str = "proven_units";
    pub const PROVER: &str = "prover";
    /// The record count a proof showed (the declared one is `record_count`).
    pub const PROVEN_COUNT: &str = "proven_count";
    pub const REVEAL_BY: &str = "reveal_by";
    pub const RECEIPT_ID: &str = "receipt_id";
    pub const REQUESTER: &str = "requester";
    pub const DEADLINE: &str = "deadline";
    /// Other open inclusion requests an upheld one closed (their fees refunded).
    pub const REFUNDED: &str = "refunded";
}

pub const SCHEMA_REGISTERED: &str = "attrib_schema_registered";
pub const DATASET_REGISTERED: &str = "attrib_dataset_registered";
pub const DATASET_TERMS_UPDATED: &str = "attrib_dataset_terms_updated";
pub const DATASET_RETIRED: &str = "attrib_dataset_retired";
pub const CANARY_ADDED: &str = "attrib_canary_added";
pub const TRANCHE_REGISTERED: &str = "attrib_tranche_registered";
pub const TRANCHE_DUPLICATE_REFUSED: &str = "attrib_tranche_duplicate_refused";
pub const TRANCHE_REVIEW_OPENED: &str = "attrib_tranche_review_opened";
pub const TRANCHE_ACCEPTED: &str = "attrib_tranche_accepted";
pub const TRANCHE_REJECTED: &str = "attrib_tranche_rejected";
pub const TRANCHE_REVOKED: &str = "attrib_tranche_revoked";
pub const TRANCHE_COMMITTED: &str = "attrib_tranche_committed";
pub const TRANCHE_COMMITMENT_WITHDRAWN: &str = "attrib_tranche_commitment_withdrawn";
pub const TRANCHE_COUNT_DISPROVED: &str = "attrib_tranche_count_disproved";
pub const BOND_RETURNED: &str = "attrib_bond_returned";
pub const BOND_FORFEITED: &str = "attrib_bond_forfeited";
pub const VERSION_SEALED: &str = "attrib_version_sealed";
pub const LICENSE_PURCHASED: &str = "attrib_license_purchased";
pub const FEE_FORWARDED: &str = "attrib_fee_forwarded";
pub const CONFIG_UPDATED: &str = "attrib_config_updated";
pub const ADMIN_PROPOSED: &str = "attrib_admin_proposed";
pub const ADMIN_ACCEPTED: &str = "attrib_admin_accepted";
pub const PAUSE_SET: &str = "attrib_pause_set";
pub const CONTRACT_MIGRATED: &str = "attrib_contract_migrated";

pub const STAKE_BONDED: &str = "attrib_stake_bonded";
pub const STAKE_UNBONDING: &str = "attrib_stake_unbonding";
pub const STAKE_RELEASED: &str = "attrib_stake_released";
pub const STAKE_SLASHED: &str = "attrib_stake_slashed";
pub const PAYOUT_CREDITED: &str = "attrib_payout_credited";
pub const PAYOUT_WITHDRAWN: &str = "attrib_payout_withdrawn";
pub const REVIEW_OPENED: &str = "attrib_review_opened";
pub const REVIEW_REDRAWN: &str = "attrib_review_redrawn";
/// A review waits for entropy revealed after its request before its committee is drawn.
pub const REVIEW_DRAW_REQUESTED: &str = "attrib_review_draw_requested";
pub const COMMITTEE_DRAWN: &str = "attrib_committee_drawn";
pub const ENTROPY_COMMITTED: &str = "attrib_entropy_committed";
pub const ENTROPY_REVEALED: &str = "attrib_entropy_revealed";
pub const VOTE_COMMITTED: &str = "attrib_vote_committed";
pub const VOTE_REVEALED: &str = "attrib_vote_revealed";
pub const REVIEW_FINALIZED: &str = "attrib_review_finalized";
pub const REVIEW_AWAITING_ADMIN: &str = "attrib_review_awaiting_admin";
pub const CHALLENGE_OPENED: &str = "attrib_challenge_opened";
pub const SLASHER_SET: &str = "attrib_slasher_set";
pub const PEERS_SET: &str = "attrib_peers_set";
pub const CHANGE_ANNOUNCED: &str = "attrib_change_announced";
pub const CHANGE_APPLIED: &str = "attrib_change_applied";
pub const CHANGE_CANCELLED: &str = "attrib_change_cancelled";

pub const REWARD_INFLOW: &str = "attrib_reward_inflow";
pub const EMISSIONS_FUNDED: &str = "attrib_emissions_funded";
pub const EMISSION_RESERVE_WITHDRAWN: &str = "attrib_emission_reserve_withdrawn";
pub const EPOCH_CLOSED: &str = "attrib_epoch_closed";
pub const EPOCHS_SKIPPED: &str = "attrib_epochs_skipped";
pub const EPOCH_SETTLED: &str = "attrib_epoch_settled";
pub const FEES_SPLIT: &str = "attrib_fees_split";
/// A page of an epoch's final booking that leaves more denoms for the next call.
pub const EPOCH_FINISH_PAGE: &str = "attrib_epoch_finish_page";
pub const REWARDS_CLAIMED: &str = "attrib_rewards_claimed";
pub const CURATOR_REWARDS_CLAIMED: &str = "attrib_curator_rewards_claimed";
pub const TREASURY_CLAIMED: &str = "attrib_treasury_claimed";
pub const REWARDS_CLAWED_BACK: &str = "attrib_rewards_clawed_back";
pub const DENOM_ACCEPTED: &str = "attrib_denom_accepted";
pub const IBC_PAYMENT_RECEIVED: &str = "attrib_ibc_payment_received";
pub const REMOTE_CLAIM_SENT: &str = "attrib_remote_claim_sent";
pub const REMOTE_CLAIM_DELIVERED: &str = "attrib_remote_claim_delivered";
pub const REMOTE_CLAIM_RETURNED: &str = "attrib_remote_claim_returned";
pub const CREDITS_CLAIMED: &str = "attrib_credits_claimed";

pub const BATCH_SUBMITTED: &str = "attrib_batch_submitted";
pub const BATCH_FINALIZED: &str = "attrib_batch_finalized";
pub const USAGE_ROYALTY: &str = "attrib_usage_royalty";
pub const MODEL_SUSPENDED: &str = "attrib_model_suspended";
pub const OMISSION_UPHELD: &str = "attrib_omission_upheld";
pub const MODEL_REGISTERED: &str = "attrib_model_registered";
pub const ESCROW_FUNDED: &str = "attrib_escrow_funded";
pub const ESCROW_WITHDRAWN: &str = "attrib_escrow_withdrawn";
pub const OPERATOR_REGISTERED: &str = "attrib_operator_registered";
pub const FRAUD_PROVEN: &str = "attrib_fraud_proven";
pub const MODEL_CLOSED: &str = "attrib_model_closed";
/// SPEC §5.6: a signed receipt whose leaf the operator must show.
pub const INCLUSION_REQUESTED: &str = "attrib_inclusion_requested";
/// Answered: `outcome` `included` (fee to the operator) or `altered` (batch voided).
pub const INCLUSION_ANSWERED: &str = "attrib_inclusion_answered";
/// Closed without an answer: `outcome` `upheld` (deadline passed, batch voided) or
/// `refunded` (the batch was voided otherwise).
pub const INCLUSION_EXPIRED: &str = "attrib_inclusion_expired";

/// `action` values (the `wasm` event's `action` attribute).
pub mod action {
    pub const REGISTER_SCHEMA: &str = "register_schema";
    pub const REGISTER_DATASET: &str = "register_dataset";
    pub const UPDATE_LICENSE_TERMS: &str = "update_license_terms";
    pub const ADD_CANARY: &str = "add_canary";
    pub const RETIRE_DATASET: &str = "retire_dataset";
    pub const REGISTER_TRANCHE: &str = "register_tranche";
    pub const COMMIT_TRANCHE: &str = "commit_tranche";
    pub const WITHDRAW_TRANCHE_COMMITMENT: &str = "withdraw_tranche_commitment";
    pub const PROVE_RECORD_COUNT: &str = "prove_record_count";
    pub const ACCEPT_UNCHALLENGED: &str = "accept_unchallenged";
    pub const BEGIN_REVIEW: &str = "begin_review";
    pub const RECORD_REVIEW_OUTCOME: &str = "record_review_outcome";
    pub const SEAL_VERSION: &str = "seal_version";
    pub const BUY_LICENSE: &str = "buy_license";
    pub const UPDATE_CONFIG: &str = "update_config";
    pub const PROPOSE_ADMIN: &str = "propose_admin";
    pub const ACCEPT_ADMIN: &str = "accept_admin";
    pub const SET_PAUSED: &str = "set_paused";
    pub const MIGRATE: &str = "migrate";
    pub const STAKE: &str = "stake";
    pub const UNSTAKE: &str = "unstake";
    pub const CLAIM_UNBONDED: &str = "claim_unbonded";
    pub const WITHDRAW_PAYOUT: &str = "withdraw_payout";
    pub const OPEN_REVIEW: &str = "open_review";
    pub const CHALLENGE: &str = "challenge";
    pub const COMMIT_VOTE: &str = "commit_vote";
    pub const REVEAL_VOTE: &str = "reveal_vote";
    pub const FINALIZE_REVIEW: &str = "finalize_review";
    pub const COMMIT_ENTROPY: &str = "commit_entropy";
    pub const REVEAL_ENTROPY: &str = "reveal_entropy";
    pub const DRAW_COMMITTEE: &str = "draw_committee";
    pub const ADMIN_RESOLVE: &str = "admin_resolve";
    pub const SLASH: &str = "slash";
    pub const SET_SLASHER: &str = "set_slasher";
    pub const ANNOUNCE_CHANGE: &str = "announce_change";
    pub const APPLY_CHANGE: &str = "apply_change";
    pub const CANCEL_CHANGE: &str = "cancel_change";
    pub const SET_PEERS: &str = "set_peers";
    pub const UPDATE_PARAMS: &str = "update_params";
    pub const PAY: &str = "pay";
    pub const FUND_EMISSIONS: &str = "fund_emissions";
    pub const WITHDRAW_EMISSION_RESERVE: &str = "withdraw_emission_reserve";
    pub const CLOSE_EPOCH: &str = "close_epoch";
    pub const SETTLE_EPOCH: &str = "settle_epoch";
    pub const CLAIM_REWARDS: &str = "claim_rewards";
    pub const CLAIM_CURATOR_REWARDS: &str = "claim_curator_rewards";
    pub const CLAIM_TREASURY: &str = "claim_treasury";
    pub const RECORD_REVOCATION: &str = "record_revocation";
    pub const SET_ACCEPTED_DENOM: &str = "set_accepted_denom";
    pub const CLAIM_CREDITS: &str = "claim_credits";
    pub const IBC_DESTINATION_CALLBACK: &str = "ibc_destination_callback";
    pub const IBC_SOURCE_CALLBACK: &str = "ibc_source_callback";
    pub const CHALLENGE_OMISSION: &str = "challenge_omission";
    pub const INSTANTIATE: &str = "instantiate";
    pub const SUBMIT_BATCH: &str = "submit_batch";
    pub const FINALIZE_BATCH: &str = "finalize_batch";
    pub const RECORD_OMISSION: &str = "record_omission";
    pub const REGISTER_MODEL: &str = "register_model";
    pub const SET_MODEL_OPERATOR: &str = "set_model_operator";
    pub const REGISTER_OPERATOR: &str = "register_operator";
    pub const FUND_ESCROW: &str = "fund_escrow";
    pub const REQUEST_WITHDRAWAL: &str = "request_withdrawal";
    pub const WITHDRAW_ESCROW: &str = "withdraw_escrow";
    pub const CLOSE_MODEL: &str = "close_model";
    pub const REQUEST_INCLUSION: &str = "request_inclusion";
    pub const ANSWER_INCLUSION: &str = "answer_inclusion";
    pub const EXPIRE_INCLUSION: &str = "expire_inclusion";
}

/// A response that already carries its `action` attribute.
pub fn response(action: &str) -> cosmwasm_std::Response {
    cosmwasm_std::Response::new().add_attribute(attr::ACTION, action)
}
