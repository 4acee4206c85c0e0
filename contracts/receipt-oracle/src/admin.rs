//! Governance (the shared admin and pause implementation) and wiring to the peers.

use attrib_std::wiring::{PeerRole, Peers, PeersResponse, Wiring};
use cosmwasm_std::Response;
use sylvia::ctx::{ExecCtx, QueryCtx};

use crate::error::ContractError;
use crate::state::ReceiptOracleContract;

attrib_std::impl_governance!(ReceiptOracleContract, ContractError);

/// The contracts the oracle calls: the registry for licenses and terms, curator staking
/// for operator bonds and slashing, and the reward pool that royalties are paid to. All
/// three are fixed once the first model is registered.
const PEER_ROLES: &[PeerRole] = &[PeerRole::Registry, PeerRole::CuratorStaking, PeerRole::RewardPool];

impl Wiring for ReceiptOracleContract {
    type Error = ContractError;

    fn set_peers(&self, ctx: ExecCtx, peers: Peers) -> Result<Response, ContractError> {
        attrib_std::funds::expect_none(&ctx.info.funds)?;
        self.gov.assert_admin(ctx.deps.storage, &ctx.info.sender)?;
        let peers = peers.validate::<ContractError>(ctx.deps.api, PEER_ROLES)?;
        peers.check_contracts(&ctx.deps.querier, &ctx.env.contract.address)?;
        let mut c = self.config.load(ctx.deps.storage)?;
        // Models carry escrow, batches and claims that name the current peers (licenses
        // in this registry, operators bonded in this staking contract, royalties owed
        // to this pool): from the first model on, the peers are fixed.
        let in_use = self.next_model.load(ctx.deps.storage)? > 1;
        peers.guard(PeerRole::Registry, Some(&c.registry), in_use)?;
        peers.guard(PeerRole::CuratorStaking, Some(&c.curator_staking), in_use)?;
        peers.guard(PeerRole::RewardPool, Some(&c.reward_pool), in_use)?;
        if let Some(a) = &peers.registry {
            c.registry = a.clone();
        }
        if let Some(a) = &peers.curator_staking {
            c.curator_staking = a.clone();
        }
        if let Some(a) = &peers.reward_pool {
            c.reward_pool = a.clone();
        }
        self.config.save(ctx.deps.storage, &c)?;
        Ok(peers.response())
    }

    fn peers(&self, ctx: QueryCtx) -> Result<PeersResponse, ContractError> {
        let c = self.config.load(ctx.deps.storage)?;
        Ok(PeersResponse {
            registry: Some(c.registry),
            curator_staking: Some(c.curator_staking),
            reward_pool: Some(c.reward_pool),
            ..Default::default()
        })
    }
}
