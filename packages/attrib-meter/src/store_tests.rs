//! The [`Store`] contract, written once and run on every backend: on SQLite always, on
//! PostgreSQL when ATTRIB_TEST_PG_URL names a server (scripts/meter-pg.sh starts one),
//! each test in a schema of its own. A test gets `open`, which opens another handle on
//! the same store (the meter opens a writer's and a reader's).

use attrib_std::receipts::{Receipt, SignedReceipt};
use cosmwasm_std::{HexBinary, Uint128};

use super::*;

type Open<'a> = &'a dyn Fn() -> Box<dyn Store>;

pub(crate) fn receipt(model_id: u64, receipt_id: u64, request_id: &str) -> StoredReceipt {
    StoredReceipt {
        client: "gateway".into(),
        request_id: request_id.into(),
        reference: Some(format!("ref-{request_id}")),
        signed: SignedReceipt {
            receipt: Receipt {
                chain_id: "attrib-test".into(),
                contract: "wasm1oracle".into(),
                model_id,
                epoch: 3,
                receipt_id,
                units: receipt_id % 1000 + 1,
                timestamp: 1_700_000_000 + receipt_id % 1000,
            },
            signature: HexBinary::from(vec![receipt_id as u8; 64]),
        },
    }
}

fn batch(model_id: u64, seq: u64, first_id: u64, last_id: u64, state: BatchState) -> BatchRecord {
    BatchRecord {
        model_id,
        seq,
        epoch: 3,
        first_id,
        last_id,
        count: last_id - first_id + 1,
        total_units: Uint128::new(1_000 + seq as u128),
        root: HexBinary::from(vec![seq as u8; 32]),
        replaces: None,
        state,
    }
}

fn receipts(model_id: u64, ids: std::ops::RangeInclusive<u64>) -> Vec<Write> {
    ids.map(|i| Write::Receipt(receipt(model_id, i, &format!("m{model_id}-r{i}"))))
        .collect()
}

fn ids(rs: &[SignedReceipt]) -> Vec<u64> {
    rs.iter().map(|r| r.receipt.receipt_id).collect()
}

fn seqs(bs: &[BatchRecord]) -> Vec<(u64, u64)> {
    bs.iter().map(|b| (b.model_id, b.seq)).collect()
}

fn receipts_are_kept_and_found_by_request(open: Open) {
    let s = open();
    assert_eq!(s.max_receipt_id(1).unwrap(), 0, "an empty store");
    let mut anonymous = receipt(2, 1, "m1-r1");
    anonymous.client = "other-gateway".into();
    anonymous.reference = None;
    let mut writes = receipts(1, 1..=5);
    writes.push(Write::Receipt(anonymous.clone()));
    s.commit(&writes).unwrap();
    // Read back through another handle, field for field.
    let r = open();
    assert_eq!(r.by_request(1, "m1-r3").unwrap(), Some(receipt(1, 3, "m1-r3")));
    // A request id is per model: model 2's "m1-r1" is its own, with its own client.
    assert_eq!(r.by_request(2, "m1-r1").unwrap(), Some(anonymous));
    assert_eq!(r.by_request(1, "unknown").unwrap(), None);
    assert_eq!(r.by_request(3, "m1-r1").unwrap(), None);
    // A group's request ids at once: those found, whatever the order or repeats.
    let mut found = r
        .by_requests(1, &["m1-r4", "nope", "m1-r2", "m1-r4"].map(String::from))
        .unwrap();
    found.sort_by_key(|f| f.signed.receipt.receipt_id);
    found.dedup();
    assert_eq!(found, vec![receipt(1, 2, "m1-r2"), receipt(1, 4, "m1-r4")]);
    assert!(r.by_requests(1, &[]).unwrap().is_empty());
    assert!(r.by_requests(3, &["m1-r1".into()]).unwrap().is_empty());
    assert_eq!(
        (r.max_receipt_id(1).unwrap(), r.max_receipt_id(2).unwrap()),
        (5, 1)
    );
    assert_eq!(r.max_receipt_id(9).unwrap(), 0);
    // Ranges by id, bounded by the limit; the whole receipt comes back.
    assert_eq!(ids(&r.receipts(1, 2, 4, 100).unwrap()), vec![2, 3, 4]);
    assert_eq!(ids(&r.receipts(1, 2, u64::MAX, 2).unwrap()), vec![2, 3]);
    assert_eq!(
        ids(&r.receipts(1, 1, u64::MAX, u64::MAX).unwrap()),
        vec![1, 2, 3, 4, 5]
    );
    assert_eq!(
        r.receipts(1, 4, 4, 1).unwrap(),
        vec![receipt(1, 4, "m1-r4").signed]
    );
    assert!(r.receipts(1, 6, 9, 10).unwrap().is_empty());
    assert!(r.receipts(1, 1, 5, 0).unwrap().is_empty());
    assert_eq!(r.receipt_counts().unwrap(), (6, 6));
}

