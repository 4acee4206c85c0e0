//! `attrib ibc …`: paying Attrib from another chain (SPEC §7).
//!
//! `attrib ibc pay` signs an ICS-20 transfer on the buyer's chain (node, prefix and gas
//! price from the deployments file's IBC link) to the contract that performs the action,
//! with the memo that names it: wasmd's callbacks memo (`dest_callback` + `attrib`) by
//! default, or the ibc-hooks memo (`wasm`) with `--via hooks`. `--print` prints the
//! transfer for the buyer's own wallet instead. The actions and memos come from
//! `attrib_std::ibc` (the contracts parse memos with the same code); the tests below pin
//! each action to the execute message of the contract it goes to.

use anyhow::{anyhow, Result};
use attrib_std::ibc::{callback_memo, hooks_memo, ibc_denom, IbcAction, TRANSFER_PORT};
use clap::{Subcommand, ValueEnum};
use cosmrs::Any;
use prost::Message;
use serde::Serialize;

use crate::chain::{Chain, GasPrice, TxOutcome};
use crate::context::{parse_coin, Ctx, Output};
use crate::deployments::{Deployments, IbcLink};

#[derive(Subcommand, Debug)]
pub enum IbcCmd {
    /// Pay from the buyer's chain: an ICS-20 transfer whose memo names the action
    Pay(PayArgs),
    /// The `ibc/…` denom a buyer chain's native token has here
    Denom {
        /// The other chain's id (default: the only linked chain)
        #[arg(long)]
        on: Option<String>,
        /// Its denom (default: its native denom)
        #[arg(long)]
        denom: Option<String>,
    },
    /// The linked chains and channels of this deployment
    Links,
    /// Record a transfer channel in the deployments file (scripts/ibc.sh does this)
    RecordLink {
        #[arg(long)]
        counterparty_chain_id: String,
        #[arg(long)]
        channel: String,
        #[arg(long)]
        counterparty_channel: String,
        #[arg(long)]
        counterparty_node: String,
        #[arg(long, default_value = "wasm")]
        counterparty_prefix: String,
        #[arg(long)]
        counterparty_denom: String,
        #[arg(long)]
        counterparty_gas_prices: String,
    },
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Via {
    /// wasmd's IBC callbacks (ADR-8): `dest_callback` + `attrib` action
    Callbacks,
    /// Osmosis ibc-hooks: `wasm` {contract, msg}
    Hooks,
}

#[derive(clap::Args, Debug)]
pub struct PayArgs {
    /// The buyer's chain id (default: the only linked chain)
    #[arg(long)]
    pub on: Option<String>,
    /// Amount in the buyer chain's denom, e.g. 250000ubuy
    #[arg(long)]
    pub amount: String,
    #[arg(long, value_enum, default_value = "callbacks")]
    pub via: Via,
    /// Transfer to this address instead of the action's contract (tests the receiver check)
    #[arg(long)]
    pub receiver: Option<String>,
    #[arg(long, default_value_t = 600)]
    pub timeout_secs: u64,
    /// Print the transfer (memo and message) instead of signing it
    #[arg(long)]
    pub print: bool,
    #[command(subcommand)]
    pub action: PayAction,
}

#[derive(Subcommand, Debug)]
pub enum PayAction {
    /// A license for LICENSEE (default: the signer's address on the Attrib chain)
    BuyLicense {
        #[arg(long)]
        dataset_id: u64,
        #[arg(long)]
        version: u32,
        #[arg(long)]
        licensee: Option<String>,
    },
    /// Fund a model's usage escrow
    FundEscrow {
        #[arg(long)]
        model_id: u64,
    },
    /// Pay dataset versions directly: DATASET/VERSION:WEIGHT_BPS, comma-separated
    Pay {
        #[arg(long, value_delimiter = ',')]
        earmark: Vec<String>,
    },
    /// A plain transfer without memo to --receiver (vouchers for an account here)
    Plain,
    /// Any action JSON to a deployed contract (for tests of refused memos)
    Raw {
        #[arg(long)]
        contract: String,
        #[arg(long)]
        json: String,
    },
}

/// ibc-go `MsgTransfer` (ibc.applications.transfer.v1), the fields a v1 transfer uses.
#[derive(Clone, PartialEq, Message)]
pub struct MsgTransfer {
    #[prost(string, tag = "1")]
    pub source_port: String,
    #[prost(string, tag = "2")]
    pub source_channel: String,
    #[prost(message, optional, tag = "3")]
    pub token: Option<cosmrs::proto::cosmos::base::v1beta1::Coin>,
    #[prost(string, tag = "4")]
    pub sender: String,
    #[prost(string, tag = "5")]
    pub receiver: String,
    #[prost(message, optional, tag = "6")]
    pub timeout_height: Option<Height>,
    #[prost(uint64, tag = "7")]
    pub timeout_timestamp: u64,
    #[prost(string, tag = "8")]
    pub memo: String,
}

#[derive(Clone, PartialEq, Message)]
pub struct Height {
    #[prost(uint64, tag = "1")]
    pub revision_number: u64,
    #[prost(uint64, tag = "2")]
    pub revision_height: u64,
}

pub const MSG_TRANSFER_URL: &str = "/ibc.applications.transfer.v1.MsgTransfer";

/// The link to `on`, or the only one.
pub fn pick_link<'a>(d: &'a Deployments, on: Option<&str>) -> Result<(&'a str, &'a IbcLink)> {
    match on {
        Some(c) => {
            let link = d.link(c)?;
            let (id, _) = d.ibc.get_key_value(c).expect("the link exists");
            Ok((id.as_str(), link))
        }
        None => match d.ibc.iter().next() {
            Some((k, l)) if d.ibc.len() == 1 => Ok((k.as_str(), l)),
            _ => Err(anyhow!(
                "--on <chain-id> is needed ({} linked chains; run scripts/ibc.sh start)",
                d.ibc.len()
            )),
        },
    }
}

