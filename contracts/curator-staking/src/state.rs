//! Stored types of curator staking; they double as query payloads.

use attrib_std::curation::Vote;
use attrib_std::governance::AdminControl;
use attrib_std::registry::TrancheId;
use attrib_std::rewards::EpochClock;
use attrib_std::timelock::Timelock;
use cosmwasm_schema::cw_serde;
use cosmwasm_std::{Addr, HexBinary, Uint128};
use cw_storage_plus::{Item, Map};

/// What is staked, fixed at instantiation.
#[cw_serde]
pub enum StakeAsset {
    Native { denom: String },
    Cw20 { address: Addr },
}

#[cw_serde]
pub struct Config {
    pub registry: Addr,
    /// The receipt oracle that omission claims are about (set by the admin).
    pub receipt_oracle: Option<Addr>,
    /// Receives the pool share of slashed stake (the reward distributor).
    pub reward_pool: Addr,
    pub asset: StakeAsset,
    /// Start of epoch 0 of review points (the reward distributor uses the same clock).
    pub epoch_start: u64,
    pub params: Params,
}

impl Config {
    /// The review-points epochs, the reward distributor's clock too.
    pub fn clock(&self) -> EpochClock {
        EpochClock {
            epoch_start: self.epoch_start,
            epoch_secs: self.params.epoch_secs,
        }
    }
}

/// Largest review committee (the cost of a draw and of finalizing grows with it).
pub const MAX_COMMITTEE: u32 = 21;
/// Largest dispute committee.
pub const MAX_DISPUTE_COMMITTEE: u32 = 51;
/// Most a non-revealing member loses: 10 %.
pub const MAX_NON_REVEAL_SLASH_BPS: u32 = 1_000;
/// Most a curator who accepted a tranche later revoked loses: 50 %.
pub const MAX_WRONG_ACCEPT_SLASH_BPS: u32 = 5_000;
/// Most of a slash a challenger is paid: half (the rest goes to the reward pool), so a
/// slash is never worth more to whoever triggers it than to the protocol.
pub const MAX_CHALLENGER_SHARE_BPS: u32 = 5_000;
pub const MAX_ROUNDS: u32 = 10;
pub const MAX_STAKERS: u32 = 1_000;
/// Most entropy reveals a committee seed may ask for.
pub const MAX_DRAW_REVEALS: u32 = 16;

