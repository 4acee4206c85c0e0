//! SPEC §5.6 inclusion requests: an operator that withholds its leaves is voided and
//! slashed once a request goes unanswered; an honest one answers and keeps the fee; a
//! batch waits for its requests; bad requests, answers and expiries are refused with
//! nothing changed; fees in equal fees out.

use attrib_std::funds::FundsError;
use attrib_std::interfaces::omission_target::sv::mt::OmissionTargetProxy;
use attrib_std::interfaces::omission_target::AuditStats;
use attrib_std::receipts::{Path, ProofError, Receipt, SumTree};
use attrib_std::validation::ValidationError;
use cosmwasm_std::{coin, Addr, HexBinary};
use cw_multi_test::AppResponse;

use super::suite::*;
use attrib_curator_staking::contract::sv::mt::CuratorStakingContractProxy;
use attrib_receipt_oracle::contract::sv::mt::ReceiptOracleContractProxy;
use attrib_receipt_oracle::error::ContractError;
use attrib_receipt_oracle::state::{BatchStatus, InclusionRequest, InclusionStatus};

fn fee() -> cosmwasm_std::Coin {
    coin(INCLUSION_FEE, DENOM)
}

fn request(s: &Suite, seq: u64, r: &Receipt, who: &Addr) -> Result<AppResponse, ContractError> {
    s.oracle()
        .request_inclusion(s.batch_ref(seq), r.clone(), s.sign(r.digest()))
        .with_funds(&[fee()])
        .call(who)
}

fn answer(
    s: &Suite,
    seq: u64,
    id: u64,
    leaf: &Receipt,
    path: Path,
    who: &Addr,
) -> Result<AppResponse, ContractError> {
    s.oracle()
        .answer_inclusion(s.batch_ref(seq), id, leaf.clone(), path)
        .call(who)
}

fn expire(s: &Suite, seq: u64, id: u64) -> Result<AppResponse, ContractError> {
    s.oracle()
        .expire_inclusion(s.batch_ref(seq), id)
        .call(&s.stranger)
}

fn finalize(s: &Suite, seq: u64) -> Result<AppResponse, ContractError> {
    s.oracle()
        .finalize_batch(s.model, s.operator.to_string(), seq)
        .call(&s.stranger)
}

fn req(s: &Suite, seq: u64, id: u64) -> InclusionRequest {
    s.oracle().inclusion_request(s.batch_ref(seq), id).unwrap()
}

fn status(s: &Suite, seq: u64) -> BatchStatus {
    s.oracle()
        .batch(s.model, s.operator.to_string(), seq)
        .unwrap()
        .status
}

fn event<'a>(resp: &'a AppResponse, ty: &str) -> &'a cosmwasm_std::Event {
    resp.events
        .iter()
        .find(|e| e.ty == format!("wasm-{ty}"))
        .unwrap_or_else(|| panic!("no {ty} event in {:?}", resp.events))
}

fn attr<'a>(e: &'a cosmwasm_std::Event, key: &str) -> &'a str {
    &e.attributes.iter().find(|a| a.key == key).unwrap().value
}

/// Ten receipts signed; the operator posts a batch without receipt 5 and publishes nothing.
fn withheld(s: &Suite) -> (Vec<Receipt>, Vec<Receipt>, SumTree) {
    s.fund(1_000_000);
    let signed: Vec<Receipt> = (1..=10).map(|i| s.receipt(i, 4)).collect();
    let posted: Vec<Receipt> = signed.iter().filter(|r| r.receipt_id != 5).cloned().collect();
    let (_, tree) = s.post(1, &posted, None).unwrap();
    (signed, posted, tree)
}

