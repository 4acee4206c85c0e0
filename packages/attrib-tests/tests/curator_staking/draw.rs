//! Committee draws (SPEC §4, issue 14 item 8): whoever triggers a review cannot predict
//! or choose its committee.

use attrib_std::curation::{self, Vote};
use attrib_std::funds::FundsError;
use attrib_std::governance::GovernanceError;
use attrib_std::interfaces::governance::sv::mt::GovernanceProxy;
use attrib_std::registry::TrancheStatus;
use attrib_std::validation::ValidationError;
use cosmwasm_std::{coin, Addr, HexBinary};

use super::suite::*;
use attrib_curator_staking::contract::sv::mt::CuratorStakingContractProxy;
use attrib_curator_staking::error::ContractError;
use attrib_curator_staking::state::{ReviewStatus, Role};
use attrib_registry::contract::sv::mt::RegistryContractProxy;

/// What a submitter can read before it submits: every curator's stake and the
/// contract's running entropy (raw storage is public).
fn predict(
    s: &Suite,
    contributor: &Addr,
    tranche_id: u64,
    height: u64,
    time_nanos: u64,
) -> ([u8; 32], Vec<Addr>) {
    let st = s.staking();
    let params = st.config().unwrap().config.params;
    let candidates: Vec<(Addr, u128)> = st
        .stakers(None, Some(100))
        .unwrap()
        .stakers
        .into_iter()
        .filter_map(|r| r.staker.map(|k| (Addr::unchecked(r.address), k)))
        .filter(|(a, k)| k.role == Role::Curator && k.bonded >= params.min_stake && a != contributor)
        .map(|(a, k)| (a, k.bonded.u128()))
        .collect();
    let stakes: Vec<u128> = candidates.iter().map(|c| c.1).collect();
    let weights = curation::capped_weights(&stakes, params.max_weight_bps);
    let raw = s
        .app
        .app()
        .wrap()
        .query_wasm_raw(s.staking.clone(), b"entropy".to_vec())
        .unwrap()
        .unwrap();
    let entropy: HexBinary = cosmwasm_std::from_json(raw).unwrap();
    let chain_id = s.app.block_info().chain_id;
    let seed = curation::draw_seed(
        &entropy.to_array().unwrap(),
        tranche_id,
        1,
        height,
        time_nanos,
        &chain_id,
    );
    let members = curation::draw(&seed, &weights, params.committee_size as usize)
        .into_iter()
        .map(|seat| candidates[seat.candidate as usize].0.clone())
        .collect();
    (seed, members)
}

#[test]
fn a_submitter_cannot_predict_or_choose_its_committee() {
    let s = SuiteBuilder::default().build();
    // Some votes have been revealed: the running entropy is not the initial one.
    let (_, first) = s.register_strict_tranche(1);
    s.unanimous(first, Vote::Accept);
    s.finalize(first).unwrap();

    // The contributor wants its two friends (the two smallest curators) on the
    // committee: it tries block times off-chain until the draw it computes has both.
    let friends = [s.curators[6].clone(), s.curators[7].clone()];
    let tranche_id = s
        .registry()
        .tranches(None, None, Some(100))
        .unwrap()
        .tranches
        .len() as u64
        + 1;
    let block = s.app.block_info();
    let (height, base) = (block.height + 1, block.time.plus_seconds(5));
    let (wait, (seed, chosen)) = (0..10_000u64)
        .map(|dt| {
            (
                dt,
                predict(
                    &s,
                    &s.contributor,
                    tranche_id,
                    height,
                    base.plus_nanos(dt).nanos(),
                ),
            )
        })
        .find(|(_, (_, m))| friends.iter().all(|f| m.contains(f)))
        .expect("some block time gives the committee it wants");
    // It submits in the block it chose.
    s.app.update_block(|b| {
        b.height = height;
        b.time = base.plus_nanos(wait);
    });
    let (tranche, review) = s.register_strict_tranche(2);
    assert_eq!(tranche, tranche_id);

    let drawn = s.review(review);
    assert_ne!(
        drawn.seed.to_vec(),
        seed.to_vec(),
        "the submitter computed the seed in advance"
    );
    assert_ne!(s.committee(review), chosen, "the submitter chose its committee");
}

fn entropy_commitment(who: &Addr, salt: &HexBinary) -> HexBinary {
    HexBinary::from(curation::entropy_commitment(who.as_str(), salt))
}

fn status(s: &Suite, review: u64) -> ReviewStatus {
    s.review(review).status
}

