//! Receipt oracle messages: submit_batch across receipt counts (it must stay flat),
//! finalize, and the fraud proofs; and `attrib bench tree`, the off-chain side of a batch
//! (its merkle-sum tree and proofs), timed.

use std::time::Duration;

use anyhow::{anyhow, Result};
use attrib_receipt_oracle::contract::sv::{ExecMsg as OracleExec, QueryMsg as OracleQuery};
use attrib_receipt_oracle::msg::{
    AlteredReceiptProof, BadSumProof, BadTotalProof, BatchRef, DuplicateIdProof, EpochResponse, NewBatch,
    OmittedReceiptProof, WrongEpochProof,
};
use attrib_receipt_oracle::state::{Config as OracleConfig, Cursor, LineageEntry};
use attrib_std::interfaces::slashing_service::sv::QueryMsg as SlashingQuery;
use attrib_std::interfaces::slashing_service::StakeOfResponse;
use attrib_std::receipts::{BatchHeader, Receipt, SumTree};
use cosmwasm_std::{coin, Coin, HexBinary};
use serde::Serialize;

use super::{cw20_send, id_from, Bench, Target};
use crate::context::Ctx;
use crate::receipts::sign_bytes;

pub(super) async fn run(b: &mut Bench<'_>, dataset_id: u64, max_receipts: u64) -> Result<()> {
    let ctx = b.ctx;
    let oracle = b.target("receipt_oracle", "oracle")?;
    let staking = b.deployments.address("curator_staking")?;
    let token = b.target("protocol_token", "curation")?;
    let keys = ctx.keys()?;
    let operator = keys.signer("operator", &ctx.g.prefix)?;
    let op_addr = operator.address.to_string();

    let stake: StakeOfResponse = ctx
        .chain
        .query(
            &staking,
            &SlashingQuery::StakeOf {
                address: op_addr.clone(),
            },
        )
        .await?;
    if stake.bonded.u128() < 5_000_000 {
        let hook = attrib_curator_staking::msg::ReceiveMsg::Stake {
            role: attrib_curator_staking::state::Role::Operator,
        };
        let send = cw20_send(&staking, 5_000_000, &hook)?;
        b.exec(
            "operator",
            &token,
            "stake as operator (cw20 send)",
            &send,
            vec![],
            "",
        )
        .await?;
    }
    let pubkey = HexBinary::from(operator.key.public_key().to_bytes());
    b.exec(
        "operator",
        &oracle,
        "register_operator",
        &OracleExec::RegisterOperator { pubkey },
        vec![],
        "checks the bond in curation",
    )
    .await?;
    let lineage = vec![LineageEntry {
        dataset_id,
        version: 1,
        weight_bps: 10_000,
    }];
    let msg = OracleExec::RegisterModel {
        metadata_uri: "ipfs://bench/model".into(),
        lineage,
        parent: None,
        royalty_per_unit: coin(1, "uatr"),
    };
    let bond_cfg: OracleConfig = ctx.chain.query(&oracle.addr, &OracleQuery::Config {}).await?;
    let bond: Vec<Coin> = vec![coin(bond_cfg.params.model_bond.u128(), "uatr")]
        .into_iter()
        .filter(|c| !c.amount.is_zero())
        .collect();
    let o = b
        .exec(
            "devshop",
            &oracle,
            "register_model",
            &msg,
            bond,
            "1 lineage entry, license + terms queried, bond",
        )
        .await?;
    let model_id = id_from(&o, "attrib_model_registered", "model_id")?;
    b.exec(
        "devshop",
        &oracle,
        "set_model_operator",
        &OracleExec::SetModelOperator {
            model_id,
            operator: op_addr.clone(),
            allowed: true,
        },
        vec![],
        "",
    )
    .await?;
    // A voided batch is charged at once: six of `max_receipts` two-unit receipts (five
    // proofs, one expired inclusion request) on top of the batches posted honestly. Short
    // of it the model is suspended and the bench stops.
    let escrow = 5_000_000 + 20 * max_receipts as u128;
    b.exec(
        "devshop",
        &oracle,
        "fund_escrow",
        &OracleExec::FundEscrow { model_id },
        vec![coin(escrow, "uatr")],
        "",
    )
    .await?;

    let config: OracleConfig = ctx.chain.query(&oracle.addr, &OracleQuery::Config {}).await?;
    let epoch: EpochResponse = ctx.chain.query(&oracle.addr, &OracleQuery::Epoch {}).await?;
    let receipt = |id: u64, units: u64| Receipt {
        chain_id: ctx.g.chain_id.clone(),
        contract: oracle.addr.clone(),
        model_id,
        epoch: epoch.current,
        receipt_id: id,
        units,
        timestamp: 1,
    };
    let sign = |msg: &[u8]| sign_bytes(&operator, msg);
    let mut next_id = 1u64;
    let m = Metering {
        ctx,
        oracle: &oracle,
        operator: &operator,
        model_id,
    };
    // A replacement of the first batch ever posted: the reference the one after 1 000
    // batches (below) is held to.
    let signed: Vec<Receipt> = (next_id..next_id + 3).map(|i| receipt(i, 2)).collect();
    next_id += 3;
    m.void_and_replace(b, signed, "submit_batch replacement (after 1 batch)".into())
        .await?;
    let mut sizes = vec![1u64, 1_000, 100_000];
    if max_receipts > 100_000 {
        sizes.push(max_receipts);
    }
    let mut first_seq = 0;
    for n in sizes {
        let rs: Vec<Receipt> = (next_id..next_id + n).map(|i| receipt(i, 1)).collect();
        next_id += n;
        let (seq, _) = m
            .post(
                b,
                rs,
                format!("submit_batch ({n} receipts)"),
                "O(1): root, total, count, range",
                None,
            )
            .await?;
        if first_seq == 0 {
            first_seq = seq;
        }
    }

    // Fraud proofs, each against a batch of the fewest receipts it needs and one of
    // `max_receipts`: a proof must cost O(log n) in the batch size. After each upheld
    // proof the honest replacement goes in (the model may post nothing else before).
    let batch_ref = |seq: u64| BatchRef {
        model_id,
        operator: op_addr.clone(),
        seq,
    };
    for n in [2u64, max_receipts.max(2)] {
        let label = |what: &str| format!("{what} ({n} leaves)");
        m.keep_bonded(b, &staking, &token).await?;
        let signed: Vec<Receipt> = (next_id..next_id + n + 1).map(|i| receipt(i, 2)).collect();
        next_id += n + 1;
        let gap = (n / 2) as usize;
        let mut posted = signed.clone();
        posted.remove(gap);
        let (seq, tree) = m.post_quiet(b, &posted, None, None).await?;
        let msg = OracleExec::ChallengeOmittedReceipt {
            batch: batch_ref(seq),
            proof: OmittedReceiptProof {
                receipt: signed[gap].clone(),
                signature: sign(&signed[gap].sign_bytes()),
                left: posted[gap - 1].clone(),
                left_path: tree.path(0, gap as u64 - 1),
                right: posted[gap].clone(),
                right_path: tree.path(0, gap as u64),
            },
        };
        let note = "sig + 2 paths, slash, charge";
        b.exec(
            "auditor",
            &oracle,
            &label("challenge_omitted_receipt"),
            &msg,
            vec![],
            note,
        )
        .await?;
        m.post_quiet(b, &signed, None, Some(seq)).await?;

        m.keep_bonded(b, &staking, &token).await?;
        let signed: Vec<Receipt> = (next_id..next_id + n).map(|i| receipt(i, 2)).collect();
        next_id += n;
        let mut posted = signed.clone();
        posted[gap].units = 1;
        let (seq, tree) = m.post_quiet(b, &posted, None, None).await?;
        let msg = OracleExec::ChallengeAlteredReceipt {
            batch: batch_ref(seq),
            proof: AlteredReceiptProof {
                receipt: signed[gap].clone(),
                signature: sign(&signed[gap].sign_bytes()),
                leaf: posted[gap].clone(),
                path: tree.path(0, gap as u64),
            },
        };
        b.exec(
            "auditor",
            &oracle,
            &label("challenge_altered_receipt"),
            &msg,
            vec![],
            "sig + 1 path",
        )
        .await?;
        m.post_quiet(b, &signed, None, Some(seq)).await?;

        m.keep_bonded(b, &staking, &token).await?;
        let rs: Vec<Receipt> = (next_id..next_id + n).map(|i| receipt(i, 2)).collect();
        next_id += n;
        let honest = 2 * n as u128;
        let (seq, tree) = m.post_quiet(b, &rs, Some(honest - 3), None).await?;
        let top = tree.root_level();
        let msg = OracleExec::ChallengeBadSum {
            batch: batch_ref(seq),
            proof: BadSumProof {
                left: tree.node(top - 1, 0).expect("children").into(),
                right: tree.node(top - 1, 1).expect("children").into(),
                claimed_sum: (honest - 3).into(),
                path: tree.path(top, 0),
            },
        };
        b.exec(
            "auditor",
            &oracle,
            &label("challenge_bad_sum"),
            &msg,
            vec![],
            "node + children",
        )
        .await?;
        m.post_quiet(b, &rs, None, Some(seq)).await?;

        m.keep_bonded(b, &staking, &token).await?;
        let honest: Vec<Receipt> = (next_id..next_id + n).map(|i| receipt(i, 2)).collect();
        next_id += n;
        let mut rs = honest.clone();
        rs[1].receipt_id = rs[0].receipt_id; // the same id twice
        let range = (honest[0].receipt_id, honest[n as usize - 1].receipt_id);
        let (seq, tree) = m
            .post_with(
                b,
                &rs,
                Shape {
                    range: Some(range),
                    ..Shape::default()
                },
                None,
            )
            .await?;
        let at = rs
            .windows(2)
            .position(|w| w[0].receipt_id >= w[1].receipt_id)
            .expect("a duplicate");
        let msg = OracleExec::ChallengeDuplicateId {
            batch: batch_ref(seq),
            proof: DuplicateIdProof {
                left: rs[at].clone(),
                left_path: tree.path(0, at as u64),
                right: Some(rs[at + 1].clone()),
                right_path: Some(tree.path(0, at as u64 + 1)),
            },
        };
        b.exec(
            "auditor",
            &oracle,
            &label("challenge_duplicate_id"),
            &msg,
            vec![],
            "2 paths",
        )
        .await?;
        m.post_quiet(b, &honest, None, Some(seq)).await?;

        // Receipts of the next epoch carried under this one's label.
        m.keep_bonded(b, &staking, &token).await?;
        let honest: Vec<Receipt> = (next_id..next_id + n).map(|i| receipt(i, 2)).collect();
        next_id += n;
        let foreign: Vec<Receipt> = honest
            .iter()
            .map(|r| Receipt {
                epoch: r.epoch + 1,
                ..r.clone()
            })
            .collect();
        let shape = Shape {
            epoch: Some(epoch.current),
            ..Shape::default()
        };
        let (seq, _) = m.post_with(b, &foreign, shape, None).await?;
        let msg = OracleExec::ChallengeWrongEpoch {
            batch: batch_ref(seq),
            proof: WrongEpochProof {
                receipt: foreign[gap].clone(),
                signature: sign(&foreign[gap].sign_bytes()),
            },
        };
        b.exec(
            "auditor",
            &oracle,
            &label("challenge_wrong_epoch"),
            &msg,
            vec![],
            "sig, no path",
        )
        .await?;
        m.post_quiet(b, &honest, None, Some(seq)).await?;
    }

    // A one-leaf batch declaring less than its leaf.
    m.keep_bonded(b, &staking, &token).await?;
    let one = vec![receipt(next_id, 50)];
    next_id += 1;
    let (seq, _) = m.post_quiet(b, &one, Some(1), None).await?;
    let msg = OracleExec::ChallengeBadTotal {
        batch: batch_ref(seq),
        proof: BadTotalProof { leaf: one[0].clone() },
    };
    b.exec(
        "auditor",
        &oracle,
        "challenge_bad_total (1 leaf)",
        &msg,
        vec![],
        "the leaf",
    )
    .await?;
    m.post_quiet(b, &one, None, Some(seq)).await?;

    // SPEC §5.6 inclusion requests at 2 and `max_receipts` leaves. Answered: an honest
    // batch, one of its receipts requested and its leaf shown by the operator. Expired: a
    // batch without the requested receipt, left unanswered past the deadline, then its
    // honest replacement. Every request goes first, so the bench waits once.
    let fee = vec![config.params.inclusion_fee.clone()];
    let mut unanswered = vec![];
    for n in [2u64, max_receipts.max(2)] {
        let label = |what: &str| format!("{what} ({n} leaves)");
        let at = (n / 2) as usize;
        m.keep_bonded(b, &staking, &token).await?;
        let rs: Vec<Receipt> = (next_id..next_id + n).map(|i| receipt(i, 2)).collect();
        next_id += n;
        let (seq, tree) = m.post_quiet(b, &rs, None, None).await?;
        let msg = OracleExec::RequestInclusion {
            batch: batch_ref(seq),
            receipt: rs[at].clone(),
            signature: sign(&rs[at].sign_bytes()),
        };
        b.exec(
            "auditor",
            &oracle,
            &label("request_inclusion"),
            &msg,
            fee.clone(),
            "sig, fee, hold on the batch",
        )
        .await?;
        let msg = OracleExec::AnswerInclusion {
            batch: batch_ref(seq),
            receipt_id: rs[at].receipt_id,
            leaf: rs[at].clone(),
            path: tree.path(0, at as u64),
        };
        b.exec(
            "operator",
            &oracle,
            &label("answer_inclusion"),
            &msg,
            vec![],
            "1 path, fee → operator",
        )
        .await?;

        let signed: Vec<Receipt> = (next_id..next_id + n + 1).map(|i| receipt(i, 2)).collect();
        next_id += n + 1;
        let mut posted = signed.clone();
        posted.remove(at);
        let (seq, _) = m.post_quiet(b, &posted, None, None).await?;
        let msg = OracleExec::RequestInclusion {
            batch: batch_ref(seq),
            receipt: signed[at].clone(),
            signature: sign(&signed[at].sign_bytes()),
        };
        b.quiet_paying("auditor", &oracle, &[msg], fee.clone()).await?;
        unanswered.push((n, seq, signed[at].receipt_id, signed));
    }
    let wait = config.params.inclusion_response_secs + 2;
    eprintln!("  waiting {wait}s for the inclusion deadlines");
    tokio::time::sleep(Duration::from_secs(wait)).await;
    for (n, seq, receipt_id, signed) in unanswered {
        let msg = OracleExec::ExpireInclusion {
            batch: batch_ref(seq),
            receipt_id,
        };
        b.exec(
            "auditor",
            &oracle,
            &format!("expire_inclusion ({n} leaves)"),
            &msg,
            vec![],
            "void, slash, charge, refund",
        )
        .await?;
        m.keep_bonded(b, &staking, &token).await?;
        m.post_quiet(b, &signed, None, Some(seq)).await?;
    }

    // A replacement after 1 000 batches costs what the first one did (first_replacement,
    // measured before any other batch): it finds the batch it replaces by key.
    let cursor: Cursor = ctx
        .chain
        .query(
            &oracle.addr,
            &OracleQuery::Cursor {
                model_id,
                operator: op_addr.clone(),
            },
        )
        .await?;
    let filler = 999u64.saturating_sub(cursor.next_seq - 1);
    eprintln!("  posting {filler} one-receipt batches (50 a transaction)");
    let mut seq = cursor.next_seq;
    let mut left = filler;
    while left > 0 {
        let k = left.min(50);
        let mut msgs = vec![];
        for _ in 0..k {
            let rs = vec![receipt(next_id, 1)];
            next_id += 1;
            msgs.push(m.batch_msg(&rs, seq, Shape::default())?.0);
            seq += 1;
        }
        b.quiet("operator", &oracle, &msgs).await?;
        left -= k;
    }
    m.keep_bonded(b, &staking, &token).await?;
    let signed: Vec<Receipt> = (next_id..next_id + 3).map(|i| receipt(i, 2)).collect();
    m.void_and_replace(
        b,
        signed,
        format!("submit_batch replacement (after {} batches)", seq),
    )
    .await?;

    eprintln!(
        "  waiting {}s for the dispute window",
        config.params.dispute_window_secs + 1
    );
    tokio::time::sleep(Duration::from_secs(config.params.dispute_window_secs + 1)).await;
    for (seq, n) in [(first_seq, "1"), (first_seq + 3, "largest")] {
        let msg = OracleExec::FinalizeBatch {
            model_id,
            operator: op_addr.clone(),
            seq,
        };
        b.exec(
            "auditor",
            &oracle,
            &format!("finalize_batch ({n})"),
            &msg,
            vec![],
            "escrow → pool, 1 earmark",
        )
        .await?;
    }
    Ok(())
}

