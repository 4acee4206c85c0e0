//! The distributor across chains (SPEC §6.5, §7).
//!
//! - **Paying a dataset from another chain**: wasmd's IBC callbacks middleware calls
//!   `ibc_destination_callback` after an ICS-20 transfer to the pool whose memo is
//!   `{"dest_callback":{"address":"<pool>"},"attrib":{"pay":{…}}}`; the payment is
//!   recorded exactly as `pay` would record it, from the derived sender. Any error fails
//!   the callback and the transfer is refunded on the source chain.
//! - **Remote claims**: a claim with `to_chain` sends native and IBC denoms by ICS-20 to an
//!   address on another chain, one transfer per denom, each with an id in its memo and a
//!   source callback on this contract. Until the acknowledgement the amount is booked as
//!   paid out and `in_transit`. A success acknowledgement closes the transfer; an error
//!   acknowledgement or a timeout (ibc-go has already refunded the tokens to this
//!   contract) credits the amount back to the claimant, who claims it again with
//!   `claim_credits` — here, or to another chain.

use attrib_std::events::{self, attr};
use attrib_std::ibc::{self, RemoteRecipient};
use attrib_std::pagination;
use attrib_std::rewards::PayMsg;
use cosmwasm_std::{
    Addr, Coin, DepsMut, Env, Event, IbcBasicResponse, IbcDestinationCallbackMsg, IbcMsg, IbcPacket,
    IbcSourceCallbackMsg, IbcTimeout, MessageInfo, Order, Response, StdResult, Storage, Uint128,
};
use serde::Deserialize;

use crate::error::ContractError;
use crate::msg::{ClaimTransferEntry, ClaimTransfersResponse, CreditsResponse};
use crate::state::{ClaimTransfer, RewardDistributorContract};

/// What an incoming transfer may ask of the pool: the `pay` message of the reward pool
/// interface (a direct payment; earmarks name the dataset versions).
#[derive(Deserialize, Debug)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum IbcAction {
    Pay(PayMsg),
}

#[cfg_attr(not(feature = "library"), cosmwasm_std::entry_point)]
pub fn ibc_destination_callback(
    deps: DepsMut,
    env: Env,
    msg: IbcDestinationCallbackMsg,
) -> Result<IbcBasicResponse, ContractError> {
    let contract = RewardDistributorContract::new();
    // An outsider's payment: `do_pay` holds it to `direct_payment` without a named payer.
    ibc::handle_incoming(
        deps,
        env,
        &msg,
        |deps, denom| {
            Ok(contract
                .accepted
                .may_load(deps.storage, denom)?
                .map(|a| a.min_amount))
        },
        |deps, env, info, IbcAction::Pay(pay)| {
            contract.do_pay(deps, &env, &info.sender, info.funds[0].clone(), pay)
        },
    )
}

/// The acknowledgement or timeout of a remote claim. Packets without one of our claim
/// ids (or already resolved) are ignored: there is nothing of ours to settle.
#[cfg_attr(not(feature = "library"), cosmwasm_std::entry_point)]
pub fn ibc_source_callback(
    deps: DepsMut,
    _env: Env,
    msg: IbcSourceCallbackMsg,
) -> Result<IbcBasicResponse, ContractError> {
    let contract = RewardDistributorContract::new();
    let (packet, delivered) = match &msg {
        IbcSourceCallbackMsg::Acknowledgement(ack) => (
            &ack.original_packet,
            ibc::ack_succeeded(&ack.acknowledgement.data),
        ),
        IbcSourceCallbackMsg::Timeout(t) => (&t.packet, false),
    };
    contract.resolve_claim_transfer(deps.storage, packet, delivered)
}

/// A remote recipient checked once per claim, with its timeout in seconds.
pub(crate) type CheckedRemote<'a> = Option<(&'a RemoteRecipient, u64)>;

pub(crate) fn checked(to: Option<&RemoteRecipient>) -> Result<CheckedRemote<'_>, ContractError> {
    Ok(to.map(|r| r.check().map(|secs| (r, secs))).transpose()?)
}

/// `amount` of `denom` owed to `owner`.
pub(crate) struct Payout<'a> {
    pub owner: &'a Addr,
    pub denom: &'a str,
    pub amount: Uint128,
}

