//! The one writer: every change to the store goes through this thread, which does group
//! commit. Requests queue on a channel; the writer takes everything queued, assigns
//! receipt ids, signs, writes one transaction and only then answers every waiter — so a
//! receipt is durable before it is acknowledged, and many requests share one fsync.

use std::collections::HashMap;
use std::sync::Arc;

use attrib_cli::keys::Signer;
use attrib_cli::receipts::sign_bytes;
use attrib_cli::service::{UsageEvent, UsageReceipt};
use attrib_std::receipts::{Receipt, SignedReceipt};
use attrib_std::rewards::EpochClock;
use cosmwasm_std::HexBinary;
use tokio::sync::{mpsc, oneshot};

use crate::clock::ChainTime;
use crate::store::{Store, StoredReceipt, Write};

/// The most events one transaction takes (the rest wait for the next).
const MAX_GROUP_EVENTS: usize = 4096;
/// The most jobs waiting for the writer: past it usage is refused (busy) rather than
/// queued without bound.
pub const QUEUE: usize = 1024;

/// What a receipt is signed with: the chain and oracle it is for, the epoch clock and the
/// operator's key.
pub struct Issuer {
    pub chain_id: String,
    pub contract: String,
    pub clock: EpochClock,
    pub signer: Signer,
    /// The chain's time: receipts are stamped and labelled with it.
    pub time: Arc<ChainTime>,
}

/// Why a write failed.
#[derive(Clone, Debug, thiserror::Error)]
pub enum WriteError {
    #[error("the meter is shutting down")]
    Stopped,
    /// The writer's queue is full: the caller may retry later.
    #[error("the meter is busy: its write queue is full")]
    Busy,
    /// The store refused or failed a read or a write (full or read-only disk, I/O).
    #[error("store: {0}")]
    Store(String),
    /// A request id already given a receipt for another client or other units.
    #[error(
        "request {request_id} of model {model_id} was already reported with other units or by another client"
    )]
    Conflict { model_id: u64, request_id: String },
}

enum Job {
    Issue {
        client: String,
        events: Vec<UsageEvent>,
        reply: oneshot::Sender<Result<Vec<UsageReceipt>, WriteError>>,
    },
    Write {
        writes: Vec<Write>,
        reply: oneshot::Sender<Result<(), WriteError>>,
    },
    Stop,
}

impl Job {
    /// What the job weighs in a group: its events (a batch write counts as one).
    fn events(&self) -> usize {
        match self {
            Job::Issue { events, .. } => events.len(),
            _ => 1,
        }
    }
}

/// A handle on the writer: cheap to clone, one per task that writes.
#[derive(Clone)]
pub struct WriterHandle {
    tx: mpsc::Sender<Job>,
}

impl WriterHandle {
    /// Receipts for `client`'s `events` (validated by the caller), durable when this
    /// returns. All or nothing: on an error none of the events is kept.
    pub async fn issue(
        &self,
        client: &str,
        events: Vec<UsageEvent>,
    ) -> Result<Vec<UsageReceipt>, WriteError> {
        let (reply, rx) = oneshot::channel();
        self.tx
            .try_send(Job::Issue {
                client: client.to_string(),
                events,
                reply,
            })
            .map_err(|e| match e {
                mpsc::error::TrySendError::Full(_) => WriteError::Busy,
                mpsc::error::TrySendError::Closed(_) => WriteError::Stopped,
            })?;
        rx.await.map_err(|_| WriteError::Stopped)?
    }

    /// Applies `writes` (batch records and states) in the next group, waiting for room
    /// in the queue.
    pub async fn write(&self, writes: Vec<Write>) -> Result<(), WriteError> {
        let (reply, rx) = oneshot::channel();
        self.tx
            .send(Job::Write { writes, reply })
            .await
            .map_err(|_| WriteError::Stopped)?;
        rx.await.map_err(|_| WriteError::Stopped)?
    }

    /// Asks the writer to finish what is queued and exit (join its thread after).
    pub fn stop(&self) {
        if let Err(mpsc::error::TrySendError::Full(job)) = self.tx.try_send(Job::Stop) {
            // A full queue: wait for room on a plain thread (not an async worker).
            let tx = self.tx.clone();
            std::thread::spawn(move || tx.blocking_send(job));
        }
    }
}

struct Writer {
    store: Arc<dyn Store>,
    issuer: Issuer,
    /// The next receipt id per model.
    next_ids: HashMap<u64, u64>,
    /// The last epoch labelled: epochs never go backwards along the ids, even if the
    /// clock does (seeded from the store's last receipts on start).
    last_epoch: u64,
}

