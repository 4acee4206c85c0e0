//! `attrib tx oracle …`, `attrib q oracle …` and `attrib receipts …`: models, escrow,
//! operators, batches and fraud proofs. Receipts are signed, treed and proven with
//! `attrib_std::receipts` — the same code the contract verifies with.
//!
//! Files: a receipts file is JSONL, one `{"receipt": {…}, "signature": "<hex>"}` per
//! line, sorted by receipt id; a batch file is the JSON summary `receipts build` writes.

use std::io::{BufRead, Write};
use std::path::{Path as FsPath, PathBuf};

use anyhow::{anyhow, bail, Context, Result};
use attrib_receipt_oracle::contract::sv::{ExecMsg, QueryMsg};
use attrib_receipt_oracle::state::{Config as OracleConfig, Cursor, LineageEntry, ParentLink};
use attrib_std::receipts::{BatchHeader, Receipt, SumTree};
use clap::Subcommand;
use cosmwasm_std::{HexBinary, Uint128};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::chain::TxOutcome;
use crate::context::{parse_coin, Ctx};
use crate::keys::Signer;

pub const CONTRACT: &str = "receipt_oracle";

#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct SignedReceipt {
    pub receipt: Receipt,
    pub signature: HexBinary,
}

/// What `receipts build` writes and `receipts submit` posts.
#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct BatchFile {
    pub model_id: u64,
    pub epoch: u64,
    pub first_id: u64,
    pub last_id: u64,
    pub count: u64,
    pub total_units: Uint128,
    pub root: HexBinary,
    /// The receipts in the tree (the data the operator publishes for auditors).
    pub receipts_file: PathBuf,
}

#[derive(Subcommand, Debug)]
pub enum OracleTx {
    /// Register the signing key of --from as a metering operator (bonded in curation)
    RegisterOperator,
    /// Register a model: --lineage dataset:version:weight_bps,… (weights sum to 10000)
    RegisterModel {
        #[arg(long)]
        metadata_uri: String,
        #[arg(long, value_delimiter = ',', required = true)]
        lineage: Vec<String>,
        /// Parent model and its royalty share: model_id:share_bps
        #[arg(long)]
        parent: Option<String>,
        #[arg(long)]
        royalty_per_unit: String,
    },
    /// Admin: replace the parameters (JSON of the oracle's `Params`)
    UpdateParams {
        #[arg(long)]
        json: String,
    },
    /// Owner: close a model with nothing pending and no debt (escrow and bond return)
    CloseModel {
        #[arg(long)]
        model_id: u64,
    },
    SetModelOperator {
        #[arg(long)]
        model_id: u64,
        #[arg(long)]
        operator: String,
        #[arg(long, action = clap::ArgAction::Set, default_value = "true")]
        allowed: bool,
    },
    FundEscrow {
        #[arg(long)]
        model_id: u64,
        #[arg(long)]
        amount: String,
    },
    RequestWithdrawal {
        #[arg(long)]
        model_id: u64,
        #[arg(long)]
        amount: u128,
    },
    WithdrawEscrow {
        #[arg(long)]
        model_id: u64,
    },
    FinalizeBatch {
        #[arg(long)]
        model_id: u64,
        #[arg(long)]
        operator: String,
        #[arg(long)]
        seq: u64,
    },
    /// Prove that a receipt you hold (from --signed) is missing from a posted batch
    ChallengeOmitted {
        #[command(flatten)]
        target: BatchTarget,
        #[arg(long)]
        signed: PathBuf,
        #[arg(long)]
        receipt_id: u64,
    },
    /// Prove that the batch's leaf for a receipt you hold differs from it
    ChallengeAltered {
        #[command(flatten)]
        target: BatchTarget,
        #[arg(long)]
        signed: PathBuf,
        #[arg(long)]
        receipt_id: u64,
    },
    /// Prove ids that do not strictly increase (found by scanning --posted)
    ChallengeDuplicate {
        #[command(flatten)]
        target: BatchTarget,
    },
    /// Prove that the batch's total is not the sum of its leaves' units
    ChallengeBadSum {
        #[command(flatten)]
        target: BatchTarget,
    },
    /// After the posting deadline: a signed receipt beyond the operator's last posted id
    ChallengeLate {
        #[arg(long)]
        model_id: u64,
        #[arg(long)]
        operator: String,
        #[arg(long)]
        signed: PathBuf,
        #[arg(long)]
        receipt_id: u64,
    },
    #[command(flatten)]
    Governance(crate::governance::GovernanceTx),
}