#[test]
fn commit_and_reveal_entropy_bad_input() {
    let s = SuiteBuilder::default().build();
    let c0 = s.curators[0].clone();
    let salt = HexBinary::from([3u8; 32]);
    // Only a curator with the minimum stake feeds draws.
    s.assert_refused(
        ContractError::NotCurator {
            address: s.stranger.to_string(),
        },
        |s| {
            s.staking()
                .commit_entropy(entropy_commitment(&s.stranger, &salt))
                .call(&s.stranger)
        },
    );
    s.staking()
        .stake(Role::Operator)
        .with_funds(&[coin(1_000, DENOM)])
        .call(&s.operator)
        .unwrap();
    s.assert_refused(
        ContractError::NotCurator {
            address: s.operator.to_string(),
        },
        |s| {
            s.staking()
                .commit_entropy(entropy_commitment(&s.operator, &salt))
                .call(&s.operator)
        },
    );
    // One outstanding commitment at a time (the suite's curators hold one).
    let held = s.staking().entropy(c0.to_string()).unwrap().commit.unwrap();
    s.assert_refused(
        ContractError::EntropyAlreadyCommitted {
            address: c0.to_string(),
            height: held.height,
        },
        |s| {
            s.staking()
                .commit_entropy(entropy_commitment(&c0, &salt))
                .call(&c0)
        },
    );
    s.assert_refused(
        ContractError::Validation(ValidationError::BadHash {
            field: "commitment",
            len: 3,
        }),
        |s| {
            s.staking()
                .commit_entropy(HexBinary::from(vec![1, 2, 3]))
                .call(&c0)
        },
    );
    s.assert_refused(
        ContractError::Funds(FundsError::Unexpected {
            sent: vec![coin(1, DENOM)],
        }),
        |s| {
            s.staking()
                .commit_entropy(entropy_commitment(&c0, &salt))
                .with_funds(&[coin(1, DENOM)])
                .call(&c0)
        },
    );

    // Reveal: nothing committed, a wrong salt, a salt too long.
    s.assert_refused(
        ContractError::NoEntropyCommitment {
            address: s.stranger.to_string(),
        },
        |s| s.staking().reveal_entropy(salt.clone()).call(&s.stranger),
    );
    s.assert_refused(ContractError::EntropyMismatch {}, |s| {
        s.staking().reveal_entropy(salt.clone()).call(&c0)
    });
    s.assert_refused(
        ContractError::Validation(ValidationError::BadLength {
            field: "salt",
            max: 64,
            len: 65,
        }),
        |s| {
            s.staking()
                .reveal_entropy(HexBinary::from(vec![0u8; 65]))
                .call(&c0)
        },
    );
    s.assert_refused(
        ContractError::Validation(ValidationError::BadLength {
            field: "salt",
            max: 64,
            len: 0,
        }),
        |s| s.staking().reveal_entropy(HexBinary::default()).call(&c0),
    );

    // The right salt is kept, once: a replay finds no commitment.
    let right = attrib_tests::entropy_salt(&c0, held.height);
    let resp = s.staking().reveal_entropy(right.clone()).call(&c0).unwrap();
    let now = s.app.block_info().height.to_string();
    assert!(resp.events.iter().any(|e| e.ty == "wasm-attrib_entropy_revealed"
        && e.attributes.iter().any(|a| a.key == "height" && a.value == now)));
    assert_eq!(s.staking().entropy(c0.to_string()).unwrap().commit, None);
    s.assert_refused(
        ContractError::NoEntropyCommitment {
            address: c0.to_string(),
        },
        |s| s.staking().reveal_entropy(right.clone()).call(&c0),
    );

    // A fresh commitment cannot be revealed in its own block.
    s.staking()
        .commit_entropy(entropy_commitment(&c0, &salt))
        .call(&c0)
        .unwrap();
    let height = s.app.block_info().height;
    s.assert_refused(
        ContractError::EntropyRevealTooEarly {
            committed_height: height,
        },
        |s| s.staking().reveal_entropy(salt.clone()).call(&c0),
    );
    attrib_tests::next_block(&s.app);
    s.staking().reveal_entropy(salt.clone()).call(&c0).unwrap();

    // Paused: neither.
    s.staking().set_paused(true).call(&s.admin).unwrap();
    let c1 = s.curators[1].clone();
    let c1_height = s
        .staking()
        .entropy(c1.to_string())
        .unwrap()
        .commit
        .unwrap()
        .height;
    s.assert_refused(ContractError::Governance(GovernanceError::Paused), |s| {
        s.staking()
            .reveal_entropy(attrib_tests::entropy_salt(&c1, c1_height))
            .call(&c1)
    });
    s.assert_refused(ContractError::Governance(GovernanceError::Paused), |s| {
        s.staking()
            .commit_entropy(entropy_commitment(&c0, &salt))
            .call(&c0)
    });
    s.assert_conserved();
}

