//! Helpers of the chain tests: the meter binary as a child process, the oracle as seen by
//! the chain (scripts/meter-setup.sh prepared it; scripts/meter-e2e.sh runs these tests).

#![allow(dead_code)]

use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use attrib_cli::context::{Ctx, Global};
use attrib_cli::service::{leaves_url, LeavesPage, MAX_LEAVES_PAGE};
use attrib_meter::chain::Oracle;
use attrib_meter::publish::BatchTree;
use attrib_receipt_oracle::state::{Batch, Cursor};
use attrib_std::receipts::SignedReceipt;
use clap::Parser;

pub const TOKEN: &str = "chain-test-token";

#[derive(Parser)]
struct Flags {
    #[command(flatten)]
    g: Global,
}

/// The chain flags from the environment (ATTRIB_NODE …), signing as `from`.
pub fn global(from: &str) -> Global {
    Flags::parse_from(["test", "--from", from, "--yes"]).g
}

/// The oracle, driven by the `from` key.
pub fn oracle(from: &str) -> Oracle {
    Oracle::new(Ctx::new(global(from)).unwrap()).unwrap()
}

/// The model scripts/meter-setup.sh registered.
pub fn model_id() -> u64 {
    std::env::var("ATTRIB_METER_TEST_MODEL")
        .expect("ATTRIB_METER_TEST_MODEL: run scripts/meter-e2e.sh")
        .parse()
        .unwrap()
}

/// A free loopback port.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A running meter process, killed if the test panics (a `Child` alone outlives it).
pub struct MeterProcess(pub Option<Child>);

impl MeterProcess {
    pub fn child(&mut self) -> &mut Child {
        self.0.as_mut().expect("a running meter")
    }

    /// SIGKILL, and reap it.
    pub fn kill_9(&mut self) {
        let mut c = self.0.take().expect("a running meter");
        c.kill().unwrap();
        c.wait().unwrap();
    }
}

