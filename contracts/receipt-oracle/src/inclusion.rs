//! Inclusion requests (SPEC §5.6): the operator cannot hide its leaves.
//!
//! Whoever holds a receipt the batch's operator signed, with an id in the batch's range,
//! posts it inside the batch's dispute window with exactly `inclusion_fee`. While any
//! request is open the batch cannot finalize. The operator (or anyone holding the data)
//! answers with the leaf at that id and its path:
//! - the leaf is the signed receipt, of the batch's epoch: the request closes and the
//!   fee pays the operator for the answer;
//! - the leaf differs (or the receipt is of another epoch): an altered receipt, upheld as
//!   a fraud proof.
//!
//! Unanswered by the deadline, anyone expires it: the batch is voided as for a fraud
//! proof (`fraud::uphold`, kind `inclusion_unanswered`), the operator slashed with the
//! requester as beneficiary. Whenever a request is upheld, its fee and those of the
//! batch's other open requests are refunded. A request on a batch voided by another
//! proof is closed by `expire_inclusion` at any time, refunding its fee: no fee is ever
//! stranded.
//!
//! Bounds and price: at most `max_inclusion_requests` are open per batch (so an upheld
//! request refunds the others in one bounded message), one per (batch, receipt id).
//! Every request pays the operator's answer, and delays finalization by at most
//! `inclusion_response_secs` past the dispute window. An operator that fills the bound
//! with requests of its own would shut genuine requesters out: once the bound is
//! reached, requests stay possible and finalization waits for a response time after it.
//!
//! Gas: every message reads and writes a fixed number of records (the refunds of an
//! upheld request at most the bound), O(log n) in the batch size (one path walk) and
//! O(1) in the number of batches.

use attrib_std::events::{self, action, attr};
use attrib_std::funds;
use attrib_std::pagination;
use attrib_std::receipts::{Path, ProofError, Receipt};
use cosmwasm_std::{Addr, Event, HexBinary, Order, Response, StdResult, Storage, Uint128};
use sylvia::ctx::{ExecCtx, QueryCtx};

use crate::error::ContractError;
use crate::fraud::commitment;
use crate::msg::{BatchRef, InclusionRequestResponse, InclusionRequestsResponse};
use crate::state::{
    Batch, BatchStatus, Config, InclusionHold, InclusionRequest, InclusionStatus, ReceiptOracleContract,
};

type BatchKey<'a> = (u64, &'a Addr, u64);

/// The last second at which requests on `batch` are taken: its dispute window, stretched
/// to a response time after its requests last reached the bound.
fn request_until(config: &Config, batch: &Batch, hold: &InclusionHold) -> u64 {
    let window = batch.posted_at + config.params.dispute_window_secs - 1;
    match hold.full_at {
        Some(t) => window.max(t.saturating_add(config.params.inclusion_response_secs)),
        None => window,
    }
}

impl ReceiptOracleContract {
    fn load_inclusion(
        &self,
        storage: &dyn Storage,
        k: BatchKey,
        receipt_id: u64,
    ) -> Result<InclusionRequest, ContractError> {
        self.inclusions
            .may_load(storage, (k, receipt_id))?
            .ok_or(ContractError::InclusionNotFound { seq: k.2, receipt_id })
    }

    /// Closes an open request with `status` (its hold count drops by one).
    fn close_inclusion(
        &self,
        storage: &mut dyn Storage,
        k: BatchKey,
        mut req: InclusionRequest,
        status: InclusionStatus,
    ) -> StdResult<InclusionRequest> {
        let id = req.receipt.receipt_id;
        req.status = status;
        self.inclusions.save(storage, (k, id), &req)?;
        self.inclusions_open.remove(storage, (k, id));
        let mut hold = self.inclusion_holds.may_load(storage, k)?.unwrap_or_default();
        hold.open = hold.open.saturating_sub(1);
        self.inclusion_holds.save(storage, k, &hold)?;
        Ok(req)
    }

    /// Finalization waits while requests are open, and for a response time after they
    /// last reached the bound (`do_finalize_batch`).
    pub(crate) fn assert_no_inclusion_hold(
        &self,
        storage: &dyn Storage,
        batch: &Batch,
        now: u64,
    ) -> Result<(), ContractError> {
        let k = (batch.model_id, &batch.operator, batch.seq);
        let Some(hold) = self.inclusion_holds.may_load(storage, k)? else {
            return Ok(());
        };
        if hold.open > 0 {
            return Err(ContractError::InclusionOpen {
                seq: batch.seq,
                open: hold.open,
            });
        }
        let config = self.config.load(storage)?;
        let until = request_until(&config, batch, &hold);
        if now <= until {
            return Err(ContractError::InclusionHeld {
                seq: batch.seq,
                until,
            });
        }
        Ok(())
    }

