//! Bad input, message by message: the exact error, and nothing changed.

use attrib_std::curation::{vote_commitment, Vote};
use attrib_std::funds::FundsError;
use attrib_std::governance::GovernanceError;
use attrib_std::interfaces::governance::sv::mt::GovernanceProxy;
use attrib_std::interfaces::review_service::sv::mt::ReviewServiceProxy;
use attrib_std::registry::TrancheStatus;
use attrib_std::wiring::sv::mt::WiringProxy;
use attrib_std::wiring::{PeerError, Peers};
use cosmwasm_std::{coin, to_json_binary, HexBinary, Uint128};

use super::suite::*;
use attrib_curator_staking::contract::sv::mt::{CodeId, CuratorStakingContractProxy};
use attrib_curator_staking::error::ContractError;
use attrib_curator_staking::msg::StakingChange;
use attrib_curator_staking::msg::{InstantiateConfig, ReceiveMsg};
use attrib_curator_staking::state::Role;
use attrib_registry::contract::sv::mt::RegistryContractProxy;
use attrib_std::interfaces::slashing_service::sv::mt::SlashingServiceProxy;
use attrib_std::timelock::TimelockError;
use attrib_std::validation::ValidationError;

fn evidence() -> HexBinary {
    HexBinary::from([9u8; 32])
}

#[test]
fn instantiate_and_params_are_validated() {
    let suite = SuiteBuilder::default().build();
    let code = CodeId::store_code(&suite.app);
    let inst = |denom: Option<String>, cw20: Option<String>, p: attrib_curator_staking::msg::Params| {
        code.instantiate(InstantiateConfig {
            admin: None,
            registry: suite.registry.to_string(),
            reward_pool: suite.pool.to_string(),
            stake_denom: denom,
            stake_cw20: cw20,
            params: p,
        })
        .with_label("x")
        .call(&suite.admin)
    };
    assert_eq!(
        inst(None, None, params()).unwrap_err(),
        ContractError::Validation(ValidationError::Invalid {
            field: "stake_denom/stake_cw20",
            reason: "give exactly one"
        })
    );
    assert_eq!(
        inst(Some(DENOM.into()), Some(suite.pool.to_string()), params()).unwrap_err(),
        ContractError::Validation(ValidationError::Invalid {
            field: "stake_denom/stake_cw20",
            reason: "give exactly one"
        })
    );
    let mut p = params();
    p.quorum_bps = 10_001;
    assert_eq!(
        inst(Some(DENOM.into()), None, p).unwrap_err(),
        ContractError::Validation(ValidationError::OutOfRange {
            field: "quorum_bps",
            value: 10_001,
            min: 1,
            max: 10_000
        })
    );
    let mut p = params();
    p.dispute_committee_size = 1;
    assert_eq!(
        inst(Some(DENOM.into()), None, p).unwrap_err(),
        ContractError::Validation(ValidationError::OutOfRange {
            field: "dispute_committee_size",
            value: 1,
            min: 3,
            max: 51
        })
    );
    let mut p = params();
    p.commit_secs = 0;
    suite.assert_refused(
        ContractError::Validation(ValidationError::OutOfRange {
            field: "commit_secs",
            value: 0,
            min: 1,
            max: 365 * DAY as u128,
        }),
        |s| s.staking().update_params(p.clone()).call(&s.admin),
    );
    suite.assert_refused(
        ContractError::Governance(GovernanceError::NotAdmin {
            sender: suite.stranger.to_string(),
        }),
        |s| s.staking().update_params(params()).call(&s.stranger),
    );
    suite.assert_refused(
        ContractError::Governance(GovernanceError::NotAdmin {
            sender: suite.stranger.to_string(),
        }),
        |s| {
            s.staking()
                .set_slasher(s.stranger.to_string(), true)
                .call(&s.stranger)
        },
    );
    // A slasher is never named at once.
    suite.assert_refused(
        ContractError::Timelock(TimelockError::AnnounceFirst { what: "slasher" }),
        |s| {
            s.staking()
                .set_slasher(s.stranger.to_string(), true)
                .call(&s.admin)
        },
    );
}

