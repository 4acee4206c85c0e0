//! The checker: what a posted batch, its published leaves and the receipts the auditor
//! holds prove (SPEC §5.4, §5.6). Pure: no chain, no store, no clock but the `now` it is
//! given. Every message comes from [`attrib_cli::proofs`], the functions the `attrib` CLI
//! files the same proofs with.
//!
//! Order of the actions a verdict lists: the proofs that need no leaves (wrong epoch),
//! then those the leaves prove about the batch itself (bad total, disorder, misdeclared
//! end), then those about a held receipt (altered, omitted). One upheld proof voids the
//! batch, so the filer files them in order until one is accepted.

use attrib_cli::proofs::{self, Posted};
use attrib_receipt_oracle::contract::sv::ExecMsg;
use attrib_receipt_oracle::msg::BatchRef;
use attrib_receipt_oracle::state::{Batch, BatchStatus, Config, Cursor, InclusionRequest, InclusionStatus};
use attrib_std::receipts::SignedReceipt;
use serde::Serialize;

/// What a filing is, as the store and the metrics name it (the oracle's proof kinds).
#[derive(Serialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    OmittedReceipt,
    AlteredReceipt,
    WrongEpoch,
    BadTotal,
    BadSum,
    DuplicateId,
    LateOmission,
    RequestInclusion,
    ExpireInclusion,
}

impl Kind {
    pub const ALL: [Kind; 9] = [
        Kind::OmittedReceipt,
        Kind::AlteredReceipt,
        Kind::WrongEpoch,
        Kind::BadTotal,
        Kind::BadSum,
        Kind::DuplicateId,
        Kind::LateOmission,
        Kind::RequestInclusion,
        Kind::ExpireInclusion,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::OmittedReceipt => "omitted_receipt",
            Kind::AlteredReceipt => "altered_receipt",
            Kind::WrongEpoch => "wrong_epoch",
            Kind::BadTotal => "bad_total",
            Kind::BadSum => "bad_sum",
            Kind::DuplicateId => "duplicate_id",
            Kind::LateOmission => "late_omission",
            Kind::RequestInclusion => "request_inclusion",
            Kind::ExpireInclusion => "expire_inclusion",
        }
    }

    /// The transaction label (`challenge_<kind>` for a fraud proof).
    pub fn label(self) -> String {
        match self {
            Kind::RequestInclusion | Kind::ExpireInclusion => self.as_str().to_string(),
            _ => format!("challenge_{}", self.as_str()),
        }
    }

    /// The kind of an oracle message this module builds.
    fn of(msg: &ExecMsg) -> Kind {
        match msg {
            ExecMsg::ChallengeOmittedReceipt { .. } => Kind::OmittedReceipt,
            ExecMsg::ChallengeAlteredReceipt { .. } => Kind::AlteredReceipt,
            ExecMsg::ChallengeWrongEpoch { .. } => Kind::WrongEpoch,
            ExecMsg::ChallengeBadTotal { .. } => Kind::BadTotal,
            ExecMsg::ChallengeBadSum { .. } => Kind::BadSum,
            ExecMsg::ChallengeDuplicateId { .. } => Kind::DuplicateId,
            ExecMsg::ChallengeLateOmission { .. } => Kind::LateOmission,
            ExecMsg::RequestInclusion { .. } => Kind::RequestInclusion,
            ExecMsg::ExpireInclusion { .. } => Kind::ExpireInclusion,
            other => unreachable!("the checker builds no {other:?}"),
        }
    }
}

/// One transaction the auditor should send.
#[derive(Clone, Debug, PartialEq)]
pub struct Action {
    pub kind: Kind,
    /// The held receipt it is about (`None` for proofs about the batch alone).
    pub receipt_id: Option<u64>,
    pub msg: ExecMsg,
}

impl Action {
    fn new(msg: ExecMsg, receipt_id: Option<u64>) -> Action {
        Action {
            kind: Kind::of(&msg),
            receipt_id,
            msg,
        }
    }
}

/// The published leaves of a batch, or why the auditor has none.
#[derive(Clone, Debug, PartialEq)]
pub enum Leaves {
    Published(Vec<SignedReceipt>),
    Unavailable(String),
}

