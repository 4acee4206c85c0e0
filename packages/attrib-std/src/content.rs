//! A tranche's content (SPEC §3.1–3.2): the record tree its content root is the root of,
//! the bounds on what a contributor declares, the commitment that makes registration
//! commit-then-reveal, and the proof that a declared record count is wrong.
//!
//! **Record tree.** The merkle-sum tree of [`crate::receipts`] with one leaf per record,
//! in order: `leaf = sha256(0x00 ‖ sha256(record))`, weighing 1. Every node's hash
//! commits to its children's sums, so the content root commits to the record count:
//! the root's two children sum to it, and a wrong count shows as a node whose children
//! do not add up to it, or as a leaf that claims to weigh other than 1. Anyone holding
//! the records (or the contributor's tree) opens the path down to that node:
//! [`disprove_count`].
//!
//! **Commit, then reveal.** A contributor first commits to
//! `sha256(domain ‖ len ‖ contributor ‖ dataset id ‖ content root ‖ salt)` ([`commitment`]);
//! the registration that reveals the root is accepted only in a later block, from the
//! same sender, within [`REVEAL_WINDOW_SECS`]. Whoever copies the revealed root cannot
//! have committed to it before, and a commitment names its contributor.

use cosmwasm_schema::cw_serde;
use cosmwasm_std::HexBinary;
use sha2::{Digest, Sha256};

use crate::receipts::{Node, ProofError, ProofNode, SumTree};

/// Domain of a tranche registration commitment.
pub const TRANCHE_COMMIT_DOMAIN: &[u8] = b"attrib/tranche-commit/v1";
/// A commitment's salt: 32 random bytes, so a guessed root cannot be tested against it.
pub const SALT_LEN: usize = 32;
/// How long after its commitment a registration may be revealed (one day). An older
/// commitment can no longer be revealed; its committer withdraws it and its bond.
pub const REVEAL_WINDOW_SECS: u64 = 86_400;
/// Unrevealed commitments one sender may hold at once (each holds a listing bond).
pub const MAX_OPEN_COMMITMENTS: usize = 16;
/// Most records one tranche may declare (2^40, about 1.1 × 10^12).
pub const MAX_RECORD_COUNT: u64 = 1 << 40;
/// Most bytes per record a tranche may declare on average (16 MiB):
/// `byte_size ≤ record_count × MAX_BYTES_PER_RECORD`.
pub const MAX_BYTES_PER_RECORD: u64 = 1 << 24;
/// [`MAX_RECORD_COUNT`], for serde defaults.
pub fn max_record_count() -> u64 {
    MAX_RECORD_COUNT
}

/// Most bytes one tranche may declare (1 PiB), whatever its record count.
pub const MAX_BYTE_SIZE: u64 = 1 << 50;
/// Most records per tranche of a dataset that does not set its own bound (2^24, about
/// 1.7 × 10^7). A maintainer sets what its data makes plausible: an optimistic tranche
/// nobody challenged in time then takes at most that weight, however it lied.
pub const DEFAULT_MAX_TRANCHE_RECORDS: u64 = 1 << 24;
/// Share of a forfeited listing bond paid to whoever proved the record count wrong; the
/// rest goes to the reward pool.
pub const PROVER_SHARE_BPS: u128 = 5_000;

/// Most bytes a tranche of `record_count` records may declare: 16 MiB a record on average,
/// never more than [`MAX_BYTE_SIZE`].
pub fn max_byte_size(record_count: u64) -> u64 {
    record_count
        .checked_mul(MAX_BYTES_PER_RECORD)
        .map_or(MAX_BYTE_SIZE, |b| b.min(MAX_BYTE_SIZE))
}

/// The leaf of one record: its sha256, weighing one record.
pub fn record_leaf(record: &[u8]) -> Node {
    Node::leaf(&Sha256::digest(record).into(), 1)
}

/// The record tree of a tranche (records in order); `None` for no records.
pub fn record_tree<'a>(records: impl IntoIterator<Item = &'a [u8]>) -> Option<SumTree> {
    let leaves: Vec<Node> = records.into_iter().map(record_leaf).collect();
    // Each leaf weighs 1, so the sums are at most the number of leaves: no overflow.
    SumTree::build(leaves).expect("record sums fit in u128")
}

/// Content root of a tranche: the root hash of its record tree.
pub fn content_root<'a>(records: impl IntoIterator<Item = &'a [u8]>) -> Option<[u8; 32]> {
    record_tree(records).map(|t| t.root().hash)
}

/// What a contributor commits to before revealing a registration.
pub fn commitment(contributor: &str, dataset_id: u64, content_root: &[u8], salt: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(TRANCHE_COMMIT_DOMAIN);
    h.update((contributor.len() as u32).to_be_bytes());
    h.update(contributor.as_bytes());
    h.update(dataset_id.to_be_bytes());
    h.update(content_root);
    h.update(salt);
    h.finalize().into()
}