/// The tunable parameters, set at instantiation and by `update_params`. Every field has a
/// range (checked at both, refused with `ValidationError::OutOfRange`); "a year" is
/// `attrib_std::validation::range::MAX_SECS`.
#[cw_serde]
pub struct Params {
    /// Least bonded stake to be drawn onto committees. Any amount (0: no floor).
    pub min_stake: Uint128,
    /// Unstaked stake stays slashable this long before it can be released. 1 s - a year.
    pub unbonding_secs: u64,
    /// 1 - 21 ([`MAX_COMMITTEE`]).
    pub committee_size: u32,
    /// Size of a dispute (appeal) committee: `committee_size` - 51.
    pub dispute_committee_size: u32,
    /// Cap of one curator's draw weight, as a share of all candidates' stake. 1 - 10 000 bps.
    pub max_weight_bps: u32,
    /// 1 s - a year.
    pub commit_secs: u64,
    /// 1 s - a year.
    pub reveal_secs: u64,
    /// Revealed committee weight needed for an outcome. 1 - 10 000 bps.
    pub quorum_bps: u32,
    /// Light slash of a committee member who did not reveal. 0 - 1 000 bps.
    pub non_reveal_slash_bps: u32,
    /// Slash of the curators who voted to accept a tranche later revoked. 0 - 5 000 bps.
    pub wrong_accept_slash_bps: u32,
    /// At least 1.
    pub dispute_bond: Uint128,
    /// How long after acceptance an accepted tranche can be disputed. 1 s -
    /// `unbonding_secs`, so an acceptor who unbonds at once is still slashable when a
    /// dispute opens (which then locks its stake until it ends).
    pub dispute_window_secs: u64,
    /// Share of a slash paid to the challenger who proved it. 0 - 5 000 bps.
    pub challenger_share_bps: u32,
    /// Rounds of redraw when a committee misses quorum, before the admin decides. 1 - 10.
    pub max_rounds: u32,
    /// Length of a review-points epoch. 1 s - a year, fixed at instantiation.
    pub epoch_secs: u64,
    /// Upper bound on stakers (bounds the cost of a draw and of concentration queries).
    /// 1 - 1 000.
    pub max_stakers: u32,
    /// How long an announced change of who may slash (a slasher, the receipt oracle peer)
    /// or where slashed stake goes (the reward pool peer) waits before it applies: one
    /// day - thirty days (`attrib_std::timelock::CHANGE_DELAY_SECS`), and never shorter
    /// than `unbonding_secs`, so a staker who sees it coming can leave first. Default two
    /// days (configs stored before it existed).
    #[serde(default = "attrib_std::timelock::default_change_delay")]
    pub change_delay_secs: u64,
    /// Least number of salts a committee seed needs (1-`MAX_DRAW_REVEALS`): every
    /// candidate's entropy commitment outstanding at a draw request must be revealed
    /// after it, and at least this many. Default 1 (configs stored before it existed).
    #[serde(default = "default_draw_reveals")]
    pub draw_reveals: u32,
    /// After this long without the entropy a requested draw needs, the admin may draw
    /// from block data, and the candidates who withheld a commitment outstanding at the
    /// request are slashed like non-revealing members. 1 s - half of `unbonding_secs`
    /// (so a withholder who unbonds at the request is still there for the fallback);
    /// default an hour.
    #[serde(default = "default_draw_timeout")]
    pub draw_timeout_secs: u64,
}

fn default_draw_reveals() -> u32 {
    1
}

fn default_draw_timeout() -> u64 {
    3_600
}

pub use attrib_std::interfaces::slashing_service::Role;

/// What `announce_change` announces: changes of who may slash or where slashed stake goes.
#[cw_serde]
pub enum StakingChange {
    /// Let a contract slash (never the admin).
    AddSlasher { address: String },
    /// Move peers that are set (the receipt oracle also slashes; the reward pool receives
    /// slashed stake; the registry is fixed once a review was opened).
    Peers { peers: attrib_std::wiring::Peers },
}

impl StakingChange {
    pub fn what(&self) -> &'static str {
        match self {
            StakingChange::AddSlasher { .. } => "slasher",
            StakingChange::Peers { .. } => "peers",
        }
    }
}

#[cw_serde]
pub struct Unbonding {
    pub amount: Uint128,
    pub release_at: u64,
    /// When the unstake was made (0: before this was recorded). A slasher added after it
    /// cannot take it: whoever left when the slasher was announced is safe from it.
    #[serde(default)]
    pub started_at: u64,
}

#[cw_serde]
pub struct Staker {
    pub role: Role,
    pub bonded: Uint128,
    /// Still slashable until released.
    pub unbonding: Vec<Unbonding>,
    pub slashed: Uint128,
}

impl Staker {
    pub fn unbonding_total(&self) -> Uint128 {
        self.unbonding.iter().map(|u| u.amount).sum()
    }
}

/// Every coin of the stake asset this contract ever received, and where it is.
/// Invariant: received = bonded + unbonding + challenge_bonds + payouts_owed + paid_out
/// + sent_to_pool, and the contract's balance = bonded + unbonding + challenge_bonds +
/// payouts_owed.
#[cw_serde]
#[derive(Default)]
pub struct Totals {
    pub received: Uint128,
    pub bonded: Uint128,
    pub unbonding: Uint128,
    /// Challenge and dispute bonds awaiting their outcome.
    pub challenge_bonds: Uint128,
    /// Owed to curators and challengers, claimable with `withdraw_payout`.
    pub payouts_owed: Uint128,
    /// Released to stakers (unbonded) or paid to payees.
    pub paid_out: Uint128,
    /// Sent to the reward pool.
    pub sent_to_pool: Uint128,
}

