//! The receipt oracle's message surface (sylvia); logic lives in `admin.rs`,
//! `models.rs`, `batches.rs`, `fraud.rs`, `omission.rs` and `queries.rs`. Messages with
//! many fields take them as structs of `msg.rs`: `instantiate` its `config` (as in the
//! other contracts), `submit_batch` its `batch`, and each fraud proof against a batch the
//! `batch` it is about and its `proof`.

use attrib_std::governance::AdminControl;
use attrib_std::receipts::{Path, Receipt};
use cosmwasm_std::{Coin, HexBinary, Response, Uint128};
use cw_storage_plus::{Item, Map};
use sylvia::contract;
use sylvia::ctx::{ExecCtx, InstantiateCtx, MigrateCtx, QueryCtx};

use crate::error::ContractError;
use crate::models::Payer;
use crate::msg::{
    AlteredReceiptProof, BadSumProof, BadTotalProof, BatchRef, BatchResponse, BatchesResponse,
    ConfigResponse, CursorResponse, DuplicateIdProof, EpochResponse, InclusionRequestResponse,
    InclusionRequestsResponse, InstantiateConfig, ModelResponse, NewBatch, OmittedReceiptProof,
    OperatorResponse, WrongEpochProof,
};
pub use crate::state::ReceiptOracleContract;
use crate::state::{LineageEntry, Params, ParentLink};

pub const CONTRACT_NAME: &str = concat!("crates.io:", env!("CARGO_PKG_NAME"));
pub const CONTRACT_VERSION: &str = env!("CARGO_PKG_VERSION");

attrib_std::entry_points!(
    ReceiptOracleContract,
    ContractError,
    [governance, wiring, omission_target]
);

#[contract]
#[sv::error(ContractError)]
#[sv::messages(attrib_std::interfaces::governance as Governance)]
#[sv::messages(attrib_std::interfaces::wiring as Wiring)]
#[sv::messages(attrib_std::interfaces::omission_target as OmissionTarget)]
impl ReceiptOracleContract {
    pub const fn new() -> Self {
        Self {
            gov: AdminControl::new(),
            config: Item::new("config"),
            pause_window: Item::new("pause_window"),
            next_model: Item::new("next_model"),
            models: Map::new("models"),
            operators: Map::new("operators"),
            keys: Map::new("keys"),
            cursors: Map::new("cursors"),
            batches: Map::new("batches"),
            late_proven: Map::new("late_proven"),
            late_charged: Map::new("late_charged"),
            late_ranges: Map::new("late_ranges"),
            usage: Map::new("usage"),
            open_batches: Map::new("open_batches"),
            audits: Item::new("audits"),
            inclusions: Map::new("inclusions"),
            inclusions_open: Map::new("inclusions_open"),
            inclusion_holds: Map::new("inclusion_holds"),
        }
    }

    #[sv::msg(instantiate)]
    pub fn instantiate(
        &self,
        ctx: InstantiateCtx,
        config: InstantiateConfig,
    ) -> Result<Response, ContractError> {
        self.init(ctx, config)
    }

    /// Admin: upgrade. `late_charges` names the units of every late omission proven
    /// beyond its cursor by a version that did not record them (each is checked against
    /// the proofs on record; the upgrade is refused while one is missing).
    #[sv::msg(migrate)]
    pub fn migrate(
        &self,
        ctx: MigrateCtx,
        late_charges: Option<Vec<crate::msg::LateCharge>>,
    ) -> Result<Response, ContractError> {
        self.do_migrate(ctx, late_charges.unwrap_or_default())
    }

    /// Admin: replace the parameters.
    #[sv::msg(exec)]
    pub fn update_params(&self, ctx: ExecCtx, params: Params) -> Result<Response, ContractError> {
        self.do_update_params(ctx, params)
    }

