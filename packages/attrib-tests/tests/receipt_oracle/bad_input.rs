//! Bad input, message by message: the exact error, and nothing changed.

use attrib_std::funds::FundsError;
use attrib_std::governance::GovernanceError;
use attrib_std::interfaces::governance::sv::mt::GovernanceProxy;
use cosmwasm_std::{coin, HexBinary, Uint128};

use super::suite::*;
use attrib_receipt_oracle::contract::sv::mt::ReceiptOracleContractProxy;
use attrib_receipt_oracle::error::ContractError;
use attrib_receipt_oracle::msg::{AlteredReceiptProof, DuplicateIdProof, NewBatch, OmittedReceiptProof};
use attrib_receipt_oracle::state::{LineageEntry, ParentLink};
use attrib_std::validation::ValidationError;

fn lineage(s: &Suite, w0: u32, w1: u32) -> Vec<LineageEntry> {
    vec![
        LineageEntry {
            dataset_id: s.datasets[0],
            version: 1,
            weight_bps: w0,
        },
        LineageEntry {
            dataset_id: s.datasets[1],
            version: 1,
            weight_bps: w1,
        },
    ]
}

#[test]
fn register_model_bad_input() {
    let s = Suite::new();
    let reg = |s: &Suite, l: Vec<LineageEntry>, royalty: u128, denom: &str, who: &cosmwasm_std::Addr| {
        s.oracle()
            .register_model("ipfs://m".into(), l, None, coin(royalty, denom))
            .with_funds(&[coin(MODEL_BOND, denom)])
            .call(who)
    };
    s.assert_refused(ContractError::LineageWeights { sum: 9_999 }, |s| {
        reg(s, lineage(s, 7_000, 2_999), 2, DENOM, &s.owner)
    });
    s.assert_refused(ContractError::LineageSize { max: 16, got: 0 }, |s| {
        reg(s, vec![], 2, DENOM, &s.owner)
    });
    // A royalty in a denom the pool does not accept is refused (attacker review: junk
    // royalty denoms grew a version's accumulators; on the old code this registered).
    let junker = attrib_tests::addr("junker");
    attrib_tests::fund(&s.app, &junker, vec![coin(MODEL_BOND * 2, "ujunk")]);
    s.assert_refused(
        ContractError::RoyaltyDenomNotAccepted {
            denom: "ujunk".into(),
        },
        |s| reg(s, lineage(s, 7_000, 3_000), 2, "ujunk", &junker),
    );
    assert_eq!(attrib_tests::balance(&s.app, &junker, "ujunk"), MODEL_BOND * 2);
    let d = s.datasets[0];
    // A zero weight is named as such (it used to read "must sum to 10000 bps, got 10000").
    s.assert_refused(
        ContractError::ZeroLineageWeight {
            dataset_id: s.datasets[1],
            version: 1,
        },
        |s| reg(s, lineage(s, 10_000, 0), 2, DENOM, &s.owner),
    );
    s.assert_refused(
        ContractError::LineageRepeated {
            dataset_id: d,
            version: 1,
        },
        |s| {
            let mut l = lineage(s, 5_000, 5_000);
            l[1].dataset_id = d;
            reg(s, l, 2, DENOM, &s.owner)
        },
    );
    // No license: the stranger never bought one.
    s.assert_refused(
        ContractError::NoLicense {
            owner: s.stranger.to_string(),
            dataset_id: d,
            version: 1,
        },
        |s| reg(s, lineage(s, 5_000, 5_000), 2, DENOM, &s.stranger),
    );
    // Each dataset demands 1 uatr per unit: 2 in total.
    s.assert_refused(
        ContractError::RoyaltyTooLow {
            offered: Uint128::new(1),
            required: Uint128::new(2),
        },
        |s| reg(s, lineage(s, 5_000, 5_000), 1, DENOM, &s.owner),
    );
    s.assert_refused(
        ContractError::RoyaltyDenom {
            dataset_id: d,
            denom: "uother".into(),
        },
        |s| reg(s, lineage(s, 5_000, 5_000), 2, "uother", &s.owner),
    );
    s.assert_refused(
        ContractError::Funds(FundsError::Wrong {
            expected: coin(MODEL_BOND, DENOM),
            sent: vec![coin(1, DENOM)],
        }),
        |s| {
            s.oracle()
                .register_model("ipfs://m".into(), lineage(s, 5_000, 5_000), None, coin(2, DENOM))
                .with_funds(&[coin(1, DENOM)])
                .call(&s.owner)
        },
    );
    // Parents: a share of 0 or 100%, and a chain deeper than allowed.
    s.assert_refused(
        ContractError::Validation(ValidationError::Invalid {
            field: "parent.share_bps",
            reason: "must be 1-9999",
        }),
        |s| {
            s.oracle()
                .register_model(
                    "ipfs://m".into(),
                    lineage(s, 5_000, 5_000),
                    Some(ParentLink {
                        model_id: s.model,
                        share_bps: 10_000,
                    }),
                    coin(2, DENOM),
                )
                .with_funds(&[coin(MODEL_BOND, DENOM)])
                .call(&s.owner)
        },
    );
    let mut parent = s.model;
    for _ in 0..2 {
        let link = Some(ParentLink {
            model_id: parent,
            share_bps: 2_000,
        });
        parent = cosmwasm_std::from_json(
            s.oracle()
                .register_model("ipfs://m".into(), lineage(&s, 5_000, 5_000), link, coin(2, DENOM))
                .with_funds(&[coin(MODEL_BOND, DENOM)])
                .call(&s.owner)
                .unwrap()
                .data
                .unwrap(),
        )
        .unwrap();
    }
    assert_eq!(s.oracle().model(parent).unwrap().depth, 2);
    s.assert_refused(ContractError::TooDeep { max: 2 }, |s| {
        s.oracle()
            .register_model(
                "ipfs://m".into(),
                lineage(s, 5_000, 5_000),
                Some(ParentLink {
                    model_id: parent,
                    share_bps: 2_000,
                }),
                coin(2, DENOM),
            )
            .with_funds(&[coin(MODEL_BOND, DENOM)])
            .call(&s.owner)
    });
}

