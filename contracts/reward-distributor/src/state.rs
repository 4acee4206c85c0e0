//! Stored types of the reward distributor; they double as query payloads.

use attrib_std::curation::Concentration;
use attrib_std::governance::AdminControl;
use attrib_std::interfaces::omission_target::AuditStats;
use attrib_std::interfaces::points_source::DisputeStats;
use attrib_std::interfaces::reward_source::QualityStatsResponse;
use attrib_std::rewards::{EmissionSchedule, EpochClock, TakeRates, VersionKey};
use attrib_std::timelock::Timelock;
use cosmwasm_schema::cw_serde;
use cosmwasm_std::{Addr, Decimal, Uint128, Uint256};
use cw_storage_plus::{Item, Map};

/// Emissions: minted from a reserve the admin (or anyone) funds, capped per epoch by
/// `min(schedule, k × fee value)`.
#[cw_serde]
pub struct EmissionConfig {
    /// The emission token (`cw20:<address>` or a native denom).
    pub denom: String,
    pub schedule: EmissionSchedule,
    /// At most the take rate (protocol + curator bps).
    pub k_bps: u32,
}

#[cw_serde]
pub struct Config {
    /// Sealed versions and tranche weights are read from here; only it may report
    /// revocations.
    pub registry: Option<Addr>,
    /// Review points and concentration are read from here.
    pub curator_staking: Option<Addr>,
    pub receipt_oracle: Option<Addr>,
    /// Receives the protocol fee (claims it with `claim_treasury`).
    pub treasury: Addr,
    pub clock: EpochClock,
    pub rates: TakeRates,
    /// Allocations vest this long after their epoch closes (the dispute window): until
    /// then a revoked tranche's share is clawed back. 0 s - a year.
    pub vesting_secs: u64,
    pub emission: Option<EmissionConfig>,
    /// `k` of the top-k share in the epoch's concentration snapshot. 1 - 100.
    pub top_k: u32,
    /// How long an announced change of the treasury or of a peer waits before it applies:
    /// one day - thirty days (`attrib_std::timelock::CHANGE_DELAY_SECS`). Default two days
    /// (configs stored before it existed).
    #[serde(default = "attrib_std::timelock::default_change_delay")]
    pub change_delay_secs: u64,
}

/// The terms an epoch is split by, fixed when the epoch opens: a change of the rates or
/// of the vesting period applies from the next epoch on, never to one already open.
#[cw_serde]
pub struct EpochTerms {
    pub rates: TakeRates,
    pub vesting_secs: u64,
}

/// What `announce_change` announces: changes of where money goes or whom the pool trusts.
#[cw_serde]
pub enum DistributorChange {
    /// A new treasury. What the old one is owed, and the treasury share of epochs closed
    /// before the change, stay claimable by the old one.
    Treasury { address: String },
    /// Move peers that are set (the registry is fixed once a version was allocated to:
    /// positions are keyed by its ids and its word names their owners).
    Peers { peers: attrib_std::wiring::Peers },
}

/// An allowlisted denom: native, IBC (`ibc/…`) or cw20 (`cw20:<address>`).
#[cw_serde]
pub struct AcceptedDenom {
    /// Payments below this are refused (anti-dust); the protocol's own contracts are exempt.
    pub min_amount: Uint128,
    /// Fee value of one unit, in emission-token units (0: earns no emission).
    pub value_weight: Decimal,
}

#[cw_serde]
#[derive(Copy, Eq)]
pub enum EpochStatus {
    /// Taking inflows (or due, not yet closed).
    Open,
    /// Closed; allocations are being applied in pages.
    Settling,
    Settled,
}

impl EpochStatus {
    /// The status as events name it (snake case, like its JSON).
    pub fn as_str(&self) -> &'static str {
        match self {
            EpochStatus::Open => "open",
            EpochStatus::Settling => "settling",
            EpochStatus::Settled => "settled",
        }
    }
}

/// Where settlement of an epoch has got to.
#[cw_serde]
pub enum SettleCursor {
    /// Each denom's fees split into treasury, curator and dataset shares, after this denom.
    Split { after: Option<String> },
    /// Earmarked fee rows, after this (denom, version).
    Fees { after: Option<(String, VersionKey)> },
    /// Emission by version fee value, after this version.
    Emission { after: Option<VersionKey> },
    /// Treasury and curator shares, rounding remainders.
    Finish,
    /// The same, after this denom.
    FinishAfter { denom: String },
}

/// Protocol state worth tracking as a trend, taken when the epoch closes (SPEC §8).
#[cw_serde]
pub struct EpochSnapshot {
    pub concentration: Option<Concentration>,
    pub disputes: Option<DisputeStats>,
    pub quality: Option<QualityStatsResponse>,
    /// The receipt oracle's audits (fraud proofs, inclusion requests), since it began.
    #[serde(default)]
    pub audits: Option<AuditStats>,
}

