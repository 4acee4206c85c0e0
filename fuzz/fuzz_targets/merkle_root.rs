#![no_main]
//! The plain merkle root of a dataset version (`attrib_std::merkle`), against an independent reference: the tree that splits a list
//! at the largest power of two below its length (RFC 6962's shape), which is what
//! promoting the odd node of each level builds. Also: appending a copy of the last leaf
//! (the classic duplicate collision) or swapping two different leaves changes the root,
//! and a one-leaf root is never an inner node of the leaves it hashes. A tranche's
//! content root is its record tree's root, whose sum is the record count.
use attrib_std::content::{content_root, record_tree};
use attrib_std::merkle::{hash_leaf, hash_node, root};
use libfuzzer_sys::fuzz_target;

fn reference(leaves: &[[u8; 32]]) -> [u8; 32] {
    if leaves.len() == 1 {
        return hash_leaf(&leaves[0]);
    }
    let split = leaves.len().next_power_of_two() / 2;
    hash_node(&reference(&leaves[..split]), &reference(&leaves[split..]))
}

fuzz_target!(|input: (Vec<[u8; 32]>, Vec<Vec<u8>>, u8, u8)| {
    let (leaves, records, a, b) = input;
    match root(&leaves) {
        None => assert!(leaves.is_empty()),
        Some(r) => {
            assert_eq!(r, reference(&leaves));
            let mut longer = leaves.clone();
            longer.push(*leaves.last().unwrap());
            assert_ne!(root(&longer), Some(r), "duplicated last leaf keeps the root");
            let (a, b) = (a as usize % leaves.len(), b as usize % leaves.len());
            if leaves[a] != leaves[b] {
                let mut swapped = leaves.clone();
                swapped.swap(a, b);
                assert_ne!(root(&swapped), Some(r), "order does not matter");
            }
            if leaves.len() == 2 {
                assert_ne!(root(&[r]), Some(r));
            }
        }
    }
    // A tranche's content root: the record tree's root, which weighs its record count.
    match record_tree(records.iter().map(Vec::as_slice)) {
        None => assert!(records.is_empty()),
        Some(t) => {
            assert_eq!(t.root().sum, records.len() as u128);
            assert_eq!(content_root(records.iter().map(Vec::as_slice)), Some(t.root().hash));
        }
    }
});