/// The attack: an operator posts an under-reporting batch and never publishes its leaves,
/// so no fraud proof can be built. An inclusion request it cannot answer voids the batch
/// after the deadline, slashes it and pays the requester (fee refunded); a second open
/// request on the batch is refunded too. (Before SPEC §5.6 the batch simply finalized.)
#[test]
fn a_withholding_operator_is_voided_and_slashed_when_a_request_goes_unanswered() {
    let s = Suite::new();
    let (signed, posted, tree) = withheld(&s);
    let stake0 = s.operator_bonded();
    let (auditor0, stranger0, operator0) = (
        s.balance(&s.auditor),
        s.balance(&s.stranger),
        s.balance(&s.operator),
    );
    let charge = s
        .oracle()
        .batch(s.model, s.operator.to_string(), 1)
        .unwrap()
        .charge;

    let resp = request(&s, 1, &signed[4], &s.auditor).unwrap();
    let e = event(&resp, "attrib_inclusion_requested");
    assert_eq!(attr(e, "receipt_id"), "5");
    assert_eq!(attr(e, "requester"), s.auditor.as_str());
    let t0 = s.app.block_info().time.seconds();
    assert_eq!(attr(e, "deadline"), (t0 + RESPONSE).to_string());
    // The stranger asks for receipt 7 too (it is in the tree; the operator answers nothing).
    request(&s, 1, &signed[6], &s.stranger).unwrap();
    assert_eq!(s.balance(&s.auditor), auditor0 - INCLUSION_FEE);
    assert_eq!(s.open_inclusion_fees(), 2 * INCLUSION_FEE);
    s.assert_escrow_backed();

    // Not before the deadline (inclusive).
    s.advance(RESPONSE);
    s.assert_refused(
        ContractError::InclusionNotDue {
            receipt_id: 5,
            deadline: t0 + RESPONSE,
            now: t0 + RESPONSE,
        },
        |s| expire(s, 1, 5),
    );
    // Past it, the operator may no longer answer (receipt 7 is in its tree) …
    s.advance(1);
    s.assert_refused(
        ContractError::InclusionDeadlinePassed {
            receipt_id: 7,
            deadline: t0 + RESPONSE,
            now: t0 + RESPONSE + 1,
        },
        |s| answer(s, 1, 7, &posted[5], tree.path(0, 5), &s.operator),
    );
    // … and once the dispute window ends, the batch cannot finalize while requests are open.
    s.advance(WINDOW);
    s.assert_refused(ContractError::InclusionOpen { seq: 1, open: 2 }, |s| {
        finalize(s, 1)
    });
    let resp = expire(&s, 1, 5).unwrap();
    let e = event(&resp, "attrib_inclusion_expired");
    assert_eq!(attr(e, "outcome"), "upheld");
    assert_eq!(attr(e, "refunded"), "1");
    let f = event(&resp, "attrib_fraud_proven");
    assert_eq!(attr(f, "kind"), "inclusion_unanswered");
    assert_eq!(
        attr(f, "challenger"),
        s.auditor.as_str(),
        "the requester, not the sender"
    );

    assert_eq!(
        status(&s, 1),
        BatchStatus::Voided {
            reason: "inclusion_unanswered".into(),
            challenger: s.auditor.clone(),
        }
    );
    assert_eq!(s.operator_bonded(), stake0 - stake0 / 5, "20% slashed");
    let payout = s.staking().payout(s.auditor.to_string()).unwrap().amount.u128();
    assert_eq!(
        payout,
        stake0 / 5 / 2,
        "the requester gets the challenger's share"
    );
    // Both fees are back; the operator earned nothing.
    assert_eq!(s.balance(&s.auditor), auditor0);
    assert_eq!(s.balance(&s.stranger), stranger0);
    assert_eq!(s.balance(&s.operator), operator0);
    assert_eq!(req(&s, 1, 5).status, InclusionStatus::Upheld);
    assert_eq!(req(&s, 1, 7).status, InclusionStatus::Refunded);
    assert_eq!(s.open_inclusion_fees(), 0);
    assert_eq!(
        s.oracle()
            .batch(s.model, s.operator.to_string(), 1)
            .unwrap()
            .charge,
        charge,
        "the batch's declared charge is on record"
    );
    assert_eq!(
        s.oracle().audit_stats().unwrap(),
        AuditStats {
            inclusion_requests: 2,
            inclusion_upheld: 1,
            ..AuditStats::default()
        }
    );
    s.assert_escrow_backed();

    // Expiring again, answering after the expiry, or expiring the refunded one: closed.
    s.assert_refused(ContractError::InclusionClosed { receipt_id: 5 }, |s| {
        expire(s, 1, 5)
    });
    s.assert_refused(ContractError::InclusionClosed { receipt_id: 7 }, |s| {
        expire(s, 1, 7)
    });
    s.assert_refused(ContractError::InclusionClosed { receipt_id: 5 }, |s| {
        answer(
            s,
            1,
            5,
            &signed[5],
            SumTree::from_receipts(&signed).unwrap().unwrap().path(0, 5),
            &s.operator,
        )
    });
    s.assert_refused(ContractError::NotPending { seq: 1 }, |s| finalize(s, 1));
}

