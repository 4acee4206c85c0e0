//! The distributor's story: fees in from licenses, usage and a slash; an epoch closed and
//! settled in pages; capped emissions; vesting; contributor, curator and treasury claims;
//! a revocation clawing back unvested rewards; metrics. Every coin is checked after every
//! step.

use attrib_std::rewards::{Earmark, Funding};
use cosmwasm_std::{coin, Uint128};

use super::suite::*;
use attrib_reward_distributor::contract::sv::mt::RewardDistributorContractProxy;
use attrib_reward_distributor::error::ContractError;
use attrib_reward_distributor::state::EpochStatus;

#[test]
fn fees_and_emissions_flow_to_contributors_curators_and_treasury() {
    let s = SuiteBuilder::default().build();
    let a = &s.actors;
    let tok = s.token_denom.clone();
    s.assert_conserved();

    // Epoch 0: a license, metered usage and a slashed bond reach the pool.
    s.buy_license(&a.devshop).unwrap();
    s.assert_conserved();
    s.pay_usage(20_000).unwrap();
    s.assert_conserved();
    s.pay_slash(4_000).unwrap();
    s.assert_conserved();
    s.add_points(0, &a.curator1, 2);
    s.add_points(0, &a.curator2, 1);
    assert_eq!(s.balance(&s.pool, DENOM), 34_000);

    // The epoch is not over yet.
    s.assert_refused(ContractError::NothingToClose { current: 0, next: 0 }, |s| {
        s.distributor().close_epoch().call(&s.actors.stranger)
    });

    // Closed and settled one item per call: two denoms split (the fee denom and the
    // emission token), the fee row, the emission row, two denoms finished.
    s.next_epoch();
    assert_eq!(s.crank(1), 6);
    assert_eq!(s.epoch_status(0), EpochStatus::Settled);
    s.assert_conserved();

    // 34 000 of fees: 10% treasury, 15% curators, 75% to version 1 by weight 1:3.
    // Emission = min(schedule, k × fee value) = 25% × 34 000 = 8 500 tokens, split alike
    // (datasets by earmarked fee value).
    let alice = s.position(s.alice_tranche);
    assert!(
        alice.claimable.is_empty(),
        "nothing vests before the dispute window"
    );
    assert_eq!(
        s.claim(&a.alice, s.alice_tranche).unwrap_err(),
        ContractError::NothingToClaim {}
    );
    let unvested: Vec<(String, Funding, u128)> = alice
        .unvested
        .iter()
        .map(|x| (x.denom.clone(), x.funding, x.amount.u128()))
        .collect();
    assert_eq!(
        unvested,
        vec![
            (tok.clone(), Funding::Emission, 1_593),
            (DENOM.to_string(), Funding::Fee, 6_375)
        ]
    );

    s.advance(VESTING);
    let (n0, t0) = (s.balance(&a.alice, DENOM), s.balance(&a.alice, &tok));
    s.claim(&a.alice, s.alice_tranche).unwrap();
    assert_eq!(s.balance(&a.alice, DENOM), n0 + 6_375);
    assert_eq!(s.balance(&a.alice, &tok), t0 + 1_593);
    s.assert_conserved();
    // Nothing can be claimed twice.
    s.assert_refused(ContractError::NothingToClaim {}, |s| {
        s.claim(&s.actors.alice, s.alice_tranche)
    });
    // Only the contributor claims its position.
    s.assert_refused(
        ContractError::NotContributor {
            sender: a.alice.to_string(),
            tranche_id: s.bob_tranche,
        },
        |s| s.claim(&s.actors.alice, s.bob_tranche),
    );

    // Curators 2:1 by review points; the last claimant takes the remainder.
    let d = s.distributor();
    let c1 = (s.balance(&a.curator1, DENOM), s.balance(&a.curator1, &tok));
    d.claim_curator_rewards(vec![0], None).call(&a.curator1).unwrap();
    assert_eq!(s.balance(&a.curator1, DENOM), c1.0 + 3_400);
    assert_eq!(s.balance(&a.curator1, &tok), c1.1 + 850);
    s.assert_refused(
        ContractError::AlreadyClaimed {
            epoch: 0,
            curator: a.curator1.to_string(),
        },
        |s| {
            s.distributor()
                .claim_curator_rewards(vec![0], None)
                .call(&s.actors.curator1)
        },
    );
    let c2 = s.balance(&a.curator2, DENOM);
    d.claim_curator_rewards(vec![0], None).call(&a.curator2).unwrap();
    assert_eq!(s.balance(&a.curator2, DENOM), c2 + 1_700);
    s.assert_conserved();

    // The treasury takes its 10%.
    let t = (s.balance(&a.treasury, DENOM), s.balance(&a.treasury, &tok));
    d.claim_treasury(None).call(&a.treasury).unwrap();
    assert_eq!(s.balance(&a.treasury, DENOM), t.0 + 3_400);
    assert_eq!(s.balance(&a.treasury, &tok), t.1 + 850);
    s.assert_refused(ContractError::NothingToClaim {}, |s| {
        s.distributor().claim_treasury(None).call(&s.actors.treasury)
    });
    s.assert_conserved();

    // Epoch 1: the dev shop pays again (a returning buyer).
    s.pay_usage(8_000).unwrap();
    s.next_epoch();
    s.crank(10);
    s.assert_conserved();
    // Bob's tranche is revoked before epoch 1's rewards vest: he keeps epoch 0's share
    // (vested) and loses epoch 1's (6 000 × 3/4 = 4 500 fees back to the pool, 1 125
    // emission back to the reserve).
    let reserve_before = s.ledger(&tok).emission_reserve;
    let resp = s.revoke(s.bob_tranche).unwrap();
    assert!(resp
        .events
        .iter()
        .any(|e| e.ty == "wasm-attrib_rewards_clawed_back"
            && e.attributes
                .iter()
                .any(|x| x.key == "fee" && x.value == format!("4500{DENOM}"))));
    assert_eq!(
        s.ledger(&tok).emission_reserve,
        reserve_before + Uint128::new(1_125)
    );
    s.assert_conserved();
    let bob = s.position(s.bob_tranche);
    assert!(bob.revoked && bob.unvested.is_empty());
    let (b0, bt0) = (s.balance(&a.bob, DENOM), s.balance(&a.bob, &tok));
    s.claim(&a.bob, s.bob_tranche).unwrap();
    assert_eq!(s.balance(&a.bob, DENOM), b0 + 19_125);
    assert_eq!(s.balance(&a.bob, &tok), bt0 + 4_781);
    s.assert_refused(ContractError::NothingToClaim {}, |s| {
        s.claim(&s.actors.bob, s.bob_tranche)
    });

    // Epoch 2: a new buyer; the clawed-back fees are spread with it, all to Alice now.
    s.buy_license(&a.buyer).unwrap();
    s.next_epoch();
    s.crank(10);
    s.advance(VESTING);
    let (n1, t1) = (s.balance(&a.alice, DENOM), s.balance(&a.alice, &tok));
    s.claim(&a.alice, s.alice_tranche).unwrap();
    // Epoch 1: 6 000 × 1/4 = 1 500 and 375 tokens; epoch 2: 75% of (10 000 + 4 500) and
    // 75% of 2 500 tokens of emission (the clawback adds no fee value).
    assert_eq!(s.balance(&a.alice, DENOM), n1 + 1_500 + 10_875);
    assert_eq!(s.balance(&a.alice, &tok), t1 + 375 + 1_875);
    d.claim_treasury(None).call(&a.treasury).unwrap();
    s.assert_conserved();

    // Everything owed has been paid but rounding dust.
    let native = s.ledger(DENOM);
    assert_eq!(
        native.unsettled + native.treasury_owed + native.curators_owed,
        Uint128::zero()
    );
    assert!(native.versions_owed.u128() <= 2);
    assert_eq!(native.clawed_back, Uint128::new(4_500));

    // SPEC §8 metrics, per epoch and over the range.
    let m = d.metrics(0, 2).unwrap();
    assert_eq!(m.epochs.len(), 3);
    assert_eq!(m.epochs[0].fee_value, Uint128::new(34_000));
    assert_eq!(m.epochs[0].emission, Uint128::new(8_500));
    assert_eq!(m.epochs[0].emission_share_bps, 2_000);
    assert_eq!((m.epochs[0].buyers, m.epochs[0].returning_buyers), (1, 0));
    assert_eq!((m.epochs[1].buyers, m.epochs[1].returning_buyers), (1, 1));
    assert_eq!((m.epochs[2].buyers, m.epochs[2].returning_buyers), (1, 0));
    assert_eq!((m.buyers.distinct, m.buyers.repeat), (2, 1));
    assert_eq!(m.epochs[0].quality.as_ref().unwrap().accepted, 2);
    assert_eq!(m.epochs[2].quality.as_ref().unwrap().revoked, 1);
    assert_eq!(m.epochs[0].concentration.as_ref().unwrap().nakamoto_one_half, 1);
    assert_eq!(m.fee_value, Uint128::new(34_000 + 8_000 + 10_000));
    // Epochs 1 and 2 had no review points: their curator part was not minted.
    assert_eq!(m.emission, Uint128::new(8_500 + (2_000 - 300) + (2_500 - 375)));
}

