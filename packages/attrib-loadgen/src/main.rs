//! `attrib-loadgen`: send usage to a metering service and report throughput and latency
//! (JSON on stdout); with `--proofs`, ask for inclusion proofs of random receipts and
//! verify each. See the library for what it measures.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Result;
use attrib_loadgen::proofs::{run_proofs, ProofOptions};
use attrib_loadgen::{run, Options};
use clap::Parser;

#[derive(Parser)]
#[command(name = "attrib-loadgen", version, about = "Usage traffic for an attrib-meter")]
struct Args {
    /// The meter's base URL
    #[arg(long, env = "ATTRIB_LOADGEN_URL", default_value = "http://127.0.0.1:8686")]
    url: String,
    /// A client token of the meter's config (not needed with --proofs)
    #[arg(long, env = "ATTRIB_LOADGEN_TOKEN", required_unless_present = "proofs")]
    token: Option<String>,
    #[arg(long)]
    model_id: u64,
    /// Events in all (with --proofs: proof requests in all)
    #[arg(long, default_value_t = 1000)]
    count: u64,
    /// Events per second (0: closed loop, as fast as --concurrency allows)
    #[arg(long, default_value_t = 0.0)]
    rate: f64,
    #[arg(long, default_value_t = 32)]
    concurrency: usize,
    /// Events per request (more than 1 uses POST /v1/usage/batch)
    #[arg(long, default_value_t = 1)]
    per_request: u64,
    /// Units per event: a number or min-max
    #[arg(long, default_value = "1")]
    units: String,
    /// Request ids are <prefix>-<i>; the same prefix replays the same requests
    #[arg(long, default_value = "lg")]
    request_prefix: String,
    /// Write every acknowledged receipt here (JSON lines)
    #[arg(long)]
    acks: Option<PathBuf>,
    /// Also write the summary here
    #[arg(long)]
    summary: Option<PathBuf>,
    #[arg(long, default_value_t = 10_000)]
    timeout_ms: u64,
    /// An auditor's base URL: forward every acknowledged receipt to its /v1/receipts
    #[arg(long, env = "ATTRIB_LOADGEN_FORWARD")]
    forward: Option<String>,
    /// Ask for inclusion proofs of receipts drawn from --first-id..=--last-id, closed loop
    /// with --concurrency in flight, and verify each (no usage is sent)
    #[arg(long, requires = "last_id")]
    proofs: bool,
    #[arg(long, default_value_t = 1)]
    first_id: u64,
    #[arg(long)]
    last_id: Option<u64>,
    /// Seed of the receipt ids drawn
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

#[tokio::main]
async fn main() -> Result<()> {
    let a = Args::parse();
    let summary_path = a.summary.clone();
    let json = if a.proofs {
        let summary = run_proofs(ProofOptions {
            url: a.url,
            model_id: a.model_id,
            first_id: a.first_id,
            last_id: a.last_id.unwrap_or(a.first_id),
            count: a.count,
            concurrency: a.concurrency,
            seed: a.seed,
            timeout: Duration::from_millis(a.timeout_ms),
        })
        .await?;
        serde_json::to_string_pretty(&summary)?
    } else {
        serde_json::to_string_pretty(&usage(a).await?)?
    };
    if let Some(p) = summary_path {
        std::fs::write(p, &json)?;
    }
    println!("{json}");
    Ok(())
}

async fn usage(a: Args) -> Result<attrib_loadgen::Summary> {
    run(Options {
        url: a.url,
        token: a.token.unwrap_or_default(),
        model_id: a.model_id,
        count: a.count,
        rate: a.rate,
        concurrency: a.concurrency,
        per_request: a.per_request,
        units: a.units,
        request_prefix: a.request_prefix,
        acks: a.acks,
        timeout: Duration::from_millis(a.timeout_ms),
        forward: a.forward,
    })
    .await
}
