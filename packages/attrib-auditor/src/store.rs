//! The auditor's store: one SQLite file in WAL mode. It holds the receipts the auditor was
//! given (each verified against one of its operator's registered keys before it is kept;
//! every differing copy of one receipt id is kept, since two receipts the operator signed
//! for one id prove against any leaf), every key seen registered per operator, per
//! (model, operator) the batch sequence up to which every batch is closed and checked,
//! every batch checked with its verdict, and every filing under a unique key
//! (kind, model, operator, seq, receipt id), so a restart never files the same thing twice.

use std::path::Path;

use anyhow::{Context, Result};
use attrib_std::receipts::SignedReceipt;
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;

use crate::checker::{Action, Kind};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS receipts (
    model_id INTEGER NOT NULL,
    operator TEXT NOT NULL,
    receipt_id INTEGER NOT NULL,
    epoch INTEGER NOT NULL,
    units INTEGER NOT NULL,
    signed TEXT NOT NULL,
    -- the operator key (hex) the signature verified against
    verified_key TEXT NOT NULL,
    received_at INTEGER NOT NULL,
    -- the receipt's digest (hex): copies differing in any field are kept side by side
    digest TEXT NOT NULL,
    PRIMARY KEY (model_id, operator, receipt_id, digest)
);
-- late omissions: the held epochs beyond an operator's cursor, then one epoch's receipts
CREATE INDEX IF NOT EXISTS receipts_by_epoch ON receipts (model_id, operator, epoch, receipt_id);
CREATE TABLE IF NOT EXISTS operator_keys (
    operator TEXT NOT NULL,
    -- a key (hex) the oracle registered for the operator at some block
    key TEXT NOT NULL,
    first_seen INTEGER NOT NULL,
    PRIMARY KEY (operator, key)
);
CREATE TABLE IF NOT EXISTS progress (
    model_id INTEGER NOT NULL,
    operator TEXT NOT NULL,
    -- every batch up to this sequence is closed (final or voided) and was checked
    closed_through INTEGER NOT NULL,
    PRIMARY KEY (model_id, operator)
);
CREATE TABLE IF NOT EXISTS batches (
    model_id INTEGER NOT NULL,
    operator TEXT NOT NULL,
    seq INTEGER NOT NULL,
    epoch INTEGER NOT NULL,
    first_id INTEGER NOT NULL,
    last_id INTEGER NOT NULL,
    verdict TEXT NOT NULL,
    note TEXT NOT NULL,
    status TEXT NOT NULL,
    checks INTEGER NOT NULL,
    checked_at INTEGER NOT NULL,
    PRIMARY KEY (model_id, operator, seq)
);
CREATE TABLE IF NOT EXISTS filings (
    kind TEXT NOT NULL,
    model_id INTEGER NOT NULL,
    operator TEXT NOT NULL,
    -- 0 for a late omission (no batch)
    seq INTEGER NOT NULL,
    -- 0 for a proof about the batch alone
    receipt_id INTEGER NOT NULL,
    msg TEXT NOT NULL,
    -- claimed (about to be sent), sent, failed, won, closed
    outcome TEXT NOT NULL,
    tx_hash TEXT,
    height INTEGER,
    error TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    filed_at INTEGER NOT NULL,
    UNIQUE (kind, model_id, operator, seq, receipt_id)
);
";

/// How often a filing the chain refused for good is tried again. Only such refusals
/// count (see [`Refusal`]): a send that never reached the chain, or a refusal a later
/// block lifts, is tried again on every block while the proof is still possible.
pub const MAX_ATTEMPTS: i64 = 3;

/// What a failed send of a filing means for trying it again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Nothing reached the chain (node unreachable, broadcast refused for fees or
    /// sequence, not included in time): not counted.
    NotSent,
    /// The chain refused it for now; a later block can lift it (the batch's inclusion
    /// slots are full, the receipt is not late yet, e.g. during a pause): not counted.
    Temporary,
    /// The auditor's own inclusion request is on the chain already (it landed before a
    /// crash, or after a send that timed out): followed as sent.
    AlreadyFiled,
    /// Refused for good: counted against [`MAX_ATTEMPTS`].
    Final,
}

impl Refusal {
    /// Classifies the error text of a send (`attrib_cli::chain::Chain::send`, the
    /// oracle's `ContractError` messages).
    pub fn of(kind: Kind, error: &str) -> Refusal {
        const NOT_SENT: [&str; 8] = [
            "cannot reach",
            "refused by the node",
            "not included after",
            "error sending request",
            "account sequence mismatch",
            "insufficient fee",
            "insufficient funds",
            "mempool is full",
        ];
        const TEMPORARY: [&str; 3] = [
            "inclusion requests open",
            "is not late",
            "takes inclusion requests until",
        ];
        if kind == Kind::RequestInclusion && error.contains("already has an inclusion request on batch") {
            Refusal::AlreadyFiled
        } else if TEMPORARY.iter().any(|t| error.contains(t)) {
            Refusal::Temporary
        } else if NOT_SENT.iter().any(|t| error.contains(t)) {
            Refusal::NotSent
        } else {
            Refusal::Final
        }
    }
}

/// A filing's place in its life.
#[derive(Serialize, Clone, Debug, PartialEq, Eq)]
pub struct Filing {
    pub kind: String,
    pub model_id: u64,
    pub operator: String,
    pub seq: u64,
    pub receipt_id: u64,
    pub outcome: String,
    pub tx_hash: Option<String>,
    pub height: Option<u64>,
    pub error: Option<String>,
    pub attempts: i64,
}

