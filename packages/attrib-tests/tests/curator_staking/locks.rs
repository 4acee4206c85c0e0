//! Stake that a review may still slash stays (review findings): a drawn member cannot
//! take its stake out before its round ends, nor an acceptor while a dispute of its
//! acceptance is open; and no acceptance outlives the unbonding period undisputable.

use attrib_std::curation::Vote;
use attrib_std::validation::ValidationError;

use super::suite::*;
use attrib_curator_staking::contract::sv::mt::CuratorStakingContractProxy;
use attrib_curator_staking::error::ContractError;
use attrib_curator_staking::state::ReviewStatus;

/// A member unstakes all it has the moment it is drawn and waits out unbonding inside a
/// long vote: on the old code it took everything out, and its non-reveal slash found
/// nothing. Its stake is released once the round ends, less the slash.
#[test]
fn a_drawn_member_cannot_take_its_stake_out_before_its_round_ends() {
    let s = SuiteBuilder::default()
        .with_params(|p| {
            p.commit_secs = 5 * DAY;
            p.reveal_secs = 5 * DAY;
        })
        .build();
    let (_, review) = s.register_strict_tranche(1);
    let member = s.committee(review)[0].clone();
    // The others commit; the member will stay silent.
    let others: Vec<_> = s
        .committee(review)
        .into_iter()
        .filter(|m| *m != member)
        .map(|m| (m, Vote::Accept))
        .collect();
    for (who, v) in &others {
        s.commit(review, who, *v).unwrap();
    }
    let stake = s.bonded(&member);
    s.staking().unstake(stake.into()).call(&member).unwrap();
    s.advance(7 * DAY + 1);
    s.assert_refused(
        ContractError::StakeLocked {
            address: member.to_string(),
            review_id: review,
        },
        |s| s.staking().claim_unbonded().call(&member),
    );
    for (who, v) in &others {
        s.reveal(review, who, *v).unwrap();
    }
    s.advance(3 * DAY);
    s.finalize(review).unwrap();
    let before = s.balance(&member);
    s.staking().claim_unbonded().call(&member).unwrap();
    assert_eq!(s.balance(&member) - before, stake - stake / 100);
    s.assert_conserved();
}

/// An acceptor unstakes at once after its acceptance; a dispute opens inside the window;
/// the acceptor waits out unbonding: on the old code it left with everything, and the
/// upheld dispute slashed nothing. Its stake stays until the dispute ends.
#[test]
fn an_acceptor_stays_slashable_while_its_acceptance_is_disputed() {
    let s = SuiteBuilder::default().build();
    let (tranche, review) = s.register_strict_tranche(1);
    s.unanimous(review, Vote::Accept);
    s.finalize(review).unwrap();
    let acceptor = s.committee(review)[0].clone();
    let stake = s.bonded(&acceptor);
    s.staking().unstake(stake.into()).call(&acceptor).unwrap();
    s.advance(DAY - 10);
    let dispute = s.challenge(tranche);
    s.advance(7 * DAY);
    s.assert_refused(
        ContractError::StakeLocked {
            address: acceptor.to_string(),
            review_id: dispute,
        },
        |s| s.staking().claim_unbonded().call(&acceptor),
    );
    // Upheld: the acceptors lose `wrong_accept_slash_bps` (10 %), then the rest is free.
    s.unanimous(dispute, Vote::Reject);
    s.finalize(dispute).unwrap();
    let before = s.balance(&acceptor);
    s.staking().claim_unbonded().call(&acceptor).unwrap();
    assert_eq!(s.balance(&acceptor) - before, stake - stake / 10);
    s.assert_conserved();
}

