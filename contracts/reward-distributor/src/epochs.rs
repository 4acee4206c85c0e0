//! Epochs (SPEC §6.1, §6.3, §6.4): a permissionless crank closes the oldest due epoch
//! (minting the capped emission, snapshotting metrics and the take rates) at a cost
//! independent of its size, and settlement splits each denom's fees, applies the dataset
//! shares to version accumulators and books the treasury and curator shares, all in
//! pages of at most `limit` items, so no epoch is ever too large to settle.

use attrib_std::events::{self, attr};
use attrib_std::interfaces::omission_target::sv::Querier as _;
use attrib_std::interfaces::omission_target::OmissionTarget;
use attrib_std::interfaces::points_source::sv::Querier as _;
use attrib_std::interfaces::points_source::PointsSource;
use attrib_std::interfaces::reward_source::sv::Querier as _;
use attrib_std::interfaces::reward_source::RewardSource;
use attrib_std::rewards::{self, Funding, VersionKey};
use cosmwasm_std::{Deps, DepsMut, Env, Event, Order, Response, StdError, StdResult, Storage, Uint128};
use cw_storage_plus::Bound;
use sylvia::types::Remote;

use crate::error::ContractError;
use crate::state::{
    Config, Epoch, EpochDenom, EpochSnapshot, EpochStatus, RewardDistributorContract, SettleCursor,
};

pub const MAX_SETTLE_LIMIT: u32 = 100;

impl RewardDistributorContract {
    pub(crate) fn do_close_epoch(&self, deps: DepsMut, env: &Env) -> Result<Response, ContractError> {
        self.gov.assert_not_paused(deps.storage)?;
        if let Some(epoch) = self.settling.load(deps.storage)? {
            return Err(ContractError::SettlementInProgress { epoch });
        }
        let config = self.config.load(deps.storage)?;
        let now = env.block.time.seconds();
        let current = config.clock.epoch_at(now);
        let next = self.next_close.load(deps.storage)?;
        // Epochs without any inflow need no settlement: skip straight to the next one
        // that has some, so a long quiet spell costs one call, not one per epoch.
        let due = self
            .epochs
            .range(
                deps.storage,
                Some(Bound::inclusive(next)),
                Some(Bound::exclusive(current)),
                Order::Ascending,
            )
            .next()
            .transpose()?;
        let Some((e, mut epoch)) = due else {
            if next >= current {
                return Err(ContractError::NothingToClose { current, next });
            }
            self.next_close.save(deps.storage, &current)?;
            return Ok(events::response(events::action::CLOSE_EPOCH).add_event(
                Event::new(events::EPOCHS_SKIPPED)
                    .add_attribute(attr::FROM_EPOCH, next.to_string())
                    .add_attribute(attr::TO_EPOCH, (current - 1).to_string()),
            ));
        };
        let config = self.config_for_epoch(deps.storage, config, e)?;

        let points = self.epoch_points(deps.as_ref(), &config, e)?;
        let snapshot = self.snapshot(deps.as_ref(), &config);
        // Each denom's fees are split by settlement, in pages: closing costs the same
        // however many denoms the epoch took.
        let mut event = Event::new(events::EPOCH_CLOSED).add_attribute(attr::EPOCH, e.to_string());
        if let Some(em) = &config.emission {
            let mut ledger = self
                .ledgers
                .may_load(deps.storage, &em.denom)?
                .unwrap_or_default();
            let cap = rewards::emission_for_epoch(&em.schedule, e, em.k_bps, epoch.fee_value)
                .min(ledger.emission_reserve);
            let split = rewards::split_fees(cap, config.rates);
            // Emission nobody can earn is not minted: it stays in the reserve.
            let datasets = if epoch.earmarked_value.is_zero() {
                Uint128::zero()
            } else {
                split.datasets
            };
            let curators = if points == 0 {
                Uint128::zero()
            } else {
                split.curators
            };
            let minted = split.treasury + curators + datasets;
            if !minted.is_zero() {
                let mut row = self
                    .epoch_denoms
                    .may_load(deps.storage, (e, &em.denom))?
                    .unwrap_or_default();
                row.emission_treasury = split.treasury;
                row.emission_curators = curators;
                row.emission_datasets = datasets;
                self.epoch_denoms.save(deps.storage, (e, &em.denom), &row)?;
                ledger.emission_reserve -= minted;
                ledger.unsettled += minted;
                self.ledgers.save(deps.storage, &em.denom, &ledger)?;
            }
            epoch.emission = minted;
            epoch.emission_denom = Some(em.denom.clone());
            event = event.add_attribute(attr::EMISSION, format!("{minted}{}", em.denom));
        }

        epoch.status = EpochStatus::Settling;
        epoch.closed_at = Some(now);
        epoch.vest_at = Some(now.saturating_add(config.vesting_secs));
        epoch.curator_points = points;
        epoch.rates = Some(config.rates);
        epoch.treasury = Some(config.treasury.clone());
        epoch.cursor = Some(SettleCursor::Split { after: None });
        epoch.snapshot = Some(snapshot);
        self.epochs.save(deps.storage, e, &epoch)?;
        self.settling.save(deps.storage, &Some(e))?;
        self.next_close.save(deps.storage, &(e + 1))?;
        Ok(events::response(events::action::CLOSE_EPOCH).add_event(
            event
                .add_attribute(attr::FEE_VALUE, epoch.fee_value.to_string())
                .add_attribute(attr::CURATOR_POINTS, points.to_string())
                .add_attribute(attr::VEST_AT, epoch.vest_at.unwrap_or_default().to_string()),
        ))
    }

