//! The read side: config, models, operators, cursors, batches and the epoch clock.

use attrib_std::pagination;
use cosmwasm_std::{Order, StdResult};
use sylvia::ctx::QueryCtx;

use crate::error::ContractError;
use crate::msg::{
    BatchResponse, BatchesResponse, ConfigResponse, CursorResponse, EpochResponse, ModelResponse,
    OperatorResponse,
};
use crate::state::ReceiptOracleContract;

impl ReceiptOracleContract {
    pub(crate) fn query_config(&self, ctx: QueryCtx) -> Result<ConfigResponse, ContractError> {
        Ok(self.config.load(ctx.deps.storage)?)
    }

    pub(crate) fn query_model(&self, ctx: QueryCtx, model_id: u64) -> Result<ModelResponse, ContractError> {
        self.load_model(ctx.deps.storage, model_id)
    }

    pub(crate) fn query_operator(
        &self,
        ctx: QueryCtx,
        address: String,
    ) -> Result<OperatorResponse, ContractError> {
        let addr = ctx.deps.api.addr_validate(&address)?;
        Ok(self.operators.may_load(ctx.deps.storage, &addr)?)
    }

    pub(crate) fn query_cursor(
        &self,
        ctx: QueryCtx,
        model_id: u64,
        operator: String,
    ) -> Result<CursorResponse, ContractError> {
        let addr = ctx.deps.api.addr_validate(&operator)?;
        Ok(self
            .cursors
            .may_load(ctx.deps.storage, (model_id, &addr))?
            .unwrap_or_default())
    }

    pub(crate) fn query_batch(
        &self,
        ctx: QueryCtx,
        model_id: u64,
        operator: String,
        seq: u64,
    ) -> Result<BatchResponse, ContractError> {
        let addr = ctx.deps.api.addr_validate(&operator)?;
        self.load_batch(ctx.deps.storage, model_id, &addr, seq)
    }

    pub(crate) fn query_batches(
        &self,
        ctx: QueryCtx,
        model_id: u64,
        operator: String,
        start_after: Option<u64>,
        limit: Option<u32>,
    ) -> Result<BatchesResponse, ContractError> {
        let addr = ctx.deps.api.addr_validate(&operator)?;
        let (start, limit) = pagination::page(start_after, limit);
        let batches = self
            .batches
            .prefix((model_id, &addr))
            .range(ctx.deps.storage, start, None, Order::Ascending)
            .take(limit)
            .map(|r| r.map(|(_, b)| b))
            .collect::<StdResult<_>>()?;
        Ok(BatchesResponse { batches })
    }

    /// The current epoch and its posting deadline.
    pub(crate) fn query_epoch(&self, ctx: QueryCtx) -> Result<EpochResponse, ContractError> {
        let config = self.config.load(ctx.deps.storage)?;
        let clock = config.clock();
        let current = clock.epoch_at(ctx.env.block.time.seconds());
        Ok(EpochResponse {
            current,
            ends_at: clock.end_of(current),
            posting_deadline: crate::batches::effective_deadline(
                &config,
                self.pause_window.may_load(ctx.deps.storage)?.as_ref(),
                current,
            ),
        })
    }
}