/// One batch the auditor checked.
#[derive(Serialize, Clone, Debug, PartialEq, Eq)]
pub struct CheckedBatch {
    pub model_id: u64,
    pub operator: String,
    pub seq: u64,
    pub epoch: u64,
    pub first_id: u64,
    pub last_id: u64,
    pub verdict: String,
    pub note: String,
    pub status: String,
    pub checks: u64,
}

/// Counts for `/metrics` and the report.
#[derive(Serialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    pub receipts_held: u64,
    pub batches_checked: u64,
    /// (verdict, batches)
    pub verdicts: Vec<(String, u64)>,
    /// (kind, outcome, filings)
    pub filings: Vec<(String, String, u64)>,
}

pub struct Store {
    conn: Connection,
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

pub fn hex(bytes: &[u8]) -> String {
    cosmwasm_std::HexBinary::from(bytes).to_hex()
}

/// The stored ranges (`receipt_id` as SQLite's i64, `u64 as i64`) of the ids
/// `first..=last`, in id order: ids above `i64::MAX` are stored negative, so a range
/// across 2^63 is two ranges, each increasing.
fn stored_ranges(first: u64, last: u64) -> Vec<(i64, i64)> {
    const HALF: u64 = 1 << 63;
    let mut out = vec![];
    if first > last {
        return out;
    }
    if first < HALF {
        out.push((first as i64, last.min(HALF - 1) as i64));
    }
    if last >= HALF {
        out.push((first.max(HALF) as i64, last as i64));
    }
    out
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    cosmwasm_std::HexBinary::from_hex(s).ok().map(|h| h.to_vec())
}

fn insert_receipt(
    conn: &Connection,
    operator: &str,
    key_hex: &str,
    s: &SignedReceipt,
) -> rusqlite::Result<bool> {
    let r = &s.receipt;
    let signed = serde_json::to_string(s).expect("a receipt serializes");
    let n = conn.execute(
        "INSERT OR IGNORE INTO receipts
         (model_id, operator, receipt_id, epoch, units, signed, verified_key, received_at, digest)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            r.model_id as i64,
            operator,
            r.receipt_id as i64,
            r.epoch as i64,
            r.units as i64,
            signed,
            key_hex,
            now(),
            hex(&r.digest())
        ],
    )?;
    Ok(n == 1)
}

/// A store made before receipts were keyed by digest (one copy per id): its receipts move
/// to the new table, each with its digest.
fn migrate_receipts(conn: &Connection) -> Result<()> {
    let exists: bool = conn.query_row(
        "SELECT COUNT(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = 'receipts'",
        [],
        |r| r.get(0),
    )?;
    let has_digest: bool = conn.query_row(
        "SELECT COUNT(*) > 0 FROM pragma_table_info('receipts') WHERE name = 'digest'",
        [],
        |r| r.get(0),
    )?;
    if !exists || has_digest {
        return Ok(());
    }
    let tx = conn.unchecked_transaction()?;
    tx.execute_batch("ALTER TABLE receipts RENAME TO receipts_by_id;")?;
    tx.execute_batch(SCHEMA)?;
    {
        let mut st = tx.prepare("SELECT operator, verified_key, signed FROM receipts_by_id")?;
        let rows = st.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?;
        for row in rows {
            let (op, key, signed) = row?;
            insert_receipt(&tx, &op, &key, &serde_json::from_str(&signed)?)?;
        }
    }
    tx.execute_batch("DROP TABLE receipts_by_id;")?;
    tx.commit()?;
    Ok(())
}

impl Store {
    /// Opens (creating) the store at `path`, in WAL mode with `synchronous = FULL`: a
    /// receipt acknowledged to its sender survives a power loss.
    pub fn open(path: &Path) -> Result<Store> {
        let conn = Connection::open(path).with_context(|| format!("opening {}", path.display()))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        migrate_receipts(&conn)?;
        conn.execute_batch(SCHEMA)?;
        // A claim left by a crash between claiming and recording: it may or may not have
        // reached the chain, so it counts as one refused attempt (tried again, bounded;
        // the chain refuses a proof it already upheld, and the filer asks the chain first
        // whether an interrupted inclusion request landed).
        conn.execute(
            "UPDATE filings SET outcome = 'failed', error = 'interrupted' WHERE outcome = 'claimed'",
            [],
        )?;
        Ok(Store { conn })
    }

    /// Keeps a receipt whose signature verified against `operator`'s key `key_hex`.
    /// Returns false when this very receipt was held already; a receipt with a held id but
    /// any field different is kept beside it.
    pub fn add_receipt(&self, operator: &str, key_hex: &str, s: &SignedReceipt) -> Result<bool> {
        Ok(insert_receipt(&self.conn, operator, key_hex, s)?)
    }

    /// Keeps many receipts in one transaction (one fsync): (operator, key hex, receipt);
    /// for each, whether it was new.
    pub fn add_receipts(&mut self, verified: &[(String, String, &SignedReceipt)]) -> Result<Vec<bool>> {
        let tx = self.conn.transaction()?;
        let added = verified
            .iter()
            .map(|(op, key, s)| insert_receipt(&tx, op, key, s))
            .collect::<rusqlite::Result<Vec<bool>>>()?;
        tx.commit()?;
        Ok(added)
    }

    /// The receipts held for (model, operator), by receipt id (copies of one id in the
    /// order they came).
    pub fn receipts(&self, model_id: u64, operator: &str) -> Result<Vec<SignedReceipt>> {
        self.receipts_in(model_id, operator, 0, u64::MAX)
    }

