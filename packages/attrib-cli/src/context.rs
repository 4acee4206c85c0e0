//! What every command shares: global flags, the connection, keys, deployments, and the
//! way results are printed.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{anyhow, bail, Context as _, Result};
use clap::{Args, ValueEnum};
use cosmrs::cosmwasm::MsgExecuteContract;
use cosmrs::tx::Msg;
use cosmrs::{AccountId, Any};
use serde::{Deserialize, Serialize};

use crate::chain::{Chain, Gas, GasPrice, TxOutcome, TxSettings};
use crate::deployments::Deployments;
use crate::keys::{KeyStore, Signer};

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum Output {
    Text,
    Json,
}

/// Flags shared by every command, named as in the Cosmos SDK CLIs.
#[derive(Args, Clone, Debug)]
pub struct Global {
    /// CometBFT RPC endpoint
    #[arg(
        long,
        global = true,
        env = "ATTRIB_NODE",
        default_value = "http://127.0.0.1:26657"
    )]
    pub node: String,
    #[arg(long, global = true, env = "ATTRIB_CHAIN_ID", default_value = "attrib-local")]
    pub chain_id: String,
    /// Name of the key that signs (see `attrib keys list`)
    #[arg(long, global = true, env = "ATTRIB_FROM")]
    pub from: Option<String>,
    /// Gas limit, or `auto` to simulate first
    #[arg(long, global = true, default_value = "auto")]
    pub gas: Gas,
    /// Multiplier on simulated gas
    #[arg(long, global = true, default_value_t = 1.4)]
    pub gas_adjustment: f64,
    #[arg(long, global = true, env = "ATTRIB_GAS_PRICES", default_value = "0.0025uatr")]
    pub gas_prices: GasPrice,
    /// Explicit fee (e.g. 5000uatr); overrides gas × gas price
    #[arg(long, global = true)]
    pub fees: Option<String>,
    #[arg(long, global = true)]
    pub memo: Option<String>,
    #[arg(long, short = 'o', global = true, value_enum, default_value = "text")]
    pub output: Output,
    /// Do not ask for confirmation before broadcasting
    #[arg(long, short = 'y', global = true)]
    pub yes: bool,
    /// Print the message JSON (and the equivalent wasmd command) instead of sending it
    #[arg(long, global = true)]
    pub dry_run: bool,
    /// Folder of the key file (default ~/.attrib)
    #[arg(long, global = true, env = "ATTRIB_HOME")]
    pub home: Option<PathBuf>,
    /// Deployments file (default deployments/<chain-id>.json)
    #[arg(long, global = true, env = "ATTRIB_DEPLOYMENTS")]
    pub deployments: Option<PathBuf>,
    /// Bech32 address prefix of the chain
    #[arg(long, global = true, default_value = "wasm")]
    pub prefix: String,
}

pub struct Ctx {
    pub g: Global,
    pub chain: Chain,
}

impl Ctx {
    pub fn new(g: Global) -> Result<Self> {
        let chain = Chain::connect(&g.node, &g.chain_id, &g.prefix)?;
        Ok(Self { g, chain })
    }

    pub fn home(&self) -> PathBuf {
        self.g.home.clone().unwrap_or_else(|| {
            PathBuf::from(std::env::var("HOME").unwrap_or_else(|_| ".".into())).join(".attrib")
        })
    }

    pub fn keys(&self) -> Result<KeyStore> {
        KeyStore::open(&self.home())
    }

    pub fn deployments_path(&self) -> PathBuf {
        self.g
            .deployments
            .clone()
            .unwrap_or_else(|| PathBuf::from(format!("deployments/{}.json", self.g.chain_id)))
    }

    pub fn deployments(&self) -> Result<Deployments> {
        let p = self.deployments_path();
        Deployments::load(&p)
            .with_context(|| format!("no deployments at {} (run `attrib deploy` first)", p.display()))
    }

    pub fn contract(&self, name: &str) -> Result<String> {
        self.deployments()?.address(name)
    }

    pub fn signer(&self) -> Result<Signer> {
        let name = self
            .g
            .from
            .as_deref()
            .ok_or_else(|| anyhow!("--from <key> is required to sign"))?;
        self.keys()?.signer(name, &self.g.prefix)
    }

    /// An address given as a key name or as a bech32 address.
    pub fn resolve_address(&self, who: &str) -> Result<String> {
        if who.starts_with(&format!("{}1", self.g.prefix)) {
            return Ok(who.to_string());
        }
        // A key name, or else a contract of the deployment (`reward_distributor`, …).
        match self.keys()?.address(who) {
            Ok(a) => Ok(a),
            Err(e) => self.contract(who).map_err(|_| e),
        }
    }