#[test]
fn operators_bad_input() {
    let s = Suite::new();
    let key = HexBinary::from(vec![2u8; 33]);
    s.assert_refused(
        ContractError::OperatorBond {
            address: s.stranger.to_string(),
            required: Uint128::new(10_000),
            bonded: Uint128::zero(),
        },
        |s| s.oracle().register_operator(key.clone()).call(&s.stranger),
    );
    s.assert_refused(ContractError::BadPubkey {}, |s| {
        s.oracle()
            .register_operator(HexBinary::from(vec![4u8; 65]))
            .call(&s.operator)
    });
    s.assert_refused(
        ContractError::NotOwner {
            sender: s.stranger.to_string(),
            model_id: s.model,
        },
        |s| {
            s.oracle()
                .set_model_operator(s.model, s.stranger.to_string(), true)
                .call(&s.stranger)
        },
    );
    s.assert_refused(
        ContractError::NotOperator {
            address: s.stranger.to_string(),
        },
        |s| {
            s.oracle()
                .set_model_operator(s.model, s.stranger.to_string(), true)
                .call(&s.owner)
        },
    );
}

#[test]
fn submit_batch_bad_input() {
    let s = Suite::new();
    let rs: Vec<_> = (1..=3).map(|i| s.receipt(i, 1)).collect();
    s.post(1, &rs, None).unwrap();
    let next: Vec<_> = (4..=5).map(|i| s.receipt(i, 1)).collect();
    s.assert_refused(ContractError::WrongSequence { expected: 2, got: 3 }, |s| {
        s.post(3, &next, None).map(|_| ())
    });
    let gap: Vec<_> = (6..=7).map(|i| s.receipt(i, 1)).collect();
    s.assert_refused(ContractError::NotContiguous { expected: 4, got: 6 }, |s| {
        s.post(2, &gap, None).map(|_| ())
    });
    // Each way a range can be wrong is named.
    let batch = |s: &Suite, first_id: u64, last_id: u64, count: u64| {
        s.oracle()
            .submit_batch(NewBatch {
                model_id: s.model,
                epoch: 0,
                seq: 2,
                first_id,
                last_id,
                count,
                total_units: Uint128::new(2),
                root: HexBinary::from([1u8; 32]),
                signature: HexBinary::from([0u8; 64]),
                replaces: None,
            })
            .call(&s.operator)
    };
    for (first_id, last_id, count, reason) in [
        (4, 5, 3, "more receipts than ids in the range"),
        (4, 5, 0, "a batch holds at least one receipt"),
        (5, 4, 1, "the last id is before the first"),
    ] {
        s.assert_refused(
            ContractError::BadRange {
                first_id,
                last_id,
                count,
                reason,
            },
            |s| batch(s, first_id, last_id, count),
        );
    }
    s.assert_refused(
        ContractError::NotOperator {
            address: s.stranger.to_string(),
        },
        |s| {
            s.oracle()
                .submit_batch(NewBatch {
                    model_id: s.model,
                    epoch: 0,
                    seq: 1,
                    first_id: 1,
                    last_id: 1,
                    count: 1,
                    total_units: Uint128::new(1),
                    root: HexBinary::from([1u8; 32]),
                    signature: HexBinary::from([0u8; 64]),
                    replaces: None,
                })
                .call(&s.stranger)
        },
    );
    // The owner stops letting the operator meter this model.
    s.oracle()
        .set_model_operator(s.model, s.operator.to_string(), false)
        .call(&s.owner)
        .unwrap();
    s.assert_refused(
        ContractError::OperatorNotAllowed {
            operator: s.operator.to_string(),
            model_id: s.model,
        },
        |s| s.post(2, &next, None).map(|_| ()),
    );
    s.oracle()
        .set_model_operator(s.model, s.operator.to_string(), true)
        .call(&s.owner)
        .unwrap();
    s.assert_refused(ContractError::BadSignature {}, |s| {
        s.oracle()
            .submit_batch(NewBatch {
                model_id: s.model,
                epoch: 0,
                seq: 2,
                first_id: 4,
                last_id: 5,
                count: 2,
                total_units: Uint128::new(2),
                root: HexBinary::from([1u8; 32]),
                signature: HexBinary::from([0u8; 64]),
                replaces: None,
            })
            .call(&s.operator)
    });
    // Replacing a batch that was not voided.
    s.assert_refused(ContractError::BadReplacement { seq: 1 }, |s| {
        s.post(2, &rs, Some(1)).map(|_| ())
    });
    // Too late: epoch 0 closes at its end plus the grace. The batch is taken all the
    // same, flagged late (refusing it stalled the model for good: late_batches.rs).
    s.advance(EPOCH + GRACE + 1);
    s.post(2, &next, None).unwrap();
    assert!(s.oracle().batch(s.model, s.operator.to_string(), 2).unwrap().late);
}

