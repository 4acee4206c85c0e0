//! What a meter publishes for auditors and users: the leaves of its posted batches, page
//! by page, and any receipt's inclusion proof. Trees are rebuilt from the store with
//! attrib-std (the same code the oracle verifies with) and the recent ones kept in memory.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use anyhow::{anyhow, Result};
use attrib_cli::proofs::tree_of;
use attrib_cli::service::{InclusionProof, LeavesPage, MAX_LEAVES_PAGE};
use attrib_std::receipts::{Path, Receipt, SignedReceipt, SumTree};

use crate::store::{carrier, BatchRecord, BatchState, Store};

/// How many leaves the cached trees hold in all (a 1M-leaf tree is about 100 MB of nodes
/// and 8 MB of ids; the least recently used trees are dropped past this).
const CACHED_LEAVES: usize = 1 << 21;

/// How many receipts a tree built from the store reads at a time: a batch's receipts are
/// never all in memory at once, only its leaves.
const READ_PAGE: u64 = 10_000;

/// A batch's merkle-sum tree and the receipt id of each leaf. The receipts stay in the
/// store: a proof reads its one receipt back (and checks it against its leaf).
pub struct BatchTree {
    /// The receipt ids of the leaves, in order.
    pub ids: Vec<u64>,
    pub tree: SumTree,
}

impl BatchTree {
    /// The tree of `receipts`, sorted by id.
    pub fn build(receipts: Vec<SignedReceipt>) -> Result<Self> {
        Ok(Self {
            tree: tree_of(&receipts)?,
            ids: receipts.iter().map(|r| r.receipt.receipt_id).collect(),
        })
    }

    /// The tree of a model's receipts with ids in `first..=last`, at most `limit` of them
    /// and, if `epoch` is given, up to the first receipt of another epoch: read from the
    /// store a page at a time, keeping only leaves.
    pub fn read(
        store: &dyn Store,
        model_id: u64,
        first: u64,
        last: u64,
        limit: u64,
        epoch: Option<u64>,
    ) -> Result<Self> {
        let (mut ids, mut leaves) = (vec![], vec![]);
        let mut from = Some(first);
        'pages: while let Some(start) = from.filter(|f| *f <= last && (ids.len() as u64) < limit) {
            let page = store.receipts(model_id, start, last, READ_PAGE.min(limit - ids.len() as u64))?;
            let Some(end) = page.last().map(|r| r.receipt.receipt_id) else {
                break;
            };
            for r in &page {
                if epoch.is_some_and(|e| r.receipt.epoch != e) {
                    break 'pages;
                }
                ids.push(r.receipt.receipt_id);
                leaves.push(r.receipt.leaf());
            }
            from = end.checked_add(1);
        }
        let tree = SumTree::build(leaves)?
            .ok_or_else(|| anyhow!("model {model_id}: no receipts from id {first} to {last}"))?;
        Ok(Self { ids, tree })
    }

    /// The leaf at receipt id `id`, if the batch has it: its place and the receipt, read
    /// from the store and checked against the tree's leaf (a store changed under a built
    /// tree is an error, never a wrong proof).
    pub fn leaf(&self, store: &dyn Store, model_id: u64, id: u64) -> Result<Option<(usize, SignedReceipt)>> {
        let Ok(i) = self.ids.binary_search(&id) else {
            return Ok(None);
        };
        let r = store.receipts(model_id, id, id, 1)?.pop().ok_or_else(|| {
            anyhow!("model {model_id}: receipt {id} of a built tree is gone from the store")
        })?;
        if self.tree.node(0, i as u64) != Some(r.receipt.leaf()) {
            return Err(anyhow!(
                "model {model_id}: receipt {id} in the store no longer makes its leaf of the tree"
            ));
        }
        Ok(Some((i, r)))
    }

    /// The answer to an inclusion request for `asked` (the receipt its requester holds,
    /// signed): the leaf and its path. When `asked` makes the tree's leaf at its id, it
    /// is the answer as it stands, with no store read — a lost or damaged row cannot
    /// cost an answer, and a slash, when the tree is at hand. Else the store's receipt
    /// at that id, checked against the leaf ([`Self::leaf`]); `None`: not in the batch.
    pub fn answer(&self, store: &dyn Store, asked: &Receipt) -> Result<Option<(Receipt, Path)>> {
        let id = asked.receipt_id;
        if let Ok(i) = self.ids.binary_search(&id) {
            if self.tree.node(0, i as u64) == Some(asked.leaf()) {
                return Ok(Some((asked.clone(), self.tree.path(0, i as u64))));
            }
        }
        Ok(self
            .leaf(store, asked.model_id, id)?
            .map(|(i, r)| (r.receipt, self.tree.path(0, i as u64))))
    }
}

