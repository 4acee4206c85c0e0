//! `attrib tx rewards …`, `attrib q rewards …` and `attrib stats`: the reward distributor.
//! Payments in a `cw20:` denom go through the token's `send` hook with the same body as
//! the native `pay` message (`attrib_std::rewards`), so one command pays either way.

use anyhow::{anyhow, bail, Context, Result};
use attrib_reward_distributor::contract::sv::{ExecMsg, QueryMsg};
use attrib_reward_distributor::msg::{ConfigResponse, ConfigUpdate, CuratorRewardsResponse, MetricsResponse};
use attrib_reward_distributor::state::AcceptedDenom;
use attrib_std::events::{self, attr};
use attrib_std::funds::CW20_PREFIX;
use attrib_std::ibc::RemoteRecipient;
use attrib_std::interfaces::governance::sv::QueryMsg as GovQuery;
use attrib_std::interfaces::reward_pool::sv::ExecMsg as PoolExec;
use attrib_std::rewards::{Earmark, Funding, InflowReason, PayMsg, PoolReceiveMsg, PositionRef, TakeRates};
use clap::Subcommand;
use cosmwasm_std::{to_json_binary, Coin, Decimal, Uint128};

use crate::chain::TxOutcome;
use crate::context::{parse_coin, Ctx, Output};
use crate::governance;

pub const CONTRACT: &str = "reward_distributor";

