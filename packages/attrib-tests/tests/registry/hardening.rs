//! Issue 14, items 3 and 9: a copied content root cannot steal a tranche or burn the
//! honest contributor's bond, and a tranche's share weight cannot be self-declared.

use attrib_registry::contract::sv::mt::RegistryContractProxy;
use attrib_registry::error::ContractError;
use attrib_registry::msg::TrancheRegistration;
use attrib_std::content::{self, CountStep};
use attrib_std::events::{self, attr};
use attrib_std::interfaces::license_registry::sv::mt::LicenseRegistryProxy as _;
use attrib_std::receipts::ProofError;
use attrib_std::registry::{DatasetId, ReviewOutcome, TrancheStatus, VerificationTier};
use attrib_std::validation::ValidationError;
use cosmwasm_std::{coin, from_json, Addr, HexBinary, Uint128};
use cw_multi_test::AppResponse;

use crate::suite::*;

fn args(dataset: u64, root: HexBinary, records: u64) -> TrancheArgs<'static> {
    TrancheArgs {
        dataset_id: dataset,
        content_root: root,
        record_count: records,
        byte_size: records,
        metadata_uri: "ipfs://t",
    }
}

fn bond() -> [cosmwasm_std::Coin; 1] {
    [coin(TRANCHE_BOND, DENOM)]
}

fn commit(suite: &Suite, who: &Addr, t: &TrancheArgs) {
    attrib_tests::commit_tranche(&suite.app, &suite.registry, who, t, &bond()).unwrap();
}

fn reveal(suite: &Suite, who: &Addr, t: TrancheArgs) -> Result<AppResponse, ContractError> {
    attrib_tests::reveal_tranche(&suite.app, &suite.registry, who, t)
}

fn next_block(suite: &Suite) {
    suite.app.update_block(|b| b.height += 1);
}

/// A contract event as multi-test reports it.
fn wasm_event(ty: &str) -> cosmwasm_std::Event {
    cosmwasm_std::Event::new(format!("wasm-{ty}"))
}

fn registration(resp: AppResponse) -> TrancheRegistration {
    from_json(resp.data.unwrap()).unwrap()
}

/// A copier who sees Alice's reveal in the mempool registers her root first in a
/// dataset of its own. Alice must still get the tranche and keep her bond. (Before the
/// fix, with one-step registration, the copier got the tranche and Alice's bond was
/// forfeited.)
#[test]
fn a_copied_root_neither_steals_the_tranche_nor_burns_the_honest_bond() {
    let suite = SuiteBuilder::default().build();
    let a = &suite.actors;
    let honest = suite.register_dataset(VerificationTier::Optimistic);
    let copiers = suite.register_dataset(VerificationTier::Optimistic);
    let alice_before = suite.balance(&a.alice, DENOM);

    commit(&suite, &a.alice, &args(honest, root(60), 1_000));
    next_block(&suite);
    // Alice's reveal is in the mempool; the copier commits and reveals her root in the
    // same block, ahead of her: its commitment is not from an earlier block.
    commit(&suite, &a.spammer, &args(copiers, root(60), 1_000));
    let height = suite.app.block_info().height;
    suite.assert_refused(
        ContractError::RevealTooEarly {
            committed_at: height,
            height,
        },
        |s| reveal(s, &s.actors.spammer, args(copiers, root(60), 1_000)),
    );
    let id = registration(reveal(&suite, &a.alice, args(honest, root(60), 1_000)).unwrap())
        .tranche_id
        .unwrap();

    let owner = suite.registry().content_root(root(60)).unwrap().tranche_id;
    let owner = owner.map(|id| suite.tranche(id));
    assert_eq!(
        owner.as_ref().map(|t| (&t.contributor, t.dataset_id)),
        Some((&a.alice, honest)),
        "the root must be Alice's tranche in her dataset"
    );
    // Alice's bond is held for her tranche, not forfeited.
    assert_eq!(suite.balance(&a.alice, DENOM), alice_before - TRANCHE_BOND);
    assert_eq!(owner.unwrap().bond_held, Some(coin(TRANCHE_BOND, DENOM)));

    // A block later the copier's reveal is a plain duplicate: its own bond goes.
    next_block(&suite);
    let spammer_before = suite.balance(&a.spammer, DENOM);
    let dup = registration(reveal(&suite, &a.spammer, args(copiers, root(60), 1_000)).unwrap());
    assert_eq!((dup.tranche_id, dup.duplicate_of), (None, Some(id)));
    assert_eq!(suite.balance(&a.spammer, DENOM), spammer_before);
    assert_eq!(suite.tranche(id).bond_held, Some(coin(TRANCHE_BOND, DENOM)));
    assert!(suite
        .registry()
        .tranche_commitments(a.spammer.to_string())
        .unwrap()
        .commitments
        .is_empty());
    suite.assert_bonds_backed();
    suite.assert_conserved();
}

