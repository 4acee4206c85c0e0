//! Batches: O(1) posting with a verified operator signature, contiguity and epoch
//! deadlines; finalization that moves `units × royalty` from escrow to the reward pool,
//! earmarked per dataset version by lineage weight (debt and suspension when short).

use attrib_std::events::{self, action, attr};
use attrib_std::funds;
use attrib_std::receipts::BatchHeader;
use attrib_std::rewards::{self, Earmark, InflowReason, PayMsg};
use attrib_std::validation;
use cosmwasm_std::{Addr, Api, Event, HexBinary, Response, Storage, Uint128};
use sylvia::ctx::ExecCtx;

use crate::error::ContractError;
use crate::msg::NewBatch;
use crate::state::{Batch, BatchStatus, Config, Model, PauseWindow, ReceiptOracleContract};

/// Last second at which batches of `epoch` can be posted, were the oracle never paused
/// (saturating: any epoch a message names, however large, has a deadline and no panic).
pub fn deadline(config: &Config, epoch: u64) -> u64 {
    config
        .clock()
        .end_of(epoch)
        .saturating_add(config.params.posting_grace_secs)
}

/// The posting deadline of `epoch` once pauses are counted. A pause stops posting, so a
/// deadline that falls in it cannot run: while paused it has not passed, and after the
/// unpause the operator gets a full posting grace again. Without this, a pause over a
/// deadline made an honest operator "late" for receipts it was kept from posting, and
/// anyone holding them could slash it once per receipt.
pub fn effective_deadline(config: &Config, window: Option<&PauseWindow>, epoch: u64) -> u64 {
    let d = deadline(config, epoch);
    match window {
        Some(w) if d >= w.from => match w.until {
            None => u64::MAX,
            Some(until) => d.max(w.resume_by(until, config.params.posting_grace_secs)),
        },
        _ => d,
    }
}

pub fn verify_signature(
    api: &dyn Api,
    digest: &[u8; 32],
    signature: &HexBinary,
    pubkey: &HexBinary,
) -> Result<(), ContractError> {
    if signature.len() != 64 {
        return Err(ContractError::BadSignature {});
    }
    match api.secp256k1_verify(digest, signature, pubkey) {
        Ok(true) => Ok(()),
        _ => Err(ContractError::BadSignature {}),
    }
}

/// Pays `amount` of the model's royalty denom to the reward pool, earmarked per dataset
/// version by effective lineage weight and on behalf of the model's owner, with one event
/// per lineage entry carrying its share (the same split the pool applies).
pub fn pay_royalties(
    resp: Response,
    config: &Config,
    model: &Model,
    amount: Uint128,
    reason: &str,
) -> Result<Response, ContractError> {
    let denom = &model.royalty_per_unit.denom;
    let earmarks: Vec<Earmark> = model
        .effective_lineage
        .iter()
        .map(|e| Earmark {
            dataset_id: e.dataset_id,
            version: e.version,
            weight_bps: e.weight_bps,
        })
        .collect();
    let weights: Vec<u32> = earmarks.iter().map(|e| e.weight_bps).collect();
    let shares = rewards::split_by_weight(amount, &weights);
    let pay = PayMsg {
        earmarks,
        reason: InflowReason::UsageRoyalty,
        payer: Some(model.owner.to_string()),
    };
    let mut resp = resp.add_message(rewards::pay_msg(&config.reward_pool, denom, amount, pay)?);
    for (e, share) in model.effective_lineage.iter().zip(shares) {
        resp = resp.add_event(
            Event::new(events::USAGE_ROYALTY)
                .add_attribute(attr::MODEL_ID, model.id.to_string())
                .add_attribute(attr::DATASET_ID, e.dataset_id.to_string())
                .add_attribute(attr::VERSION, e.version.to_string())
                .add_attribute(attr::AMOUNT, format!("{share}{denom}"))
                .add_attribute(attr::REASON, reason),
        );
    }
    Ok(resp)
}

impl ReceiptOracleContract {
    pub(crate) fn load_batch(
        &self,
        storage: &dyn Storage,
        model_id: u64,
        op: &Addr,
        seq: u64,
    ) -> Result<Batch, ContractError> {
        self.batches
            .may_load(storage, (model_id, op, seq))?
            .ok_or_else(|| ContractError::BatchNotFound {
                model_id,
                operator: op.to_string(),
                seq,
            })
    }

