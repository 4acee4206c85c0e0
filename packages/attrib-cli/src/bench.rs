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
    /// Measure gas of every contract message against a cw20 transfer
    Gas {
        #[arg(long, default_value = "target/gas-table.json")]
        out: PathBuf,
        /// Largest batch to post (receipts); the table posts 1, 1000, 100000 and this
        #[arg(long, default_value_t = 1_000_000)]
        max_receipts: u64,
        /// Claims are measured after 1, 10, 100 and this many allocated epochs (one-second
        /// epochs: about a second each)
        #[arg(long, default_value_t = 1_000)]
        claim_epochs: u64,
    },
    /// Off-chain: time to build the merkle-sum tree of N receipts and every proof
    Tree {
        #[arg(long, default_value_t = 1_000_000)]
        receipts: u64,
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
    let (out, max_receipts, claim_epochs) = match cmd {
        BenchCmd::Gas {
            out,
            max_receipts,
            claim_epochs,
        } => (out, max_receipts, claim_epochs),
        BenchCmd::Tree { receipts } => return tree_bench(ctx, receipts),
    };
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
    oracle(&mut b, ctx, &deployments, dataset_id, max_receipts).await?;
    rewards(&mut b, ctx, &deployments, dataset_id, &tranches, claim_epochs).await?;

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

/// Receipt oracle: submit_batch across receipt counts (it must stay flat), finalize, and
/// the fraud proofs.
async fn oracle(
    b: &mut Bench<'_>,
    ctx: &Ctx,
    deployments: &crate::deployments::Deployments,
    dataset_id: u64,
    max_receipts: u64,
) -> Result<()> {
    use attrib_receipt_oracle::contract::sv::{ExecMsg as OracleExec, QueryMsg as OracleQuery};
    use attrib_receipt_oracle::msg::EpochResponse;
    use attrib_receipt_oracle::state::{Config as OracleConfig, LineageEntry};
    use attrib_std::interfaces::slashing_service::sv::QueryMsg as SlashingQuery;
    use attrib_std::interfaces::slashing_service::StakeOfResponse;
    use attrib_std::receipts::{Receipt, SumTree};

    let oracle = Target {
        addr: deployments.address("receipt_oracle")?,
        name: "oracle",
    };
    let staking = deployments.address("curator_staking")?;
    let token = Target {
        addr: deployments.address("protocol_token")?,
        name: "curation",
    };
    let keys = ctx.keys()?;
    let operator = keys.signer("operator", &ctx.g.prefix)?;
    let op_addr = operator.address.to_string();

    let stake: StakeOfResponse = ctx
        .chain
        .query(
            &staking,
            &SlashingQuery::StakeOf {
                address: op_addr.clone(),
            },
        )
        .await?;
    if stake.bonded.u128() < 5_000_000 {
        let hook = attrib_curator_staking::msg::ReceiveMsg::Stake {
            role: attrib_curator_staking::state::Role::Operator,
        };
        let send = cw20::Cw20ExecuteMsg::Send {
            contract: staking.clone(),
            amount: 5_000_000u128.into(),
            msg: cosmwasm_std::to_json_binary(&hook)?,
        };
        b.exec(
            "operator",
            &token,
            "stake as operator (cw20 send)",
            &send,
            vec![],
            "",
        )
        .await?;
    }
    let pubkey = HexBinary::from(operator.key.public_key().to_bytes());
    b.exec(
        "operator",
        &oracle,
        "register_operator",
        &OracleExec::RegisterOperator { pubkey },
        vec![],
        "checks the bond in curation",
    )
    .await?;
    let lineage = vec![LineageEntry {
        dataset_id,
        version: 1,
        weight_bps: 10_000,
    }];
    let msg = OracleExec::RegisterModel {
        metadata_uri: "ipfs://bench/model".into(),
        lineage,
        parent: None,
        royalty_per_unit: coin(1, "uatr"),
    };
    let bond_cfg: OracleConfig = ctx.chain.query(&oracle.addr, &OracleQuery::Config {}).await?;
    let bond: Vec<Coin> = vec![coin(bond_cfg.params.model_bond.u128(), "uatr")]
        .into_iter()
        .filter(|c| !c.amount.is_zero())
        .collect();
    let o = b
        .exec(
            "devshop",
            &oracle,
            "register_model",
            &msg,
            bond,
            "1 lineage entry, license + terms queried, bond",
        )
        .await?;
    let model_id = id_from(&o, "attrib_model_registered", "model_id")?;
    b.exec(
        "devshop",
        &oracle,
        "set_model_operator",
        &OracleExec::SetModelOperator {
            model_id,
            operator: op_addr.clone(),
            allowed: true,
        },
        vec![],
        "",
    )
    .await?;
    b.exec(
        "devshop",
        &oracle,
        "fund_escrow",
        &OracleExec::FundEscrow { model_id },
        vec![coin(5_000_000, "uatr")],
        "",
    )
    .await?;

    let config: OracleConfig = ctx.chain.query(&oracle.addr, &OracleQuery::Config {}).await?;
    let epoch: EpochResponse = ctx.chain.query(&oracle.addr, &OracleQuery::Epoch {}).await?;
    let receipt = |id: u64, units: u64| Receipt {
        chain_id: ctx.g.chain_id.clone(),
        contract: oracle.addr.clone(),
        model_id,
        epoch: epoch.current,
        receipt_id: id,
        units,
        timestamp: 1,
    };
    let sign = |msg: &[u8]| crate::receipts::sign_bytes(&operator, msg);
    let mut next_id = 1u64;
    let m = Metering {
        ctx,
        oracle: &oracle,
        operator: &operator,
        model_id,
    };
    let mut sizes = vec![1u64, 1_000, 100_000];
    if max_receipts > 100_000 {
        sizes.push(max_receipts);
    }
    let mut first_seq = 0;
    for n in sizes {
        let rs: Vec<Receipt> = (next_id..next_id + n).map(|i| receipt(i, 1)).collect();
        next_id += n;
        let (seq, _) = m
            .post(
                b,
                rs,
                format!("submit_batch ({n} receipts)"),
                "O(1): root, total, count, range",
                None,
            )
            .await?;
        if first_seq == 0 {
            first_seq = seq;
        }
    }

    // Fraud proofs, each on its own small batch.
    let signed: Vec<Receipt> = (next_id..next_id + 100).map(|i| receipt(i, 2)).collect();
    next_id += 100;
    let posted: Vec<Receipt> = signed
        .iter()
        .filter(|r| r.receipt_id != signed[50].receipt_id)
        .cloned()
        .collect();
    let (seq, tree) = m
        .post(
            b,
            posted.clone(),
            "submit_batch (100, under-reported)".into(),
            "",
            None,
        )
        .await?;
    let msg = OracleExec::ChallengeOmittedReceipt {
        model_id,
        operator: op_addr.clone(),
        seq,
        receipt: signed[50].clone(),
        signature: sign(&signed[50].sign_bytes())?,
        left: posted[49].clone(),
        left_path: tree.path(0, 49),
        right: posted[50].clone(),
        right_path: tree.path(0, 50),
    };
    b.exec(
        "auditor",
        &oracle,
        "challenge_omitted_receipt",
        &msg,
        vec![],
        "sig + 2 paths, slashes via curation",
    )
    .await?;

    let signed: Vec<Receipt> = (next_id..next_id + 100).map(|i| receipt(i, 2)).collect();
    next_id += 100;
    let mut posted = signed.clone();
    posted[10].units = 1;
    let (seq, tree) = m
        .post(b, posted.clone(), "submit_batch (100, altered)".into(), "", None)
        .await?;
    let msg = OracleExec::ChallengeAlteredReceipt {
        model_id,
        operator: op_addr.clone(),
        seq,
        receipt: signed[10].clone(),
        signature: sign(&signed[10].sign_bytes())?,
        leaf: posted[10].clone(),
        path: tree.path(0, 10),
    };
    b.exec(
        "auditor",
        &oracle,
        "challenge_altered_receipt",
        &msg,
        vec![],
        "sig + 1 path",
    )
    .await?;

    let rs: Vec<Receipt> = (next_id..next_id + 100).map(|i| receipt(i, 2)).collect();
    next_id += 100;
    let honest = SumTree::from_receipts(&rs)?
        .expect("non-empty")
        .commitment()
        .total;
    let (seq, tree) = m
        .post(
            b,
            rs,
            "submit_batch (100, bad total)".into(),
            "",
            Some(honest - 3),
        )
        .await?;
    let top = tree.root_level();
    let msg = OracleExec::ChallengeBadSum {
        model_id,
        operator: op_addr.clone(),
        seq,
        left: tree.node(top - 1, 0).expect("children").into(),
        right: tree.node(top - 1, 1).expect("children").into(),
        claimed_sum: (honest - 3).into(),
        path: tree.path(top, 0),
    };
    b.exec(
        "auditor",
        &oracle,
        "challenge_bad_sum",
        &msg,
        vec![],
        "node + children",
    )
    .await?;

    let mut rs: Vec<Receipt> = (next_id..next_id + 100).map(|i| receipt(i, 2)).collect();
    rs[20].receipt_id = rs[19].receipt_id; // the same id twice (and a gap at its own id)
    let (seq, tree) = m
        .post(b, rs.clone(), "submit_batch (100, duplicate id)".into(), "", None)
        .await?;
    let msg = OracleExec::ChallengeDuplicateId {
        model_id,
        operator: op_addr.clone(),
        seq,
        left: rs[19].clone(),
        left_path: tree.path(0, 19),
        right: Some(rs[20].clone()),
        right_path: Some(tree.path(0, 20)),
    };
    b.exec(
        "auditor",
        &oracle,
        "challenge_duplicate_id",
        &msg,
        vec![],
        "2 paths",
    )
    .await?;

    eprintln!(
        "  waiting {}s for the dispute window",
        config.params.dispute_window_secs + 1
    );
    tokio::time::sleep(Duration::from_secs(config.params.dispute_window_secs + 1)).await;
    for (seq, n) in [(first_seq, "1"), (first_seq + 3, "largest")] {
        let msg = OracleExec::FinalizeBatch {
            model_id,
            operator: op_addr.clone(),
            seq,
        };
        b.exec(
            "auditor",
            &oracle,
            &format!("finalize_batch ({n})"),
            &msg,
            vec![],
            "escrow → pool, 1 earmark",
        )
        .await?;
    }
    Ok(())
}

/// Posts batches for one model as its operator.
struct Metering<'a> {
    ctx: &'a Ctx,
    oracle: &'a Target,
    operator: &'a crate::keys::Signer,
    model_id: u64,
}

