//! Helpers of the chain tests: the meter binary as a child process, the oracle as seen by
//! the chain (scripts/meter-setup.sh prepared it; scripts/meter-e2e.sh runs these tests).

#![allow(dead_code)]

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use attrib_cli::context::{Ctx, Global};
use attrib_cli::service::{leaves_url, LeavesPage, MAX_LEAVES_PAGE};
use attrib_meter::chain::Oracle;
use attrib_meter::publish::BatchTree;
use attrib_receipt_oracle::state::Batch;
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
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(db.with_extension("log"))
        .unwrap();
    Command::new(env!("CARGO_BIN_EXE_attrib-meter"))
        .args(["--from", "operator", "--yes"])
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .args(["--database", db.to_str().unwrap()])
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