#[test]
fn stake_bad_input() {
    let suite = SuiteBuilder::default().with_params(|p| p.max_stakers = 9).build();
    let c0 = suite.curators[0].clone();
    suite.assert_refused(
        ContractError::Funds(FundsError::NotDenom {
            denom: DENOM.into(),
            sent: vec![coin(5, "uother")],
        }),
        |s| {
            s.staking()
                .stake(Role::Curator)
                .with_funds(&[coin(5, "uother")])
                .call(&s.operator)
        },
    );
    suite.assert_refused(
        ContractError::Funds(FundsError::NotDenom {
            denom: DENOM.into(),
            sent: vec![],
        }),
        |s| s.staking().stake(Role::Curator).call(&s.operator),
    );
    suite.assert_refused(
        ContractError::RoleMismatch {
            address: c0.to_string(),
            actual: Role::Curator,
            requested: Role::Operator,
        },
        |s| {
            s.staking()
                .stake(Role::Operator)
                .with_funds(&[coin(5, DENOM)])
                .call(&s.curators[0])
        },
    );
    // The stake floor: a seat costs at least min_stake (100 here).
    suite.assert_refused(
        ContractError::BelowMinStake {
            bonded: Uint128::new(99),
            min: Uint128::new(100),
        },
        |s| {
            s.staking()
                .stake(Role::Operator)
                .with_funds(&[coin(99, DENOM)])
                .call(&s.operator)
        },
    );
    suite
        .staking()
        .stake(Role::Operator)
        .with_funds(&[coin(100, DENOM)])
        .call(&suite.operator)
        .unwrap();
    suite.assert_refused(ContractError::TooManyStakers { max: 9 }, |s| {
        s.staking()
            .stake(Role::Curator)
            .with_funds(&[coin(100, DENOM)])
            .call(&s.stranger)
    });
    // The cw20 hook only takes the configured token (this contract stakes a native denom).
    suite.assert_refused(
        ContractError::WrongAsset {
            expected: DENOM.into(),
        },
        |s| {
            let msg = to_json_binary(&ReceiveMsg::Stake { role: Role::Curator }).unwrap();
            s.staking()
                .receive(s.stranger.to_string(), Uint128::new(1_000), msg)
                .call(&s.stranger)
        },
    );
    suite.staking().set_paused(true).call(&suite.admin).unwrap();
    suite.assert_refused(ContractError::Governance(GovernanceError::Paused), |s| {
        s.staking()
            .stake(Role::Curator)
            .with_funds(&[coin(5, DENOM)])
            .call(&s.curators[0])
    });
}

/// Issue 14, item 1: the staker set is capped, so 1-unit stakes used to fill it and lock
/// every new curator and operator out. A seat now costs at least `min_stake`, and a
/// partial unstake may not leave dust behind; leaving entirely frees the seat.
#[test]
fn dust_stakers_cannot_fill_the_staker_set() {
    let suite = SuiteBuilder::default().with_params(|p| p.max_stakers = 9).build();
    let min = Uint128::new(100);
    // The attacker's 1-unit stake (a fresh seat) is refused, and nothing changes.
    suite.assert_refused(
        ContractError::BelowMinStake {
            bonded: Uint128::new(1),
            min,
        },
        |s| {
            s.staking()
                .stake(Role::Curator)
                .with_funds(&[coin(1, DENOM)])
                .call(&s.stranger)
        },
    );
    // A staker may not shrink to dust either: all of it, or at least the minimum stays.
    let c1 = suite.curators[1].clone();
    suite.assert_refused(
        ContractError::DustLeft {
            requested: Uint128::new(9_950),
            left: Uint128::new(50),
            min,
        },
        |s| s.staking().unstake(Uint128::new(9_950)).call(&s.curators[1]),
    );
    suite.staking().unstake(Uint128::new(9_900)).call(&c1).unwrap();
    suite.staking().unstake(Uint128::new(100)).call(&c1).unwrap();
    // A top-up by a member counts its whole bond: 1 more on 0 bonded is still dust.
    suite.assert_refused(
        ContractError::BelowMinStake {
            bonded: Uint128::new(1),
            min,
        },
        |s| {
            s.staking()
                .stake(Role::Curator)
                .with_funds(&[coin(1, DENOM)])
                .call(&s.curators[1])
        },
    );
    // The honest newcomer with the minimum gets a seat.
    suite
        .staking()
        .stake(Role::Operator)
        .with_funds(&[coin(100, DENOM)])
        .call(&suite.operator)
        .unwrap();
}

