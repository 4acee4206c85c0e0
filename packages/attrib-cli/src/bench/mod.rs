//! `attrib bench gas`: gas used by each contract message on a live chain, next to a
//! cw20-base `transfer` measured in the same run, printed as a table and written as JSON
//! (`target/gas-table.json`) so runs can be compared.
//!
//! This module holds the runner and the report; each contract's messages are measured in
//! its own module, in the order the table lists them: [`registry`] (which lists the
//! dataset and tranches the others build on), [`curation`], [`oracle`] (and the off-chain
//! `attrib bench tree`), [`rewards`].

mod curation;
mod oracle;
mod registry;
mod rewards;

use std::path::{Path, PathBuf};

use anyhow::{anyhow, Context, Result};
use clap::Subcommand;
use cosmwasm_std::{Coin, HexBinary};
use serde::Serialize;

use crate::chain::TxOutcome;
use crate::context::{execute_any, Ctx};
use crate::deployments::Deployments;

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

/// One run of the gas bench: the deployment measured and the rows measured so far.
struct Bench<'a> {
    ctx: &'a Ctx,
    deployments: Deployments,
    /// Makes this run's content roots and hashes new (the height it started at).
    nonce: u64,
    rows: Vec<(String, String, u64, String)>,
}

impl Bench<'_> {
    /// The deployed contract `contract`, shown in the table as `name`.
    fn target(&self, contract: &str, name: &'static str) -> Result<Target> {
        Ok(Target {
            addr: self.deployments.address(contract)?,
            name,
        })
    }

    /// A hash of this run, different for each `i`.
    fn root(&self, i: u8) -> HexBinary {
        use sha2::{Digest, Sha256};
        HexBinary::from(Sha256::digest(format!("bench-{}-{i}", self.nonce)).to_vec())
    }

    /// Registers a bench tranche of 1 000 records as a contributor must: `commit_tranche`
    /// with the bond, then `register_tranche` once a later block is committed. Both gas
    /// figures are recorded.
    #[allow(clippy::too_many_arguments)]
    async fn register_tranche(
        &mut self,
        key: &str,
        t: &Target,
        label: &str,
        dataset_id: u64,
        content_root: HexBinary,
        metadata_uri: &str,
        bond: Vec<Coin>,
        note: &str,
    ) -> Result<TxOutcome> {
        use attrib_registry::contract::sv::ExecMsg;
        let who = self
            .ctx
            .keys()?
            .signer(key, &self.ctx.g.prefix)?
            .address
            .to_string();
        let salt = self.root(200);
        let commitment = attrib_std::content::commitment(&who, dataset_id, &content_root, &salt);
        let commit = ExecMsg::CommitTranche {
            commitment: HexBinary::from(commitment.to_vec()),
        };
        let commit_label = label.replacen("register_tranche", "commit_tranche", 1);
        let committed = self.exec(key, t, &commit_label, &commit, bond, note).await?;
        self.ctx.chain.wait_past(committed.height).await?;
        let reveal = ExecMsg::RegisterTranche {
            dataset_id,
            content_root,
            record_count: 1_000,
            byte_size: 5_000_000,
            metadata_uri: metadata_uri.into(),
            salt,
        };
        self.exec(key, t, label, &reveal, vec![], note).await
    }

    /// Signs `msg` to `t` with `key`, sends it and records its gas under `label`.
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

impl Bench<'_> {
    /// Sends `msgs` to `t` in one transaction with `key`, unmeasured (setup steps).
    async fn quiet<M: Serialize>(&self, key: &str, t: &Target, msgs: &[M]) -> Result<TxOutcome> {
        self.quiet_paying(key, t, msgs, vec![]).await
    }

    /// As [`Bench::quiet`], attaching `funds` to each message.
    async fn quiet_paying<M: Serialize>(
        &self,
        key: &str,
        t: &Target,
        msgs: &[M],
        funds: Vec<Coin>,
    ) -> Result<TxOutcome> {
        let signer = self.ctx.keys()?.signer(key, &self.ctx.g.prefix)?;
        let anys = msgs
            .iter()
            .map(|m| execute_any(&signer.address, &t.addr, &serde_json::to_vec(m)?, &funds))
            .collect::<Result<Vec<_>>>()?;
        self.ctx.chain.send(&signer, anys, &self.ctx.settings()?).await
    }
}

/// The `i`-th (from 0) of several measurements of one message: `label`, `label #2`, …
fn nth(label: &str, i: usize) -> String {
    if i == 0 {
        label.to_string()
    } else {
        format!("{label} #{}", i + 1)
    }
}

/// A cw20 `send` of `amount` to `contract` with `hook` (stake and challenges go this way).
fn cw20_send<M: Serialize>(contract: &str, amount: u128, hook: &M) -> Result<cw20::Cw20ExecuteMsg> {
    Ok(cw20::Cw20ExecuteMsg::Send {
        contract: contract.to_string(),
        amount: amount.into(),
        msg: cosmwasm_std::to_json_binary(hook)?,
    })
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
        BenchCmd::Tree { receipts } => return oracle::tree(ctx, receipts),
    };
    let mut b = Bench {
        ctx,
        deployments: ctx.deployments()?,
        nonce: ctx.chain.height().await?,
        rows: vec![],
    };
    let token = b.target("protocol_token", "cw20")?;
    eprintln!("measuring gas on {} (node {})", ctx.g.chain_id, ctx.g.node);

    let transfer = cw20::Cw20ExecuteMsg::Transfer {
        recipient: ctx.keys()?.address("alice")?,
        amount: 1_000u128.into(),
    };
    let reference = b
        .exec("admin", &token, "transfer", &transfer, vec![], "reference")
        .await?
        .gas_used;

    let listed = registry::run(&mut b).await?;
    curation::run(&mut b, &listed).await?;
    oracle::run(&mut b, listed.dataset_id, max_receipts).await?;
    rewards::run(&mut b, &listed, claim_epochs).await?;
    report(ctx, reference, &b.rows, &out).await
}

/// Prints the table and writes it as JSON to `out`.
async fn report(ctx: &Ctx, reference: u64, rows: &[(String, String, u64, String)], out: &Path) -> Result<()> {
    let table = Table {
        chain_id: ctx.g.chain_id.clone(),
        app_version: ctx.chain.app_version().await.unwrap_or_default(),
        height: ctx.chain.height().await?,
        reference: Reference {
            message: "cw20-base transfer".into(),
            gas_used: reference,
        },
        entries: rows
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
    std::fs::write(out, serde_json::to_string_pretty(&table)? + "\n")?;
    eprintln!("\nwrote {}", out.display());
    Ok(())
}
