//! Claims (SPEC §6.5). A contributor claims by position — one tranche in one version —
//! at O(positions × denoms): the vested reward per weight is one reverse range step over
//! the version's vesting snapshots, whatever the number of epochs since the last claim.
//! Curators claim per epoch they earned points in; the treasury claims its balance.
//! A revoked tranche keeps what had vested and loses the rest to the pool.

use std::collections::BTreeMap;

use attrib_std::events::{self, attr};
use attrib_std::funds;
use attrib_std::ibc::RemoteRecipient;
use attrib_std::interfaces::points_source::sv::Querier as _;
use attrib_std::interfaces::points_source::PointsSource;
use attrib_std::interfaces::reward_source::sv::Querier as _;
use attrib_std::interfaces::reward_source::RewardSource;
use attrib_std::registry::TrancheStatus;
use attrib_std::rewards::{self, Funding, PositionRef, VersionKey};
use cosmwasm_std::{
    Addr, Deps, DepsMut, Env, Event, MessageInfo, Order, Response, StdError, StdResult, Storage, Uint128,
    Uint256,
};
use cw_storage_plus::Bound;
use sylvia::types::Remote;

use crate::error::ContractError;
use crate::state::{Config, EpochStatus, Position, RewardDistributorContract};

pub const MAX_CLAIM: usize = 30;

/// What the registry reports when an accepted tranche is revoked.
pub struct Revocation {
    pub tranche_id: u64,
    pub dataset_id: u64,
    pub contributor: String,
    pub weight: Uint128,
    /// Every version the tranche was sealed into.
    pub versions: Vec<u32>,
}

/// Amounts per (denom, funding).
pub type Amounts = BTreeMap<(String, Funding), Uint128>;

/// Owed (denom, funding) entries a treasury claim pays at most; a claim after it pays the rest.
pub const MAX_TREASURY_DENOMS: u32 = 16;

fn add(amounts: &mut Amounts, denom: &str, funding: Funding, amount: Uint128) {
    if !amount.is_zero() {
        *amounts.entry((denom.to_string(), funding)).or_default() += amount;
    }
}

pub fn amounts_attr(amounts: &Amounts, funding: Funding) -> String {
    amounts
        .iter()
        .filter(|((_, f), _)| *f == funding)
        .map(|((d, _), a)| format!("{a}{d}"))
        .collect::<Vec<_>>()
        .join(",")
}

fn check_size<T>(items: &[T]) -> Result<(), ContractError> {
    if items.is_empty() || items.len() > MAX_CLAIM {
        return Err(ContractError::ClaimSize {
            max: MAX_CLAIM,
            got: items.len(),
        });
    }
    Ok(())
}

impl RewardDistributorContract {
    /// Reward per weight of everything allocated to the version that has vested by `now`.
    pub(crate) fn vested_rpw(
        &self,
        storage: &dyn Storage,
        key: VersionKey,
        denom: &str,
        funding: Funding,
        now: u64,
    ) -> StdResult<Uint256> {
        Ok(self
            .vesting
            .prefix((key, denom, funding.key()))
            .range(storage, None, Some(Bound::inclusive(now)), Order::Descending)
            .next()
            .transpose()?
            .map(|(_, rpw)| rpw)
            .unwrap_or_default())
    }

    /// The stored position, or the registry's view of the tranche (not stored).
    pub(crate) fn load_position(
        &self,
        deps: Deps,
        config: &Config,
        p: &PositionRef,
    ) -> Result<Position, ContractError> {
        let key = (p.dataset_id, p.version);
        if let Some(pos) = self.positions.may_load(deps.storage, (p.tranche_id, key))? {
            return Ok(pos);
        }
        let registry = config.registry.clone().ok_or(ContractError::NoRegistry {})?;
        let t = Remote::<dyn RewardSource<Error = StdError>>::new(registry)
            .querier(&deps.querier)
            .tranche_position(p.dataset_id, p.version, p.tranche_id)?;
        Ok(Position {
            contributor: deps.api.addr_validate(&t.contributor)?,
            weight: t.weight,
            // Revoked before the version ever received anything: nothing to claim.
            revoked: t.status == TrancheStatus::Revoked,
        })
    }

