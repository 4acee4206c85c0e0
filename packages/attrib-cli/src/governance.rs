//! Admin and pause subcommands, the same for every contract (they all implement the
//! `Governance` interface of attrib-std).

use anyhow::Result;
use attrib_std::interfaces::governance::sv::ExecMsg;
use clap::Subcommand;

use crate::chain::TxOutcome;
use crate::context::Ctx;

#[derive(Subcommand, Debug)]
pub enum GovernanceTx {
    /// Admin: propose a new admin, who must accept (omit to withdraw a proposal)
    ProposeAdmin {
        #[arg(long)]
        new_admin: Option<String>,
    },
    /// Proposed admin: accept
    AcceptAdmin,
    /// Admin: pause or resume every non-admin message
    SetPaused {
        #[arg(long, action = clap::ArgAction::Set)]
        paused: bool,
    },
}

pub async fn tx(ctx: &Ctx, contract: &str, cmd: GovernanceTx) -> Result<Option<TxOutcome>> {
    match cmd {
        GovernanceTx::ProposeAdmin { new_admin } => {
            let new_admin = new_admin.map(|a| ctx.resolve_address(&a)).transpose()?;
            ctx.execute(
                "propose_admin",
                contract,
                &ExecMsg::ProposeAdmin { new_admin },
                vec![],
            )
            .await
        }
        GovernanceTx::AcceptAdmin => {
            ctx.execute("accept_admin", contract, &ExecMsg::AcceptAdmin {}, vec![])
                .await
        }
        GovernanceTx::SetPaused { paused } => {
            ctx.execute("set_paused", contract, &ExecMsg::SetPaused { paused }, vec![])
                .await
        }
    }
}
