//! Metered usage (SPEC §5.3–5.4): the canonical receipt and its signed bytes, the batch
//! payload, and the merkle-sum tree over a batch's receipts with the proofs the receipt
//! oracle checks on chain. The contract and the CLI both use exactly this code.
//!
//! **Signatures.** An operator signs `sha256(sign_bytes)` with secp256k1 (the Cosmos key
//! type; `secp256k1_verify` on chain). Sign bytes are domain-separated and carry the chain
//! id and the oracle's address, so a signature cannot be replayed on another chain,
//! contract, model or epoch.
//!
//! **Tree.** Leaves are the receipts sorted by receipt id: `hash = sha256(0x00 ‖
//! receipt digest)`, `sum = units`. A node commits to both children and their sums:
//! `hash = sha256(0x01 ‖ left.hash ‖ left.sum ‖ right.hash ‖ right.sum)` (sums as 16-byte
//! big-endian), `sum = left.sum + right.sum`. An odd node at the end of a level is
//! promoted unchanged. A batch commits to the root hash, the total units (the root's sum)
//! and the leaf count; the shape of every path follows from (index, count), so proofs
//! carry only sibling nodes.

use cosmwasm_schema::cw_serde;
use cosmwasm_std::{HexBinary, Uint128};
use sha2::{Digest, Sha256};
use thiserror::Error;

pub const RECEIPT_DOMAIN: &[u8] = b"attrib/receipt/v1";
pub const BATCH_DOMAIN: &[u8] = b"attrib/batch/v1";
const LEAF_TAG: u8 = 0x00;
const NODE_TAG: u8 = 0x01;

fn put_str(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(&(s.len() as u32).to_be_bytes());
    out.extend_from_slice(s.as_bytes());
}

/// One metered inference (or block of units), signed by the operator when served.
#[cw_serde]
pub struct Receipt {
    pub chain_id: String,
    /// The receipt oracle's address.
    pub contract: String,
    pub model_id: u64,
    pub epoch: u64,
    /// Strictly increasing per (model, operator).
    pub receipt_id: u64,
    pub units: u64,
    /// Seconds since the Unix epoch, when served.
    pub timestamp: u64,
}

impl Receipt {
    /// The exact bytes an operator signs (after sha256).
    pub fn sign_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(96 + self.chain_id.len() + self.contract.len());
        out.extend_from_slice(RECEIPT_DOMAIN);
        put_str(&mut out, &self.chain_id);
        put_str(&mut out, &self.contract);
        for n in [
            self.model_id,
            self.epoch,
            self.receipt_id,
            self.units,
            self.timestamp,
        ] {
            out.extend_from_slice(&n.to_be_bytes());
        }
        out
    }

    /// sha256 of the sign bytes: the message hash of the operator's signature.
    pub fn digest(&self) -> [u8; 32] {
        Sha256::digest(self.sign_bytes()).into()
    }

    pub fn leaf(&self) -> Node {
        Node::leaf(&self.digest(), self.units as u128)
    }
}

/// One line of a receipts file (JSONL, sorted by receipt id): what an operator's gateway
/// keeps and publishes for auditors, and what the CLI's proofs read. (Not `cw_serde`: it
/// never goes on chain, and a line may carry fields of later tools.)
#[derive(serde::Serialize, serde::Deserialize, Clone, Debug, PartialEq)]
pub struct SignedReceipt {
    pub receipt: Receipt,
    /// secp256k1 signature of the receipt's [`Receipt::digest`].
    pub signature: HexBinary,
}

/// What an operator signs when posting a batch.
#[cw_serde]
pub struct BatchHeader {
    pub chain_id: String,
    pub contract: String,
    pub model_id: u64,
    pub epoch: u64,
    pub operator: String,
    /// 1, 2, 3 … per (model, operator).
    pub seq: u64,
    pub first_id: u64,
    pub last_id: u64,
    pub count: u64,
    pub total_units: Uint128,
    pub root: HexBinary,
}