/// What the checker concluded about one batch.
#[derive(Serialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Leaves match the root and prove nothing against the batch or a held receipt.
    Honest,
    /// The batch is no longer pending (final or voided): nothing can be filed.
    Closed,
    /// A fraud proof is possible (the actions).
    Fraud,
    /// Leaves missing or not matching the root: inclusion requests for held receipts.
    Unavailable,
    /// Leaves missing or not matching, and no held receipt in range: nothing provable.
    Unprovable,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Honest => "honest",
            Verdict::Closed => "closed",
            Verdict::Fraud => "fraud",
            Verdict::Unavailable => "unavailable",
            Verdict::Unprovable => "unprovable",
        }
    }
}

/// The verdict on one batch and the actions it calls for, in filing order.
#[derive(Clone, Debug, PartialEq)]
pub struct Check {
    pub verdict: Verdict,
    pub actions: Vec<Action>,
    /// Why (for the report and the logs).
    pub note: String,
}

/// The batch as the oracle's messages name it.
pub fn batch_ref(batch: &Batch) -> BatchRef {
    BatchRef {
        model_id: batch.model_id,
        operator: batch.operator.to_string(),
        seq: batch.seq,
    }
}

/// Checks a posted batch against its published leaves and the receipts held for its
/// (model, operator). `held` may hold receipts of any range: only those in the batch's
/// range count.
pub fn check_batch(batch: &Batch, leaves: &Leaves, held: &[SignedReceipt]) -> Check {
    let posted = match leaves {
        Leaves::Published(v) => Posted::new(v.clone()).map_err(|e| format!("{e:#}")),
        Leaves::Unavailable(why) => Err(why.clone()),
    };
    check_against(batch, posted.as_ref().map_err(String::as_str), held)
}

/// [`check_batch`] with the leaves' tree built already (or why there are no leaves). One
/// lookup per held receipt, and only the first proof of each kind is built: one upheld
/// proof voids the batch.
pub fn check_against(batch: &Batch, posted: Result<&Posted, &str>, held: &[SignedReceipt]) -> Check {
    if batch.status != BatchStatus::Pending {
        return Check {
            verdict: Verdict::Closed,
            actions: vec![],
            note: format!("batch {} is not pending", batch.seq),
        };
    }
    let at = batch_ref(batch);
    let in_range: Vec<&SignedReceipt> = held
        .iter()
        .filter(|s| {
            s.receipt.model_id == batch.model_id
                && (batch.first_id..=batch.last_id).contains(&s.receipt.receipt_id)
        })
        .collect();
    let mut actions: Vec<Action> = in_range
        .iter()
        .filter(|s| s.receipt.epoch != batch.epoch)
        .map(|s| Action::new(proofs::wrong_epoch(at.clone(), s), Some(s.receipt.receipt_id)))
        .collect();
    let same_epoch = in_range.iter().filter(|s| s.receipt.epoch == batch.epoch);
    let posted = match posted {
        Ok(posted) if posted.matches_root(batch) => posted,
        other => {
            let why = match other {
                Err(why) => why.to_string(),
                Ok(_) => "the published leaves do not hash to the on-chain root".to_string(),
            };
            let requests: Vec<Action> = same_epoch
                .map(|s| {
                    Action::new(
                        proofs::request_inclusion(at.clone(), s),
                        Some(s.receipt.receipt_id),
                    )
                })
                .collect();
            let verdict = match (actions.is_empty(), requests.is_empty()) {
                (false, _) => Verdict::Fraud,
                (true, false) => Verdict::Unavailable,
                (true, true) => Verdict::Unprovable,
            };
            actions.extend(requests);
            return Check {
                verdict,
                actions,
                note: why,
            };
        }
    };
    let batch_proofs = [
        posted.bad_total(at.clone(), batch),
        posted.disorder(at.clone()),
        posted.misdeclared_end(at.clone(), batch),
    ];
    actions.extend(batch_proofs.into_iter().flatten().map(|m| Action::new(m, None)));
    let (mut altered, mut omitted) = (false, false);
    for s in same_epoch {
        let id = s.receipt.receipt_id;
        let proof = match posted.find(id) {
            Some((_, leaf)) if leaf.receipt == s.receipt => continue,
            Some(_) if altered => continue,
            None if omitted => continue,
            Some(_) => posted.altered(at.clone(), s),
            None => posted.omitted(at.clone(), s),
        };
        match proof {
            Ok(msg) => {
                let action = Action::new(msg, Some(id));
                altered |= action.kind == Kind::AlteredReceipt;
                omitted |= action.kind == Kind::OmittedReceipt;
                actions.push(action);
            }
            Err(e) => tracing::warn!(
                model_id = batch.model_id,
                operator = %batch.operator,
                seq = batch.seq,
                receipt_id = id,
                error = %format!("{e:#}"),
                "no proof for a held receipt that differs from the leaves"
            ),
        }
    }
    if actions.is_empty() {
        return honest(in_range.len());
    }
    Check {
        verdict: Verdict::Fraud,
        note: format!("{} proofs", actions.len()),
        actions,
    }
}

