//! The embedded [`Store`]: SQLite in WAL mode with `synchronous=FULL`, so a committed
//! transaction survives a crash of the process or the machine. Each [`SqliteStore`] is
//! one connection: the writer task opens one, readers open their own.

use std::path::Path;
use std::sync::Mutex;

use anyhow::{Context, Result};
use attrib_std::receipts::{Receipt, SignedReceipt};
use cosmwasm_std::{HexBinary, Uint128};
use rusqlite::{params, Connection, OptionalExtension, Row};

use crate::store::{
    from_sql, schema, sql_bound, sql_key, sql_range, to_sql, BatchRecord, BatchState, Store, StoredReceipt,
    Write,
};

pub struct SqliteStore {
    conn: Mutex<Connection>,
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `path`.
    pub fn open(path: &Path) -> Result<Self> {
        let conn = Connection::open(path).with_context(|| format!("opening {}", path.display()))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.execute_batch(&schema("INTEGER", "BLOB"))?;
        Ok(Self {
            conn: Mutex::new(conn),
        })
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.conn.lock().expect("a store user panicked")
    }
}

/// A u64 column ([`to_sql`] for the range).
fn get_u64(row: &Row, i: usize) -> rusqlite::Result<u64> {
    from_sql(row.get(i)?).map_err(|e| corrupt(i, e.to_string()))
}

fn receipt_from_row(row: &Row) -> rusqlite::Result<SignedReceipt> {
    Ok(SignedReceipt {
        receipt: Receipt {
            model_id: get_u64(row, 0)?,
            receipt_id: get_u64(row, 1)?,
            chain_id: row.get(2)?,
            contract: row.get(3)?,
            epoch: get_u64(row, 4)?,
            units: get_u64(row, 5)?,
            timestamp: get_u64(row, 6)?,
        },
        signature: HexBinary::from(row.get::<_, Vec<u8>>(7)?),
    })
}

const RECEIPT_COLUMNS: &str = "model_id, receipt_id, chain_id, contract, epoch, units, timestamp, signature";
const BATCH_COLUMNS: &str =
    "model_id, seq, epoch, first_id, last_id, count, total_units, root, replaces, state";

/// A column the store cannot read back: an error, never a default (a wrong total or
/// state would be posted or acted on).
fn corrupt(col: usize, what: String) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(col, rusqlite::types::Type::Text, what.into())
}

fn batch_from_row(row: &Row) -> rusqlite::Result<BatchRecord> {
    let total: String = row.get(6)?;
    let state: String = row.get(9)?;
    Ok(BatchRecord {
        model_id: get_u64(row, 0)?,
        seq: get_u64(row, 1)?,
        epoch: get_u64(row, 2)?,
        first_id: get_u64(row, 3)?,
        last_id: get_u64(row, 4)?,
        count: get_u64(row, 5)?,
        total_units: Uint128::new(
            total
                .parse()
                .map_err(|e| corrupt(6, format!("total_units {total:?}: {e}")))?,
        ),
        root: HexBinary::from(row.get::<_, Vec<u8>>(7)?),
        replaces: match row.get::<_, Option<i64>>(8)? {
            Some(n) => Some(from_sql(n).map_err(|e| corrupt(8, e.to_string()))?),
            None => None,
        },
        state: BatchState::parse(&state).ok_or_else(|| corrupt(9, format!("state {state:?}")))?,
    })
}

