//! SPEC §5.4 "Soundness": under-reports that no proof could reach before issue 12. Each
//! test is an attack that succeeded on the code before it (key rotation, one-leaf ranges
//! and totals, epoch relabels, fraud that paid) and must now fail.

use attrib_std::receipts::{ProofError, Receipt};
use cosmwasm_std::{HexBinary, Uint128};
use k256::ecdsa::signature::hazmat::PrehashSigner;
use k256::ecdsa::{Signature, SigningKey};

use super::suite::*;
use attrib_receipt_oracle::contract::sv::mt::ReceiptOracleContractProxy;
use attrib_receipt_oracle::error::ContractError;
use attrib_receipt_oracle::msg::{
    AlteredReceiptProof, BadSumProof, BadTotalProof, DuplicateIdProof, WrongEpochProof,
};
use attrib_receipt_oracle::state::BatchStatus;

fn status(s: &Suite, seq: u64) -> BatchStatus {
    s.oracle()
        .batch(s.model, s.operator.to_string(), seq)
        .unwrap()
        .status
}

/// What the reward pool gained from `f` apart from the slash's pool half (half the stake
/// slashed goes to the challenger, half to the pool): the royalties charged.
fn royalties_charged(s: &Suite, f: impl FnOnce()) -> u128 {
    let (pool0, stake0) = (s.balance(&s.pool), s.operator_bonded());
    f();
    let slashed = stake0 - s.operator_bonded();
    s.balance(&s.pool) - pool0 - slashed / 2
}

fn voided(s: &Suite, seq: u64) -> bool {
    matches!(status(s, seq), BatchStatus::Voided { .. })
}

#[test]
fn a_rotated_key_does_not_disown_what_the_old_key_signed() {
    let s = Suite::new();
    s.fund(1_000_000);
    let signed: Vec<Receipt> = (1..=6).map(|i| s.receipt(i, 3)).collect();
    let posted: Vec<Receipt> = signed.iter().filter(|r| r.receipt_id != 4).cloned().collect();
    let (_, tree) = s.post(1, &posted, None).unwrap();
    let proof = s.omission_proof(&signed[3], &posted, &tree, 2);

    // The operator rotates its key in the next epoch, the batch still pending.
    s.advance(EPOCH);
    let new_key = SigningKey::from_bytes(&[9u8; 32].into()).unwrap();
    let new_pub = HexBinary::from(new_key.verifying_key().to_encoded_point(true).as_bytes().to_vec());
    s.oracle()
        .register_operator(new_pub.clone())
        .call(&s.operator)
        .unwrap();
    // One key per epoch: a second rotation in it is refused, the key unchanged.
    let other = SigningKey::from_bytes(&[10u8; 32].into()).unwrap();
    let other_pub = HexBinary::from(other.verifying_key().to_encoded_point(true).as_bytes().to_vec());
    let err = s
        .oracle()
        .register_operator(other_pub)
        .call(&s.operator)
        .unwrap_err();
    assert!(matches!(err, ContractError::KeyRotationTooSoon { .. }), "{err:?}");
    assert_eq!(
        s.oracle()
            .operator(s.operator.to_string())
            .unwrap()
            .unwrap()
            .pubkey,
        new_pub
    );

    // The receipt the old key signed still proves the omission.
    let stake0 = s.operator_bonded();
    s.oracle()
        .challenge_omitted_receipt(s.batch_ref(1), proof)
        .call(&s.auditor)
        .unwrap();
    assert!(voided(&s, 1));
    assert!(s.operator_bonded() < stake0);

    // The old key is good only for the epochs it was in force: a receipt of two epochs
    // on signed with it proves nothing.
    s.advance(EPOCH);
    let later = s.receipt(100, 5);
    let err = s
        .oracle()
        .challenge_late_omission(
            s.model,
            s.operator.to_string(),
            later.clone(),
            s.sign(later.digest()),
        )
        .call(&s.auditor)
        .unwrap_err();
    assert_eq!(err, ContractError::BadSignature {});
    // ... while the new key's signature on it is checked (and the receipt is not late).
    let sig: Signature = new_key.sign_prehash(&later.digest()).unwrap();
    let err = s
        .oracle()
        .challenge_late_omission(
            s.model,
            s.operator.to_string(),
            later,
            HexBinary::from(sig.to_bytes().to_vec()),
        )
        .call(&s.auditor)
        .unwrap_err();
    assert!(matches!(err, ContractError::NotLate { id: 100, .. }), "{err:?}");
}

