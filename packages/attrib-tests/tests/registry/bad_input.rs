//! Bad input, message by message: each refusal names the exact error and leaves state
//! and balances exactly as they were (`Suite::assert_refused` compares snapshots).

use attrib_std::funds::FundsError;
use attrib_std::governance::GovernanceError;
use attrib_std::interfaces::governance::sv::mt::GovernanceProxy;
use attrib_std::interfaces::review_target::sv::mt::ReviewTargetProxy;
use attrib_std::registry::{LicenseId, ReviewOutcome, TermsError, TrancheStatus, VerificationTier};
use attrib_std::validation::ValidationError;
use cosmwasm_std::{coin, HexBinary};

use super::suite::*;
use attrib_registry::contract::sv::mt::{CodeId, RegistryContractProxy};
use attrib_registry::error::ContractError;
use attrib_registry::msg::{ConfigUpdate, InstantiateConfig, NewDataset};

/// A strict dataset with tranche 1 accepted, 2 under review, and version 1 sealed.
fn suite_with_data() -> (Suite, u64) {
    let suite = SuiteBuilder::default().build();
    let a = &suite.actors;
    let d = suite.register_dataset(VerificationTier::Strict);
    suite.register_tranche(&a.alice, d, 1, 100);
    suite.register_tranche(&a.bob, d, 2, 100);
    suite
        .decide(
            1,
            ReviewOutcome::Accept {
                accepted_records: None,
            },
        )
        .unwrap();
    suite.seal(d, vec![1]).unwrap();
    (suite, d)
}

fn not_admin(s: &Suite, who: &cosmwasm_std::Addr) -> ContractError {
    let _ = s;
    ContractError::Governance(GovernanceError::NotAdmin {
        sender: who.to_string(),
    })
}

#[test]
fn instantiate_rejects_bad_config() {
    let suite = SuiteBuilder::default().build();
    let code = CodeId::store_code(&suite.app);
    let a = &suite.actors;
    let inst = |window: u64, max: u32, bond: Option<cosmwasm_std::Coin>, pool: String| {
        code.instantiate(InstantiateConfig {
            admin: None,
            reward_pool: pool,
            curator_staking: None,
            schema_fee: None,
            dataset_bond: None,
            tranche_bond: bond,
            challenge_window_secs: window,
            max_tranches_per_version: max,
        })
        .with_label("bad")
        .call(&a.admin)
    };
    assert_eq!(
        inst(0, 10, None, a.pool.to_string()).unwrap_err(),
        ContractError::Validation(ValidationError::OutOfRange {
            field: "challenge_window_secs",
            value: 0,
            min: 1,
            max: 365 * 86_400,
        })
    );
    assert_eq!(
        inst(10, 0, None, a.pool.to_string()).unwrap_err(),
        ContractError::Validation(ValidationError::Zero {
            field: "max_tranches_per_version"
        })
    );
    assert_eq!(
        inst(10, 5_000, None, a.pool.to_string()).unwrap_err(),
        ContractError::TooManyTranches {
            max: 1_000,
            got: 5_000
        }
    );
    assert_eq!(
        inst(10, 10, Some(coin(0, DENOM)), a.pool.to_string()).unwrap_err(),
        ContractError::Validation(ValidationError::Zero {
            field: "tranche_bond"
        })
    );
    assert!(matches!(
        inst(10, 10, None, "not-an-address".into()).unwrap_err(),
        ContractError::Std(_)
    ));
}