/// A duplicate forfeits only the duplicating caller's bond, never the first
/// registrant's, in either order.
#[test]
fn a_duplicate_forfeits_only_the_duplicating_callers_bond() {
    for alice_first in [true, false] {
        let suite = SuiteBuilder::default().build();
        let a = &suite.actors;
        let d = suite.register_dataset(VerificationTier::Optimistic);
        let (first, second) = if alice_first {
            (&a.alice, &a.bob)
        } else {
            (&a.bob, &a.alice)
        };
        let (first_before, second_before) = (suite.balance(first, DENOM), suite.balance(second, DENOM));
        let pool_before = suite.balance(&a.pool, DENOM);
        let original = suite.try_register_tranche(first, d, root(63), 10).unwrap();
        let original = registration(original).tranche_id.unwrap();
        let dup = registration(suite.try_register_tranche(second, d, root(63), 10).unwrap());
        assert_eq!((dup.tranche_id, dup.duplicate_of), (None, Some(original)));
        assert_eq!(suite.balance(first, DENOM), first_before - TRANCHE_BOND);
        assert_eq!(suite.balance(second, DENOM), second_before - TRANCHE_BOND);
        assert_eq!(suite.balance(&a.pool, DENOM), pool_before + TRANCHE_BOND);
        let t = suite.tranche(original);
        assert_eq!(
            (&t.contributor, t.bond_held),
            (first, Some(coin(TRANCHE_BOND, DENOM)))
        );
        // The first registrant's bond comes back on acceptance.
        suite.advance(WINDOW);
        suite
            .registry()
            .accept_unchallenged(original)
            .call(&a.stranger)
            .unwrap();
        assert_eq!(suite.balance(first, DENOM), first_before);
        suite.assert_bonds_backed();
        suite.assert_conserved();
    }
}

/// Commitments hold the bond; an expired one can no longer be revealed and its
/// committer takes the bond back (the stated rule: expiry returns, never forfeits).
#[test]
fn an_expired_commitment_returns_its_bond_to_the_committer() {
    let suite = SuiteBuilder::default().build();
    let a = &suite.actors;
    let d = suite.register_dataset(VerificationTier::Optimistic);
    let before = suite.balance(&a.carol, DENOM);
    commit(&suite, &a.carol, &args(d, root(64), 5));
    assert_eq!(suite.balance(&a.carol, DENOM), before - TRANCHE_BOND);
    let open = suite.registry().tranche_commitments(a.carol.to_string()).unwrap();
    assert_eq!(open.commitments.len(), 1);
    assert_eq!(open.commitments[0].bond, Some(coin(TRANCHE_BOND, DENOM)));
    suite.assert_bonds_backed();
    // Revealable up to the end of the window, not after.
    suite.advance(content::REVEAL_WINDOW_SECS + 1);
    let now = suite.now();
    suite.assert_refused(
        ContractError::CommitmentExpired {
            expired_at: now - 1,
            now,
        },
        |s| reveal(s, &s.actors.carol, args(d, root(64), 5)),
    );
    let resp = suite
        .registry()
        .withdraw_tranche_commitment(open.commitments[0].commitment.clone())
        .call(&a.carol)
        .unwrap();
    assert!(resp.has_event(
        &wasm_event(events::TRANCHE_COMMITMENT_WITHDRAWN)
            .add_attribute(attr::CONTRIBUTOR, a.carol.as_str())
            .add_attribute(attr::COMMITMENT, open.commitments[0].commitment.to_hex())
    ));
    assert_eq!(suite.balance(&a.carol, DENOM), before);
    suite.assert_bonds_backed();
    suite.assert_conserved();
}

