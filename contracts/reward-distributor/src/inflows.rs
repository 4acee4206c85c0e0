//! Inflows (SPEC §6.2): every payment is recorded in the current epoch, per denom and
//! per destination (an earmarked dataset version, or the unearmarked pool), tagged fee;
//! emission tokens go to a reserve and are minted per epoch at close.

use attrib_std::events::{self, attr};
use attrib_std::interfaces::reward_source::sv::Querier as _;
use attrib_std::interfaces::reward_source::RewardSource;
use attrib_std::rewards::{self, Earmark, InflowReason, PayMsg, VersionKey, BPS};
use attrib_std::validation::ValidationError;
use cosmwasm_std::{Addr, Coin, DepsMut, Env, Event, Response, StdError, Storage, Uint128};
use sylvia::types::Remote;

use crate::error::ContractError;
use crate::state::{Buyer, Config, Epoch, Ledger, RewardDistributorContract, VersionAccount};

pub const MAX_EARMARKS: usize = 32;

/// The protocol's own contracts: exempt from the allowlist minimum and the reason rule,
/// since refusing what they forward would strand funds mid-flow.
pub fn is_protocol(config: &Config, sender: &Addr) -> bool {
    [&config.registry, &config.curator_staking, &config.receipt_oracle]
        .iter()
        .any(|a| a.as_ref() == Some(sender))
}

fn validate_earmarks(earmarks: &[Earmark]) -> Result<(), ContractError> {
    if earmarks.len() > MAX_EARMARKS {
        return Err(ContractError::TooManyEarmarks { max: MAX_EARMARKS });
    }
    if earmarks.is_empty() {
        return Ok(());
    }
    if let Some(e) = earmarks.iter().find(|e| e.weight_bps == 0) {
        return Err(rewards::RewardsError::ZeroEarmarkWeight {
            dataset_id: e.dataset_id,
            version: e.version,
        }
        .into());
    }
    let sum: u64 = earmarks.iter().map(|e| e.weight_bps as u64).sum();
    if sum != BPS as u64 {
        return Err(rewards::RewardsError::BadEarmarkWeights { sum }.into());
    }
    for (i, e) in earmarks.iter().enumerate() {
        if earmarks[..i]
            .iter()
            .any(|o| (o.dataset_id, o.version) == (e.dataset_id, e.version))
        {
            return Err(rewards::RewardsError::RepeatedEarmark {
                dataset_id: e.dataset_id,
                version: e.version,
            }
            .into());
        }
    }
    Ok(())
}

impl RewardDistributorContract {
    /// The version's account, created from the registry's `version_shares` on first use
    /// (which also proves the version is sealed).
    pub(crate) fn ensure_version(
        &self,
        deps: &mut DepsMut,
        config: &Config,
        key: VersionKey,
    ) -> Result<VersionAccount, ContractError> {
        if let Some(v) = self.versions.may_load(deps.storage, key)? {
            return Ok(v);
        }
        let registry = config.registry.clone().ok_or(ContractError::NoRegistry {})?;
        let shares = Remote::<dyn RewardSource<Error = StdError>>::new(registry)
            .querier(&deps.querier)
            .version_shares(key.0, key.1)?;
        let account = VersionAccount {
            live_weight: shares.live_weight,
            denoms: vec![],
        };
        self.versions.save(deps.storage, key, &account)?;
        Ok(account)
    }

    pub(crate) fn ledger_update(
        &self,
        storage: &mut dyn Storage,
        denom: &str,
        f: impl FnOnce(&mut Ledger),
    ) -> Result<(), ContractError> {
        let mut l = self.ledgers.may_load(storage, denom)?.unwrap_or_default();
        f(&mut l);
        self.ledgers.save(storage, denom, &l)?;
        Ok(())
    }

