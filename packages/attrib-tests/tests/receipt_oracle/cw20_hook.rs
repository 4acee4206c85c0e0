//! Issue 12 item 7: the oracle's cw20 hook takes only tokens the protocol accepts. A
//! wallet calling `receive` directly posed as a token whose "denom" is its own address.
//! (The real, allowlisted token's hook: `cw20_escrow.rs`.)

use attrib_receipt_oracle::contract::sv::mt::ReceiptOracleContractProxy;
use attrib_receipt_oracle::error::ContractError;
use attrib_receipt_oracle::msg::ReceiveMsg;
use attrib_receipt_oracle::state::LineageEntry;
use attrib_std::funds::cw20_denom;
use cosmwasm_std::{coin, to_json_binary, Uint128};

use super::suite::*;

fn refused(s: &Suite) -> ContractError {
    ContractError::TokenNotAccepted {
        token: s.stranger.to_string(),
    }
}

#[test]
fn a_wallet_calling_the_hook_cannot_register_a_model() {
    let s = Suite::new();
    let msg = ReceiveMsg::RegisterModel {
        metadata_uri: "ipfs://fake".into(),
        lineage: vec![LineageEntry {
            dataset_id: s.datasets[0],
            version: 1,
            weight_bps: 10_000,
        }],
        parent: None,
        royalty_per_unit: coin(1, cw20_denom(&s.stranger)),
    };
    s.assert_refused(refused(&s), |s| {
        s.oracle()
            .receive(
                s.owner.to_string(),
                Uint128::new(MODEL_BOND),
                to_json_binary(&msg).unwrap(),
            )
            .call(&s.stranger)
    });
    assert!(s.oracle().model(s.model + 1).is_err(), "no model stored");
}

#[test]
fn a_wallet_calling_the_hook_cannot_fund_an_escrow() {
    let s = Suite::new();
    let msg = to_json_binary(&ReceiveMsg::FundEscrow { model_id: s.model }).unwrap();
    s.assert_refused(refused(&s), |s| {
        s.oracle()
            .receive(s.stranger.to_string(), Uint128::MAX, msg.clone())
            .call(&s.stranger)
    });
}
