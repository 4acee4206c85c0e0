//! Curator staking's message surface (sylvia). Methods delegate to the module of their
//! concern: `staking.rs`, `review.rs`, `disputes.rs`, `slashing.rs`, `queries.rs`.
//! `instantiate`, with many fields, takes them as one struct of `msg.rs`.

use attrib_std::curation::Vote;
use attrib_std::governance::AdminControl;
use attrib_std::registry::TrancheId;
use cosmwasm_std::{Binary, HexBinary, Response, Uint128};
use cw_storage_plus::{Item, Map};
use sylvia::contract;
use sylvia::ctx::{ExecCtx, InstantiateCtx, MigrateCtx, QueryCtx};

use crate::error::ContractError;
use crate::msg::{
    ConfigResponse, EpochPointsResponse, InstantiateConfig, Params, PayoutResponse, PendingChangeResponse,
    ReviewResponse, StakerResponse, StakersResponse, StakingChange, TotalsResponse,
};
pub use crate::state::CuratorStakingContract;
use crate::state::Role;
use attrib_std::timelock::Timelock;

pub const CONTRACT_NAME: &str = concat!("crates.io:", env!("CARGO_PKG_NAME"));
pub const CONTRACT_VERSION: &str = env!("CARGO_PKG_VERSION");

attrib_std::entry_points!(
    CuratorStakingContract,
    ContractError,
    [
        governance,
        wiring,
        review_service,
        slashing_service,
        points_source
    ]
);

#[contract]
#[sv::error(ContractError)]
#[sv::messages(attrib_std::interfaces::governance as Governance)]
#[sv::messages(attrib_std::interfaces::wiring as Wiring)]
#[sv::messages(attrib_std::interfaces::review_service as ReviewService)]
#[sv::messages(attrib_std::interfaces::slashing_service as SlashingService)]
#[sv::messages(attrib_std::interfaces::points_source as PointsSource)]
impl CuratorStakingContract {
    pub const fn new() -> Self {
        Self {
            gov: AdminControl::new(),
            config: Item::new("config"),
            totals: Item::new("totals"),
            entropy: Item::new("entropy"),
            stakers: Map::new("stakers"),
            staker_count: Item::new("staker_count"),
            pause_clock: Item::new("pause_clock"),
            slashers: Map::new("slashers"),
            slasher_since: Map::new("slasher_since"),
            next_review: Item::new("next_review"),
            reviews: Map::new("reviews"),
            open_by_tranche: Map::new("open_by_tranche"),
            accepted_by: Map::new("accepted_by"),
            points: Map::new("points"),
            epoch_points: Map::new("epoch_points"),
            payouts: Map::new("payouts"),
            disputes: Item::new("disputes"),
            open_omissions: Map::new("open_omissions"),
            pending_change: Timelock::new("pending_change"),
            entropy_commits: Map::new("entropy_commits"),
            entropy_reveals: Map::new("entropy_reveals"),
            locks: Map::new("locks"),
            stake_history: Map::new("stake_history"),
            curator_departures: Map::new("curator_departures"),
        }
    }

    /// `stake_denom` (native) or `stake_cw20` (token contract): exactly one, fixed forever.
    #[sv::msg(instantiate)]
    pub fn instantiate(
        &self,
        ctx: InstantiateCtx,
        config: InstantiateConfig,
    ) -> Result<Response, ContractError> {
        self.init(ctx, config)
    }

    #[sv::msg(migrate)]
    pub fn migrate(&self, ctx: MigrateCtx) -> Result<Response, ContractError> {
        self.do_migrate(ctx)
    }

    /// Admin: replace the tunable parameters (the stake asset and addresses stay).
    #[sv::msg(exec)]
    pub fn update_params(&self, ctx: ExecCtx, params: Params) -> Result<Response, ContractError> {
        self.do_update_params(ctx, params)
    }

    /// Admin: disallow a slasher at once. Allowing one (`allowed: true`) is refused: a new
    /// slasher is announced with `announce_change` and applies after the change delay.
    #[sv::msg(exec)]
    pub fn set_slasher(
        &self,
        ctx: ExecCtx,
        address: String,
        allowed: bool,
    ) -> Result<Response, ContractError> {
        self.do_set_slasher(ctx, address, allowed)
    }