#[derive(Subcommand, Debug)]
pub enum RewardsTx {
    /// Pay a dataset version (or several, by weight) directly, in an allowlisted denom
    Pay {
        /// e.g. 5000uatr or 100cw20:wasm1…
        #[arg(long)]
        amount: String,
        /// DATASET/VERSION:WEIGHT_BPS, comma-separated (weights sum to 10000); none = the pool
        #[arg(long, value_delimiter = ',')]
        earmark: Vec<String>,
    },
    /// Add emission tokens to the emission reserve (base units of the emission denom)
    FundEmissions {
        #[arg(long)]
        amount: u128,
    },
    /// Close the oldest due epoch (anyone)
    CloseEpoch,
    /// Settle the epoch being settled, at most LIMIT items per call (anyone)
    SettleEpoch {
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
    /// Close and settle every due epoch, page by page (anyone)
    Crank {
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
    /// Claim the vested rewards of positions DATASET/VERSION/TRANCHE (the contributor)
    Claim {
        #[arg(long = "position", value_delimiter = ',', required = true)]
        positions: Vec<String>,
        #[command(flatten)]
        remote: RemoteArgs,
    },
    /// Claim curator rewards of these epochs, or of every settled, vested epoch with points
    ClaimCurator {
        #[arg(long, value_delimiter = ',')]
        epochs: Vec<u64>,
        #[command(flatten)]
        remote: RemoteArgs,
    },
    /// The treasury claims what it is owed
    ClaimTreasury {
        #[command(flatten)]
        remote: RemoteArgs,
    },
    /// Claim again what came back from failed or timed-out remote claims
    ClaimCredits {
        #[command(flatten)]
        remote: RemoteArgs,
    },
    /// Admin: send unminted emission tokens back to the treasury
    WithdrawEmissionReserve {
        #[arg(long)]
        amount: u128,
    },
    /// Admin: allowlist a denom (native, ibc/…, cw20:…) or remove it
    SetAcceptedDenom {
        #[arg(long)]
        denom: String,
        #[arg(long, default_value_t = 1)]
        min_amount: u128,
        /// Fee value of one unit, in emission-token units
        #[arg(long, default_value = "1")]
        value_weight: String,
        #[arg(long)]
        remove: bool,
    },
    /// Admin: announce a new treasury; it applies after the change delay
    AnnounceTreasury {
        #[arg(long)]
        address: String,
    },
    /// Admin: announce moved peers (JSON of `Peers`); they apply after the change delay
    AnnouncePeers {
        #[arg(long)]
        json: String,
    },
    /// Apply the announced change once its delay is over: anyone, but a new treasury
    /// only by itself (it shows it can send, and so claim)
    ApplyChange,
    /// Admin: cancel the announced change
    CancelChange,
    /// Admin: change configuration (only the flags given change; new rates and vesting
    /// apply from the next epoch; a new treasury is announced with announce-treasury)
    UpdateConfig {
        #[arg(long)]
        treasury: Option<String>,
        #[arg(long, requires = "curator_bps")]
        protocol_bps: Option<u32>,
        #[arg(long, requires = "protocol_bps")]
        curator_bps: Option<u32>,
        #[arg(long)]
        vesting_secs: Option<u64>,
        #[arg(long)]
        top_k: Option<u32>,
    },
    /// Admin and pause (the same for every contract)
    #[command(subcommand)]
    Governance(crate::governance::GovernanceTx),
}

/// Where a claim goes when it goes to another chain.
#[derive(clap::Args, Debug, Default, Clone)]
pub struct RemoteArgs {
    /// Pay to another chain by ICS-20: its chain id (the channel is read from the
    /// deployments file); cw20 rewards cannot cross and are paid here
    #[arg(long)]
    pub to_chain: Option<String>,
    /// The channel on this chain (default: the one recorded for --to-chain)
    #[arg(long, requires = "to_chain")]
    pub to_channel: Option<String>,
    /// Receiver on the other chain (default: the signing key's own address there)
    #[arg(long, requires = "to_chain")]
    pub to_address: Option<String>,
    /// Transfer lifetime; an expired transfer is credited back
    #[arg(long, requires = "to_chain")]
    pub timeout_secs: Option<u64>,
}

impl RemoteArgs {
    pub fn recipient(&self, ctx: &Ctx) -> Result<Option<RemoteRecipient>> {
        let Some(chain) = &self.to_chain else {
            return Ok(None);
        };
        let deployments = ctx.deployments()?;
        let link = deployments.link(chain);
        let channel_id = match (&self.to_channel, &link) {
            (Some(c), _) => c.clone(),
            (None, Ok(l)) => l.channel_id.clone(),
            (None, Err(e)) => bail!("{e}"),
        };
        let receiver = match (&self.to_address, &link) {
            (Some(a), _) => a.clone(),
            (None, Ok(l)) => ctx
                .keys()?
                .signer(&ctx.signer()?.name, &l.counterparty_prefix)?
                .address
                .to_string(),
            (None, Err(e)) => bail!("--to-address is needed: {e}"),
        };
        Ok(Some(RemoteRecipient {
            channel_id,
            receiver,
            timeout_secs: self.timeout_secs,
        }))
    }
}

#[derive(Subcommand, Debug)]
pub enum RewardsQuery {
    Config,
    AcceptedDenoms,
    Epoch {
        epoch: u64,
    },
    /// What a position can claim now and what still vests
    Position {
        /// DATASET/VERSION/TRANCHE
        position: String,
    },
    CuratorRewards {
        epoch: u64,
        curator: String,
    },
    /// What is owed to the treasury, or to a former one (`--address`)
    Treasury {
        #[arg(long)]
        address: Option<String>,
    },
    /// What came back from an account's remote claims (claim it with claim-credits)
    Credits {
        owner: String,
    },
    /// Remote claims awaiting acknowledgement or timeout
    ClaimTransfers {
        #[arg(long)]
        start_after: Option<u64>,
        #[arg(long)]
        limit: Option<u32>,
    },
    /// Per denom: every unit received and where it is now
    Accounts,
    VersionAccount {
        dataset_id: u64,
        version: u32,
    },
    Metrics {
        from: u64,
        to: u64,
    },
    Governance,
}

/// `D/V/T` → a position.
pub fn parse_position(s: &str) -> Result<PositionRef> {
    let p: Vec<&str> = s.split('/').collect();
    let [d, v, t] = p.as_slice() else {
        bail!("position {s:?}: expected DATASET/VERSION/TRANCHE")
    };
    Ok(PositionRef {
        dataset_id: d.parse().context("dataset")?,
        version: v.parse().context("version")?,
        tranche_id: t.parse().context("tranche")?,
    })
}

/// `D/V:W` → an earmark.
pub fn parse_earmark(s: &str) -> Result<Earmark> {
    let (dv, w) = s.split_once(':').unwrap_or((s, "10000"));
    let (d, v) = dv
        .split_once('/')
        .ok_or_else(|| anyhow!("earmark {s:?}: expected DATASET/VERSION[:WEIGHT_BPS]"))?;
    Ok(Earmark {
        dataset_id: d.parse()?,
        version: v.parse()?,
        weight_bps: w.parse()?,
    })
}

/// Pays `coin` to the pool: native funds on `pay`, or the cw20 token's `send` hook.
pub async fn pay(ctx: &Ctx, label: &str, coin: Coin, pay: PayMsg) -> Result<Option<TxOutcome>> {
    let pool = ctx.contract(CONTRACT)?;
    match coin.denom.strip_prefix(CW20_PREFIX) {
        Some(token) => {
            let send = cw20::Cw20ExecuteMsg::Send {
                contract: pool,
                amount: coin.amount,
                msg: to_json_binary(&PoolReceiveMsg::Pay(pay))?,
            };
            ctx.execute(label, token, &send, vec![]).await
        }
        None => {
            let msg = PoolExec::Pay {
                earmarks: pay.earmarks,
                reason: pay.reason,
                payer: pay.payer,
            };
            ctx.execute(label, &pool, &msg, vec![coin]).await
        }
    }
}

pub async fn tx(ctx: &Ctx, cmd: RewardsTx) -> Result<Option<TxOutcome>> {
    let pool = ctx.contract(CONTRACT)?;
    match cmd {
        RewardsTx::Pay { amount, earmark } => {
            let earmarks = earmark.iter().map(|e| parse_earmark(e)).collect::<Result<_>>()?;
            let body = PayMsg {
                earmarks,
                reason: InflowReason::DirectPayment,
                payer: None,
            };
            pay(ctx, "pay", parse_coin(&amount)?, body).await
        }
        RewardsTx::FundEmissions { amount } => {
            let config: ConfigResponse = ctx.chain.query(&pool, &QueryMsg::Config {}).await?;
            let denom = config
                .config
                .emission
                .ok_or_else(|| anyhow!("emissions are not configured"))?
                .denom;
            match denom.strip_prefix(CW20_PREFIX) {
                Some(token) => {
                    let send = cw20::Cw20ExecuteMsg::Send {
                        contract: pool.clone(),
                        amount: amount.into(),
                        msg: to_json_binary(&PoolReceiveMsg::FundEmissions {})?,
                    };
                    ctx.execute("fund_emissions", token, &send, vec![]).await
                }
                None => {
                    let funds = vec![Coin::new(amount, denom)];
                    ctx.execute("fund_emissions", &pool, &ExecMsg::FundEmissions {}, funds)
                        .await
                }
            }
        }
        RewardsTx::CloseEpoch => {
            ctx.execute("close_epoch", &pool, &ExecMsg::CloseEpoch {}, vec![])
                .await
        }
        RewardsTx::SettleEpoch { limit } => {
            ctx.execute("settle_epoch", &pool, &ExecMsg::SettleEpoch { limit }, vec![])
                .await
        }
        RewardsTx::Crank { limit } => crank(ctx, limit).await.map(|_| None),
        RewardsTx::Claim { positions, remote } => {
            let positions = positions
                .iter()
                .map(|p| parse_position(p))
                .collect::<Result<_>>()?;
            let msg = ExecMsg::ClaimRewards {
                positions,
                to_chain: remote.recipient(ctx)?,
            };
            ctx.execute("claim_rewards", &pool, &msg, vec![]).await
        }
        RewardsTx::ClaimCurator { epochs, remote } => {
            let epochs = if epochs.is_empty() {
                claimable_curator_epochs(ctx, &pool).await?
            } else {
                epochs
            };
            if epochs.is_empty() {
                bail!("no settled, vested epoch with unclaimed review points");
            }
            let msg = ExecMsg::ClaimCuratorRewards {
                epochs,
                to_chain: remote.recipient(ctx)?,
            };
            ctx.execute("claim_curator_rewards", &pool, &msg, vec![]).await
        }
        RewardsTx::ClaimTreasury { remote } => {
            let msg = ExecMsg::ClaimTreasury {
                to_chain: remote.recipient(ctx)?,
            };
            // The pool pays a page of denoms per claim: claim until nothing more is owed.
            let treasury_claimed = format!("wasm-{}", events::TREASURY_CLAIMED);
            loop {
                let out = ctx.execute("claim_treasury", &pool, &msg, vec![]).await?;
                let more = out
                    .as_ref()
                    .and_then(|o| o.attr(&treasury_claimed, attr::MORE_OWED))
                    .is_some_and(|m| m == "true");
                if !more {
                    return Ok(out);
                }
            }
        }
        RewardsTx::ClaimCredits { remote } => {
            let msg = ExecMsg::ClaimCredits {
                to_chain: remote.recipient(ctx)?,
            };
            ctx.execute("claim_credits", &pool, &msg, vec![]).await
        }
        RewardsTx::WithdrawEmissionReserve { amount } => {
            let msg = ExecMsg::WithdrawEmissionReserve {
                amount: amount.into(),
            };
            ctx.execute("withdraw_emission_reserve", &pool, &msg, vec![])
                .await
        }
        RewardsTx::SetAcceptedDenom {
            denom,
            min_amount,
            value_weight,
            remove,
        } => {
            let accepted = (!remove)
                .then(|| -> Result<_> {
                    Ok(AcceptedDenom {
                        min_amount: min_amount.into(),
                        value_weight: value_weight.parse::<Decimal>()?,
                    })
                })
                .transpose()?;
            let msg = ExecMsg::SetAcceptedDenom { denom, accepted };
            ctx.execute("set_accepted_denom", &pool, &msg, vec![]).await
        }
        RewardsTx::AnnounceTreasury { address } => {
            let change = attrib_reward_distributor::state::DistributorChange::Treasury {
                address: ctx.resolve_address(&address)?,
            };
            governance::announce_change(ctx, &pool, change).await
        }
        RewardsTx::AnnouncePeers { json } => {
            let peers = governance::peers_json(&json)?;
            let change = attrib_reward_distributor::state::DistributorChange::Peers { peers };
            governance::announce_change(ctx, &pool, change).await
        }
        RewardsTx::ApplyChange => governance::apply_change(ctx, &pool).await,
        RewardsTx::CancelChange => governance::cancel_change(ctx, &pool).await,
        RewardsTx::UpdateConfig {
            treasury,
            protocol_bps,
            curator_bps,
            vesting_secs,
            top_k,
        } => {
            let update = ConfigUpdate {
                treasury: treasury.map(|t| ctx.resolve_address(&t)).transpose()?,
                rates: protocol_bps.zip(curator_bps).map(|(p, c)| TakeRates {
                    protocol_bps: p,
                    curator_bps: c,
                }),
                vesting_secs,
                top_k,
                ..Default::default()
            };
            ctx.execute("update_config", &pool, &ExecMsg::UpdateConfig { update }, vec![])
                .await
        }
        RewardsTx::Governance(g) => crate::governance::tx(ctx, &pool, g).await,
    }
}

/// Closes and settles every due epoch; returns the epochs closed.
pub async fn crank(ctx: &Ctx, limit: u32) -> Result<Vec<u64>> {
    let pool = ctx.contract(CONTRACT)?;
    let mut closed = vec![];
    loop {
        let c: ConfigResponse = ctx.chain.query(&pool, &QueryMsg::Config {}).await?;
        if c.settling.is_none() {
            if c.next_close >= c.current_epoch {
                break;
            }
            ctx.execute("close_epoch", &pool, &ExecMsg::CloseEpoch {}, vec![])
                .await?;
            let after: ConfigResponse = ctx.chain.query(&pool, &QueryMsg::Config {}).await?;
            closed.extend(after.settling);
            continue;
        }
        ctx.execute("settle_epoch", &pool, &ExecMsg::SettleEpoch { limit }, vec![])
            .await?;
    }
    Ok(closed)
}

/// Settled, vested epochs where the signer has review points it has not claimed.
async fn claimable_curator_epochs(ctx: &Ctx, pool: &str) -> Result<Vec<u64>> {
    let me = ctx.signer()?.address.to_string();
    let c: ConfigResponse = ctx.chain.query(pool, &QueryMsg::Config {}).await?;
    let now = ctx.chain.block_time().await?;
    let mut epochs = vec![];
    for epoch in 0..c.next_close {
        let r: Result<CuratorRewardsResponse> = ctx
            .chain
            .query(
                pool,
                &QueryMsg::CuratorRewards {
                    epoch,
                    curator: me.clone(),
                },
            )
            .await;
        let Ok(r) = r else { continue };
        let vested = r.vest_at.is_some_and(|v| v <= now);
        if r.points > 0 && !r.claimed && vested && !r.amounts.is_empty() {
            epochs.push(epoch);
        }
        if epochs.len() == 30 {
            break;
        }
    }
    Ok(epochs)
}

pub async fn query(ctx: &Ctx, cmd: RewardsQuery) -> Result<()> {
    let pool = ctx.contract(CONTRACT)?;
    let q = |m: QueryMsg| async move { ctx.chain.query::<_, serde_json::Value>(&pool, &m).await };
    let v = match cmd {
        RewardsQuery::Config => q(QueryMsg::Config {}).await?,
        RewardsQuery::AcceptedDenoms => q(QueryMsg::AcceptedDenoms {}).await?,
        RewardsQuery::Epoch { epoch } => q(QueryMsg::Epoch { epoch }).await?,
        RewardsQuery::Position { position } => {
            let p = parse_position(&position)?;
            q(QueryMsg::Position {
                dataset_id: p.dataset_id,
                version: p.version,
                tranche_id: p.tranche_id,
            })
            .await?
        }
        RewardsQuery::CuratorRewards { epoch, curator } => {
            q(QueryMsg::CuratorRewards {
                epoch,
                curator: ctx.resolve_address(&curator)?,
            })
            .await?
        }
        RewardsQuery::Treasury { address } => {
            let address = address.map(|a| ctx.resolve_address(&a)).transpose()?;
            q(QueryMsg::Treasury { address }).await?
        }
        RewardsQuery::Credits { owner } => {
            let owner = ctx.resolve_address(&owner)?;
            q(QueryMsg::Credits { owner }).await?
        }
        RewardsQuery::ClaimTransfers { start_after, limit } => {
            q(QueryMsg::ClaimTransfers { start_after, limit }).await?
        }
        RewardsQuery::Accounts => q(QueryMsg::Accounts {}).await?,
        RewardsQuery::VersionAccount { dataset_id, version } => {
            q(QueryMsg::VersionAccount { dataset_id, version }).await?
        }
        RewardsQuery::Metrics { from, to } => q(QueryMsg::Metrics { from, to }).await?,
        RewardsQuery::Governance => {
            ctx.chain
                .query(&ctx.contract(CONTRACT)?, &GovQuery::Governance {})
                .await?
        }
    };
    ctx.print_json(&v)
}

/// `attrib stats`: SPEC §8 for a range of epochs, as a table (text) or JSON.
pub async fn stats(ctx: &Ctx, from: Option<u64>, to: Option<u64>) -> Result<()> {
    let pool = ctx.contract(CONTRACT)?;
    let c: ConfigResponse = ctx.chain.query(&pool, &QueryMsg::Config {}).await?;
    let to = to.unwrap_or(c.current_epoch);
    let from = from.unwrap_or(to.saturating_sub(9));
    let m: MetricsResponse = ctx.chain.query(&pool, &QueryMsg::Metrics { from, to }).await?;
    if ctx.g.output == Output::Json {
        return ctx.print_json(&m);
    }
    print!("{}", stats_table(&m));
    Ok(())
}

fn pct(bps: u32) -> String {
    format!("{}.{:02}%", bps / 100, bps % 100)
}

/// The metrics as a text table, one row per epoch and a totals block.
pub fn stats_table(m: &MetricsResponse) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "{:>5} {:>8} {:>12} {:>10} {:>8} {:>7} {:>6} {:>6} {:>6} {:>7} {:>7} {:>6} {:>9} {:>16}\n",
        "epoch",
        "status",
        "fee value",
        "emission",
        "emis%",
        "inflow",
        "buyers",
        "return",
        "points",
        "nak⅓/½",
        "HHI",
        "top-k",
        "disputes",
        "acc/rej/rev/dup"
    ));
    for e in &m.epochs {
        let (nak, hhi, topk) = match &e.concentration {
            Some(c) => (
                format!("{}/{}", c.nakamoto_one_third, c.nakamoto_one_half),
                pct(c.hhi_bps),
                pct(c.top_k_share_bps),
            ),
            None => ("-".into(), "-".into(), "-".into()),
        };
        let disputes = e
            .disputes
            .as_ref()
            .map(|d| format!("{}/{}/{}", d.opened, d.upheld, d.changed_outcome))
            .unwrap_or_else(|| "-".into());
        let quality = e
            .quality
            .as_ref()
            .map(|q| format!("{}/{}/{}/{}", q.accepted, q.rejected, q.revoked, q.dedup_hits))
            .unwrap_or_else(|| "-".into());
        out.push_str(&format!(
            "{:>5} {:>8} {:>12} {:>10} {:>8} {:>7} {:>6} {:>6} {:>6} {:>7} {:>7} {:>6} {:>9} {:>16}\n",
            e.epoch,
            if e.settled { "settled" } else { "open" },
            e.fee_value,
            e.emission,
            pct(e.emission_share_bps),
            e.inflows,
            e.buyers,
            e.returning_buyers,
            e.curator_points,
            nak,
            hhi,
            topk,
            disputes,
            quality
        ));
    }
    out.push_str(&format!(
        "range: fee value {}  emission {}  emission share {}  (fee-funded {})\n",
        m.fee_value,
        m.emission,
        pct(m.emission_share_bps),
        pct(10_000 - m.emission_share_bps)
    ));
    out.push_str(&format!(
        "buyers: {} distinct, {} paid in two or more epochs\n",
        m.buyers.distinct, m.buyers.repeat
    ));
    out.push_str(&audits_line(m));
    for p in &m.paid {
        let kind = match p.funding {
            Funding::Fee => "fee-funded",
            Funding::Emission => "emission-funded",
        };
        out.push_str(&format!("paid out: {} {} ({kind})\n", p.amount, p.denom));
    }
    out
}

