//! Implemented by curator staking: slashing as a service for authorized contracts (the
//! registry, the receipt oracle), the stake they check before trusting an operator, and
//! the omission claims open against a model (which keep it from closing).

use cosmwasm_schema::cw_serde;
use cosmwasm_std::{Response, StdError, Uint128};
use sylvia::ctx::{ExecCtx, QueryCtx};
use sylvia::interface;

/// What a staker stakes as.
#[cw_serde]
#[derive(Copy, Eq)]
pub enum Role {
    /// Drawn onto review committees.
    Curator,
    /// A metering operator, bonded to be slashable; never drawn onto committees.
    Operator,
}

impl Role {
    /// The role as events name it (snake case, like its JSON).
    pub fn as_str(&self) -> &'static str {
        match self {
            Role::Curator => "curator",
            Role::Operator => "operator",
        }
    }
}

#[cw_serde]
pub struct StakeOfResponse {
    pub role: Option<Role>,
    pub bonded: Uint128,
    /// Unbonding stake (still slashable).
    pub unbonding: Uint128,
}

/// How many omission claims (SPEC §5.5) are open against a model.
#[cw_serde]
pub struct OpenOmissionClaimsResponse {
    pub model_id: u64,
    pub open: u32,
}

#[interface]
pub trait SlashingService {
    type Error: From<StdError>;

    /// Authorized slashers only: slash `staker` by `amount` or `fraction_bps` (exactly
    /// one), bonded stake first, then unbonding; the `beneficiary` (a challenger) gets
    /// the challenger share and the rest goes to the reward pool.
    #[sv::msg(exec)]
    fn slash(
        &self,
        ctx: ExecCtx,
        staker: String,
        amount: Option<Uint128>,
        fraction_bps: Option<u32>,
        reason: String,
        beneficiary: Option<String>,
    ) -> Result<Response, Self::Error>;

    /// A staker's role and stake.
    #[sv::msg(query)]
    fn stake_of(&self, ctx: QueryCtx, address: String) -> Result<StakeOfResponse, Self::Error>;

    /// How many omission claims are open against `model_id`: the receipt oracle keeps
    /// a model (and its bond) open until none is (SPEC §5.5).
    #[sv::msg(query)]
    fn open_omission_claims(
        &self,
        ctx: QueryCtx,
        model_id: u64,
    ) -> Result<OpenOmissionClaimsResponse, Self::Error>;
}
