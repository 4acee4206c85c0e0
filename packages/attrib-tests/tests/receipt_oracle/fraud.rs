//! Every fraud proof upheld, a false one rejected, and signature replays refused.

use attrib_std::receipts::{BatchHeader, ProofError, Receipt};
use cosmwasm_std::{HexBinary, Uint128};

use super::suite::*;
use attrib_curator_staking::contract::sv::mt::CuratorStakingContractProxy;
use attrib_receipt_oracle::contract::sv::mt::ReceiptOracleContractProxy;
use attrib_receipt_oracle::error::ContractError;
use attrib_receipt_oracle::msg::{AlteredReceiptProof, BadSumProof, DuplicateIdProof, OmittedReceiptProof};
use attrib_receipt_oracle::state::BatchStatus;

fn voided(s: &Suite, seq: u64) -> bool {
    matches!(
        s.oracle()
            .batch(s.model, s.operator.to_string(), seq)
            .unwrap()
            .status,
        BatchStatus::Voided { .. }
    )
}

#[test]
fn omitted_receipt_is_proven_the_operator_slashed_and_honest_totals_reposted() {
    let s = Suite::new();
    s.fund(1_000_000);
    let signed: Vec<Receipt> = (1..=10).map(|i| s.receipt(i, 4)).collect();
    // The gateway signed all ten; the batch leaves out receipt 5 (under-reporting).
    let posted: Vec<Receipt> = signed.iter().filter(|r| r.receipt_id != 5).cloned().collect();
    let (_, tree) = s.post(1, &posted, None).unwrap();
    let stake0 = s.operator_bonded();

    // A false proof first: receipt 4 is in the tree.
    let err = s
        .oracle()
        .challenge_omitted_receipt(s.batch_ref(1), s.omission_proof(&signed[3], &posted, &tree, 2))
        .call(&s.auditor)
        .unwrap_err();
    assert_eq!(err, ContractError::Proof(ProofError::NotBracketed));

    // The auditor (a paying user who kept receipt 5) proves it: leaves 4 and 6 are adjacent.
    let resp = s
        .oracle()
        .challenge_omitted_receipt(s.batch_ref(1), s.omission_proof(&signed[4], &posted, &tree, 3))
        .call(&s.auditor)
        .unwrap();
    assert!(resp.events.iter().any(|e| e.ty == "wasm-attrib_fraud_proven"));
    assert!(voided(&s, 1));
    assert_eq!(s.operator_bonded(), stake0 - stake0 / 5, "20% slashed");
    let payout = s.staking().payout(s.auditor.to_string()).unwrap().amount.u128();
    assert_eq!(payout, stake0 / 5 / 2, "the challenger's share");
    assert_eq!(
        s.oracle().model(s.model).unwrap().reserved,
        Uint128::zero(),
        "the voided batch's reservation is charged: 36 declared + 4 proven units"
    );

    // The honest totals are re-posted over the same ids, and settle with nothing more
    // to pay.
    let pool0 = s.balance(&s.pool);
    s.post(2, &signed, Some(1)).unwrap();
    s.advance(WINDOW);
    s.oracle()
        .finalize_batch(s.model, s.operator.to_string(), 2)
        .call(&s.stranger)
        .unwrap();
    assert_eq!(s.balance(&s.pool), pool0);
    assert_eq!(
        s.oracle()
            .finalize_batch(s.model, s.operator.to_string(), 1)
            .call(&s.stranger)
            .unwrap_err(),
        ContractError::NotPending { seq: 1 }
    );
    // A voided batch can be replaced once.
    assert_eq!(
        s.post(3, &signed, Some(1)).unwrap_err(),
        ContractError::BadReplacement { seq: 1 }
    );
    s.assert_escrow_backed();
}

#[test]
fn altered_receipt_is_proven() {
    let s = Suite::new();
    let signed: Vec<Receipt> = (1..=6).map(|i| s.receipt(i, 9)).collect();
    let mut posted = signed.clone();
    posted[2].units = 1; // fewer units than the user was charged for
    let (_, tree) = s.post(1, &posted, None).unwrap();
    s.oracle()
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
        .unwrap();
    assert!(voided(&s, 1));
}

