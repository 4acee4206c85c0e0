//! Honest settlement, lineage earmarks, escrow debt and withdrawals.

use cosmwasm_std::{coin, Uint128};

use super::suite::*;
use attrib_receipt_oracle::contract::sv::mt::ReceiptOracleContractProxy;
use attrib_receipt_oracle::error::ContractError;
use attrib_receipt_oracle::state::BatchStatus;

#[test]
fn honest_batches_finalize_and_pay_royalties_by_lineage_weight() {
    let s = Suite::new();
    s.fund(1_000_000);
    let first: Vec<_> = (1..=60).map(|i| s.receipt(i, 3)).collect();
    let second: Vec<_> = (61..=100).map(|i| s.receipt(i, 5)).collect();
    s.post(1, &first, None).unwrap();
    s.post(2, &second, None).unwrap();
    let m = s.oracle().model(s.model).unwrap();
    assert_eq!(
        m.reserved,
        Uint128::new((180 + 200) * ROYALTY),
        "posted usage is reserved"
    );
    let cursor = s.oracle().cursor(s.model, s.operator.to_string()).unwrap();
    assert_eq!((cursor.next_seq, cursor.last_id), (3, 100));
    // Before its first batch, an operator's cursor says where to start.
    let fresh = s.oracle().cursor(s.model + 1, s.operator.to_string()).unwrap();
    assert_eq!((fresh.next_seq, fresh.last_id), (1, 0));

    let now = s.app.block_info().time.seconds();
    let b = s.oracle().batch(s.model, s.operator.to_string(), 1).unwrap();
    assert_eq!(
        s.oracle()
            .finalize_batch(s.model, s.operator.to_string(), 1)
            .call(&s.stranger)
            .unwrap_err(),
        ContractError::DisputeWindowOpen {
            seq: 1,
            at: b.posted_at + WINDOW,
            now
        }
    );
    s.advance(WINDOW);
    let pool0 = s.balance(&s.pool);
    let resp = s
        .oracle()
        .finalize_batch(s.model, s.operator.to_string(), 1)
        .call(&s.stranger)
        .unwrap();
    assert_eq!(s.balance(&s.pool), pool0 + 180 * ROYALTY);
    // One earmark per lineage entry: 70% / 30% of 360.
    let earmarks: Vec<String> = resp
        .events
        .iter()
        .filter(|e| e.ty == "wasm-attrib_usage_royalty")
        .map(|e| {
            e.attributes
                .iter()
                .find(|a| a.key == "amount")
                .unwrap()
                .value
                .clone()
        })
        .collect();
    assert_eq!(earmarks, vec!["252uatr".to_string(), "108uatr".to_string()]);
    s.oracle()
        .finalize_batch(s.model, s.operator.to_string(), 2)
        .call(&s.stranger)
        .unwrap();
    let m = s.oracle().model(s.model).unwrap();
    assert_eq!((m.escrow.u128(), m.reserved.u128()), (1_000_000 - 760, 0));
    assert_eq!(
        s.oracle()
            .batch(s.model, s.operator.to_string(), 2)
            .unwrap()
            .status,
        BatchStatus::Finalized
    );
    s.assert_escrow_backed();
}

#[test]
fn an_underfunded_model_goes_into_debt_and_is_suspended_until_repaid() {
    let s = Suite::new();
    s.fund(100);
    let rs: Vec<_> = (1..=10).map(|i| s.receipt(i, 10)).collect(); // 100 units = 200 uatr
    s.post(1, &rs, None).unwrap();
    s.advance(WINDOW);
    s.oracle()
        .finalize_batch(s.model, s.operator.to_string(), 1)
        .call(&s.stranger)
        .unwrap();
    let m = s.oracle().model(s.model).unwrap();
    assert_eq!((m.escrow.u128(), m.debt.u128()), (0, 100));
    let more: Vec<_> = (11..=12).map(|i| s.receipt(i, 1)).collect();
    assert_eq!(
        s.post(2, &more, None).unwrap_err(),
        ContractError::Suspended {
            model_id: s.model,
            debt: Uint128::new(100)
        }
    );
    // Funding repays the debt first (paid out to the pool), then fills escrow.
    let pool0 = s.balance(&s.pool);
    s.fund(150);
    assert_eq!(s.balance(&s.pool), pool0 + 100);
    let m = s.oracle().model(s.model).unwrap();
    assert_eq!((m.escrow.u128(), m.debt.u128()), (50, 0));
    s.post(2, &more, None).unwrap();
    s.assert_escrow_backed();
}

#[test]
fn owner_withdraws_unused_escrow_after_notice_but_never_reserved_escrow() {
    let s = Suite::new();
    s.fund(1_000);
    let rs: Vec<_> = (1..=10).map(|i| s.receipt(i, 20)).collect(); // 400 reserved
    s.post(1, &rs, None).unwrap();
    s.oracle()
        .request_withdrawal(s.model, Uint128::new(700))
        .call(&s.owner)
        .unwrap();
    assert!(matches!(
        s.oracle().withdraw_escrow(s.model).call(&s.owner).unwrap_err(),
        ContractError::Withdrawal { .. }
    ));
    s.advance(86_400);
    assert_eq!(
        s.oracle().withdraw_escrow(s.model).call(&s.owner).unwrap_err(),
        ContractError::Withdrawal {
            amount: Uint128::new(700),
            reason: "escrow is reserved for posted batches"
        }
    );
    s.oracle()
        .request_withdrawal(s.model, Uint128::new(600))
        .call(&s.owner)
        .unwrap();
    s.advance(86_400);
    let owner0 = s.balance(&s.owner);
    s.oracle().withdraw_escrow(s.model).call(&s.owner).unwrap();
    assert_eq!(s.balance(&s.owner), owner0 + 600);
    assert_eq!(s.oracle().model(s.model).unwrap().escrow.u128(), 400);
    s.assert_escrow_backed();
}

