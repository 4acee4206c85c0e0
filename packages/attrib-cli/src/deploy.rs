//! `attrib deploy`: store every built contract and the protocol cw20 token, instantiate
//! and wire them, and write `deployments/<chain-id>.json`. Without `--fresh`, a
//! deployment whose contracts are live on the chain with the same checksums is reused.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context, Result};
use clap::Args;
use cosmrs::cosmwasm::{MsgInstantiateContract, MsgStoreCode};
use cosmrs::proto::cosmwasm::wasm::v1::{QueryContractInfoRequest, QueryContractInfoResponse};
use cosmrs::tx::Msg;
use cosmrs::AccountId;
use prost::Message;

use crate::context::{parse_coin, Ctx};
use crate::deployments::{Deployed, Deployments};
use crate::keys::Signer;

#[derive(Args, Debug)]
pub struct DeployArgs {
    /// Folder with the optimized wasm and checksums.txt (scripts/build-wasm.sh)
    #[arg(long, default_value = "artifacts")]
    pub artifacts: PathBuf,
    /// Deploy new contracts even if the deployments file points at live ones
    #[arg(long)]
    pub fresh: bool,
    /// The protocol treasury: receives the protocol fee from the reward distributor
    /// (key name or address)
    #[arg(long, default_value = "treasury")]
    pub treasury: String,
    /// Protocol fee and curator pool, basis points of every epoch's fees
    #[arg(long, default_value_t = 1_000)]
    pub protocol_bps: u32,
    #[arg(long, default_value_t = 1_500)]
    pub curator_bps: u32,
    /// Emission factor k (at most protocol + curator bps), basis points of fee value
    #[arg(long, default_value_t = 2_500)]
    pub emission_k_bps: u32,
    /// Emission schedule: protocol-token base units per epoch (halving never)
    #[arg(long, default_value_t = 1_000_000_000)]
    pub emission_per_epoch: u128,
    /// Protocol tokens the admin puts in the emission reserve at deploy
    #[arg(long, default_value_t = 100_000_000_000)]
    pub emission_reserve: u128,
    /// Rewards vest this long after their epoch closes (the dispute window), seconds
    #[arg(long, default_value_t = 30)]
    pub vesting_secs: u64,
    /// Least direct payment in uatr accepted from outsiders (anti-dust)
    #[arg(long, default_value_t = 1_000)]
    pub min_payment: u128,
    #[arg(long, default_value = "1000uatr")]
    pub schema_fee: String,
    #[arg(long, default_value = "100000uatr")]
    pub dataset_bond: String,
    #[arg(long, default_value = "10000uatr")]
    pub tranche_bond: String,
    /// Optimistic tranches' challenge window, seconds (short on a local chain)
    #[arg(long, default_value_t = 10)]
    pub challenge_window_secs: u64,
    #[arg(long, default_value_t = 100)]
    pub max_tranches_per_version: u32,
    /// Key names that receive protocol tokens when the token is created
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "admin,curator1,curator2,curator3,operator,auditor"
    )]
    pub token_holders: Vec<String>,
    #[arg(long, default_value_t = 1_000_000_000_000)]
    pub token_amount: u128,
    /// Curator staking parameters (JSON of `Params`); defaults suit a local chain:
    /// short commit/reveal phases and unbonding.
    #[arg(long)]
    pub curation_params: Option<String>,
    /// Length of review-point and reward epochs, seconds (overrides the curation params)
    #[arg(long)]
    pub epoch_secs: Option<u64>,
    /// Receipt oracle parameters (JSON of its `Params`); defaults suit a local chain.
    #[arg(long)]
    pub oracle_params: Option<String>,
}

/// Receipt oracle parameters for a local chain: hour-long epochs, a 15 s dispute window.
pub fn local_oracle_params() -> attrib_receipt_oracle::state::Params {
    attrib_receipt_oracle::state::Params {
        epoch_secs: 3_600,
        posting_grace_secs: 600,
        dispute_window_secs: 15,
        operator_min_bond: 1_000_000u128.into(),
        fraud_slash_bps: 2_000,
        max_lineage: 16,
        max_parent_depth: 2,
        withdraw_notice_secs: 60,
        model_bond: 100_000u128.into(),
        omission_weight_bps: 1_000,
        omission_claimant_share_bps: 5_000,
        max_back_epochs: 24,
        // A request pays the operator's answer (about 0.2 ATR of gas at 0.025uatr).
        inclusion_fee: cosmwasm_std::coin(10_000, "uatr"),
        inclusion_response_secs: 20,
        max_inclusion_requests: 16,
    }
}

