//! The reward distributor's message surface (sylvia); logic lives in `inflows.rs`,
//! `epochs.rs`, `claims.rs`, `admin.rs` and `queries.rs`. `instantiate`, with many
//! fields, takes them as one struct of `msg.rs`.

use attrib_std::governance::AdminControl;
use attrib_std::ibc::RemoteRecipient;
use attrib_std::interfaces::reward_pool::DenomAcceptedResponse;
use attrib_std::interfaces::reward_pool::RewardPool;
use attrib_std::rewards::{Earmark, InflowReason, PayMsg, PoolReceiveMsg, PositionRef};
use attrib_std::timelock::Timelock;
use cosmwasm_std::{from_json, Binary, Coin, Response, Uint128};
use cw_storage_plus::{Item, Map};
use sylvia::contract;
use sylvia::ctx::{ExecCtx, InstantiateCtx, MigrateCtx, QueryCtx};

use crate::error::ContractError;
use crate::msg::{
    AcceptedDenomsResponse, AccountsResponse, ClaimTransfersResponse, ConfigResponse, ConfigUpdate,
    CreditsResponse, CuratorRewardsResponse, EpochResponse, InstantiateConfig, MetricsResponse,
    PendingChangeResponse, PositionResponse, TreasuryResponse, VersionAccountResponse,
};
pub use crate::state::RewardDistributorContract;
use crate::state::{AcceptedDenom, DistributorChange};

pub const CONTRACT_NAME: &str = concat!("crates.io:", env!("CARGO_PKG_NAME"));
pub const CONTRACT_VERSION: &str = env!("CARGO_PKG_VERSION");

attrib_std::entry_points!(
    RewardDistributorContract,
    ContractError,
    [governance, wiring, reward_pool]
);

#[contract]
#[sv::error(ContractError)]
#[sv::messages(attrib_std::interfaces::governance as Governance)]
#[sv::messages(attrib_std::interfaces::wiring as Wiring)]
#[sv::messages(attrib_std::interfaces::reward_pool as RewardPool)]
impl RewardDistributorContract {
    pub const fn new() -> Self {
        Self {
            gov: AdminControl::new(),
            config: Item::new("config"),
            accepted: Map::new(attrib_std::interfaces::reward_pool::ACCEPTED_DENOMS),
            next_close: Item::new("next_close"),
            settling: Item::new("settling"),
            epochs: Map::new("epochs"),
            epoch_denoms: Map::new("epoch_denoms"),
            epoch_rows: Map::new("epoch_rows"),
            epoch_values: Map::new("epoch_values"),
            versions: Map::new("versions"),
            accumulators: Map::new("accumulators"),
            vesting: Map::new("vesting"),
            positions: Map::new("positions"),
            checkpoints: Map::new("checkpoints"),
            frozen: Map::new("frozen"),
            curator_claims: Map::new("curator_claims"),
            treasury_owed: Map::new("treasury_owed_by"),
            ledgers: Map::new("ledgers"),
            buyers: Map::new("buyers"),
            buyer_totals: Item::new("buyer_totals"),
            claim_transfers: Map::new("claim_transfers"),
            next_claim_transfer: Item::new("next_claim_transfer"),
            credits: Map::new("credits"),
            terms: Map::new("terms"),
            pending_change: Timelock::new("pending_change"),
        }
    }

    /// The epoch clock is curator staking's when it is given (review points are counted
    /// on it), else `clock`. `k` of the emission config may not exceed the take rate.
    #[sv::msg(instantiate)]
    pub fn instantiate(
        &self,
        ctx: InstantiateCtx,
        config: InstantiateConfig,
    ) -> Result<Response, ContractError> {
        self.init(ctx, config)
    }

