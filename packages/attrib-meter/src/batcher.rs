//! The batcher: per model, closes a batch of the receipts of one epoch (at the epoch's
//! end, or at the receipt or age cap), builds its merkle-sum tree with attrib-std and
//! posts it with `submit_batch`.
//!
//! Crash safety: a batch is recorded (`built`, with its range, root and seq) BEFORE it is
//! broadcast and marked `posted` after. Every pass first reconciles the built batches
//! with the chain — the same root at that seq means posted; nothing at that seq means
//! broadcast again. The oracle refuses a seq twice, so a batch is never posted twice.

use std::sync::Arc;

use anyhow::{bail, Result};
use attrib_cli::receipts::signed_new_batch;
use attrib_receipt_oracle::batches::deadline;
use attrib_receipt_oracle::state::Config as OracleConfig;
use attrib_std::receipts::{BatchHeader, SignedReceipt};
use attrib_std::rewards::EpochClock;
use cosmwasm_std::{HexBinary, Uint128};

use crate::chain::Oracle;
use crate::clock::ChainTime;
use crate::metrics::Metrics;
use crate::publish::{BatchTree, TreeCache};
use crate::store::{last_batched_id, BatchRecord, BatchState, PendingSpan, Store, Write};
use crate::writer::WriterHandle;

/// When a batch closes.
#[derive(Clone, Copy, Debug)]
pub struct Caps {
    pub max_receipts: u64,
    pub max_secs: u64,
}

pub struct Batcher {
    pub store: Arc<dyn Store>,
    pub writer: WriterHandle,
    pub oracle: Arc<Oracle>,
    pub trees: Arc<TreeCache>,
    pub metrics: Arc<Metrics>,
    pub clock: EpochClock,
    pub caps: Caps,
    /// The chain's time: an epoch is over when the chain says so.
    pub time: Arc<ChainTime>,
    /// The oracle's settings (read at start): posting deadlines.
    pub oracle_config: OracleConfig,
}

/// The nearest posting deadline (`batches::deadline`, the oracle's rule) of a model's
/// work not yet on chain: its batches built but not posted, and `first_waiting`, the
/// first receipt in no batch (the oldest epoch waiting). `None` when nothing waits.
pub fn nearest_posting_deadline(
    config: &OracleConfig,
    batches: &[BatchRecord],
    first_waiting: Option<&SignedReceipt>,
) -> Option<u64> {
    batches
        .iter()
        .filter(|b| b.state == BatchState::Built)
        .map(|b| b.epoch)
        .chain(first_waiting.map(|r| r.receipt.epoch))
        .map(|epoch| deadline(config, epoch))
        .min()
}

/// Whether the receipts waiting (`waiting`, all of `epoch`, the oldest stamped
/// `oldest`) make a batch now: the epoch is over, a later epoch's receipts follow, or a
/// cap is reached.
pub fn should_close(
    caps: Caps,
    clock: &EpochClock,
    epoch: u64,
    waiting: u64,
    later_follow: bool,
    oldest: u64,
    now: u64,
) -> bool {
    waiting >= caps.max_receipts
        || later_follow
        || clock.epoch_at(now) > epoch
        || now.saturating_sub(oldest) >= caps.max_secs
}

/// Whether a batch of a model whose last batched receipt is `after` is due at `now`, from
/// what waits summed up ([`Store::pending_span`]: two indexed reads) — the receipts
/// themselves are not read on a tick that closes nothing.
pub fn batch_due(
    store: &dyn Store,
    model_id: u64,
    after: u64,
    caps: Caps,
    clock: &EpochClock,
    now: u64,
) -> Result<Option<PendingSpan>> {
    let Some(span) = store.pending_span(model_id, after)? else {
        return Ok(None);
    };
    let later_follow = span.last_epoch != span.epoch;
    let due = should_close(
        caps,
        clock,
        span.epoch,
        span.waiting(),
        later_follow,
        span.oldest,
        now,
    );
    Ok(due.then_some(span))
}