/// An optimistic tranche declaring u64::MAX records, unchallenged, must not take its
/// version's rewards from an honest 100-record tranche.
#[test]
fn a_self_declared_record_count_cannot_take_a_version() {
    let suite = SuiteBuilder::default().build();
    let a = &suite.actors;
    let d = suite.register_dataset(VerificationTier::Optimistic);
    let mut ids = vec![suite.register_tranche(&a.alice, d, 61, 100).tranche_id.unwrap()];
    // The inflated tranche: registered only if the registry lets it through.
    match suite.try_register_tranche(&a.spammer, d, root(62), u64::MAX) {
        Ok(resp) => ids.extend(registration(resp).tranche_id),
        Err(e) => assert_eq!(
            e,
            ContractError::RecordCountTooLarge {
                record_count: u64::MAX,
                max: content::MAX_RECORD_COUNT
            }
        ),
    }
    suite.advance(WINDOW + 1);
    for id in &ids {
        suite
            .registry()
            .accept_unchallenged(*id)
            .call(&a.stranger)
            .unwrap();
    }
    suite.seal(d, ids).unwrap();
    let w = suite.registry().version_weights(d, 1, None, None).unwrap();
    let alice = w
        .weights
        .iter()
        .find(|cw| cw.contributor == a.alice.as_str())
        .map(|cw| cw.weight)
        .unwrap_or_default();
    assert_eq!(
        (alice, w.total_weight),
        (Uint128::new(100), Uint128::new(100)),
        "Alice's 100 honest records must hold the whole version"
    );
    suite.assert_bonds_backed();
    suite.assert_conserved();
}

/// A count within the protocol's ceiling is still bounded by what the dataset's maintainer
/// declared plausible (default 2^24), and a byte size never exceeds 1 PiB: at 2^40
/// records the old per-record bound saturated to u64::MAX and let any size through.
#[test]
fn a_tranche_declares_at_most_what_its_dataset_makes_plausible() {
    let suite = SuiteBuilder::default().build();
    let a = &suite.actors;
    let d = suite.register_dataset(VerificationTier::Optimistic);
    let dataset = suite.registry().dataset(d).unwrap().dataset;
    assert_eq!(dataset.max_tranche_records, content::DEFAULT_MAX_TRANCHE_RECORDS);
    let big = content::DEFAULT_MAX_TRANCHE_RECORDS + 1;
    commit(&suite, &a.spammer, &args(d, root(70), big));
    next_block(&suite);
    suite.assert_refused(
        ContractError::RecordCountTooLarge {
            record_count: big,
            max: content::DEFAULT_MAX_TRANCHE_RECORDS,
        },
        |s| reveal(s, &s.actors.spammer, args(d, root(70), big)),
    );
    // The maintainer's bound: 1 to 2^40, else refused and nothing registered.
    for bad in [0, content::MAX_RECORD_COUNT + 1] {
        let mut new = suite.new_dataset(VerificationTier::Optimistic);
        new.max_tranche_records = Some(bad);
        suite.assert_refused(
            ContractError::Validation(ValidationError::OutOfRange {
                field: "max_tranche_records",
                value: bad as u128,
                min: 1,
                max: content::MAX_RECORD_COUNT as u128,
            }),
            |s| s.try_register_dataset(new),
        );
    }
    // A dataset that allows the ceiling still caps the bytes.
    let mut new = suite.new_dataset(VerificationTier::Optimistic);
    new.max_tranche_records = Some(content::MAX_RECORD_COUNT);
    let huge: DatasetId = from_json(suite.try_register_dataset(new).unwrap().data.unwrap()).unwrap();
    let lie = TrancheArgs {
        byte_size: u64::MAX,
        ..args(huge, root(71), content::MAX_RECORD_COUNT)
    };
    commit(&suite, &a.spammer, &lie);
    next_block(&suite);
    suite.assert_refused(
        ContractError::ByteSizeTooLarge {
            byte_size: u64::MAX,
            max: content::MAX_BYTE_SIZE,
        },
        |s| reveal(s, &s.actors.spammer, lie.clone()),
    );
    // Within both bounds: registered.
    let fair = TrancheArgs {
        byte_size: content::MAX_BYTE_SIZE,
        ..args(huge, root(71), content::MAX_RECORD_COUNT)
    };
    commit(&suite, &a.carol, &fair);
    next_block(&suite);
    reveal(&suite, &a.carol, fair).unwrap();
    suite.assert_bonds_backed();
    suite.assert_conserved();
}