    /// Checks the stored contract name and version (no downgrades) and records the new one.
    #[sv::msg(migrate)]
    pub fn migrate(&self, ctx: MigrateCtx) -> Result<Response, ContractError> {
        let resp =
            attrib_std::migration::migrate_response(ctx.deps.storage, CONTRACT_NAME, CONTRACT_VERSION)?;
        self.move_legacy_treasury_owed(ctx.deps.storage)?;
        // An epoch closed before the upgrade and still settling books to the treasury of
        // the day, on every page (not to whichever treasury each page meets).
        if let Some(e) = self.settling.may_load(ctx.deps.storage)?.flatten() {
            let mut epoch = self.epochs.load(ctx.deps.storage, e)?;
            if epoch.treasury.is_none() {
                epoch.treasury = Some(self.config.load(ctx.deps.storage)?.treasury);
                self.epochs.save(ctx.deps.storage, e, &epoch)?;
            }
        }
        Ok(resp)
    }

    /// cw20 hook: `pay` the pool or `fund_emissions` with an accepted token.
    #[sv::msg(exec)]
    pub fn receive(
        &self,
        ctx: ExecCtx,
        sender: String,
        amount: Uint128,
        msg: Binary,
    ) -> Result<Response, ContractError> {
        let denom = attrib_std::funds::cw20_denom(&ctx.info.sender);
        if !self.known_token(ctx.deps.as_ref(), &denom)? {
            return Err(ContractError::UnknownToken {
                sender: ctx.info.sender.to_string(),
            });
        }
        let sender = ctx.deps.api.addr_validate(&sender)?;
        let coin = Coin::new(amount, denom);
        match from_json::<PoolReceiveMsg>(&msg)? {
            PoolReceiveMsg::Pay(pay) => self.do_pay(ctx.deps, &ctx.env, &sender, coin, pay),
            PoolReceiveMsg::FundEmissions {} => self.do_fund_emissions(ctx.deps.storage, &sender, coin),
        }
    }

    /// Add native emission tokens to the emission reserve.
    #[sv::msg(exec)]
    pub fn fund_emissions(&self, ctx: ExecCtx) -> Result<Response, ContractError> {
        let coin = match ctx.info.funds.as_slice() {
            [c] => c.clone(),
            other => return Err(ContractError::OneCoin { count: other.len() }),
        };
        self.do_fund_emissions(ctx.deps.storage, &ctx.info.sender, coin)
    }

    /// Admin: send unminted emission tokens back to the treasury.
    #[sv::msg(exec)]
    pub fn withdraw_emission_reserve(
        &self,
        ctx: ExecCtx,
        amount: Uint128,
    ) -> Result<Response, ContractError> {
        attrib_std::funds::expect_none(&ctx.info.funds)?;
        self.do_withdraw_emission_reserve(ctx.deps.storage, &ctx.info.sender, amount)
    }

    /// Anyone: close the oldest due epoch (mint capped emission, snapshot metrics and the
    /// take rates; O(1) in its denoms), or skip a run of epochs that saw no inflow.
    #[sv::msg(exec)]
    pub fn close_epoch(&self, ctx: ExecCtx) -> Result<Response, ContractError> {
        attrib_std::funds::expect_none(&ctx.info.funds)?;
        self.do_close_epoch(ctx.deps, &ctx.env)
    }

    /// Anyone: do up to `limit` (1-100) items of the epoch being settled (a denom's fee
    /// split, a version's allocation, a denom's final booking); the call that runs out
    /// of work finishes the epoch.
    #[sv::msg(exec)]
    pub fn settle_epoch(&self, ctx: ExecCtx, limit: u32) -> Result<Response, ContractError> {
        attrib_std::funds::expect_none(&ctx.info.funds)?;
        self.do_settle_epoch(ctx.deps, &ctx.env, limit)
    }

    /// A contributor claims the vested rewards of its positions (tranche in version).
    #[sv::msg(exec)]
    /// `to_chain`: paid by ICS-20 to an address on another chain instead (native and IBC
    /// denoms; cw20 tokens cannot cross and are paid here); what fails or times out is
    /// credited back (`claim_credits`).
    pub fn claim_rewards(
        &self,
        ctx: ExecCtx,
        positions: Vec<PositionRef>,
        to_chain: Option<RemoteRecipient>,
    ) -> Result<Response, ContractError> {
        self.do_claim_rewards(ctx.deps, &ctx.env, &ctx.info, positions, to_chain)
    }