/// With a dispute window longer than unbonding, an acceptor could leave before a dispute
/// is even filed. The window may not exceed the unbonding period.
#[test]
fn the_dispute_window_fits_in_the_unbonding_period() {
    let s = SuiteBuilder::default().build();
    let mut p = s.staking().config().unwrap().config.params;
    p.dispute_window_secs = p.unbonding_secs + 1;
    let unbonding = p.unbonding_secs as u128;
    s.assert_refused(
        ContractError::Validation(ValidationError::OutOfRange {
            field: "dispute_window_secs",
            value: unbonding + 1,
            min: 1,
            max: unbonding,
        }),
        |s| s.staking().update_params(p.clone()).call(&s.admin),
    );
    p.dispute_window_secs = p.unbonding_secs;
    s.staking().update_params(p).call(&s.admin).unwrap();
}

/// Attacker review: the members unstake everything when drawn (the lock stops the claim,
/// not the unbonding clock) and the vote outlasts unbonding; once the review accepted,
/// every acceptor took its whole stake out in the finalize block, and a dispute filed a
/// second later slashed nobody. Stake an acceptor began to unbond before the acceptance
/// is now released no earlier than the end of the dispute window.
#[test]
fn an_acceptor_who_unbonded_during_the_vote_answers_for_the_dispute_window() {
    let s = SuiteBuilder::default()
        .with_params(|p| {
            p.commit_secs = 8 * DAY;
            p.reveal_secs = DAY;
            p.dispute_window_secs = p.unbonding_secs;
        })
        .build();
    let (tranche, review) = s.register_strict_tranche(1);
    let members = s.committee(review);
    let stakes: Vec<u128> = members.iter().map(|m| s.bonded(m)).collect();
    for (m, st) in members.iter().zip(&stakes) {
        s.staking().unstake((*st).into()).call(m).unwrap();
        s.commit(review, m, Vote::Accept).unwrap();
    }
    s.advance(7 * DAY + 1);
    for m in &members {
        s.reveal(review, m, Vote::Accept).unwrap();
    }
    s.finalize(review).unwrap();
    for m in &members {
        s.assert_refused(ContractError::NothingToClaim {}, |s| {
            s.staking().claim_unbonded().call(m)
        });
    }
    s.advance(1);
    let dispute = s.challenge(tranche);
    s.unanimous(dispute, Vote::Reject);
    s.finalize(dispute).unwrap();
    // Upheld: each acceptor lost 10 %, and gets the rest after the window.
    s.advance(7 * DAY);
    for (m, st) in members.iter().zip(&stakes) {
        let before = s.balance(m);
        s.staking().claim_unbonded().call(m).unwrap();
        assert_eq!(s.balance(m) - before, st - st / 10);
    }
    s.assert_conserved();
}

/// Attacker review: when a round missed quorum and no curator was left to redraw from,
/// finalize reverted (NoEligibleCurators) and the members' stake stayed locked. The
/// review now goes to the admin, and the round's locks are released.
#[test]
fn a_round_with_nobody_left_to_redraw_goes_to_the_admin() {
    let s = SuiteBuilder::default().build();
    let (_, review) = s.register_strict_tranche(1);
    let members = s.committee(review);
    for c in &s.curators {
        s.staking().unstake(s.bonded(c).into()).call(c).unwrap();
    }
    s.advance(COMMIT + REVEAL + 1);
    s.finalize(review).unwrap();
    assert_eq!(s.review(review).status, ReviewStatus::AwaitingAdmin);
    s.advance(7 * DAY);
    for m in &members {
        s.staking().claim_unbonded().call(m).unwrap();
    }
    s.assert_conserved();
}

/// A withholder who unbonds at the request must still be there for the admin's
/// fallback: the draw timeout is at most half the unbonding period.
#[test]
fn the_draw_timeout_fits_in_half_the_unbonding_period() {
    let s = SuiteBuilder::default().build();
    let mut p = s.staking().config().unwrap().config.params;
    let half = (p.unbonding_secs / 2) as u128;
    p.draw_timeout_secs = p.unbonding_secs / 2 + 1;
    s.assert_refused(
        ContractError::Validation(ValidationError::OutOfRange {
            field: "draw_timeout_secs",
            value: half + 1,
            min: 1,
            max: half,
        }),
        |s| s.staking().update_params(p.clone()).call(&s.admin),
    );
    p.draw_timeout_secs = p.unbonding_secs / 2;
    s.staking().update_params(p).call(&s.admin).unwrap();
}

