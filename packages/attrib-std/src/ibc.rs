//! Paying from another chain (SPEC §7) and claiming to one (§6.5): the ICS-20 rules every
//! contract and the CLI share.
//!
//! - An incoming transfer (wasmd's ADR-8 destination callback) is read by
//!   [`IncomingTransfer::parse`]: the ICS-20 packet data, the local denom the tokens
//!   arrived as ([`receive_denom`]), the check that the contract itself was the
//!   receiver (anyone can name a contract in `dest_callback` of a transfer whose funds
//!   went elsewhere), and the action under the memo's [`MEMO_KEY`].
//! - The payer of an incoming transfer is the address Osmosis' ibc-hooks would execute
//!   with ([`intermediate_sender`]): the same foreign sender is the same local payer on
//!   both paths, and nobody holds its key.
//! - What a buyer's transfer may ask is typed once, as [`IbcAction`]; the memos that carry
//!   it are [`callback_memo`] (wasmd's callbacks) and [`hooks_memo`] (Osmosis ibc-hooks).
//! - An outgoing claim carries its transfer id in the memo next to `src_callback`
//!   ([`claim_memo`]); the acknowledgement or timeout is matched back by it
//!   ([`claim_id_of`]), and [`ack_succeeded`] reads the ICS-20 acknowledgement.

use cosmwasm_schema::cw_serde;
use cosmwasm_std::{
    from_json, to_json_string, Addr, Binary, CanonicalAddr, Coin, Deps, DepsMut, Env, Event,
    IbcBasicResponse, IbcDestinationCallbackMsg, IbcPacket, MessageInfo, Response, StdError, StdResult,
    Uint128,
};
use sylvia::types::Remote;

use crate::interfaces::reward_pool::sv::Querier as _;
use crate::interfaces::reward_pool::RewardPool;
use crate::registry::{DatasetId, VersionId};
use crate::rewards::{Earmark, InflowReason, PayMsg};
use serde::de::{DeserializeOwned, IgnoredAny};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use thiserror::Error;

/// Where the action of an incoming transfer sits in the memo:
/// `{"dest_callback":{"address":"<contract>"},"attrib":{"buy_license":{…}}}`.
pub const MEMO_KEY: &str = "attrib";
/// Where an outgoing claim transfer names its id: `{"src_callback":{…},"attrib_claim":"7"}`.
pub const CLAIM_MEMO_KEY: &str = "attrib_claim";
/// Osmosis ibc-hooks' prefix for the derived sender of a hooked transfer.
pub const HOOKS_SENDER_PREFIX: &str = "ibc-wasm-hook-intermediary";
/// The ICS-20 port.
pub const TRANSFER_PORT: &str = "transfer";
/// Default lifetime of an outgoing claim transfer.
pub const DEFAULT_TIMEOUT_SECS: u64 = 600;
pub const MAX_TIMEOUT_SECS: u64 = 7 * 24 * 3600;

#[derive(Error, Debug, PartialEq, Clone)]
pub enum IbcError {
    #[error("not an ICS-20 transfer packet: {reason}")]
    NotIcs20 { reason: String },
    #[error("the transfer's receiver is {receiver}, not this contract: its funds are not here")]
    WrongReceiver { receiver: String },
    #[error("the transfer arrived on port {port}; only ICS-20 transfers ({TRANSFER_PORT}) pay")]
    WrongPort { port: String },
    #[error("transfer amount {amount} is not a positive integer")]
    BadAmount { amount: String },
    #[error("the memo has no `{MEMO_KEY}` action: {reason}")]
    NoAction { reason: String },
    #[error("the memo's `{MEMO_KEY}` action is not one this contract takes: {reason}")]
    BadAction { reason: String },
    #[error("{denom} is not an accepted denom of the reward pool")]
    DenomNotAccepted { denom: String },
    #[error("{amount}{denom} is below the accepted minimum {min}")]
    BelowMinimum {
        denom: String,
        amount: Uint128,
        min: Uint128,
    },
    #[error("channel id {channel} is not of the form channel-N")]
    BadChannel { channel: String },
    #[error("remote receiver must be 1-128 characters without spaces")]
    BadRemoteReceiver {},
    #[error("timeout must be 60-{MAX_TIMEOUT_SECS} seconds, got {secs}")]
    BadTimeout { secs: u64 },
}

/// ICS-20 `FungibleTokenPacketData` (JSON on the wire; `amount` is a decimal string).
#[cw_serde]
pub struct Ics20Packet {
    pub denom: String,
    pub amount: String,
    pub sender: String,
    pub receiver: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub memo: String,
}