#[test]
fn draw_committee_bad_input() {
    let s = SuiteBuilder::default().build();
    s.assert_refused(ContractError::ReviewNotFound { id: 42 }, |s| {
        s.staking().draw_committee(42).call(&s.stranger)
    });
    let (_, review) = s.submit_tranche(s.dataset_strict, 1);
    let r = s.review(review);
    assert_eq!((r.status.clone(), r.members.len()), (ReviewStatus::Drawing, 0));
    let req = r.draw.clone().unwrap();
    let unavailable = |found: u32, withheld: u32| ContractError::EntropyNotAvailable {
        review_id: review,
        requested_height: req.requested_height,
        needed: 1,
        found,
        withheld,
        fallback_after: req.requested_at + 600,
    };
    // Not a vote before the committee exists.
    s.assert_refused(ContractError::NotVoting { review_id: review }, |s| {
        s.commit(review, &s.curators[0].clone(), Vote::Accept)
    });
    // Nothing revealed yet: all eight commitments from before the request are due.
    s.assert_refused(unavailable(0, 8), |s| {
        s.staking().draw_committee(review).call(&s.stranger)
    });
    // Revealed in the request's own block (e.g. by the submitter's own transaction):
    // does not count (nor is it due any more).
    let c0 = s.curators[0].clone();
    reveal_own_entropy(&s, &c0);
    s.assert_refused(unavailable(0, 7), |s| {
        s.staking().draw_committee(review).call(&s.stranger)
    });
    // A salt committed after the request does not count either.
    attrib_tests::commit_entropy(&s.app, &s.staking, &c0);
    attrib_tests::next_block(&s.app);
    reveal_own_entropy(&s, &c0);
    s.assert_refused(unavailable(0, 7), |s| {
        s.staking().draw_committee(review).call(&s.stranger)
    });
    // Once the timeout passed, still not for anyone but the admin.
    s.advance(600);
    s.assert_refused(unavailable(0, 7), |s| {
        s.staking().draw_committee(review).call(&s.stranger)
    });

    // Every commitment from before the request revealed after it: drawn, once.
    s.drawn(review);
    assert_eq!(status(&s, review), ReviewStatus::Voting);
    s.assert_refused(ContractError::NotDrawing { review_id: review }, |s| {
        s.staking().draw_committee(review).call(&s.stranger)
    });
    s.assert_refused(ContractError::NotDrawing { review_id: review }, |s| {
        s.staking().draw_committee(review).call(&s.admin)
    });
    s.assert_conserved();
}

#[test]
fn the_seed_is_every_outstanding_salt_whoever_draws_and_whenever() {
    let s = SuiteBuilder::default().build();
    // The contributor is a curator too, with a commitment made before it submits.
    let contributor = s.contributor.clone();
    s.staking()
        .stake(Role::Curator)
        .with_funds(&[coin(5_000, DENOM)])
        .call(&contributor)
        .unwrap();
    attrib_tests::commit_entropy(&s.app, &s.staking, &contributor);
    attrib_tests::next_block(&s.app);
    let (tranche, review) = s.submit_tranche(s.dataset_strict, 1);
    attrib_tests::next_block(&s.app);
    // Each curator's salt, as its commitment from before the request binds it.
    let salts: std::collections::BTreeMap<Addr, HexBinary> = s
        .curators
        .iter()
        .map(|c| {
            let h = s.staking().entropy(c.to_string()).unwrap().commit.unwrap().height;
            (c.clone(), attrib_tests::entropy_salt(c, h))
        })
        .collect();
    // The submitter's own salt, revealed first, neither seeds its review nor is due.
    reveal_own_entropy(&s, &contributor);
    let status = s.staking().draw_status(review).unwrap();
    assert_eq!((status.counted, status.withheld.len()), (0, 8));
    // c3 reveals: not enough while the others' commitments are out.
    reveal_own_entropy(&s, &s.curators[3]);
    assert!(matches!(
        s.staking().draw_committee(review).call(&s.stranger).unwrap_err(),
        ContractError::EntropyNotAvailable {
            found: 1,
            withheld: 7,
            ..
        }
    ));
    // The rest reveal, in any order and at any pace; the seed takes every salt, in
    // address order, however late and by whom the draw.
    for c in s.curators.iter().rev().filter(|c| **c != s.curators[3]) {
        reveal_own_entropy(&s, c);
        s.advance(50);
    }
    s.advance(1_000);
    let resp = s.staking().draw_committee(review).call(&s.stranger).unwrap();
    assert!(resp.events.iter().any(|e| e.ty == "wasm-attrib_committee_drawn"
        && e.attributes
            .iter()
            .any(|a| a.key == "fallback" && a.value == "false")));
    let r = s.review(review);
    let all: Vec<&[u8]> = salts.values().map(|v| v.as_slice()).collect();
    let expected = curation::committee_seed(review, tranche, 1, &all);
    assert_eq!(r.seed.to_vec(), expected.to_vec());
    assert!(
        !s.committee(review).contains(&contributor),
        "never on its own committee"
    );
    // Deadlines run from the draw.
    let now = s.app.block_info().time.seconds();
    assert_eq!(
        (r.commit_deadline, r.reveal_deadline),
        (now + COMMIT, now + COMMIT + REVEAL)
    );
}

