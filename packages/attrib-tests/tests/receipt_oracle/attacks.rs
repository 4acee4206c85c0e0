//! Attacks an attacker review found against the first cut of issue 12 (each succeeded on
//! 78dbc8f (the merge of the inclusion branch) and fails now): another operator's fraud making
//! an honest one late, closing a model or leaving while a replacement is due, retired or
//! relabelled keys, never-late future labels, late omissions charged nothing, and the
//! counters of state stored before them.

use attrib_curator_staking::contract::sv::mt::CuratorStakingContractProxy;
use attrib_curator_staking::state::Role;
use attrib_std::receipts::{BatchHeader, Receipt, SumTree};
use cosmwasm_std::{coin, HexBinary, Uint128};
use k256::ecdsa::signature::hazmat::PrehashSigner;
use k256::ecdsa::{Signature, SigningKey};

use super::suite::*;
use attrib_receipt_oracle::contract::sv::mt::ReceiptOracleContractProxy;
use attrib_receipt_oracle::msg::{NewBatch, WrongEpochProof};
use attrib_receipt_oracle::state::BatchStatus;

fn pubkey(k: &SigningKey) -> HexBinary {
    HexBinary::from(k.verifying_key().to_encoded_point(true).as_bytes().to_vec())
}

fn sign_with(k: &SigningKey, digest: [u8; 32]) -> HexBinary {
    let sig: Signature = k.sign_prehash(&digest).unwrap();
    HexBinary::from(sig.to_bytes().to_vec())
}

/// Ten receipts of 100 units; the batch holds only ids 1 and 10 (200 units declared),
/// one omission (id 5) is proven: the batch is voided, 300 units charged, 700 owed.
fn void_a_gutted_batch(s: &Suite) -> Vec<Receipt> {
    s.fund(1_000_000);
    let signed: Vec<Receipt> = (1..=10).map(|i| s.receipt(i, 100)).collect();
    let posted = vec![signed[0].clone(), signed[9].clone()];
    let (_, tree) = s.post(1, &posted, None).unwrap();
    s.oracle()
        .challenge_omitted_receipt(s.batch_ref(1), s.omission_proof(&signed[4], &posted, &tree, 0))
        .call(&s.auditor)
        .unwrap();
    let m = s.oracle().model(s.model).unwrap();
    assert_eq!(m.awaiting_replacement, 1);
    assert_eq!(m.escrow.u128(), 1_000_000 - 300 * ROYALTY);
    signed
}

/// Owner and operator collude: the operator guts a batch, takes one slash, and the owner
/// closes the model while its replacement is due: bond and escrow come back, the 700
/// honest units beyond what was proven are never charged.
#[test]
fn owner_closes_model_while_replacement_due() {
    let s = Suite::new();
    let _signed = void_a_gutted_batch(&s);
    let owner0 = s.balance(&s.owner);
    let res = s.oracle().close_model(s.model).call(&s.owner);
    let back = s.balance(&s.owner) - owner0;
    assert!(
        res.is_err(),
        "model closed with a replacement due: owner got {back} back (escrow + bond), \
         700 honest units ({}) never charged",
        700 * ROYALTY
    );
}