#[cw_serde]
pub struct Epoch {
    pub epoch: u64,
    pub status: EpochStatus,
    /// Sum over inflows of amount × denom value weight.
    pub fee_value: Uint128,
    /// Fee value earmarked to versions (the base emissions are split by).
    pub earmarked_value: Uint128,
    /// Emission minted for the epoch (emission denom).
    pub emission: Uint128,
    pub inflows: u64,
    /// Distinct buyers who paid in this epoch, and how many of them paid in an earlier one.
    pub buyers: u64,
    pub returning_buyers: u64,
    pub closed_at: Option<u64>,
    /// Contributor and curator rewards of this epoch vest at this time.
    pub vest_at: Option<u64>,
    pub settled_at: Option<u64>,
    /// Curator review points of the epoch (the curator pool is split by them).
    pub curator_points: u64,
    pub curator_points_claimed: u64,
    pub cursor: Option<SettleCursor>,
    pub snapshot: Option<EpochSnapshot>,
    /// Take rates in force when the epoch closed: its fees are split by them however
    /// many settle calls the split takes, whatever the admin changes meanwhile.
    #[serde(default)]
    pub rates: Option<TakeRates>,
    /// Denom of the emission minted at close (settlement allocates it in that denom).
    #[serde(default)]
    pub emission_denom: Option<String>,
    /// The treasury when the epoch closed: its treasury share is owed to this address,
    /// whatever treasury change applies before the epoch settles (older epochs: the
    /// treasury at settlement).
    #[serde(default)]
    pub treasury: Option<Addr>,
}

impl Epoch {
    pub fn new(epoch: u64) -> Self {
        Epoch {
            epoch,
            status: EpochStatus::Open,
            fee_value: Uint128::zero(),
            earmarked_value: Uint128::zero(),
            emission: Uint128::zero(),
            inflows: 0,
            buyers: 0,
            returning_buyers: 0,
            closed_at: None,
            vest_at: None,
            settled_at: None,
            curator_points: 0,
            curator_points_claimed: 0,
            cursor: None,
            snapshot: None,
            rates: None,
            emission_denom: None,
            treasury: None,
        }
    }
}

/// One denom of one epoch: what came in, and (once settlement's split phase has reached
/// it) how it is split. Fee and emission columns are kept apart.
#[cw_serde]
#[derive(Default)]
pub struct EpochDenom {
    /// Fees earmarked to dataset versions.
    pub fee_earmarked: Uint128,
    /// Unearmarked fees (bonds, slashes, schema fees, clawbacks, donations).
    pub fee_pool: Uint128,
    /// Shares of all fees of the epoch in this denom.
    pub fee_treasury: Uint128,
    pub fee_curators: Uint128,
    pub fee_datasets: Uint128,
    /// Dataset share applied to versions so far (the rest goes to the treasury at finish).
    pub fee_datasets_applied: Uint128,
    /// Emission of the epoch, if this is the emission denom.
    pub emission_treasury: Uint128,
    pub emission_curators: Uint128,
    pub emission_datasets: Uint128,
    pub emission_datasets_applied: Uint128,
    /// Curator shares paid out so far.
    pub curators_paid_fee: Uint128,
    pub curators_paid_emission: Uint128,
}

/// A dataset version the distributor has allocated to.
#[cw_serde]
pub struct VersionAccount {
    /// Weight still earning: sealed weight less revoked tranches.
    pub live_weight: Uint128,
    /// (denom, funding key) pairs ever allocated to it; a claim walks these.
    pub denoms: Vec<(String, u8)>,
}

/// One accumulator: a version's rewards in one denom and funding.
#[cw_serde]
#[derive(Default)]
pub struct Accumulator {
    /// Reward per unit of weight, scaled by `attrib_std::rewards::RPW_SCALE`.
    pub rpw: Uint256,
    pub allocated: Uint128,
    pub claimed: Uint128,
    pub clawed_back: Uint128,
}

/// A tranche's claim on a version.
#[cw_serde]
pub struct Position {
    pub contributor: Addr,
    pub weight: Uint128,
    pub revoked: bool,
}

/// Per denom: every unit this contract received and where it is. Invariant:
/// received = unsettled + treasury_owed + curators_owed + versions_owed
///            + emission_reserve + paid_out,
/// and the balance held = received - paid_out.
#[cw_serde]
#[derive(Default)]
pub struct Ledger {
    pub received: Uint128,
    /// Fee inflows of epochs not yet settled.
    pub unsettled: Uint128,
    pub treasury_owed: Uint128,
    /// Curator pools of settled epochs not yet claimed.
    pub curators_owed: Uint128,
    /// Allocated to dataset versions and not yet claimed (vested or not).
    pub versions_owed: Uint128,
    /// Emission tokens not yet minted into an epoch.
    pub emission_reserve: Uint128,
    pub paid_out: Uint128,
    /// Of `paid_out`, by whom (per funding in `paid_fee` / `paid_emission`).
    pub paid_contributors: Uint128,
    pub paid_curators: Uint128,
    pub paid_treasury: Uint128,
    pub paid_fee: Uint128,
    pub paid_emission: Uint128,
    /// Unvested rewards of revoked tranches taken back.
    pub clawed_back: Uint128,
    /// Of `paid_out`, sent to another chain and not yet acknowledged.
    #[serde(default)]
    pub in_transit: Uint128,
    /// Claims that came back from another chain, owed to their owners again.
    #[serde(default)]
    pub credits_owed: Uint128,
    /// Units of remote claims that came back (failed or timed out), ever.
    #[serde(default)]
    pub returned: Uint128,
}