/// An honest operator answers with the leaf and its path: it keeps the fee, and the batch
/// finalizes once no request is open. Wrong answers are refused, nothing changed.
#[test]
fn an_honest_operator_answers_keeps_the_fee_and_the_batch_finalizes() {
    let s = Suite::new();
    s.fund(1_000_000);
    let rs: Vec<Receipt> = (1..=10).map(|i| s.receipt(i, 4)).collect();
    let (_, tree) = s.post(1, &rs, None).unwrap();
    let (auditor0, operator0, pool0) = (s.balance(&s.auditor), s.balance(&s.operator), s.balance(&s.pool));
    s.advance(WINDOW - 100);
    request(&s, 1, &rs[3], &s.auditor).unwrap();
    s.advance(100);
    s.assert_refused(ContractError::InclusionOpen { seq: 1, open: 1 }, |s| {
        finalize(s, 1)
    });

    // Another leaf's path, another id, a node above the leaves: refused.
    s.assert_refused(ContractError::Proof(ProofError::RootMismatch), |s| {
        answer(s, 1, 4, &rs[3], tree.path(0, 2), &s.operator)
    });
    s.assert_refused(
        ContractError::Proof(ProofError::WrongReceipt {
            reason: "the leaf has another receipt id",
        }),
        |s| answer(s, 1, 4, &rs[2], tree.path(0, 2), &s.operator),
    );
    s.assert_refused(ContractError::Proof(ProofError::NotAdjacent), |s| {
        answer(s, 1, 4, &rs[3], tree.path(1, 1), &s.operator)
    });
    // No request for that id; an answer with funds.
    s.assert_refused(
        ContractError::InclusionNotFound {
            seq: 1,
            receipt_id: 3,
        },
        |s| answer(s, 1, 3, &rs[2], tree.path(0, 2), &s.operator),
    );
    s.assert_refused(
        ContractError::Funds(FundsError::Unexpected {
            sent: vec![coin(1, DENOM)],
        }),
        |s| {
            s.oracle()
                .answer_inclusion(s.batch_ref(1), 4, rs[3].clone(), tree.path(0, 3))
                .with_funds(&[coin(1, DENOM)])
                .call(&s.operator)
        },
    );

    // Anyone may answer (here the operator's own gateway); the fee goes to the operator.
    let resp = answer(&s, 1, 4, &rs[3], tree.path(0, 3), &s.operator).unwrap();
    assert_eq!(
        attr(event(&resp, "attrib_inclusion_answered"), "outcome"),
        "included"
    );
    assert_eq!(s.balance(&s.operator), operator0 + INCLUSION_FEE);
    assert_eq!(s.balance(&s.auditor), auditor0 - INCLUSION_FEE);
    assert_eq!(req(&s, 1, 4).status, InclusionStatus::Answered);
    s.assert_refused(ContractError::InclusionClosed { receipt_id: 4 }, |s| {
        answer(s, 1, 4, &rs[3], tree.path(0, 3), &s.operator)
    });
    s.assert_refused(ContractError::InclusionClosed { receipt_id: 4 }, |s| {
        expire(s, 1, 4)
    });
    assert_eq!(
        s.oracle().audit_stats().unwrap(),
        AuditStats {
            inclusion_requests: 1,
            inclusion_answered: 1,
            ..AuditStats::default()
        }
    );
    s.assert_escrow_backed();
    finalize(&s, 1).unwrap();
    assert_eq!(s.balance(&s.pool), pool0 + 40 * ROYALTY);
    s.assert_escrow_backed();
}