#[test]
fn bad_sum_is_proven_at_the_root() {
    let s = Suite::new();
    let rs: Vec<Receipt> = (1..=7).map(|i| s.receipt(i, 10)).collect();
    // The operator commits the honest root hash with 7 units fewer than its children hold.
    let (mut header, tree) = s.header(1, &rs);
    let c = tree.commitment();
    header.total_units = Uint128::new(c.total - 7);
    s.submit(&header, None).unwrap();
    let top = tree.root_level();
    let (l, r) = (tree.node(top - 1, 0).unwrap(), tree.node(top - 1, 1).unwrap());
    // Claiming the honest sum is no fraud.
    let err = s
        .oracle()
        .challenge_bad_sum(
            s.batch_ref(1),
            BadSumProof {
                left: l.into(),
                right: r.into(),
                claimed_sum: Uint128::new(c.total),
                path: tree.path(top, 0),
            },
        )
        .call(&s.auditor)
        .unwrap_err();
    assert!(matches!(err, ContractError::Proof(ProofError::NoFraud { .. })));
    s.oracle()
        .challenge_bad_sum(
            s.batch_ref(1),
            BadSumProof {
                left: l.into(),
                right: r.into(),
                claimed_sum: Uint128::new(c.total - 7),
                path: tree.path(top, 0),
            },
        )
        .call(&s.auditor)
        .unwrap();
    assert!(voided(&s, 1));
}

#[test]
fn duplicate_id_and_misdeclared_ends_are_proven() {
    let s = Suite::new();
    // Receipt 2 appears twice (ids 1,2,2,4 inside the declared range 1-4).
    let rs: Vec<Receipt> = [1, 2, 2, 4].iter().map(|i| s.receipt(*i, 5)).collect();
    let (_, tree) = s.post(1, &rs, None).unwrap();
    s.oracle()
        .challenge_duplicate_id(
            s.batch_ref(1),
            DuplicateIdProof {
                left: rs[1].clone(),
                left_path: tree.path(0, 1),
                right: Some(rs[2].clone()),
                right_path: Some(tree.path(0, 2)),
            },
        )
        .call(&s.auditor)
        .unwrap();
    assert!(voided(&s, 1));
    // Its charge stands (20 units, unfunded: debt); the honest replacement goes in.
    s.fund(1_000);
    let honest: Vec<Receipt> = (1..=4).map(|i| s.receipt(i, 5)).collect();
    s.post(2, &honest, Some(1)).unwrap();

    // A batch declaring 5-8 whose first leaf is receipt 4 (already in batch 1's range).
    let rs: Vec<Receipt> = [4, 6, 7, 8].iter().map(|i| s.receipt(*i, 5)).collect();
    let (mut header, tree) = s.header(3, &rs);
    header.first_id = 5;
    s.submit(&header, None).unwrap();
    s.oracle()
        .challenge_duplicate_id(
            s.batch_ref(3),
            DuplicateIdProof {
                left: rs[0].clone(),
                left_path: tree.path(0, 0),
                right: None,
                right_path: None,
            },
        )
        .call(&s.auditor)
        .unwrap();
    assert!(voided(&s, 3));
}

#[test]
fn late_omission_is_proven_once() {
    let s = Suite::new();
    let rs: Vec<Receipt> = (1..=3).map(|i| s.receipt(i, 5)).collect();
    s.post(1, &rs, None).unwrap();
    let never_posted = s.receipt(4, 50);
    let sig = s.sign(never_posted.digest());
    let call = |s: &Suite| {
        s.oracle()
            .challenge_late_omission(s.model, s.operator.to_string(), never_posted.clone(), sig.clone())
            .call(&s.auditor)
    };
    assert!(matches!(
        call(&s).unwrap_err(),
        ContractError::NotLate { id: 4, .. }
    ));
    s.advance(EPOCH + GRACE + 1);
    let stake0 = s.operator_bonded();
    call(&s).unwrap();
    assert!(s.operator_bonded() < stake0);
    assert_eq!(call(&s).unwrap_err(), ContractError::AlreadyProven { id: 4 });
    // A receipt inside a posted range is not late: it needs the omission proof.
    let inside = s.receipt(2, 5);
    let err = s
        .oracle()
        .challenge_late_omission(
            s.model,
            s.operator.to_string(),
            Receipt {
                epoch: 0,
                ..inside.clone()
            },
            s.sign(Receipt { epoch: 0, ..inside }.digest()),
        )
        .call(&s.auditor)
        .unwrap_err();
    assert!(matches!(err, ContractError::NotLate { id: 2, .. }));
}