    pub(crate) fn do_request_inclusion(
        &self,
        ctx: ExecCtx,
        at: BatchRef,
        receipt: Receipt,
        signature: HexBinary,
    ) -> Result<Response, ContractError> {
        let config = self.config.load(ctx.deps.storage)?;
        let fee = config.params.inclusion_fee.clone();
        funds::expect_exact(&ctx.info.funds, Some(&fee))?;
        let op = ctx.deps.api.addr_validate(&at.operator)?;
        let batch = self.load_batch(ctx.deps.storage, at.model_id, &op, at.seq)?;
        if batch.status != BatchStatus::Pending {
            return Err(ContractError::NotPending { seq: at.seq });
        }
        let k = (at.model_id, &op, at.seq);
        let mut hold = self
            .inclusion_holds
            .may_load(ctx.deps.storage, k)?
            .unwrap_or_default();
        let now = ctx.env.block.time.seconds();
        let closed_at = request_until(&config, &batch, &hold);
        if now > closed_at {
            return Err(ContractError::InclusionWindowClosed {
                seq: at.seq,
                closed_at,
                now,
            });
        }
        // Any epoch: a receipt of another epoch inside this batch's range is itself fraud,
        // and no answer can close its request.
        let keys = self.batch_key_epochs(ctx.deps.storage, &batch)?;
        self.signed_receipt(&ctx, &op, at.model_id, None, &receipt, &signature, &keys)?;
        let id = receipt.receipt_id;
        if id < batch.first_id || id > batch.last_id {
            return Err(ContractError::OutsideRange {
                id,
                first_id: batch.first_id,
                last_id: batch.last_id,
            });
        }
        if self.inclusions.has(ctx.deps.storage, (k, id)) {
            return Err(ContractError::InclusionExists {
                seq: at.seq,
                receipt_id: id,
            });
        }
        let max = config.params.max_inclusion_requests;
        if hold.open >= max {
            return Err(ContractError::TooManyInclusionRequests { seq: at.seq, max });
        }
        hold.open += 1;
        if hold.open == max {
            hold.full_at = Some(now);
        }
        let deadline = now + config.params.inclusion_response_secs;
        let req = InclusionRequest {
            requester: ctx.info.sender.clone(),
            receipt,
            fee,
            requested_at: now,
            deadline,
            status: InclusionStatus::Open,
        };
        self.inclusions.save(ctx.deps.storage, (k, id), &req)?;
        self.inclusions_open.save(ctx.deps.storage, (k, id), &())?;
        self.inclusion_holds.save(ctx.deps.storage, k, &hold)?;
        self.audited(ctx.deps.storage, |a| a.inclusion_requests += 1)?;
        Ok(events::response(action::REQUEST_INCLUSION).add_event(
            inclusion_event(events::INCLUSION_REQUESTED, &batch, &req)
                .add_attribute(attr::DEADLINE, deadline.to_string()),
        ))
    }

    /// The batch `at`, and its open request for `receipt_id` (no funds attached).
    fn open_request(
        &self,
        ctx: &ExecCtx,
        at: &BatchRef,
        receipt_id: u64,
    ) -> Result<(Addr, Batch, InclusionRequest), ContractError> {
        funds::expect_none(&ctx.info.funds)?;
        let op = ctx.deps.api.addr_validate(&at.operator)?;
        let batch = self.load_batch(ctx.deps.storage, at.model_id, &op, at.seq)?;
        let req = self.load_inclusion(ctx.deps.storage, (at.model_id, &op, at.seq), receipt_id)?;
        if req.status != InclusionStatus::Open {
            return Err(ContractError::InclusionClosed { receipt_id });
        }
        Ok((op, batch, req))
    }

    pub(crate) fn do_answer_inclusion(
        &self,
        ctx: ExecCtx,
        at: BatchRef,
        receipt_id: u64,
        leaf: Receipt,
        path: Path,
    ) -> Result<Response, ContractError> {
        let (op, batch, req) = self.open_request(&ctx, &at, receipt_id)?;
        let k = (at.model_id, &op, at.seq);
        if batch.status != BatchStatus::Pending {
            return Err(ContractError::NotPending { seq: at.seq });
        }
        let now = ctx.env.block.time.seconds();
        if now > req.deadline {
            return Err(ContractError::InclusionDeadlinePassed {
                receipt_id,
                deadline: req.deadline,
                now,
            });
        }
        if path.level != 0 {
            return Err(ProofError::NotAdjacent.into());
        }
        if leaf.receipt_id != receipt_id {
            return Err(ProofError::WrongReceipt {
                reason: "the leaf has another receipt id",
            }
            .into());
        }
        commitment(&batch)?.includes(leaf.leaf(), &path)?;
        if leaf == req.receipt && leaf.epoch == batch.epoch {
            let req = self.close_inclusion(ctx.deps.storage, k, req, InclusionStatus::Answered)?;
            self.audited(ctx.deps.storage, |a| a.inclusion_answered += 1)?;
            return Ok(events::response(action::ANSWER_INCLUSION)
                .add_message(funds::send(&req.fee.denom, &op, req.fee.amount)?)
                .add_event(
                    inclusion_event(events::INCLUSION_ANSWERED, &batch, &req)
                        .add_attribute(attr::OUTCOME, "included"),
                ));
        }
        // The leaf at the signed receipt's id is not that receipt (or the receipt is of
        // another epoch than the batch): an altered receipt.
        let event =
            inclusion_event(events::INCLUSION_ANSWERED, &batch, &req).add_attribute(attr::OUTCOME, "altered");
        let missing = if leaf.epoch == batch.epoch {
            req.receipt.units.saturating_sub(leaf.units)
        } else {
            0
        };
        self.uphold_inclusion(ctx, op, batch, req, "altered_receipt", event, missing.into())
    }

