//! Read side: epochs, positions, curator and treasury rewards, accounts, metrics.

use attrib_std::rewards::{Funding, PositionRef, BPS};
use attrib_std::validation::ValidationError;
use cosmwasm_std::{Order, StdError, StdResult, Uint128};
use cw_storage_plus::Bound;
use sylvia::ctx::QueryCtx;

use crate::claims::Amounts;
use crate::error::ContractError;
use crate::msg::{
    AcceptedDenomEntry, AcceptedDenomsResponse, AccountEntry, AccountsResponse, ConfigResponse,
    CuratorRewardsResponse, EpochDenomEntry, EpochMetrics, EpochResponse, MetricsResponse, PositionResponse,
    RewardAmount, TreasuryResponse, VersionAccountResponse, VersionAccumulator,
};
use crate::state::{EpochStatus, RewardDistributorContract};

pub const MAX_METRICS_EPOCHS: u64 = 100;

fn to_list(amounts: Amounts) -> Vec<RewardAmount> {
    amounts
        .into_iter()
        .map(|((denom, funding), amount)| RewardAmount {
            denom,
            funding,
            amount,
        })
        .collect()
}

fn share_bps(part: Uint128, whole: Uint128) -> u32 {
    if whole.is_zero() {
        0
    } else {
        part.multiply_ratio(BPS, whole).u128() as u32
    }
}

impl RewardDistributorContract {
    pub(crate) fn query_config(&self, ctx: QueryCtx) -> Result<ConfigResponse, ContractError> {
        let config = self.config.load(ctx.deps.storage)?;
        Ok(ConfigResponse {
            current_epoch: config.clock.epoch_at(ctx.env.block.time.seconds()),
            next_close: self.next_close.load(ctx.deps.storage)?,
            settling: self.settling.load(ctx.deps.storage)?,
            config,
        })
    }

    pub(crate) fn query_accepted_denoms(
        &self,
        ctx: QueryCtx,
    ) -> Result<AcceptedDenomsResponse, ContractError> {
        let denoms = self
            .accepted
            .range(ctx.deps.storage, None, None, Order::Ascending)
            .map(|r| r.map(|(denom, accepted)| AcceptedDenomEntry { denom, accepted }))
            .collect::<StdResult<_>>()?;
        Ok(AcceptedDenomsResponse { denoms })
    }

    pub(crate) fn query_epoch(&self, ctx: QueryCtx, epoch: u64) -> Result<EpochResponse, ContractError> {
        let record = self
            .epochs
            .may_load(ctx.deps.storage, epoch)?
            .ok_or(ContractError::EpochNotFound { epoch })?;
        let denoms = self
            .epoch_denoms
            .prefix(epoch)
            .range(ctx.deps.storage, None, None, Order::Ascending)
            .map(|r| r.map(|(denom, row)| EpochDenomEntry { denom, row }))
            .collect::<StdResult<_>>()?;
        Ok(EpochResponse {
            epoch: record,
            denoms,
        })
    }

    pub(crate) fn query_position(
        &self,
        ctx: QueryCtx,
        dataset_id: u64,
        version: u32,
        tranche_id: u64,
    ) -> Result<PositionResponse, ContractError> {
        let config = self.config.load(ctx.deps.storage)?;
        let p = PositionRef {
            dataset_id,
            version,
            tranche_id,
        };
        let pos = self.load_position(ctx.deps, &config, &p)?;
        let (claimable, unvested) =
            self.position_amounts(ctx.deps.storage, &p, &pos, ctx.env.block.time.seconds())?;
        Ok(PositionResponse {
            tranche_id,
            dataset_id,
            version,
            contributor: pos.contributor,
            weight: pos.weight,
            revoked: pos.revoked,
            claimable: to_list(claimable),
            unvested: to_list(unvested),
        })
    }

    pub(crate) fn query_curator_rewards(
        &self,
        ctx: QueryCtx,
        epoch: u64,
        curator: String,
    ) -> Result<CuratorRewardsResponse, ContractError> {
        let addr = ctx.deps.api.addr_validate(&curator)?;
        let config = self.config.load(ctx.deps.storage)?;
        let record = self
            .epochs
            .may_load(ctx.deps.storage, epoch)?
            .ok_or(ContractError::EpochNotFound { epoch })?;
        let claimed = self.curator_claims.has(ctx.deps.storage, (epoch, &addr));
        let points = match config.curator_staking {
            Some(_) => self.curator_points(ctx.deps, &config, epoch, &addr)?,
            None => 0,
        };
        let amounts = if claimed || points == 0 || record.status != EpochStatus::Settled {
            Amounts::new()
        } else {
            self.curator_amounts(
                ctx.deps.storage,
                epoch,
                points,
                record.curator_points,
                record.curator_points_claimed,
            )?
        };
        Ok(CuratorRewardsResponse {
            epoch,
            curator,
            points,
            epoch_points: record.curator_points,
            claimed,
            vest_at: record.vest_at,
            amounts: to_list(amounts),
        })
    }