fn apply(tx: &rusqlite::Transaction, w: &Write) -> Result<usize> {
    Ok(match w {
        Write::Receipt(r) => {
            let s = &r.signed.receipt;
            tx.prepare_cached(
                "INSERT INTO receipts (model_id, receipt_id, client, request_id, reference, chain_id, \
                 contract, epoch, units, timestamp, signature) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            )?
            .execute(params![
                to_sql(s.model_id)?,
                to_sql(s.receipt_id)?,
                r.client,
                r.request_id,
                r.reference,
                s.chain_id,
                s.contract,
                to_sql(s.epoch)?,
                to_sql(s.units)?,
                to_sql(s.timestamp)?,
                r.signed.signature.as_slice(),
            ])?
        }
        // A plain INSERT: a seq already recorded is refused, never overwritten.
        Write::Batch(b) => tx
            .prepare_cached(
                "INSERT INTO batches (model_id, seq, epoch, first_id, last_id, count, \
                 total_units, root, replaces, state) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?
            .execute(params![
                to_sql(b.model_id)?,
                to_sql(b.seq)?,
                to_sql(b.epoch)?,
                to_sql(b.first_id)?,
                to_sql(b.last_id)?,
                to_sql(b.count)?,
                b.total_units.to_string(),
                b.root.as_slice(),
                b.replaces.map(to_sql).transpose()?,
                b.state.as_str(),
            ])?,
        Write::BatchState { model_id, seq, state } => tx
            .prepare_cached("UPDATE batches SET state = ?3 WHERE model_id = ?1 AND seq = ?2")?
            .execute(params![to_sql(*model_id)?, to_sql(*seq)?, state.as_str()])?,
        Write::DropBuilt { model_id, seq } => tx
            .prepare_cached("DELETE FROM batches WHERE model_id = ?1 AND seq = ?2 AND state = 'built'")?
            .execute(params![to_sql(*model_id)?, to_sql(*seq)?])?,
    })
}

impl Store for SqliteStore {
    fn commit(&self, writes: &[Write]) -> Result<()> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        for w in writes {
            apply(&tx, w)?;
        }
        tx.commit()?;
        Ok(())
    }

    fn max_receipt_id(&self, model_id: u64) -> Result<u64> {
        let Some(m) = sql_key(model_id) else { return Ok(0) };
        let n: Option<i64> = self.conn().query_row(
            "SELECT MAX(receipt_id) FROM receipts WHERE model_id = ?1",
            [m],
            |r| r.get(0),
        )?;
        n.map(from_sql).unwrap_or(Ok(0))
    }

    fn by_request(&self, model_id: u64, request_id: &str) -> Result<Option<StoredReceipt>> {
        let Some(m) = sql_key(model_id) else {
            return Ok(None);
        };
        let conn = self.conn();
        let mut st = conn.prepare_cached(&format!(
            "SELECT {RECEIPT_COLUMNS}, request_id, reference, client FROM receipts \
             WHERE model_id = ?1 AND request_id = ?2"
        ))?;
        Ok(st
            .query_row(params![m, request_id], |row| {
                Ok(StoredReceipt {
                    signed: receipt_from_row(row)?,
                    request_id: row.get(8)?,
                    reference: row.get(9)?,
                    client: row.get(10)?,
                })
            })
            .optional()?)
    }

    fn receipts(&self, model_id: u64, first: u64, last: u64, limit: u64) -> Result<Vec<SignedReceipt>> {
        let (Some(m), Some((first, last))) = (sql_key(model_id), sql_range(first, last)) else {
            return Ok(vec![]);
        };
        let conn = self.conn();
        let mut st = conn.prepare_cached(&format!(
            "SELECT {RECEIPT_COLUMNS} FROM receipts WHERE model_id = ?1 AND receipt_id BETWEEN ?2 AND ?3 \
             ORDER BY receipt_id LIMIT ?4"
        ))?;
        let rows = st.query_map(params![m, first, last, sql_bound(limit)], receipt_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn batch(&self, model_id: u64, seq: u64) -> Result<Option<BatchRecord>> {
        let (Some(m), Some(seq)) = (sql_key(model_id), sql_key(seq)) else {
            return Ok(None);
        };
        let conn = self.conn();
        let mut st = conn.prepare_cached(&format!(
            "SELECT {BATCH_COLUMNS} FROM batches WHERE model_id = ?1 AND seq = ?2"
        ))?;
        Ok(st.query_row(params![m, seq], batch_from_row).optional()?)
    }

    fn batches(&self, model_id: u64) -> Result<Vec<BatchRecord>> {
        let Some(m) = sql_key(model_id) else {
            return Ok(vec![]);
        };
        let conn = self.conn();
        let mut st = conn.prepare_cached(&format!(
            "SELECT {BATCH_COLUMNS} FROM batches WHERE model_id = ?1 ORDER BY seq"
        ))?;
        let rows = st.query_map([m], batch_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn batches_covering(&self, model_id: u64, receipt_id: u64) -> Result<Vec<BatchRecord>> {
        let (Some(m), Some(id)) = (sql_key(model_id), sql_key(receipt_id)) else {
            return Ok(vec![]);
        };
        let conn = self.conn();
        let mut st = conn.prepare_cached(&format!(
            "SELECT {BATCH_COLUMNS} FROM batches WHERE model_id = ?1 AND last_id >= ?2 AND first_id <= ?2 \
             ORDER BY seq"
        ))?;
        let rows = st.query_map(params![m, id], batch_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn batches_in(&self, state: BatchState) -> Result<Vec<BatchRecord>> {
        let conn = self.conn();
        let mut st = conn.prepare_cached(&format!(
            "SELECT {BATCH_COLUMNS} FROM batches WHERE state = ?1 ORDER BY model_id, seq"
        ))?;
        let rows = st.query_map([state.as_str()], batch_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn receipt_counts(&self) -> Result<(u64, u64)> {
        let conn = self.conn();
        let total: i64 = conn.query_row("SELECT COUNT(*) FROM receipts", [], |r| r.get(0))?;
        let pending: i64 = conn.query_row(
            "SELECT COUNT(*) FROM receipts r WHERE r.receipt_id > \
             COALESCE((SELECT MAX(last_id) FROM batches b WHERE b.model_id = r.model_id), 0)",
            [],
            |r| r.get(0),
        )?;
        Ok((total as u64, pending as u64))
    }

    fn meta(&self, entries: &[(&str, &str)]) -> Result<Vec<String>> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let mut values = vec![];
        for (key, value) in entries {
            tx.execute(
                "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO NOTHING",
                params![key, value],
            )?;
            values.push(tx.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))?);
        }
        tx.commit()?;
        Ok(values)
    }
}

#[cfg(test)]
mod refused_rows {
    use super::*;
    use crate::store::{BatchState, Store};

    /// Review of the late-batch change: a meter from before it recorded batches the oracle
    /// refused as `refused` (a state this one cannot read): such rows are dropped on open,
    /// so the store is readable and their receipts are batched again.
    #[test]
    fn a_refused_record_of_an_older_meter_is_dropped_on_open() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("meter.db");
        drop(SqliteStore::open(&path).unwrap());
        let conn = Connection::open(&path).unwrap();
        conn.execute(
            "INSERT INTO batches VALUES (1, 4611686018427387908, 0, 4, 6, 3, '3', x'00', NULL, 'refused'), \
             (1, 1, 0, 1, 3, 3, '3', x'00', NULL, 'posted')",
            [],
        )
        .unwrap();
        drop(conn);
        let s = SqliteStore::open(&path).unwrap();
        let left = s.batches(1).unwrap();
        assert_eq!(
            left.iter().map(|b| (b.seq, b.state)).collect::<Vec<_>>(),
            vec![(1, BatchState::Posted)]
        );
    }
}