    /// Admin: announce a change of who may slash or where slashed stake goes; it applies
    /// `change_delay_secs` later (event `attrib_change_announced` with `effective_at`).
    #[sv::msg(exec)]
    pub fn announce_change(&self, ctx: ExecCtx, change: StakingChange) -> Result<Response, ContractError> {
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
        self.do_cancel_change(ctx)
    }

    /// The announced change, if any, and when it applies.
    #[sv::msg(query)]
    pub fn pending_change(&self, ctx: QueryCtx) -> Result<PendingChangeResponse, ContractError> {
        Ok(PendingChangeResponse {
            pending: self.pending_change.pending(ctx.deps.storage)?,
        })
    }

    /// Stake the native stake denom (attached) as a curator or a metering operator.
    #[sv::msg(exec)]
    pub fn stake(&self, ctx: ExecCtx, role: Role) -> Result<Response, ContractError> {
        self.do_stake_native(ctx, role)
    }

    /// cw20 hook: `send` the stake token with `ReceiveMsg::Stake` or `::Challenge`.
    #[sv::msg(exec)]
    pub fn receive(
        &self,
        ctx: ExecCtx,
        sender: String,
        amount: Uint128,
        msg: Binary,
    ) -> Result<Response, ContractError> {
        self.do_receive(ctx, sender, amount, msg)
    }

    /// Start unbonding `amount`; it stays slashable until released.
    #[sv::msg(exec)]
    pub fn unstake(&self, ctx: ExecCtx, amount: Uint128) -> Result<Response, ContractError> {
        self.do_unstake(ctx, amount)
    }

    /// Release every unbonding entry whose period is over.
    #[sv::msg(exec)]
    pub fn claim_unbonded(&self, ctx: ExecCtx) -> Result<Response, ContractError> {
        self.do_claim_unbonded(ctx)
    }

    /// Withdraw what you are owed: dispute bonds won, challenger rewards.
    #[sv::msg(exec)]
    pub fn withdraw_payout(&self, ctx: ExecCtx) -> Result<Response, ContractError> {
        self.do_withdraw_payout(ctx)
    }

    /// Challenge a tranche with the native bond attached: a pending optimistic tranche
    /// goes to review, an accepted one (inside the dispute window) to a dispute committee.
    #[sv::msg(exec)]
    pub fn challenge(
        &self,
        ctx: ExecCtx,
        tranche_id: TrancheId,
        evidence_hash: HexBinary,
        evidence_uri: String,
    ) -> Result<Response, ContractError> {
        self.do_challenge_native(ctx, tranche_id, evidence_hash, evidence_uri)
    }

    /// Claim, with the native bond attached, that a model emitted a canary of a dataset it
    /// does not declare: the preimage is checked against the dataset's commitment by the
    /// oracle, then a committee decides (`Accept` upholds the claim).
    #[sv::msg(exec)]
    pub fn challenge_omission(
        &self,
        ctx: ExecCtx,
        model_id: u64,
        dataset_id: u64,
        version: u32,
        canary_preimage: HexBinary,
        evidence_uri: String,
    ) -> Result<Response, ContractError> {
        self.do_challenge_omission_native(ctx, model_id, dataset_id, version, canary_preimage, evidence_uri)
    }

    /// Committee member: commit `sha256` of (review, voter, vote, salt) —
    /// `attrib_std::curation::vote_commitment`.
    #[sv::msg(exec)]
    pub fn commit_vote(
        &self,
        ctx: ExecCtx,
        review_id: u64,
        commitment: HexBinary,
    ) -> Result<Response, ContractError> {
        self.do_commit(ctx, review_id, commitment)
    }

    /// Committee member: reveal the committed vote and salt after the commit phase.
    #[sv::msg(exec)]
    pub fn reveal_vote(
        &self,
        ctx: ExecCtx,
        review_id: u64,
        vote: Vote,
        salt: HexBinary,
    ) -> Result<Response, ContractError> {
        self.do_reveal(ctx, review_id, vote, salt)
    }

    /// Curator: commit `sha256` of (curator, salt) — `attrib_std::curation::entropy_commitment`
    /// — to feed committee draws requested from the next block on. One at a time.
    #[sv::msg(exec)]
    pub fn commit_entropy(&self, ctx: ExecCtx, commitment: HexBinary) -> Result<Response, ContractError> {
        self.do_commit_entropy(ctx, commitment)
    }

    /// Reveal the committed entropy salt (in a later block than the commitment): it seeds
    /// every draw requested while it was outstanding.
    #[sv::msg(exec)]
    pub fn reveal_entropy(&self, ctx: ExecCtx, salt: HexBinary) -> Result<Response, ContractError> {
        self.do_reveal_entropy(ctx, salt)
    }

