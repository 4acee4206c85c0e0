//! The server [`Store`]: PostgreSQL (15), for an operator who outgrows one machine. Same
//! semantics as [`crate::sqlite`], table for table: one transaction per [`Store::commit`]
//! (group commit still comes from the writer), receipts written with binary `COPY`,
//! `synchronous_commit = on` so a commit is durable when it returns.
//!
//! Several meters may share one database: the one writer of an operator holds a
//! session-level advisory lock ([`PgStore::lock_writer`]) on the connection it writes
//! with, the others wait for it as standbys. The lock and the writes share that
//! connection, so a meter whose connection dropped (and with it the lock) cannot commit
//! anything after a standby took over: its commits fail, nothing is acknowledged.
//!
//! Each [`PgStore`] is one connection: the writer opens one, readers their own. The
//! `postgres` client drives a runtime of its own, which tokio forbids inside an async
//! context: a call made there runs on a scoped thread instead (tests, start-up).

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use anyhow::{anyhow, bail, Context, Result};
use attrib_std::receipts::{Receipt, SignedReceipt};
use cosmwasm_std::{HexBinary, Uint128};
use postgres::binary_copy::BinaryCopyInWriter;
use postgres::types::{ToSql, Type};
use postgres::{Client, Config, NoTls, Row, Statement};

use crate::store::{
    from_sql, schema, sql_bound, sql_key, sql_range, to_sql, BatchRecord, BatchState, Store, StoredReceipt,
    Write,
};

/// Whether the meter's `database` setting names a PostgreSQL server.
pub fn is_url(database: &str) -> bool {
    database.starts_with("postgres://") || database.starts_with("postgresql://")
}

/// The URL of a database selecting `schema` (the connection's `search_path`), so several
/// stores (one per test, or per operator) share one database.
pub fn url_with_schema(url: &str, schema: &str) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}options=-c%20search_path%3D{schema}")
}

/// Creates `schema` afresh (dropping whatever it held) in the database at `url` and
/// returns the URL selecting it: an empty store, for tests.
pub fn fresh_schema(url: &str, schema: &str) -> Result<String> {
    if schema.is_empty() || !schema.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        bail!("a schema name is ASCII letters, digits and _: {schema:?}");
    }
    on_plain_thread(|| {
        let mut c = connect(&config(url)?)?;
        c.batch_execute(&format!(
            "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"
        ))?;
        Ok(())
    })?;
    Ok(url_with_schema(url, schema))
}

fn config(url: &str) -> Result<Config> {
    let mut config = Config::from_str(url).context("parsing the PostgreSQL URL")?;
    config
        .application_name("attrib-meter")
        .connect_timeout(Duration::from_secs(10))
        // A server or link that died is noticed within about a minute even when idle.
        .keepalives(true)
        .keepalives_idle(Duration::from_secs(20))
        .keepalives_interval(Duration::from_secs(5))
        .keepalives_retries(4)
        // Notices ("relation already exists, skipping") are not the meter's business.
        .notice_callback(|n| tracing::debug!(notice = %n.message(), "postgres"));
    Ok(config)
}

fn connect(config: &Config) -> Result<Client> {
    let mut c = config.connect(NoTls).context("connecting to PostgreSQL")?;
    // The server's side of the keepalives too: a writer whose machine vanished holds its
    // advisory lock until the server drops its session, which by the OS default takes
    // about two hours; with these, about a minute (attacker review).
    c.batch_execute(
        "SET synchronous_commit = on; SET tcp_keepalives_idle = 20; \
         SET tcp_keepalives_interval = 5; SET tcp_keepalives_count = 4",
    )?;
    Ok(c)
}

/// Runs `f` where the `postgres` client may block: here, or on a scoped thread when this
/// thread drives an async runtime.
fn on_plain_thread<T: Send>(f: impl FnOnce() -> Result<T> + Send) -> Result<T> {
    if tokio::runtime::Handle::try_current().is_err() {
        return f();
    }
    std::thread::scope(|s| {
        s.spawn(f)
            .join()
            .unwrap_or_else(|_| Err(anyhow!("a PostgreSQL call panicked")))
    })
}