#[cw_serde]
pub enum ReviewKind {
    /// A strict tranche's admission review, opened by the registry.
    Admission,
    /// An optimistic tranche challenged inside its window.
    Challenge {
        challenger: Addr,
        bond: Uint128,
        evidence_hash: HexBinary,
        evidence_uri: String,
    },
    /// An accepted tranche disputed inside the dispute window; a larger committee.
    Dispute {
        challenger: Addr,
        bond: Uint128,
        evidence_hash: HexBinary,
        evidence_uri: String,
    },
    /// A model emitted a dataset's canary but does not declare the dataset (SPEC §5.5).
    /// `Accept` upholds the claim. The review's `tranche_id` is 0 for this kind.
    Omission {
        claimant: Addr,
        bond: Uint128,
        model_id: u64,
        model_owner: Addr,
        dataset_id: u64,
        version: u32,
        evidence_uri: String,
    },
}

#[cw_serde]
pub enum ReviewStatus {
    /// Waiting for entropy revealed after the draw request (`Review::draw`).
    Drawing,
    Voting,
    /// No quorum after the last round: the admin decides.
    AwaitingAdmin,
    Finalized,
}

#[cw_serde]
pub struct Member {
    pub curator: Addr,
    pub weight: Uint128,
    /// The draw ticket that landed on this curator (see `attrib_std::curation::draw`).
    pub ticket: String,
    pub commitment: Option<HexBinary>,
    /// Shown once revealed.
    pub vote: Option<Vote>,
}

/// A committee draw that waits for entropy nobody knew when it was requested.
#[cw_serde]
pub struct DrawRequest {
    /// Block of the request: only salts committed before it and revealed after it count.
    pub requested_height: u64,
    pub requested_at: u64,
    /// Unused since every commitment outstanding at the request counts (kept so requests
    /// stored before load; 0 in new ones).
    #[serde(default)]
    pub log_from: u64,
    pub size: u32,
    /// Who may not sit on the committee, nor feed its seed.
    pub exclude: Vec<Addr>,
    /// What the draw is bound to, fixed at the request: candidates are the curators
    /// bonded before block `requested_height` (`CuratorStakingContract::stake_history`), judged
    /// with these terms; stake moved and params updated after the request change
    /// nothing. `None`: a request stored before it existed, drawn as then (current
    /// stakes and params).
    #[serde(default)]
    pub terms: Option<DrawTerms>,
    /// The pause clock at the request: the admin's fallback waits the timeout plus every
    /// pause since, so pausing cannot hurry it (and slash the curators who withheld).
    #[serde(default)]
    pub paused_secs: u64,
}

/// The params a requested draw uses, copied from the config at the request.
#[cw_serde]
pub struct DrawTerms {
    pub min_stake: Uint128,
    pub max_weight_bps: u32,
    pub draw_reveals: u32,
    pub draw_timeout_secs: u64,
}

impl DrawTerms {
    pub fn of(p: &Params) -> Self {
        DrawTerms {
            min_stake: p.min_stake,
            max_weight_bps: p.max_weight_bps,
            draw_reveals: p.draw_reveals,
            draw_timeout_secs: p.draw_timeout_secs,
        }
    }
}

/// An outstanding entropy commitment of a curator (one at a time).
#[cw_serde]
pub struct EntropyCommit {
    pub commitment: HexBinary,
    pub height: u64,
}

/// A revealed entropy salt (kept by curator and reveal height), or a commitment the
/// admin's fallback dropped unrevealed (`forfeited`, no salt): every draw requested while
/// it was outstanding still waits for its own fallback, so withholding never buys a draw
/// without the withheld salt.
#[cw_serde]
pub struct EntropyReveal {
    pub salt: HexBinary,
    pub committed_height: u64,
    #[serde(default)]
    pub forfeited: bool,
}