    pub(crate) fn query_treasury(
        &self,
        ctx: QueryCtx,
        address: Option<String>,
    ) -> Result<TreasuryResponse, ContractError> {
        let treasury = match address {
            Some(a) => ctx.deps.api.addr_validate(&a)?,
            None => self.config.load(ctx.deps.storage)?.treasury,
        };
        let owed = self
            .treasury_owed
            .sub_prefix(&treasury)
            .range(ctx.deps.storage, None, None, Order::Ascending)
            .take(2 * crate::admin::MAX_ACCEPTED_DENOMS)
            .map(|r| {
                let ((denom, fk), amount) = r?;
                Ok(RewardAmount {
                    denom,
                    funding: Funding::from_key(fk).ok_or_else(|| StdError::generic_err("funding key"))?,
                    amount,
                })
            })
            .collect::<StdResult<_>>()?;
        Ok(TreasuryResponse { treasury, owed })
    }

    pub(crate) fn query_accounts(&self, ctx: QueryCtx) -> Result<AccountsResponse, ContractError> {
        let accounts = self
            .ledgers
            .range(ctx.deps.storage, None, None, Order::Ascending)
            .map(|r| {
                r.map(|(denom, ledger)| AccountEntry {
                    denom,
                    expected_balance: ledger.received - ledger.paid_out,
                    ledger,
                })
            })
            .collect::<StdResult<_>>()?;
        Ok(AccountsResponse { accounts })
    }

    pub(crate) fn query_version_account(
        &self,
        ctx: QueryCtx,
        dataset_id: u64,
        version: u32,
    ) -> Result<VersionAccountResponse, ContractError> {
        let key = (dataset_id, version);
        let account = self.versions.may_load(ctx.deps.storage, key)?;
        let mut accumulators = vec![];
        for (denom, fk) in account.iter().flat_map(|a| a.denoms.iter()) {
            accumulators.push(VersionAccumulator {
                denom: denom.clone(),
                funding: Funding::from_key(*fk).ok_or_else(|| StdError::generic_err("funding key"))?,
                accumulator: self
                    .accumulators
                    .load(ctx.deps.storage, (key, denom.as_str(), *fk))?,
            });
        }
        Ok(VersionAccountResponse {
            dataset_id,
            version,
            account,
            accumulators,
        })
    }

    /// SPEC §8 over epochs `from..=to` (at most 100 epochs at a time).
    pub(crate) fn query_metrics(
        &self,
        ctx: QueryCtx,
        from: u64,
        to: u64,
    ) -> Result<MetricsResponse, ContractError> {
        if to < from || to - from >= MAX_METRICS_EPOCHS {
            return Err(ValidationError::Invalid {
                field: "to",
                reason: "the range must hold 1-100 epochs, from <= to",
            }
            .into());
        }
        let mut epochs = vec![];
        let (mut fee_value, mut emission) = (Uint128::zero(), Uint128::zero());
        for r in self.epochs.range(
            ctx.deps.storage,
            Some(Bound::inclusive(from)),
            Some(Bound::inclusive(to)),
            Order::Ascending,
        ) {
            let (e, record) = r?;
            let mut fees = Amounts::new();
            for d in self
                .epoch_denoms
                .prefix(e)
                .range(ctx.deps.storage, None, None, Order::Ascending)
            {
                let (denom, row) = d?;
                let fee = row.fee_earmarked + row.fee_pool;
                if !fee.is_zero() {
                    fees.insert((denom, Funding::Fee), fee);
                }
            }
            fee_value += record.fee_value;
            emission += record.emission;
            let snapshot = record.snapshot.unwrap_or(crate::state::EpochSnapshot {
                concentration: None,
                disputes: None,
                quality: None,
                audits: None,
            });
            epochs.push(EpochMetrics {
                epoch: e,
                settled: record.status == EpochStatus::Settled,
                fee_value: record.fee_value,
                emission: record.emission,
                emission_share_bps: share_bps(record.emission, record.fee_value + record.emission),
                fees: to_list(fees),
                inflows: record.inflows,
                buyers: record.buyers,
                returning_buyers: record.returning_buyers,
                curator_points: record.curator_points,
                concentration: snapshot.concentration,
                disputes: snapshot.disputes,
                quality: snapshot.quality,
                audits: snapshot.audits,
            });
        }
        let mut paid = Amounts::new();
        for r in self.ledgers.range(ctx.deps.storage, None, None, Order::Ascending) {
            let (denom, l) = r?;
            if !l.paid_fee.is_zero() {
                paid.insert((denom.clone(), Funding::Fee), l.paid_fee);
            }
            if !l.paid_emission.is_zero() {
                paid.insert((denom, Funding::Emission), l.paid_emission);
            }
        }
        Ok(MetricsResponse {
            epochs,
            fee_value,
            emission,
            emission_share_bps: share_bps(emission, fee_value + emission),
            buyers: self.buyer_totals.load(ctx.deps.storage)?,
            paid: to_list(paid),
        })
    }
}
