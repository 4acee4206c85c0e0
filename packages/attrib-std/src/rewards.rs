//! The reward rules of Attrib (SPEC §6), in one place for the distributor, the contracts
//! that pay into it, the CLI and the tests:
//!
//! - [`PayMsg`] / [`pay_msg`]: how any contract pays the reward pool (native funds on the
//!   `pay` message, or a cw20 `send` whose hook carries the same payload);
//! - [`split_by_weight`]: a payment split by basis-point weights, exact to the unit;
//! - [`split_fees`]: treasury, curator and dataset shares of an epoch's fees;
//! - [`emission_for_epoch`] and [`check_emission_factor`]: emissions bounded by fees;
//! - the accumulator ([`rpw_increment`], [`accrued`], [`earned`]): "reward per weight" per
//!   dataset version, so a claim costs O(positions), never O(epochs).

use cosmwasm_schema::cw_serde;
use cosmwasm_std::{to_json_binary, Addr, Coin, CosmosMsg, Decimal, StdResult, Uint128, Uint256, WasmMsg};
use thiserror::Error;

use crate::funds::CW20_PREFIX;
use crate::registry::{DatasetId, TrancheId, VersionId};

pub const BPS: u32 = 10_000;

/// Reward per weight is kept with 18 decimals: a version of up to 10^18 weight units
/// still sees every unit of an allocation.
pub const RPW_SCALE: u128 = 1_000_000_000_000_000_000;

/// A dataset version as the distributor keys it.
pub type VersionKey = (DatasetId, VersionId);

/// Where rewards come from. Fee-funded and emission-funded rewards are accounted
/// separately everywhere (SPEC §1.4).
#[cw_serde]
#[derive(Copy, Eq, Hash, PartialOrd, Ord)]
pub enum Funding {
    /// Real buyer fees (licenses, usage royalties, direct payments, forfeited bonds, slashes).
    Fee,
    /// Token emissions, capped by the epoch's fee value.
    Emission,
}

impl Funding {
    pub const ALL: [Funding; 2] = [Funding::Fee, Funding::Emission];

    /// Stable one-byte storage key.
    pub fn key(self) -> u8 {
        match self {
            Funding::Fee => 0,
            Funding::Emission => 1,
        }
    }

    pub fn from_key(k: u8) -> Option<Funding> {
        match k {
            0 => Some(Funding::Fee),
            1 => Some(Funding::Emission),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Funding::Fee => "fee",
            Funding::Emission => "emission",
        }
    }
}

/// Part of a payment earmarked for a dataset version, by weight.
#[cw_serde]
#[derive(Copy, Eq)]
pub struct Earmark {
    pub dataset_id: DatasetId,
    pub version: VersionId,
    pub weight_bps: u32,
}

/// Why money reaches the reward pool. Every reason is fee-funded; emissions are minted
/// by the distributor itself.
#[cw_serde]
#[derive(Copy, Eq)]
pub enum InflowReason {
    /// A license purchase (registry), earmarked to the licensed version.
    LicensePurchase,
    /// Finalized metered usage (receipt oracle), earmarked by lineage weight.
    UsageRoyalty,
    /// Back royalties of an upheld omission claim (receipt oracle).
    BackRoyalty,
    /// A buyer paying a dataset (or the pool) directly.
    DirectPayment,
    /// Schema registration fee (registry).
    SchemaFee,
    /// A listing bond forfeited (duplicate, rejection, retirement) or a dispute bond lost.
    ForfeitedBond,
    /// The pool share of slashed stake (curator staking).
    Slash,
    /// The pool share of a slashed model bond (receipt oracle).
    ModelBondSlash,
}

impl InflowReason {
    /// Payments made by a buyer of data (they count for buyer retention metrics).
    pub fn is_buyer_payment(self) -> bool {
        matches!(
            self,
            InflowReason::LicensePurchase
                | InflowReason::UsageRoyalty
                | InflowReason::BackRoyalty
                | InflowReason::DirectPayment
        )
    }

    pub fn as_str(self) -> &'static str {
        match self {
            InflowReason::LicensePurchase => "license_purchase",
            InflowReason::UsageRoyalty => "usage_royalty",
            InflowReason::BackRoyalty => "back_royalty",
            InflowReason::DirectPayment => "direct_payment",
            InflowReason::SchemaFee => "schema_fee",
            InflowReason::ForfeitedBond => "forfeited_bond",
            InflowReason::Slash => "slash",
            InflowReason::ModelBondSlash => "model_bond_slash",
        }
    }
}

/// What a payment to the reward pool says about itself: the body of the distributor's
/// `pay` message and of its cw20 hook.
#[cw_serde]
pub struct PayMsg {
    /// Empty: the unearmarked pool (split over the epoch's earmarked versions).
    pub earmarks: Vec<Earmark>,
    pub reason: InflowReason,
    /// The buyer on whose behalf a protocol contract pays (for buyer metrics). Only the
    /// registry, curator staking and the receipt oracle may name one.
    pub payer: Option<String>,
}