#[test]
fn emission_never_exceeds_fees_times_k_nor_the_schedule() {
    // No fees, no emission: a quiet epoch is skipped and mints nothing.
    let s = SuiteBuilder::default().with_schedule(1_000).build();
    let reserve = s.ledger(&s.token_denom).emission_reserve;
    s.next_epoch();
    s.next_epoch();
    let resp = s.distributor().close_epoch().call(&s.actors.stranger).unwrap();
    assert!(resp.events.iter().any(|e| e.ty == "wasm-attrib_epochs_skipped"));
    assert_eq!(s.ledger(&s.token_denom).emission_reserve, reserve);

    // Large fees: the schedule binds (1 000 tokens, not 25% × 1 000 000), and the curator
    // part nobody earned (no review points) is not minted: 1 000 - 15% = 850.
    s.pay_usage(1_000_000).unwrap();
    s.next_epoch();
    s.crank(10);
    let e = s.distributor().epoch(2).unwrap().epoch;
    assert_eq!(e.emission, Uint128::new(850));
    assert_eq!(
        s.ledger(&s.token_denom).emission_reserve,
        reserve - Uint128::new(850)
    );
    s.assert_conserved();

    // k above the take rate is refused, at instantiation and on update.
    let err = s
        .distributor()
        .update_config(attrib_reward_distributor::msg::ConfigUpdate {
            rates: Some(attrib_std::rewards::TakeRates {
                protocol_bps: 500,
                curator_bps: 500,
            }),
            ..Default::default()
        })
        .call(&s.actors.admin)
        .unwrap_err();
    assert_eq!(
        err,
        ContractError::Rewards(attrib_std::rewards::RewardsError::EmissionFactorTooHigh {
            k_bps: 2_500,
            take_rate_bps: 1_000
        })
    );
}