    /// What a position can claim now, and what is still vesting, per (denom, funding).
    pub(crate) fn position_amounts(
        &self,
        storage: &dyn Storage,
        p: &PositionRef,
        pos: &Position,
        now: u64,
    ) -> StdResult<(Amounts, Amounts)> {
        let key = (p.dataset_id, p.version);
        let mut claimable = Amounts::new();
        let mut unvested = Amounts::new();
        let Some(version) = self.versions.may_load(storage, key)? else {
            return Ok((claimable, unvested));
        };
        for (denom, fk) in &version.denoms {
            let funding = Funding::from_key(*fk).ok_or_else(|| StdError::generic_err("funding key"))?;
            let ck_key = ((p.tranche_id, key), denom.as_str(), *fk);
            if pos.revoked {
                add(
                    &mut claimable,
                    denom,
                    funding,
                    self.frozen.may_load(storage, ck_key)?.unwrap_or_default(),
                );
                continue;
            }
            let acc = self.accumulators.load(storage, (key, denom.as_str(), *fk))?;
            let vested = self.vested_rpw(storage, key, denom, funding, now)?;
            let from = self.checkpoints.may_load(storage, ck_key)?.unwrap_or_default();
            add(
                &mut claimable,
                denom,
                funding,
                rewards::earned(pos.weight, from, vested),
            );
            add(
                &mut unvested,
                denom,
                funding,
                rewards::earned(pos.weight, vested.max(from), acc.rpw),
            );
        }
        Ok((claimable, unvested))
    }

    pub(crate) fn do_claim_rewards(
        &self,
        deps: DepsMut,
        env: &Env,
        info: &MessageInfo,
        positions: Vec<PositionRef>,
        to_chain: Option<RemoteRecipient>,
    ) -> Result<Response, ContractError> {
        self.gov.assert_not_paused(deps.storage)?;
        funds::expect_none(&info.funds)?;
        let remote = crate::ibc::checked(to_chain.as_ref())?;
        check_size(&positions)?;
        for (i, p) in positions.iter().enumerate() {
            if positions[..i].contains(p) {
                return Err(ContractError::RepeatedPosition {
                    tranche_id: p.tranche_id,
                    dataset_id: p.dataset_id,
                    version: p.version,
                });
            }
        }
        let config = self.config.load(deps.storage)?;
        let now = env.block.time.seconds();
        let mut total = Amounts::new();
        for p in &positions {
            let key = (p.dataset_id, p.version);
            let pos = self.load_position(deps.as_ref(), &config, p)?;
            if pos.contributor != info.sender {
                return Err(ContractError::NotContributor {
                    sender: info.sender.to_string(),
                    tranche_id: p.tranche_id,
                });
            }
            let Some(version) = self.versions.may_load(deps.storage, key)? else {
                continue;
            };
            let (claimable, _) = self.position_amounts(deps.storage, p, &pos, now)?;
            // Move every checkpoint to what has vested (or clear what was frozen).
            for (denom, fk) in &version.denoms {
                let funding = Funding::from_key(*fk).ok_or_else(|| StdError::generic_err("funding key"))?;
                let ck_key = ((p.tranche_id, key), denom.as_str(), *fk);
                if pos.revoked {
                    self.frozen.remove(deps.storage, ck_key);
                } else {
                    let vested = self.vested_rpw(deps.storage, key, denom, funding, now)?;
                    let from = self
                        .checkpoints
                        .may_load(deps.storage, ck_key)?
                        .unwrap_or_default();
                    self.checkpoints.save(deps.storage, ck_key, &vested.max(from))?;
                }
                let amount = claimable
                    .get(&(denom.clone(), funding))
                    .copied()
                    .unwrap_or_default();
                if !amount.is_zero() {
                    self.accumulators
                        .update(deps.storage, (key, denom.as_str(), *fk), |a| {
                            let mut a = a.ok_or_else(|| StdError::not_found("accumulator"))?;
                            a.claimed += amount;
                            Ok::<_, StdError>(a)
                        })?;
                }
            }
            self.positions.save(deps.storage, (p.tranche_id, key), &pos)?;
            for ((d, f), a) in claimable {
                add(&mut total, &d, f, a);
            }
        }
        let resp = self.pay_out(deps.storage, env, &info.sender, remote, &total, |l, a| {
            l.versions_owed -= a;
            l.paid_contributors += a;
        })?;
        Ok(resp
            .add_attribute(attr::ACTION, events::action::CLAIM_REWARDS)
            .add_event(
                Event::new(events::REWARDS_CLAIMED)
                    .add_attribute(attr::CONTRIBUTOR, info.sender.as_str())
                    .add_attribute(attr::POSITIONS, positions.len().to_string())
                    .add_attribute(attr::FEE, amounts_attr(&total, Funding::Fee))
                    .add_attribute(attr::EMISSION, amounts_attr(&total, Funding::Emission)),
            ))
    }

