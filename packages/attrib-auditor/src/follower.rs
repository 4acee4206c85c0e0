//! Follows the chain: after each new block height (read from CometBFT RPC every
//! `poll_ms`) it lists every watched (model, operator)'s batches not yet closed, fetches
//! the pending ones' leaves from the operator's data URI, runs the checker and files what
//! it finds; then late omissions, then the inclusion requests it filed (expiring those
//! unanswered past their deadline). Polling keeps it simple and restart-safe (the store
//! says where to resume); a websocket subscription to `NewBlock` events could replace it.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use std::time::Duration;

use anyhow::{anyhow, Result};
use attrib_cli::context::Ctx;
use attrib_cli::keys::Signer;
use attrib_cli::proofs::Posted;
use attrib_cli::service::{leaves_url, LeavesPage, MAX_LEAVES_PAGE};
use attrib_receipt_oracle::contract::sv::QueryMsg;
use attrib_receipt_oracle::msg::{BatchRef, BatchesResponse};
use attrib_receipt_oracle::state::{
    Batch, BatchStatus, Config as OracleConfig, Cursor, InclusionRequest, Operator,
};
use attrib_std::receipts::SignedReceipt;
use tokio::sync::watch;

use crate::checker::{self, check_against, inclusion_followup, Followup, Kind, Leaves};
use crate::config::{Config, WatchedOperator};
use crate::filer::{self, Filed};
use crate::store::{CheckedBatch, Store};

/// Batches listed per `batches` query.
const PAGE: u32 = 30;

/// Late omissions sent per (model, operator) and pass: each waits for its block, and the
/// rest of the pass (batches of other operators, inclusion requests to expire) must not
/// wait behind hundreds; the rest go on the next blocks.
const MAX_LATE_SENDS_PER_PASS: usize = 5;

/// Counters kept in memory (the rest of `/metrics` comes from the store).
#[derive(Default)]
pub struct Counters {
    pub height: AtomicU64,
    pub ticks: AtomicU64,
    pub tick_errors: AtomicU64,
    pub receipts_rejected: AtomicU64,
    pub probes: AtomicU64,
    pub probe_errors: AtomicU64,
    /// The last pass's duration and the longest since start, in milliseconds.
    pub last_pass_ms: AtomicU64,
    pub max_pass_ms: AtomicU64,
}

/// The running auditor: chain access, its key, settings, store and counters, shared by
/// the follower, the HTTP API and the probe.
pub struct Auditor {
    pub ctx: Ctx,
    pub signer: Signer,
    pub oracle: String,
    pub config: Config,
    pub store: Mutex<Store>,
    pub http: reqwest::Client,
    /// Every key seen registered for each watched operator, oldest first (read every
    /// block; a rotated-away key stays: receipts it signed are still evidence, and the
    /// chain judges them). Kept in the store too, so a restart forgets none.
    keys: RwLock<HashMap<String, Vec<Vec<u8>>>>,
    /// Leaves of pending batches that hash to their root, by (model, operator, seq): they
    /// cannot change, so they are fetched once (dropped when the batch closes).
    leaves: Mutex<HashMap<(u64, String, u64), Arc<Posted>>>,
    /// Operators whose data URI failed in the last passes ([`fetch_pass`]).
    backoff: Mutex<HashMap<String, Backoff>>,
    /// Pending batches found honest, with the stamp of the receipts held in their range
    /// then (dropped when the batch closes).
    pub seen: Seen,
    pub counters: Counters,
}

impl Auditor {
    /// The auditor of `oracle` signing with `signer`, its store open; the operators' keys
    /// are read by [`Auditor::refresh_keys`].
    pub fn new(ctx: Ctx, signer: Signer, oracle: String, config: Config, store: Store) -> Result<Auditor> {
        let mut keys: HashMap<String, Vec<Vec<u8>>> = HashMap::new();
        for (operator, key) in store.keys()? {
            keys.entry(operator).or_default().push(key);
        }
        Ok(Auditor {
            ctx,
            signer,
            oracle,
            config,
            store: Mutex::new(store),
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .redirect(reqwest::redirect::Policy::none())
                .build()?,
            keys: RwLock::new(keys),
            leaves: Mutex::new(HashMap::new()),
            backoff: Mutex::new(HashMap::new()),
            seen: Seen::default(),
            counters: Counters::default(),
        })
    }

