//! SPEC §7, the Osmosis ibc-hooks path: on a chain with ibc-hooks an ICS-20 transfer
//! whose memo is `{"wasm":{"contract":C,"msg":M}}` (and whose receiver is C) executes M on
//! C with the transferred tokens, from an address derived from the channel and the
//! foreign sender. wasmd has no ibc-hooks, so this suite plays the middleware: it credits
//! the derived sender with the `ibc/…` voucher and executes the memo's message; a failed
//! execution reverts the receive, so nothing is credited and the source chain refunds.
//! Every buyer-facing action works this way with an explicit beneficiary, in an
//! allowlisted IBC denom, and every coin is accounted for.

use attrib_registry::contract::sv::mt::RegistryContractProxy;
use attrib_registry::contract::RegistryContract;
use attrib_reward_distributor::contract::sv::mt::RewardDistributorContractProxy;
use attrib_reward_distributor::RewardDistributorContract;
use attrib_std::ibc::{hooks_memo, ibc_denom, intermediate_sender};
use attrib_std::interfaces::license_registry::sv::mt::LicenseRegistryProxy;
use attrib_std::registry::{LicenseExpiry, LicenseId, LicenseTerms};
use cosmwasm_std::{coin, from_json, Addr, Api, BankMsg, CosmosMsg};
use cw_multi_test::{BankSudo, Executor, IntoBech32};
use sylvia::multitest::Proxy;

use super::suite::*;
use attrib_receipt_oracle::contract::sv::mt::ReceiptOracleContractProxy;
use attrib_receipt_oracle::state::LineageEntry;

/// Our end of the buyer chain's transfer channel.
const CHANNEL: &str = "channel-0";
const BUYER: &str = "buyer1qyfk3vxe5a8jd7mz";

fn voucher() -> String {
    ibc_denom(&format!("transfer/{CHANNEL}/ubuy"))
}

/// What ibc-hooks does with a transfer of `amount` ubuy from `BUYER` to `receiver` with
/// `memo`: Ok(derived sender) if the hooked execution succeeded, Err if the receive is
/// reverted (and the buyer refunded on the source chain).
fn hooked_transfer(s: &Suite, receiver: &Addr, amount: u128, memo: &str) -> Result<Addr, String> {
    let memo: serde_json::Value = serde_json::from_str(memo).map_err(|e| e.to_string())?;
    let wasm = &memo["wasm"];
    if wasm["contract"].as_str() != Some(receiver.as_str()) {
        return Err("ibc-hooks: the memo's contract must be the receiver".into());
    }
    let derived = s
        .app
        .app()
        .api()
        .addr_humanize(&intermediate_sender(CHANNEL, BUYER).to_vec().into())
        .unwrap();
    let funds = vec![coin(amount, voucher())];
    // multi-test has no atomic mint + execute: mint, execute, burn back on error.
    s.app
        .app_mut()
        .sudo(
            BankSudo::Mint {
                to_address: derived.to_string(),
                amount: funds.clone(),
            }
            .into(),
        )
        .unwrap();
    let executed = s
        .app
        .app_mut()
        .execute_contract(derived.clone(), receiver.clone(), &wasm["msg"], &funds);
    match executed {
        Ok(_) => Ok(derived),
        Err(e) => {
            s.app
                .app_mut()
                .execute(derived.clone(), CosmosMsg::Bank(BankMsg::Burn { amount: funds }))
                .unwrap();
            Err(e.root_cause().to_string())
        }
    }
}

fn voucher_balance(s: &Suite, who: &Addr) -> u128 {
    s.app
        .app()
        .wrap()
        .query_balance(who, voucher())
        .unwrap()
        .amount
        .u128()
}

