//! `attrib tx oracle …` and `attrib q oracle …`: models, escrow, operators, batches and
//! fraud proofs. A fraud proof is built by [`crate::proofs`] from receipts files read with
//! [`crate::receipts`], the off-chain tooling that signs, trees and proves receipts.

use std::path::PathBuf;

use anyhow::{anyhow, bail, Result};
use attrib_receipt_oracle::contract::sv::{ExecMsg, QueryMsg};
use attrib_receipt_oracle::msg::BatchRef;
use attrib_receipt_oracle::state::{Config as OracleConfig, LineageEntry, ParentLink};
use clap::Subcommand;
use cosmwasm_std::HexBinary;
use serde::Serialize;

use crate::chain::TxOutcome;
use crate::context::{parse_coin, Ctx};
use crate::proofs;
use crate::receipts::{read_receipts, signed_one};

pub const CONTRACT: &str = "receipt_oracle";

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
    /// Prove that the batch's total is not the sum of its leaves' units (for a one-leaf
    /// batch: not its leaf's units)
    ChallengeBadSum {
        #[command(flatten)]
        target: BatchTarget,
    },
    /// Prove that a receipt you hold, of another epoch, lies in the batch's id range
    ChallengeWrongEpoch {
        #[command(flatten)]
        batch: BatchId,
        #[arg(long)]
        signed: PathBuf,
        #[arg(long)]
        receipt_id: u64,
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
    /// SPEC §5.6 inclusion requests: request a signed receipt's leaf, answer, expire
    #[command(subcommand)]
    Inclusion(InclusionTx),
    #[command(flatten)]
    Governance(crate::governance::GovernanceTx),
}

/// `attrib tx oracle inclusion …`
#[derive(Subcommand, Debug)]
pub enum InclusionTx {
    /// Ask the operator to show the leaf of a receipt you hold (from --signed), paying
    /// the inclusion fee; the batch cannot finalize until it is answered or expired
    Request {
        #[command(flatten)]
        batch: BatchId,
        #[arg(long)]
        signed: PathBuf,
        #[arg(long)]
        receipt_id: u64,
    },
    /// Answer a request with the leaf and its path, built from the batch's receipts
    /// (--posted, the operator's receipts file); the fee goes to the operator
    Answer {
        #[command(flatten)]
        batch: BatchId,
        #[arg(long)]
        posted: PathBuf,
        #[arg(long)]
        receipt_id: u64,
    },
    /// After an unanswered request's deadline: void the batch, slash the operator, pay
    /// the requester (on a batch voided otherwise: refund the request's fee)
    Expire {
        #[command(flatten)]
        batch: BatchId,
        #[arg(long)]
        receipt_id: u64,
    },
}

/// A posted batch: model, operator (key name or address) and sequence number.
#[derive(clap::Args, Debug)]
pub struct BatchId {
    #[arg(long)]
    pub model_id: u64,
    #[arg(long)]
    pub operator: String,
    #[arg(long)]
    pub seq: u64,
}

impl BatchId {
    fn batch_ref(&self, ctx: &Ctx) -> Result<BatchRef> {
        Ok(BatchRef {
            model_id: self.model_id,
            operator: ctx.resolve_address(&self.operator)?,
            seq: self.seq,
        })
    }
}

/// `attrib q oracle inclusion …`
#[derive(Subcommand, Debug)]
pub enum InclusionQuery {
    /// A batch's inclusion requests by receipt id (open and closed)
    List {
        #[command(flatten)]
        batch: BatchId,
        #[arg(long)]
        start_after: Option<u64>,
        #[arg(long)]
        limit: Option<u32>,
    },
    /// One request
    Show {
        #[command(flatten)]
        batch: BatchId,
        #[arg(long)]
        receipt_id: u64,
    },
}

/// A posted batch and the receipts file its operator published.
#[derive(clap::Args, Debug)]
pub struct BatchTarget {
    #[command(flatten)]
    pub batch: BatchId,
    /// The batch's published receipts (JSONL)
    #[arg(long)]
    pub posted: PathBuf,
}