    pub fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn seen(&self) -> MutexGuard<'_, HashMap<BatchKey, (u64, i64)>> {
        self.seen.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn leaves_cache(&self) -> MutexGuard<'_, HashMap<(u64, String, u64), Arc<Posted>>> {
        self.leaves.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The backoff of a data URI, while it lasts (by URI, not operator: one operator may
    /// run a meter per model, and one that is down must not hide the others' leaves).
    fn backing_off(&self, data_uri: &str) -> Option<Backoff> {
        let now = tokio::time::Instant::now();
        self.backoff
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(data_uri)
            .filter(|b| b.until > now)
            .copied()
    }

    /// Records a pass's fetches from a data URI: all `served`, or not (the backoff
    /// doubles, from [`FIRST_BACKOFF`] up to `max`).
    fn record_fetch(&self, data_uri: &str, served: bool, max: Duration) {
        let mut backoff = self.backoff.lock().unwrap_or_else(|p| p.into_inner());
        if served {
            backoff.remove(data_uri);
            return;
        }
        let failures = backoff.get(data_uri).map_or(0, |b| b.failures) + 1;
        let wait = FIRST_BACKOFF
            .saturating_mul(1 << (failures - 1).min(16))
            .min(max.max(FIRST_BACKOFF));
        tracing::warn!(
            data_uri,
            failures,
            wait_secs = wait.as_secs(),
            "data URI failed: backing off"
        );
        backoff.insert(
            data_uri.to_string(),
            Backoff {
                failures,
                until: tokio::time::Instant::now() + wait,
            },
        );
    }

    /// The chain id and oracle receipts must name.
    pub fn chain_id(&self) -> &str {
        &self.ctx.g.chain_id
    }

    /// Reads every watched operator's registered key from the oracle.
    pub async fn refresh_keys(&self) -> Result<()> {
        for o in &self.config.operators {
            let op: Option<Operator> = self
                .ctx
                .chain
                .query(
                    &self.oracle,
                    &QueryMsg::Operator {
                        address: o.address.clone(),
                    },
                )
                .await?;
            if let Some(op) = op {
                self.learn_key(&o.address, &op.pubkey)?;
            }
        }
        Ok(())
    }

    /// Remembers `key` as registered for `operator` (in memory and in the store).
    pub fn learn_key(&self, operator: &str, key: &[u8]) -> Result<()> {
        let known = self
            .keys
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(operator)
            .is_some_and(|ks| ks.iter().any(|k| k.as_slice() == key));
        if !known {
            self.store().add_key(operator, key)?;
            let mut keys = self.keys.write().unwrap_or_else(|p| p.into_inner());
            // Nothing on chain keeps two operators off one key: a receipt it signed is
            // kept for each (`api::ingest`), and the operator should know.
            for (other, _) in keys
                .iter()
                .filter(|(o, ks)| o.as_str() != operator && ks.iter().any(|k| k.as_slice() == key))
            {
                tracing::warn!(
                    operator,
                    other = other.as_str(),
                    key = crate::store::hex(key),
                    "two watched operators registered one key: receipts it signed are kept and checked for both"
                );
            }
            keys.entry(operator.to_string()).or_default().push(key.to_vec());
        }
        Ok(())
    }

    /// Every key seen registered for `operator`.
    pub fn keys_of(&self, operator: &str) -> Vec<Vec<u8>> {
        self.keys
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(operator)
            .cloned()
            .unwrap_or_default()
    }
}

/// Pending batches found honest, by (model, operator, seq), with the stamp
/// ([`Store::range_stamp`]) of the receipts held in their range when they were.
pub type Seen = Mutex<HashMap<BatchKey, (u64, i64)>>;

/// A batch: (model, operator, seq).
pub type BatchKey = (u64, String, u64);

fn batch_key(b: &Batch) -> BatchKey {
    (b.model_id, b.operator.to_string(), b.seq)
}

/// Checks a pending batch against the receipts held in its range, read by an index range
/// of the store (never everything held). A batch found honest is not read again while the
/// receipts held in its range are the same (their stamp unchanged; its leaves cannot
/// change): a pass over unchanged batches reads two numbers per batch.
pub fn check_pending(
    store: &Mutex<Store>,
    seen: &Seen,
    b: &Batch,
    posted: Result<&Posted, &str>,
) -> Result<checker::Check> {
    let store = || store.lock().unwrap_or_else(|p| p.into_inner());
    let seen = || seen.lock().unwrap_or_else(|p| p.into_inner());
    let key = (b.model_id, b.operator.to_string(), b.seq);
    let op = b.operator.as_str();
    let stamp = store().range_stamp(b.model_id, op, b.first_id, b.last_id)?;
    if posted.is_ok() && seen().get(&key) == Some(&stamp) {
        return Ok(checker::honest(stamp.0 as usize));
    }
    // Read after the stamp: a receipt that lands between is checked now and changes the
    // stamp, so the next pass checks again.
    let held = store().receipts_in(b.model_id, op, b.first_id, b.last_id)?;
    let check = check_against(b, posted, &held);
    if check.verdict == checker::Verdict::Honest {
        seen().insert(key, stamp);
    }
    Ok(check)
}

/// The receipts held for (model, operator) that may be late omissions: beyond the
/// cursor's last id, of epochs already late ([`checker::late_epoch`]), by id. Only those
/// epochs' receipts are read.
pub fn late_candidates(
    store: &Store,
    oracle_config: &OracleConfig,
    cursor: &Cursor,
    model_id: u64,
    operator: &str,
    now: u64,
) -> Result<Vec<SignedReceipt>> {
    let mut held = vec![];
    for epoch in store.epochs_after(model_id, operator, cursor.last_id)? {
        if checker::late_epoch(oracle_config, cursor, now, epoch) {
            held.extend(store.receipts_of_epoch_after(model_id, operator, epoch, cursor.last_id)?);
        }
    }
    held.sort_by_key(|s| s.receipt.receipt_id);
    Ok(held)
}

/// Runs until `shutdown` turns true: one pass per new block height.
pub async fn run(a: &Auditor, mut shutdown: watch::Receiver<bool>) {
    let mut last = 0;
    loop {
        tokio::select! {
            _ = shutdown.changed() => break,
            _ = tokio::time::sleep(Duration::from_millis(a.config.poll_ms)) => {}
        }
        if *shutdown.borrow() {
            break;
        }
        let height = match a.ctx.chain.height().await {
            Ok(h) => h,
            Err(e) => {
                tracing::warn!(error = %format!("{e:#}"), "reading the height");
                continue;
            }
        };
        if height == last {
            continue;
        }
        last = height;
        a.counters.height.store(height, Ordering::Relaxed);
        let started = std::time::Instant::now();
        let result = tick(a).await;
        let ms = started.elapsed().as_millis() as u64;
        a.counters.last_pass_ms.store(ms, Ordering::Relaxed);
        a.counters.max_pass_ms.fetch_max(ms, Ordering::Relaxed);
        match result {
            Ok(()) => a.counters.ticks.fetch_add(1, Ordering::Relaxed),
            Err(e) => {
                tracing::warn!(height, error = %format!("{e:#}"), "pass failed");
                a.counters.tick_errors.fetch_add(1, Ordering::Relaxed)
            }
        };
    }
    tracing::info!("follower stopped");
}

/// One pass over everything watched, at the chain's latest block.
pub async fn tick(a: &Auditor) -> Result<()> {
    a.refresh_keys().await?;
    let oracle_config: OracleConfig = a.ctx.chain.query(&a.oracle, &QueryMsg::Config {}).await?;
    let now = a.ctx.chain.block_time().await?;
    // The open batches of every pair first, then every pending batch's leaves in one
    // fetch, then the checks and filings.
    let mut pairs = vec![];
    for (model_id, op) in a.config.watched() {
        let closed_through = a.store().closed_through(model_id, &op.address)?;
        let batches = open_batches(a, model_id, &op.address, closed_through).await?;
        pairs.push(Pair {
            model_id,
            op,
            closed_through,
            batches,
        });
    }
    let jobs: Vec<(String, Batch)> = pairs
        .iter()
        .flat_map(|p| {
            p.batches
                .iter()
                .filter(|b| b.status == BatchStatus::Pending)
                .map(|b| (p.op.data_uri.clone(), b.clone()))
        })
        .collect();
    let leaves = fetch_pass(a, &oracle_config, now, &jobs).await;
    for pair in &pairs {
        follow_pair(a, &oracle_config, pair, &leaves, now).await?;
    }
    follow_inclusions(a, &oracle_config, now).await
}

/// The leaves of one pass's pending batches (each with its operator's data URI), by
/// batch, or why there are none.
pub type PassLeaves = HashMap<BatchKey, Result<Arc<Posted>, String>>;

/// Leaf fetches of one pass in flight at once.
pub const FETCH_CONCURRENCY: usize = 8;

/// The least time a pass's fetches are given, however near a window's end.
pub const MIN_PASS_FETCH: Duration = Duration::from_secs(1);

/// The pause before a failed fetch of a batch's leaves is tried again (once).
pub const RETRY_PAUSE: Duration = Duration::from_millis(300);

/// After its data URI failed, an operator's leaves are not asked for again for this
/// long, doubling per failed pass up to [`fetch_budget`].
pub const FIRST_BACKOFF: Duration = Duration::from_secs(2);

/// The time the fetches of one pass may take, all together: half the time left to the
/// end of the nearest dispute window among `batches` at chain time `now` (the other half
/// is for checking and filing), at most [`fetch_budget`], at least [`MIN_PASS_FETCH`].
pub fn pass_deadline<'b>(
    oracle_config: &OracleConfig,
    now: u64,
    batches: impl IntoIterator<Item = &'b Batch>,
) -> Duration {
    let window = oracle_config.params.dispute_window_secs;
    let nearest = batches
        .into_iter()
        .map(|b| b.posted_at.saturating_add(window).saturating_sub(now))
        .min()
        .unwrap_or(window);
    Duration::from_secs(nearest / 2).clamp(MIN_PASS_FETCH, fetch_budget(oracle_config))
}