#[test]
fn replayed_signatures_fail() {
    let s = Suite::new();
    let signed: Vec<Receipt> = (1..=10).map(|i| s.receipt(i, 4)).collect();
    let posted: Vec<Receipt> = signed.iter().filter(|r| r.receipt_id != 5).cloned().collect();
    let (_, tree) = s.post(1, &posted, None).unwrap();
    let omitted = signed[4].clone();
    let challenge = |r: Receipt, sig: HexBinary| {
        s.oracle()
            .challenge_omitted_receipt(
                s.batch_ref(1),
                OmittedReceiptProof {
                    receipt: r,
                    signature: sig,
                    left: posted[3].clone(),
                    left_path: tree.path(0, 3),
                    right: posted[4].clone(),
                    right_path: tree.path(0, 4),
                },
            )
            .call(&s.auditor)
    };
    // The same receipt "signed" for another chain, contract, model or epoch.
    for (r, field) in [
        (
            Receipt {
                chain_id: "other-chain".into(),
                ..omitted.clone()
            },
            "chain",
        ),
        (
            Receipt {
                contract: s.registry.to_string(),
                ..omitted.clone()
            },
            "contract",
        ),
        (
            Receipt {
                model_id: 99,
                ..omitted.clone()
            },
            "model",
        ),
        (
            Receipt {
                epoch: 9,
                ..omitted.clone()
            },
            "epoch",
        ),
    ] {
        let sig = s.sign(r.digest());
        assert_eq!(
            challenge(r, sig).unwrap_err(),
            ContractError::ReceiptMismatch { field }
        );
    }
    // A signature over other bytes, or by another key.
    assert_eq!(
        challenge(omitted.clone(), s.sign(signed[3].digest())).unwrap_err(),
        ContractError::BadSignature {}
    );
    // A batch signature replayed under another sequence number.
    let (header, _) = s.header(3, &[s.receipt(11, 1)]);
    let signature = s.sign(header.digest());
    let err = s
        .submit_with_signature(&BatchHeader { seq: 2, ..header }, signature, None)
        .unwrap_err();
    assert_eq!(err, ContractError::BadSignature {});
    assert!(!voided(&s, 1));
}

/// SPEC §5.4: a pause never turns a valid proof into a revert — not the oracle's pause
/// and not curator staking's, through which the slash runs. (On the old code both
/// proofs reverted with `Paused` and the operator kept its stake.) Finalization stays
/// paused, so a pause only gives challengers more time.
#[test]
fn fraud_proofs_land_while_the_oracle_and_curator_staking_are_paused() {
    use attrib_std::interfaces::governance::sv::mt::GovernanceProxy;
    let s = Suite::new();
    s.fund(1_000_000);
    let signed: Vec<Receipt> = (1..=10).map(|i| s.receipt(i, 4)).collect();
    let posted: Vec<Receipt> = signed.iter().filter(|r| r.receipt_id != 5).cloned().collect();
    let (_, tree) = s.post(1, &posted, None).unwrap();
    s.oracle().set_paused(true).call(&s.admin).unwrap();
    s.staking().set_paused(true).call(&s.admin).unwrap();
    let stake0 = s.operator_bonded();

    // The window passes during the pause: finalization waits …
    s.advance(WINDOW);
    assert!(matches!(
        s.oracle()
            .finalize_batch(s.model, s.operator.to_string(), 1)
            .call(&s.stranger)
            .unwrap_err(),
        ContractError::Governance(_)
    ));
    // … and the omission proof lands, slashing through the paused staking contract.
    s.oracle()
        .challenge_omitted_receipt(s.batch_ref(1), s.omission_proof(&signed[4], &posted, &tree, 3))
        .call(&s.auditor)
        .unwrap();
    assert!(voided(&s, 1));
    assert_eq!(
        s.operator_bonded(),
        stake0 - stake0 / 5,
        "20% slashed while paused"
    );

    // A late receipt: while the oracle is paused its posting deadline does not run (the
    // operator cannot post) …
    let never_posted = Receipt {
        receipt_id: 11,
        ..s.receipt(11, 3)
    };
    s.advance(EPOCH + GRACE + 1);
    let late = |s: &Suite| {
        s.oracle()
            .challenge_late_omission(
                s.model,
                s.operator.to_string(),
                never_posted.clone(),
                s.sign(never_posted.digest()),
            )
            .call(&s.auditor)
    };
    assert!(matches!(
        late(&s).unwrap_err(),
        ContractError::NotLate { id: 11, .. }
    ));
    // … after the unpause the operator has a full grace to post; past it, the proof
    // lands, slashing through curator staking, still paused.
    s.oracle().set_paused(false).call(&s.admin).unwrap();
    s.advance(GRACE);
    assert!(matches!(
        late(&s).unwrap_err(),
        ContractError::NotLate { id: 11, .. }
    ));
    s.advance(1);
    let stake1 = s.operator_bonded();
    late(&s).unwrap();
    assert!(s.operator_bonded() < stake1);
}