/// The cw20 hook messages of the reward distributor.
#[cw_serde]
pub enum PoolReceiveMsg {
    /// Pay the pool in this cw20 token.
    Pay(PayMsg),
    /// Add to the emission reserve (the emission token only).
    FundEmissions {},
}

/// A payment of `amount` of `denom` to the reward pool: the distributor's `pay` with
/// native funds, or a cw20 `send` with the `pay` hook for `cw20:` denoms.
pub fn pay_msg(pool: &Addr, denom: &str, amount: Uint128, pay: PayMsg) -> StdResult<CosmosMsg> {
    Ok(match denom.strip_prefix(CW20_PREFIX) {
        Some(token) => crate::funds::Cw20Call::Send {
            contract: pool.to_string(),
            amount,
            msg: to_json_binary(&PoolReceiveMsg::Pay(pay))?,
        }
        .on(token)?,
        None => WasmMsg::Execute {
            contract_addr: pool.to_string(),
            msg: to_json_binary(&crate::interfaces::reward_pool::sv::ExecMsg::Pay {
                earmarks: pay.earmarks,
                reason: pay.reason,
                payer: pay.payer,
            })?,
            funds: vec![Coin::new(amount, denom)],
        }
        .into(),
    })
}

/// Splits `amount` by basis-point `weights` (which sum to [`BPS`]); the last share takes
/// the rounding remainder, so the shares add up to `amount` exactly.
pub fn split_by_weight(amount: Uint128, weights: &[u32]) -> Vec<Uint128> {
    let mut given = Uint128::zero();
    weights
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let share = if i + 1 == weights.len() {
                amount - given
            } else {
                amount.multiply_ratio(*w, BPS)
            };
            given += share;
            share
        })
        .collect()
}

#[derive(Error, Debug, PartialEq, Eq)]
pub enum RewardsError {
    #[error("protocol_bps {protocol_bps} + curator_bps {curator_bps} exceed 10000")]
    TakeRateTooHigh { protocol_bps: u32, curator_bps: u32 },

    #[error(
        "emission factor k = {k_bps} bps exceeds the take rate {take_rate_bps} bps (protocol + \
         curator): a buyer paying fees to their own dataset would then earn more emission than \
         the fees cost them"
    )]
    EmissionFactorTooHigh { k_bps: u32, take_rate_bps: u32 },

    #[error("earmark weights must sum to 10000 bps, got {sum}")]
    BadEarmarkWeights { sum: u64 },

    #[error("earmark {dataset_id}/{version} has weight 0 bps: leave it out instead")]
    ZeroEarmarkWeight {
        dataset_id: DatasetId,
        version: VersionId,
    },

    #[error("earmark {dataset_id}/{version} is listed twice")]
    RepeatedEarmark {
        dataset_id: DatasetId,
        version: VersionId,
    },
}

/// Protocol and curator take rates.
#[cw_serde]
#[derive(Copy, Eq)]
pub struct TakeRates {
    pub protocol_bps: u32,
    pub curator_bps: u32,
}

impl TakeRates {
    pub fn validate(&self) -> Result<(), RewardsError> {
        if self.protocol_bps as u64 + self.curator_bps as u64 > BPS as u64 {
            return Err(RewardsError::TakeRateTooHigh {
                protocol_bps: self.protocol_bps,
                curator_bps: self.curator_bps,
            });
        }
        Ok(())
    }

    pub fn take_rate_bps(&self) -> u32 {
        self.protocol_bps + self.curator_bps
    }
}

/// The three shares of an amount of fees (or emission).
#[cw_serde]
#[derive(Copy, Default, Eq)]
pub struct FeeSplit {
    pub treasury: Uint128,
    pub curators: Uint128,
    pub datasets: Uint128,
}

/// `ceil(amount × bps / 10 000)`.
fn bps_ceil(amount: Uint128, bps: u32) -> Uint128 {
    let num = Uint256::from(amount) * Uint256::from(bps) + Uint256::from(BPS - 1);
    // At most `amount` when bps <= 10 000.
    Uint128::try_from(num / Uint256::from(BPS)).unwrap_or(amount)
}

/// Treasury and curator shares round up, datasets take the rest, so the three add up to
/// `total` exactly and the dataset share never exceeds `total × (1 - take)`: that is what
/// keeps wash trading unprofitable to the unit (see [`check_emission_factor`]).
pub fn split_fees(total: Uint128, rates: TakeRates) -> FeeSplit {
    let treasury = bps_ceil(total, rates.protocol_bps).min(total);
    let curators = bps_ceil(total, rates.curator_bps).min(total - treasury);
    FeeSplit {
        treasury,
        curators,
        datasets: total - treasury - curators,
    }
}