/// Answering with a leaf that differs from the signed receipt proves an altered receipt:
/// the batch is voided, the operator slashed, the requester paid and refunded.
#[test]
fn an_answer_with_another_leaf_is_an_altered_receipt() {
    let s = Suite::new();
    s.fund(1_000_000);
    let signed: Vec<Receipt> = (1..=6).map(|i| s.receipt(i, 9)).collect();
    let mut posted = signed.clone();
    posted[2].units = 1;
    let (_, tree) = s.post(1, &posted, None).unwrap();
    let stake0 = s.operator_bonded();
    let auditor0 = s.balance(&s.auditor);
    request(&s, 1, &signed[2], &s.auditor).unwrap();
    let resp = answer(&s, 1, 3, &posted[2], tree.path(0, 2), &s.operator).unwrap();
    assert_eq!(
        attr(event(&resp, "attrib_inclusion_answered"), "outcome"),
        "altered"
    );
    assert_eq!(
        attr(event(&resp, "attrib_fraud_proven"), "kind"),
        "altered_receipt"
    );
    assert_eq!(
        status(&s, 1),
        BatchStatus::Voided {
            reason: "altered_receipt".into(),
            challenger: s.auditor.clone(),
        }
    );
    assert_eq!(s.operator_bonded(), stake0 - stake0 / 5);
    assert_eq!(s.balance(&s.auditor), auditor0);
    assert_eq!(s.oracle().audit_stats().unwrap().inclusion_upheld, 1);
    s.assert_escrow_backed();
}

/// Receipts of epoch 0 carried under a batch labelled epoch 1: the request is taken (any
/// epoch), and even the receipt's own leaf cannot close it, since the receipt is not of
/// the batch's epoch: answering with it upholds the request.
#[test]
fn a_receipt_of_another_epoch_under_the_batch_cannot_be_answered_away() {
    let s = Suite::new();
    s.fund(1_000_000);
    let rs: Vec<Receipt> = (1..=4).map(|i| s.receipt(i, 5)).collect();
    s.advance(EPOCH);
    let (mut header, tree) = s.header(1, &rs);
    header.epoch = 1;
    s.submit(&header, None).unwrap();
    request(&s, 1, &rs[1], &s.auditor).unwrap();
    let resp = answer(&s, 1, 2, &rs[1], tree.path(0, 1), &s.operator).unwrap();
    assert_eq!(
        attr(event(&resp, "attrib_inclusion_answered"), "outcome"),
        "altered"
    );
    assert!(matches!(status(&s, 1), BatchStatus::Voided { .. }));
    s.assert_escrow_backed();
}

/// Bad requests: each refused with its exact error, nothing changed.
#[test]
fn bad_inclusion_requests_are_refused() {
    let s = Suite::new();
    let (signed, _, _) = withheld(&s);
    let r = signed[4].clone();
    let call = |s: &Suite, r: &Receipt, sig: HexBinary, funds: Vec<cosmwasm_std::Coin>| {
        s.oracle()
            .request_inclusion(s.batch_ref(1), r.clone(), sig)
            .with_funds(&funds)
            .call(&s.auditor)
    };
    let sig = s.sign(r.digest());
    s.assert_refused(
        ContractError::Funds(FundsError::Missing { expected: fee() }),
        |s| call(s, &r, sig.clone(), vec![]),
    );
    for funds in [
        vec![coin(INCLUSION_FEE - 1, DENOM)],
        vec![coin(INCLUSION_FEE, "uother")],
        vec![fee(), coin(1, "uother")],
    ] {
        s.assert_refused(
            ContractError::Funds(FundsError::Wrong {
                expected: fee(),
                sent: funds.clone(),
            }),
            |s| call(s, &r, sig.clone(), funds.clone()),
        );
    }
    // Unsigned (another receipt's signature), or signed by another key.
    s.assert_refused(ContractError::BadSignature {}, |s| {
        call(s, &r, s.sign(signed[3].digest()), vec![fee()])
    });
    let forger = k256::ecdsa::SigningKey::from_bytes(&[9u8; 32].into()).unwrap();
    let forged: k256::ecdsa::Signature =
        k256::ecdsa::signature::hazmat::PrehashSigner::sign_prehash(&forger, &r.digest()).unwrap();
    s.assert_refused(ContractError::BadSignature {}, |s| {
        call(s, &r, HexBinary::from(forged.to_bytes().to_vec()), vec![fee()])
    });
    // Signed for another chain or model.
    let other = Receipt {
        chain_id: "other".into(),
        ..r.clone()
    };
    s.assert_refused(ContractError::ReceiptMismatch { field: "chain" }, |s| {
        call(s, &other, s.sign(other.digest()), vec![fee()])
    });
    let other = Receipt {
        model_id: 99,
        ..r.clone()
    };
    s.assert_refused(ContractError::ReceiptMismatch { field: "model" }, |s| {
        call(s, &other, s.sign(other.digest()), vec![fee()])
    });
    // An id outside the batch's range.
    let outside = s.receipt(11, 4);
    s.assert_refused(
        ContractError::OutsideRange {
            id: 11,
            first_id: 1,
            last_id: 10,
        },
        |s| request(s, 1, &outside, &s.auditor),
    );
    // No such batch.
    s.assert_refused(
        ContractError::BatchNotFound {
            model_id: s.model,
            operator: s.operator.to_string(),
            seq: 2,
        },
        |s| request(s, 2, &r, &s.auditor),
    );
    // Once per (batch, receipt id), whoever asks.
    request(&s, 1, &r, &s.auditor).unwrap();
    s.assert_refused(
        ContractError::InclusionExists {
            seq: 1,
            receipt_id: 5,
        },
        |s| request(s, 1, &r, &s.stranger),
    );
    // At most MAX_REQUESTS open.
    request(&s, 1, &signed[0], &s.stranger).unwrap();
    request(&s, 1, &signed[1], &s.stranger).unwrap();
    s.assert_refused(
        ContractError::TooManyInclusionRequests {
            seq: 1,
            max: MAX_REQUESTS,
        },
        |s| request(s, 1, &signed[2], &s.stranger),
    );
    s.assert_escrow_backed();
}