    fn epoch_points(&self, deps: Deps, config: &Config, epoch: u64) -> Result<u64, ContractError> {
        // Without curator staking nobody earns points (the curator share goes to the treasury).
        let Some(staking) = &config.curator_staking else {
            return Ok(0);
        };
        Ok(Remote::<dyn PointsSource<Error = StdError>>::new(staking.clone())
            .querier(&deps.querier)
            .points(epoch, None)?
            .epoch_total)
    }

    /// Metrics of the protocol as the epoch closes; a source that cannot answer leaves
    /// its part empty rather than blocking the crank.
    fn snapshot(&self, deps: Deps, config: &Config) -> EpochSnapshot {
        let staking = config.curator_staking.as_ref().and_then(|s| {
            Remote::<dyn PointsSource<Error = StdError>>::new(s.clone())
                .querier(&deps.querier)
                .concentration(config.top_k)
                .ok()
        });
        let quality = config.registry.as_ref().and_then(|r| {
            Remote::<dyn RewardSource<Error = StdError>>::new(r.clone())
                .querier(&deps.querier)
                .quality_stats()
                .ok()
        });
        let audits = config.receipt_oracle.as_ref().and_then(|o| {
            Remote::<dyn OmissionTarget<Error = StdError>>::new(o.clone())
                .querier(&deps.querier)
                .audit_stats()
                .ok()
        });
        EpochSnapshot {
            concentration: staking.as_ref().map(|s| s.curators.clone()),
            disputes: staking.map(|s| s.disputes),
            quality,
            audits,
        }
    }