    /// Sends `amounts` to `to`, one message per denom, and books them in the ledgers;
    /// with `remote`, native and IBC denoms go to the other chain instead.
    fn pay_out(
        &self,
        storage: &mut dyn Storage,
        env: &Env,
        to: &Addr,
        remote: crate::ibc::CheckedRemote,
        amounts: &Amounts,
        book: impl Fn(&mut crate::state::Ledger, Uint128),
    ) -> Result<Response, ContractError> {
        if amounts.values().all(|a| a.is_zero()) {
            return Err(ContractError::NothingToClaim {});
        }
        let mut per_denom: BTreeMap<&str, Uint128> = BTreeMap::new();
        for ((denom, funding), amount) in amounts {
            *per_denom.entry(denom).or_default() += *amount;
            self.ledger_update(storage, denom, |l| {
                book(l, *amount);
                l.paid_out += *amount;
                match funding {
                    Funding::Fee => l.paid_fee += *amount,
                    Funding::Emission => l.paid_emission += *amount,
                }
            })?;
        }
        let mut resp = Response::new();
        for (denom, amount) in per_denom {
            let payout = crate::ibc::Payout {
                owner: to,
                denom,
                amount,
            };
            resp = self.pay_to(storage, env, resp, payout, remote)?;
        }
        Ok(resp)
    }

    /// A curator's share of an epoch's curator pools, per (denom, funding). The last
    /// curator to claim an epoch takes the rounding remainder, so pools empty exactly.
    pub(crate) fn curator_amounts(
        &self,
        storage: &dyn Storage,
        epoch: u64,
        points: u64,
        total_points: u64,
        claimed_points: u64,
    ) -> StdResult<Amounts> {
        let last = claimed_points + points >= total_points;
        let mut amounts = Amounts::new();
        for item in self
            .epoch_denoms
            .prefix(epoch)
            .range(storage, None, None, Order::Ascending)
        {
            let (denom, row) = item?;
            for (funding, pool, paid) in [
                (Funding::Fee, row.fee_curators, row.curators_paid_fee),
                (
                    Funding::Emission,
                    row.emission_curators,
                    row.curators_paid_emission,
                ),
            ] {
                let share = if last {
                    pool - paid
                } else {
                    pool.multiply_ratio(points, total_points)
                };
                add(&mut amounts, &denom, funding, share);
            }
        }
        Ok(amounts)
    }

    pub(crate) fn curator_points(
        &self,
        deps: Deps,
        config: &Config,
        epoch: u64,
        curator: &Addr,
    ) -> Result<u64, ContractError> {
        let staking = config.curator_staking.clone().ok_or(ContractError::NoPoints {
            epoch,
            curator: curator.to_string(),
        })?;
        Ok(Remote::<dyn PointsSource<Error = StdError>>::new(staking)
            .querier(&deps.querier)
            .points(epoch, Some(curator.to_string()))?
            .points)
    }

