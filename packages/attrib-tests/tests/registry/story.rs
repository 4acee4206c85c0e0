//! The registry half of the reference story (SPEC §10) and the review flows.

use attrib_std::events;
use attrib_std::interfaces::governance::sv::mt::GovernanceProxy;
use attrib_std::interfaces::license_registry::sv::mt::LicenseRegistryProxy;
use attrib_std::interfaces::review_target::sv::mt::ReviewTargetProxy;
use attrib_std::merkle;
use attrib_std::registry::{ReviewOutcome, TrancheStatus, VerificationTier, WeightRule};
use cosmwasm_std::{coin, Uint128};

use super::suite::*;
use attrib_registry::contract::sv::mt::RegistryContractProxy;
use attrib_registry::error::ContractError;
use attrib_registry::msg::{NewDataset, TrancheFilter};
use attrib_registry::state::DatasetStatus;

#[test]
fn strict_dataset_story() {
    let suite = SuiteBuilder::default().build();
    let a = &suite.actors;

    // The maintainer registers the schema (images + boxes) and a strict dataset.
    let dataset = suite.register_dataset(VerificationTier::Strict);
    assert_eq!(suite.balance(&a.pool, DENOM), SCHEMA_FEE);
    assert_eq!(suite.balance(&suite.registry, DENOM), DATASET_BOND);

    // Three contributors register tranches; each goes straight to the curator committee.
    let t1 = suite
        .register_tranche(&a.alice, dataset, 1, 1_200)
        .tranche_id
        .unwrap();
    let t2 = suite
        .register_tranche(&a.bob, dataset, 2, 800)
        .tranche_id
        .unwrap();
    let t3 = suite
        .register_tranche(&a.carol, dataset, 3, 500)
        .tranche_id
        .unwrap();
    assert_eq!(suite.opened_reviews(), vec![t1, t2, t3]);
    assert_eq!(suite.tranche(t1).status, TrancheStatus::UnderReview);
    assert_eq!(
        suite.balance(&suite.registry, DENOM),
        DATASET_BOND + 3 * TRANCHE_BOND
    );

    // The spam tranche duplicates Alice's: refused at once, counted, bond forfeited.
    let pool_before = suite.balance(&a.pool, DENOM);
    let resp = suite
        .try_register_tranche(&a.spammer, dataset, root(1), 1_200)
        .unwrap();
    assert!(resp
        .events
        .iter()
        .any(|e| e.ty == format!("wasm-{}", events::TRANCHE_DUPLICATE_REFUSED)
            && e.attributes
                .iter()
                .any(|at| at.key == "duplicate_of" && at.value == t1.to_string())));
    let data: attrib_registry::msg::TrancheRegistration =
        cosmwasm_std::from_json(resp.data.unwrap()).unwrap();
    assert_eq!(data.tranche_id, None);
    assert_eq!(data.duplicate_of, Some(t1));
    assert_eq!(suite.balance(&a.pool, DENOM), pool_before + TRANCHE_BOND);
    assert_eq!(suite.balance(&a.spammer, DENOM), START_BALANCE - TRANCHE_BOND);
    assert_eq!(suite.stats().dedup_hits, 1);
    assert_eq!(
        suite.stats().tranches,
        3,
        "no tranche was created for the duplicate"
    );
    assert_eq!(suite.opened_reviews().len(), 3, "no review for the duplicate");

    // The committee accepts two tranches (Bob's in part) and rejects the low-quality one.
    suite
        .decide(
            t1,
            ReviewOutcome::Accept {
                accepted_records: None,
            },
        )
        .unwrap();
    suite
        .decide(
            t2,
            ReviewOutcome::Accept {
                accepted_records: Some(600),
            },
        )
        .unwrap();
    suite.decide(t3, ReviewOutcome::Reject {}).unwrap();
    assert_eq!(suite.tranche(t1).share_weight, Uint128::new(1_200));
    assert_eq!(suite.tranche(t2).share_weight, Uint128::new(600));
    assert_eq!(suite.tranche(t3).status, TrancheStatus::Rejected);
    assert_eq!(
        suite.balance(&a.alice, DENOM),
        START_BALANCE,
        "bond returned on acceptance"
    );
    assert_eq!(suite.balance(&a.bob, DENOM), START_BALANCE);
    assert_eq!(
        suite.balance(&a.carol, DENOM),
        START_BALANCE - TRANCHE_BOND,
        "bond lost on rejection"
    );
    assert_eq!(suite.balance(&a.pool, DENOM), SCHEMA_FEE + 2 * TRANCHE_BOND);

    // The maintainer seals version 1 over the accepted tranches; the dataset bond returns.
    let resp = suite.seal(dataset, vec![t1, t2]).unwrap();
    let v = suite.registry().version(dataset, 1).unwrap();
    assert_eq!(v.version.parent, None);
    assert_eq!(v.version.total_weight, Uint128::new(1_800));
    assert_eq!(
        v.version.root.as_slice(),
        merkle::root(&[[1u8; 32], [2u8; 32]]).unwrap()
    );
    let mut weights: Vec<_> = v
        .weights
        .iter()
        .map(|w| (w.contributor.clone(), w.weight.u128()))
        .collect();
    weights.sort();
    let mut expected = vec![(a.alice.to_string(), 1_200), (a.bob.to_string(), 600)];
    expected.sort();
    assert_eq!(weights, expected);
    assert!(resp
        .events
        .iter()
        .any(|e| e.ty == format!("wasm-{}", events::VERSION_SEALED)));
    assert_eq!(
        suite.balance(&a.maintainer, DENOM),
        START_BALANCE - SCHEMA_FEE,
        "maintainer got the dataset bond back at the first seal"
    );

    // The dev shop buys a commercial license; the payment reaches the reward pool.
    let pool_before = suite.balance(&a.pool, DENOM);
    suite
        .buy_license(&a.devshop, dataset, 1, coin(LICENSE_PRICE, DENOM))
        .unwrap();
    assert_eq!(suite.balance(&a.pool, DENOM), pool_before + LICENSE_PRICE);
    let check = suite
        .registry()
        .has_valid_license(a.devshop.to_string(), dataset, 1)
        .unwrap();
    assert!(check.valid);
    assert_eq!(check.expires_at, Some(suite.now() + LICENSE_SECS));
    assert!(
        !suite
            .registry()
            .has_valid_license(a.stranger.to_string(), dataset, 1)
            .unwrap()
            .valid
    );

    let stats = suite.registry().stats().unwrap();
    assert_eq!(
        (
            stats.stats.accepted,
            stats.stats.rejected,
            stats.stats.versions,
            stats.stats.licenses_sold
        ),
        (2, 1, 1, 1)
    );
    assert_eq!(stats.rejection_rate_bps, 3_333);
    assert_eq!(stats.dedup_rate_bps, 2_500);

    // Nothing is stuck: the registry holds no coin that it does not owe.
    suite.assert_bonds_backed();
    assert_eq!(suite.balance(&suite.registry, DENOM), 0);
    suite.assert_conserved();
}