    /// Records one payment of `coin` by `sender` (for a cw20 hook: whoever sent the tokens).
    pub(crate) fn do_pay(
        &self,
        mut deps: DepsMut,
        env: &Env,
        sender: &Addr,
        coin: Coin,
        pay: PayMsg,
    ) -> Result<Response, ContractError> {
        let config = self.config.load(deps.storage)?;
        let protocol = is_protocol(&config, sender);
        // A paused pool still records what the protocol's contracts forward: refusing it
        // would make license purchases, slashes and fraud proofs revert elsewhere.
        if !protocol {
            self.gov.assert_not_paused(deps.storage)?;
        }
        let accepted = self.accepted.may_load(deps.storage, &coin.denom)?;
        if !protocol {
            let accepted = accepted.as_ref().ok_or_else(|| ContractError::DenomNotAccepted {
                denom: coin.denom.clone(),
            })?;
            if coin.amount < accepted.min_amount {
                return Err(ContractError::BelowMinimum {
                    denom: coin.denom,
                    amount: coin.amount,
                    min: accepted.min_amount,
                });
            }
            if pay.reason != InflowReason::DirectPayment {
                return Err(ContractError::ReasonNotAllowed {
                    reason: pay.reason.as_str().to_string(),
                });
            }
            if pay.payer.is_some() {
                return Err(ContractError::PayerNotAllowed {});
            }
        }
        // License fees the registry forwards must be in a denom the pool accepts: each
        // denom a version earns in becomes an accumulator that every claim and revocation
        // of the version walks, and license prices are the maintainer's to choose (issue
        // 14, item 2: junk denoms grew a revocation past the block gas limit). Royalties
        // are in a model's royalty denom, checked when the model registers; bonds and
        // slashes carry no earmarks and are never refused (a slash must not revert).
        if protocol && accepted.is_none() && pay.reason == InflowReason::LicensePurchase {
            return Err(ContractError::DenomNotAccepted {
                denom: coin.denom.clone(),
            });
        }
        if coin.amount.is_zero() {
            return Err(ValidationError::Invalid {
                field: "amount",
                reason: "must be positive",
            }
            .into());
        }
        validate_earmarks(&pay.earmarks)?;
        let payer = match &pay.payer {
            Some(p) => deps.api.addr_validate(p)?,
            None => sender.clone(),
        };

        let now = env.block.time.seconds();
        let e = config.clock.epoch_at(now);
        let mut epoch = self
            .epochs
            .may_load(deps.storage, e)?
            .unwrap_or_else(|| Epoch::new(e));
        let mut row = self
            .epoch_denoms
            .may_load(deps.storage, (e, &coin.denom))?
            .unwrap_or_default();
        let value_weight = accepted.map(|a| a.value_weight).unwrap_or_default();
        let value = rewards::fee_value(coin.amount, value_weight);
        epoch.fee_value += value;
        epoch.inflows += 1;

        let weights: Vec<u32> = pay.earmarks.iter().map(|e| e.weight_bps).collect();
        let shares = rewards::split_by_weight(coin.amount, &weights);
        let values = rewards::split_by_weight(value, &weights);
        if pay.earmarks.is_empty() {
            row.fee_pool += coin.amount;
        }
        for ((mark, share), v) in pay.earmarks.iter().zip(&shares).zip(&values) {
            let key = (mark.dataset_id, mark.version);
            self.ensure_version(&mut deps, &config, key)?;
            self.epoch_rows
                .update(deps.storage, (e, &coin.denom, key), |a| -> Result<_, StdError> {
                    Ok(a.unwrap_or_default() + *share)
                })?;
            self.epoch_values
                .update(deps.storage, (e, key), |a| -> Result<_, StdError> {
                    Ok(a.unwrap_or_default() + *v)
                })?;
            row.fee_earmarked += *share;
            epoch.earmarked_value += *v;
        }
        if pay.reason.is_buyer_payment() {
            self.record_buyer(deps.storage, &mut epoch, &payer)?;
        }
        self.epochs.save(deps.storage, e, &epoch)?;
        self.epoch_denoms.save(deps.storage, (e, &coin.denom), &row)?;
        self.ledger_update(deps.storage, &coin.denom, |l| {
            l.received += coin.amount;
            l.unsettled += coin.amount;
        })?;

        let earmarks = pay
            .earmarks
            .iter()
            .map(|m| format!("{}/{}:{}", m.dataset_id, m.version, m.weight_bps))
            .collect::<Vec<_>>()
            .join(",");
        Ok(events::response(events::action::PAY).add_event(
            Event::new(events::REWARD_INFLOW)
                .add_attribute(attr::EPOCH, e.to_string())
                .add_attribute(attr::AMOUNT, coin.to_string())
                .add_attribute(attr::FUNDING, "fee")
                .add_attribute(attr::REASON, pay.reason.as_str())
                .add_attribute(attr::PAYER, payer.as_str())
                .add_attribute(attr::EARMARKS, earmarks),
        ))
    }