/// Curator staking parameters for a local chain: committees of 3, 60 s phases, 3-minute
/// epochs (the reward distributor's clock), stake in protocol tokens (6 decimals). Reveals open once every member committed and a review
/// can be finalized once every member revealed, so long phases cost nothing when all vote.
pub fn local_curation_params() -> attrib_curator_staking::msg::Params {
    attrib_curator_staking::msg::Params {
        min_stake: 1_000_000u128.into(),
        // Two minutes: an acceptor stays slashable through the dispute window, and a
        // withholder through the draw timeout (at most half of it).
        unbonding_secs: 120,
        committee_size: 3,
        dispute_committee_size: 3,
        max_weight_bps: 5_000,
        commit_secs: 60,
        reveal_secs: 60,
        quorum_bps: 5_000,
        non_reveal_slash_bps: 100,
        wrong_accept_slash_bps: 1_000,
        dispute_bond: 5_000_000u128.into(),
        dispute_window_secs: 60,
        challenger_share_bps: 5_000,
        max_rounds: 2,
        // Reward epochs run on this clock: three minutes, so the demo closes one.
        epoch_secs: 180,
        max_stakers: 200,
        change_delay_secs: attrib_std::timelock::CHANGE_DELAY_SECS.0,
        // A committee is drawn from the entropy of every curator's commitment outstanding
        // when its review opened, revealed after (at least one; the CLI reveals before
        // voting); after a minute the admin may draw.
        draw_reveals: 1,
        draw_timeout_secs: 60,
    }
}

/// The artifacts this deployment stores, by contract name.
const ARTIFACTS: &[(&str, &str)] = &[
    ("protocol_token", "attrib_protocol_token.wasm"),
    ("registry", "attrib_registry.wasm"),
    ("curator_staking", "attrib_curator_staking.wasm"),
    ("receipt_oracle", "attrib_receipt_oracle.wasm"),
    ("reward_distributor", "attrib_reward_distributor.wasm"),
];

fn checksums(dir: &Path) -> Result<BTreeMap<String, String>> {
    let text = std::fs::read_to_string(dir.join("checksums.txt"))
        .with_context(|| format!("no {}/checksums.txt: run scripts/build-wasm.sh", dir.display()))?;
    Ok(text
        .lines()
        .filter_map(|l| l.split_once(char::is_whitespace))
        .map(|(sum, file)| (file.trim().trim_start_matches('*').to_string(), sum.to_string()))
        .collect())
}

async fn contract_exists(ctx: &Ctx, address: &str) -> bool {
    let req = QueryContractInfoRequest {
        address: address.to_string(),
    };
    match ctx
        .chain
        .rpc_abci("/cosmwasm.wasm.v1.Query/ContractInfo", req.encode_to_vec())
        .await
    {
        Ok(bytes) => QueryContractInfoResponse::decode(bytes.as_slice())
            .map(|r| r.contract_info.is_some())
            .unwrap_or(false),
        Err(_) => false,
    }
}