impl Ics20Packet {
    pub fn from_packet(packet: &IbcPacket) -> Result<Self, IbcError> {
        cosmwasm_std::from_json(&packet.data).map_err(|e| IbcError::NotIcs20 {
            reason: e.to_string(),
        })
    }

    pub fn amount(&self) -> Result<Uint128, IbcError> {
        self.amount
            .parse::<u128>()
            .ok()
            .filter(|a| *a > 0)
            .map(Uint128::new)
            .ok_or_else(|| IbcError::BadAmount {
                amount: self.amount.clone(),
            })
    }
}

/// `ibc/<SHA256(trace) in upper-case hex>`.
pub fn ibc_denom(trace: &str) -> String {
    format!("ibc/{}", hex_upper(&Sha256::digest(trace.as_bytes())))
}

/// The denom an ICS-20 packet's tokens arrive as on the receiving chain: a token coming
/// home loses the sender's `port/channel/` hop (a native denom comes back as itself); a
/// foreign one gains the receiver's hop and becomes `ibc/<hash>`.
pub fn receive_denom(
    src_port: &str,
    src_channel: &str,
    dest_port: &str,
    dest_channel: &str,
    packet_denom: &str,
) -> String {
    let returning = format!("{src_port}/{src_channel}/");
    match packet_denom.strip_prefix(&returning) {
        Some(rest) if !rest.contains('/') => rest.to_string(),
        Some(rest) => ibc_denom(rest),
        None => ibc_denom(&format!("{dest_port}/{dest_channel}/{packet_denom}")),
    }
}

/// The 32 address bytes ibc-hooks executes a hooked transfer from on the receiving chain:
/// `SHA256(SHA256(prefix) ‖ channel "/" sender)` (the Cosmos SDK's `address.Hash`).
pub fn intermediate_sender(dest_channel: &str, original_sender: &str) -> [u8; 32] {
    let typ = Sha256::digest(HOOKS_SENDER_PREFIX.as_bytes());
    let mut h = Sha256::new();
    h.update(typ);
    h.update(format!("{dest_channel}/{original_sender}").as_bytes());
    h.finalize().into()
}

/// A transfer that reached a contract's `ibc_destination_callback`, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct IncomingTransfer {
    /// The tokens as they now sit in the contract's balance.
    pub coin: Coin,
    /// The sender on the source chain.
    pub original_sender: String,
    /// The channel on this chain the transfer came in by.
    pub channel: String,
    /// [`intermediate_sender`] bytes; humanize with the chain's `Api`.
    pub payer_hash: [u8; 32],
}

#[derive(Deserialize)]
struct MemoProbe {
    attrib: Option<IgnoredAny>,
}

#[derive(Deserialize)]
struct Memo<T> {
    attrib: T,
}

impl IncomingTransfer {
    /// The checked transfer and its action, one of the contract's own message types `T`.
    pub fn parse<T: DeserializeOwned>(
        msg: &IbcDestinationCallbackMsg,
        contract: &Addr,
    ) -> Result<(Self, T), IbcError> {
        let packet = &msg.packet;
        if packet.dest.port_id != TRANSFER_PORT {
            return Err(IbcError::WrongPort {
                port: packet.dest.port_id.clone(),
            });
        }
        let data = Ics20Packet::from_packet(packet)?;
        if data.receiver != contract.as_str() {
            return Err(IbcError::WrongReceiver {
                receiver: data.receiver,
            });
        }
        let amount = data.amount()?;
        let denom = receive_denom(
            &packet.src.port_id,
            &packet.src.channel_id,
            &packet.dest.port_id,
            &packet.dest.channel_id,
            &data.denom,
        );
        let probe: MemoProbe = from_json(data.memo.as_bytes()).map_err(|e| IbcError::NoAction {
            reason: e.to_string(),
        })?;
        if probe.attrib.is_none() {
            return Err(IbcError::NoAction {
                reason: "key missing".into(),
            });
        }
        let action = from_json::<Memo<T>>(data.memo.as_bytes())
            .map_err(|e| IbcError::BadAction {
                reason: e.to_string(),
            })?
            .attrib;
        Ok((
            Self {
                coin: Coin::new(amount, denom),
                payer_hash: intermediate_sender(&packet.dest.channel_id, &data.sender),
                original_sender: data.sender,
                channel: packet.dest.channel_id.clone(),
            },
            action,
        ))
    }
}