    pub(crate) fn do_submit_batch(&self, ctx: ExecCtx, batch: NewBatch) -> Result<Response, ContractError> {
        let NewBatch {
            model_id,
            epoch,
            seq,
            first_id,
            last_id,
            count,
            total_units,
            root,
            signature,
            replaces,
        } = batch;
        self.gov.assert_not_paused(ctx.deps.storage)?;
        funds::expect_none(&ctx.info.funds)?;
        let config = self.config.load(ctx.deps.storage)?;
        let op = ctx.info.sender.clone();
        let operator = self.operator_key(ctx.deps.storage, &op)?;
        let mut model = self.load_model(ctx.deps.storage, model_id)?;
        if !model.operators.contains(&op) {
            return Err(ContractError::OperatorNotAllowed {
                operator: op.to_string(),
                model_id,
            });
        }
        if model.closed {
            return Err(ContractError::ModelClosed { model_id });
        }
        if !model.debt.is_zero() {
            return Err(ContractError::Suspended {
                model_id,
                debt: model.debt,
            });
        }
        validation::hash32("root", &root)?;
        let bad_range = if count == 0 {
            Some("a batch holds at least one receipt")
        } else if last_id < first_id {
            Some("the last id is before the first")
        } else if count - 1 > last_id - first_id {
            Some("more receipts than ids in the range")
        } else {
            None
        };
        if let Some(reason) = bad_range {
            return Err(ContractError::BadRange {
                first_id,
                last_id,
                count,
                reason,
            });
        }
        let now = ctx.env.block.time.seconds();
        let current = config.clock().epoch_at(now);
        let window = self.pause_window.may_load(ctx.deps.storage)?;
        let deadline = effective_deadline(&config, window.as_ref(), epoch);
        if epoch > current || now > deadline {
            return Err(ContractError::EpochClosed {
                epoch,
                current,
                deadline,
            });
        }
        let mut cursor = self
            .cursors
            .may_load(ctx.deps.storage, (model_id, &op))?
            .unwrap_or_default();
        if seq != cursor.next_seq {
            return Err(ContractError::WrongSequence {
                expected: cursor.next_seq,
                got: seq,
            });
        }
        match replaces {
            // Re-posting the honest totals of a voided batch: the same ids, epoch and
            // sequence position; the cursor does not move.
            Some(old) => {
                let voided = self.load_batch(ctx.deps.storage, model_id, &op, old)?;
                let is_voided = matches!(voided.status, BatchStatus::Voided { .. });
                let same = voided.first_id == first_id && voided.last_id == last_id && voided.epoch == epoch;
                let taken = self
                    .batches
                    .range(ctx.deps.storage, None, None, cosmwasm_std::Order::Ascending)
                    .filter_map(|r| r.ok())
                    .any(|(_, b)| {
                        b.replaces == Some(old)
                            && b.model_id == model_id
                            && b.operator == op
                            && !matches!(b.status, BatchStatus::Voided { .. })
                    });
                if !is_voided || !same || taken {
                    return Err(ContractError::BadReplacement { seq: old });
                }
            }
            None => {
                let expected = cursor.last_id.checked_add(1).ok_or(ContractError::IdsExhausted {
                    last_id: cursor.last_id,
                })?;
                if first_id != expected {
                    return Err(ContractError::NotContiguous {
                        expected,
                        got: first_id,
                    });
                }
                if epoch < cursor.last_epoch {
                    return Err(ContractError::EpochBackwards {
                        epoch,
                        last: cursor.last_epoch,
                    });
                }
                cursor.last_id = last_id;
                cursor.last_epoch = epoch;
            }
        }
        let header = BatchHeader {
            chain_id: ctx.env.block.chain_id.clone(),
            contract: ctx.env.contract.address.to_string(),
            model_id,
            epoch,
            operator: op.to_string(),
            seq,
            first_id,
            last_id,
            count,
            total_units,
            root: root.clone(),
        };
        verify_signature(ctx.deps.api, &header.digest(), &signature, &operator.pubkey)?;

        let charge = total_units
            .checked_mul(model.royalty_per_unit.amount)
            .map_err(cosmwasm_std::StdError::from)?;
        model.reserved = model
            .reserved
            .checked_add(charge)
            .map_err(cosmwasm_std::StdError::from)?;
        cursor.next_seq += 1;
        self.models.save(ctx.deps.storage, model_id, &model)?;
        self.cursors.save(ctx.deps.storage, (model_id, &op), &cursor)?;
        let batch = Batch {
            model_id,
            operator: op.clone(),
            seq,
            epoch,
            first_id,
            last_id,
            count,
            total_units,
            root,
            posted_at: now,
            replaces,
            status: BatchStatus::Pending,
            charge,
        };
        self.batches
            .save(ctx.deps.storage, (model_id, &op, seq), &batch)?;
        Ok(events::response(action::SUBMIT_BATCH).add_event(
            Event::new(events::BATCH_SUBMITTED)
                .add_attribute(attr::MODEL_ID, model_id.to_string())
                .add_attribute(attr::OPERATOR, op.as_str())
                .add_attribute(attr::SEQ, seq.to_string())
                .add_attribute(attr::EPOCH, epoch.to_string())
                .add_attribute(attr::FIRST_ID, first_id.to_string())
                .add_attribute(attr::LAST_ID, last_id.to_string())
                .add_attribute(attr::COUNT, count.to_string())
                .add_attribute(attr::TOTAL_UNITS, total_units.to_string())
                .add_attribute(attr::ROOT, batch.root.to_hex()),
        ))
    }

