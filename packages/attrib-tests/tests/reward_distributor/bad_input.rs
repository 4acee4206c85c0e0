//! Every execute message of the distributor refused with its exact error, changing
//! nothing (ledgers, epochs, config, treasury, governance and balances compared).

use attrib_std::funds::FundsError;
use attrib_std::governance::GovernanceError;
use attrib_std::interfaces::governance::sv::mt::GovernanceProxy;
use attrib_std::interfaces::reward_pool::sv::mt::RewardPoolProxy;
use attrib_std::rewards::{Earmark, InflowReason, PoolReceiveMsg, PositionRef, RewardsError, TakeRates};
use cosmwasm_std::{coin, to_json_binary, Decimal, Uint128};
use cw_multi_test::Executor;

use super::suite::*;
use attrib_reward_distributor::contract::sv::mt::{CodeId, RewardDistributorContractProxy};
use attrib_reward_distributor::error::ContractError;
use attrib_reward_distributor::msg::{ConfigUpdate, InstantiateConfig};
use attrib_reward_distributor::state::AcceptedDenom;
use attrib_std::validation::ValidationError;

fn mark(dataset_id: u64, version: u32, weight_bps: u32) -> Earmark {
    Earmark {
        dataset_id,
        version,
        weight_bps,
    }
}

#[test]
fn pay_bad_input() {
    let s = SuiteBuilder::default().build();
    let a = &s.actors;
    let d = s.dataset;
    s.assert_refused(ContractError::OneCoin { count: 0 }, |s| {
        s.pay_direct(&a.buyer, &[], s.earmark())
    });
    s.assert_refused(ContractError::OneCoin { count: 2 }, |s| {
        s.pay_direct(&a.buyer, &[coin(500, DENOM), coin(500, OTHER)], s.earmark())
    });
    s.assert_refused(ContractError::DenomNotAccepted { denom: OTHER.into() }, |s| {
        s.pay_direct(&a.buyer, &[coin(500, OTHER)], s.earmark())
    });
    s.assert_refused(
        ContractError::BelowMinimum {
            denom: DENOM.into(),
            amount: Uint128::new(MIN_PAYMENT - 1),
            min: Uint128::new(MIN_PAYMENT),
        },
        |s| s.pay_direct(&a.buyer, &[coin(MIN_PAYMENT - 1, DENOM)], s.earmark()),
    );
    // Outsiders may only pay directly, and never on someone else's behalf.
    s.assert_refused(
        ContractError::ReasonNotAllowed {
            reason: "usage_royalty".into(),
        },
        |s| {
            s.distributor()
                .pay(s.earmark(), InflowReason::UsageRoyalty, None)
                .with_funds(&[coin(500, DENOM)])
                .call(&a.buyer)
        },
    );
    s.assert_refused(ContractError::PayerNotAllowed {}, |s| {
        s.distributor()
            .pay(
                s.earmark(),
                InflowReason::DirectPayment,
                Some(a.devshop.to_string()),
            )
            .with_funds(&[coin(500, DENOM)])
            .call(&a.buyer)
    });
    s.assert_refused(
        ContractError::Rewards(RewardsError::BadEarmarkWeights { sum: 9_999 }),
        |s| s.pay_direct(&a.buyer, &[coin(500, DENOM)], vec![mark(d, 1, 9_999)]),
    );
    // A zero weight is named as such (it used to read "must sum to 10000 bps, got 10000").
    s.assert_refused(
        ContractError::Rewards(RewardsError::ZeroEarmarkWeight {
            dataset_id: d,
            version: 2,
        }),
        |s| {
            s.pay_direct(
                &a.buyer,
                &[coin(500, DENOM)],
                vec![mark(d, 1, 10_000), mark(d, 2, 0)],
            )
        },
    );
    s.assert_refused(ContractError::TooManyEarmarks { max: 32 }, |s| {
        s.pay_direct(
            &a.buyer,
            &[coin(500, DENOM)],
            (0..33).map(|i| mark(d, i, 1)).collect(),
        )
    });
    // A version that was never sealed: the registry says so.
    let err = s
        .pay_direct(&a.buyer, &[coin(500, DENOM)], vec![mark(d, 9, 10_000)])
        .unwrap_err();
    assert!(matches!(err, ContractError::Std(_)), "{err:?}");
    // A protocol contract may pay without a minimum and with its reason, but still one coin.
    s.assert_refused(ContractError::OneCoin { count: 0 }, |s| {
        s.distributor()
            .pay(vec![], InflowReason::ModelBondSlash, None)
            .call(&a.oracle)
    });
    // Paused: outsiders are refused; what the protocol's contracts forward (a license
    // purchase through the registry, usage from the oracle) is still recorded.
    s.distributor().set_paused(true).call(&a.admin).unwrap();
    s.assert_refused(ContractError::Governance(GovernanceError::Paused), |s| {
        s.pay_direct(&a.buyer, &[coin(500, DENOM)], s.earmark())
    });
    s.buy_license(&a.devshop).unwrap();
    s.pay_usage(1_000).unwrap();
    assert_eq!(s.ledger(DENOM).unsettled.u128(), LICENSE_PRICE + 1_000);
    s.assert_conserved();
}

