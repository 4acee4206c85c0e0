//! Instantiation, models (lineage, license and royalty checks, parent royalties),
//! operators, and escrow (funding, debt, withdrawals after notice).

use attrib_std::events::{self, action, attr};
use attrib_std::funds;
use attrib_std::interfaces::license_registry::{sv::Querier as _, LicenseRegistry};
use attrib_std::interfaces::reward_pool::denom_accepted_raw;
use attrib_std::interfaces::slashing_service::{sv::Querier as _, Role, SlashingService};
use attrib_std::validation::{self, ValidationError};
use cosmwasm_std::{Addr, Coin, Event, HexBinary, Order, Response, StdError, Storage, Uint128};
use cw_storage_plus::Bound;
use sylvia::ctx::ExecCtx;
use sylvia::types::Remote;

use crate::batches::verify_signature;
use crate::error::ContractError;
use crate::state::{Config, LineageEntry, Model, Operator, ParentLink, ReceiptOracleContract, Withdrawal};

pub const MAX_URI: usize = 512;

/// Who pays, and what: native funds, or the amount a cw20 `send` delivered (as a
/// `cw20:<token>` coin).
pub struct Payer {
    pub address: Addr,
    pub payment: Vec<Coin>,
}

impl ReceiptOracleContract {
    pub(crate) fn load_model(&self, storage: &dyn Storage, id: u64) -> Result<Model, ContractError> {
        self.models
            .may_load(storage, id)?
            .ok_or(ContractError::ModelNotFound { id })
    }

    fn owned_model(&self, ctx: &ExecCtx, id: u64) -> Result<Model, ContractError> {
        let model = self.load_model(ctx.deps.storage, id)?;
        if model.owner != ctx.info.sender {
            return Err(ContractError::NotOwner {
                sender: ctx.info.sender.to_string(),
                model_id: id,
            });
        }
        Ok(model)
    }