/// The Attrib contract and the action JSON of a payment.
fn action(ctx: &Ctx, a: &PayAction) -> Result<(String, String)> {
    let typed = |contract: &str, action: IbcAction| -> Result<(String, String)> {
        Ok((ctx.contract(contract)?, serde_json::to_string(&action)?))
    };
    match a {
        PayAction::BuyLicense {
            dataset_id,
            version,
            licensee,
        } => {
            let licensee = match licensee {
                Some(l) => ctx.resolve_address(l)?,
                None => ctx.signer()?.address.to_string(),
            };
            typed(
                crate::registry::CONTRACT,
                IbcAction::BuyLicense {
                    dataset_id: *dataset_id,
                    version: *version,
                    licensee,
                },
            )
        }
        PayAction::FundEscrow { model_id } => typed(
            crate::oracle::CONTRACT,
            IbcAction::FundEscrow { model_id: *model_id },
        ),
        PayAction::Pay { earmark } => {
            let earmarks = earmark
                .iter()
                .map(|e| crate::rewards::parse_earmark(e))
                .collect::<Result<Vec<_>>>()?;
            typed(crate::rewards::CONTRACT, IbcAction::direct_payment(earmarks))
        }
        PayAction::Raw { contract, json } => Ok((ctx.resolve_address(contract)?, json.clone())),
        PayAction::Plain => Ok((String::new(), String::new())),
    }
}

/// What `ibc pay --print` shows of the transfer (fields sorted by name: the order this
/// output has always had).
#[derive(Serialize)]
struct PrintedTransfer<'a> {
    /// The voucher denom the tokens become on the Attrib chain.
    arrives_as: String,
    chain_id: &'a str,
    /// The memo as JSON (null when there is none).
    memo: serde_json::Value,
    receiver: &'a str,
    sender: &'a str,
    source_channel: &'a str,
    token: String,
}

