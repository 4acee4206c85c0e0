//! Challenges and disputes: upheld and dismissed, for optimistic and accepted tranches.

use attrib_std::curation::Vote;
use attrib_std::interfaces::points_source::sv::mt::PointsSourceProxy;
use attrib_std::registry::TrancheStatus;

use super::suite::*;
use attrib_curator_staking::contract::sv::mt::CuratorStakingContractProxy;

/// A strict tranche accepted by a unanimous committee; returns (tranche, acceptors).
fn accepted(suite: &Suite, root: u8) -> (u64, Vec<cosmwasm_std::Addr>) {
    let (tranche, review) = suite.register_strict_tranche(root);
    suite.unanimous(review, Vote::Accept);
    suite.finalize(review).unwrap();
    assert_eq!(suite.tranche_status(tranche), TrancheStatus::Accepted);
    (tranche, suite.committee(review))
}

#[test]
fn upheld_dispute_revokes_slashes_acceptors_and_pays_the_challenger() {
    let suite = SuiteBuilder::default().build();
    let (tranche, acceptors) = accepted(&suite, 1);
    let before: Vec<u128> = acceptors.iter().map(|a| suite.bonded(a)).collect();
    let (challenger0, pool0) = (suite.balance(&suite.challenger), suite.balance(&suite.pool));

    let dispute = suite.challenge(tranche);
    let committee = suite.committee(dispute);
    for a in &acceptors {
        assert!(
            !committee.contains(a),
            "those who accepted do not judge the dispute"
        );
    }
    suite.unanimous(dispute, Vote::Reject);
    suite.finalize(dispute).unwrap();

    assert_eq!(suite.tranche_status(tranche), TrancheStatus::Revoked);
    let mut slashed = 0;
    for (a, b) in acceptors.iter().zip(&before) {
        assert_eq!(
            suite.bonded(a),
            b - b / 10,
            "10% slash for accepting a revoked tranche"
        );
        slashed += b / 10;
    }
    let share = slashed / 2;
    assert_eq!(
        suite.payout(&suite.challenger),
        BOND + share,
        "bond back + challenger share"
    );
    assert_eq!(suite.balance(&suite.pool), pool0 + (slashed - share));
    suite.staking().withdraw_payout().call(&suite.challenger).unwrap();
    assert_eq!(suite.balance(&suite.challenger), challenger0 + share);
    let stats = suite.staking().concentration(3).unwrap().disputes;
    assert_eq!(
        (stats.opened, stats.upheld, stats.changed_outcome, stats.dismissed),
        (1, 1, 1, 0)
    );
    suite.assert_conserved();
}

#[test]
fn dismissed_dispute_pays_the_bond_to_the_curators_who_were_right() {
    let suite = SuiteBuilder::default().build();
    let (tranche, _) = accepted(&suite, 2);
    let challenger0 = suite.balance(&suite.challenger);
    let dispute = suite.challenge(tranche);
    suite.unanimous(dispute, Vote::Accept);
    suite.finalize(dispute).unwrap();
    assert_eq!(suite.tranche_status(tranche), TrancheStatus::Accepted);
    let committee = suite.committee(dispute);
    let each = BOND / committee.len() as u128;
    for c in &committee {
        assert_eq!(suite.payout(c), each);
    }
    assert_eq!(suite.balance(&suite.challenger), challenger0 - BOND);
    let stats = suite.staking().concentration(3).unwrap().disputes;
    assert_eq!((stats.upheld, stats.dismissed, stats.changed_outcome), (0, 1, 0));
    suite.assert_conserved();
}

#[test]
fn challenged_optimistic_tranche_goes_to_review_and_can_be_rejected() {
    let suite = SuiteBuilder::default().build();
    let (tranche, none) = suite.register_tranche(suite.dataset_optimistic, 3);
    assert_eq!(none, 0, "optimistic tranches open no review");
    assert_eq!(suite.tranche_status(tranche), TrancheStatus::Pending);
    let review = suite.challenge(tranche);
    assert_eq!(suite.tranche_status(tranche), TrancheStatus::UnderReview);
    assert!(!suite.committee(review).contains(&suite.challenger));
    suite.unanimous(review, Vote::Reject);
    suite.finalize(review).unwrap();
    assert_eq!(suite.tranche_status(tranche), TrancheStatus::Rejected);
    assert_eq!(
        suite.payout(&suite.challenger),
        BOND,
        "right challenger gets the bond back"
    );
    // Upheld, but no outcome changed: the tranche was pending, never accepted (SPEC §8).
    let stats = suite.staking().concentration(3).unwrap().disputes;
    assert_eq!(
        (stats.opened, stats.upheld, stats.changed_outcome, stats.dismissed),
        (1, 1, 0, 0)
    );
    assert_eq!((stats.omission_opened, stats.omission_upheld), (0, 0));
    suite.assert_conserved();
}

#[test]
fn admin_is_the_last_appeal_of_an_open_dispute() {
    let suite = SuiteBuilder::default().build();
    let (tranche, _) = accepted(&suite, 4);
    let dispute = suite.challenge(tranche);
    suite
        .staking()
        .admin_resolve(dispute, Vote::Reject)
        .call(&suite.admin)
        .unwrap();
    assert_eq!(suite.tranche_status(tranche), TrancheStatus::Revoked);
    assert!(suite.review(dispute).decided_by_admin);
    suite.assert_conserved();
}

/// Review finding: the registry pushes a challenge window back only for its own pauses,
/// but a pause of curator staking refused challenges (`challenge` took its bond through a
/// paused check). Staked paused for the whole window: nobody could challenge and the
/// tranche was accepted unchallengeable. Now a challenge is taken while staking is paused
/// (like a slash: a pause never turns a dispute into a revert); the review it opens waits
/// for the resume to be drawn.
#[test]
fn a_staking_pause_must_not_eat_a_challenge_window() {
    use attrib_registry::contract::sv::mt::RegistryContractProxy as _;
    use attrib_std::governance::GovernanceError;
    use attrib_std::interfaces::governance::sv::mt::GovernanceProxy as _;
    let suite = SuiteBuilder::default().build();
    let (tranche, _) = suite.submit_tranche(suite.dataset_optimistic, 78);
    suite.advance(10);
    suite.staking().set_paused(true).call(&suite.admin).unwrap();
    let review = suite.challenge(tranche);
    assert_eq!(suite.tranche_status(tranche), TrancheStatus::UnderReview);
    suite.assert_refused(
        attrib_curator_staking::error::ContractError::Governance(GovernanceError::Paused),
        |s| s.staking().draw_committee(review).call(&s.stranger),
    );
    // The window ends during the pause: the tranche is under review, not accepted.
    suite.advance(2 * 3_600);
    assert!(suite
        .registry()
        .accept_unchallenged(tranche)
        .call(&suite.stranger)
        .is_err());
    suite.staking().set_paused(false).call(&suite.admin).unwrap();
    suite.drawn(review);
    suite.unanimous(review, Vote::Reject);
    suite.finalize(review).unwrap();
    assert_eq!(suite.tranche_status(tranche), TrancheStatus::Rejected);
    suite.assert_conserved();
}
