//! What the meter keeps: every receipt it acknowledged and every batch it built, behind a
//! [`Store`] trait so a second backend (PostgreSQL) fits beside the embedded SQLite one
//! ([`crate::sqlite`]). Writes come only from the writer task ([`crate::writer`]) as one
//! [`Store::commit`] of many [`Write`]s; readers (the API, the batcher) use their own
//! handle.

use attrib_std::receipts::SignedReceipt;
use cosmwasm_std::{HexBinary, Uint128};
use serde::Serialize;

/// A receipt as stored: the signed receipt, the client that reported it and its request
/// id and reference.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredReceipt {
    /// The client (by name) whose usage it is: a request id is answered only to it.
    pub client: String,
    pub request_id: String,
    pub reference: Option<String>,
    pub signed: SignedReceipt,
}

/// Where a batch is in its life. `Built` is recorded before the first broadcast, so a
/// crash between the two is found and reconciled with the chain on start. (The oracle
/// takes a batch past its epoch's posting deadline too, flagged late: no batch is ever
/// refused for good, so none leaves a gap in the ids.)
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BatchState {
    Built,
    Posted,
    Final,
    Voided,
}

impl BatchState {
    pub const ALL: [BatchState; 4] = [Self::Built, Self::Posted, Self::Final, Self::Voided];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Built => "built",
            Self::Posted => "posted",
            Self::Final => "final",
            Self::Voided => "voided",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }
}

/// A batch the meter built: the id range of its receipts, the tree's commitment and the
/// sequence number it was (or will be) posted under.
#[derive(Clone, Debug, PartialEq)]
pub struct BatchRecord {
    pub model_id: u64,
    pub seq: u64,
    pub epoch: u64,
    pub first_id: u64,
    pub last_id: u64,
    pub count: u64,
    pub total_units: Uint128,
    pub root: HexBinary,
    /// The voided batch this one re-posts.
    pub replaces: Option<u64>,
    pub state: BatchState,
}

/// What waits for a batch ([`Store::pending_span`]): the first receipt in no batch (its
/// id, epoch and timestamp) and the model's last receipt (its id and epoch).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PendingSpan {
    pub first_id: u64,
    pub epoch: u64,
    pub oldest: u64,
    pub last_id: u64,
    pub last_epoch: u64,
}

impl PendingSpan {
    /// How many receipts wait, at most: the writer gives a model's ids without gaps, so
    /// the span is the count (a gap, only ever after a store was lost, makes a batch close
    /// early, never late).
    pub fn waiting(&self) -> u64 {
        // Never below one: a last id read from an older snapshot than the first (a reader
        // behind a replica) must not abort the meter (overflow checks are on in release).
        self.last_id.saturating_sub(self.first_id).saturating_add(1)
    }
}

/// One change, applied with the others of its group in one transaction.
#[derive(Clone, Debug, PartialEq)]
pub enum Write {
    Receipt(StoredReceipt),
    Batch(BatchRecord),
    BatchState {
        model_id: u64,
        seq: u64,
        state: BatchState,
    },
    /// Drops a batch recorded `built` that the chain does not hold at its seq (its seq was
    /// taken by a replacement): its receipts are batched again. A batch in any other state
    /// is never dropped.
    DropBuilt {
        model_id: u64,
        seq: u64,
    },
}