#[test]
fn a_one_leaf_batch_declares_first_id_equal_to_last_id() {
    let s = Suite::new();
    let r = s.receipt(1, 10);
    let (mut header, _) = s.header(1, &[r]);
    header.last_id = 5; // ids 2-5 would vanish: no leaf, no neighbours to prove them by
    let err = s.submit(&header, None).unwrap_err();
    assert_eq!(
        err,
        ContractError::BadRange {
            first_id: 1,
            last_id: 5,
            count: 1,
            reason: "a one-leaf batch has first id = last id",
        }
    );
    assert!(s
        .oracle()
        .batches(s.model, s.operator.to_string(), None, None)
        .unwrap()
        .batches
        .is_empty());
}

#[test]
fn a_one_leaf_batch_total_is_bound_to_its_leaf() {
    let s = Suite::new();
    s.fund(1_000_000);
    let r = s.receipt(1, 1_000);
    let sig = s.sign(r.digest());
    let (mut header, tree) = s.header(1, std::slice::from_ref(&r));
    header.total_units = Uint128::new(1); // a 1 000-unit receipt declared as 1 unit
    s.submit(&header, None).unwrap();

    // No proof of the old kinds reaches it.
    let err = s
        .oracle()
        .challenge_altered_receipt(
            s.batch_ref(1),
            AlteredReceiptProof {
                receipt: r.clone(),
                signature: sig,
                leaf: r.clone(),
                path: tree.path(0, 0),
            },
        )
        .call(&s.auditor)
        .unwrap_err();
    assert!(matches!(err, ContractError::Proof(ProofError::NoFraud { .. })));
    let err = s
        .oracle()
        .challenge_duplicate_id(
            s.batch_ref(1),
            DuplicateIdProof {
                left: r.clone(),
                left_path: tree.path(0, 0),
                right: None,
                right_path: None,
            },
        )
        .call(&s.auditor)
        .unwrap_err();
    assert!(matches!(err, ContractError::Proof(ProofError::NoFraud { .. })));

    // The leaf itself shows the total is not its units. A leaf that is not the root's
    // proves nothing.
    let err = s
        .oracle()
        .challenge_bad_total(
            s.batch_ref(1),
            BadTotalProof {
                leaf: Receipt {
                    units: 999,
                    ..r.clone()
                },
            },
        )
        .call(&s.auditor)
        .unwrap_err();
    assert_eq!(err, ContractError::Proof(ProofError::RootMismatch));
    let mut resp = None;
    let charged = royalties_charged(&s, || {
        resp = Some(
            s.oracle()
                .challenge_bad_total(s.batch_ref(1), BadTotalProof { leaf: r })
                .call(&s.auditor)
                .unwrap(),
        )
    });
    assert!(resp
        .unwrap()
        .events
        .iter()
        .any(|e| e.ty == "wasm-attrib_fraud_proven"
            && e.attributes
                .iter()
                .any(|a| a.key == "proven_units" && a.value == "999")));
    assert!(voided(&s, 1));
    // The model pays for all 1 000 units: the declared 1 and the proven 999.
    assert_eq!(charged, 1_000 * ROYALTY);
    let m = s.oracle().model(s.model).unwrap();
    assert_eq!(
        (m.escrow.u128(), m.reserved.u128()),
        (1_000_000 - 1_000 * ROYALTY, 0)
    );
    s.assert_escrow_backed();

    // The honest one-leaf replacement holds; a multi-leaf batch's total is proven by the
    // bad-sum proof, not this one.
    let honest = s.receipt(1, 1_000);
    s.post(2, std::slice::from_ref(&honest), Some(1)).unwrap();
    let err = s
        .oracle()
        .challenge_bad_total(s.batch_ref(2), BadTotalProof { leaf: honest })
        .call(&s.auditor)
        .unwrap_err();
    assert!(matches!(err, ContractError::Proof(ProofError::NoFraud { .. })));
    let rs: Vec<Receipt> = (2..=3).map(|i| s.receipt(i, 4)).collect();
    s.post(3, &rs, None).unwrap();
    let err = s
        .oracle()
        .challenge_bad_total(s.batch_ref(3), BadTotalProof { leaf: rs[0].clone() })
        .call(&s.auditor)
        .unwrap_err();
    assert!(matches!(err, ContractError::Proof(ProofError::NoFraud { .. })));
}