/// One connection and its prepared statements.
struct Conn {
    client: Client,
    statements: HashMap<&'static str, Statement>,
}

impl Conn {
    fn statement(&mut self, sql: &'static str) -> Result<Statement> {
        if let Some(s) = self.statements.get(sql) {
            return Ok(s.clone());
        }
        let s = self.client.prepare(sql)?;
        self.statements.insert(sql, s.clone());
        Ok(s)
    }

    fn query(&mut self, sql: &'static str, params: &[&(dyn ToSql + Sync)]) -> Result<Vec<Row>> {
        let st = self.statement(sql)?;
        Ok(self.client.query(&st, params)?)
    }
}

pub struct PgStore {
    config: Config,
    conn: Mutex<Option<Conn>>,
    /// The writer lock is held on this connection: it is never replaced.
    locked: AtomicBool,
}

impl PgStore {
    /// Connects to the database at `url` and creates the tables if missing.
    pub fn open(url: &str) -> Result<Self> {
        let config = config(url)?;
        let client = on_plain_thread(|| {
            let mut c = connect(&config)?;
            // Two meters starting together must not both create the tables.
            let mut tx = c.transaction()?;
            tx.execute(
                "SELECT pg_advisory_xact_lock(hashtextextended('attrib-meter schema', 0))",
                &[],
            )?;
            tx.batch_execute(&schema("BIGINT", "BYTEA"))
                .context("creating the meter's tables")?;
            tx.commit()?;
            Ok(c)
        })?;
        Ok(Self {
            config,
            conn: Mutex::new(Some(Conn {
                client,
                statements: HashMap::new(),
            })),
            locked: AtomicBool::new(false),
        })
    }

    /// Runs `f` on the connection, reconnecting first if it was lost — unless it holds the
    /// writer lock, which a new connection would not hold.
    fn with<T: Send>(&self, f: impl FnOnce(&mut Conn) -> Result<T> + Send) -> Result<T> {
        let mut guard = self.conn.lock().expect("a store user panicked");
        let conn: &mut Option<Conn> = &mut guard;
        on_plain_thread(|| {
            if conn.as_ref().is_none_or(|c| c.client.is_closed()) {
                if self.locked.load(Ordering::SeqCst) {
                    bail!(
                        "the connection holding the writer lock is lost: this meter is no longer the writer"
                    );
                }
                *conn = Some(Conn {
                    client: connect(&self.config)?,
                    statements: HashMap::new(),
                });
            }
            f(conn.as_mut().expect("connected above"))
        })
    }

    /// Takes the writer lock of `operator`'s store on this connection and holds it as long
    /// as the connection lives: one meter writes, the others wait here as standbys
    /// (`on_wait` runs once if the lock is taken). Advisory locks are per database.
    pub fn lock_writer(&self, operator: &str, on_wait: impl FnOnce() + Send) -> Result<()> {
        let key = format!("attrib-meter writer {operator}");
        self.with(|c| {
            let got: bool = c
                .client
                .query_one("SELECT pg_try_advisory_lock(hashtextextended($1, 0))", &[&key])?
                .get(0);
            if !got {
                on_wait();
                c.client
                    .execute("SELECT pg_advisory_lock(hashtextextended($1, 0))", &[&key])?;
            }
            self.locked.store(true, Ordering::SeqCst);
            Ok(())
        })
    }

    /// A round trip on the connection: an error once it is lost.
    pub fn ping(&self) -> Result<()> {
        self.with(|c| Ok(c.client.simple_query("").map(|_| ())?))
    }

    /// The server process of this connection (to find it in `pg_stat_activity`).
    pub fn backend_pid(&self) -> Result<i32> {
        self.with(|c| Ok(c.client.query_one("SELECT pg_backend_pid()", &[])?.get(0)))
    }
}