impl Ledger {
    pub fn liabilities(&self) -> Uint128 {
        self.unsettled
            + self.treasury_owed
            + self.curators_owed
            + self.versions_owed
            + self.emission_reserve
            + self.credits_owed
    }
}

#[cw_serde]
pub struct Buyer {
    pub first_epoch: u64,
    pub last_epoch: u64,
    pub epochs_paid: u64,
}

/// Protocol-wide buyer counters.
#[cw_serde]
#[derive(Default)]
pub struct BuyerTotals {
    pub distinct: u64,
    /// Buyers who paid in two or more epochs.
    pub repeat: u64,
}

pub struct RewardDistributorContract {
    pub(crate) gov: AdminControl,
    pub(crate) config: Item<Config>,
    pub(crate) accepted: Map<&'static str, AcceptedDenom>,
    /// Oldest epoch not yet closed.
    pub(crate) next_close: Item<u64>,
    /// The epoch being settled, if any (one at a time, in order).
    pub(crate) settling: Item<Option<u64>>,
    pub(crate) epochs: Map<u64, Epoch>,
    pub(crate) epoch_denoms: Map<(u64, &'static str), EpochDenom>,
    /// (epoch, denom, version) → fee earmarked to that version.
    pub(crate) epoch_rows: Map<(u64, &'static str, VersionKey), Uint128>,
    /// (epoch, version) → fee value earmarked to that version.
    pub(crate) epoch_values: Map<(u64, VersionKey), Uint128>,
    pub(crate) versions: Map<VersionKey, VersionAccount>,
    /// (version, denom, funding) → accumulator.
    pub(crate) accumulators: Map<(VersionKey, &'static str, u8), Accumulator>,
    /// (version, denom, funding, vest_at) → reward per weight once everything allocated
    /// up to that vest time has vested.
    pub(crate) vesting: Map<((VersionKey, &'static str, u8), u64), Uint256>,
    /// (tranche, version) → position.
    pub(crate) positions: Map<(u64, VersionKey), Position>,
    /// (tranche, version, denom, funding) → reward per weight already paid up to.
    pub(crate) checkpoints: Map<((u64, VersionKey), &'static str, u8), Uint256>,
    /// (tranche, version, denom, funding) → vested rewards of a revoked position.
    pub(crate) frozen: Map<((u64, VersionKey), &'static str, u8), Uint128>,
    /// (epoch, curator) → claimed.
    pub(crate) curator_claims: Map<(u64, &'static Addr), ()>,
    /// (treasury, denom, funding) → owed to that treasury. Keyed by address so that a
    /// treasury change never moves what is already owed to the old one.
    pub(crate) treasury_owed: Map<(&'static Addr, &'static str, u8), Uint128>,
    pub(crate) ledgers: Map<&'static str, Ledger>,
    pub(crate) buyers: Map<&'static Addr, Buyer>,
    pub(crate) buyer_totals: Item<BuyerTotals>,
    /// Claims on their way to another chain, by id (the id rides in the transfer memo).
    pub(crate) claim_transfers: Map<u64, ClaimTransfer>,
    pub(crate) next_claim_transfer: Item<u64>,
    /// (owner, denom) → claims that came back (failed or timed out), claimable again.
    pub(crate) credits: Map<(&'static Addr, &'static str), Uint128>,
    /// First epoch → the terms in force from it on (until the next entry).
    pub(crate) terms: Map<u64, EpochTerms>,
    pub(crate) pending_change: Timelock<DistributorChange>,
}

impl RewardDistributorContract {
    /// The config as epoch `epoch` is split by: its rates and vesting are those in force
    /// when it opened (before the first recorded terms, the config's own).
    pub(crate) fn config_for_epoch(
        &self,
        storage: &dyn cosmwasm_std::Storage,
        mut config: Config,
        epoch: u64,
    ) -> cosmwasm_std::StdResult<Config> {
        let terms = self
            .terms
            .range(
                storage,
                None,
                Some(cw_storage_plus::Bound::inclusive(epoch)),
                cosmwasm_std::Order::Descending,
            )
            .next()
            .transpose()?;
        if let Some((_, t)) = terms {
            config.rates = t.rates;
            config.vesting_secs = t.vesting_secs;
        }
        Ok(config)
    }
}

/// A claim sent over IBC, awaiting its acknowledgement or timeout.
#[cw_serde]
pub struct ClaimTransfer {
    pub owner: Addr,
    pub denom: String,
    pub amount: Uint128,
    pub channel_id: String,
    pub receiver: String,
    pub sent_at: u64,
}