    /// A curator claims its share of the curator pools of settled, vested epochs
    /// (`to_chain` as for `claim_rewards`).
    #[sv::msg(exec)]
    pub fn claim_curator_rewards(
        &self,
        ctx: ExecCtx,
        epochs: Vec<u64>,
        to_chain: Option<RemoteRecipient>,
    ) -> Result<Response, ContractError> {
        self.do_claim_curator_rewards(ctx.deps, &ctx.env, &ctx.info, epochs, to_chain)
    }

    /// The treasury claims everything owed to it (`to_chain` as for `claim_rewards`).
    #[sv::msg(exec)]
    pub fn claim_treasury(
        &self,
        ctx: ExecCtx,
        to_chain: Option<RemoteRecipient>,
    ) -> Result<Response, ContractError> {
        self.do_claim_treasury(ctx.deps, &ctx.env, &ctx.info, to_chain)
    }

    /// Claim what came back from failed or timed-out remote claims, here or again to
    /// another chain.
    #[sv::msg(exec)]
    pub fn claim_credits(
        &self,
        ctx: ExecCtx,
        to_chain: Option<RemoteRecipient>,
    ) -> Result<Response, ContractError> {
        self.do_claim_credits(ctx.deps, &ctx.env, &ctx.info, to_chain)
    }

    /// Admin only (allowed while paused).
    #[sv::msg(exec)]
    pub fn update_config(&self, ctx: ExecCtx, update: ConfigUpdate) -> Result<Response, ContractError> {
        self.do_update_config(ctx, update)
    }

    /// Admin: announce a new treasury or moved peers; it applies `change_delay_secs` later
    /// (event `attrib_change_announced` with `effective_at`).
    #[sv::msg(exec)]
    pub fn announce_change(
        &self,
        ctx: ExecCtx,
        change: DistributorChange,
    ) -> Result<Response, ContractError> {
        self.do_announce_change(ctx, change)
    }

    /// Anyone: apply the announced change once its time has come.
    #[sv::msg(exec)]
    pub fn apply_change(&self, ctx: ExecCtx) -> Result<Response, ContractError> {
        self.do_apply_change(ctx)
    }

    /// Admin: drop the announced change.
    #[sv::msg(exec)]
    pub fn cancel_change(&self, ctx: ExecCtx) -> Result<Response, ContractError> {
        attrib_std::funds::expect_none(&ctx.info.funds)?;
        self.gov.assert_admin(ctx.deps.storage, &ctx.info.sender)?;
        Ok(self.pending_change.cancel(ctx.deps.storage)?)
    }

    /// The announced change, if any, and when it applies.
    #[sv::msg(query)]
    pub fn pending_change(&self, ctx: QueryCtx) -> Result<PendingChangeResponse, ContractError> {
        Ok(PendingChangeResponse {
            pending: self.pending_change.pending(ctx.deps.storage)?,
        })
    }

    /// Admin only: allow `denom` with a minimum and value weight, or remove it (`None`).
    #[sv::msg(exec)]
    pub fn set_accepted_denom(
        &self,
        ctx: ExecCtx,
        denom: String,
        accepted: Option<AcceptedDenom>,
    ) -> Result<Response, ContractError> {
        self.do_set_accepted_denom(ctx, denom, accepted)
    }

    #[sv::msg(query)]
    pub fn config(&self, ctx: QueryCtx) -> Result<ConfigResponse, ContractError> {
        self.query_config(ctx)
    }

    #[sv::msg(query)]
    pub fn accepted_denoms(&self, ctx: QueryCtx) -> Result<AcceptedDenomsResponse, ContractError> {
        self.query_accepted_denoms(ctx)
    }

    /// An epoch's record and per-denom inflows and splits.
    #[sv::msg(query)]
    pub fn epoch(&self, ctx: QueryCtx, epoch: u64) -> Result<EpochResponse, ContractError> {
        self.query_epoch(ctx, epoch)
    }