fn a_failing_group_leaves_nothing(open: Open) {
    let s = open();
    s.commit(&receipts(1, 1..=2)).unwrap();
    let before = (s.receipt_counts().unwrap(), s.batches(1).unwrap());
    // A receipt id taken (in the store, or earlier in the group), a request id taken: the
    // whole group fails, whatever came before the bad write in it.
    let taken_id = Write::Receipt(receipt(1, 2, "fresh-request"));
    let taken_request = Write::Receipt(receipt(1, 9, "m1-r1"));
    let twice = Write::Receipt(receipt(1, 7, "twice"));
    for bad in [
        vec![Write::Receipt(receipt(1, 3, "a")), taken_id],
        vec![taken_request, Write::Receipt(receipt(1, 4, "b"))],
        vec![twice.clone(), twice],
        vec![
            Write::Batch(batch(1, 1, 1, 2, BatchState::Built)),
            Write::Receipt(receipt(1, 3, "c")),
            Write::Receipt(receipt(1, 1, "d")),
        ],
    ] {
        assert!(s.commit(&bad).is_err(), "{bad:?}");
        assert_eq!((s.receipt_counts().unwrap(), s.batches(1).unwrap()), before);
    }
    assert_eq!(s.max_receipt_id(1).unwrap(), 2);
    // The store takes the next good group.
    s.commit(&receipts(1, 3..=3)).unwrap();
    assert_eq!(s.max_receipt_id(1).unwrap(), 3);
}

fn a_batch_is_recorded_once_per_seq_and_its_state_moves(open: Open) {
    let s = open();
    let mut b1 = batch(1, 1, 1, 10, BatchState::Built);
    b1.total_units = Uint128::MAX;
    let mut b2 = batch(1, 2, 11, 20, BatchState::Built);
    b2.replaces = Some(1);
    s.commit(&[Write::Batch(b2.clone()), Write::Batch(b1.clone())])
        .unwrap();
    s.commit(&[Write::Batch(batch(2, 1, 1, 5, BatchState::Posted))])
        .unwrap();
    let r = open();
    assert_eq!(r.batch(1, 1).unwrap(), Some(b1.clone()));
    assert_eq!(r.batch(1, 2).unwrap(), Some(b2.clone()));
    assert_eq!(r.batch(1, 3).unwrap(), None);
    assert_eq!(r.batches(1).unwrap(), vec![b1.clone(), b2.clone()], "by seq");
    // A seq already recorded is refused, never overwritten.
    let other = batch(1, 1, 21, 30, BatchState::Posted);
    assert!(s.commit(&[Write::Batch(other)]).is_err());
    assert_eq!(r.batch(1, 1).unwrap(), Some(b1.clone()));
    s.commit(&[
        Write::BatchState {
            model_id: 1,
            seq: 1,
            state: BatchState::Posted,
        },
        Write::BatchState {
            model_id: 1,
            seq: 2,
            state: BatchState::Final,
        },
        // A state for a batch never recorded changes nothing.
        Write::BatchState {
            model_id: 1,
            seq: 9,
            state: BatchState::Voided,
        },
    ])
    .unwrap();
    assert_eq!(r.batch(1, 1).unwrap().unwrap().state, BatchState::Posted);
    assert_eq!(r.batch(1, 9).unwrap(), None);
    assert_eq!(
        seqs(&r.batches_in(BatchState::Posted).unwrap()),
        vec![(1, 1), (2, 1)]
    );
    assert_eq!(seqs(&r.batches_in(BatchState::Final).unwrap()), vec![(1, 2)]);
    assert!(r.batches_in(BatchState::Built).unwrap().is_empty());
}

