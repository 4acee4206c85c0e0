//! Canary omission claims, end to end through curator staking's committee: upheld (the
//! dataset joins the lineage, back royalties are charged, the model bond is slashed) and
//! dismissed (nothing changes but the claimant's bond); closing a model returns its
//! escrow and bond.

use attrib_curator_staking::contract::sv::mt::CuratorStakingContractProxy;
use attrib_std::curation::{vote_commitment, Vote};
use attrib_std::interfaces::omission_target::sv::mt::OmissionTargetProxy;
use attrib_std::interfaces::points_source::sv::mt::PointsSourceProxy;
use attrib_std::interfaces::slashing_service::sv::mt::SlashingServiceProxy;
use cosmwasm_std::{coin, HexBinary, Uint128};

use super::suite::*;
use attrib_receipt_oracle::contract::sv::mt::ReceiptOracleContractProxy;
use attrib_receipt_oracle::error::ContractError;

/// Settles one batch of 100 units so there is usage to charge back royalties on.
fn settled_usage(s: &Suite) {
    s.fund(100_000);
    let rs: Vec<_> = (1..=50).map(|i| s.receipt(i, 2)).collect();
    s.post(1, &rs, None).unwrap();
    s.advance(WINDOW);
    s.oracle()
        .finalize_batch(s.model, s.operator.to_string(), 1)
        .call(&s.stranger)
        .unwrap();
}

fn claim(s: &Suite, dataset: u64, preimage: &[u8]) -> Result<u64, attrib_curator_staking::ContractError> {
    let resp = s
        .staking()
        .challenge_omission(
            s.model,
            dataset,
            1,
            HexBinary::from(preimage.to_vec()),
            "ipfs://evidence/output.png".into(),
        )
        .with_funds(&[coin(CLAIM_BOND, DENOM)])
        .call(&s.auditor)?;
    Ok(cosmwasm_std::from_json(resp.data.unwrap()).unwrap())
}

fn decide(s: &Suite, review: u64, vote: Vote) {
    attrib_tests::draw_review(&s.app, &s.staking, review, std::slice::from_ref(&s.curator));
    let committee: Vec<_> = s
        .staking()
        .review(review)
        .unwrap()
        .review
        .members
        .into_iter()
        .map(|m| m.curator)
        .collect();
    assert_eq!(
        committee,
        vec![s.curator.clone()],
        "neither the claimant nor the model owner judges"
    );
    let salt = HexBinary::from([5u8; 32]);
    let c = vote_commitment(review, s.curator.as_str(), vote, &salt);
    s.staking()
        .commit_vote(review, HexBinary::from(c))
        .call(&s.curator)
        .unwrap();
    s.staking()
        .reveal_vote(review, vote, salt)
        .call(&s.curator)
        .unwrap();
    s.staking().finalize_review(review).call(&s.stranger).unwrap();
}

#[test]
fn upheld_claim_extends_lineage_charges_back_royalties_and_slashes_the_bond() {
    let s = Suite::new();
    settled_usage(&s);
    let omitted = s.datasets[2];
    let (pool0, auditor0) = (s.balance(&s.pool), s.balance(&s.auditor));
    let escrow0 = s.oracle().model(s.model).unwrap().escrow.u128();

    let review = claim(&s, omitted, CANARY).unwrap();
    decide(&s, review, Vote::Accept);

    let m = s.oracle().model(s.model).unwrap();
    let entry = m
        .effective_lineage
        .iter()
        .find(|e| e.dataset_id == omitted)
        .expect("the dataset joined the lineage");
    assert_eq!(entry.weight_bps, 1_000);
    assert_eq!(
        m.effective_lineage.iter().map(|e| e.weight_bps).sum::<u32>(),
        10_000
    );
    // Back royalties: 100 settled units × 2 uatr × 10%.
    assert_eq!(m.escrow.u128(), escrow0 - 20);
    assert_eq!(m.bond, Uint128::zero());
    assert_eq!(s.balance(&s.pool), pool0 + 20 + MODEL_BOND / 2);
    assert_eq!(
        s.balance(&s.auditor),
        auditor0 - CLAIM_BOND + MODEL_BOND / 2,
        "bond share paid; own bond held as payout"
    );
    assert_eq!(
        s.staking().payout(s.auditor.to_string()).unwrap().amount.u128(),
        CLAIM_BOND,
        "claim bond back"
    );
    let stats = s.staking().concentration(3).unwrap().disputes;
    // The lineage grew: upheld and an outcome changed; counted as an omission claim.
    assert_eq!((stats.opened, stats.upheld, stats.changed_outcome), (1, 1, 1));
    assert_eq!((stats.omission_opened, stats.omission_upheld), (1, 1));
    // Future usage pays the new dataset too.
    let rs: Vec<_> = (51..=60).map(|i| s.receipt(i, 10)).collect();
    s.post(2, &rs, None).unwrap();
    s.advance(WINDOW);
    let resp = s
        .oracle()
        .finalize_batch(s.model, s.operator.to_string(), 2)
        .call(&s.stranger)
        .unwrap();
    assert!(resp.events.iter().any(|e| e.ty == "wasm-attrib_usage_royalty"
        && e.attributes
            .iter()
            .any(|a| a.key == "dataset_id" && a.value == omitted.to_string())));
    s.assert_escrow_backed();
}