/// `draw_reveals` is a floor: with only the commitments of c1 and c2 outstanding, two
/// salts draw; with one, only the admin's fallback can.
#[test]
fn draw_reveals_is_the_least_number_of_salts() {
    for holders in [2usize, 1] {
        let s = SuiteBuilder::default()
            .with_params(|p| p.draw_reveals = 2)
            .build();
        // The others reveal (and commit nothing new) before the review.
        for c in s.curators.iter().skip(1 + holders) {
            reveal_own_entropy(&s, c);
        }
        reveal_own_entropy(&s, &s.curators[0]);
        attrib_tests::next_block(&s.app);
        let (tranche, review) = s.submit_tranche(s.dataset_strict, 1);
        attrib_tests::next_block(&s.app);
        let holders: Vec<Addr> = s.curators[1..=holders].to_vec();
        let mut salts = vec![];
        for (i, c) in holders.iter().enumerate() {
            assert!(matches!(
                s.staking().draw_committee(review).call(&s.stranger).unwrap_err(),
                ContractError::EntropyNotAvailable { needed: 2, found, withheld, .. }
                    if found == i as u32 && withheld == (holders.len() - i) as u32
            ));
            let h = s.staking().entropy(c.to_string()).unwrap().commit.unwrap().height;
            let salt = attrib_tests::entropy_salt(c, h);
            s.staking().reveal_entropy(salt.clone()).call(c).unwrap();
            salts.push(salt);
        }
        if holders.len() == 2 {
            s.staking().draw_committee(review).call(&s.stranger).unwrap();
            let mut sorted: Vec<(Addr, HexBinary)> = holders.into_iter().zip(salts).collect();
            sorted.sort();
            let all: Vec<&[u8]> = sorted.iter().map(|(_, v)| v.as_slice()).collect();
            let expected = curation::committee_seed(review, tranche, 1, &all);
            assert_eq!(s.review(review).seed.to_vec(), expected.to_vec());
        } else {
            assert!(matches!(
                s.staking().draw_committee(review).call(&s.stranger).unwrap_err(),
                ContractError::EntropyNotAvailable {
                    needed: 2,
                    found: 1,
                    withheld: 0,
                    ..
                }
            ));
        }
    }
}

/// Attacker review (defect 8): the seed took the first `draw_reveals` salts revealed, so
/// whoever completed them — here the owner of c6 and c7, once c0's salt was out — chose
/// which of its salts to reveal, and so the committee. Every commitment outstanding at
/// the request now counts: the draw waits for both, and both choices end the same.
#[test]
fn a_curator_cannot_choose_among_its_sybils_salts() {
    let draw_after = |sybil: usize| {
        let s = SuiteBuilder::default()
            .with_params(|p| p.draw_reveals = 2)
            .build();
        let (_, review) = s.submit_tranche(s.dataset_strict, 1);
        attrib_tests::next_block(&s.app);
        reveal_own_entropy(&s, &s.curators[0]);
        reveal_own_entropy(&s, &s.curators[sybil]);
        let early = s.staking().draw_committee(review).call(&s.stranger);
        assert!(early.is_err(), "drawn before every commitment was revealed");
        reveal_all_before(&s, review);
        s.staking().draw_committee(review).call(&s.stranger).unwrap();
        s.review(review).seed
    };
    assert_eq!(draw_after(6), draw_after(7));
}

/// Attacker review (defect 6): the draw read at most 256 log entries from its request,
/// so a curator that revealed salts committed after the request filled the window and
/// pushed the honest salts out, forcing the admin's fallback. A draw now looks up each
/// candidate, whatever was revealed meanwhile.
#[test]
fn a_flood_of_reveals_cannot_push_the_salts_out() {
    let s = SuiteBuilder::default().build();
    let (_, review) = s.submit_tranche(s.dataset_strict, 1);
    let sybil = s.stranger.clone();
    s.staking()
        .stake(Role::Curator)
        .with_funds(&[coin(1_000, DENOM)])
        .call(&sybil)
        .unwrap();
    for _ in 0..260 {
        attrib_tests::commit_entropy(&s.app, &s.staking, &sybil);
        attrib_tests::next_block(&s.app);
        reveal_own_entropy(&s, &sybil);
    }
    reveal_all_before(&s, review);
    let resp = s.staking().draw_committee(review).call(&s.curators[0]).unwrap();
    assert!(resp.events.iter().any(|e| e.ty == "wasm-attrib_committee_drawn"
        && e.attributes
            .iter()
            .any(|a| a.key == "fallback" && a.value == "false")));
    s.assert_conserved();
}

