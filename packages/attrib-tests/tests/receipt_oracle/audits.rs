//! SPEC §8 audits: every upheld fraud proof is counted by the oracle (late omissions
//! too), and the figure reaches the reward distributor's per-epoch metrics.

use attrib_receipt_oracle::contract::sv::mt::ReceiptOracleContractProxy;
use attrib_receipt_oracle::msg::OmittedReceiptProof;
use attrib_reward_distributor::contract::sv::mt::RewardDistributorContractProxy;
use attrib_reward_distributor::RewardDistributorContract;
use attrib_std::interfaces::omission_target::sv::mt::OmissionTargetProxy;
use attrib_std::interfaces::omission_target::AuditStats;
use attrib_std::receipts::{ProofError, Receipt};
use sylvia::multitest::Proxy;

use super::suite::*;

fn pool(s: &Suite) -> Proxy<'_, MtApp, RewardDistributorContract> {
    Proxy::new(s.pool.clone(), &s.app)
}

fn proofs(n: u64) -> AuditStats {
    AuditStats {
        fraud_proofs: n,
        ..Default::default()
    }
}

#[test]
fn upheld_fraud_proofs_are_counted_and_reach_the_epoch_metrics() {
    let s = Suite::new();
    s.fund(1_000_000);
    let e0 = pool(&s).config().unwrap().current_epoch;
    assert_eq!(s.oracle().audit_stats().unwrap(), AuditStats::default());
    let signed: Vec<Receipt> = (1..=10).map(|i| s.receipt(i, 4)).collect();
    let posted: Vec<Receipt> = signed.iter().filter(|r| r.receipt_id != 5).cloned().collect();
    let (_, tree) = s.post(1, &posted, None).unwrap();
    let proof = |r: usize| OmittedReceiptProof {
        receipt: signed[r].clone(),
        signature: s.sign(signed[r].digest()),
        left: posted[r - 1].clone(),
        left_path: tree.path(0, r as u64 - 1),
        right: posted[r].clone(),
        right_path: tree.path(0, r as u64),
    };
    // A false proof reverts and is not counted.
    let err = s
        .oracle()
        .challenge_omitted_receipt(s.batch_ref(1), proof(3))
        .call(&s.auditor)
        .unwrap_err();
    assert_eq!(
        err,
        attrib_receipt_oracle::ContractError::Proof(ProofError::NotBracketed)
    );
    assert_eq!(s.oracle().audit_stats().unwrap(), proofs(0));
    s.oracle()
        .challenge_omitted_receipt(s.batch_ref(1), proof(4))
        .call(&s.auditor)
        .unwrap();
    assert_eq!(s.oracle().audit_stats().unwrap(), proofs(1));

    // A receipt never posted, proven late once its epoch's deadline has passed.
    let late = s.receipt(11, 2);
    s.advance(EPOCH + GRACE + 1);
    s.oracle()
        .challenge_late_omission(
            s.model,
            s.operator.to_string(),
            late.clone(),
            s.sign(late.digest()),
        )
        .call(&s.auditor)
        .unwrap();
    assert_eq!(s.oracle().audit_stats().unwrap(), proofs(2));

    // The distributor snapshots the oracle's audits as the epoch closes.
    pool(&s).close_epoch().call(&s.stranger).unwrap();
    let m = pool(&s).metrics(e0, e0).unwrap();
    assert_eq!(m.epochs.len(), 1);
    assert_eq!(m.epochs[0].epoch, e0);
    assert_eq!(m.epochs[0].audits, Some(proofs(2)));
    let d = m.epochs[0].disputes.clone().unwrap();
    assert_eq!((d.omission_opened, d.omission_upheld), (0, 0));
}
