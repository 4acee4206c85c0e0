//! `attrib bench gas`: gas used by each contract message on a live chain, next to a
//! cw20-base `transfer` measured in the same run, printed as a table and written as JSON
//! (`target/gas-table.json`) so runs can be compared.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{anyhow, Context, Result};
use attrib_registry::contract::sv::{ExecMsg, QueryMsg};
use attrib_registry::msg::ConfigResponse;
use attrib_std::interfaces::governance::sv::ExecMsg as GovExec;
use attrib_std::registry::{LicenseExpiry, LicenseId, LicenseTerms, VerificationTier};
use clap::Subcommand;
use cosmwasm_std::{coin, Coin, HexBinary};
use serde::Serialize;

use crate::chain::TxOutcome;
use crate::context::{execute_any, Ctx};

#[derive(Subcommand, Debug)]
pub enum BenchCmd {
    /// Measure gas of every registry message against a cw20 transfer
    Gas {
        #[arg(long, default_value = "target/gas-table.json")]
        out: PathBuf,
    },
}

#[derive(Serialize)]
struct Entry {
    contract: String,
    message: String,
    gas_used: u64,
    ratio_to_cw20_transfer: f64,
    note: String,
}

#[derive(Serialize)]
struct Table {
    chain_id: String,
    app_version: String,
    height: u64,
    reference: Reference,
    entries: Vec<Entry>,
}

#[derive(Serialize)]
struct Reference {
    message: String,
    gas_used: u64,
}

/// A contract under measurement: its address and the name shown in the table.
struct Target {
    addr: String,
    name: &'static str,
}

struct Bench<'a> {
    ctx: &'a Ctx,
    rows: Vec<(String, String, u64, String)>,
}

impl Bench<'_> {
    async fn exec<M: Serialize>(
        &mut self,
        key: &str,
        t: &Target,
        label: &str,
        msg: &M,
        funds: Vec<Coin>,
        note: &str,
    ) -> Result<TxOutcome> {
        let (contract, cname) = (&t.addr, t.name);
        let signer = self.ctx.keys()?.signer(key, &self.ctx.g.prefix)?;
        let any = execute_any(&signer.address, contract, &serde_json::to_vec(msg)?, &funds)?;
        let o = self
            .ctx
            .chain
            .send(&signer, vec![any], &self.ctx.settings()?)
            .await
            .with_context(|| label.to_string())?;
        eprintln!("  {cname:<10} {label:<34} {:>9}", o.gas_used);
        self.rows
            .push((cname.into(), label.into(), o.gas_used, note.into()));
        Ok(o)
    }
}

fn id_from(o: &TxOutcome, event: &str, key: &str) -> Result<u64> {
    o.attr(&format!("wasm-{event}"), key)
        .ok_or_else(|| anyhow!("no {key} in {event}"))?
        .parse()
        .map_err(Into::into)
}