#[test]
fn optimistic_tranches_accept_after_window_or_go_to_review_when_challenged() {
    let suite = SuiteBuilder::default().build();
    let a = &suite.actors;
    let dataset = suite.register_dataset(VerificationTier::Optimistic);
    let quiet = suite
        .register_tranche(&a.alice, dataset, 1, 100)
        .tranche_id
        .unwrap();
    let challenged = suite
        .register_tranche(&a.bob, dataset, 2, 100)
        .tranche_id
        .unwrap();
    assert_eq!(suite.tranche(quiet).status, TrancheStatus::Pending);
    assert!(
        suite.opened_reviews().is_empty(),
        "optimistic tranches open no review"
    );
    let ends_at = suite.tranche(quiet).challenge_deadline.unwrap();
    assert_eq!(ends_at, suite.now() + WINDOW);

    // Too early for anyone to accept it.
    suite.assert_refused(
        ContractError::ChallengeWindowOpen {
            tranche_id: quiet,
            ends_at,
            now: suite.now(),
        },
        |s| s.registry().accept_unchallenged(quiet).call(&s.actors.stranger),
    );

    // A challenge inside the window sends the second one to review.
    suite
        .registry()
        .begin_review(challenged)
        .call(&suite.reviewer)
        .unwrap();
    assert_eq!(suite.tranche(challenged).status, TrancheStatus::UnderReview);

    suite.advance(WINDOW);
    // After the window: anyone may accept the unchallenged one; nobody may challenge it.
    suite.assert_refused(
        ContractError::ChallengeWindowClosed {
            tranche_id: quiet,
            ended_at: ends_at,
        },
        |s| s.registry().begin_review(quiet).call(&s.reviewer),
    );
    suite
        .registry()
        .accept_unchallenged(quiet)
        .call(&a.stranger)
        .unwrap();
    assert_eq!(suite.tranche(quiet).status, TrancheStatus::Accepted);
    assert_eq!(suite.balance(&a.alice, DENOM), START_BALANCE);

    // The challenged one cannot sneak through the window path while under review.
    suite.assert_refused(
        ContractError::WrongTrancheStatus {
            tranche_id: challenged,
            status: TrancheStatus::UnderReview,
            expected: TrancheStatus::Pending,
        },
        |s| {
            s.registry()
                .accept_unchallenged(challenged)
                .call(&s.actors.stranger)
        },
    );
    suite.decide(challenged, ReviewOutcome::Reject {}).unwrap();
    assert_eq!(suite.tranche(challenged).status, TrancheStatus::Rejected);
    suite.assert_bonds_backed();
    suite.assert_conserved();
}