impl Drop for PgStore {
    /// The client's runtime cannot be dropped inside an async context either.
    fn drop(&mut self) {
        let conn = self.conn.get_mut().map(Option::take).unwrap_or_default();
        if conn.is_some() && tokio::runtime::Handle::try_current().is_ok() {
            std::thread::spawn(move || drop(conn));
        }
    }
}

fn receipt_from_row(row: &Row) -> Result<SignedReceipt> {
    Ok(SignedReceipt {
        receipt: Receipt {
            model_id: from_sql(row.try_get(0)?)?,
            receipt_id: from_sql(row.try_get(1)?)?,
            chain_id: row.try_get(2)?,
            contract: row.try_get(3)?,
            epoch: from_sql(row.try_get(4)?)?,
            units: from_sql(row.try_get(5)?)?,
            timestamp: from_sql(row.try_get(6)?)?,
        },
        signature: HexBinary::from(row.try_get::<_, Vec<u8>>(7)?),
    })
}

fn batch_from_row(row: &Row) -> Result<BatchRecord> {
    let total: String = row.try_get(6)?;
    let state: String = row.try_get(9)?;
    Ok(BatchRecord {
        model_id: from_sql(row.try_get(0)?)?,
        seq: from_sql(row.try_get(1)?)?,
        epoch: from_sql(row.try_get(2)?)?,
        first_id: from_sql(row.try_get(3)?)?,
        last_id: from_sql(row.try_get(4)?)?,
        count: from_sql(row.try_get(5)?)?,
        total_units: Uint128::new(
            total
                .parse()
                .map_err(|e| anyhow!("corrupt store: total_units {total:?}: {e}"))?,
        ),
        root: HexBinary::from(row.try_get::<_, Vec<u8>>(7)?),
        replaces: row.try_get::<_, Option<i64>>(8)?.map(from_sql).transpose()?,
        state: BatchState::parse(&state).ok_or_else(|| anyhow!("corrupt store: state {state:?}"))?,
    })
}

const RECEIPT_TYPES: [Type; 11] = [
    Type::INT8,
    Type::INT8,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::INT8,
    Type::INT8,
    Type::INT8,
    Type::BYTEA,
];

/// A run of receipts in one binary `COPY` (a duplicate id or request id fails it, and
/// with it the transaction).
fn copy_receipts(tx: &mut postgres::Transaction, run: &[&StoredReceipt]) -> Result<()> {
    let sink = tx.copy_in(
        "COPY receipts (model_id, receipt_id, client, request_id, reference, chain_id, contract, \
         epoch, units, timestamp, signature) FROM STDIN (FORMAT binary)",
    )?;
    let mut w = BinaryCopyInWriter::new(sink, &RECEIPT_TYPES);
    for r in run {
        let s = &r.signed.receipt;
        w.write(&[
            &to_sql(s.model_id)?,
            &to_sql(s.receipt_id)?,
            &r.client,
            &r.request_id,
            &r.reference,
            &s.chain_id,
            &s.contract,
            &to_sql(s.epoch)?,
            &to_sql(s.units)?,
            &to_sql(s.timestamp)?,
            &r.signed.signature.as_slice(),
        ])?;
    }
    w.finish()?;
    Ok(())
}

fn apply(tx: &mut postgres::Transaction, w: &Write) -> Result<()> {
    match w {
        Write::Receipt(r) => copy_receipts(tx, &[r])?,
        // A plain INSERT: a seq already recorded is refused, never overwritten.
        Write::Batch(b) => {
            tx.execute(
                "INSERT INTO batches (model_id, seq, epoch, first_id, last_id, count, total_units, \
                 root, replaces, state) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                &[
                    &to_sql(b.model_id)?,
                    &to_sql(b.seq)?,
                    &to_sql(b.epoch)?,
                    &to_sql(b.first_id)?,
                    &to_sql(b.last_id)?,
                    &to_sql(b.count)?,
                    &b.total_units.to_string(),
                    &b.root.as_slice(),
                    &b.replaces.map(to_sql).transpose()?,
                    &b.state.as_str(),
                ],
            )?;
        }
        Write::BatchState { model_id, seq, state } => {
            tx.execute(
                "UPDATE batches SET state = $3 WHERE model_id = $1 AND seq = $2",
                &[&to_sql(*model_id)?, &to_sql(*seq)?, &state.as_str()],
            )?;
        }
        Write::DropBuilt { model_id, seq } => {
            tx.execute(
                "DELETE FROM batches WHERE model_id = $1 AND seq = $2 AND state = 'built'",
                &[&to_sql(*model_id)?, &to_sql(*seq)?],
            )?;
        }
    }
    Ok(())
}