fn drop_built_drops_a_built_batch_only(open: Open) {
    let s = open();
    for st in BatchState::ALL {
        let seq = BatchState::ALL.iter().position(|x| *x == st).unwrap() as u64 + 1;
        s.commit(&[Write::Batch(batch(1, seq, seq, seq, st))]).unwrap();
    }
    for seq in 1..=6 {
        s.commit(&[Write::DropBuilt { model_id: 1, seq }]).unwrap();
    }
    let left: Vec<BatchState> = s.batches(1).unwrap().iter().map(|b| b.state).collect();
    assert_eq!(left, BatchState::ALL[1..].to_vec(), "only the built one is gone");
    // A replacement takes the dropped seq in the same group.
    s.commit(&[Write::Batch(batch(1, 9, 1, 2, BatchState::Built))])
        .unwrap();
    let replacement = batch(1, 9, 3, 4, BatchState::Built);
    s.commit(&[
        Write::DropBuilt { model_id: 1, seq: 9 },
        Write::Batch(replacement.clone()),
    ])
    .unwrap();
    assert_eq!(s.batch(1, 9).unwrap(), Some(replacement));
}

/// What the trait's default methods answer (every batch, filtered; receipts by id),
/// counting the receipt rows read.
pub(crate) struct ByScan(Box<dyn Store>, std::sync::atomic::AtomicU64);

impl ByScan {
    pub(crate) fn new(inner: Box<dyn Store>) -> Self {
        Self(inner, Default::default())
    }

    /// The receipt rows read through it so far.
    pub(crate) fn rows_read(&self) -> u64 {
        self.1.load(std::sync::atomic::Ordering::Relaxed)
    }
}

fn what_waits_is_summed_up_from_two_reads(open: Open) {
    let s = open();
    let mut writes = receipts(1, 1..=3000);
    for w in &mut writes[2000..] {
        if let Write::Receipt(r) = w {
            r.signed.receipt.epoch = 4;
        }
    }
    s.commit(&writes).unwrap();
    let scan = ByScan::new(open());
    let span = scan.pending_span(1, 100).unwrap().unwrap();
    assert_eq!(
        span,
        PendingSpan {
            first_id: 101,
            epoch: 3,
            oldest: receipt(1, 101, "").signed.receipt.timestamp,
            last_id: 3000,
            last_epoch: 4,
        }
    );
    assert_eq!(span.waiting(), 2900);
    assert_eq!(
        scan.rows_read(),
        2,
        "the first and the last receipt, not the 2 900 between"
    );
    assert_eq!(scan.pending_span(1, 3000).unwrap(), None, "all batched");
    assert_eq!(scan.pending_span(1, u64::MAX).unwrap(), None);
    assert_eq!(scan.pending_span(2, 0).unwrap(), None, "another model");
    let one = scan.pending_span(1, 2999).unwrap().unwrap();
    assert_eq!(
        (one.first_id, one.epoch, one.last_id, one.waiting()),
        (3000, 4, 3000, 1)
    );
}