    pub(crate) fn do_finalize_batch(
        &self,
        ctx: ExecCtx,
        model_id: u64,
        operator: String,
        seq: u64,
    ) -> Result<Response, ContractError> {
        self.gov.assert_not_paused(ctx.deps.storage)?;
        funds::expect_none(&ctx.info.funds)?;
        let config = self.config.load(ctx.deps.storage)?;
        let op = ctx.deps.api.addr_validate(&operator)?;
        let mut batch = self.load_batch(ctx.deps.storage, model_id, &op, seq)?;
        if batch.status != BatchStatus::Pending {
            return Err(ContractError::NotPending { seq });
        }
        let now = ctx.env.block.time.seconds();
        let at = batch.posted_at + config.params.dispute_window_secs;
        if now < at {
            return Err(ContractError::DisputeWindowOpen { seq, at, now });
        }
        self.assert_no_inclusion_hold(ctx.deps.storage, &batch, now)?;
        let mut model = self.load_model(ctx.deps.storage, model_id)?;
        let paid = batch.charge.min(model.escrow);
        let short = batch.charge - paid;
        model.escrow -= paid;
        model.reserved -= batch.charge;
        model.debt += short;
        batch.status = BatchStatus::Finalized;
        self.batches
            .save(ctx.deps.storage, (model_id, &op, seq), &batch)?;
        // Settled usage per epoch: what back royalties of an upheld omission claim cover.
        self.usage.update(
            ctx.deps.storage,
            (model_id, batch.epoch),
            |u| -> cosmwasm_std::StdResult<_> { Ok(u.unwrap_or_default() + batch.total_units) },
        )?;
        self.models.save(ctx.deps.storage, model_id, &model)?;
        let mut resp = events::response(action::FINALIZE_BATCH).add_event(
            Event::new(events::BATCH_FINALIZED)
                .add_attribute(attr::MODEL_ID, model_id.to_string())
                .add_attribute(attr::OPERATOR, op.as_str())
                .add_attribute(attr::SEQ, seq.to_string())
                .add_attribute(attr::TOTAL_UNITS, batch.total_units.to_string())
                .add_attribute(attr::CHARGED, paid.to_string())
                .add_attribute(attr::DEBT, short.to_string()),
        );
        if !paid.is_zero() {
            resp = pay_royalties(resp, &config, &model, paid, "usage")?;
        }
        if !short.is_zero() {
            resp = resp.add_event(
                Event::new(events::MODEL_SUSPENDED)
                    .add_attribute(attr::MODEL_ID, model_id.to_string())
                    .add_attribute(attr::DEBT, model.debt.to_string()),
            );
        }
        Ok(resp)
    }
}
