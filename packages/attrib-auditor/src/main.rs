//! `attrib-auditor`: `run` starts the auditor (follower, HTTP API, optional probe) until
//! SIGINT or SIGTERM; `report` prints what it checked, found, filed and won.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, Result};
use attrib_auditor::config::Config;
use attrib_auditor::follower::{self, Auditor};
use attrib_auditor::report::Report;
use attrib_auditor::store::Store;
use attrib_auditor::{api, probe};
use attrib_cli::context::{Ctx, Global, Output};
use clap::{Parser, Subcommand};
use tokio::sync::watch;

#[derive(Parser)]
#[command(
    name = "attrib-auditor",
    version,
    about = "Attrib auditor: checks posted batches against held receipts and files fraud proofs"
)]
struct Cli {
    #[command(flatten)]
    g: Global,
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Follow the chain, take receipts over HTTP, check and file (the key is --from)
    Run {
        #[arg(long, env = "ATTRIB_AUDITOR_CONFIG")]
        config: PathBuf,
        #[arg(long, env = "ATTRIB_AUDITOR_LISTEN")]
        listen: Option<SocketAddr>,
        #[arg(long = "database", alias = "db", env = "ATTRIB_AUDITOR_DATABASE")]
        db: Option<PathBuf>,
    },
    /// Print what the store says was checked, found, filed and won
    Report {
        #[arg(long = "database", alias = "db", env = "ATTRIB_AUDITOR_DATABASE", default_value = "auditor.db")]
        db: PathBuf,
    },
}

#[tokio::main]
async fn main() -> Result<()> {
    let cli = Cli::parse();
    match cli.cmd {
        Cmd::Run { config, listen, db } => {
            tracing_subscriber::fmt()
                .json()
                .with_env_filter(
                    tracing_subscriber::EnvFilter::try_from_env("ATTRIB_AUDITOR_LOG")
                        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
                )
                .init();
            let config = Config::load(&config, listen, db)?;
            run(cli.g, config).await
        }
        Cmd::Report { db } => {
            let report = Report::of(&Store::open(&db)?)?;
            match cli.g.output {
                Output::Json => println!("{}", serde_json::to_string_pretty(&report)?),
                Output::Text => print!("{}", report.text()),
            }
            Ok(())
        }
    }
}

async fn run(g: Global, config: Config) -> Result<()> {
    let ctx = Ctx::new(g)?;
    let signer = ctx.signer()?;
    let oracle = ctx.contract(attrib_cli::oracle::CONTRACT)?;
    let store = Store::open(&config.db)?;
    let a = Arc::new(Auditor::new(ctx, signer, oracle, config, store)?);
    a.refresh_keys().await.context("reading the operators' keys")?;
    let (stop, stopped) = watch::channel(false);
    let listener = tokio::net::TcpListener::bind(a.config.listen)
        .await
        .with_context(|| format!("listening on {}", a.config.listen))?;
    tracing::info!(listen = %listener.local_addr()?, auditor = %a.signer.address, oracle = %a.oracle, "started");
    let mut http_stop = stopped.clone();
    let server = axum::serve(listener, api::router(a.clone())).with_graceful_shutdown(async move {
        let _ = http_stop.changed().await;
    });
    let server = tokio::spawn(async move { server.await });
    let follower = tokio::spawn({
        let (a, s) = (a.clone(), stopped.clone());
        async move { follower::run(&a, s).await }
    });
    let prober = a.config.probe.clone().map(|p| {
        let (a, s) = (a.clone(), stopped.clone());
        tokio::spawn(async move { probe::run(&a, &p, s).await })
    });
    shutdown_signal().await;
    tracing::info!("shutting down");
    stop.send(true)?;
    follower.await?;
    if let Some(p) = prober {
        p.await?;
    }
    server.await??;
    tracing::info!("stopped");
    Ok(())
}

/// SIGINT or SIGTERM.
async fn shutdown_signal() {
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term => {}
    }
}