/// A contract's whole `ibc_destination_callback`: the transfer checked by
/// [`IncomingTransfer::parse`], its denom checked against the reward pool's allowlist
/// (`min_amount` of a denom; `None` if not accepted — [`pool_minimum`] asks the pool),
/// then `run` performs the action exactly as the execute message would, with `info` =
/// the payer (humanized on this chain) and the transferred coin. Its response becomes the
/// callback's, with an [`crate::events::IBC_PAYMENT_RECEIVED`] event.
pub fn handle_incoming<T, E>(
    deps: DepsMut,
    env: Env,
    msg: &IbcDestinationCallbackMsg,
    min_amount: impl FnOnce(Deps, &str) -> StdResult<Option<Uint128>>,
    run: impl FnOnce(DepsMut, Env, MessageInfo, T) -> Result<Response, E>,
) -> Result<IbcBasicResponse, E>
where
    T: DeserializeOwned,
    E: From<IncomingError>,
{
    let (t, payer, action) = incoming::<T>(deps.as_ref(), &env, msg, min_amount)?;
    let info = MessageInfo {
        sender: payer,
        funds: vec![t.coin.clone()],
    };
    let resp = run(deps, env, info, action)?;
    Ok(callback_response(resp, &t))
}

fn incoming<T: DeserializeOwned>(
    deps: Deps,
    env: &Env,
    msg: &IbcDestinationCallbackMsg,
    min_amount: impl FnOnce(Deps, &str) -> StdResult<Option<Uint128>>,
) -> Result<(IncomingTransfer, Addr, T), IncomingError> {
    let (t, action) = IncomingTransfer::parse::<T>(msg, &env.contract.address)?;
    let min = min_amount(deps, &t.coin.denom)?.ok_or_else(|| IbcError::DenomNotAccepted {
        denom: t.coin.denom.clone(),
    })?;
    if t.coin.amount < min {
        return Err(IbcError::BelowMinimum {
            denom: t.coin.denom.clone(),
            amount: t.coin.amount,
            min,
        }
        .into());
    }
    let payer = deps
        .api
        .addr_humanize(&CanonicalAddr::from(t.payer_hash.as_slice()))?;
    Ok((t, payer, action))
}

/// The reward pool's minimum for a denom (`None`: not accepted), by its
/// `denom_accepted` query.
pub fn pool_minimum(pool: &Addr) -> impl FnOnce(Deps, &str) -> StdResult<Option<Uint128>> + '_ {
    move |deps, denom| {
        Ok(Remote::<dyn RewardPool<Error = StdError>>::new(pool.clone())
            .querier(&deps.querier)
            .denom_accepted(denom.to_string())?
            .min_amount)
    }
}

#[derive(Error, Debug, PartialEq)]
pub enum IncomingError {
    #[error(transparent)]
    Std(#[from] StdError),
    #[error(transparent)]
    Ibc(#[from] IbcError),
}

/// A contract's execute response as the callback's response: the same messages,
/// attributes and events, plus who paid from where.
fn callback_response(resp: Response, t: &IncomingTransfer) -> IbcBasicResponse {
    IbcBasicResponse::new()
        .add_submessages(resp.messages)
        .add_attributes(resp.attributes)
        .add_events(resp.events)
        .add_event(
            Event::new(crate::events::IBC_PAYMENT_RECEIVED)
                .add_attribute("channel", &t.channel)
                .add_attribute("sender", &t.original_sender)
                .add_attribute(crate::events::attr::AMOUNT, t.coin.to_string()),
        )
}

/// Where a claim goes on another chain.
#[cw_serde]
pub struct RemoteRecipient {
    /// This chain's end of a transfer channel.
    pub channel_id: String,
    /// The address on the other chain.
    pub receiver: String,
    /// Lifetime of the transfer; [`DEFAULT_TIMEOUT_SECS`] when absent.
    pub timeout_secs: Option<u64>,
}

impl RemoteRecipient {
    /// The channel, receiver and timeout are plausible (the chain checks the rest).
    pub fn check(&self) -> Result<u64, IbcError> {
        let digits = self.channel_id.strip_prefix("channel-").unwrap_or("");
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(IbcError::BadChannel {
                channel: self.channel_id.clone(),
            });
        }
        if self.receiver.is_empty()
            || self.receiver.len() > 128
            || self.receiver.chars().any(char::is_whitespace)
        {
            return Err(IbcError::BadRemoteReceiver {});
        }
        let secs = self.timeout_secs.unwrap_or(DEFAULT_TIMEOUT_SECS);
        if !(60..=MAX_TIMEOUT_SECS).contains(&secs) {
            return Err(IbcError::BadTimeout { secs });
        }
        Ok(secs)
    }
}

/// The memo of an outgoing claim transfer: asks for the source callback on `contract` and
/// names the claim.
pub fn claim_memo(contract: &Addr, claim_id: u64) -> String {
    #[derive(Serialize)]
    struct Callback<'a> {
        address: &'a str,
    }
    #[derive(Serialize)]
    struct ClaimMemo<'a> {
        src_callback: Callback<'a>,
        attrib_claim: String,
    }
    to_json_string(&ClaimMemo {
        src_callback: Callback {
            address: contract.as_str(),
        },
        attrib_claim: claim_id.to_string(),
    })
    .unwrap_or_default()
}