#[test]
fn after_the_timeout_the_admin_draws_and_withheld_entropy_is_slashed() {
    let s = SuiteBuilder::default().build();
    let (tranche, review) = s.submit_tranche(s.dataset_strict, 1);
    // A curator who reveals in the request's block (too early to count) and commits
    // again withheld nothing that counted.
    let late = s.curators[7].clone();
    let h = s
        .staking()
        .entropy(late.to_string())
        .unwrap()
        .commit
        .unwrap()
        .height;
    s.staking()
        .reveal_entropy(attrib_tests::entropy_salt(&late, h))
        .call(&late)
        .unwrap();
    attrib_tests::commit_entropy(&s.app, &s.staking, &late);
    s.advance(599);
    assert!(matches!(
        s.staking().draw_committee(review).call(&s.admin).unwrap_err(),
        ContractError::EntropyNotAvailable { found: 0, .. }
    ));
    s.advance(1);
    let bonded: Vec<u128> = s.curators.iter().map(|c| s.bonded(c)).collect();
    let pool_before = s.balance(&s.pool);
    let resp = s.staking().draw_committee(review).call(&s.admin).unwrap();
    assert!(resp.events.iter().any(|e| e.ty == "wasm-attrib_committee_drawn"
        && e.attributes
            .iter()
            .any(|a| a.key == "fallback" && a.value == "true")));
    let r = s.review(review);
    assert_eq!((r.status, r.members.len()), (ReviewStatus::Voting, 3));
    // Curators 0-6 withheld a commitment made before the request: 1 % each, to the pool.
    let mut slashed = 0;
    for (i, c) in s.curators.iter().enumerate() {
        let due = if i == 7 { 0 } else { bonded[i] / 100 };
        assert_eq!(s.bonded(c), bonded[i] - due, "curator{i}");
        slashed += due;
        assert_eq!(
            s.staking().entropy(c.to_string()).unwrap().commit.is_some(),
            i == 7
        );
    }
    assert_eq!(s.balance(&s.pool), pool_before + slashed);
    // Attacker review (7): one pool message per withholder made the fallback's cost grow
    // with them. All of it goes in one.
    let inflows = resp
        .events
        .iter()
        .filter(|e| e.ty == "wasm-attrib_reward_inflow")
        .count();
    assert_eq!(inflows, 1, "one payment to the pool");
    s.assert_conserved();
    // The review goes on as any other.
    s.unanimous(review, Vote::Accept);
    s.finalize(review).unwrap();
    assert_eq!(s.tranche_status(tranche), TrancheStatus::Accepted);
    s.assert_conserved();
}

#[test]
fn disputes_and_redraws_wait_for_their_draw_too() {
    let s = SuiteBuilder::default().build();
    let (tranche, review) = s.register_strict_tranche(1);
    s.unanimous(review, Vote::Accept);
    s.finalize(review).unwrap();
    let dispute = s.challenge(tranche);
    assert_eq!(status(&s, dispute), ReviewStatus::Drawing);
    s.drawn(dispute);
    let r = s.review(dispute);
    assert_eq!(r.status, ReviewStatus::Voting);
    let acceptors = s.review(review).members.into_iter().map(|m| m.curator);
    for a in acceptors {
        assert!(
            !s.committee(dispute).contains(&a),
            "acceptors never judge the dispute"
        );
    }
}

/// Who sits on a committee, with what weight.
type Seats = Vec<(Addr, u128)>;

/// Who sits on `review` and with what weight.
fn seats(s: &Suite, review: u64) -> Seats {
    s.review(review)
        .members
        .into_iter()
        .map(|m| (m.curator, m.weight.u128()))
        .collect()
}

/// Draws `review` by hand: in the next block every commitment outstanding at its request
/// is revealed (by whoever holds it, staker or not any more), then a stranger draws. The
/// CLI's helper also commits afresh for every curator, which one who left cannot do.
fn draw_now(s: &Suite, review: u64) -> Seats {
    reveal_all_before(s, review);
    s.staking().draw_committee(review).call(&s.stranger).unwrap();
    seats(s, review)
}

/// In the next block, every curator (and the stranger) whose entropy commitment was made
/// before `review`'s draw request reveals it.
fn reveal_all_before(s: &Suite, review: u64) {
    let h = s.review(review).draw.unwrap().requested_height;
    attrib_tests::next_block(&s.app);
    for c in s.curators.iter().chain([&s.stranger]) {
        let held = s.staking().entropy(c.to_string()).unwrap().commit;
        if held.is_some_and(|e| e.height < h) {
            reveal_own_entropy(s, c);
        }
    }
}

/// Two identical suites with a review requested in each: `change` runs on the second
/// only, after the request and before the draw; then both draw from the same entropy.
/// Returns the committees (members and weights) of the untouched and the changed suite.
fn draw_with_and_without(change: impl Fn(&Suite, u64)) -> (Seats, Seats) {
    let draw = |with_change: bool| {
        let s = SuiteBuilder::default().build();
        let (_, review) = s.submit_tranche(s.dataset_strict, 1);
        assert_eq!(status(&s, review), ReviewStatus::Drawing);
        if with_change {
            change(&s, review);
        }
        draw_now(&s, review)
    };
    (draw(false), draw(true))
}

#[test]
fn stake_moved_after_the_request_does_not_steer_the_draw() {
    // Once the entropy is revealed the seed is known before anyone draws: a curator
    // who controls several stakers moves stake to pick who the known seed lands on.
    let (untouched, steered) = draw_with_and_without(|s, _| {
        // Big curators leave, small ones top up, a fresh sybil stakes past the cap, a
        // slasher takes most of another's stake.
        for c in [&s.curators[1], &s.curators[2]] {
            s.staking().unstake(s.bonded(c).into()).call(c).unwrap();
        }
        for c in [&s.curators[6], &s.curators[7]] {
            s.staking()
                .stake(Role::Curator)
                .with_funds(&[coin(50_000, DENOM)])
                .call(c)
                .unwrap();
        }
        s.staking()
            .stake(Role::Curator)
            .with_funds(&[coin(1_000_000, DENOM)])
            .call(&s.stranger)
            .unwrap();
    });
    assert_eq!(
        steered, untouched,
        "stake moved after the request changed the committee"
    );
}