#[test]
fn unstake_claim_withdraw_bad_input() {
    let suite = SuiteBuilder::default().build();
    let c1 = suite.curators[1].clone();
    suite.assert_refused(
        ContractError::Validation(ValidationError::Zero { field: "amount" }),
        |s| s.staking().unstake(Uint128::zero()).call(&s.curators[1]),
    );
    suite.assert_refused(
        ContractError::InsufficientBonded {
            bonded: Uint128::new(10_000),
            requested: Uint128::new(10_001),
        },
        |s| s.staking().unstake(Uint128::new(10_001)).call(&s.curators[1]),
    );
    suite.assert_refused(
        ContractError::NotStaker {
            address: suite.stranger.to_string(),
        },
        |s| s.staking().unstake(Uint128::new(1)).call(&s.stranger),
    );
    suite.assert_refused(
        ContractError::Funds(FundsError::Unexpected {
            sent: vec![coin(1, DENOM)],
        }),
        |s| {
            s.staking()
                .unstake(Uint128::new(1))
                .with_funds(&[coin(1, DENOM)])
                .call(&s.curators[1])
        },
    );
    suite.staking().unstake(Uint128::new(100)).call(&c1).unwrap();
    suite.assert_refused(ContractError::NothingToClaim {}, |s| {
        s.staking().claim_unbonded().call(&s.curators[1])
    });
    suite.assert_refused(ContractError::NothingToClaim {}, |s| {
        s.staking().withdraw_payout().call(&s.stranger)
    });
}

#[test]
fn open_review_is_for_the_registry_only() {
    let suite = SuiteBuilder::default().build();
    suite.assert_refused(
        ContractError::NotRegistry {
            sender: suite.stranger.to_string(),
        },
        |s| s.staking().open_review(1).call(&s.stranger),
    );
}

#[test]
fn challenge_bad_input() {
    let suite = SuiteBuilder::default().build();
    let (rejected, review) = suite.register_strict_tranche(1);
    suite.unanimous(review, Vote::Reject);
    suite.finalize(review).unwrap();
    let (pending, _) = suite.register_tranche(suite.dataset_optimistic, 2);
    let call = |s: &Suite, t: u64, hash: HexBinary, uri: &str, amount: u128| {
        s.staking()
            .challenge(t, hash, uri.into())
            .with_funds(&[coin(amount, DENOM)])
            .call(&s.challenger)
    };
    suite.assert_refused(
        ContractError::WrongBond {
            expected: Uint128::new(BOND),
            sent: Uint128::new(BOND - 1),
        },
        |s| call(s, pending, evidence(), "ipfs://e", BOND - 1),
    );
    suite.assert_refused(
        ContractError::Validation(ValidationError::BadHash {
            field: "evidence_hash",
            len: 2,
        }),
        |s| call(s, pending, HexBinary::from(vec![1, 2]), "ipfs://e", BOND),
    );
    suite.assert_refused(
        ContractError::Validation(ValidationError::BadLength {
            field: "evidence_uri",
            max: 512,
            len: 0,
        }),
        |s| call(s, pending, evidence(), "", BOND),
    );
    suite.assert_refused(
        ContractError::CannotChallenge {
            tranche_id: rejected,
            status: TrancheStatus::Rejected,
        },
        |s| call(s, rejected, evidence(), "ipfs://e", BOND),
    );
    // Under review already: the registry refuses a second challenge as well.
    let (under_review, open) = suite.register_strict_tranche(3);
    suite.assert_refused(
        ContractError::CannotChallenge {
            tranche_id: under_review,
            status: TrancheStatus::UnderReview,
        },
        |s| call(s, under_review, evidence(), "ipfs://e", BOND),
    );
    // Accepted, but too late.
    suite.unanimous(open, Vote::Accept);
    suite.finalize(open).unwrap();
    let ended_at = suite
        .registry()
        .tranche(under_review)
        .unwrap()
        .tranche
        .decided_at
        .unwrap()
        + DAY;
    suite.advance(DAY + 1);
    suite.assert_refused(
        ContractError::DisputeWindowClosed {
            tranche_id: under_review,
            ended_at,
        },
        |s| call(s, under_review, evidence(), "ipfs://e", BOND),
    );
    suite.assert_refused(
        ContractError::Funds(FundsError::NotDenom {
            denom: DENOM.into(),
            sent: vec![coin(BOND, "uother")],
        }),
        |s| {
            s.staking()
                .challenge(pending, evidence(), "ipfs://e".into())
                .with_funds(&[coin(BOND, "uother")])
                .call(&s.challenger)
        },
    );
}