impl BatchHeader {
    pub fn sign_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(200);
        out.extend_from_slice(BATCH_DOMAIN);
        put_str(&mut out, &self.chain_id);
        put_str(&mut out, &self.contract);
        put_str(&mut out, &self.operator);
        for n in [
            self.model_id,
            self.epoch,
            self.seq,
            self.first_id,
            self.last_id,
            self.count,
        ] {
            out.extend_from_slice(&n.to_be_bytes());
        }
        out.extend_from_slice(&self.total_units.u128().to_be_bytes());
        out.extend_from_slice(self.root.as_slice());
        out
    }

    pub fn digest(&self) -> [u8; 32] {
        Sha256::digest(self.sign_bytes()).into()
    }
}

/// A node of the merkle-sum tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Node {
    pub hash: [u8; 32],
    pub sum: u128,
}

impl Node {
    /// A leaf: `sha256(0x00 ‖ digest)` weighing `sum`.
    pub fn leaf(digest: &[u8; 32], sum: u128) -> Node {
        let mut h = Sha256::new();
        h.update([LEAF_TAG]);
        h.update(digest);
        Node {
            hash: h.finalize().into(),
            sum,
        }
    }

    pub fn parent(left: &Node, right: &Node) -> Result<Node, ProofError> {
        Ok(Node {
            hash: Node::parent_hash(left, right),
            sum: left.sum.checked_add(right.sum).ok_or(ProofError::SumOverflow)?,
        })
    }

    /// The hash of the parent of two nodes (it commits to both children's sums).
    pub fn parent_hash(left: &Node, right: &Node) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update([NODE_TAG]);
        h.update(left.hash);
        h.update(left.sum.to_be_bytes());
        h.update(right.hash);
        h.update(right.sum.to_be_bytes());
        h.finalize().into()
    }
}

/// A node as carried in messages.
#[cw_serde]
pub struct ProofNode {
    pub hash: HexBinary,
    pub sum: Uint128,
}

impl From<Node> for ProofNode {
    fn from(n: Node) -> Self {
        ProofNode {
            hash: HexBinary::from(n.hash.to_vec()),
            sum: Uint128::new(n.sum),
        }
    }
}

impl TryFrom<&ProofNode> for Node {
    type Error = ProofError;
    fn try_from(p: &ProofNode) -> Result<Node, ProofError> {
        Ok(Node {
            hash: p
                .hash
                .to_array()
                .map_err(|_| ProofError::BadHashLength { len: p.hash.len() })?,
            sum: p.sum.u128(),
        })
    }
}

/// Where a node sits and the siblings from it up to the root.
#[cw_serde]
pub struct Path {
    /// 0 = leaves.
    pub level: u32,
    pub index: u64,
    pub siblings: Vec<ProofNode>,
}

