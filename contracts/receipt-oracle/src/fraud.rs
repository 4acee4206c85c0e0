//! Fraud proofs, decided on chain (SPEC §5.4). Each checks the operator's signature on
//! the receipt it is about (against the keys in force during the receipt's epoch), then
//! the proof against the batch's commitment with `attrib_std::receipts`. Upheld: the
//! batch is voided, its declared charge plus the units proven missing is charged at once
//! (fraud never lowers what the model pays), the model posts nothing else until the
//! honest totals are re-posted as a replacement, and the operator is slashed through
//! curator staking with the challenger as beneficiary.

use attrib_std::events::{self, attr};
use attrib_std::funds;
use attrib_std::interfaces::slashing_service::{sv::Executor as _, SlashingService};
use attrib_std::receipts::{Commitment, Node, ProofError, Receipt};
use attrib_std::validation::{self, ValidationError};
use cosmwasm_std::{Addr, Event, HexBinary, Response, StdError, Uint128};
use sylvia::ctx::ExecCtx;
use sylvia::types::Remote;

use crate::batches::effective_deadline;
use crate::error::ContractError;
use crate::msg::{
    AlteredReceiptProof, BadSumProof, BadTotalProof, BatchRef, DuplicateIdProof, OmittedReceiptProof,
    WrongEpochProof,
};
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
        let keys = self.batch_key_epochs(ctx.deps.storage, &batch)?;
        self.signed_receipt(
            ctx,
            &op,
            at.model_id,
            Some(batch.epoch),
            receipt,
            signature,
            &keys,
        )?;
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

    /// A receipt the operator really signed, for this chain, oracle, model (and epoch),
    /// with a key in force during one of `key_epochs` (see `verify_receipt`).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn signed_receipt(
        &self,
        ctx: &ExecCtx,
        op: &Addr,
        model_id: u64,
        epoch: Option<u64>,
        r: &Receipt,
        signature: &HexBinary,
        key_epochs: &[u64],
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
            // Provable in itself: `challenge_wrong_epoch`.
            return Err(ContractError::ReceiptMismatch { field: "epoch" });
        }
        self.verify_receipt(ctx.deps.as_ref(), op, r, signature, key_epochs)
    }

    /// The epochs whose keys a receipt of `batch` is checked against: the batch's own
    /// epoch and the one it was posted in. Never the receipt's own label, which the
    /// operator (or whoever holds a retired key) chooses.
    pub(crate) fn batch_key_epochs(
        &self,
        storage: &dyn cosmwasm_std::Storage,
        batch: &Batch,
    ) -> Result<[u64; 2], ContractError> {
        let config = self.config.load(storage)?;
        Ok([batch.epoch, config.clock().epoch_at(batch.posted_at)])
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

    /// Voids the batch and slashes the operator. The declared charge stands and the
    /// `proven` units are added: both are charged now (escrow to the pool, the rest as
    /// debt), and the model posts nothing else until the batch's replacement is in.
    fn uphold(
        &self,
        ctx: ExecCtx,
        op: Addr,
        batch: Batch,
        kind: &str,
        proven: Uint128,
    ) -> Result<Response, ContractError> {
        self.fraud_proven(ctx.deps.storage)?;
        self.void_batch(ctx, op, batch, kind, proven)
    }

    /// What an upheld fraud proof or inclusion request does to the batch (see `uphold`).
    pub(crate) fn void_batch(
        &self,
        ctx: ExecCtx,
        op: Addr,
        mut batch: Batch,
        kind: &str,
        proven: Uint128,
    ) -> Result<Response, ContractError> {
        let config = self.config.load(ctx.deps.storage)?;
        let mut model = self.load_model(ctx.deps.storage, batch.model_id)?;
        batch.status = BatchStatus::Voided {
            reason: kind.to_string(),
            challenger: ctx.info.sender.clone(),
        };
        batch.proven_units = proven;
        let units = batch.floor_units() - batch.prior_units;
        let settled = self.settle(ctx.deps.storage, &mut model, batch.epoch, batch.charge, units)?;
        model.awaiting_replacement += 1;
        self.models.save(ctx.deps.storage, batch.model_id, &model)?;
        self.batches
            .save(ctx.deps.storage, (batch.model_id, &op, batch.seq), &batch)?;
        // The operator owes the replacement: it posts nothing else for the model, and the
        // voided batch stays counted against its stake (curator staking holds it) until
        // the replacement takes its place.
        self.cursors.update(
            ctx.deps.storage,
            (batch.model_id, &op),
            |c| -> Result<_, ContractError> {
                let mut c = c.unwrap_or_default();
                c.awaiting_replacement += 1;
                Ok(c)
            },
        )?;
        let resp = self.slash_response(&config, &op, &ctx.info.sender, kind, Some(&batch), settled.paid)?;
        settled.pay(resp, &config, &model, "voided_batch")
    }

    fn slash_response(
        &self,
        config: &crate::state::Config,
        op: &Addr,
        challenger: &Addr,
        kind: &str,
        batch: Option<&Batch>,
        charged: Uint128,
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
            .add_attribute(attr::CHALLENGER, challenger.as_str())
            .add_attribute(attr::CHARGED, charged.to_string());
        if let Some(b) = batch {
            event = event
                .add_attribute(attr::MODEL_ID, b.model_id.to_string())
                .add_attribute(attr::SEQ, b.seq.to_string())
                .add_attribute(attr::VOIDED_UNITS, b.total_units.to_string())
                .add_attribute(attr::PROVEN_UNITS, b.proven_units.to_string());
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
        self.uphold(ctx, op, batch, "omitted_receipt", receipt.units.into())
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
        let missing = receipt.units.saturating_sub(leaf.units);
        self.uphold(ctx, op, batch, "altered_receipt", missing.into())
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
        // The children's sum, where the node claimed less (a node claiming more than
        // its children only raised the declared total, which stands anyway).
        let children = l.sum.saturating_add(r.sum);
        let missing = children.saturating_sub(claimed_sum.u128());
        self.uphold(ctx, op, batch, "bad_sum", missing.into())
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
        self.uphold(ctx, op, batch, "duplicate_id", Uint128::zero())
    }

    /// A signed receipt of another epoch inside the batch's range: the batch either holds
    /// it under the wrong epoch's label, or holds another receipt with its id, or leaves
    /// its id out. Each is the operator's fault, so the receipt alone is the proof.
    pub(crate) fn do_challenge_wrong_epoch(
        &self,
        ctx: ExecCtx,
        at: BatchRef,
        proof: WrongEpochProof,
    ) -> Result<Response, ContractError> {
        let WrongEpochProof { receipt, signature } = proof;
        let (op, batch) = self.pending(&ctx, &at)?;
        let keys = self.batch_key_epochs(ctx.deps.storage, &batch)?;
        self.signed_receipt(&ctx, &op, at.model_id, None, &receipt, &signature, &keys)?;
        Self::in_range(&batch, &receipt)?;
        if receipt.epoch == batch.epoch {
            return Err(ProofError::NoFraud {
                reason: "the receipt is of the batch's epoch",
            }
            .into());
        }
        self.uphold(ctx, op, batch, "wrong_epoch", Uint128::zero())
    }

    /// A one-leaf batch whose declared total is not its leaf's units.
    pub(crate) fn do_challenge_bad_total(
        &self,
        ctx: ExecCtx,
        at: BatchRef,
        proof: BadTotalProof,
    ) -> Result<Response, ContractError> {
        let (op, batch) = self.pending(&ctx, &at)?;
        commitment(&batch)?.misdeclared_total(&proof.leaf)?;
        let missing = u128::from(proof.leaf.units).saturating_sub(batch.total_units.u128());
        self.uphold(ctx, op, batch, "bad_total", missing.into())
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
        self.signed_receipt(&ctx, &op, model_id, None, &receipt, &signature, &[receipt.epoch])?;
        let config = self.config.load(ctx.deps.storage)?;
        let id = receipt.receipt_id;
        let now = ctx.env.block.time.seconds();
        let window = self.pause_window.may_load(ctx.deps.storage)?;
        // Late: its epoch's posting deadline passed, or its epoch has not even begun (a
        // posting grace from now): a receipt labelled with a far epoch is never "not yet
        // late".
        let unborn = config
            .clock()
            .unborn(receipt.epoch, now, config.params.posting_grace_secs);
        if !unborn && now <= effective_deadline(&config, window.as_ref(), receipt.epoch) {
            return Err(ContractError::NotLate {
                id,
                reason: "its epoch's posting deadline has not passed",
            });
        }
        let mut cursor = self
            .cursors
            .may_load(ctx.deps.storage, (model_id, &op))?
            .unwrap_or_default();
        // Beyond the cursor: never posted, so the model has not paid for it yet. Inside a
        // batch posted after the receipt's deadline: posted late, and paid by that batch.
        let (after_epoch, unpaid) = if id > cursor.last_id {
            (cursor.last_epoch, true)
        } else {
            let late_range = self.late_range_of(ctx.deps.storage, model_id, &op, id)?;
            match late_range {
                Some(r) if r.posted_at > effective_deadline(&config, window.as_ref(), receipt.epoch) => {
                    (r.after_epoch, false)
                }
                _ => {
                    return Err(ContractError::NotLate {
                        id,
                        reason: "it lies inside a range posted in time (use the omission proof)",
                    })
                }
            }
        };
        // Ids only grow, so a receipt after every posted one is of their epoch or later;
        // one labelled earlier was never served (a retired key cannot backdate one).
        if receipt.epoch < after_epoch {
            return Err(ContractError::NotLate {
                id,
                reason: "its epoch is before the operator's last posted batch's",
            });
        }
        if self.late_proven.has(ctx.deps.storage, (model_id, &op, id)) {
            return Err(ContractError::AlreadyProven { id });
        }
        self.late_proven
            .save(ctx.deps.storage, (model_id, &op, id), &())?;
        self.fraud_proven(ctx.deps.storage)?;
        // The model pays for the units it never declared (as for a voided batch), unless
        // closed, or already paying for them in the late batch that carries them.
        let mut model = self.load_model(ctx.deps.storage, model_id)?;
        if model.closed || !unpaid {
            return self.slash_response(
                &config,
                &op,
                &ctx.info.sender,
                "late_omission",
                None,
                Uint128::zero(),
            );
        }
        // Charged now; the batch that later covers this id charges it no second time.
        let units = Uint128::from(receipt.units);
        self.late_charged
            .save(ctx.deps.storage, (model_id, &op, id), &units)?;
        cursor.late_charged += 1;
        self.cursors.save(ctx.deps.storage, (model_id, &op), &cursor)?;
        let epoch = receipt.epoch.min(config.clock().epoch_at(now));
        let settled = self.settle(ctx.deps.storage, &mut model, epoch, Uint128::zero(), units)?;
        self.models.save(ctx.deps.storage, model_id, &model)?;
        let resp = self.slash_response(
            &config,
            &op,
            &ctx.info.sender,
            "late_omission",
            None,
            settled.paid,
        )?;
        settled.pay(resp, &config, &model, "late_omission")
    }
}
