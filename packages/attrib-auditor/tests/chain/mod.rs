//! Helpers of the auditor's chain tests (e2e_auditor, e2e_services): service processes,
//! the operator's stake, the auditor's report, waiting, and a licensed, funded model.
//! Built on the CLI's end-to-end helpers (`common`, included by each test).
#![allow(dead_code)]

use std::path::Path;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common::*;

/// A service process (the auditor, a meter); stopped with SIGTERM (and waited for) when
/// dropped.
pub struct Service(pub Child);

impl Service {
    /// Starts `exe` with `args`, its stdout and stderr appended to `log`.
    pub fn start<S: AsRef<std::ffi::OsStr>>(exe: &Path, args: &[S], log: &Path) -> Service {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .unwrap();
        let child = Command::new(exe)
            .args(args)
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("start {}: {e}", exe.display()));
        Service(child)
    }

    /// SIGTERM, then the exit status (a graceful shutdown exits 0).
    pub fn stop(&mut self) -> std::process::ExitStatus {
        let _ = Command::new("kill")
            .args(["-TERM", &self.0.id().to_string()])
            .status();
        self.0.wait().unwrap()
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        if self.0.try_wait().ok().flatten().is_none() {
            self.stop();
        }
    }
}

/// The auditor binary watching what `config` says, signing as `auditor`.
pub fn start_auditor(config: &Path, log: &Path) -> Service {
    Service::start(
        Path::new(env!("CARGO_BIN_EXE_attrib-auditor")),
        &[
            "--from".as_ref(),
            "auditor".as_ref(),
            "run".as_ref(),
            "--config".as_ref(),
            config.as_os_str(),
        ],
        log,
    )
}

pub fn uint(v: &Value) -> u128 {
    v.as_str().unwrap().parse().unwrap()
}

/// `attrib-auditor report` on the store `db`, as JSON.
pub fn report(db: &Path) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_attrib-auditor"))
        .args(["-o", "json", "report", "--db"])
        .arg(db)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Waits until `f` holds, or fails after `secs` with the log at `log`.
#[track_caller]
pub fn wait_for(secs: u64, log: &Path, what: &str, mut f: impl FnMut() -> bool) {
    let until = Instant::now() + Duration::from_secs(secs);
    while !f() {
        assert!(
            Instant::now() < until,
            "{what}: not after {secs} s; log {}:\n{}",
            log.display(),
            std::fs::read_to_string(log).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(500));
    }
}

/// A model of the buyer's licensed dataset version, metered by the operator, funded.
pub fn model(lineage: &str) -> u64 {
    let tx = ok(&[
        "tx",
        "oracle",
        "register-model",
        "--from",
        "buyer",
        "--metadata-uri",
        "ipfs://m",
        "--lineage",
        lineage,
        "--royalty-per-unit",
        "3uatr",
    ]);
    let m = event_attr(&tx, "attrib_model_registered", "model_id").unwrap();
    ok(&[
        "tx",
        "oracle",
        "set-model-operator",
        "--from",
        "buyer",
        "--model-id",
        &m,
        "--operator",
        "operator",
    ]);
    ok(&[
        "tx",
        "oracle",
        "fund-escrow",
        "--from",
        "buyer",
        "--model-id",
        &m,
        "--amount",
        "100000uatr",
    ]);
    m.parse().unwrap()
}

/// A dataset version licensed by `buyer` (a fresh schema, dataset and accepted tranche),
/// and `operator` bonded and registered with the oracle: the lineage to register models
/// with.
pub fn licensed_lineage(dir: &Path, nonce: u128) -> String {
    let dataset = licensed_dataset(dir, "audited", nonce, "buyer");
    ready_operator();
    format!("{dataset}:1:10000")
}

/// The address of a key of the CLI's key store.
pub fn address(name: &str) -> String {
    String::from_utf8(attrib(&["keys", "show", name]).stdout)
        .unwrap()
        .trim()
        .to_string()
}