    /// What a tranche's position in a version can claim now and what is still vesting.
    #[sv::msg(query)]
    pub fn position(
        &self,
        ctx: QueryCtx,
        dataset_id: u64,
        version: u32,
        tranche_id: u64,
    ) -> Result<PositionResponse, ContractError> {
        self.query_position(ctx, dataset_id, version, tranche_id)
    }

    #[sv::msg(query)]
    pub fn curator_rewards(
        &self,
        ctx: QueryCtx,
        epoch: u64,
        curator: String,
    ) -> Result<CuratorRewardsResponse, ContractError> {
        self.query_curator_rewards(ctx, epoch, curator)
    }

    /// What is owed to the treasury (`address`: a former treasury instead; at most 64
    /// entries, as many as 32 denoms give).
    #[sv::msg(query)]
    pub fn treasury(
        &self,
        ctx: QueryCtx,
        address: Option<String>,
    ) -> Result<TreasuryResponse, ContractError> {
        self.query_treasury(ctx, address)
    }

    /// What came back from `owner`'s remote claims and can be claimed again.
    #[sv::msg(query)]
    pub fn credits(&self, ctx: QueryCtx, owner: String) -> Result<CreditsResponse, ContractError> {
        self.query_credits(ctx, owner)
    }

    /// Remote claims awaiting their acknowledgement or timeout, oldest first.
    #[sv::msg(query)]
    pub fn claim_transfers(
        &self,
        ctx: QueryCtx,
        start_after: Option<u64>,
        limit: Option<u32>,
    ) -> Result<ClaimTransfersResponse, ContractError> {
        self.query_claim_transfers(ctx, start_after, limit)
    }

    /// Per denom: every unit received and where it is now (the conservation ledger).
    #[sv::msg(query)]
    pub fn accounts(&self, ctx: QueryCtx) -> Result<AccountsResponse, ContractError> {
        self.query_accounts(ctx)
    }

    #[sv::msg(query)]
    pub fn version_account(
        &self,
        ctx: QueryCtx,
        dataset_id: u64,
        version: u32,
    ) -> Result<VersionAccountResponse, ContractError> {
        self.query_version_account(ctx, dataset_id, version)
    }

    /// SPEC §8 metrics for epochs `from..=to` (at most 100).
    #[sv::msg(query)]
    pub fn metrics(&self, ctx: QueryCtx, from: u64, to: u64) -> Result<MetricsResponse, ContractError> {
        self.query_metrics(ctx, from, to)
    }
}

attrib_std::impl_governance!(RewardDistributorContract, ContractError);

impl RewardPool for RewardDistributorContract {
    type Error = ContractError;

    fn pay(
        &self,
        ctx: ExecCtx,
        earmarks: Vec<Earmark>,
        reason: InflowReason,
        payer: Option<String>,
    ) -> Result<Response, ContractError> {
        let coin = match ctx.info.funds.as_slice() {
            [c] => c.clone(),
            other => return Err(ContractError::OneCoin { count: other.len() }),
        };
        let sender = ctx.info.sender.clone();
        self.do_pay(
            ctx.deps,
            &ctx.env,
            &sender,
            coin,
            PayMsg {
                earmarks,
                reason,
                payer,
            },
        )
    }

    fn denom_accepted(&self, ctx: QueryCtx, denom: String) -> Result<DenomAcceptedResponse, ContractError> {
        let min_amount = self
            .accepted
            .may_load(ctx.deps.storage, &denom)?
            .map(|a| a.min_amount);
        Ok(DenomAcceptedResponse { denom, min_amount })
    }

    fn record_revocation(
        &self,
        ctx: ExecCtx,
        tranche_id: u64,
        dataset_id: u64,
        contributor: String,
        weight: Uint128,
        versions: Vec<u32>,
    ) -> Result<Response, ContractError> {
        let revocation = crate::claims::Revocation {
            tranche_id,
            dataset_id,
            contributor,
            weight,
            versions,
        };
        self.do_record_revocation(ctx.deps, &ctx.env, &ctx.info, revocation)
    }
}

impl Default for RewardDistributorContract {
    fn default() -> Self {
        Self::new()
    }
}
