//! Talking to a Cosmos chain over CometBFT RPC: account lookup, simulation for
//! `--gas auto`, signing, broadcasting, waiting for inclusion, and queries (bank, wasm
//! smart queries) through ABCI query paths of the SDK's gRPC services.

use std::str::FromStr;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};
use cosmrs::proto::cosmos::auth::v1beta1::{BaseAccount, QueryAccountRequest, QueryAccountResponse};
use cosmrs::proto::cosmos::bank::v1beta1::{QueryBalanceRequest, QueryBalanceResponse};
use cosmrs::proto::cosmos::tx::v1beta1::{SimulateRequest, SimulateResponse};
use cosmrs::proto::cosmwasm::wasm::v1::{QuerySmartContractStateRequest, QuerySmartContractStateResponse};
use cosmrs::rpc::{Client, HttpClient};
use cosmrs::tendermint::chain::Id as ChainId;
use cosmrs::tx::{Body, Fee, SignDoc, SignerInfo};
use cosmrs::{Any, Coin, Denom};
use prost::Message;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::keys::Signer;

#[derive(Clone, Debug)]
pub enum Gas {
    Auto,
    Fixed(u64),
}

impl FromStr for Gas {
    type Err = anyhow::Error;
    fn from_str(s: &str) -> Result<Self> {
        if s == "auto" {
            Ok(Gas::Auto)
        } else {
            Ok(Gas::Fixed(
                s.parse().map_err(|_| anyhow!("--gas takes 'auto' or a number"))?,
            ))
        }
    }
}

/// Gas price like `0.025uatr`.
#[derive(Clone, Debug)]
pub struct GasPrice {
    pub amount: f64,
    pub denom: String,
}

impl FromStr for GasPrice {
    type Err = anyhow::Error;
    fn from_str(s: &str) -> Result<Self> {
        let split = s
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or_else(|| anyhow!("gas price needs a denom"))?;
        let (amount, denom) = s.split_at(split);
        Ok(GasPrice {
            amount: amount
                .parse()
                .map_err(|_| anyhow!("bad gas price amount {amount}"))?,
            denom: denom.to_string(),
        })
    }
}

#[derive(Clone, Debug)]
pub struct TxSettings {
    pub gas: Gas,
    pub gas_adjustment: f64,
    pub gas_price: GasPrice,
    /// Explicit fee; overrides gas × price.
    pub fees: Option<cosmwasm_std::Coin>,
    pub memo: String,
    pub timeout: Duration,
}

/// One event of a transaction result.
#[derive(Clone, Debug, Serialize)]
pub struct TxEvent {
    #[serde(rename = "type")]
    pub ty: String,
    pub attributes: Vec<(String, String)>,
}

/// What happened to an included transaction.
#[derive(Clone, Debug, Serialize)]
pub struct TxOutcome {
    pub txhash: String,
    pub height: u64,
    pub gas_wanted: u64,
    pub gas_used: u64,
    pub fee: String,
    pub events: Vec<TxEvent>,
}

impl TxOutcome {
    /// First value of `key` in an event of type `ty` (wasm events: `wasm-<name>`).
    pub fn attr(&self, ty: &str, key: &str) -> Option<String> {
        self.events
            .iter()
            .filter(|e| e.ty == ty)
            .flat_map(|e| e.attributes.iter())
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
    }

    pub fn has_event(&self, ty: &str) -> bool {
        self.events.iter().any(|e| e.ty == ty)
    }

    /// Events emitted by contracts with `Event::new(name)` (type `wasm-<name>`).
    pub fn wasm_events(&self) -> impl Iterator<Item = &TxEvent> {
        self.events.iter().filter(|e| e.ty.starts_with("wasm-"))
    }
}

pub struct Chain {
    pub rpc: HttpClient,
    pub node: String,
    pub chain_id: String,
    pub prefix: String,
}

impl Chain {
    pub fn connect(node: &str, chain_id: &str, prefix: &str) -> Result<Self> {
        Ok(Self {
            rpc: HttpClient::new(node).with_context(|| format!("bad node URL {node}"))?,
            node: node.to_string(),
            chain_id: chain_id.to_string(),
            prefix: prefix.to_string(),
        })
    }

    async fn abci<Req: Message, Resp: Message + Default>(&self, path: &str, req: Req) -> Result<Resp> {
        let res = self
            .rpc
            .abci_query(Some(path.to_string()), req.encode_to_vec(), None, false)
            .await
            .with_context(|| format!("cannot reach {}", self.node))?;
        if res.code.is_err() {
            bail!("{}", clean_log(&res.log));
        }
        Ok(Resp::decode(res.value.as_slice())?)
    }