    /// The receipts held for (model, operator) with ids in `first_id..=last_id` (a
    /// batch's range), in the order of [`Store::receipts`]: ranges of the primary key,
    /// so a pass reads the receipts of the batches it checks, not all it holds.
    pub fn receipts_in(
        &self,
        model_id: u64,
        operator: &str,
        first_id: u64,
        last_id: u64,
    ) -> Result<Vec<SignedReceipt>> {
        let mut st = self.conn.prepare_cached(
            "SELECT signed FROM receipts
             WHERE model_id = ?1 AND operator = ?2 AND receipt_id BETWEEN ?3 AND ?4
             ORDER BY receipt_id, received_at, rowid",
        )?;
        let mut out = vec![];
        for (lo, hi) in stored_ranges(first_id, last_id) {
            let rows = st.query_map(params![model_id as i64, operator, lo, hi], |row| {
                row.get::<_, String>(0)
            })?;
            for j in rows {
                out.push(serde_json::from_str(&j?)?);
            }
        }
        Ok(out)
    }

    /// How many receipts are held for (model, operator) in `first_id..=last_id`, and the
    /// newest one's row (0 for none): read from the index alone. Receipts are only ever
    /// added, so an unchanged stamp means the same receipts.
    pub fn range_stamp(
        &self,
        model_id: u64,
        operator: &str,
        first_id: u64,
        last_id: u64,
    ) -> Result<(u64, i64)> {
        let mut st = self.conn.prepare_cached(
            "SELECT COUNT(*), COALESCE(MAX(rowid), 0) FROM receipts
             WHERE model_id = ?1 AND operator = ?2 AND receipt_id BETWEEN ?3 AND ?4",
        )?;
        let mut stamp = (0, 0);
        for (lo, hi) in stored_ranges(first_id, last_id) {
            let (n, max) = st.query_row(params![model_id as i64, operator, lo, hi], |r| {
                Ok((r.get::<_, i64>(0)? as u64, r.get::<_, i64>(1)?))
            })?;
            stamp = (stamp.0 + n, stamp.1.max(max));
        }
        Ok(stamp)
    }

    /// The epochs of the receipts held for (model, operator) with ids above `after_id`,
    /// ascending (read from the index: no receipt decoded).
    pub fn epochs_after(&self, model_id: u64, operator: &str, after_id: u64) -> Result<Vec<u64>> {
        let mut st = self.conn.prepare_cached(
            "SELECT DISTINCT epoch FROM receipts
             WHERE model_id = ?1 AND operator = ?2 AND receipt_id BETWEEN ?3 AND ?4",
        )?;
        let mut out = vec![];
        for (lo, hi) in stored_ranges(after_id.saturating_add(1), u64::MAX) {
            let rows = st.query_map(params![model_id as i64, operator, lo, hi], |r| r.get::<_, i64>(0))?;
            for e in rows {
                out.push(e? as u64);
            }
        }
        if after_id == u64::MAX {
            out.clear();
        }
        out.sort_unstable();
        out.dedup();
        Ok(out)
    }

    /// The receipts held for (model, operator) of `epoch` with ids above `after_id`, in
    /// the order of [`Store::receipts`] (the `receipts_by_epoch` index).
    pub fn receipts_of_epoch_after(
        &self,
        model_id: u64,
        operator: &str,
        epoch: u64,
        after_id: u64,
    ) -> Result<Vec<SignedReceipt>> {
        if after_id == u64::MAX {
            return Ok(vec![]);
        }
        let mut st = self.conn.prepare_cached(
            "SELECT signed FROM receipts
             WHERE model_id = ?1 AND operator = ?2 AND epoch = ?3 AND receipt_id BETWEEN ?4 AND ?5
             ORDER BY receipt_id, received_at, rowid",
        )?;
        let mut out = vec![];
        for (lo, hi) in stored_ranges(after_id + 1, u64::MAX) {
            let rows = st.query_map(params![model_id as i64, operator, epoch as i64, lo, hi], |row| {
                row.get::<_, String>(0)
            })?;
            for j in rows {
                out.push(serde_json::from_str(&j?)?);
            }
        }
        Ok(out)
    }

    /// Remembers that the oracle registered `key` for `operator` (kept after a rotation:
    /// receipts signed before it stay valid evidence).
    pub fn add_key(&self, operator: &str, key: &[u8]) -> Result<()> {
        self.conn.execute(
            "INSERT OR IGNORE INTO operator_keys (operator, key, first_seen) VALUES (?1, ?2, ?3)",
            params![operator, hex(key), now()],
        )?;
        Ok(())
    }

    /// Every key seen registered, per operator, oldest first.
    pub fn keys(&self) -> Result<Vec<(String, Vec<u8>)>> {
        let mut st = self
            .conn
            .prepare("SELECT operator, key FROM operator_keys ORDER BY first_seen, rowid")?;
        let rows = st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        rows.map(|r| {
            let (op, key) = r?;
            Ok((
                op,
                unhex(&key).ok_or_else(|| anyhow::anyhow!("bad key hex {key}"))?,
            ))
        })
        .collect()
    }

    /// Every batch up to this sequence is closed and checked (0 before the first).
    pub fn closed_through(&self, model_id: u64, operator: &str) -> Result<u64> {
        Ok(self
            .conn
            .query_row(
                "SELECT closed_through FROM progress WHERE model_id = ?1 AND operator = ?2",
                params![model_id as i64, operator],
                |row| row.get::<_, i64>(0),
            )
            .optional()?
            .unwrap_or(0) as u64)
    }

