#![no_main]
//! The merkle-sum proof verifier the receipt oracle runs (`attrib_std::receipts`).
//!
//! A tree is built from fuzzed leaves (honest, as an operator builds it), the honest proof
//! of a fuzzed node is taken, and fuzzed edits are applied to it (flipped bits, changed
//! sums, dropped, swapped, duplicated or inserted siblings, hashes of another length,
//! another level or index, another node). Properties:
//! - the honest proof of every node verifies;
//! - the verifier accepts an edited proof exactly when it is still the honest proof of
//!   the node it names (so never one that does not lead to the root and its sum), and a
//!   position outside the tree is refused with `OutOfRange`;
//! - an honest batch is never provably fraudulent: every fraud proof (omission with a
//!   present id, duplicate id, altered receipt, misdeclared end, bad sum) is refused,
//!   however its paths and nodes are edited; an omission with a real gap is accepted
//!   exactly for the two honest adjacent leaves.
use arbitrary::Arbitrary;
use attrib_std::receipts::{walk, Node, Path, ProofError, ProofNode, Receipt, SumTree};
use cosmwasm_std::{HexBinary, Uint128};
use libfuzzer_sys::fuzz_target;
use sha2::{Digest, Sha256};

#[derive(Arbitrary, Debug)]
enum Edit {
    FlipBit { sibling: u8, bit: u8 },
    AddSum { sibling: u8, delta: u128 },
    SetSum { sibling: u8, sum: u128 },
    Drop { sibling: u8 },
    Swap { a: u8, b: u8 },
    Duplicate { sibling: u8 },
    Resize { sibling: u8, len: u8 },
    Insert { at: u8, seed: u8, sum: u64 },
    Level(u32),
    LevelDelta(i8),
    Index(u64),
    IndexDelta(i8),
    NodeSum(u128),
    NodeFlip(u8),
}

#[derive(Arbitrary, Debug)]
enum Fraud {
    Omission { left: u16, right: u16, id: u64 },
    Duplicate { left: u16, right: u16 },
    Altered { leaf: u16, units: u64 },
    End { leaf: u16, first_delta: u8, last_delta: u8 },
    BadSum { claimed: u128 },
}

#[derive(Arbitrary, Debug)]
struct Input {
    count: u16,
    seed: u8,
    units: Vec<u64>,
    gaps: Vec<u8>,
    level: u8,
    index: u16,
    edits: Vec<Edit>,
    fraud: Option<Fraud>,
}

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

fn seeded(seed: u8, i: u64) -> [u8; 32] {
    Sha256::new().chain_update([seed]).chain_update(i.to_be_bytes()).finalize().into()
}

fn edit(node: &mut Node, path: &mut Path, e: &Edit) {
    let n = path.siblings.len();
    let at = |i: u8| (i as usize) % n.max(1);
    match *e {
        Edit::FlipBit { sibling, bit } if n > 0 => {
            let mut h = path.siblings[at(sibling)].hash.to_vec();
            if let Some(b) = h.get_mut((bit / 8) as usize % 32) {
                *b ^= 1 << (bit % 8);
            }
            path.siblings[at(sibling)].hash = HexBinary::from(h);
        }
        Edit::AddSum { sibling, delta } if n > 0 => {
            let s = &mut path.siblings[at(sibling)].sum;
            *s = Uint128::new(s.u128().wrapping_add(delta));
        }
        Edit::SetSum { sibling, sum } if n > 0 => path.siblings[at(sibling)].sum = Uint128::new(sum),
        Edit::Drop { sibling } if n > 0 => {
            path.siblings.remove(at(sibling));
        }
        Edit::Swap { a, b } if n > 0 => path.siblings.swap(at(a), at(b)),
        Edit::Duplicate { sibling } if n > 0 => {
            let s = path.siblings[at(sibling)].clone();
            path.siblings.insert(at(sibling), s);
        }
        Edit::Resize { sibling, len } if n > 0 => {
            let mut h = path.siblings[at(sibling)].hash.to_vec();
            h.resize(len as usize % 65, 0);
            path.siblings[at(sibling)].hash = HexBinary::from(h);
        }
        Edit::Insert { at: i, seed, sum } => {
            let p = ProofNode {
                hash: HexBinary::from(seeded(seed, u64::MAX).to_vec()),
                sum: Uint128::new(sum as u128),
            };
            path.siblings.insert((i as usize) % (n + 1), p);
        }
        Edit::Level(l) => path.level = l,
        Edit::LevelDelta(d) => path.level = path.level.saturating_add_signed(d as i32),
        Edit::Index(i) => path.index = i,
        Edit::IndexDelta(d) => path.index = path.index.saturating_add_signed(d as i64),
        Edit::NodeSum(s) => node.sum = s,
        Edit::NodeFlip(bit) => node.hash[(bit / 8) as usize % 32] ^= 1 << (bit % 8),
        _ => {}
    }
}

/// The verifier's answer must be: the proof is the honest proof of the node it names.
fn genuine(t: &SumTree, node: Node, path: &Path) -> bool {
    let top = t.root_level();
    // Above the root every level has one node, the root (an odd node is promoted).
    let level = path.level.min(top);
    if path.index >= level_len(t.count(), path.level) {
        return false;
    }
    t.node(level, path.index) == Some(node) && t.path(level, path.index).siblings == path.siblings
}

fn check_proof(t: &SumTree, node: Node, path: &Path) -> bool {
    let c = t.commitment();
    let got = c.includes(node, path);
    let want = genuine(t, node, path);
    assert_eq!(got.is_ok(), want, "includes {got:?} for node {node:?} path {path:?}");
    if path.index >= level_len(t.count(), path.level) {
        assert!(matches!(got, Err(ProofError::OutOfRange { .. })), "{got:?}");
    }
    if want {
        assert_eq!(walk(node, path, t.count()), Ok(t.root()));
    }
    want
}