    /// Raw ABCI query (for callers that decode the answer themselves).
    pub async fn rpc_abci(&self, path: &str, data: Vec<u8>) -> Result<Vec<u8>> {
        let res = self
            .rpc
            .abci_query(Some(path.to_string()), data, None, false)
            .await?;
        if res.code.is_err() {
            bail!("{}", clean_log(&res.log));
        }
        Ok(res.value)
    }

    /// (account number, sequence) of an account that exists on chain.
    pub async fn account(&self, address: &str) -> Result<(u64, u64)> {
        let resp: QueryAccountResponse = self
            .abci(
                "/cosmos.auth.v1beta1.Query/Account",
                QueryAccountRequest {
                    address: address.into(),
                },
            )
            .await
            .with_context(|| format!("account {address} not found on chain (does it hold any funds?)"))?;
        let any = resp
            .account
            .ok_or_else(|| anyhow!("no account data for {address}"))?;
        let base = BaseAccount::decode(any.value.as_slice())?;
        Ok((base.account_number, base.sequence))
    }

    pub async fn balance(&self, address: &str, denom: &str) -> Result<u128> {
        let resp: QueryBalanceResponse = self
            .abci(
                "/cosmos.bank.v1beta1.Query/Balance",
                QueryBalanceRequest {
                    address: address.into(),
                    denom: denom.into(),
                },
            )
            .await?;
        Ok(resp.balance.map(|c| c.amount.parse().unwrap_or(0)).unwrap_or(0))
    }

    /// Total supply of a denom on the chain.
    pub async fn supply(&self, denom: &str) -> Result<u128> {
        use cosmrs::proto::cosmos::bank::v1beta1::{QuerySupplyOfRequest, QuerySupplyOfResponse};
        let resp: QuerySupplyOfResponse = self
            .abci(
                "/cosmos.bank.v1beta1.Query/SupplyOf",
                QuerySupplyOfRequest { denom: denom.into() },
            )
            .await?;
        Ok(resp.amount.map(|c| c.amount.parse().unwrap_or(0)).unwrap_or(0))
    }

    pub async fn query_raw(&self, contract: &str, msg: &[u8]) -> Result<serde_json::Value> {
        let resp: QuerySmartContractStateResponse = self
            .abci(
                "/cosmwasm.wasm.v1.Query/SmartContractState",
                QuerySmartContractStateRequest {
                    address: contract.into(),
                    query_data: msg.to_vec(),
                },
            )
            .await?;
        Ok(serde_json::from_slice(&resp.data)?)
    }

    pub async fn query<Q: Serialize, R: DeserializeOwned>(&self, contract: &str, msg: &Q) -> Result<R> {
        let v = self.query_raw(contract, &serde_json::to_vec(msg)?).await?;
        Ok(serde_json::from_value(v)?)
    }

    /// Application version reported by the node (e.g. wasmd's "0.61.14").
    pub async fn app_version(&self) -> Result<String> {
        Ok(self.rpc.abci_info().await?.version)
    }

    pub async fn height(&self) -> Result<u64> {
        Ok(self.rpc.status().await?.sync_info.latest_block_height.value())
    }