#[test]
fn receipts_carried_under_another_epochs_label_are_provable() {
    let s = Suite::new();
    s.fund(1_000_000);
    let e = s.epoch();
    let signed: Vec<Receipt> = (1..=4).map(|i| s.receipt(i, 7)).collect();
    // In the next epoch the operator posts them labelled e + 1, one of them altered.
    s.advance(EPOCH);
    let mut posted: Vec<Receipt> = signed.clone();
    posted[2].units = 1;
    let (mut header, tree) = s.header(1, &posted);
    header.epoch = e + 1;
    s.submit(&header, None).unwrap();

    // The proofs tied to the batch's epoch refuse the receipt, and it is not late.
    let err = s
        .oracle()
        .challenge_altered_receipt(
            s.batch_ref(1),
            AlteredReceiptProof {
                receipt: signed[2].clone(),
                signature: s.sign(signed[2].digest()),
                leaf: posted[2].clone(),
                path: tree.path(0, 2),
            },
        )
        .call(&s.auditor)
        .unwrap_err();
    assert_eq!(err, ContractError::ReceiptMismatch { field: "epoch" });
    s.advance(GRACE + 1);
    let err = s
        .oracle()
        .challenge_late_omission(
            s.model,
            s.operator.to_string(),
            signed[2].clone(),
            s.sign(signed[2].digest()),
        )
        .call(&s.auditor)
        .unwrap_err();
    assert!(matches!(err, ContractError::NotLate { .. }));

    // A receipt of the batch's own epoch is no wrong-epoch proof; one outside the range
    // neither.
    let own = Receipt {
        epoch: e + 1,
        ..signed[0].clone()
    };
    let err = s
        .oracle()
        .challenge_wrong_epoch(
            s.batch_ref(1),
            WrongEpochProof {
                signature: s.sign(own.digest()),
                receipt: own,
            },
        )
        .call(&s.auditor)
        .unwrap_err();
    assert!(matches!(err, ContractError::Proof(ProofError::NoFraud { .. })));
    let outside = Receipt {
        receipt_id: 9,
        ..signed[0].clone()
    };
    let err = s
        .oracle()
        .challenge_wrong_epoch(
            s.batch_ref(1),
            WrongEpochProof {
                signature: s.sign(outside.digest()),
                receipt: outside,
            },
        )
        .call(&s.auditor)
        .unwrap_err();
    assert!(matches!(err, ContractError::OutsideRange { id: 9, .. }));

    // The receipt's own epoch is the proof.
    let stake0 = s.operator_bonded();
    let charged = royalties_charged(&s, || {
        s.oracle()
            .challenge_wrong_epoch(
                s.batch_ref(1),
                WrongEpochProof {
                    receipt: signed[2].clone(),
                    signature: s.sign(signed[2].digest()),
                },
            )
            .call(&s.auditor)
            .unwrap();
    });
    assert!(voided(&s, 1));
    assert!(s.operator_bonded() < stake0);
    // The declared charge stands (22 units).
    assert_eq!(charged, 22 * ROYALTY);
}

#[test]
fn fraud_never_lowers_what_the_model_pays() {
    let s = Suite::new();
    s.fund(1_000_000);
    let signed: Vec<Receipt> = (1..=10).map(|i| s.receipt(i, 4)).collect();
    let posted: Vec<Receipt> = signed.iter().filter(|r| r.receipt_id != 5).cloned().collect();
    let (_, tree) = s.post(1, &posted, None).unwrap();
    let charged = royalties_charged(&s, || {
        s.oracle()
            .challenge_omitted_receipt(s.batch_ref(1), s.omission_proof(&signed[4], &posted, &tree, 3))
            .call(&s.auditor)
            .unwrap();
    });
    // The declared 36 units and the proven 4 are charged at once.
    assert_eq!(charged, 40 * ROYALTY);
    let pool0 = s.balance(&s.pool);
    let m = s.oracle().model(s.model).unwrap();
    assert_eq!(
        (m.escrow.u128(), m.reserved.u128(), m.awaiting_replacement),
        (1_000_000 - 40 * ROYALTY, 0, 1)
    );
    s.assert_escrow_backed();

    // Nothing new until the replacement is in.
    let next: Vec<Receipt> = (11..=12).map(|i| s.receipt(i, 4)).collect();
    assert_eq!(
        s.post(2, &next, None).unwrap_err(),
        ContractError::ReplacementDue {
            model_id: s.model,
            awaiting: 1
        }
    );
    // The replacement is accepted after the epoch's posting deadline...
    s.advance(EPOCH + GRACE + 1);
    s.post(2, &signed, Some(1)).unwrap();
    let b = s.oracle().batch(s.model, s.operator.to_string(), 2).unwrap();
    assert_eq!((b.prior_units.u128(), b.charge.u128()), (40, 0));
    assert_eq!(
        s.oracle()
            .batch(s.model, s.operator.to_string(), 1)
            .unwrap()
            .replaced_by,
        Some(2)
    );
    // ... and only once.
    assert_eq!(
        s.post(3, &signed, Some(1)).unwrap_err(),
        ContractError::BadReplacement { seq: 1 }
    );
    // It settles with nothing more to pay: the 40 units were charged once.
    s.advance(WINDOW);
    s.oracle()
        .finalize_batch(s.model, s.operator.to_string(), 2)
        .call(&s.stranger)
        .unwrap();
    assert_eq!(s.balance(&s.pool), pool0);
    assert_eq!(s.oracle().model(s.model).unwrap().awaiting_replacement, 0);
    s.assert_escrow_backed();

    // A new epoch's batches are accepted again.
    let next: Vec<Receipt> = (11..=12).map(|i| s.receipt(i, 4)).collect();
    s.post(3, &next, None).unwrap();
}