/// SPEC §5.4 soundness, the other way round: a pause must not turn an honest operator
/// into a provably late one. The oracle is paused before epoch 0's posting deadline, so
/// the operator cannot post the receipt it signed (submit_batch is paused) — yet once
/// the deadline passes during the pause, any holder of that receipt proves a "late
/// omission" and slashes 20 % of the stake, once per receipt id held. After the unpause
/// the operator still cannot post it (the epoch is closed). The posting deadline of an
/// epoch must stretch over a pause.
#[test]
fn a_pause_over_the_posting_deadline_does_not_make_the_operator_late() {
    use attrib_std::interfaces::governance::sv::mt::GovernanceProxy;
    let s = Suite::new();
    s.fund(1_000_000);
    let rs: Vec<Receipt> = (1..=3).map(|i| s.receipt(i, 5)).collect();
    s.post(1, &rs, None).unwrap();
    // Served and signed in epoch 0, to be posted in the next batch.
    let pending = s.receipt(4, 5);
    s.oracle().set_paused(true).call(&s.admin).unwrap();
    s.advance(EPOCH + GRACE + 1);
    let stake0 = s.operator_bonded();
    let late = s
        .oracle()
        .challenge_late_omission(
            s.model,
            s.operator.to_string(),
            pending.clone(),
            s.sign(pending.digest()),
        )
        .call(&s.auditor);
    assert!(
        matches!(late, Err(ContractError::NotLate { id: 4, .. })),
        "the pause kept the operator from posting: {late:?}"
    );
    assert_eq!(s.operator_bonded(), stake0, "an honest operator keeps its stake");
    // Unpaused, the operator posts the receipt it could not post during the pause.
    s.oracle().set_paused(false).call(&s.admin).unwrap();
    s.post(2, &[pending], None).unwrap();
}

/// Issue 14 item 6: the resume-by time of a pause is fixed at the unpause. Lowering the
/// posting grace afterwards must not shorten the time an operator was given to post what
/// the pause kept it from posting (on the old code the grace was read live, and could
/// even be set to 0).
#[test]
fn lowering_the_grace_after_an_unpause_does_not_make_the_operator_late() {
    use attrib_std::interfaces::governance::sv::mt::GovernanceProxy;
    let s = Suite::new();
    s.fund(1_000_000);
    let rs: Vec<Receipt> = (1..=3).map(|i| s.receipt(i, 5)).collect();
    s.post(1, &rs, None).unwrap();
    let pending = s.receipt(4, 5);
    s.oracle().set_paused(true).call(&s.admin).unwrap();
    s.advance(EPOCH + GRACE + 1);
    s.oracle().set_paused(false).call(&s.admin).unwrap();
    let mut p = params();
    p.posting_grace_secs = 60;
    s.oracle().update_params(p).call(&s.admin).unwrap();
    s.advance(61);
    let stake0 = s.operator_bonded();
    let late = s
        .oracle()
        .challenge_late_omission(
            s.model,
            s.operator.to_string(),
            pending.clone(),
            s.sign(pending.digest()),
        )
        .call(&s.auditor);
    assert!(
        matches!(late, Err(ContractError::NotLate { id: 4, .. })),
        "the operator still had the grace given at the unpause: {late:?}"
    );
    assert_eq!(s.operator_bonded(), stake0);
    s.post(2, &[pending], None).unwrap();
}