fn batches_covering_finds_every_batch_over_an_id(open: Open) {
    let s = open();
    let mut voided = batch(1, 1, 1, 10, BatchState::Voided);
    voided.root = HexBinary::from(vec![0xaa; 32]);
    s.commit(&[
        Write::Batch(voided),
        Write::Batch(batch(1, 2, 11, 20, BatchState::Posted)),
        // The replacement of seq 1 re-posts its ids.
        Write::Batch(batch(1, 3, 1, 10, BatchState::Posted)),
        Write::Batch(batch(2, 1, 1, 50, BatchState::Posted)),
    ])
    .unwrap();
    let covering = |id| seqs(&s.batches_covering(1, id).unwrap());
    assert_eq!(covering(1), vec![(1, 1), (1, 3)]);
    assert_eq!(covering(10), vec![(1, 1), (1, 3)]);
    assert_eq!(covering(11), vec![(1, 2)]);
    assert_eq!(covering(20), vec![(1, 2)]);
    assert!(covering(21).is_empty() && covering(0).is_empty() && covering(u64::MAX).is_empty());
    assert_eq!(carrier(&s.batches_covering(1, 5).unwrap(), 5).unwrap().seq, 3);
    // The indexed query answers as the scan does.
    let scan = ByScan::new(open());
    for id in [0, 1, 5, 10, 11, 15, 20, 21, 50] {
        for m in [1, 2, 3] {
            assert_eq!(
                s.batches_covering(m, id).unwrap(),
                Store::batches_covering(&scan, m, id).unwrap(),
                "model {m} id {id}"
            );
        }
    }
}

fn receipt_counts_count_the_receipts_in_no_batch(open: Open) {
    let s = open();
    assert_eq!(s.receipt_counts().unwrap(), (0, 0));
    let mut writes = receipts(1, 1..=10);
    writes.extend(receipts(2, 1..=4));
    s.commit(&writes).unwrap();
    assert_eq!(s.receipt_counts().unwrap(), (14, 14));
    s.commit(&[Write::Batch(batch(1, 1, 1, 6, BatchState::Built))])
        .unwrap();
    assert_eq!(s.receipt_counts().unwrap(), (14, 8));
    s.commit(&[Write::Batch(batch(2, 1, 1, 4, BatchState::Posted))])
        .unwrap();
    assert_eq!(s.receipt_counts().unwrap(), (14, 4));
    s.commit(&[Write::Batch(batch(1, 2, 7, 8, BatchState::Built))])
        .unwrap();
    assert_eq!(s.receipt_counts().unwrap(), (14, 2));
}

fn writes_apply_in_their_order(open: Open) {
    let s = open();
    let mut group = receipts(1, 1..=3);
    group.push(Write::Batch(batch(1, 1, 1, 3, BatchState::Built)));
    group.extend(receipts(1, 4..=4));
    group.push(Write::BatchState {
        model_id: 1,
        seq: 1,
        state: BatchState::Posted,
    });
    group.extend(receipts(1, 5..=6));
    s.commit(&group).unwrap();
    assert_eq!(ids(&s.receipts(1, 1, 100, 100).unwrap()), vec![1, 2, 3, 4, 5, 6]);
    assert_eq!(s.batch(1, 1).unwrap().unwrap().state, BatchState::Posted);
    // An empty group is a no-op.
    s.commit(&[]).unwrap();
    assert_eq!(s.receipt_counts().unwrap(), (6, 3));
}