/// A buyer who is the only contributor of the dataset it licenses, at the highest k the
/// contract allows, loses money: the take (treasury + curators) is at least what the
/// emission can return.
#[test]
fn wash_trading_loses_money_at_the_highest_k() {
    let s = SuiteBuilder::default().with_k(2_500).build();
    let a = &s.actors;
    let tok = s.token_denom.clone();
    // Bob's tranche is revoked at once (no allocation yet): Alice is the only contributor.
    s.revoke(s.bob_tranche).unwrap();
    let start_native = s.balance(&a.alice, DENOM);
    let start_tokens = s.balance(&a.alice, &tok);
    for _ in 0..3 {
        s.pay_direct(&a.alice, &[coin(100_000, DENOM)], s.earmark())
            .unwrap();
        s.next_epoch();
        s.crank(10);
    }
    s.advance(VESTING);
    s.claim(&a.alice, s.alice_tranche).unwrap();
    s.assert_conserved();
    let lost = start_native - s.balance(&a.alice, DENOM);
    let gained_tokens = s.balance(&a.alice, &tok) - start_tokens;
    // Denom weights are 1:1, so value lost and gained compare directly.
    assert_eq!(lost, 3 * 25_000, "the 25% take on 300 000 of self-paid fees");
    assert_eq!(gained_tokens, 3 * 18_750, "75% of k × fees");
    assert!(gained_tokens < lost, "wash trading must not pay");
}

#[test]
fn unearmarked_fees_follow_the_earmarks_or_go_to_curators_then_treasury() {
    let s = SuiteBuilder::default().build();
    // Only a slash this epoch and nobody has points: everything goes to the treasury.
    s.pay_slash(10_000).unwrap();
    s.next_epoch();
    s.crank(10);
    let owed: u128 = s
        .distributor()
        .treasury(None)
        .unwrap()
        .owed
        .iter()
        .filter(|x| x.denom == DENOM)
        .map(|x| x.amount.u128())
        .sum();
    assert_eq!(owed, 10_000);
    // Emission: 25% × 10 000 = 2 500, of which only the treasury's 10% can be earned
    // (no earmarks, no points): 250 minted, the rest stays in the reserve.
    assert_eq!(s.ledger(&s.token_denom).emission_reserve.u128(), RESERVE - 250);
    s.assert_conserved();

    // An earmark naming the same version twice is refused.
    let twice = vec![
        Earmark {
            dataset_id: s.dataset,
            version: 1,
            weight_bps: 5_000,
        };
        2
    ];
    s.assert_refused(
        ContractError::Rewards(attrib_std::rewards::RewardsError::RepeatedEarmark {
            dataset_id: s.dataset,
            version: 1,
        }),
        |s| s.pay_direct(&s.actors.buyer, &[coin(1_000, DENOM)], twice),
    );
}

