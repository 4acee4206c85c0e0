//! Batches: O(1) posting with a verified operator signature, contiguity and epoch
//! deadlines (a batch past its deadline is taken, flagged late and provable as such); finalization that moves `units × royalty` from escrow to the reward pool,
//! earmarked per dataset version by lineage weight (debt and suspension when short).

use attrib_std::events::{self, action, attr};
use attrib_std::funds;
use attrib_std::receipts::BatchHeader;
use attrib_std::rewards::{self, Earmark, InflowReason, PayMsg};
use attrib_std::validation;
use cosmwasm_std::{Addr, Api, Event, HexBinary, Order, Response, StdResult, Storage, Uint128};
use cw_storage_plus::Bound;
use sylvia::ctx::ExecCtx;

use crate::error::ContractError;
use crate::msg::NewBatch;
use crate::state::{
    Batch, BatchStatus, Config, Cursor, LateRange, Model, PauseWindow, ReceiptOracleContract,
};

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
        // A replacement only ever adds to what the model pays: it is accepted while the
        // model is in debt, and after its epoch's posting deadline.
        if replaces.is_none() && !model.debt.is_zero() {
            return Err(ContractError::Suspended {
                model_id,
                debt: model.debt,
            });
        }
        // SPEC §5.4: only a bonded operator posts, so every proof has a stake to slash.
        self.assert_bonded_operator(&ctx, &config)?;
        validation::hash32("root", &root)?;
        // Every declared id is a leaf or provably missing: the end leaves carry the
        // declared first and last ids, so one leaf means first = last.
        let bad_range = if count == 0 {
            Some("a batch holds at least one receipt")
        } else if last_id < first_id {
            Some("the last id is before the first")
        } else if count - 1 > last_id - first_id {
            Some("more receipts than ids in the range")
        } else if count == 1 && first_id != last_id {
            Some("a one-leaf batch has first id = last id")
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
        if replaces.is_none() && cursor.awaiting_replacement > 0 {
            return Err(ContractError::ReplacementDue {
                model_id,
                awaiting: cursor.awaiting_replacement,
            });
        }
        let mut inherits_count = false;
        let late;
        let prior_units = match replaces {
            // Re-posting the honest totals of a voided batch: the same ids and epoch; the
            // cursor does not move. It is charged only beyond what the voided batch was.
            Some(old) => {
                let mut voided = self.load_batch(ctx.deps.storage, model_id, &op, old)?;
                let is_voided = matches!(voided.status, BatchStatus::Voided { .. });
                let same = voided.first_id == first_id && voided.last_id == last_id && voided.epoch == epoch;
                if !is_voided || !same || voided.replaced_by.is_some() {
                    return Err(ContractError::BadReplacement { seq: old });
                }
                // A batch voided before replacements were tracked is not awaited.
                let (Some(m), Some(c)) = (
                    model.awaiting_replacement.checked_sub(1),
                    cursor.awaiting_replacement.checked_sub(1),
                ) else {
                    return Err(ContractError::BadReplacement { seq: old });
                };
                (model.awaiting_replacement, cursor.awaiting_replacement) = (m, c);
                inherits_count = voided.counted;
                // Its ids were posted late if the voided batch's were (their late range
                // stands): the flag tells auditors to file those proofs still.
                late = voided.late;
                voided.replaced_by = Some(seq);
                self.batches
                    .save(ctx.deps.storage, (model_id, &op, old), &voided)?;
                voided.floor_units()
            }
            None => {
                let current = config.clock().epoch_at(now);
                let window = self.pause_window.may_load(ctx.deps.storage)?;
                let deadline = effective_deadline(&config, window.as_ref(), epoch);
                if epoch > current {
                    return Err(ContractError::EpochClosed {
                        epoch,
                        current,
                        deadline,
                    });
                }
                // Past its deadline the batch is still taken (refusing it would leave the
                // ids after it unpostable for good, the model stuck), but it is late: each
                // of its receipts stays a provable late omission.
                late = now > deadline;
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
                if late {
                    let range = LateRange {
                        last_id,
                        posted_at: now,
                        after_epoch: cursor.last_epoch,
                    };
                    self.late_ranges
                        .save(ctx.deps.storage, (model_id, &op, first_id), &range)?;
                }
                let charged =
                    self.take_late_charged(ctx.deps.storage, model_id, &op, &mut cursor, first_id, last_id)?;
                cursor.last_id = last_id;
                cursor.last_epoch = epoch;
                charged
            }
        };
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
            .saturating_sub(prior_units)
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
            prior_units,
            proven_units: Uint128::zero(),
            replaced_by: None,
            counted: true,
            late,
        };
        self.batches
            .save(ctx.deps.storage, (model_id, &op, seq), &batch)?;
        // A replacement takes over the count its voided batch kept (see `void_batch`).
        if !inherits_count {
            self.batch_opened(ctx.deps.storage, &op)?;
        }
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
                .add_attribute(attr::ROOT, batch.root.to_hex())
                .add_attribute(attr::LATE, late.to_string()),
        ))
    }

    /// The units late omission proofs already charged for ids in `first_id..=last_id`
    /// (beyond the cursor when proven), forgotten as the batch now covers them: the batch
    /// charges only the rest. Reads nothing while no such proof waits (`late_charged`).
    fn take_late_charged(
        &self,
        storage: &mut dyn Storage,
        model_id: u64,
        op: &Addr,
        cursor: &mut Cursor,
        first_id: u64,
        last_id: u64,
    ) -> Result<Uint128, ContractError> {
        if cursor.late_charged == 0 {
            return Ok(Uint128::zero());
        }
        let found: Vec<(u64, Uint128)> = self
            .late_charged
            .prefix((model_id, op))
            .range(
                storage,
                Some(Bound::inclusive(first_id)),
                Some(Bound::inclusive(last_id)),
                Order::Ascending,
            )
            .collect::<StdResult<_>>()?;
        let mut units = Uint128::zero();
        for (id, u) in found {
            self.late_charged.remove(storage, (model_id, op, id));
            units = units.checked_add(u).map_err(cosmwasm_std::StdError::from)?;
            cursor.late_charged = cursor.late_charged.saturating_sub(1);
        }
        Ok(units)
    }

    /// The late range (a batch posted after its deadline) holding receipt `id`, if any.
    pub(crate) fn late_range_of(
        &self,
        storage: &dyn Storage,
        model_id: u64,
        op: &Addr,
        id: u64,
    ) -> Result<Option<LateRange>, ContractError> {
        let last = self
            .late_ranges
            .prefix((model_id, op))
            .range(storage, None, Some(Bound::inclusive(id)), Order::Descending)
            .next()
            .transpose()?;
        Ok(last.and_then(|(_, r)| (id <= r.last_id).then_some(r)))
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
        batch.status = BatchStatus::Finalized;
        self.batches
            .save(ctx.deps.storage, (model_id, &op, seq), &batch)?;
        let units = batch.total_units.saturating_sub(batch.prior_units);
        let mut model = self.load_model(ctx.deps.storage, model_id)?;
        let settled = self.settle(ctx.deps.storage, &mut model, batch.epoch, batch.charge, units)?;
        if batch.counted {
            self.batch_closed(ctx.deps.storage, &op)?;
        }
        self.models.save(ctx.deps.storage, model_id, &model)?;
        let resp = events::response(action::FINALIZE_BATCH).add_event(
            Event::new(events::BATCH_FINALIZED)
                .add_attribute(attr::MODEL_ID, model_id.to_string())
                .add_attribute(attr::OPERATOR, op.as_str())
                .add_attribute(attr::SEQ, seq.to_string())
                .add_attribute(attr::TOTAL_UNITS, batch.total_units.to_string())
                .add_attribute(attr::CHARGED, settled.paid.to_string())
                .add_attribute(attr::DEBT, settled.short.to_string()),
        );
        settled.pay(resp, &config, &model, "usage")
    }

    /// Charges `units` of `epoch` to `model` (the caller saves it) and releases the
    /// `reserved` charge of the batch settled (zero for a late omission): the charge moves from escrow towards the reward pool (what escrow
    /// lacks becomes debt, suspending the model) and the units count as the epoch's
    /// settled usage (the base of back royalties). Shared by finalization and by a
    /// voiding fraud proof, whose declared charge stands.
    pub(crate) fn settle(
        &self,
        storage: &mut dyn Storage,
        model: &mut Model,
        epoch: u64,
        reserved: Uint128,
        units: Uint128,
    ) -> Result<Settled, ContractError> {
        let due = units
            .checked_mul(model.royalty_per_unit.amount)
            .map_err(cosmwasm_std::StdError::from)?;
        let paid = due.min(model.escrow);
        let short = due - paid;
        model.escrow -= paid;
        model.reserved -= reserved;
        model.debt = model
            .debt
            .checked_add(short)
            .map_err(cosmwasm_std::StdError::from)?;
        if !units.is_zero() {
            self.usage
                .update(storage, (model.id, epoch), |u| -> cosmwasm_std::StdResult<_> {
                    Ok(u.unwrap_or_default().checked_add(units)?)
                })?;
        }
        Ok(Settled { paid, short })
    }
}

/// What [`ReceiptOracleContract::settle`] charged.
pub(crate) struct Settled {
    pub paid: Uint128,
    pub short: Uint128,
}

impl Settled {
    /// The royalty payment to the pool and, if escrow fell short, the suspension event.
    pub fn pay(
        &self,
        mut resp: Response,
        config: &Config,
        model: &Model,
        reason: &str,
    ) -> Result<Response, ContractError> {
        if !self.paid.is_zero() {
            resp = pay_royalties(resp, config, model, self.paid, reason)?;
        }
        if !self.short.is_zero() {
            resp = resp.add_event(
                Event::new(events::MODEL_SUSPENDED)
                    .add_attribute(attr::MODEL_ID, model.id.to_string())
                    .add_attribute(attr::DEBT, model.debt.to_string()),
            );
        }
        Ok(resp)
    }
}
