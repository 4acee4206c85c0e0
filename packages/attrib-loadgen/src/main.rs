//! `attrib-loadgen`: send usage to a metering service and report throughput and latency
//! (JSON on stdout). See the library for what it measures.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Result;
use attrib_loadgen::{run, Options};
use clap::Parser;

#[derive(Parser)]
#[command(name = "attrib-loadgen", version, about = "Usage traffic for an attrib-meter")]
struct Args {
    /// The meter's base URL
    #[arg(long, env = "ATTRIB_LOADGEN_URL", default_value = "http://127.0.0.1:8686")]
    url: String,
    /// A client token of the meter's config
    #[arg(long, env = "ATTRIB_LOADGEN_TOKEN")]
    token: String,
    #[arg(long)]
    model_id: u64,
    /// Events in all
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
}

#[tokio::main]
async fn main() -> Result<()> {
    let a = Args::parse();
    let summary = run(Options {
        url: a.url,
        token: a.token,
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
    .await?;
    let json = serde_json::to_string_pretty(&summary)?;
    if let Some(p) = a.summary {
        std::fs::write(p, &json)?;
    }
    println!("{json}");
    Ok(())
}