/// `k` may not exceed the take rate. A self-dealing buyer who is also the contributor
/// pays `F` of fee value, gets back at most `(1 - take) F` as a contributor, and at most
/// `k F` of emission (all of it, even the curators' and treasury's parts): with
/// `k <= take` that never exceeds `F`.
pub fn check_emission_factor(k_bps: u32, rates: TakeRates) -> Result<(), RewardsError> {
    if k_bps > rates.take_rate_bps() {
        return Err(RewardsError::EmissionFactorTooHigh {
            k_bps,
            take_rate_bps: rates.take_rate_bps(),
        });
    }
    Ok(())
}

/// How many emission tokens an epoch may mint at most.
#[cw_serde]
#[derive(Copy, Eq)]
pub struct EmissionSchedule {
    /// Emission of epoch 0.
    pub per_epoch: Uint128,
    /// The per-epoch amount halves every this many epochs (0: never).
    pub halving_epochs: u64,
}

impl EmissionSchedule {
    pub fn at(&self, epoch: u64) -> Uint128 {
        if self.halving_epochs == 0 {
            return self.per_epoch;
        }
        let halvings = epoch / self.halving_epochs;
        if halvings >= 128 {
            Uint128::zero()
        } else {
            Uint128::new(self.per_epoch.u128() >> halvings)
        }
    }
}

/// Fee value of `amount` of a denom whose value weight (emission-token units per unit)
/// is `weight`, floored.
pub fn fee_value(amount: Uint128, weight: Decimal) -> Uint128 {
    amount.mul_floor(weight)
}

/// Emission of an epoch: `min(schedule(epoch), k × fee value)` (SPEC §6.4).
pub fn emission_for_epoch(
    schedule: &EmissionSchedule,
    epoch: u64,
    k_bps: u32,
    fee_value: Uint128,
) -> Uint128 {
    schedule.at(epoch).min(fee_value.multiply_ratio(k_bps, BPS))
}

/// Reward per weight added by allocating `amount` over `weight` (floored).
pub fn rpw_increment(amount: Uint128, weight: Uint128) -> Uint256 {
    if weight.is_zero() {
        return Uint256::zero();
    }
    Uint256::from(amount) * Uint256::from(RPW_SCALE) / Uint256::from(weight)
}

/// What `weight` has accrued at reward-per-weight `rpw` since zero (floored).
pub fn accrued(weight: Uint128, rpw: Uint256) -> Uint128 {
    let v = Uint256::from(weight) * rpw / Uint256::from(RPW_SCALE);
    // A position never accrues more than the version was allocated, which fits a u128.
    Uint128::try_from(v).unwrap_or(Uint128::MAX)
}

/// What `weight` earned while reward per weight went from `from` to `to`. Taking the
/// difference of floored totals (not the floor of the difference) means repeated claims
/// never lose a unit: the sum of every claim is `accrued(weight, latest)`.
pub fn earned(weight: Uint128, from: Uint256, to: Uint256) -> Uint128 {
    accrued(weight, to) - accrued(weight, from.min(to))
}

/// A contributor's claim on one dataset version: one tranche in one version.
#[cw_serde]
#[derive(Copy, Eq)]
pub struct PositionRef {
    pub dataset_id: DatasetId,
    pub version: VersionId,
    pub tranche_id: TrancheId,
}

/// The distributor's epoch clock (shared with curator staking's review points).
#[cw_serde]
#[derive(Copy, Eq)]
pub struct EpochClock {
    pub epoch_start: u64,
    pub epoch_secs: u64,
}

impl EpochClock {
    pub fn epoch_at(&self, now: u64) -> u64 {
        now.saturating_sub(self.epoch_start) / self.epoch_secs
    }

    /// `epoch` has not begun even a posting grace after `now` ("unborn"): a receipt
    /// labelled with it is late at once (SPEC §5.4), else an operator could put off its
    /// late omission by labelling receipts with far epochs. The oracle's
    /// `challenge_late_omission` and the auditor both use this rule.
    pub fn unborn(&self, epoch: u64, now: u64, posting_grace_secs: u64) -> bool {
        epoch > self.epoch_at(now.saturating_add(posting_grace_secs))
    }