#[test]
fn commit_and_reveal_bad_input() {
    let suite = SuiteBuilder::default().build();
    let (_, review) = suite.register_strict_tranche(1);
    let members = suite.committee(review);
    let (m0, m1) = (members[0].clone(), members[1].clone());
    let c = |who: &cosmwasm_std::Addr, v: Vote| {
        HexBinary::from(vote_commitment(review, who.as_str(), v, &salt(who)))
    };
    suite.assert_refused(
        ContractError::NotMember {
            review_id: review,
            sender: suite.stranger.to_string(),
        },
        |s| {
            s.staking()
                .commit_vote(review, c(&s.stranger, Vote::Accept))
                .call(&s.stranger)
        },
    );
    suite.assert_refused(
        ContractError::Validation(ValidationError::BadHash {
            field: "commitment",
            len: 1,
        }),
        |s| {
            s.staking()
                .commit_vote(review, HexBinary::from(vec![1]))
                .call(&m0)
        },
    );
    suite.assert_refused(ContractError::ReviewNotFound { id: 99 }, |s| {
        s.staking().commit_vote(99, c(&m0, Vote::Accept)).call(&m0)
    });
    suite.commit(review, &m0, Vote::Accept).unwrap();
    suite.assert_refused(ContractError::AlreadyCommitted { review_id: review }, |s| {
        s.commit(review, &m0, Vote::Accept)
    });
    let opens_after = suite.review(review).commit_deadline;
    suite.assert_refused(
        ContractError::RevealNotOpen {
            review_id: review,
            opens_after,
        },
        |s| s.reveal(review, &m0, Vote::Accept),
    );
    suite.advance(COMMIT + 1);
    suite.assert_refused(
        ContractError::CommitClosed {
            review_id: review,
            deadline: opens_after,
        },
        |s| s.commit(review, &m1, Vote::Accept),
    );
    // Copying another member's vote does not work: the commitment binds the voter.
    suite.assert_refused(ContractError::NoCommitment { review_id: review }, |s| {
        s.reveal(review, &m1, Vote::Accept)
    });
    suite.assert_refused(ContractError::CommitmentMismatch {}, |s| {
        s.reveal(review, &m0, Vote::Reject)
    });
    suite.assert_refused(ContractError::CommitmentMismatch {}, |s| {
        s.staking()
            .reveal_vote(review, Vote::Accept, HexBinary::from([1u8; 32]))
            .call(&m0)
    });
    suite.assert_refused(
        ContractError::Validation(ValidationError::BadLength {
            field: "salt",
            max: 64,
            len: 65,
        }),
        |s| {
            s.staking()
                .reveal_vote(review, Vote::Accept, HexBinary::from(vec![0u8; 65]))
                .call(&m0)
        },
    );
    suite.reveal(review, &m0, Vote::Accept).unwrap();
    suite.assert_refused(ContractError::AlreadyRevealed { review_id: review }, |s| {
        s.reveal(review, &m0, Vote::Accept)
    });
    suite.advance(REVEAL);
    let deadline = suite.review(review).reveal_deadline;
    suite.assert_refused(
        ContractError::RevealClosed {
            review_id: review,
            deadline,
        },
        |s| s.reveal(review, &m0, Vote::Accept),
    );
}

#[test]
fn finalize_and_admin_resolve_bad_input() {
    let suite = SuiteBuilder::default().build();
    let (_, review) = suite.register_strict_tranche(1);
    let now = suite.app.block_info().time.seconds();
    let deadline = suite.review(review).reveal_deadline;
    suite.assert_refused(
        ContractError::TooEarlyToFinalize {
            review_id: review,
            reveal_deadline: deadline,
            now,
        },
        |s| s.finalize(review),
    );
    suite.assert_refused(ContractError::NotAppealable { review_id: review }, |s| {
        s.staking().admin_resolve(review, Vote::Accept).call(&s.admin)
    });
    suite.assert_refused(
        ContractError::Governance(GovernanceError::NotAdmin {
            sender: suite.stranger.to_string(),
        }),
        |s| s.staking().admin_resolve(review, Vote::Accept).call(&s.stranger),
    );
    suite.unanimous(review, Vote::Accept);
    suite.finalize(review).unwrap();
    suite.assert_refused(ContractError::NotVoting { review_id: review }, |s| {
        s.finalize(review)
    });
    suite.assert_refused(ContractError::ReviewNotFound { id: 42 }, |s| s.finalize(42));
}