#[test]
fn update_config_is_admin_only_and_validated() {
    let (suite, _) = suite_with_data();
    let a = &suite.actors;
    suite.assert_refused(not_admin(&suite, &a.stranger), |s| {
        s.registry()
            .update_config(ConfigUpdate::default())
            .call(&s.actors.stranger)
    });
    suite.assert_refused(
        ContractError::Validation(ValidationError::Zero {
            field: "dataset_bond",
        }),
        |s| {
            s.registry()
                .update_config(ConfigUpdate {
                    dataset_bond: Some(Some(coin(0, DENOM))),
                    ..Default::default()
                })
                .call(&s.actors.admin)
        },
    );
    suite.assert_refused(
        ContractError::Validation(ValidationError::OutOfRange {
            field: "challenge_window_secs",
            value: 0,
            min: 1,
            max: 365 * 86_400,
        }),
        |s| {
            s.registry()
                .update_config(ConfigUpdate {
                    challenge_window_secs: Some(0),
                    ..Default::default()
                })
                .call(&s.actors.admin)
        },
    );
    suite.assert_refused(
        ContractError::Funds(FundsError::Unexpected {
            sent: vec![coin(1, DENOM)],
        }),
        |s| {
            s.registry()
                .update_config(ConfigUpdate::default())
                .with_funds(&[coin(1, DENOM)])
                .call(&s.actors.admin)
        },
    );
}

#[test]
fn register_schema_bad_input() {
    let (suite, _) = suite_with_data();
    let fee = coin(SCHEMA_FEE, DENOM);
    suite.assert_refused(
        ContractError::Funds(FundsError::Missing {
            expected: fee.clone(),
        }),
        |s| {
            s.registry()
                .register_schema("ipfs://s".into(), root(1))
                .call(&s.actors.alice)
        },
    );
    suite.assert_refused(
        ContractError::Funds(FundsError::Wrong {
            expected: fee.clone(),
            sent: vec![coin(SCHEMA_FEE, IBC_DENOM)],
        }),
        |s| {
            s.registry()
                .register_schema("ipfs://s".into(), root(1))
                .with_funds(&[coin(SCHEMA_FEE, IBC_DENOM)])
                .call(&s.actors.alice)
        },
    );
    suite.assert_refused(
        ContractError::Validation(ValidationError::BadLength {
            field: "uri",
            max: 512,
            len: 0,
        }),
        |s| {
            s.registry()
                .register_schema(String::new(), root(1))
                .with_funds(&[coin(SCHEMA_FEE, DENOM)])
                .call(&s.actors.alice)
        },
    );
    suite.assert_refused(
        ContractError::Validation(ValidationError::BadHash {
            field: "hash",
            len: 3,
        }),
        |s| {
            s.registry()
                .register_schema("ipfs://s".into(), HexBinary::from(vec![1, 2, 3]))
                .with_funds(&[coin(SCHEMA_FEE, DENOM)])
                .call(&s.actors.alice)
        },
    );
    suite.assert_refused(
        ContractError::Validation(ValidationError::Zero { field: "hash" }),
        |s| {
            s.registry()
                .register_schema("ipfs://s".into(), root(0))
                .with_funds(&[coin(SCHEMA_FEE, DENOM)])
                .call(&s.actors.alice)
        },
    );
}