impl Store for PgStore {
    fn commit(&self, writes: &[Write]) -> Result<()> {
        self.with(|c| {
            let mut tx = c.client.transaction()?;
            // In order; each run of receipts is one COPY.
            let mut rest = writes;
            while let Some(first) = rest.first() {
                let run: Vec<&StoredReceipt> = rest
                    .iter()
                    .map_while(|w| match w {
                        Write::Receipt(r) => Some(r),
                        _ => None,
                    })
                    .collect();
                if run.is_empty() {
                    apply(&mut tx, first)?;
                    rest = &rest[1..];
                } else {
                    copy_receipts(&mut tx, &run)?;
                    rest = &rest[run.len()..];
                }
            }
            tx.commit()?;
            Ok(())
        })
    }

    fn max_receipt_id(&self, model_id: u64) -> Result<u64> {
        let Some(m) = sql_key(model_id) else { return Ok(0) };
        self.with(|c| {
            let rows = c.query("SELECT MAX(receipt_id) FROM receipts WHERE model_id = $1", &[&m])?;
            let n: Option<i64> = rows[0].try_get(0)?;
            n.map(from_sql).unwrap_or(Ok(0))
        })
    }

    fn by_request(&self, model_id: u64, request_id: &str) -> Result<Option<StoredReceipt>> {
        // A request id is unique within a model: one row at most.
        Ok(self.by_requests(model_id, &[request_id.to_string()])?.pop())
    }

    fn by_requests(&self, model_id: u64, request_ids: &[String]) -> Result<Vec<StoredReceipt>> {
        let Some(m) = sql_key(model_id) else {
            return Ok(vec![]);
        };
        self.with(|c| {
            c.query(
                "SELECT model_id, receipt_id, chain_id, contract, epoch, units, timestamp, signature, \
                 request_id, reference, client FROM receipts WHERE model_id = $1 AND request_id = ANY($2)",
                &[&m, &request_ids],
            )?
            .iter()
            .map(|row| {
                Ok(StoredReceipt {
                    signed: receipt_from_row(row)?,
                    request_id: row.try_get(8)?,
                    reference: row.try_get(9)?,
                    client: row.try_get(10)?,
                })
            })
            .collect()
        })
    }

    fn receipts(&self, model_id: u64, first: u64, last: u64, limit: u64) -> Result<Vec<SignedReceipt>> {
        let (Some(m), Some((first, last))) = (sql_key(model_id), sql_range(first, last)) else {
            return Ok(vec![]);
        };
        let limit = sql_bound(limit);
        self.with(|c| {
            c.query(
                "SELECT model_id, receipt_id, chain_id, contract, epoch, units, timestamp, signature \
                 FROM receipts WHERE model_id = $1 AND receipt_id BETWEEN $2 AND $3 \
                 ORDER BY receipt_id LIMIT $4",
                &[&m, &first, &last, &limit],
            )?
            .iter()
            .map(receipt_from_row)
            .collect()
        })
    }

    fn batch(&self, model_id: u64, seq: u64) -> Result<Option<BatchRecord>> {
        let (Some(m), Some(seq)) = (sql_key(model_id), sql_key(seq)) else {
            return Ok(None);
        };
        self.with(|c| {
            c.query(
                "SELECT model_id, seq, epoch, first_id, last_id, count, total_units, root, replaces, state \
                 FROM batches WHERE model_id = $1 AND seq = $2",
                &[&m, &seq],
            )?
            .first()
            .map(batch_from_row)
            .transpose()
        })
    }

