//! Issue 12 item 8 (SPEC §5.4): a pause is never a shield. Each pause on its own: curator
//! staking paused, a proof is upheld in full (batch voided, operator slashed, challenger
//! credited); the oracle paused, proofs land and batches cannot finalize.
//!
//! These pass since edef5aa ("Fraud proofs land while the oracle or curator staking is
//! paused"), which dropped the pause checks of the proofs and of `slash`; the combined
//! case is `fraud::fraud_proofs_land_while_the_oracle_and_curator_staking_are_paused`.

use attrib_curator_staking::contract::sv::mt::CuratorStakingContractProxy;
use attrib_receipt_oracle::contract::sv::mt::ReceiptOracleContractProxy;
use attrib_receipt_oracle::error::ContractError;
use attrib_receipt_oracle::msg::OmittedReceiptProof;
use attrib_receipt_oracle::state::BatchStatus;
use attrib_std::governance::GovernanceError;
use attrib_std::interfaces::governance::sv::mt::GovernanceProxy;
use attrib_std::receipts::Receipt;
use cosmwasm_std::Uint128;

use super::suite::*;

/// Posts ten receipts minus the fifth as batch 1 and returns a proof of the omission.
fn dishonest_batch(s: &Suite) -> OmittedReceiptProof {
    let signed: Vec<Receipt> = (1..=10).map(|i| s.receipt(i, 4)).collect();
    let posted: Vec<Receipt> = signed.iter().filter(|r| r.receipt_id != 5).cloned().collect();
    let (_, tree) = s.post(1, &posted, None).unwrap();
    s.omission_proof(&signed[4], &posted, &tree, 3)
}

fn status(s: &Suite) -> BatchStatus {
    s.oracle()
        .batch(s.model, s.operator.to_string(), 1)
        .unwrap()
        .status
}

#[test]
fn a_proof_is_upheld_in_full_while_curator_staking_is_paused() {
    let s = Suite::new();
    s.fund(1_000_000);
    let proof = dishonest_batch(&s);
    s.staking().set_paused(true).call(&s.admin).unwrap();
    let stake0 = s.operator_bonded();
    let pool0 = s.balance(&s.pool);
    s.oracle()
        .challenge_omitted_receipt(s.batch_ref(1), proof)
        .call(&s.auditor)
        .unwrap();
    assert_eq!(
        status(&s),
        BatchStatus::Voided {
            reason: "omitted_receipt".into(),
            challenger: s.auditor.clone()
        }
    );
    let slash = stake0 / 5;
    assert_eq!(s.operator_bonded(), stake0 - slash);
    assert_eq!(
        s.staking().payout(s.auditor.to_string()).unwrap().amount.u128(),
        slash / 2,
        "the challenger is credited"
    );
    // The rest of the slash to the pool, with the voided batch's charge (36 declared
    // units and the 4 proven, at 2 each).
    assert_eq!(
        s.balance(&s.pool),
        pool0 + slash - slash / 2 + 40 * ROYALTY,
        "the rest to the pool"
    );
    assert_eq!(s.oracle().model(s.model).unwrap().reserved, Uint128::zero());
}

#[test]
fn while_the_oracle_is_paused_proofs_land_and_batches_cannot_finalize() {
    let s = Suite::new();
    s.fund(1_000_000);
    let proof = dishonest_batch(&s);
    // The dispute window passes while paused: the batch would finalize otherwise.
    s.oracle().set_paused(true).call(&s.admin).unwrap();
    s.advance(WINDOW);
    let before = s.snapshot();
    assert_eq!(
        s.oracle()
            .finalize_batch(s.model, s.operator.to_string(), 1)
            .call(&s.stranger)
            .unwrap_err(),
        ContractError::Governance(GovernanceError::Paused)
    );
    assert_eq!(s.snapshot(), before);
    let stake0 = s.operator_bonded();
    s.oracle()
        .challenge_omitted_receipt(s.batch_ref(1), proof)
        .call(&s.auditor)
        .unwrap();
    assert!(matches!(status(&s), BatchStatus::Voided { .. }));
    assert_eq!(s.operator_bonded(), stake0 - stake0 / 5);
    assert_eq!(
        s.staking().payout(s.auditor.to_string()).unwrap().amount.u128(),
        stake0 / 5 / 2
    );
}