    pub fn set_closed_through(&self, model_id: u64, operator: &str, seq: u64) -> Result<()> {
        self.conn.execute(
            "INSERT INTO progress (model_id, operator, closed_through) VALUES (?1, ?2, ?3)
             ON CONFLICT (model_id, operator) DO UPDATE SET closed_through = MAX(closed_through, ?3)",
            params![model_id as i64, operator, seq as i64],
        )?;
        Ok(())
    }

    /// Records a check of a batch. A batch checked again keeps one row: its latest verdict
    /// while it was pending (a closed batch's check only updates its status).
    pub fn record_check(&self, b: &CheckedBatch) -> Result<()> {
        self.conn.execute(
            "INSERT INTO batches
             (model_id, operator, seq, epoch, first_id, last_id, verdict, note, status, checks, checked_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 1, ?10)
             ON CONFLICT (model_id, operator, seq) DO UPDATE SET
               verdict = CASE WHEN ?7 = 'closed' THEN verdict ELSE ?7 END,
               note = CASE WHEN ?7 = 'closed' THEN note ELSE ?8 END,
               status = ?9, checks = checks + 1, checked_at = ?10",
            params![
                b.model_id as i64,
                b.operator,
                b.seq as i64,
                b.epoch as i64,
                b.first_id as i64,
                b.last_id as i64,
                b.verdict,
                b.note,
                b.status,
                now()
            ],
        )?;
        Ok(())
    }