    pub(crate) fn do_register_model(
        &self,
        ctx: ExecCtx,
        metadata_uri: String,
        lineage: Vec<LineageEntry>,
        parent: Option<ParentLink>,
        royalty_per_unit: Coin,
        payer: Payer,
    ) -> Result<Response, ContractError> {
        let Payer {
            address: owner,
            payment,
        } = payer;
        self.gov.assert_not_paused(ctx.deps.storage)?;
        let config = self.config.load(ctx.deps.storage)?;
        let bond = cosmwasm_std::coin(config.params.model_bond.u128(), &royalty_per_unit.denom);
        funds::expect_exact(&payment, Some(&bond))?;
        // SPEC §5.5: the royalty denom must be one the reward pool accepts. Royalties
        // carry earmarks, and every denom a version earns in is walked by its claims and
        // revocations; the pool never refuses a royalty (finalization must not revert),
        // so the denom is checked here, once per model (a raw read of the allowlist).
        if !denom_accepted_raw(&ctx.deps.querier, &config.reward_pool, &royalty_per_unit.denom)? {
            return Err(ContractError::RoyaltyDenomNotAccepted {
                denom: royalty_per_unit.denom.clone(),
            });
        }
        validation::text("metadata_uri", &metadata_uri, MAX_URI)?;
        if lineage.is_empty() || lineage.len() > config.params.max_lineage as usize {
            return Err(ContractError::LineageSize {
                max: config.params.max_lineage,
                got: lineage.len(),
            });
        }
        if let Some(e) = lineage.iter().find(|e| e.weight_bps == 0) {
            return Err(ContractError::ZeroLineageWeight {
                dataset_id: e.dataset_id,
                version: e.version,
            });
        }
        let sum: u64 = lineage.iter().map(|e| e.weight_bps as u64).sum();
        if sum != 10_000 {
            return Err(ContractError::LineageWeights { sum });
        }
        for (i, e) in lineage.iter().enumerate() {
            if lineage[..i]
                .iter()
                .any(|o| o.dataset_id == e.dataset_id && o.version == e.version)
            {
                return Err(ContractError::LineageRepeated {
                    dataset_id: e.dataset_id,
                    version: e.version,
                });
            }
        }
        if royalty_per_unit.amount.is_zero() {
            return Err(ValidationError::Invalid {
                field: "royalty_per_unit",
                reason: "must be positive",
            }
            .into());
        }

        // License and royalty checks against the registry, entry by entry.
        let remote = Remote::<dyn LicenseRegistry<Error = StdError>>::new(config.registry.clone());
        let registry = remote.querier(&ctx.deps.querier);
        let mut required = Uint128::zero();
        for e in &lineage {
            let check = registry.has_valid_license(owner.to_string(), e.dataset_id, e.version)?;
            if !check.valid {
                return Err(ContractError::NoLicense {
                    owner: owner.to_string(),
                    dataset_id: e.dataset_id,
                    version: e.version,
                });
            }
            let d = registry.dataset(e.dataset_id)?;
            if !d.dataset.terms.royalty_per_unit.is_empty() {
                let demand = d.dataset.terms.royalty_in(&royalty_per_unit.denom).ok_or(
                    ContractError::RoyaltyDenom {
                        dataset_id: e.dataset_id,
                        denom: royalty_per_unit.denom.clone(),
                    },
                )?;
                required += demand.amount;
            }
        }
        if royalty_per_unit.amount < required {
            return Err(ContractError::RoyaltyTooLow {
                offered: royalty_per_unit.amount,
                required,
            });
        }

        // A parent's lineage takes `share_bps` of the royalties, through at most
        // `max_parent_depth` ancestors.
        let (effective_lineage, depth) = match &parent {
            None => (lineage.clone(), 0),
            Some(link) => {
                if link.share_bps == 0 || link.share_bps >= 10_000 {
                    return Err(ValidationError::Invalid {
                        field: "parent.share_bps",
                        reason: "must be 1-9999",
                    }
                    .into());
                }
                let p = self.load_model(ctx.deps.storage, link.model_id)?;
                if p.depth + 1 > config.params.max_parent_depth {
                    return Err(ContractError::TooDeep {
                        max: config.params.max_parent_depth,
                    });
                }
                let merged = merge(&lineage, &p.effective_lineage, link.share_bps);
                if merged.len() > config.params.max_lineage as usize {
                    return Err(ContractError::LineageSize {
                        max: config.params.max_lineage,
                        got: merged.len(),
                    });
                }
                (merged, p.depth + 1)
            }
        };

        let id = self.next_model.load(ctx.deps.storage)?;
        self.next_model.save(ctx.deps.storage, &(id + 1))?;
        let model = Model {
            id,
            owner: owner.clone(),
            metadata_uri,
            lineage,
            effective_lineage,
            parent,
            depth,
            royalty_per_unit,
            escrow: Uint128::zero(),
            reserved: Uint128::zero(),
            debt: Uint128::zero(),
            withdrawal: None,
            operators: vec![],
            created_at: ctx.env.block.time.seconds(),
            bond: config.params.model_bond,
            closed: false,
            awaiting_replacement: 0,
        };
        self.models.save(ctx.deps.storage, id, &model)?;
        Ok(events::response(action::REGISTER_MODEL)
            .add_event(
                Event::new(events::MODEL_REGISTERED)
                    .add_attribute(attr::MODEL_ID, id.to_string())
                    .add_attribute(attr::OWNER, model.owner.as_str())
                    .add_attribute(attr::ROYALTY_PER_UNIT, model.royalty_per_unit.to_string())
                    .add_attribute(attr::LINEAGE, model.effective_lineage.len().to_string()),
            )
            .set_data(cosmwasm_std::to_json_binary(&id)?))
    }

    pub(crate) fn do_set_model_operator(
        &self,
        ctx: ExecCtx,
        model_id: u64,
        operator: String,
        allowed: bool,
    ) -> Result<Response, ContractError> {
        self.gov.assert_not_paused(ctx.deps.storage)?;
        funds::expect_none(&ctx.info.funds)?;
        let mut model = self.owned_model(&ctx, model_id)?;
        let op = ctx.deps.api.addr_validate(&operator)?;
        model.operators.retain(|o| *o != op);
        if allowed {
            if !self.operators.has(ctx.deps.storage, &op) {
                return Err(ContractError::NotOperator {
                    address: op.to_string(),
                });
            }
            model.operators.push(op.clone());
        }
        self.models.save(ctx.deps.storage, model_id, &model)?;
        Ok(events::response(action::SET_MODEL_OPERATOR)
            .add_attribute(attr::MODEL_ID, model_id.to_string())
            .add_attribute(attr::OPERATOR, op.as_str())
            .add_attribute(attr::ALLOWED, allowed.to_string()))
    }

