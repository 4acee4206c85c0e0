//! The oracle's fraud-proof and inclusion messages (SPEC §5.4, §5.6), built from a batch's
//! posted leaves and a receipt its holder kept. Pure functions: `attrib tx oracle` calls
//! them with receipts files, the auditor (`attrib-auditor`) with the leaves it fetched
//! from the operator's data URI. Trees and paths come from `attrib_std::receipts`.

use anyhow::{anyhow, bail, Result};
use attrib_receipt_oracle::contract::sv::ExecMsg;
use attrib_receipt_oracle::msg::{
    AlteredReceiptProof, BadSumProof, BadTotalProof, BatchRef, DuplicateIdProof, OmittedReceiptProof,
    WrongEpochProof,
};
use attrib_receipt_oracle::state::Batch;
use attrib_std::receipts::{Receipt, SignedReceipt, SumTree};

/// The merkle-sum tree of posted leaves, in the order given.
pub fn tree_of(rs: &[SignedReceipt]) -> Result<SumTree> {
    let receipts: Vec<Receipt> = rs.iter().map(|r| r.receipt.clone()).collect();
    SumTree::from_receipts(&receipts)?.ok_or_else(|| anyhow!("no receipts"))
}

/// The position and receipt of `id` among posted leaves.
pub fn find(rs: &[SignedReceipt], id: u64) -> Option<(usize, &SignedReceipt)> {
    rs.iter().enumerate().find(|(_, r)| r.receipt.receipt_id == id)
}

/// The posted leaves hash to the batch's on-chain root and count (whatever total it
/// declared): only then do paths built from them verify on chain.
pub fn leaves_match_root(posted: &[SignedReceipt], batch: &Batch) -> bool {
    match tree_of(posted) {
        Ok(tree) => {
            let c = tree.commitment();
            c.count == batch.count && batch.root.as_slice() == c.root
        }
        Err(_) => false,
    }
}

/// `challenge_omitted_receipt`: `held` lies between two adjacent posted leaves.
pub fn omitted(batch: BatchRef, posted: &[SignedReceipt], held: &SignedReceipt) -> Result<ExecMsg> {
    let id = held.receipt.receipt_id;
    if find(posted, id).is_some() {
        bail!("receipt {id} is in the posted batch: nothing omitted");
    }
    let tree = tree_of(posted)?;
    let i = posted
        .iter()
        .position(|r| r.receipt.receipt_id > id)
        .filter(|i| *i > 0)
        .ok_or_else(|| anyhow!("receipt {id} is outside the batch's range"))?;
    Ok(ExecMsg::ChallengeOmittedReceipt {
        batch,
        proof: OmittedReceiptProof {
            receipt: held.receipt.clone(),
            signature: held.signature.clone(),
            left: posted[i - 1].receipt.clone(),
            left_path: tree.path(0, i as u64 - 1),
            right: posted[i].receipt.clone(),
            right_path: tree.path(0, i as u64),
        },
    })
}

/// `challenge_altered_receipt`: the posted leaf with `held`'s id differs from it.
pub fn altered(batch: BatchRef, posted: &[SignedReceipt], held: &SignedReceipt) -> Result<ExecMsg> {
    let id = held.receipt.receipt_id;
    let (i, leaf) = find(posted, id)
        .ok_or_else(|| anyhow!("receipt {id} is not in the batch (try challenge-omitted)"))?;
    if leaf.receipt == held.receipt {
        bail!("the batch's leaf is exactly the signed receipt: nothing altered");
    }
    let tree = tree_of(posted)?;
    Ok(ExecMsg::ChallengeAlteredReceipt {
        batch,
        proof: AlteredReceiptProof {
            receipt: held.receipt.clone(),
            signature: held.signature.clone(),
            leaf: leaf.receipt.clone(),
            path: tree.path(0, i as u64),
        },
    })
}

/// `challenge_duplicate_id` with two adjacent leaves whose ids do not strictly increase.
pub fn disorder(batch: BatchRef, posted: &[SignedReceipt]) -> Result<ExecMsg> {
    let i = posted
        .windows(2)
        .position(|w| w[0].receipt.receipt_id >= w[1].receipt.receipt_id)
        .ok_or_else(|| anyhow!("the posted ids strictly increase: no duplicate"))?;
    let tree = tree_of(posted)?;
    Ok(ExecMsg::ChallengeDuplicateId {
        batch,
        proof: DuplicateIdProof {
            left: posted[i].receipt.clone(),
            left_path: tree.path(0, i as u64),
            right: Some(posted[i + 1].receipt.clone()),
            right_path: Some(tree.path(0, i as u64 + 1)),
        },
    })
}