/// Starts the writer thread. `next_ids` holds, per model, the first id to give (after
/// the store's and the chain cursor's last). If the store cannot be read on start, the
/// writer logs it and refuses every job (`Stopped`).
pub fn spawn(
    store: Arc<dyn Store>,
    issuer: Issuer,
    next_ids: HashMap<u64, u64>,
) -> (WriterHandle, std::thread::JoinHandle<()>) {
    spawn_with_queue(store, issuer, next_ids, QUEUE)
}

/// [`spawn`] with a queue of `queue` jobs.
pub fn spawn_with_queue(
    store: Arc<dyn Store>,
    issuer: Issuer,
    next_ids: HashMap<u64, u64>,
    queue: usize,
) -> (WriterHandle, std::thread::JoinHandle<()>) {
    let (tx, rx) = mpsc::channel(queue);
    let mut w = Writer {
        store,
        issuer,
        next_ids,
        last_epoch: 0,
    };
    let thread = std::thread::Builder::new()
        .name("meter-writer".into())
        .spawn(move || match w.seed_epoch() {
            Ok(()) => w.run(rx),
            Err(e) => tracing::error!(error = %format!("{e:#}"), "the writer cannot read the store"),
        })
        .expect("spawning the writer thread");
    (WriterHandle { tx }, thread)
}

fn store_error(e: anyhow::Error) -> WriteError {
    WriteError::Store(format!("{e:#}"))
}

/// What one issue job adds to its group, kept apart until the job succeeds.
#[derive(Default)]
struct Pending {
    writes: Vec<Write>,
    seen: Vec<(SeenKey, Seen)>,
}

/// A request id within a model.
type SeenKey = (u64, String);

/// A receipt given in this group, with who reported it.
#[derive(Clone)]
struct Seen {
    client: String,
    receipt: UsageReceipt,
}

impl Writer {
    /// Epochs never go backwards across a restart either: start from the epoch of the
    /// last receipt of each model this writer issues for.
    fn seed_epoch(&mut self) -> anyhow::Result<()> {
        for &m in self.next_ids.keys() {
            let last = self.store.max_receipt_id(m)?;
            if last == 0 {
                continue;
            }
            if let Some(r) = self.store.receipts(m, last, last, 1)?.first() {
                self.last_epoch = self.last_epoch.max(r.receipt.epoch);
            }
        }
        Ok(())
    }

    /// Takes everything queued, commits it as one group, answers; until stopped.
    fn run(&mut self, mut rx: mpsc::Receiver<Job>) {
        while let Some(first) = rx.blocking_recv() {
            let mut events = first.events();
            let mut jobs = vec![first];
            while events < MAX_GROUP_EVENTS {
                match rx.try_recv() {
                    Ok(j) => {
                        events += j.events();
                        jobs.push(j);
                    }
                    Err(_) => break,
                }
            }
            if jobs.iter().any(|j| matches!(j, Job::Stop)) {
                rx.close();
                while let Ok(j) = rx.try_recv() {
                    jobs.push(j);
                }
            }
            self.group(jobs);
        }
    }

    /// One transaction for every job of the group, then every answer. A job that fails
    /// before the commit leaves nothing in it: its writes, ids and epoch are dropped. New
    /// receipts are signed together once the group is known (on several threads), before
    /// the commit.
    fn group(&mut self, jobs: Vec<Job>) {
        let saved = (self.next_ids.clone(), self.last_epoch);
        let mut writes = vec![];
        let mut answers = Vec::with_capacity(jobs.len());
        let mut seen: HashMap<SeenKey, Seen> = HashMap::new();
        let stored = self.stored_receipts(&jobs).map_err(store_error);
        for job in jobs {
            match job {
                Job::Issue {
                    client,
                    events,
                    reply,
                } => {
                    let before = (self.next_ids.clone(), self.last_epoch);
                    let mut pending = Pending::default();
                    let out = match &stored {
                        Ok(stored) => self.receipts_for(&client, events, &seen, stored, &mut pending),
                        Err(e) => Err(e.clone()),
                    };
                    if out.is_ok() {
                        writes.extend(pending.writes);
                        seen.extend(pending.seen);
                    } else {
                        (self.next_ids, self.last_epoch) = before;
                    }
                    answers.push(Answer::Issue(reply, out));
                }
                Job::Write { writes: w, reply } => {
                    writes.extend(w);
                    answers.push(Answer::Write(reply));
                }
                Job::Stop => {}
            }
        }
        let signatures = sign_receipts(&self.issuer.signer, &mut writes, sign_threads());
        for a in &mut answers {
            if let Answer::Issue(_, Ok(receipts)) = a {
                for r in receipts.iter_mut().filter(|r| r.receipt.signature.is_empty()) {
                    let id = (r.receipt.receipt.model_id, r.receipt.receipt.receipt_id);
                    r.receipt.signature = signatures[&id].clone();
                }
            }
        }
        let committed = if writes.is_empty() {
            Ok(())
        } else {
            self.store.commit(&writes).map_err(store_error)
        };
        if committed.is_err() {
            (self.next_ids, self.last_epoch) = saved;
        }
        for a in answers {
            a.send(&committed);
        }
    }