impl RewardDistributorContract {
    /// Pays a payout: here, or with `remote` by ICS-20 (cw20 tokens cannot cross and are
    /// always paid here).
    pub(crate) fn pay_to(
        &self,
        storage: &mut dyn Storage,
        env: &Env,
        resp: Response,
        payout: Payout,
        remote: CheckedRemote,
    ) -> Result<Response, ContractError> {
        match remote {
            Some((to, secs)) if !payout.denom.starts_with(attrib_std::funds::CW20_PREFIX) => {
                self.send_remote(storage, env, resp, payout, to, secs)
            }
            _ => Ok(resp.add_message(attrib_std::funds::send(
                payout.denom,
                payout.owner,
                payout.amount,
            )?)),
        }
    }

    /// One ICS-20 transfer of a claim, recorded until its acknowledgement.
    fn send_remote(
        &self,
        storage: &mut dyn Storage,
        env: &Env,
        resp: Response,
        payout: Payout,
        to: &RemoteRecipient,
        secs: u64,
    ) -> Result<Response, ContractError> {
        let Payout { owner, denom, amount } = payout;
        let id = self.next_claim_transfer.may_load(storage)?.unwrap_or(1);
        self.next_claim_transfer.save(storage, &(id + 1))?;
        self.claim_transfers.save(
            storage,
            id,
            &ClaimTransfer {
                owner: owner.clone(),
                denom: denom.to_string(),
                amount,
                channel_id: to.channel_id.clone(),
                receiver: to.receiver.clone(),
                sent_at: env.block.time.seconds(),
            },
        )?;
        self.ledger_update(storage, denom, |l| l.in_transit += amount)?;
        Ok(resp
            .add_message(IbcMsg::Transfer {
                channel_id: to.channel_id.clone(),
                to_address: to.receiver.clone(),
                amount: Coin::new(amount, denom),
                timeout: IbcTimeout::with_timestamp(env.block.time.plus_seconds(secs)),
                memo: Some(ibc::claim_memo(&env.contract.address, id)),
            })
            .add_event(
                Event::new(events::REMOTE_CLAIM_SENT)
                    .add_attribute(attr::TRANSFER_ID, id.to_string())
                    .add_attribute(attr::OWNER, owner.as_str())
                    .add_attribute(attr::CHANNEL, &to.channel_id)
                    .add_attribute(attr::RECIPIENT, &to.receiver)
                    .add_attribute(attr::AMOUNT, format!("{amount}{denom}")),
            ))
    }

    pub(crate) fn resolve_claim_transfer(
        &self,
        storage: &mut dyn Storage,
        packet: &IbcPacket,
        delivered: bool,
    ) -> Result<IbcBasicResponse, ContractError> {
        let resp = IbcBasicResponse::new().add_attribute(attr::ACTION, events::action::IBC_SOURCE_CALLBACK);
        let Some(id) = ibc::claim_id_of(packet) else {
            return Ok(resp.add_attribute(attr::IGNORED, "not a claim transfer"));
        };
        let Some(t) = self.claim_transfers.may_load(storage, id)? else {
            return Ok(resp.add_attribute(attr::IGNORED, "unknown or resolved claim transfer"));
        };
        if packet.src.channel_id != t.channel_id {
            return Ok(resp.add_attribute(attr::IGNORED, "claim transfer on another channel"));
        }
        self.claim_transfers.remove(storage, id);
        let event = |name: &str| {
            Event::new(name)
                .add_attribute(attr::TRANSFER_ID, id.to_string())
                .add_attribute(attr::OWNER, t.owner.as_str())
                .add_attribute(attr::AMOUNT, format!("{}{}", t.amount, t.denom))
        };
        if delivered {
            self.ledger_update(storage, &t.denom, |l| l.in_transit -= t.amount)?;
            return Ok(resp.add_event(event(events::REMOTE_CLAIM_DELIVERED)));
        }
        // ibc-go refunded the tokens to this contract before calling back.
        self.ledger_update(storage, &t.denom, |l| {
            l.in_transit -= t.amount;
            l.paid_out -= t.amount;
            l.returned += t.amount;
            l.credits_owed += t.amount;
        })?;
        self.credits
            .update(storage, (&t.owner, t.denom.as_str()), |c| -> StdResult<_> {
                Ok(c.unwrap_or_default() + t.amount)
            })?;
        Ok(resp.add_event(event(events::REMOTE_CLAIM_RETURNED)))
    }

