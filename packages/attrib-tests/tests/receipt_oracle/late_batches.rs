//! A batch posted after its epoch's posting deadline (issue 13, found by review): the
//! oracle used to refuse it for good, and since every batch must start right after the
//! last posted id, every later batch of the model was refused too — one missed deadline
//! (a chain outage, a meter down) stalled the operator's model forever. Now the late
//! batch is taken and flagged, the model pays for its receipts once, and each of its
//! receipts stays provable as a late omission, so lateness is never a way out.

use attrib_std::events::{self, attr};
use attrib_std::receipts::Receipt;
use cosmwasm_std::Uint128;

use super::suite::*;
use attrib_curator_staking::contract::sv::mt::CuratorStakingContractProxy;
use attrib_receipt_oracle::contract::sv::mt::ReceiptOracleContractProxy;
use attrib_receipt_oracle::error::ContractError;

/// What left escrow for the model (paid to the pool, or owed as debt) since `escrow0`.
fn charged_since(s: &Suite, escrow0: u128) -> u128 {
    let m = s.oracle().model(s.model).unwrap();
    escrow0 - m.escrow.u128() + m.debt.u128()
}

fn late_attr(res: &cw_multi_test::AppResponse) -> Option<String> {
    res.events
        .iter()
        .find(|e| e.ty == format!("wasm-{}", events::BATCH_SUBMITTED))
        .and_then(|e| e.attributes.iter().find(|a| a.key == attr::LATE))
        .map(|a| a.value.clone())
}

fn finalize(s: &Suite, seq: u64) {
    s.oracle()
        .finalize_batch(s.model, s.operator.to_string(), seq)
        .call(&s.stranger)
        .unwrap();
}

/// Anyone (the auditor) proves `r` a late omission.
fn prove_late(s: &Suite, r: &Receipt) -> Result<cw_multi_test::AppResponse, ContractError> {
    s.oracle()
        .challenge_late_omission(s.model, s.operator.to_string(), r.clone(), s.sign(r.digest()))
        .call(&s.auditor)
}

/// Batch 1 (receipts 1-3, 10 units each) posted in time; receipts 4-6 of the same epoch
/// (`units`) signed, and the epoch's posting deadline let pass.
fn deadline_missed(s: &Suite, units: [u64; 3]) -> (Vec<Receipt>, Vec<Receipt>) {
    let first: Vec<Receipt> = (1..=3).map(|i| s.receipt(i, 10)).collect();
    s.post(1, &first, None).unwrap();
    let missed = (4..=6).zip(units).map(|(i, u)| s.receipt(i, u)).collect();
    s.advance(EPOCH + GRACE + 1);
    (first, missed)
}

/// Failed on the old code (`EpochClosed` for seq 2, then `NotContiguous` for seq 3).
#[test]
fn a_batch_past_its_deadline_is_taken_late_and_the_model_goes_on() {
    let s = Suite::new();
    s.fund(1_000_000);
    let escrow0 = s.oracle().model(s.model).unwrap().escrow.u128();
    let pool0 = s.balance(&s.pool);
    let first: Vec<Receipt> = (1..=3).map(|i| s.receipt(i, 10)).collect();
    let (res, _) = s.post(1, &first, None).unwrap();
    assert_eq!(late_attr(&res).as_deref(), Some("false"));
    // Served in epoch 0 but not posted before its deadline.
    let missed: Vec<Receipt> = (4..=6).map(|i| s.receipt(i, 20)).collect();
    s.advance(EPOCH + GRACE + 1);
    let (res, _) = s.post(2, &missed, None).unwrap();
    assert_eq!(late_attr(&res).as_deref(), Some("true"));
    let b2 = s.oracle().batch(s.model, s.operator.to_string(), 2).unwrap();
    assert!(b2.late && b2.epoch == 0 && (b2.first_id, b2.last_id) == (4, 6));
    assert_eq!(b2.charge.u128(), 60 * ROYALTY);
    // The ids after it are posted in time, as if nothing had happened.
    let next: Vec<Receipt> = (7..=8).map(|i| s.receipt(i, 5)).collect();
    assert_eq!(next[0].epoch, 1);
    let (res, _) = s.post(3, &next, None).unwrap();
    assert_eq!(late_attr(&res).as_deref(), Some("false"));
    let c = s.oracle().cursor(s.model, s.operator.to_string()).unwrap();
    assert_eq!((c.last_id, c.last_epoch, c.next_seq), (8, 1, 4));
    // Every unit is paid once: what left escrow is what the pool got.
    s.advance(WINDOW + 1);
    for seq in 1..=3 {
        finalize(&s, seq);
    }
    let charged = charged_since(&s, escrow0);
    assert_eq!(charged, (30 + 60 + 10) * ROYALTY);
    assert_eq!(s.balance(&s.pool) - pool0, charged);
    s.assert_escrow_backed();
}

