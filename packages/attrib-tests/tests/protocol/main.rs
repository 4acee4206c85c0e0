//! The protocol as the builder deploys it: the wiring plan of `attrib_std::wiring` reads
//! as each contract's own messages, and `set_peers` behaves the same in all four.

use attrib_std::funds::FundsError;
use attrib_std::governance::GovernanceError;
use attrib_std::interfaces::wiring::sv::mt::WiringProxy;
use attrib_std::wiring::{plan, PeerError, Peers, PeersResponse};
use attrib_tests::{addr, balance, fund, Protocol, ProtocolBuilder, DENOM};
use cosmwasm_std::{coin, from_json, to_json_binary, Addr};

fn protocol() -> Protocol {
    ProtocolBuilder::default().build()
}

fn wiring_of(p: &Protocol) -> attrib_std::wiring::Protocol {
    attrib_std::wiring::Protocol {
        registry: p.registry.to_string(),
        curator_staking: p.curator_staking.to_string(),
        receipt_oracle: p.receipt_oracle.clone().unwrap().to_string(),
        reward_distributor: p.reward_distributor.to_string(),
    }
}

/// Every step of the plan deserializes as the target contract's own execute message, so
/// the plan cannot drift from the contracts.
#[test]
fn every_wiring_step_is_a_message_of_its_contract() {
    let p = protocol();
    let steps = plan(&wiring_of(&p));
    assert_eq!(steps.len(), 4);
    for step in steps {
        let json = to_json_binary(&step.msg).unwrap();
        let read = if step.contract == p.registry.as_str() {
            from_json::<attrib_registry::contract::sv::ContractExecMsg>(&json).map(|_| ())
        } else if step.contract == p.curator_staking.as_str() {
            from_json::<attrib_curator_staking::contract::sv::ContractExecMsg>(&json).map(|_| ())
        } else if Some(step.contract.as_str()) == p.receipt_oracle.as_ref().map(Addr::as_str) {
            from_json::<attrib_receipt_oracle::contract::sv::ContractExecMsg>(&json).map(|_| ())
        } else if step.contract == p.reward_distributor.as_str() {
            from_json::<attrib_reward_distributor::contract::sv::ContractExecMsg>(&json).map(|_| ())
        } else {
            panic!("step '{}' is sent to no contract of the protocol", step.what)
        };
        read.unwrap_or_else(|e| panic!("step '{}' is not a message of its contract: {e}", step.what));
    }
}

/// After build, each contract's `peers` is what the plan sent it.
#[test]
fn peers_reflect_the_wiring_after_build() {
    let p = protocol();
    let (r, cs, ro, rd) = (
        Some(p.registry.clone()),
        Some(p.curator_staking.clone()),
        p.receipt_oracle.clone(),
        Some(p.reward_distributor.clone()),
    );
    let peers = |contract: &Addr| -> PeersResponse {
        p.app
            .querier()
            .query_wasm_smart(contract, &attrib_std::interfaces::wiring::sv::QueryMsg::Peers {})
            .unwrap()
    };
    let expect = |registry, curator_staking, receipt_oracle, reward_pool| PeersResponse {
        registry,
        curator_staking,
        receipt_oracle,
        reward_pool,
    };
    assert_eq!(peers(&p.registry), expect(None, cs.clone(), None, rd.clone()));
    assert_eq!(
        peers(&p.curator_staking),
        expect(r.clone(), None, ro.clone(), rd.clone())
    );
    assert_eq!(
        peers(ro.as_ref().unwrap()),
        expect(r.clone(), cs.clone(), None, rd.clone())
    );
    assert_eq!(peers(&p.reward_distributor), expect(r, cs, ro, None));
}

/// `set_peers` in every contract: a stranger is refused, so is a role the contract does
/// not call, a message naming no peer, attached funds and a wallet as a peer; none of
/// them changes the peers or moves a coin.
#[test]
fn set_peers_checks_sender_and_roles_in_every_contract() {
    let p = protocol();
    let stranger = addr("stranger");
    let other = addr("other-registry").to_string();
    fund(&p.app, &p.admin, vec![coin(5, DENOM)]);
    macro_rules! check {
        ($proxy:expr, $err:ty, $not_called:ident, $called:ident) => {{
            let c = $proxy;
            let wired = c.peers().unwrap();
            let balances = (
                balance(&p.app, &p.admin, DENOM),
                balance(&p.app, &c.contract_addr, DENOM),
            );
            let called = Peers {
                $called: Some(other.clone()),
                ..Default::default()
            };
            assert_eq!(
                c.set_peers(called.clone()).call(&stranger).unwrap_err(),
                <$err>::from(GovernanceError::NotAdmin {
                    sender: stranger.to_string()
                })
            );
            let not_called = Peers {
                $not_called: Some(other.clone()),
                ..Default::default()
            };
            assert_eq!(
                c.set_peers(not_called).call(&p.admin).unwrap_err(),
                <$err>::from(PeerError::NotAPeer {
                    role: stringify!($not_called)
                })
            );
            assert_eq!(
                c.set_peers(Peers::default()).call(&p.admin).unwrap_err(),
                <$err>::from(PeerError::NoPeers)
            );
            // The admin too: funds attached, or a wallet where a contract belongs.
            assert_eq!(
                c.set_peers(called.clone())
                    .with_funds(&[coin(5, DENOM)])
                    .call(&p.admin)
                    .unwrap_err(),
                <$err>::from(FundsError::Unexpected {
                    sent: vec![coin(5, DENOM)]
                })
            );
            assert_eq!(
                c.set_peers(called.clone()).call(&p.admin).unwrap_err(),
                <$err>::from(PeerError::NotAContract {
                    role: stringify!($called)
                })
            );
            assert_eq!(c.peers().unwrap(), wired, "a refused set_peers changed the peers");
            assert_eq!(
                (
                    balance(&p.app, &p.admin, DENOM),
                    balance(&p.app, &c.contract_addr, DENOM)
                ),
                balances,
                "a refused set_peers moved coins"
            );
        }};
    }
    check!(
        p.registry(),
        attrib_registry::ContractError,
        receipt_oracle,
        reward_pool
    );
    check!(
        p.curator_staking(),
        attrib_curator_staking::ContractError,
        curator_staking,
        reward_pool
    );
    check!(
        p.receipt_oracle(),
        attrib_receipt_oracle::ContractError,
        receipt_oracle,
        reward_pool
    );
    check!(
        p.reward_distributor(),
        attrib_reward_distributor::ContractError,
        reward_pool,
        registry
    );
}