#[test]
fn a_dishonest_replacement_is_voided_without_charging_twice() {
    let s = Suite::new();
    s.fund(1_000_000);
    let signed: Vec<Receipt> = (1..=6).map(|i| s.receipt(i, 10)).collect();
    let (mut header, tree) = s.header(1, &signed);
    let c = tree.commitment();
    header.total_units = Uint128::new(c.total - 20); // 40 declared of 60
    s.submit(&header, None).unwrap();
    let top = tree.root_level();
    let charged = royalties_charged(&s, || {
        s.oracle()
            .challenge_bad_sum(
                s.batch_ref(1),
                BadSumProof {
                    left: tree.node(top - 1, 0).unwrap().into(),
                    right: tree.node(top - 1, 1).unwrap().into(),
                    claimed_sum: Uint128::new(c.total - 20),
                    path: tree.path(top, 0),
                },
            )
            .call(&s.auditor)
            .unwrap();
    });
    assert_eq!(charged, 60 * ROYALTY, "40 declared + 20 proven");

    // The replacement under-reports again (receipt 3 altered to 1 unit): voided, and
    // the 60 units already charged are not charged again.
    let mut posted = signed.clone();
    posted[2].units = 1;
    let (_, tree) = s.post(2, &posted, Some(1)).unwrap();
    let charged = royalties_charged(&s, || {
        s.oracle()
            .challenge_altered_receipt(
                s.batch_ref(2),
                AlteredReceiptProof {
                    receipt: signed[2].clone(),
                    signature: s.sign(signed[2].digest()),
                    leaf: posted[2].clone(),
                    path: tree.path(0, 2),
                },
            )
            .call(&s.auditor)
            .unwrap();
    });
    assert!(voided(&s, 2));
    assert_eq!(charged, 0);
    let pool0 = s.balance(&s.pool);
    // The voided replacement is what must be replaced now.
    assert_eq!(
        s.post(3, &signed, Some(1)).unwrap_err(),
        ContractError::BadReplacement { seq: 1 }
    );
    s.post(3, &signed, Some(2)).unwrap();
    s.advance(WINDOW);
    s.oracle()
        .finalize_batch(s.model, s.operator.to_string(), 3)
        .call(&s.stranger)
        .unwrap();
    assert_eq!(s.balance(&s.pool), pool0);
    assert!(matches!(status(&s, 3), BatchStatus::Finalized));
    s.assert_escrow_backed();
}