    /// Register a model built from `lineage` (weights in bps, summing to 10 000); the
    /// sender must hold a valid license for every entry, `royalty_per_unit` must cover
    /// what the lineage's terms demand, and the model bond is attached in that denom.
    #[sv::msg(exec)]
    pub fn register_model(
        &self,
        ctx: ExecCtx,
        metadata_uri: String,
        lineage: Vec<LineageEntry>,
        parent: Option<ParentLink>,
        royalty_per_unit: Coin,
    ) -> Result<Response, ContractError> {
        let payer = Payer {
            address: ctx.info.sender.clone(),
            payment: ctx.info.funds.clone(),
        };
        self.do_register_model(ctx, metadata_uri, lineage, parent, royalty_per_unit, payer)
    }

    /// Owner: close a model with nothing pending and no debt: escrow and bond come back.
    #[sv::msg(exec)]
    pub fn close_model(&self, ctx: ExecCtx, model_id: u64) -> Result<Response, ContractError> {
        self.do_close_model(ctx, model_id)
    }

    /// Owner: let an operator meter this model (or stop it).
    #[sv::msg(exec)]
    pub fn set_model_operator(
        &self,
        ctx: ExecCtx,
        model_id: u64,
        operator: String,
        allowed: bool,
    ) -> Result<Response, ContractError> {
        self.do_set_model_operator(ctx, model_id, operator, allowed)
    }

    /// Register (or rotate) the sender's receipt-signing key; the sender must be bonded
    /// as an operator in curator staking.
    #[sv::msg(exec)]
    pub fn register_operator(&self, ctx: ExecCtx, pubkey: HexBinary) -> Result<Response, ContractError> {
        self.do_register_operator(ctx, pubkey)
    }

    /// Anyone: add the royalty denom to a model's escrow (repays its debt first).
    #[sv::msg(exec)]
    pub fn fund_escrow(&self, ctx: ExecCtx, model_id: u64) -> Result<Response, ContractError> {
        let payer = Payer {
            address: ctx.info.sender.clone(),
            payment: ctx.info.funds.clone(),
        };
        self.do_fund_escrow(ctx, model_id, payer)
    }

    /// cw20 hook, for models whose royalty denom is `cw20:<token>`: `send` the token with
    /// `ReceiveMsg::FundEscrow` or `ReceiveMsg::RegisterModel` (the model bond).
    #[sv::msg(exec)]
    pub fn receive(
        &self,
        ctx: ExecCtx,
        sender: String,
        amount: Uint128,
        msg: cosmwasm_std::Binary,
    ) -> Result<Response, ContractError> {
        attrib_std::funds::expect_none(&ctx.info.funds)?;
        let who = ctx.deps.api.addr_validate(&sender)?;
        let denom = attrib_std::funds::cw20_denom(&ctx.info.sender);
        // Anyone can call a hook: only a token the protocol accepts (the reward pool's
        // allowlist) is taken for a payment, never a wallet posing as a token.
        let pool = self.config.load(ctx.deps.storage)?.reward_pool;
        if !attrib_std::interfaces::reward_pool::denom_accepted_raw(&ctx.deps.querier, &pool, &denom)? {
            return Err(ContractError::TokenNotAccepted {
                token: ctx.info.sender.to_string(),
            });
        }
        let payment = vec![Coin::new(amount, denom)];
        match cosmwasm_std::from_json::<crate::msg::ReceiveMsg>(&msg)? {
            crate::msg::ReceiveMsg::FundEscrow { model_id } => self.do_fund_escrow(
                ctx,
                model_id,
                Payer {
                    address: who,
                    payment,
                },
            ),
            crate::msg::ReceiveMsg::RegisterModel {
                metadata_uri,
                lineage,
                parent,
                royalty_per_unit,
            } => self.do_register_model(
                ctx,
                metadata_uri,
                lineage,
                parent,
                royalty_per_unit,
                Payer {
                    address: who,
                    payment,
                },
            ),
        }
    }

    /// Owner: announce a withdrawal of unused escrow; it can be executed after the notice.
    #[sv::msg(exec)]
    pub fn request_withdrawal(
        &self,
        ctx: ExecCtx,
        model_id: u64,
        amount: Uint128,
    ) -> Result<Response, ContractError> {
        self.do_request_withdrawal(ctx, model_id, amount)
    }

