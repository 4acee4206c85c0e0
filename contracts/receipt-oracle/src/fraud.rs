//! Fraud proofs, decided on chain (SPEC §5.4). Each checks the operator's signature on
//! the receipt it is about, then the proof against the batch's commitment with
//! `attrib_std::receipts`. Upheld: the batch is voided (its charge released; the honest
//! totals can be re-posted as a replacement), and the operator is slashed through
//! curator staking with the challenger as beneficiary.

use attrib_std::events::{self, attr};
use attrib_std::funds;
use attrib_std::interfaces::slashing_service::{sv::Executor as _, SlashingService};
use attrib_std::receipts::{Commitment, Node, Receipt};
use attrib_std::validation::{self, ValidationError};
use cosmwasm_std::{Addr, Event, HexBinary, Response, StdError};
use sylvia::ctx::ExecCtx;
use sylvia::types::Remote;

use crate::batches::{effective_deadline, verify_signature};
use crate::error::ContractError;
use crate::msg::{AlteredReceiptProof, BadSumProof, BatchRef, DuplicateIdProof, OmittedReceiptProof};
use crate::state::{Batch, BatchStatus, ReceiptOracleContract};

pub(crate) fn commitment(batch: &Batch) -> Result<Commitment, ContractError> {
    Ok(Commitment {
        root: validation::hash32("root", &batch.root)?,
        total: batch.total_units.u128(),
        count: batch.count,
    })
}

impl ReceiptOracleContract {
    /// The pending batch `at`, and `receipt` signed by its operator, of its epoch and
    /// within its id range: the common ground of the omitted- and altered-receipt proofs.
    fn receipt_in_batch(
        &self,
        ctx: &ExecCtx,
        at: &BatchRef,
        receipt: &Receipt,
        signature: &HexBinary,
    ) -> Result<(Addr, Batch), ContractError> {
        let (op, batch) = self.pending(ctx, at)?;
        self.signed_receipt(ctx, &op, at.model_id, Some(batch.epoch), receipt, signature)?;
        Self::in_range(&batch, receipt)?;
        Ok((op, batch))
    }

    /// The batch, still open to proofs.
    ///
    /// No pause check, here or in the late-omission proof: a pause never turns a valid
    /// proof into a revert (SPEC §5.4). Batches cannot finalize while paused, so a
    /// pause only ever gives challengers more time.
    fn pending(&self, ctx: &ExecCtx, at: &BatchRef) -> Result<(Addr, Batch), ContractError> {
        funds::expect_none(&ctx.info.funds)?;
        let op = ctx.deps.api.addr_validate(&at.operator)?;
        let batch = self.load_batch(ctx.deps.storage, at.model_id, &op, at.seq)?;
        if batch.status != BatchStatus::Pending {
            return Err(ContractError::NotPending { seq: at.seq });
        }
        Ok((op, batch))
    }

    /// A receipt the operator really signed, for this chain, oracle, model (and epoch).
    pub(crate) fn signed_receipt(
        &self,
        ctx: &ExecCtx,
        op: &Addr,
        model_id: u64,
        epoch: Option<u64>,
        r: &Receipt,
        signature: &HexBinary,
    ) -> Result<(), ContractError> {
        if r.chain_id != ctx.env.block.chain_id {
            return Err(ContractError::ReceiptMismatch { field: "chain" });
        }
        if r.contract != ctx.env.contract.address.as_str() {
            return Err(ContractError::ReceiptMismatch { field: "contract" });
        }
        if r.model_id != model_id {
            return Err(ContractError::ReceiptMismatch { field: "model" });
        }
        if epoch.is_some_and(|e| e != r.epoch) {
            return Err(ContractError::ReceiptMismatch { field: "epoch" });
        }
        let key = self.operator_key(ctx.deps.storage, op)?;
        verify_signature(ctx.deps.api, &r.digest(), signature, &key.pubkey)
    }

    fn in_range(batch: &Batch, r: &Receipt) -> Result<(), ContractError> {
        if r.receipt_id < batch.first_id || r.receipt_id > batch.last_id {
            return Err(ContractError::OutsideRange {
                id: r.receipt_id,
                first_id: batch.first_id,
                last_id: batch.last_id,
            });
        }
        Ok(())
    }

    /// Voids the batch, releases its charge, and slashes the operator.
    pub(crate) fn uphold(
        &self,
        ctx: ExecCtx,
        op: Addr,
        mut batch: Batch,
        kind: &str,
    ) -> Result<Response, ContractError> {
        let config = self.config.load(ctx.deps.storage)?;
        let mut model = self.load_model(ctx.deps.storage, batch.model_id)?;
        model.reserved -= batch.charge;
        self.models.save(ctx.deps.storage, batch.model_id, &model)?;
        batch.status = BatchStatus::Voided {
            reason: kind.to_string(),
            challenger: ctx.info.sender.clone(),
        };
        self.batches
            .save(ctx.deps.storage, (batch.model_id, &op, batch.seq), &batch)?;
        self.slash_response(&config, &op, &ctx.info.sender, kind, Some(&batch))
    }

