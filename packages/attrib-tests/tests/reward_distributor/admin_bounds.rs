//! Issue 14 item 6: the distributor admin cannot redirect what is owed, nor change the
//! terms of an epoch that is already open.

use attrib_reward_distributor::contract::sv::mt::RewardDistributorContractProxy as _;
use attrib_reward_distributor::error::ContractError;
use attrib_reward_distributor::msg::ConfigUpdate;
use attrib_reward_distributor::state::DistributorChange;
use attrib_std::governance::GovernanceError;
use attrib_std::rewards::TakeRates;
use attrib_std::timelock::{TimelockError, DEFAULT_CHANGE_DELAY_SECS};
use attrib_std::validation::ValidationError;
use attrib_std::wiring::sv::mt::WiringProxy as _;
use attrib_std::wiring::PeerError;
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
    let owed: u128 = alice
        .claimable
        .iter()
        .filter(|r| r.denom == DENOM)
        .map(|r| r.amount.u128())
        .sum();
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
    assert_eq!(
        repoint.unwrap_err(),
        ContractError::Timelock(TimelockError::AnnounceFirst { what: "registry" })
    );
    // Nor by announcement: positions are keyed by the registry's ids.
    s.assert_refused(ContractError::Peers(PeerError::InUse { role: "registry" }), |s| {
        s.distributor()
            .announce_change(DistributorChange::Peers {
                peers: Peers {
                    registry: Some(impostor.contract_addr.to_string()),
                    ..Default::default()
                },
            })
            .call(&s.actors.admin)
    });
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
    let rates = s
        .distributor()
        .update_config(ConfigUpdate {
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
    assert_eq!(
        treasury.unwrap_err(),
        ContractError::Timelock(TimelockError::AnnounceFirst { what: "treasury" })
    );
    rates.unwrap();
    // The next epoch opened after the change: it pays 50 % + 15 %.
    let before = s.ledger(DENOM).treasury_owed;
    s.pay_usage(100_000).unwrap();
    s.next_epoch();
    s.crank(10);
    assert_eq!(s.ledger(DENOM).treasury_owed - before, Uint128::new(65_000));
    s.assert_conserved();
}

/// A new treasury: announced (event with its time), applied by anyone after the delay;
/// what the old one was owed stays claimable by the old one until then; every wrong step
/// is refused and changes nothing.
#[test]
fn a_new_treasury_applies_only_after_the_delay() {
    let s = SuiteBuilder::default().build();
    let a = &s.actors;
    let announce = |s: &Suite, who: &cosmwasm_std::Addr| {
        s.distributor()
            .announce_change(DistributorChange::Treasury {
                address: s.actors.stranger.to_string(),
            })
            .call(who)
    };
    s.assert_refused(ContractError::Timelock(TimelockError::NothingPending), |s| {
        s.distributor().apply_change().call(&s.actors.stranger)
    });
    s.assert_refused(ContractError::Timelock(TimelockError::NothingPending), |s| {
        s.distributor().cancel_change().call(&s.actors.admin)
    });
    s.assert_refused(
        ContractError::Governance(GovernanceError::NotAdmin {
            sender: a.stranger.to_string(),
        }),
        |s| announce(s, &s.actors.stranger),
    );
    let delay = DEFAULT_CHANGE_DELAY_SECS;
    let at = s.now() + delay;
    let resp = announce(&s, &a.admin).unwrap();
    assert!(resp.events.iter().any(|e| e.ty == "wasm-attrib_change_announced"
        && e.attributes
            .iter()
            .any(|x| x.key == "effective_at" && x.value == at.to_string())));
    s.assert_refused(
        ContractError::Timelock(TimelockError::AlreadyPending { effective_at: at }),
        |s| announce(s, &s.actors.admin),
    );
    s.advance(delay - 1);
    s.assert_refused(
        ContractError::Timelock(TimelockError::NotYet {
            effective_at: at,
            now: at - 1,
        }),
        |s| s.distributor().apply_change().call(&s.actors.stranger),
    );
    assert_eq!(s.distributor().config().unwrap().config.treasury, a.treasury);
    s.advance(1);
    // Only the new treasury applies its change: it shows it can send, and so claim.
    s.assert_refused(
        ContractError::NotNewTreasury {
            sender: a.bob.to_string(),
            treasury: a.stranger.to_string(),
        },
        |s| s.distributor().apply_change().call(&s.actors.bob),
    );
    s.distributor().apply_change().call(&a.stranger).unwrap();
    assert_eq!(s.distributor().config().unwrap().config.treasury, a.stranger);
    s.assert_refused(ContractError::Timelock(TimelockError::NothingPending), |s| {
        s.distributor().apply_change().call(&s.actors.stranger)
    });
    // Out of range: the change delay and the rates.
    s.assert_refused(
        ContractError::Validation(ValidationError::OutOfRange {
            field: "change_delay_secs",
            value: 0,
            min: 86_400,
            max: 30 * 86_400,
        }),
        |s| {
            s.distributor()
                .update_config(ConfigUpdate {
                    change_delay_secs: Some(0),
                    ..Default::default()
                })
                .call(&s.actors.admin)
        },
    );
    s.assert_refused(
        ContractError::Validation(ValidationError::OutOfRange {
            field: "protocol_bps",
            value: 6_000,
            min: 0,
            max: 5_000,
        }),
        |s| {
            s.distributor()
                .update_config(ConfigUpdate {
                    rates: Some(TakeRates {
                        protocol_bps: 6_000,
                        curator_bps: 1_000,
                    }),
                    ..Default::default()
                })
                .call(&s.actors.admin)
        },
    );
    s.assert_conserved();
}

/// What is owed to the treasury when a new one applies stays the old one's: the epoch
/// settled before the change, and the epoch that closed before it but settles after. The
/// new treasury is owed only what epochs closing after the change book; the old one still
/// claims what it was owed, and nothing more.
#[test]
fn a_treasury_change_never_moves_what_is_already_owed() {
    let s = SuiteBuilder::default().build();
    let a = &s.actors;
    let d = s.distributor();
    let (old, new) = (a.treasury.clone(), a.stranger.clone());
    let owed = |who: &cosmwasm_std::Addr| -> u128 {
        d.treasury(Some(who.to_string()))
            .unwrap()
            .owed
            .iter()
            .filter(|o| o.denom == DENOM)
            .map(|o| o.amount.u128())
            .sum()
    };
    let settle = || {
        while d.config().unwrap().settling.is_some() {
            d.settle_epoch(10).call(&a.bob).unwrap();
        }
    };
    let close_due = || {
        while d.close_epoch().call(&a.bob).is_ok() {
            settle();
        }
    };
    // Epoch 1 settles before the change is even announced.
    s.pay_usage(100_000).unwrap();
    s.next_epoch();
    s.crank(10);
    let settled_before = owed(&old);
    assert!(settled_before > 0);
    // Epoch 2 pays and closes while the change is pending; it settles after it applies.
    d.announce_change(DistributorChange::Treasury {
        address: new.to_string(),
    })
    .call(&a.admin)
    .unwrap();
    s.pay_usage(100_000).unwrap();
    s.next_epoch();
    d.close_epoch().call(&a.bob).unwrap();
    s.advance(DEFAULT_CHANGE_DELAY_SECS);
    d.apply_change().call(&new).unwrap();
    settle();
    let closed_before = owed(&old) - settled_before;
    assert_eq!(
        closed_before, settled_before,
        "the same usage books the same share"
    );
    assert_eq!(owed(&new), 0, "the new treasury took nothing owed before it");
    assert_eq!(d.treasury(None).unwrap().treasury, new);
    // An epoch that closes after the change pays the new treasury.
    close_due();
    s.pay_usage(100_000).unwrap();
    s.next_epoch();
    close_due();
    assert_eq!(owed(&new), settled_before);
    assert_eq!(owed(&old), settled_before + closed_before);

    // Each claims its own; the old one, no longer the treasury, only while owed.
    let (old0, new0) = (s.balance(&old, DENOM), s.balance(&new, DENOM));
    d.claim_treasury(None).call(&old).unwrap();
    d.claim_treasury(None).call(&new).unwrap();
    assert_eq!(s.balance(&old, DENOM) - old0, settled_before + closed_before);
    assert_eq!(s.balance(&new, DENOM) - new0, settled_before);
    s.assert_refused(
        ContractError::NotTreasury {
            sender: old.to_string(),
        },
        |s| s.distributor().claim_treasury(None).call(&old),
    );
    s.assert_conserved();
}

/// Review finding: owed amounts are now keyed by the treasury an epoch closed under and
/// nothing can ever move them, so a treasury that cannot call `claim_treasury` strands its
/// share for good. The pool itself is such an address (it never sends itself a claim):
/// the change must be refused (on the review's code it applied and stranded 27 500 uatr).
/// Any other new treasury applies its own change, which proves it can send.
#[test]
fn a_treasury_that_cannot_claim_never_becomes_the_treasury() {
    let s = SuiteBuilder::default().build();
    let a = &s.actors;
    let d = s.distributor();
    // The pool itself could never claim: refused outright.
    s.assert_refused(ContractError::PoolAsTreasury {}, |s| {
        s.distributor()
            .announce_change(DistributorChange::Treasury {
                address: s.pool.to_string(),
            })
            .call(&s.actors.admin)
    });
    // Any other address applies its own change, so an address that cannot send (a
    // contract without a claim path, a module account) never becomes the treasury: the
    // change stays pending until the admin cancels it, and the old treasury keeps booking.
    let registry = s.registry.clone();
    d.announce_change(DistributorChange::Treasury {
        address: registry.to_string(),
    })
    .call(&a.admin)
    .unwrap();
    s.advance(DEFAULT_CHANGE_DELAY_SECS);
    s.assert_refused(
        ContractError::NotNewTreasury {
            sender: a.bob.to_string(),
            treasury: registry.to_string(),
        },
        |s| s.distributor().apply_change().call(&s.actors.bob),
    );
    d.cancel_change().call(&a.admin).unwrap();
    s.pay_usage(100_000).unwrap();
    s.next_epoch();
    s.crank(10);
    let owed: u128 = d
        .treasury(None)
        .unwrap()
        .owed
        .iter()
        .filter(|o| o.denom == DENOM)
        .map(|o| o.amount.u128())
        .sum();
    assert!(owed > 0);
    let t0 = s.balance(&a.treasury, DENOM);
    d.claim_treasury(None).call(&a.treasury).unwrap();
    assert_eq!(s.balance(&a.treasury, DENOM) - t0, owed);
    s.assert_conserved();
}