/// A batch by (model id, seq).
type BatchKey = (u64, u64);

/// Trees of recently served or built batches, bounded by their leaves, least recently
/// used dropped first. A tree is served only for a record with its root: a tree left from
/// another batch at the same seq is rebuilt. Misses are built one at a time per
/// [`Asker`], so concurrent requests for one batch share one build and callers cannot
/// make the meter build many trees at once.
#[derive(Default)]
pub struct TreeCache {
    inner: Mutex<Cached>,
    /// Rebuilds for the public proof endpoint wait for one another here, never for the
    /// settler's (nor the settler's for them): anyone can ask for proofs, and a queue of
    /// their rebuilds must not hold up an inclusion answer due on chain.
    public_build: Mutex<()>,
    settler_build: Mutex<()>,
}

/// Who needs a tree: see [`TreeCache::public_build`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Asker {
    Public,
    Settler,
}

/// The trees, their keys from least to most recently used, and their leaves in all.
#[derive(Default)]
struct Cached {
    trees: HashMap<BatchKey, Arc<BatchTree>>,
    order: VecDeque<BatchKey>,
    leaves: usize,
}

impl Cached {
    /// The tree of `key` if it has `root`, marked most recently used.
    fn hit(&mut self, key: BatchKey, root: &[u8]) -> Option<Arc<BatchTree>> {
        let t = self.trees.get(&key)?.clone();
        if t.tree.commitment().root.as_slice() != root {
            return None;
        }
        if let Some(i) = self.order.iter().position(|k| *k == key) {
            self.order.remove(i);
        }
        self.order.push_back(key);
        Some(t)
    }
}

impl TreeCache {
    /// The tree of a batch, from the cache or rebuilt from the store.
    pub fn get(&self, store: &dyn Store, b: &BatchRecord, asker: Asker) -> Result<Arc<BatchTree>> {
        let key = (b.model_id, b.seq);
        if let Some(t) = self.cached(b) {
            return Ok(t);
        }
        let lock = match asker {
            Asker::Public => &self.public_build,
            Asker::Settler => &self.settler_build,
        };
        let _building = lock.lock().expect("build lock");
        if let Some(t) = self.lock().hit(key, b.root.as_slice()) {
            return Ok(t);
        }
        let t = Arc::new(BatchTree::read(
            store,
            b.model_id,
            b.first_id,
            b.last_id,
            u64::MAX,
            None,
        )?);
        if t.tree.commitment().root.as_slice() != b.root.as_slice() {
            return Err(anyhow!(
                "model {} seq {}: the stored receipts do not make the recorded root",
                b.model_id,
                b.seq
            ));
        }
        self.put(key, t.clone());
        Ok(t)
    }

    /// The tree of a batch if it is cached (with the batch's root).
    pub fn cached(&self, b: &BatchRecord) -> Option<Arc<BatchTree>> {
        self.lock().hit((b.model_id, b.seq), b.root.as_slice())
    }