/// An operator's data URI that failed: how many passes in a row, and when it is asked
/// again.
#[derive(Clone, Copy, Debug)]
struct Backoff {
    failures: u32,
    until: tokio::time::Instant,
}

/// Fetches the leaves of one pass's pending batches (`jobs`: each with its operator's
/// data URI) at chain time `now`: those cached (they matched their root) from memory,
/// the rest at most [`FETCH_CONCURRENCY`] at a time, all within one [`pass_deadline`];
/// a failed fetch is tried once more within it; a batch not fetched by then is
/// unavailable for this pass (its held receipts go to inclusion requests). A data URI that
/// failed in a pass is not asked again until its backoff ends; one that served is asked as
/// usual.
pub async fn fetch_pass(
    a: &Auditor,
    oracle_config: &OracleConfig,
    now: u64,
    jobs: &[(String, Batch)],
) -> PassLeaves {
    let budget = pass_deadline(oracle_config, now, jobs.iter().map(|(_, b)| b));
    let deadline = tokio::time::Instant::now() + budget;
    let mut out = PassLeaves::new();
    let permits = Arc::new(tokio::sync::Semaphore::new(FETCH_CONCURRENCY));
    let mut fetches = tokio::task::JoinSet::new();
    for (data_uri, b) in jobs {
        let key = batch_key(b);
        if let Some(p) = a.leaves_cache().get(&key) {
            out.insert(key, Ok(p.clone()));
            continue;
        }
        if let Some(off) = a.backing_off(data_uri) {
            out.insert(
                key,
                Err(format!(
                    "{data_uri} failed {} passes in a row: not asked again for {:?}",
                    off.failures,
                    off.until.saturating_duration_since(tokio::time::Instant::now())
                )),
            );
            continue;
        }
        let (http, data_uri, b, permits) = (a.http.clone(), data_uri.clone(), b.clone(), permits.clone());
        fetches.spawn(async move {
            let _permit = permits.acquire_owned().await;
            let mut failed: Option<String> = None;
            // A failed fetch is tried once more before the pass's deadline: its receipts'
            // inclusion requests cost a fee each.
            let got = loop {
                let left = deadline.saturating_duration_since(tokio::time::Instant::now());
                if left.is_zero() {
                    break failed.map(Err);
                }
                match fetch_leaves_within(&http, &data_uri, &b, left).await {
                    Leaves::Published(l) => {
                        break Some(
                            tokio::task::spawn_blocking(move || Posted::new(l))
                                .await
                                .map_err(|e| format!("building the tree: {e}"))
                                .and_then(|p| p.map(Arc::new).map_err(|e| format!("{e:#}"))),
                        )
                    }
                    Leaves::Unavailable(why) if failed.is_none() => {
                        failed = Some(why);
                        tokio::time::sleep(RETRY_PAUSE.min(left)).await;
                    }
                    Leaves::Unavailable(why) => break Some(Err(format!("{why} (tried twice)"))),
                }
            };
            (data_uri, b, got)
        });
    }
    // Each fetch ends by the deadline by itself; the grace covers building the tree.
    let mut served: HashMap<String, bool> = HashMap::new();
    let _ = tokio::time::timeout_at(deadline + MIN_PASS_FETCH, async {
        while let Some(done) = fetches.join_next().await {
            let Ok((data_uri, b, Some(got))) = done else {
                continue;
            };
            let ok = served.entry(data_uri).or_insert(true);
            *ok &= got.is_ok();
            if let Ok(p) = &got {
                if p.matches_root(&b) {
                    a.leaves_cache().insert(batch_key(&b), p.clone());
                }
            }
            out.insert(batch_key(&b), got);
        }
    })
    .await;
    fetches.abort_all();
    for (_, b) in jobs {
        out.entry(batch_key(b)).or_insert_with(|| {
            Err(format!(
                "leaves not fetched within the pass's {budget:?} (half the time to the nearest dispute window's end)"
            ))
        });
    }
    for (data_uri, ok) in served {
        a.record_fetch(&data_uri, ok, fetch_budget(oracle_config));
    }
    out
}