#[test]
fn slash_bad_input() {
    let suite = SuiteBuilder::default().build();
    let c0 = suite.curators[0].to_string();
    let slash =
        |s: &Suite, amount: Option<u128>, bps: Option<u32>, reason: &str, who: &cosmwasm_std::Addr| {
            s.staking()
                .slash(c0.clone(), amount.map(Uint128::new), bps, reason.into(), None)
                .call(who)
        };
    suite.assert_refused(
        ContractError::NotSlasher {
            sender: suite.stranger.to_string(),
        },
        |s| slash(s, Some(1), None, "r", &s.stranger),
    );
    suite.assert_refused(
        ContractError::Validation(ValidationError::Zero { field: "amount" }),
        |s| slash(s, Some(0), None, "r", &s.slasher),
    );
    suite.assert_refused(ContractError::BadFraction { bps: 10_001 }, |s| {
        slash(s, None, Some(10_001), "r", &s.slasher)
    });
    suite.assert_refused(ContractError::BadFraction { bps: 0 }, |s| {
        slash(s, None, Some(0), "r", &s.slasher)
    });
    suite.assert_refused(ContractError::SlashAmountOrFraction {}, |s| {
        slash(s, Some(1), Some(1), "r", &s.slasher)
    });
    suite.assert_refused(ContractError::SlashAmountOrFraction {}, |s| {
        slash(s, None, None, "r", &s.slasher)
    });
    suite.assert_refused(
        ContractError::Validation(ValidationError::BadLength {
            field: "reason",
            max: 256,
            len: 0,
        }),
        |s| slash(s, Some(1), None, "", &s.slasher),
    );
    // Someone who is not (or no longer) a staker is slashed nothing, and the slash is
    // recorded rather than refused: a proof never reverts for the operator's current
    // state (SPEC §5.4, issue 12). Nothing moves.
    let before = suite.snapshot();
    let resp = suite
        .staking()
        .slash(
            suite.stranger.to_string(),
            Some(Uint128::new(1)),
            None,
            "r".into(),
            Some(suite.challenger.to_string()),
        )
        .call(&suite.slasher)
        .unwrap();
    let e = resp
        .events
        .iter()
        .find(|e| e.ty == "wasm-attrib_stake_slashed")
        .expect("a slash event");
    for (k, v) in [
        ("staker", suite.stranger.as_str()),
        ("amount", "0"),
        ("reason", "r"),
    ] {
        assert!(
            e.attributes.iter().any(|a| a.key == k && a.value == v),
            "{k}={v} in {e:?}"
        );
    }
    assert_eq!(suite.snapshot(), before);
    // A removed slasher can no longer slash.
    suite
        .staking()
        .set_slasher(suite.slasher.to_string(), false)
        .call(&suite.admin)
        .unwrap();
    suite.assert_refused(
        ContractError::NotSlasher {
            sender: suite.slasher.to_string(),
        },
        |s| slash(s, Some(1), None, "r", &s.slasher),
    );
}