/// Posting late is no way out: a receipt inside the late batch is proven late (the
/// operator is slashed), once, and the model is not charged for it a second time.
/// A receipt of a batch posted in time is not late.
#[test]
fn a_receipt_posted_late_stays_a_late_omission_charged_once() {
    let s = Suite::new();
    s.fund(1_000_000);
    let (first, missed) = deadline_missed(&s, [20, 20, 20]);
    s.post(2, &missed, None).unwrap();
    let escrow0 = s.oracle().model(s.model).unwrap().escrow.u128();
    let reserved0 = s.oracle().model(s.model).unwrap().reserved.u128();
    let stake0 = s.operator_bonded();
    let auditor0 = s.staking().payout(s.auditor.to_string()).unwrap().amount.u128();
    prove_late(&s, &missed[1]).unwrap();
    assert!(s.operator_bonded() < stake0, "the operator is slashed");
    assert!(
        s.staking().payout(s.auditor.to_string()).unwrap().amount.u128() > auditor0,
        "the challenger is paid"
    );
    let m = s.oracle().model(s.model).unwrap();
    assert_eq!(
        (m.escrow.u128(), m.reserved.u128()),
        (escrow0, reserved0),
        "the late batch already charges the receipt"
    );
    s.assert_refused(ContractError::AlreadyProven { id: 5 }, |s| {
        prove_late(s, &missed[1])
    });
    s.assert_refused(
        ContractError::NotLate {
            id: 2,
            reason: "it lies inside a range posted in time (use the omission proof)",
        },
        |s| prove_late(s, &first[1]),
    );
    // A later batch in time, then a proof of one of its receipts: not late either.
    let next: Vec<Receipt> = (7..=8).map(|i| s.receipt(i, 5)).collect();
    s.post(3, &next, None).unwrap();
    s.assert_refused(
        ContractError::NotLate {
            id: 7,
            reason: "its epoch's posting deadline has not passed",
        },
        |s| prove_late(s, &next[0]),
    );
    s.advance(EPOCH + GRACE + 1);
    s.assert_refused(
        ContractError::NotLate {
            id: 7,
            reason: "it lies inside a range posted in time (use the omission proof)",
        },
        |s| prove_late(s, &next[0]),
    );
}

