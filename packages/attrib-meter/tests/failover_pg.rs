//! Two meters of one operator on one PostgreSQL database (scripts/meter-pg.sh, on a chain
//! of its own): the first is the writer, the second waits as a standby. The writer is
//! killed with SIGKILL; the standby takes over as after a restart — ids continue without
//! a gap or a duplicate, the first meter's receipts are answered for their request ids,
//! every acknowledged receipt ends up in exactly one batch on chain. When the standby's
//! own connection (and with it the lock) is cut, it acknowledges nothing more and exits.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use attrib_cli::service::{UsageEvent, UsageReceipt};
use attrib_meter::postgres::fresh_schema;
use attrib_std::receipts::SignedReceipt;
use common::*;

const CAPS: [&str; 6] = [
    "--max-batch-receipts",
    "15",
    "--max-batch-secs",
    "1",
    "--tick-ms",
    "200",
];

/// Reports one event; the receipt when acknowledged, else the status (0: no answer).
async fn report(
    http: &reqwest::Client,
    base: &str,
    model: u64,
    request_id: &str,
) -> Result<UsageReceipt, u16> {
    let event = UsageEvent {
        model_id: model,
        units: 3,
        request_id: request_id.into(),
        reference: None,
    };
    match http
        .post(format!("{base}/v1/usage"))
        .bearer_auth(TOKEN)
        .json(&event)
        .send()
        .await
    {
        Ok(r) if r.status().is_success() => Ok(r.json().await.unwrap()),
        Ok(r) => Err(r.status().as_u16()),
        Err(_) => Err(0),
    }
}

/// Waits until `log` holds `needle`, failing if the meter exits first.
async fn wait_for_log(log: &Path, needle: &str, meter: &mut MeterProcess) {
    let started = Instant::now();
    while !std::fs::read_to_string(log).unwrap_or_default().contains(needle) {
        if let Some(status) = meter.child().try_wait().unwrap() {
            panic!("the meter exited ({status}) before logging {needle:?}");
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "{needle:?} never logged"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs a chain and PostgreSQL: run scripts/meter-pg.sh"]
async fn a_standby_takes_over_when_the_writer_is_killed() {
    let server = std::env::var("ATTRIB_TEST_PG_URL").expect("ATTRIB_TEST_PG_URL: run scripts/meter-pg.sh");
    let url = fresh_schema(&server, &format!("failover_{}", std::process::id())).unwrap();
    let model = model_id();
    let o = oracle("operator");
    let before = o.cursor(model).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (log_a, log_b) = (dir.path().join("a.log"), dir.path().join("b.log"));
    let (port_a, port_b) = (free_port(), free_port());
    let (base_a, base_b) = (
        format!("http://127.0.0.1:{port_a}"),
        format!("http://127.0.0.1:{port_b}"),
    );
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();

    let mut a = start_meter_on(&url, &log_a, port_a, model, &CAPS);
    wait_ready(&http, &base_a, &mut a).await;
    let mut b = start_meter_on(&url, &log_b, port_b, model, &CAPS);
    wait_for_log(&log_b, "standby", &mut b).await;
    assert!(
        http.get(format!("{base_b}/healthz")).send().await.is_err(),
        "a standby takes no usage"
    );

    let mut acked: BTreeMap<String, SignedReceipt> = BTreeMap::new();
    for i in 0..40 {
        let id = format!("a-{i}");
        let r = report(&http, &base_a, model, &id)
            .await
            .expect("the writer acknowledges");
        acked.insert(id, r.receipt);
        if i == 20 {
            // Let the writer post a batch or two before it dies.
            tokio::time::sleep(Duration::from_millis(1_500)).await;
        }
    }
    a.kill_9();
    let took_over = wait_ready(&http, &base_b, &mut b).await;

    // The first meter's receipts, answered by the second for their request ids.
    for id in ["a-0", "a-21", "a-39"] {
        let r = report(&http, &base_b, model, id)
            .await
            .expect("a retry is answered");
        assert!(r.duplicate, "{id} was given a second receipt");
        assert_eq!(&r.receipt, &acked[id]);
    }
    for i in 0..40 {
        let id = format!("b-{i}");
        let r = report(&http, &base_b, model, &id)
            .await
            .expect("the new writer acknowledges");
        assert!(!r.duplicate);
        acked.insert(id, r.receipt);
    }
    // Ids continue from the chain's cursor without a gap or a duplicate across the two.
    let mut ids: Vec<u64> = acked.values().map(|r| r.receipt.receipt_id).collect();
    ids.sort();
    let expected: Vec<u64> = (before.last_id + 1..=before.last_id + 80).collect();
    assert_eq!(ids, expected);
    let last = *ids.last().unwrap();
    wait_posted(&o, model, last).await;
    let on_chain = assert_on_chain(&o, &http, &base_b, model, &before, &acked).await;

    // The new writer's connection is cut (the lock goes with it): nothing is acknowledged
    // after, and the meter exits so that a supervisor restarts it as a standby.
    let key = format!("attrib-meter writer {}", o.operator());
    let cut = std::thread::spawn(move || {
        let mut c = postgres::Client::connect(&server, postgres::NoTls).unwrap();
        c.query(
            "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted \
             AND objsubid = 1 AND ((classid::bigint << 32) | objid::bigint) = hashtextextended($1, 0)",
            &[&key],
        )
        .unwrap()
        .len()
    })
    .join()
    .unwrap();
    assert_eq!(cut, 1, "one connection held the writer lock");
    let late = report(&http, &base_b, model, "late").await;
    assert!(late.is_err(), "acknowledged after the lock was lost: {late:?}");
    let started = Instant::now();
    let status = loop {
        if let Some(status) = b.child().try_wait().unwrap() {
            break status;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the meter did not exit"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(
        !status.success(),
        "a meter that lost the lock exits with an error"
    );
    let log = std::fs::read_to_string(&log_b).unwrap();
    assert!(log.contains("no longer the writer"), "{log}");
    println!(
        "failover: {} receipts from two meters in {} batches (seq {}..={}), the standby took over in {took_over:?}, exited {:?} after its lock was cut ({status})",
        acked.len(),
        on_chain.batches.len(),
        on_chain.batches.first().map(|b| b.seq).unwrap_or(0),
        on_chain.batches.last().map(|b| b.seq).unwrap_or(0),
        started.elapsed(),
    );
}