    pub(crate) fn do_register_operator(
        &self,
        ctx: ExecCtx,
        pubkey: HexBinary,
    ) -> Result<Response, ContractError> {
        self.gov.assert_not_paused(ctx.deps.storage)?;
        funds::expect_none(&ctx.info.funds)?;
        if pubkey.len() != 33 || !(pubkey[0] == 2 || pubkey[0] == 3) {
            return Err(ContractError::BadPubkey {});
        }
        let config = self.config.load(ctx.deps.storage)?;
        self.assert_bonded_operator(&ctx, &config)?;
        // The old key stays on record for what it signed; one key per epoch bounds the
        // keys a receipt of an epoch is checked against to two.
        let epoch = config.clock().epoch_at(ctx.env.block.time.seconds());
        let who = &ctx.info.sender;
        if let Some(old) = self.operators.may_load(ctx.deps.storage, who)? {
            // Registering the key in force again changes nothing (and is no rotation).
            if old.pubkey == pubkey {
                return Ok(operator_registered(&old));
            }
            // Registered before key history was kept: its key counts from epoch 0.
            if self
                .keys
                .prefix(who)
                .range(ctx.deps.storage, None, None, Order::Ascending)
                .next()
                .is_none()
            {
                self.keys.save(ctx.deps.storage, (who, 0), &old.pubkey)?;
            }
        }
        if self.keys.has(ctx.deps.storage, (who, epoch)) {
            return Err(ContractError::KeyRotationTooSoon {
                epoch,
                next_at: config.clock().end_of(epoch),
            });
        }
        self.keys.save(ctx.deps.storage, (who, epoch), &pubkey)?;
        let op = Operator {
            address: who.clone(),
            pubkey,
        };
        self.operators.save(ctx.deps.storage, who, &op)?;
        Ok(operator_registered(&op))
    }

    /// The sender is bonded in curator staking as an operator, at least the minimum.
    pub(crate) fn assert_bonded_operator(&self, ctx: &ExecCtx, config: &Config) -> Result<(), ContractError> {
        let staking = Remote::<dyn SlashingService<Error = StdError>>::new(config.curator_staking.clone());
        let stake = staking
            .querier(&ctx.deps.querier)
            .stake_of(ctx.info.sender.to_string())?;
        if stake.role != Some(Role::Operator) || stake.bonded < config.params.operator_min_bond {
            return Err(ContractError::OperatorBond {
                address: ctx.info.sender.to_string(),
                required: config.params.operator_min_bond,
                bonded: if stake.role == Some(Role::Operator) {
                    stake.bonded
                } else {
                    Uint128::zero()
                },
            });
        }
        Ok(())
    }

    pub(crate) fn do_fund_escrow(
        &self,
        ctx: ExecCtx,
        model_id: u64,
        payer: Payer,
    ) -> Result<Response, ContractError> {
        let Payer {
            address: funder,
            payment,
        } = payer;
        self.gov.assert_not_paused(ctx.deps.storage)?;
        let mut model = self.load_model(ctx.deps.storage, model_id)?;
        let amount = funds::one_coin_of(&payment, &model.royalty_per_unit.denom)?;
        let config = self.config.load(ctx.deps.storage)?;
        // Debt first: finalized usage that escrow did not cover is paid out now.
        let repay = amount.min(model.debt);
        model.debt -= repay;
        model.escrow += amount - repay;
        self.models.save(ctx.deps.storage, model_id, &model)?;
        let mut resp = events::response(action::FUND_ESCROW).add_event(
            Event::new(events::ESCROW_FUNDED)
                .add_attribute(attr::MODEL_ID, model_id.to_string())
                .add_attribute(attr::FUNDER, funder.as_str())
                .add_attribute(attr::AMOUNT, amount.to_string())
                .add_attribute(attr::DEBT_REPAID, repay.to_string())
                .add_attribute(attr::ESCROW, model.escrow.to_string()),
        );
        if !repay.is_zero() {
            resp = crate::batches::pay_royalties(resp, &config, &model, repay, "debt_repaid")?;
        }
        Ok(resp)
    }

    pub(crate) fn do_request_withdrawal(
        &self,
        ctx: ExecCtx,
        model_id: u64,
        amount: Uint128,
    ) -> Result<Response, ContractError> {
        self.gov.assert_not_paused(ctx.deps.storage)?;
        funds::expect_none(&ctx.info.funds)?;
        let mut model = self.owned_model(&ctx, model_id)?;
        if amount.is_zero() || amount > model.escrow {
            return Err(ContractError::Withdrawal {
                amount,
                reason: "must be positive and at most the escrow",
            });
        }
        let config = self.config.load(ctx.deps.storage)?;
        let available_at = ctx.env.block.time.seconds() + config.params.withdraw_notice_secs;
        model.withdrawal = Some(Withdrawal { amount, available_at });
        self.models.save(ctx.deps.storage, model_id, &model)?;
        Ok(events::response(action::REQUEST_WITHDRAWAL)
            .add_attribute(attr::MODEL_ID, model_id.to_string())
            .add_attribute(attr::AMOUNT, amount.to_string())
            .add_attribute(attr::AVAILABLE_AT, available_at.to_string()))
    }