    /// Every batch checked, by (model, operator, seq).
    pub fn checked_batches(&self) -> Result<Vec<CheckedBatch>> {
        let mut st = self.conn.prepare(
            "SELECT model_id, operator, seq, epoch, first_id, last_id, verdict, note, status, checks
             FROM batches ORDER BY model_id, operator, seq",
        )?;
        let rows = st.query_map([], |r| {
            Ok(CheckedBatch {
                model_id: r.get::<_, i64>(0)? as u64,
                operator: r.get(1)?,
                seq: r.get::<_, i64>(2)? as u64,
                epoch: r.get::<_, i64>(3)? as u64,
                first_id: r.get::<_, i64>(4)? as u64,
                last_id: r.get::<_, i64>(5)? as u64,
                verdict: r.get(6)?,
                note: r.get(7)?,
                status: r.get(8)?,
                checks: r.get::<_, i64>(9)? as u64,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Claims the filing of `action` on (model, operator, seq) before it is sent. False
    /// when it was sent before, is claimed now, or was refused `MAX_ATTEMPTS` times: the
    /// caller must not send it.
    pub fn claim(&self, model_id: u64, operator: &str, seq: u64, action: &Action) -> Result<bool> {
        let key = (
            action.kind.as_str(),
            model_id as i64,
            operator,
            seq as i64,
            action.receipt_id.unwrap_or(0) as i64,
        );
        let msg = serde_json::to_string(&action.msg)?;
        let inserted = self.conn.execute(
            "INSERT OR IGNORE INTO filings (kind, model_id, operator, seq, receipt_id, msg, outcome, attempts, filed_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'claimed', 1, ?7)",
            params![key.0, key.1, key.2, key.3, key.4, msg, now()],
        )?;
        if inserted == 1 {
            return Ok(true);
        }
        let retried = self.conn.execute(
            "UPDATE filings SET outcome = 'claimed', attempts = attempts + 1, filed_at = ?6
             WHERE kind = ?1 AND model_id = ?2 AND operator = ?3 AND seq = ?4 AND receipt_id = ?5
               AND outcome = 'failed' AND attempts < ?7",
            params![key.0, key.1, key.2, key.3, key.4, now(), MAX_ATTEMPTS],
        )?;
        Ok(retried == 1)
    }

    /// The error of a filing's last failed send (`interrupted` after a crash), if any.
    pub fn last_error(
        &self,
        model_id: u64,
        operator: &str,
        seq: u64,
        action: &Action,
    ) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row(
                "SELECT error FROM filings
                 WHERE kind = ?1 AND model_id = ?2 AND operator = ?3 AND seq = ?4 AND receipt_id = ?5
                   AND outcome = 'failed'",
                params![
                    action.kind.as_str(),
                    model_id as i64,
                    operator,
                    seq as i64,
                    action.receipt_id.unwrap_or(0) as i64
                ],
                |r| r.get::<_, Option<String>>(0),
            )
            .optional()?
            .flatten())
    }

    /// Records a filing found on the chain although its send was not seen to succeed.
    pub fn mark_sent(&self, model_id: u64, operator: &str, seq: u64, action: &Action) -> Result<()> {
        self.conn.execute(
            "UPDATE filings SET outcome = 'sent', error = NULL
             WHERE kind = ?1 AND model_id = ?2 AND operator = ?3 AND seq = ?4 AND receipt_id = ?5",
            params![
                action.kind.as_str(),
                model_id as i64,
                operator,
                seq as i64,
                action.receipt_id.unwrap_or(0) as i64
            ],
        )?;
        Ok(())
    }

    /// Records the result of sending a claimed filing. A late omission the chain took is
    /// won at once (the operator is slashed in that transaction); a refusal that is not
    /// final gives its attempt back ([`Refusal`]); an inclusion request found on the chain
    /// already is followed as sent.
    pub fn record_filing(
        &self,
        kind: Kind,
        model_id: u64,
        operator: &str,
        seq: u64,
        receipt_id: Option<u64>,
        result: std::result::Result<(String, u64), String>,
    ) -> Result<()> {
        let (outcome, hash, height, error, refund) = match result {
            Ok((h, ht)) if kind == Kind::LateOmission => ("won", Some(h), Some(ht as i64), None, 0),
            Ok((h, ht)) => ("sent", Some(h), Some(ht as i64), None, 0),
            Err(e) => match Refusal::of(kind, &e) {
                Refusal::AlreadyFiled => ("sent", None, None, Some(e), 1),
                Refusal::NotSent | Refusal::Temporary => ("failed", None, None, Some(e), 1),
                Refusal::Final => ("failed", None, None, Some(e), 0),
            },
        };
        self.conn.execute(
            "UPDATE filings SET outcome = ?6, tx_hash = COALESCE(?7, tx_hash), height = COALESCE(?8, height),
               error = ?9, attempts = attempts - ?10
             WHERE kind = ?1 AND model_id = ?2 AND operator = ?3 AND seq = ?4 AND receipt_id = ?5",
            params![
                kind.as_str(),
                model_id as i64,
                operator,
                seq as i64,
                receipt_id.unwrap_or(0) as i64,
                outcome,
                hash,
                height,
                error,
                refund
            ],
        )?;
        Ok(())
    }

    /// Sets the outcome of the sent filings on a batch (`won` when the batch was voided
    /// on the auditor's proof, `closed` otherwise); with `kind`, of that kind only.
    pub fn settle(
        &self,
        model_id: u64,
        operator: &str,
        seq: u64,
        kind: Option<Kind>,
        outcome: &str,
    ) -> Result<usize> {
        Ok(self.conn.execute(
            "UPDATE filings SET outcome = ?4
             WHERE model_id = ?1 AND operator = ?2 AND seq = ?3 AND outcome = 'sent'
               AND (?5 IS NULL OR kind = ?5)",
            params![
                model_id as i64,
                operator,
                seq as i64,
                outcome,
                kind.map(Kind::as_str)
            ],
        )?)
    }

    /// The auditor's inclusion requests on one batch still open (sent, not settled).
    pub fn open_inclusions_on(&self, model_id: u64, operator: &str, seq: u64) -> Result<usize> {
        Ok(self.conn.query_row(
            "SELECT COUNT(*) FROM filings WHERE kind = 'request_inclusion' AND outcome IN ('sent', 'claimed')
               AND model_id = ?1 AND operator = ?2 AND seq = ?3",
            params![model_id as i64, operator, seq as i64],
            |r| r.get::<_, i64>(0),
        )? as usize)
    }

    /// Sent inclusion requests not yet settled: (model, operator, seq, receipt id).
    pub fn open_inclusions(&self) -> Result<Vec<(u64, String, u64, u64)>> {
        let mut st = self.conn.prepare(
            "SELECT model_id, operator, seq, receipt_id FROM filings
             WHERE kind = 'request_inclusion' AND outcome = 'sent' ORDER BY filed_at",
        )?;
        let rows = st.query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)? as u64,
                r.get(1)?,
                r.get::<_, i64>(2)? as u64,
                r.get::<_, i64>(3)? as u64,
            ))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn filings(&self) -> Result<Vec<Filing>> {
        let mut st = self.conn.prepare(
            "SELECT kind, model_id, operator, seq, receipt_id, outcome, tx_hash, height, error, attempts
             FROM filings ORDER BY filed_at, rowid",
        )?;
        let rows = st.query_map([], |r| {
            Ok(Filing {
                kind: r.get(0)?,
                model_id: r.get::<_, i64>(1)? as u64,
                operator: r.get(2)?,
                seq: r.get::<_, i64>(3)? as u64,
                receipt_id: r.get::<_, i64>(4)? as u64,
                outcome: r.get(5)?,
                tx_hash: r.get(6)?,
                height: r.get::<_, Option<i64>>(7)?.map(|h| h as u64),
                error: r.get(8)?,
                attempts: r.get(9)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn totals(&self) -> Result<Totals> {
        let one =
            |sql: &str| -> Result<u64> { Ok(self.conn.query_row(sql, [], |r| r.get::<_, i64>(0))? as u64) };
        let mut verdicts = self
            .conn
            .prepare("SELECT verdict, COUNT(*) FROM batches GROUP BY verdict ORDER BY verdict")?;
        let verdicts = verdicts
            .query_map([], |r| Ok((r.get(0)?, r.get::<_, i64>(1)? as u64)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut filings = self.conn.prepare(
            "SELECT kind, outcome, COUNT(*) FROM filings GROUP BY kind, outcome ORDER BY kind, outcome",
        )?;
        let filings = filings
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get::<_, i64>(2)? as u64)))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(Totals {
            receipts_held: one("SELECT COUNT(*) FROM receipts")?,
            batches_checked: one("SELECT COUNT(*) FROM batches")?,
            verdicts,
            filings,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checker::{check_batch, Leaves};
    use crate::testing::{sign, signer};
    use attrib_std::receipts::Receipt;

    fn receipt(id: u64) -> SignedReceipt {
        sign(
            &signer(),
            Receipt {
                chain_id: "c".into(),
                contract: "o".into(),
                model_id: 1,
                epoch: 0,
                receipt_id: id,
                units: 2,
                timestamp: 9,
            },
        )
    }

    fn inclusion(id: u64) -> Action {
        let s = receipt(id);
        let at = attrib_receipt_oracle::msg::BatchRef {
            model_id: 1,
            operator: "op".into(),
            seq: 1,
        };
        Action {
            kind: Kind::RequestInclusion,
            receipt_id: Some(id),
            msg: attrib_cli::proofs::request_inclusion(at, &s),
        }
    }

    fn receipt_of(id: u64, epoch: u64, units: u64) -> SignedReceipt {
        let mut r = receipt(id).receipt;
        r.epoch = epoch;
        r.units = units;
        sign(&signer(), r)
    }

    fn ids(rs: &[SignedReceipt]) -> Vec<(u64, u64)> {
        rs.iter()
            .map(|s| (s.receipt.receipt_id, s.receipt.units))
            .collect()
    }

    /// A pass reads a batch's range, not every receipt held: the range is inclusive at
    /// both ends, keeps every copy of an id in arrival order, leaves other models and
    /// operators out, and is an index search (not a scan of the table).
    #[test]
    fn a_batch_range_reads_only_the_receipts_held_in_it_by_index() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(&dir.path().join("a.db")).unwrap();
        for id in 1..=20 {
            s.add_receipt("op", "02ab", &receipt_of(id, 0, 2)).unwrap();
        }
        // A second, differing copy of 7 (kept beside the first), another operator's 8.
        s.add_receipt("op", "02ab", &receipt_of(7, 0, 3)).unwrap();
        s.add_receipt("other", "02ab", &receipt_of(8, 0, 2)).unwrap();
        assert_eq!(
            ids(&s.receipts_in(1, "op", 5, 8).unwrap()),
            vec![(5, 2), (6, 2), (7, 2), (7, 3), (8, 2)]
        );
        assert!(s.receipts_in(2, "op", 1, 20).unwrap().is_empty(), "another model");
        assert!(s.receipts_in(1, "op", 21, u64::MAX).unwrap().is_empty());
        assert!(s.receipts_in(1, "op", 9, 8).unwrap().is_empty(), "an empty range");
        assert_eq!(s.receipts_in(1, "op", 0, u64::MAX).unwrap().len(), 21);
        let plan: Vec<String> = s
            .conn
            .prepare(
                "EXPLAIN QUERY PLAN SELECT signed FROM receipts
                 WHERE model_id = ?1 AND operator = ?2 AND receipt_id BETWEEN ?3 AND ?4
                 ORDER BY receipt_id, received_at, rowid",
            )
            .unwrap()
            .query_map(params![1, "op", 5, 8], |r| r.get::<_, String>(3))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert!(
            plan.iter().any(|p| p.starts_with("SEARCH receipts USING INDEX")
                && p.contains("receipt_id>? AND receipt_id<?")),
            "{plan:?}"
        );
    }

    /// Ids above i64::MAX are stored negative: a range across 2^63 still finds them, in
    /// id order, and a range below leaves them out.
    #[test]
    fn ids_above_i64_max_are_in_their_ranges() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(&dir.path().join("a.db")).unwrap();
        let top = [5, (1 << 63) - 1, 1 << 63, u64::MAX];
        for id in top {
            s.add_receipt("op", "02ab", &receipt_of(id, 0, 1)).unwrap();
        }
        let got = |a, b| -> Vec<u64> {
            ids(&s.receipts_in(1, "op", a, b).unwrap())
                .iter()
                .map(|x| x.0)
                .collect()
        };
        assert_eq!(got(0, u64::MAX), top.to_vec());
        assert_eq!(got(6, 1 << 63), vec![(1 << 63) - 1, 1 << 63]);
        assert_eq!(got(1 << 63, u64::MAX), vec![1 << 63, u64::MAX]);
        assert_eq!(got(0, 5), vec![5]);
    }

    /// Late omissions read the epochs held beyond the cursor, then only those epochs'
    /// receipts beyond it.
    #[test]
    fn receipts_beyond_the_cursor_are_read_by_epoch() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(&dir.path().join("a.db")).unwrap();
        for (id, epoch) in [(1, 0), (2, 0), (3, 1), (4, 1), (5, 2), (6, 1)] {
            s.add_receipt("op", "02ab", &receipt_of(id, epoch, 1)).unwrap();
        }
        s.add_receipt("other", "02ab", &receipt_of(9, 7, 1)).unwrap();
        assert_eq!(s.epochs_after(1, "op", 0).unwrap(), vec![0, 1, 2]);
        assert_eq!(s.epochs_after(1, "op", 2).unwrap(), vec![1, 2]);
        assert_eq!(s.epochs_after(1, "op", 6).unwrap(), Vec::<u64>::new());
        assert_eq!(s.epochs_after(1, "op", u64::MAX).unwrap(), Vec::<u64>::new());
        let of = |e, after| -> Vec<u64> {
            ids(&s.receipts_of_epoch_after(1, "op", e, after).unwrap())
                .iter()
                .map(|x| x.0)
                .collect()
        };
        assert_eq!(of(1, 3), vec![4, 6]);
        assert_eq!(of(1, 0), vec![3, 4, 6]);
        assert_eq!(of(0, 2), Vec::<u64>::new());
        assert_eq!(of(7, 0), Vec::<u64>::new(), "another operator's epoch");
    }

    #[test]
    fn receipts_survive_a_restart_and_the_same_receipt_is_kept_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.db");
        {
            let s = Store::open(&path).unwrap();
            assert!(s.add_receipt("op", "02ab", &receipt(2)).unwrap());
            assert!(s.add_receipt("op", "02ab", &receipt(1)).unwrap());
            assert!(!s.add_receipt("op", "02ab", &receipt(1)).unwrap());
        }
        let s = Store::open(&path).unwrap();
        let held = s.receipts(1, "op").unwrap();
        assert_eq!(
            held.iter().map(|r| r.receipt.receipt_id).collect::<Vec<_>>(),
            vec![1, 2]
        );
        assert_eq!(held[0], receipt(1));
        assert!(s.receipts(1, "other").unwrap().is_empty());
        assert_eq!(s.totals().unwrap().receipts_held, 2);
    }

    #[test]
    fn a_store_keyed_by_receipt_id_alone_is_migrated_with_its_receipts() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.db");
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(
                "CREATE TABLE receipts (model_id INTEGER NOT NULL, operator TEXT NOT NULL,
                 receipt_id INTEGER NOT NULL, epoch INTEGER NOT NULL, units INTEGER NOT NULL,
                 signed TEXT NOT NULL, verified_key TEXT NOT NULL, received_at INTEGER NOT NULL,
                 PRIMARY KEY (model_id, operator, receipt_id));",
            )
            .unwrap();
            conn.execute(
                "INSERT INTO receipts VALUES (1, 'op', 2, 0, 2, ?1, '02ab', 5)",
                [serde_json::to_string(&receipt(2)).unwrap()],
            )
            .unwrap();
        }
        let s = Store::open(&path).unwrap();
        assert_eq!(s.receipts(1, "op").unwrap(), vec![receipt(2)]);
        assert!(!s.add_receipt("op", "02ab", &receipt(2)).unwrap(), "held already");
        let other = sign(
            &signer(),
            Receipt {
                units: 9,
                ..receipt(2).receipt
            },
        );
        assert!(
            s.add_receipt("op", "02ab", &other).unwrap(),
            "another copy of id 2"
        );
        assert_eq!(s.receipts(1, "op").unwrap().len(), 2);
    }

    #[test]
    fn a_restart_never_files_a_sent_filing_twice() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.db");
        let a = inclusion(3);
        {
            let s = Store::open(&path).unwrap();
            assert!(s.claim(1, "op", 1, &a).unwrap());
            assert!(!s.claim(1, "op", 1, &a).unwrap(), "claimed already");
            s.record_filing(a.kind, 1, "op", 1, Some(3), Ok(("ABC".into(), 42)))
                .unwrap();
        }
        let s = Store::open(&path).unwrap();
        assert!(!s.claim(1, "op", 1, &a).unwrap(), "sent before the restart");
        assert_eq!(s.open_inclusions().unwrap(), vec![(1, "op".to_string(), 1, 3)]);
        let f = &s.filings().unwrap()[0];
        assert_eq!(
            (f.outcome.as_str(), f.tx_hash.as_deref(), f.height),
            ("sent", Some("ABC"), Some(42))
        );
        assert_eq!(
            s.settle(1, "op", 1, Some(Kind::RequestInclusion), "won").unwrap(),
            1
        );
        assert!(s.open_inclusions().unwrap().is_empty());
        assert_eq!(
            s.totals().unwrap().filings,
            vec![("request_inclusion".to_string(), "won".to_string(), 1)]
        );
    }