/// The voided batch's operator walks away (its open_batches count went to zero when the
/// batch was voided): no replacement can ever be posted (it is no longer bonded), and the
/// model is blocked for every other operator, forever.
#[test]
fn departed_operator_blocks_model_forever() {
    let s = Suite::new();
    let signed = void_a_gutted_batch(&s);
    // The operator leaves with what the slash left it.
    let bonded = s.operator_bonded();
    s.staking()
        .unstake(Uint128::new(bonded))
        .call(&s.operator)
        .unwrap();
    s.advance(86_400 + 1);
    let left = s.staking().claim_unbonded().call(&s.operator);
    // It cannot post the replacement any more.
    let (h, _) = s.header(2, &signed);
    let repl = s.submit(&h, Some(1));
    // A second, honest, bonded operator of the model.
    let op2 = s.stranger.clone();
    s.staking()
        .stake(Role::Operator)
        .with_funds(&[coin(20_000, DENOM)])
        .call(&op2)
        .unwrap();
    let k2 = SigningKey::from_bytes(&[11u8; 32].into()).unwrap();
    s.oracle().register_operator(pubkey(&k2)).call(&op2).unwrap();
    s.oracle()
        .set_model_operator(s.model, s.operator.to_string(), false)
        .call(&s.owner)
        .unwrap();
    s.oracle()
        .set_model_operator(s.model, op2.to_string(), true)
        .call(&s.owner)
        .unwrap();
    let rs: Vec<Receipt> = (1..=2).map(|i| s.receipt(i, 5)).collect();
    let tree = SumTree::from_receipts(&rs).unwrap().unwrap();
    let c = tree.commitment();
    let h2 = BatchHeader {
        chain_id: s.chain_id(),
        contract: s.oracle.to_string(),
        model_id: s.model,
        epoch: rs[0].epoch,
        operator: op2.to_string(),
        seq: 1,
        first_id: 1,
        last_id: 2,
        count: c.count,
        total_units: Uint128::new(c.total),
        root: HexBinary::from(c.root.to_vec()),
    };
    let res = s
        .oracle()
        .submit_batch(NewBatch {
            model_id: s.model,
            epoch: h2.epoch,
            seq: 1,
            first_id: 1,
            last_id: 2,
            count: h2.count,
            total_units: h2.total_units,
            root: h2.root.clone(),
            signature: sign_with(&k2, h2.digest()),
            replaces: None,
        })
        .call(&op2);
    assert!(
        res.is_ok(),
        "operator left (claim: {:?}); its replacement: {:?}; the model's other operator is \
         refused forever: {:?}",
        left.map(|_| ()),
        repl.map(|_| ()),
        res.map(|_| ())
    );
}

/// The operator labels the receipt it means to omit with a future epoch (e + 2), posts
/// the batch without it, then rotates its key (allowed: a new epoch). The wrong-epoch
/// proof checks the receipt against the key in force "in epoch e + 2", which is the new
/// one: the receipt the old key really signed is refused.
#[test]
fn future_epoch_label_plus_rotation_defeats_wrong_epoch_proof() {
    future_label(true)
}

/// Control: without the rotation the same proof is upheld.
#[test]
fn control_future_label_without_rotation_is_upheld() {
    future_label(false)
}

fn future_label(rotate: bool) {
    let s = Suite::new();
    s.fund(1_000_000);
    s.advance(EPOCH); // a new epoch: a rotation is allowed in it
    let e = s.epoch();
    let mut signed: Vec<Receipt> = (1..=4).map(|i| s.receipt(i, 50)).collect();
    signed[2].epoch = e + 2; // the receipt to hide, labelled two epochs ahead
    let sig = s.sign(signed[2].digest()); // signed with the key in force now
    let posted: Vec<Receipt> = signed.iter().filter(|r| r.receipt_id != 3).cloned().collect();
    s.post(1, &posted, None).unwrap();
    let proof = WrongEpochProof {
        receipt: signed[2].clone(),
        signature: sig,
    };
    // Rotate within the same epoch, the batch still pending.
    if rotate {
        let k2 = SigningKey::from_bytes(&[9u8; 32].into()).unwrap();
        s.oracle()
            .register_operator(pubkey(&k2))
            .call(&s.operator)
            .unwrap();
    }
    let res = s
        .oracle()
        .challenge_wrong_epoch(s.batch_ref(1), proof)
        .call(&s.auditor);
    assert!(
        res.is_ok(),
        "wrong-epoch proof refused after rotation: {:?}",
        res.map(|_| ())
    );
    assert!(matches!(
        s.oracle()
            .batch(s.model, s.operator.to_string(), 1)
            .unwrap()
            .status,
        BatchStatus::Voided { .. }
    ));
}

