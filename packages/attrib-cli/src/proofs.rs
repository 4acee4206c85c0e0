//! The oracle's fraud-proof and inclusion messages (SPEC §5.4, §5.6), built from a batch's
//! posted leaves and a receipt its holder kept. Pure functions: `attrib tx oracle` calls
//! them with receipts files, the auditor (`attrib-auditor`) with the leaves it fetched
//! from the operator's data URI. Trees and paths come from `attrib_std::receipts`.

use std::collections::HashMap;

use anyhow::{anyhow, bail, Result};
use attrib_receipt_oracle::contract::sv::ExecMsg;
use attrib_receipt_oracle::msg::{
    AlteredReceiptProof, BadSumProof, BadTotalProof, BatchRef, DuplicateIdProof, OmittedReceiptProof,
    WrongEpochProof,
};
use attrib_receipt_oracle::state::Batch;
use attrib_std::receipts::{SignedReceipt, SumTree};

/// The merkle-sum tree of posted leaves, in the order given.
pub fn tree_of(rs: &[SignedReceipt]) -> Result<SumTree> {
    // Leaves straight from the signed receipts: no copy of a million receipts.
    SumTree::build(rs.iter().map(|r| r.receipt.leaf()).collect())?.ok_or_else(|| anyhow!("no receipts"))
}

/// The position and receipt of `id` among posted leaves.
pub fn find(rs: &[SignedReceipt], id: u64) -> Option<(usize, &SignedReceipt)> {
    rs.iter().enumerate().find(|(_, r)| r.receipt.receipt_id == id)
}

/// The posted leaves hash to the batch's on-chain root and count (whatever total it
/// declared): only then do paths built from them verify on chain.
pub fn leaves_match_root(posted: &[SignedReceipt], batch: &Batch) -> bool {
    tree_of(posted).is_ok_and(|tree| commits_to(&tree, batch))
}

fn commits_to(tree: &SumTree, batch: &Batch) -> bool {
    let c = tree.commitment();
    c.count == batch.count && batch.root.as_slice() == c.root
}

/// A batch's posted leaves with their merkle-sum tree and an id → position index, built
/// once: every proof about them is a lookup and a path (the auditor checks a batch of a
/// million leaves against many held receipts with one of these).
pub struct Posted {
    leaves: Vec<SignedReceipt>,
    tree: SumTree,
    /// The first position of each id.
    index: HashMap<u64, usize>,
    /// Ids strictly increase (then the leaf after an id is found by bisection).
    increasing: bool,
}

impl Posted {
    /// The tree of `leaves` (in the order given); an error for no leaves.
    pub fn new(leaves: Vec<SignedReceipt>) -> Result<Posted> {
        let tree = tree_of(&leaves)?;
        let mut index = HashMap::with_capacity(leaves.len());
        for (i, r) in leaves.iter().enumerate() {
            index.entry(r.receipt.receipt_id).or_insert(i);
        }
        let increasing = leaves
            .windows(2)
            .all(|w| w[0].receipt.receipt_id < w[1].receipt.receipt_id);
        Ok(Posted {
            leaves,
            tree,
            index,
            increasing,
        })
    }

    pub fn leaves(&self) -> &[SignedReceipt] {
        &self.leaves
    }

    /// The leaves hash to the batch's on-chain root and count (whatever total it
    /// declared): only then do paths built from them verify on chain.
    pub fn matches_root(&self, batch: &Batch) -> bool {
        commits_to(&self.tree, batch)
    }

    /// The position and receipt of `id` (its first leaf).
    pub fn find(&self, id: u64) -> Option<(usize, &SignedReceipt)> {
        self.index.get(&id).map(|&i| (i, &self.leaves[i]))
    }

    /// `challenge_omitted_receipt`: `held` lies between two adjacent posted leaves.
    pub fn omitted(&self, batch: BatchRef, held: &SignedReceipt) -> Result<ExecMsg> {
        let id = held.receipt.receipt_id;
        if self.find(id).is_some() {
            bail!("receipt {id} is in the posted batch: nothing omitted");
        }
        let posted = &self.leaves;
        let after = if self.increasing {
            Some(posted.partition_point(|r| r.receipt.receipt_id < id)).filter(|i| *i < posted.len())
        } else {
            posted.iter().position(|r| r.receipt.receipt_id > id)
        };
        let i = after
            .filter(|i| *i > 0)
            .ok_or_else(|| anyhow!("receipt {id} is outside the batch's range"))?;
        Ok(ExecMsg::ChallengeOmittedReceipt {
            batch,
            proof: OmittedReceiptProof {
                receipt: held.receipt.clone(),
                signature: held.signature.clone(),
                left: posted[i - 1].receipt.clone(),
                left_path: self.tree.path(0, i as u64 - 1),
                right: posted[i].receipt.clone(),
                right_path: self.tree.path(0, i as u64),
            },
        })
    }

    /// `challenge_altered_receipt`: the posted leaf with `held`'s id differs from it.
    pub fn altered(&self, batch: BatchRef, held: &SignedReceipt) -> Result<ExecMsg> {
        let id = held.receipt.receipt_id;
        let (i, leaf) = self
            .find(id)
            .ok_or_else(|| anyhow!("receipt {id} is not in the batch (try challenge-omitted)"))?;
        if leaf.receipt == held.receipt {
            bail!("the batch's leaf is exactly the signed receipt: nothing altered");
        }
        Ok(ExecMsg::ChallengeAlteredReceipt {
            batch,
            proof: AlteredReceiptProof {
                receipt: held.receipt.clone(),
                signature: held.signature.clone(),
                leaf: leaf.receipt.clone(),
                path: self.tree.path(0, i as u64),
            },
        })
    }

