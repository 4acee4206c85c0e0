#!/usr/bin/env python3
"""The test harness's hand in a meter's SQLite store: an operator made to cheat from
outside the meter, never by a switch of the meter itself. Used by the services test
(packages/attrib-auditor/tests/e2e_services.rs) and by the demo (scripts/demo.sh).

    meter_tamper.py drop DB MODEL RECEIPT   the acknowledged receipt's row moves to a table
                                            of the harness's own (harness_dropped, with
                                            whatever columns the meter's schema has): the
                                            next batch of that range leaves it out
    meter_tamper.py put-back DB             the dropped row goes back: the store is honest
                                            again (the meter's replacement of the voided
                                            batch, rebuilt from the store, holds it)
    meter_tamper.py put-back DB --after-verdict AUDITOR SEQ SECS
                                            the same, as soon as the auditor at URL AUDITOR
                                            has judged batch SEQ of the dropped receipt's
                                            model and of the store's operator (its GET
                                            /v1/report): it holds the batch's leaves then,
                                            and the meter reads the store for the
                                            replacement only once the proof is on chain
                                            (polled every 50 ms; fails after SECS seconds)

Each edit is one transaction and must touch exactly one row, else it changes nothing and
exits 1. Prints what it did as JSON."""
import json
import sqlite3
import sys
import time
import urllib.request


def connect(db):
    # The meter writes concurrently (WAL): wait for its locks rather than fail.
    c = sqlite3.connect(db, timeout=10, isolation_level=None)
    c.execute("PRAGMA busy_timeout = 10000")
    return c


def drop(db, model, receipt):
    c = connect(db)
    c.execute("BEGIN IMMEDIATE")
    try:
        c.execute(
            "CREATE TABLE harness_dropped AS SELECT * FROM receipts WHERE model_id = ? AND receipt_id = ?",
            (model, receipt),
        )
        n = c.execute("DELETE FROM receipts WHERE model_id = ? AND receipt_id = ?", (model, receipt)).rowcount
        if n != 1:
            raise SystemExit(f"meter_tamper: receipt {receipt} of model {model} is not in {db} ({n} rows)")
        c.execute("COMMIT")
    except BaseException:
        c.execute("ROLLBACK")
        raise
    return {"dropped": {"model_id": model, "receipt_id": receipt}}


def put_back(db):
    c = connect(db)
    c.execute("BEGIN IMMEDIATE")
    try:
        row = c.execute("SELECT model_id, receipt_id FROM harness_dropped").fetchall()
        n = c.execute("INSERT INTO receipts SELECT * FROM harness_dropped").rowcount
        if n != 1:
            raise SystemExit(f"meter_tamper: {n} rows to put back in {db}, not 1")
        c.execute("DROP TABLE harness_dropped")
        c.execute("COMMIT")
    except BaseException:
        c.execute("ROLLBACK")
        raise
    return {"put_back": {"model_id": row[0][0], "receipt_id": row[0][1]}}


def dropped_batch_owner(db):
    """The model of the dropped receipt, and the operator the meter's store was recorded
    for (its `meta` table; None in a store from before it had one)."""
    c = connect(db)
    model = c.execute("SELECT model_id FROM harness_dropped").fetchone()[0]
    try:
        row = c.execute("SELECT value FROM meta WHERE key = 'operator'").fetchone()
    except sqlite3.OperationalError:
        row = None
    return model, row[0] if row else None


def wait_verdict(auditor, model, operator, seq, secs):
    """Waits until the auditor's report has a verdict other than `unavailable` on batch
    `seq` of `model` (and of `operator`, unless None): the verdict is recorded after its
    leaves are held, before it files. Another model's (or operator's) batch of that seq
    is not the one."""
    end = time.monotonic() + secs
    while time.monotonic() < end:
        try:
            with urllib.request.urlopen(f"{auditor}/v1/report", timeout=5) as r:
                report = json.load(r)
            for b in report["batches"]:
                if (
                    b["model_id"] == model
                    and b["seq"] == seq
                    and operator in (None, b["operator"])
                    and b["verdict"] in ("fraud", "honest")
                ):
                    return b["verdict"]
        except (OSError, ValueError, KeyError):
            pass
        time.sleep(0.05)
    raise SystemExit(
        f"meter_tamper: no verdict of the auditor at {auditor} on batch {seq} of model {model} after {secs}s"
    )


def main(argv):
    try:
        if len(argv) == 5 and argv[1] == "drop":
            out = drop(argv[2], int(argv[3]), int(argv[4]))
        elif len(argv) == 3 and argv[1] == "put-back":
            out = put_back(argv[2])
        elif len(argv) == 7 and argv[1] == "put-back" and argv[3] == "--after-verdict":
            model, operator = dropped_batch_owner(argv[2])
            verdict = wait_verdict(argv[4], model, operator, int(argv[5]), float(argv[6]))
            out = put_back(argv[2]) | {"after_verdict": verdict}
        else:
            raise SystemExit(__doc__)
    except sqlite3.Error as e:
        raise SystemExit(f"meter_tamper: {argv[1]} in {argv[2]}: {e}")
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv)