#[test]
fn upheld_dispute_revokes_an_accepted_tranche() {
    let suite = SuiteBuilder::default().build();
    let a = &suite.actors;
    let dataset = suite.register_dataset(VerificationTier::Strict);
    let t = suite
        .register_tranche(&a.alice, dataset, 9, 10)
        .tranche_id
        .unwrap();
    suite
        .decide(
            t,
            ReviewOutcome::Accept {
                accepted_records: None,
            },
        )
        .unwrap();
    suite.seal(dataset, vec![t]).unwrap();

    let resp = suite.decide(t, ReviewOutcome::Revoke {}).unwrap();
    assert!(resp
        .events
        .iter()
        .any(|e| e.ty == format!("wasm-{}", events::TRANCHE_REVOKED)));
    assert_eq!(suite.tranche(t).status, TrancheStatus::Revoked);
    let d = suite.registry().dataset(dataset).unwrap().dataset;
    assert_eq!((d.counters.accepted, d.counters.revoked), (1, 1));
    let stats = suite.stats();
    assert_eq!((stats.accepted, stats.revoked), (0, 1));
    // The sealed version is immutable: it still lists the tranche (the distributor claws
    // back its unvested rewards), but a new version can no longer include it.
    assert_eq!(
        suite.registry().version(dataset, 1).unwrap().version.tranche_ids,
        vec![t]
    );
    suite.assert_refused(
        ContractError::WrongTrancheStatus {
            tranche_id: t,
            status: TrancheStatus::Revoked,
            expected: TrancheStatus::Accepted,
        },
        |s| s.seal(dataset, vec![t]),
    );
    // A revoked tranche's root stays registered: the same content cannot come back.
    let dup = suite.register_tranche(&a.bob, dataset, 9, 10);
    assert_eq!(dup.duplicate_of, Some(t));
}

#[test]
fn versions_chain_to_their_parent_and_weights_follow_the_rule() {
    let suite = SuiteBuilder::default().build();
    let a = &suite.actors;
    let schema = suite.register_schema();
    let dataset: u64 = cosmwasm_std::from_json(
        suite
            .registry()
            .register_dataset(NewDataset {
                name: "bytes".into(),
                schema_id: schema,
                metadata_uri: "ipfs://d".into(),
                terms: default_terms(),
                tier: VerificationTier::Strict,
                weight_rule: Some(WeightRule::ByteSize),
                max_tranche_records: None,
                canaries: None,
            })
            .with_funds(&[coin(DATASET_BOND, DENOM)])
            .call(&a.maintainer)
            .unwrap()
            .data
            .unwrap(),
    )
    .unwrap();
    let t1 = suite
        .register_tranche(&a.alice, dataset, 1, 10)
        .tranche_id
        .unwrap();
    let t2 = suite
        .register_tranche(&a.alice, dataset, 2, 30)
        .tranche_id
        .unwrap();
    suite
        .decide(
            t1,
            ReviewOutcome::Accept {
                accepted_records: None,
            },
        )
        .unwrap();
    suite
        .decide(
            t2,
            ReviewOutcome::Accept {
                accepted_records: Some(15),
            },
        )
        .unwrap();
    // ByteSize: 10 records × 50 000 bytes; half of 30 × 50 000.
    assert_eq!(suite.tranche(t1).share_weight, Uint128::new(500_000));
    assert_eq!(suite.tranche(t2).share_weight, Uint128::new(750_000));

    suite.seal(dataset, vec![t1]).unwrap();
    suite.seal(dataset, vec![t1, t2]).unwrap();
    let v2 = suite.registry().version(dataset, 2).unwrap();
    assert_eq!(v2.version.parent, Some(1));
    assert_eq!(
        v2.version.contributor_count, 1,
        "one contributor's tranches add up"
    );
    assert_eq!(v2.weights[0].weight, Uint128::new(1_250_000));
    let versions = suite.registry().versions(dataset, None, None).unwrap().versions;
    assert_eq!(versions.iter().map(|v| v.version).collect::<Vec<_>>(), vec![1, 2]);
    let page = suite
        .registry()
        .version_weights(dataset, 2, None, Some(1))
        .unwrap();
    assert_eq!(page.total_weight, Uint128::new(1_250_000));
}