    /// Owner: execute an announced withdrawal (never escrow reserved for pending batches).
    #[sv::msg(exec)]
    pub fn withdraw_escrow(&self, ctx: ExecCtx, model_id: u64) -> Result<Response, ContractError> {
        self.do_withdraw_escrow(ctx, model_id)
    }

    /// Operator: post a batch — root of the merkle-sum tree of its receipts, total
    /// units, leaf count, first and last receipt id — signed over
    /// `attrib_std::receipts::BatchHeader`. Stores O(1) data, whatever the receipt count.
    #[sv::msg(exec)]
    pub fn submit_batch(&self, ctx: ExecCtx, batch: NewBatch) -> Result<Response, ContractError> {
        self.do_submit_batch(ctx, batch)
    }

    /// Anyone, after the dispute window: charge the usage to escrow and send it to the
    /// reward pool, earmarked by lineage weight.
    #[sv::msg(exec)]
    pub fn finalize_batch(
        &self,
        ctx: ExecCtx,
        model_id: u64,
        operator: String,
        seq: u64,
    ) -> Result<Response, ContractError> {
        self.do_finalize_batch(ctx, model_id, operator, seq)
    }

    /// Fraud proof: a receipt signed by the operator whose id lies inside the batch's
    /// range but between two adjacent leaves (so it is not in the tree).
    #[sv::msg(exec)]
    pub fn challenge_omitted_receipt(
        &self,
        ctx: ExecCtx,
        batch: BatchRef,
        proof: OmittedReceiptProof,
    ) -> Result<Response, ContractError> {
        self.do_challenge_omitted(ctx, batch, proof)
    }

    /// Fraud proof: the leaf at a signed receipt's id differs from the signed receipt.
    #[sv::msg(exec)]
    pub fn challenge_altered_receipt(
        &self,
        ctx: ExecCtx,
        batch: BatchRef,
        proof: AlteredReceiptProof,
    ) -> Result<Response, ContractError> {
        self.do_challenge_altered(ctx, batch, proof)
    }

    /// Fraud proof: a node whose sum differs from its children's (the topmost such node).
    #[sv::msg(exec)]
    pub fn challenge_bad_sum(
        &self,
        ctx: ExecCtx,
        batch: BatchRef,
        proof: BadSumProof,
    ) -> Result<Response, ContractError> {
        self.do_challenge_bad_sum(ctx, batch, proof)
    }

    /// Fraud proof: two adjacent leaves whose ids do not strictly increase (the same id
    /// twice), or an end leaf without its declared id (an id of another batch).
    #[sv::msg(exec)]
    pub fn challenge_duplicate_id(
        &self,
        ctx: ExecCtx,
        batch: BatchRef,
        proof: DuplicateIdProof,
    ) -> Result<Response, ContractError> {
        self.do_challenge_duplicate(ctx, batch, proof)
    }

    /// Fraud proof: a signed receipt whose id lies in the batch's range but whose epoch is
    /// not the batch's (receipts carried under another epoch's label).
    #[sv::msg(exec)]
    pub fn challenge_wrong_epoch(
        &self,
        ctx: ExecCtx,
        batch: BatchRef,
        proof: WrongEpochProof,
    ) -> Result<Response, ContractError> {
        self.do_challenge_wrong_epoch(ctx, batch, proof)
    }

    /// Fraud proof: a one-leaf batch whose declared total is not its only leaf's units.
    #[sv::msg(exec)]
    pub fn challenge_bad_total(
        &self,
        ctx: ExecCtx,
        batch: BatchRef,
        proof: BadTotalProof,
    ) -> Result<Response, ContractError> {
        self.do_challenge_bad_total(ctx, batch, proof)
    }

    /// Fraud proof: after an epoch's posting deadline, a signed receipt of that epoch
    /// beyond the operator's last posted id, or inside a batch posted after that deadline.
    #[sv::msg(exec)]
    pub fn challenge_late_omission(
        &self,
        ctx: ExecCtx,
        model_id: u64,
        operator: String,
        receipt: Receipt,
        signature: HexBinary,
    ) -> Result<Response, ContractError> {
        self.do_challenge_late(ctx, model_id, operator, receipt, signature)
    }

