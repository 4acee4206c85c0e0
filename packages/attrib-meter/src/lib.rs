//! `attrib-meter`: the metering service an operator runs (SPEC §11, issue 13).
//!
//! Inference servers report usage over HTTP with a bearer token ([`api`]); the meter
//! gives each event a receipt — the model's next id, the oracle's current epoch, signed
//! with the operator's key over `attrib_std::receipts::Receipt::sign_bytes` — and answers
//! only once the receipt is durable ([`writer`]: one writer, group commit, behind the
//! [`store::Store`] trait: SQLite in WAL with `synchronous=FULL` by default, or
//! PostgreSQL ([`postgres`]) when `database` is a `postgres://` URL, where several meters
//! of one operator run as one writer and standbys). The [`batcher`] closes
//! batches per model and epoch and posts them (`submit_batch`), recording each batch
//! before broadcasting it so a crash is reconciled with the chain on start. The meter
//! publishes every posted batch's leaves and any receipt's inclusion proof ([`publish`]),
//! answers inclusion requests on its batches and finalizes them ([`settle`]).
//!
//! Run: `attrib-meter --config meter.toml --from operator` (chain flags as `attrib`).

pub mod api;
pub mod batcher;
pub mod chain;
pub mod clock;
pub mod config;
pub mod metrics;
pub mod postgres;
pub mod publish;
pub mod settle;
pub mod sqlite;
pub mod store;
pub mod writer;

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use attrib_cli::context::{Ctx, Global};
use tokio::sync::watch;

use crate::api::{ApiState, Labels, Models};
use crate::batcher::{Batcher, Caps};
use crate::chain::Oracle;
use crate::clock::ChainTime;
use crate::config::{Config, StoreKind};
use crate::metrics::Metrics;
use crate::postgres::PgStore;
use crate::publish::TreeCache;
use crate::settle::Settler;
use crate::sqlite::SqliteStore;
use crate::store::{claim, Owner, Store};
use crate::writer::Issuer;

/// How long a chain loop may take to finish its pass after a shutdown signal.
const LOOP_DRAIN: Duration = Duration::from_secs(10);
/// How often a meter on PostgreSQL checks that it still holds the writer lock.
const LOCK_CHECK: Duration = Duration::from_secs(1);

/// Runs a meter until `shutdown` resolves: stops taking usage, lets the loops finish
/// their pass, drains the writer, returns.
pub async fn run(
    config: Config,
    global: Global,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<()> {
    let mut shutdown = Box::pin(shutdown);
    let oracle = Arc::new(Oracle::new(Ctx::new(global.clone())?)?);
    let oracle_config = oracle.config().await.context("reading the oracle's config")?;
    let clock = oracle_config.clock();
    let labels = Labels {
        oracle_config: oracle_config.clone(),
        min_posting_secs: config.min_posting_secs,
    };
    if !labels.ever_open() {
        anyhow::bail!(
            "min_posting_secs ({}) is not below the oracle's epoch plus posting grace: every receipt would be refused",
            config.min_posting_secs
        );
    }
    // A standby waits here for the writer lock; everything after reads the store as the
    // writer left it, as after a restart.
    let owner = Owner {
        chain_id: global.chain_id.clone(),
        oracle: oracle.address.clone(),
        operator: oracle.operator(),
    };
    let stores = tokio::select! {
        s = open_stores(&config, &owner) => s?,
        _ = &mut shutdown => {
            tracing::info!("stopped before taking the writer lock");
            return Ok(());
        }
    };
    let (writer_store, reader_store) = (stores.writer.clone(), stores.reader.clone());
    let time = Arc::new(ChainTime::new(config.max_clock_skew_secs));
    time.observe(oracle.block_time().await?);
    let models = Arc::new(Models::new(&config.models));
    let mut next_ids = HashMap::new();
    for &m in &config.models {
        let cursor = oracle.cursor(m).await?;
        let stored = writer_store.max_receipt_id(m)?;
        next_ids.insert(m, stored.max(cursor.last_id) + 1);
        refresh_model(&oracle, &models, m).await?;
    }
    let issuer = Issuer {
        chain_id: global.chain_id.clone(),
        contract: oracle.address.clone(),
        clock,
        signer: Ctx::new(global)?.signer()?,
        time: time.clone(),
    };
    let (writer, writer_thread) = writer::spawn(writer_store, issuer, next_ids.clone());
    let metrics = Arc::new(Metrics::default());
    let trees = Arc::new(TreeCache::default());
    let stopping = Arc::new(AtomicBool::new(false));
    let state = Arc::new(ApiState {
        writer: writer.clone(),
        store: reader_store.clone(),
        tokens: config.tokens(),
        models: models.clone(),
        metrics: metrics.clone(),
        trees: trees.clone(),
        operator: oracle.operator(),
        max_units: config.max_units_per_event,
        time: time.clone(),
        stopping: stopping.clone(),
        labels: Some(labels),
    });
    let batcher = Arc::new(Batcher {
        store: reader_store,
        writer: writer.clone(),
        oracle: oracle.clone(),
        trees,
        metrics,
        clock,
        caps: Caps {
            max_receipts: config.max_batch_receipts,
            max_secs: config.max_batch_secs,
        },
        time: time.clone(),
        oracle_config: oracle_config.clone(),
    });
    let settler = Arc::new(Settler {
        batcher: batcher.clone(),
        min_escrow_batches: config.min_escrow_batches,
    });
    let (stop_tx, stop_rx) = watch::channel(false);
    let loops = tokio::spawn(chain_loops(
        batcher,
        settler,
        models,
        time,
        config.clone(),
        stop_rx,
    ));
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("binding {}", config.listen))?;
    tracing::info!(listen = %listener.local_addr()?, models = ?config.models, next_ids = ?next_ids, "meter ready");
    let stop_flag = stopping.clone();
    let serve = axum::serve(listener, api::router(state)).with_graceful_shutdown(async move {
        shutdown.await;
        stop_flag.store(true, Ordering::SeqCst);
        tracing::info!("shutting down: no more usage taken");
    });
    tokio::select! {
        served = serve => served?,
        lost = stores.lock_lost() => {
            // Another meter may be the writer now: stop at once, drain nothing. The
            // commits already fail (the lock and the writes share the lost connection).
            stopping.store(true, Ordering::SeqCst);
            return Err(lost.context("this meter is no longer the writer: exiting"));
        }
    }
    stopping.store(true, Ordering::SeqCst);
    let _ = stop_tx.send(true);
    if tokio::time::timeout(LOOP_DRAIN, loops).await.is_err() {
        tracing::warn!("the chain loops did not finish their pass; the next start reconciles");
    }
    writer.stop();
    tokio::task::spawn_blocking(move || writer_thread.join())
        .await?
        .map_err(|_| anyhow::anyhow!("the writer thread panicked"))?;
    tracing::info!("writer drained; bye");
    Ok(())
}

