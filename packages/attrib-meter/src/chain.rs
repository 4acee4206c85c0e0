//! Talking to the receipt oracle: its queries, and the operator's transactions (one at a
//! time, so account sequences never collide), through the `attrib` CLI's chain client.

use anyhow::Result;
use attrib_cli::chain::TxOutcome;
use attrib_cli::context::{execute_any, Ctx};
use attrib_cli::keys::Signer;
use attrib_receipt_oracle::contract::sv::{ExecMsg, QueryMsg};
use attrib_receipt_oracle::msg::{BatchRef, BatchesResponse, InclusionRequestsResponse, NewBatch};
use attrib_receipt_oracle::state::{
    Batch, Config as OracleConfig, Cursor, InclusionRequest, InclusionStatus, Model,
};
use attrib_std::receipts::{Path, Receipt};
use tokio::sync::Mutex;

pub struct Oracle {
    pub ctx: Ctx,
    pub address: String,
    pub signer: Signer,
    /// Held while a transaction is signed and broadcast.
    sending: Mutex<()>,
}

impl Oracle {
    /// The oracle of the deployment `ctx` names, driven by the `--from` key.
    pub fn new(ctx: Ctx) -> Result<Self> {
        let address = ctx.contract(attrib_cli::oracle::CONTRACT)?;
        let signer = ctx.signer()?;
        Ok(Self {
            ctx,
            address,
            signer,
            sending: Mutex::new(()),
        })
    }

    /// The operator's address.
    pub fn operator(&self) -> String {
        self.signer.address.to_string()
    }

    pub async fn config(&self) -> Result<OracleConfig> {
        self.ctx.chain.query(&self.address, &QueryMsg::Config {}).await
    }

    pub async fn model(&self, model_id: u64) -> Result<Model> {
        self.ctx
            .chain
            .query(&self.address, &QueryMsg::Model { model_id })
            .await
    }

    pub async fn cursor(&self, model_id: u64) -> Result<Cursor> {
        let operator = self.operator();
        self.ctx
            .chain
            .query(&self.address, &QueryMsg::Cursor { model_id, operator })
            .await
    }

    /// The operator's batch `seq` of a model, `None` when the chain has none.
    pub async fn batch(&self, model_id: u64, seq: u64) -> Result<Option<Batch>> {
        let r: BatchesResponse = self
            .ctx
            .chain
            .query(
                &self.address,
                &QueryMsg::Batches {
                    model_id,
                    operator: self.operator(),
                    start_after: seq.checked_sub(1),
                    limit: Some(1),
                },
            )
            .await?;
        Ok(r.batches.into_iter().find(|b| b.seq == seq))
    }

    /// Open inclusion requests on one of the operator's batches.
    pub async fn open_requests(&self, model_id: u64, seq: u64) -> Result<Vec<InclusionRequest>> {
        let mut open = vec![];
        let mut start_after = None;
        loop {
            let r: InclusionRequestsResponse = self
                .ctx
                .chain
                .query(
                    &self.address,
                    &QueryMsg::InclusionRequests {
                        batch: self.batch_ref(model_id, seq),
                        start_after,
                        limit: Some(30),
                    },
                )
                .await?;
            let Some(last) = r.requests.last() else { break };
            start_after = Some(last.receipt.receipt_id);
            open.extend(
                r.requests
                    .into_iter()
                    .filter(|q| q.status == InclusionStatus::Open),
            );
        }
        Ok(open)
    }

    /// The chain's latest block time (the clock deadlines are measured on).
    pub async fn block_time(&self) -> Result<u64> {
        self.ctx.chain.block_time().await
    }

    fn batch_ref(&self, model_id: u64, seq: u64) -> BatchRef {
        BatchRef {
            model_id,
            operator: self.operator(),
            seq,
        }
    }

    pub async fn submit_batch(&self, batch: NewBatch) -> Result<TxOutcome> {
        self.send(&ExecMsg::SubmitBatch { batch }).await
    }

    pub async fn finalize_batch(&self, model_id: u64, seq: u64) -> Result<TxOutcome> {
        let msg = ExecMsg::FinalizeBatch {
            model_id,
            operator: self.operator(),
            seq,
        };
        self.send(&msg).await
    }

    /// Answers inclusion requests on one batch, each with its leaf and path, in one
    /// transaction (all or none).
    pub async fn answer_inclusions(
        &self,
        model_id: u64,
        seq: u64,
        answers: Vec<(Receipt, Path)>,
    ) -> Result<TxOutcome> {
        let msgs: Vec<ExecMsg> = answers
            .into_iter()
            .map(|(leaf, path)| ExecMsg::AnswerInclusion {
                batch: self.batch_ref(model_id, seq),
                receipt_id: leaf.receipt_id,
                leaf,
                path,
            })
            .collect();
        self.send_all(&msgs).await
    }

    /// Signs and broadcasts one execute of the oracle; waits for its block.
    async fn send(&self, msg: &ExecMsg) -> Result<TxOutcome> {
        self.send_all(std::slice::from_ref(msg)).await
    }

    /// Signs and broadcasts executes of the oracle in one transaction; waits for its block.
    async fn send_all(&self, msgs: &[ExecMsg]) -> Result<TxOutcome> {
        let _one_at_a_time = self.sending.lock().await;
        let anys = msgs
            .iter()
            .map(|m| execute_any(&self.signer.address, &self.address, &serde_json::to_vec(m)?, &[]))
            .collect::<Result<Vec<_>>>()?;
        self.ctx
            .chain
            .send(&self.signer, anys, &self.ctx.settings()?)
            .await
    }
}