/// The claim id an outgoing packet of ours carries, if any.
pub fn claim_id_of(packet: &IbcPacket) -> Option<u64> {
    #[derive(Deserialize)]
    struct ClaimProbe {
        attrib_claim: Option<String>,
    }
    let data = Ics20Packet::from_packet(packet).ok()?;
    from_json::<ClaimProbe>(data.memo.as_bytes())
        .ok()?
        .attrib_claim?
        .parse()
        .ok()
}

/// Whether an ICS-20 acknowledgement is a success (`{"result":…}`) rather than an error.
pub fn ack_succeeded(ack: &Binary) -> bool {
    #[derive(Deserialize)]
    struct Ack {
        result: Option<IgnoredAny>,
        error: Option<IgnoredAny>,
    }
    from_json::<Ack>(ack.as_slice()).is_ok_and(|a| a.result.is_some() && a.error.is_none())
}

/// What a transfer from another chain may ask of Attrib (SPEC §7). Each variant is, in
/// the same JSON, the execute message of the contract it goes to — the registry, the
/// receipt oracle, the reward pool — so one value is both the `attrib` action of a
/// callbacks memo and the `wasm.msg` of an ibc-hooks memo. (The CLI's tests pin it
/// against the contracts' own messages.)
#[cw_serde]
pub enum IbcAction {
    /// To the registry. The licensee is named: the sender is an address on another chain.
    BuyLicense {
        dataset_id: DatasetId,
        version: VersionId,
        licensee: String,
    },
    /// To the receipt oracle: fund a model's usage escrow.
    FundEscrow { model_id: u64 },
    /// To the reward pool: a payment for dataset versions (see [`IbcAction::direct_payment`]).
    Pay(PayMsg),
}

impl IbcAction {
    /// A direct payment by an outsider: no named payer (only protocol contracts may name
    /// one), earmarked for `earmarks`.
    pub fn direct_payment(earmarks: Vec<Earmark>) -> Self {
        Self::Pay(PayMsg {
            earmarks,
            reason: InflowReason::DirectPayment,
            payer: None,
        })
    }
}