    /// Waits until a block after `height` is committed (a reveal must land, and be
    /// simulated, in a later block than its commitment).
    pub async fn wait_past(&self, height: u64) -> Result<()> {
        while self.height().await? <= height {
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
        Ok(())
    }

    /// Time of the latest block, seconds since the epoch (what contracts see as `now`).
    pub async fn block_time(&self) -> Result<u64> {
        let t = self.rpc.status().await?.sync_info.latest_block_time;
        Ok(t.unix_timestamp().max(0) as u64)
    }

    fn sign(
        &self,
        signer: &Signer,
        msgs: &[Any],
        settings: &TxSettings,
        account: (u64, u64),
        gas: u64,
        fee: Coin,
    ) -> Result<Vec<u8>> {
        let body = Body::new(msgs.to_vec(), settings.memo.clone(), 0u16);
        let auth = SignerInfo::single_direct(Some(signer.key.public_key()), account.1)
            .auth_info(Fee::from_amount_and_gas(fee, gas));
        let chain_id = ChainId::try_from(self.chain_id.clone())?;
        let doc = SignDoc::new(&body, &auth, &chain_id, account.0).map_err(|e| anyhow!("{e}"))?;
        doc.sign(&signer.key)
            .map_err(|e| anyhow!("{e}"))?
            .to_bytes()
            .map_err(|e| anyhow!("{e}"))
    }

    fn fee_for(&self, gas: u64, settings: &TxSettings) -> Result<Coin> {
        let (amount, denom) = match &settings.fees {
            Some(c) => (c.amount.u128(), c.denom.clone()),
            None => (
                (gas as f64 * settings.gas_price.amount).ceil() as u128,
                settings.gas_price.denom.clone(),
            ),
        };
        Ok(Coin {
            amount,
            denom: Denom::from_str(&denom).map_err(|e| anyhow!("{e}"))?,
        })
    }

    /// Gas the transaction would use; a failing message fails here, before any fee is paid.
    pub async fn simulate(&self, signer: &Signer, msgs: &[Any], settings: &TxSettings) -> Result<u64> {
        let account = self.account(signer.address.as_ref()).await?;
        let fee = self.fee_for(0, settings)?;
        let tx_bytes = self.sign(signer, msgs, settings, account, 0, fee)?;
        let size = tx_bytes.len();
        #[allow(deprecated)] // `tx` is the deprecated alternative to `tx_bytes`
        let request = SimulateRequest { tx: None, tx_bytes };
        let resp: SimulateResponse = self
            .abci("/cosmos.tx.v1beta1.Service/Simulate", request)
            .await
            .map_err(|e| {
                if size > 400_000 && e.to_string().contains("400 Bad Request") {
                    anyhow!("{e}\n(simulating a {size}-byte tx exceeds the node's RPC body limit; pass a fixed --gas, e.g. --gas {})", size * 20 + 2_000_000)
                } else {
                    e
                }
            })?;
        Ok(resp.gas_info.map(|g| g.gas_used).unwrap_or_default())
    }

    /// Simulates (for `--gas auto`), signs, broadcasts and waits for inclusion. A message
    /// that fails returns the chain's error text (the contract's error for wasm).
    pub async fn send(&self, signer: &Signer, msgs: Vec<Any>, settings: &TxSettings) -> Result<TxOutcome> {
        let gas = match settings.gas {
            Gas::Fixed(g) => g,
            Gas::Auto => {
                let used = self.simulate(signer, &msgs, settings).await?;
                (used as f64 * settings.gas_adjustment).ceil() as u64
            }
        };
        let account = self.account(signer.address.as_ref()).await?;
        let fee = self.fee_for(gas, settings)?;
        let fee_text = format!("{}{}", fee.amount, fee.denom);
        let tx_bytes = self.sign(signer, &msgs, settings, account, gas, fee)?;
        let check = self
            .rpc
            .broadcast_tx_sync(tx_bytes)
            .await
            .with_context(|| format!("cannot reach {}", self.node))?;
        if check.code.is_err() {
            bail!("transaction refused by the node: {}", clean_log(&check.log));
        }
        let hash = check.hash;
        let deadline = Instant::now() + settings.timeout;
        loop {
            if let Ok(found) = self.rpc.tx(hash, false).await {
                let r = found.tx_result;
                let events = r
                    .events
                    .iter()
                    .map(|e| TxEvent {
                        ty: e.kind.clone(),
                        attributes: e
                            .attributes
                            .iter()
                            .map(|a| {
                                (
                                    a.key_str().unwrap_or_default().to_string(),
                                    a.value_str().unwrap_or_default().to_string(),
                                )
                            })
                            .collect(),
                    })
                    .collect();
                let outcome = TxOutcome {
                    txhash: hash.to_string(),
                    height: found.height.value(),
                    gas_wanted: r.gas_wanted as u64,
                    gas_used: r.gas_used as u64,
                    fee: fee_text,
                    events,
                };
                if r.code.is_err() {
                    bail!(
                        "transaction {} failed at height {} (gas {}/{}): {}",
                        outcome.txhash,
                        outcome.height,
                        outcome.gas_used,
                        outcome.gas_wanted,
                        clean_log(&r.log)
                    );
                }
                return Ok(outcome);
            }
            if Instant::now() > deadline {
                bail!("transaction {hash} not included after {:?}", settings.timeout);
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }
}

/// The SDK wraps contract errors as "failed to execute message; message index: 0: <error>:
/// execute wasm contract failed [...]"; keep the contract's own words.
pub fn clean_log(log: &str) -> String {
    let mut s = log.trim();
    if let Some(i) = s.find("message index: 0: ") {
        s = &s[i + "message index: 0: ".len()..];
    }
    for suffix in [
        ": execute wasm contract failed",
        ": instantiate wasm contract failed",
        ": query wasm contract failed",
    ] {
        if let Some(i) = s.find(suffix) {
            s = &s[..i];
        }
    }
    s.trim_start_matches("rpc error: code = Unknown desc = ")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gas_price_parses() {
        let p: GasPrice = "0.025uatr".parse().unwrap();
        assert_eq!((p.amount, p.denom.as_str()), (0.025, "uatr"));
        assert!("uatr".parse::<GasPrice>().is_err());
        assert!(matches!("auto".parse::<Gas>().unwrap(), Gas::Auto));
        assert!(matches!("200000".parse::<Gas>().unwrap(), Gas::Fixed(200_000)));
        assert!("lots".parse::<Gas>().is_err());
    }

    #[test]
    fn contract_error_text_is_kept() {
        let log =
            "failed to execute message; message index: 0: dataset 7 not found: execute wasm contract failed";
        assert_eq!(clean_log(log), "dataset 7 not found");
    }
}