#[test]
fn governance_bad_input_and_pause() {
    let suite = SuiteBuilder::default().build();
    let not_admin = || {
        ContractError::Governance(GovernanceError::NotAdmin {
            sender: suite.stranger.to_string(),
        })
    };
    suite.assert_refused(not_admin(), |s| {
        s.staking()
            .propose_admin(Some(s.stranger.to_string()))
            .call(&s.stranger)
    });
    suite.assert_refused(not_admin(), |s| s.staking().set_paused(true).call(&s.stranger));
    suite.assert_refused(ContractError::Governance(GovernanceError::NoPendingAdmin), |s| {
        s.staking().accept_admin().call(&s.stranger)
    });
    suite.staking().set_paused(true).call(&suite.admin).unwrap();
    let paused = || ContractError::Governance(GovernanceError::Paused);
    suite.assert_refused(paused(), |s| {
        s.staking().unstake(Uint128::new(1)).call(&s.curators[0])
    });
    // A slasher's slash is not paused: a pause never turns a valid proof into a revert
    // (SPEC §5.4). It was refused here before.
    let bonded0 = suite
        .staking()
        .stake_of(suite.curators[0].to_string())
        .unwrap()
        .bonded;
    suite
        .staking()
        .slash(
            suite.curators[0].to_string(),
            Some(Uint128::new(1)),
            None,
            "r".into(),
            None,
        )
        .call(&suite.slasher)
        .unwrap();
    assert_eq!(
        suite
            .staking()
            .stake_of(suite.curators[0].to_string())
            .unwrap()
            .bonded,
        bonded0 - Uint128::new(1)
    );
    // A paused curator staking also stops strict registrations (the registry's call to
    // open a review fails, so the whole registration reverts).
    let registry = suite.registry();
    let t = || attrib_tests::TrancheArgs {
        dataset_id: suite.dataset_strict,
        content_root: HexBinary::from([77u8; 32]),
        record_count: 1,
        byte_size: 1,
        metadata_uri: "ipfs://t",
    };
    attrib_tests::commit_tranche(&suite.app, &registry.contract_addr, &suite.contributor, &t(), &[]).unwrap();
    suite.app.update_block(|b| b.height += 1);
    let before = suite.snapshot();
    assert!(
        attrib_tests::reveal_tranche(&suite.app, &registry.contract_addr, &suite.contributor, t()).is_err()
    );
    assert_eq!(suite.snapshot(), before);
}

#[test]
fn migrate_keeps_state_and_records_the_version() {
    let suite = SuiteBuilder::default().build();
    // The suite instantiated without a wasm admin: migrate a fresh one that has it.
    let (code, staking) = suite.migratable_staking();
    staking
        .stake(Role::Curator)
        .with_funds(&[coin(500, DENOM)])
        .call(&suite.curators[0])
        .unwrap();
    staking.migrate().call(&suite.admin, code.code_id()).unwrap();
    assert_eq!(
        staking
            .staker(suite.curators[0].to_string())
            .unwrap()
            .staker
            .unwrap()
            .bonded,
        Uint128::new(500)
    );
    let info = cw2::query_contract_info(&suite.app.app().wrap(), staking.contract_addr.to_string()).unwrap();
    assert_eq!(info.contract, attrib_curator_staking::contract::CONTRACT_NAME);
}

#[test]
fn omission_claims_need_a_configured_oracle_and_the_admin_sets_it() {
    let suite = SuiteBuilder::default().build();
    suite.assert_refused(ContractError::NoReceiptOracle {}, |s| {
        s.staking()
            .challenge_omission(1, 1, 1, HexBinary::from(b"canary".to_vec()), "ipfs://e".into())
            .with_funds(&[coin(BOND, DENOM)])
            .call(&s.challenger)
    });
    suite.assert_refused(
        ContractError::Governance(GovernanceError::NotAdmin {
            sender: suite.stranger.to_string(),
        }),
        |s| {
            s.staking()
                .set_peers(Peers {
                    receipt_oracle: Some(s.stranger.to_string()),
                    ..Default::default()
                })
                .call(&s.stranger)
        },
    );
    // The reward pool is moved by the admin only (deploy points it at the distributor).
    suite.assert_refused(
        ContractError::Governance(GovernanceError::NotAdmin {
            sender: suite.stranger.to_string(),
        }),
        |s| {
            s.staking()
                .set_peers(Peers {
                    reward_pool: Some(s.stranger.to_string()),
                    ..Default::default()
                })
                .call(&s.stranger)
        },
    );
    // Curator staking calls no curator staking: naming one is a wiring mistake.
    suite.assert_refused(
        ContractError::Peers(PeerError::NotAPeer {
            role: "curator_staking",
        }),
        |s| {
            s.staking()
                .set_peers(Peers {
                    reward_pool: Some(s.pool.to_string()),
                    curator_staking: Some(s.pool.to_string()),
                    ..Default::default()
                })
                .call(&s.admin)
        },
    );
    suite.assert_refused(ContractError::Peers(PeerError::NoPeers), |s| {
        s.staking().set_peers(Peers::default()).call(&s.admin)
    });
    suite
        .staking()
        .set_peers(Peers {
            reward_pool: Some(suite.pool.to_string()),
            ..Default::default()
        })
        .call(&suite.admin)
        .unwrap();
    assert_eq!(suite.staking().config().unwrap().config.reward_pool, suite.pool);
    // Curators have staked: a first oracle (a slasher) is announced and waits.
    announce_oracle(&suite, &suite.registry);
    assert_eq!(
        suite.staking().config().unwrap().config.receipt_oracle,
        Some(suite.registry.clone())
    );
    suite.assert_refused(
        ContractError::WrongBond {
            expected: Uint128::new(BOND),
            sent: Uint128::new(BOND + 1),
        },
        |s| {
            s.staking()
                .challenge_omission(1, 1, 1, HexBinary::from(b"canary".to_vec()), "ipfs://e".into())
                .with_funds(&[coin(BOND + 1, DENOM)])
                .call(&s.challenger)
        },
    );
}