#[test]
fn licenses_expire_and_repeat_purchases_extend_them() {
    let suite = SuiteBuilder::default().build();
    let a = &suite.actors;
    let dataset = suite.register_dataset(VerificationTier::Strict);
    let t = suite
        .register_tranche(&a.alice, dataset, 1, 10)
        .tranche_id
        .unwrap();
    suite
        .decide(
            t,
            ReviewOutcome::Accept {
                accepted_records: None,
            },
        )
        .unwrap();
    suite.seal(dataset, vec![t]).unwrap();

    // Paid in the IBC voucher this time: accepted because the terms list it.
    let bought_at = suite.now();
    suite
        .buy_license(&a.devshop, dataset, 1, coin(LICENSE_PRICE_IBC, IBC_DENOM))
        .unwrap();
    assert_eq!(suite.balance(&a.pool, IBC_DENOM), LICENSE_PRICE_IBC);
    suite.advance(LICENSE_SECS / 2);
    suite
        .buy_license(&a.devshop, dataset, 1, coin(LICENSE_PRICE, DENOM))
        .unwrap();
    let grant = suite
        .registry()
        .license_grant(a.devshop.to_string(), dataset, 1)
        .unwrap()
        .grant
        .unwrap();
    assert_eq!(
        grant.expires_at,
        Some(bought_at + 2 * LICENSE_SECS),
        "extended, not overlapped"
    );
    assert_eq!(grant.purchases, 2);

    suite.advance(LICENSE_SECS * 3 / 2 - 1);
    assert!(
        suite
            .registry()
            .has_valid_license(a.devshop.to_string(), dataset, 1)
            .unwrap()
            .valid
    );
    suite.advance(1);
    assert!(
        !suite
            .registry()
            .has_valid_license(a.devshop.to_string(), dataset, 1)
            .unwrap()
            .valid
    );

    // Someone may pay on the dev shop's behalf (IBC hooks will name the beneficiary).
    suite
        .registry()
        .buy_license(dataset, 1, Some(a.devshop.to_string()))
        .with_funds(&[coin(LICENSE_PRICE, DENOM)])
        .call(&a.stranger)
        .unwrap();
    assert!(
        suite
            .registry()
            .has_valid_license(a.devshop.to_string(), dataset, 1)
            .unwrap()
            .valid
    );
    let grants = suite
        .registry()
        .license_grants(a.devshop.to_string(), None, None)
        .unwrap()
        .grants;
    assert_eq!(grants.len(), 1);
    suite.assert_conserved();
}

#[test]
fn retiring_an_unsealed_dataset_forfeits_its_bond() {
    let suite = SuiteBuilder::default().build();
    let a = &suite.actors;
    let dataset = suite.register_dataset(VerificationTier::Optimistic);
    let pool_before = suite.balance(&a.pool, DENOM);
    suite
        .registry()
        .retire_dataset(dataset)
        .call(&a.maintainer)
        .unwrap();
    assert_eq!(suite.balance(&a.pool, DENOM), pool_before + DATASET_BOND);
    let d = suite.registry().dataset(dataset).unwrap().dataset;
    assert_eq!(d.status, DatasetStatus::Retired);
    assert_eq!(d.bond_held, None);
    // A commitment names no live dataset yet; its reveal is refused and the committer
    // withdraws it.
    let t = || TrancheArgs {
        dataset_id: dataset,
        content_root: root(5),
        record_count: 10,
        byte_size: 10,
        metadata_uri: "ipfs://t",
    };
    let c = attrib_tests::commit_tranche(&suite.app, &suite.registry, &a.alice, &t(), &suite.tranche_bond())
        .unwrap();
    suite.app.update_block(|b| b.height += 1);
    suite.assert_refused(ContractError::DatasetRetired { dataset_id: dataset }, |s| {
        attrib_tests::reveal_tranche(&s.app, &s.registry, &s.actors.alice, t())
    });
    suite.assert_bonds_backed();
    suite
        .registry()
        .withdraw_tranche_commitment(c)
        .call(&a.alice)
        .unwrap();
    suite.assert_bonds_backed();
    suite.assert_conserved();
}