/// One step of a record-count proof, from the content root down.
#[cw_serde]
pub enum CountStep {
    /// The current node's two children; the proof goes on into the left one.
    Left { left: ProofNode, right: ProofNode },
    /// The current node's two children; the proof goes on into the right one.
    Right { left: ProofNode, right: ProofNode },
    /// The current node is the leaf of the record with this sha256 (last step only).
    Leaf { record_digest: HexBinary },
}

/// What a valid count proof showed: a node claiming `claimed` records holds `actual`
/// (the sum of its children, or 1 for a leaf), `depth` steps below the root.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CountFraud {
    pub depth: u32,
    pub claimed: u128,
    pub actual: u128,
}

/// Checks a proof that `declared` is not the record count of the tree with root hash
/// `root`. Each step opens the node reached so far (its hash must match); the proof ends
/// at the first node whose children do not add up to it, or at a leaf claiming to weigh
/// other than 1. A proof that ends elsewhere, or goes on past the fault, is refused.
pub fn disprove_count(root: &[u8; 32], declared: u64, steps: &[CountStep]) -> Result<CountFraud, ProofError> {
    let mut current = Node {
        hash: *root,
        sum: declared as u128,
    };
    let last = steps.len().checked_sub(1).ok_or(ProofError::WrongPathLength)?;
    for (depth, step) in steps.iter().enumerate() {
        let fraud = |actual| CountFraud {
            depth: depth as u32,
            claimed: current.sum,
            actual,
        };
        let (left, right, go_right) = match step {
            CountStep::Left { left, right } => (left, right, false),
            CountStep::Right { left, right } => (left, right, true),
            CountStep::Leaf { record_digest } => {
                let digest = record_digest.to_array().map_err(|_| ProofError::BadHashLength {
                    len: record_digest.len(),
                })?;
                if depth != last {
                    return Err(ProofError::WrongPathLength);
                }
                if Node::leaf(&digest, 1).hash != current.hash {
                    return Err(ProofError::RootMismatch);
                }
                if current.sum == 1 {
                    return Err(ProofError::NoFraud {
                        reason: "the leaf weighs one record",
                    });
                }
                return Ok(fraud(1));
            }
        };
        let (left, right) = (Node::try_from(left)?, Node::try_from(right)?);
        // A forged tree's children may claim sums that overflow: that is a fault too.
        if Node::parent_hash(&left, &right) != current.hash {
            return Err(ProofError::RootMismatch);
        }
        let actual = left.sum.checked_add(right.sum);
        if actual != Some(current.sum) {
            if depth != last {
                return Err(ProofError::WrongPathLength);
            }
            return Ok(fraud(actual.unwrap_or(u128::MAX)));
        }
        if depth == last {
            return Err(ProofError::NoFraud {
                reason: "the node's children add up to it",
            });
        }
        current = if go_right { right } else { left };
    }
    unreachable!("the last step always returns")
}

