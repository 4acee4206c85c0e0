//! After posting (SPEC §5.4, §5.6): the meter answers every open inclusion request on its
//! own batches by itself, finalizes its batches once the dispute window has passed,
//! records them final or voided, re-posts a voided batch's receipts as its replacement,
//! and warns when a model's free escrow covers few batches.

use std::sync::Arc;

use anyhow::Result;
use attrib_receipt_oracle::state::{Batch, BatchStatus};

use crate::batcher::{record_of, Batcher};
use crate::publish::{Asker, BatchTree};
use crate::store::{BatchRecord, BatchState, Write};

pub struct Settler {
    pub batcher: Arc<Batcher>,
    pub min_escrow_batches: u64,
}

impl Settler {
    /// One pass over the model's posted batches, then its escrow check. A batch that
    /// fails is logged and counted and the others still run; the first error is returned
    /// after the pass.
    pub async fn tick(&self, model_id: u64) -> Result<()> {
        let store = self.batcher.store.clone();
        let posted = tokio::task::spawn_blocking(move || store.batches(model_id))
            .await??
            .into_iter()
            .filter(|b| b.state == BatchState::Posted)
            .collect::<Vec<_>>();
        let window = self.batcher.oracle.config().await?.params.dispute_window_secs;
        let mut first_error = None;
        for b in &posted {
            if let Err(e) = self.settle(b, window).await {
                self.batcher.metrics.chain_error();
                tracing::warn!(model_id, seq = b.seq, error = %format!("{e:#}"), "settling a batch failed");
                first_error.get_or_insert(e);
            }
        }
        let escrow = self.check_escrow(model_id).await;
        match first_error {
            Some(e) => Err(e),
            None => escrow,
        }
    }

    /// Answers, finalizes or records the outcome of one posted batch.
    async fn settle(&self, b: &BatchRecord, window: u64) -> Result<()> {
        let oracle = &self.batcher.oracle;
        let Some(on_chain) = oracle.batch(b.model_id, b.seq).await? else {
            return Ok(());
        };
        match on_chain.status {
            BatchStatus::Finalized => self.record(b, BatchState::Final).await,
            BatchStatus::Voided { ref reason, .. } => {
                tracing::warn!(model_id = b.model_id, seq = b.seq, reason, "batch voided");
                self.replace(b).await
            }
            BatchStatus::Pending => {
                let answered = self.answer_requests(b).await?;
                if answered == 0 && oracle.block_time().await? > on_chain.posted_at + window {
                    self.finalize(b, &on_chain).await?;
                }
                Ok(())
            }
        }
    }

    /// Answers every open inclusion request on a batch with the receipt's leaf and path,
    /// in one transaction; returns how many were open. One whose leaf cannot be read is
    /// logged and the others still answered; one past its deadline is left to expire (an
    /// answer would be refused).
    async fn answer_requests(&self, b: &BatchRecord) -> Result<usize> {
        let oracle = &self.batcher.oracle;
        let open = oracle.open_requests(b.model_id, b.seq).await?;
        if open.is_empty() {
            return Ok(0);
        }
        let store = self.batcher.store.clone();
        let trees = self.batcher.trees.clone();
        let rec = b.clone();
        let asked: Vec<_> = open.iter().map(|q| q.receipt.clone()).collect();
        // Each answer (the requester's own receipt when it makes the leaf, else read back
        // from the store), on a blocking thread; one that cannot be read fails only its
        // own answer.
        let leaves = tokio::task::spawn_blocking(move || -> Result<Vec<_>> {
            let tree = trees.get(store.as_ref(), &rec, Asker::Settler)?;
            Ok(asked
                .iter()
                .map(|r| tree.answer(store.as_ref(), r))
                .collect::<Vec<Result<_>>>())
        })
        .await??;
        let now = oracle.block_time().await?;
        let mut answers = vec![];
        for (q, leaf) in open.iter().zip(leaves) {
            let id = q.receipt.receipt_id;
            if now > q.deadline {
                tracing::error!(
                    model_id = b.model_id,
                    seq = b.seq,
                    receipt_id = id,
                    deadline = q.deadline,
                    "inclusion request past its deadline: not answered"
                );
                continue;
            }
            let (leaf, path) = match leaf {
                Ok(Some(found)) => found,
                Ok(None) => {
                    tracing::error!(
                        model_id = b.model_id,
                        seq = b.seq,
                        receipt_id = id,
                        "inclusion request for a receipt not in the batch"
                    );
                    continue;
                }
                Err(e) => {
                    tracing::error!(model_id = b.model_id, seq = b.seq, receipt_id = id, error = %format!("{e:#}"), "the requested leaf cannot be read");
                    continue;
                }
            };
            answers.push((leaf, path));
        }
        // All in one transaction, one block, however many are open (each in its own
        // waited a block apiece: up to `max_inclusion_requests` of them, on a chain of
        // 6 s blocks, ran past the response time). If that is refused (one answer gone
        // stale, say), each on its own, so one cannot sink the others.
        if answers.len() > 1 {
            let ids: Vec<u64> = answers.iter().map(|(l, _)| l.receipt_id).collect();
            match oracle.answer_inclusions(b.model_id, b.seq, answers.clone()).await {
                Ok(tx) => {
                    tracing::info!(model_id = b.model_id, seq = b.seq, count = ids.len(), receipt_ids = ?ids, tx = %tx.txhash, "inclusion requests answered");
                    return Ok(open.len());
                }
                Err(e) => {
                    self.batcher.metrics.chain_error();
                    tracing::warn!(model_id = b.model_id, seq = b.seq, count = ids.len(), error = %format!("{e:#}"), "answering inclusion requests in one transaction failed: one at a time");
                }
            }
        }
        for (leaf, path) in answers {
            let id = leaf.receipt_id;
            match oracle
                .answer_inclusions(b.model_id, b.seq, vec![(leaf, path)])
                .await
            {
                Ok(tx) => {
                    tracing::info!(model_id = b.model_id, seq = b.seq, count = 1, receipt_ids = ?[id], tx = %tx.txhash, "inclusion requests answered")
                }
                Err(e) => {
                    self.batcher.metrics.chain_error();
                    tracing::warn!(model_id = b.model_id, seq = b.seq, receipt_id = id, error = %format!("{e:#}"), "answering an inclusion request failed");
                }
            }
        }
        Ok(open.len())
    }