#[test]
fn a_buyer_on_another_chain_licenses_funds_escrow_and_pays_through_ibc_hooks() {
    let s = Suite::new();
    let registry: Proxy<'_, MtApp, RegistryContract> = Proxy::new(s.registry.clone(), &s.app);
    let pool: Proxy<'_, MtApp, RewardDistributorContract> = Proxy::new(s.pool.clone(), &s.app);
    let devshop = "devshop".into_bech32();
    let d = s.datasets[0];

    // Before the pool accepts the voucher, nothing takes it.
    let pay = format!(
        r#"{{"pay":{{"earmarks":[{{"dataset_id":{d},"version":1,"weight_bps":10000}}],"reason":"direct_payment","payer":null}}}}"#
    );
    let err = hooked_transfer(&s, &s.pool, 1_000, &hooks_memo(s.pool.as_str(), &pay)).unwrap_err();
    assert!(err.contains("is not accepted by the reward pool"), "{err}");
    attrib_tests::accept_denom(&s.app, &s.pool, &s.admin, &voucher());

    // The dataset is priced in the voucher too (and its royalties).
    let terms = LicenseTerms {
        license: LicenseId::Spdx("CC-BY-4.0".into()),
        commercial_use: true,
        derivatives_allowed: true,
        price: vec![coin(500, DENOM), coin(250, voucher())],
        royalty_per_unit: vec![coin(1, DENOM), coin(1, voucher())],
        expiry: LicenseExpiry::Perpetual,
    };
    registry
        .update_license_terms(d, terms)
        .call(&s.maintainer)
        .unwrap();

    // 1. A license for devshop, paid by the buyer's transfer.
    let buy = format!(r#"{{"buy_license":{{"dataset_id":{d},"version":1,"licensee":"{devshop}"}}}}"#);
    let payer = hooked_transfer(&s, &s.registry, 250, &hooks_memo(s.registry.as_str(), &buy)).unwrap();
    let grant = registry.has_valid_license(devshop.to_string(), d, 1).unwrap();
    assert!(grant.valid, "{grant:?}");
    assert_eq!(voucher_balance(&s, &payer), 0);
    assert_eq!(voucher_balance(&s, &s.registry), 0);
    assert_eq!(voucher_balance(&s, &s.pool), 250);
    // The wrong amount is refused and nothing moves.
    let err = hooked_transfer(&s, &s.registry, 249, &hooks_memo(s.registry.as_str(), &buy)).unwrap_err();
    assert!(err.contains("250"), "{err}");
    // A memo naming another contract than the receiver is not executed.
    assert!(hooked_transfer(&s, &s.registry, 250, &hooks_memo(s.pool.as_str(), &buy)).is_err());
    assert_eq!(voucher_balance(&s, &s.pool), 250);

    // 2. Escrow of a model whose royalties are in the voucher.
    let owner_vouchers = vec![coin(MODEL_BOND, voucher())];
    s.app
        .app_mut()
        .sudo(
            BankSudo::Mint {
                to_address: s.owner.to_string(),
                amount: owner_vouchers.clone(),
            }
            .into(),
        )
        .unwrap();
    let model: u64 = from_json(
        s.oracle()
            .register_model(
                "ipfs://ibc-model".into(),
                vec![LineageEntry {
                    dataset_id: d,
                    version: 1,
                    weight_bps: 10_000,
                }],
                None,
                coin(1, voucher()),
            )
            .with_funds(&owner_vouchers)
            .call(&s.owner)
            .unwrap()
            .data
            .unwrap(),
    )
    .unwrap();
    let fund = format!(r#"{{"fund_escrow":{{"model_id":{model}}}}}"#);
    hooked_transfer(&s, &s.oracle, 4_000, &hooks_memo(s.oracle.as_str(), &fund)).unwrap();
    assert_eq!(s.oracle().model(model).unwrap().escrow.u128(), 4_000);
    // The first model's escrow is in uatr: a voucher is refused.
    let wrong = format!(r#"{{"fund_escrow":{{"model_id":{}}}}}"#, s.model);
    assert!(hooked_transfer(&s, &s.oracle, 4_000, &hooks_memo(s.oracle.as_str(), &wrong)).is_err());
    assert_eq!(voucher_balance(&s, &s.oracle), MODEL_BOND + 4_000);

    // 3. A direct payment to the dataset.
    hooked_transfer(&s, &s.pool, 1_000, &hooks_memo(s.pool.as_str(), &pay)).unwrap();
    assert_eq!(voucher_balance(&s, &s.pool), 1_250);
    // Below the minimum (1) cannot happen; a payer named by an outsider is refused.
    let named = pay.replace(r#""payer":null"#, &format!(r#""payer":"{devshop}""#));
    assert!(hooked_transfer(&s, &s.pool, 1_000, &hooks_memo(s.pool.as_str(), &named)).is_err());

    // Every voucher is accounted for by the pool's ledger and the oracle's escrow + bond.
    let accounts = pool.accounts().unwrap().accounts;
    let row = accounts.iter().find(|a| a.denom == voucher()).unwrap();
    assert_eq!(row.ledger.received.u128(), 1_250);
    assert_eq!(row.expected_balance.u128(), voucher_balance(&s, &s.pool));
    let supply: u128 = [&s.pool, &s.oracle, &s.registry, &s.owner, &payer, &devshop]
        .iter()
        .map(|a| voucher_balance(&s, a))
        .sum();
    let minted = 250 + 1_000 + 4_000 + MODEL_BOND;
    assert_eq!(supply, minted, "vouchers minted = vouchers held");
}