/// The shortest proof that `declared` is not the number of `records`, for the content
/// root [`content_root`] computes from them (a canonical tree, every node honest): the
/// root's two children, or the single record's leaf. `None` if `declared` is right (or
/// there are no records).
pub fn count_proof(records: &[&[u8]], declared: u64) -> Option<Vec<CountStep>> {
    let tree = record_tree(records.iter().copied())?;
    if tree.count() == declared {
        return None;
    }
    if tree.count() == 1 {
        let digest: [u8; 32] = Sha256::digest(records[0]).into();
        return Some(vec![CountStep::Leaf {
            record_digest: HexBinary::from(digest.to_vec()),
        }]);
    }
    let level = tree.root_level() - 1;
    let (left, right) = (tree.node(level, 0)?, tree.node(level, 1)?);
    Some(vec![CountStep::Left {
        left: left.into(),
        right: right.into(),
    }])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(n: usize) -> Vec<Vec<u8>> {
        (0..n).map(|i| format!("record-{i}").into_bytes()).collect()
    }

    fn tree(rs: &[Vec<u8>]) -> SumTree {
        record_tree(rs.iter().map(Vec::as_slice)).unwrap()
    }

    #[test]
    fn content_root_vector() {
        // Computed independently with Python hashlib.
        let root = content_root([b"a".as_slice(), b"b", b"c"]).unwrap();
        assert_eq!(
            hex::encode(root),
            "881f4cd82a4c229ddb70708ff389acafc16c0606dc5e072f8515c9aae233fb30"
        );
        assert_eq!(content_root(std::iter::empty()), None);
        let t = tree(&records(5));
        assert_eq!((t.count(), t.root().sum), (5, 5));
    }

    #[test]
    fn commitment_vector_and_binding() {
        let c = commitment("alice", 7, &[1u8; 32], &[2u8; 32]);
        // Computed independently with Python hashlib.
        assert_eq!(
            hex::encode(c),
            "1798d35a95c3265c58148054b538545758fea247ba1b56133bfdcda9b31f6cab"
        );
        assert_ne!(c, commitment("alicf", 7, &[1u8; 32], &[2u8; 32]));
        assert_ne!(c, commitment("alice", 8, &[1u8; 32], &[2u8; 32]));
        assert_ne!(c, commitment("alice", 7, &[1u8; 32], &[3u8; 32]));
    }

    #[test]
    fn a_wrong_count_is_proved_by_the_root_children() {
        for n in [2usize, 3, 7, 8, 100] {
            let rs = records(n);
            let t = tree(&rs);
            let root = t.root().hash;
            let slices: Vec<&[u8]> = rs.iter().map(Vec::as_slice).collect();
            assert_eq!(count_proof(&slices, n as u64), None);
            for declared in [1, n as u64 - 1, n as u64 + 1, u64::MAX] {
                let proof = count_proof(&slices, declared).unwrap();
                assert_eq!(
                    disprove_count(&root, declared, &proof),
                    Ok(CountFraud {
                        depth: 0,
                        claimed: declared as u128,
                        actual: n as u128
                    })
                );
            }
            // The true count cannot be disproved with the same opening.
            let proof = count_proof(&slices, n as u64 + 1).unwrap();
            assert!(matches!(
                disprove_count(&root, n as u64, &proof),
                Err(ProofError::NoFraud { .. })
            ));
        }
    }

    #[test]
    fn a_single_record_is_proved_by_its_leaf() {
        let rs = records(1);
        let t = tree(&rs);
        let proof = count_proof(&[rs[0].as_slice()], 9).unwrap();
        assert_eq!(
            disprove_count(&t.root().hash, 9, &proof),
            Ok(CountFraud {
                depth: 0,
                claimed: 9,
                actual: 1
            })
        );
        assert!(matches!(
            disprove_count(&t.root().hash, 1, &proof),
            Err(ProofError::NoFraud { .. })
        ));
        // Another record's leaf does not open this root.
        let other = vec![CountStep::Leaf {
            record_digest: HexBinary::from([7u8; 32].to_vec()),
        }];
        assert_eq!(
            disprove_count(&t.root().hash, 9, &other),
            Err(ProofError::RootMismatch)
        );
    }

    /// A forged tree whose root children add up (3 + 1000) but whose right child is a
    /// single leaf claiming 1000 records: proved two steps down.
    #[test]
    fn a_forged_inner_sum_is_proved_where_it_lies() {
        let rs = records(4);
        let d: Vec<[u8; 32]> = rs.iter().map(|r| Sha256::digest(r).into()).collect();
        let l = Node::parent(
            &Node::parent(&Node::leaf(&d[0], 1), &Node::leaf(&d[1], 1)).unwrap(),
            &Node::leaf(&d[2], 1),
        )
        .unwrap();
        let r = Node::leaf(&d[3], 1000);
        let root = Node::parent(&l, &r).unwrap();
        assert_eq!(root.sum, 1003);
        let open = |go_right| {
            let (left, right) = (l.into(), r.into());
            if go_right {
                CountStep::Right { left, right }
            } else {
                CountStep::Left { left, right }
            }
        };
        let leaf = CountStep::Leaf {
            record_digest: HexBinary::from(d[3].to_vec()),
        };
        assert_eq!(
            disprove_count(&root.hash, 1003, &[open(true), leaf.clone()]),
            Ok(CountFraud {
                depth: 1,
                claimed: 1000,
                actual: 1
            })
        );
        // Wrong side, a proof that stops early, a proof that goes on past the fault.
        assert_eq!(
            disprove_count(&root.hash, 1003, &[open(false), leaf.clone()]),
            Err(ProofError::RootMismatch)
        );
        assert!(matches!(
            disprove_count(&root.hash, 1003, &[open(true)]),
            Err(ProofError::NoFraud { .. })
        ));
        assert_eq!(
            disprove_count(&root.hash, 5, &[open(true), leaf]),
            Err(ProofError::WrongPathLength)
        );
        assert_eq!(
            disprove_count(&root.hash, 5, &[]),
            Err(ProofError::WrongPathLength)
        );
        let short = CountStep::Leaf {
            record_digest: HexBinary::from(vec![1u8; 31]),
        };
        assert_eq!(
            disprove_count(&root.hash, 5, &[short]),
            Err(ProofError::BadHashLength { len: 31 })
        );
    }

    #[test]
    fn byte_bound_is_per_record_and_capped() {
        assert_eq!(max_byte_size(2), 2 * MAX_BYTES_PER_RECORD);
        // 2^26 records × 16 MiB = 1 PiB: the cap from there on (it used to saturate to
        // u64::MAX, letting any size through at the record ceiling).
        assert_eq!(max_byte_size(1 << 26), MAX_BYTE_SIZE);
        assert_eq!(max_byte_size(MAX_RECORD_COUNT), MAX_BYTE_SIZE);
        assert_eq!(max_byte_size(u64::MAX), MAX_BYTE_SIZE);
    }
}
