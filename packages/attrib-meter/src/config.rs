//! Configuration: a TOML file (`--config`), then flags and `ATTRIB_METER_*` environment
//! variables over it. The chain flags and the key (`--node`, `--chain-id`, `--from`,
//! `--home`, `--deployments` …) are the `attrib` CLI's own ([`Global`]).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use attrib_cli::context::Global;
use clap::Parser;
use serde::Deserialize;

/// One caller allowed to report usage, by its bearer token.
#[derive(Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Client {
    pub name: String,
    pub token: String,
}

/// The settings of a meter.
#[derive(Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub listen: SocketAddr,
    /// Where receipts and batches are kept ([`Config::store`]): a SQLite file, or a
    /// `postgres://` / `postgresql://` URL.
    pub database: String,
    /// The models this meter meters (the operator must be allowed on each).
    pub models: Vec<u64>,
    pub clients: Vec<Client>,
    /// A batch closes at this many receipts …
    pub max_batch_receipts: u64,
    /// … or when its oldest receipt is this old, or at its epoch's end.
    pub max_batch_secs: u64,
    /// How often the batcher and the chain loop run.
    pub tick_ms: u64,
    /// Warn when a model's free escrow covers fewer batches than this.
    pub min_escrow_batches: u64,
    /// The most units one usage event may carry (larger events are refused, 400).
    pub max_units_per_event: u64,
    /// Usage is refused (503) while this machine's clock is further than this from the
    /// chain's block time, in seconds.
    pub max_clock_skew_secs: u64,
    /// Usage is refused (503 `epoch_closing`) while the current epoch's posting deadline
    /// is less than this many seconds away ([`crate::api::Labels`]): the time a batch
    /// needs from its epoch's end to the chain.
    pub min_posting_secs: u64,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:8080".parse().expect("valid address"),
            database: "attrib-meter.db".into(),
            models: vec![],
            clients: vec![],
            max_batch_receipts: 10_000,
            max_batch_secs: 300,
            tick_ms: 1_000,
            min_escrow_batches: 3,
            max_units_per_event: 1_000_000_000,
            max_clock_skew_secs: 30,
            min_posting_secs: 60,
        }
    }
}

/// The backend a meter's `database` setting selects.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoreKind {
    /// The embedded default: one file, nothing to start.
    Sqlite(PathBuf),
    /// A PostgreSQL server, by its URL (several meters of one operator may share it).
    Postgres(String),
}

/// `attrib-meter`: the metering service of an operator (SPEC §11).
#[derive(Parser, Debug)]
#[command(name = "attrib-meter", version)]
pub struct Args {
    /// TOML configuration file
    #[arg(long, env = "ATTRIB_METER_CONFIG")]
    pub config: Option<PathBuf>,
    #[arg(long, env = "ATTRIB_METER_LISTEN")]
    pub listen: Option<SocketAddr>,
    /// A SQLite file, or a postgres:// (postgresql://) URL
    #[arg(long, env = "ATTRIB_METER_DATABASE")]
    pub database: Option<String>,
    /// Models to meter (comma-separated)
    #[arg(long, env = "ATTRIB_METER_MODELS", value_delimiter = ',')]
    pub models: Option<Vec<u64>>,
    /// Clients as name:token (comma-separated), added to the file's
    #[arg(long, env = "ATTRIB_METER_CLIENTS", value_delimiter = ',')]
    pub clients: Option<Vec<String>>,
    #[arg(long, env = "ATTRIB_METER_MAX_BATCH_RECEIPTS")]
    pub max_batch_receipts: Option<u64>,
    #[arg(long, env = "ATTRIB_METER_MAX_BATCH_SECS")]
    pub max_batch_secs: Option<u64>,
    #[arg(long, env = "ATTRIB_METER_TICK_MS")]
    pub tick_ms: Option<u64>,
    #[arg(long, env = "ATTRIB_METER_MIN_ESCROW_BATCHES")]
    pub min_escrow_batches: Option<u64>,
    #[arg(long, env = "ATTRIB_METER_MAX_UNITS_PER_EVENT")]
    pub max_units_per_event: Option<u64>,
    #[arg(long, env = "ATTRIB_METER_MAX_CLOCK_SKEW_SECS")]
    pub max_clock_skew_secs: Option<u64>,
    #[arg(long, env = "ATTRIB_METER_MIN_POSTING_SECS")]
    pub min_posting_secs: Option<u64>,
    #[command(flatten)]
    pub global: Global,
}