#[test]
fn a_curator_who_left_after_the_request_is_still_drawn_from_its_stake_then() {
    // c1 leaves entirely (unbonds, claims, its record is gone) before the draw: the
    // draw still sees the candidates of the request.
    let (untouched, changed) = draw_with_and_without(|s, _| {
        let c1 = &s.curators[1];
        s.staking().unstake(s.bonded(c1).into()).call(c1).unwrap();
        s.advance(7 * DAY + 1);
        s.staking().claim_unbonded().call(c1).unwrap();
        assert!(s.staking().staker(c1.to_string()).unwrap().staker.is_none());
    });
    assert_eq!(changed, untouched);
}

#[test]
fn stake_made_in_the_request_block_does_not_count() {
    // A sybil that stakes in the block of the request, ahead of it, is not a candidate.
    let s = SuiteBuilder::default().build();
    let t = || attrib_tests::TrancheArgs {
        dataset_id: s.dataset_strict,
        content_root: HexBinary::from([1u8; 32]),
        record_count: 100,
        byte_size: 1_000,
        metadata_uri: "ipfs://t",
    };
    attrib_tests::commit_tranche(&s.app, &s.registry, &s.contributor, &t(), &[]).unwrap();
    attrib_tests::next_block(&s.app);
    s.staking()
        .stake(Role::Curator)
        .with_funds(&[coin(1_000_000, DENOM)])
        .call(&s.stranger)
        .unwrap();
    attrib_tests::reveal_tranche(&s.app, &s.registry, &s.contributor, t()).unwrap();
    let review = s.staking().open_review_of(1).unwrap().review_id.unwrap();
    assert_eq!(
        s.review(review).draw.unwrap().requested_height,
        s.app.block_info().height
    );
    let with_sybil = draw_now(&s, review);
    let without = {
        let s = SuiteBuilder::default().build();
        let (_, review) = s.submit_tranche(s.dataset_strict, 1);
        draw_now(&s, review)
    };
    assert_eq!(with_sybil, without);
}

#[test]
fn params_changed_after_the_request_do_not_change_the_draw() {
    let (untouched, changed) = draw_with_and_without(|s, _| {
        let mut p = s.staking().config().unwrap().config.params;
        p.committee_size = 5;
        p.dispute_committee_size = 5;
        p.max_weight_bps = 10_000;
        p.min_stake = 9_000u128.into();
        p.draw_reveals = 2;
        s.staking().update_params(p).call(&s.admin).unwrap();
    });
    assert_eq!(changed, untouched, "a param update changed a requested draw");
}

#[test]
fn the_draw_timeout_is_the_one_of_the_request() {
    let s = SuiteBuilder::default().build();
    let (_, review) = s.submit_tranche(s.dataset_strict, 1);
    let requested_at = s.app.block_info().time.seconds();
    let set_timeout = |secs: u64| {
        let mut p = s.staking().config().unwrap().config.params;
        p.draw_timeout_secs = secs;
        s.staking().update_params(p).call(&s.admin).unwrap();
    };
    // Shortened after the request: the admin still waits the 600 s of the request.
    set_timeout(1);
    s.advance(2);
    assert_eq!(
        s.staking().draw_committee(review).call(&s.admin).unwrap_err(),
        ContractError::EntropyNotAvailable {
            review_id: review,
            requested_height: s.review(review).draw.unwrap().requested_height,
            needed: 1,
            found: 0,
            withheld: 8,
            fallback_after: requested_at + 600,
        }
    );
    // Lengthened after the request: the fallback opens at the 600 s of the request.
    set_timeout(3 * DAY);
    s.advance(598);
    s.staking().draw_committee(review).call(&s.admin).unwrap();
    assert_eq!(status(&s, review), ReviewStatus::Voting);
}

/// Attacker review: a pause counted toward the draw timeout, so the admin could pause
/// through it and then draw the fallback at once — from block data, slashing the curators
/// whose entropy was due. The timeout now waits out every pause since the request (on the
/// old code the fallback drew right after the resume).
#[test]
fn a_pause_does_not_hurry_the_admin_fallback() {
    let s = SuiteBuilder::default().build();
    let (_, review) = s.submit_tranche(s.dataset_strict, 1);
    let requested_at = s.app.block_info().time.seconds();
    s.advance(100);
    s.staking().set_paused(true).call(&s.admin).unwrap();
    s.advance(600);
    s.staking().set_paused(false).call(&s.admin).unwrap();
    // 700 s after the request, 100 of them unpaused: the fallback opens at 600 + 600.
    s.assert_refused(
        ContractError::EntropyNotAvailable {
            review_id: review,
            requested_height: s.review(review).draw.unwrap().requested_height,
            needed: 1,
            found: 0,
            withheld: 8,
            fallback_after: requested_at + 600 + 600,
        },
        |s| s.staking().draw_committee(review).call(&s.admin),
    );
    s.advance(500);
    s.staking().draw_committee(review).call(&s.admin).unwrap();
    assert_eq!(status(&s, review), ReviewStatus::Voting);
    s.assert_conserved();
}

