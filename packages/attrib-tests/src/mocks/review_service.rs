//! Stands in for curator staking in the registry's own tests: it accepts `open_review`
//! from the registry and remembers which tranches it was asked to review. Outcomes are
//! then sent to the registry with this contract's address as sender. (The real curator
//! staking contract replaces it in the cross-contract suites.)

use attrib_std::interfaces::review_service::ReviewService;
use attrib_std::registry::TrancheId;
use cosmwasm_std::{Addr, Response, StdError, StdResult};
use cw_storage_plus::{Item, Map};
use sylvia::contract;
use sylvia::ctx::{ExecCtx, InstantiateCtx, QueryCtx};

pub struct ReviewServiceMock {
    registry: Item<Addr>,
    opened: Map<TrancheId, ()>,
}

#[contract]
#[sv::messages(attrib_std::interfaces::review_service as ReviewService)]
impl ReviewServiceMock {
    pub const fn new() -> Self {
        Self {
            registry: Item::new("registry"),
            opened: Map::new("opened"),
        }
    }

    #[sv::msg(instantiate)]
    pub fn instantiate(&self, ctx: InstantiateCtx, registry: Option<String>) -> StdResult<Response> {
        if let Some(r) = registry {
            self.registry
                .save(ctx.deps.storage, &ctx.deps.api.addr_validate(&r)?)?;
        }
        Ok(Response::new())
    }

    #[sv::msg(exec)]
    pub fn set_registry(&self, ctx: ExecCtx, registry: String) -> StdResult<Response> {
        self.registry
            .save(ctx.deps.storage, &ctx.deps.api.addr_validate(&registry)?)?;
        Ok(Response::new())
    }

    /// Tranche ids the registry asked to review, in order.
    #[sv::msg(query)]
    pub fn opened(&self, ctx: QueryCtx) -> StdResult<Vec<TrancheId>> {
        self.opened
            .keys(ctx.deps.storage, None, None, cosmwasm_std::Order::Ascending)
            .collect()
    }
}

impl ReviewService for ReviewServiceMock {
    type Error = StdError;

    fn open_review(&self, ctx: ExecCtx, tranche_id: TrancheId) -> StdResult<Response> {
        let registry = self.registry.load(ctx.deps.storage)?;
        if ctx.info.sender != registry {
            return Err(StdError::generic_err("only the registry opens reviews"));
        }
        self.opened.save(ctx.deps.storage, tranche_id, &())?;
        Ok(Response::new())
    }
}