#[derive(Error, Debug, PartialEq, Eq)]
pub enum ProofError {
    #[error("a proof node hash must be 32 bytes, got {len}")]
    BadHashLength { len: usize },
    #[error("the path does not lead to the batch root")]
    RootMismatch,
    #[error("position {index} is outside level {level} of a tree of {count} leaves")]
    OutOfRange { level: u32, index: u64, count: u64 },
    #[error("the path has the wrong number of siblings for its position")]
    WrongPathLength,
    #[error("unit sums overflow")]
    SumOverflow,
    #[error("the two leaves are not adjacent")]
    NotAdjacent,
    #[error("the receipt id does not lie between the two leaves")]
    NotBracketed,
    #[error("the receipt is not the one signed: {reason}")]
    WrongReceipt { reason: &'static str },
    #[error("the claimed fraud does not hold: {reason}")]
    NoFraud { reason: &'static str },
}

/// Length of `level` in a tree of `count` leaves.
/// Nodes at `level` of a tree of `count` leaves. Stops at the root (at most 64 halvings),
/// so a proof's cost follows the tree's height, never the level it claims.
fn level_len(count: u64, level: u32) -> u64 {
    let mut n = count;
    for _ in 0..level {
        if n <= 1 {
            break;
        }
        n = n.div_ceil(2);
    }
    n
}

/// Walks from `node` at (level, index) to the root; returns the computed root.
pub fn walk(node: Node, path: &Path, count: u64) -> Result<Node, ProofError> {
    let (mut len, mut index) = (level_len(count, path.level), path.index);
    if count == 0 || index >= len {
        return Err(ProofError::OutOfRange {
            level: path.level,
            index: path.index,
            count,
        });
    }
    let mut acc = node;
    let mut siblings = path.siblings.iter();
    while len > 1 {
        if index % 2 == 1 {
            let s = Node::try_from(siblings.next().ok_or(ProofError::WrongPathLength)?)?;
            acc = Node::parent(&s, &acc)?;
        } else if index + 1 < len {
            let s = Node::try_from(siblings.next().ok_or(ProofError::WrongPathLength)?)?;
            acc = Node::parent(&acc, &s)?;
        }
        index /= 2;
        len = len.div_ceil(2);
    }
    if siblings.next().is_some() {
        return Err(ProofError::WrongPathLength);
    }
    Ok(acc)
}

/// A batch as committed on chain: root, total units and leaf count.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Commitment {
    pub root: [u8; 32],
    pub total: u128,
    pub count: u64,
}

impl Commitment {
    /// `node` at `path` is part of this batch's tree.
    pub fn includes(&self, node: Node, path: &Path) -> Result<(), ProofError> {
        let root = walk(node, path, self.count)?;
        if root.hash != self.root || root.sum != self.total {
            return Err(ProofError::RootMismatch);
        }
        Ok(())
    }

    /// Omitted receipt: `signed` has an id strictly between two adjacent leaves of the
    /// batch, so it is not in the tree. (The caller checks the signature and the range.)
    pub fn omits(
        &self,
        signed: &Receipt,
        left: &Receipt,
        left_path: &Path,
        right: &Receipt,
        right_path: &Path,
    ) -> Result<(), ProofError> {
        if left_path.level != 0 || right_path.level != 0 || left_path.index + 1 != right_path.index {
            return Err(ProofError::NotAdjacent);
        }
        if !(left.receipt_id < signed.receipt_id && signed.receipt_id < right.receipt_id) {
            return Err(ProofError::NotBracketed);
        }
        self.includes(left.leaf(), left_path)?;
        self.includes(right.leaf(), right_path)
    }

    /// Altered receipt: the leaf with the signed receipt's id differs from it.
    pub fn alters(&self, signed: &Receipt, leaf: &Receipt, path: &Path) -> Result<(), ProofError> {
        if path.level != 0 {
            return Err(ProofError::NotAdjacent);
        }
        if leaf.receipt_id != signed.receipt_id {
            return Err(ProofError::WrongReceipt {
                reason: "the leaf has another receipt id",
            });
        }
        if leaf == signed {
            return Err(ProofError::NoFraud {
                reason: "the leaf is the signed receipt",
            });
        }
        self.includes(leaf.leaf(), path)
    }

    /// Bad sum: the node at `path` (the topmost inconsistent one) claims `claimed_sum`
    /// while its children sum to something else.
    pub fn bad_sum(&self, left: Node, right: Node, claimed_sum: u128, path: &Path) -> Result<(), ProofError> {
        if path.level == 0 {
            return Err(ProofError::NoFraud {
                reason: "leaves have no children",
            });
        }
        let honest = Node::parent(&left, &right)?;
        if honest.sum == claimed_sum {
            return Err(ProofError::NoFraud {
                reason: "the node's sum equals its children's",
            });
        }
        self.includes(
            Node {
                hash: honest.hash,
                sum: claimed_sum,
            },
            path,
        )
    }

