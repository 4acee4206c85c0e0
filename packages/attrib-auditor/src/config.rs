//! Settings: a TOML file (`--config`, `ATTRIB_AUDITOR_CONFIG`) for what to watch, flags
//! and `ATTRIB_AUDITOR_*` variables for where to listen and store; the chain flags
//! (node, chain id, --from, key home, deployments, gas) are the `attrib` CLI's own.
//!
//! ```toml
//! listen = "127.0.0.1:9400"     # HTTP: receipts, report, health, metrics
//! database = "auditor.db"       # the SQLite store (`db` is accepted too), as the meter names it
//! poll_ms = 1000                # how often the chain's height is read
//! max_inclusion_requests = 3    # per batch whose leaves are missing
//!
//! [[operators]]
//! address = "wasm1…"
//! data_uri = "https://meter.example"   # where its leaves are published
//! models = [1, 2]
//!
//! [probe]                       # optional: use a model as a paying user
//! meter_url = "https://meter.example"
//! token = "…"
//! model_id = 1
//! units = 1
//! interval_ms = 5000
//! ```

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use serde::Deserialize;

/// One operator the auditor watches, and the models it meters.
#[derive(Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct WatchedOperator {
    pub address: String,
    /// The operator's data URI: the base URL of its meter (`attrib_cli::service`).
    pub data_uri: String,
    pub models: Vec<u64>,
}

/// Buying usage of a model, to hold receipts of one's own.
#[derive(Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Probe {
    pub meter_url: String,
    pub token: String,
    pub model_id: u64,
    #[serde(default = "one")]
    pub units: u64,
    pub interval_ms: u64,
}

fn one() -> u64 {
    1
}

fn default_listen() -> SocketAddr {
    "127.0.0.1:9400".parse().expect("valid address")
}

fn default_db() -> PathBuf {
    PathBuf::from("auditor.db")
}

fn default_poll_ms() -> u64 {
    1000
}

fn default_max_inclusion() -> usize {
    3
}

#[derive(Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default = "default_listen")]
    pub listen: SocketAddr,
    /// The SQLite store: `database`, as the meter's setting is named (`db` is accepted).
    #[serde(default = "default_db", rename = "database", alias = "db")]
    pub db: PathBuf,
    #[serde(default = "default_poll_ms")]
    pub poll_ms: u64,
    /// Most inclusion requests filed on one batch whose leaves are missing (each costs
    /// the oracle's inclusion fee; one unanswered request is enough to void the batch).
    #[serde(default = "default_max_inclusion")]
    pub max_inclusion_requests: usize,
    #[serde(default)]
    pub operators: Vec<WatchedOperator>,
    #[serde(default)]
    pub probe: Option<Probe>,
}

impl Config {
    /// Reads the file, then lets flags (already merged with their environment variables
    /// by clap) override it.
    pub fn load(path: &Path, listen: Option<SocketAddr>, db: Option<PathBuf>) -> Result<Config> {
        let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let mut c: Config = toml::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
        if let Some(l) = listen {
            c.listen = l;
        }
        if let Some(d) = db {
            c.db = d;
        }
        c.validate()?;
        Ok(c)
    }

    fn validate(&self) -> Result<()> {
        if self.operators.is_empty() {
            bail!("the config watches no operator ([[operators]])");
        }
        if let Some(o) = self.operators.iter().find(|o| o.models.is_empty()) {
            bail!("operator {} has no models", o.address);
        }
        // An operator may be listed once per data URI (a meter per model), but a (model,
        // operator) only once: which entry's data URI its batches are fetched from must not
        // depend on the order of the file.
        let mut seen = std::collections::HashSet::new();
        for o in &self.operators {
            if let Some(m) = o.models.iter().find(|m| !seen.insert((o.address.as_str(), **m))) {
                bail!(
                    "model {m} of operator {} is listed twice: list each model of an operator under one data URI",
                    o.address
                );
            }
        }
        if self.poll_ms == 0 || self.probe.as_ref().is_some_and(|p| p.interval_ms == 0) {
            bail!("poll_ms and probe.interval_ms must be above zero");
        }
        Ok(())
    }

    /// Every watched (model, operator) pair.
    pub fn watched(&self) -> Vec<(u64, &WatchedOperator)> {
        self.operators
            .iter()
            .flat_map(|o| o.models.iter().map(move |m| (*m, o)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_with_defaults_and_flag_overrides() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.toml");
        std::fs::write(
            &p,
            "[[operators]]\naddress = \"wasm1op\"\ndata_uri = \"http://m\"\nmodels = [1, 2]\n",
        )
        .unwrap();
        let c = Config::load(&p, None, None).unwrap();
        assert_eq!(
            (c.listen.port(), c.poll_ms, c.max_inclusion_requests),
            (9400, 1000, 3)
        );
        assert_eq!(
            c.watched().iter().map(|(m, _)| *m).collect::<Vec<_>>(),
            vec![1, 2]
        );
        let c = Config::load(&p, Some("0.0.0.0:1".parse().unwrap()), Some("x.db".into())).unwrap();
        assert_eq!((c.listen.port(), c.db.to_str()), (1, Some("x.db")));
        std::fs::write(&p, "poll_ms = 5\n").unwrap();
        assert!(Config::load(&p, None, None).is_err(), "no operator");
        std::fs::write(
            &p,
            "typo = 1\n[[operators]]\naddress = \"a\"\ndata_uri = \"u\"\nmodels = [1]\n",
        )
        .unwrap();
        assert!(Config::load(&p, None, None).is_err(), "unknown key");
    }

    #[test]
    fn the_store_is_named_database_as_in_the_meter_and_db_still_reads() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.toml");
        let ops = "[[operators]]\naddress = \"a\"\ndata_uri = \"u\"\nmodels = [1]\n";
        for key in ["database", "db"] {
            std::fs::write(&p, format!("{key} = \"s.db\"\n{ops}")).unwrap();
            let c = Config::load(&p, None, None).unwrap();
            assert_eq!(c.db.to_str(), Some("s.db"), "{key}");
        }
        std::fs::write(&p, format!("database = \"a.db\"\ndb = \"b.db\"\n{ops}")).unwrap();
        assert!(Config::load(&p, None, None).is_err(), "both names at once");
    }

    /// Review (#6): a (model, operator) listed twice (say with two data URIs) is a config
    /// error: which entry's data URI its batches are fetched from, and under which its
    /// receipts are kept, would depend on the order of the file. One operator listed
    /// twice with other models (a meter per model, as in the services test) is not.
    #[test]
    fn a_model_of_an_operator_listed_twice_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.toml");
        let entry = |uri: &str, models: &str| {
            format!("[[operators]]\naddress = \"wasm1op\"\ndata_uri = \"{uri}\"\nmodels = [{models}]\n")
        };
        std::fs::write(&p, entry("http://m", "1, 2") + &entry("http://n", "3")).unwrap();
        let c = Config::load(&p, None, None).unwrap();
        assert_eq!(c.operators.len(), 2, "two meters of one operator, other models");
        std::fs::write(&p, entry("http://m", "1, 2") + &entry("http://n", "2")).unwrap();
        let err = format!("{:#}", Config::load(&p, None, None).unwrap_err());
        assert!(
            err.contains("model 2 of operator wasm1op is listed twice"),
            "{err}"
        );
        std::fs::write(&p, entry("http://m", "1, 1")).unwrap();
        assert!(Config::load(&p, None, None).is_err(), "twice in one entry");
    }
}