#[test]
fn finalize_challenge_withdraw_and_admin_bad_input() {
    let s = Suite::new();
    s.assert_refused(
        ContractError::BatchNotFound {
            model_id: s.model,
            operator: s.operator.to_string(),
            seq: 9,
        },
        |s| {
            s.oracle()
                .finalize_batch(s.model, s.operator.to_string(), 9)
                .call(&s.stranger)
        },
    );
    s.assert_refused(ContractError::ModelNotFound { id: 77 }, |s| {
        s.oracle()
            .fund_escrow(77)
            .with_funds(&[coin(1, DENOM)])
            .call(&s.stranger)
    });
    s.assert_refused(
        ContractError::Withdrawal {
            amount: Uint128::zero(),
            reason: "must be positive and at most the escrow",
        },
        |s| {
            s.oracle()
                .request_withdrawal(s.model, Uint128::zero())
                .call(&s.owner)
        },
    );
    s.assert_refused(
        ContractError::NotOwner {
            sender: s.stranger.to_string(),
            model_id: s.model,
        },
        |s| s.oracle().withdraw_escrow(s.model).call(&s.stranger),
    );
    s.assert_refused(
        ContractError::Governance(GovernanceError::NotAdmin {
            sender: s.stranger.to_string(),
        }),
        |s| s.oracle().update_params(params()).call(&s.stranger),
    );
    let mut p = params();
    p.fraud_slash_bps = 0;
    s.assert_refused(
        ContractError::Validation(ValidationError::OutOfRange {
            field: "fraud_slash_bps",
            value: 0,
            min: 1,
            max: 10_000,
        }),
        |s| s.oracle().update_params(p.clone()).call(&s.admin),
    );
    // The posting grace may not be zero (an unpause must leave time to post) nor above a day.
    for (grace, min, max) in [(0u64, 60u128, 86_400u128), (86_401, 60, 86_400)] {
        let mut p = params();
        p.posting_grace_secs = grace;
        s.assert_refused(
            ContractError::Validation(ValidationError::OutOfRange {
                field: "posting_grace_secs",
                value: grace.into(),
                min,
                max,
            }),
            |s| s.oracle().update_params(p.clone()).call(&s.admin),
        );
    }
    // A finalized batch is closed to proofs.
    s.fund(1_000);
    let rs: Vec<_> = (1..=3).map(|i| s.receipt(i, 1)).collect();
    let (_, tree) = s.post(1, &rs, None).unwrap();
    s.advance(WINDOW);
    s.oracle()
        .finalize_batch(s.model, s.operator.to_string(), 1)
        .call(&s.stranger)
        .unwrap();
    s.assert_refused(ContractError::NotPending { seq: 1 }, |s| {
        s.oracle()
            .challenge_altered_receipt(
                s.batch_ref(1),
                AlteredReceiptProof {
                    receipt: rs[0].clone(),
                    signature: s.sign(rs[0].digest()),
                    leaf: rs[0].clone(),
                    path: tree.path(0, 0),
                },
            )
            .call(&s.auditor)
    });
    // Paused: users stop, the admin does not.
    s.oracle().set_paused(true).call(&s.admin).unwrap();
    s.assert_refused(ContractError::Governance(GovernanceError::Paused), |s| {
        s.oracle()
            .fund_escrow(s.model)
            .with_funds(&[coin(1, DENOM)])
            .call(&s.stranger)
    });
}