#[test]
fn register_dataset_bad_input() {
    let (suite, _) = suite_with_data();
    let bond = [coin(DATASET_BOND, DENOM)];
    let call = |s: &Suite,
                schema: u64,
                name: &str,
                terms,
                tier,
                canaries: Option<Vec<HexBinary>>,
                funds: &[cosmwasm_std::Coin]| {
        s.registry()
            .register_dataset(NewDataset {
                name: name.into(),
                schema_id: schema,
                metadata_uri: "ipfs://d".into(),
                terms,
                tier,
                weight_rule: None,
                max_tranche_records: None,
                canaries,
            })
            .with_funds(funds)
            .call(&s.actors.maintainer)
    };
    suite.assert_refused(ContractError::SchemaNotFound { id: 99 }, |s| {
        call(s, 99, "d", default_terms(), VerificationTier::Strict, None, &bond)
    });
    let mut bad_terms = default_terms();
    bad_terms.license = LicenseId::Spdx(String::new());
    suite.assert_refused(ContractError::Terms(TermsError::BadSpdx), |s| {
        call(
            s,
            1,
            "d",
            bad_terms.clone(),
            VerificationTier::Strict,
            None,
            &bond,
        )
    });
    suite.assert_refused(
        ContractError::Validation(ValidationError::BadLength {
            field: "name",
            max: 128,
            len: 200,
        }),
        |s| {
            call(
                s,
                1,
                &"x".repeat(200),
                default_terms(),
                VerificationTier::Strict,
                None,
                &bond,
            )
        },
    );
    suite.assert_refused(
        ContractError::Funds(FundsError::Missing {
            expected: coin(DATASET_BOND, DENOM),
        }),
        |s| call(s, 1, "d", default_terms(), VerificationTier::Strict, None, &[]),
    );
    suite.assert_refused(
        ContractError::DuplicateCanary {
            commitment: root(5).to_hex(),
        },
        |s| {
            call(
                s,
                1,
                "d",
                default_terms(),
                VerificationTier::Strict,
                Some(vec![root(5), root(5)]),
                &bond,
            )
        },
    );
    suite.assert_refused(ContractError::TooManyCanaries { max: 16 }, |s| {
        call(
            s,
            1,
            "d",
            default_terms(),
            VerificationTier::Strict,
            Some((1..=17).map(root).collect()),
            &bond,
        )
    });

    let no_reviewer = SuiteBuilder::default().without_reviewer().build();
    let schema = no_reviewer.register_schema();
    no_reviewer.assert_refused(ContractError::NoReviewService {}, |s| {
        call(
            s,
            schema,
            "d",
            default_terms(),
            VerificationTier::Strict,
            None,
            &bond,
        )
    });
}

#[test]
fn maintainer_messages_bad_input() {
    let (suite, d) = suite_with_data();
    let a = &suite.actors;
    let not_maintainer = || ContractError::NotMaintainer {
        sender: a.stranger.to_string(),
        dataset_id: d,
    };
    suite.assert_refused(not_maintainer(), |s| {
        s.registry()
            .update_license_terms(d, default_terms())
            .call(&s.actors.stranger)
    });
    suite.assert_refused(not_maintainer(), |s| {
        s.registry().add_canary(d, root(9)).call(&s.actors.stranger)
    });
    suite.assert_refused(not_maintainer(), |s| {
        s.registry().retire_dataset(d).call(&s.actors.stranger)
    });
    suite.assert_refused(not_maintainer(), |s| {
        s.registry().seal_version(d, vec![1]).call(&s.actors.stranger)
    });
    suite.assert_refused(ContractError::DatasetNotFound { id: 42 }, |s| {
        s.registry()
            .update_license_terms(42, default_terms())
            .call(&s.actors.maintainer)
    });
    let mut terms = default_terms();
    terms.price = vec![coin(0, DENOM)];
    suite.assert_refused(
        ContractError::Terms(TermsError::ZeroAmount {
            field: "price",
            denom: DENOM.into(),
        }),
        |s| {
            s.registry()
                .update_license_terms(d, terms.clone())
                .call(&s.actors.maintainer)
        },
    );
    // The dataset was registered with canary 0xC1.
    suite.assert_refused(
        ContractError::DuplicateCanary {
            commitment: root(0xC1).to_hex(),
        },
        |s| s.registry().add_canary(d, root(0xC1)).call(&s.actors.maintainer),
    );
    suite.assert_refused(
        ContractError::Validation(ValidationError::BadHash {
            field: "canary",
            len: 1,
        }),
        |s| {
            s.registry()
                .add_canary(d, HexBinary::from(vec![1]))
                .call(&s.actors.maintainer)
        },
    );
    suite.assert_refused(
        ContractError::Funds(FundsError::Unexpected {
            sent: vec![coin(5, DENOM)],
        }),
        |s| {
            s.registry()
                .retire_dataset(d)
                .with_funds(&[coin(5, DENOM)])
                .call(&s.actors.maintainer)
        },
    );
    suite.registry().retire_dataset(d).call(&a.maintainer).unwrap();
    suite.assert_refused(ContractError::DatasetRetired { dataset_id: d }, |s| {
        s.registry().retire_dataset(d).call(&s.actors.maintainer)
    });
}