    /// Anyone: draw the committee of a `Drawing` review once enough entropy committed
    /// before its request was revealed after it; the admin alone, after
    /// `draw_timeout_secs` without it, draws from block data.
    #[sv::msg(exec)]
    pub fn draw_committee(&self, ctx: ExecCtx, review_id: u64) -> Result<Response, ContractError> {
        self.do_draw_committee(ctx, review_id)
    }

    /// Anyone, after the reveal phase (or once all members revealed): count, slash
    /// non-revealers, award points, route bonds, and report the outcome to the registry.
    #[sv::msg(exec)]
    pub fn finalize_review(&self, ctx: ExecCtx, review_id: u64) -> Result<Response, ContractError> {
        self.do_finalize(ctx, review_id)
    }

    /// Admin, the last appeal: decide a dispute (open or stalled) or a stalled review.
    #[sv::msg(exec)]
    pub fn admin_resolve(
        &self,
        ctx: ExecCtx,
        review_id: u64,
        outcome: Vote,
    ) -> Result<Response, ContractError> {
        self.do_admin_resolve(ctx, review_id, outcome)
    }

    #[sv::msg(query)]
    pub fn config(&self, ctx: QueryCtx) -> Result<ConfigResponse, ContractError> {
        Ok(ConfigResponse {
            config: self.config.load(ctx.deps.storage)?,
        })
    }

    #[sv::msg(query)]
    pub fn staker(&self, ctx: QueryCtx, address: String) -> Result<StakerResponse, ContractError> {
        self.query_staker(ctx, address)
    }

    #[sv::msg(query)]
    pub fn stakers(
        &self,
        ctx: QueryCtx,
        start_after: Option<String>,
        limit: Option<u32>,
    ) -> Result<StakersResponse, ContractError> {
        self.query_stakers(ctx, start_after, limit)
    }

    /// A review with its committee, each member's draw weight and ticket, and votes once revealed.
    #[sv::msg(query)]
    pub fn review(&self, ctx: QueryCtx, review_id: u64) -> Result<ReviewResponse, ContractError> {
        Ok(ReviewResponse {
            review: self.load_review(ctx.deps.storage, review_id)?,
        })
    }

    /// The open review of a tranche, if any.
    #[sv::msg(query)]
    pub fn open_review_of(
        &self,
        ctx: QueryCtx,
        tranche_id: TrancheId,
    ) -> Result<crate::msg::OpenReviewResponse, ContractError> {
        Ok(crate::msg::OpenReviewResponse {
            review_id: self.open_by_tranche.may_load(ctx.deps.storage, tranche_id)?,
        })
    }

    /// `address`'s outstanding entropy commitment.
    #[sv::msg(query)]
    pub fn entropy(
        &self,
        ctx: QueryCtx,
        address: String,
    ) -> Result<crate::msg::EntropyResponse, ContractError> {
        let address = ctx.deps.api.addr_validate(&address)?;
        Ok(crate::msg::EntropyResponse {
            commit: self.entropy_commits.may_load(ctx.deps.storage, &address)?,
        })
    }

    /// Where the draw of a `Drawing` review stands: the salts that count so far, the
    /// curators whose commitment from before the request is still unrevealed, and when
    /// the admin's fallback opens.
    #[sv::msg(query)]
    pub fn draw_status(
        &self,
        ctx: QueryCtx,
        review_id: u64,
    ) -> Result<crate::msg::DrawStatusResponse, ContractError> {
        self.query_draw_status(ctx.deps.storage, &ctx.env, review_id)
    }

    #[sv::msg(query)]
    pub fn epoch_points(
        &self,
        ctx: QueryCtx,
        epoch: u64,
        start_after: Option<String>,
        limit: Option<u32>,
    ) -> Result<EpochPointsResponse, ContractError> {
        self.query_epoch_points(ctx, epoch, start_after, limit)
    }

    #[sv::msg(query)]
    pub fn totals(&self, ctx: QueryCtx) -> Result<TotalsResponse, ContractError> {
        self.query_totals(ctx)
    }

    #[sv::msg(query)]
    pub fn payout(&self, ctx: QueryCtx, address: String) -> Result<PayoutResponse, ContractError> {
        self.query_payout(ctx, address)
    }
}

impl Default for CuratorStakingContract {
    fn default() -> Self {
        Self::new()
    }
}