    /// `challenge_duplicate_id` with two adjacent leaves whose ids do not strictly
    /// increase.
    pub fn disorder(&self, batch: BatchRef) -> Result<ExecMsg> {
        let posted = &self.leaves;
        let i = posted
            .windows(2)
            .position(|w| w[0].receipt.receipt_id >= w[1].receipt.receipt_id)
            .ok_or_else(|| anyhow!("the posted ids strictly increase: no duplicate"))?;
        Ok(ExecMsg::ChallengeDuplicateId {
            batch,
            proof: DuplicateIdProof {
                left: posted[i].receipt.clone(),
                left_path: self.tree.path(0, i as u64),
                right: Some(posted[i + 1].receipt.clone()),
                right_path: Some(self.tree.path(0, i as u64 + 1)),
            },
        })
    }

    /// `challenge_duplicate_id` without a right leaf: the first or last leaf does not
    /// carry the id the batch declared for it.
    pub fn misdeclared_end(&self, batch: BatchRef, onchain: &Batch) -> Result<ExecMsg> {
        let posted = &self.leaves;
        let last = posted.len() - 1;
        let i = if posted[0].receipt.receipt_id != onchain.first_id {
            0
        } else if posted[last].receipt.receipt_id != onchain.last_id {
            last
        } else {
            bail!("the end leaves carry the declared ids");
        };
        Ok(ExecMsg::ChallengeDuplicateId {
            batch,
            proof: DuplicateIdProof {
                left: posted[i].receipt.clone(),
                left_path: self.tree.path(0, i as u64),
                right: None,
                right_path: None,
            },
        })
    }

    /// `challenge_bad_total` (one leaf) or `challenge_bad_sum` at the root: the leaves
    /// hash to the batch's root but their units do not add up to its declared total.
    pub fn bad_total(&self, batch: BatchRef, onchain: &Batch) -> Result<ExecMsg> {
        let tree = &self.tree;
        let honest = tree.commitment();
        if onchain.root.as_slice() != honest.root || onchain.total_units.u128() == honest.total {
            bail!("the posted receipts do not show a bad total for this batch");
        }
        if self.leaves.len() == 1 {
            // A lone leaf has no children: the leaf itself shows the total.
            return Ok(ExecMsg::ChallengeBadTotal {
                batch,
                proof: BadTotalProof {
                    leaf: self.leaves[0].receipt.clone(),
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

    /// `answer_inclusion`: the posted leaf of `receipt_id` and its path.
    pub fn answer_inclusion(&self, batch: BatchRef, receipt_id: u64) -> Result<ExecMsg> {
        let (i, leaf) = self
            .find(receipt_id)
            .ok_or_else(|| anyhow!("receipt {receipt_id} is not in the batch: no answer"))?;
        Ok(ExecMsg::AnswerInclusion {
            batch,
            receipt_id,
            leaf: leaf.receipt.clone(),
            path: self.tree.path(0, i as u64),
        })
    }
}

/// `challenge_omitted_receipt` ([`Posted::omitted`]).
pub fn omitted(batch: BatchRef, posted: &[SignedReceipt], held: &SignedReceipt) -> Result<ExecMsg> {
    Posted::new(posted.to_vec())?.omitted(batch, held)
}

/// `challenge_altered_receipt` ([`Posted::altered`]).
pub fn altered(batch: BatchRef, posted: &[SignedReceipt], held: &SignedReceipt) -> Result<ExecMsg> {
    Posted::new(posted.to_vec())?.altered(batch, held)
}

/// `challenge_duplicate_id` of two adjacent leaves ([`Posted::disorder`]).
pub fn disorder(batch: BatchRef, posted: &[SignedReceipt]) -> Result<ExecMsg> {
    Posted::new(posted.to_vec())?.disorder(batch)
}

/// `challenge_duplicate_id` of an end leaf ([`Posted::misdeclared_end`]).
pub fn misdeclared_end(batch: BatchRef, onchain: &Batch, posted: &[SignedReceipt]) -> Result<ExecMsg> {
    Posted::new(posted.to_vec())?.misdeclared_end(batch, onchain)
}

/// `challenge_bad_total` / `challenge_bad_sum` ([`Posted::bad_total`]).
pub fn bad_total(batch: BatchRef, onchain: &Batch, posted: &[SignedReceipt]) -> Result<ExecMsg> {
    Posted::new(posted.to_vec())?.bad_total(batch, onchain)
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

/// `answer_inclusion` ([`Posted::answer_inclusion`]).
pub fn answer_inclusion(batch: BatchRef, posted: &[SignedReceipt], receipt_id: u64) -> Result<ExecMsg> {
    Posted::new(posted.to_vec())?.answer_inclusion(batch, receipt_id)
}

/// `expire_inclusion`: void the batch of an unanswered request past its deadline.
pub fn expire_inclusion(batch: BatchRef, receipt_id: u64) -> ExecMsg {
    ExecMsg::ExpireInclusion { batch, receipt_id }
}