    pub(crate) fn do_claim_credits(
        &self,
        deps: DepsMut,
        env: &Env,
        info: &MessageInfo,
        to_chain: Option<RemoteRecipient>,
    ) -> Result<Response, ContractError> {
        self.gov.assert_not_paused(deps.storage)?;
        attrib_std::funds::expect_none(&info.funds)?;
        let remote = checked(to_chain.as_ref())?;
        let credits: Vec<(String, Uint128)> = self
            .credits
            .prefix(&info.sender)
            .range(deps.storage, None, None, Order::Ascending)
            .collect::<StdResult<_>>()?;
        if credits.is_empty() {
            return Err(ContractError::NothingToClaim {});
        }
        let mut resp = events::response(events::action::CLAIM_CREDITS);
        for (denom, amount) in &credits {
            self.credits.remove(deps.storage, (&info.sender, denom));
            self.ledger_update(deps.storage, denom, |l| {
                l.credits_owed -= *amount;
                l.paid_out += *amount;
            })?;
            let payout = Payout {
                owner: &info.sender,
                denom,
                amount: *amount,
            };
            resp = self.pay_to(deps.storage, env, resp, payout, remote)?;
        }
        Ok(resp.add_event(
            Event::new(events::CREDITS_CLAIMED)
                .add_attribute(attr::OWNER, info.sender.as_str())
                .add_attribute(
                    attr::AMOUNT,
                    credits
                        .iter()
                        .map(|(d, a)| format!("{a}{d}"))
                        .collect::<Vec<_>>()
                        .join(","),
                ),
        ))
    }

    pub(crate) fn query_credits(
        &self,
        ctx: sylvia::ctx::QueryCtx,
        owner: String,
    ) -> Result<CreditsResponse, ContractError> {
        let owner = ctx.deps.api.addr_validate(&owner)?;
        let credits = self
            .credits
            .prefix(&owner)
            .range(ctx.deps.storage, None, None, Order::Ascending)
            .map(|r| r.map(|(denom, amount)| Coin::new(amount, denom)))
            .collect::<StdResult<_>>()?;
        Ok(CreditsResponse { owner, credits })
    }

    pub(crate) fn query_claim_transfers(
        &self,
        ctx: sylvia::ctx::QueryCtx,
        start_after: Option<u64>,
        limit: Option<u32>,
    ) -> Result<ClaimTransfersResponse, ContractError> {
        let (start, limit) = pagination::page(start_after, limit);
        let transfers = self
            .claim_transfers
            .range(ctx.deps.storage, start, None, Order::Ascending)
            .take(limit)
            .map(|r| r.map(|(id, transfer)| ClaimTransferEntry { id, transfer }))
            .collect::<StdResult<_>>()?;
        Ok(ClaimTransfersResponse { transfers })
    }
}

#[cfg(test)]
mod tests {
    //! The IBC entry points on mock dependencies (multi-test has no IBC callbacks): a
    //! payment from another chain, then the treasury's claim sent to another chain that
    //! times out, comes back as credit and is claimed again; the per-denom ledger must
    //! match the contract's balance after every step.
    use super::*;
    use attrib_std::ibc::{callback_memo, ibc_denom, IbcError, Ics20Packet};
    use attrib_std::rewards::{EpochClock, Funding, TakeRates};
    use cosmwasm_std::testing::{
        message_info, mock_dependencies, mock_env, MockApi, MockQuerier, MockStorage,
    };
    use cosmwasm_std::{
        to_json_binary, Api, BankMsg, CosmosMsg, Decimal, IbcAckCallbackMsg, IbcAcknowledgement, IbcEndpoint,
        IbcTimeoutCallbackMsg, OwnedDeps, Timestamp,
    };
    use sylvia::ctx::{ExecCtx, InstantiateCtx, QueryCtx};

    use crate::msg::AcceptedDenomEntry;
    use crate::state::AcceptedDenom;

    type Deps = OwnedDeps<MockStorage, MockApi, MockQuerier>;
    const EPOCH: u64 = 100;

    fn denom() -> String {
        ibc_denom("transfer/channel-0/ubuy")
    }