#[test]
fn submit_batch_cost_does_not_depend_on_the_receipt_count() {
    // What the chain stores per batch is the same few fields for 1 or 5 000 receipts.
    let s = Suite::new();
    let small: Vec<_> = (1..=1).map(|i| s.receipt(i, 1)).collect();
    let large: Vec<_> = (2..=5_001).map(|i| s.receipt(i, 1)).collect();
    s.post(1, &small, None).unwrap();
    s.post(2, &large, None).unwrap();
    let a = serde_json_len(&s.oracle().batch(s.model, s.operator.to_string(), 1).unwrap());
    let b = serde_json_len(&s.oracle().batch(s.model, s.operator.to_string(), 2).unwrap());
    assert!(
        b <= a + 16,
        "stored batch grows only with digit counts: {a} vs {b}"
    );
}

fn serde_json_len<T: serde::Serialize>(t: &T) -> usize {
    cosmwasm_std::to_json_vec(t).unwrap().len()
}

#[test]
fn anyone_funds_escrow_in_the_royalty_denom_only() {
    let s = Suite::new();
    let err = s
        .oracle()
        .fund_escrow(s.model)
        .with_funds(&[coin(5, "uother")])
        .call(&s.stranger)
        .unwrap_err();
    assert!(matches!(err, ContractError::Funds(_)));
    s.fund(5);
    assert_eq!(s.oracle().model(s.model).unwrap().escrow.u128(), 5);
}

#[test]
fn migrate_keeps_models_and_batches() {
    use attrib_receipt_oracle::contract::sv::mt::CodeId;
    let s = Suite::new();
    let code = CodeId::store_code(&s.app);
    let oracle = code
        .instantiate(attrib_receipt_oracle::msg::InstantiateConfig {
            admin: None,
            registry: s.registry.to_string(),
            curator_staking: s.staking.to_string(),
            reward_pool: s.pool.to_string(),
            params: params(),
        })
        .with_label("migratable")
        .with_admin(Some(s.admin.as_str()))
        .call(&s.admin)
        .unwrap();
    oracle.migrate(None).call(&s.admin, code.code_id()).unwrap();
    assert_eq!(oracle.config().unwrap().params, params());
    let info = cw2::query_contract_info(&s.app.app().wrap(), oracle.contract_addr.to_string()).unwrap();
    assert_eq!(info.contract, attrib_receipt_oracle::contract::CONTRACT_NAME);
}

/// Issue 14 item 6: an oracle paused before pause windows were recorded has none; the
/// migration opens one, so deadlines in the rest of the pause are pushed back too.
#[test]
fn a_migration_while_paused_opens_the_pause_window() {
    use attrib_receipt_oracle::contract::sv::mt::CodeId;
    use attrib_std::interfaces::governance::sv::mt::GovernanceProxy;
    let s = Suite::new();
    let code = CodeId::store_code(&s.app);
    let oracle = code
        .instantiate(attrib_receipt_oracle::msg::InstantiateConfig {
            admin: None,
            registry: s.registry.to_string(),
            curator_staking: s.staking.to_string(),
            reward_pool: s.pool.to_string(),
            params: params(),
        })
        .with_label("migratable")
        .with_admin(Some(s.admin.as_str()))
        .call(&s.admin)
        .unwrap();
    let addr = oracle.contract_addr.clone();
    oracle.set_paused(true).call(&s.admin).unwrap();
    // As stored by code from before pause windows.
    s.app
        .app_mut()
        .contract_storage_mut(&addr)
        .remove(b"pause_window");
    let raw = |s: &Suite| {
        s.app
            .app()
            .wrap()
            .query_wasm_raw(addr.to_string(), b"pause_window".to_vec())
            .unwrap()
    };
    assert_eq!(raw(&s), None);
    s.advance(100);
    let now = s.app.block_info().time.seconds();
    oracle.migrate(None).call(&s.admin, code.code_id()).unwrap();
    let window: attrib_receipt_oracle::state::PauseWindow =
        cosmwasm_std::from_json(raw(&s).unwrap()).unwrap();
    assert_eq!(
        window,
        attrib_receipt_oracle::state::PauseWindow {
            from: now,
            until: None,
            resume_by: None
        }
    );
    // Unpaused, the resume-by time is fixed with the grace in force.
    oracle.set_paused(false).call(&s.admin).unwrap();
    let window: attrib_receipt_oracle::state::PauseWindow =
        cosmwasm_std::from_json(raw(&s).unwrap()).unwrap();
    assert_eq!(window.resume_by, Some(now + GRACE));
}