/// SPEC §8 audits, as of the latest epoch of the range that has them (the counters run
/// since the contracts began): fraud proofs, inclusion requests and omission claims,
/// filed and upheld. A fraud proof that fails reverts, so every one counted was upheld.
pub fn audits_line(m: &MetricsResponse) -> String {
    let oracle = m
        .epochs
        .iter()
        .rev()
        .find_map(|e| e.audits.as_ref().map(|a| (e.epoch, a)));
    let claims = m.epochs.iter().rev().find_map(|e| e.disputes.as_ref());
    if oracle.is_none() && claims.is_none() {
        return "audits: -\n".into();
    }
    let mut out = String::from("audits:");
    if let Some((epoch, a)) = oracle {
        out.push_str(&format!(
            " fraud proofs {} upheld; inclusion requests {} filed, {} answered, {} upheld (epoch {epoch});",
            a.fraud_proofs, a.inclusion_requests, a.inclusion_answered, a.inclusion_upheld
        ));
    }
    if let Some(d) = claims {
        out.push_str(&format!(
            " omission claims {} filed, {} upheld;",
            d.omission_opened, d.omission_upheld
        ));
    }
    out.pop();
    out.push('\n');
    out
}

/// Used by the demo and tests: the vested amount of a position in one denom.
pub fn sum_amounts(list: &[attrib_reward_distributor::msg::RewardAmount], denom: &str) -> Uint128 {
    list.iter().filter(|a| a.denom == denom).map(|a| a.amount).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn metrics(audits: Option<attrib_std::interfaces::omission_target::AuditStats>) -> MetricsResponse {
        use attrib_reward_distributor::msg::EpochMetrics;
        let epoch = |epoch: u64, audits| EpochMetrics {
            epoch,
            settled: true,
            fee_value: Uint128::zero(),
            emission: Uint128::zero(),
            emission_share_bps: 0,
            fees: vec![],
            inflows: 1,
            buyers: 0,
            returning_buyers: 0,
            curator_points: 0,
            concentration: None,
            disputes: Some(attrib_std::interfaces::points_source::DisputeStats {
                opened: 3,
                upheld: 2,
                omission_opened: 2,
                omission_upheld: 1,
                ..Default::default()
            }),
            quality: None,
            audits,
        };
        MetricsResponse {
            epochs: vec![epoch(4, None), epoch(5, audits.clone())],
            fee_value: Uint128::zero(),
            emission: Uint128::zero(),
            emission_share_bps: 0,
            buyers: attrib_reward_distributor::state::BuyerTotals {
                distinct: 0,
                repeat: 0,
            },
            paid: vec![],
        }
    }

    #[test]
    fn stats_print_the_audits_line() {
        let a = attrib_std::interfaces::omission_target::AuditStats {
            fraud_proofs: 7,
            inclusion_requests: 4,
            inclusion_answered: 3,
            inclusion_upheld: 1,
        };
        let table = stats_table(&metrics(Some(a)));
        assert!(
            table.contains(
                "audits: fraud proofs 7 upheld; inclusion requests 4 filed, 3 answered, 1 upheld (epoch 5); \
                 omission claims 2 filed, 1 upheld\n"
            ),
            "{table}"
        );
        // No oracle snapshot: the omission claims alone.
        assert_eq!(
            audits_line(&metrics(None)),
            "audits: omission claims 2 filed, 1 upheld\n"
        );
    }

    #[test]
    fn positions_and_earmarks_parse() {
        assert_eq!(
            parse_position("1/2/3").unwrap(),
            PositionRef {
                dataset_id: 1,
                version: 2,
                tranche_id: 3
            }
        );
        assert!(parse_position("1/2").is_err());
        assert_eq!(parse_earmark("4/1:2500").unwrap().weight_bps, 2_500);
        assert_eq!(parse_earmark("4/1").unwrap().weight_bps, 10_000);
        assert!(parse_earmark("4").is_err());
    }
}