#[test]
fn settlement_pages_are_bounded_and_resume() {
    let s = SuiteBuilder::default().build();
    let a = &s.actors;
    // Three denoms' worth of rows is not possible with one allowlisted native denom, so
    // page through fee and emission rows one at a time with several payers.
    for who in [&a.buyer, &a.devshop, &a.stranger] {
        s.pay_direct(who, &[coin(1_000, DENOM)], s.earmark()).unwrap();
    }
    s.next_epoch();
    let d = s.distributor();
    d.close_epoch().call(&a.stranger).unwrap();
    // A second close while settling is refused.
    s.assert_refused(ContractError::SettlementInProgress { epoch: 0 }, |s| {
        s.distributor().close_epoch().call(&s.actors.stranger)
    });
    s.assert_refused(ContractError::BadLimit { max: 100, got: 0 }, |s| {
        s.distributor().settle_epoch(0).call(&s.actors.stranger)
    });
    let mut calls = 0;
    while d.config().unwrap().settling.is_some() {
        d.settle_epoch(1).call(&a.stranger).unwrap();
        calls += 1;
        s.assert_conserved();
    }
    // Two denoms split, the fee row, the emission row, two denoms finished.
    assert_eq!(calls, 6);
    s.assert_refused(ContractError::NothingToSettle {}, |s| {
        s.distributor().settle_epoch(5).call(&s.actors.stranger)
    });
}

/// Revocation is bounded only if a version's denoms are: `record_revocation` walks every
/// (version, denom) of the tranche — at most 64 versions now, times the denoms each
/// version ever earned in. The allowlist was meant to bound the latter, but protocol
/// inflows skip it: a maintainer prices its license in any denoms (8 at a time, and
/// re-prices at will), buys a license in each, and every one becomes an accumulator of
/// the version. Colluding with a contributor, the maintainer grows the revocation of
/// that contributor's tranche past the block gas limit, so the upheld dispute (which
/// runs the revocation in the same transaction) can never finalize.
#[test]
fn a_version_earns_only_in_accepted_denoms() {
    use attrib_registry::contract::sv::mt::RegistryContractProxy;
    use attrib_std::interfaces::reward_pool::sv::mt::RewardPoolProxy;
    let s = SuiteBuilder::default().build();
    let maintainer = s.actors.maintainer.clone();
    let junk: Vec<String> = (0..16).map(|i| format!("ujunk{i}")).collect();
    attrib_tests::fund(
        &s.app,
        &maintainer,
        junk.iter().map(|d| coin(1_000_000, d)).collect(),
    );
    for chunk in junk.chunks(8) {
        // The maintainer may price in any denom, but a license in a denom the pool does
        // not accept cannot be sold: the pool refuses the forwarded fee, the purchase
        // reverts and the buyer keeps its coins.
        let mut t = terms();
        t.price = chunk.iter().map(|d| coin(100_000, d)).collect();
        s.registry()
            .update_license_terms(s.dataset, t)
            .call(&maintainer)
            .unwrap();
        for d in chunk {
            // (multi-test reports the pool's DenomNotAccepted as a failed sub-message.)
            assert!(s
                .registry()
                .buy_license(s.dataset, 1, None)
                .with_funds(&[coin(100_000, d)])
                .call(&maintainer)
                .is_err());
            assert_eq!(attrib_tests::balance(&s.app, &maintainer, d), 1_000_000);
        }
    }
    s.next_epoch();
    s.crank(100);
    let account = s.distributor().version_account(s.dataset, 1).unwrap();
    let unaccepted: Vec<String> = account
        .accumulators
        .iter()
        .map(|a| a.denom.clone())
        .filter(|d| {
            s.distributor()
                .denom_accepted(d.clone())
                .unwrap()
                .min_amount
                .is_none()
        })
        .collect();
    assert!(
        unaccepted.is_empty(),
        "version 1 earns in {} denoms the pool never accepted: {unaccepted:?}",
        unaccepted.len()
    );
}