/// Same idea, backwards: an operator first registered in epoch 1 labels the receipt it
/// hides with epoch 0, before any key of its history; such a receipt is checked against
/// the operator's *current* key (the fallback), so after a rotation the key that really
/// signed it no longer counts.
#[test]
fn past_epoch_label_before_first_key_plus_rotation() {
    let s = Suite::new();
    s.fund(1_000_000);
    s.advance(EPOCH);
    let op2 = s.stranger.clone();
    s.staking()
        .stake(Role::Operator)
        .with_funds(&[coin(20_000, DENOM)])
        .call(&op2)
        .unwrap();
    let k2 = SigningKey::from_bytes(&[11u8; 32].into()).unwrap();
    s.oracle().register_operator(pubkey(&k2)).call(&op2).unwrap();
    s.oracle()
        .set_model_operator(s.model, op2.to_string(), true)
        .call(&s.owner)
        .unwrap();
    s.advance(EPOCH); // the next epoch: op2 may rotate in it
    let e = s.epoch();
    assert!(e >= 2, "epoch {e}");
    let mut signed: Vec<Receipt> = (1..=4).map(|i| s.receipt(i, 50)).collect();
    signed[2].epoch = 0; // before op2's first key
    let sig = sign_with(&k2, signed[2].digest());
    let posted: Vec<Receipt> = signed.iter().filter(|r| r.receipt_id != 3).cloned().collect();
    let tree = SumTree::from_receipts(&posted).unwrap().unwrap();
    let c = tree.commitment();
    let h = BatchHeader {
        chain_id: s.chain_id(),
        contract: s.oracle.to_string(),
        model_id: s.model,
        epoch: e,
        operator: op2.to_string(),
        seq: 1,
        first_id: 1,
        last_id: 4,
        count: c.count,
        total_units: Uint128::new(c.total),
        root: HexBinary::from(c.root.to_vec()),
    };
    s.oracle()
        .submit_batch(NewBatch {
            model_id: s.model,
            epoch: e,
            seq: 1,
            first_id: 1,
            last_id: 4,
            count: c.count,
            total_units: h.total_units,
            root: h.root.clone(),
            signature: sign_with(&k2, h.digest()),
            replaces: None,
        })
        .call(&op2)
        .unwrap();
    let k3 = SigningKey::from_bytes(&[12u8; 32].into()).unwrap();
    s.oracle().register_operator(pubkey(&k3)).call(&op2).unwrap();
    let res = s
        .oracle()
        .challenge_wrong_epoch(
            attrib_receipt_oracle::msg::BatchRef {
                model_id: s.model,
                operator: op2.to_string(),
                seq: 1,
            },
            WrongEpochProof {
                receipt: signed[2].clone(),
                signature: sig,
            },
        )
        .call(&s.auditor);
    assert!(
        res.is_ok(),
        "wrong-epoch proof refused after rotation: {:?}",
        res.map(|_| ())
    );
}

/// Migration: a batch voided before the upgrade has no `awaiting_replacement` behind it
/// (the model's field defaults to 0 and `replaced_by` to None). Posting its replacement
/// (which the old code allowed) now underflows `awaiting_replacement -= 1`.
#[test]
fn legacy_voided_batch_replacement_underflows() {
    let s = Suite::new();
    let signed = void_a_gutted_batch(&s);
    // Emulate the pre-upgrade state: the model was stored without the field.
    {
        let models: cw_storage_plus::Map<u64, attrib_receipt_oracle::state::Model> =
            cw_storage_plus::Map::new("models");
        let mut app = s.app.app_mut();
        let mut st = app.contract_storage_mut(&s.oracle);
        let mut m = models.load(&*st, s.model).unwrap();
        m.awaiting_replacement = 0;
        models.save(&mut *st, s.model, &m).unwrap();
    }
    // A typed refusal, not an overflow panic: a batch voided before replacements were
    // tracked had its charge released, so its replacement would not be charged right;
    // the owner re-posts nothing over it (README: known limits).
    let res = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        s.post(2, &signed, Some(1)).map(|_| ())
    }));
    assert!(
        matches!(
            res,
            Ok(Err(attrib_receipt_oracle::error::ContractError::BadReplacement {
                seq: 1
            }))
        ),
        "replacement of a legacy voided batch: {:?}",
        res.map_err(|p| p
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string())))
    );
}

/// The operator posts ids 1-3 and never posts id 4, which it signed labelled with an epoch
/// far ahead. It lies beyond every posted range, so only the late-omission proof could
/// reach it, and that one waits for the label's epoch's deadline (here: never).
#[test]
fn future_epoch_label_makes_an_unposted_receipt_never_late() {
    let s = Suite::new();
    s.fund(1_000_000);
    let rs: Vec<Receipt> = (1..=3).map(|i| s.receipt(i, 10)).collect();
    s.post(1, &rs, None).unwrap();
    let mut hidden = s.receipt(4, 1_000);
    hidden.epoch = u64::MAX / 2;
    let sig = s.sign(hidden.digest());
    // Long after the real epoch's deadline.
    s.advance(3 * EPOCH);
    s.oracle()
        .finalize_batch(s.model, s.operator.to_string(), 1)
        .call(&s.stranger)
        .unwrap();
    let res = s
        .oracle()
        .challenge_late_omission(s.model, s.operator.to_string(), hidden, sig)
        .call(&s.auditor);
    assert!(
        res.is_ok(),
        "no proof reaches an unposted future-labelled receipt: {:?}",
        res.map(|_| ())
    );
}

