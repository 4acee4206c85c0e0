//! A model whose royalties are paid in a cw20 token (`cw20:<token>` denom): registered
//! and funded through the token's `send` hook, its usage settled and its escrow and bond
//! returned in that token.

use attrib_registry::contract::sv::mt::RegistryContractProxy;
use attrib_registry::contract::RegistryContract;
use attrib_registry::msg::NewDataset;
use attrib_std::funds::cw20_denom;
use attrib_std::receipts::Receipt;
use attrib_std::registry::{LicenseExpiry, LicenseId, LicenseTerms, VerificationTier};
use cosmwasm_std::{coin, from_json, to_json_binary, Addr, HexBinary, Uint128};
use cw_multi_test::{ContractWrapper, Executor};
use sylvia::multitest::Proxy;

use super::suite::*;
use attrib_receipt_oracle::contract::sv::mt::ReceiptOracleContractProxy;
use attrib_receipt_oracle::msg::ReceiveMsg;
use attrib_receipt_oracle::state::LineageEntry;

fn token_balance(s: &Suite, token: &Addr, who: &Addr) -> u128 {
    let b: cw20::BalanceResponse = s
        .app
        .app()
        .wrap()
        .query_wasm_smart(
            token,
            &cw20::Cw20QueryMsg::Balance {
                address: who.to_string(),
            },
        )
        .unwrap();
    b.balance.u128()
}

#[test]
fn cw20_royalty_model_is_funded_settled_and_closed_in_its_token() {
    let s = Suite::new();
    let code = s.app.app_mut().store_code(Box::new(ContractWrapper::new(
        attrib_protocol_token::execute,
        attrib_protocol_token::instantiate,
        attrib_protocol_token::query,
    )));
    let token = s
        .app
        .app_mut()
        .instantiate_contract(
            code,
            s.admin.clone(),
            &attrib_protocol_token::InstantiateMsg {
                name: "Buyer Token".into(),
                symbol: "BUY".into(),
                decimals: 6,
                initial_balances: vec![cw20::Cw20Coin {
                    address: s.owner.to_string(),
                    amount: Uint128::new(1_000_000),
                }],
                mint: None,
                marketing: None,
            },
            &[],
            "token",
            None,
        )
        .unwrap();
    let denom = cw20_denom(&token);
    // The reward pool takes the token's hook only once the token is allowlisted.
    attrib_tests::accept_denom(&s.app, &s.pool, &s.admin, &denom);

    // A dataset whose terms take royalties in the token, sealed and licensed.
    let registry: Proxy<'_, MtApp, RegistryContract> = Proxy::new(s.registry.clone(), &s.app);
    let terms = LicenseTerms {
        license: LicenseId::Spdx("CC-BY-4.0".into()),
        commercial_use: true,
        derivatives_allowed: true,
        price: vec![coin(500, DENOM)],
        royalty_per_unit: vec![coin(1, &denom)],
        expiry: LicenseExpiry::Perpetual,
    };
    let d: u64 = from_json(
        registry
            .register_dataset(NewDataset {
                name: "tokened".into(),
                schema_id: 1,
                metadata_uri: "ipfs://d".into(),
                terms,
                tier: VerificationTier::Optimistic,
                weight_rule: None,
                max_tranche_records: None,
                canaries: None,
            })
            .call(&s.owner)
            .unwrap()
            .data
            .unwrap(),
    )
    .unwrap();
    let reg: attrib_registry::msg::TrancheRegistration = from_json(
        attrib_tests::register_tranche(
            registry.app,
            &registry.contract_addr,
            &s.owner,
            attrib_tests::TrancheArgs {
                dataset_id: d,
                content_root: HexBinary::from([99u8; 32]),
                record_count: 5,
                byte_size: 5,
                metadata_uri: "ipfs://t",
            },
            &[],
        )
        .unwrap()
        .data
        .unwrap(),
    )
    .unwrap();
    s.advance(11);
    registry
        .accept_unchallenged(reg.tranche_id.unwrap())
        .call(&s.stranger)
        .unwrap();
    registry
        .seal_version(d, vec![reg.tranche_id.unwrap()])
        .call(&s.owner)
        .unwrap();
    registry
        .buy_license(d, 1, None)
        .with_funds(&[coin(500, DENOM)])
        .call(&s.owner)
        .unwrap();

    let send = |amount: u128, msg: &ReceiveMsg| {
        s.app.app_mut().execute_contract(
            s.owner.clone(),
            token.clone(),
            &cw20::Cw20ExecuteMsg::Send {
                contract: s.oracle.to_string(),
                amount: Uint128::new(amount),
                msg: to_json_binary(msg).unwrap(),
            },
            &[],
        )
    };
    let register = ReceiveMsg::RegisterModel {
        metadata_uri: "ipfs://m".into(),
        lineage: vec![LineageEntry {
            dataset_id: d,
            version: 1,
            weight_bps: 10_000,
        }],
        parent: None,
        royalty_per_unit: coin(2, &denom),
    };
    // The bond must be exact, in the token.
    assert!(send(MODEL_BOND - 1, &register).is_err());
    let resp = send(MODEL_BOND, &register).unwrap();
    let model: u64 = resp
        .events
        .iter()
        .find(|e| e.ty == "wasm-attrib_model_registered")
        .and_then(|e| e.attributes.iter().find(|a| a.key == "model_id"))
        .unwrap()
        .value
        .parse()
        .unwrap();
    send(1_000, &ReceiveMsg::FundEscrow { model_id: model }).unwrap();
    // Native coins do not fund a token-royalty model.
    assert!(s
        .oracle()
        .fund_escrow(model)
        .with_funds(&[coin(5, DENOM)])
        .call(&s.stranger)
        .is_err());
    let m = s.oracle().model(model).unwrap();
    assert_eq!((m.escrow.u128(), m.bond.u128()), (1_000, MODEL_BOND));
    assert_eq!(token_balance(&s, &token, &s.oracle), 1_000 + MODEL_BOND);

    // Meter 40 units and settle them: 80 tokens reach the pool.
    s.oracle()
        .set_model_operator(model, s.operator.to_string(), true)
        .call(&s.owner)
        .unwrap();
    let rs: Vec<Receipt> = (1..=20)
        .map(|i| Receipt {
            model_id: model,
            ..s.receipt(i, 2)
        })
        .collect();
    let (header, _) = s.header(1, &rs);
    s.submit(&header, None).unwrap();
    s.advance(WINDOW);
    s.oracle()
        .finalize_batch(model, s.operator.to_string(), 1)
        .call(&s.stranger)
        .unwrap();
    assert_eq!(token_balance(&s, &token, &s.pool), 80);

    // Closing returns the rest of the escrow and the bond, in the token.
    let before = token_balance(&s, &token, &s.owner);
    s.oracle().close_model(model).call(&s.owner).unwrap();
    assert_eq!(
        token_balance(&s, &token, &s.owner),
        before + 1_000 - 80 + MODEL_BOND
    );
    assert_eq!(token_balance(&s, &token, &s.oracle), 0, "nothing left behind");
}
