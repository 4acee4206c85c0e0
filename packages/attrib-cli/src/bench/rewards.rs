//! Reward distributor messages, and the claim that must stay flat however many epochs
//! passed: a distributor of its own on a one-second clock (no vesting, no emissions) is
//! paid in every block for versions 1 and 2 of the bench dataset, cranked as epochs come
//! due, and four positions claim for the first time after 1, 10, 100 and `max_epochs`
//! allocated epochs.

use anyhow::{anyhow, Result};
use attrib_registry::contract::sv::ExecMsg;
use attrib_reward_distributor::contract::sv::{ExecMsg as PoolExec, InstantiateMsg, QueryMsg as PoolQuery};
use attrib_reward_distributor::msg::{AcceptedDenomEntry, ConfigResponse as PoolConfig, InstantiateConfig};
use attrib_std::interfaces::reward_pool::sv::ExecMsg as PayExec;
use attrib_std::rewards::{Earmark, EpochClock, InflowReason, PositionRef, TakeRates};
use cosmrs::tx::Msg as _;
use cosmwasm_std::coin;

use super::registry::Listed;
use super::{Bench, Target};
use crate::context::execute_any;

pub(super) async fn run(b: &mut Bench<'_>, listed: &Listed, max_epochs: u64) -> Result<()> {
    let ctx = b.ctx;
    let (dataset_id, tranches) = (listed.dataset_id, &listed.tranches);
    let registry = b.deployments.address("registry")?;
    let keys = ctx.keys()?;
    // Version 2 of the bench dataset, from the same tranches: a second set of positions.
    let reg = b.target("registry", "registry")?;
    b.exec(
        "maintainer",
        &reg,
        "seal_version #2 (3 tranches)",
        &ExecMsg::SealVersion {
            dataset_id,
            tranche_ids: tranches.to_vec(),
        },
        vec![],
        "parent 1",
    )
    .await?;

    let code_id = b
        .deployments
        .contracts
        .get("reward_distributor")
        .ok_or_else(|| anyhow!("no reward_distributor in the deployments"))?
        .code_id;
    let admin = keys.signer("admin", &ctx.g.prefix)?;
    let init = InstantiateMsg {
        config: InstantiateConfig {
            admin: None,
            treasury: keys.address("treasury")?,
            registry: Some(registry.clone()),
            curator_staking: None,
            receipt_oracle: None,
            clock: Some(EpochClock {
                epoch_start: ctx.chain.block_time().await?,
                epoch_secs: 1,
            }),
            rates: TakeRates {
                protocol_bps: 1_000,
                curator_bps: 1_500,
            },
            vesting_secs: 0,
            emission: None,
            accepted: vec![AcceptedDenomEntry {
                denom: "uatr".into(),
                accepted: attrib_reward_distributor::state::AcceptedDenom {
                    min_amount: 1u128.into(),
                    value_weight: cosmwasm_std::Decimal::one(),
                },
            }],
            top_k: 3,
            change_delay_secs: None,
        },
    };
    let m = cosmrs::cosmwasm::MsgInstantiateContract {
        sender: admin.address.clone(),
        admin: Some(admin.address.clone()),
        code_id,
        label: Some("attrib bench pool".into()),
        msg: serde_json::to_vec(&init)?,
        funds: vec![],
    };
    let o = ctx
        .chain
        .send(
            &admin,
            vec![m.to_any().map_err(|e| anyhow!("{e}"))?],
            &ctx.settings()?,
        )
        .await?;
    let pool = Target {
        addr: o
            .attr("instantiate", "_contract_address")
            .ok_or_else(|| anyhow!("no bench pool address"))?,
        name: "rewards",
    };
    let earmarks = vec![
        Earmark {
            dataset_id,
            version: 1,
            weight_bps: 5_000,
        },
        Earmark {
            dataset_id,
            version: 2,
            weight_bps: 5_000,
        },
    ];
    let pay = PayExec::Pay {
        earmarks: earmarks.clone(),
        reason: InflowReason::DirectPayment,
        payer: None,
    };
    b.exec(
        "buyer",
        &pool,
        "pay (2 earmarks)",
        &pay,
        vec![coin(1_000, "uatr")],
        "direct payment",
    )
    .await?;

    // (epochs, contributor, version): who claims when.
    let contributors = ["alice", "bob", "carol"];
    let mut targets: Vec<(u64, usize, u32)> = vec![(1, 0, 1), (10, 1, 1), (100, 2, 1), (max_epochs, 0, 2)];
    targets.retain(|(n, _, _)| *n <= max_epochs);
    let buyer = keys.signer("buyer", &ctx.g.prefix)?;
    let mut allocated = 0u64;
    let mut measured_close = false;
    eprintln!("  rewards: paying every block until {max_epochs} epochs are allocated and settled");
    while allocated < max_epochs {
        let c: PoolConfig = ctx.chain.query(&pool.addr, &PoolQuery::Config {}).await?;
        let due = c.settling.is_none() && c.next_close < c.current_epoch;
        let msg = |m: &PoolExec| execute_any(&buyer.address, &pool.addr, &serde_json::to_vec(m)?, &[]);
        // The close is measured on an epoch with inflows (a close may only skip quiet ones).
        let has_inflows = due
            && !measured_close
            && ctx
                .chain
                .query::<_, attrib_reward_distributor::msg::EpochResponse>(
                    &pool.addr,
                    &PoolQuery::Epoch { epoch: c.next_close },
                )
                .await
                .is_ok_and(|e| e.epoch.inflows > 0);
        if has_inflows {
            // Measured alone once: a close of an epoch with inflows, then its settlement.
            b.exec(
                "auditor",
                &pool,
                "close_epoch",
                &PoolExec::CloseEpoch {},
                vec![],
                "O(1): its 2 denoms are split while settling",
            )
            .await?;
            b.exec(
                "auditor",
                &pool,
                "settle_epoch (page: 2 denoms split, 2 rows, finish)",
                &PoolExec::SettleEpoch { limit: 100 },
                vec![],
                "per page",
            )
            .await?;
            measured_close = true;
            allocated += 1;
        } else {
            // Unmeasured crank (a close may only skip quiet epochs) with the next payment.
            let mut msgs = vec![];
            if c.settling.is_some() {
                msgs.push(msg(&PoolExec::SettleEpoch { limit: 100 })?);
                allocated += 1;
                if allocated.is_multiple_of(100) {
                    eprintln!("  rewards: {allocated} epochs allocated");
                }
            } else if due {
                msgs.push(msg(&PoolExec::CloseEpoch {})?);
            }
            msgs.push(execute_any(
                &buyer.address,
                &pool.addr,
                &serde_json::to_vec(&pay)?,
                &[coin(1_000, "uatr")],
            )?);
            // The crank is simulated a block before it runs; an epoch that falls due in
            // between makes it do more than simulated, so it gets a wider margin.
            let mut settings = ctx.settings()?;
            settings.gas_adjustment = settings.gas_adjustment.max(1.6);
            ctx.chain.send(&buyer, msgs, &settings).await?;
        }
        for (n, who, version) in targets.iter().filter(|(n, _, _)| *n == allocated) {
            let claim = PoolExec::ClaimRewards {
                positions: vec![PositionRef {
                    dataset_id,
                    version: *version,
                    tranche_id: tranches[*who],
                }],
                to_chain: None,
            };
            b.exec(
                contributors[*who],
                &pool,
                &format!("claim_rewards after {n} epochs"),
                &claim,
                vec![],
                "1 position, first claim",
            )
            .await?;
        }
        targets.retain(|(n, _, _)| *n > allocated);
    }
    b.exec(
        "treasury",
        &pool,
        "claim_treasury",
        &PoolExec::ClaimTreasury { to_chain: None },
        vec![],
        "1 denom",
    )
    .await?;
    Ok(())
}
