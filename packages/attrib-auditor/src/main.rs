//! `attrib-auditor`: `run` starts the auditor (follower, HTTP API, optional probe) until
//! SIGINT or SIGTERM; `report` prints what it checked, found, filed and won; `check`
//! checks one posted batch against its published leaves now.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use attrib_auditor::checker::Verdict;
use attrib_auditor::config::Config;
use attrib_auditor::follower::{self, Auditor};
use attrib_auditor::report::Report;
use attrib_auditor::store::Store;
use attrib_auditor::{api, inspect, probe};
use attrib_cli::context::{Ctx, Global, Output};
use attrib_receipt_oracle::contract::sv::QueryMsg;
use attrib_receipt_oracle::state::Batch;
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
        #[arg(
            long = "database",
            alias = "db",
            env = "ATTRIB_AUDITOR_DATABASE",
            default_value = "auditor.db"
        )]
        db: PathBuf,
    },
    /// Check one posted batch now against the leaves its meter publishes (fetch every
    /// page, rebuild the tree, check root, count, total, order and range); print the
    /// verdict and the fetch and check times as JSON (exit 1 unless honest). No store,
    /// no key.
    Check {
        /// The meter's base URL (the operator's data URI)
        #[arg(long)]
        meter: String,
        #[arg(long)]
        model_id: u64,
        /// The operator's address
        #[arg(long)]
        operator: String,
        #[arg(long)]
        seq: u64,
        /// The most seconds the fetch of every page may take
        #[arg(long, default_value_t = 120)]
        budget_secs: u64,
    },
}

#[tokio::main]
async fn main() -> Result<()> {
    // The old name of the store's variable: refused rather than ignored, which would open
    // a fresh store and lose the held receipts and the record of what was filed.
    if std::env::var_os("ATTRIB_AUDITOR_DB").is_some() {
        anyhow::bail!("ATTRIB_AUDITOR_DB was renamed ATTRIB_AUDITOR_DATABASE: set that instead");
    }
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
        Cmd::Check {
            meter,
            model_id,
            operator,
            seq,
            budget_secs,
        } => {
            let ctx = Ctx::new(cli.g)?;
            let oracle = ctx.contract(attrib_cli::oracle::CONTRACT)?;
            let batch: Batch = ctx
                .chain
                .query(
                    &oracle,
                    &QueryMsg::Batch {
                        model_id,
                        operator,
                        seq,
                    },
                )
                .await
                .context("reading the batch from the oracle")?;
            let http = reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()?;
            let check =
                inspect::check_published(&http, &meter, &batch, &[], Duration::from_secs(budget_secs)).await;
            println!("{}", serde_json::to_string_pretty(&check)?);
            if check.verdict != Verdict::Honest {
                std::process::exit(1);
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