/// Posts batches for one model as its operator.
struct Metering<'a> {
    ctx: &'a Ctx,
    oracle: &'a Target,
    operator: &'a crate::keys::Signer,
    model_id: u64,
}

/// How a posted batch departs from the honest header of its receipts.
#[derive(Default, Clone, Copy)]
struct Shape {
    /// A declared total other than the tree's.
    total: Option<u128>,
    /// The voided batch this one replaces.
    replaces: Option<u64>,
    /// Declared first and last ids other than the end leaves'.
    range: Option<(u64, u64)>,
    /// An epoch label other than the first receipt's.
    epoch: Option<u64>,
}

impl Metering<'_> {
    /// The signed `submit_batch` of `rs` as batch `seq`, shaped by `shape`, and its tree.
    fn batch_msg(&self, rs: &[Receipt], seq: u64, shape: Shape) -> Result<(OracleExec, SumTree)> {
        let tree = SumTree::from_receipts(rs)?.ok_or_else(|| anyhow!("empty batch"))?;
        let c = tree.commitment();
        let (first_id, last_id) = shape
            .range
            .unwrap_or((rs[0].receipt_id, rs.last().expect("non-empty").receipt_id));
        let header = BatchHeader {
            chain_id: self.ctx.g.chain_id.clone(),
            contract: self.oracle.addr.clone(),
            model_id: self.model_id,
            epoch: shape.epoch.unwrap_or(rs[0].epoch),
            operator: self.operator.address.to_string(),
            seq,
            first_id,
            last_id,
            count: c.count,
            total_units: shape.total.unwrap_or(c.total).into(),
            root: HexBinary::from(c.root.to_vec()),
        };
        let msg = OracleExec::SubmitBatch {
            batch: NewBatch {
                model_id: self.model_id,
                epoch: header.epoch,
                seq,
                first_id,
                last_id,
                count: header.count,
                total_units: header.total_units,
                root: header.root.clone(),
                signature: sign_bytes(self.operator, &header.sign_bytes()),
                replaces: shape.replaces,
            },
        };
        Ok((msg, tree))
    }

    async fn next_seq(&self) -> Result<u64> {
        let cursor: Cursor = self
            .ctx
            .chain
            .query(
                &self.oracle.addr,
                &OracleQuery::Cursor {
                    model_id: self.model_id,
                    operator: self.operator.address.to_string(),
                },
            )
            .await?;
        Ok(cursor.next_seq)
    }

    /// Posts `rs` as the next batch, shaped by `shape`; measured under `row` (label,
    /// note) if given.
    async fn post_with(
        &self,
        b: &mut Bench<'_>,
        rs: &[Receipt],
        shape: Shape,
        row: Option<(String, &str)>,
    ) -> Result<(u64, SumTree)> {
        let seq = self.next_seq().await?;
        let (msg, tree) = self.batch_msg(rs, seq, shape)?;
        match row {
            Some((label, note)) => {
                b.exec("operator", self.oracle, &label, &msg, vec![], note)
                    .await?;
            }
            None => {
                b.quiet("operator", self.oracle, &[msg]).await?;
            }
        }
        Ok((seq, tree))
    }

    /// Posts `rs` as the next batch, measured (a `total_override` makes a bad-sum batch).
    async fn post(
        &self,
        b: &mut Bench<'_>,
        rs: Vec<Receipt>,
        label: String,
        note: &str,
        replaces: Option<u64>,
    ) -> Result<(u64, SumTree)> {
        let shape = Shape {
            replaces,
            ..Shape::default()
        };
        self.post_with(b, &rs, shape, Some((label, note))).await
    }

    /// Posts `rs` unmeasured: with a declared `total` of its own, or replacing `replaces`.
    async fn post_quiet(
        &self,
        b: &mut Bench<'_>,
        rs: &[Receipt],
        total: Option<u128>,
        replaces: Option<u64>,
    ) -> Result<(u64, SumTree)> {
        let shape = Shape {
            total,
            replaces,
            ..Shape::default()
        };
        self.post_with(b, rs, shape, None).await
    }

    /// Posts `signed` (three receipts) without its middle one, proves the omission
    /// (unmeasured) and posts the honest replacement, measured under `label`.
    async fn void_and_replace(&self, b: &mut Bench<'_>, signed: Vec<Receipt>, label: String) -> Result<()> {
        let posted = vec![signed[0].clone(), signed[2].clone()];
        let (seq, tree) = self.post_quiet(b, &posted, None, None).await?;
        let msg = OracleExec::ChallengeOmittedReceipt {
            batch: BatchRef {
                model_id: self.model_id,
                operator: self.operator.address.to_string(),
                seq,
            },
            proof: OmittedReceiptProof {
                receipt: signed[1].clone(),
                signature: sign_bytes(self.operator, &signed[1].sign_bytes()),
                left: posted[0].clone(),
                left_path: tree.path(0, 0),
                right: posted[1].clone(),
                right_path: tree.path(0, 1),
            },
        };
        b.quiet("auditor", self.oracle, &[msg]).await?;
        self.post(b, signed, label, "O(1): the voided batch by key", Some(seq))
            .await?;
        Ok(())
    }

    /// Tops the operator's stake up when proofs have slashed it near the posting minimum.
    async fn keep_bonded(&self, b: &mut Bench<'_>, staking: &str, token: &Target) -> Result<()> {
        let stake: StakeOfResponse = self
            .ctx
            .chain
            .query(
                staking,
                &SlashingQuery::StakeOf {
                    address: self.operator.address.to_string(),
                },
            )
            .await?;
        if stake.bonded.u128() < 2_000_000 {
            let hook = attrib_curator_staking::msg::ReceiveMsg::Stake {
                role: attrib_curator_staking::state::Role::Operator,
            };
            b.quiet("operator", token, &[cw20_send(staking, 5_000_000, &hook)?])
                .await?;
        }
        Ok(())
    }
}