impl Metering<'_> {
    /// Posts `rs` as the next batch (a `total_override` makes a bad-sum batch).
    async fn post(
        &self,
        b: &mut Bench<'_>,
        rs: Vec<attrib_std::receipts::Receipt>,
        label: String,
        note: &str,
        total_override: Option<u128>,
    ) -> Result<(u64, attrib_std::receipts::SumTree)> {
        use attrib_receipt_oracle::contract::sv::{ExecMsg as OracleExec, QueryMsg as OracleQuery};
        use attrib_receipt_oracle::state::Cursor;
        use attrib_std::receipts::{BatchHeader, SumTree};
        let tree = SumTree::from_receipts(&rs)?.ok_or_else(|| anyhow!("empty batch"))?;
        let c = tree.commitment();
        let op_addr = self.operator.address.to_string();
        let cursor: Cursor = self
            .ctx
            .chain
            .query(
                &self.oracle.addr,
                &OracleQuery::Cursor {
                    model_id: self.model_id,
                    operator: op_addr.clone(),
                },
            )
            .await?;
        let header = BatchHeader {
            chain_id: self.ctx.g.chain_id.clone(),
            contract: self.oracle.addr.clone(),
            model_id: self.model_id,
            epoch: rs[0].epoch,
            operator: op_addr,
            seq: cursor.next_seq,
            first_id: rs[0].receipt_id,
            last_id: rs.last().expect("non-empty").receipt_id,
            count: c.count,
            total_units: total_override.unwrap_or(c.total).into(),
            root: HexBinary::from(c.root.to_vec()),
        };
        let msg = OracleExec::SubmitBatch {
            model_id: self.model_id,
            epoch: header.epoch,
            seq: header.seq,
            first_id: header.first_id,
            last_id: header.last_id,
            count: header.count,
            total_units: header.total_units,
            root: header.root.clone(),
            signature: crate::receipts::sign_bytes(self.operator, &header.sign_bytes())?,
            replaces: None,
        };
        b.exec("operator", self.oracle, &label, &msg, vec![], note)
            .await?;
        Ok((header.seq, tree))
    }
}