#[test]
fn commit_tranche_bad_input() {
    let (suite, _) = suite_with_data();
    let bond = coin(TRANCHE_BOND, DENOM);
    let bonded = [bond.clone()];
    let commit = |s: &Suite, c: HexBinary, funds: &[cosmwasm_std::Coin]| {
        s.registry()
            .commit_tranche(c)
            .with_funds(funds)
            .call(&s.actors.carol)
    };
    suite.assert_refused(
        ContractError::Validation(ValidationError::BadHash {
            field: "commitment",
            len: 31,
        }),
        |s| commit(s, HexBinary::from(vec![1u8; 31]), &bonded),
    );
    suite.assert_refused(
        ContractError::Validation(ValidationError::Zero { field: "commitment" }),
        |s| commit(s, HexBinary::from([0u8; 32]), &bonded),
    );
    suite.assert_refused(
        ContractError::Funds(FundsError::Missing {
            expected: bond.clone(),
        }),
        |s| commit(s, root(70), &[]),
    );
    for wrong in [
        vec![coin(TRANCHE_BOND - 1, DENOM)],
        vec![bond.clone(), coin(1, IBC_DENOM)],
    ] {
        suite.assert_refused(
            ContractError::Funds(FundsError::Wrong {
                expected: bond.clone(),
                sent: wrong.clone(),
            }),
            |s| commit(s, root(70), &wrong),
        );
    }
    commit(&suite, root(70), &bonded).unwrap();
    suite.assert_refused(
        ContractError::CommitmentExists {
            commitment: root(70).to_hex(),
        },
        |s| commit(s, root(70), &bonded),
    );
    // At most MAX_OPEN_COMMITMENTS per sender, each holding a bond.
    let max = attrib_std::content::MAX_OPEN_COMMITMENTS;
    for i in 1..max {
        commit(&suite, root(70 + i as u8), &bonded).unwrap();
    }
    suite.assert_refused(ContractError::TooManyCommitments { max }, |s| {
        commit(s, root(120), &bonded)
    });
    suite.assert_bonds_backed();
    // Withdrawing one frees a slot; another sender has slots of its own.
    suite
        .registry()
        .withdraw_tranche_commitment(root(70))
        .call(&suite.actors.carol)
        .unwrap();
    commit(&suite, root(120), &bonded).unwrap();
    suite
        .registry()
        .commit_tranche(root(121))
        .with_funds(&bonded)
        .call(&suite.actors.bob)
        .unwrap();
    suite.assert_bonds_backed();
    suite.assert_conserved();
}

#[test]
fn withdraw_tranche_commitment_bad_input() {
    let (suite, _) = suite_with_data();
    suite
        .registry()
        .commit_tranche(root(70))
        .with_funds(&[coin(TRANCHE_BOND, DENOM)])
        .call(&suite.actors.carol)
        .unwrap();
    let missing = |c: &HexBinary| ContractError::CommitmentNotFound {
        commitment: c.to_hex(),
    };
    // Only its committer can withdraw it.
    suite.assert_refused(missing(&root(70)), |s| {
        s.registry()
            .withdraw_tranche_commitment(root(70))
            .call(&s.actors.bob)
    });
    suite.assert_refused(missing(&root(71)), |s| {
        s.registry()
            .withdraw_tranche_commitment(root(71))
            .call(&s.actors.carol)
    });
    suite.assert_refused(
        ContractError::Funds(FundsError::Unexpected {
            sent: vec![coin(1, DENOM)],
        }),
        |s| {
            s.registry()
                .withdraw_tranche_commitment(root(70))
                .with_funds(&[coin(1, DENOM)])
                .call(&s.actors.carol)
        },
    );
}