/// A posted batch and the receipts file its operator published.
#[derive(clap::Args, Debug)]
pub struct BatchTarget {
    #[arg(long)]
    pub model_id: u64,
    #[arg(long)]
    pub operator: String,
    #[arg(long)]
    pub seq: u64,
    /// The batch's published receipts (JSONL)
    #[arg(long)]
    pub posted: PathBuf,
}

#[derive(Subcommand, Debug)]
pub enum OracleQuery {
    Config,
    Model {
        model_id: u64,
    },
    Operator {
        address: String,
    },
    Cursor {
        model_id: u64,
        operator: String,
    },
    Batch {
        model_id: u64,
        operator: String,
        seq: u64,
    },
    Batches {
        model_id: u64,
        operator: String,
        #[arg(long)]
        limit: Option<u32>,
    },
    /// Current epoch and its posting deadline
    Epoch,
}

#[derive(Subcommand, Debug)]
pub enum ReceiptsCmd {
    /// Operator gateway: sign `count` receipts for a model from `first_id` (current epoch)
    Sign {
        #[arg(long)]
        model_id: u64,
        #[arg(long)]
        first_id: u64,
        #[arg(long)]
        count: u64,
        /// Units per receipt (a fixed number; or min-max for a deterministic spread)
        #[arg(long, default_value = "1")]
        units: String,
        #[arg(long)]
        out: PathBuf,
    },
    /// Build the merkle-sum tree of a receipts file: writes the batch file and the
    /// posted receipts (leaving out --omit ids, to simulate an under-reporting operator)
    Build {
        #[arg(long = "in")]
        input: PathBuf,
        #[arg(long, value_delimiter = ',')]
        omit: Vec<u64>,
        /// Where the posted receipts go (default: <batch>.receipts.jsonl)
        #[arg(long)]
        posted: Option<PathBuf>,
        #[arg(long)]
        out: PathBuf,
    },
    /// Sign the batch header with --from and post it (sequence from the chain)
    Submit {
        #[arg(long)]
        batch: PathBuf,
        #[arg(long)]
        replaces: Option<u64>,
    },
    /// Inclusion proof of a receipt id in a receipts file, or its non-inclusion proof
    Prove {
        #[arg(long)]
        posted: PathBuf,
        #[arg(long)]
        receipt_id: u64,
    },
}

pub fn read_receipts(path: &FsPath) -> Result<Vec<SignedReceipt>> {
    let f = std::fs::File::open(path).with_context(|| format!("reading {}", path.display()))?;
    std::io::BufReader::new(f)
        .lines()
        .filter(|l| l.as_ref().map(|l| !l.trim().is_empty()).unwrap_or(true))
        .map(|l| Ok(serde_json::from_str(&l?)?))
        .collect()
}

fn write_receipts(path: &FsPath, rs: &[SignedReceipt]) -> Result<()> {
    let mut w = std::io::BufWriter::new(std::fs::File::create(path)?);
    for r in rs {
        serde_json::to_writer(&mut w, r)?;
        w.write_all(b"\n")?;
    }
    Ok(w.flush()?)
}

/// Signs `message` (its sha256 is what the contract verifies).
pub fn sign_bytes(signer: &Signer, message: &[u8]) -> Result<HexBinary> {
    let sig = signer.key.sign(message).map_err(|e| anyhow!("signing: {e}"))?;
    Ok(HexBinary::from(sig.to_bytes().to_vec()))
}