impl Drop for MeterProcess {
    fn drop(&mut self) {
        if let Some(mut c) = self.0.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// Starts the meter binary on `port` with `db`, signing as `operator`; `extra` flags
/// (caps) after. Logs go to `<db>.log`.
pub fn start_meter(db: &Path, port: u16, model_id: u64, extra: &[&str]) -> MeterProcess {
    start_meter_on(
        db.to_str().unwrap(),
        &db.with_extension("log"),
        port,
        model_id,
        extra,
    )
}

/// [`start_meter`] on any `database` (a file or a PostgreSQL URL), logging to `log`.
pub fn start_meter_on(database: &str, log: &Path, port: u16, model_id: u64, extra: &[&str]) -> MeterProcess {
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .unwrap();
    Command::new(env!("CARGO_BIN_EXE_attrib-meter"))
        .args(["--from", "operator", "--yes"])
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .args(["--database", database])
        .args(["--models", &model_id.to_string()])
        .args(["--clients", &format!("test:{TOKEN}")])
        .args(extra)
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .map(|c| MeterProcess(Some(c)))
        .unwrap()
}

/// Waits until the meter answers /healthz; returns how long that took.
pub async fn wait_ready(http: &reqwest::Client, base: &str, meter: &mut MeterProcess) -> Duration {
    let started = Instant::now();
    loop {
        if let Ok(r) = http.get(format!("{base}/healthz")).send().await {
            if r.status().is_success() {
                return started.elapsed();
            }
        }
        if let Some(status) = meter.child().try_wait().unwrap() {
            panic!("the meter exited before it was ready: {status}");
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "meter not ready in 30 s"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Stops the meter with SIGTERM and checks it exits 0.
pub fn stop_meter(mut meter: MeterProcess) {
    let mut child = meter.0.take().expect("a running meter");
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let code = child.wait().unwrap();
    assert!(code.success(), "the meter exits 0 on SIGTERM: {code}");
}

/// The operator's batches of a model on chain with seq > `after_seq`.
pub async fn chain_batches(o: &Oracle, model_id: u64, after_seq: u64) -> Vec<Batch> {
    let next = o.cursor(model_id).await.unwrap().next_seq;
    let mut out = vec![];
    for seq in after_seq + 1..next {
        out.push(
            o.batch(model_id, seq)
                .await
                .unwrap()
                .expect("every seq below next_seq"),
        );
    }
    out
}

/// Every leaf of a posted batch, page by page, from the meter.
pub async fn fetch_leaves(http: &reqwest::Client, base: &str, model_id: u64, seq: u64) -> Vec<SignedReceipt> {
    let mut leaves = vec![];
    let mut offset = Some(0);
    while let Some(o) = offset {
        let page: LeavesPage = http
            .get(leaves_url(base, model_id, seq, o, MAX_LEAVES_PAGE))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        leaves.extend(page.receipts);
        offset = page.next_offset;
    }
    leaves
}

/// The root of the tree of `leaves` (hex), with attrib-std.
pub fn root_of(leaves: Vec<SignedReceipt>) -> String {
    cosmwasm_std::HexBinary::from(BatchTree::build(leaves).unwrap().tree.commitment().root.to_vec()).to_hex()
}

/// Waits until the chain's cursor of `model_id` reaches `last_acked`: fails only if
/// posting stalls for a minute.
pub async fn wait_posted(o: &Oracle, model_id: u64, last_acked: u64) {
    let mut progress = (Instant::now(), 0);
    loop {
        let last_id = o.cursor(model_id).await.unwrap().last_id;
        if last_id >= last_acked {
            return;
        }
        if last_id > progress.1 {
            progress = (Instant::now(), last_id);
        }
        assert!(
            progress.0.elapsed() < Duration::from_secs(60),
            "posting stalled at id {last_id} of {last_acked}"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// What the chain holds of a model since `before`.
pub struct OnChain {
    pub batches: Vec<Batch>,
    /// Every receipt in a batch, by id, with its seq.
    pub receipts: BTreeMap<u64, (u64, SignedReceipt)>,
}

/// Checks the chain against the receipts a meter acknowledged (by request id): seqs one
/// after another, ids contiguous from the `before` cursor, no seq or receipt twice, each
/// root the tree of the leaves the meter at `base` serves, and every acknowledged receipt
/// in exactly one batch, as acknowledged.
pub async fn assert_on_chain(
    o: &Oracle,
    http: &reqwest::Client,
    base: &str,
    model_id: u64,
    before: &Cursor,
    acked: &BTreeMap<String, SignedReceipt>,
) -> OnChain {
    let batches = chain_batches(o, model_id, before.next_seq - 1).await;
    let mut seqs = HashSet::new();
    let mut next_id = before.last_id + 1;
    let mut in_batches: BTreeMap<u64, (u64, SignedReceipt)> = BTreeMap::new();
    for b in &batches {
        assert!(seqs.insert(b.seq), "seq {} twice", b.seq);
        assert_eq!(b.replaces, None);
        assert_eq!(
            b.first_id, next_id,
            "ids continue without a gap or overlap at seq {}",
            b.seq
        );
        next_id = b.last_id + 1;
        let leaves = fetch_leaves(http, base, model_id, b.seq).await;
        assert_eq!(leaves.len() as u64, b.count);
        assert_eq!(
            b.count,
            b.last_id - b.first_id + 1,
            "no id gap inside seq {}",
            b.seq
        );
        assert_eq!(root_of(leaves.clone()), b.root.to_hex(), "root of seq {}", b.seq);
        for l in leaves {
            let dup = in_batches.insert(l.receipt.receipt_id, (b.seq, l));
            assert!(dup.is_none(), "a receipt in two batches");
        }
    }
    for (request_id, r) in acked {
        let (_, leaf) = in_batches
            .get(&r.receipt.receipt_id)
            .unwrap_or_else(|| panic!("{request_id} (id {}) is in no batch", r.receipt.receipt_id));
        assert_eq!(
            leaf, r,
            "{request_id}: the batch carries another receipt at its id"
        );
    }
    OnChain {
        batches,
        receipts: in_batches,
    }
}
