//! `deployments/<chain-id>.json`: what was deployed where (code ids, checksums,
//! addresses), written by `attrib deploy` and read by every other command.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use anyhow::{anyhow, Result};
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Deployed {
    pub code_id: u64,
    pub checksum: String,
    pub address: String,
}

#[derive(Serialize, Deserialize, Clone, Debug, Default)]
pub struct Deployments {
    pub chain_id: String,
    pub node: String,
    pub app_version: String,
    pub deployed_at_height: u64,
    pub contracts: BTreeMap<String, Deployed>,
    /// Named accounts the deployment wired in (admin, treasury, …).
    pub accounts: BTreeMap<String, String>,
    /// ICS-20 transfer channels to other chains, by the other chain's id (written by
    /// `scripts/ibc.sh`).
    #[serde(default)]
    pub ibc: BTreeMap<String, IbcLink>,
}

/// One transfer channel between this chain and another, and how to reach the other.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct IbcLink {
    /// This chain's end.
    pub channel_id: String,
    /// The other chain's end.
    pub counterparty_channel_id: String,
    pub counterparty_node: String,
    pub counterparty_prefix: String,
    /// Gas price there, e.g. `0.0025ubuy`.
    pub counterparty_gas_prices: String,
    /// The other chain's native denom.
    pub counterparty_denom: String,
}

impl Deployments {
    pub fn load(path: &Path) -> Result<Self> {
        Ok(serde_json::from_slice(&fs::read(path)?)?)
    }

    pub fn save(&self, path: &Path) -> Result<()> {
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir)?;
        }
        fs::write(path, serde_json::to_string_pretty(self)? + "\n")?;
        Ok(())
    }

    pub fn link(&self, chain_id: &str) -> Result<&IbcLink> {
        self.ibc.get(chain_id).ok_or_else(|| {
            anyhow!(
                "no IBC channel to {chain_id} in the deployments of {} (run scripts/ibc.sh start)",
                self.chain_id
            )
        })
    }

    pub fn address(&self, contract: &str) -> Result<String> {
        self.contracts
            .get(contract)
            .map(|d| d.address.clone())
            .ok_or_else(|| {
                anyhow!(
                    "contract {contract} is not in the deployments of {}",
                    self.chain_id
                )
            })
    }
}