/// A proven late omission slashes the operator but never charges the model for the
/// proven units: the owner and operator who collude trade a slash for royalties never
/// paid (SPEC §5.4 "fraud never lowers what the model pays").
#[test]
fn late_omission_charges_nothing() {
    let s = Suite::new();
    s.fund(1_000_000);
    let rs: Vec<Receipt> = (1..=3).map(|i| s.receipt(i, 10)).collect();
    s.post(1, &rs, None).unwrap();
    let hidden = s.receipt(4, 10_000);
    let sig = s.sign(hidden.digest());
    s.advance(EPOCH + GRACE + WINDOW);
    s.oracle()
        .finalize_batch(s.model, s.operator.to_string(), 1)
        .call(&s.stranger)
        .unwrap();
    let escrow0 = s.oracle().model(s.model).unwrap().escrow.u128();
    s.oracle()
        .challenge_late_omission(s.model, s.operator.to_string(), hidden, sig)
        .call(&s.auditor)
        .unwrap();
    let m = s.oracle().model(s.model).unwrap();
    let charged = escrow0 - m.escrow.u128() + m.debt.u128();
    assert!(
        charged >= 10_000 * ROYALTY,
        "late omission of 10 000 units proven; the model was charged {charged}"
    );
}

/// The operator's key leaks; it rotates (the reason rotation exists). Whoever holds the
/// retired key signs "receipts" labelled with an epoch the old key was in force for, with
/// ids of the operator's honest batch of today: the wrong-epoch proof voids the honest
/// batch and slashes the operator; the late-omission proof slashes it again, forever.
#[test]
fn retired_key_still_slashes_after_rotation() {
    let s = Suite::new();
    s.fund(1_000_000);
    let e0 = s.epoch();
    s.advance(EPOCH);
    let k2 = SigningKey::from_bytes(&[9u8; 32].into()).unwrap();
    s.oracle()
        .register_operator(pubkey(&k2))
        .call(&s.operator)
        .unwrap();
    s.advance(EPOCH);
    // Honest batch of epoch e0 + 2, signed with the new key throughout.
    let rs: Vec<Receipt> = (1..=4).map(|i| s.receipt(i, 10)).collect();
    let tree = SumTree::from_receipts(&rs).unwrap().unwrap();
    let (h, _) = s.header(1, &rs);
    let _ = tree;
    s.submit_with_signature(&h, sign_with(&k2, h.digest()), None)
        .unwrap();
    // The thief, with the retired key (s.key).
    let forged = Receipt {
        epoch: e0,
        ..rs[1].clone()
    };
    let stake0 = s.operator_bonded();
    let wrong = s
        .oracle()
        .challenge_wrong_epoch(
            s.batch_ref(1),
            WrongEpochProof {
                signature: s.sign(forged.digest()),
                receipt: forged,
            },
        )
        .call(&s.stranger);
    let late_forged = Receipt {
        epoch: e0,
        receipt_id: 1_000,
        ..rs[0].clone()
    };
    let late = s
        .oracle()
        .challenge_late_omission(
            s.model,
            s.operator.to_string(),
            late_forged.clone(),
            s.sign(late_forged.digest()),
        )
        .call(&s.stranger);
    assert!(
        wrong.is_err() && late.is_err(),
        "retired key forged proofs: wrong_epoch {:?}, late {:?}; stake {} -> {}",
        wrong.map(|_| ()),
        late.map(|_| ()),
        stake0,
        s.operator_bonded()
    );
}

