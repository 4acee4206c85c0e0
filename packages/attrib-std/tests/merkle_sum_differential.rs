//! Differential test of the merkle-sum tree (SPEC §5.4): the off-chain builder
//! (`SumTree`, what the CLI and an operator's gateway build batches and proofs with) and
//! the on-chain verifier (`Commitment::includes` / `omits`, what the receipt oracle
//! checks fraud proofs with) against each other and against an independent reference
//! written here: the recursive tree that splits `n` leaves at the largest power of two
//! below `n` (RFC 6962's shape, which promoting the odd node of each level also builds),
//! with its own hashing, proofs and verification.
//!
//! On random leaf sets of sizes 1, 2, odd, powers of two ± 1 and large: the roots and
//! sums agree, every honest inclusion proof (of leaves and of inner nodes) and every
//! honest omission (bracketing) proof verifies, and tampered proofs — a flipped bit in
//! any sibling hash, a changed sum, reordered, dropped or extra siblings, a wrong index,
//! a wrong root or total — fail in the verifier and in the reference alike.

use attrib_std::receipts::{Commitment, Node, Path, ProofError, ProofNode, Receipt, SumTree};
use cosmwasm_std::{HexBinary, Uint128};
use proptest::prelude::*;
use proptest::sample::Index;
use sha2::{Digest, Sha256};

type RefNode = ([u8; 32], u128);

/// The reference: hashing written out from the SPEC, not taken from the crate.
fn ref_parent(l: RefNode, r: RefNode) -> Option<RefNode> {
    let mut bytes = vec![0x01];
    bytes.extend_from_slice(&l.0);
    bytes.extend_from_slice(&l.1.to_be_bytes());
    bytes.extend_from_slice(&r.0);
    bytes.extend_from_slice(&r.1.to_be_bytes());
    Some((Sha256::digest(&bytes).into(), l.1.checked_add(r.1)?))
}

/// Largest power of two strictly below `n` (n ≥ 2).
fn split(n: usize) -> usize {
    n.next_power_of_two() / 2
}

fn ref_root(leaves: &[RefNode]) -> RefNode {
    match leaves {
        [one] => *one,
        _ => {
            let k = split(leaves.len());
            ref_parent(ref_root(&leaves[..k]), ref_root(&leaves[k..])).unwrap()
        }
    }
}

/// Siblings of leaf `i`, from the leaf up.
fn ref_proof(leaves: &[RefNode], i: usize) -> Vec<RefNode> {
    if leaves.len() == 1 {
        return vec![];
    }
    let k = split(leaves.len());
    let (mut below, top) = if i < k {
        (ref_proof(&leaves[..k], i), ref_root(&leaves[k..]))
    } else {
        (ref_proof(&leaves[k..], i - k), ref_root(&leaves[..k]))
    };
    below.push(top);
    below
}

/// The root leaf `i` of `n` leaves leads to with these siblings (from the leaf up), if
/// the siblings have the shape the position needs.
fn ref_walk(leaf: RefNode, i: u64, n: u64, siblings: &[RefNode]) -> Option<RefNode> {
    if i >= n {
        return None;
    }
    if n == 1 {
        return siblings.is_empty().then_some(leaf);
    }
    let k = split(n as usize) as u64;
    let (top, rest) = siblings.split_last()?;
    if i < k {
        ref_parent(ref_walk(leaf, i, k, rest)?, *top)
    } else {
        ref_parent(*top, ref_walk(leaf, i - k, n - k, rest)?)
    }
}

fn ref_verifies(leaf: RefNode, path: &Path, n: u64, root: RefNode) -> bool {
    let siblings: Option<Vec<RefNode>> = path
        .siblings
        .iter()
        .map(|s| Some((s.hash.to_array().ok()?, s.sum.u128())))
        .collect();
    path.level == 0 && siblings.and_then(|s| ref_walk(leaf, path.index, n, &s)) == Some(root)
}

fn node(n: RefNode) -> Node {
    Node { hash: n.0, sum: n.1 }
}

fn sibling(n: RefNode) -> ProofNode {
    ProofNode {
        hash: HexBinary::from(n.0.to_vec()),
        sum: Uint128::new(n.1),
    }
}