#[test]
fn register_tranche_bad_input() {
    let (suite, d) = suite_with_data();
    let a = &suite.actors;
    let args = |dataset: u64, r: HexBinary, records: u64, bytes: u64| TrancheArgs {
        dataset_id: dataset,
        content_root: r,
        record_count: records,
        byte_size: bytes,
        metadata_uri: "ipfs://t",
    };
    let bonded = [coin(TRANCHE_BOND, DENOM)];
    // Carol commits to root(50) in d; every bad reveal below leaves it in place.
    let commitment = attrib_tests::commit_tranche(
        &suite.app,
        &suite.registry,
        &a.carol,
        &args(d, root(50), 1, 1),
        &bonded,
    )
    .unwrap();
    let reveal =
        |s: &Suite, t: TrancheArgs| attrib_tests::reveal_tranche(&s.app, &s.registry, &s.actors.carol, t);
    // Same block: too early.
    let height = suite.app.block_info().height;
    suite.assert_refused(
        ContractError::RevealTooEarly {
            committed_at: height,
            height,
        },
        |s| reveal(s, args(d, root(50), 1, 1)),
    );
    suite.app.update_block(|b| b.height += 1);
    suite.assert_refused(ContractError::DatasetNotFound { id: 7 }, |s| {
        reveal(s, args(7, root(50), 1, 1))
    });
    suite.assert_refused(
        ContractError::Validation(ValidationError::Zero {
            field: "record_count",
        }),
        |s| reveal(s, args(d, root(50), 0, 1)),
    );
    suite.assert_refused(
        ContractError::Validation(ValidationError::Zero { field: "byte_size" }),
        |s| reveal(s, args(d, root(50), 1, 0)),
    );
    suite.assert_refused(
        ContractError::Validation(ValidationError::BadHash {
            field: "content_root",
            len: 31,
        }),
        |s| reveal(s, args(d, HexBinary::from(vec![1u8; 31]), 1, 1)),
    );
    let max = attrib_std::content::MAX_RECORD_COUNT;
    suite.assert_refused(
        ContractError::RecordCountTooLarge {
            record_count: max + 1,
            max,
        },
        |s| reveal(s, args(d, root(50), max + 1, 1)),
    );
    suite.assert_refused(
        ContractError::RecordCountTooLarge {
            record_count: u64::MAX,
            max,
        },
        |s| reveal(s, args(d, root(50), u64::MAX, u64::MAX)),
    );
    let per = attrib_std::content::MAX_BYTES_PER_RECORD;
    suite.assert_refused(
        ContractError::ByteSizeTooLarge {
            byte_size: 3 * per + 1,
            max: 3 * per,
        },
        |s| reveal(s, args(d, root(50), 3, 3 * per + 1)),
    );
    // Another root, dataset or sender than committed: no such commitment.
    let other = suite.register_dataset(VerificationTier::Optimistic);
    for (who, t) in [
        (&a.carol, args(d, root(52), 1, 1)),
        (&a.carol, args(other, root(50), 1, 1)),
    ] {
        let c = attrib_std::content::commitment(
            who.as_str(),
            t.dataset_id,
            &t.content_root,
            &attrib_tests::test_salt(who, &t.content_root),
        );
        suite.assert_refused(
            ContractError::CommitmentNotFound {
                commitment: HexBinary::from(c.to_vec()).to_hex(),
            },
            |s| reveal(s, t),
        );
    }
    let bobs = attrib_std::content::commitment(
        a.bob.as_str(),
        d,
        &root(50),
        &attrib_tests::test_salt(&a.bob, &root(50)),
    );
    suite.assert_refused(
        ContractError::CommitmentNotFound {
            commitment: HexBinary::from(bobs.to_vec()).to_hex(),
        },
        |s| attrib_tests::reveal_tranche(&s.app, &s.registry, &s.actors.bob, args(d, root(50), 1, 1)),
    );
    suite.assert_refused(
        ContractError::Funds(FundsError::Unexpected {
            sent: bonded.to_vec(),
        }),
        |s| {
            s.registry()
                .register_tranche(
                    d,
                    root(50),
                    1,
                    1,
                    "ipfs://t".into(),
                    attrib_tests::test_salt(&s.actors.carol, &root(50)),
                )
                .with_funds(&bonded)
                .call(&s.actors.carol)
        },
    );
    // Expired: refused, and the committer takes the bond back.
    suite.advance(attrib_std::content::REVEAL_WINDOW_SECS + 1);
    let now = suite.now();
    suite.assert_refused(
        ContractError::CommitmentExpired {
            expired_at: now - 1,
            now,
        },
        |s| reveal(s, args(d, root(50), 1, 1)),
    );
    let before = suite.balance(&a.carol, DENOM);
    suite
        .registry()
        .withdraw_tranche_commitment(commitment)
        .call(&a.carol)
        .unwrap();
    assert_eq!(suite.balance(&a.carol, DENOM), before + TRANCHE_BOND);
    assert!(suite
        .registry()
        .tranche_commitments(a.carol.to_string())
        .unwrap()
        .commitments
        .is_empty());
    suite.assert_bonds_backed();
    suite.assert_conserved();
}