/// The meter's durable state. Every method is synchronous (an embedded database); async
/// callers run them on a blocking thread.
pub trait Store: Send + Sync + 'static {
    /// Applies `writes` atomically and durably (fsynced when it returns).
    fn commit(&self, writes: &[Write]) -> anyhow::Result<()>;
    /// The highest receipt id of a model (0 when none).
    fn max_receipt_id(&self, model_id: u64) -> anyhow::Result<u64>;
    /// The receipt given for a request id, if any.
    fn by_request(&self, model_id: u64, request_id: &str) -> anyhow::Result<Option<StoredReceipt>>;
    /// The receipts given for any of `request_ids` of a model (those found, in any order):
    /// the writer looks up a whole group's request ids at once. The default asks one by
    /// one; a server backend answers in one round trip.
    fn by_requests(&self, model_id: u64, request_ids: &[String]) -> anyhow::Result<Vec<StoredReceipt>> {
        let mut found = vec![];
        for r in request_ids {
            found.extend(self.by_request(model_id, r)?);
        }
        Ok(found)
    }
    /// Receipts of a model with ids in `first..=last`, by id, at most `limit`.
    fn receipts(
        &self,
        model_id: u64,
        first: u64,
        last: u64,
        limit: u64,
    ) -> anyhow::Result<Vec<SignedReceipt>>;
    /// The receipts of a model after id `after` (those in no batch yet), summed up from
    /// the first and the last alone: two reads by primary key, however many wait. The
    /// batcher decides from this on every tick whether a batch is due.
    fn pending_span(&self, model_id: u64, after: u64) -> anyhow::Result<Option<PendingSpan>> {
        let Some(first) = after
            .checked_add(1)
            .map(|from| self.receipts(model_id, from, u64::MAX, 1))
            .transpose()?
            .and_then(|mut r| r.pop())
        else {
            return Ok(None);
        };
        let last_id = self.max_receipt_id(model_id)?;
        let last = self
            .receipts(model_id, last_id, last_id, 1)?
            .pop()
            .ok_or_else(|| anyhow::anyhow!("model {model_id}: receipt {last_id} vanished"))?;
        Ok(Some(PendingSpan {
            first_id: first.receipt.receipt_id,
            epoch: first.receipt.epoch,
            oldest: first.receipt.timestamp,
            last_id,
            last_epoch: last.receipt.epoch,
        }))
    }
    /// One batch.
    fn batch(&self, model_id: u64, seq: u64) -> anyhow::Result<Option<BatchRecord>>;
    /// A model's batches, by seq.
    fn batches(&self, model_id: u64) -> anyhow::Result<Vec<BatchRecord>>;
    /// The batches of a model whose id range covers `receipt_id`, by seq. The default
    /// reads every batch of the model; a backend overrides it with an indexed query.
    fn batches_covering(&self, model_id: u64, receipt_id: u64) -> anyhow::Result<Vec<BatchRecord>> {
        Ok(self
            .batches(model_id)?
            .into_iter()
            .filter(|b| b.first_id <= receipt_id && receipt_id <= b.last_id)
            .collect())
    }
    /// Batches of every model in `state`.
    fn batches_in(&self, state: BatchState) -> anyhow::Result<Vec<BatchRecord>>;
    /// Receipts stored in all, and how many are in no batch yet.
    fn receipt_counts(&self) -> anyhow::Result<(u64, u64)>;
    /// Records each `(key, value)` of `entries` whose key the `meta` table does not hold
    /// yet, in one transaction (a key recorded first by another meter stays), and returns
    /// the value recorded for each key, in order ([`claim`]).
    fn meta(&self, entries: &[(&str, &str)]) -> anyhow::Result<Vec<String>>;
}

/// Whose receipts a store holds: the chain, the oracle and the operator a meter signs
/// for. Recorded on a store's first start ([`claim`]), checked on every start after.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Owner {
    pub chain_id: String,
    pub oracle: String,
    pub operator: String,
}

impl Owner {
    fn entries(&self) -> [(&'static str, &str); 3] {
        [
            ("chain_id", &self.chain_id),
            ("oracle", &self.oracle),
            ("operator", &self.operator),
        ]
    }
}

/// A store recorded for another chain, oracle or operator than the meter's: the meter
/// refuses to start (two owners' receipts in one store would share ids and batches).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "this store belongs to {field} {stored}, not {ours}: one store (SQLite file, or \
     PostgreSQL schema) per chain, oracle and operator"
)]
pub struct OwnerMismatch {
    /// `chain_id`, `oracle` or `operator`.
    pub field: &'static str,
    pub stored: String,
    pub ours: String,
}

/// Records `owner` as the store's on its first start; on a later start, or when another
/// meter recorded first, an [`OwnerMismatch`] unless it is the same. Run before the meter
/// takes the writer lock or writes anything.
pub fn claim(store: &dyn Store, owner: &Owner) -> anyhow::Result<()> {
    let entries = owner.entries();
    let stored = store.meta(&entries)?;
    for ((field, ours), stored) in entries.into_iter().zip(stored) {
        if stored != ours {
            return Err(OwnerMismatch {
                field,
                stored,
                ours: ours.to_string(),
            }
            .into());
        }
    }
    Ok(())
}

