//! Strict admission reviews: honest, split, silent members, no quorum.

use attrib_std::curation::Vote;
use attrib_std::interfaces::points_source::sv::mt::PointsSourceProxy;
use attrib_std::registry::TrancheStatus;
use cosmwasm_std::Uint128;

use super::suite::*;
use attrib_curator_staking::contract::sv::mt::CuratorStakingContractProxy;
use attrib_curator_staking::error::ContractError;
use attrib_curator_staking::state::ReviewStatus;

#[test]
fn honest_review_accepts_and_awards_points_to_the_committee() {
    let suite = SuiteBuilder::default().build();
    let (tranche, review) = suite.register_strict_tranche(1);
    assert_eq!(suite.tranche_status(tranche), TrancheStatus::UnderReview);
    let r = suite.review(review);
    assert_eq!(r.members.len(), 3);
    assert!(
        !suite.committee(review).contains(&suite.contributor),
        "the contributor never judges itself"
    );
    // Each member's draw is explained by its stored weight and ticket.
    for m in &r.members {
        assert!(!m.weight.is_zero());
        let (ticket, of) = m.ticket.split_once('/').unwrap();
        assert!(ticket.parse::<u128>().unwrap() < of.parse::<u128>().unwrap());
    }

    suite.unanimous(review, Vote::Accept);
    let resp = suite.finalize(review).unwrap();
    assert!(resp.events.iter().any(|e| e.ty == "wasm-attrib_review_finalized"));
    assert_eq!(suite.tranche_status(tranche), TrancheStatus::Accepted);
    let r = suite.review(review);
    assert_eq!(
        (r.status, r.outcome),
        (ReviewStatus::Finalized, Some(Vote::Accept))
    );
    for c in suite.committee(review) {
        assert_eq!(
            suite
                .staking()
                .points(suite.epoch(), Some(c.to_string()))
                .unwrap()
                .points,
            1
        );
    }
    assert_eq!(
        suite
            .staking()
            .epoch_points(suite.epoch(), None, None)
            .unwrap()
            .total,
        3
    );
    assert_eq!(suite.staking().open_review_of(tranche).unwrap().review_id, None);
    suite.assert_conserved();
}

#[test]
fn stake_weighted_majority_decides_and_the_minority_earns_nothing() {
    let suite = SuiteBuilder::default().build();
    let (tranche, review) = suite.register_strict_tranche(2);
    let r = suite.review(review);
    // The heaviest member votes alone against the other two.
    let mut members = r.members.clone();
    members.sort_by_key(|m| std::cmp::Reverse(m.weight));
    let (heavy, light) = (&members[0], &members[1..]);
    let light_weight: Uint128 = light.iter().map(|m| m.weight).sum();
    let expected = if heavy.weight > light_weight {
        Vote::Reject
    } else {
        Vote::Accept
    };
    let mut votes = vec![(heavy.curator.clone(), Vote::Reject)];
    votes.extend(light.iter().map(|m| (m.curator.clone(), Vote::Accept)));
    suite.vote(review, &votes);
    suite.finalize(review).unwrap();
    assert_eq!(suite.review(review).outcome, Some(expected));
    let want = if expected == Vote::Accept {
        TrancheStatus::Accepted
    } else {
        TrancheStatus::Rejected
    };
    assert_eq!(suite.tranche_status(tranche), want);
    for (who, v) in &votes {
        let p = suite
            .staking()
            .points(suite.epoch(), Some(who.to_string()))
            .unwrap()
            .points;
        assert_eq!(p, u64::from(*v == expected), "only the majority earns points");
    }
}

#[test]
fn silent_members_are_slashed_lightly_and_the_rest_decide() {
    let suite = SuiteBuilder::default()
        .with_params(|p| p.quorum_bps = 3_000)
        .build();
    let (tranche, review) = suite.register_strict_tranche(3);
    let members = suite.review(review).members;
    let (silent, active) = (&members[0], &members[1..]);
    let silent_before = suite.bonded(&silent.curator);
    let pool_before = suite.balance(&suite.pool);
    let votes: Vec<_> = active.iter().map(|m| (m.curator.clone(), Vote::Reject)).collect();
    suite.vote(review, &votes);
    // Not all revealed: too early until the reveal phase ends.
    let deadline = suite.review(review).reveal_deadline;
    let now = suite.app.block_info().time.seconds();
    assert_eq!(
        suite.finalize(review).unwrap_err(),
        ContractError::TooEarlyToFinalize {
            review_id: review,
            reveal_deadline: deadline,
            now
        }
    );
    suite.advance(REVEAL + 1);
    suite.finalize(review).unwrap();
    let slashed = silent_before / 100; // 1%
    assert_eq!(suite.bonded(&silent.curator), silent_before - slashed);
    assert_eq!(
        suite.balance(&suite.pool),
        pool_before + slashed,
        "the light slash goes to the pool"
    );
    assert_eq!(suite.tranche_status(tranche), TrancheStatus::Rejected);
    assert_eq!(
        suite
            .staking()
            .points(suite.epoch(), Some(silent.curator.to_string()))
            .unwrap()
            .points,
        0
    );
    suite.assert_conserved();
}

