//! Denom flooding (issue 14, item 2): an epoch that took fees in many denoms must still
//! close, settle and pay the treasury in calls of bounded work, so it can never block
//! every later epoch (epochs settle in order).

use attrib_reward_distributor::contract::sv::mt::RewardDistributorContractProxy;
use attrib_reward_distributor::error::ContractError;
use attrib_reward_distributor::state::EpochStatus;
use cosmwasm_std::{coin, Coin};
use cw_multi_test::AppResponse;

use crate::suite::*;

/// Settle page size used by the test.
const LIMIT: u32 = 4;
/// Denoms the flood pays in, besides the suite's own.
const FLOOD: usize = 24;
/// Owed entries one treasury claim pays at most.
const PAGE: usize = attrib_reward_distributor::claims::MAX_TREASURY_DENOMS as usize;

fn flood_denoms() -> Vec<String> {
    (0..FLOOD).map(|i| format!("uflood{i:02}")).collect()
}

/// Per-denom entries a response carries: its work, as far as events show it.
fn per_denom_work(resp: &AppResponse) -> usize {
    resp.events
        .iter()
        .flat_map(|e| &e.attributes)
        .filter(|a| a.key.starts_with("fees_") || a.key.starts_with("treasury_"))
        .count()
}

#[test]
fn an_epoch_of_many_denoms_closes_settles_and_pays_in_bounded_pages() {
    let s = SuiteBuilder::default().build();
    let a = &s.actors;
    let denoms = flood_denoms();
    for d in &denoms {
        attrib_tests::accept_denom(&s.app, &s.pool, &a.admin, d);
    }
    let whale = attrib_tests::addr("whale");
    let paid: Vec<Coin> = denoms.iter().map(|d| coin(1_000, d)).collect();
    attrib_tests::fund(&s.app, &whale, paid.clone());
    for c in &paid {
        s.pay_direct(&whale, std::slice::from_ref(c), s.earmark())
            .unwrap();
    }
    s.pay_direct(&a.buyer, &[coin(1_000, DENOM)], vec![]).unwrap();
    let epoch = s.distributor().config().unwrap().current_epoch;
    s.next_epoch();

    // Closing does no per-denom work at all.
    let d = s.distributor();
    let closed = d.close_epoch().call(&a.stranger).unwrap();
    assert_eq!(per_denom_work(&closed), 0, "close_epoch split denoms: {closed:?}");

    // Settling: no page does more than `LIMIT` denoms' worth.
    let mut calls = 0;
    while d.config().unwrap().settling.is_some() {
        let page = d.settle_epoch(LIMIT).call(&a.stranger).unwrap();
        assert!(per_denom_work(&page) <= LIMIT as usize, "page {calls}: {page:?}");
        calls += 1;
        assert!(calls < 100, "settlement does not end");
    }
    assert_eq!(s.epoch_status(epoch), EpochStatus::Settled);
    // 25 denoms split, 24 earmarked rows applied (the version row per flood denom),
    // 25 denoms finished: at least that many pages of 4.
    assert!(calls >= (25 + 24 + 25) / LIMIT, "only {calls} pages");
    s.assert_conserved();

    // The treasury is paid in pages too, until nothing is owed.
    let mut claims = 0;
    loop {
        match d.claim_treasury(None).call(&a.treasury) {
            Ok(resp) => {
                let transfers = resp.events.iter().filter(|e| e.ty == "transfer").count();
                assert!(transfers <= PAGE);
                claims += 1;
            }
            Err(e) => {
                assert_eq!(e, ContractError::NothingToClaim {});
                break;
            }
        }
        assert!(claims < 50);
    }
    assert!(claims >= 2, "25 denoms paid in {claims} claim(s)");
    for d in &denoms {
        assert_eq!(
            s.ledger(d).treasury_owed.u128(),
            0,
            "{d} still owed to the treasury"
        );
        assert!(s.balance(&a.treasury, d) > 0, "{d} never reached the treasury");
    }
    s.assert_conserved();
}

/// The allowlist is bounded, so every per-denom loop is: the denom after the last one
/// is refused with exactly TooManyDenoms and changes nothing; replacing an accepted
/// denom's terms and removing one still work at the cap.
#[test]
fn the_pool_accepts_a_bounded_number_of_denoms() {
    use attrib_reward_distributor::admin::MAX_ACCEPTED_DENOMS;
    let s = SuiteBuilder::default().build();
    let a = &s.actors;
    let already = s.distributor().accepted_denoms().unwrap().denoms.len();
    for i in already..MAX_ACCEPTED_DENOMS {
        attrib_tests::accept_denom(&s.app, &s.pool, &a.admin, &format!("ucap{i:02}"));
    }
    let extra = attrib_tests::accepted("uonemore", 1).accepted;
    s.assert_refused(
        ContractError::TooManyDenoms {
            max: MAX_ACCEPTED_DENOMS,
        },
        |s| {
            s.distributor()
                .set_accepted_denom("uonemore".into(), Some(extra.clone()))
                .call(&s.actors.admin)
        },
    );
    // Changing an accepted denom's terms at the cap is not an addition.
    s.distributor()
        .set_accepted_denom(DENOM.into(), Some(attrib_tests::accepted(DENOM, 7).accepted))
        .call(&a.admin)
        .unwrap();
    // Removing one makes room.
    s.distributor()
        .set_accepted_denom("ucap31".into(), None)
        .call(&a.admin)
        .unwrap();
    s.distributor()
        .set_accepted_denom("uonemore".into(), Some(extra))
        .call(&a.admin)
        .unwrap();
    assert_eq!(
        s.distributor().accepted_denoms().unwrap().denoms.len(),
        MAX_ACCEPTED_DENOMS
    );
}

/// Fees are split at the take rates in force when the epoch closed: an admin change
/// between the close and the (paged) split cannot re-price a closed epoch, and the
/// settled event is emitted once, by the call that settles.
#[test]
fn a_closed_epoch_is_split_at_the_rates_of_its_close() {
    use attrib_reward_distributor::msg::ConfigUpdate;
    use attrib_std::rewards::TakeRates;
    let s = SuiteBuilder::default().build();
    let a = &s.actors;
    s.pay_direct(&a.buyer, &[coin(10_000, DENOM)], s.earmark())
        .unwrap();
    let epoch = s.distributor().config().unwrap().current_epoch;
    s.next_epoch();
    let d = s.distributor();
    d.close_epoch().call(&a.stranger).unwrap();
    d.update_config(ConfigUpdate {
        treasury: None,
        rates: Some(TakeRates {
            protocol_bps: 1_500,
            curator_bps: 1_500,
        }),
        vesting_secs: None,
        emission: None,
        top_k: None,
        change_delay_secs: None,
    })
    .call(&a.admin)
    .unwrap();
    let mut settled_events = 0;
    while d.config().unwrap().settling.is_some() {
        let page = d.settle_epoch(1).call(&a.stranger).unwrap();
        settled_events += page
            .events
            .iter()
            .filter(|e| e.ty == format!("wasm-{}", attrib_std::events::EPOCH_SETTLED))
            .count();
    }
    assert_eq!(settled_events, 1, "the epoch is settled once");
    let row = d
        .epoch(epoch)
        .unwrap()
        .denoms
        .into_iter()
        .find(|r| r.denom == DENOM)
        .unwrap()
        .row;
    // The suite's rates at close: 10 % treasury, 15 % curators (nobody has points, so
    // the curator share goes to the treasury), 75 % to the datasets.
    assert_eq!(row.fee_treasury.u128(), 2_500);
    assert_eq!(row.fee_datasets.u128(), 7_500);
    s.assert_conserved();
}