    fn batches(&self, model_id: u64) -> Result<Vec<BatchRecord>> {
        let Some(m) = sql_key(model_id) else {
            return Ok(vec![]);
        };
        self.with(|c| {
            c.query(
                "SELECT model_id, seq, epoch, first_id, last_id, count, total_units, root, replaces, state \
                 FROM batches WHERE model_id = $1 ORDER BY seq",
                &[&m],
            )?
            .iter()
            .map(batch_from_row)
            .collect()
        })
    }

    fn batches_covering(&self, model_id: u64, receipt_id: u64) -> Result<Vec<BatchRecord>> {
        let (Some(m), Some(id)) = (sql_key(model_id), sql_key(receipt_id)) else {
            return Ok(vec![]);
        };
        self.with(|c| {
            c.query(
                "SELECT model_id, seq, epoch, first_id, last_id, count, total_units, root, replaces, state \
                 FROM batches WHERE model_id = $1 AND last_id >= $2 AND first_id <= $2 ORDER BY seq",
                &[&m, &id],
            )?
            .iter()
            .map(batch_from_row)
            .collect()
        })
    }

    fn batches_in(&self, state: BatchState) -> Result<Vec<BatchRecord>> {
        self.with(|c| {
            c.query(
                "SELECT model_id, seq, epoch, first_id, last_id, count, total_units, root, replaces, state \
                 FROM batches WHERE state = $1 ORDER BY model_id, seq",
                &[&state.as_str()],
            )?
            .iter()
            .map(batch_from_row)
            .collect()
        })
    }

    fn receipt_counts(&self) -> Result<(u64, u64)> {
        self.with(|c| {
            let rows = c.query(
                "SELECT (SELECT COUNT(*) FROM receipts), (SELECT COUNT(*) FROM receipts r WHERE r.receipt_id > \
                 COALESCE((SELECT MAX(last_id) FROM batches b WHERE b.model_id = r.model_id), 0))",
                &[],
            )?;
            Ok((from_sql(rows[0].try_get(0)?)?, from_sql(rows[0].try_get(1)?)?))
        })
    }

    fn meta(&self, entries: &[(&str, &str)]) -> Result<Vec<String>> {
        self.with(|c| {
            // Two meters starting at once: the second's INSERT waits for the first's
            // transaction, then finds its row (READ COMMITTED reads it after).
            let mut tx = c.client.transaction()?;
            let mut values = vec![];
            for (key, value) in entries {
                tx.execute(
                    "INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING",
                    &[key, value],
                )?;
                values.push(
                    tx.query_one("SELECT value FROM meta WHERE key = $1", &[key])?
                        .try_get(0)?,
                );
            }
            tx.commit()?;
            Ok(values)
        })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use std::sync::atomic::AtomicBool;
    use std::sync::mpsc;

    use super::*;
    use crate::store::tests::receipt;

    /// A fresh schema for `test` in the database of ATTRIB_TEST_PG_URL, or `None` (with a
    /// notice) when it is unset.
    pub(crate) fn fresh_test_schema(test: &str) -> Option<String> {
        let Ok(url) = std::env::var("ATTRIB_TEST_PG_URL") else {
            eprintln!(
                "ATTRIB_TEST_PG_URL is unset: {test} on PostgreSQL skipped (scripts/meter-pg.sh runs it)"
            );
            return None;
        };
        // PostgreSQL names are at most 63 bytes.
        let short: String = test.chars().take(40).collect();
        let hash = test
            .bytes()
            .fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(b as u32));
        Some(fresh_schema(&url, &format!("unit_{short}_{hash:08x}")).unwrap())
    }