/// A pause must not eat a challenge window: while the registry is paused nobody can prove
/// a count wrong (and challenges wait for a draw), so a window open when the pause began
/// is pushed back by the pause's length. On the old code the tranche was accepted as soon as the
/// pause ended, unchallengeable. A tranche registered after the pause is not delayed.
#[test]
fn a_pause_pushes_back_the_challenge_windows_it_overlaps() {
    let suite = SuiteBuilder::default().build();
    let a = &suite.actors;
    let d = suite.register_dataset(VerificationTier::Optimistic);
    let id = suite.register_tranche(&a.alice, d, 81, 10).tranche_id.unwrap();
    let deadline = challenge_deadline(&suite, id);
    suite.advance(WINDOW / 2);
    pause_for(&suite, 2 * WINDOW);
    let (ends_at, now) = (deadline + 2 * WINDOW, suite.now());
    assert!(now > deadline, "the original window is over");
    let accept = |s: &Suite, id| s.registry().accept_unchallenged(id).call(&s.actors.stranger);
    suite.assert_refused(
        ContractError::ChallengeWindowOpen {
            tranche_id: id,
            ends_at,
            now,
        },
        |s| accept(s, id),
    );
    // Registered after the pause: its own window, unchanged.
    let later = suite.register_tranche(&a.bob, d, 82, 10).tranche_id.unwrap();
    let later_deadline = suite
        .registry()
        .tranche(later)
        .unwrap()
        .tranche
        .challenge_deadline
        .unwrap();
    suite.advance(ends_at - suite.now());
    accept(&suite, id).unwrap();
    suite.advance(later_deadline - suite.now());
    accept(&suite, later).unwrap();
    assert_eq!(
        suite.registry().tranche(later).unwrap().tranche.status,
        TrancheStatus::Accepted
    );
    suite.assert_bonds_backed();
    suite.assert_conserved();
}

/// Records whose content root the registry will hold.
fn records(tag: &str, n: usize) -> Vec<Vec<u8>> {
    (0..n).map(|i| format!("{tag}-{i}").into_bytes()).collect()
}

fn root_of(rs: &[Vec<u8>]) -> HexBinary {
    HexBinary::from(
        content::content_root(rs.iter().map(Vec::as_slice))
            .unwrap()
            .to_vec(),
    )
}

fn proof_of(rs: &[Vec<u8>], declared: u64) -> Vec<CountStep> {
    let slices: Vec<&[u8]> = rs.iter().map(Vec::as_slice).collect();
    content::count_proof(&slices, declared).unwrap()
}

fn prove(s: &Suite, id: u64, proof: Vec<CountStep>) -> Result<AppResponse, ContractError> {
    s.registry()
        .prove_record_count(id, proof)
        .call(&s.actors.stranger)
}

