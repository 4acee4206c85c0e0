//! Random sequences of payments, points, time, cranks, claims, revocations and slashes.
//! After every step nothing is lost (`assert_conserved`); after every successful claim a
//! second one finds nothing; a curator never claims an epoch twice. Cases: 1 000 by
//! default, `PROPTEST_CASES` to change (the pure accumulator rules in attrib-std run
//! thousands of cases of their own).

use cosmwasm_std::coin;
use proptest::prelude::*;

use super::suite::*;
use attrib_reward_distributor::contract::sv::mt::RewardDistributorContractProxy;
use attrib_reward_distributor::error::ContractError;
use attrib_reward_distributor::state::EpochStatus;

#[derive(Debug, Clone)]
enum Op {
    License(bool),
    Usage(u128),
    Direct(u128),
    Slash(u128),
    Points(bool, u64),
    Advance(u64),
    Crank(u32),
    Claim(bool),
    CuratorClaim(bool),
    TreasuryClaim,
    Revoke(bool),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        any::<bool>().prop_map(Op::License),
        (1u128..200_000).prop_map(Op::Usage),
        (MIN_PAYMENT..50_000).prop_map(Op::Direct),
        (1u128..30_000).prop_map(Op::Slash),
        (any::<bool>(), 1u64..4).prop_map(|(c, p)| Op::Points(c, p)),
        (0u64..2 * EPOCH).prop_map(Op::Advance),
        (1u32..4).prop_map(Op::Crank),
        any::<bool>().prop_map(Op::Claim),
        any::<bool>().prop_map(Op::CuratorClaim),
        Just(Op::TreasuryClaim),
        any::<bool>().prop_map(Op::Revoke),
    ]
}

fn run(ops: Vec<Op>) {
    let s = SuiteBuilder::default().build();
    let a = &s.actors;
    let d = s.distributor();
    let mut revoked = false;
    for op in ops {
        match op {
            Op::License(devshop) => {
                s.buy_license(if devshop { &a.devshop } else { &a.buyer })
                    .unwrap();
            }
            Op::Usage(x) => {
                s.pay_usage(x).unwrap();
            }
            Op::Direct(x) => {
                s.pay_direct(&a.buyer, &[coin(x, DENOM)], s.earmark()).unwrap();
            }
            Op::Slash(x) => {
                s.pay_slash(x).unwrap();
            }
            Op::Points(first, p) => {
                let c = d.config().unwrap().current_epoch;
                s.add_points(c, if first { &a.curator1 } else { &a.curator2 }, p);
            }
            Op::Advance(secs) => s.advance(secs),
            Op::Crank(limit) => {
                if d.config().unwrap().settling.is_none() {
                    match d.close_epoch().call(&a.stranger) {
                        Ok(_) | Err(ContractError::NothingToClose { .. }) => {}
                        Err(e) => panic!("close: {e:?}"),
                    }
                } else {
                    d.settle_epoch(limit).call(&a.stranger).unwrap();
                }
            }
            Op::Claim(alice) => {
                let (who, t) = if alice {
                    (&a.alice, s.alice_tranche)
                } else {
                    (&a.bob, s.bob_tranche)
                };
                match s.claim(who, t) {
                    Ok(_) => assert_eq!(s.claim(who, t).unwrap_err(), ContractError::NothingToClaim {}),
                    Err(ContractError::NothingToClaim {}) => {}
                    Err(e) => panic!("claim: {e:?}"),
                }
            }
            Op::CuratorClaim(first) => {
                let who = if first { &a.curator1 } else { &a.curator2 };
                let next = d.config().unwrap().next_close;
                for e in 0..next {
                    let Ok(epoch) = d.epoch(e) else { continue };
                    if epoch.epoch.status != EpochStatus::Settled {
                        continue;
                    }
                    match d.claim_curator_rewards(vec![e], None).call(who) {
                        Ok(_) => assert!(matches!(
                            d.claim_curator_rewards(vec![e], None).call(who).unwrap_err(),
                            ContractError::AlreadyClaimed { .. }
                        )),
                        Err(
                            ContractError::NoPoints { .. }
                            | ContractError::NotVested { .. }
                            | ContractError::AlreadyClaimed { .. }
                            | ContractError::NothingToClaim {},
                        ) => {}
                        Err(e) => panic!("curator claim: {e:?}"),
                    }
                }
            }
            Op::TreasuryClaim => match d.claim_treasury(None).call(&a.treasury) {
                Ok(_) | Err(ContractError::NothingToClaim {}) => {}
                Err(e) => panic!("treasury claim: {e:?}"),
            },
            Op::Revoke(alice) => {
                if !revoked {
                    s.revoke(if alice { s.alice_tranche } else { s.bob_tranche })
                        .unwrap();
                    revoked = true;
                }
            }
        }
        s.assert_conserved();
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(1_000),
        ..ProptestConfig::default()
    })]

    #[test]
    fn no_sequence_loses_or_double_pays_a_coin(ops in proptest::collection::vec(op(), 1..40)) {
        run(ops);
    }
}
