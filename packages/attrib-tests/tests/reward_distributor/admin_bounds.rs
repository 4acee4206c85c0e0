//! Issue 14 item 6: the distributor admin cannot redirect what is owed, nor change the
//! terms of an epoch that is already open.

use attrib_reward_distributor::contract::sv::mt::RewardDistributorContractProxy as _;
use attrib_reward_distributor::msg::ConfigUpdate;
use attrib_std::rewards::TakeRates;
use attrib_std::wiring::sv::mt::WiringProxy as _;
use attrib_std::wiring::Peers;
use attrib_tests::mocks::reward_source::sv::mt::CodeId as ImpostorCode;
use cosmwasm_std::Uint128;

use super::suite::*;

/// The admin points the pool at a registry of its own that names the admin's accomplice
/// the contributor of every tranche: Alice's unclaimed rewards must stay hers.
#[test]
fn a_repointed_registry_cannot_redirect_unclaimed_positions() {
    let s = SuiteBuilder::default().build();
    let a = &s.actors;
    s.pay_usage(100_000).unwrap();
    s.next_epoch();
    s.crank(10);
    s.advance(VESTING);
    let alice = s.position(s.alice_tranche);
    let owed: u128 = alice.claimable.iter().filter(|r| r.denom == DENOM).map(|r| r.amount.u128()).sum();
    assert!(owed > 0);

    let impostor = ImpostorCode::store_code(&s.app)
        .instantiate(a.stranger.to_string(), alice.weight)
        .call(&a.admin)
        .unwrap();
    let repoint = s
        .distributor()
        .set_peers(Peers {
            registry: Some(impostor.contract_addr.to_string()),
            ..Default::default()
        })
        .call(&a.admin);
    let stolen = s.claim(&a.stranger, s.alice_tranche);
    assert!(stolen.is_err(), "a stranger claimed Alice's position: {stolen:?}");
    assert!(repoint.is_err(), "the admin repointed the registry at once");
    let before = s.balance(&a.alice, DENOM);
    s.claim(&a.alice, s.alice_tranche).unwrap();
    assert_eq!(s.balance(&a.alice, DENOM) - before, owed);
    s.assert_conserved();
}

/// A rate rise (and a new treasury) announced while an epoch is open must not touch that
/// epoch: its fees split at the rates in force when it opened.
#[test]
fn a_rate_or_treasury_change_never_applies_to_an_open_epoch() {
    let s = SuiteBuilder::default().build();
    let a = &s.actors;
    s.pay_usage(100_000).unwrap();
    let rates = s.distributor().update_config(ConfigUpdate {
        rates: Some(TakeRates {
            protocol_bps: 5_000,
            curator_bps: 1_500,
        }),
        ..Default::default()
    })
    .call(&a.admin);
    let treasury = s
        .distributor()
        .update_config(ConfigUpdate {
            treasury: Some(a.stranger.to_string()),
            ..Default::default()
        })
        .call(&a.admin);
    s.next_epoch();
    s.crank(10);
    // 10 % protocol fee + the 15 % curator share nobody earned points for.
    assert_eq!(
        s.ledger(DENOM).treasury_owed,
        Uint128::new(25_000),
        "the open epoch was split at rates set after it opened"
    );
    assert!(treasury.is_err(), "the treasury moved at once");
    assert!(rates.is_ok());
    s.assert_conserved();
}
