#![no_main]
//! The IBC side of payments and claims (`attrib_std::ibc`): an incoming transfer's packet
//! and memo as `ibc_destination_callback` reads them, the claim memo and the ICS-20
//! acknowledgement. Properties:
//! - arbitrary packet data, memos, ports and channels never panic the parser;
//! - it refuses with the error of the first check that fails (port, ICS-20 data,
//!   receiver, amount, memo key, action), and what it accepts is what the packet says:
//!   receiver is the contract, the amount is the packet's positive amount, the denom is
//!   `receive_denom` of the packet's route, the payer is `intermediate_sender`;
//! - the accepted action round-trips, and the memo `callback_memo` builds for it reads
//!   back as the same action; `claim_memo` reads back as its claim id;
//! - `RemoteRecipient::check` accepts exactly the documented channels, receivers and
//!   timeouts.
use arbitrary::Arbitrary;
use attrib_std::ibc::{
    ack_succeeded, callback_memo, claim_id_of, claim_memo, intermediate_sender, receive_denom,
    IbcAction, IbcError, Ics20Packet, IncomingTransfer, RemoteRecipient, MAX_TIMEOUT_SECS,
    TRANSFER_PORT,
};
use cosmwasm_std::{
    from_json, to_json_binary, to_json_string, Addr, Binary, IbcAcknowledgement,
    IbcDestinationCallbackMsg, IbcEndpoint, IbcPacket, IbcTimeout, Timestamp,
};
use libfuzzer_sys::fuzz_target;

const CONTRACT: &str = "wasm1contract";

#[derive(Arbitrary, Debug)]
enum Memo {
    Raw(String),
    Action { action: Action, extra: Option<String> },
    Json { action_json: String },
}

#[derive(Arbitrary, Debug)]
enum Action {
    Buy { dataset_id: u64, version: u32, licensee: String },
    Fund { model_id: u64 },
}

#[derive(Arbitrary, Debug)]
enum Data {
    Raw(Vec<u8>),
    Ics20 { denom: String, amount: String, sender: String, to_contract: bool, receiver: String, memo: Memo },
}

#[derive(Arbitrary, Debug)]
struct Input {
    data: Data,
    src_port: String,
    src_channel: String,
    dest_transfer: bool,
    dest_port: String,
    dest_channel: String,
    claim_id: u64,
    ack: Vec<u8>,
    remote: (String, String, Option<u64>),
}

fn memo_text(m: Memo) -> String {
    match m {
        Memo::Raw(s) => s,
        Memo::Action { action, extra } => {
            let action = match action {
                Action::Buy { dataset_id, version, licensee } => IbcAction::BuyLicense { dataset_id, version, licensee },
                Action::Fund { model_id } => IbcAction::FundEscrow { model_id },
            };
            let memo = callback_memo(CONTRACT, &to_json_string(&action).unwrap());
            // A memo the builder made must read back as the same action.
            let data = Ics20Packet { denom: "uatom".into(), amount: "1".into(), sender: "s".into(), receiver: CONTRACT.into(), memo: memo.clone() };
            let (_, read) = IncomingTransfer::parse::<IbcAction>(&callback(packet(to_json_binary(&data).unwrap(), "transfer", "channel-0", TRANSFER_PORT, "channel-1")), &Addr::unchecked(CONTRACT)).unwrap();
            assert_eq!(read, action);
            match extra {
                Some(e) => format!("{}{e}", &memo[..memo.len() - 1]),
                None => memo,
            }
        }
        Memo::Json { action_json } => callback_memo(CONTRACT, &action_json),
    }
}

fn packet(data: Binary, src_port: &str, src_channel: &str, dest_port: &str, dest_channel: &str) -> IbcPacket {
    IbcPacket::new(
        data,
        IbcEndpoint { port_id: src_port.into(), channel_id: src_channel.into() },
        IbcEndpoint { port_id: dest_port.into(), channel_id: dest_channel.into() },
        1,
        IbcTimeout::with_timestamp(Timestamp::from_seconds(1)),
    )
}