/// The tables and index of every backend, given its names for a 64-bit integer and a
/// byte string: a batch is found by the ids it covers (`batches_covering`, the pending
/// count) through `batches_by_last_id`; `meta` holds the store's [`Owner`]. A store of a
/// meter from before the oracle took late batches may hold `refused` records (kept at
/// seq 2^62 + first id, their receipts never billed): they are dropped on open, so
/// those receipts are batched again — late, at the chain's cursor — instead of skipped.
pub(crate) fn schema(int: &str, bytes: &str) -> String {
    format!(
        "
        CREATE TABLE IF NOT EXISTS receipts (
            model_id {int} NOT NULL,
            receipt_id {int} NOT NULL,
            client TEXT NOT NULL,
            request_id TEXT NOT NULL,
            reference TEXT,
            chain_id TEXT NOT NULL,
            contract TEXT NOT NULL,
            epoch {int} NOT NULL,
            units {int} NOT NULL,
            timestamp {int} NOT NULL,
            signature {bytes} NOT NULL,
            PRIMARY KEY (model_id, receipt_id),
            UNIQUE (model_id, request_id)
        );
        CREATE TABLE IF NOT EXISTS batches (
            model_id {int} NOT NULL,
            seq {int} NOT NULL,
            epoch {int} NOT NULL,
            first_id {int} NOT NULL,
            last_id {int} NOT NULL,
            count {int} NOT NULL,
            total_units TEXT NOT NULL,
            root {bytes} NOT NULL,
            replaces {int},
            state TEXT NOT NULL,
            PRIMARY KEY (model_id, seq)
        );
        CREATE INDEX IF NOT EXISTS batches_by_last_id ON batches (model_id, last_id);
        CREATE TABLE IF NOT EXISTS meta (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        DELETE FROM batches WHERE state = 'refused';"
    )
}

/// Both backends keep every u64 in a signed 64-bit column (SQLite INTEGER, PostgreSQL
/// BIGINT) and compare ids and seqs in SQL (ranges, MAX), so a value is stored only up to
/// i64::MAX, never wrapped: ids grow by one from 1, seqs are the chain's, units are capped at i64::MAX
/// by the API, epochs and timestamps are seconds. A larger value fails its commit.
pub fn to_sql(n: u64) -> anyhow::Result<i64> {
    i64::try_from(n).map_err(|_| anyhow::anyhow!("{n} is above the store's range (i64::MAX)"))
}

/// A key looked up: `None` above i64::MAX, where nothing can be stored.
pub fn sql_key(n: u64) -> Option<i64> {
    i64::try_from(n).ok()
}

/// A limit: above i64::MAX is the same as i64::MAX.
pub fn sql_bound(n: u64) -> i64 {
    n.min(i64::MAX as u64) as i64
}

/// The ids `first..=last` in the store's range: the last clamped to i64::MAX (nothing is
/// stored above), `None` when nothing can be in it (a first id above i64::MAX, or above
/// the last). Clamping the first id down would find the receipt at i64::MAX.
pub fn sql_range(first: u64, last: u64) -> Option<(i64, i64)> {
    let first = sql_key(first)?;
    let last = sql_bound(last);
    (first <= last).then_some((first, last))
}

/// A stored value read back: a negative one is a corrupt store, never wrapped.
pub fn from_sql(n: i64) -> anyhow::Result<u64> {
    u64::try_from(n).map_err(|_| anyhow::anyhow!("corrupt store: negative value {n}"))
}

/// The highest id any batch of the model covers (0 when none): receipts after it wait
/// for the next batch.
pub fn last_batched_id(batches: &[BatchRecord]) -> u64 {
    batches.iter().map(|b| b.last_id).max().unwrap_or(0)
}

/// The batch whose tree carries a receipt id: among the batches covering it, the one
/// posted last (a replacement re-posts a voided batch's ids), never a voided one.
pub fn carrier(batches: &[BatchRecord], receipt_id: u64) -> Option<&BatchRecord> {
    batches
        .iter()
        .filter(|b| b.first_id <= receipt_id && receipt_id <= b.last_id)
        .filter(|b| matches!(b.state, BatchState::Posted | BatchState::Final))
        .max_by_key(|b| b.seq)
}

#[cfg(test)]
#[path = "store_tests.rs"]
pub(crate) mod tests;
