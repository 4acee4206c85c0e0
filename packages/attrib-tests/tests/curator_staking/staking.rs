//! Stake, unbonding, slashing of unbonding stake, the slashing service, and the cw20
//! stake path with the real protocol token.

use attrib_protocol_token::InstantiateMsg as TokenInit;
use cosmwasm_std::{coin, to_json_binary, Addr, Uint128};
use cw_multi_test::{ContractWrapper, Executor, IntoBech32};

use super::suite::*;
use attrib_curator_staking::contract::sv::mt::{CodeId, CuratorStakingContractProxy};
use attrib_curator_staking::msg::{InstantiateConfig, ReceiveMsg};
use attrib_curator_staking::state::Role;
use attrib_std::interfaces::slashing_service::sv::mt::SlashingServiceProxy;

#[test]
fn unbonding_stake_stays_slashable_until_released() {
    let suite = SuiteBuilder::default().build();
    let c = suite.curators[1].clone();
    let start = suite.balance(&c);
    suite.staking().unstake(Uint128::new(10_000)).call(&c).unwrap();
    assert_eq!(suite.bonded(&c), 0);
    // A slasher takes half of what is slashable: it comes out of the unbonding entry.
    let pool0 = suite.balance(&suite.pool);
    suite
        .staking()
        .slash(c.to_string(), None, Some(5_000), "operator fraud".into(), None)
        .call(&suite.slasher)
        .unwrap();
    let s = suite.staking().staker(c.to_string()).unwrap().staker.unwrap();
    assert_eq!(s.unbonding_total(), Uint128::new(5_000));
    assert_eq!(s.slashed, Uint128::new(5_000));
    assert_eq!(suite.balance(&suite.pool), pool0 + 5_000);
    // Not released before its time; then exactly the rest comes back.
    assert!(suite.staking().claim_unbonded().call(&c).is_err());
    suite.advance(7 * DAY);
    suite.staking().claim_unbonded().call(&c).unwrap();
    assert_eq!(suite.balance(&c), start + 5_000);
    assert!(
        suite.staking().staker(c.to_string()).unwrap().staker.is_none(),
        "an emptied staker is removed"
    );
    suite.assert_conserved();
}

#[test]
fn slashing_service_by_amount_pays_the_beneficiary_its_share() {
    let suite = SuiteBuilder::default().build();
    suite
        .staking()
        .stake(Role::Operator)
        .with_funds(&[coin(50_000, DENOM)])
        .call(&suite.operator)
        .unwrap();
    suite
        .staking()
        .slash(
            suite.operator.to_string(),
            Some(Uint128::new(8_000)),
            None,
            "omitted receipt".into(),
            Some(suite.challenger.to_string()),
        )
        .call(&suite.slasher)
        .unwrap();
    assert_eq!(suite.bonded(&suite.operator), 42_000);
    assert_eq!(suite.payout(&suite.challenger), 4_000);
    // Slashing more than is left takes what is left.
    suite
        .staking()
        .slash(
            suite.operator.to_string(),
            Some(Uint128::new(1_000_000)),
            None,
            "again".into(),
            None,
        )
        .call(&suite.slasher)
        .unwrap();
    assert_eq!(suite.bonded(&suite.operator), 0);
    // The slashing service reports stake by role.
    let stake = suite.staking().stake_of(suite.operator.to_string()).unwrap();
    assert_eq!(
        (stake.role, stake.bonded),
        (Some(Role::Operator), Uint128::zero())
    );
    // Operators are never drawn onto committees.
    for i in 0..10u8 {
        let (_, review) = suite.register_strict_tranche(50 + i);
        assert!(!suite.committee(review).contains(&suite.operator));
    }
    suite.assert_conserved();
}

#[test]
fn cw20_stake_path_with_the_protocol_token() {
    let suite = SuiteBuilder::default().build();
    let holder: Addr = "holder".into_bech32();
    let token_code = suite.app.app_mut().store_code(Box::new(ContractWrapper::new(
        attrib_protocol_token::execute,
        attrib_protocol_token::instantiate,
        attrib_protocol_token::query,
    )));
    let token = suite
        .app
        .app_mut()
        .instantiate_contract(
            token_code,
            suite.admin.clone(),
            &TokenInit {
                name: "Attrib".into(),
                symbol: "ATRB".into(),
                decimals: 6,
                initial_balances: vec![cw20::Cw20Coin {
                    address: holder.to_string(),
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
    let staking = CodeId::store_code(&suite.app)
        .instantiate(InstantiateConfig {
            admin: None,
            registry: suite.registry.to_string(),
            reward_pool: suite.pool.to_string(),
            stake_denom: None,
            stake_cw20: Some(token.to_string()),
            params: params(),
        })
        .with_label("cw20 staking")
        .call(&suite.admin)
        .unwrap();
    let send = |amount: u128, msg: &ReceiveMsg| {
        suite.app.app_mut().execute_contract(
            holder.clone(),
            token.clone(),
            &cw20::Cw20ExecuteMsg::Send {
                contract: staking.contract_addr.to_string(),
                amount: Uint128::new(amount),
                msg: to_json_binary(msg).unwrap(),
            },
            &[],
        )
    };
    send(300_000, &ReceiveMsg::Stake { role: Role::Curator }).unwrap();
    // Omission claims travel the same hook; with no oracle configured they are refused.
    let claim = ReceiveMsg::ChallengeOmission {
        model_id: 1,
        dataset_id: 1,
        version: 1,
        canary_preimage: cosmwasm_std::HexBinary::from(b"canary".to_vec()),
        evidence_uri: "ipfs://e".into(),
    };
    let err = send(100, &claim).unwrap_err();
    assert_eq!(
        err.root_cause()
            .downcast_ref::<attrib_curator_staking::error::ContractError>(),
        Some(&attrib_curator_staking::error::ContractError::NoReceiptOracle {}),
        "{err}"
    );
    assert_eq!(
        staking.staker(holder.to_string()).unwrap().staker.unwrap().bonded,
        Uint128::new(300_000)
    );
    // Native coins are not the stake asset here.
    assert!(staking
        .stake(Role::Curator)
        .with_funds(&[coin(5, DENOM)])
        .call(&suite.curators[0])
        .is_err());
    staking.unstake(Uint128::new(100_000)).call(&holder).unwrap();
    suite.advance(7 * DAY);
    staking.claim_unbonded().call(&holder).unwrap();
    let bal: cw20::BalanceResponse = suite
        .app
        .app()
        .wrap()
        .query_wasm_smart(
            &token,
            &cw20::Cw20QueryMsg::Balance {
                address: holder.to_string(),
            },
        )
        .unwrap();
    assert_eq!(bal.balance, Uint128::new(800_000));
    let held: cw20::BalanceResponse = suite
        .app
        .app()
        .wrap()
        .query_wasm_smart(
            &token,
            &cw20::Cw20QueryMsg::Balance {
                address: staking.contract_addr.to_string(),
            },
        )
        .unwrap();
    let t = staking.totals().unwrap();
    assert_eq!(held.balance, t.expected_balance);
    assert_eq!(t.totals.received, Uint128::new(300_000));
}