/// Builds the tree of `n` receipts and every inclusion proof, timing each step.
fn tree_bench(ctx: &Ctx, n: u64) -> Result<()> {
    use attrib_std::receipts::{Receipt, SumTree};
    let t0 = std::time::Instant::now();
    let receipts: Vec<Receipt> = (1..=n)
        .map(|i| Receipt {
            chain_id: "attrib-local".into(),
            contract: "wasm1oracle".into(),
            model_id: 1,
            epoch: 0,
            receipt_id: i,
            units: 1 + i % 5,
            timestamp: 1_700_000_000,
        })
        .collect();
    let made = t0.elapsed();
    let t1 = std::time::Instant::now();
    let tree = SumTree::from_receipts(&receipts)?.ok_or_else(|| anyhow!("no receipts"))?;
    let built = t1.elapsed();
    let t2 = std::time::Instant::now();
    let mut siblings = 0usize;
    for i in 0..n {
        siblings += tree.path(0, i).siblings.len();
    }
    let proved = t2.elapsed();
    let c = tree.commitment();
    let t3 = std::time::Instant::now();
    for i in (0..n).step_by((n / 1_000).max(1) as usize) {
        c.includes(receipts[i as usize].leaf(), &tree.path(0, i))?;
    }
    let verified = t3.elapsed();
    ctx.print_json(&serde_json::json!({
        "receipts": n,
        "make_receipts_ms": made.as_millis(),
        "build_tree_ms": built.as_millis(),
        "all_inclusion_proofs_ms": proved.as_millis(),
        "avg_proof_siblings": siblings as f64 / n as f64,
        "verify_1000_proofs_ms": verified.as_millis(),
        "root_level": tree.root_level(),
    }))
}