#[test]
fn no_quorum_redraws_then_goes_to_the_admin() {
    let suite = SuiteBuilder::default().build();
    let (tranche, review) = suite.register_strict_tranche(4);
    let first = suite.review(review);
    suite.advance(COMMIT + REVEAL + 1);
    let resp = suite.finalize(review).unwrap();
    assert!(resp.events.iter().any(|e| e.ty == "wasm-attrib_review_redrawn"));
    // The new round is drawn like the first: from entropy revealed after its request.
    let requested = suite.review(review);
    assert_eq!(
        (requested.round, requested.status, requested.members.len()),
        (2, ReviewStatus::Drawing, 0)
    );
    suite.drawn(review);
    let second = suite.review(review);
    assert_eq!(second.round, 2);
    assert_ne!(second.seed, first.seed, "a new round draws from a new seed");
    assert_eq!(second.status, ReviewStatus::Voting);
    assert_eq!(second.members.len(), 3);
    // Silence again: the admin decides (the last appeal).
    suite.advance(COMMIT + REVEAL + 1);
    suite.finalize(review).unwrap();
    assert_eq!(suite.review(review).status, ReviewStatus::AwaitingAdmin);
    assert_eq!(suite.tranche_status(tranche), TrancheStatus::UnderReview);
    suite
        .staking()
        .admin_resolve(review, Vote::Accept)
        .call(&suite.admin)
        .unwrap();
    assert_eq!(suite.tranche_status(tranche), TrancheStatus::Accepted);
    let r = suite.review(review);
    assert!(r.decided_by_admin);
    assert_eq!(
        suite
            .staking()
            .concentration(3)
            .unwrap()
            .disputes
            .decided_by_admin,
        1
    );
    suite.assert_conserved();
}

#[test]
fn reveal_opens_early_once_everyone_committed() {
    let suite = SuiteBuilder::default().build();
    let (_, review) = suite.register_strict_tranche(5);
    let members = suite.committee(review);
    suite.commit(review, &members[0], Vote::Accept).unwrap();
    assert_eq!(
        suite.reveal(review, &members[0], Vote::Accept).unwrap_err(),
        ContractError::RevealNotOpen {
            review_id: review,
            opens_after: suite.review(review).commit_deadline
        }
    );
    for m in &members[1..] {
        suite.commit(review, m, Vote::Accept).unwrap();
    }
    suite.reveal(review, &members[0], Vote::Accept).unwrap();
    // Votes are shown once revealed, and not before.
    let r = suite.review(review);
    assert_eq!(r.members.iter().filter(|m| m.vote.is_some()).count(), 1);
}

#[test]
fn concentration_of_a_known_distribution() {
    let suite = SuiteBuilder::default()
        .with_stakes(&[4_000, 3_000, 2_000, 1_000])
        .build();
    let c = suite.staking().concentration(2).unwrap().curators;
    assert_eq!(c.stakers, 4);
    assert_eq!(c.total_stake, "10000");
    assert_eq!(c.top_k_share_bps, 7_000);
    assert_eq!(c.nakamoto_one_third, 1);
    assert_eq!(c.nakamoto_one_half, 2);
    assert_eq!(c.hhi_bps, 3_000);
}

#[test]
fn small_curators_keep_being_drawn() {
    // A whale with 75% of the stake is capped at 30% of draw weight.
    let suite = SuiteBuilder::default()
        .with_stakes(&[30_000, 2_500, 2_500, 2_500, 2_500])
        .build();
    let mut seats = [0u32; 5];
    for i in 0..40u8 {
        let (_, review) = suite.register_strict_tranche(100 + i);
        for c in suite.committee(review) {
            let idx = suite.curators.iter().position(|x| *x == c).unwrap();
            seats[idx] += 1;
        }
        suite.advance(1);
    }
    // Every small curator sits on a good share of the 40 three-seat committees.
    for (i, s) in seats.iter().enumerate().skip(1) {
        assert!(*s >= 12, "curator {i} drawn only {s} times of 40: {seats:?}");
    }
}