#[test]
fn cw20_hook_and_emission_funding_bad_input() {
    let s = SuiteBuilder::default().build();
    let a = &s.actors;
    // A token nobody allowlisted cannot call the hook (it could claim any sender).
    let hook = to_json_binary(&PoolReceiveMsg::FundEmissions {}).unwrap();
    s.assert_refused(
        ContractError::UnknownToken {
            sender: a.stranger.to_string(),
        },
        |s| {
            s.distributor()
                .receive(a.admin.to_string(), Uint128::new(10), hook.clone())
                .call(&a.stranger)
        },
    );
    // Native funds for emissions: the emission token is a cw20.
    s.assert_refused(
        ContractError::WrongEmissionDenom {
            expected: s.token_denom.clone(),
            denom: DENOM.into(),
        },
        |s| {
            s.distributor()
                .fund_emissions()
                .with_funds(&[coin(10, DENOM)])
                .call(&a.admin)
        },
    );
    s.assert_refused(ContractError::OneCoin { count: 0 }, |s| {
        s.distributor().fund_emissions().call(&a.admin)
    });
    // Withdrawing the reserve: admin only, at most what is unminted, never zero.
    s.assert_refused(
        ContractError::Governance(GovernanceError::NotAdmin {
            sender: a.stranger.to_string(),
        }),
        |s| {
            s.distributor()
                .withdraw_emission_reserve(Uint128::new(1))
                .call(&a.stranger)
        },
    );
    for amount in [0, RESERVE + 1] {
        s.assert_refused(
            ContractError::ReserveTooSmall {
                available: Uint128::new(RESERVE),
                requested: Uint128::new(amount),
            },
            |s| {
                s.distributor()
                    .withdraw_emission_reserve(Uint128::new(amount))
                    .call(&a.admin)
            },
        );
    }
    // A withdrawal that is allowed goes to the treasury.
    s.distributor()
        .withdraw_emission_reserve(Uint128::new(1_000))
        .call(&a.admin)
        .unwrap();
    assert_eq!(s.balance(&a.treasury, &s.token_denom), 1_000);
    s.assert_conserved();
}

#[test]
fn crank_bad_input() {
    let s = SuiteBuilder::default().build();
    let a = &s.actors;
    s.assert_refused(ContractError::NothingToClose { current: 0, next: 0 }, |s| {
        s.distributor().close_epoch().call(&a.stranger)
    });
    s.assert_refused(ContractError::NothingToSettle {}, |s| {
        s.distributor().settle_epoch(10).call(&a.stranger)
    });
    s.assert_refused(ContractError::BadLimit { max: 100, got: 101 }, |s| {
        s.distributor().settle_epoch(101).call(&a.stranger)
    });
    s.assert_refused(
        ContractError::Funds(FundsError::Unexpected {
            sent: vec![coin(5, DENOM)],
        }),
        |s| {
            s.distributor()
                .close_epoch()
                .with_funds(&[coin(5, DENOM)])
                .call(&a.stranger)
        },
    );
}

