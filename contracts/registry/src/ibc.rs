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