/// The writer's store, the readers', and what keeps a second meter from writing.
struct Stores {
    writer: Arc<dyn Store>,
    reader: Arc<dyn Store>,
    guard: WriterGuard,
}

enum WriterGuard {
    /// The SQLite lock file, held while open.
    File(#[allow(dead_code)] std::fs::File),
    /// The PostgreSQL writer store, whose connection holds the advisory lock.
    Postgres(Arc<PgStore>),
}

/// Opens the stores `config` names, for `owner` ([`claim`]: a store recorded for another
/// chain, oracle or operator is refused). On SQLite, a second meter on the file is
/// refused; on PostgreSQL it waits as a standby until the writer of the operator is gone.
async fn open_stores(config: &Config, owner: &Owner) -> Result<Stores> {
    match config.store() {
        StoreKind::Sqlite(path) => {
            let guard = WriterGuard::File(lock_database(&path)?);
            let writer = SqliteStore::open(&path)?;
            claim(&writer, owner)?;
            Ok(Stores {
                writer: Arc::new(writer),
                reader: Arc::new(SqliteStore::open(&path)?),
                guard,
            })
        }
        StoreKind::Postgres(url) => {
            let owner = owner.clone();
            let operator = owner.operator.clone();
            // On a thread of its own: the wait may be long, and ends with the process.
            let (tx, rx) = tokio::sync::oneshot::channel();
            std::thread::spawn(move || {
                let opened = PgStore::open(&url).and_then(|writer| {
                    // Before the lock: the lock is per operator, so a meter of another
                    // would not wait for it, and would write beside the owner.
                    claim(&writer, &owner)?;
                    writer.lock_writer(&operator, || {
                        tracing::warn!(
                            operator,
                            "standby: another meter of this operator holds the writer lock; waiting for it to stop"
                        )
                    })?;
                    tracing::info!(operator, "writer lock taken: this meter is the writer");
                    Ok((writer, PgStore::open(&url)?))
                });
                let _ = tx.send(opened);
            });
            let (writer, reader) = rx.await.context("the store opener stopped")??;
            let writer = Arc::new(writer);
            Ok(Stores {
                writer: writer.clone(),
                reader: Arc::new(reader),
                guard: WriterGuard::Postgres(writer),
            })
        }
    }
}

impl Stores {
    /// Resolves when this meter may no longer be the writer: its PostgreSQL connection
    /// holding the lock is gone. Never on SQLite (the lock file cannot be lost).
    async fn lock_lost(&self) -> anyhow::Error {
        let WriterGuard::Postgres(pg) = &self.guard else {
            return std::future::pending().await;
        };
        loop {
            tokio::time::sleep(LOCK_CHECK).await;
            let pg = pg.clone();
            match tokio::task::spawn_blocking(move || pg.ping()).await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => return e.context("the writer lock's connection"),
                Err(e) => return anyhow::anyhow!("checking the writer lock: {e}"),
            }
        }
    }
}