    /// Distinct buyers per epoch, and buyers who pay again in a later epoch.
    fn record_buyer(
        &self,
        storage: &mut dyn Storage,
        epoch: &mut Epoch,
        who: &Addr,
    ) -> Result<(), ContractError> {
        let e = epoch.epoch;
        let buyer = match self.buyers.may_load(storage, who)? {
            Some(b) if b.last_epoch == e => return Ok(()),
            Some(mut b) => {
                epoch.returning_buyers += 1;
                b.last_epoch = e;
                b.epochs_paid += 1;
                if b.epochs_paid == 2 {
                    self.buyer_totals
                        .update(storage, |mut t| -> Result<_, StdError> {
                            t.repeat += 1;
                            Ok(t)
                        })?;
                }
                b
            }
            None => {
                self.buyer_totals
                    .update(storage, |mut t| -> Result<_, StdError> {
                        t.distinct += 1;
                        Ok(t)
                    })?;
                Buyer {
                    first_epoch: e,
                    last_epoch: e,
                    epochs_paid: 1,
                }
            }
        };
        epoch.buyers += 1;
        self.buyers.save(storage, who, &buyer)?;
        Ok(())
    }

    pub(crate) fn do_fund_emissions(
        &self,
        storage: &mut dyn Storage,
        funder: &Addr,
        coin: Coin,
    ) -> Result<Response, ContractError> {
        self.gov.assert_not_paused(storage)?;
        let config = self.config.load(storage)?;
        let emission = config.emission.ok_or(ContractError::NoEmissions {})?;
        if coin.denom != emission.denom {
            return Err(ContractError::WrongEmissionDenom {
                expected: emission.denom,
                denom: coin.denom,
            });
        }
        if coin.amount.is_zero() {
            return Err(ValidationError::Invalid {
                field: "amount",
                reason: "must be positive",
            }
            .into());
        }
        self.ledger_update(storage, &coin.denom, |l| {
            l.received += coin.amount;
            l.emission_reserve += coin.amount;
        })?;
        Ok(events::response(events::action::FUND_EMISSIONS).add_event(
            Event::new(events::EMISSIONS_FUNDED)
                .add_attribute(attr::AMOUNT, coin.to_string())
                .add_attribute(attr::PAYER, funder.as_str()),
        ))
    }

    /// Admin: take unminted emission tokens back to the treasury.
    pub(crate) fn do_withdraw_emission_reserve(
        &self,
        storage: &mut dyn Storage,
        sender: &Addr,
        amount: Uint128,
    ) -> Result<Response, ContractError> {
        self.gov.assert_admin(storage, sender)?;
        let config = self.config.load(storage)?;
        let emission = config.emission.ok_or(ContractError::NoEmissions {})?;
        let ledger = self
            .ledgers
            .may_load(storage, &emission.denom)?
            .unwrap_or_default();
        if amount.is_zero() || amount > ledger.emission_reserve {
            return Err(ContractError::ReserveTooSmall {
                available: ledger.emission_reserve,
                requested: amount,
            });
        }
        self.ledger_update(storage, &emission.denom, |l| {
            l.emission_reserve -= amount;
            l.paid_out += amount;
            l.paid_treasury += amount;
        })?;
        Ok(events::response(events::action::WITHDRAW_EMISSION_RESERVE)
            .add_message(attrib_std::funds::send(
                &emission.denom,
                &config.treasury,
                amount,
            )?)
            .add_event(
                Event::new(events::EMISSION_RESERVE_WITHDRAWN)
                    .add_attribute(attr::AMOUNT, format!("{amount}{}", emission.denom))
                    .add_attribute(attr::RECIPIENT, config.treasury.as_str()),
            ))
    }
}
