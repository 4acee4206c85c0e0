//! `attrib-meter`: parses the configuration, starts the meter, stops it on SIGTERM or
//! SIGINT (see the library's crate doc).

use anyhow::Result;
use attrib_meter::config::{Args, Config};
use clap::Parser;
use tokio::signal::unix::{signal, SignalKind};

/// Resolves on the first SIGTERM or SIGINT.
async fn shutdown_signal() {
    let mut term = signal(SignalKind::terminate()).expect("SIGTERM handler");
    let mut int = signal(SignalKind::interrupt()).expect("SIGINT handler");
    tokio::select! {
        _ = term.recv() => {}
        _ = int.recv() => {}
    }
}

#[tokio::main]
async fn main() -> Result<()> {
    tracing_subscriber::fmt()
        .json()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("ATTRIB_METER_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    let config = Config::load(&args)?;
    if let Err(e) = attrib_meter::run(config, args.global, shutdown_signal()).await {
        tracing::error!(error = %format!("{e:#}"), "meter stopped");
        return Err(e);
    }
    Ok(())
}