/// Batches of one (model, operator) not yet closed, from the chain.
async fn open_batches(a: &Auditor, model_id: u64, operator: &str, after: u64) -> Result<Vec<Batch>> {
    let mut out: Vec<Batch> = vec![];
    let mut start_after = (after > 0).then_some(after);
    loop {
        let page: BatchesResponse = a
            .ctx
            .chain
            .query(
                &a.oracle,
                &QueryMsg::Batches {
                    model_id,
                    operator: operator.to_string(),
                    start_after,
                    limit: Some(PAGE),
                },
            )
            .await?;
        let n = page.batches.len();
        start_after = page.batches.last().map(|b| b.seq);
        out.extend(page.batches);
        if n < PAGE as usize {
            return Ok(out);
        }
    }
}

pub(crate) fn status_text(s: &BatchStatus) -> String {
    match s {
        BatchStatus::Pending => "pending".into(),
        BatchStatus::Finalized => "finalized".into(),
        BatchStatus::Voided { reason, .. } => format!("voided: {reason}"),
    }
}

/// One watched (model, operator) in a pass: its batches not yet closed (every one after
/// `closed_through`), as the chain lists them.
struct Pair<'a> {
    model_id: u64,
    op: &'a WatchedOperator,
    closed_through: u64,
    batches: Vec<Batch>,
}

