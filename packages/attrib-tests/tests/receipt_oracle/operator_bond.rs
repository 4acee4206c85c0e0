//! Issue 12 item 1 (SPEC §5.4 "Soundness"): an operator posts only while bonded at least
//! the minimum, its stake cannot leave curator staking while a batch it posted can still
//! be disputed, and a proof never reverts because of the operator's current state.

use attrib_curator_staking::contract::sv::mt::CuratorStakingContractProxy;
use attrib_curator_staking::error::ContractError as StakingError;
use attrib_receipt_oracle::contract::sv::mt::ReceiptOracleContractProxy;
use attrib_receipt_oracle::error::ContractError;
use attrib_receipt_oracle::state::BatchStatus;
use attrib_std::interfaces::omission_target::sv::mt::OmissionTargetProxy;
use attrib_std::interfaces::omission_target::AuditStats;
use attrib_std::receipts::{Receipt, SumTree};
use cosmwasm_std::{Event, Uint128};

use super::suite::*;

const UNBONDING: u64 = 86_400;
const MIN_BOND: u128 = 10_000;

fn open_batches(s: &Suite) -> u32 {
    s.oracle().open_batches(s.operator.to_string()).unwrap().open
}

fn staker(s: &Suite) -> Option<attrib_curator_staking::state::Staker> {
    s.staking().staker(s.operator.to_string()).unwrap().staker
}

fn bond_error(s: &Suite, bonded: u128) -> ContractError {
    ContractError::OperatorBond {
        address: s.operator.to_string(),
        required: Uint128::new(MIN_BOND),
        bonded: Uint128::new(bonded),
    }
}

/// Ten signed receipts, and a batch of them that leaves receipt 5 out, posted as `seq`.
fn post_dishonest(s: &Suite, seq: u64) -> (Vec<Receipt>, Vec<Receipt>, SumTree) {
    let signed: Vec<Receipt> = (1..=10).map(|i| s.receipt(i, 4)).collect();
    let posted: Vec<Receipt> = signed.iter().filter(|r| r.receipt_id != 5).cloned().collect();
    let (_, tree) = s.post(seq, &posted, None).unwrap();
    (signed, posted, tree)
}

fn prove_omission(
    s: &Suite,
    seq: u64,
    signed: &[Receipt],
    posted: &[Receipt],
    tree: &SumTree,
) -> cw_multi_test::AppResponse {
    s.oracle()
        .challenge_omitted_receipt(s.batch_ref(seq), s.omission_proof(&signed[4], posted, tree, 3))
        .call(&s.auditor)
        .unwrap()
}

fn status(s: &Suite, seq: u64) -> BatchStatus {
    s.oracle()
        .batch(s.model, s.operator.to_string(), seq)
        .unwrap()
        .status
}

/// The slash event curator staking emitted for the operator: (amount, from unbonding).
fn slashed(resp: &cw_multi_test::AppResponse) -> (String, String) {
    let e: &Event = resp
        .events
        .iter()
        .find(|e| e.ty == "wasm-attrib_stake_slashed")
        .expect("a slash event");
    let get = |k: &str| {
        e.attributes
            .iter()
            .find(|a| a.key == k)
            .map(|a| a.value.clone())
            .unwrap()
    };
    (get("amount"), get("from_unbonding"))
}

/// The attack of issue 12 item 1. On the old code the batch was accepted, every proof
/// against it reverted (no staker to slash) and it finalized.
#[test]
fn an_operator_that_unbonded_and_left_cannot_post() {
    let s = Suite::new();
    s.fund(1_000_000);
    s.staking()
        .unstake(Uint128::new(OPERATOR_STAKE))
        .call(&s.operator)
        .unwrap();
    s.advance(UNBONDING);
    let before = s.balance(&s.operator);
    s.staking().claim_unbonded().call(&s.operator).unwrap();
    assert_eq!(s.balance(&s.operator), before + OPERATOR_STAKE);
    assert_eq!(staker(&s), None, "the operator left curator staking");

    let model0 = s.oracle().model(s.model).unwrap();
    let cursor0 = s.oracle().cursor(s.model, s.operator.to_string()).unwrap();
    let signed: Vec<Receipt> = (1..=10).map(|i| s.receipt(i, 4)).collect();
    let posted: Vec<Receipt> = signed.iter().filter(|r| r.receipt_id != 5).cloned().collect();
    assert_eq!(s.post(1, &posted, None).unwrap_err(), bond_error(&s, 0));
    // Nothing was stored: no batch, no reserve, the cursor where it was.
    let o = s.oracle();
    assert!(o
        .batches(s.model, s.operator.to_string(), None, None)
        .unwrap()
        .batches
        .is_empty());
    assert_eq!(o.model(s.model).unwrap(), model0);
    assert_eq!(o.cursor(s.model, s.operator.to_string()).unwrap(), cursor0);
    assert_eq!(open_batches(&s), 0);
}

