//! Issue 14 item 6: the admin's powers are bounded. The staking admin cannot make itself a
//! slasher, raise the challenger share to 100 % and seize all stake; a new slasher waits
//! for the change delay (announce → apply, cancellable).

use attrib_curator_staking::contract::sv::mt::CuratorStakingContractProxy as _;
use attrib_curator_staking::error::ContractError;
use attrib_curator_staking::msg::StakingChange;
use attrib_std::governance::GovernanceError;
use attrib_std::interfaces::slashing_service::sv::mt::SlashingServiceProxy as _;
use attrib_std::timelock::TimelockError;
use attrib_std::validation::ValidationError;
use cosmwasm_std::Uint128;

use super::suite::*;

#[test]
fn admin_cannot_make_itself_a_slasher_and_seize_all_stake() {
    let s = SuiteBuilder::default().build();
    let victim = s.curators[0].clone();
    let (bonded, admin_balance) = (s.bonded(&victim), s.balance(&s.admin));

    let mut p = params();
    p.challenger_share_bps = 10_000;
    let raise = s.staking().update_params(p).call(&s.admin);
    let name = s.staking().set_slasher(s.admin.to_string(), true).call(&s.admin);
    let announce = s
        .staking()
        .announce_change(StakingChange::AddSlasher {
            address: s.admin.to_string(),
        })
        .call(&s.admin);
    let seize = s
        .staking()
        .slash(
            victim.to_string(),
            None,
            Some(10_000),
            "seize".into(),
            Some(s.admin.to_string()),
        )
        .call(&s.admin);
    assert_eq!(
        raise.unwrap_err(),
        ContractError::Validation(ValidationError::OutOfRange {
            field: "challenger_share_bps",
            value: 10_000,
            min: 0,
            max: 5_000
        })
    );
    assert_eq!(
        name.unwrap_err(),
        ContractError::Timelock(TimelockError::AnnounceFirst { what: "slasher" })
    );
    assert_eq!(
        announce.unwrap_err(),
        ContractError::AdminMayNotSlash {
            address: s.admin.to_string()
        }
    );
    assert_eq!(
        seize.unwrap_err(),
        ContractError::NotSlasher {
            sender: s.admin.to_string()
        }
    );
    assert_eq!(s.bonded(&victim), bonded);
    assert_eq!(s.payout(&s.admin), 0);
    assert_eq!(s.balance(&s.admin), admin_balance);
    assert_eq!(s.staking().pending_change().unwrap().pending, None);
    s.assert_conserved();
}

/// Announce → apply after the delay (by anyone) → the new slasher slashes; every wrong
/// step is refused with its own error and changes nothing.
#[test]
fn a_new_slasher_applies_only_after_the_delay() {
    let s = SuiteBuilder::default().build();
    let newcomer = s.stranger.clone();
    let add = |s: &Suite, who: &cosmwasm_std::Addr| {
        s.staking()
            .announce_change(StakingChange::AddSlasher {
                address: newcomer.to_string(),
            })
            .call(who)
    };
    let slash = |s: &Suite| {
        s.staking()
            .slash(
                s.curators[1].to_string(),
                Some(Uint128::new(10)),
                None,
                "fraud".into(),
                None,
            )
            .call(&newcomer)
    };
    s.assert_refused(ContractError::Timelock(TimelockError::NothingPending), |s| {
        s.staking().apply_change().call(&s.stranger)
    });
    s.assert_refused(ContractError::Timelock(TimelockError::NothingPending), |s| {
        s.staking().cancel_change().call(&s.admin)
    });
    s.assert_refused(
        ContractError::Governance(GovernanceError::NotAdmin {
            sender: s.stranger.to_string(),
        }),
        |s| add(s, &s.stranger),
    );
    let delay = params().change_delay_secs;
    let announced_at = s.app.block_info().time.seconds();
    let resp = add(&s, &s.admin).unwrap();
    let ev = resp
        .events
        .iter()
        .find(|e| e.ty == "wasm-attrib_change_announced")
        .expect("announcement event");
    assert!(ev
        .attributes
        .iter()
        .any(|a| a.key == "effective_at" && a.value == (announced_at + delay).to_string()));
    s.assert_refused(
        ContractError::Timelock(TimelockError::AlreadyPending {
            effective_at: announced_at + delay,
        }),
        |s| add(s, &s.admin),
    );
    s.assert_refused(
        ContractError::Governance(GovernanceError::NotAdmin {
            sender: s.stranger.to_string(),
        }),
        |s| s.staking().cancel_change().call(&s.stranger),
    );
    s.advance(delay - 1);
    s.assert_refused(
        ContractError::Timelock(TimelockError::NotYet {
            effective_at: announced_at + delay,
            now: announced_at + delay - 1,
        }),
        |s| s.staking().apply_change().call(&s.stranger),
    );
    s.assert_refused(
        ContractError::NotSlasher {
            sender: newcomer.to_string(),
        },
        slash,
    );
    s.advance(1);
    s.staking().apply_change().call(&s.curators[2]).unwrap();
    s.assert_refused(ContractError::Timelock(TimelockError::NothingPending), |s| {
        s.staking().apply_change().call(&s.stranger)
    });
    slash(&s).unwrap();
    // Revoking is at once; a cancelled announcement never applies.
    s.staking()
        .set_slasher(newcomer.to_string(), false)
        .call(&s.admin)
        .unwrap();
    add(&s, &s.admin).unwrap();
    s.staking().cancel_change().call(&s.admin).unwrap();
    s.advance(delay);
    s.assert_refused(ContractError::Timelock(TimelockError::NothingPending), |s| {
        s.staking().apply_change().call(&s.stranger)
    });
    s.assert_refused(
        ContractError::NotSlasher {
            sender: newcomer.to_string(),
        },
        slash,
    );
    s.assert_conserved();
}