/// Checks and files for one (model, operator)'s open batches with the pass's `leaves`,
/// then its late omissions: held receipts in a batch posted late, or never posted.
async fn follow_pair(
    a: &Auditor,
    oracle_config: &OracleConfig,
    pair: &Pair<'_>,
    leaves: &PassLeaves,
    now: u64,
) -> Result<()> {
    let (model_id, addr) = (pair.model_id, pair.op.address.as_str());
    let me = a.signer.address.to_string();
    let mut through = pair.closed_through;
    for b in &pair.batches {
        let pending = b.status == BatchStatus::Pending;
        let check = if pending {
            let posted = match leaves.get(&batch_key(b)) {
                Some(Ok(p)) => Ok(p.as_ref()),
                Some(Err(why)) => Err(why.as_str()),
                None => Err("leaves not fetched in this pass"),
            };
            check_pending(&a.store, &a.seen, b, posted)?
        } else {
            let key = (model_id, addr.to_string(), b.seq);
            a.leaves_cache().remove(&key);
            a.seen().remove(&key);
            check_against(b, Err("closed"), &[])
        };
        a.store().record_check(&CheckedBatch {
            model_id,
            operator: addr.to_string(),
            seq: b.seq,
            epoch: b.epoch,
            first_id: b.first_id,
            last_id: b.last_id,
            verdict: check.verdict.as_str().into(),
            note: check.note.clone(),
            status: status_text(&b.status),
            checks: 0,
        })?;
        match &b.status {
            BatchStatus::Pending => file_for_batch(a, oracle_config, b, &check.actions).await?,
            BatchStatus::Voided { challenger, .. } if challenger.as_str() == me => {
                a.store().settle(model_id, addr, b.seq, None, "won")?;
            }
            _ => {
                a.store().settle(model_id, addr, b.seq, None, "closed")?;
            }
        }
        if !pending && b.seq == through + 1 {
            through = b.seq;
        }
    }
    a.store().set_closed_through(model_id, addr, through)?;
    let cursor: Cursor = a
        .ctx
        .chain
        .query(
            &a.oracle,
            &QueryMsg::Cursor {
                model_id,
                operator: addr.to_string(),
            },
        )
        .await?;
    // Receipts never posted first (their proofs charge the model), then those posted
    // late (in a pending batch flagged late: slash only).
    let held = late_candidates(&a.store(), oracle_config, &cursor, model_id, addr, now)?;
    let mut late = checker::late_omissions(oracle_config, &cursor, addr, now, &held);
    for b in pair
        .batches
        .iter()
        .filter(|b| b.late && b.status == BatchStatus::Pending)
    {
        let held = a.store().receipts_in(model_id, addr, b.first_id, b.last_id)?;
        late.extend(checker::posted_late(oracle_config, b, &held));
    }
    let mut sends = 0;
    for action in late {
        if sends == MAX_LATE_SENDS_PER_PASS {
            break;
        }
        if !matches!(
            filer::file(a, oracle_config, model_id, addr, 0, &action).await?,
            Filed::Skipped
        ) {
            sends += 1;
        }
    }
    Ok(())
}