fn tree_of(rs: &[SignedReceipt]) -> Result<SumTree> {
    let receipts: Vec<Receipt> = rs.iter().map(|r| r.receipt.clone()).collect();
    SumTree::from_receipts(&receipts)?.ok_or_else(|| anyhow!("no receipts"))
}

fn find(rs: &[SignedReceipt], id: u64) -> Option<(usize, &SignedReceipt)> {
    rs.iter().enumerate().find(|(_, r)| r.receipt.receipt_id == id)
}

fn parse_units(s: &str, i: u64) -> Result<u64> {
    match s.split_once('-') {
        None => s.parse().map_err(|_| anyhow!("--units: a number or min-max")),
        Some((a, b)) => {
            let (a, b): (u64, u64) = (a.parse()?, b.parse()?);
            // A deterministic spread, so runs are reproducible.
            let h = Sha256::digest(i.to_be_bytes());
            Ok(a + u64::from_be_bytes(h[..8].try_into().unwrap()) % (b - a + 1))
        }
    }
}

pub async fn receipts(ctx: &Ctx, cmd: ReceiptsCmd) -> Result<()> {
    match cmd {
        ReceiptsCmd::Sign {
            model_id,
            first_id,
            count,
            units,
            out,
        } => {
            let oracle = ctx.contract(CONTRACT)?;
            let signer = ctx.signer()?;
            let epoch: attrib_receipt_oracle::msg::EpochResponse =
                ctx.chain.query(&oracle, &QueryMsg::Epoch {}).await?;
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)?
                .as_secs();
            let pb = crate::progress::bar(count, "signing receipts");
            let mut rs = Vec::with_capacity(count as usize);
            for i in 0..count {
                let receipt = Receipt {
                    chain_id: ctx.g.chain_id.clone(),
                    contract: oracle.clone(),
                    model_id,
                    epoch: epoch.current,
                    receipt_id: first_id + i,
                    units: parse_units(&units, first_id + i)?,
                    timestamp: now,
                };
                let signature = sign_bytes(&signer, &receipt.sign_bytes())?;
                rs.push(SignedReceipt { receipt, signature });
                pb.inc(1);
            }
            pb.finish_and_clear();
            write_receipts(&out, &rs)?;
            let units: u128 = rs.iter().map(|r| r.receipt.units as u128).sum();
            ctx.print_json(&serde_json::json!({"file": out, "receipts": count, "units": units.to_string(), "epoch": epoch.current}))
        }
        ReceiptsCmd::Build {
            input,
            omit,
            posted,
            out,
        } => {
            let mut rs = read_receipts(&input)?;
            rs.retain(|r| !omit.contains(&r.receipt.receipt_id));
            rs.sort_by_key(|r| r.receipt.receipt_id);
            let first = rs
                .first()
                .ok_or_else(|| anyhow!("no receipts left"))?
                .receipt
                .clone();
            let last = rs.last().expect("non-empty").receipt.clone();
            let started = std::time::Instant::now();
            let tree = crate::progress::spin_sync("building the merkle-sum tree", || tree_of(&rs))?;
            let c = tree.commitment();
            let posted = posted.unwrap_or_else(|| out.with_extension("receipts.jsonl"));
            write_receipts(&posted, &rs)?;
            let batch = BatchFile {
                model_id: first.model_id,
                epoch: first.epoch,
                first_id: first.receipt_id,
                last_id: last.receipt_id,
                count: c.count,
                total_units: Uint128::new(c.total),
                root: HexBinary::from(c.root.to_vec()),
                receipts_file: posted,
            };
            std::fs::write(&out, serde_json::to_string_pretty(&batch)?)?;
            let mut v = serde_json::to_value(&batch)?;
            v["build_ms"] = serde_json::json!(started.elapsed().as_millis());
            ctx.print_json(&v)
        }
        ReceiptsCmd::Submit { batch, replaces } => {
            let b: BatchFile = serde_json::from_slice(&std::fs::read(&batch)?)?;
            let oracle = ctx.contract(CONTRACT)?;
            let signer = ctx.signer()?;
            let cursor: Cursor = ctx
                .chain
                .query(
                    &oracle,
                    &QueryMsg::Cursor {
                        model_id: b.model_id,
                        operator: signer.address.to_string(),
                    },
                )
                .await?;
            let seq = cursor.next_seq;
            let header = BatchHeader {
                chain_id: ctx.g.chain_id.clone(),
                contract: oracle.clone(),
                model_id: b.model_id,
                epoch: b.epoch,
                operator: signer.address.to_string(),
                seq,
                first_id: b.first_id,
                last_id: b.last_id,
                count: b.count,
                total_units: b.total_units,
                root: b.root.clone(),
            };
            let signature = sign_bytes(&signer, &header.sign_bytes())?;
            let msg = ExecMsg::SubmitBatch {
                model_id: b.model_id,
                epoch: b.epoch,
                seq,
                first_id: b.first_id,
                last_id: b.last_id,
                count: b.count,
                total_units: b.total_units,
                root: b.root,
                signature,
                replaces,
            };
            ctx.execute("submit_batch", &oracle, &msg, vec![])
                .await
                .map(|_| ())
        }
        ReceiptsCmd::Prove { posted, receipt_id } => {
            let rs = read_receipts(&posted)?;
            let tree = tree_of(&rs)?;
            let v = match find(&rs, receipt_id) {
                Some((i, r)) => {
                    serde_json::json!({"included": true, "receipt": r.receipt, "path": tree.path(0, i as u64)})
                }
                None => {
                    let i = rs
                        .iter()
                        .position(|r| r.receipt.receipt_id > receipt_id)
                        .ok_or_else(|| anyhow!("id {receipt_id} is past the batch's last id"))?;
                    if i == 0 {
                        bail!("id {receipt_id} is before the batch's first id");
                    }
                    serde_json::json!({
                        "included": false,
                        "left": rs[i - 1].receipt, "left_path": tree.path(0, i as u64 - 1),
                        "right": rs[i].receipt, "right_path": tree.path(0, i as u64),
                    })
                }
            };
            ctx.print_json(&v)
        }
    }
}