#[test]
fn false_fraud_proofs_and_bad_hook_payments_change_nothing() {
    use attrib_std::receipts::ProofError;
    let s = Suite::new();
    let rs: Vec<_> = (1..=6).map(|i| s.receipt(i, 3)).collect();
    let (_, tree) = s.post(1, &rs, None).unwrap();
    // Increasing ids are no duplicate.
    s.assert_refused(
        ContractError::Proof(ProofError::NoFraud {
            reason: "the ids increase",
        }),
        |s| {
            s.oracle()
                .challenge_duplicate_id(
                    s.batch_ref(1),
                    DuplicateIdProof {
                        left: rs[1].clone(),
                        left_path: tree.path(0, 1),
                        right: Some(rs[2].clone()),
                        right_path: Some(tree.path(0, 2)),
                    },
                )
                .call(&s.auditor)
        },
    );
    s.assert_refused(
        ContractError::Validation(ValidationError::Invalid {
            field: "right/right_path",
            reason: "give both or neither",
        }),
        |s| {
            s.oracle()
                .challenge_duplicate_id(
                    s.batch_ref(1),
                    DuplicateIdProof {
                        left: rs[1].clone(),
                        left_path: tree.path(0, 1),
                        right: Some(rs[2].clone()),
                        right_path: None,
                    },
                )
                .call(&s.auditor)
        },
    );
    // The first leaf has its declared id.
    s.assert_refused(
        ContractError::Proof(ProofError::NoFraud {
            reason: "the end leaf has its declared id",
        }),
        |s| {
            s.oracle()
                .challenge_duplicate_id(
                    s.batch_ref(1),
                    DuplicateIdProof {
                        left: rs[0].clone(),
                        left_path: tree.path(0, 0),
                        right: None,
                        right_path: None,
                    },
                )
                .call(&s.auditor)
        },
    );
    // A present receipt is not omitted; an unchanged leaf is not altered.
    s.assert_refused(ContractError::Proof(ProofError::NotBracketed), |s| {
        s.oracle()
            .challenge_omitted_receipt(s.batch_ref(1), s.omission_proof(&rs[2], &rs, &tree, 2))
            .call(&s.auditor)
    });
    s.assert_refused(
        ContractError::Proof(ProofError::NoFraud {
            reason: "the leaf is the signed receipt",
        }),
        |s| {
            s.oracle()
                .challenge_altered_receipt(
                    s.batch_ref(1),
                    AlteredReceiptProof {
                        receipt: rs[2].clone(),
                        signature: s.sign(rs[2].digest()),
                        leaf: rs[2].clone(),
                        path: tree.path(0, 2),
                    },
                )
                .call(&s.auditor)
        },
    );
    // A receipt outside the batch's range.
    let outside = s.receipt(9, 3);
    s.assert_refused(
        ContractError::OutsideRange {
            id: 9,
            first_id: 1,
            last_id: 6,
        },
        |s| {
            s.oracle()
                .challenge_omitted_receipt(
                    s.batch_ref(1),
                    OmittedReceiptProof {
                        receipt: outside.clone(),
                        signature: s.sign(outside.digest()),
                        left: rs[4].clone(),
                        left_path: tree.path(0, 4),
                        right: rs[5].clone(),
                        right_path: tree.path(0, 5),
                    },
                )
                .call(&s.auditor)
        },
    );
    // The cw20 hook called directly (not by a token): the caller is no token the reward
    // pool accepts (issue 12 item 7; `cw20_hook.rs`).
    let msg = cosmwasm_std::to_json_binary(&attrib_receipt_oracle::msg::ReceiveMsg::FundEscrow {
        model_id: s.model,
    })
    .unwrap();
    s.assert_refused(
        ContractError::TokenNotAccepted {
            token: s.stranger.to_string(),
        },
        |s| {
            s.oracle()
                .receive(s.stranger.to_string(), Uint128::new(5), msg.clone())
                .call(&s.stranger)
        },
    );
    s.assert_refused(
        ContractError::Funds(FundsError::Unexpected {
            sent: vec![coin(1, DENOM)],
        }),
        |s| {
            s.oracle()
                .receive(s.stranger.to_string(), Uint128::new(5), msg.clone())
                .with_funds(&[coin(1, DENOM)])
                .call(&s.stranger)
        },
    );
}