fn large_values_round_trip_and_out_of_range_ones_are_refused(open: Open) {
    let s = open();
    let top = i64::MAX as u64;
    let mut big = receipt(top, (1 << 62) - 1, "big");
    big.signed.receipt.units = top;
    big.signed.receipt.epoch = top;
    big.signed.receipt.timestamp = top;
    let largest = BatchRecord {
        total_units: Uint128::MAX,
        ..batch(top, top, (1 << 62) - 1, (1 << 62) - 1, BatchState::Final)
    };
    s.commit(&[Write::Receipt(big.clone()), Write::Batch(largest.clone())])
        .unwrap();
    let r = open();
    assert_eq!(r.by_request(top, "big").unwrap(), Some(big.clone()));
    assert_eq!(r.max_receipt_id(top).unwrap(), (1 << 62) - 1);
    assert_eq!(r.batch(top, top).unwrap(), Some(largest.clone()));
    assert_eq!(r.batches_covering(top, (1 << 62) - 1).unwrap(), vec![largest]);
    assert_eq!(r.receipts(top, 0, u64::MAX, u64::MAX).unwrap(), vec![big.signed]);
    // Above i64::MAX a value is refused, not wrapped; a key there finds nothing.
    let over = top + 1;
    let mut units = receipt(1, 1, "units");
    units.signed.receipt.units = over;
    for bad in [
        Write::Receipt(receipt(over, 1, "model")),
        Write::Receipt(receipt(1, over, "id")),
        Write::Receipt(units),
        Write::Batch(batch(1, over, 1, 1, BatchState::Built)),
        Write::Batch(batch(1, 1, 1, over, BatchState::Built)),
        Write::BatchState {
            model_id: 1,
            seq: over,
            state: BatchState::Final,
        },
        Write::DropBuilt {
            model_id: over,
            seq: 1,
        },
    ] {
        assert!(
            s.commit(&[Write::Receipt(receipt(1, 2, "ok")), bad.clone()])
                .is_err(),
            "{bad:?}"
        );
    }
    assert_eq!(
        r.receipt_counts().unwrap(),
        (1, 0),
        "nothing of the refused groups"
    );
    assert_eq!(r.max_receipt_id(over).unwrap(), 0);
    assert_eq!(r.by_request(over, "model").unwrap(), None);
    assert_eq!(r.batch(over, 1).unwrap(), None);
    assert_eq!(r.batch(1, over).unwrap(), None);
    assert!(r.batches(over).unwrap().is_empty());
    assert!(r.receipts(over, 0, u64::MAX, 10).unwrap().is_empty());
}

/// Review (#7): a range is clamped into the store's i64 range; a first id above it must
/// find nothing, not the receipt at i64::MAX (clamping the lower bound down widened the
/// range below what was asked).
fn a_range_starting_above_the_stores_range_finds_nothing(open: Open) {
    let s = open();
    let top = i64::MAX as u64;
    s.commit(&[
        Write::Receipt(receipt(1, top - 1, "below-top")),
        Write::Receipt(receipt(1, top, "top")),
    ])
    .unwrap();
    assert_eq!(
        ids(&s.receipts(1, top - 1, u64::MAX, 10).unwrap()),
        vec![top - 1, top]
    );
    assert_eq!(ids(&s.receipts(1, top, u64::MAX, 10).unwrap()), vec![top]);
    for first in [top + 1, top + 2, u64::MAX] {
        assert!(
            s.receipts(1, first, u64::MAX, 10).unwrap().is_empty(),
            "from {first}"
        );
    }
    // A first id above the last finds nothing either.
    assert!(s.receipts(1, top, top - 1, 10).unwrap().is_empty());
}

fn owner(operator: &str) -> Owner {
    Owner {
        chain_id: "attrib-test".into(),
        oracle: "wasm1oracle".into(),
        operator: operator.into(),
    }
}

/// Review (#3): a store is recorded for the chain, oracle and operator of the first meter
/// that starts on it; a meter of another is refused with the field and both values, and
/// the record stays the first one's.
fn a_store_belongs_to_the_first_chain_oracle_and_operator_it_served(open: Open) {
    let s = open();
    let mine = owner("wasm1mine");
    claim(&*s, &mine).unwrap();
    // Again, and through another handle (a restart): the same owner starts.
    claim(&*s, &mine).unwrap();
    claim(&*open(), &mine).unwrap();
    let mismatch = |o: &Owner| {
        claim(&*open(), o)
            .unwrap_err()
            .downcast::<OwnerMismatch>()
            .expect("a typed refusal")
    };
    let theirs = owner("wasm1theirs");
    assert_eq!(
        mismatch(&theirs),
        OwnerMismatch {
            field: "operator",
            stored: "wasm1mine".into(),
            ours: "wasm1theirs".into(),
        }
    );
    let other_chain = Owner {
        chain_id: "attrib-other".into(),
        ..mine.clone()
    };
    assert_eq!(
        mismatch(&other_chain),
        OwnerMismatch {
            field: "chain_id",
            stored: "attrib-test".into(),
            ours: "attrib-other".into(),
        }
    );
    let other_oracle = Owner {
        oracle: "wasm1otheroracle".into(),
        ..mine.clone()
    };
    let err = mismatch(&other_oracle);
    assert_eq!((err.field, err.stored.as_str()), ("oracle", "wasm1oracle"));
    assert!(
        err.to_string()
            .contains("belongs to oracle wasm1oracle, not wasm1otheroracle"),
        "{err}"
    );
    // The refusals recorded nothing: the store is still the first owner's.
    claim(&*open(), &mine).unwrap();
    assert_eq!(
        s.meta(&[("operator", "x"), ("chain_id", "y")]).unwrap(),
        vec!["wasm1mine".to_string(), "attrib-test".to_string()]
    );
}