    #[test]
    fn a_claim_a_crash_left_unrecorded_is_tried_again_after_the_restart() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.db");
        let a = inclusion(6);
        {
            let s = Store::open(&path).unwrap();
            assert!(s.claim(1, "op", 1, &a).unwrap());
        }
        let s = Store::open(&path).unwrap();
        let f = &s.filings().unwrap()[0];
        assert_eq!(
            (f.outcome.as_str(), f.error.as_deref()),
            ("failed", Some("interrupted"))
        );
        assert!(s.claim(1, "op", 1, &a).unwrap());
        assert_eq!(s.filings().unwrap()[0].attempts, 2);
    }

    #[test]
    fn a_refused_filing_is_tried_again_a_bounded_number_of_times() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(&dir.path().join("a.db")).unwrap();
        let a = inclusion(4);
        for _ in 0..MAX_ATTEMPTS {
            assert!(s.claim(1, "op", 1, &a).unwrap());
            s.record_filing(
                a.kind,
                1,
                "op",
                1,
                Some(4),
                Err(
                    "transaction failed at height 9 (gas 1/2): receipt id 4 is outside the batch's range 5-9"
                        .into(),
                ),
            )
            .unwrap();
        }
        assert!(!s.claim(1, "op", 1, &a).unwrap());
        assert_eq!(s.filings().unwrap()[0].attempts, MAX_ATTEMPTS);
        // Another receipt of the same batch is another filing.
        assert!(s.claim(1, "op", 1, &inclusion(5)).unwrap());
    }

    #[test]
    fn progress_survives_a_restart_and_never_goes_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.db");
        {
            let s = Store::open(&path).unwrap();
            assert_eq!(s.closed_through(1, "op").unwrap(), 0);
            s.set_closed_through(1, "op", 3).unwrap();
            s.set_closed_through(1, "op", 2).unwrap();
            let all: Vec<_> = (1..=3).map(receipt).collect();
            let c = check_batch(&batch(&all), &Leaves::Unavailable("404".into()), &all);
            s.record_check(&CheckedBatch {
                model_id: 1,
                operator: "op".into(),
                seq: 4,
                epoch: 0,
                first_id: 1,
                last_id: 3,
                verdict: c.verdict.as_str().into(),
                note: c.note,
                status: "pending".into(),
                checks: 0,
            })
            .unwrap();
        }
        let s = Store::open(&path).unwrap();
        assert_eq!(s.closed_through(1, "op").unwrap(), 3);
        let b = &s.checked_batches().unwrap()[0];
        assert_eq!((b.seq, b.verdict.as_str(), b.checks), (4, "unavailable", 1));
        assert_eq!(s.totals().unwrap().verdicts, vec![("unavailable".to_string(), 1)]);
    }

    /// Review (attacker): the receipts table keys on (model, operator, receipt id) and
    /// keeps the first copy. The operator knows every id it signs and can forward its own
    /// copy of each (signed by itself, so it verifies) matching the leaf it will post,
    /// before the user does: the user's real receipt is then dropped as a "duplicate" and
    /// the altered batch looks honest. Two different receipts the operator signed for one
    /// id must both be kept (each is checked against the leaf).
    #[test]
    fn a_second_receipt_the_operator_signed_for_a_held_id_is_kept_and_proves_the_alteration() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(&dir.path().join("a.db")).unwrap();
        let leaves: Vec<_> = (1..=3).map(receipt).collect();
        // The operator's own copy of id 2 (the one it posts) reaches the auditor first.
        assert!(s.add_receipt("op", "02ab", &leaves[1]).unwrap());
        // The user's copy of id 2: what the operator really signed and served (9 units).
        let users = sign(
            &signer(),
            Receipt {
                units: 9,
                ..leaves[1].receipt.clone()
            },
        );
        s.add_receipt("op", "02ab", &users).unwrap();
        let held = s.receipts(1, "op").unwrap();
        assert!(
            held.contains(&users),
            "the user's receipt was dropped as a duplicate: {held:?}"
        );
        let c = check_batch(&batch(&leaves), &Leaves::Published(leaves.clone()), &held);
        assert_eq!(c.verdict, crate::checker::Verdict::Fraud, "{}", c.note);
    }

    /// Review (attacker): every error of a send counts as one of `MAX_ATTEMPTS` refusals,
    /// including ones where nothing reached the chain (node unreachable, broadcast refused
    /// for fees or sequence, inclusion timeout) and the chain's "not late" during a pause.
    /// Three such blocks in a row and a valid proof is never filed again: the batch
    /// finalizes. A filing that never reached the chain must not use up its attempts.
    #[test]
    fn a_filing_that_never_reached_the_chain_keeps_being_tried() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(&dir.path().join("a.db")).unwrap();
        let a = inclusion(4);
        for _ in 0..MAX_ATTEMPTS {
            assert!(s.claim(1, "op", 1, &a).unwrap());
            s.record_filing(
                a.kind,
                1,
                "op",
                1,
                Some(4),
                Err("cannot reach http://127.0.0.1:26657: connection refused".into()),
            )
            .unwrap();
        }
        assert!(
            s.claim(1, "op", 1, &a).unwrap(),
            "a proof that never reached the chain was abandoned after {MAX_ATTEMPTS} blocks"
        );
    }

    /// Review (attacker): the oracle refuses a request while `max_inclusion_requests` are
    /// open on the batch; slots free as the operator answers. An operator that fills every
    /// slot with requests of its own (receipts it signed itself) and answers them just
    /// before `inclusion_response_secs` gets the auditor's genuine request refused on three
    /// consecutive blocks: the auditor never asks again, and the batch whose leaves are
    /// withheld finalizes. (The same for a late omission refused as "not late" while a
    /// pause holds the deadline back for more than three blocks.) A refusal that a later
    /// block can lift must be tried again while the batch is pending.
    #[test]
    fn an_inclusion_request_refused_while_the_operator_holds_every_slot_is_tried_again() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(&dir.path().join("a.db")).unwrap();
        let a = inclusion(4);
        for _ in 0..MAX_ATTEMPTS {
            assert!(s.claim(1, "op", 1, &a).unwrap());
            s.record_filing(
                a.kind,
                1,
                "op",
                1,
                Some(4),
                Err("transaction failed at height 90 (gas 1/2): batch 1 already has 3 inclusion requests open".into()),
            )
            .unwrap();
        }
        assert!(
            s.claim(1, "op", 1, &a).unwrap(),
            "the genuine request was abandoned while the operator held the slots"
        );
    }

    /// Review: a request that reached the chain before a crash (claimed, not recorded) is
    /// marked `failed: interrupted` at the restart and sent again; the chain refuses it as
    /// existing, so it stays `failed` and `open_inclusions` never lists it: the auditor
    /// never follows or expires its own request (nor wins it). The same after a send that
    /// timed out waiting for its block but landed later.
    #[test]
    fn an_inclusion_request_that_landed_before_a_crash_is_still_followed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.db");
        let a = inclusion(6);
        {
            let s = Store::open(&path).unwrap();
            assert!(s.claim(1, "op", 1, &a).unwrap());
            // The tx is in a block; the process dies before recording it.
        }
        let s = Store::open(&path).unwrap();
        assert!(s.claim(1, "op", 1, &a).unwrap());
        s.record_filing(
            a.kind,
            1,
            "op",
            1,
            Some(6),
            Err(
                "transaction refused by the node: receipt 6 already has an inclusion request on batch 1"
                    .into(),
            ),
        )
        .unwrap();
        assert_eq!(
            s.open_inclusions().unwrap(),
            vec![(1, "op".to_string(), 1, 6)],
            "the auditor's own request on the chain is no longer followed"
        );
    }

    fn batch(leaves: &[SignedReceipt]) -> attrib_receipt_oracle::state::Batch {
        let c = attrib_cli::proofs::tree_of(leaves).unwrap().commitment();
        attrib_receipt_oracle::state::Batch {
            model_id: 1,
            operator: cosmwasm_std::Addr::unchecked("op"),
            seq: 4,
            epoch: 0,
            first_id: 1,
            last_id: leaves.len() as u64,
            count: c.count,
            total_units: c.total.into(),
            root: c.root.to_vec().into(),
            posted_at: 0,
            replaces: None,
            status: attrib_receipt_oracle::state::BatchStatus::Pending,
            charge: 0u128.into(),
            prior_units: 0u128.into(),
            proven_units: 0u128.into(),
            replaced_by: None,
            counted: true,
            late: false,
        }
    }
}