pub async fn run(ctx: &Ctx, cmd: BenchCmd) -> Result<()> {
    let BenchCmd::Gas { out } = cmd;
    let deployments = ctx.deployments()?;
    let registry = Target {
        addr: deployments.address("registry")?,
        name: "registry",
    };
    let token = Target {
        addr: deployments.address("protocol_token")?,
        name: "cw20",
    };
    let keys = ctx.keys()?;
    let nonce = ctx.chain.height().await?;
    let root = |i: u8| {
        use sha2::{Digest, Sha256};
        HexBinary::from(Sha256::digest(format!("bench-{nonce}-{i}")).to_vec())
    };
    let mut b = Bench { ctx, rows: vec![] };
    eprintln!("measuring gas on {} (node {})", ctx.g.chain_id, ctx.g.node);

    let transfer = cw20::Cw20ExecuteMsg::Transfer {
        recipient: keys.address("alice")?,
        amount: 1_000u128.into(),
    };
    let reference = b
        .exec("admin", &token, "transfer", &transfer, vec![], "reference")
        .await?
        .gas_used;

    let config: ConfigResponse = ctx.chain.query(&registry.addr, &QueryMsg::Config {}).await?;
    let c = config.config;
    let fee: Vec<Coin> = c.schema_fee.clone().into_iter().collect();
    let o = b
        .exec(
            "maintainer",
            &registry,
            "register_schema",
            &ExecMsg::RegisterSchema {
                uri: "ipfs://bench/schema".into(),
                hash: root(0),
            },
            fee,
            "",
        )
        .await?;
    let schema_id = id_from(&o, attrib_std::events::SCHEMA_REGISTERED, "schema_id")?;
    let terms = LicenseTerms {
        license: LicenseId::Spdx("CC-BY-4.0".into()),
        commercial_use: true,
        derivatives_allowed: true,
        price: vec![coin(5_000, "uatr")],
        royalty_per_unit: vec![coin(1, "uatr")],
        expiry: LicenseExpiry::AfterSeconds(86_400),
    };
    let dataset_msg = |name: &str| ExecMsg::RegisterDataset {
        name: name.into(),
        schema_id,
        metadata_uri: "ipfs://bench/dataset".into(),
        terms: terms.clone(),
        tier: VerificationTier::Optimistic,
        weight_rule: None,
        canaries: Some(vec![root(200)]),
    };
    let bond: Vec<Coin> = c.dataset_bond.clone().into_iter().collect();
    let o = b
        .exec(
            "maintainer",
            &registry,
            "register_dataset",
            &dataset_msg("bench"),
            bond.clone(),
            "optimistic, 1 canary",
        )
        .await?;
    let dataset_id = id_from(&o, attrib_std::events::DATASET_REGISTERED, "dataset_id")?;

    let tbond: Vec<Coin> = c.tranche_bond.clone().into_iter().collect();
    let mut tranches = vec![];
    for (i, who) in ["alice", "bob", "carol"].iter().enumerate() {
        let msg = ExecMsg::RegisterTranche {
            dataset_id,
            content_root: root(10 + i as u8),
            record_count: 1_000,
            byte_size: 5_000_000,
            metadata_uri: "ipfs://bench/tranche".into(),
        };
        let label = if i == 0 {
            "register_tranche".to_string()
        } else {
            format!("register_tranche #{}", i + 1)
        };
        let o = b
            .exec(who, &registry, &label, &msg, tbond.clone(), "optimistic tier")
            .await?;
        tranches.push(id_from(&o, attrib_std::events::TRANCHE_REGISTERED, "tranche_id")?);
    }
    let dup = ExecMsg::RegisterTranche {
        dataset_id,
        content_root: root(10),
        record_count: 1_000,
        byte_size: 5_000_000,
        metadata_uri: "ipfs://bench/dup".into(),
    };
    b.exec(
        "spammer",
        &registry,
        "register_tranche (duplicate)",
        &dup,
        tbond.clone(),
        "refused, bond forfeited",
    )
    .await?;
    b.exec(
        "maintainer",
        &registry,
        "add_canary",
        &ExecMsg::AddCanary {
            dataset_id,
            commitment: root(201),
        },
        vec![],
        "",
    )
    .await?;
    b.exec(
        "maintainer",
        &registry,
        "update_license_terms",
        &ExecMsg::UpdateLicenseTerms {
            dataset_id,
            terms: terms.clone(),
        },
        vec![],
        "",
    )
    .await?;

    eprintln!(
        "  waiting {}s for the challenge window",
        c.challenge_window_secs + 1
    );
    tokio::time::sleep(Duration::from_secs(c.challenge_window_secs + 1)).await;
    for (i, t) in tranches.iter().enumerate() {
        let label = if i == 0 {
            "accept_unchallenged".to_string()
        } else {
            format!("accept_unchallenged #{}", i + 1)
        };
        b.exec(
            "auditor",
            &registry,
            &label,
            &ExecMsg::AcceptUnchallenged { tranche_id: *t },
            vec![],
            "bond returned",
        )
        .await?;
    }
    b.exec(
        "maintainer",
        &registry,
        "seal_version (3 tranches)",
        &ExecMsg::SealVersion {
            dataset_id,
            tranche_ids: tranches.clone(),
        },
        vec![],
        "3 contributors, bond returned",
    )
    .await?;
    b.exec(
        "devshop",
        &registry,
        "buy_license",
        &ExecMsg::BuyLicense {
            dataset_id,
            version: 1,
            licensee: None,
        },
        vec![coin(5_000, "uatr")],
        "payment forwarded",
    )
    .await?;

    let o = b
        .exec(
            "maintainer",
            &registry,
            "register_dataset #2",
            &dataset_msg("bench-retire"),
            bond,
            "",
        )
        .await?;
    let retire_id = id_from(&o, attrib_std::events::DATASET_REGISTERED, "dataset_id")?;
    b.exec(
        "maintainer",
        &registry,
        "retire_dataset",
        &ExecMsg::RetireDataset {
            dataset_id: retire_id,
        },
        vec![],
        "bond forfeited",
    )
    .await?;

    let update = attrib_registry::msg::ConfigUpdate {
        challenge_window_secs: Some(c.challenge_window_secs),
        ..Default::default()
    };
    b.exec(
        "admin",
        &registry,
        "update_config",
        &ExecMsg::UpdateConfig { update },
        vec![],
        "",
    )
    .await?;
    b.exec(
        "admin",
        &registry,
        "set_paused (true)",
        &GovExec::SetPaused { paused: true },
        vec![],
        "",
    )
    .await?;
    b.exec(
        "admin",
        &registry,
        "set_paused (false)",
        &GovExec::SetPaused { paused: false },
        vec![],
        "",
    )
    .await?;
    let admin = keys.address("admin")?;
    b.exec(
        "admin",
        &registry,
        "propose_admin",
        &GovExec::ProposeAdmin {
            new_admin: Some(admin),
        },
        vec![],
        "to itself",
    )
    .await?;
    b.exec(
        "admin",
        &registry,
        "accept_admin",
        &GovExec::AcceptAdmin {},
        vec![],
        "",
    )
    .await?;

    curation(&mut b, ctx, &deployments, dataset_id, &root, &tbond).await?;

    let table = Table {
        chain_id: ctx.g.chain_id.clone(),
        app_version: ctx.chain.app_version().await.unwrap_or_default(),
        height: ctx.chain.height().await?,
        reference: Reference {
            message: "cw20-base transfer".into(),
            gas_used: reference,
        },
        entries: b
            .rows
            .iter()
            .map(|(contract, message, gas, note)| Entry {
                contract: contract.clone(),
                message: message.clone(),
                gas_used: *gas,
                ratio_to_cw20_transfer: (*gas as f64 / reference as f64 * 100.0).round() / 100.0,
                note: note.clone(),
            })
            .collect(),
    };
    println!(
        "\ngas on {} (wasmd {}), reference: cw20-base transfer = {} gas\n",
        table.chain_id, table.app_version, reference
    );
    println!(
        "{:<10} {:<34} {:>9} {:>7}  note",
        "contract", "message", "gas", "× cw20"
    );
    for e in &table.entries {
        println!(
            "{:<10} {:<34} {:>9} {:>7.2}  {}",
            e.contract, e.message, e.gas_used, e.ratio_to_cw20_transfer, e.note
        );
    }
    if let Some(dir) = out.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&out, serde_json::to_string_pretty(&table)? + "\n")?;
    eprintln!("\nwrote {}", out.display());
    Ok(())
}