#[test]
fn lists_filter_by_maintainer_contributor_and_status() {
    let suite = SuiteBuilder::default().build();
    let a = &suite.actors;
    let d1 = suite.register_dataset(VerificationTier::Strict);
    let d2 = suite.register_dataset(VerificationTier::Optimistic);
    let t1 = suite.register_tranche(&a.alice, d1, 1, 10).tranche_id.unwrap();
    let t2 = suite.register_tranche(&a.bob, d1, 2, 10).tranche_id.unwrap();
    let t3 = suite.register_tranche(&a.alice, d2, 3, 10).tranche_id.unwrap();
    suite
        .decide(
            t2,
            ReviewOutcome::Accept {
                accepted_records: None,
            },
        )
        .unwrap();

    let r = suite.registry();
    let ids = |f: TrancheFilter| {
        r.tranches(Some(f), None, None)
            .unwrap()
            .tranches
            .iter()
            .map(|t| t.id)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        ids(TrancheFilter {
            dataset_id: Some(d1),
            ..Default::default()
        }),
        vec![t1, t2]
    );
    assert_eq!(
        ids(TrancheFilter {
            contributor: Some(a.alice.to_string()),
            ..Default::default()
        }),
        vec![t1, t3]
    );
    assert_eq!(
        ids(TrancheFilter {
            status: Some(TrancheStatus::UnderReview),
            ..Default::default()
        }),
        vec![t1]
    );
    assert_eq!(
        ids(TrancheFilter {
            dataset_id: Some(d1),
            status: Some(TrancheStatus::Accepted),
            ..Default::default()
        }),
        vec![t2]
    );
    assert_eq!(
        ids(TrancheFilter {
            contributor: Some(a.alice.to_string()),
            status: Some(TrancheStatus::Pending),
            ..Default::default()
        }),
        vec![t3]
    );
    // Pagination.
    let page = r.tranches(None, Some(t1), Some(1)).unwrap().tranches;
    assert_eq!(page.iter().map(|t| t.id).collect::<Vec<_>>(), vec![t2]);
    let mine = r
        .datasets(Some(a.maintainer.to_string()), None, None)
        .unwrap()
        .datasets;
    assert_eq!(mine.len(), 2);
    assert!(r
        .datasets(Some(a.alice.to_string()), None, None)
        .unwrap()
        .datasets
        .is_empty());
    assert_eq!(r.schemas(None, None).unwrap().schemas.len(), 2);
    assert_eq!(r.content_root(root(3)).unwrap().tranche_id, Some(t3));
    assert_eq!(r.content_root(root(77)).unwrap().tranche_id, None);
}

#[test]
fn admin_transfer_is_two_step_and_pause_stops_users() {
    let suite = SuiteBuilder::default().build();
    let a = &suite.actors;
    let r = suite.registry();
    r.propose_admin(Some(a.stranger.to_string()))
        .call(&a.admin)
        .unwrap();
    assert_eq!(
        r.governance().unwrap().pending_admin,
        Some(a.stranger.to_string())
    );
    assert_eq!(
        r.governance().unwrap().admin,
        a.admin.to_string(),
        "nothing changes before acceptance"
    );
    r.accept_admin().call(&a.stranger).unwrap();
    assert_eq!(r.governance().unwrap().admin, a.stranger.to_string());
    assert_eq!(r.governance().unwrap().pending_admin, None);

    r.set_paused(true).call(&a.stranger).unwrap();
    suite.assert_refused(
        ContractError::Governance(attrib_std::governance::GovernanceError::Paused),
        |s| {
            s.registry()
                .register_schema("ipfs://s".into(), root(1))
                .with_funds(&[coin(SCHEMA_FEE, DENOM)])
                .call(&s.actors.alice)
        },
    );
    // Admin messages still work while paused.
    r.update_config(attrib_registry::msg::ConfigUpdate {
        challenge_window_secs: Some(60),
        ..Default::default()
    })
    .call(&a.stranger)
    .unwrap();
    r.set_paused(false).call(&a.stranger).unwrap();
    assert_eq!(r.config().unwrap().config.challenge_window_secs, 60);
    suite.register_schema();
}