impl Batcher {
    /// One pass over a model: post (or reconcile) what is built, else maybe close a batch.
    pub async fn tick(&self, model_id: u64) -> Result<()> {
        let batches = self.read(move |s| s.batches(model_id)).await?;
        let after = last_batched_id(&batches);
        let first_waiting = self
            .read(move |s| s.receipts(model_id, after + 1, u64::MAX, 1))
            .await?;
        self.metrics.set_posting_deadline(
            model_id,
            nearest_posting_deadline(&self.oracle_config, &batches, first_waiting.first()),
        );
        let built: Vec<BatchRecord> = batches
            .iter()
            .filter(|b| b.state == BatchState::Built)
            .cloned()
            .collect();
        if !built.is_empty() {
            for b in built {
                if let Err(e) = self.post(b.clone()).await {
                    if !format!("{e:#}").contains("batch must start at receipt id") {
                        return Err(e);
                    }
                    // Not where the chain's cursor is, so never postable (a store of an
                    // older meter that skipped a refused range, or restored): not on chain
                    // either (`post` looked at its seq), so dropped; the next pass builds
                    // from the chain's cursor, adopting what the chain has.
                    tracing::error!(model_id, seq = b.seq, first_id = b.first_id, error = %format!("{e:#}"), "a built batch the chain will never take (not contiguous): dropped, to be built again");
                    self.writer
                        .write(vec![Write::DropBuilt { model_id, seq: b.seq }])
                        .await?;
                }
            }
            return Ok(());
        }
        if let Some(b) = self.close(model_id, last_batched_id(&batches)).await? {
            self.post(b).await?;
        }
        Ok(())
    }

    /// Builds and records (state `built`) the next batch of a model, if one is due.
    async fn close(&self, model_id: u64, after: u64) -> Result<Option<BatchRecord>> {
        let (caps, clock, now) = (self.caps, self.clock, self.time.now());
        let Some(span) = self
            .read(move |s| batch_due(s, model_id, after, caps, &clock, now))
            .await?
        else {
            return Ok(None);
        };
        let epoch = span.epoch;
        let cursor = self.oracle.cursor(model_id).await?;
        if after > cursor.last_id {
            bail!(
                "model {model_id}: the store has batched receipts up to id {after}, the chain only up to {}: the store is not of this chain's oracle",
                cursor.last_id
            );
        }
        if span.first_id <= cursor.last_id {
            // The chain has batched receipts the store holds as waiting (a store restored
            // from a backup): batching them again would never be contiguous on chain.
            self.adopt_chain_batches(model_id, span.first_id, cursor.next_seq)
                .await?;
            return Ok(None);
        }
        if cursor.awaiting_replacement > 0 {
            // The settler posts the replacement first; the oracle takes nothing else.
            tracing::info!(model_id, "a voided batch awaits its replacement: not closing");
            return Ok(None);
        }
        // The receipts are read only now that a batch is due (up to the cap, of its epoch)
        // and hashed a page at a time, off the async workers.
        let cap = caps.max_receipts;
        let tree = self
            .read(move |s| BatchTree::read(s, model_id, span.first_id, u64::MAX, cap, Some(epoch)))
            .await?;
        let b = record_of(model_id, cursor.next_seq, epoch, &tree, None);
        self.writer.write(vec![Write::Batch(b.clone())]).await?;
        // Cached only once recorded: a refused record leaves no tree behind.
        self.trees.put((model_id, b.seq), Arc::new(tree));
        tracing::info!(
            model_id,
            seq = b.seq,
            epoch,
            first_id = b.first_id,
            last_id = b.last_id,
            count = b.count,
            "batch built"
        );
        Ok(Some(b))
    }

    /// Records the operator's batches of a model that the chain has and the store does
    /// not, down to the one covering `first_waiting` (the store's first receipt in no
    /// batch of its own): a store restored from a backup older than the chain. The next
    /// batch then starts after the chain's last id, the settler finalizes (or replaces)
    /// them, and their leaves are served from the receipts the store has. (Batches of the
    /// operator's ids below the store's receipts, from before the store, are not its own.)
    async fn adopt_chain_batches(&self, model_id: u64, first_waiting: u64, next_seq: u64) -> Result<()> {
        let known = self.read(move |s| s.batches(model_id)).await?;
        let from = known.iter().map(|b| b.seq).max().unwrap_or(0) + 1;
        let mut writes = vec![];
        for seq in (from..next_seq).rev() {
            let Some(c) = self.oracle.batch(model_id, seq).await? else {
                bail!("model {model_id}: the chain's batch {seq} is missing though its cursor is past it");
            };
            if c.last_id < first_waiting {
                break;
            }
            // Its leaves are served, and a voided one replaced, from the store's receipts:
            // a store without them (a backup older than the receipts) cannot stand behind
            // it, and adopting it would answer nothing and replace it from nothing.
            let (lo, hi) = (c.first_id.max(first_waiting), c.last_id);
            let ends = self
                .read(move |s| {
                    Ok((
                        s.receipts(model_id, lo, lo, 1)?.len(),
                        s.receipts(model_id, hi, hi, 1)?.len(),
                    ))
                })
                .await?;
            if ends != (1, 1) {
                bail!(
                    "model {model_id}: the chain's batch {seq} (ids {}-{}) covers receipts this store does not hold: restore a store with them",
                    c.first_id,
                    c.last_id
                );
            }
            writes.push(Write::Batch(adopted(&c)));
        }
        if writes.is_empty() {
            bail!(
                "model {model_id}: the chain has batched past receipt {first_waiting}, which this store holds as waiting, but no batch of the chain's after the store's own covers it"
            );
        }
        tracing::warn!(
            model_id,
            first_waiting,
            adopted = writes.len(),
            "the chain has batched receipts this store holds as waiting (restored from a backup?): adopting the chain's batches"
        );
        self.writer.write(writes).await?;
        Ok(())
    }