/// Builds the tree of `n` receipts and every inclusion proof, timing each step.
pub(super) fn tree(ctx: &Ctx, n: u64) -> Result<()> {
    let t0 = std::time::Instant::now();
    let receipts: Vec<Receipt> = (1..=n)
        .map(|i| Receipt {
            chain_id: "attrib-local".into(),
            contract: "wasm1oracle".into(),
            model_id: 1,
            epoch: 0,
            receipt_id: i,
            units: 1 + i % 5,
            timestamp: 1_700_000_000,
        })
        .collect();
    let made = t0.elapsed();
    let t1 = std::time::Instant::now();
    let tree = SumTree::from_receipts(&receipts)?.ok_or_else(|| anyhow!("no receipts"))?;
    let built = t1.elapsed();
    let t2 = std::time::Instant::now();
    let mut siblings = 0usize;
    for i in 0..n {
        siblings += tree.path(0, i).siblings.len();
    }
    let proved = t2.elapsed();
    let c = tree.commitment();
    let t3 = std::time::Instant::now();
    for i in (0..n).step_by((n / 1_000).max(1) as usize) {
        c.includes(receipts[i as usize].leaf(), &tree.path(0, i))?;
    }
    let verified = t3.elapsed();
    ctx.print_json(&TreeTimes {
        all_inclusion_proofs_ms: proved.as_millis(),
        avg_proof_siblings: siblings as f64 / n as f64,
        build_tree_ms: built.as_millis(),
        make_receipts_ms: made.as_millis(),
        receipts: n,
        root_level: tree.root_level(),
        verify_1000_proofs_ms: verified.as_millis(),
    })
}

/// What `bench tree` prints (fields sorted by name: the order this output has always had).
#[derive(Serialize)]
struct TreeTimes {
    all_inclusion_proofs_ms: u128,
    avg_proof_siblings: f64,
    build_tree_ms: u128,
    make_receipts_ms: u128,
    receipts: u64,
    root_level: u32,
    verify_1000_proofs_ms: u128,
}