/// Signs the transfer on the buyer chain; returns the outcome there.
pub async fn pay(ctx: &Ctx, args: &PayArgs) -> Result<Option<TxOutcome>> {
    let d = ctx.deployments()?;
    let (chain_id, link) = pick_link(&d, args.on.as_deref())?;
    let (contract, action_json) = action(ctx, &args.action)?;
    let memo = match (&args.action, args.via) {
        (PayAction::Plain, _) => String::new(),
        (_, Via::Callbacks) => callback_memo(&contract, &action_json),
        (_, Via::Hooks) => hooks_memo(&contract, &action_json),
    };
    let receiver = match (&args.receiver, &args.action) {
        (Some(r), _) => ctx.resolve_address(r)?,
        (None, PayAction::Plain) => return Err(anyhow!("a plain transfer needs --receiver")),
        (None, _) => contract.clone(),
    };
    let coin = parse_coin(&args.amount)?;
    let name = ctx
        .g
        .from
        .clone()
        .ok_or_else(|| anyhow!("--from <key> is required"))?;
    let signer = ctx.keys()?.signer(&name, &link.counterparty_prefix)?;
    let remote = Chain::connect(&link.counterparty_node, chain_id, &link.counterparty_prefix)?;
    let now_ns = remote.block_time().await? * 1_000_000_000;
    let msg = MsgTransfer {
        source_port: TRANSFER_PORT.into(),
        source_channel: link.counterparty_channel_id.clone(),
        token: Some(cosmrs::proto::cosmos::base::v1beta1::Coin {
            denom: coin.denom.clone(),
            amount: coin.amount.to_string(),
        }),
        sender: signer.address.to_string(),
        receiver: receiver.clone(),
        timeout_height: None,
        timeout_timestamp: now_ns + args.timeout_secs * 1_000_000_000,
        memo: memo.clone(),
    };
    if args.print || ctx.g.dry_run {
        let shown = PrintedTransfer {
            arrives_as: ibc_denom(&format!("transfer/{}/{}", link.channel_id, coin.denom)),
            chain_id,
            memo: serde_json::from_str(&memo).unwrap_or_default(),
            receiver: &receiver,
            sender: &msg.sender,
            source_channel: &msg.source_channel,
            token: format!("{}{}", coin.amount, coin.denom),
        };
        println!("{}", serde_json::to_string_pretty(&shown)?);
        println!(
            "# wasmd tx ibc-transfer transfer transfer {} {} {}{} --memo '{}' --from <key> --chain-id {} --node {}",
            msg.source_channel, receiver, coin.amount, coin.denom, memo, chain_id, link.counterparty_node
        );
        return Ok(None);
    }
    let any = Any {
        type_url: MSG_TRANSFER_URL.into(),
        value: msg.encode_to_vec(),
    };
    let mut settings = ctx.settings()?;
    settings.gas_price = link.counterparty_gas_prices.parse::<GasPrice>()?;
    settings.fees = None;
    let outcome = remote.send(&signer, vec![any], &settings).await?;
    if ctx.g.output == Output::Json {
        println!("{}", serde_json::to_string(&outcome)?);
    } else {
        let seq = outcome.attr("send_packet", "packet_sequence").unwrap_or_default();
        println!(
            "ibc transfer on {chain_id}: tx {} (height {}, gas {}), packet {} on {}",
            outcome.txhash, outcome.height, outcome.gas_used, seq, link.counterparty_channel_id
        );
    }
    Ok(Some(outcome))
}