/// Review finding: a draw requested during a pause (a challenge is taken while paused)
/// read the pause clock without the pause under way, so its fallback waited for the part
/// of the pause before the request too. It waits exactly the pausing after the request.
#[test]
fn a_draw_requested_during_a_pause_waits_only_the_rest_of_it() {
    let s = SuiteBuilder::default().build();
    let (tranche, _) = s.submit_tranche(s.dataset_optimistic, 5);
    s.staking().set_paused(true).call(&s.admin).unwrap();
    s.advance(300);
    let resp = s
        .staking()
        .challenge(tranche, HexBinary::from([9u8; 32]), "ipfs://evidence".into())
        .with_funds(&[coin(BOND, DENOM)])
        .call(&s.challenger)
        .unwrap();
    let review: u64 = cosmwasm_std::from_json(resp.data.unwrap()).unwrap();
    let requested_at = s.app.block_info().time.seconds();
    s.advance(300);
    s.staking().set_paused(false).call(&s.admin).unwrap();
    let req = s.review(review).draw.unwrap();
    s.assert_refused(
        ContractError::EntropyNotAvailable {
            review_id: review,
            requested_height: req.requested_height,
            needed: 1,
            found: 0,
            withheld: 8,
            // The 600 s timeout plus the 300 s the pause lasted after the request.
            fallback_after: requested_at + 600 + 300,
        },
        |s| s.staking().draw_committee(review).call(&s.admin),
    );
}

/// Review finding: revoking the oracle's right to slash (`set_slasher false`) and then
/// re-stating the same oracle with `set_peers` gave the right back at once, skipping the
/// announcement. Re-stating the oracle it has now changes nothing.
#[test]
fn a_revoked_oracle_is_not_re_granted_by_restating_it() {
    use attrib_std::interfaces::slashing_service::sv::mt::SlashingServiceProxy as _;
    use attrib_std::interfaces::wiring::sv::mt::WiringProxy as _;
    use attrib_std::interfaces::wiring::Peers;
    let s = SuiteBuilder::default().build();
    let oracle = s.registry.clone(); // a contract standing in for the oracle
    let peers = Peers {
        receipt_oracle: Some(oracle.to_string()),
        ..Default::default()
    };
    announce_oracle(&s, &oracle);
    s.staking()
        .set_slasher(oracle.to_string(), false)
        .call(&s.admin)
        .unwrap();
    s.staking().set_peers(peers).call(&s.admin).unwrap();
    let c0 = s.curators[0].to_string();
    s.assert_refused(
        ContractError::NotSlasher {
            sender: oracle.to_string(),
        },
        |s| {
            s.staking()
                .slash(
                    c0.clone(),
                    Some(cosmwasm_std::Uint128::new(1)),
                    None,
                    "fraud".into(),
                    None,
                )
                .call(&oracle)
        },
    );
}

#[test]
fn migrate_starts_the_stake_history_of_a_contract_from_before() {
    let suite = SuiteBuilder::default().build();
    let (code, staking) = suite.migratable_staking();
    let (curator, operator) = (&suite.curators[0], &suite.operator);
    for (who, role) in [(curator, Role::Curator), (operator, Role::Operator)] {
        staking
            .stake(role)
            .with_funds(&[coin(500, DENOM)])
            .call(who)
            .unwrap();
    }
    // The raw key of a curator's stake at the end of this block (`stake_history`).
    let height = suite.app.block_info().height;
    let key = |who: &Addr| {
        let len = (who.as_str().len() as u16).to_be_bytes();
        [
            &[0u8, 13][..],
            b"stake_history",
            &len,
            who.as_bytes(),
            &height.to_be_bytes(),
        ]
        .concat()
    };
    let history = |who: &Addr| -> Option<cosmwasm_std::Uint128> {
        suite
            .app
            .app()
            .wrap()
            .query_wasm_raw(staking.contract_addr.to_string(), key(who))
            .unwrap()
            .map(|v| cosmwasm_std::from_json(v).unwrap())
    };
    assert_eq!(history(curator), Some(500u128.into()));
    // A contract from before kept no history.
    suite
        .app
        .app_mut()
        .contract_storage_mut(&staking.contract_addr)
        .remove(&key(curator));
    assert_eq!(history(curator), None);
    staking.migrate().call(&suite.admin, code.code_id()).unwrap();
    assert_eq!(history(curator), Some(500u128.into()));
    assert_eq!(history(operator), None, "operators are never drawn");
}

/// `who` reveals the entropy commitment it holds (made by the test helpers).
fn reveal_own_entropy(s: &Suite, who: &Addr) {
    let height = s
        .staking()
        .entropy(who.to_string())
        .unwrap()
        .commit
        .unwrap()
        .height;
    s.staking()
        .reveal_entropy(attrib_tests::entropy_salt(who, height))
        .call(who)
        .unwrap();
}