    pub(crate) fn do_withdraw_escrow(&self, ctx: ExecCtx, model_id: u64) -> Result<Response, ContractError> {
        self.gov.assert_not_paused(ctx.deps.storage)?;
        funds::expect_none(&ctx.info.funds)?;
        let mut model = self.owned_model(&ctx, model_id)?;
        let w = model.withdrawal.clone().ok_or(ContractError::Withdrawal {
            amount: Uint128::zero(),
            reason: "none requested",
        })?;
        if ctx.env.block.time.seconds() < w.available_at {
            return Err(ContractError::Withdrawal {
                amount: w.amount,
                reason: "the notice period has not passed",
            });
        }
        // Checked: a sum past u128 is certainly more than the escrow.
        if w.amount
            .checked_add(model.reserved)
            .map_or(true, |sum| sum > model.escrow)
        {
            return Err(ContractError::Withdrawal {
                amount: w.amount,
                reason: "escrow is reserved for posted batches",
            });
        }
        // SPEC §5.5: an upheld omission claim charges its back royalties from escrow, so
        // escrow may not leave while a claim is open (as the model may not close).
        if self.open_omission_claims(ctx.deps.as_ref(), model_id)? > 0 {
            return Err(ContractError::Withdrawal {
                amount: w.amount,
                reason: "an omission claim against the model is open",
            });
        }
        model.escrow -= w.amount;
        model.withdrawal = None;
        self.models.save(ctx.deps.storage, model_id, &model)?;
        Ok(events::response(action::WITHDRAW_ESCROW)
            .add_message(funds::send(
                &model.royalty_per_unit.denom,
                &model.owner,
                w.amount,
            )?)
            .add_event(
                Event::new(events::ESCROW_WITHDRAWN)
                    .add_attribute(attr::MODEL_ID, model_id.to_string())
                    .add_attribute(attr::AMOUNT, w.amount.to_string()),
            ))
    }

    pub(crate) fn do_close_model(&self, ctx: ExecCtx, model_id: u64) -> Result<Response, ContractError> {
        self.gov.assert_not_paused(ctx.deps.storage)?;
        funds::expect_none(&ctx.info.funds)?;
        let mut model = self.owned_model(&ctx, model_id)?;
        if model.closed {
            return Err(ContractError::ModelClosed { model_id });
        }
        if !model.reserved.is_zero() {
            return Err(ContractError::CannotClose {
                model_id,
                reason: "batches are still pending",
            });
        }
        if !model.debt.is_zero() {
            return Err(ContractError::CannotClose {
                model_id,
                reason: "it has debt",
            });
        }
        // A voided batch's honest replacement may charge more: the escrow stays until it
        // is in (its operator's stake is held meanwhile).
        if model.awaiting_replacement > 0 {
            return Err(ContractError::CannotClose {
                model_id,
                reason: "a voided batch awaits its replacement",
            });
        }
        // SPEC §5.5: an upheld omission claim charges back royalties from escrow and
        // slashes the bond, so neither may leave while a claim is open.
        if self.open_omission_claims(ctx.deps.as_ref(), model_id)? > 0 {
            return Err(ContractError::CannotClose {
                model_id,
                reason: "an omission claim against it is open",
            });
        }
        let back = model.escrow + model.bond;
        model.escrow = Uint128::zero();
        model.bond = Uint128::zero();
        model.withdrawal = None;
        model.closed = true;
        self.models.save(ctx.deps.storage, model_id, &model)?;
        let mut resp = events::response(action::CLOSE_MODEL).add_event(
            Event::new(events::MODEL_CLOSED)
                .add_attribute(attr::MODEL_ID, model_id.to_string())
                .add_attribute(attr::RETURNED, back.to_string()),
        );
        if !back.is_zero() {
            resp = resp.add_message(funds::send(&model.royalty_per_unit.denom, &model.owner, back)?);
        }
        Ok(resp)
    }