    /// SPEC §5.6, anyone holding a receipt the batch's operator signed, with an id in the
    /// batch's range, inside its dispute window, attaching exactly the inclusion fee: the
    /// operator must show the receipt's leaf by the response deadline; until then the
    /// batch cannot finalize.
    #[sv::msg(exec)]
    pub fn request_inclusion(
        &self,
        ctx: ExecCtx,
        batch: BatchRef,
        receipt: Receipt,
        signature: HexBinary,
    ) -> Result<Response, ContractError> {
        self.do_request_inclusion(ctx, batch, receipt, signature)
    }

    /// Anyone, by the request's deadline: the leaf at `receipt_id` and its path. The
    /// requested receipt itself closes the request and pays its fee to the operator; any
    /// other leaf at that id is an altered receipt (the batch is voided, the fee refunded).
    #[sv::msg(exec)]
    pub fn answer_inclusion(
        &self,
        ctx: ExecCtx,
        batch: BatchRef,
        receipt_id: u64,
        leaf: Receipt,
        path: Path,
    ) -> Result<Response, ContractError> {
        self.do_answer_inclusion(ctx, batch, receipt_id, leaf, path)
    }

    /// Anyone, after an unanswered request's deadline: the batch is voided, the operator
    /// slashed with the requester as beneficiary, every open request's fee refunded. On a
    /// batch voided otherwise, closes the request at any time and refunds its fee.
    #[sv::msg(exec)]
    pub fn expire_inclusion(
        &self,
        ctx: ExecCtx,
        batch: BatchRef,
        receipt_id: u64,
    ) -> Result<Response, ContractError> {
        self.do_expire_inclusion(ctx, batch, receipt_id)
    }

    #[sv::msg(query)]
    pub fn inclusion_request(
        &self,
        ctx: QueryCtx,
        batch: BatchRef,
        receipt_id: u64,
    ) -> Result<InclusionRequestResponse, ContractError> {
        self.query_inclusion_request(ctx, batch, receipt_id)
    }

    /// A batch's inclusion requests by receipt id, open and closed.
    #[sv::msg(query)]
    pub fn inclusion_requests(
        &self,
        ctx: QueryCtx,
        batch: BatchRef,
        start_after: Option<u64>,
        limit: Option<u32>,
    ) -> Result<InclusionRequestsResponse, ContractError> {
        self.query_inclusion_requests(ctx, batch, start_after, limit)
    }

    #[sv::msg(query)]
    pub fn config(&self, ctx: QueryCtx) -> Result<ConfigResponse, ContractError> {
        self.query_config(ctx)
    }

    #[sv::msg(query)]
    pub fn model(&self, ctx: QueryCtx, model_id: u64) -> Result<ModelResponse, ContractError> {
        self.query_model(ctx, model_id)
    }

    #[sv::msg(query)]
    pub fn operator(&self, ctx: QueryCtx, address: String) -> Result<OperatorResponse, ContractError> {
        self.query_operator(ctx, address)
    }

    #[sv::msg(query)]
    pub fn cursor(
        &self,
        ctx: QueryCtx,
        model_id: u64,
        operator: String,
    ) -> Result<CursorResponse, ContractError> {
        self.query_cursor(ctx, model_id, operator)
    }

    #[sv::msg(query)]
    pub fn batch(
        &self,
        ctx: QueryCtx,
        model_id: u64,
        operator: String,
        seq: u64,
    ) -> Result<BatchResponse, ContractError> {
        self.query_batch(ctx, model_id, operator, seq)
    }

    #[sv::msg(query)]
    pub fn batches(
        &self,
        ctx: QueryCtx,
        model_id: u64,
        operator: String,
        start_after: Option<u64>,
        limit: Option<u32>,
    ) -> Result<BatchesResponse, ContractError> {
        self.query_batches(ctx, model_id, operator, start_after, limit)
    }

    /// The current epoch and its posting deadline.
    #[sv::msg(query)]
    pub fn epoch(&self, ctx: QueryCtx) -> Result<EpochResponse, ContractError> {
        self.query_epoch(ctx)
    }
}

impl Default for ReceiptOracleContract {
    fn default() -> Self {
        Self::new()
    }
}