/// Curation messages: stake through the cw20 hook, a challenged optimistic tranche
/// reviewed by commit-reveal and finalized, payout, unstake and release.
async fn curation(
    b: &mut Bench<'_>,
    ctx: &Ctx,
    deployments: &crate::deployments::Deployments,
    dataset_id: u64,
    root: &dyn Fn(u8) -> HexBinary,
    tbond: &[Coin],
) -> Result<()> {
    use attrib_curator_staking::contract::sv::{ExecMsg as StakingExec, QueryMsg as StakingQuery};
    use attrib_curator_staking::msg::{ConfigResponse as StakingConfig, ReceiveMsg};
    use attrib_curator_staking::state::Role;
    use attrib_std::curation::{vote_commitment, Vote};

    let staking = Target {
        addr: deployments.address("curator_staking")?,
        name: "curation",
    };
    // Stake and challenges travel through the token's `send` hook; the gas is curation's.
    let token = Target {
        addr: deployments.address("protocol_token")?,
        name: "curation",
    };
    let registry = Target {
        addr: deployments.address("registry")?,
        name: "registry",
    };
    let config: StakingConfig = ctx.chain.query(&staking.addr, &StakingQuery::Config {}).await?;
    let send = |amount: u128, hook: &ReceiveMsg| -> Result<cw20::Cw20ExecuteMsg> {
        Ok(cw20::Cw20ExecuteMsg::Send {
            contract: staking.addr.clone(),
            amount: amount.into(),
            msg: cosmwasm_std::to_json_binary(hook)?,
        })
    };
    for (i, who) in ["curator1", "curator2", "curator3"].iter().enumerate() {
        let label = if i == 0 {
            "stake (cw20 send)".to_string()
        } else {
            format!("stake (cw20 send) #{}", i + 1)
        };
        let msg = send(
            10_000_000 * (3 - i as u128),
            &ReceiveMsg::Stake { role: Role::Curator },
        )?;
        b.exec(who, &token, &label, &msg, vec![], "via the token's send hook")
            .await?;
    }
    let msg = ExecMsg::RegisterTranche {
        dataset_id,
        content_root: root(99),
        record_count: 1_000,
        byte_size: 5_000_000,
        metadata_uri: "ipfs://bench/challenged".into(),
    };
    let o = b
        .exec(
            "alice",
            &registry,
            "register_tranche (to challenge)",
            &msg,
            tbond.to_vec(),
            "optimistic",
        )
        .await?;
    let tranche_id = id_from(&o, attrib_std::events::TRANCHE_REGISTERED, "tranche_id")?;
    let hook = ReceiveMsg::Challenge {
        tranche_id,
        evidence_hash: root(98),
        evidence_uri: "ipfs://bench/evidence".into(),
    };
    let o = b
        .exec(
            "auditor",
            &token,
            "challenge (cw20 send)",
            &send(config.config.params.dispute_bond.u128(), &hook)?,
            vec![],
            "draws a committee of 3, registry begin_review",
        )
        .await?;
    let review_id = id_from(&o, attrib_std::events::REVIEW_OPENED, "review_id")?;
    let review: attrib_curator_staking::msg::ReviewResponse = ctx
        .chain
        .query(&staking.addr, &StakingQuery::Review { review_id })
        .await?;
    let keys = ctx.keys()?;
    let members: Vec<String> = review
        .review
        .members
        .iter()
        .map(|m| {
            keys.list()
                .into_iter()
                .find(|(_, a)| *a == m.curator.as_str())
                .map(|(n, _)| n)
        })
        .collect::<Option<_>>()
        .ok_or_else(|| anyhow!("a committee member is not in the key file"))?;
    for (i, m) in members.iter().enumerate() {
        let signer = keys.signer(m, &ctx.g.prefix)?;
        let salt = crate::curation::vote_salt(&signer, &ctx.g.chain_id, &staking.addr, review_id)?;
        let commitment = HexBinary::from(vote_commitment(
            review_id,
            signer.address.as_ref(),
            Vote::Reject,
            &salt,
        ));
        let label = if i == 0 {
            "commit_vote".to_string()
        } else {
            format!("commit_vote #{}", i + 1)
        };
        b.exec(
            m,
            &staking,
            &label,
            &StakingExec::CommitVote {
                review_id,
                commitment,
            },
            vec![],
            "",
        )
        .await?;
    }
    for (i, m) in members.iter().enumerate() {
        let signer = keys.signer(m, &ctx.g.prefix)?;
        let salt = crate::curation::vote_salt(&signer, &ctx.g.chain_id, &staking.addr, review_id)?;
        let label = if i == 0 {
            "reveal_vote".to_string()
        } else {
            format!("reveal_vote #{}", i + 1)
        };
        b.exec(
            m,
            &staking,
            &label,
            &StakingExec::RevealVote {
                review_id,
                vote: Vote::Reject,
                salt,
            },
            vec![],
            "",
        )
        .await?;
    }
    b.exec(
        "auditor",
        &staking,
        "finalize_review",
        &StakingExec::FinalizeReview { review_id },
        vec![],
        "3 points, bond credited, registry reject",
    )
    .await?;
    b.exec(
        "auditor",
        &staking,
        "withdraw_payout",
        &StakingExec::WithdrawPayout {},
        vec![],
        "challenger's bond back",
    )
    .await?;
    b.exec(
        "curator3",
        &staking,
        "unstake",
        &StakingExec::Unstake {
            amount: 1_000_000u128.into(),
        },
        vec![],
        "",
    )
    .await?;
    eprintln!(
        "  waiting {}s for unbonding",
        config.config.params.unbonding_secs + 1
    );
    tokio::time::sleep(Duration::from_secs(config.config.params.unbonding_secs + 1)).await;
    b.exec(
        "curator3",
        &staking,
        "claim_unbonded",
        &StakingExec::ClaimUnbonded {},
        vec![],
        "",
    )
    .await?;
    Ok(())
}