pub async fn run(ctx: &Ctx, args: DeployArgs) -> Result<Deployments> {
    let sums = checksums(&args.artifacts)?;
    let path = ctx.deployments_path();
    if !args.fresh {
        if let Ok(existing) = Deployments::load(&path) {
            let mut live = existing.chain_id == ctx.g.chain_id;
            for (name, file) in ARTIFACTS {
                let same = existing
                    .contracts
                    .get(*name)
                    .is_some_and(|d| sums.get(*file) == Some(&d.checksum));
                live = live && same && contract_exists(ctx, &existing.contracts[*name].address).await;
            }
            if live {
                eprintln!(
                    "reusing the deployment in {} (use --fresh to deploy anew)",
                    path.display()
                );
                return Ok(existing);
            }
        }
    }

    let signer = ctx.signer()?;
    let keys = ctx.keys()?;
    let mut out = Deployments {
        chain_id: ctx.g.chain_id.clone(),
        node: ctx.g.node.clone(),
        app_version: ctx.chain.app_version().await.unwrap_or_default(),
        // Channels belong to the chain, not to a deployment: keep the ones recorded,
        // unless --fresh (a reset chain has none; scripts/ibc.sh records them again).
        ibc: Deployments::load(&ctx.deployments_path())
            .ok()
            .filter(|_| !args.fresh)
            .map(|d| d.ibc)
            .unwrap_or_default(),
        ..Default::default()
    };
    let mut code_ids = BTreeMap::new();
    for (name, file) in ARTIFACTS {
        let wasm = std::fs::read(args.artifacts.join(file)).with_context(|| format!("reading {file}"))?;
        let msg = MsgStoreCode {
            sender: signer.address.clone(),
            wasm_byte_code: wasm,
            instantiate_permission: None,
        };
        let o = send(
            ctx,
            &signer,
            &format!("store {file}"),
            msg.to_any().map_err(|e| anyhow!("{e}"))?,
        )
        .await?;
        let code_id: u64 = o
            .attr("store_code", "code_id")
            .ok_or_else(|| anyhow!("no code_id event"))?
            .parse()?;
        eprintln!("stored {file}: code id {code_id} (gas {})", o.gas_used);
        code_ids.insert(*name, code_id);
    }

    let admin = signer.address.to_string();
    let treasury = ctx.resolve_address(&args.treasury)?;
    let holders = args
        .token_holders
        .iter()
        .map(|h| {
            Ok(cw20::Cw20Coin {
                address: keys.address(h).or_else(|_| ctx.resolve_address(h))?,
                amount: args.token_amount.into(),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let token_msg = cw20_base::msg::InstantiateMsg {
        name: "Attrib Protocol Token".into(),
        symbol: "ATRB".into(),
        decimals: 6,
        initial_balances: holders,
        mint: Some(cw20::MinterResponse {
            minter: admin.clone(),
            cap: None,
        }),
        marketing: None,
    };
    let token = instantiate(
        ctx,
        &signer,
        code_ids["protocol_token"],
        "attrib protocol token",
        &token_msg,
    )
    .await?;

    let registry_msg = attrib_registry::contract::sv::InstantiateMsg {
        config: attrib_registry::msg::InstantiateConfig {
            admin: Some(admin.clone()),
            // Pointed at the reward distributor below, once it exists.
            reward_pool: admin.clone(),
            curator_staking: None,
            schema_fee: Some(parse_coin(&args.schema_fee)?),
            dataset_bond: Some(parse_coin(&args.dataset_bond)?),
            tranche_bond: Some(parse_coin(&args.tranche_bond)?),
            challenge_window_secs: args.challenge_window_secs,
            max_tranches_per_version: args.max_tranches_per_version,
        },
    };
    let registry = instantiate(
        ctx,
        &signer,
        code_ids["registry"],
        "attrib registry",
        &registry_msg,
    )
    .await?;

    let mut params: attrib_curator_staking::msg::Params = match &args.curation_params {
        Some(json) => serde_json::from_str(json).map_err(|e| anyhow!("--curation-params: {e}"))?,
        None => local_curation_params(),
    };
    if let Some(secs) = args.epoch_secs {
        params.epoch_secs = secs;
    }
    let staking_msg = attrib_curator_staking::contract::sv::InstantiateMsg {
        config: attrib_curator_staking::msg::InstantiateConfig {
            admin: Some(admin.clone()),
            registry: registry.clone(),
            reward_pool: admin.clone(),
            stake_denom: None,
            stake_cw20: Some(token.clone()),
            params,
        },
    };
    let staking = instantiate(
        ctx,
        &signer,
        code_ids["curator_staking"],
        "attrib curator staking",
        &staking_msg,
    )
    .await?;
    // The reward distributor runs on curator staking's clock (review points are per epoch).
    let token_denom = attrib_std::funds::cw20_denom(&cosmwasm_std::Addr::unchecked(&token));
    let accept = |denom: &str, min: u128| attrib_reward_distributor::msg::AcceptedDenomEntry {
        denom: denom.to_string(),
        accepted: attrib_reward_distributor::state::AcceptedDenom {
            min_amount: min.into(),
            value_weight: cosmwasm_std::Decimal::one(),
        },
    };
    let pool_msg = attrib_reward_distributor::contract::sv::InstantiateMsg {
        config: attrib_reward_distributor::msg::InstantiateConfig {
            admin: Some(admin.clone()),
            treasury: treasury.clone(),
            registry: Some(registry.clone()),
            curator_staking: Some(staking.clone()),
            receipt_oracle: None,
            clock: None,
            rates: attrib_std::rewards::TakeRates {
                protocol_bps: args.protocol_bps,
                curator_bps: args.curator_bps,
            },
            vesting_secs: args.vesting_secs,
            emission: Some(attrib_reward_distributor::state::EmissionConfig {
                denom: token_denom.clone(),
                schedule: attrib_std::rewards::EmissionSchedule {
                    per_epoch: args.emission_per_epoch.into(),
                    halving_epochs: 0,
                },
                k_bps: args.emission_k_bps,
            }),
            accepted: vec![
                accept(&parse_coin(&args.tranche_bond)?.denom, args.min_payment),
                accept(&token_denom, 1),
            ],
            top_k: 3,
            // The shortest delay: a local chain's admin moves nothing after wiring.
            change_delay_secs: Some(attrib_std::timelock::CHANGE_DELAY_SECS.0),
        },
    };
    let reward_pool = instantiate(
        ctx,
        &signer,
        code_ids["reward_distributor"],
        "attrib reward distributor",
        &pool_msg,
    )
    .await?;
    let oracle_params = match &args.oracle_params {
        Some(json) => serde_json::from_str(json).map_err(|e| anyhow!("--oracle-params: {e}"))?,
        None => local_oracle_params(),
    };
    let oracle_msg = attrib_receipt_oracle::contract::sv::InstantiateMsg {
        config: attrib_receipt_oracle::msg::InstantiateConfig {
            admin: Some(admin.clone()),
            registry: registry.clone(),
            curator_staking: staking.clone(),
            reward_pool: reward_pool.clone(),
            params: oracle_params,
        },
    };
    let oracle = instantiate(
        ctx,
        &signer,
        code_ids["receipt_oracle"],
        "attrib receipt oracle",
        &oracle_msg,
    )
    .await?;
    // Every contract is pointed at its peers by the one wiring plan of attrib-std (the
    // multi-test protocol builder sends the same messages), in one transaction.
    let steps = attrib_std::wiring::plan(&attrib_std::wiring::Protocol {
        registry: registry.clone(),
        curator_staking: staking.clone(),
        receipt_oracle: oracle.clone(),
        reward_distributor: reward_pool.clone(),
    });
    let msgs = steps
        .iter()
        .map(|s| crate::context::execute_any(&signer.address, &s.contract, &serde_json::to_vec(&s.msg)?, &[]))
        .collect::<Result<Vec<_>>>()?;
    let o = crate::progress::spin(
        "wire the contracts to their peers",
        ctx.chain.send(&signer, msgs, &ctx.settings()?),
    )
    .await?;
    for s in &steps {
        eprintln!("wired {}", s.what);
    }
    eprintln!("(gas {})", o.gas_used);
    if args.emission_reserve > 0 {
        let fund = cw20::Cw20ExecuteMsg::Send {
            contract: reward_pool.clone(),
            amount: args.emission_reserve.into(),
            msg: cosmwasm_std::to_json_binary(&attrib_std::rewards::PoolReceiveMsg::FundEmissions {})?,
        };
        let any = crate::context::execute_any(&signer.address, &token, &serde_json::to_vec(&fund)?, &[])?;
        send(ctx, &signer, "fund the emission reserve", any).await?;
        eprintln!(
            "funded the emission reserve with {} protocol tokens",
            args.emission_reserve
        );
    }

    let addresses: BTreeMap<&str, String> = [
        ("protocol_token", token),
        ("registry", registry),
        ("curator_staking", staking),
        ("receipt_oracle", oracle),
        ("reward_distributor", reward_pool.clone()),
    ]
    .into_iter()
    .collect();
    for (name, file) in ARTIFACTS {
        let address = addresses[name].clone();
        out.contracts.insert(
            name.to_string(),
            Deployed {
                code_id: code_ids[name],
                checksum: sums.get(*file).cloned().unwrap_or_default(),
                address,
            },
        );
    }
    out.accounts.insert("admin".into(), admin);
    out.accounts.insert("reward_pool".into(), reward_pool);
    out.accounts.insert("treasury".into(), treasury);
    out.deployed_at_height = ctx.chain.height().await?;
    out.save(&path)?;
    eprintln!("wrote {}", path.display());
    Ok(out)
}

async fn send(ctx: &Ctx, signer: &Signer, label: &str, any: cosmrs::Any) -> Result<crate::chain::TxOutcome> {
    crate::progress::spin(label, ctx.chain.send(signer, vec![any], &ctx.settings()?)).await
}

async fn instantiate<M: serde::Serialize>(
    ctx: &Ctx,
    signer: &Signer,
    code_id: u64,
    label: &str,
    msg: &M,
) -> Result<String> {
    let admin: AccountId = signer.address.clone();
    let m = MsgInstantiateContract {
        sender: signer.address.clone(),
        admin: Some(admin),
        code_id,
        label: Some(label.to_string()),
        msg: serde_json::to_vec(msg)?,
        funds: vec![],
    };
    let o = send(
        ctx,
        signer,
        &format!("instantiate {label}"),
        m.to_any().map_err(|e| anyhow!("{e}"))?,
    )
    .await?;
    let addr = o
        .attr("instantiate", "_contract_address")
        .ok_or_else(|| anyhow!("no contract address in events"))?;
    if addr.is_empty() {
        bail!("empty contract address");
    }
    eprintln!("instantiated {label}: {addr} (gas {})", o.gas_used);
    Ok(addr)
}