    /// Keeps a tree (built by the batcher once its record is written) for the proofs to
    /// come.
    pub fn put(&self, key: BatchKey, tree: Arc<BatchTree>) {
        let mut g = self.lock();
        let n = tree.ids.len();
        if let Some(old) = g.trees.insert(key, tree) {
            g.leaves -= old.ids.len();
            if let Some(i) = g.order.iter().position(|k| *k == key) {
                g.order.remove(i);
            }
        }
        g.order.push_back(key);
        g.leaves += n;
        while g.leaves > CACHED_LEAVES && g.order.len() > 1 {
            let old = g.order.pop_front().expect("non-empty");
            if let Some(t) = g.trees.remove(&old) {
                g.leaves -= t.ids.len();
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Cached> {
        self.inner.lock().expect("cache lock")
    }
}

/// Why a publication cannot be served.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error("no batch {seq} of model {model_id}")]
    NoBatch { model_id: u64, seq: u64 },
    #[error("receipt {receipt_id} of model {model_id} is in no posted batch")]
    NotBatched { model_id: u64, receipt_id: u64 },
    #[error("limit must be 1 - {MAX_LEAVES_PAGE}")]
    BadLimit,
    #[error(
        "batch {seq} of model {model_id} is final and its tree no longer cached: its proofs are not rebuilt (its leaves are served, at /v1/batches/{model_id}/{seq}/leaves)"
    )]
    Final { model_id: u64, seq: u64 },
    #[error(transparent)]
    Store(#[from] anyhow::Error),
}

/// One page of a posted batch's leaves: the leaves at positions `offset..offset + limit`
/// (see [`first_at`]).
pub fn leaves_page(
    store: &dyn Store,
    operator: &str,
    model_id: u64,
    seq: u64,
    offset: u64,
    limit: u64,
) -> Result<LeavesPage, PublishError> {
    if limit == 0 || limit > MAX_LEAVES_PAGE {
        return Err(PublishError::BadLimit);
    }
    // A `built` batch is served too: it may be on chain before the meter has recorded the
    // broadcast (or, after a crash, before reconciliation), and an auditor who finds no
    // leaves for a posted batch pays for inclusion requests. A built record is always the
    // one at that seq (a replacement's record replaces a dropped one in the same write).
    let b = store
        .batch(model_id, seq)?
        .ok_or(PublishError::NoBatch { model_id, seq })?;
    let receipts = match first_at(store, &b, offset)? {
        Some(first) => store.receipts(model_id, first, b.last_id, limit)?,
        None => vec![],
    };
    let end = offset + receipts.len() as u64;
    Ok(LeavesPage {
        model_id,
        operator: operator.to_string(),
        seq,
        epoch: b.epoch,
        first_id: b.first_id,
        last_id: b.last_id,
        count: b.count,
        total_units: b.total_units,
        root: b.root,
        offset,
        receipts,
        next_offset: (end < b.count).then_some(end),
    })
}

/// The id of the leaf at position `offset` of batch `b` (`None` past its end): its first
/// id plus `offset` when its ids are contiguous (every batch the meter builds from an
/// intact store), else found by walking the range (rows missing from the store's range
/// make a batch with gaps: its leaves are still served by position, as it was posted).
fn first_at(store: &dyn Store, b: &BatchRecord, offset: u64) -> Result<Option<u64>, PublishError> {
    if offset >= b.count {
        return Ok(None);
    }
    if b.last_id.checked_sub(b.first_id) == Some(b.count - 1) {
        return Ok(Some(b.first_id + offset));
    }
    let (mut from, mut skip) = (b.first_id, offset);
    while skip > 0 {
        let chunk = store.receipts(b.model_id, from, b.last_id, skip.min(MAX_LEAVES_PAGE))?;
        let Some(last) = chunk.last() else {
            return Ok(None);
        };
        skip -= chunk.len() as u64;
        from = last.receipt.receipt_id.saturating_add(1);
    }
    Ok(Some(from))
}

/// The inclusion proof of a receipt in the posted batch that carries it. A tree is
/// rebuilt only for a batch still open to challenges on chain (posted, not final), where
/// a proof is of use: anyone may ask, and cycling through old batches cost a rebuild of
/// up to a million leaves per request. A final batch's proofs are served while its tree
/// is cached (its leaves always are).
pub fn inclusion_proof(
    store: &dyn Store,
    trees: &TreeCache,
    operator: &str,
    model_id: u64,
    receipt_id: u64,
) -> Result<InclusionProof, PublishError> {
    let batches = store.batches_covering(model_id, receipt_id)?;
    let b = carrier(&batches, receipt_id).ok_or(PublishError::NotBatched { model_id, receipt_id })?;
    let t = match trees.cached(b) {
        Some(t) => t,
        None if b.state == BatchState::Final => {
            return Err(PublishError::Final { model_id, seq: b.seq });
        }
        None => trees.get(store, b, Asker::Public)?,
    };
    let (i, leaf) = t
        .leaf(store, model_id, receipt_id)?
        .ok_or(PublishError::NotBatched { model_id, receipt_id })?;
    Ok(InclusionProof {
        model_id,
        operator: operator.to_string(),
        seq: b.seq,
        receipt: leaf,
        path: t.tree.path(0, i as u64),
    })
}