    #[test]
    fn the_server_drops_a_vanished_writers_session_within_a_minute() {
        let Some(url) = fresh_test_schema("server_keepalives") else {
            return;
        };
        let store = PgStore::open(&url).unwrap();
        let settings: Vec<(String, String)> = store
            .with(|c| {
                Ok(c.client
                    .query(
                        "SELECT name, setting FROM pg_settings WHERE name LIKE 'tcp_keepalives_%' ORDER BY name",
                        &[],
                    )?
                    .iter()
                    .map(|r| (r.get(0), r.get(1)))
                    .collect())
            })
            .unwrap();
        let named = |n: &str, v: &str| (n.to_string(), v.to_string());
        assert_eq!(
            settings,
            vec![
                named("tcp_keepalives_count", "4"),
                named("tcp_keepalives_idle", "20"),
                named("tcp_keepalives_interval", "5"),
            ]
        );
    }

    #[test]
    fn one_writer_per_operator_and_a_standby_takes_over_when_its_connection_is_gone() {
        let Some(url) = fresh_test_schema("writer_lock") else {
            return;
        };
        // Advisory locks are per database: an operator of this run only.
        let operator = format!("wasm1locktest{}", std::process::id());
        let first = PgStore::open(&url).unwrap();
        first
            .lock_writer(&operator, || panic!("nobody held the lock"))
            .unwrap();
        // Another operator's writer is not held up.
        let other = PgStore::open(&url).unwrap();
        other
            .lock_writer(&format!("{operator}-other"), || panic!("another operator's lock"))
            .unwrap();
        // A second meter of the operator waits as a standby.
        let (taken, standby_took) = mpsc::channel();
        let standby = std::thread::spawn({
            let (url, operator) = (url.clone(), operator.clone());
            move || {
                let s = PgStore::open(&url).unwrap();
                let waited = AtomicBool::new(false);
                s.lock_writer(&operator, || waited.store(true, Ordering::SeqCst))
                    .unwrap();
                taken.send(()).unwrap();
                (s, waited.load(Ordering::SeqCst))
            }
        });
        assert!(
            standby_took.recv_timeout(Duration::from_millis(700)).is_err(),
            "the standby took the lock while the writer held it"
        );
        first.commit(&[Write::Receipt(receipt(1, 1, "a"))]).unwrap();
        // The writer's connection is cut (its machine or link died): the server drops the
        // lock with the session, and the standby takes over.
        let pid = first.backend_pid().unwrap();
        other
            .with(|c| Ok(c.client.execute("SELECT pg_terminate_backend($1)", &[&pid])?))
            .unwrap();
        standby_took
            .recv_timeout(Duration::from_secs(10))
            .expect("the standby takes the lock");
        let (standby, waited) = standby.join().unwrap();
        assert!(waited, "the standby was told it waits");
        // The old writer commits nothing more, and does not reconnect around the lost lock.
        for _ in 0..2 {
            assert!(first.commit(&[Write::Receipt(receipt(1, 2, "b"))]).is_err());
        }
        let err = format!("{:#}", first.ping().unwrap_err());
        assert!(err.contains("no longer the writer"), "{err}");
        standby.commit(&[Write::Receipt(receipt(1, 2, "c"))]).unwrap();
        assert_eq!(standby.by_request(1, "b").unwrap(), None);
        assert_eq!(standby.max_receipt_id(1).unwrap(), 2);
    }

    #[test]
    fn a_reader_reconnects_after_its_connection_dropped() {
        let Some(url) = fresh_test_schema("reader_reconnects") else {
            return;
        };
        let reader = PgStore::open(&url).unwrap();
        reader.commit(&[Write::Receipt(receipt(1, 1, "a"))]).unwrap();
        let pid = reader.backend_pid().unwrap();
        let admin = PgStore::open(&url).unwrap();
        admin
            .with(|c| Ok(c.client.execute("SELECT pg_terminate_backend($1)", &[&pid])?))
            .unwrap();
        // The call that finds the connection dead fails; the next one reconnects.
        let _ = reader.max_receipt_id(1);
        assert_eq!(reader.max_receipt_id(1).unwrap(), 1);
        assert_ne!(reader.backend_pid().unwrap(), pid);
    }
}
