//! Binary merkle root over 32-byte leaves, used for a dataset version's root over its
//! tranche content roots (SPEC §3.1). A tranche's own content root is the root of its
//! record tree, a merkle-sum tree ([`crate::content`]).
//!
//! Domain separation: a leaf is `sha256(0x00 || leaf)`, an inner node is
//! `sha256(0x01 || left || right)`, so a leaf can never be passed off as an inner node.
//! An odd node at the end of a level is promoted unchanged (never duplicated), so two
//! different leaf lists cannot share a root by repeating the last leaf.

use sha2::{Digest, Sha256};

pub const LEAF_PREFIX: u8 = 0x00;
pub const NODE_PREFIX: u8 = 0x01;

pub fn hash_leaf(leaf: &[u8; 32]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update([LEAF_PREFIX]);
    h.update(leaf);
    h.finalize().into()
}

pub fn hash_node(left: &[u8; 32], right: &[u8; 32]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update([NODE_PREFIX]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// Root over `leaves` in the given order; `None` for an empty list (a version is never
/// empty, so there is no root of nothing).
pub fn root(leaves: &[[u8; 32]]) -> Option<[u8; 32]> {
    if leaves.is_empty() {
        return None;
    }
    let mut level: Vec<[u8; 32]> = leaves.iter().map(hash_leaf).collect();
    while level.len() > 1 {
        level = level
            .chunks(2)
            .map(|pair| match pair {
                [l, r] => hash_node(l, r),
                [odd] => *odd,
                _ => unreachable!("chunks(2) yields one or two items"),
            })
            .collect();
    }
    Some(level[0])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaf(b: u8) -> [u8; 32] {
        [b; 32]
    }

    #[test]
    fn empty_has_no_root() {
        assert_eq!(root(&[]), None);
    }

    #[test]
    fn single_leaf_is_its_leaf_hash() {
        assert_eq!(root(&[leaf(1)]), Some(hash_leaf(&leaf(1))));
    }

    #[test]
    fn known_vector() {
        // Test vector shared with off-chain tooling: leaves 0x01.., 0x02.., 0x03...
        let r = root(&[leaf(1), leaf(2), leaf(3)]).unwrap();
        let expected = hash_node(
            &hash_node(&hash_leaf(&leaf(1)), &hash_leaf(&leaf(2))),
            &hash_leaf(&leaf(3)),
        );
        assert_eq!(r, expected);
        // Computed independently (Python hashlib) so the Rust code is not its own oracle.
        assert_eq!(
            hex::encode(r),
            "df896896c799531f1fd1e556cea26a6989ab06853bcbfdd3e4f5097a611f658f"
        );
    }

    #[test]
    fn order_matters_and_no_duplication_collision() {
        let a = root(&[leaf(1), leaf(2)]).unwrap();
        let b = root(&[leaf(2), leaf(1)]).unwrap();
        assert_ne!(a, b);
        // [1,2,3] must differ from [1,2,3,3] (the classic duplicate-last-leaf collision).
        assert_ne!(
            root(&[leaf(1), leaf(2), leaf(3)]),
            root(&[leaf(1), leaf(2), leaf(3), leaf(3)])
        );
        // A leaf is not confusable with an inner node.
        let inner = hash_node(&hash_leaf(&leaf(1)), &hash_leaf(&leaf(2)));
        assert_ne!(root(&[inner]), Some(inner));
    }
}