/// Takes the lock file beside the database (`<database>.lock`), held while the returned
/// file is open: two meters on one store would give the same receipt ids twice.
pub fn lock_database(database: &std::path::Path) -> Result<std::fs::File> {
    let mut path = database.as_os_str().to_owned();
    path.push(".lock");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .with_context(|| format!("opening {}", std::path::Path::new(&path).display()))?;
    file.try_lock().map_err(|e| {
        anyhow::anyhow!(
            "{} is in use by another meter ({e}): one meter per store",
            database.display()
        )
    })?;
    Ok(file)
}

/// Reads whether the oracle lets the operator meter a model.
async fn refresh_model(oracle: &Oracle, models: &Models, model_id: u64) -> Result<()> {
    let m = oracle.model(model_id).await?;
    let me = oracle.operator();
    let allowed = !m.closed && m.operators.iter().any(|a| a.as_str() == me);
    models.set_allowed(model_id, allowed);
    Ok(())
}

/// The batcher and the settler, one pass per model each tick, until stopped. A failed
/// pass is logged and counted; the next tick tries again.
async fn chain_loops(
    batcher: Arc<Batcher>,
    settler: Arc<Settler>,
    models: Arc<Models>,
    time: Arc<ChainTime>,
    config: Config,
    mut stop: watch::Receiver<bool>,
) {
    let mut tick = tokio::time::interval(Duration::from_millis(config.tick_ms));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = stop.changed() => return,
        }
        match batcher.oracle.block_time().await {
            Ok(t) => {
                time.observe(t);
                if time.skewed() {
                    tracing::error!(
                        offset_secs = time.offset(),
                        "this machine's clock is off the chain's: usage refused"
                    );
                }
            }
            Err(e) => {
                batcher.metrics.chain_error();
                tracing::warn!(error = %format!("{e:#}"), "reading the block time failed");
            }
        }
        for &m in &config.models {
            // Each step runs even if the one before failed: a stuck batch must not keep
            // the settler from answering inclusion requests in time.
            let passes = [
                ("model", refresh_model(&batcher.oracle, &models, m).await),
                ("batcher", batcher.tick(m).await),
                ("settler", settler.tick(m).await),
            ];
            for (step, result) in passes {
                if let Err(e) = result {
                    batcher.metrics.chain_error();
                    tracing::warn!(model_id = m, step, error = %format!("{e:#}"), "chain pass failed");
                }
            }
            if *stop.borrow() {
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owner(operator: &str) -> Owner {
        Owner {
            chain_id: "attrib-test".into(),
            oracle: "wasm1oracle".into(),
            operator: operator.into(),
        }
    }

    /// A config whose store is `database`.
    fn on(database: String) -> Config {
        Config {
            database,
            ..Config::default()
        }
    }

    /// Review (#3): a store serves one chain, oracle and operator. A meter of another
    /// operator pointed at it would write its receipts beside the first one's (ids of one
    /// model from two sequences, batches of one seq for two operators): it must refuse to
    /// start, naming both. On SQLite the lock file keeps two meters off the file at once,
    /// so the second comes after the first stopped.
    #[tokio::test]
    async fn a_meter_of_another_operator_is_refused_a_sqlite_store() {
        let dir = tempfile::tempdir().unwrap();
        let config = on(dir.path().join("meter.db").to_str().unwrap().into());
        let first = open_stores(&config, &owner("wasm1first")).await.unwrap();
        drop(first);
        let err = open_stores(&config, &owner("wasm1second"))
            .await
            .err()
            .expect("a second operator opened the first one's store");
        let text = format!("{err:#}");
        assert!(
            text.contains("wasm1first") && text.contains("wasm1second"),
            "{text}"
        );
        // The owner still opens it.
        open_stores(&config, &owner("wasm1first")).await.unwrap();
    }

    /// The same on PostgreSQL, where the first meter is still running: the writer lock is
    /// per operator, so only the store's record of its owner keeps the second one out.
    #[tokio::test]
    async fn a_meter_of_another_operator_is_refused_a_postgres_store_in_use() {
        let Some(url) = crate::postgres::tests::fresh_test_schema("meter_owner") else {
            return;
        };
        let config = on(url);
        let operator = format!("wasm1owner{}", std::process::id());
        let first = open_stores(&config, &owner(&operator)).await.unwrap();
        let err = open_stores(&config, &owner(&format!("{operator}-other")))
            .await
            .err()
            .expect("a second operator opened the first one's store while it ran");
        let text = format!("{err:#}");
        assert!(text.contains(&format!("{operator}-other")), "{text}");
        drop(first);
    }

    #[test]
    fn a_second_meter_cannot_take_a_store_in_use() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("meter.db");
        let held = lock_database(&db).unwrap();
        let err = lock_database(&db).unwrap_err().to_string();
        assert!(err.contains("in use by another meter"), "{err}");
        drop(held);
        lock_database(&db).unwrap();
    }
}