/// Every slash rate and the change delay have a ceiling (and the delay a floor: the
/// unbonding period), at update as at instantiation.
#[test]
fn params_out_of_range_are_refused() {
    let s = SuiteBuilder::default().build();
    type Edit = fn(&mut attrib_curator_staking::msg::Params);
    let cases: Vec<(Edit, ValidationError)> = vec![
        (
            |p| p.non_reveal_slash_bps = 1_001,
            ValidationError::OutOfRange {
                field: "non_reveal_slash_bps",
                value: 1_001,
                min: 0,
                max: 1_000,
            },
        ),
        (
            |p| p.wrong_accept_slash_bps = 5_001,
            ValidationError::OutOfRange {
                field: "wrong_accept_slash_bps",
                value: 5_001,
                min: 0,
                max: 5_000,
            },
        ),
        (
            |p| p.committee_size = 22,
            ValidationError::OutOfRange {
                field: "committee_size",
                value: 22,
                min: 1,
                max: 21,
            },
        ),
        (
            |p| p.change_delay_secs = 0,
            ValidationError::OutOfRange {
                field: "change_delay_secs",
                value: 0,
                min: 7 * DAY as u128,
                max: 30 * DAY as u128,
            },
        ),
        (
            |p| p.change_delay_secs = 6 * DAY,
            ValidationError::OutOfRange {
                field: "change_delay_secs",
                value: 6 * DAY as u128,
                min: 7 * DAY as u128,
                max: 30 * DAY as u128,
            },
        ),
    ];
    for (f, err) in cases {
        let mut p = params();
        f(&mut p);
        s.assert_refused(ContractError::Validation(err), |s| {
            s.staking().update_params(p.clone()).call(&s.admin)
        });
    }
}

/// The deployment wires the staking contract's peers after instantiation (the reward
/// pool is created after it): while nobody has stake, a peer is set or re-set at once. From
/// the first stake on, moving a peer that is set must be announced, and a new oracle is
/// never the admin (it would be a slasher).
#[test]
fn peers_move_at_once_only_until_the_first_stake() {
    use attrib_std::interfaces::wiring::sv::mt::WiringProxy as _;
    use attrib_std::interfaces::wiring::Peers;

    let s = SuiteBuilder::default().with_stakes(&[]).build();
    let moved = |to: &cosmwasm_std::Addr| Peers {
        reward_pool: Some(to.to_string()),
        ..Default::default()
    };
    // Nobody staked: the admin re-wires at once, and back again.
    // (Peers must be contracts: the registry stands in for another pool.)
    s.staking().set_peers(moved(&s.registry)).call(&s.admin).unwrap();
    assert_eq!(s.staking().peers().unwrap().reward_pool, Some(s.registry.clone()));
    s.staking().set_peers(moved(&s.pool)).call(&s.admin).unwrap();
    assert_eq!(s.staking().peers().unwrap().reward_pool, Some(s.pool.clone()));
    // Only the admin.
    s.assert_refused(
        ContractError::Governance(GovernanceError::NotAdmin {
            sender: s.stranger.to_string(),
        }),
        |s| s.staking().set_peers(moved(&s.registry)).call(&s.stranger),
    );

    // The first stake: from now on a move waits for the change delay.
    s.staking()
        .stake(attrib_curator_staking::state::Role::Curator)
        .with_funds(&[cosmwasm_std::coin(1_000, attrib_tests::DENOM)])
        .call(&s.stranger)
        .unwrap();
    s.assert_refused(
        ContractError::Timelock(TimelockError::AnnounceFirst { what: "reward_pool" }),
        |s| s.staking().set_peers(moved(&s.registry)).call(&s.admin),
    );
    // Naming an oracle where there was none makes a slasher: announced too (it was
    // immediate before, since only moving a set peer was checked).
    assert_eq!(s.staking().peers().unwrap().receipt_oracle, None);
    s.assert_refused(
        ContractError::Timelock(TimelockError::AnnounceFirst {
            what: "receipt_oracle",
        }),
        |s| {
            s.staking()
                .set_peers(Peers {
                    receipt_oracle: Some(s.pool.to_string()),
                    ..Default::default()
                })
                .call(&s.admin)
        },
    );
    // Re-stating the current wiring is harmless and still allowed.
    s.staking().set_peers(moved(&s.pool)).call(&s.admin).unwrap();
    assert_eq!(s.staking().peers().unwrap().reward_pool, Some(s.pool.clone()));
    s.assert_conserved();
}