/// After the dispute window no request is taken (unless the bound was reached, below).
#[test]
fn a_request_after_the_dispute_window_is_refused() {
    let s = Suite::new();
    let (signed, _, _) = withheld(&s);
    let posted_at = s.app.block_info().time.seconds();
    s.advance(WINDOW - 1);
    request(&s, 1, &signed[0], &s.auditor).unwrap();
    s.advance(1);
    s.assert_refused(
        ContractError::InclusionWindowClosed {
            seq: 1,
            closed_at: posted_at + WINDOW - 1,
            now: posted_at + WINDOW,
        },
        |s| request(s, 1, &signed[1], &s.auditor),
    );
}

/// An operator that fills the bound with requests of its own (its fees come back to it
/// when it answers) and answers them at the last moment would shut genuine requesters out
/// of the dispute window. Once the bound is reached, requests stay open to all, and the
/// batch waits, for a response time after it.
#[test]
fn filling_the_bound_does_not_shut_requesters_out() {
    let s = Suite::new();
    let (signed, posted, tree) = withheld(&s);
    // At the end of the window the operator files MAX_REQUESTS requests for leaves it
    // can answer.
    s.advance(WINDOW - 1);
    for r in &signed[..MAX_REQUESTS as usize] {
        request(&s, 1, r, &s.operator).unwrap();
    }
    let full_at = s.app.block_info().time.seconds();
    s.advance(RESPONSE - 1);
    // At the last second it answers them all; the dispute window is over by then.
    for i in 0..MAX_REQUESTS as usize {
        answer(
            &s,
            1,
            signed[i].receipt_id,
            &posted[i],
            tree.path(0, i as u64),
            &s.operator,
        )
        .unwrap();
    }
    assert!(
        s.app.block_info().time.seconds() > full_at + 1,
        "the dispute window is over"
    );
    s.assert_refused(
        ContractError::InclusionHeld {
            seq: 1,
            until: full_at + RESPONSE,
        },
        |s| finalize(s, 1),
    );
    // The auditor still gets its request in, and the withheld receipt voids the batch.
    request(&s, 1, &signed[4], &s.auditor).unwrap();
    s.advance(RESPONSE + 1);
    expire(&s, 1, 5).unwrap();
    assert!(matches!(status(&s, 1), BatchStatus::Voided { .. }));
    s.assert_escrow_backed();
}