    /// The receipts the store holds for the request ids of a group's events, looked up
    /// together (one round trip per model on a server backend).
    fn stored_receipts(&self, jobs: &[Job]) -> anyhow::Result<HashMap<SeenKey, StoredReceipt>> {
        let mut wanted: HashMap<u64, Vec<String>> = HashMap::new();
        for job in jobs {
            if let Job::Issue { events, .. } = job {
                for e in events {
                    wanted.entry(e.model_id).or_default().push(e.request_id.clone());
                }
            }
        }
        let mut stored = HashMap::new();
        for (model_id, request_ids) in wanted {
            for r in self.store.by_requests(model_id, &request_ids)? {
                stored.insert((model_id, r.request_id.clone()), r);
            }
        }
        Ok(stored)
    }

    /// The receipts of one request's events: a request id seen before (in the store or
    /// earlier in this group) gets its first receipt back, marked duplicate — if the same
    /// client reported it with the same units; otherwise the request is a conflict.
    fn receipts_for(
        &mut self,
        client: &str,
        events: Vec<UsageEvent>,
        group: &HashMap<SeenKey, Seen>,
        stored: &HashMap<SeenKey, StoredReceipt>,
        pending: &mut Pending,
    ) -> Result<Vec<UsageReceipt>, WriteError> {
        let mut out = Vec::with_capacity(events.len());
        for e in events {
            let key = (e.model_id, e.request_id.clone());
            let earlier = pending
                .seen
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, s)| s)
                .or_else(|| group.get(&key))
                .cloned();
            let earlier = earlier.or_else(|| {
                stored.get(&key).map(|s| Seen {
                    client: s.client.clone(),
                    receipt: UsageReceipt {
                        request_id: s.request_id.clone(),
                        receipt: s.signed.clone(),
                        duplicate: false,
                    },
                })
            });
            if let Some(s) = earlier {
                if s.client != client || s.receipt.receipt.receipt.units != e.units {
                    return Err(WriteError::Conflict {
                        model_id: e.model_id,
                        request_id: e.request_id,
                    });
                }
                out.push(UsageReceipt {
                    duplicate: true,
                    ..s.receipt
                });
                continue;
            }
            let s = self.new_receipt(client, &e);
            pending.writes.push(Write::Receipt(s.clone()));
            let r = UsageReceipt {
                request_id: s.request_id,
                receipt: s.signed,
                duplicate: false,
            };
            pending.seen.push((
                key,
                Seen {
                    client: client.to_string(),
                    receipt: r.clone(),
                },
            ));
            out.push(r);
        }
        Ok(out)
    }

    /// A new receipt: the model's next id, the current epoch; signed with the group.
    fn new_receipt(&mut self, client: &str, e: &UsageEvent) -> StoredReceipt {
        let next = self.next_ids.entry(e.model_id).or_insert(1);
        let receipt_id = *next;
        *next += 1;
        let now = self.issuer.time.now();
        self.last_epoch = self.last_epoch.max(self.issuer.clock.epoch_at(now));
        let receipt = Receipt {
            chain_id: self.issuer.chain_id.clone(),
            contract: self.issuer.contract.clone(),
            model_id: e.model_id,
            epoch: self.last_epoch,
            receipt_id,
            units: e.units,
            timestamp: now,
        };
        StoredReceipt {
            client: client.to_string(),
            request_id: e.request_id.clone(),
            reference: e.reference.clone(),
            signed: SignedReceipt {
                receipt,
                signature: HexBinary::default(),
            },
        }
    }
}

/// Threads that sign a group's receipts: one per core, up to 4. Measured on 2 cores shared
/// with the load generator: two threads beat one on the batch endpoint (PostgreSQL
/// 19 400-19 900/s vs 10 400-16 600/s; SQLite about even to +13 %).
fn sign_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().min(4))
}