#[test]
fn stake_cannot_leave_while_a_posted_batch_is_pending() {
    let s = Suite::new();
    s.fund(1_000_000);
    assert_eq!(open_batches(&s), 0);
    let receipts: Vec<Receipt> = (1..=4).map(|i| s.receipt(i, 5)).collect();
    s.post(1, &receipts, None).unwrap();
    assert_eq!(open_batches(&s), 1);

    // Unstaking may proceed: unbonding stake stays slashable.
    s.staking()
        .unstake(Uint128::new(OPERATOR_STAKE))
        .call(&s.operator)
        .unwrap();
    s.advance(UNBONDING);
    let before = s.balance(&s.operator);
    let stake0 = staker(&s);
    assert_eq!(
        s.staking().claim_unbonded().call(&s.operator).unwrap_err(),
        StakingError::OpenBatches {
            address: s.operator.to_string(),
            open: 1
        }
    );
    assert_eq!(s.balance(&s.operator), before, "nothing released");
    assert_eq!(staker(&s), stake0, "the unbonding entry is intact");

    // Final: the stake is free.
    s.oracle()
        .finalize_batch(s.model, s.operator.to_string(), 1)
        .call(&s.stranger)
        .unwrap();
    assert_eq!(open_batches(&s), 0);
    s.staking().claim_unbonded().call(&s.operator).unwrap();
    assert_eq!(s.balance(&s.operator), before + OPERATOR_STAKE);
    assert_eq!(staker(&s), None);
}

#[test]
fn an_operator_under_the_minimum_cannot_post() {
    let s = Suite::new();
    s.fund(1_000_000);
    // Unstaked down to 1 under the minimum.
    s.staking()
        .unstake(Uint128::new(OPERATOR_STAKE - MIN_BOND + 1))
        .call(&s.operator)
        .unwrap();
    let receipts: Vec<Receipt> = (1..=3).map(|i| s.receipt(i, 5)).collect();
    s.assert_refused(bond_error(&s, MIN_BOND - 1), |s| s.post(1, &receipts, None));
}

#[test]
fn an_operator_slashed_under_the_minimum_cannot_post_even_a_replacement() {
    let s = Suite::new();
    s.fund(1_000_000);
    // Exactly the minimum bonded (may post), the rest unbonding.
    s.staking()
        .unstake(Uint128::new(OPERATOR_STAKE - MIN_BOND))
        .call(&s.operator)
        .unwrap();
    let (signed, posted, tree) = post_dishonest(&s, 1);
    // 20 % of everything slashable (bonded first): the bond goes to zero.
    let resp = prove_omission(&s, 1, &signed, &posted, &tree);
    assert_eq!(slashed(&resp), ("20000".into(), "10000".into()));
    assert_eq!(s.operator_bonded(), 0);
    assert_eq!(
        open_batches(&s),
        1,
        "a voided batch holds the stake until replaced"
    );
    s.assert_refused(bond_error(&s, 0), |s| s.post(2, &signed, Some(1)));
}

/// The operator posted, then moved all its stake to unbonding: the proof still slashes
/// it (from unbonding) and pays the challenger.
#[test]
fn a_proof_against_an_unbonding_operator_still_slashes() {
    let s = Suite::new();
    s.fund(1_000_000);
    let (signed, posted, tree) = post_dishonest(&s, 1);
    s.staking()
        .unstake(Uint128::new(OPERATOR_STAKE))
        .call(&s.operator)
        .unwrap();
    let resp = prove_omission(&s, 1, &signed, &posted, &tree);
    assert!(matches!(status(&s, 1), BatchStatus::Voided { .. }));
    let slash = OPERATOR_STAKE / 5;
    assert_eq!(slashed(&resp), (slash.to_string(), slash.to_string()));
    let st = staker(&s).unwrap();
    assert_eq!(st.unbonding_total().u128(), OPERATOR_STAKE - slash);
    assert_eq!(st.slashed.u128(), slash);
    assert_eq!(
        s.staking().payout(s.auditor.to_string()).unwrap().amount.u128(),
        slash / 2,
        "the challenger's share"
    );
    assert_eq!(
        s.oracle().audit_stats().unwrap(),
        AuditStats {
            fraud_proofs: 1,
            ..Default::default()
        }
    );
    // Voided, the batch still holds the stake: the operator owes its replacement.
    assert_eq!(open_batches(&s), 1);
    s.advance(UNBONDING);
    assert!(matches!(
        s.staking().claim_unbonded().call(&s.operator).unwrap_err(),
        attrib_curator_staking::error::ContractError::OpenBatches { open: 1, .. }
    ));
}

/// A late-omission proof against an operator that has since left curator staking lands
/// and is recorded (a zero slash), instead of reverting for want of a staker.
#[test]
fn a_late_omission_proof_lands_after_the_operator_left() {
    let s = Suite::new();
    let never_posted = s.receipt(1, 7);
    let sig = s.sign(never_posted.digest());
    s.staking()
        .unstake(Uint128::new(OPERATOR_STAKE))
        .call(&s.operator)
        .unwrap();
    s.advance(UNBONDING);
    s.staking().claim_unbonded().call(&s.operator).unwrap();
    assert_eq!(staker(&s), None);

    let pool0 = s.balance(&s.pool);
    let resp = s
        .oracle()
        .challenge_late_omission(s.model, s.operator.to_string(), never_posted.clone(), sig.clone())
        .call(&s.auditor)
        .unwrap();
    assert!(resp.events.iter().any(|e| e.ty == "wasm-attrib_fraud_proven"));
    assert_eq!(slashed(&resp), ("0".into(), "0".into()));
    assert_eq!(s.balance(&s.pool), pool0, "nothing to route");
    assert_eq!(
        s.staking().payout(s.auditor.to_string()).unwrap().amount.u128(),
        0
    );
    assert_eq!(s.oracle().audit_stats().unwrap().fraud_proofs, 1);
    // Recorded: the same receipt is not proven twice.
    let again = s
        .oracle()
        .challenge_late_omission(s.model, s.operator.to_string(), never_posted, sig)
        .call(&s.auditor)
        .unwrap_err();
    assert_eq!(again, ContractError::AlreadyProven { id: 1 });
}