    /// How many omission claims curator staking holds open against `model_id`.
    fn open_omission_claims(&self, deps: cosmwasm_std::Deps, model_id: u64) -> Result<u32, ContractError> {
        let config = self.config.load(deps.storage)?;
        Ok(
            Remote::<dyn SlashingService<Error = StdError>>::new(config.curator_staking)
                .querier(&deps.querier)
                .open_omission_claims(model_id)?
                .open,
        )
    }

    /// Checks that `op` signed `receipt` with a key in force during one of `epochs`:
    /// for each, the last key registered by then and, if that one was registered during
    /// the epoch, the one before it. Before its first recorded key, an operator's first
    /// key counts; an operator registered before key history was kept, and never rotated
    /// since, has only its current key.
    pub(crate) fn verify_receipt(
        &self,
        deps: cosmwasm_std::Deps,
        op: &Addr,
        receipt: &attrib_std::receipts::Receipt,
        signature: &HexBinary,
        epochs: &[u64],
    ) -> Result<(), ContractError> {
        let digest = receipt.digest();
        let mut keys: Vec<HexBinary> = vec![];
        for &e in epochs {
            let mut by_then =
                self.keys
                    .prefix(op)
                    .range(deps.storage, None, Some(Bound::inclusive(e)), Order::Descending);
            match by_then.next().transpose()? {
                Some((from, key)) => {
                    keys.push(key);
                    if from == e {
                        keys.extend(by_then.next().transpose()?.map(|(_, k)| k));
                    }
                }
                None => {
                    let first = self
                        .keys
                        .prefix(op)
                        .range(deps.storage, None, None, Order::Ascending)
                        .next()
                        .transpose()?;
                    match first {
                        Some((_, key)) => keys.push(key),
                        None => keys.push(self.operator_key(deps.storage, op)?.pubkey),
                    }
                }
            }
        }
        if keys
            .iter()
            .any(|k| verify_signature(deps.api, &digest, signature, k).is_ok())
        {
            return Ok(());
        }
        Err(ContractError::BadSignature {})
    }

    pub(crate) fn operator_key(&self, storage: &dyn Storage, op: &Addr) -> Result<Operator, ContractError> {
        self.operators
            .may_load(storage, op)?
            .ok_or(ContractError::NotOperator {
                address: op.to_string(),
            })
    }
}

fn operator_registered(op: &Operator) -> Response {
    events::response(action::REGISTER_OPERATOR).add_event(
        Event::new(events::OPERATOR_REGISTERED)
            .add_attribute(attr::OPERATOR, op.address.as_str())
            .add_attribute(attr::PUBKEY, op.pubkey.to_hex()),
    )
}

/// Own lineage scaled to (10 000 − share), parent's to share; same (dataset, version)
/// merged; weights sum to exactly 10 000 (rounding goes to the first entry).
pub fn merge(own: &[LineageEntry], parent: &[LineageEntry], share_bps: u32) -> Vec<LineageEntry> {
    let mut out: Vec<LineageEntry> = vec![];
    let scaled = own
        .iter()
        .map(|e| (e, e.weight_bps as u64 * (10_000 - share_bps as u64) / 10_000))
        .chain(
            parent
                .iter()
                .map(|e| (e, e.weight_bps as u64 * share_bps as u64 / 10_000)),
        );
    for (e, w) in scaled {
        match out
            .iter_mut()
            .find(|o| o.dataset_id == e.dataset_id && o.version == e.version)
        {
            Some(o) => o.weight_bps += w as u32,
            None => out.push(LineageEntry {
                dataset_id: e.dataset_id,
                version: e.version,
                weight_bps: w as u32,
            }),
        }
    }
    out.retain(|e| e.weight_bps > 0);
    let total: u32 = out.iter().map(|e| e.weight_bps).sum();
    if let Some(first) = out.first_mut() {
        first.weight_bps += 10_000 - total;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(d: u64, w: u32) -> LineageEntry {
        LineageEntry {
            dataset_id: d,
            version: 1,
            weight_bps: w,
        }
    }

    #[test]
    fn merged_lineage_sums_to_one() {
        let m = merge(&[e(1, 7_000), e(2, 3_000)], &[e(2, 5_000), e(3, 5_000)], 2_000);
        assert_eq!(m, vec![e(1, 5_600), e(2, 3_400), e(3, 1_000)]);
        let m = merge(&[e(1, 3_333), e(2, 3_333), e(3, 3_334)], &[e(4, 10_000)], 3_333);
        assert_eq!(m.iter().map(|x| x.weight_bps).sum::<u32>(), 10_000);
    }
}