/// A request open when another proof voids the batch: its fee is not stranded. The
/// requester (through anyone) closes it at once and gets the fee back.
#[test]
fn a_request_on_a_batch_voided_otherwise_is_refunded() {
    let s = Suite::new();
    let (signed, posted, tree) = withheld(&s);
    let auditor0 = s.balance(&s.auditor);
    request(&s, 1, &signed[4], &s.auditor).unwrap();
    s.oracle()
        .challenge_omitted_receipt(s.batch_ref(1), s.omission_proof(&signed[4], &posted, &tree, 3))
        .call(&s.stranger)
        .unwrap();
    assert_eq!(s.open_inclusion_fees(), INCLUSION_FEE);
    s.assert_escrow_backed();
    // Answering a voided batch is refused; expiring refunds, before the deadline too.
    s.assert_refused(ContractError::NotPending { seq: 1 }, |s| {
        answer(s, 1, 5, &posted[4], tree.path(0, 4), &s.operator)
    });
    let resp = expire(&s, 1, 5).unwrap();
    assert_eq!(
        attr(event(&resp, "attrib_inclusion_expired"), "outcome"),
        "refunded"
    );
    assert_eq!(s.balance(&s.auditor), auditor0);
    assert_eq!(req(&s, 1, 5).status, InclusionStatus::Refunded);
    assert_eq!(s.oracle().audit_stats().unwrap().inclusion_upheld, 0);
    // A new batch cannot be requested on as the voided one.
    s.assert_refused(ContractError::NotPending { seq: 1 }, |s| {
        request(s, 1, &signed[5], &s.auditor)
    });
    s.assert_escrow_backed();
}

/// The list query pages by receipt id.
#[test]
fn inclusion_requests_are_listed_by_receipt_id() {
    let s = Suite::new();
    let (signed, _, _) = withheld(&s);
    for i in [6usize, 1, 3] {
        request(&s, 1, &signed[i], &s.auditor).unwrap();
    }
    let ids = |start: Option<u64>, limit: Option<u32>| -> Vec<u64> {
        s.oracle()
            .inclusion_requests(s.batch_ref(1), start, limit)
            .unwrap()
            .requests
            .iter()
            .map(|r| r.receipt.receipt_id)
            .collect()
    };
    assert_eq!(ids(None, None), vec![2, 4, 7]);
    assert_eq!(ids(Some(2), Some(1)), vec![4]);
    assert_eq!(ids(Some(7), None), Vec::<u64>::new());
    let r = req(&s, 1, 7);
    assert_eq!(r.requester, s.auditor);
    assert_eq!(r.fee, fee());
    assert_eq!(r.deadline, r.requested_at + RESPONSE);
    // A query's error reaches the caller as text.
    let err = s.oracle().inclusion_request(s.batch_ref(1), 5).unwrap_err();
    assert!(
        err.to_string().contains(
            &ContractError::InclusionNotFound {
                seq: 1,
                receipt_id: 5
            }
            .to_string()
        ),
        "{err}"
    );
}

/// The new parameters have ranges like the others.
#[test]
fn inclusion_params_are_checked() {
    let s = Suite::new();
    let out_of_range = |field, value, min, max| {
        ContractError::Validation(ValidationError::OutOfRange {
            field,
            value,
            min,
            max,
        })
    };
    let mut p = params();
    p.max_inclusion_requests = 0;
    s.assert_refused(out_of_range("max_inclusion_requests", 0, 1, 100), |s| {
        s.oracle().update_params(p.clone()).call(&s.admin)
    });
    let mut p = params();
    p.inclusion_response_secs = 0;
    s.assert_refused(out_of_range("inclusion_response_secs", 0, 1, 365 * 86_400), |s| {
        s.oracle().update_params(p.clone()).call(&s.admin)
    });
    let mut p = params();
    p.inclusion_fee = coin(0, DENOM);
    s.assert_refused(out_of_range("inclusion_fee.amount", 0, 1, u128::MAX), |s| {
        s.oracle().update_params(p.clone()).call(&s.admin)
    });
    let mut p = params();
    p.inclusion_fee = coin(5, "cw20:token");
    s.assert_refused(
        ContractError::Validation(ValidationError::Invalid {
            field: "inclusion_fee.denom",
            reason: "must be a native denom",
        }),
        |s| s.oracle().update_params(p.clone()).call(&s.admin),
    );
    let mut p = params();
    p.max_inclusion_requests = 100;
    p.inclusion_fee = coin(1, "uother");
    s.oracle().update_params(p).call(&s.admin).unwrap();
}