/// A late omission proven before the late batch comes charges the model for its units;
/// the batch that then covers the id charges only the rest, so the model pays each
/// unit once (what went out of escrow = the units served × the royalty).
#[test]
fn a_late_omission_proven_before_the_late_batch_is_charged_once() {
    let s = Suite::new();
    s.fund(1_000_000);
    let escrow0 = s.oracle().model(s.model).unwrap().escrow.u128();
    let (_, missed) = deadline_missed(&s, [20, 20, 20]);
    for r in [&missed[0], &missed[2]] {
        prove_late(&s, r).unwrap();
    }
    let c = s.oracle().cursor(s.model, s.operator.to_string()).unwrap();
    assert_eq!(c.late_charged, 2);
    assert_eq!(charged_since(&s, escrow0), 40 * ROYALTY);
    s.post(2, &missed, None).unwrap();
    let b2 = s.oracle().batch(s.model, s.operator.to_string(), 2).unwrap();
    assert_eq!(
        (b2.prior_units, b2.charge),
        (Uint128::new(40), Uint128::new(20 * ROYALTY))
    );
    let c = s.oracle().cursor(s.model, s.operator.to_string()).unwrap();
    assert_eq!(c.late_charged, 0, "the covered proofs are forgotten");
    // The third receipt is still provable late (posted late), and charged nothing more.
    prove_late(&s, &missed[1]).unwrap();
    s.advance(WINDOW + 1);
    finalize(&s, 1);
    finalize(&s, 2);
    let charged = charged_since(&s, escrow0);
    assert_eq!(charged, (30 + 60) * ROYALTY, "each unit charged once");
    // (The pool also got the slashes' share: not compared here.)
    s.assert_escrow_backed();
}

/// A batch labelled with an epoch still to come is refused, as before: "late" is only
/// ever about the past.
#[test]
fn a_batch_of_an_epoch_to_come_is_still_refused() {
    let s = Suite::new();
    s.fund(1_000_000);
    let mut ahead = s.receipt(1, 1);
    ahead.epoch = 5;
    let (mut h, _) = s.header(1, std::slice::from_ref(&ahead));
    h.epoch = 5;
    let deadline = s.oracle().config().unwrap().epoch_start + 6 * EPOCH + GRACE;
    s.assert_refused(
        ContractError::EpochClosed {
            epoch: 5,
            current: 0,
            deadline,
        },
        |s| s.submit(&h, None).map(|_| ()),
    );
}

/// Review of 12323b8 (attacker): a receipt proven late beyond the cursor charges its
/// units; the batch that then covers its id subtracts them, but capped at the batch's
/// declared total (`charged.min(total_units)`). When that batch omits (or under-states)
/// the receipt and is voided for it, the void charges the proven units again: the credit
/// the cap dropped is charged twice. Every unit should be charged once.
#[test]
fn review_a_late_proven_receipt_omitted_by_its_batch_is_charged_twice() {
    let s = Suite::new();
    s.fund(1_000_000);
    let escrow0 = s.oracle().model(s.model).unwrap().escrow.u128();
    let (_, missed) = deadline_missed(&s, [5, 1000, 5]);
    // Receipt 5 is proven late beyond the cursor: 1000 units charged.
    prove_late(&s, &missed[1]).unwrap();
    assert_eq!(charged_since(&s, escrow0), 1000 * ROYALTY);
    // The late batch covers 4..=6 but leaves 5 out (declared 10 units).
    let posted = vec![missed[0].clone(), missed[2].clone()];
    let (_, tree) = s.post(2, &posted, None).unwrap();
    // Omitted-receipt proof: voids batch 2 and charges 5's 1000 units (again).
    s.oracle()
        .challenge_omitted_receipt(s.batch_ref(2), s.omission_proof(&missed[1], &posted, &tree, 0))
        .call(&s.auditor)
        .unwrap();
    // The honest replacement.
    s.post(3, &missed, Some(2)).unwrap();
    s.advance(WINDOW + 1);
    finalize(&s, 1);
    finalize(&s, 3);
    let honest = (30 + 1010) * ROYALTY;
    assert_eq!(
        charged_since(&s, escrow0),
        honest,
        "each unit charged once (got {} units' worth)",
        charged_since(&s, escrow0) / ROYALTY
    );
}