    /// Duplicate or out-of-order ids: two adjacent leaves whose ids do not strictly
    /// increase (this is how the same id shows up twice).
    pub fn disorder(
        &self,
        left: &Receipt,
        left_path: &Path,
        right: &Receipt,
        right_path: &Path,
    ) -> Result<(), ProofError> {
        if left_path.level != 0 || right_path.level != 0 || left_path.index + 1 != right_path.index {
            return Err(ProofError::NotAdjacent);
        }
        if left.receipt_id < right.receipt_id {
            return Err(ProofError::NoFraud {
                reason: "the ids increase",
            });
        }
        self.includes(left.leaf(), left_path)?;
        self.includes(right.leaf(), right_path)
    }

    /// The first or last leaf does not carry the id the batch declared for it.
    pub fn misdeclared_end(
        &self,
        leaf: &Receipt,
        path: &Path,
        first_id: u64,
        last_id: u64,
    ) -> Result<(), ProofError> {
        let expected = match path.index {
            0 => first_id,
            i if i + 1 == self.count => last_id,
            _ => {
                return Err(ProofError::NoFraud {
                    reason: "not the first or the last leaf",
                })
            }
        };
        if path.level != 0 || leaf.receipt_id == expected {
            return Err(ProofError::NoFraud {
                reason: "the end leaf has its declared id",
            });
        }
        self.includes(leaf.leaf(), path)
    }

    /// A one-leaf batch whose declared total is not its leaf's units. In a tree of two or
    /// more leaves the root's sum is bound by its hash (a wrong total is a bad sum at the
    /// root); a lone leaf's hash binds its units only through the receipt, so the receipt
    /// itself is the proof.
    pub fn misdeclared_total(&self, leaf: &Receipt) -> Result<(), ProofError> {
        if self.count != 1 {
            return Err(ProofError::NoFraud {
                reason: "only a one-leaf batch's total is proven by its leaf (else: bad sum at the root)",
            });
        }
        let node = leaf.leaf();
        if node.hash != self.root {
            return Err(ProofError::RootMismatch);
        }
        if node.sum == self.total {
            return Err(ProofError::NoFraud {
                reason: "the total is the leaf's units",
            });
        }
        Ok(())
    }
}

/// The whole tree, built off-chain by operators and auditors.
#[derive(Debug)]
pub struct SumTree {
    levels: Vec<Vec<Node>>,
}

impl SumTree {
    /// Leaves in order (the caller sorts receipts by id). `None` for no leaves.
    pub fn build(leaves: Vec<Node>) -> Result<Option<SumTree>, ProofError> {
        if leaves.is_empty() {
            return Ok(None);
        }
        let mut levels = vec![leaves];
        while levels.last().expect("non-empty").len() > 1 {
            let next = levels
                .last()
                .expect("non-empty")
                .chunks(2)
                .map(|pair| match pair {
                    [l, r] => Node::parent(l, r),
                    [odd] => Ok(*odd),
                    _ => unreachable!("chunks(2)"),
                })
                .collect::<Result<Vec<_>, _>>()?;
            levels.push(next);
        }
        Ok(Some(SumTree { levels }))
    }

    pub fn from_receipts(receipts: &[Receipt]) -> Result<Option<SumTree>, ProofError> {
        Self::build(receipts.iter().map(Receipt::leaf).collect())
    }

    pub fn root(&self) -> Node {
        self.levels.last().expect("non-empty")[0]
    }

    pub fn count(&self) -> u64 {
        self.levels[0].len() as u64
    }

    /// Level of the root (0 for a single leaf).
    pub fn root_level(&self) -> u32 {
        self.levels.len() as u32 - 1
    }

    pub fn commitment(&self) -> Commitment {
        let r = self.root();
        Commitment {
            root: r.hash,
            total: r.sum,
            count: self.count(),
        }
    }

    pub fn node(&self, level: u32, index: u64) -> Option<Node> {
        self.levels.get(level as usize)?.get(index as usize).copied()
    }