/// `awaiting_replacement` is per model: while operator A's voided batch waits for its
/// replacement, an honest operator B of the same model cannot post. If A replaces only
/// after the epoch's deadline (replacements are accepted late), B's receipts of that
/// epoch can never be posted, and a late-omission proof slashes honest B for them.
#[test]
fn other_operators_receipts_go_late_and_get_slashed() {
    let s = Suite::new();
    let op2 = s.stranger.clone();
    s.staking()
        .stake(Role::Operator)
        .with_funds(&[coin(20_000, DENOM)])
        .call(&op2)
        .unwrap();
    let k2 = SigningKey::from_bytes(&[11u8; 32].into()).unwrap();
    s.oracle().register_operator(pubkey(&k2)).call(&op2).unwrap();
    s.oracle()
        .set_model_operator(s.model, op2.to_string(), true)
        .call(&s.owner)
        .unwrap();
    let signed = void_a_gutted_batch(&s);
    // B serves two inferences this epoch and tries to post them.
    let rs: Vec<Receipt> = (1..=2).map(|i| s.receipt(i, 5)).collect();
    let tree = SumTree::from_receipts(&rs).unwrap().unwrap();
    let c = tree.commitment();
    let h = BatchHeader {
        chain_id: s.chain_id(),
        contract: s.oracle.to_string(),
        model_id: s.model,
        epoch: rs[0].epoch,
        operator: op2.to_string(),
        seq: 1,
        first_id: 1,
        last_id: 2,
        count: c.count,
        total_units: Uint128::new(c.total),
        root: HexBinary::from(c.root.to_vec()),
    };
    let post_b = || {
        s.oracle()
            .submit_batch(NewBatch {
                model_id: s.model,
                epoch: h.epoch,
                seq: 1,
                first_id: 1,
                last_id: 2,
                count: h.count,
                total_units: h.total_units,
                root: h.root.clone(),
                signature: sign_with(&k2, h.digest()),
                replaces: None,
            })
            .call(&op2)
    };
    let first = post_b();
    // A replaces only after the deadline (allowed).
    s.advance(EPOCH + GRACE + 1);
    s.post(2, &signed, Some(1)).unwrap();
    let second = post_b();
    let stake0 = s
        .staking()
        .staker(op2.to_string())
        .unwrap()
        .staker
        .unwrap()
        .bonded
        .u128();
    let late = s
        .oracle()
        .challenge_late_omission(
            s.model,
            op2.to_string(),
            rs[0].clone(),
            sign_with(&k2, rs[0].digest()),
        )
        .call(&s.auditor);
    let stake1 = s
        .staking()
        .staker(op2.to_string())
        .unwrap()
        .staker
        .unwrap()
        .bonded
        .u128();
    assert!(
        late.is_err(),
        "honest B: post in time -> {:?}; after A's replacement -> {:?}; late proof -> {:?}, \
         B's stake {stake0} -> {stake1}",
        first.map(|_| ()),
        second.map(|_| ()),
        late.map(|_| ())
    );
}

/// Migration: batches posted before the upgrade were never counted in `open_batches`,
/// but closing one decrements (saturating) the count of the batches posted since: one
/// legacy batch finalizing lets the operator's unbonded stake leave while a batch posted
/// after the upgrade is still pending.
#[test]
fn legacy_pending_batch_lets_stake_leave_with_a_counted_batch_open() {
    let s = Suite::new();
    s.fund(1_000_000);
    s.staking()
        .unstake(Uint128::new(OPERATOR_STAKE - 10_000))
        .call(&s.operator)
        .unwrap();
    let a: Vec<Receipt> = (1..=2).map(|i| s.receipt(i, 5)).collect();
    let b: Vec<Receipt> = (3..=4).map(|i| s.receipt(i, 5)).collect();
    s.post(1, &a, None).unwrap(); // stands for a batch posted before the upgrade
    s.post(2, &b, None).unwrap();
    {
        // Batch 1 as stored before the count existed: not counted, and not in the count.
        let open: cw_storage_plus::Map<&cosmwasm_std::Addr, u32> = cw_storage_plus::Map::new("open_batches");
        let batches: cw_storage_plus::Map<
            (u64, &cosmwasm_std::Addr, u64),
            attrib_receipt_oracle::state::Batch,
        > = cw_storage_plus::Map::new("batches");
        let mut app = s.app.app_mut();
        let mut st = app.contract_storage_mut(&s.oracle);
        open.save(&mut *st, &s.operator, &1).unwrap();
        let mut legacy = batches.load(&*st, (s.model, &s.operator, 1)).unwrap();
        legacy.counted = false;
        batches
            .save(&mut *st, (s.model, &s.operator, 1), &legacy)
            .unwrap();
    }
    s.advance(86_400 + 1);
    s.oracle()
        .finalize_batch(s.model, s.operator.to_string(), 1)
        .call(&s.stranger)
        .unwrap();
    let claim = s.staking().claim_unbonded().call(&s.operator);
    let b2 = s
        .oracle()
        .batch(s.model, s.operator.to_string(), 2)
        .unwrap()
        .status;
    assert!(
        claim.is_err(),
        "claimed {} unbonded while batch 2 is {:?}",
        OPERATOR_STAKE - 10_000,
        b2
    );
}