    pub fn settings(&self) -> Result<TxSettings> {
        Ok(TxSettings {
            gas: self.g.gas.clone(),
            gas_adjustment: self.g.gas_adjustment,
            gas_price: self.g.gas_prices.clone(),
            fees: self.g.fees.as_deref().map(parse_coin).transpose()?,
            memo: self.g.memo.clone().unwrap_or_default(),
            timeout: Duration::from_secs(60),
        })
    }

    /// Executes `msg` on `contract` with `funds`, honouring --dry-run, --yes and --output.
    pub async fn execute<M: Serialize>(
        &self,
        label: &str,
        contract: &str,
        msg: &M,
        funds: Vec<cosmwasm_std::Coin>,
    ) -> Result<Option<TxOutcome>> {
        let json = serde_json::to_string(msg)?;
        if self.g.dry_run {
            self.print_dry_run(contract, &json, &funds);
            return Ok(None);
        }
        let signer = self.signer()?;
        self.confirm(label, contract, &json, &funds)?;
        let any = execute_any(&signer.address, contract, json.as_bytes(), &funds)?;
        let outcome = crate::progress::spin(
            &format!("{label}: signing, broadcasting, waiting for a block"),
            self.chain.send(&signer, vec![any], &self.settings()?),
        )
        .await?;
        self.print_tx(label, &outcome);
        Ok(Some(outcome))
    }

    /// Asks before signing, unless --yes or not on a terminal.
    fn confirm(&self, label: &str, contract: &str, json: &str, funds: &[cosmwasm_std::Coin]) -> Result<()> {
        if !self.g.yes && std::io::stdin().is_terminal() {
            eprintln!(
                "{label}: {json}\n  contract {contract}, funds {}",
                coins_text(funds)
            );
            eprint!("confirm transaction before signing and broadcasting [y/N]: ");
            let mut answer = String::new();
            std::io::stdin().read_line(&mut answer)?;
            if !matches!(answer.trim(), "y" | "Y" | "yes") {
                bail!("cancelled");
            }
        }
        Ok(())
    }

    /// Like [`Ctx::execute`], for a step a command takes on the way (e.g. revealing
    /// entropy before a vote): nothing with --dry-run, and a one-line note on stderr, so
    /// stdout keeps the one transaction the command is about.
    pub async fn execute_aside<M: Serialize>(
        &self,
        label: &str,
        contract: &str,
        msg: &M,
    ) -> Result<Option<TxOutcome>> {
        if self.g.dry_run {
            eprintln!("# {label} would be sent first: {}", serde_json::to_string(msg)?);
            return Ok(None);
        }
        let signer = self.signer()?;
        let json = serde_json::to_string(msg)?;
        self.confirm(label, contract, &json, &[])?;
        let any = execute_any(&signer.address, contract, json.as_bytes(), &[])?;
        let outcome = crate::progress::spin(
            &format!("{label}: signing, broadcasting, waiting for a block"),
            self.chain.send(&signer, vec![any], &self.settings()?),
        )
        .await?;
        eprintln!("✓ {label}  tx {}  height {}", outcome.txhash, outcome.height);
        Ok(Some(outcome))
    }

    /// Like [`Ctx::execute`], for a step before the transaction a command reports: its
    /// outcome goes to stderr, so stdout stays the one reported transaction.
    pub async fn execute_step<M: Serialize>(
        &self,
        label: &str,
        contract: &str,
        msg: &M,
        funds: Vec<cosmwasm_std::Coin>,
    ) -> Result<Option<TxOutcome>> {
        let json = serde_json::to_string(msg)?;
        if self.g.dry_run {
            eprintln!("{label}: {json}  funds {}", coins_text(&funds));
            return Ok(None);
        }
        let signer = self.signer()?;
        let any = execute_any(&signer.address, contract, json.as_bytes(), &funds)?;
        let o = crate::progress::spin(
            &format!("{label}: signing, broadcasting, waiting for a block"),
            self.chain.send(&signer, vec![any], &self.settings()?),
        )
        .await?;
        eprintln!(
            "✓ {label}  tx {}  height {}  gas {}",
            o.txhash, o.height, o.gas_used
        );
        Ok(Some(o))
    }