impl Config {
    /// The file's settings (or the defaults) with the flags and environment over them.
    pub fn load(args: &Args) -> Result<Config> {
        let mut c = match &args.config {
            Some(p) => toml::from_str(
                &std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?,
            )
            .with_context(|| format!("parsing {}", p.display()))?,
            None => Config::default(),
        };
        c.listen = args.listen.unwrap_or(c.listen);
        c.database = args.database.clone().unwrap_or(c.database);
        c.models = args.models.clone().unwrap_or(c.models);
        for spec in args.clients.iter().flatten() {
            c.clients.push(parse_client(spec)?);
        }
        c.max_batch_receipts = args.max_batch_receipts.unwrap_or(c.max_batch_receipts);
        c.max_batch_secs = args.max_batch_secs.unwrap_or(c.max_batch_secs);
        c.tick_ms = args.tick_ms.unwrap_or(c.tick_ms);
        c.min_escrow_batches = args.min_escrow_batches.unwrap_or(c.min_escrow_batches);
        c.max_units_per_event = args.max_units_per_event.unwrap_or(c.max_units_per_event);
        c.max_clock_skew_secs = args.max_clock_skew_secs.unwrap_or(c.max_clock_skew_secs);
        c.min_posting_secs = args.min_posting_secs.unwrap_or(c.min_posting_secs);
        c.check()?;
        Ok(c)
    }

    fn check(&self) -> Result<()> {
        if self.models.is_empty() {
            bail!("no models to meter: set `models` (or --models)");
        }
        if self.clients.is_empty() {
            bail!("no clients: set [[clients]] (or --clients name:token)");
        }
        if self.max_batch_receipts == 0 || self.tick_ms == 0 || self.max_units_per_event == 0 {
            bail!("max_batch_receipts, tick_ms and max_units_per_event must be positive");
        }
        Ok(())
    }

    /// The backend: a `postgres://` or `postgresql://` URL is PostgreSQL, anything else
    /// a SQLite file.
    pub fn store(&self) -> StoreKind {
        if crate::postgres::is_url(&self.database) {
            StoreKind::Postgres(self.database.clone())
        } else {
            StoreKind::Sqlite(PathBuf::from(&self.database))
        }
    }

    /// Client names by token.
    pub fn tokens(&self) -> HashMap<String, String> {
        self.clients
            .iter()
            .map(|c| (c.token.clone(), c.name.clone()))
            .collect()
    }
}

fn parse_client(spec: &str) -> Result<Client> {
    match spec.split_once(':') {
        Some((name, token)) if !name.is_empty() && !token.is_empty() => Ok(Client {
            name: name.into(),
            token: token.into(),
        }),
        _ => bail!("a client is name:token, got {spec:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_override_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("meter.toml");
        std::fs::write(
            &file,
            "models = [1]\nmax_batch_receipts = 50\n[[clients]]\nname = \"gw\"\ntoken = \"t1\"\n",
        )
        .unwrap();
        let args = Args::parse_from([
            "attrib-meter",
            "--config",
            file.to_str().unwrap(),
            "--max-batch-secs",
            "7",
            "--clients",
            "other:t2",
        ]);
        let c = Config::load(&args).unwrap();
        assert_eq!(c.models, vec![1]);
        assert_eq!(c.max_batch_receipts, 50);
        assert_eq!(c.max_batch_secs, 7);
        assert_eq!(c.tokens().get("t2").map(String::as_str), Some("other"));
        assert_eq!(c.tokens().len(), 2);
        assert_eq!(c.store(), StoreKind::Sqlite("attrib-meter.db".into()));
    }

    #[test]
    fn a_postgres_url_selects_postgres_and_anything_else_sqlite() {
        for (database, kind) in [
            (
                "postgres://u@db:5432/meter",
                StoreKind::Postgres("postgres://u@db:5432/meter".into()),
            ),
            (
                "postgresql://u@db/meter?sslmode=disable",
                StoreKind::Postgres("postgresql://u@db/meter?sslmode=disable".into()),
            ),
            ("/var/lib/meter.db", StoreKind::Sqlite("/var/lib/meter.db".into())),
            // A file that merely mentions postgres is still a file.
            ("postgres.db", StoreKind::Sqlite("postgres.db".into())),
        ] {
            let args = Args::parse_from([
                "attrib-meter",
                "--models",
                "1",
                "--clients",
                "a:b",
                "--database",
                database,
            ]);
            assert_eq!(Config::load(&args).unwrap().store(), kind, "{database}");
        }
    }

    #[test]
    fn the_example_config_reads() {
        let c: Config = toml::from_str(include_str!("../meter.example.toml")).unwrap();
        assert_eq!(c.models, vec![1]);
        assert_eq!(c.clients[0].name, "inference-gateway");
        c.check().unwrap();
    }

    #[test]
    fn a_meter_without_clients_or_models_is_refused() {
        let args = Args::parse_from(["attrib-meter", "--models", "1"]);
        assert!(Config::load(&args)
            .unwrap_err()
            .to_string()
            .contains("no clients"));
        let args = Args::parse_from(["attrib-meter", "--clients", "a:b"]);
        assert!(Config::load(&args).unwrap_err().to_string().contains("no models"));
        let args = Args::parse_from(["attrib-meter", "--models", "1", "--clients", "nocolon"]);
        assert!(Config::load(&args).is_err());
    }
}