/// The fewest receipts worth another signing thread (one costs tens of microseconds to
/// start, a few signatures' worth).
const MIN_PER_THREAD: usize = 32;

/// Signs the group's new receipts (unsigned until now) in place, on up to `threads`
/// threads; returns their signatures by model and receipt id, for the answers.
fn sign_receipts(signer: &Signer, writes: &mut [Write], threads: usize) -> HashMap<(u64, u64), HexBinary> {
    let mut unsigned: Vec<&mut SignedReceipt> = writes
        .iter_mut()
        .filter_map(|w| match w {
            Write::Receipt(s) if s.signed.signature.is_empty() => Some(&mut s.signed),
            _ => None,
        })
        .collect();
    let sign = |rs: &mut [&mut SignedReceipt]| {
        for r in rs {
            r.signature = sign_bytes(signer, &r.receipt.sign_bytes());
        }
    };
    let per = unsigned.len().div_ceil(threads.max(1)).max(MIN_PER_THREAD);
    std::thread::scope(|s| {
        let mut chunks = unsigned.chunks_mut(per);
        let mine = chunks.next();
        for c in chunks {
            s.spawn(move || sign(c));
        }
        if let Some(c) = mine {
            sign(c);
        }
    });
    unsigned
        .iter()
        .map(|r| ((r.receipt.model_id, r.receipt.receipt_id), r.signature.clone()))
        .collect()
}

enum Answer {
    Issue(
        oneshot::Sender<Result<Vec<UsageReceipt>, WriteError>>,
        Result<Vec<UsageReceipt>, WriteError>,
    ),
    Write(oneshot::Sender<Result<(), WriteError>>),
}