    /// Siblings from (level, index) to the root.
    pub fn path(&self, level: u32, index: u64) -> Path {
        let mut siblings = vec![];
        let mut i = index as usize;
        for nodes in &self.levels[level as usize..self.levels.len() - 1] {
            if i % 2 == 1 {
                siblings.push(nodes[i - 1].into());
            } else if i + 1 < nodes.len() {
                siblings.push(nodes[i + 1].into());
            }
            i /= 2;
        }
        Path {
            level,
            index,
            siblings,
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Found by the fuzzer (51 exec/s on `merkle_sum`): the level a path claims set how
    /// long `level_len` looped (u32::MAX halvings). It is now bounded by the tree's height.
    #[test]
    fn a_huge_claimed_level_costs_no_more_than_the_tree_height() {
        assert_eq!(level_len(5, u32::MAX), 1);
        assert_eq!(level_len(0, u32::MAX), 0);
        assert_eq!(level_len(u64::MAX, u32::MAX), 1);
        assert_eq!(level_len(5, 1), 3);
        assert_eq!(level_len(5, 2), 2);
        let path = Path {
            level: u32::MAX,
            index: 1,
            siblings: vec![],
        };
        let leaf = Node {
            hash: [7; 32],
            sum: 1,
        };
        assert!(matches!(walk(leaf, &path, 5), Err(ProofError::OutOfRange { .. })));
    }

    pub fn receipt(id: u64, units: u64) -> Receipt {
        Receipt {
            chain_id: "attrib-local".into(),
            contract: "wasm1oracle".into(),
            model_id: 1,
            epoch: 3,
            receipt_id: id,
            units,
            timestamp: 1_700_000_000 + id,
        }
    }

    fn tree(ids: &[u64]) -> (Vec<Receipt>, SumTree) {
        let rs: Vec<Receipt> = ids.iter().map(|i| receipt(*i, 10 + i % 7)).collect();
        let t = SumTree::from_receipts(&rs).unwrap().unwrap();
        (rs, t)
    }

    #[test]
    fn sign_bytes_vector() {
        // Pinned: any change to the canonical bytes breaks every signed receipt.
        let r = receipt(5, 12);
        assert_eq!(
            hex::encode(r.digest()),
            "62cda8885e74cdbff9827f7719c2906e91789aad0959e839e2ceb1c6e725ea71"
        );
    }

    #[test]
    fn sign_bytes_separate_every_field() {
        let base = receipt(5, 12);
        let variants = [
            Receipt {
                chain_id: "other".into(),
                ..base.clone()
            },
            Receipt {
                contract: "wasm1other".into(),
                ..base.clone()
            },
            Receipt {
                model_id: 2,
                ..base.clone()
            },
            Receipt {
                epoch: 4,
                ..base.clone()
            },
            Receipt {
                receipt_id: 6,
                ..base.clone()
            },
            Receipt {
                units: 13,
                ..base.clone()
            },
            Receipt {
                timestamp: 1,
                ..base.clone()
            },
        ];
        for v in variants {
            assert_ne!(v.digest(), base.digest());
        }
        // Length prefixes: ("ab","c") vs ("a","bc").
        let a = Receipt {
            chain_id: "ab".into(),
            contract: "c".into(),
            ..base.clone()
        };
        let b = Receipt {
            chain_id: "a".into(),
            contract: "bc".into(),
            ..base
        };
        assert_ne!(a.digest(), b.digest());
    }

    #[test]
    fn every_leaf_proves_inclusion_and_the_root_sums_units() {
        for n in [1usize, 2, 3, 5, 8, 13] {
            let ids: Vec<u64> = (1..=n as u64).map(|i| i * 2).collect();
            let (rs, t) = tree(&ids);
            let c = t.commitment();
            assert_eq!(c.total, rs.iter().map(|r| r.units as u128).sum::<u128>());
            for (i, r) in rs.iter().enumerate() {
                c.includes(r.leaf(), &t.path(0, i as u64)).unwrap();
            }
        }
    }

    #[test]
    fn omitted_receipt_is_proven_by_adjacent_leaves() {
        let (rs, t) = tree(&[1, 2, 4, 5]);
        let c = t.commitment();
        let omitted = receipt(3, 9);
        c.omits(&omitted, &rs[1], &t.path(0, 1), &rs[2], &t.path(0, 2))
            .unwrap();
        // A present id is not omitted; non-adjacent leaves prove nothing.
        assert_eq!(
            c.omits(&rs[1], &rs[0], &t.path(0, 0), &rs[2], &t.path(0, 2)),
            Err(ProofError::NotAdjacent)
        );
        assert_eq!(
            c.omits(&receipt(2, 1), &rs[1], &t.path(0, 1), &rs[2], &t.path(0, 2)),
            Err(ProofError::NotBracketed)
        );
        // Lying about a leaf's content breaks the path.
        let fake = receipt(2, 999);
        assert_eq!(
            c.omits(&omitted, &fake, &t.path(0, 1), &rs[2], &t.path(0, 2)),
            Err(ProofError::RootMismatch)
        );
    }

    #[test]
    fn altered_receipt_and_disorder() {
        let (mut rs, _) = tree(&[1, 2, 3]);
        let signed = rs[1].clone();
        rs[1].units -= 5; // the operator under-reports receipt 2
        let t = SumTree::from_receipts(&rs).unwrap().unwrap();
        let c = t.commitment();
        c.alters(&signed, &rs[1], &t.path(0, 1)).unwrap();
        assert!(matches!(
            c.alters(&rs[1], &rs[1], &t.path(0, 1)),
            Err(ProofError::NoFraud { .. })
        ));

        let (rs, t) = tree(&[1, 2, 2, 3]);
        let c = t.commitment();
        c.disorder(&rs[1], &t.path(0, 1), &rs[2], &t.path(0, 2)).unwrap();
        assert!(matches!(
            c.disorder(&rs[0], &t.path(0, 0), &rs[1], &t.path(0, 1)),
            Err(ProofError::NoFraud { .. })
        ));
        c.misdeclared_end(&rs[0], &t.path(0, 0), 0, 3).unwrap();
        assert!(matches!(
            c.misdeclared_end(&rs[0], &t.path(0, 0), 1, 3),
            Err(ProofError::NoFraud { .. })
        ));
    }

    #[test]
    fn a_one_leaf_total_is_proven_by_its_leaf() {
        let (rs, one) = tree(&[7]);
        let honest = one.commitment();
        assert_eq!(
            honest.misdeclared_total(&rs[0]),
            Err(ProofError::NoFraud {
                reason: "the total is the leaf's units"
            })
        );
        let lying = Commitment { total: 1, ..honest };
        assert_eq!(lying.misdeclared_total(&rs[0]), Ok(()));
        // Another receipt is not the root's leaf.
        let other = Receipt {
            units: rs[0].units + 1,
            ..rs[0].clone()
        };
        assert_eq!(lying.misdeclared_total(&other), Err(ProofError::RootMismatch));
        // Two leaves: the total is a bad sum at the root, not this proof.
        let (rs2, tree2) = tree(&[1, 2]);
        let two = Commitment {
            total: 1,
            ..tree2.commitment()
        };
        assert!(matches!(
            two.misdeclared_total(&rs2[0]),
            Err(ProofError::NoFraud { .. })
        ));
    }

    #[test]
    fn bad_sum_is_proven_at_the_topmost_inconsistent_node() {
        // Build a tree, then have the "operator" lie about one inner node's sum and
        // recompute everything above it honestly from the lie.
        let (rs, honest) = tree(&[1, 2, 3, 4, 5, 6]);
        let (l, r) = (honest.node(0, 2).unwrap(), honest.node(0, 3).unwrap());
        let lie = Node {
            hash: Node::parent(&l, &r).unwrap().hash,
            sum: l.sum + r.sum - 7,
        };
        let mut level1 = vec![honest.node(1, 0).unwrap(), lie, honest.node(1, 2).unwrap()];
        let mut levels = vec![rs.iter().map(Receipt::leaf).collect::<Vec<_>>(), level1.clone()];
        while level1.len() > 1 {
            level1 = level1
                .chunks(2)
                .map(|p| {
                    if p.len() == 2 {
                        Node::parent(&p[0], &p[1]).unwrap()
                    } else {
                        p[0]
                    }
                })
                .collect();
            levels.push(level1.clone());
        }
        let forged = SumTree { levels };
        let c = forged.commitment();
        assert_eq!(
            c.total + 7,
            honest.commitment().total,
            "the batch under-reports by 7 units"
        );
        c.bad_sum(l, r, lie.sum, &forged.path(1, 1)).unwrap();
        assert!(matches!(
            c.bad_sum(
                honest.node(0, 0).unwrap(),
                honest.node(0, 1).unwrap(),
                forged.node(1, 0).unwrap().sum,
                &forged.path(1, 0)
            ),
            Err(ProofError::NoFraud { .. })
        ));
    }
}

#[cfg(test)]
mod properties {
    use super::tests::receipt;
    use super::*;
    use proptest::prelude::*;

    /// Strictly increasing ids with gaps, and units.
    fn batch() -> impl Strategy<Value = Vec<Receipt>> {
        prop::collection::vec((1u64..5, 0u64..1_000), 1..120).prop_map(|steps| {
            let mut id = 0;
            steps
                .into_iter()
                .map(|(gap, units)| {
                    id += gap;
                    receipt(id, units)
                })
                .collect()
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        #[test]
        fn every_proof_verifies_and_every_tampered_one_fails(rs in batch(), pick in any::<prop::sample::Index>(), byte in 0usize..32) {
            let t = SumTree::from_receipts(&rs).unwrap().unwrap();
            let c = t.commitment();
            prop_assert_eq!(c.total, rs.iter().map(|r| r.units as u128).sum::<u128>());
            let i = pick.index(rs.len());
            let path = t.path(0, i as u64);
            prop_assert!(c.includes(rs[i].leaf(), &path).is_ok());

            // Another leaf's content at this position.
            let other = Receipt { units: rs[i].units + 1, ..rs[i].clone() };
            prop_assert!(c.includes(other.leaf(), &path).is_err());
            // A flipped bit or a changed sum in any sibling.
            if !path.siblings.is_empty() {
                let k = byte % path.siblings.len();
                let mut p = path.clone();
                let mut h = p.siblings[k].hash.to_vec();
                h[byte] ^= 1;
                p.siblings[k].hash = HexBinary::from(h);
                prop_assert!(c.includes(rs[i].leaf(), &p).is_err());
                let mut p = path.clone();
                p.siblings[k].sum += Uint128::one();
                prop_assert!(c.includes(rs[i].leaf(), &p).is_err());
                // Dropping a sibling or claiming another position.
                let mut p = path.clone();
                p.siblings.pop();
                prop_assert!(c.includes(rs[i].leaf(), &p).is_err());
            }
            if rs.len() > 1 {
                let mut p = path.clone();
                p.index = ((i + 1) % rs.len()) as u64;
                prop_assert!(c.includes(rs[i].leaf(), &p).is_err());
            }
        }

        #[test]
        fn every_gap_has_an_omission_proof_and_no_present_id_does(rs in batch(), pick in any::<prop::sample::Index>()) {
            let t = SumTree::from_receipts(&rs).unwrap().unwrap();
            let c = t.commitment();
            if rs.len() < 2 { return Ok(()); }
            let i = pick.index(rs.len() - 1);
            let (l, r) = (&rs[i], &rs[i + 1]);
            let (lp, rp) = (t.path(0, i as u64), t.path(0, i as u64 + 1));
            for id in l.receipt_id..=r.receipt_id {
                let signed = receipt(id, 1);
                let res = c.omits(&signed, l, &lp, r, &rp);
                if id == l.receipt_id || id == r.receipt_id {
                    prop_assert_eq!(res, Err(ProofError::NotBracketed));
                } else {
                    prop_assert!(res.is_ok());
                }
            }
        }
    }
}