/// Attacker review of the fix above: two draws pending, the attacker (c7) withholds from
/// both. The fallback of the first dropped its commitment, after which anyone drew the
/// second from the honest salts alone — a seed the attacker had chosen over the one with
/// its salt. A forfeited commitment still stalls every draw it was due for: each waits
/// for its own fallback, and the withholder is slashed once.
#[test]
fn a_forfeited_commitment_still_stalls_the_draws_it_was_due_for() {
    let s = SuiteBuilder::default().build();
    let (_, a) = s.submit_tranche(s.dataset_strict, 1);
    s.advance(300);
    attrib_tests::next_block(&s.app);
    let (_, b) = s.submit_tranche(s.dataset_strict, 2);
    attrib_tests::next_block(&s.app);
    let attacker = s.curators[7].clone();
    for c in s.curators.iter().filter(|c| **c != attacker) {
        reveal_own_entropy(&s, c);
    }
    s.advance(300);
    let stake = s.bonded(&attacker);
    let resp = s.staking().draw_committee(a).call(&s.admin).unwrap();
    assert!(resp.events.iter().any(|e| e.ty == "wasm-attrib_committee_drawn"
        && e.attributes
            .iter()
            .any(|a| a.key == "fallback" && a.value == "true")));
    assert_eq!(s.bonded(&attacker), stake - stake / 100);
    // B still waits for the forfeited commitment: not drawn from the honest salts.
    assert!(matches!(
        s.staking().draw_committee(b).call(&s.stranger).unwrap_err(),
        ContractError::EntropyNotAvailable {
            found: 7,
            withheld: 1,
            ..
        }
    ));
    assert_eq!(
        s.staking().draw_status(b).unwrap().withheld,
        vec![attacker.clone()]
    );
    // Its own fallback, later: no second slash.
    s.advance(300);
    let resp = s.staking().draw_committee(b).call(&s.admin).unwrap();
    assert!(resp.events.iter().any(|e| e.ty == "wasm-attrib_committee_drawn"
        && e.attributes
            .iter()
            .any(|a| a.key == "fallback" && a.value == "true")));
    assert_eq!(s.bonded(&attacker), stake - stake / 100);
    s.assert_conserved();
}

/// Re-review: B's fallback forfeits (and slashes) whatever commitment the withholder holds
/// NOW, even one made after A's fallback that B never counted.
#[test]
fn a_second_fallback_never_takes_a_fresh_commitment() {
    let s = SuiteBuilder::default().build();
    let (_, a) = s.submit_tranche(s.dataset_strict, 1);
    s.advance(300);
    attrib_tests::next_block(&s.app);
    let (_, b) = s.submit_tranche(s.dataset_strict, 2);
    attrib_tests::next_block(&s.app);
    let attacker = s.curators[7].clone();
    for c in s.curators.iter().filter(|c| **c != attacker) {
        reveal_own_entropy(&s, c);
    }
    s.advance(300);
    let stake = s.bonded(&attacker);
    s.staking().draw_committee(a).call(&s.admin).unwrap();
    assert_eq!(s.bonded(&attacker), stake - stake / 100);
    // The withholder commits afresh (for future draws).
    attrib_tests::next_block(&s.app);
    attrib_tests::commit_entropy(&s.app, &s.staking, &attacker);
    let fresh = s
        .staking()
        .entropy(attacker.to_string())
        .unwrap()
        .commit
        .unwrap()
        .height;
    s.advance(300);
    let after_first = s.bonded(&attacker);
    s.staking().draw_committee(b).call(&s.admin).unwrap();
    println!(
        "after A: {after_first}, after B: {}, fresh commit (h {fresh}) still held: {:?}",
        s.bonded(&attacker),
        s.staking().entropy(attacker.to_string()).unwrap().commit
    );
    assert_eq!(
        s.bonded(&attacker),
        after_first,
        "slashed twice for one withheld commitment"
    );
}

/// Re-review: the second fallback in the same block, after a fresh commitment, overwrites
/// the forfeit marker (same key) with the fresh commitment's height: a third draw the
/// withheld commitment was due for no longer waits for it.
#[test]
fn a_forfeit_made_in_the_same_block_cannot_free_a_third_draw() {
    let s = SuiteBuilder::default().build();
    let (_, a) = s.submit_tranche(s.dataset_strict, 1);
    attrib_tests::next_block(&s.app);
    let (_, b) = s.submit_tranche(s.dataset_strict, 2);
    attrib_tests::next_block(&s.app);
    let (_, c) = s.submit_tranche(s.dataset_strict, 3);
    attrib_tests::next_block(&s.app);
    let attacker = s.curators[7].clone();
    for x in s.curators.iter().filter(|x| **x != attacker) {
        reveal_own_entropy(&s, x);
    }
    s.advance(600);
    s.staking().draw_committee(a).call(&s.admin).unwrap();
    attrib_tests::commit_entropy(&s.app, &s.staking, &attacker);
    s.staking().draw_committee(b).call(&s.admin).unwrap();
    let st = s.staking().draw_status(c).unwrap();
    println!("C withheld after the overwrite: {:?}", st.withheld);
    assert!(
        s.staking().draw_committee(c).call(&s.stranger).is_err(),
        "C drawn by a stranger without the withheld salt"
    );
}