    fn slash_response(
        &self,
        config: &crate::state::Config,
        op: &Addr,
        challenger: &Addr,
        kind: &str,
        batch: Option<&Batch>,
    ) -> Result<Response, ContractError> {
        let staking = Remote::<dyn SlashingService<Error = StdError>>::new(config.curator_staking.clone());
        let slash = staking
            .executor()
            .slash(
                op.to_string(),
                None,
                Some(config.params.fraud_slash_bps),
                format!("receipt oracle: {kind}"),
                Some(challenger.to_string()),
            )?
            .build();
        let mut event = Event::new(events::FRAUD_PROVEN)
            .add_attribute(attr::KIND, kind)
            .add_attribute(attr::OPERATOR, op.as_str())
            .add_attribute(attr::CHALLENGER, challenger.as_str());
        if let Some(b) = batch {
            event = event
                .add_attribute(attr::MODEL_ID, b.model_id.to_string())
                .add_attribute(attr::SEQ, b.seq.to_string())
                .add_attribute(attr::VOIDED_UNITS, b.total_units.to_string());
        }
        Ok(events::response(&format!("challenge_{kind}"))
            .add_message(slash)
            .add_event(event))
    }

    pub(crate) fn do_challenge_omitted(
        &self,
        ctx: ExecCtx,
        at: BatchRef,
        proof: OmittedReceiptProof,
    ) -> Result<Response, ContractError> {
        let OmittedReceiptProof {
            receipt,
            signature,
            left,
            left_path,
            right,
            right_path,
        } = proof;
        let (op, batch) = self.receipt_in_batch(&ctx, &at, &receipt, &signature)?;
        commitment(&batch)?.omits(&receipt, &left, &left_path, &right, &right_path)?;
        self.uphold(ctx, op, batch, "omitted_receipt")
    }

    pub(crate) fn do_challenge_altered(
        &self,
        ctx: ExecCtx,
        at: BatchRef,
        proof: AlteredReceiptProof,
    ) -> Result<Response, ContractError> {
        let AlteredReceiptProof {
            receipt,
            signature,
            leaf,
            path,
        } = proof;
        let (op, batch) = self.receipt_in_batch(&ctx, &at, &receipt, &signature)?;
        commitment(&batch)?.alters(&receipt, &leaf, &path)?;
        self.uphold(ctx, op, batch, "altered_receipt")
    }

    pub(crate) fn do_challenge_bad_sum(
        &self,
        ctx: ExecCtx,
        at: BatchRef,
        proof: BadSumProof,
    ) -> Result<Response, ContractError> {
        let BadSumProof {
            left,
            right,
            claimed_sum,
            path,
        } = proof;
        let (op, batch) = self.pending(&ctx, &at)?;
        let (l, r) = (Node::try_from(&left)?, Node::try_from(&right)?);
        commitment(&batch)?.bad_sum(l, r, claimed_sum.u128(), &path)?;
        self.uphold(ctx, op, batch, "bad_sum")
    }

    pub(crate) fn do_challenge_duplicate(
        &self,
        ctx: ExecCtx,
        at: BatchRef,
        proof: DuplicateIdProof,
    ) -> Result<Response, ContractError> {
        let DuplicateIdProof {
            left,
            left_path,
            right,
            right_path,
        } = proof;
        let (op, batch) = self.pending(&ctx, &at)?;
        let c = commitment(&batch)?;
        match (right, right_path) {
            (Some(r), Some(rp)) => c.disorder(&left, &left_path, &r, &rp)?,
            (None, None) => c.misdeclared_end(&left, &left_path, batch.first_id, batch.last_id)?,
            _ => {
                return Err(ValidationError::Invalid {
                    field: "right/right_path",
                    reason: "give both or neither",
                }
                .into())
            }
        }
        self.uphold(ctx, op, batch, "duplicate_id")
    }

    pub(crate) fn do_challenge_late(
        &self,
        ctx: ExecCtx,
        model_id: u64,
        operator: String,
        receipt: Receipt,
        signature: HexBinary,
    ) -> Result<Response, ContractError> {
        funds::expect_none(&ctx.info.funds)?;
        let op = ctx.deps.api.addr_validate(&operator)?;
        self.signed_receipt(&ctx, &op, model_id, None, &receipt, &signature)?;
        let config = self.config.load(ctx.deps.storage)?;
        let id = receipt.receipt_id;
        let window = self.pause_window.may_load(ctx.deps.storage)?;
        if ctx.env.block.time.seconds() <= effective_deadline(&config, window.as_ref(), receipt.epoch) {
            return Err(ContractError::NotLate {
                id,
                reason: "its epoch's posting deadline has not passed",
            });
        }
        let cursor = self
            .cursors
            .may_load(ctx.deps.storage, (model_id, &op))?
            .unwrap_or_default();
        if id <= cursor.last_id {
            return Err(ContractError::NotLate {
                id,
                reason: "it lies inside a posted range (use the omission proof)",
            });
        }
        if self.late_proven.has(ctx.deps.storage, (model_id, &op, id)) {
            return Err(ContractError::AlreadyProven { id });
        }
        self.late_proven
            .save(ctx.deps.storage, (model_id, &op, id), &())?;
        self.slash_response(&config, &op, &ctx.info.sender, "late_omission", None)
    }
}