/// Files a pending batch's actions: fraud proofs in order until one is sent (it voids
/// the batch), then inclusion requests while fewer than `max_inclusion_requests` of the
/// auditor's are open on the batch: those filed before (sent, answered or given up) are
/// skipped, so each slot an answer frees goes to the next held receipt not yet asked for.
async fn file_for_batch(
    a: &Auditor,
    oracle_config: &OracleConfig,
    b: &Batch,
    actions: &[checker::Action],
) -> Result<()> {
    let op = b.operator.as_str();
    for action in actions.iter().filter(|x| x.kind != Kind::RequestInclusion) {
        if let Filed::Sent(_) = filer::file(a, oracle_config, b.model_id, op, b.seq, action).await? {
            return Ok(());
        }
    }
    let open = a.store().open_inclusions_on(b.model_id, op, b.seq)?;
    let mut free = a.config.max_inclusion_requests.saturating_sub(open);
    for action in actions.iter().filter(|x| x.kind == Kind::RequestInclusion) {
        if free == 0 {
            break;
        }
        match filer::file(a, oracle_config, b.model_id, op, b.seq, action).await? {
            Filed::Skipped => {}
            Filed::Sent(_) => free -= 1,
            // The slots are full (the operator's own requests) or the node is away: the
            // next block tries again; asking further now would be refused alike.
            Filed::Refused(_) => break,
        }
    }
    Ok(())
}

/// Follows the inclusion requests the auditor filed and has not settled.
async fn follow_inclusions(a: &Auditor, oracle_config: &OracleConfig, now: u64) -> Result<()> {
    let open = a.store().open_inclusions()?;
    for (model_id, operator, seq, receipt_id) in open {
        let at = BatchRef {
            model_id,
            operator: operator.clone(),
            seq,
        };
        let req: InclusionRequest = a
            .ctx
            .chain
            .query(
                &a.oracle,
                &QueryMsg::InclusionRequest {
                    batch: at.clone(),
                    receipt_id,
                },
            )
            .await?;
        match inclusion_followup(&at, receipt_id, &req, now) {
            Followup::Wait => {}
            Followup::Expire(action) => {
                filer::file(a, oracle_config, model_id, &operator, seq, &action).await?;
            }
            Followup::Won => {
                a.store()
                    .settle(model_id, &operator, seq, Some(Kind::RequestInclusion), "won")?;
            }
            Followup::Closed => {
                a.store()
                    .settle(model_id, &operator, seq, Some(Kind::RequestInclusion), "closed")?;
            }
        }
    }
    Ok(())
}

/// The most bytes one HTTP response from an operator (a page of leaves, a probe's
/// receipt) may hold: a full page of `MAX_LEAVES_PAGE` leaves is a few MiB.
pub const MAX_RESPONSE_BYTES: usize = 16 << 20;

/// The most leaves fetched for one batch: a larger batch counts as unavailable (the
/// auditor requests inclusion of its held receipts instead of downloading it).
pub const MAX_FETCHED_LEAVES: u64 = 1 << 21;

/// The time one batch's leaves may take when the dispute window is not known.
pub const DEFAULT_FETCH_BUDGET: Duration = Duration::from_secs(20);

/// The longest the fetches of one pass may take ([`pass_deadline`]): a quarter of the
/// dispute window (so there is time left to file), between 2 s and 60 s.
pub fn fetch_budget(oracle_config: &OracleConfig) -> Duration {
    Duration::from_secs((oracle_config.params.dispute_window_secs / 4).clamp(2, 60))
}

/// Every page of a batch's leaves from the operator's data URI, or why there are none:
/// an HTTP error, a page that is not this batch's, pages that do not join up, a page
/// short of what was asked before the last, a response over [`MAX_RESPONSE_BYTES`], a
/// batch over [`MAX_FETCHED_LEAVES`], or more than [`DEFAULT_FETCH_BUDGET`] in all.
pub async fn fetch_leaves(http: &reqwest::Client, data_uri: &str, b: &Batch) -> Leaves {
    fetch_leaves_within(http, data_uri, b, DEFAULT_FETCH_BUDGET).await
}

/// [`fetch_leaves`] with a time budget for the whole batch.
pub async fn fetch_leaves_within(
    http: &reqwest::Client,
    data_uri: &str,
    b: &Batch,
    budget: Duration,
) -> Leaves {
    if b.count > MAX_FETCHED_LEAVES {
        return Leaves::Unavailable(format!(
            "batch of {} leaves is over the {MAX_FETCHED_LEAVES} the auditor fetches",
            b.count
        ));
    }
    match tokio::time::timeout(budget, fetch_pages(http, data_uri, b)).await {
        Ok(Ok(leaves)) => Leaves::Published(leaves),
        Ok(Err(e)) => Leaves::Unavailable(format!("{e:#}")),
        Err(_) => Leaves::Unavailable(format!("leaves not all served within {budget:?}")),
    }
}