#[test]
fn claims_bad_input() {
    let s = SuiteBuilder::default().build();
    let a = &s.actors;
    s.buy_license(&a.devshop).unwrap();
    s.add_points(0, &a.curator1, 1);
    let d = s.distributor();

    // Curator claims before the epoch is closed, settled and vested.
    s.assert_refused(ContractError::EpochNotSettled { epoch: 0 }, |s| {
        s.distributor()
            .claim_curator_rewards(vec![0], None)
            .call(&a.curator1)
    });
    s.assert_refused(ContractError::EpochNotFound { epoch: 7 }, |s| {
        s.distributor()
            .claim_curator_rewards(vec![7], None)
            .call(&a.curator1)
    });
    s.next_epoch();
    s.crank(10);
    let vest_at = d.epoch(0).unwrap().epoch.vest_at.unwrap();
    s.assert_refused(ContractError::NotVested { epoch: 0, vest_at }, |s| {
        s.distributor()
            .claim_curator_rewards(vec![0], None)
            .call(&a.curator1)
    });
    s.advance(VESTING);
    s.assert_refused(
        ContractError::NoPoints {
            epoch: 0,
            curator: a.curator2.to_string(),
        },
        |s| {
            s.distributor()
                .claim_curator_rewards(vec![0], None)
                .call(&a.curator2)
        },
    );
    s.assert_refused(ContractError::RepeatedEpoch { epoch: 0 }, |s| {
        s.distributor()
            .claim_curator_rewards(vec![0, 0], None)
            .call(&a.curator1)
    });
    s.assert_refused(ContractError::ClaimSize { max: 30, got: 0 }, |s| {
        s.distributor()
            .claim_curator_rewards(vec![], None)
            .call(&a.curator1)
    });

    // Contributor claims.
    s.assert_refused(ContractError::ClaimSize { max: 30, got: 0 }, |s| {
        s.distributor().claim_rewards(vec![], None).call(&a.alice)
    });
    s.assert_refused(ContractError::ClaimSize { max: 30, got: 31 }, |s| {
        s.distributor()
            .claim_rewards(vec![s.pos(s.alice_tranche); 31], None)
            .call(&a.alice)
    });
    s.assert_refused(
        ContractError::RepeatedPosition {
            tranche_id: s.alice_tranche,
            dataset_id: s.dataset,
            version: 1,
        },
        |s| {
            s.distributor()
                .claim_rewards(vec![s.pos(s.alice_tranche), s.pos(s.alice_tranche)], None)
                .call(&a.alice)
        },
    );
    s.assert_refused(
        ContractError::NotContributor {
            sender: a.stranger.to_string(),
            tranche_id: s.alice_tranche,
        },
        |s| s.claim(&a.stranger, s.alice_tranche),
    );
    // A tranche that is not in the version: the registry says so.
    let err = s
        .distributor()
        .claim_rewards(
            vec![PositionRef {
                dataset_id: s.dataset,
                version: 1,
                tranche_id: 99,
            }],
            None,
        )
        .call(&a.alice)
        .unwrap_err();
    assert!(matches!(err, ContractError::Std(_)), "{err:?}");
    s.assert_refused(
        ContractError::Funds(FundsError::Unexpected {
            sent: vec![coin(1, DENOM)],
        }),
        |s| {
            s.distributor()
                .claim_rewards(vec![s.pos(s.alice_tranche)], None)
                .with_funds(&[coin(1, DENOM)])
                .call(&a.alice)
        },
    );

    // Treasury claims: the treasury only.
    s.assert_refused(
        ContractError::NotTreasury {
            sender: a.stranger.to_string(),
        },
        |s| s.distributor().claim_treasury(None).call(&a.stranger),
    );

    // Revocations come from the registry only.
    s.assert_refused(
        ContractError::NotRegistry {
            sender: a.stranger.to_string(),
        },
        |s| {
            s.distributor()
                .record_revocation(
                    s.bob_tranche,
                    s.dataset,
                    a.bob.to_string(),
                    Uint128::new(1),
                    vec![1],
                )
                .call(&a.stranger)
        },
    );

    // Paused: claims wait.
    d.set_paused(true).call(&a.admin).unwrap();
    s.assert_refused(ContractError::Governance(GovernanceError::Paused), |s| {
        s.claim(&a.alice, s.alice_tranche)
    });
    s.assert_refused(ContractError::Governance(GovernanceError::Paused), |s| {
        s.distributor().claim_treasury(None).call(&a.treasury)
    });
    d.set_paused(false).call(&a.admin).unwrap();
    s.claim(&a.alice, s.alice_tranche).unwrap();
    s.assert_conserved();
}