/// The registry peer is fixed once a review was opened (reviews are keyed by its tranche
/// ids); the right to slash moves with the receipt oracle peer; a peer must be a contract
/// other than curator staking itself.
#[test]
fn set_peers_bad_input() {
    let suite = SuiteBuilder::default().build();
    let peers = |registry: Option<&cosmwasm_std::Addr>, oracle: Option<&cosmwasm_std::Addr>| Peers {
        registry: registry.map(|a| a.to_string()),
        receipt_oracle: oracle.map(|a| a.to_string()),
        ..Default::default()
    };
    // A set registry moves only by announcement (here announced, then cancelled).
    suite.assert_refused(
        ContractError::Timelock(TimelockError::AnnounceFirst { what: "registry" }),
        |s| s.staking().set_peers(peers(Some(&s.pool), None)).call(&s.admin),
    );
    let move_registry = |s: &Suite| {
        s.staking()
            .announce_change(StakingChange::Peers {
                peers: peers(Some(&s.pool), None),
            })
            .call(&s.admin)
    };
    move_registry(&suite).unwrap();
    suite.staking().cancel_change().call(&suite.admin).unwrap();
    suite.register_strict_tranche(1);
    suite.assert_refused(ContractError::Peers(PeerError::InUse { role: "registry" }), |s| {
        move_registry(s)
    });
    // The same address again is no move.
    suite
        .staking()
        .set_peers(peers(Some(&suite.registry), None))
        .call(&suite.admin)
        .unwrap();
    suite.assert_refused(
        ContractError::Peers(PeerError::IsSelf {
            role: "receipt_oracle",
        }),
        |s| {
            s.staking()
                .set_peers(peers(None, Some(&s.staking)))
                .call(&s.admin)
        },
    );
    suite.assert_refused(
        ContractError::Peers(PeerError::NotAContract {
            role: "receipt_oracle",
        }),
        |s| {
            s.staking()
                .set_peers(peers(None, Some(&s.stranger)))
                .call(&s.admin)
        },
    );

    let c0 = suite.curators[0].to_string();
    let slash = |s: &Suite, who: &cosmwasm_std::Addr| {
        s.staking()
            .slash(c0.clone(), Some(Uint128::new(1)), None, "fraud".into(), None)
            .call(who)
    };
    let (first, second) = (suite.registry.clone(), suite.pool.clone());
    announce_oracle(&suite, &first);
    slash(&suite, &first).unwrap();
    // Moving the oracle (and its right to slash) waits for the change delay.
    suite.assert_refused(
        ContractError::Timelock(TimelockError::AnnounceFirst {
            what: "receipt_oracle",
        }),
        |s| s.staking().set_peers(peers(None, Some(&second))).call(&s.admin),
    );
    suite
        .staking()
        .announce_change(StakingChange::Peers {
            peers: peers(None, Some(&second)),
        })
        .call(&suite.admin)
        .unwrap();
    slash(&suite, &first).unwrap();
    suite.advance(params().change_delay_secs);
    suite.staking().apply_change().call(&suite.stranger).unwrap();
    suite.assert_refused(
        ContractError::NotSlasher {
            sender: first.to_string(),
        },
        |s| slash(s, &first),
    );
    slash(&suite, &second).unwrap();
    // Slashers named with set_slasher keep their right.
    slash(&suite, &suite.slasher).unwrap();
    assert_eq!(
        suite.staking().peers().unwrap().receipt_oracle,
        Some(second.clone())
    );
}