/// The oracle's peers are fixed once a model is registered (its escrow, batches and
/// claims name them); before that, and for the same addresses, `set_peers` works. A peer
/// must be a contract other than the oracle itself.
#[test]
fn set_peers_bad_input() {
    use attrib_std::wiring::sv::mt::WiringProxy;
    use attrib_std::wiring::{PeerError, Peers};
    let s = Suite::new();
    let peers = |registry: &cosmwasm_std::Addr| Peers {
        registry: Some(registry.to_string()),
        ..Default::default()
    };
    s.assert_refused(
        ContractError::Governance(GovernanceError::NotAdmin {
            sender: s.stranger.to_string(),
        }),
        |s| s.oracle().set_peers(peers(&s.registry)).call(&s.stranger),
    );
    s.assert_refused(ContractError::Peers(PeerError::InUse { role: "registry" }), |s| {
        s.oracle().set_peers(peers(&s.pool)).call(&s.admin)
    });
    s.assert_refused(
        ContractError::Peers(PeerError::IsSelf { role: "registry" }),
        |s| s.oracle().set_peers(peers(&s.oracle)).call(&s.admin),
    );
    s.assert_refused(
        ContractError::Peers(PeerError::NotAContract { role: "registry" }),
        |s| s.oracle().set_peers(peers(&s.stranger)).call(&s.admin),
    );
    s.assert_refused(
        ContractError::Peers(PeerError::NotAPeer {
            role: "receipt_oracle",
        }),
        |s| {
            s.oracle()
                .set_peers(Peers {
                    receipt_oracle: Some(s.oracle.to_string()),
                    ..Default::default()
                })
                .call(&s.admin)
        },
    );
    // Re-sending the deployment's wiring is harmless.
    s.oracle().set_peers(peers(&s.registry)).call(&s.admin).unwrap();
    let now = s.oracle().peers().unwrap();
    assert_eq!(now.registry, Some(s.registry.clone()));
    assert_eq!(now.curator_staking, Some(s.staking.clone()));
    assert_eq!(now.reward_pool, Some(s.pool.clone()));
    assert_eq!(now.receipt_oracle, None);
}