impl BatchTarget {
    /// The batch, as the fraud proofs name it (the operator's key name resolved).
    fn batch_ref(&self, ctx: &Ctx) -> Result<BatchRef> {
        self.batch.batch_ref(ctx)
    }
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
    /// Inclusion requests (SPEC §5.6)
    #[command(subcommand)]
    Inclusion(InclusionQuery),
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
            let msg = proofs::omitted(target.batch_ref(ctx)?, &rs, &s)?;
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
            let msg = proofs::altered(target.batch_ref(ctx)?, &rs, &s)?;
            ctx.execute("challenge_altered_receipt", &oracle, &msg, vec![])
                .await
        }
        OracleTx::ChallengeDuplicate { target } => {
            let rs = read_receipts(&target.posted)?;
            let msg = proofs::disorder(target.batch_ref(ctx)?, &rs)?;
            ctx.execute("challenge_duplicate_id", &oracle, &msg, vec![]).await
        }
        OracleTx::ChallengeBadSum { target } => {
            let rs = read_receipts(&target.posted)?;
            let at = target.batch_ref(ctx)?;
            let batch: attrib_receipt_oracle::state::Batch = ctx
                .chain
                .query(
                    &oracle,
                    &QueryMsg::Batch {
                        model_id: at.model_id,
                        operator: at.operator.clone(),
                        seq: at.seq,
                    },
                )
                .await?;
            let msg = proofs::bad_total(at, &batch, &rs)?;
            let label = match msg {
                ExecMsg::ChallengeBadTotal { .. } => "challenge_bad_total",
                _ => "challenge_bad_sum",
            };
            ctx.execute(label, &oracle, &msg, vec![]).await
        }
        OracleTx::ChallengeWrongEpoch {
            batch,
            signed,
            receipt_id,
        } => {
            let s = signed_one(&signed, receipt_id)?;
            let msg = proofs::wrong_epoch(batch.batch_ref(ctx)?, &s);
            ctx.execute("challenge_wrong_epoch", &oracle, &msg, vec![]).await
        }
        OracleTx::ChallengeLate {
            model_id,
            operator,
            signed,
            receipt_id,
        } => {
            let s = signed_one(&signed, receipt_id)?;
            let msg = proofs::late(model_id, ctx.resolve_address(&operator)?, &s);
            ctx.execute("challenge_late_omission", &oracle, &msg, vec![])
                .await
        }
        OracleTx::Inclusion(cmd) => inclusion_tx(ctx, &oracle, cmd).await,
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
        OracleQuery::Inclusion(InclusionQuery::List {
            batch,
            start_after,
            limit,
        }) => {
            let batch = batch.batch_ref(ctx)?;
            ctx.chain
                .query(
                    &oracle,
                    &QueryMsg::InclusionRequests {
                        batch,
                        start_after,
                        limit,
                    },
                )
                .await?
        }
        OracleQuery::Inclusion(InclusionQuery::Show { batch, receipt_id }) => {
            let batch = batch.batch_ref(ctx)?;
            ctx.chain
                .query(&oracle, &QueryMsg::InclusionRequest { batch, receipt_id })
                .await?
        }
    };
    ctx.print_json(&v)
}

async fn inclusion_tx(ctx: &Ctx, oracle: &str, cmd: InclusionTx) -> Result<Option<TxOutcome>> {
    match cmd {
        InclusionTx::Request {
            batch,
            signed,
            receipt_id,
        } => {
            let s = signed_one(&signed, receipt_id)?;
            let config: OracleConfig = ctx.chain.query(oracle, &QueryMsg::Config {}).await?;
            let msg = proofs::request_inclusion(batch.batch_ref(ctx)?, &s);
            ctx.execute(
                "request_inclusion",
                oracle,
                &msg,
                vec![config.params.inclusion_fee],
            )
            .await
        }
        InclusionTx::Answer {
            batch,
            posted,
            receipt_id,
        } => {
            let rs = read_receipts(&posted)?;
            let msg = proofs::answer_inclusion(batch.batch_ref(ctx)?, &rs, receipt_id)
                .map_err(|e| anyhow!("{e} ({})", posted.display()))?;
            ctx.execute("answer_inclusion", oracle, &msg, vec![]).await
        }
        InclusionTx::Expire { batch, receipt_id } => {
            let msg = proofs::expire_inclusion(batch.batch_ref(ctx)?, receipt_id);
            ctx.execute("expire_inclusion", oracle, &msg, vec![]).await
        }
    }
}
