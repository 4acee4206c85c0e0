//! Funding a model's usage escrow from another chain (SPEC §7): wasmd's IBC callbacks
//! middleware calls `ibc_destination_callback` after an ICS-20 transfer to the oracle
//! whose memo is `{"dest_callback":{"address":"<oracle>"},"attrib":{"fund_escrow":{…}}}`.
//! The tokens are in the oracle's balance already; the escrow is funded exactly as
//! `fund_escrow` would (debt first), in the model's royalty denom only. Any error fails
//! the callback and the transfer is refunded on the source chain.

use cosmwasm_std::{DepsMut, Env, IbcBasicResponse, IbcDestinationCallbackMsg};
use serde::Deserialize;

use crate::error::ContractError;
use crate::models::Payer;
use crate::state::ReceiptOracleContract;

/// What an incoming transfer may ask of the oracle.
#[derive(Deserialize, Debug)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum IbcAction {
    FundEscrow { model_id: u64 },
}

#[cfg_attr(not(feature = "library"), cosmwasm_std::entry_point)]
pub fn ibc_destination_callback(
    deps: DepsMut,
    env: Env,
    msg: IbcDestinationCallbackMsg,
) -> Result<IbcBasicResponse, ContractError> {
    let contract = ReceiptOracleContract::new();
    let pool = contract.config.load(deps.storage)?.reward_pool;
    attrib_std::ibc::handle_incoming(
        deps,
        env,
        &msg,
        attrib_std::ibc::pool_minimum(&pool),
        |deps, env, info, action| {
            let payer = Payer {
                address: info.sender.clone(),
                payment: info.funds.clone(),
            };
            match action {
                IbcAction::FundEscrow { model_id } => {
                    contract.do_fund_escrow((deps, env, info).into(), model_id, payer)
                }
            }
        },
    )
}