    fn print_dry_run(&self, contract: &str, json: &str, funds: &[cosmwasm_std::Coin]) {
        let from = self.g.from.clone().unwrap_or_else(|| "<key>".into());
        match self.g.output {
            Output::Json => println!(
                "{}",
                serde_json::to_string(&DryRun {
                    contract,
                    funds: coins_text(funds),
                    msg: serde_json::from_str(json).unwrap(),
                })
                .unwrap()
            ),
            Output::Text => {
                println!("{json}");
                let amount = if funds.is_empty() {
                    String::new()
                } else {
                    format!(" --amount {}", coins_text(funds))
                };
                eprintln!(
                    "# same with wasmd:\n# wasmd tx wasm execute {contract} '{json}'{amount} --from {from} --chain-id {} --node {} --gas auto --gas-adjustment {} --gas-prices {}{}",
                    self.g.chain_id, self.g.node, self.g.gas_adjustment, self.g.gas_prices.amount, self.g.gas_prices.denom
                );
            }
        }
    }

    pub fn print_tx(&self, label: &str, o: &TxOutcome) {
        match self.g.output {
            Output::Json => println!("{}", serde_json::to_string(o).unwrap()),
            Output::Text => {
                println!(
                    "✓ {label}  tx {}  height {}  gas {} / {}  fee {}",
                    o.txhash, o.height, o.gas_used, o.gas_wanted, o.fee
                );
                for e in o.wasm_events() {
                    let attrs: Vec<String> = e
                        .attributes
                        .iter()
                        .filter(|(k, _)| k != "_contract_address" && k != "msg_index")
                        .map(|(k, v)| format!("{k}={v}"))
                        .collect();
                    println!("    {} {}", e.ty.trim_start_matches("wasm-"), attrs.join(" "));
                }
            }
        }
    }

    pub fn print_json<T: Serialize>(&self, v: &T) -> Result<()> {
        match self.g.output {
            Output::Json => println!("{}", serde_json::to_string(v)?),
            Output::Text => println!("{}", serde_json::to_string_pretty(v)?),
        }
        Ok(())
    }
}

pub fn execute_any(
    sender: &AccountId,
    contract: &str,
    msg: &[u8],
    funds: &[cosmwasm_std::Coin],
) -> Result<Any> {
    let funds = funds
        .iter()
        .map(|c| {
            Ok(cosmrs::Coin {
                amount: c.amount.u128(),
                denom: c
                    .denom
                    .parse()
                    .map_err(|e| anyhow!("bad denom {}: {e}", c.denom))?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    MsgExecuteContract {
        sender: sender.clone(),
        contract: contract
            .parse()
            .map_err(|e| anyhow!("bad contract address {contract}: {e}"))?,
        msg: msg.to_vec(),
        funds,
    }
    .to_any()
    .map_err(|e| anyhow!("{e}"))
}

/// `100uatr` → Coin.
pub fn parse_coin(s: &str) -> Result<cosmwasm_std::Coin> {
    let s = s.trim();
    let split = s
        .find(|c: char| !c.is_ascii_digit())
        .ok_or_else(|| anyhow!("coin {s:?} needs a denom, e.g. 100uatr"))?;
    let (amount, denom) = s.split_at(split);
    if amount.is_empty() {
        bail!("coin {s:?} needs an amount, e.g. 100uatr");
    }
    Ok(cosmwasm_std::Coin::new(
        amount
            .parse::<u128>()
            .map_err(|_| anyhow!("amount too large in {s:?}"))?,
        denom,
    ))
}

/// `100uatr,5ibc/ABC` → coins (empty string → none).
pub fn parse_coins(s: &str) -> Result<Vec<cosmwasm_std::Coin>> {
    s.split(',')
        .filter(|p| !p.trim().is_empty())
        .map(parse_coin)
        .collect()
}

pub fn coins_text(coins: &[cosmwasm_std::Coin]) -> String {
    if coins.is_empty() {
        return "none".into();
    }
    coins
        .iter()
        .map(|c| format!("{}{}", c.amount, c.denom))
        .collect::<Vec<_>>()
        .join(",")
}

#[derive(Serialize, Deserialize)]
pub struct Empty {}

/// What `--dry-run -o json` prints instead of sending (fields sorted by name: the order
/// this output has always had).
#[derive(Serialize)]
struct DryRun<'a> {
    contract: &'a str,
    funds: String,
    msg: serde_json::Value,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coins_parse() {
        assert_eq!(parse_coin("100uatr").unwrap(), cosmwasm_std::coin(100, "uatr"));
        assert_eq!(
            parse_coins("1uatr,7ibc/ABC").unwrap(),
            vec![cosmwasm_std::coin(1, "uatr"), cosmwasm_std::coin(7, "ibc/ABC")]
        );
        assert!(parse_coin("uatr").is_err());
        assert!(parse_coin("100").is_err());
        assert!(parse_coin("999999999999999999999999999999999999999999uatr").is_err());
        assert!(parse_coins("").unwrap().is_empty());
    }
}