#[test]
fn dismissed_claim_changes_nothing_but_the_claimants_bond() {
    let s = Suite::new();
    settled_usage(&s);
    let before = s.oracle().model(s.model).unwrap();
    let review = claim(&s, s.datasets[2], CANARY).unwrap();
    decide(&s, review, Vote::Reject);
    assert_eq!(s.oracle().model(s.model).unwrap(), before);
    assert_eq!(
        s.staking().payout(s.curator.to_string()).unwrap().amount.u128(),
        CLAIM_BOND,
        "the bond goes to the curator who was right"
    );
    let stats = s.staking().concentration(3).unwrap().disputes;
    assert_eq!(
        (stats.opened, stats.upheld, stats.changed_outcome, stats.dismissed),
        (1, 0, 0, 1)
    );
    assert_eq!((stats.omission_opened, stats.omission_upheld), (1, 0));
}

#[test]
fn claims_are_checked_before_a_committee_is_drawn() {
    let s = Suite::new();
    let err = claim(&s, s.datasets[2], b"not the canary").unwrap_err();
    assert!(err.to_string().contains("does not match any canary"), "{err}");
    let err = claim(&s, s.datasets[0], CANARY).unwrap_err();
    assert!(err.to_string().contains("already in model"), "{err}");
    let review = claim(&s, s.datasets[2], CANARY).unwrap();
    assert!(matches!(
        claim(&s, s.datasets[2], CANARY).unwrap_err(),
        attrib_curator_staking::ContractError::OmissionAlreadyOpen { review_id, .. } if review_id == review
    ));
    // Only curator staking records an outcome.
    let before = s.snapshot();
    let err = s
        .oracle()
        .record_omission(s.model, s.datasets[2], 1, s.stranger.to_string())
        .call(&s.stranger)
        .unwrap_err();
    assert_eq!(
        err,
        ContractError::NotCuratorStaking {
            sender: s.stranger.to_string()
        }
    );
    assert_eq!(s.snapshot(), before);
    // The claim check is a query anyone can run first.
    let check = s
        .oracle()
        .omission_claim_check(s.model, s.datasets[2], 1, HexBinary::from(CANARY.to_vec()))
        .unwrap();
    assert_eq!(check.model_owner, s.owner.to_string());
}