/// Distinct leaves (a hash from the seed and position) with random units.
fn leaves_from(seed: u64, units: &[u64], n: usize) -> Vec<RefNode> {
    (0..n)
        .map(|i| {
            let h = Sha256::new()
                .chain_update(seed.to_be_bytes())
                .chain_update((i as u64).to_be_bytes())
                .finalize();
            (h.into(), units[i % units.len()] as u128)
        })
        .collect()
}

/// Sizes: 1, 2, odd, powers of two ± 1, large, and anything up to 300.
fn size() -> impl Strategy<Value = usize> {
    prop_oneof![
        Just(1usize),
        Just(2),
        (1usize..=10).prop_map(|p| 1usize << p),
        (1usize..=10).prop_map(|p| (1usize << p) - 1),
        (1usize..=10).prop_map(|p| (1usize << p) + 1),
        (0usize..150).prop_map(|k| 2 * k + 1),
        1usize..300,
        2000usize..2100,
    ]
}

/// A tampered copy of an honest proof, by kind; `None` where the kind does not apply
/// (no siblings to change, or a swap of two equal siblings).
fn tamper(path: &Path, count: u64, kind: u8, a: Index, b: Index, bit: u8) -> Option<Path> {
    let mut p = path.clone();
    let n = p.siblings.len();
    match kind % 7 {
        0 if n > 0 => {
            let k = a.index(n);
            let mut h = p.siblings[k].hash.to_vec();
            h[(bit / 8) as usize] ^= 1 << (bit % 8);
            p.siblings[k].hash = HexBinary::from(h);
        }
        1 if n > 0 => {
            let k = a.index(n);
            let s = p.siblings[k].sum.u128();
            p.siblings[k].sum = Uint128::new(if bit.is_multiple_of(2) {
                s + 1 + bit as u128
            } else {
                s.checked_sub(1)?
            });
        }
        2 if n > 1 => {
            let (i, j) = (a.index(n), b.index(n));
            if p.siblings[i] == p.siblings[j] {
                return None;
            }
            p.siblings.swap(i, j);
        }
        3 if n > 0 => {
            p.siblings.remove(a.index(n));
        }
        4 => {
            let extra = p
                .siblings
                .get(a.index(n.max(1)))
                .cloned()
                .unwrap_or(sibling(([bit; 32], 1)));
            p.siblings.insert(b.index(n + 1), extra);
        }
        5 if count > 1 => {
            let other = (p.index + 1 + a.index(count as usize - 1) as u64) % count;
            p.index = other;
        }
        6 => p.index = count + a.index(8) as u64,
        _ => return None,
    }
    Some(p)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn builder_verifier_and_reference_agree(
        n in size(),
        seed in any::<u64>(),
        units in prop::collection::vec(any::<u64>(), 1..16),
        picks in prop::collection::vec(any::<Index>(), 1..12),
    ) {
        let leaves = leaves_from(seed, &units, n);
        let tree = SumTree::build(leaves.iter().copied().map(node).collect()).unwrap().unwrap();
        let reference = ref_root(&leaves);
        prop_assert_eq!(tree.root(), node(reference));
        prop_assert_eq!(reference.1, leaves.iter().map(|l| l.1).sum::<u128>());
        let c = tree.commitment();
        prop_assert_eq!(c, Commitment { root: reference.0, total: reference.1, count: n as u64 });

        // Every leaf for small trees; a sample (with both ends) for large ones.
        let mut indices: Vec<usize> = if n <= 70 { (0..n).collect() } else { picks.iter().map(|p| p.index(n)).collect() };
        indices.extend([0, n - 1]);
        for i in indices {
            let path = tree.path(0, i as u64);
            let proof: Vec<ProofNode> = ref_proof(&leaves, i).into_iter().map(sibling).collect();
            prop_assert_eq!(&path.siblings, &proof, "leaf {} of {}", i, n);
            prop_assert_eq!(c.includes(node(leaves[i]), &path), Ok(()));
            prop_assert!(ref_verifies(leaves[i], &path, n as u64, reference));
        }
        // Inner nodes: the builder's node at any level proves inclusion from there.
        for (level, pick) in (1..=tree.root_level()).zip(picks.iter().cycle()) {
            let len = (0..level).fold(n as u64, |m, _| m.div_ceil(2));
            let i = pick.index(len as usize) as u64;
            let inner = tree.node(level, i).unwrap();
            prop_assert_eq!(c.includes(inner, &tree.path(level, i)), Ok(()));
        }
    }

    #[test]
    fn tampered_proofs_fail_in_the_verifier_and_the_reference(
        n in size(),
        seed in any::<u64>(),
        units in prop::collection::vec(0u64..1_000_000, 1..16),
        leaf in any::<Index>(),
        kind in any::<u8>(),
        a in any::<Index>(),
        b in any::<Index>(),
        bit in any::<u8>(),
    ) {
        let leaves = leaves_from(seed, &units, n);
        let tree = SumTree::build(leaves.iter().copied().map(node).collect()).unwrap().unwrap();
        let c = tree.commitment();
        let i = leaf.index(n);
        let honest = tree.path(0, i as u64);
        let count = n as u64;
        if let Some(p) = tamper(&honest, count, kind, a, b, bit) {
            prop_assert!(c.includes(node(leaves[i]), &p).is_err(), "kind {} accepted: {:?}", kind % 7, p);
            prop_assert!(!ref_verifies(leaves[i], &p, count, ref_root(&leaves)));
        }
        // A wrong root or total, or another leaf's content at this position.
        let mut wrong = c;
        wrong.root[(bit / 8) as usize] ^= 1 << (bit % 8);
        prop_assert_eq!(wrong.includes(node(leaves[i]), &honest), Err(ProofError::RootMismatch));
        let wrong = Commitment { total: c.total + 1 + bit as u128, ..c };
        prop_assert_eq!(wrong.includes(node(leaves[i]), &honest), Err(ProofError::RootMismatch));
        let other = Node { sum: leaves[i].1 + 1, ..node(leaves[i]) };
        prop_assert_eq!(c.includes(other, &honest), Err(ProofError::RootMismatch));
    }

    #[test]
    fn bracketing_proofs_verify_and_tampered_ones_fail(
        gaps in prop::collection::vec(1u64..6, 2..400),
        pick in any::<Index>(),
        kind in any::<u8>(),
        a in any::<Index>(),
        b in any::<Index>(),
        bit in any::<u8>(),
    ) {
        let mut id = 0;
        let rs: Vec<Receipt> = gaps.iter().map(|g| {
            id += g;
            Receipt { chain_id: "c".into(), contract: "o".into(), model_id: 1, epoch: 1, receipt_id: id, units: id % 17, timestamp: id }
        }).collect();
        // The reference leaf: sha256(0x00 ‖ receipt digest).
        let ref_leaves: Vec<RefNode> = rs.iter().map(|r| {
            let h = Sha256::new().chain_update([0x00]).chain_update(r.digest()).finalize();
            (h.into(), r.units as u128)
        }).collect();
        let tree = SumTree::from_receipts(&rs).unwrap().unwrap();
        let c = tree.commitment();
        prop_assert_eq!(tree.root(), node(ref_root(&ref_leaves)));
        let count = rs.len() as u64;
        let i = pick.index(rs.len() - 1);
        let (l, r) = (&rs[i], &rs[i + 1]);
        let (lp, rp) = (tree.path(0, i as u64), tree.path(0, i as u64 + 1));
        for missing in l.receipt_id + 1..r.receipt_id {
            let signed = Receipt { receipt_id: missing, ..l.clone() };
            prop_assert_eq!(c.omits(&signed, l, &lp, r, &rp), Ok(()));
            if let Some(p) = tamper(&lp, count, kind, a, b, bit) {
                prop_assert!(c.omits(&signed, l, &p, r, &rp).is_err());
            }
            if let Some(p) = tamper(&rp, count, kind, a, b, bit) {
                prop_assert!(c.omits(&signed, l, &lp, r, &p).is_err());
            }
        }
        // A present id is not omitted, and the bracket must be two adjacent leaves.
        prop_assert_eq!(c.omits(l, l, &lp, r, &rp), Err(ProofError::NotBracketed));
        if i + 2 < rs.len() {
            let far = tree.path(0, i as u64 + 2);
            let signed = Receipt { receipt_id: l.receipt_id + 1, ..l.clone() };
            prop_assert_eq!(c.omits(&signed, l, &lp, &rs[i + 2], &far), Err(ProofError::NotAdjacent));
        }
    }
}