/// Within the bounds a count can still be inflated: 3 records declared as 1 000 000.
/// Anyone holding the records proves it: a pending tranche is rejected (its bond split
/// between the prover and the pool), an accepted one revoked.
#[test]
fn a_wrong_record_count_is_proved_and_the_tranche_rejected_or_revoked() {
    let suite = SuiteBuilder::default().build();
    let a = &suite.actors;
    let d = suite.register_dataset(VerificationTier::Optimistic);
    let (honest, inflated, later) = (records("alice", 4), records("spam", 3), records("late", 2));
    let alice = registration(
        suite
            .try_register_tranche(&a.alice, d, root_of(&honest), 4)
            .unwrap(),
    )
    .tranche_id
    .unwrap();
    let pending = registration(
        suite
            .try_register_tranche(&a.spammer, d, root_of(&inflated), 1_000_000)
            .unwrap(),
    )
    .tranche_id
    .unwrap();

    // An honest count cannot be disproved; a proof that does not open the root is refused.
    suite.assert_refused(
        ContractError::CountProof(ProofError::NoFraud {
            reason: "the node's children add up to it",
        }),
        |s| prove(s, alice, proof_of(&honest, 5)),
    );
    suite.assert_refused(ContractError::CountProof(ProofError::RootMismatch), |s| {
        prove(s, pending, proof_of(&honest, 5))
    });
    suite.assert_refused(ContractError::CountProof(ProofError::WrongPathLength), |s| {
        prove(s, pending, vec![])
    });
    suite.assert_refused(ContractError::TrancheNotFound { id: 99 }, |s| {
        prove(s, 99, proof_of(&inflated, 1_000_000))
    });

    // Pending: rejected, bond split.
    let (stranger, pool) = (suite.balance(&a.stranger, DENOM), suite.balance(&a.pool, DENOM));
    let resp = prove(&suite, pending, proof_of(&inflated, 1_000_000)).unwrap();
    assert!(resp.has_event(
        &wasm_event(events::TRANCHE_COUNT_DISPROVED)
            .add_attribute(attr::TRANCHE_ID, pending.to_string())
            .add_attribute(attr::PROVER, a.stranger.as_str())
            .add_attribute(attr::RECORD_COUNT, "1000000")
            .add_attribute(attr::PROVEN_COUNT, "3")
            .add_attribute(attr::STATUS, "rejected")
    ));
    let t = suite.tranche(pending);
    assert_eq!((t.status, t.bond_held), (TrancheStatus::Rejected, None));
    let to_prover = TRANCHE_BOND * content::PROVER_SHARE_BPS / 10_000;
    assert_eq!(suite.balance(&a.stranger, DENOM), stranger + to_prover);
    assert_eq!(suite.balance(&a.pool, DENOM), pool + TRANCHE_BOND - to_prover);
    // Decided: nothing more to prove.
    suite.assert_refused(
        ContractError::WrongTrancheStatus {
            tranche_id: pending,
            status: TrancheStatus::Rejected,
            expected: TrancheStatus::Accepted,
        },
        |s| prove(s, pending, proof_of(&inflated, 1_000_000)),
    );

    // Accepted and sealed (nobody challenged in time): revoked, its weight clawed back.
    let accepted = registration(suite.try_register_tranche(&a.bob, d, root_of(&later), 7).unwrap())
        .tranche_id
        .unwrap();
    suite.advance(WINDOW + 1);
    for id in [alice, accepted] {
        suite
            .registry()
            .accept_unchallenged(id)
            .call(&a.stranger)
            .unwrap();
    }
    suite.seal(d, vec![alice, accepted]).unwrap();
    let resp = prove(&suite, accepted, proof_of(&later, 7)).unwrap();
    assert!(resp.has_event(
        &wasm_event(events::TRANCHE_REVOKED)
            .add_attribute(attr::TRANCHE_ID, accepted.to_string())
            .add_attribute(attr::DATASET_ID, d.to_string())
            .add_attribute(attr::WEIGHT, "7")
    ));
    assert!(resp.has_event(
        &wasm_event(events::TRANCHE_COUNT_DISPROVED)
            .add_attribute(attr::TRANCHE_ID, accepted.to_string())
            .add_attribute(attr::PROVER, a.stranger.as_str())
            .add_attribute(attr::RECORD_COUNT, "7")
            .add_attribute(attr::PROVEN_COUNT, "2")
            .add_attribute(attr::STATUS, "revoked")
    ));
    assert_eq!(suite.tranche(accepted).status, TrancheStatus::Revoked);
    // A dispute upheld afterwards (curator staking's report) still goes through.
    suite.decide(accepted, ReviewOutcome::Revoke {}).unwrap();
    assert_eq!(suite.tranche(accepted).status, TrancheStatus::Revoked);
    assert_eq!(suite.stats().revoked, 1);
    suite.assert_bonds_backed();
    suite.assert_conserved();
}