    pub(crate) fn do_settle_epoch(
        &self,
        deps: DepsMut,
        env: &Env,
        limit: u32,
    ) -> Result<Response, ContractError> {
        self.gov.assert_not_paused(deps.storage)?;
        if limit == 0 || limit > MAX_SETTLE_LIMIT {
            return Err(ContractError::BadLimit {
                max: MAX_SETTLE_LIMIT,
                got: limit,
            });
        }
        let e = self
            .settling
            .load(deps.storage)?
            .ok_or(ContractError::NothingToSettle {})?;
        let config = self.config.load(deps.storage)?;
        let mut epoch = self.epochs.load(deps.storage, e)?;
        let vest_at = epoch.vest_at.unwrap_or_default();
        let mut budget = limit as usize;
        let mut applied = 0u32;
        let mut resp = events::response(events::action::SETTLE_EPOCH);
        loop {
            match epoch.cursor.clone().unwrap_or(SettleCursor::Finish) {
                SettleCursor::Split { after } => {
                    let rows: Vec<(String, EpochDenom)> = self
                        .epoch_denoms
                        .prefix(e)
                        .range(
                            deps.storage,
                            after.as_deref().map(Bound::exclusive),
                            None,
                            Order::Ascending,
                        )
                        .take(budget + 1)
                        .collect::<StdResult<_>>()?;
                    let more = rows.len() > budget;
                    let rows = &rows[..rows.len().min(budget)];
                    let mut split_event =
                        Event::new(events::FEES_SPLIT).add_attribute(attr::EPOCH, e.to_string());
                    for (denom, mut row) in rows.iter().cloned() {
                        split_denom(
                            &mut row,
                            epoch.rates.unwrap_or(config.rates),
                            epoch.curator_points,
                        );
                        split_event = split_event.add_attribute(
                            format!("fees_{denom}"),
                            format!(
                                "treasury={} curators={} datasets={}",
                                row.fee_treasury, row.fee_curators, row.fee_datasets
                            ),
                        );
                        self.epoch_denoms.save(deps.storage, (e, &denom), &row)?;
                    }
                    if !rows.is_empty() {
                        resp = resp.add_event(split_event);
                    }
                    epoch.cursor = Some(match rows.last() {
                        Some((d, _)) if more => SettleCursor::Split {
                            after: Some(d.clone()),
                        },
                        _ => SettleCursor::Fees { after: None },
                    });
                    budget -= rows.len();
                }
                SettleCursor::Fees { after } => {
                    let start = after.as_ref().map(|(d, k)| Bound::exclusive((d.as_str(), *k)));
                    let rows: Vec<((String, VersionKey), Uint128)> = self
                        .epoch_rows
                        .sub_prefix(e)
                        .range(deps.storage, start, None, Order::Ascending)
                        .take(budget)
                        .collect::<StdResult<_>>()?;
                    for ((denom, key), amount) in &rows {
                        let mut row = self.epoch_denoms.load(deps.storage, (e, denom))?;
                        let share = row.fee_datasets.multiply_ratio(*amount, row.fee_earmarked);
                        if self.allocate(deps.storage, *key, denom, Funding::Fee, share, vest_at)? {
                            row.fee_datasets_applied += share;
                            self.epoch_denoms.save(deps.storage, (e, denom), &row)?;
                        }
                        applied += 1;
                    }
                    epoch.cursor = Some(if rows.len() < budget {
                        SettleCursor::Emission { after: None }
                    } else {
                        SettleCursor::Fees {
                            after: rows.last().map(|((d, k), _)| (d.clone(), *k)),
                        }
                    });
                    budget -= rows.len();
                }
                SettleCursor::Emission { after } => {
                    // The denom minted at close (epochs closed before it was recorded: the config's).
                    let em = (epoch.emission_denom.clone())
                        .or_else(|| config.emission.as_ref().map(|c| c.denom.clone()));
                    let row = match &em {
                        Some(d) => self.epoch_denoms.may_load(deps.storage, (e, d))?,
                        None => None,
                    };
                    let (Some(denom), Some(mut row)) = (em, row.filter(|r| !r.emission_datasets.is_zero()))
                    else {
                        epoch.cursor = Some(SettleCursor::Finish);
                        continue;
                    };
                    let values: Vec<(VersionKey, Uint128)> = self
                        .epoch_values
                        .prefix(e)
                        .range(deps.storage, after.map(Bound::exclusive), None, Order::Ascending)
                        .take(budget)
                        .collect::<StdResult<_>>()?;
                    for (key, value) in &values {
                        let share = row
                            .emission_datasets
                            .multiply_ratio(*value, epoch.earmarked_value);
                        if self.allocate(deps.storage, *key, &denom, Funding::Emission, share, vest_at)? {
                            row.emission_datasets_applied += share;
                        }
                        applied += 1;
                    }
                    self.epoch_denoms.save(deps.storage, (e, &denom), &row)?;
                    epoch.cursor = Some(if values.len() < budget {
                        SettleCursor::Finish
                    } else {
                        SettleCursor::Emission {
                            after: values.last().map(|(k, _)| *k),
                        }
                    });
                    budget -= values.len();
                }
                SettleCursor::Finish => {
                    let (event, done) = self.finish(deps.storage, &mut epoch, env, None, &mut budget)?;
                    resp = resp.add_event(event);
                    if done {
                        break;
                    }
                }
                SettleCursor::FinishAfter { denom } => {
                    let (event, done) =
                        self.finish(deps.storage, &mut epoch, env, Some(denom), &mut budget)?;
                    resp = resp.add_event(event);
                    if done {
                        break;
                    }
                }
            }
            if budget == 0 {
                break;
            }
        }
        self.epochs.save(deps.storage, e, &epoch)?;
        Ok(resp
            .add_attribute(attr::EPOCH, e.to_string())
            .add_attribute(attr::APPLIED, applied.to_string())
            .add_attribute(attr::STATUS, epoch.status.as_str()))
    }