#[test]
fn admin_messages_bad_input() {
    let s = SuiteBuilder::default().build();
    let a = &s.actors;
    let not_admin = || {
        ContractError::Governance(GovernanceError::NotAdmin {
            sender: a.stranger.to_string(),
        })
    };
    s.assert_refused(not_admin(), |s| {
        s.distributor()
            .update_config(ConfigUpdate::default())
            .call(&a.stranger)
    });
    let accepted = AcceptedDenom {
        min_amount: Uint128::one(),
        value_weight: Decimal::one(),
    };
    s.assert_refused(not_admin(), |s| {
        s.distributor()
            .set_accepted_denom("uatom".into(), Some(accepted.clone()))
            .call(&a.stranger)
    });
    s.assert_refused(
        ContractError::Rewards(RewardsError::TakeRateTooHigh {
            protocol_bps: 6_000,
            curator_bps: 5_000,
        }),
        |s| {
            s.distributor()
                .update_config(ConfigUpdate {
                    rates: Some(TakeRates {
                        protocol_bps: 6_000,
                        curator_bps: 5_000,
                    }),
                    ..Default::default()
                })
                .call(&a.admin)
        },
    );
    s.assert_refused(
        ContractError::Validation(ValidationError::OutOfRange {
            field: "top_k",
            value: 0,
            min: 1,
            max: 100,
        }),
        |s| {
            s.distributor()
                .update_config(ConfigUpdate {
                    top_k: Some(0),
                    ..Default::default()
                })
                .call(&a.admin)
        },
    );
    for bad in ["ibc/XYZ", "u", "cw20:nope", "9atom"] {
        let err = s
            .distributor()
            .set_accepted_denom(bad.into(), Some(accepted.clone()))
            .call(&a.admin)
            .unwrap_err();
        assert!(
            matches!(
                err,
                ContractError::Validation(ValidationError::Invalid { field: "denom", .. })
            ),
            "{bad}: {err:?}"
        );
    }
    s.assert_refused(
        ContractError::DenomNotAccepted {
            denom: "uatom".into(),
        },
        |s| {
            s.distributor()
                .set_accepted_denom("uatom".into(), None)
                .call(&a.admin)
        },
    );
    // Governance: two-step admin transfer.
    s.assert_refused(ContractError::Governance(GovernanceError::NoPendingAdmin), |s| {
        s.distributor().accept_admin().call(&a.stranger)
    });
    s.assert_refused(not_admin(), |s| {
        s.distributor().set_paused(true).call(&a.stranger)
    });
    s.assert_refused(
        ContractError::Governance(GovernanceError::PauseUnchanged { paused: false }),
        |s| s.distributor().set_paused(false).call(&a.admin),
    );
    // An IBC voucher can be allowlisted and then paid with.
    let ibc = "ibc/27394FB092D2ECCD56123C74F36E4C1F926001CEADA9CA97EA622B25F41E5EB2";
    s.distributor()
        .set_accepted_denom(ibc.into(), Some(accepted))
        .call(&a.admin)
        .unwrap();
    assert_eq!(s.distributor().accepted_denoms().unwrap().denoms.len(), 3);
    // The raw read other contracts use (the oracle, for a model's royalty denom) agrees
    // with the query, for every denom on the list and one off it.
    let listed: Vec<String> = s
        .distributor()
        .accepted_denoms()
        .unwrap()
        .denoms
        .into_iter()
        .map(|d| d.denom)
        .chain(["ujunk".to_string()])
        .collect();
    let app = s.app.app();
    let querier = app.wrap();
    for denom in listed {
        let smart = s
            .distributor()
            .denom_accepted(denom.clone())
            .unwrap()
            .min_amount
            .is_some();
        let raw = attrib_std::interfaces::reward_pool::denom_accepted_raw(&querier, &s.pool, &denom).unwrap();
        assert_eq!(raw, smart, "{denom}");
        assert_eq!(raw, denom != "ujunk", "{denom}");
    }
}

