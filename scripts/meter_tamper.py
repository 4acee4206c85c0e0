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

Each edit is one transaction and must touch exactly one row, else it changes nothing and
exits 1. Prints what it did as JSON."""
import json
import sqlite3
import sys


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


def main(argv):
    try:
        if len(argv) == 5 and argv[1] == "drop":
            out = drop(argv[2], int(argv[3]), int(argv[4]))
        elif len(argv) == 3 and argv[1] == "put-back":
            out = put_back(argv[2])
        else:
            raise SystemExit(__doc__)
    except sqlite3.Error as e:
        raise SystemExit(f"meter_tamper: {argv[1]} in {argv[2]}: {e}")
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv)