    pub(crate) fn do_claim_curator_rewards(
        &self,
        deps: DepsMut,
        env: &Env,
        info: &MessageInfo,
        epochs: Vec<u64>,
        to_chain: Option<RemoteRecipient>,
    ) -> Result<Response, ContractError> {
        self.gov.assert_not_paused(deps.storage)?;
        funds::expect_none(&info.funds)?;
        let remote = crate::ibc::checked(to_chain.as_ref())?;
        check_size(&epochs)?;
        let config = self.config.load(deps.storage)?;
        let now = env.block.time.seconds();
        let mut total = Amounts::new();
        for (i, e) in epochs.iter().copied().enumerate() {
            if epochs[..i].contains(&e) {
                return Err(ContractError::RepeatedEpoch { epoch: e });
            }
            let mut epoch = self
                .epochs
                .may_load(deps.storage, e)?
                .ok_or(ContractError::EpochNotFound { epoch: e })?;
            if epoch.status != EpochStatus::Settled {
                return Err(ContractError::EpochNotSettled { epoch: e });
            }
            let vest_at = epoch.vest_at.unwrap_or_default();
            if vest_at > now {
                return Err(ContractError::NotVested { epoch: e, vest_at });
            }
            if self.curator_claims.has(deps.storage, (e, &info.sender)) {
                return Err(ContractError::AlreadyClaimed {
                    epoch: e,
                    curator: info.sender.to_string(),
                });
            }
            let points = self.curator_points(deps.as_ref(), &config, e, &info.sender)?;
            if points == 0 {
                return Err(ContractError::NoPoints {
                    epoch: e,
                    curator: info.sender.to_string(),
                });
            }
            let amounts = self.curator_amounts(
                deps.storage,
                e,
                points,
                epoch.curator_points,
                epoch.curator_points_claimed,
            )?;
            for ((denom, funding), amount) in &amounts {
                self.epoch_denoms.update(deps.storage, (e, denom), |r| {
                    let mut r = r.ok_or_else(|| StdError::not_found("epoch denom"))?;
                    match funding {
                        Funding::Fee => r.curators_paid_fee += *amount,
                        Funding::Emission => r.curators_paid_emission += *amount,
                    }
                    Ok::<_, StdError>(r)
                })?;
                add(&mut total, denom, *funding, *amount);
            }
            epoch.curator_points_claimed += points;
            self.epochs.save(deps.storage, e, &epoch)?;
            self.curator_claims.save(deps.storage, (e, &info.sender), &())?;
        }
        let resp = self.pay_out(deps.storage, env, &info.sender, remote, &total, |l, a| {
            l.curators_owed -= a;
            l.paid_curators += a;
        })?;
        Ok(resp
            .add_attribute(attr::ACTION, events::action::CLAIM_CURATOR_REWARDS)
            .add_event(
                Event::new(events::CURATOR_REWARDS_CLAIMED)
                    .add_attribute(attr::CURATOR, info.sender.as_str())
                    .add_attribute(
                        "epochs",
                        epochs.iter().map(u64::to_string).collect::<Vec<_>>().join(","),
                    )
                    .add_attribute(attr::FEE, amounts_attr(&total, Funding::Fee))
                    .add_attribute(attr::EMISSION, amounts_attr(&total, Funding::Emission)),
            ))
    }

    pub(crate) fn do_claim_treasury(
        &self,
        deps: DepsMut,
        env: &Env,
        info: &MessageInfo,
        to_chain: Option<RemoteRecipient>,
    ) -> Result<Response, ContractError> {
        self.gov.assert_not_paused(deps.storage)?;
        funds::expect_none(&info.funds)?;
        let remote = crate::ibc::checked(to_chain.as_ref())?;
        let config = self.config.load(deps.storage)?;
        // The treasury, or a former one with something still owed to it from before the
        // change: what was owed when a change applied stays with its owner.
        let treasury = &info.sender;
        let owes_former = self
            .treasury_owed
            .sub_prefix(treasury)
            .keys_raw(deps.storage, None, None, Order::Ascending)
            .next()
            .is_some();
        if *treasury != config.treasury && !owes_former {
            return Err(ContractError::NotTreasury {
                sender: info.sender.to_string(),
            });
        }
        // One page of denoms per claim: the rest stays owed for the next.
        let mut owed: Vec<((String, u8), Uint128)> = self
            .treasury_owed
            .sub_prefix(treasury)
            .range(deps.storage, None, None, Order::Ascending)
            .take(MAX_TREASURY_DENOMS as usize + 1)
            .collect::<StdResult<_>>()?;
        let more = owed.len() > MAX_TREASURY_DENOMS as usize;
        owed.truncate(MAX_TREASURY_DENOMS as usize);
        let mut total = Amounts::new();
        for ((denom, fk), amount) in owed {
            let funding = Funding::from_key(fk).ok_or_else(|| StdError::generic_err("funding key"))?;
            add(&mut total, &denom, funding, amount);
            self.treasury_owed.remove(deps.storage, (treasury, &denom, fk));
        }
        let resp = self.pay_out(deps.storage, env, treasury, remote, &total, |l, a| {
            l.treasury_owed -= a;
            l.paid_treasury += a;
        })?;
        Ok(resp
            .add_attribute(attr::ACTION, events::action::CLAIM_TREASURY)
            .add_event(
                Event::new(events::TREASURY_CLAIMED)
                    .add_attribute(attr::RECIPIENT, treasury.as_str())
                    .add_attribute(attr::MORE_OWED, more.to_string())
                    .add_attribute(attr::FEE, amounts_attr(&total, Funding::Fee))
                    .add_attribute(attr::EMISSION, amounts_attr(&total, Funding::Emission)),
            ))
    }

