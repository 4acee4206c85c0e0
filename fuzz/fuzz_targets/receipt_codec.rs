#![no_main]
//! The receipt and batch codecs (`attrib_std::receipts`): the JSON the CLI writes and
//! reads with serde_json (receipts files, one `SignedReceipt` per line; proofs) and the
//! JSON the contracts read with cosmwasm-std (serde-json-wasm), and the signed bytes.
//! Properties:
//! - arbitrary bytes never panic either decoder; a value either decoder accepts
//!   re-encodes (with either encoder) to JSON that both decode to the same value, and
//!   when both accept the same bytes they read the same value;
//! - a receipts file reads line by line as the CLI reads it, each line as above;
//! - the signed bytes of a receipt and of a batch header parse back to every field
//!   (so two different receipts or headers never share signed bytes), and the digest
//!   is sha256 of them; a receipt's leaf carries its units as its sum.
use arbitrary::{Arbitrary, Unstructured};
use attrib_std::receipts::{
    BatchHeader, Path, ProofNode, Receipt, SignedReceipt, BATCH_DOMAIN, RECEIPT_DOMAIN,
};
use cosmwasm_std::{from_json, to_json_vec, HexBinary, Uint128};
use libfuzzer_sys::fuzz_target;
use serde::de::DeserializeOwned;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::fmt::Debug;

fn codecs_agree<T: Serialize + DeserializeOwned + PartialEq + Debug>(bytes: &[u8]) {
    let cli = serde_json::from_slice::<T>(bytes).ok();
    let chain = from_json::<T>(bytes).ok();
    if let (Some(a), Some(b)) = (&cli, &chain) {
        assert_eq!(a, b, "the CLI and the contract read {:?} differently", String::from_utf8_lossy(bytes));
    }
    for v in cli.iter().chain(chain.iter()) {
        round_trips(v);
    }
}

fn round_trips<T: Serialize + DeserializeOwned + PartialEq + Debug>(v: &T) {
    for json in [serde_json::to_vec(v).unwrap(), to_json_vec(v).unwrap()] {
        assert_eq!(&serde_json::from_slice::<T>(&json).unwrap(), v);
        assert_eq!(&from_json::<T>(&json).unwrap(), v, "{}", String::from_utf8_lossy(&json));
    }
}

/// Reads the length-prefixed string at the front of `b`.
fn take_str<'a>(b: &mut &'a [u8]) -> &'a [u8] {
    let (len, rest) = b.split_at(4);
    let len = u32::from_be_bytes(len.try_into().unwrap()) as usize;
    let (s, rest) = rest.split_at(len);
    *b = rest;
    s
}

fn take_u64(b: &mut &[u8]) -> u64 {
    let (n, rest) = b.split_at(8);
    *b = rest;
    u64::from_be_bytes(n.try_into().unwrap())
}

fn receipt_from_sign_bytes(mut b: &[u8]) -> Receipt {
    b = b.strip_prefix(RECEIPT_DOMAIN).expect("receipt domain");
    let chain_id = String::from_utf8(take_str(&mut b).to_vec()).unwrap();
    let contract = String::from_utf8(take_str(&mut b).to_vec()).unwrap();
    let r = Receipt {
        chain_id,
        contract,
        model_id: take_u64(&mut b),
        epoch: take_u64(&mut b),
        receipt_id: take_u64(&mut b),
        units: take_u64(&mut b),
        timestamp: take_u64(&mut b),
    };
    assert!(b.is_empty(), "trailing sign bytes");
    r
}

fn header_from_sign_bytes(mut b: &[u8]) -> BatchHeader {
    b = b.strip_prefix(BATCH_DOMAIN).expect("batch domain");
    let chain_id = String::from_utf8(take_str(&mut b).to_vec()).unwrap();
    let contract = String::from_utf8(take_str(&mut b).to_vec()).unwrap();
    let operator = String::from_utf8(take_str(&mut b).to_vec()).unwrap();
    let (model_id, epoch, seq) = (take_u64(&mut b), take_u64(&mut b), take_u64(&mut b));
    let (first_id, last_id, count) = (take_u64(&mut b), take_u64(&mut b), take_u64(&mut b));
    let (total, root) = b.split_at(16);
    BatchHeader {
        chain_id,
        contract,
        model_id,
        epoch,
        operator,
        seq,
        first_id,
        last_id,
        count,
        total_units: Uint128::new(u128::from_be_bytes(total.try_into().unwrap())),
        root: HexBinary::from(root),
    }
}

#[derive(Arbitrary, Debug)]
struct Fields {
    chain_id: String,
    contract: String,
    operator: String,
    n: [u64; 7],
    total: u128,
    root: Vec<u8>,
    signature: Vec<u8>,
}

fuzz_target!(|data: &[u8]| {
    let Some((&kind, bytes)) = data.split_first() else { return };
    match kind % 7 {
        0 => codecs_agree::<Receipt>(bytes),
        1 => codecs_agree::<SignedReceipt>(bytes),
        2 => codecs_agree::<BatchHeader>(bytes),
        3 => codecs_agree::<Path>(bytes),
        4 => codecs_agree::<ProofNode>(bytes),
        5 => {
            // A receipts file, as `attrib receipts prove` reads it.
            if let Ok(text) = std::str::from_utf8(bytes) {
                for line in text.lines().filter(|l| !l.trim().is_empty()) {
                    codecs_agree::<SignedReceipt>(line.as_bytes());
                }
            }
        }
        _ => {
            let Ok(f) = Fields::arbitrary(&mut Unstructured::new(bytes)) else { return };
            let r = Receipt {
                chain_id: f.chain_id.clone(),
                contract: f.contract.clone(),
                model_id: f.n[0],
                epoch: f.n[1],
                receipt_id: f.n[2],
                units: f.n[3],
                timestamp: f.n[4],
            };
            assert_eq!(receipt_from_sign_bytes(&r.sign_bytes()), r);
            assert_eq!(r.digest(), <[u8; 32]>::from(Sha256::digest(r.sign_bytes())));
            assert_eq!(r.leaf().sum, r.units as u128);
            let line = SignedReceipt { receipt: r.clone(), signature: HexBinary::from(f.signature) };
            round_trips(&line);
            let h = BatchHeader {
                chain_id: f.chain_id,
                contract: f.contract,
                model_id: f.n[0],
                epoch: f.n[1],
                operator: f.operator,
                seq: f.n[2],
                first_id: f.n[3],
                last_id: f.n[4],
                count: f.n[5],
                total_units: Uint128::new(f.total),
                root: HexBinary::from(f.root),
            };
            assert_eq!(header_from_sign_bytes(&h.sign_bytes()), h);
            assert_eq!(h.digest(), <[u8; 32]>::from(Sha256::digest(h.sign_bytes())));
            round_trips(&h);
        }
    }
});