    fn setup() -> (Deps, Env, Addr) {
        let mut deps = mock_dependencies();
        let env = mock_env();
        let treasury = deps.api.addr_make("treasury");
        RewardDistributorContract::new()
            .instantiate(
                InstantiateCtx::from((deps.as_mut(), env.clone(), message_info(&treasury, &[]))),
                crate::msg::InstantiateConfig {
                    admin: None,
                    treasury: treasury.to_string(),
                    registry: None,
                    curator_staking: None,
                    receipt_oracle: None,
                    clock: Some(EpochClock {
                        epoch_start: env.block.time.seconds(),
                        epoch_secs: EPOCH,
                    }),
                    rates: TakeRates {
                        protocol_bps: 1_000,
                        curator_bps: 1_500,
                    },
                    vesting_secs: 0,
                    emission: None,
                    accepted: vec![AcceptedDenomEntry {
                        denom: denom(),
                        accepted: AcceptedDenom {
                            min_amount: Uint128::new(100),
                            value_weight: Decimal::one(),
                        },
                    }],
                    top_k: 3,
                    change_delay_secs: None,
                },
            )
            .unwrap();
        (deps, env, treasury)
    }

    fn packet(data: &Ics20Packet, src: (&str, &str), dest: (&str, &str)) -> IbcPacket {
        IbcPacket::new(
            to_json_binary(data).unwrap(),
            IbcEndpoint {
                port_id: src.0.into(),
                channel_id: src.1.into(),
            },
            IbcEndpoint {
                port_id: dest.0.into(),
                channel_id: dest.1.into(),
            },
            1,
            IbcTimeout::with_timestamp(Timestamp::from_seconds(1)),
        )
    }