#[test]
fn migrate_keeps_state_and_records_the_version() {
    let suite = SuiteBuilder::default().build();
    let dataset = suite.register_dataset(VerificationTier::Strict);
    let code = suite.registry_code_id;
    suite
        .registry()
        .migrate()
        .call(&suite.actors.admin, code)
        .unwrap();
    assert_eq!(suite.registry().dataset(dataset).unwrap().dataset.id, dataset);
    let version = cw2::query_contract_info(&suite.app.app().wrap(), suite.registry.to_string()).unwrap();
    assert_eq!(version.contract, attrib_registry::contract::CONTRACT_NAME);
    assert_eq!(version.version, attrib_registry::contract::CONTRACT_VERSION);
}

#[test]
fn without_bonds_or_prices_nothing_is_paid_and_funds_are_refused() {
    let suite = SuiteBuilder::default().without_bonds().build();
    let a = &suite.actors;
    let schema: u64 = cosmwasm_std::from_json(
        suite
            .registry()
            .register_schema("ipfs://s".into(), root(1))
            .call(&a.maintainer)
            .unwrap()
            .data
            .unwrap(),
    )
    .unwrap();
    let mut free = default_terms();
    free.price = vec![];
    free.expiry = attrib_std::registry::LicenseExpiry::Perpetual;
    let dataset: u64 = cosmwasm_std::from_json(
        suite
            .registry()
            .register_dataset(NewDataset {
                name: "open".into(),
                schema_id: schema,
                metadata_uri: "ipfs://d".into(),
                terms: free,
                tier: VerificationTier::Optimistic,
                weight_rule: None,
                max_tranche_records: None,
                canaries: None,
            })
            .call(&a.maintainer)
            .unwrap()
            .data
            .unwrap(),
    )
    .unwrap();
    let t = cosmwasm_std::from_json::<attrib_registry::msg::TrancheRegistration>(
        attrib_tests::register_tranche(
            &suite.app,
            &suite.registry,
            &a.alice,
            TrancheArgs {
                dataset_id: dataset,
                content_root: root(2),
                record_count: 10,
                byte_size: 10,
                metadata_uri: "ipfs://t",
            },
            &[],
        )
        .unwrap()
        .data
        .unwrap(),
    )
    .unwrap()
    .tranche_id
    .unwrap();
    suite.assert_refused(
        ContractError::Funds(attrib_std::funds::FundsError::Unexpected {
            sent: vec![coin(1, DENOM)],
        }),
        |s| {
            s.registry()
                .commit_tranche(root(3))
                .with_funds(&[coin(1, DENOM)])
                .call(&s.actors.bob)
        },
    );
    suite.advance(WINDOW);
    suite.registry().accept_unchallenged(t).call(&a.stranger).unwrap();
    suite.seal(dataset, vec![t]).unwrap();
    // A free, perpetual license: no funds taken, none accepted.
    suite
        .registry()
        .buy_license(dataset, 1, None)
        .call(&a.devshop)
        .unwrap();
    let check = suite
        .registry()
        .has_valid_license(a.devshop.to_string(), dataset, 1)
        .unwrap();
    assert!(check.valid);
    assert_eq!(check.expires_at, None);
    suite.assert_refused(
        ContractError::Funds(attrib_std::funds::FundsError::Unexpected {
            sent: vec![coin(LICENSE_PRICE, DENOM)],
        }),
        |s| s.buy_license(&s.actors.devshop, dataset, 1, coin(LICENSE_PRICE, DENOM)),
    );
    for who in a.all().into_iter().filter(|w| **w != a.pool) {
        assert_eq!(suite.balance(who, DENOM), START_BALANCE);
    }
    assert_eq!(suite.balance(&a.pool, DENOM), 0);
}