/// A new slasher is announced so that stakers can leave first: stake that began unbonding
/// before it applied is out of its reach (on the old code it took unbonding stake too, and
/// raising the unbonding period after the announcement left leavers exposed). Bonded stake,
/// and unbonding begun after it applied, it reaches; a slasher from before still reaches
/// everything.
#[test]
fn a_new_slasher_cannot_reach_stake_that_left_before_it_applied() {
    let s = SuiteBuilder::default().build();
    let newcomer = s.stranger.clone();
    let (leaver, half, later) = (
        s.curators[1].clone(),
        s.curators[2].clone(),
        s.curators[3].clone(),
    );
    let unbonding = |who: &cosmwasm_std::Addr| -> u128 {
        s.staking()
            .staker(who.to_string())
            .unwrap()
            .staker
            .map(|st| st.unbonding_total().u128())
            .unwrap_or(0)
    };
    let slash_all = |who: &cosmwasm_std::Addr, by: &cosmwasm_std::Addr| {
        s.staking()
            .slash(who.to_string(), None, Some(10_000), "fraud".into(), None)
            .call(by)
            .unwrap()
    };
    s.staking()
        .announce_change(StakingChange::AddSlasher {
            address: newcomer.to_string(),
        })
        .call(&s.admin)
        .unwrap();
    // Seeing the announcement, one curator leaves entirely and one halfway.
    s.staking().unstake(Uint128::new(10_000)).call(&leaver).unwrap();
    s.staking().unstake(Uint128::new(4_000)).call(&half).unwrap();
    s.advance(params().change_delay_secs);
    s.staking().apply_change().call(&s.stranger).unwrap();
    // After it applied, another begins unbonding: that is within reach.
    s.staking().unstake(Uint128::new(3_000)).call(&later).unwrap();

    slash_all(&leaver, &newcomer);
    assert_eq!(
        (s.bonded(&leaver), unbonding(&leaver)),
        (0, 10_000),
        "left before: untouched"
    );
    slash_all(&half, &newcomer);
    assert_eq!(
        (s.bonded(&half), unbonding(&half)),
        (0, 4_000),
        "only the bonded part taken"
    );
    slash_all(&later, &newcomer);
    assert_eq!(
        (s.bonded(&later), unbonding(&later)),
        (0, 0),
        "unbonding after it applied: taken"
    );
    // The slasher named before the unstakes reaches the leaver's unbonding stake.
    s.staking()
        .slash(
            leaver.to_string(),
            Some(Uint128::new(100)),
            None,
            "fraud".into(),
            None,
        )
        .call(&s.slasher)
        .unwrap();
    assert_eq!(unbonding(&leaver), 9_900);
    s.assert_conserved();
}

/// Review finding: "no stakers" is not "nothing in use". A challenger bonds a challenge
/// of a pending optimistic tranche; the only curator unbonds and leaves, so the staker
/// count is 0 while the review is open and the staking contract holds the bond. On the old
/// code `set_peers` still re-wired the registry at once, skipping the guard
/// `announce_change` applies (the registry is fixed once a review was opened): the review's
/// outcome would then be recorded on another registry's tranche of that id.
#[test]
fn the_registry_is_not_rewired_at_once_under_an_open_review_even_without_stakers() {
    use attrib_std::interfaces::wiring::sv::mt::WiringProxy as _;
    use attrib_std::interfaces::wiring::Peers;

    let s = SuiteBuilder::default().with_stakes(&[1_000]).build();
    let (tranche, _) = s.submit_tranche(s.dataset_optimistic, 77);
    let resp = s
        .staking()
        .challenge(
            tranche,
            cosmwasm_std::HexBinary::from([9u8; 32]),
            "ipfs://evidence".into(),
        )
        .with_funds(&[cosmwasm_std::coin(BOND, attrib_tests::DENOM)])
        .call(&s.challenger)
        .unwrap();
    let review: u64 = cosmwasm_std::from_json(resp.data.unwrap()).unwrap();
    assert_eq!(
        s.tranche_status(tranche),
        attrib_std::registry::TrancheStatus::UnderReview
    );
    // The only curator leaves before the review is decided: the staker count is 0 again.
    let curator = s.curators[0].clone();
    s.staking().unstake(Uint128::new(1_000)).call(&curator).unwrap();
    s.advance(params().unbonding_secs + 1);
    s.staking().claim_unbonded().call(&curator).unwrap();
    assert_ne!(
        format!("{:?}", s.review(review).status),
        "Finalized",
        "the review is still open"
    );
    // The pool stands in for another registry (peers must be contracts).
    let moved = s
        .staking()
        .set_peers(Peers {
            registry: Some(s.pool.to_string()),
            ..Default::default()
        })
        .call(&s.admin);
    assert_eq!(
        moved.unwrap_err(),
        ContractError::Timelock(TimelockError::AnnounceFirst { what: "registry" }),
        "the registry moved at once while review of tranche {tranche} (a {BOND} bond) is open"
    );
    assert_eq!(s.staking().peers().unwrap().registry, Some(s.registry.clone()));
}