fn receipt(id: u64, units: u64) -> Receipt {
    Receipt {
        chain_id: "fuzz-1".into(),
        contract: "wasm1oracle".into(),
        model_id: 1,
        epoch: 2,
        receipt_id: id,
        units,
        timestamp: id,
    }
}

fuzz_target!(|input: Input| {
    let count = input.count as u64 % 700 + 1;
    let units = |i: u64| input.units.get(i as usize % input.units.len().max(1)).copied().unwrap_or(i);
    // Receipts with strictly increasing ids (gaps from the input), as an honest operator
    // posts them; the leaves of the tree.
    let mut id = 0u64;
    let rs: Vec<Receipt> = (0..count)
        .map(|i| {
            id += 1 + input.gaps.get(i as usize % input.gaps.len().max(1)).copied().unwrap_or(0) as u64;
            receipt(id, units(i))
        })
        .collect();
    let leaves: Vec<Node> = if input.fraud.is_some() {
        rs.iter().map(Receipt::leaf).collect()
    } else {
        (0..count).map(|i| Node { hash: seeded(input.seed, i), sum: units(i) as u128 }).collect()
    };
    let t = SumTree::build(leaves).unwrap().unwrap();
    let c = t.commitment();
    assert_eq!(c.count, count);
    assert_eq!(c.total, (0..count).map(|i| units(i) as u128).sum::<u128>());

    // An honest proof of a node, then edited.
    let level = input.level as u32 % (t.root_level() + 1);
    let index = input.index as u64 % level_len(count, level);
    let mut node = t.node(level, index).unwrap();
    let mut path = t.path(level, index);
    assert!(check_proof(&t, node, &path));
    for e in input.edits.iter().take(8) {
        edit(&mut node, &mut path, e);
    }
    check_proof(&t, node, &path);

    let Some(fraud) = input.fraud else { return };
    let at = |i: u16| i as u64 % count;
    match fraud {
        Fraud::Omission { left, right, id } => {
            let (l, r) = (at(left), at(right));
            let signed = receipt(id, 1);
            let got = c.omits(&signed, &rs[l as usize], &path_or(&t, l, &path), &rs[r as usize], &t.path(0, r));
            let lp = path_or(&t, l, &path);
            let want = r == l + 1
                && lp.level == 0
                && lp.index == l
                && genuine(&t, rs[l as usize].leaf(), &lp)
                && rs[l as usize].receipt_id < id
                && id < rs[r as usize].receipt_id;
            assert_eq!(got.is_ok(), want, "omits {got:?}");
        }
        Fraud::Duplicate { left, right } => {
            let (l, r) = (at(left), at(right));
            let got = c.disorder(&rs[l as usize], &path_or(&t, l, &path), &rs[r as usize], &t.path(0, r));
            assert!(got.is_err(), "an honest batch has no disorder: {got:?}");
        }
        Fraud::Altered { leaf, units } => {
            let i = at(leaf) as usize;
            // The signed receipt is the leaf, or one with the leaf's id that was not posted.
            let signed = receipt(rs[i].receipt_id, units);
            let got = c.alters(&signed, &rs[i], &path_or(&t, i as u64, &path));
            let lp = path_or(&t, i as u64, &path);
            let want = signed != rs[i] && lp.level == 0 && genuine(&t, rs[i].leaf(), &lp);
            assert_eq!(got.is_ok(), want, "alters {got:?}");
            assert!(c.alters(&rs[i], &rs[i], &lp).is_err());
        }
        Fraud::End { leaf, first_delta, last_delta } => {
            let i = at(leaf);
            let got = c.misdeclared_end(&rs[i as usize], &path_or(&t, i, &path), rs[0].receipt_id, rs[count as usize - 1].receipt_id);
            assert!(got.is_err(), "declared ends are the real ones: {got:?}");
            let (first, last) = (
                rs[0].receipt_id.wrapping_add(first_delta as u64),
                rs[count as usize - 1].receipt_id.wrapping_add(last_delta as u64),
            );
            let lp = path_or(&t, i, &path);
            let got = c.misdeclared_end(&rs[i as usize], &lp, first, last);
            let want = lp.level == 0
                && genuine(&t, rs[i as usize].leaf(), &lp)
                && ((i == 0 && first_delta != 0) || (i != 0 && i + 1 == count && last_delta != 0));
            assert_eq!(got.is_ok(), want, "misdeclared_end {got:?} first {first} last {last}");
        }
        Fraud::BadSum { claimed } => {
            // The children of the (edited) node's honest position, at any claimed sum.
            let l = path.level.min(t.root_level());
            if l == 0 {
                return;
            }
            // An index past the tree (u64::MAX / 2 and up) has no children to open.
            let Some(left) = path.index.checked_mul(2) else {
                return;
            };
            let (a, b) = (t.node(l - 1, left), t.node(l - 1, left + 1));
            if let (Some(a), Some(b)) = (a, b) {
                let got = c.bad_sum(a, b, claimed, &path);
                assert!(got.is_err(), "an honest tree has no bad sum: {got:?}");
                let got = c.bad_sum(a, b, node.sum, &path);
                assert!(got.is_err(), "an honest tree has no bad sum: {got:?}");
            }
        }
    }
});

/// The edited path if it names leaf `i`'s position (so edits apply to fraud proofs too),
/// else the honest path of leaf `i`.
fn path_or(t: &SumTree, i: u64, edited: &Path) -> Path {
    if edited.level == 0 && edited.index == i {
        edited.clone()
    } else {
        t.path(0, i)
    }
}
