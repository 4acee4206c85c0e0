//! Receipt oracle messages: submit_batch across receipt counts (it must stay flat),
//! finalize, and the fraud proofs; and `attrib bench tree`, the off-chain side of a batch
//! (its merkle-sum tree and proofs), timed.

use std::time::Duration;

use anyhow::{anyhow, Result};
use attrib_receipt_oracle::contract::sv::{ExecMsg as OracleExec, QueryMsg as OracleQuery};
use attrib_receipt_oracle::msg::{
    AlteredReceiptProof, BadSumProof, BatchRef, DuplicateIdProof, EpochResponse, NewBatch,
    OmittedReceiptProof,
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
    b.exec(
        "devshop",
        &oracle,
        "fund_escrow",
        &OracleExec::FundEscrow { model_id },
        vec![coin(5_000_000, "uatr")],
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

    // Fraud proofs, each on its own small batch.
    let batch_ref = |seq: u64| BatchRef {
        model_id,
        operator: op_addr.clone(),
        seq,
    };
    let signed: Vec<Receipt> = (next_id..next_id + 100).map(|i| receipt(i, 2)).collect();
    next_id += 100;
    let posted: Vec<Receipt> = signed
        .iter()
        .filter(|r| r.receipt_id != signed[50].receipt_id)
        .cloned()
        .collect();
    let (seq, tree) = m
        .post(
            b,
            posted.clone(),
            "submit_batch (100, under-reported)".into(),
            "",
            None,
        )
        .await?;
    let msg = OracleExec::ChallengeOmittedReceipt {
        batch: batch_ref(seq),
        proof: OmittedReceiptProof {
            receipt: signed[50].clone(),
            signature: sign(&signed[50].sign_bytes())?,
            left: posted[49].clone(),
            left_path: tree.path(0, 49),
            right: posted[50].clone(),
            right_path: tree.path(0, 50),
        },
    };
    b.exec(
        "auditor",
        &oracle,
        "challenge_omitted_receipt",
        &msg,
        vec![],
        "sig + 2 paths, slashes via curation",
    )
    .await?;

    let signed: Vec<Receipt> = (next_id..next_id + 100).map(|i| receipt(i, 2)).collect();
    next_id += 100;
    let mut posted = signed.clone();
    posted[10].units = 1;
    let (seq, tree) = m
        .post(b, posted.clone(), "submit_batch (100, altered)".into(), "", None)
        .await?;
    let msg = OracleExec::ChallengeAlteredReceipt {
        batch: batch_ref(seq),
        proof: AlteredReceiptProof {
            receipt: signed[10].clone(),
            signature: sign(&signed[10].sign_bytes())?,
            leaf: posted[10].clone(),
            path: tree.path(0, 10),
        },
    };
    b.exec(
        "auditor",
        &oracle,
        "challenge_altered_receipt",
        &msg,
        vec![],
        "sig + 1 path",
    )
    .await?;

    let rs: Vec<Receipt> = (next_id..next_id + 100).map(|i| receipt(i, 2)).collect();
    next_id += 100;
    let honest = SumTree::from_receipts(&rs)?
        .expect("non-empty")
        .commitment()
        .total;
    let (seq, tree) = m
        .post(
            b,
            rs,
            "submit_batch (100, bad total)".into(),
            "",
            Some(honest - 3),
        )
        .await?;
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
        "challenge_bad_sum",
        &msg,
        vec![],
        "node + children",
    )
    .await?;

    let mut rs: Vec<Receipt> = (next_id..next_id + 100).map(|i| receipt(i, 2)).collect();
    rs[20].receipt_id = rs[19].receipt_id; // the same id twice (and a gap at its own id)
    let (seq, tree) = m
        .post(b, rs.clone(), "submit_batch (100, duplicate id)".into(), "", None)
        .await?;
    let msg = OracleExec::ChallengeDuplicateId {
        batch: batch_ref(seq),
        proof: DuplicateIdProof {
            left: rs[19].clone(),
            left_path: tree.path(0, 19),
            right: Some(rs[20].clone()),
            right_path: Some(tree.path(0, 20)),
        },
    };
    b.exec(
        "auditor",
        &oracle,
        "challenge_duplicate_id",
        &msg,
        vec![],
        "2 paths",
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

impl Metering<'_> {
    /// Posts `rs` as the next batch (a `total_override` makes a bad-sum batch).
    async fn post(
        &self,
        b: &mut Bench<'_>,
        rs: Vec<Receipt>,
        label: String,
        note: &str,
        total_override: Option<u128>,
    ) -> Result<(u64, SumTree)> {
        let tree = SumTree::from_receipts(&rs)?.ok_or_else(|| anyhow!("empty batch"))?;
        let c = tree.commitment();
        let op_addr = self.operator.address.to_string();
        let cursor: Cursor = self
            .ctx
            .chain
            .query(
                &self.oracle.addr,
                &OracleQuery::Cursor {
                    model_id: self.model_id,
                    operator: op_addr.clone(),
                },
            )
            .await?;
        let header = BatchHeader {
            chain_id: self.ctx.g.chain_id.clone(),
            contract: self.oracle.addr.clone(),
            model_id: self.model_id,
            epoch: rs[0].epoch,
            operator: op_addr,
            seq: cursor.next_seq,
            first_id: rs[0].receipt_id,
            last_id: rs.last().expect("non-empty").receipt_id,
            count: c.count,
            total_units: total_override.unwrap_or(c.total).into(),
            root: HexBinary::from(c.root.to_vec()),
        };
        let msg = OracleExec::SubmitBatch {
            batch: NewBatch {
                model_id: self.model_id,
                epoch: header.epoch,
                seq: header.seq,
                first_id: header.first_id,
                last_id: header.last_id,
                count: header.count,
                total_units: header.total_units,
                root: header.root.clone(),
                signature: sign_bytes(self.operator, &header.sign_bytes())?,
                replaces: None,
            },
        };
        b.exec("operator", self.oracle, &label, &msg, vec![], note)
            .await?;
        Ok((header.seq, tree))
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