impl Answer {
    /// Answers a waiter: its own outcome if the group committed, else the group's error.
    fn send(self, committed: &Result<(), WriteError>) {
        match self {
            Answer::Issue(reply, out) => {
                let _ = reply.send(committed.clone().and(out));
            }
            Answer::Write(reply) => {
                let _ = reply.send(committed.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sqlite::SqliteStore;
    use crate::store::{BatchRecord, BatchState};
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// The operator key of scripts/test-accounts.json.
    pub fn operator_signer() -> Signer {
        let doc: serde_json::Value =
            serde_json::from_str(include_str!("../../../scripts/test-accounts.json")).unwrap();
        let mnemonic = doc["accounts"][12]["mnemonic"].as_str().unwrap();
        Signer::from_mnemonic("operator", mnemonic, "wasm").unwrap()
    }

    fn issuer() -> Issuer {
        Issuer {
            chain_id: "attrib-test".into(),
            contract: "wasm1oracle".into(),
            clock: EpochClock {
                epoch_start: 0,
                epoch_secs: 3600,
            },
            signer: operator_signer(),
            time: Arc::new(ChainTime::new(30)),
        }
    }

    fn event(model_id: u64, request_id: &str) -> UsageEvent {
        UsageEvent {
            model_id,
            units: 3,
            request_id: request_id.into(),
            reference: None,
        }
    }

    /// A store that counts its commits and makes each one slow, so requests queue.
    struct SlowStore {
        inner: SqliteStore,
        commits: AtomicUsize,
    }

    impl Store for SlowStore {
        fn commit(&self, writes: &[Write]) -> anyhow::Result<()> {
            self.commits.fetch_add(1, Ordering::SeqCst);
            std::thread::sleep(std::time::Duration::from_millis(20));
            self.inner.commit(writes)
        }
        fn max_receipt_id(&self, m: u64) -> anyhow::Result<u64> {
            self.inner.max_receipt_id(m)
        }
        fn by_request(&self, m: u64, r: &str) -> anyhow::Result<Option<StoredReceipt>> {
            self.inner.by_request(m, r)
        }
        fn receipts(&self, m: u64, f: u64, l: u64, n: u64) -> anyhow::Result<Vec<SignedReceipt>> {
            self.inner.receipts(m, f, l, n)
        }
        fn batch(&self, m: u64, s: u64) -> anyhow::Result<Option<BatchRecord>> {
            self.inner.batch(m, s)
        }
        fn batches(&self, m: u64) -> anyhow::Result<Vec<BatchRecord>> {
            self.inner.batches(m)
        }
        fn batches_in(&self, s: BatchState) -> anyhow::Result<Vec<BatchRecord>> {
            self.inner.batches_in(s)
        }
        fn receipt_counts(&self) -> anyhow::Result<(u64, u64)> {
            self.inner.receipt_counts()
        }
        fn meta(&self, e: &[(&str, &str)]) -> anyhow::Result<Vec<String>> {
            self.inner.meta(e)
        }
    }

    #[tokio::test]
    async fn a_retried_request_id_gets_the_same_receipt_once() {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(SqliteStore::open(&dir.path().join("m.db")).unwrap());
        let (w, thread) = spawn(store.clone(), issuer(), HashMap::new());
        let first = w.issue("gw", vec![event(1, "a"), event(1, "b")]).await.unwrap();
        assert!(first.iter().all(|r| !r.duplicate));
        // Retried alone, and twice within one request: the first receipt each time.
        let again = w
            .issue("gw", vec![event(1, "a"), event(1, "c"), event(1, "c")])
            .await
            .unwrap();
        assert!(again[0].duplicate);
        assert_eq!(again[0].receipt, first[0].receipt);
        assert!(!again[1].duplicate && again[2].duplicate);
        assert_eq!(again[1].receipt, again[2].receipt);
        // Another model's request ids are its own.
        let other = w.issue("gw", vec![event(2, "a")]).await.unwrap();
        assert!(!other[0].duplicate);
        assert_eq!(other[0].receipt.receipt.receipt_id, 1);
        assert_eq!(store.max_receipt_id(1).unwrap(), 3);
        assert_eq!(store.receipt_counts().unwrap(), (4, 4));
        w.stop();
        thread.join().unwrap();
    }

    #[tokio::test]
    async fn ids_continue_without_a_gap_across_a_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("m.db");
        let mut ids = vec![];
        for round in 0..3 {
            let store = Arc::new(SqliteStore::open(&db).unwrap());
            // A restarted meter continues after the store's last id (and the chain's).
            let next = HashMap::from([(7, store.max_receipt_id(7).unwrap() + 1)]);
            let (w, thread) = spawn(store, issuer(), next);
            for i in 0..20 {
                let r = w
                    .issue("gw", vec![event(7, &format!("{round}-{i}"))])
                    .await
                    .unwrap();
                ids.push(r[0].receipt.receipt.receipt_id);
            }
            w.stop();
            thread.join().unwrap();
        }
        assert_eq!(ids, (1..=60).collect::<Vec<u64>>());
        let store = SqliteStore::open(&db).unwrap();
        let stored: Vec<u64> = store
            .receipts(7, 1, u64::MAX, 1000)
            .unwrap()
            .iter()
            .map(|r| r.receipt.receipt_id)
            .collect();
        assert_eq!(stored, ids);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn group_commit_answers_every_waiter() {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(SlowStore {
            inner: SqliteStore::open(&dir.path().join("m.db")).unwrap(),
            commits: AtomicUsize::new(0),
        });
        let (w, thread) = spawn(store.clone(), issuer(), HashMap::new());
        let waiters: Vec<_> = (0..300)
            .map(|i| {
                let w = w.clone();
                tokio::spawn(async move { w.issue("gw", vec![event(1, &format!("r{i}"))]).await })
            })
            .collect();
        let mut ids = vec![];
        for h in waiters {
            let r = h.await.unwrap().unwrap();
            ids.push(r[0].receipt.receipt.receipt_id);
        }
        ids.sort();
        assert_eq!(
            ids,
            (1..=300).collect::<Vec<u64>>(),
            "every waiter answered, no id twice"
        );
        let commits = store.commits.load(Ordering::SeqCst);
        assert!(commits < 300 / 4, "requests share commits: {commits} for 300");
        assert_eq!(store.receipt_counts().unwrap().0, 300);
        // Signed over the receipt's sign bytes by the operator key.
        let r = store.inner.receipts(1, 1, 1, 1).unwrap().remove(0);
        let pubkey = operator_signer().key.public_key().to_bytes();
        let api = cosmwasm_std::testing::MockApi::default();
        use cosmwasm_std::Api;
        assert!(api
            .secp256k1_verify(&r.receipt.digest(), &r.signature, &pubkey)
            .unwrap());
        w.stop();
        thread.join().unwrap();
    }

    /// A group's receipts are signed after it is assembled, on several threads: every
    /// answer — a retry within the group too — carries the signature stored, valid under
    /// the operator's key.
    #[tokio::test]
    async fn a_groups_receipts_are_answered_signed_as_stored() {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(SqliteStore::open(&dir.path().join("m.db")).unwrap());
        let (w, thread) = spawn(store.clone(), issuer(), HashMap::new());
        let mut events: Vec<_> = (0..500).map(|i| event(1, &format!("r{i}"))).collect();
        events.push(event(1, "r7"));
        let answered = w.issue("gw", events).await.unwrap();
        assert!(answered[500].duplicate);
        assert_eq!(answered[500].receipt, answered[7].receipt);
        let stored = store.receipts(1, 1, 500, 1000).unwrap();
        assert_eq!(stored.len(), 500);
        let pubkey = operator_signer().key.public_key().to_bytes();
        let api = cosmwasm_std::testing::MockApi::default();
        use cosmwasm_std::Api;
        for (a, s) in answered.iter().zip(&stored) {
            assert_eq!(a.receipt, *s);
            assert!(api
                .secp256k1_verify(&s.receipt.digest(), &s.signature, &pubkey)
                .unwrap());
        }
        w.stop();
        thread.join().unwrap();
    }

    #[test]
    fn receipts_signed_on_threads_are_signed_as_one_by_one() {
        let signer = operator_signer();
        let receipt = |id| Receipt {
            chain_id: "attrib-test".into(),
            contract: "wasm1oracle".into(),
            model_id: id % 3,
            epoch: 0,
            receipt_id: id,
            units: id * 2,
            timestamp: 5,
        };
        for (n, threads) in [(0, 4), (1, 4), (31, 2), (100, 3), (257, 4), (64, 1)] {
            let mut writes: Vec<Write> = (0..n)
                .map(|id| {
                    Write::Receipt(StoredReceipt {
                        client: "gw".into(),
                        request_id: format!("r{id}"),
                        reference: None,
                        signed: SignedReceipt {
                            receipt: receipt(id),
                            signature: HexBinary::default(),
                        },
                    })
                })
                .collect();
            let signatures = sign_receipts(&signer, &mut writes, threads);
            assert_eq!(signatures.len(), n as usize);
            for (id, w) in (0..n).zip(&writes) {
                let Write::Receipt(s) = w else { unreachable!() };
                let one = sign_bytes(&signer, &receipt(id).sign_bytes());
                assert_eq!(
                    s.signed.signature, one,
                    "receipt {id} of {n} on {threads} threads"
                );
                assert_eq!(signatures[&(id % 3, id)], one);
            }
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_full_queue_answers_busy_not_an_unbounded_wait() {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(SlowStore {
            inner: SqliteStore::open(&dir.path().join("m.db")).unwrap(),
            commits: AtomicUsize::new(0),
        });
        let (w, thread) = spawn_with_queue(store.clone(), issuer(), HashMap::new(), 2);
        let waiters: Vec<_> = (0..40)
            .map(|i| {
                let w = w.clone();
                tokio::spawn(async move { w.issue("gw", vec![event(1, &format!("r{i}"))]).await })
            })
            .collect();
        let (mut ok, mut busy) = (0, 0);
        for h in waiters {
            match h.await.unwrap() {
                Ok(_) => ok += 1,
                Err(WriteError::Busy) => busy += 1,
                Err(e) => panic!("{e}"),
            }
        }
        assert!(
            busy > 0,
            "40 requests on a queue of 2 behind a 20 ms commit: none refused"
        );
        assert_eq!(
            store.receipt_counts().unwrap().0,
            ok,
            "every acknowledged one is stored"
        );
        w.stop();
        thread.join().unwrap();
    }

    #[tokio::test]
    async fn a_stopped_writer_refuses_and_a_failed_commit_reuses_no_id() {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(SqliteStore::open(&dir.path().join("m.db")).unwrap());
        let (w, thread) = spawn(store.clone(), issuer(), HashMap::new());
        // A write the database refuses (a receipt id already taken) fails its group;
        // the next receipt still gets the next id.
        w.issue("gw", vec![event(1, "a")]).await.unwrap();
        let taken = store.receipts(1, 1, 1, 1).unwrap().remove(0);
        let clash = Write::Receipt(StoredReceipt {
            client: "gw".into(),
            request_id: "other".into(),
            reference: None,
            signed: taken,
        });
        assert!(matches!(w.write(vec![clash]).await, Err(WriteError::Store(_))));
        let next = w.issue("gw", vec![event(1, "b")]).await.unwrap();
        assert_eq!(next[0].receipt.receipt.receipt_id, 2);
        w.stop();
        thread.join().unwrap();
        assert!(matches!(
            w.issue("gw", vec![event(1, "c")]).await,
            Err(WriteError::Stopped)
        ));
    }
}