#[test]
fn instantiate_rejects_bad_config_and_migrate_checks_versions() {
    let s = SuiteBuilder::default().build();
    let a = &s.actors;
    let code = CodeId::store_code(&s.app);
    let inst = |rates: TakeRates,
                k: Option<u32>,
                clock: Option<attrib_std::rewards::EpochClock>,
                staking: Option<String>| {
        code.instantiate(InstantiateConfig {
            admin: None,
            treasury: a.treasury.to_string(),
            registry: None,
            curator_staking: staking,
            receipt_oracle: None,
            clock,
            rates,
            vesting_secs: 0,
            emission: k.map(|k| attrib_reward_distributor::state::EmissionConfig {
                denom: s.token_denom.clone(),
                schedule: attrib_std::rewards::EmissionSchedule {
                    per_epoch: Uint128::new(1),
                    halving_epochs: 0,
                },
                k_bps: k,
            }),
            accepted: vec![],
            top_k: 3,
            change_delay_secs: None,
        })
        .call(&a.admin)
    };
    let rates = TakeRates {
        protocol_bps: 1_000,
        curator_bps: 1_500,
    };
    let clock = attrib_std::rewards::EpochClock {
        epoch_start: s.now(),
        epoch_secs: EPOCH,
    };
    assert_eq!(
        inst(rates, Some(2_501), Some(clock), None).unwrap_err(),
        ContractError::Rewards(RewardsError::EmissionFactorTooHigh {
            k_bps: 2_501,
            take_rate_bps: 2_500
        })
    );
    assert_eq!(
        inst(rates, None, None, None).unwrap_err(),
        ContractError::Validation(ValidationError::Invalid {
            field: "clock",
            reason: "give a clock or a curator staking contract to take it from",
        })
    );
    let other_clock = attrib_std::rewards::EpochClock {
        epoch_start: 1,
        epoch_secs: 60,
    };
    assert!(matches!(
        inst(rates, None, Some(other_clock), Some(s.points.to_string())).unwrap_err(),
        ContractError::ClockMismatch { .. }
    ));
    inst(rates, Some(2_500), Some(clock), None).unwrap();

    // migrate to the same version keeps the cw2 record.
    s.app
        .app_mut()
        .migrate_contract(
            a.admin.clone(),
            s.pool.clone(),
            &attrib_reward_distributor::contract::sv::MigrateMsg {},
            code.code_id(),
        )
        .unwrap();
    let info = cw2::query_contract_info(&s.app.querier(), s.pool.to_string()).unwrap();
    assert_eq!(info.contract, attrib_reward_distributor::contract::CONTRACT_NAME);
}

/// The registry forwards license fees; one in a denom the pool does not accept is refused
/// with exactly DenomNotAccepted and changes nothing, while a forfeited bond in the same
/// denom is still taken (a protocol inflow without earmarks must never revert).
#[test]
fn license_fees_only_in_accepted_denoms_even_from_the_registry() {
    let s = SuiteBuilder::default().build();
    attrib_tests::fund(&s.app, &s.registry, vec![coin(1_000, "ujunk")]);
    s.assert_refused(
        ContractError::DenomNotAccepted {
            denom: "ujunk".into(),
        },
        |s| {
            s.distributor()
                .pay(s.earmark(), InflowReason::LicensePurchase, None)
                .with_funds(&[coin(500, "ujunk")])
                .call(&s.registry)
        },
    );
    assert_eq!(s.balance(&s.registry, "ujunk"), 1_000);
    s.distributor()
        .pay(vec![], InflowReason::ForfeitedBond, None)
        .with_funds(&[coin(500, "ujunk")])
        .call(&s.registry)
        .unwrap();
    assert_eq!(s.balance(&s.pool, "ujunk"), 500);
}