#[test]
fn accept_unchallenged_bad_input() {
    let (suite, _) = suite_with_data();
    suite.assert_refused(ContractError::TrancheNotFound { id: 99 }, |s| {
        s.registry().accept_unchallenged(99).call(&s.actors.stranger)
    });
    suite.assert_refused(
        ContractError::WrongTier {
            tranche_id: 2,
            tier: VerificationTier::Strict,
            expected: VerificationTier::Optimistic,
        },
        |s| s.registry().accept_unchallenged(2).call(&s.actors.stranger),
    );
    suite.assert_refused(
        ContractError::Funds(FundsError::Unexpected {
            sent: vec![coin(1, DENOM)],
        }),
        |s| {
            s.registry()
                .accept_unchallenged(2)
                .with_funds(&[coin(1, DENOM)])
                .call(&s.actors.stranger)
        },
    );
}

#[test]
fn review_messages_bad_input() {
    let (suite, _) = suite_with_data();
    let a = &suite.actors;
    let not_reviewer = || ContractError::NotCuratorStaking {
        sender: a.stranger.to_string(),
    };
    suite.assert_refused(not_reviewer(), |s| {
        s.registry()
            .record_review_outcome(
                2,
                ReviewOutcome::Accept {
                    accepted_records: None,
                },
            )
            .call(&s.actors.stranger)
    });
    suite.assert_refused(not_reviewer(), |s| {
        s.registry().begin_review(2).call(&s.actors.stranger)
    });
    // A contributor cannot approve their own tranche either.
    suite.assert_refused(
        ContractError::NotCuratorStaking {
            sender: a.bob.to_string(),
        },
        |s| {
            s.registry()
                .record_review_outcome(
                    2,
                    ReviewOutcome::Accept {
                        accepted_records: None,
                    },
                )
                .call(&s.actors.bob)
        },
    );
    // A second outcome for a decided tranche.
    suite.assert_refused(
        ContractError::WrongTrancheStatus {
            tranche_id: 1,
            status: TrancheStatus::Accepted,
            expected: TrancheStatus::UnderReview,
        },
        |s| s.decide(1, ReviewOutcome::Reject {}),
    );
    suite.assert_refused(
        ContractError::WrongTrancheStatus {
            tranche_id: 1,
            status: TrancheStatus::Accepted,
            expected: TrancheStatus::UnderReview,
        },
        |s| {
            s.decide(
                1,
                ReviewOutcome::Accept {
                    accepted_records: None,
                },
            )
        },
    );
    // Revoking something that was never accepted.
    suite.assert_refused(
        ContractError::WrongTrancheStatus {
            tranche_id: 2,
            status: TrancheStatus::UnderReview,
            expected: TrancheStatus::Accepted,
        },
        |s| s.decide(2, ReviewOutcome::Revoke {}),
    );
    suite.assert_refused(
        ContractError::BadAcceptedRecords {
            accepted: 0,
            record_count: 100,
        },
        |s| {
            s.decide(
                2,
                ReviewOutcome::Accept {
                    accepted_records: Some(0),
                },
            )
        },
    );
    suite.assert_refused(
        ContractError::BadAcceptedRecords {
            accepted: 101,
            record_count: 100,
        },
        |s| {
            s.decide(
                2,
                ReviewOutcome::Accept {
                    accepted_records: Some(101),
                },
            )
        },
    );
    suite.assert_refused(ContractError::TrancheNotFound { id: 77 }, |s| {
        s.decide(77, ReviewOutcome::Reject {})
    });
    suite.assert_refused(
        ContractError::WrongTier {
            tranche_id: 2,
            tier: VerificationTier::Strict,
            expected: VerificationTier::Optimistic,
        },
        |s| s.registry().begin_review(2).call(&s.reviewer),
    );
    suite.assert_refused(
        ContractError::Funds(FundsError::Unexpected {
            sent: vec![coin(1, DENOM)],
        }),
        |s| {
            s.registry()
                .record_review_outcome(2, ReviewOutcome::Reject {})
                .with_funds(&[coin(1, DENOM)])
                .call(&s.actors.alice)
        },
    );
}

