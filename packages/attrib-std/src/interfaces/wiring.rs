//! One message, the same in every Attrib contract, points a contract at its peers.
//!
//! A deployment instantiates the contracts one by one, but they call each other in a
//! cycle (the registry pays the reward distributor, which reads the registry), so every
//! deployment ends by wiring: `set_peers` on each contract, with the roles that contract
//! calls. [`plan`] lists those messages for a whole deployment; the CLI's
//! `attrib deploy` and the test protocol builder both send exactly that list.

use cosmwasm_schema::cw_serde;
use cosmwasm_std::{Addr, Api, QuerierWrapper, Response, StdError};
use sylvia::ctx::{ExecCtx, QueryCtx};
use sylvia::interface;

use crate::events::{self, action};
use crate::funds::FundsError;
use crate::governance::{AdminControl, GovernanceError};

/// The protocol's contracts by role. In `set_peers`, a role left out keeps its address;
/// a field that names no role is refused (a misspelt role must not be a silent no-op).
#[cw_serde]
#[derive(Default)]
#[serde(deny_unknown_fields)]
pub struct Peers {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registry: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub curator_staking: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receipt_oracle: Option<String>,
    /// The reward distributor, which every fee and royalty is paid to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reward_pool: Option<String>,
}

/// A contract's peers as it uses them now; a role it does not call, or has not been
/// given yet, is `None`.
#[cw_serde]
#[derive(Default)]
pub struct PeersResponse {
    pub registry: Option<Addr>,
    pub curator_staking: Option<Addr>,
    pub receipt_oracle: Option<Addr>,
    pub reward_pool: Option<Addr>,
}

/// The roles of [`Peers`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PeerRole {
    Registry = 0,
    CuratorStaking = 1,
    ReceiptOracle = 2,
    RewardPool = 3,
}

impl PeerRole {
    pub const fn as_str(self) -> &'static str {
        match self {
            PeerRole::Registry => "registry",
            PeerRole::CuratorStaking => "curator_staking",
            PeerRole::ReceiptOracle => "receipt_oracle",
            PeerRole::RewardPool => "reward_pool",
        }
    }
}