/// The new proofs and the changed replacement and rotation rules refuse bad input with
/// a typed error and change nothing.
#[test]
fn new_proofs_and_replacements_refuse_bad_input() {
    let s = Suite::new();
    s.fund(1_000_000);
    let e = s.epoch();
    let signed: Vec<Receipt> = (1..=4).map(|i| s.receipt(i, 5)).collect();
    s.post(1, &signed, None).unwrap();
    let wrong = |r: Receipt, sig: HexBinary| WrongEpochProof {
        receipt: r,
        signature: sig,
    };
    let other_epoch = Receipt {
        epoch: e + 1,
        ..signed[1].clone()
    };

    // Funds attached, an unknown batch, a forged signature, another model's receipt.
    s.assert_refused(
        ContractError::Funds(attrib_std::funds::FundsError::Unexpected {
            sent: vec![cosmwasm_std::coin(1, DENOM)],
        }),
        |s| {
            s.oracle()
                .challenge_wrong_epoch(
                    s.batch_ref(1),
                    wrong(other_epoch.clone(), s.sign(other_epoch.digest())),
                )
                .with_funds(&[cosmwasm_std::coin(1, DENOM)])
                .call(&s.auditor)
        },
    );
    s.assert_refused(
        ContractError::BatchNotFound {
            model_id: s.model,
            operator: s.operator.to_string(),
            seq: 9,
        },
        |s| {
            s.oracle()
                .challenge_wrong_epoch(
                    s.batch_ref(9),
                    wrong(other_epoch.clone(), s.sign(other_epoch.digest())),
                )
                .call(&s.auditor)
        },
    );
    s.assert_refused(ContractError::BadSignature {}, |s| {
        s.oracle()
            .challenge_wrong_epoch(
                s.batch_ref(1),
                wrong(other_epoch.clone(), s.sign(signed[1].digest())),
            )
            .call(&s.auditor)
    });
    let other_model = Receipt {
        model_id: s.model + 1,
        ..other_epoch.clone()
    };
    s.assert_refused(ContractError::ReceiptMismatch { field: "model" }, |s| {
        s.oracle()
            .challenge_wrong_epoch(
                s.batch_ref(1),
                wrong(other_model.clone(), s.sign(other_model.digest())),
            )
            .call(&s.auditor)
    });
    // A multi-leaf batch has no bad total by its leaf.
    s.assert_refused(
        ContractError::Proof(ProofError::NoFraud {
            reason: "only a one-leaf batch's total is proven by its leaf (else: bad sum at the root)",
        }),
        |s| {
            s.oracle()
                .challenge_bad_total(
                    s.batch_ref(1),
                    BadTotalProof {
                        leaf: signed[0].clone(),
                    },
                )
                .call(&s.auditor)
        },
    );
    // Replacing a batch that was never voided, or with another range.
    s.assert_refused(ContractError::BadReplacement { seq: 1 }, |s| {
        s.post(2, &signed, Some(1)).map(|_| ())
    });
    // Finalized batches take no proof.
    s.advance(WINDOW);
    s.oracle()
        .finalize_batch(s.model, s.operator.to_string(), 1)
        .call(&s.stranger)
        .unwrap();
    s.assert_refused(ContractError::NotPending { seq: 1 }, |s| {
        s.oracle()
            .challenge_wrong_epoch(
                s.batch_ref(1),
                wrong(other_epoch.clone(), s.sign(other_epoch.digest())),
            )
            .call(&s.auditor)
    });
    // A second key in the epoch of the first.
    let k = SigningKey::from_bytes(&[11u8; 32].into()).unwrap();
    let p = HexBinary::from(k.verifying_key().to_encoded_point(true).as_bytes().to_vec());
    let next_at = s.oracle().epoch().unwrap().ends_at;
    s.assert_refused(ContractError::KeyRotationTooSoon { epoch: e, next_at }, |s| {
        s.oracle().register_operator(p.clone()).call(&s.operator)
    });
    // A voided range replaced by another range.
    let more: Vec<Receipt> = (5..=7).map(|i| s.receipt(i, 5)).collect();
    let (mut h, _) = s.header(2, &more);
    h.total_units = Uint128::new(1);
    s.submit(&h, None).unwrap();
    let top_tree = attrib_std::receipts::SumTree::from_receipts(&more)
        .unwrap()
        .unwrap();
    let top = top_tree.root_level();
    s.oracle()
        .challenge_bad_sum(
            s.batch_ref(2),
            BadSumProof {
                left: top_tree.node(top - 1, 0).unwrap().into(),
                right: top_tree.node(top - 1, 1).unwrap().into(),
                claimed_sum: Uint128::new(1),
                path: top_tree.path(top, 0),
            },
        )
        .call(&s.auditor)
        .unwrap();
    s.assert_refused(ContractError::BadReplacement { seq: 2 }, |s| {
        s.post(3, &more[..2], Some(2)).map(|_| ())
    });
}

/// Registering the key already in force again is no rotation: it succeeds in any epoch
/// and changes nothing (an operator's setup can be re-run).
#[test]
fn registering_the_same_key_again_is_not_a_rotation() {
    let s = Suite::new();
    let key = s
        .oracle()
        .operator(s.operator.to_string())
        .unwrap()
        .unwrap()
        .pubkey;
    let before = s.snapshot();
    s.oracle()
        .register_operator(key.clone())
        .call(&s.operator)
        .unwrap();
    assert_eq!(s.snapshot(), before);
    assert_eq!(
        s.oracle()
            .operator(s.operator.to_string())
            .unwrap()
            .unwrap()
            .pubkey,
        key
    );
}