/// Pays `amount` of a cw20 token to the oracle with `hook` (the token's `send`).
async fn send_hook<M: Serialize>(
    ctx: &Ctx,
    label: &str,
    token: &str,
    oracle: &str,
    amount: u128,
    hook: &M,
) -> Result<Option<TxOutcome>> {
    let send = cw20::Cw20ExecuteMsg::Send {
        contract: oracle.to_string(),
        amount: amount.into(),
        msg: cosmwasm_std::to_json_binary(hook)?,
    };
    ctx.execute(label, token, &send, vec![]).await
}

fn signed_one(path: &FsPath, id: u64) -> Result<SignedReceipt> {
    read_receipts(path)?
        .into_iter()
        .find(|r| r.receipt.receipt_id == id)
        .ok_or_else(|| anyhow!("receipt {id} is not in {}", path.display()))
}

pub async fn tx(ctx: &Ctx, cmd: OracleTx) -> Result<Option<TxOutcome>> {
    let oracle = ctx.contract(CONTRACT)?;
    match cmd {
        OracleTx::RegisterOperator => {
            let signer = ctx.signer()?;
            let pubkey = HexBinary::from(signer.key.public_key().to_bytes());
            ctx.execute(
                "register_operator",
                &oracle,
                &ExecMsg::RegisterOperator { pubkey },
                vec![],
            )
            .await
        }
        OracleTx::RegisterModel {
            metadata_uri,
            lineage,
            parent,
            royalty_per_unit,
        } => {
            let lineage = lineage
                .iter()
                .map(|e| {
                    let p: Vec<&str> = e.split(':').collect();
                    let [d, v, w] = p[..] else {
                        bail!("--lineage entries are dataset:version:weight_bps")
                    };
                    Ok(LineageEntry {
                        dataset_id: d.parse()?,
                        version: v.parse()?,
                        weight_bps: w.parse()?,
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            let parent = parent
                .map(|p| -> Result<ParentLink> {
                    let (m, s) = p
                        .split_once(':')
                        .ok_or_else(|| anyhow!("--parent is model_id:share_bps"))?;
                    Ok(ParentLink {
                        model_id: m.parse()?,
                        share_bps: s.parse()?,
                    })
                })
                .transpose()?;
            let royalty = parse_coin(&royalty_per_unit)?;
            // The model bond is posted in the royalty denom.
            let config: OracleConfig = ctx.chain.query(&oracle, &QueryMsg::Config {}).await?;
            let bond = config.params.model_bond.u128();
            let funds = if bond == 0 {
                vec![]
            } else {
                vec![cosmwasm_std::coin(bond, &royalty.denom)]
            };
            if let Some(token) = royalty.denom.clone().strip_prefix(attrib_std::funds::CW20_PREFIX) {
                let hook = attrib_receipt_oracle::msg::ReceiveMsg::RegisterModel {
                    metadata_uri,
                    lineage,
                    parent,
                    royalty_per_unit: royalty,
                };
                return send_hook(ctx, "register_model", token, &oracle, bond, &hook).await;
            }
            let msg = ExecMsg::RegisterModel {
                metadata_uri,
                lineage,
                parent,
                royalty_per_unit: royalty,
            };
            ctx.execute("register_model", &oracle, &msg, funds).await
        }
        OracleTx::UpdateParams { json } => {
            let params: attrib_receipt_oracle::state::Params =
                serde_json::from_str(&json).map_err(|e| anyhow!("--json is not valid Params: {e}"))?;
            ctx.execute(
                "update_params",
                &oracle,
                &ExecMsg::UpdateParams { params },
                vec![],
            )
            .await
        }
        OracleTx::CloseModel { model_id } => {
            ctx.execute("close_model", &oracle, &ExecMsg::CloseModel { model_id }, vec![])
                .await
        }
        OracleTx::SetModelOperator {
            model_id,
            operator,
            allowed,
        } => {
            let operator = ctx.resolve_address(&operator)?;
            ctx.execute(
                "set_model_operator",
                &oracle,
                &ExecMsg::SetModelOperator {
                    model_id,
                    operator,
                    allowed,
                },
                vec![],
            )
            .await
        }
        OracleTx::FundEscrow { model_id, amount } => {
            let coin = parse_coin(&amount)?;
            match coin.denom.strip_prefix(attrib_std::funds::CW20_PREFIX) {
                Some(token) => {
                    let hook = attrib_receipt_oracle::msg::ReceiveMsg::FundEscrow { model_id };
                    send_hook(ctx, "fund_escrow", token, &oracle, coin.amount.u128(), &hook).await
                }
                None => {
                    ctx.execute(
                        "fund_escrow",
                        &oracle,
                        &ExecMsg::FundEscrow { model_id },
                        vec![coin],
                    )
                    .await
                }
            }
        }
        OracleTx::RequestWithdrawal { model_id, amount } => {
            ctx.execute(
                "request_withdrawal",
                &oracle,
                &ExecMsg::RequestWithdrawal {
                    model_id,
                    amount: amount.into(),
                },
                vec![],
            )
            .await
        }
        OracleTx::WithdrawEscrow { model_id } => {
            ctx.execute(
                "withdraw_escrow",
                &oracle,
                &ExecMsg::WithdrawEscrow { model_id },
                vec![],
            )
            .await
        }
        OracleTx::FinalizeBatch {
            model_id,
            operator,
            seq,
        } => {
            let operator = ctx.resolve_address(&operator)?;
            ctx.execute(
                "finalize_batch",
                &oracle,
                &ExecMsg::FinalizeBatch {
                    model_id,
                    operator,
                    seq,
                },
                vec![],
            )
            .await
        }
        OracleTx::ChallengeOmitted {
            target,
            signed,
            receipt_id,
        } => {
            let s = signed_one(&signed, receipt_id)?;
            let rs = read_receipts(&target.posted)?;
            let tree = tree_of(&rs)?;
            if find(&rs, receipt_id).is_some() {
                bail!("receipt {receipt_id} is in the posted batch: nothing omitted");
            }
            let i = rs
                .iter()
                .position(|r| r.receipt.receipt_id > receipt_id)
                .filter(|i| *i > 0)
                .ok_or_else(|| anyhow!("receipt {receipt_id} is outside the batch's range"))?;
            let msg = ExecMsg::ChallengeOmittedReceipt {
                model_id: target.model_id,
                operator: ctx.resolve_address(&target.operator)?,
                seq: target.seq,
                receipt: s.receipt,
                signature: s.signature,
                left: rs[i - 1].receipt.clone(),
                left_path: tree.path(0, i as u64 - 1),
                right: rs[i].receipt.clone(),
                right_path: tree.path(0, i as u64),
            };
            ctx.execute("challenge_omitted_receipt", &oracle, &msg, vec![])
                .await
        }
        OracleTx::ChallengeAltered {
            target,
            signed,
            receipt_id,
        } => {
            let s = signed_one(&signed, receipt_id)?;
            let rs = read_receipts(&target.posted)?;
            let tree = tree_of(&rs)?;
            let (i, leaf) = find(&rs, receipt_id)
                .ok_or_else(|| anyhow!("receipt {receipt_id} is not in the batch (try challenge-omitted)"))?;
            if leaf.receipt == s.receipt {
                bail!("the batch's leaf is exactly the signed receipt: nothing altered");
            }
            let msg = ExecMsg::ChallengeAlteredReceipt {
                model_id: target.model_id,
                operator: ctx.resolve_address(&target.operator)?,
                seq: target.seq,
                receipt: s.receipt,
                signature: s.signature,
                leaf: leaf.receipt.clone(),
                path: tree.path(0, i as u64),
            };
            ctx.execute("challenge_altered_receipt", &oracle, &msg, vec![])
                .await
        }
        OracleTx::ChallengeDuplicate { target } => {
            let rs = read_receipts(&target.posted)?;
            let tree = tree_of(&rs)?;
            let i = rs
                .windows(2)
                .position(|w| w[0].receipt.receipt_id >= w[1].receipt.receipt_id)
                .ok_or_else(|| anyhow!("the posted ids strictly increase: no duplicate"))?;
            let msg = ExecMsg::ChallengeDuplicateId {
                model_id: target.model_id,
                operator: ctx.resolve_address(&target.operator)?,
                seq: target.seq,
                left: rs[i].receipt.clone(),
                left_path: tree.path(0, i as u64),
                right: Some(rs[i + 1].receipt.clone()),
                right_path: Some(tree.path(0, i as u64 + 1)),
            };
            ctx.execute("challenge_duplicate_id", &oracle, &msg, vec![]).await
        }
        OracleTx::ChallengeBadSum { target } => {
            let rs = read_receipts(&target.posted)?;
            let tree = tree_of(&rs)?;
            let operator = ctx.resolve_address(&target.operator)?;
            let batch: attrib_receipt_oracle::state::Batch = ctx
                .chain
                .query(
                    &oracle,
                    &QueryMsg::Batch {
                        model_id: target.model_id,
                        operator: operator.clone(),
                        seq: target.seq,
                    },
                )
                .await?;
            let honest = tree.commitment();
            if batch.root.as_slice() != honest.root || batch.total_units.u128() == honest.total {
                bail!("the posted receipts do not show a bad total for this batch");
            }
            let top = tree.root_level();
            let (l, r) = (
                tree.node(top - 1, 0).expect("2+ leaves"),
                tree.node(top - 1, 1).expect("2+ leaves"),
            );
            let msg = ExecMsg::ChallengeBadSum {
                model_id: target.model_id,
                operator,
                seq: target.seq,
                left: l.into(),
                right: r.into(),
                claimed_sum: batch.total_units,
                path: tree.path(top, 0),
            };
            ctx.execute("challenge_bad_sum", &oracle, &msg, vec![]).await
        }
        OracleTx::ChallengeLate {
            model_id,
            operator,
            signed,
            receipt_id,
        } => {
            let s = signed_one(&signed, receipt_id)?;
            let msg = ExecMsg::ChallengeLateOmission {
                model_id,
                operator: ctx.resolve_address(&operator)?,
                receipt: s.receipt,
                signature: s.signature,
            };
            ctx.execute("challenge_late_omission", &oracle, &msg, vec![])
                .await
        }
        OracleTx::Governance(g) => crate::governance::tx(ctx, &oracle, g).await,
    }
}

pub async fn query(ctx: &Ctx, cmd: OracleQuery) -> Result<()> {
    let oracle = ctx.contract(CONTRACT)?;
    let addr = |a: String| ctx.resolve_address(&a);
    let v: serde_json::Value = match cmd {
        OracleQuery::Config => serde_json::to_value(
            ctx.chain
                .query::<_, OracleConfig>(&oracle, &QueryMsg::Config {})
                .await?,
        )?,
        OracleQuery::Model { model_id } => ctx.chain.query(&oracle, &QueryMsg::Model { model_id }).await?,
        OracleQuery::Operator { address } => {
            ctx.chain
                .query(
                    &oracle,
                    &QueryMsg::Operator {
                        address: addr(address)?,
                    },
                )
                .await?
        }
        OracleQuery::Cursor { model_id, operator } => {
            ctx.chain
                .query(
                    &oracle,
                    &QueryMsg::Cursor {
                        model_id,
                        operator: addr(operator)?,
                    },
                )
                .await?
        }
        OracleQuery::Batch {
            model_id,
            operator,
            seq,
        } => {
            ctx.chain
                .query(
                    &oracle,
                    &QueryMsg::Batch {
                        model_id,
                        operator: addr(operator)?,
                        seq,
                    },
                )
                .await?
        }
        OracleQuery::Batches {
            model_id,
            operator,
            limit,
        } => {
            ctx.chain
                .query(
                    &oracle,
                    &QueryMsg::Batches {
                        model_id,
                        operator: addr(operator)?,
                        start_after: None,
                        limit,
                    },
                )
                .await?
        }
        OracleQuery::Epoch => ctx.chain.query(&oracle, &QueryMsg::Epoch {}).await?,
    };
    ctx.print_json(&v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use cosmwasm_std::testing::MockApi;
    use cosmwasm_std::Api;

    #[test]
    fn cli_signatures_verify_like_the_contract_does() {
        let doc: serde_json::Value =
            serde_json::from_str(include_str!("../../../scripts/test-accounts.json")).unwrap();
        let m = doc["accounts"][12]["mnemonic"].as_str().unwrap();
        let (key, address) = crate::keys::derive(m, "wasm").unwrap();
        let signer = Signer {
            name: "operator".into(),
            key,
            address,
        };
        let pubkey = signer.key.public_key().to_bytes();
        let r = Receipt {
            chain_id: "attrib-local".into(),
            contract: "wasm1oracle".into(),
            model_id: 1,
            epoch: 0,
            receipt_id: 42,
            units: 3,
            timestamp: 1,
        };
        let sig = sign_bytes(&signer, &r.sign_bytes()).unwrap();
        let api = MockApi::default();
        assert!(api.secp256k1_verify(&r.digest(), &sig, &pubkey).unwrap());
        let other = Receipt { units: 4, ..r };
        assert!(!api.secp256k1_verify(&other.digest(), &sig, &pubkey).unwrap());
    }

    #[test]
    fn units_spread_is_deterministic_and_bounded() {
        for i in 0..100 {
            let u = parse_units("1-5", i).unwrap();
            assert!((1..=5).contains(&u));
            assert_eq!(u, parse_units("1-5", i).unwrap());
        }
        assert_eq!(parse_units("7", 3).unwrap(), 7);
    }
}