impl Store for ByScan {
    fn commit(&self, w: &[Write]) -> anyhow::Result<()> {
        self.0.commit(w)
    }
    fn max_receipt_id(&self, m: u64) -> anyhow::Result<u64> {
        self.0.max_receipt_id(m)
    }
    fn by_request(&self, m: u64, r: &str) -> anyhow::Result<Option<StoredReceipt>> {
        self.0.by_request(m, r)
    }
    fn receipts(&self, m: u64, f: u64, l: u64, n: u64) -> anyhow::Result<Vec<SignedReceipt>> {
        let rs = self.0.receipts(m, f, l, n)?;
        self.1
            .fetch_add(rs.len() as u64, std::sync::atomic::Ordering::Relaxed);
        Ok(rs)
    }
    fn batch(&self, m: u64, s: u64) -> anyhow::Result<Option<BatchRecord>> {
        self.0.batch(m, s)
    }
    fn batches(&self, m: u64) -> anyhow::Result<Vec<BatchRecord>> {
        self.0.batches(m)
    }
    fn batches_in(&self, s: BatchState) -> anyhow::Result<Vec<BatchRecord>> {
        self.0.batches_in(s)
    }
    fn receipt_counts(&self) -> anyhow::Result<(u64, u64)> {
        self.0.receipt_counts()
    }
    fn meta(&self, e: &[(&str, &str)]) -> anyhow::Result<Vec<String>> {
        self.0.meta(e)
    }
}

/// The suite's tests, once per backend.
macro_rules! on_every_backend {
    ($($name:ident),* $(,)?) => {
        mod on_sqlite {
            use crate::sqlite::SqliteStore;
            use crate::store::Store;
            $(
                #[test]
                fn $name() {
                    let dir = tempfile::tempdir().unwrap();
                    let path = dir.path().join("meter.db");
                    super::$name(&|| Box::new(SqliteStore::open(&path).unwrap()) as Box<dyn Store>);
                }
            )*
        }
        mod on_postgres {
            use crate::postgres::PgStore;
            use crate::store::Store;
            $(
                #[test]
                fn $name() {
                    let Some(url) = crate::postgres::tests::fresh_test_schema(stringify!($name)) else {
                        return;
                    };
                    super::$name(&|| Box::new(PgStore::open(&url).unwrap()) as Box<dyn Store>);
                }
            )*
        }
    };
}

on_every_backend!(
    receipts_are_kept_and_found_by_request,
    a_failing_group_leaves_nothing,
    a_batch_is_recorded_once_per_seq_and_its_state_moves,
    drop_built_drops_a_built_batch_only,
    batches_covering_finds_every_batch_over_an_id,
    receipt_counts_count_the_receipts_in_no_batch,
    writes_apply_in_their_order,
    large_values_round_trip_and_out_of_range_ones_are_refused,
    what_waits_is_summed_up_from_two_reads,
    a_range_starting_above_the_stores_range_finds_nothing,
    a_store_belongs_to_the_first_chain_oracle_and_operator_it_served,
);