fn callback(packet: IbcPacket) -> IbcDestinationCallbackMsg {
    IbcDestinationCallbackMsg { packet, ack: IbcAcknowledgement::new(br#"{"result":"AQ=="}"#) }
}

fuzz_target!(|input: Input| {
    let data = match input.data {
        Data::Raw(b) => Binary::from(b),
        Data::Ics20 { denom, amount, sender, to_contract, receiver, memo } => to_json_binary(&Ics20Packet {
            denom,
            amount,
            sender,
            receiver: if to_contract { CONTRACT.into() } else { receiver },
            memo: memo_text(memo),
        })
        .unwrap(),
    };
    let dest_port = if input.dest_transfer { TRANSFER_PORT } else { input.dest_port.as_str() };
    let pkt = packet(data.clone(), &input.src_port, &input.src_channel, dest_port, &input.dest_channel);
    let got = IncomingTransfer::parse::<IbcAction>(&callback(pkt.clone()), &Addr::unchecked(CONTRACT));

    // The first check that fails names the error.
    let ics20 = from_json::<Ics20Packet>(&data);
    let first_failure = if dest_port != TRANSFER_PORT {
        Some("port")
    } else if ics20.is_err() {
        Some("ics20")
    } else if ics20.as_ref().unwrap().receiver != CONTRACT {
        Some("receiver")
    } else if !ics20.as_ref().unwrap().amount.parse::<u128>().is_ok_and(|a| a > 0) {
        Some("amount")
    } else {
        None
    };
    match (&got, first_failure) {
        (Err(IbcError::WrongPort { port }), Some("port")) => assert_eq!(port, dest_port),
        (Err(IbcError::NotIcs20 { .. }), Some("ics20")) => {}
        (Err(IbcError::WrongReceiver { receiver }), Some("receiver")) => assert_eq!(receiver, &ics20.unwrap().receiver),
        (Err(IbcError::BadAmount { amount }), Some("amount")) => assert_eq!(amount, &ics20.unwrap().amount),
        (Err(IbcError::NoAction { .. } | IbcError::BadAction { .. }), None) => {}
        (Ok((t, action)), None) => {
            let d = ics20.unwrap();
            assert_eq!(t.coin.amount.u128(), d.amount.parse::<u128>().unwrap());
            assert_eq!(t.coin.denom, receive_denom(&input.src_port, &input.src_channel, dest_port, &input.dest_channel, &d.denom));
            assert_eq!(t.payer_hash, intermediate_sender(&input.dest_channel, &d.sender));
            assert_eq!((&t.original_sender, &t.channel), (&d.sender, &input.dest_channel));
            let json = to_json_string(action).unwrap();
            assert_eq!(&from_json::<IbcAction>(&json).unwrap(), action);
            let again = Ics20Packet { memo: callback_memo(CONTRACT, &json), ..d };
            let pkt = packet(to_json_binary(&again).unwrap(), &input.src_port, &input.src_channel, dest_port, &input.dest_channel);
            let (t2, a2) = IncomingTransfer::parse::<IbcAction>(&callback(pkt), &Addr::unchecked(CONTRACT)).unwrap();
            assert_eq!((&t2, &a2), (t, action));
        }
        (got, want) => panic!("parse gave {got:?}, the first failing check is {want:?}"),
    }

    // A token coming home loses the hop it left by.
    if !input.src_channel.contains('/') && !input.src_port.contains('/') {
        let home = format!("{}/{}/uattrib", input.src_port, input.src_channel);
        assert_eq!(receive_denom(&input.src_port, &input.src_channel, "transfer", "channel-9", &home), "uattrib");
    }

    // Claims: the memo we send reads back as its id; any other memo is read safely.
    let _ = claim_id_of(&pkt);
    let claim = Ics20Packet {
        denom: "uattrib".into(),
        amount: "1".into(),
        sender: CONTRACT.into(),
        receiver: "cosmos1x".into(),
        memo: claim_memo(&Addr::unchecked(CONTRACT), input.claim_id),
    };
    let out = packet(to_json_binary(&claim).unwrap(), "transfer", "channel-0", "transfer", "channel-1");
    assert_eq!(claim_id_of(&out), Some(input.claim_id));
    let _ = ack_succeeded(&Binary::from(input.ack));
    assert!(ack_succeeded(&Binary::from(br#"{"result":"AQ=="}"#)));
    assert!(!ack_succeeded(&Binary::from(br#"{"error":"denied"}"#)));

    let (channel_id, receiver, timeout_secs) = input.remote;
    let r = RemoteRecipient { channel_id, receiver, timeout_secs };
    let digits = r.channel_id.strip_prefix("channel-").unwrap_or("");
    let channel_ok = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit());
    let receiver_ok = (1..=128).contains(&r.receiver.len()) && !r.receiver.chars().any(char::is_whitespace);
    let secs = r.timeout_secs.unwrap_or(600);
    let timeout_ok = (60..=MAX_TIMEOUT_SECS).contains(&secs);
    match r.check() {
        Ok(s) => assert!(channel_ok && receiver_ok && timeout_ok && s == secs),
        Err(IbcError::BadChannel { .. }) => assert!(!channel_ok),
        Err(IbcError::BadRemoteReceiver {}) => assert!(channel_ok && !receiver_ok),
        Err(IbcError::BadTimeout { secs: s }) => assert!(channel_ok && receiver_ok && !timeout_ok && s == secs),
        Err(e) => panic!("check: {e:?}"),
    }
});