/// Reads a response body of at most `cap` bytes as JSON (stops reading past it).
pub async fn read_json_capped<T: serde::de::DeserializeOwned>(
    mut resp: reqwest::Response,
    cap: usize,
) -> Result<T> {
    if resp.content_length().is_some_and(|n| n > cap as u64) {
        return Err(anyhow!(
            "response of {:?} bytes is over {cap}",
            resp.content_length()
        ));
    }
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await? {
        if body.len() + chunk.len() > cap {
            return Err(anyhow!("response over {cap} bytes"));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(serde_json::from_slice(&body)?)
}

async fn fetch_pages(http: &reqwest::Client, data_uri: &str, b: &Batch) -> Result<Vec<SignedReceipt>> {
    let mut out = vec![];
    let mut offset = 0;
    loop {
        let url = leaves_url(data_uri, b.model_id, b.seq, offset, MAX_LEAVES_PAGE);
        let resp = http
            .get(&url)
            .send()
            .await
            .map_err(|e| anyhow!("GET {url}: {e}"))?;
        if !resp.status().is_success() {
            return Err(anyhow!("GET {url}: HTTP {}", resp.status()));
        }
        let page: LeavesPage = read_json_capped(resp, MAX_RESPONSE_BYTES)
            .await
            .map_err(|e| anyhow!("GET {url}: {e:#}"))?;
        if page.model_id != b.model_id
            || page.seq != b.seq
            || page.operator != b.operator.as_str()
            || page.offset != offset
        {
            return Err(anyhow!("GET {url}: the page is not of this batch at this offset"));
        }
        let got = page.receipts.len() as u64;
        out.extend(page.receipts);
        if out.len() as u64 > b.count {
            return Err(anyhow!("more leaves published than the batch's count"));
        }
        match page.next_offset {
            None => return Ok(out),
            Some(_) if got < MAX_LEAVES_PAGE.min(b.count - offset) => {
                return Err(anyhow!(
                    "GET {url}: {got} leaves where {} were asked, and more to come",
                    MAX_LEAVES_PAGE.min(b.count - offset)
                ))
            }
            Some(n) if n == out.len() as u64 && n > offset => offset = n,
            Some(n) => return Err(anyhow!("GET {url}: next_offset {n} does not follow")),
        }
    }
}

#[cfg(test)]
mod review_tests {
    //! Review (attacker): the choice of which inclusion requests to file, without a chain
    //! (the node is unreachable, so a send fails: the filing row shows it was tried).

    use super::*;
    use crate::checker::check_batch;
    use crate::config::WatchedOperator;
    use crate::testing::{account, receipt, signer};
    use clap::Parser;
    use cosmwasm_std::{Addr, HexBinary, Uint128};

    #[derive(Parser)]
    struct Flags {
        #[command(flatten)]
        g: attrib_cli::context::Global,
    }

    fn oracle_config() -> OracleConfig {
        let params = r#"{"epoch_secs":60,"posting_grace_secs":10,"dispute_window_secs":8,"operator_min_bond":"1","fraud_slash_bps":2000,"max_lineage":16,"max_parent_depth":2,"withdraw_notice_secs":5,"model_bond":"0","omission_weight_bps":1000,"omission_claimant_share_bps":5000,"max_back_epochs":24,"inclusion_fee":{"denom":"uatr","amount":"5"},"inclusion_response_secs":5,"max_inclusion_requests":3}"#;
        OracleConfig {
            registry: Addr::unchecked("r"),
            curator_staking: Addr::unchecked("s"),
            reward_pool: Addr::unchecked("p"),
            epoch_start: 0,
            params: serde_json::from_str(params).unwrap(),
        }
    }

    /// The leaves are withheld and the auditor holds receipts 1..=10 of the batch. It
    /// files `max_inclusion_requests` (3) requests: always the first three actions, ids
    /// 1, 2, 3. The operator knows which receipts the auditor asks for first (the lowest
    /// held ids), answers those three honestly, and the requests close: on every later
    /// block the same three are "Skipped" and nothing else is ever asked. Receipt 7, the
    /// one the operator dropped or altered, is never requested, and the batch finalizes.
    /// Once a request is answered, the next held receipt must be asked for.
    #[tokio::test]
    async fn after_the_first_requests_are_answered_the_next_held_receipts_are_requested() {
        let op = signer();
        let dir = tempfile::tempdir().unwrap();
        let config = Config {
            listen: "127.0.0.1:0".parse().unwrap(),
            db: dir.path().join("a.db"),
            poll_ms: 1000,
            max_inclusion_requests: 3,
            operators: vec![WatchedOperator {
                address: op.address.to_string(),
                data_uri: "http://127.0.0.1:9".into(),
                models: vec![1],
            }],
            probe: None,
        };
        let g = Flags::parse_from(["t", "--node", "http://127.0.0.1:9", "--chain-id", "attrib-test"]).g;
        let store = Store::open(&config.db).unwrap();
        let a = Auditor::new(
            Ctx::new(g).unwrap(),
            account("auditor"),
            "wasm1oracle".into(),
            config,
            store,
        )
        .unwrap();
        let held: Vec<SignedReceipt> = (1..=10).map(receipt).collect();
        let b = Batch {
            model_id: 1,
            operator: Addr::unchecked(op.address.to_string()),
            seq: 1,
            epoch: 0,
            first_id: 1,
            last_id: 10,
            count: 9,
            total_units: Uint128::new(18),
            root: HexBinary::from(vec![1u8; 32]),
            posted_at: 0,
            replaces: None,
            status: BatchStatus::Pending,
            charge: Uint128::zero(),
            prior_units: Uint128::zero(),
            proven_units: Uint128::zero(),
            replaced_by: None,
            counted: true,
            late: false,
        };
        let check = check_batch(&b, &Leaves::Unavailable("withheld".into()), &held);
        assert_eq!(check.actions.len(), 10);
        // Earlier blocks: requests for 1, 2, 3 were sent, and the operator answered them.
        for action in &check.actions[..3] {
            let s = a.store();
            assert!(s.claim(1, b.operator.as_str(), 1, action).unwrap());
            s.record_filing(
                action.kind,
                1,
                b.operator.as_str(),
                1,
                action.receipt_id,
                Ok(("TX".into(), 5)),
            )
            .unwrap();
            s.settle(1, b.operator.as_str(), 1, Some(Kind::RequestInclusion), "closed")
                .unwrap();
        }
        // This block: the batch is still pending, leaves still withheld.
        file_for_batch(&a, &oracle_config(), &b, &check.actions)
            .await
            .unwrap();
        let tried: Vec<u64> = a
            .store()
            .filings()
            .unwrap()
            .iter()
            .map(|f| f.receipt_id)
            .collect();
        assert!(
            tried.len() > 3,
            "only ever asked for {tried:?}; receipts 4..=10 are never requested"
        );
    }
}

#[cfg(test)]
mod range_tests {
    //! A pending batch is checked against the receipts held in its range, read again
    //! whenever one came in that range since it was found honest.

    use super::*;
    use crate::checker::{Kind, Verdict};
    use crate::fixtures::posted_batch;
    use crate::testing::{receipt, signer};

    /// Batch 1 of ids 1..=10 whose leaves leave receipt 7 out.
    fn batch_without_7() -> (Batch, Posted) {
        let leaves: Vec<SignedReceipt> = (1..=10).filter(|id| *id != 7).map(receipt).collect();
        let b = posted_batch(1, signer().address.as_ref(), 1, 0, &leaves);
        (b, Posted::new(leaves).unwrap())
    }

    #[test]
    fn an_unchanged_honest_batch_is_not_read_again_and_a_new_receipt_in_range_is_checked() {
        let dir = tempfile::tempdir().unwrap();
        let store = Mutex::new(Store::open(&dir.path().join("a.db")).unwrap());
        let op = signer().address.to_string();
        let add = |id: u64| {
            store
                .lock()
                .unwrap()
                .add_receipt(&op, "02ab", &receipt(id))
                .unwrap()
        };
        // Held: 2, 5 and 11 (outside the range): all posted, honest.
        for id in [2, 5, 11] {
            add(id);
        }
        let (b, posted) = batch_without_7();
        let seen = Seen::default();
        let c = check_pending(&store, &seen, &b, Ok(&posted)).unwrap();
        assert_eq!(
            (c.verdict, c.note.as_str()),
            (Verdict::Honest, "2 held receipts in range, all posted")
        );
        assert!(
            seen.lock().unwrap().contains_key(&(1, op.clone(), 1)),
            "remembered honest"
        );
        // A receipt outside the range changes nothing: still honest, from the stamp.
        add(12);
        let c = check_pending(&store, &seen, &b, Ok(&posted)).unwrap();
        assert_eq!(c.verdict, Verdict::Honest);
        // Receipt 7 forwarded late, in range: the batch is read again and the omission found.
        add(7);
        let c = check_pending(&store, &seen, &b, Ok(&posted)).unwrap();
        assert_eq!(c.verdict, Verdict::Fraud);
        assert_eq!(
            c.actions
                .iter()
                .map(|a| (a.kind, a.receipt_id))
                .collect::<Vec<_>>(),
            vec![(Kind::OmittedReceipt, Some(7))]
        );
        // Without its leaves the batch is never taken as honest from memory.
        let c = check_pending(&store, &Seen::default(), &b, Err("withheld")).unwrap();
        assert_eq!(c.verdict, Verdict::Unavailable);
    }
}