/// Under review the committee decides first (the proof would leave its review hanging);
/// a single-record tranche is disproved by its one leaf.
#[test]
fn a_count_proof_waits_for_the_review_and_opens_a_single_leaf() {
    let suite = SuiteBuilder::default().build();
    let a = &suite.actors;
    let d = suite.register_dataset(VerificationTier::Strict);
    let one = records("one", 1);
    let id = registration(
        suite
            .try_register_tranche(&a.carol, d, root_of(&one), 40)
            .unwrap(),
    )
    .tranche_id
    .unwrap();
    suite.assert_refused(ContractError::CountProofDuringReview { tranche_id: id }, |s| {
        prove(s, id, proof_of(&one, 40))
    });
    suite
        .decide(
            id,
            ReviewOutcome::Accept {
                accepted_records: None,
            },
        )
        .unwrap();
    suite.assert_refused(
        ContractError::Funds(attrib_std::funds::FundsError::Unexpected {
            sent: vec![coin(1, DENOM)],
        }),
        |s| {
            s.registry()
                .prove_record_count(id, proof_of(&one, 40))
                .with_funds(&[coin(1, DENOM)])
                .call(&s.actors.stranger)
        },
    );
    prove(&suite, id, proof_of(&one, 40)).unwrap();
    assert_eq!(suite.tranche(id).status, TrancheStatus::Revoked);
    suite.assert_bonds_backed();
    suite.assert_conserved();
}

/// Review finding: only the last 8 pauses are kept, whatever their age (the window may be
/// up to a year, not 30 days). The admin pauses during a tranche's window for a long
/// time, then pauses and unpauses 8 times in a row: the long pause is evicted and the
/// window shrinks back to its original deadline, so the tranche is accepted having been
/// challengeable (and provable) for only half of its window.
#[test]
fn evicting_an_old_pause_must_not_shorten_a_window() {
    let suite = SuiteBuilder::default().build();
    let a = &suite.actors;
    let d = suite.register_dataset(VerificationTier::Optimistic);
    let id = suite.register_tranche(&a.alice, d, 91, 10).tranche_id.unwrap();
    let deadline = challenge_deadline(&suite, id);
    suite.advance(WINDOW / 2);
    pause_for(&suite, 2 * WINDOW);
    let ends_at = deadline + 2 * WINDOW;
    // Eight short pauses push the long one out of the record.
    for _ in 0..8 {
        suite.advance(1);
        pause_for(&suite, 1);
    }
    assert!(suite.now() < ends_at, "still inside the pushed-back window");
    let accepted = suite.registry().accept_unchallenged(id).call(&a.stranger);
    assert!(
        accepted.is_err(),
        "accepted at {} though its window, pushed back by the pause, ends at {ends_at}",
        suite.now()
    );
}

/// Review finding: a pause that overlapped a window is forgotten after 8 more pauses
/// even without intent. Each eviction must never move a pending tranche's end earlier.
#[test]
fn the_challenge_end_never_moves_earlier() {
    let suite = SuiteBuilder::default().build();
    let a = &suite.actors;
    let d = suite.register_dataset(VerificationTier::Optimistic);
    let id = suite.register_tranche(&a.alice, d, 92, 10).tranche_id.unwrap();
    let ends = |s: &Suite| -> u64 {
        match s.registry().accept_unchallenged(id).call(&s.actors.stranger) {
            Err(ContractError::ChallengeWindowOpen { ends_at, .. }) => ends_at,
            other => panic!("window no longer open at {}: {other:?}", s.now()),
        }
    };
    suite.advance(10);
    pause_for(&suite, WINDOW);
    let mut last = ends(&suite);
    for _ in 0..8 {
        suite.advance(1);
        pause_for(&suite, 0);
        let now = ends(&suite);
        assert!(now >= last, "the window's end moved from {last} to {now}");
        last = now;
    }
}

/// The stored end of a tranche's challenge window (before pauses).
fn challenge_deadline(suite: &Suite, id: u64) -> u64 {
    suite
        .registry()
        .tranche(id)
        .unwrap()
        .tranche
        .challenge_deadline
        .unwrap()
}

/// The admin pauses the registry for `secs`.
fn pause_for(suite: &Suite, secs: u64) {
    use attrib_std::interfaces::governance::sv::mt::GovernanceProxy as _;
    suite
        .registry()
        .set_paused(true)
        .call(&suite.actors.admin)
        .unwrap();
    suite.advance(secs);
    suite
        .registry()
        .set_paused(false)
        .call(&suite.actors.admin)
        .unwrap();
}