    /// Brings a built batch on chain: marks it posted if the chain has it (same root),
    /// broadcasts it if the chain has nothing at its seq.
    pub async fn post(&self, b: BatchRecord) -> Result<()> {
        let late = match self.oracle.batch(b.model_id, b.seq).await? {
            Some(on_chain) if on_chain.root == b.root => {
                tracing::info!(model_id = b.model_id, seq = b.seq, "batch found on chain");
                on_chain.late
            }
            Some(_) => bail!(
                "model {} seq {}: the chain holds another root at this seq",
                b.model_id,
                b.seq
            ),
            None => {
                let header = BatchHeader {
                    chain_id: self.oracle.ctx.g.chain_id.clone(),
                    contract: self.oracle.address.clone(),
                    model_id: b.model_id,
                    epoch: b.epoch,
                    operator: self.oracle.operator(),
                    seq: b.seq,
                    first_id: b.first_id,
                    last_id: b.last_id,
                    count: b.count,
                    total_units: b.total_units,
                    root: b.root.clone(),
                };
                let msg = signed_new_batch(&self.oracle.signer, header, b.replaces);
                let tx = self.oracle.submit_batch(msg).await?;
                tracing::info!(model_id = b.model_id, seq = b.seq, tx = %tx.txhash, height = tx.height, "batch posted");
                // The tx is in a block: the batch is readable (the flag is the chain's).
                self.oracle
                    .batch(b.model_id, b.seq)
                    .await
                    .map(|c| c.is_some_and(|c| c.late))
                    .unwrap_or(false)
            }
        };
        if late {
            // Taken (the ids after it are not stuck), but each receipt in it is a provable
            // late omission: the operator will be slashed for those held.
            tracing::error!(
                model_id = b.model_id,
                seq = b.seq,
                epoch = b.epoch,
                first_id = b.first_id,
                last_id = b.last_id,
                "batch posted after its epoch's posting deadline: its receipts are provable late omissions"
            );
            self.metrics.batch_late();
        }
        self.writer
            .write(vec![Write::BatchState {
                model_id: b.model_id,
                seq: b.seq,
                state: BatchState::Posted,
            }])
            .await?;
        Ok(())
    }

    /// Runs a store read on a blocking thread.
    async fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&dyn Store) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let store = self.store.clone();
        tokio::task::spawn_blocking(move || f(store.as_ref())).await?
    }
}

/// The record of a batch the chain has, in the state the chain gives it.
pub fn adopted(c: &attrib_receipt_oracle::state::Batch) -> BatchRecord {
    use attrib_receipt_oracle::state::BatchStatus;
    BatchRecord {
        model_id: c.model_id,
        seq: c.seq,
        epoch: c.epoch,
        first_id: c.first_id,
        last_id: c.last_id,
        count: c.count,
        total_units: c.total_units,
        root: c.root.clone(),
        replaces: c.replaces,
        state: match c.status {
            BatchStatus::Pending => BatchState::Posted,
            BatchStatus::Finalized => BatchState::Final,
            // Voided with no replacement yet: `posted`, so the settler finds it voided on
            // chain and posts the replacement (a `voided` record is never looked at, and
            // the model would wait for it forever).
            BatchStatus::Voided { .. } if c.replaced_by.is_none() => BatchState::Posted,
            BatchStatus::Voided { .. } => BatchState::Voided,
        },
    }
}