/// Issue 14, item 7: what used to panic is a typed error that changes nothing — a batch
/// naming an epoch so large its posting deadline overflowed, and a batch whose charge
/// overflows the model's reservation. (Both panicked on the old code.)
#[test]
fn overflowing_epochs_and_charges_are_refused_not_panics() {
    let s = Suite::new();
    let rs: Vec<_> = (1..=3).map(|i| s.receipt(i, 1)).collect();
    let (mut huge_epoch, _) = s.header(1, &rs);
    huge_epoch.epoch = u64::MAX;
    s.assert_refused(
        ContractError::EpochClosed {
            epoch: u64::MAX,
            current: 0,
            deadline: u64::MAX,
        },
        |s| s.submit(&huge_epoch, None).map(|_| ()),
    );
    // Two batches that each claim half of all u128 in charge: the first is accepted
    // (it is provable fraud, not a panic), the second cannot be reserved.
    let half = u128::MAX / 2 / ROYALTY + 1;
    let (mut first, _) = s.header(1, &rs);
    first.total_units = Uint128::new(half);
    s.submit(&first, None).unwrap();
    let more: Vec<_> = (4..=6).map(|i| s.receipt(i, 1)).collect();
    let (mut second, _) = s.header(2, &more);
    second.total_units = Uint128::new(half);
    let err = s.submit(&second, None).unwrap_err();
    assert!(
        matches!(err, ContractError::Std(cosmwasm_std::StdError::Overflow { .. })),
        "{err}"
    );
}

/// SPEC §9 (panics reachable by a message): a batch declaring every id, 0 to u64::MAX,
/// overflowed `last_id - first_id + 1` in the range check and aborted the contract
/// instead of getting a typed error.
#[test]
fn a_range_over_every_id_is_a_typed_error_not_a_panic() {
    let s = Suite::new();
    s.assert_refused(ContractError::NotContiguous { expected: 1, got: 0 }, |s| {
        s.oracle()
            .submit_batch(NewBatch {
                model_id: s.model,
                epoch: 0,
                seq: 1,
                first_id: 0,
                last_id: u64::MAX,
                count: 2,
                total_units: Uint128::new(1),
                root: HexBinary::from([1u8; 32]),
                signature: HexBinary::from([0u8; 64]),
                replaces: None,
            })
            .call(&s.operator)
    });
}

/// After a batch whose range ends at the last id there is no next id: the following
/// batch is refused with IdsExhausted, not an overflow panic (attacker review, finding 4).
#[test]
fn no_batch_after_the_last_id() {
    let s = Suite::new();
    let rs: Vec<_> = (1..=3).map(|i| s.receipt(i, 1)).collect();
    let (mut to_the_end, _) = s.header(1, &rs);
    to_the_end.last_id = u64::MAX;
    s.submit(&to_the_end, None).unwrap();
    let more: Vec<_> = (4..=5).map(|i| s.receipt(i, 1)).collect();
    let (next, _) = s.header(2, &more);
    s.assert_refused(ContractError::IdsExhausted { last_id: u64::MAX }, |s| {
        s.submit(&next, None).map(|_| ())
    });
}