/// A contract from before these bounds may hold a dispute window or a draw timeout past
/// them: migrating brings both within (shortened, never lengthened).
#[test]
fn migrate_brings_stored_params_within_the_new_bounds() {
    let suite = SuiteBuilder::default().build();
    let (code, staking) = suite.migratable_staking();
    // Write params the old code accepted: a 30-day window and timeout, 7-day unbonding.
    let raw = suite
        .app
        .app()
        .wrap()
        .query_wasm_raw(staking.contract_addr.to_string(), b"config".to_vec())
        .unwrap()
        .unwrap();
    let mut config: serde_json::Value = serde_json::from_slice(&raw).unwrap();
    config["params"]["dispute_window_secs"] = (30 * DAY).into();
    config["params"]["draw_timeout_secs"] = (30 * DAY).into();
    suite
        .app
        .app_mut()
        .contract_storage_mut(&staking.contract_addr)
        .set(b"config", &serde_json::to_vec(&config).unwrap());
    staking.migrate().call(&suite.admin, code.code_id()).unwrap();
    let p = staking.config().unwrap().config.params;
    assert_eq!(
        (p.dispute_window_secs, p.draw_timeout_secs),
        (p.unbonding_secs, p.unbonding_secs / 2)
    );
    // Params within the bounds are left alone.
    staking.migrate().call(&suite.admin, code.code_id()).unwrap();
    assert_eq!(staking.config().unwrap().config.params, p);
}

/// Re-review: a round that went to the admin released its members' locks at finalize; an
/// Accept voter that unbonded during the vote left before the admin decided Accept, and
/// was then an acceptor nobody could slash. Voters stay locked until the review ends (the
/// silent ones, slashed at finalize, are released then).
#[test]
fn an_accept_voter_stays_while_the_review_awaits_the_admin() {
    let s = SuiteBuilder::default()
        .with_params(|p| {
            p.max_rounds = 1;
            p.quorum_bps = 10_000;
        })
        .build();
    let (tranche, review) = s.register_strict_tranche(1);
    let acceptor = s.committee(review)[0].clone();
    let stake = s.bonded(&acceptor);
    s.commit(review, &acceptor, Vote::Accept).unwrap();
    s.staking().unstake(stake.into()).call(&acceptor).unwrap();
    s.advance(COMMIT + 1);
    s.reveal(review, &acceptor, Vote::Accept).unwrap();
    s.advance(REVEAL);
    s.finalize(review).unwrap();
    assert_eq!(s.review(review).status, ReviewStatus::AwaitingAdmin);
    s.advance(7 * DAY);
    s.assert_refused(
        ContractError::StakeLocked {
            address: acceptor.to_string(),
            review_id: review,
        },
        |s| s.staking().claim_unbonded().call(&acceptor),
    );
    s.staking()
        .admin_resolve(review, Vote::Accept)
        .call(&s.admin)
        .unwrap();
    // Held through the dispute window the acceptance opened, and one second more: at the
    // window's last second a dispute is still taken.
    s.advance(DAY);
    s.assert_refused(ContractError::NothingToClaim {}, |s| {
        s.staking().claim_unbonded().call(&acceptor)
    });
    let dispute = s.challenge(tranche);
    s.unanimous(dispute, Vote::Reject);
    s.finalize(dispute).unwrap();
    s.advance(DAY);
    let before = s.balance(&acceptor);
    s.staking().claim_unbonded().call(&acceptor).unwrap();
    assert_eq!(s.balance(&acceptor) - before, stake - stake / 10);
    s.assert_conserved();
}