/// The record of a batch built from `tree` (state `built`).
pub fn record_of(
    model_id: u64,
    seq: u64,
    epoch: u64,
    tree: &BatchTree,
    replaces: Option<u64>,
) -> BatchRecord {
    let c = tree.tree.commitment();
    BatchRecord {
        model_id,
        seq,
        epoch,
        first_id: tree.ids.first().copied().unwrap_or(0),
        last_id: tree.ids.last().copied().unwrap_or(0),
        count: c.count,
        total_units: Uint128::new(c.total),
        root: HexBinary::from(c.root.to_vec()),
        replaces,
        state: BatchState::Built,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CLOCK: EpochClock = EpochClock {
        epoch_start: 1_000,
        epoch_secs: 60,
    };
    const CAPS: Caps = Caps {
        max_receipts: 10,
        max_secs: 30,
    };

    /// A tick that closes nothing reads two receipts, not every receipt waiting (it used
    /// to read them all, up to the cap, four times a second: a meter with a million
    /// waiting spent a core on it); a due batch is decided from the same two.
    #[test]
    fn deciding_whether_a_batch_is_due_reads_two_receipts() {
        use crate::store::tests::{receipt, ByScan};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("meter.db");
        let store = crate::sqlite::SqliteStore::open(&path).unwrap();
        // 5 000 receipts of epoch 3, stamped 1_700_000_000 + id % 1000.
        let writes: Vec<Write> = (1..=5_000)
            .map(|i| Write::Receipt(receipt(1, i, &format!("r{i}"))))
            .collect();
        store.commit(&writes).unwrap();
        let clock = EpochClock {
            epoch_start: 1_700_000_000 - 3 * 1_000,
            epoch_secs: 1_000,
        };
        let caps = Caps {
            max_receipts: 10_000,
            max_secs: 3_600,
        };
        let scan = ByScan::new(Box::new(crate::sqlite::SqliteStore::open(&path).unwrap()));
        let during = 1_700_000_999;
        assert_eq!(batch_due(&scan, 1, 0, caps, &clock, during).unwrap(), None);
        assert_eq!(scan.rows_read(), 2);
        let after_epoch = batch_due(&scan, 1, 0, caps, &clock, 1_700_001_000).unwrap();
        assert_eq!(after_epoch.map(|s| (s.first_id, s.last_id)), Some((1, 5_000)));
        let small = Caps {
            max_receipts: 4_000,
            ..caps
        };
        assert!(
            batch_due(&scan, 1, 0, small, &clock, during).unwrap().is_some(),
            "receipt cap"
        );
        assert!(
            batch_due(&scan, 1, 1_001, small, &clock, during)
                .unwrap()
                .is_none(),
            "3 999 wait"
        );
        assert_eq!(scan.rows_read(), 8, "two per decision, whatever waits");
    }

    /// Found by review: a last id below the first (a reader that saw the two at different
    /// snapshots) underflowed `waiting`, and with overflow checks on in release every tick
    /// aborted the meter. It counts as one waiting receipt.
    #[test]
    fn a_last_id_below_the_first_counts_as_one_waiting() {
        let span = PendingSpan {
            first_id: 10,
            epoch: 3,
            oldest: 1_700_000_000,
            last_id: 5,
            last_epoch: 3,
        };
        assert_eq!(span.waiting(), 1);
        let full = PendingSpan {
            first_id: 0,
            last_id: u64::MAX,
            ..span
        };
        assert_eq!(full.waiting(), u64::MAX);
    }

    /// An adopted chain batch keeps the chain's state, except a voided one not yet
    /// replaced: recorded posted, so the settler finds it voided and replaces it (a
    /// `voided` record is never looked at again, and the model would wait forever).
    #[test]
    fn an_adopted_voided_batch_awaiting_its_replacement_is_recorded_posted() {
        use attrib_receipt_oracle::state::{Batch, BatchStatus};
        let c = Batch {
            model_id: 1,
            operator: cosmwasm_std::Addr::unchecked("op"),
            seq: 4,
            epoch: 2,
            first_id: 10,
            last_id: 19,
            count: 10,
            total_units: Uint128::new(30),
            root: HexBinary::from(vec![7u8; 32]),
            posted_at: 0,
            replaces: Some(3),
            status: BatchStatus::Pending,
            charge: Uint128::zero(),
            prior_units: Uint128::zero(),
            proven_units: Uint128::zero(),
            replaced_by: None,
            counted: true,
            late: false,
        };
        let r = adopted(&c);
        assert_eq!(
            (r.seq, r.first_id, r.last_id, r.count, r.replaces, r.state),
            (4, 10, 19, 10, Some(3), BatchState::Posted)
        );
        assert_eq!(
            (r.root, r.total_units, r.epoch),
            (c.root.clone(), c.total_units, 2)
        );
        let voided = BatchStatus::Voided {
            reason: "omitted_receipt".into(),
            challenger: cosmwasm_std::Addr::unchecked("a"),
        };
        let awaiting = Batch {
            status: voided.clone(),
            ..c.clone()
        };
        assert_eq!(adopted(&awaiting).state, BatchState::Posted);
        let replaced = Batch {
            status: voided,
            replaced_by: Some(5),
            ..c.clone()
        };
        assert_eq!(adopted(&replaced).state, BatchState::Voided);
        let fin = Batch {
            status: BatchStatus::Finalized,
            ..c
        };
        assert_eq!(adopted(&fin).state, BatchState::Final);
    }

    #[test]
    fn a_batch_closes_at_a_cap_or_the_epoch_end_only() {
        // Epoch 0 runs 1000..1060.
        assert!(!should_close(CAPS, &CLOCK, 0, 9, false, 1_010, 1_020));
        assert!(
            should_close(CAPS, &CLOCK, 0, 10, false, 1_010, 1_020),
            "receipt cap"
        );
        assert!(should_close(CAPS, &CLOCK, 0, 1, false, 1_010, 1_040), "age cap");
        assert!(
            should_close(CAPS, &CLOCK, 0, 1, false, 1_059, 1_060),
            "epoch over"
        );
        assert!(
            should_close(CAPS, &CLOCK, 0, 1, true, 1_059, 1_059),
            "next epoch's receipts follow"
        );
    }

    /// The oracle's settings with the epochs of `CLOCK` and a posting grace of 20 s.
    fn oracle_config() -> OracleConfig {
        OracleConfig {
            registry: cosmwasm_std::Addr::unchecked("r"),
            curator_staking: cosmwasm_std::Addr::unchecked("s"),
            reward_pool: cosmwasm_std::Addr::unchecked("p"),
            epoch_start: CLOCK.epoch_start,
            params: attrib_receipt_oracle::state::Params {
                epoch_secs: CLOCK.epoch_secs,
                posting_grace_secs: 20,
                ..attrib_cli::deploy::local_oracle_params()
            },
        }
    }

    fn batch(seq: u64, epoch: u64, state: BatchState) -> BatchRecord {
        BatchRecord {
            model_id: 1,
            seq,
            epoch,
            first_id: seq,
            last_id: seq,
            count: 1,
            total_units: Uint128::one(),
            root: HexBinary::from(vec![0u8; 32]),
            replaces: None,
            state,
        }
    }

    fn waiting(epoch: u64) -> SignedReceipt {
        SignedReceipt {
            receipt: attrib_std::receipts::Receipt {
                chain_id: "c".into(),
                contract: "o".into(),
                model_id: 1,
                epoch,
                receipt_id: 9,
                units: 1,
                timestamp: 0,
            },
            signature: HexBinary::from(vec![0u8; 64]),
        }
    }

    /// Item 5 of the review: the nearest posting deadline of what is not on chain yet —
    /// a built batch's epoch's, or the first waiting receipt's — as the oracle defines it
    /// (its epoch's end plus the posting grace); posted or final batches wait for nothing.
    #[test]
    fn the_nearest_posting_deadline_is_of_the_oldest_epoch_not_yet_posted() {
        let c = oracle_config();
        // Epoch e ends at 1000 + 60 (e + 1); its deadline is 20 s later.
        let done = [batch(1, 0, BatchState::Posted), batch(2, 1, BatchState::Final)];
        assert_eq!(nearest_posting_deadline(&c, &done, None), None);
        assert_eq!(
            nearest_posting_deadline(&c, &done, Some(&waiting(2))),
            Some(1_200)
        );
        let built = [batch(1, 0, BatchState::Posted), batch(2, 1, BatchState::Built)];
        assert_eq!(nearest_posting_deadline(&c, &built, None), Some(1_140));
        assert_eq!(
            nearest_posting_deadline(&c, &built, Some(&waiting(2))),
            Some(1_140)
        );
        // The gauge counts from the chain's time at the scrape; negative once passed.
        let m = Metrics::default();
        let dir = tempfile::tempdir().unwrap();
        let store = crate::sqlite::SqliteStore::open(&dir.path().join("m.db")).unwrap();
        m.set_posting_deadline(1, nearest_posting_deadline(&c, &built, None));
        m.set_posting_deadline(2, Some(1_100));
        let text = m.render(&store, 1_120).unwrap();
        for line in [
            "attrib_meter_posting_deadline_seconds{model_id=\"1\"} 20",
            "attrib_meter_posting_deadline_seconds{model_id=\"2\"} -20",
        ] {
            assert!(text.lines().any(|l| l == line), "{line} in\n{text}");
        }
        m.set_posting_deadline(1, None);
        assert!(!m.render(&store, 1_120).unwrap().contains("model_id=\"1\"} "));
    }
}