/// Review of 12323b8 (attacker): the upgrade. The old oracle charged a late omission
/// proven beyond the cursor too, but recorded no `late_charged` entry (it never expected
/// the id to be posted: the late batch was refused). A model stalled by the old refusal
/// (the case 12323b8 fixes) typically has such proofs; once upgraded, its late batch
/// covered those ids and charged them a second time (this failed until `migrate` took
/// `late_charges`). The old state is emulated by removing the entry the new code writes.
#[test]
fn review_a_late_omission_proven_before_the_upgrade_is_charged_again() {
    use attrib_receipt_oracle::state::Cursor;
    use cosmwasm_std::Addr;
    let s = Suite::new();
    s.fund(1_000_000);
    let escrow0 = s.oracle().model(s.model).unwrap().escrow.u128();
    let (_, missed) = deadline_missed(&s, [20, 20, 20]);
    prove_late(&s, &missed[0]).unwrap();
    // The state the old code left: charged, late_proven, no late_charged.
    {
        let mut app = s.app.app_mut();
        let mut store = app.contract_storage_mut(&s.oracle);
        let charged: cw_storage_plus::Map<(u64, &Addr, u64), Uint128> =
            cw_storage_plus::Map::new("late_charged");
        charged.remove(store.as_mut(), (s.model, &s.operator, 4));
        let cursors: cw_storage_plus::Map<(u64, &Addr), Cursor> = cw_storage_plus::Map::new("cursors");
        let mut c = cursors.load(store.as_ref(), (s.model, &s.operator)).unwrap();
        c.late_charged = 0;
        cursors.save(store.as_mut(), (s.model, &s.operator), &c).unwrap();
    }
    // Upgrading without naming it is refused; naming it (and only it) records it.
    let code = attrib_receipt_oracle::contract::sv::mt::CodeId::store_code(&s.app);
    let charge = |id: u64, units: u128| attrib_receipt_oracle::msg::LateCharge {
        model_id: s.model,
        operator: s.operator.to_string(),
        receipt_id: id,
        units: Uint128::new(units),
    };
    let refusal = |receipt_id, reason| ContractError::BadLateCharge {
        model_id: s.model,
        operator: s.operator.to_string(),
        receipt_id,
        reason,
    };
    for (given, refused) in [
        (
            None,
            refusal(
                4,
                "proven late beyond its cursor and charged, but its units are not given",
            ),
        ),
        (
            Some(vec![charge(4, 20), charge(5, 20)]),
            refusal(5, "no late omission beyond its cursor without a recorded charge"),
        ),
        (
            Some(vec![charge(4, 20), charge(4, 20)]),
            refusal(4, "named twice"),
        ),
    ] {
        s.assert_refused(refused, |s| {
            s.oracle().migrate(given).call(&s.admin, code.code_id())
        });
    }
    s.oracle()
        .migrate(Some(vec![charge(4, 20)]))
        .call(&s.admin, code.code_id())
        .unwrap();
    assert_eq!(
        s.oracle()
            .cursor(s.model, s.operator.to_string())
            .unwrap()
            .late_charged,
        1
    );
    s.post(2, &missed, None).unwrap();
    s.advance(WINDOW + 1);
    finalize(&s, 1);
    finalize(&s, 2);
    assert_eq!(
        charged_since(&s, escrow0) / ROYALTY,
        30 + 60,
        "receipt 4's 20 units charged once"
    );
}

/// Review of the late-batch change: the replacement of a voided late batch carries its
/// ids, posted late all the same: it is flagged late too (auditors read the flag to file
/// late omissions), and a receipt in it stays provable.
#[test]
fn the_replacement_of_a_late_batch_is_late_too() {
    let s = Suite::new();
    s.fund(1_000_000);
    let (_, missed) = deadline_missed(&s, [20, 20, 20]);
    // Posted late, and without receipt 5: proven omitted, the batch is voided.
    let gutted = vec![missed[0].clone(), missed[2].clone()];
    let (_, tree) = s.post(2, &gutted, None).unwrap();
    s.oracle()
        .challenge_omitted_receipt(s.batch_ref(2), s.omission_proof(&missed[1], &gutted, &tree, 0))
        .call(&s.auditor)
        .unwrap();
    let (res, _) = s.post(3, &missed, Some(2)).unwrap();
    assert_eq!(late_attr(&res).as_deref(), Some("true"));
    assert!(s.oracle().batch(s.model, s.operator.to_string(), 3).unwrap().late);
    prove_late(&s, &missed[2]).unwrap();
}