pub async fn run(ctx: &Ctx, cmd: IbcCmd) -> Result<()> {
    match cmd {
        IbcCmd::Pay(args) => pay(ctx, &args).await.map(|_| ()),
        IbcCmd::Denom { on, denom } => {
            let d = ctx.deployments()?;
            let (_, link) = pick_link(&d, on.as_deref())?;
            let base = denom.unwrap_or_else(|| link.counterparty_denom.clone());
            println!("{}", ibc_denom(&format!("transfer/{}/{base}", link.channel_id)));
            Ok(())
        }
        IbcCmd::Links => ctx.print_json(&ctx.deployments()?.ibc),
        IbcCmd::RecordLink {
            counterparty_chain_id,
            channel,
            counterparty_channel,
            counterparty_node,
            counterparty_prefix,
            counterparty_denom,
            counterparty_gas_prices,
        } => {
            let path = ctx.deployments_path();
            let mut d = Deployments::load(&path).unwrap_or_else(|_| Deployments {
                chain_id: ctx.g.chain_id.clone(),
                node: ctx.g.node.clone(),
                ..Default::default()
            });
            d.ibc.insert(
                counterparty_chain_id,
                IbcLink {
                    channel_id: channel,
                    counterparty_channel_id: counterparty_channel,
                    counterparty_node,
                    counterparty_prefix,
                    counterparty_gas_prices,
                    counterparty_denom,
                },
            );
            d.save(&path)?;
            eprintln!("recorded the IBC link in {}", path.display());
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    //! The actions the CLI sends must be the JSON the contracts take, on both paths: on
    //! ibc-hooks chains `wasm.msg` runs as the contract's execute message; on wasmd's
    //! callbacks path the contract reads the memo's `attrib` action into its own
    //! `IbcAction`. These tests keep `attrib_std::ibc::IbcAction` from drifting from either.
    use super::*;
    use attrib_std::ibc::IncomingTransfer;
    use attrib_std::rewards::{Earmark, InflowReason};
    use cosmwasm_std::{
        to_json_binary, Addr, IbcAcknowledgement, IbcDestinationCallbackMsg, IbcEndpoint, IbcPacket,
        IbcTimeout, Timestamp,
    };
    use serde::de::DeserializeOwned;

    fn json<T: Serialize>(t: &T) -> String {
        serde_json::to_string(t).unwrap()
    }

    /// The contract's reading of `action` sent as a callbacks memo to `contract`.
    fn by_callback<T: DeserializeOwned>(contract: &str, action: &IbcAction) -> T {
        let data = attrib_std::ibc::Ics20Packet {
            denom: "ubuy".into(),
            amount: "250000".into(),
            sender: "buyer1abc".into(),
            receiver: contract.into(),
            memo: callback_memo(contract, &json(action)),
        };
        let endpoint = |channel: &str| IbcEndpoint {
            port_id: TRANSFER_PORT.into(),
            channel_id: channel.into(),
        };
        let msg = IbcDestinationCallbackMsg {
            packet: IbcPacket::new(
                to_json_binary(&data).unwrap(),
                endpoint("channel-7"),
                endpoint("channel-0"),
                1,
                IbcTimeout::with_timestamp(Timestamp::from_seconds(100)),
            ),
            ack: IbcAcknowledgement::new(br#"{"result":"AQ=="}"#),
        };
        IncomingTransfer::parse::<T>(&msg, &Addr::unchecked(contract))
            .unwrap()
            .1
    }

    #[test]
    fn buy_license_is_the_registrys_message() {
        let action = IbcAction::BuyLicense {
            dataset_id: 4,
            version: 2,
            licensee: "wasm1dev".into(),
        };
        let exec = attrib_registry::contract::sv::ExecMsg::BuyLicense {
            dataset_id: 4,
            version: 2,
            licensee: Some("wasm1dev".into()),
        };
        assert_eq!(json(&action), json(&exec));
        serde_json::from_str::<attrib_registry::contract::sv::ContractExecMsg>(&json(&action)).unwrap();
        let attrib_registry::ibc::IbcAction::BuyLicense {
            dataset_id,
            version,
            licensee,
        } = by_callback("wasm1registry", &action);
        assert_eq!((dataset_id, version, licensee.as_str()), (4, 2, "wasm1dev"));
    }

    #[test]
    fn fund_escrow_is_the_oracles_message() {
        let action = IbcAction::FundEscrow { model_id: 9 };
        let exec = attrib_receipt_oracle::contract::sv::ExecMsg::FundEscrow { model_id: 9 };
        assert_eq!(json(&action), json(&exec));
        serde_json::from_str::<attrib_receipt_oracle::contract::sv::ContractExecMsg>(&json(&action)).unwrap();
        let attrib_receipt_oracle::ibc::IbcAction::FundEscrow { model_id } =
            by_callback("wasm1oracle", &action);
        assert_eq!(model_id, 9);
    }

    #[test]
    fn pay_is_the_reward_pools_message() {
        let earmarks = vec![Earmark {
            dataset_id: 4,
            version: 1,
            weight_bps: 10_000,
        }];
        let action = IbcAction::direct_payment(earmarks.clone());
        let exec = attrib_std::interfaces::reward_pool::sv::ExecMsg::Pay {
            earmarks: earmarks.clone(),
            reason: InflowReason::DirectPayment,
            payer: None,
        };
        assert_eq!(json(&action), json(&exec));
        serde_json::from_str::<attrib_reward_distributor::contract::sv::ContractExecMsg>(&json(&action))
            .unwrap();
        let attrib_reward_distributor::ibc::IbcAction::Pay(pay) = by_callback("wasm1pool", &action);
        assert_eq!(pay.earmarks, earmarks);
        assert_eq!(pay.reason, InflowReason::DirectPayment);
        assert_eq!(pay.payer, None);
    }
}
