//! Admin and pause messages, implemented by every Attrib contract with
//! [`crate::governance::AdminControl`].

use cosmwasm_schema::cw_serde;
use cosmwasm_std::{Response, StdError};
use sylvia::ctx::{ExecCtx, QueryCtx};
use sylvia::interface;

#[cw_serde]
pub struct GovernanceResponse {
    pub admin: String,
    pub pending_admin: Option<String>,
    pub paused: bool,
}

#[interface]
pub trait Governance {
    type Error: From<StdError>;

    /// Admin only: propose `new_admin` as the next admin, who must accept. `None`
    /// withdraws a pending proposal.
    #[sv::msg(exec)]
    fn propose_admin(&self, ctx: ExecCtx, new_admin: Option<String>) -> Result<Response, Self::Error>;

    /// The proposed admin takes over.
    #[sv::msg(exec)]
    fn accept_admin(&self, ctx: ExecCtx) -> Result<Response, Self::Error>;

    /// Admin only: pause or resume every non-admin execute message.
    #[sv::msg(exec)]
    fn set_paused(&self, ctx: ExecCtx, paused: bool) -> Result<Response, Self::Error>;

    /// Admin, pending admin and pause state.
    #[sv::msg(query)]
    fn governance(&self, ctx: QueryCtx) -> Result<GovernanceResponse, Self::Error>;
}