/// A sealed version's root is not a new tranche: re-registering the whole version's
/// content as one tranche (to take its attribution) is refused as a duplicate, on the
/// record and with the bond forfeited, exactly as a repeated tranche root is. (Issue 14,
/// item 4: before, the version root was accepted as a fresh content root.)
#[test]
fn a_version_root_is_refused_as_a_tranche_root() {
    let suite = SuiteBuilder::default().build();
    let a = &suite.actors;
    let dataset = suite.register_dataset(VerificationTier::Strict);
    let t1 = suite.accepted_tranche(&a.alice, dataset, 1, 100);
    let t2 = suite.accepted_tranche(&a.bob, dataset, 2, 100);
    suite.seal(dataset, vec![t1, t2]).unwrap();
    let version_root = suite.registry().version(dataset, 1).unwrap().version.root;
    let seen = suite.registry().content_root(version_root.clone()).unwrap();
    assert_eq!(seen.tranche_id, None);
    assert_eq!(
        seen.version,
        Some(attrib_registry::msg::VersionRoot {
            dataset_id: dataset,
            version: 1
        })
    );

    let other = suite.register_dataset(VerificationTier::Strict);
    let (pool0, stats0, before) = (
        suite.balance(&a.pool, DENOM),
        suite.stats(),
        suite.opened_reviews().len(),
    );
    let resp = suite
        .try_register_tranche(&a.spammer, other, version_root.clone(), 200)
        .unwrap();
    let data: attrib_registry::msg::TrancheRegistration =
        cosmwasm_std::from_json(resp.data.unwrap()).unwrap();
    assert_eq!(data.tranche_id, None, "no tranche for the version's root");
    assert_eq!(data.duplicate_of, None);
    assert_eq!(
        data.duplicate_of_version,
        Some(attrib_registry::msg::VersionRoot {
            dataset_id: dataset,
            version: 1
        })
    );
    assert!(resp
        .events
        .iter()
        .any(|e| e.ty == format!("wasm-{}", events::TRANCHE_DUPLICATE_REFUSED)
            && e.attributes
                .iter()
                .any(|at| at.key == "duplicate_of_version" && at.value == format!("{dataset}/1"))));
    assert_eq!(
        suite.balance(&a.pool, DENOM),
        pool0 + TRANCHE_BOND,
        "bond forfeited"
    );
    assert_eq!(suite.stats().dedup_hits, stats0.dedup_hits + 1);
    assert_eq!(suite.stats().tranches, stats0.tranches);
    assert_eq!(suite.opened_reviews().len(), before, "no review opened");
    suite.assert_conserved();
}

/// A tranche is sealed into at most `MAX_VERSIONS_PER_TRANCHE` versions, so its
/// revocation (one message over every version it is in) stays bounded and always
/// fits: at the cap the next seal is refused with a typed error and changes nothing, and
/// revoking the tranche still goes through. (Issue 14, item 5: before, a maintainer
/// could reseal a tranche without limit.)
#[test]
fn a_tranche_is_sealed_into_a_bounded_number_of_versions() {
    use attrib_registry::versions::MAX_VERSIONS_PER_TRANCHE;
    let suite = SuiteBuilder::default().build();
    let a = &suite.actors;
    let dataset = suite.register_dataset(VerificationTier::Strict);
    let t = suite.accepted_tranche(&a.alice, dataset, 7, 10);
    for _ in 0..MAX_VERSIONS_PER_TRANCHE {
        suite.seal(dataset, vec![t]).unwrap();
    }
    let latest = suite.registry().dataset(dataset).unwrap().dataset.latest_version;
    assert_eq!(latest, Some(MAX_VERSIONS_PER_TRANCHE as u32));
    suite.assert_refused(
        ContractError::TrancheInTooManyVersions {
            tranche_id: t,
            max: MAX_VERSIONS_PER_TRANCHE,
        },
        |s| s.seal(dataset, vec![t]),
    );
    assert_eq!(
        suite.registry().dataset(dataset).unwrap().dataset.latest_version,
        latest
    );
    let resp = suite.decide(t, ReviewOutcome::Revoke {}).unwrap();
    assert!(resp
        .events
        .iter()
        .any(|e| e.ty == format!("wasm-{}", events::TRANCHE_REVOKED)));
    assert_eq!(suite.tranche(t).status, TrancheStatus::Revoked);
    suite.assert_conserved();
}