/// Reward distributor messages, and the claim that must stay flat however many epochs
/// passed: a distributor of its own on a one-second clock (no vesting, no emissions) is
/// paid in every block for versions 1 and 2 of the bench dataset, cranked as epochs come
/// due, and four positions claim for the first time after 1, 10, 100 and `max_epochs`
/// allocated epochs.
async fn rewards(
    b: &mut Bench<'_>,
    ctx: &Ctx,
    deployments: &crate::deployments::Deployments,
    dataset_id: u64,
    tranches: &[u64],
    max_epochs: u64,
) -> Result<()> {
    use attrib_reward_distributor::contract::sv::{
        ExecMsg as PoolExec, InstantiateMsg, QueryMsg as PoolQuery,
    };
    use attrib_reward_distributor::msg::{AcceptedDenomEntry, ConfigResponse as PoolConfig};
    use attrib_std::interfaces::reward_pool::sv::ExecMsg as PayExec;
    use attrib_std::rewards::{Earmark, EpochClock, InflowReason, PositionRef, TakeRates};

    let registry = deployments.address("registry")?;
    let keys = ctx.keys()?;
    // Version 2 of the bench dataset, from the same tranches: a second set of positions.
    let reg = Target {
        addr: registry.clone(),
        name: "registry",
    };
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

    let code_id = deployments
        .contracts
        .get("reward_distributor")
        .ok_or_else(|| anyhow!("no reward_distributor in the deployments"))?
        .code_id;
    let admin = keys.signer("admin", &ctx.g.prefix)?;
    let init = InstantiateMsg {
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
    };
    let m = cosmrs::cosmwasm::MsgInstantiateContract {
        sender: admin.address.clone(),
        admin: Some(admin.address.clone()),
        code_id,
        label: Some("attrib bench pool".into()),
        msg: serde_json::to_vec(&init)?,
        funds: vec![],
    };
    use cosmrs::tx::Msg as _;
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
                "2 denom rows",
            )
            .await?;
            b.exec(
                "auditor",
                &pool,
                "settle_epoch (page: 2 rows + finish)",
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