#[test]
fn closing_a_model_returns_escrow_and_bond_once_nothing_is_pending() {
    let s = Suite::new();
    s.fund(1_000);
    let rs: Vec<_> = (1..=5).map(|i| s.receipt(i, 1)).collect();
    s.post(1, &rs, None).unwrap();
    s.assert_refused(
        ContractError::CannotClose {
            model_id: s.model,
            reason: "batches are still pending",
        },
        |s| s.oracle().close_model(s.model).call(&s.owner),
    );
    s.advance(WINDOW);
    s.oracle()
        .finalize_batch(s.model, s.operator.to_string(), 1)
        .call(&s.stranger)
        .unwrap();
    let owner0 = s.balance(&s.owner);
    s.oracle().close_model(s.model).call(&s.owner).unwrap();
    assert_eq!(s.balance(&s.owner), owner0 + 1_000 - 5 * ROYALTY + MODEL_BOND);
    assert_eq!(s.balance(&s.oracle), 0, "nothing left behind");
    let more: Vec<_> = (6..=7).map(|i| s.receipt(i, 1)).collect();
    assert_eq!(
        s.post(2, &more, None).unwrap_err(),
        ContractError::ModelClosed { model_id: s.model }
    );
    s.assert_refused(ContractError::ModelClosed { model_id: s.model }, |s| {
        s.oracle().close_model(s.model).call(&s.owner)
    });
}

/// SPEC §5.5: a model cannot close (nor its escrow and bond leave) while an omission
/// claim against it is open — else its owner, seeing a claim, closes the model, takes
/// the bond and back royalties home and the upheld claim has nothing to settle from.
/// (On the old code `close_model` went through with the claim open.)
#[test]
fn a_model_cannot_close_while_an_omission_claim_is_open() {
    let s = Suite::new();
    settled_usage(&s);
    let review = claim(&s, s.datasets[2], CANARY).unwrap();
    assert_eq!(
        s.staking().open_omission_claims(s.model).unwrap().open,
        1,
        "curator staking counts the open claim"
    );
    s.assert_refused(
        ContractError::CannotClose {
            model_id: s.model,
            reason: "an omission claim against it is open",
        },
        |s| s.oracle().close_model(s.model).call(&s.owner),
    );
    // Upheld: the claim settles from the model's escrow and bond …
    decide(&s, review, Vote::Accept);
    assert_eq!(s.staking().open_omission_claims(s.model).unwrap().open, 0);
    assert_eq!(s.oracle().model(s.model).unwrap().bond, Uint128::zero());
    // … and only then may the owner close and take back what is left.
    let owner0 = s.balance(&s.owner);
    let left = s.oracle().model(s.model).unwrap().escrow.u128();
    s.oracle().close_model(s.model).call(&s.owner).unwrap();
    assert_eq!(s.balance(&s.owner), owner0 + left);
    s.assert_escrow_backed();
}

/// SPEC §5.5 (attack on `close_model`'s guard): the owner cannot close while a claim is
/// open, but `withdraw_escrow` did not ask. Seeing a claim (or ahead of one, with a
/// request already made), the owner withdraws the whole escrow; the upheld claim then
/// finds nothing to charge back royalties from and only records a debt on a model the
/// owner has abandoned. The escrow must stay while a claim is open, as for closing.
#[test]
fn escrow_cannot_be_withdrawn_while_an_omission_claim_is_open() {
    let s = Suite::new();
    settled_usage(&s);
    let escrow = s.oracle().model(s.model).unwrap().escrow;
    // The owner asks for everything back ahead of time; the notice passes.
    s.oracle()
        .request_withdrawal(s.model, escrow)
        .call(&s.owner)
        .unwrap();
    s.advance(params().withdraw_notice_secs);
    let review = claim(&s, s.datasets[2], CANARY).unwrap();
    s.assert_refused(
        ContractError::Withdrawal {
            amount: escrow,
            reason: "an omission claim against the model is open",
        },
        |s| s.oracle().withdraw_escrow(s.model).call(&s.owner),
    );
    // Upheld: the back royalties (100 units × 2 uatr × 10 %) come out of escrow, no debt.
    decide(&s, review, Vote::Accept);
    let m = s.oracle().model(s.model).unwrap();
    assert_eq!(m.escrow, escrow - Uint128::new(20));
    assert_eq!(m.debt, Uint128::zero());
    // Once no claim is open, the requested amount (now more than the escrow) is refused
    // as before, and a fresh request for what is left goes through.
    s.oracle()
        .request_withdrawal(s.model, m.escrow)
        .call(&s.owner)
        .unwrap();
    s.advance(params().withdraw_notice_secs);
    s.oracle().withdraw_escrow(s.model).call(&s.owner).unwrap();
    s.assert_escrow_backed();
}