/// The verdict on a batch whose leaves match its root and hold every one of the
/// `in_range` receipts held in its range as it is.
pub fn honest(in_range: usize) -> Check {
    Check {
        verdict: Verdict::Honest,
        actions: vec![],
        note: format!("{in_range} held receipts in range, all posted"),
    }
}

/// Late omissions (SPEC §5.4): held receipts beyond the operator's last posted id whose
/// epoch's posting deadline has passed at `now`, or whose epoch is unborn at `now`
/// (`EpochClock::unborn`, the oracle's own rule: late at once). (Ids at or below the cursor's last id
/// are in some posted batch's range, since batches are contiguous: [`check_batch`]
/// covers them.) A pause of the oracle can move a deadline later; the chain refuses such
/// a proof as not late and the filer tries again on a later block.
pub fn late_omissions(
    config: &Config,
    cursor: &Cursor,
    operator: &str,
    now: u64,
    held: &[SignedReceipt],
) -> Vec<Action> {
    held.iter()
        .filter(|s| s.receipt.receipt_id > cursor.last_id && late_epoch(config, cursor, now, s.receipt.epoch))
        .map(|s| {
            Action::new(
                proofs::late(s.receipt.model_id, operator.to_string(), s),
                Some(s.receipt.receipt_id),
            )
        })
        .collect()
}

/// Late omissions inside a batch posted after its deadline (the oracle takes such a
/// batch, flagged `late`, so a model never stalls; its receipts stay provable): the held
/// receipts of `batch`'s range whose epoch's posting deadline had passed when it was
/// posted (`batches::deadline`; a pause that moved the deadline makes the chain refuse
/// the proof as not late, and the filer tries again later).
pub fn posted_late(config: &Config, batch: &Batch, held: &[SignedReceipt]) -> Vec<Action> {
    if !batch.late {
        return vec![];
    }
    held.iter()
        .filter(|s| {
            let r = &s.receipt;
            (batch.first_id..=batch.last_id).contains(&r.receipt_id)
                && r.epoch <= batch.epoch
                && batch.posted_at > attrib_receipt_oracle::batches::deadline(config, r.epoch)
        })
        .map(|s| {
            Action::new(
                proofs::late(s.receipt.model_id, batch.operator.to_string(), s),
                Some(s.receipt.receipt_id),
            )
        })
        .collect()
}

/// Whether a held receipt of `epoch` beyond the cursor's last id is late at `now` (the
/// epoch part of [`late_omissions`]' rule): the auditor reads only such epochs' receipts.
pub fn late_epoch(config: &Config, cursor: &Cursor, now: u64, epoch: u64) -> bool {
    epoch >= cursor.last_epoch
        && (config
            .clock()
            .unborn(epoch, now, config.params.posting_grace_secs)
            || now > attrib_receipt_oracle::batches::deadline(config, epoch))
}

/// What happens next to an inclusion request the auditor filed.
#[derive(Clone, Debug, PartialEq)]
pub enum Followup {
    /// Still open, before its deadline: wait.
    Wait,
    /// Open past its deadline: expire it (voids the batch, slashes the operator).
    Expire(Box<Action>),
    /// Upheld: the batch was voided on this request.
    Won,
    /// Answered with the receipt's own leaf, or refunded: closed without fraud.
    Closed,
}

/// The next step for the request on `at` for `receipt_id`, at block time `now`.
pub fn inclusion_followup(at: &BatchRef, receipt_id: u64, req: &InclusionRequest, now: u64) -> Followup {
    match req.status {
        InclusionStatus::Open if now > req.deadline => Followup::Expire(Box::new(Action::new(
            proofs::expire_inclusion(at.clone(), receipt_id),
            Some(receipt_id),
        ))),
        InclusionStatus::Open => Followup::Wait,
        InclusionStatus::Upheld => Followup::Won,
        InclusionStatus::Answered | InclusionStatus::Refunded => Followup::Closed,
    }
}

#[cfg(test)]
mod tests;