    pub(crate) fn do_expire_inclusion(
        &self,
        ctx: ExecCtx,
        at: BatchRef,
        receipt_id: u64,
    ) -> Result<Response, ContractError> {
        let (op, batch, req) = self.open_request(&ctx, &at, receipt_id)?;
        let k = (at.model_id, &op, at.seq);
        if batch.status != BatchStatus::Pending {
            // Voided by another proof while open (a batch cannot finalize with one open):
            // nothing to answer any more, the requester gets its fee back.
            let req = self.close_inclusion(ctx.deps.storage, k, req, InclusionStatus::Refunded)?;
            return Ok(events::response(action::EXPIRE_INCLUSION)
                .add_message(funds::send(&req.fee.denom, &req.requester, req.fee.amount)?)
                .add_event(
                    inclusion_event(events::INCLUSION_EXPIRED, &batch, &req)
                        .add_attribute(attr::OUTCOME, "refunded"),
                ));
        }
        let now = ctx.env.block.time.seconds();
        if now <= req.deadline {
            return Err(ContractError::InclusionNotDue {
                receipt_id,
                deadline: req.deadline,
                now,
            });
        }
        let event =
            inclusion_event(events::INCLUSION_EXPIRED, &batch, &req).add_attribute(attr::OUTCOME, "upheld");
        let missing = req.receipt.units.into();
        self.uphold_inclusion(ctx, op, batch, req, "inclusion_unanswered", event, missing)
    }

    /// The request is upheld (the receipt's units count as proven missing when no answer
    /// came; the difference, when the answer was a different leaf): the batch is voided and the operator slashed as for a fraud
    /// proof, with the requester as the challenger of record (whoever sent the message);
    /// its fee and those of every other open request on the batch are refunded.
    #[allow(clippy::too_many_arguments)]
    fn uphold_inclusion(
        &self,
        mut ctx: ExecCtx,
        op: Addr,
        batch: Batch,
        req: InclusionRequest,
        kind: &str,
        event: Event,
        proven: Uint128,
    ) -> Result<Response, ContractError> {
        let k = (batch.model_id, &op, batch.seq);
        let mut refunds = vec![self.close_inclusion(ctx.deps.storage, k, req, InclusionStatus::Upheld)?];
        let others: Vec<u64> = self
            .inclusions_open
            .prefix(k)
            .keys(ctx.deps.storage, None, None, Order::Ascending)
            .collect::<StdResult<_>>()?;
        for other in others {
            let r = self.load_inclusion(ctx.deps.storage, k, other)?;
            refunds.push(self.close_inclusion(ctx.deps.storage, k, r, InclusionStatus::Refunded)?);
        }
        self.audited(ctx.deps.storage, |a| a.inclusion_upheld += 1)?;
        ctx.info.sender = refunds[0].requester.clone();
        let mut resp = self.void_batch(ctx, op, batch, kind, proven)?;
        for r in &refunds {
            resp = resp.add_message(funds::send(&r.fee.denom, &r.requester, r.fee.amount)?);
        }
        Ok(resp.add_event(event.add_attribute(attr::REFUNDED, (refunds.len() - 1).to_string())))
    }

    pub(crate) fn query_inclusion_request(
        &self,
        ctx: QueryCtx,
        at: BatchRef,
        receipt_id: u64,
    ) -> Result<InclusionRequestResponse, ContractError> {
        let op = ctx.deps.api.addr_validate(&at.operator)?;
        self.load_inclusion(ctx.deps.storage, (at.model_id, &op, at.seq), receipt_id)
    }

    pub(crate) fn query_inclusion_requests(
        &self,
        ctx: QueryCtx,
        at: BatchRef,
        start_after: Option<u64>,
        limit: Option<u32>,
    ) -> Result<InclusionRequestsResponse, ContractError> {
        let op = ctx.deps.api.addr_validate(&at.operator)?;
        let (start, limit) = pagination::page(start_after, limit);
        let requests = self
            .inclusions
            .prefix((at.model_id, &op, at.seq))
            .range(ctx.deps.storage, start, None, Order::Ascending)
            .take(limit)
            .map(|r| r.map(|(_, q)| q))
            .collect::<StdResult<_>>()?;
        Ok(InclusionRequestsResponse { requests })
    }
}

fn inclusion_event(ty: &str, batch: &Batch, req: &InclusionRequest) -> Event {
    Event::new(ty)
        .add_attribute(attr::MODEL_ID, batch.model_id.to_string())
        .add_attribute(attr::OPERATOR, batch.operator.as_str())
        .add_attribute(attr::SEQ, batch.seq.to_string())
        .add_attribute(attr::RECEIPT_ID, req.receipt.receipt_id.to_string())
        .add_attribute(attr::REQUESTER, req.requester.as_str())
}
