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

/// The timelock's three messages, the same on every contract that has one; `C` is the
/// contract's kind of change.
#[derive(serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[allow(clippy::enum_variant_names)] // the contracts' message names
enum TimelockMsg<C> {
    AnnounceChange { change: C },
    ApplyChange {},
    CancelChange {},
}

/// Admin: announce `change`; it applies after the contract's change delay.
pub async fn announce_change<C: serde::Serialize>(
    ctx: &Ctx,
    contract: &str,
    change: C,
) -> Result<Option<TxOutcome>> {
    ctx.execute(
        "announce_change",
        contract,
        &TimelockMsg::AnnounceChange { change },
        vec![],
    )
    .await
}

/// Anyone: apply the announced change once its delay is over.
pub async fn apply_change(ctx: &Ctx, contract: &str) -> Result<Option<TxOutcome>> {
    ctx.execute(
        "apply_change",
        contract,
        &TimelockMsg::<()>::ApplyChange {},
        vec![],
    )
    .await
}

/// Admin: cancel the announced change.
pub async fn cancel_change(ctx: &Ctx, contract: &str) -> Result<Option<TxOutcome>> {
    ctx.execute(
        "cancel_change",
        contract,
        &TimelockMsg::<()>::CancelChange {},
        vec![],
    )
    .await
}

/// `--json` of an announce-peers subcommand.
pub fn peers_json(json: &str) -> Result<Peers> {
    serde_json::from_str(json).map_err(|e| anyhow::anyhow!("--json is not valid Peers: {e}"))
}

#[cfg(test)]
mod tests {
    use super::TimelockMsg;
    use attrib_curator_staking::contract::sv::ExecMsg as StakingExec;
    use attrib_curator_staking::msg::StakingChange;
    use attrib_reward_distributor::contract::sv::ExecMsg as PoolExec;
    use attrib_reward_distributor::state::DistributorChange;

    fn json<T: serde::Serialize>(t: &T) -> serde_json::Value {
        serde_json::to_value(t).unwrap()
    }

    /// The CLI's one timelock message is exactly what each contract's ExecMsg sends.
    #[test]
    fn the_timelock_messages_are_the_contracts_own() {
        let slasher = StakingChange::AddSlasher { address: "x".into() };
        assert_eq!(
            json(&TimelockMsg::AnnounceChange {
                change: slasher.clone()
            }),
            json(&StakingExec::AnnounceChange { change: slasher })
        );
        let treasury = DistributorChange::Treasury { address: "t".into() };
        assert_eq!(
            json(&TimelockMsg::AnnounceChange {
                change: treasury.clone()
            }),
            json(&PoolExec::AnnounceChange { change: treasury })
        );
        assert_eq!(
            json(&TimelockMsg::<()>::ApplyChange {}),
            json(&StakingExec::ApplyChange {})
        );
        assert_eq!(
            json(&TimelockMsg::<()>::CancelChange {}),
            json(&PoolExec::CancelChange {})
        );
    }
}