    async fn finalize(&self, b: &BatchRecord, on_chain: &Batch) -> Result<()> {
        let tx = self.batcher.oracle.finalize_batch(b.model_id, b.seq).await?;
        tracing::info!(model_id = b.model_id, seq = b.seq, charge = %on_chain.charge, tx = %tx.txhash, "batch finalized");
        self.record(b, BatchState::Final).await
    }

    async fn record(&self, b: &BatchRecord, state: BatchState) -> Result<()> {
        self.batcher
            .writer
            .write(vec![Write::BatchState {
                model_id: b.model_id,
                seq: b.seq,
                state,
            }])
            .await?;
        Ok(())
    }

    /// Marks a voided batch and posts its replacement: the receipts of its range as the
    /// store holds them now (read again, not the voided batch's cached tree), at the
    /// cursor's next seq, `replaces` the voided one (recorded built first, like any batch,
    /// so a crash here is reconciled on start).
    async fn replace(&self, b: &BatchRecord) -> Result<()> {
        let store = self.batcher.store.clone();
        let rec = b.clone();
        let tree = tokio::task::spawn_blocking(move || {
            BatchTree::read(
                store.as_ref(),
                rec.model_id,
                rec.first_id,
                rec.last_id,
                u64::MAX,
                None,
            )
        })
        .await??;
        let cursor = self.batcher.oracle.cursor(b.model_id).await?;
        let replacement = record_of(b.model_id, cursor.next_seq, b.epoch, &tree, Some(b.seq));
        let mut writes = vec![Write::BatchState {
            model_id: b.model_id,
            seq: b.seq,
            state: BatchState::Voided,
        }];
        // A batch the batcher recorded at that seq and could not post (the oracle takes
        // only the replacement now) is dropped: its receipts are batched again after.
        let store = self.batcher.store.clone();
        let (m, seq) = (b.model_id, cursor.next_seq);
        if let Some(taken) = tokio::task::spawn_blocking(move || store.batch(m, seq)).await?? {
            if taken.state != BatchState::Built {
                anyhow::bail!(
                    "model {m} seq {seq}: recorded {:?} but the chain's next seq",
                    taken.state
                );
            }
            tracing::warn!(
                model_id = m,
                seq,
                first_id = taken.first_id,
                last_id = taken.last_id,
                "a built batch's seq goes to a replacement: its receipts are batched again"
            );
            writes.push(Write::DropBuilt { model_id: m, seq });
        }
        writes.push(Write::Batch(replacement.clone()));
        self.batcher.writer.write(writes).await?;
        // Cached only once its record is written (a proof never comes from a tree the
        // store does not hold).
        self.batcher
            .trees
            .put((b.model_id, replacement.seq), Arc::new(tree));
        self.batcher.post(replacement).await
    }

    /// Sets the escrow gauge (batches the free escrow covers at the mean charge of the
    /// model's batches on chain) and warns below the configured floor.
    async fn check_escrow(&self, model_id: u64) -> Result<()> {
        let oracle = &self.batcher.oracle;
        let model = oracle.model(model_id).await?;
        let free = model.escrow.saturating_sub(model.reserved).u128();
        let cursor = oracle.cursor(model_id).await?;
        let mut charges = vec![];
        for seq in cursor.next_seq.saturating_sub(5).max(1)..cursor.next_seq {
            if let Some(b) = oracle.batch(model_id, seq).await? {
                charges.push(b.charge.u128());
            }
        }
        let mean = charges.iter().sum::<u128>() / (charges.len().max(1) as u128);
        let covered = if mean == 0 {
            f64::INFINITY
        } else {
            free as f64 / mean as f64
        };
        self.batcher.metrics.set_escrow_batches(model_id, covered);
        if covered < self.min_escrow_batches as f64 {
            tracing::warn!(
                model_id,
                free_escrow = free,
                mean_charge = mean,
                covered,
                "escrow covers few batches"
            );
        }
        Ok(())
    }
}