/// `challenge_duplicate_id` without a right leaf: the first or last leaf does not carry
/// the id the batch declared for it.
pub fn misdeclared_end(batch: BatchRef, onchain: &Batch, posted: &[SignedReceipt]) -> Result<ExecMsg> {
    let last = posted
        .len()
        .checked_sub(1)
        .ok_or_else(|| anyhow!("no receipts"))?;
    let i = if posted[0].receipt.receipt_id != onchain.first_id {
        0
    } else if posted[last].receipt.receipt_id != onchain.last_id {
        last
    } else {
        bail!("the end leaves carry the declared ids");
    };
    let tree = tree_of(posted)?;
    Ok(ExecMsg::ChallengeDuplicateId {
        batch,
        proof: DuplicateIdProof {
            left: posted[i].receipt.clone(),
            left_path: tree.path(0, i as u64),
            right: None,
            right_path: None,
        },
    })
}

/// `challenge_bad_total` (one leaf) or `challenge_bad_sum` at the root: the posted leaves
/// hash to the batch's root but their units do not add up to its declared total.
pub fn bad_total(batch: BatchRef, onchain: &Batch, posted: &[SignedReceipt]) -> Result<ExecMsg> {
    let tree = tree_of(posted)?;
    let honest = tree.commitment();
    if onchain.root.as_slice() != honest.root || onchain.total_units.u128() == honest.total {
        bail!("the posted receipts do not show a bad total for this batch");
    }
    if posted.len() == 1 {
        // A lone leaf has no children: the leaf itself shows the total.
        return Ok(ExecMsg::ChallengeBadTotal {
            batch,
            proof: BadTotalProof {
                leaf: posted[0].receipt.clone(),
            },
        });
    }
    let top = tree.root_level();
    let (l, r) = (
        tree.node(top - 1, 0).expect("2+ leaves"),
        tree.node(top - 1, 1).expect("2+ leaves"),
    );
    Ok(ExecMsg::ChallengeBadSum {
        batch,
        proof: BadSumProof {
            left: l.into(),
            right: r.into(),
            claimed_sum: onchain.total_units,
            path: tree.path(top, 0),
        },
    })
}

/// `challenge_wrong_epoch`: a receipt of another epoch inside the batch's range (the
/// receipt alone is the proof).
pub fn wrong_epoch(batch: BatchRef, held: &SignedReceipt) -> ExecMsg {
    ExecMsg::ChallengeWrongEpoch {
        batch,
        proof: WrongEpochProof {
            receipt: held.receipt.clone(),
            signature: held.signature.clone(),
        },
    }
}

/// `challenge_late_omission`: after its epoch's posting deadline, a receipt beyond the
/// operator's last posted id.
pub fn late(model_id: u64, operator: String, held: &SignedReceipt) -> ExecMsg {
    ExecMsg::ChallengeLateOmission {
        model_id,
        operator,
        receipt: held.receipt.clone(),
        signature: held.signature.clone(),
    }
}

/// `request_inclusion` (the inclusion fee goes with it as funds).
pub fn request_inclusion(batch: BatchRef, held: &SignedReceipt) -> ExecMsg {
    ExecMsg::RequestInclusion {
        batch,
        receipt: held.receipt.clone(),
        signature: held.signature.clone(),
    }
}

/// `answer_inclusion`: the posted leaf of `receipt_id` and its path.
pub fn answer_inclusion(batch: BatchRef, posted: &[SignedReceipt], receipt_id: u64) -> Result<ExecMsg> {
    let (i, leaf) = find(posted, receipt_id)
        .ok_or_else(|| anyhow!("receipt {receipt_id} is not in the batch: no answer"))?;
    let tree = tree_of(posted)?;
    Ok(ExecMsg::AnswerInclusion {
        batch,
        receipt_id,
        leaf: leaf.receipt.clone(),
        path: tree.path(0, i as u64),
    })
}

/// `expire_inclusion`: void the batch of an unanswered request past its deadline.
pub fn expire_inclusion(batch: BatchRef, receipt_id: u64) -> ExecMsg {
    ExecMsg::ExpireInclusion { batch, receipt_id }
}