#[test]
fn seal_version_bad_input() {
    let (suite, d) = suite_with_data();
    let a = &suite.actors;
    suite.assert_refused(ContractError::EmptyVersion {}, |s| s.seal(d, vec![]));
    suite.assert_refused(ContractError::RepeatedTranche { tranche_id: 1 }, |s| {
        s.seal(d, vec![1, 1])
    });
    suite.assert_refused(
        ContractError::WrongTrancheStatus {
            tranche_id: 2,
            status: TrancheStatus::UnderReview,
            expected: TrancheStatus::Accepted,
        },
        |s| s.seal(d, vec![1, 2]),
    );
    suite.assert_refused(ContractError::TrancheNotFound { id: 40 }, |s| s.seal(d, vec![40]));
    suite.assert_refused(
        ContractError::NotMaintainer {
            sender: a.alice.to_string(),
            dataset_id: d,
        },
        |s| s.registry().seal_version(d, vec![1]).call(&s.actors.alice),
    );
    // A tranche of another dataset (of the same maintainer).
    let d2 = suite.register_dataset(VerificationTier::Strict);
    suite.assert_refused(
        ContractError::TrancheNotInDataset {
            tranche_id: 1,
            expected: d2,
            actual: d,
        },
        |s| s.seal(d2, vec![1]),
    );

    let small = SuiteBuilder::default().with_max_tranches(1).build();
    let d = small.register_dataset(VerificationTier::Strict);
    small.register_tranche(&small.actors.alice, d, 1, 1);
    small.register_tranche(&small.actors.bob, d, 2, 1);
    small
        .decide(
            1,
            ReviewOutcome::Accept {
                accepted_records: None,
            },
        )
        .unwrap();
    small
        .decide(
            2,
            ReviewOutcome::Accept {
                accepted_records: None,
            },
        )
        .unwrap();
    small.assert_refused(ContractError::TooManyTranches { max: 1, got: 2 }, |s| {
        s.seal(d, vec![1, 2])
    });
}

#[test]
fn buy_license_bad_input() {
    let (suite, d) = suite_with_data();
    let accepted = default_terms().price;
    suite.assert_refused(
        ContractError::Funds(FundsError::NotAccepted {
            accepted: accepted.clone(),
            sent: vec![coin(LICENSE_PRICE, OTHER_DENOM)],
        }),
        |s| s.buy_license(&s.actors.devshop, d, 1, coin(LICENSE_PRICE, OTHER_DENOM)),
    );
    suite.assert_refused(
        ContractError::Funds(FundsError::NotAccepted {
            accepted: accepted.clone(),
            sent: vec![coin(LICENSE_PRICE - 1, DENOM)],
        }),
        |s| s.buy_license(&s.actors.devshop, d, 1, coin(LICENSE_PRICE - 1, DENOM)),
    );
    suite.assert_refused(
        ContractError::Funds(FundsError::NotAccepted {
            accepted: accepted.clone(),
            sent: vec![],
        }),
        |s| s.registry().buy_license(d, 1, None).call(&s.actors.devshop),
    );
    suite.assert_refused(
        ContractError::VersionNotFound {
            dataset_id: d,
            version: 2,
        },
        |s| s.buy_license(&s.actors.devshop, d, 2, coin(LICENSE_PRICE, DENOM)),
    );
    suite.assert_refused(ContractError::DatasetNotFound { id: 9 }, |s| {
        s.buy_license(&s.actors.devshop, 9, 1, coin(LICENSE_PRICE, DENOM))
    });
    suite.assert_refused(
        ContractError::Funds(FundsError::NotAccepted {
            accepted,
            sent: vec![coin(LICENSE_PRICE, DENOM), coin(1, IBC_DENOM)],
        }),
        |s| {
            s.registry()
                .buy_license(d, 1, None)
                .with_funds(&[coin(LICENSE_PRICE, DENOM), coin(1, IBC_DENOM)])
                .call(&s.actors.devshop)
        },
    );
}

