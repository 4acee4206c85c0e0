//! Admin, pause and wiring subcommands, the same for every contract (they all implement
//! the `Governance` and `Wiring` interfaces of attrib-std).

use anyhow::Result;
use attrib_std::interfaces::governance::sv::ExecMsg;
use attrib_std::wiring::sv::ExecMsg as WiringExecMsg;
use attrib_std::wiring::Peers;
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
    /// Admin: point the contract at its peers (only the roles given change; a role the
    /// contract does not call is refused). `attrib deploy` wires a deployment itself.
    SetPeers {
        #[arg(long)]
        registry: Option<String>,
        #[arg(long)]
        curator_staking: Option<String>,
        #[arg(long)]
        receipt_oracle: Option<String>,
        /// The reward distributor
        #[arg(long)]
        reward_pool: Option<String>,
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
        GovernanceTx::SetPeers {
            registry,
            curator_staking,
            receipt_oracle,
            reward_pool,
        } => {
            let resolve = |a: Option<String>| a.map(|a| ctx.resolve_address(&a)).transpose();
            let peers = Peers {
                registry: resolve(registry)?,
                curator_staking: resolve(curator_staking)?,
                receipt_oracle: resolve(receipt_oracle)?,
                reward_pool: resolve(reward_pool)?,
            };
            ctx.execute("set_peers", contract, &WiringExecMsg::SetPeers { peers }, vec![])
                .await
        }
    }
}