/// The memo a buyer's transfer needs for wasmd's callbacks path: the destination callback
/// on `contract` and the action (the contract's own execute message, JSON text).
pub fn callback_memo(contract: &str, action_json: &str) -> String {
    format!(r#"{{"dest_callback":{{"address":"{contract}"}},"{MEMO_KEY}":{action_json}}}"#)
}

/// The memo for an Osmosis ibc-hooks chain: `wasm.contract` must be the receiver.
pub fn hooks_memo(contract: &str, action_json: &str) -> String {
    format!(r#"{{"wasm":{{"contract":"{contract}","msg":{action_json}}}}}"#)
}

fn hex_upper(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(HEX[(b >> 4) as usize] as char);
        s.push(HEX[(b & 15) as usize] as char);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use cosmwasm_std::{to_json_binary, IbcAcknowledgement, IbcEndpoint, IbcTimeout, Timestamp};

    fn packet(data: &Ics20Packet, dest_port: &str) -> IbcPacket {
        IbcPacket::new(
            to_json_binary(data).unwrap(),
            IbcEndpoint {
                port_id: "transfer".into(),
                channel_id: "channel-7".into(),
            },
            IbcEndpoint {
                port_id: dest_port.into(),
                channel_id: "channel-0".into(),
            },
            3,
            IbcTimeout::with_timestamp(Timestamp::from_seconds(100)),
        )
    }

    fn transfer(receiver: &str, memo: &str) -> Ics20Packet {
        Ics20Packet {
            denom: "ubuy".into(),
            amount: "250000".into(),
            sender: "buyer1abc".into(),
            receiver: receiver.into(),
            memo: memo.into(),
        }
    }

    #[test]
    fn ibc_denom_matches_the_cosmos_hub_atom_on_osmosis() {
        // The published denom of ATOM over Osmosis' channel-0.
        assert_eq!(
            ibc_denom("transfer/channel-0/uatom"),
            "ibc/27394FB092D2ECCD56123C74F36E4C1F926001CEADA9CA97EA622B25F41E5EB2"
        );
    }

    #[test]
    fn receive_denom_adds_a_hop_or_unwinds_one() {
        assert_eq!(
            receive_denom("transfer", "channel-7", "transfer", "channel-0", "ubuy"),
            ibc_denom("transfer/channel-0/ubuy")
        );
        // Our own token coming home.
        assert_eq!(
            receive_denom(
                "transfer",
                "channel-7",
                "transfer",
                "channel-0",
                "transfer/channel-7/uatr"
            ),
            "uatr"
        );
        // A voucher of a third chain coming back one hop.
        assert_eq!(
            receive_denom(
                "transfer",
                "channel-7",
                "transfer",
                "channel-0",
                "transfer/channel-7/transfer/channel-9/uzzz"
            ),
            ibc_denom("transfer/channel-9/uzzz")
        );
    }

    #[test]
    fn incoming_transfer_reads_coin_payer_and_action() {
        let contract = Addr::unchecked("wasm1registry");
        let memo = callback_memo(
            contract.as_str(),
            r#"{"buy_license":{"dataset_id":1,"version":1,"licensee":"wasm1dev"}}"#,
        );
        let msg = IbcDestinationCallbackMsg {
            packet: packet(&transfer("wasm1registry", &memo), "transfer"),
            ack: IbcAcknowledgement::new(br#"{"result":"AQ=="}"#),
        };
        #[derive(serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        enum Act {
            BuyLicense { dataset_id: u64 },
        }
        let (t, Act::BuyLicense { dataset_id }) = IncomingTransfer::parse::<Act>(&msg, &contract).unwrap();
        assert_eq!(
            t.coin,
            Coin::new(250_000u128, ibc_denom("transfer/channel-0/ubuy"))
        );
        assert_eq!(t.original_sender, "buyer1abc");
        assert_eq!(t.channel, "channel-0");
        assert_eq!(t.payer_hash, intermediate_sender("channel-0", "buyer1abc"));
        assert_eq!(dataset_id, 1);
        // An action this contract does not take.
        let memo = callback_memo(contract.as_str(), r#"{"fund_escrow":{"model_id":1}}"#);
        let msg = IbcDestinationCallbackMsg {
            packet: packet(&transfer("wasm1registry", &memo), "transfer"),
            ack: IbcAcknowledgement::new(br#"{"result":"AQ=="}"#),
        };
        assert!(matches!(
            IncomingTransfer::parse::<Act>(&msg, &contract),
            Err(IbcError::BadAction { .. })
        ));
    }

    #[test]
    fn incoming_transfer_refuses_what_is_not_ours() {
        let contract = Addr::unchecked("wasm1registry");
        let memo = callback_memo("wasm1registry", r#"{"pay":{}}"#);
        let ack = IbcAcknowledgement::new(br#"{"result":"AQ=="}"#);
        let check = |data: Ics20Packet, port: &str| {
            IncomingTransfer::parse::<IgnoredAny>(
                &IbcDestinationCallbackMsg {
                    packet: packet(&data, port),
                    ack: ack.clone(),
                },
                &contract,
            )
        };
        // Funds went to someone else.
        assert_eq!(
            check(transfer("wasm1thief", &memo), "transfer"),
            Err(IbcError::WrongReceiver {
                receiver: "wasm1thief".into()
            })
        );
        assert!(matches!(
            check(transfer("wasm1registry", &memo), "wasm.xyz"),
            Err(IbcError::WrongPort { .. })
        ));
        let mut zero = transfer("wasm1registry", &memo);
        zero.amount = "0".into();
        assert!(matches!(check(zero, "transfer"), Err(IbcError::BadAmount { .. })));
        assert!(matches!(
            check(transfer("wasm1registry", "not json"), "transfer"),
            Err(IbcError::NoAction { .. })
        ));
        assert!(matches!(
            check(transfer("wasm1registry", r#"{"dest_callback":{}}"#), "transfer"),
            Err(IbcError::NoAction { .. })
        ));
        let garbage = IbcDestinationCallbackMsg {
            packet: IbcPacket::new(
                Binary::from(b"\x01\x02".to_vec()),
                IbcEndpoint {
                    port_id: "transfer".into(),
                    channel_id: "channel-7".into(),
                },
                IbcEndpoint {
                    port_id: "transfer".into(),
                    channel_id: "channel-0".into(),
                },
                1,
                IbcTimeout::with_timestamp(Timestamp::from_seconds(1)),
            ),
            ack,
        };
        assert!(matches!(
            IncomingTransfer::parse::<IgnoredAny>(&garbage, &contract),
            Err(IbcError::NotIcs20 { .. })
        ));
    }

    #[test]
    fn claim_ids_round_trip_through_the_memo() {
        let contract = Addr::unchecked("wasm1pool");
        let data = Ics20Packet {
            denom: "uatr".into(),
            amount: "5".into(),
            sender: "wasm1pool".into(),
            receiver: "buyer1x".into(),
            memo: claim_memo(&contract, 42),
        };
        assert_eq!(claim_id_of(&packet(&data, "transfer")), Some(42));
        assert_eq!(
            data.memo,
            r#"{"src_callback":{"address":"wasm1pool"},"attrib_claim":"42"}"#
        );
        let mut other = data.clone();
        other.memo = String::new();
        assert_eq!(claim_id_of(&packet(&other, "transfer")), None);
    }

    #[test]
    fn acks_and_recipients() {
        assert!(ack_succeeded(&Binary::from(br#"{"result":"AQ=="}"#.to_vec())));
        assert!(!ack_succeeded(&Binary::from(
            br#"{"error":"ABCI code: 7: error handling packet"}"#.to_vec()
        )));
        assert!(!ack_succeeded(&Binary::from(b"junk".to_vec())));
        let ok = RemoteRecipient {
            channel_id: "channel-3".into(),
            receiver: "buyer1x".into(),
            timeout_secs: None,
        };
        assert_eq!(ok.check(), Ok(DEFAULT_TIMEOUT_SECS));
        for (channel, receiver, timeout) in [
            ("chan-3", "buyer1x", None),
            ("channel-", "buyer1x", None),
            ("channel-3", "", None),
            ("channel-3", "a b", None),
            ("channel-3", "buyer1x", Some(10)),
        ] {
            let r = RemoteRecipient {
                channel_id: channel.into(),
                receiver: receiver.into(),
                timeout_secs: timeout,
            };
            assert!(r.check().is_err(), "{channel} {receiver} {timeout:?}");
        }
    }

    #[test]
    fn ibc_actions_are_the_contracts_execute_messages() {
        let buy = IbcAction::BuyLicense {
            dataset_id: 1,
            version: 2,
            licensee: "wasm1dev".into(),
        };
        let pay = IbcAction::direct_payment(vec![Earmark {
            dataset_id: 1,
            version: 2,
            weight_bps: 10_000,
        }]);
        for (action, json) in [
            (
                &buy,
                r#"{"buy_license":{"dataset_id":1,"version":2,"licensee":"wasm1dev"}}"#,
            ),
            (
                &IbcAction::FundEscrow { model_id: 3 },
                r#"{"fund_escrow":{"model_id":3}}"#,
            ),
            (
                &pay,
                r#"{"pay":{"earmarks":[{"dataset_id":1,"version":2,"weight_bps":10000}],"reason":"direct_payment","payer":null}}"#,
            ),
        ] {
            assert_eq!(to_json_string(action).unwrap(), json);
            assert_eq!(&from_json::<IbcAction>(json).unwrap(), action);
        }
        let memo = callback_memo("wasm1registry", &to_json_string(&buy).unwrap());
        let msg = IbcDestinationCallbackMsg {
            packet: packet(&transfer("wasm1registry", &memo), "transfer"),
            ack: IbcAcknowledgement::new(br#"{"result":"AQ=="}"#),
        };
        let (_, read) =
            IncomingTransfer::parse::<IbcAction>(&msg, &Addr::unchecked("wasm1registry")).unwrap();
        assert_eq!(read, buy);
    }

    #[test]
    fn hooks_sender_is_deterministic_per_channel_and_sender() {
        let a = intermediate_sender("channel-0", "buyer1abc");
        assert_eq!(a, intermediate_sender("channel-0", "buyer1abc"));
        assert_ne!(a, intermediate_sender("channel-1", "buyer1abc"));
        assert_ne!(a, intermediate_sender("channel-0", "buyer1abd"));
    }
}