#[test]
fn governance_bad_input() {
    let (suite, _) = suite_with_data();
    let a = &suite.actors;
    suite.assert_refused(not_admin(&suite, &a.stranger), |s| {
        s.registry()
            .propose_admin(Some(s.actors.stranger.to_string()))
            .call(&s.actors.stranger)
    });
    suite.assert_refused(ContractError::Governance(GovernanceError::NoPendingAdmin), |s| {
        s.registry().accept_admin().call(&s.actors.stranger)
    });
    suite
        .registry()
        .propose_admin(Some(a.bob.to_string()))
        .call(&a.admin)
        .unwrap();
    suite.assert_refused(
        ContractError::Governance(GovernanceError::NotPendingAdmin {
            sender: a.stranger.to_string(),
        }),
        |s| s.registry().accept_admin().call(&s.actors.stranger),
    );
    suite.assert_refused(not_admin(&suite, &a.bob), |s| {
        s.registry().set_paused(true).call(&s.actors.bob)
    });
    suite.assert_refused(
        ContractError::Governance(GovernanceError::PauseUnchanged { paused: false }),
        |s| s.registry().set_paused(false).call(&s.actors.admin),
    );
    suite.assert_refused(
        ContractError::Governance(GovernanceError::Funds(FundsError::Unexpected {
            sent: vec![coin(3, DENOM)],
        })),
        |s| {
            s.registry()
                .set_paused(true)
                .with_funds(&[coin(3, DENOM)])
                .call(&s.actors.admin)
        },
    );
}

#[test]
fn paused_registry_refuses_every_user_message() {
    let (suite, d) = suite_with_data();
    suite
        .registry()
        .set_paused(true)
        .call(&suite.actors.admin)
        .unwrap();
    let paused = || ContractError::Governance(GovernanceError::Paused);
    suite.assert_refused(paused(), |s| {
        s.try_register_tranche(&s.actors.carol, d, root(80), 1)
    });
    suite.assert_refused(paused(), |s| {
        s.buy_license(&s.actors.devshop, d, 1, coin(LICENSE_PRICE, DENOM))
    });
    suite.assert_refused(paused(), |s| s.seal(d, vec![1]));
    suite.assert_refused(paused(), |s| s.decide(2, ReviewOutcome::Reject {}));
    suite.assert_refused(paused(), |s| {
        s.registry().accept_unchallenged(2).call(&s.actors.stranger)
    });
    suite.assert_refused(paused(), |s| {
        s.registry().add_canary(d, root(9)).call(&s.actors.maintainer)
    });
    suite.assert_refused(paused(), |s| {
        s.registry()
            .register_dataset(NewDataset {
                name: "d".into(),
                schema_id: 1,
                metadata_uri: "ipfs://d".into(),
                terms: default_terms(),
                tier: VerificationTier::Optimistic,
                weight_rule: None,
                max_tranche_records: None,
                canaries: None,
            })
            .with_funds(&[coin(DATASET_BOND, DENOM)])
            .call(&s.actors.maintainer)
    });
}