    /// Treasury and curator shares become owed; what could not be applied to a version
    /// (rounding, versions with every tranche revoked) goes to the treasury. One page of
    /// at most `budget` denoms after `after`; returns whether the epoch is now settled.
    fn finish(
        &self,
        storage: &mut dyn Storage,
        epoch: &mut Epoch,
        env: &Env,
        after: Option<String>,
        budget: &mut usize,
    ) -> Result<(Event, bool), ContractError> {
        let e = epoch.epoch;
        let mut rows: Vec<(String, EpochDenom)> = self
            .epoch_denoms
            .prefix(e)
            .range(
                storage,
                after.as_deref().map(Bound::exclusive),
                None,
                Order::Ascending,
            )
            .take(*budget + 1)
            .collect::<StdResult<_>>()?;
        let more = rows.len() > *budget;
        rows.truncate(*budget);
        *budget -= rows.len();
        // Every page books its denoms; only the last one is the epoch's settlement.
        let kind = if more {
            events::EPOCH_FINISH_PAGE
        } else {
            events::EPOCH_SETTLED
        };
        let mut event = Event::new(kind).add_attribute(attr::EPOCH, e.to_string());
        let treasury = match &epoch.treasury {
            Some(t) => t.clone(),
            None => self.config.load(storage)?.treasury,
        };
        if let Some((last, _)) = rows.last().filter(|_| more) {
            epoch.cursor = Some(SettleCursor::FinishAfter { denom: last.clone() });
        }
        for (denom, row) in rows {
            let fee_treasury = row.fee_treasury + (row.fee_datasets - row.fee_datasets_applied);
            let em_treasury = row.emission_treasury + (row.emission_datasets - row.emission_datasets_applied);
            for (funding, amount) in [(Funding::Fee, fee_treasury), (Funding::Emission, em_treasury)] {
                if !amount.is_zero() {
                    self.treasury_owed.update(
                        storage,
                        (&treasury, &denom, funding.key()),
                        |a| -> Result<_, StdError> { Ok(a.unwrap_or_default() + amount) },
                    )?;
                }
            }
            let curators = row.fee_curators + row.emission_curators;
            self.ledger_update(storage, &denom, |l| {
                l.unsettled -= fee_treasury + em_treasury + curators;
                l.treasury_owed += fee_treasury + em_treasury;
                l.curators_owed += curators;
            })?;
            event = event.add_attribute(
                format!("treasury_{denom}"),
                (fee_treasury + em_treasury).to_string(),
            );
        }
        if more {
            return Ok((event, false));
        }
        epoch.status = EpochStatus::Settled;
        epoch.settled_at = Some(env.block.time.seconds());
        epoch.cursor = None;
        self.settling.save(storage, &None)?;
        Ok((event, true))
    }

    /// Adds `amount` to a version's accumulator, vesting at `vest_at`. Returns false
    /// (nothing applied) when the version has no live weight left.
    pub(crate) fn allocate(
        &self,
        storage: &mut dyn Storage,
        key: VersionKey,
        denom: &str,
        funding: Funding,
        amount: Uint128,
        vest_at: u64,
    ) -> Result<bool, ContractError> {
        let mut version = self.versions.load(storage, key)?;
        if version.live_weight.is_zero() {
            return Ok(false);
        }
        if amount.is_zero() {
            return Ok(true);
        }
        let mut acc = self
            .accumulators
            .may_load(storage, (key, denom, funding.key()))?
            .unwrap_or_default();
        acc.rpw += rewards::rpw_increment(amount, version.live_weight);
        acc.allocated += amount;
        self.accumulators
            .save(storage, (key, denom, funding.key()), &acc)?;
        self.vesting
            .save(storage, ((key, denom, funding.key()), vest_at), &acc.rpw)?;
        let pair = (denom.to_string(), funding.key());
        if !version.denoms.contains(&pair) {
            version.denoms.push(pair);
            self.versions.save(storage, key, &version)?;
        }
        self.ledger_update(storage, denom, |l| {
            l.unsettled -= amount;
            l.versions_owed += amount;
        })?;
        Ok(true)
    }
}

/// Splits one denom's fees of an epoch into treasury, curator and dataset shares.
fn split_denom(row: &mut EpochDenom, rates: rewards::TakeRates, points: u64) {
    let split = rewards::split_fees(row.fee_earmarked + row.fee_pool, rates);
    row.fee_treasury = split.treasury;
    row.fee_curators = split.curators;
    row.fee_datasets = split.datasets;
    // Nobody earmarked this denom: the dataset share goes to the curators.
    if row.fee_earmarked.is_zero() {
        row.fee_curators += row.fee_datasets;
        row.fee_datasets = Uint128::zero();
    }
    // Nobody earned review points: the curator share goes to the treasury.
    if points == 0 {
        row.fee_treasury += row.fee_curators;
        row.fee_curators = Uint128::zero();
    }
}