    pub fn end_of(&self, epoch: u64) -> u64 {
        self.epoch_start
            .saturating_add(epoch.saturating_add(1).saturating_mul(self.epoch_secs))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const RATES: TakeRates = TakeRates {
        protocol_bps: 1_000,
        curator_bps: 1_500,
    };

    #[test]
    fn split_by_weight_is_exact() {
        let parts = split_by_weight(Uint128::new(100), &[3_333, 3_333, 3_334]);
        assert_eq!(parts, vec![Uint128::new(33), Uint128::new(33), Uint128::new(34)]);
        assert_eq!(split_by_weight(Uint128::new(7), &[10_000]), vec![Uint128::new(7)]);
    }

    #[test]
    fn fee_split_adds_up() {
        let s = split_fees(Uint128::new(1_001), RATES);
        assert_eq!(s.treasury, Uint128::new(101));
        assert_eq!(s.curators, Uint128::new(151));
        assert_eq!(s.datasets, Uint128::new(749));
        // A 100% take never overdraws.
        let all = TakeRates {
            protocol_bps: 5_000,
            curator_bps: 5_000,
        };
        let s = split_fees(Uint128::new(1), all);
        assert_eq!(
            (s.treasury, s.curators, s.datasets),
            (Uint128::one(), Uint128::zero(), Uint128::zero())
        );
    }

    #[test]
    fn k_above_take_rate_is_refused() {
        check_emission_factor(2_500, RATES).unwrap();
        assert_eq!(
            check_emission_factor(2_501, RATES),
            Err(RewardsError::EmissionFactorTooHigh {
                k_bps: 2_501,
                take_rate_bps: 2_500
            })
        );
        assert!(TakeRates {
            protocol_bps: 6_000,
            curator_bps: 5_000
        }
        .validate()
        .is_err());
    }

    #[test]
    fn emission_is_bounded_by_fees_and_schedule() {
        let s = EmissionSchedule {
            per_epoch: Uint128::new(1_000),
            halving_epochs: 10,
        };
        assert_eq!(s.at(0), Uint128::new(1_000));
        assert_eq!(s.at(10), Uint128::new(500));
        assert_eq!(s.at(10_000), Uint128::zero());
        // No fees, no emission.
        assert_eq!(emission_for_epoch(&s, 0, 2_500, Uint128::zero()), Uint128::zero());
        assert_eq!(
            emission_for_epoch(&s, 0, 2_500, Uint128::new(2_000)),
            Uint128::new(500)
        );
        assert_eq!(
            emission_for_epoch(&s, 0, 2_500, Uint128::new(1_000_000)),
            Uint128::new(1_000)
        );
    }

    #[test]
    fn accumulator_vector() {
        // 1000 over weight 3: each unit of weight gets 333.33…; weights 1 and 2 get 333 and 666.
        let r = rpw_increment(Uint128::new(1_000), Uint128::new(3));
        assert_eq!(accrued(Uint128::new(1), r), Uint128::new(333));
        assert_eq!(accrued(Uint128::new(2), r), Uint128::new(666));
        assert_eq!(rpw_increment(Uint128::new(5), Uint128::zero()), Uint256::zero());
    }

    #[test]
    fn epoch_clock() {
        let c = EpochClock {
            epoch_start: 100,
            epoch_secs: 10,
        };
        assert_eq!(c.epoch_at(99), 0);
        assert_eq!(c.epoch_at(109), 0);
        assert_eq!(c.epoch_at(110), 1);
        assert_eq!(c.end_of(1), 120);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2_000))]

        /// The wash-trading bound: a buyer who is the only contributor of the dataset it
        /// pays, at the highest allowed k, never gets back more than it paid.
        #[test]
        fn wash_trading_never_pays(fee in 1u128..1_000_000_000_000, protocol in 0u32..5_000, curator in 0u32..5_000) {
            let rates = TakeRates { protocol_bps: protocol, curator_bps: curator };
            let k = rates.take_rate_bps();
            check_emission_factor(k, rates).unwrap();
            let fee = Uint128::new(fee);
            let split = split_fees(fee, rates);
            let schedule = EmissionSchedule { per_epoch: Uint128::MAX, halving_epochs: 0 };
            // Even if the trader captured the whole emission, treasury and curator parts too:
            let emission = emission_for_epoch(&schedule, 0, k, fee);
            prop_assert!(split.datasets + emission <= fee);
        }

        /// Claims in any number of steps add up to the one-shot accrual, never more.
        #[test]
        fn repeated_claims_lose_nothing(
            allocs in proptest::collection::vec(1u128..1_000_000_000, 1..20),
            weight in 1u128..1_000_000,
            total_extra in 0u128..1_000_000,
        ) {
            let w = Uint128::new(weight);
            let total = Uint128::new(weight + total_extra);
            let mut rpw = Uint256::zero();
            let mut claimed = Uint128::zero();
            let mut checkpoint = Uint256::zero();
            let mut allocated = Uint128::zero();
            for a in allocs {
                rpw += rpw_increment(Uint128::new(a), total);
                allocated += Uint128::new(a);
                claimed += earned(w, checkpoint, rpw);
                checkpoint = rpw;
            }
            prop_assert_eq!(claimed, accrued(w, rpw));
            prop_assert!(claimed <= allocated.multiply_ratio(w, total));
        }
    }
}