#[derive(thiserror::Error, Debug, PartialEq)]
pub enum PeerError {
    /// The contract does not call a contract of this role: setting one would be a
    /// wiring mistake that nothing else would reveal.
    #[error("this contract has no {role} peer")]
    NotAPeer { role: &'static str },
    #[error("set_peers names no peer")]
    NoPeers,
    /// Records of this contract refer to the current peer (reviews, models, batches):
    /// moving it would strand them, so the role is fixed from then on.
    #[error("the {role} peer is in use and cannot change")]
    InUse { role: &'static str },
    #[error("the {role} peer must be a contract")]
    NotAContract { role: &'static str },
    #[error("a contract cannot be its own {role} peer")]
    IsSelf { role: &'static str },
}

/// [`Peers`] with every address checked.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct ValidPeers {
    pub registry: Option<Addr>,
    pub curator_staking: Option<Addr>,
    pub receipt_oracle: Option<Addr>,
    pub reward_pool: Option<Addr>,
}

impl Peers {
    /// What every `set_peers` checks before it stores anything: no funds, the admin as
    /// sender, only roles the contract `calls` (valid addresses), and each a contract
    /// other than this one.
    pub fn authorize<E>(self, ctx: &ExecCtx, gov: &AdminControl, calls: &[PeerRole]) -> Result<ValidPeers, E>
    where
        E: From<StdError> + From<PeerError> + From<FundsError> + From<GovernanceError>,
    {
        crate::funds::expect_none(&ctx.info.funds)?;
        gov.assert_admin(ctx.deps.storage, &ctx.info.sender)?;
        let peers = self.validate::<E>(ctx.deps.api, calls)?;
        peers.check_contracts(&ctx.deps.querier, &ctx.env.contract.address)?;
        Ok(peers)
    }

    fn entries(&self) -> [(PeerRole, &Option<String>); 4] {
        [
            (PeerRole::Registry, &self.registry),
            (PeerRole::CuratorStaking, &self.curator_staking),
            (PeerRole::ReceiptOracle, &self.receipt_oracle),
            (PeerRole::RewardPool, &self.reward_pool),
        ]
    }

    /// Checks every address given (an invalid one is the usual `StdError`) and that each
    /// role given is one of `calls`, the roles the contract uses.
    pub fn validate<E: From<StdError> + From<PeerError>>(
        &self,
        api: &dyn Api,
        calls: &[PeerRole],
    ) -> Result<ValidPeers, E> {
        let mut out = ValidPeers::default();
        for (role, given) in self.entries() {
            let Some(address) = given else { continue };
            if !calls.contains(&role) {
                return Err(PeerError::NotAPeer { role: role.as_str() }.into());
            }
            let addr = Some(api.addr_validate(address)?);
            match role {
                PeerRole::Registry => out.registry = addr,
                PeerRole::CuratorStaking => out.curator_staking = addr,
                PeerRole::ReceiptOracle => out.receipt_oracle = addr,
                PeerRole::RewardPool => out.reward_pool = addr,
            }
        }
        if out == ValidPeers::default() {
            return Err(PeerError::NoPeers.into());
        }
        Ok(out)
    }
}

impl ValidPeers {
    fn entries(&self) -> [(PeerRole, &Option<Addr>); 4] {
        [
            (PeerRole::Registry, &self.registry),
            (PeerRole::CuratorStaking, &self.curator_staking),
            (PeerRole::ReceiptOracle, &self.receipt_oracle),
            (PeerRole::RewardPool, &self.reward_pool),
        ]
    }

    /// Every peer given is a contract other than `this` (a wallet or the contract itself
    /// would make every call to the role fail, or give a wallet a contract's rights).
    pub fn check_contracts(&self, querier: &QuerierWrapper, this: &Addr) -> Result<(), PeerError> {
        for (role, addr) in self.entries() {
            let Some(addr) = addr else { continue };
            if addr == this {
                return Err(PeerError::IsSelf { role: role.as_str() });
            }
            if querier.query_wasm_contract_info(addr).is_err() {
                return Err(PeerError::NotAContract { role: role.as_str() });
            }
        }
        Ok(())
    }

    /// Refuses to move `role` away from `current` once `in_use`; naming the same address
    /// again is always allowed, so a deployment's wiring can be sent twice.
    pub fn guard(&self, role: PeerRole, current: Option<&Addr>, in_use: bool) -> Result<(), PeerError> {
        let given = self.entries()[role as usize].1.as_ref();
        match given {
            Some(new) if in_use && current.is_some_and(|c| c != new) => {
                Err(PeerError::InUse { role: role.as_str() })
            }
            _ => Ok(()),
        }
    }

    /// Whether `set_peers` may store these peers at once: only where the role has no
    /// address yet (a deployment's wiring) or keeps the one it has. Moving a role that is
    /// set changes whom the contract trusts or pays, so it is announced first and applied
    /// after the contract's change delay ([`crate::timelock`]).
    pub fn check_immediate(&self, current: &PeersResponse) -> Result<(), crate::timelock::TimelockError> {
        let now = [
            &current.registry,
            &current.curator_staking,
            &current.receipt_oracle,
            &current.reward_pool,
        ];
        for ((role, given), set) in self.entries().into_iter().zip(now) {
            if let (Some(new), Some(old)) = (given, set) {
                if new != old {
                    return Err(crate::timelock::TimelockError::AnnounceFirst { what: role.as_str() });
                }
            }
        }
        Ok(())
    }

    /// `action = set_peers` and one `attrib_peers_set` event naming each role set.
    pub fn response(&self) -> Response {
        let mut event = cosmwasm_std::Event::new(events::PEERS_SET);
        for (role, addr) in self.entries() {
            if let Some(a) = addr {
                event = event.add_attribute(role.as_str(), a.as_str());
            }
        }
        events::response(action::SET_PEERS).add_event(event)
    }
}

#[interface]
pub trait Wiring {
    type Error: From<StdError>;

    /// Admin only: point this contract at its peers. Roles left out keep their address;
    /// a role this contract does not call is refused ([`PeerError::NotAPeer`]).
    #[sv::msg(exec)]
    fn set_peers(&self, ctx: ExecCtx, peers: Peers) -> Result<Response, Self::Error>;

    /// The peers this contract calls now.
    #[sv::msg(query)]
    fn peers(&self, ctx: QueryCtx) -> Result<PeersResponse, Self::Error>;
}

/// The contracts of one deployment.
#[derive(Clone, Debug, PartialEq)]
pub struct Protocol {
    pub registry: String,
    pub curator_staking: String,
    pub receipt_oracle: String,
    pub reward_distributor: String,
}

/// One message of [`plan`]: send `msg` (`set_peers`) to `contract`, without funds, as the
/// admin.
#[derive(Clone, Debug, PartialEq)]
pub struct WireStep {
    pub contract: String,
    pub msg: sv::ExecMsg,
    /// What the step does, for logs.
    pub what: &'static str,
}

/// Every message that wires a deployment, in order. Each is idempotent, so the plan can
/// be sent again, and a contract instantiated with some peers already is wired the
/// same way as one given none. (Curator staking lets its receipt oracle peer slash.)
pub fn plan(p: &Protocol) -> Vec<WireStep> {
    let peers = |registry: bool, staking: bool, oracle: bool, pool: bool| {
        let pick = |on: bool, a: &String| on.then(|| a.clone());
        sv::ExecMsg::SetPeers {
            peers: Peers {
                registry: pick(registry, &p.registry),
                curator_staking: pick(staking, &p.curator_staking),
                receipt_oracle: pick(oracle, &p.receipt_oracle),
                reward_pool: pick(pool, &p.reward_distributor),
            },
        }
    };
    let step = |contract: &String, msg, what| WireStep {
        contract: contract.clone(),
        msg,
        what,
    };
    vec![
        step(
            &p.registry,
            peers(false, true, false, true),
            "registry: reviews by curator staking, fees to the reward pool",
        ),
        step(
            &p.curator_staking,
            peers(true, false, true, true),
            "curator staking: the registry it reviews for, the oracle (omission claims, slashing operators), slashes to the pool",
        ),
        step(
            &p.receipt_oracle,
            peers(true, true, false, true),
            "receipt oracle: licenses from the registry, bonds in curator staking, royalties to the pool",
        ),
        step(
            &p.reward_distributor,
            peers(true, true, true, false),
            "reward distributor: weights from the registry, points from curator staking, usage from the oracle",
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use cosmwasm_std::testing::MockApi;

    #[derive(Debug, PartialEq)]
    enum TestError {
        Std,
        Peer(PeerError),
    }
    impl From<StdError> for TestError {
        fn from(_: StdError) -> Self {
            TestError::Std
        }
    }
    impl From<PeerError> for TestError {
        fn from(e: PeerError) -> Self {
            TestError::Peer(e)
        }
    }

    #[test]
    fn validate_checks_roles_and_addresses() {
        let api = MockApi::default();
        let validate = |p: &Peers, calls: &[PeerRole]| p.validate::<TestError>(&api, calls);
        let a = api.addr_make("a");
        let peers = Peers {
            reward_pool: Some(a.to_string()),
            ..Default::default()
        };
        let v = validate(&peers, &[PeerRole::RewardPool]).unwrap();
        assert_eq!(v.reward_pool, Some(a.clone()));
        assert_eq!(
            validate(&peers, &[PeerRole::Registry]),
            Err(TestError::Peer(PeerError::NotAPeer { role: "reward_pool" }))
        );
        assert_eq!(
            validate(&Peers::default(), &[PeerRole::Registry]),
            Err(TestError::Peer(PeerError::NoPeers))
        );
        let bad = Peers {
            registry: Some("not an address".into()),
            ..Default::default()
        };
        assert_eq!(validate(&bad, &[PeerRole::Registry]), Err(TestError::Std));
        let r = v.response();
        assert_eq!(r.attributes[0].value, "set_peers");
        assert_eq!(r.events[0].ty, "attrib_peers_set");
        assert_eq!(r.events[0].attributes[0].key, "reward_pool");
        assert_eq!(r.events[0].attributes[0].value, a.as_str());
    }

    #[test]
    fn plan_wires_every_contract_to_the_roles_it_calls() {
        let p = Protocol {
            registry: "reg".into(),
            curator_staking: "cs".into(),
            receipt_oracle: "ro".into(),
            reward_distributor: "rd".into(),
        };
        let steps = plan(&p);
        let json: Vec<_> = steps
            .iter()
            .map(|s| (s.contract.as_str(), cosmwasm_std::to_json_string(&s.msg).unwrap()))
            .collect();
        assert_eq!(
            json,
            vec![
                ("reg", r#"{"set_peers":{"peers":{"curator_staking":"cs","reward_pool":"rd"}}}"#.to_string()),
                ("cs", r#"{"set_peers":{"peers":{"registry":"reg","receipt_oracle":"ro","reward_pool":"rd"}}}"#.to_string()),
                ("ro", r#"{"set_peers":{"peers":{"registry":"reg","curator_staking":"cs","reward_pool":"rd"}}}"#.to_string()),
                ("rd", r#"{"set_peers":{"peers":{"registry":"reg","curator_staking":"cs","receipt_oracle":"ro"}}}"#.to_string()),
            ]
        );
    }

    #[test]
    fn a_role_in_use_keeps_its_address() {
        let api = MockApi::default();
        let (old, new) = (api.addr_make("old"), api.addr_make("new"));
        let set = |a: &Addr| ValidPeers {
            registry: Some(a.clone()),
            ..Default::default()
        };
        assert_eq!(
            set(&new).guard(PeerRole::Registry, Some(&old), true),
            Err(PeerError::InUse { role: "registry" })
        );
        // The same address again, a role not given, a role never set or not yet in use.
        assert_eq!(set(&old).guard(PeerRole::Registry, Some(&old), true), Ok(()));
        assert_eq!(set(&new).guard(PeerRole::RewardPool, Some(&old), true), Ok(()));
        assert_eq!(set(&new).guard(PeerRole::Registry, None, true), Ok(()));
        assert_eq!(set(&new).guard(PeerRole::Registry, Some(&old), false), Ok(()));
    }

    #[test]
    fn a_misspelt_role_is_refused() {
        let err = cosmwasm_std::from_json::<Peers>(r#"{"registry":"r","reward_distributor":"d"}"#);
        assert!(err.unwrap_err().to_string().contains("unknown field"));
    }

    #[test]
    fn roles_left_out_are_not_serialized() {
        let p = Peers {
            registry: Some("r".into()),
            ..Default::default()
        };
        assert_eq!(cosmwasm_std::to_json_string(&p).unwrap(), r#"{"registry":"r"}"#);
    }
}