#[cw_serde]
pub struct Review {
    pub id: u64,
    pub tranche_id: TrancheId,
    pub kind: ReviewKind,
    pub round: u32,
    pub seed: HexBinary,
    pub opened_at: u64,
    pub commit_deadline: u64,
    pub reveal_deadline: u64,
    pub members: Vec<Member>,
    pub status: ReviewStatus,
    pub outcome: Option<Vote>,
    pub decided_by_admin: bool,
    pub finalized_at: Option<u64>,
    /// Set while `Drawing`; the committee (and `seed`, deadlines) come with the draw.
    #[serde(default)]
    pub draw: Option<DrawRequest>,
}

pub use attrib_std::interfaces::points_source::DisputeStats;

pub struct CuratorStakingContract {
    pub(crate) gov: AdminControl,
    pub(crate) config: Item<Config>,
    pub(crate) totals: Item<Totals>,
    pub(crate) entropy: Item<HexBinary>,
    pub(crate) stakers: Map<&'static Addr, Staker>,
    pub(crate) staker_count: Item<u32>,
    /// Pauses added up (draw timeouts are pushed back by them).
    pub(crate) pause_clock: Item<attrib_std::governance::PauseClock>,
    pub(crate) slashers: Map<&'static Addr, ()>,
    /// When each slasher was added (absent: before this was recorded, i.e. always).
    pub(crate) slasher_since: Map<&'static Addr, u64>,
    pub(crate) next_review: Item<u64>,
    pub(crate) reviews: Map<u64, Review>,
    /// Open review of a tranche (at most one at a time).
    pub(crate) open_by_tranche: Map<TrancheId, u64>,
    /// Curators whose accept votes admitted a tranche (slashed if it is revoked).
    pub(crate) accepted_by: Map<TrancheId, Vec<Addr>>,
    /// Review points per (epoch, curator), and per epoch in total.
    pub(crate) points: Map<(u64, &'static Addr), u64>,
    pub(crate) epoch_points: Map<u64, u64>,
    pub(crate) payouts: Map<&'static Addr, Uint128>,
    pub(crate) disputes: Item<DisputeStats>,
    /// Open omission claim per (model, dataset, version).
    pub(crate) open_omissions: Map<(u64, u64, u32), u64>,
    /// A change of who may slash or where slashed stake goes, announced and waiting.
    pub(crate) pending_change: Timelock<StakingChange>,
    pub(crate) entropy_commits: Map<&'static Addr, EntropyCommit>,
    /// (curator, height of the reveal) → the salt and when it was committed. A draw
    /// requested at `h` finds, per candidate, the first reveal after `h`: it counts if it
    /// was committed before `h` (one commitment at a time, so it is the one outstanding
    /// at the request).
    pub(crate) entropy_reveals: Map<(&'static Addr, u64), EntropyReveal>,
    /// (curator, review id): seats on an open committee, and acceptors under an open
    /// dispute. Stake whose owner holds one cannot be released (`claim_unbonded`), so
    /// what a review may slash is still there when it ends.
    pub(crate) locks: Map<(&'static Addr, u64), ()>,
    /// Each curator's bonded stake at the end of every block it changed in (0 once it
    /// left), so a draw reads stake as of its request: the latest entry before the
    /// request's block. Stake moved in that block, even ahead of the request in the same
    /// transaction, does not count. (A hand-kept history rather than cw-storage-plus's
    /// `SnapshotMap`, whose code does not fit the contract's wasm budget.)
    pub(crate) stake_history: Map<(&'static Addr, u64), Uint128>,
    /// Height → curators whose staker record went in that block: a draw requested at
    /// `h` finds the curators gone since `h` here (`stakers` holds those present now).
    pub(crate) curator_departures: Map<u64, Vec<Addr>>,
}