    /// A buyer chain's transfer of `amount` ubuy to `receiver` over its channel-5 (our
    /// channel-0).
    fn incoming(receiver: &Addr, amount: &str, action: &str) -> IbcDestinationCallbackMsg {
        let data = Ics20Packet {
            denom: "ubuy".into(),
            amount: amount.into(),
            sender: "buyer1xyz".into(),
            receiver: receiver.to_string(),
            memo: callback_memo(receiver.as_str(), action),
        };
        IbcDestinationCallbackMsg {
            packet: packet(&data, ("transfer", "channel-5"), ("transfer", "channel-0")),
            ack: IbcAcknowledgement::new(br#"{"result":"AQ=="}"#),
        }
    }

    const PAY: &str = r#"{"pay":{"earmarks":[],"reason":"direct_payment","payer":null}}"#;

    /// (received, paid out, expected balance) of the IBC denom.
    fn ledger(deps: &Deps) -> crate::state::Ledger {
        let c = RewardDistributorContract::new();
        c.ledgers
            .may_load(&deps.storage, &denom())
            .unwrap()
            .unwrap_or_default()
    }

    /// What the contract's bank balance must be, tracked by hand from the messages.
    fn assert_conserved(deps: &Deps, balance: u128) {
        let l = ledger(deps);
        assert_eq!((l.received - l.paid_out).u128(), balance, "{l:?}");
        assert_eq!(l.liabilities().u128(), balance, "{l:?}");
    }

    #[test]
    fn a_payment_from_another_chain_is_recorded_for_the_derived_payer() {
        let (mut deps, env, _) = setup();
        let pool = env.contract.address.clone();
        let resp =
            ibc_destination_callback(deps.as_mut(), env.clone(), incoming(&pool, "5000", PAY)).unwrap();
        assert!(resp.events.iter().any(|e| e.ty == events::IBC_PAYMENT_RECEIVED));
        assert!(resp.events.iter().any(|e| e.ty == events::REWARD_INFLOW));
        assert_conserved(&deps, 5_000);
        let l = ledger(&deps);
        assert_eq!(l.unsettled.u128(), 5_000);
        // The buyer is the ibc-hooks address of (channel-0, buyer1xyz).
        let payer = deps
            .api
            .addr_humanize(
                &attrib_std::ibc::intermediate_sender("channel-0", "buyer1xyz")
                    .to_vec()
                    .into(),
            )
            .unwrap();
        let c = RewardDistributorContract::new();
        assert!(c.buyers.has(&deps.storage, &payer));
    }

    #[test]
    fn refused_transfers_fail_the_callback_and_change_nothing() {
        let (mut deps, env, _) = setup();
        let pool = env.contract.address.clone();
        let elsewhere = deps.api.addr_make("elsewhere");
        let cases: Vec<(IbcDestinationCallbackMsg, &str)> = vec![
            // Funds went to another address that named us in its memo.
            (
                {
                    let mut m = incoming(&pool, "5000", PAY);
                    let mut data: Ics20Packet = cosmwasm_std::from_json(&m.packet.data).unwrap();
                    data.receiver = elsewhere.to_string();
                    m.packet.data = to_json_binary(&data).unwrap();
                    m
                },
                "not this contract",
            ),
            (incoming(&pool, "99", PAY), "below the accepted minimum"),
            (
                incoming(
                    &pool,
                    "5000",
                    r#"{"buy_license":{"dataset_id":1,"version":1,"licensee":"x"}}"#,
                ),
                "not one this contract takes",
            ),
            (
                incoming(
                    &pool,
                    "5000",
                    r#"{"pay":{"earmarks":[],"reason":"slash","payer":null}}"#,
                ),
                "may pay as slash",
            ),
            (
                incoming(
                    &pool,
                    "5000",
                    r#"{"pay":{"earmarks":[{"dataset_id":1,"version":1,"weight_bps":5000}],"reason":"direct_payment","payer":null}}"#,
                ),
                "weights",
            ),
        ];
        for (msg, why) in cases {
            let err = ibc_destination_callback(deps.as_mut(), env.clone(), msg).unwrap_err();
            assert!(err.to_string().contains(why), "{why}: {err}");
        }
        // A denom the pool does not take: ours, coming back from the buyer chain.
        let mut m = incoming(&pool, "5000", PAY);
        let mut data: Ics20Packet = cosmwasm_std::from_json(&m.packet.data).unwrap();
        data.denom = "uother".into();
        m.packet.data = to_json_binary(&data).unwrap();
        let err = ibc_destination_callback(deps.as_mut(), env.clone(), m).unwrap_err();
        assert!(err.to_string().contains("not an accepted denom"), "{err}");
        assert_eq!(ledger(&deps), Default::default());
    }

    /// The treasury claims to another chain; `outcome` resolves the transfer.
    /// 5 000 vouchers paid from another chain, the epoch closed and settled: nobody earned
    /// points and nothing was earmarked, so all of it is owed to the treasury.
    fn treasury_owed_5000() -> (Deps, Env, Addr) {
        let (mut deps, mut env, treasury) = setup();
        let pool = env.contract.address.clone();
        let c = RewardDistributorContract::new();
        ibc_destination_callback(deps.as_mut(), env.clone(), incoming(&pool, "5000", PAY)).unwrap();
        env.block.time = env.block.time.plus_seconds(EPOCH);
        let crank = message_info(&deps.api.addr_make("anyone"), &[]);
        c.close_epoch(ExecCtx::from((deps.as_mut(), env.clone(), crank.clone())))
            .unwrap();
        c.settle_epoch(ExecCtx::from((deps.as_mut(), env.clone(), crank)), 100)
            .unwrap();
        assert_eq!(ledger(&deps).treasury_owed.u128(), 5_000);
        (deps, env, treasury)
    }

    /// A pool deployed before owed amounts were keyed by treasury: the migration moves
    /// each entry to the treasury of the day, once, and it is claimable as before.
    #[test]
    fn migration_moves_legacy_treasury_entries_to_the_treasury() {
        let (mut deps, env, treasury) = setup();
        let c = RewardDistributorContract::new();
        let legacy: cw_storage_plus::Map<(&str, u8), Uint128> = cw_storage_plus::Map::new("treasury_owed");
        legacy
            .save(
                deps.as_mut().storage,
                ("uatr", Funding::Fee.key()),
                &Uint128::new(700),
            )
            .unwrap();
        legacy
            .save(
                deps.as_mut().storage,
                ("uatr", Funding::Emission.key()),
                &Uint128::new(30),
            )
            .unwrap();
        c.move_legacy_treasury_owed(deps.as_mut().storage).unwrap();
        c.move_legacy_treasury_owed(deps.as_mut().storage).unwrap();
        assert!(legacy.is_empty(deps.as_ref().storage));
        let owed = |deps: &Deps| {
            c.treasury(QueryCtx::from((deps.as_ref(), env.clone())), None)
                .unwrap()
                .owed
                .iter()
                .map(|o| (o.funding, o.amount.u128()))
                .collect::<Vec<_>>()
        };
        assert_eq!(owed(&deps), vec![(Funding::Fee, 700), (Funding::Emission, 30)]);
        assert_eq!(
            c.treasury(
                QueryCtx::from((deps.as_ref(), env.clone())),
                Some(treasury.to_string())
            )
            .unwrap()
            .owed
            .len(),
            2
        );
    }

    /// An epoch closed before the upgrade (no treasury recorded) and still settling: the
    /// migration stamps the treasury of the day, so no later treasury change splits it.
    #[test]
    fn migration_stamps_the_treasury_on_a_settling_epoch() {
        let (mut deps, mut env, treasury) = setup();
        let pool = env.contract.address.clone();
        let c = RewardDistributorContract::new();
        ibc_destination_callback(deps.as_mut(), env.clone(), incoming(&pool, "5000", PAY)).unwrap();
        env.block.time = env.block.time.plus_seconds(EPOCH);
        let crank = message_info(&deps.api.addr_make("anyone"), &[]);
        c.close_epoch(ExecCtx::from((deps.as_mut(), env.clone(), crank)))
            .unwrap();
        let e = c.settling.load(&deps.storage).unwrap().unwrap();
        let mut epoch = c.epochs.load(&deps.storage, e).unwrap();
        assert_eq!(epoch.treasury, Some(treasury.clone()));
        epoch.treasury = None;
        c.epochs.save(deps.as_mut().storage, e, &epoch).unwrap();
        cw2::set_contract_version(deps.as_mut().storage, crate::contract::CONTRACT_NAME, "0.0.1").unwrap();
        c.migrate(sylvia::ctx::MigrateCtx::from((deps.as_mut(), env.clone())))
            .unwrap();
        assert_eq!(c.epochs.load(&deps.storage, e).unwrap().treasury, Some(treasury));
    }

    fn treasury_claims_remote(outcome: &str) {
        let (mut deps, env, treasury) = treasury_owed_5000();
        let pool = env.contract.address.clone();
        let c = RewardDistributorContract::new();

        let to = RemoteRecipient {
            channel_id: "channel-0".into(),
            receiver: "buyer1treasury".into(),
            timeout_secs: Some(300),
        };
        let info = message_info(&treasury, &[]);
        let resp = c
            .claim_treasury(
                ExecCtx::from((deps.as_mut(), env.clone(), info.clone())),
                Some(to.clone()),
            )
            .unwrap();
        let [msg] = resp.messages.as_slice() else {
            panic!("{resp:?}")
        };
        let CosmosMsg::Ibc(IbcMsg::Transfer {
            channel_id,
            to_address,
            amount,
            timeout,
            memo,
        }) = &msg.msg
        else {
            panic!("{msg:?}")
        };
        assert_eq!(
            (channel_id.as_str(), to_address.as_str()),
            ("channel-0", "buyer1treasury")
        );
        assert_eq!(amount, &Coin::new(5_000u128, denom()));
        assert_eq!(timeout.timestamp(), Some(env.block.time.plus_seconds(300)));
        // The tokens left with the transfer: in transit, nothing owed.
        assert_conserved(&deps, 0);
        assert_eq!(ledger(&deps).in_transit.u128(), 5_000);
        // A second claim finds nothing.
        let err = c
            .claim_treasury(ExecCtx::from((deps.as_mut(), env.clone(), info.clone())), None)
            .unwrap_err();
        assert_eq!(err, ContractError::NothingToClaim {});

        // The packet as the transfer module sent it.
        let sent = packet(
            &Ics20Packet {
                denom: denom(),
                amount: "5000".into(),
                sender: pool.to_string(),
                receiver: "buyer1treasury".into(),
                memo: memo.clone().unwrap(),
            },
            ("transfer", "channel-0"),
            ("transfer", "channel-5"),
        );
        let relayer = deps.api.addr_make("relayer");
        let callback = match outcome {
            "ack" => IbcSourceCallbackMsg::Acknowledgement(IbcAckCallbackMsg::new(
                IbcAcknowledgement::new(br#"{"result":"AQ=="}"#),
                sent.clone(),
                relayer.clone(),
            )),
            "error" => IbcSourceCallbackMsg::Acknowledgement(IbcAckCallbackMsg::new(
                IbcAcknowledgement::new(br#"{"error":"insufficient funds"}"#),
                sent.clone(),
                relayer.clone(),
            )),
            _ => IbcSourceCallbackMsg::Timeout(IbcTimeoutCallbackMsg::new(sent.clone(), relayer.clone())),
        };
        let resp = ibc_source_callback(deps.as_mut(), env.clone(), callback.clone()).unwrap();
        let credits = |deps: &Deps| {
            c.query_credits(QueryCtx::from((deps.as_ref(), env.clone())), treasury.to_string())
                .unwrap()
                .credits
        };
        if outcome == "ack" {
            assert!(resp.events.iter().any(|e| e.ty == events::REMOTE_CLAIM_DELIVERED));
            assert_conserved(&deps, 0);
            assert_eq!(ledger(&deps).in_transit.u128(), 0);
            assert!(credits(&deps).is_empty());
        } else {
            // ibc-go put the tokens back in our balance: they are the treasury's again.
            assert!(resp.events.iter().any(|e| e.ty == events::REMOTE_CLAIM_RETURNED));
            assert_conserved(&deps, 5_000);
            assert_eq!(credits(&deps), vec![Coin::new(5_000u128, denom())]);
        }
        // The same callback again (or anyone's packet) settles nothing twice.
        let again = ibc_source_callback(deps.as_mut(), env.clone(), callback).unwrap();
        assert!(again.events.is_empty());
        assert_conserved(&deps, if outcome == "ack" { 0 } else { 5_000 });
        if outcome == "ack" {
            return;
        }
        // Claimed again, here this time: paid once, nothing left.
        let stranger = message_info(&deps.api.addr_make("stranger"), &[]);
        assert_eq!(
            c.claim_credits(ExecCtx::from((deps.as_mut(), env.clone(), stranger)), None)
                .unwrap_err(),
            ContractError::NothingToClaim {}
        );
        let resp = c
            .claim_credits(ExecCtx::from((deps.as_mut(), env.clone(), info.clone())), None)
            .unwrap();
        assert_eq!(
            resp.messages[0].msg,
            CosmosMsg::Bank(BankMsg::Send {
                to_address: treasury.to_string(),
                amount: vec![Coin::new(5_000u128, denom())],
            })
        );
        assert_conserved(&deps, 0);
        assert_eq!(ledger(&deps).returned.u128(), 5_000);
        assert!(credits(&deps).is_empty());
        assert_eq!(
            c.claim_credits(ExecCtx::from((deps.as_mut(), env.clone(), info)), None)
                .unwrap_err(),
            ContractError::NothingToClaim {}
        );
    }

    #[test]
    fn a_delivered_remote_claim_is_closed() {
        treasury_claims_remote("ack");
    }

    #[test]
    fn a_refused_remote_claim_is_credited_back_and_claimed_again() {
        treasury_claims_remote("error");
    }

    #[test]
    fn a_timed_out_remote_claim_is_credited_back_and_claimed_again() {
        treasury_claims_remote("timeout");
    }

    #[test]
    fn remote_claims_check_where_they_go() {
        let (mut deps, env, treasury) = treasury_owed_5000();
        let c = RewardDistributorContract::new();
        let info = message_info(&treasury, &[]);
        let before = ledger(&deps);
        for (channel, receiver, timeout, expected) in [
            (
                "transfer",
                "buyer1x",
                None,
                IbcError::BadChannel {
                    channel: "transfer".into(),
                },
            ),
            ("channel-0", "", None, IbcError::BadRemoteReceiver {}),
            ("channel-0", "a b", None, IbcError::BadRemoteReceiver {}),
            ("channel-0", "buyer1x", Some(5), IbcError::BadTimeout { secs: 5 }),
        ] {
            let to = RemoteRecipient {
                channel_id: channel.into(),
                receiver: receiver.into(),
                timeout_secs: timeout,
            };
            let err = c
                .claim_treasury(
                    ExecCtx::from((deps.as_mut(), env.clone(), info.clone())),
                    Some(to.clone()),
                )
                .unwrap_err();
            assert_eq!(err, ContractError::Ibc(expected.clone()));
            let err = c
                .claim_credits(
                    ExecCtx::from((deps.as_mut(), env.clone(), info.clone())),
                    Some(to),
                )
                .unwrap_err();
            assert_eq!(err, ContractError::Ibc(expected));
        }
        // Nothing moved: still owed to the treasury, nothing in transit, no transfer.
        assert_eq!(ledger(&deps), before);
        assert_eq!(ledger(&deps).treasury_owed.u128(), 5_000);
        assert!(c
            .claim_transfers
            .range(&deps.storage, None, None, cosmwasm_std::Order::Ascending)
            .next()
            .is_none());
    }
}