    /// Registry only. For each version the distributor has allocated to: the vested part
    /// is frozen for the contributor, the unvested part goes back — fees to the current
    /// epoch's pool, emission to the reserve — and the tranche stops earning.
    pub(crate) fn do_record_revocation(
        &self,
        deps: DepsMut,
        env: &Env,
        info: &MessageInfo,
        r: Revocation,
    ) -> Result<Response, ContractError> {
        let Revocation {
            tranche_id,
            dataset_id,
            contributor,
            weight,
            versions,
        } = r;
        funds::expect_none(&info.funds)?;
        let config = self.config.load(deps.storage)?;
        if config.registry.as_ref() != Some(&info.sender) {
            return Err(ContractError::NotRegistry {
                sender: info.sender.to_string(),
            });
        }
        let contributor = deps.api.addr_validate(&contributor)?;
        let now = env.block.time.seconds();
        let current = config.clock.epoch_at(now);
        let mut resp = events::response(events::action::RECORD_REVOCATION);
        let mut clawed = Amounts::new();
        for v in versions {
            let key = (dataset_id, v);
            let Some(mut version) = self.versions.may_load(deps.storage, key)? else {
                // Never allocated to: the registry's live weight already leaves it out.
                continue;
            };
            let pkey = (tranche_id, key);
            let mut pos = self.positions.may_load(deps.storage, pkey)?.unwrap_or(Position {
                contributor: contributor.clone(),
                weight,
                revoked: false,
            });
            if pos.revoked {
                continue;
            }
            for (denom, fk) in &version.denoms {
                let funding = Funding::from_key(*fk).ok_or_else(|| StdError::generic_err("funding key"))?;
                let ck_key = (pkey, denom.as_str(), *fk);
                let mut acc = self.accumulators.load(deps.storage, (key, denom.as_str(), *fk))?;
                let vested = self.vested_rpw(deps.storage, key, denom, funding, now)?;
                let from = self
                    .checkpoints
                    .may_load(deps.storage, ck_key)?
                    .unwrap_or_default();
                let owed = rewards::earned(pos.weight, from, vested);
                let back = rewards::earned(pos.weight, vested.max(from), acc.rpw);
                if !owed.is_zero() {
                    self.frozen.save(deps.storage, ck_key, &owed)?;
                }
                self.checkpoints.save(deps.storage, ck_key, &acc.rpw)?;
                if back.is_zero() {
                    continue;
                }
                acc.clawed_back += back;
                self.accumulators
                    .save(deps.storage, (key, denom.as_str(), *fk), &acc)?;
                add(&mut clawed, denom, funding, back);
            }
            version.live_weight = version.live_weight.saturating_sub(pos.weight);
            self.versions.save(deps.storage, key, &version)?;
            pos.revoked = true;
            self.positions.save(deps.storage, pkey, &pos)?;
        }
        for ((denom, funding), amount) in &clawed {
            match funding {
                Funding::Fee => {
                    let mut epoch = self
                        .epochs
                        .may_load(deps.storage, current)?
                        .unwrap_or_else(|| crate::state::Epoch::new(current));
                    epoch.inflows += 1;
                    self.epochs.save(deps.storage, current, &epoch)?;
                    self.epoch_denoms
                        .update(deps.storage, (current, denom), |r| -> StdResult<_> {
                            let mut r = r.unwrap_or_default();
                            r.fee_pool += *amount;
                            Ok(r)
                        })?;
                    self.ledger_update(deps.storage, denom, |l| {
                        l.versions_owed -= *amount;
                        l.unsettled += *amount;
                        l.clawed_back += *amount;
                    })?;
                }
                Funding::Emission => self.ledger_update(deps.storage, denom, |l| {
                    l.versions_owed -= *amount;
                    l.emission_reserve += *amount;
                    l.clawed_back += *amount;
                })?,
            }
        }
        resp = resp.add_event(
            Event::new(events::REWARDS_CLAWED_BACK)
                .add_attribute(attr::TRANCHE_ID, tranche_id.to_string())
                .add_attribute(attr::DATASET_ID, dataset_id.to_string())
                .add_attribute(attr::FEE, amounts_attr(&clawed, Funding::Fee))
                .add_attribute(attr::EMISSION, amounts_attr(&clawed, Funding::Emission)),
        );
        Ok(resp)
    }
}
