//! Buying a license from another chain (SPEC §7): wasmd's IBC callbacks middleware calls
//! `ibc_destination_callback` after an ICS-20 transfer to this contract whose memo is
//! `{"dest_callback":{"address":"<registry>"},"attrib":{"buy_license":{…}}}`. The tokens
//! are already in the registry's balance; the purchase runs exactly as `buy_license`
//! would, paid by the transfer and for the licensee the memo names. Any error fails the
//! callback, which fails the receive: the transfer is refunded on the source chain.
//! (On Osmosis ibc-hooks chains the memo's `wasm.msg` is a plain `buy_license` with an
//! explicit `licensee`, executed from the derived sender.)

use attrib_std::registry::{DatasetId, VersionId};
use cosmwasm_std::{DepsMut, Env, IbcBasicResponse, IbcDestinationCallbackMsg};
use serde::Deserialize;

use crate::error::ContractError;
use crate::state::RegistryContract;

/// What an incoming transfer may ask of the registry.
#[derive(Deserialize, Debug)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum IbcAction {
    /// The licensee is required: the sender is an address on another chain.
    BuyLicense {
        dataset_id: DatasetId,
        version: VersionId,
        licensee: String,
    },
}

#[cfg_attr(not(feature = "library"), cosmwasm_std::entry_point)]
pub fn ibc_destination_callback(
    deps: DepsMut,
    env: Env,
    msg: IbcDestinationCallbackMsg,
) -> Result<IbcBasicResponse, ContractError> {
    let contract = RegistryContract::new();
    let pool = contract.config.load(deps.storage)?.reward_pool;
    attrib_std::ibc::handle_incoming(
        deps,
        env,
        &msg,
        attrib_std::ibc::pool_minimum(&pool),
        |deps, env, info, action| match action {
            IbcAction::BuyLicense {
                dataset_id,
                version,
                licensee,
            } => contract.do_buy_license((deps, env, info).into(), dataset_id, version, Some(licensee)),
        },
    )
}

#[cfg(test)]
mod tests {
    //! Refusals of the callback itself (mock dependencies; the paying path runs on two
    //! real chains in the CLI's `e2e_ibc` test): each is a specific error, and nothing in
    //! the registry changes, so ibc-go reverts the receive and the sender is refunded.
    use super::*;
    use attrib_std::ibc::{callback_memo, IbcError, Ics20Packet, IncomingError};
    use cosmwasm_std::testing::{message_info, mock_dependencies, mock_env};
    use cosmwasm_std::{to_json_binary, IbcAcknowledgement, IbcEndpoint, IbcPacket, IbcTimeout, Timestamp};
    use sylvia::ctx::InstantiateCtx;

    fn transfer(receiver: &str, memo: &str) -> IbcDestinationCallbackMsg {
        let data = Ics20Packet {
            denom: "ubuy".into(),
            amount: "250000".into(),
            sender: "buyer1xyz".into(),
            receiver: receiver.into(),
            memo: memo.into(),
        };
        IbcDestinationCallbackMsg {
            packet: IbcPacket::new(
                to_json_binary(&data).unwrap(),
                IbcEndpoint {
                    port_id: "transfer".into(),
                    channel_id: "channel-5".into(),
                },
                IbcEndpoint {
                    port_id: "transfer".into(),
                    channel_id: "channel-0".into(),
                },
                1,
                IbcTimeout::with_timestamp(Timestamp::from_seconds(1)),
            ),
            ack: IbcAcknowledgement::new(br#"{"result":"AQ=="}"#),
        }
    }

    #[test]
    fn refused_transfers_fail_the_callback_and_change_nothing() {
        let mut deps = mock_dependencies();
        let env = mock_env();
        let admin = deps.api.addr_make("admin");
        let pool = deps.api.addr_make("pool");
        let contract = RegistryContract::new();
        contract
            .instantiate(
                InstantiateCtx::from((deps.as_mut(), env.clone(), message_info(&admin, &[]))),
                crate::msg::InstantiateConfig {
                    admin: None,
                    reward_pool: pool.to_string(),
                    curator_staking: None,
                    schema_fee: None,
                    dataset_bond: None,
                    tranche_bond: None,
                    challenge_window_secs: 10,
                    max_tranches_per_version: 50,
                },
            )
            .unwrap();
        let me = env.contract.address.to_string();
        let elsewhere = deps.api.addr_make("elsewhere").to_string();
        let buy = r#"{"buy_license":{"dataset_id":1,"version":1,"licensee":"x"}}"#;
        let stats = contract.stats.load(&deps.storage).unwrap();
        let cases = [
            (
                transfer(&elsewhere, &callback_memo(&me, buy)),
                IbcError::WrongReceiver {
                    receiver: elsewhere.clone(),
                },
            ),
            (
                transfer(&me, "{}"),
                IbcError::NoAction {
                    reason: "key missing".into(),
                },
            ),
        ];
        for (msg, expected) in cases {
            let err = ibc_destination_callback(deps.as_mut(), env.clone(), msg).unwrap_err();
            assert_eq!(err, ContractError::Incoming(IncomingError::Ibc(expected)));
        }
        // An action the registry does not take, and a purchase without a licensee.
        for action in [
            r#"{"fund_escrow":{"model_id":1}}"#,
            r#"{"buy_license":{"dataset_id":1,"version":1}}"#,
        ] {
            let err = ibc_destination_callback(
                deps.as_mut(),
                env.clone(),
                transfer(&me, &callback_memo(&me, action)),
            )
            .unwrap_err();
            assert!(
                matches!(
                    err,
                    ContractError::Incoming(IncomingError::Ibc(IbcError::BadAction { .. }))
                ),
                "{err}"
            );
        }
        assert_eq!(contract.stats.load(&deps.storage).unwrap(), stats);
    }
}
