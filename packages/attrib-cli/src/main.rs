//! `attrib`: the command-line tool of Attrib. Signs and broadcasts natively (cosmrs over
//! CometBFT RPC), reads contract addresses from `deployments/<chain-id>.json`, and builds
//! every message from the contract crates' own types.

use std::io::Read;
use std::path::PathBuf;

use anyhow::{bail, Result};
use clap::{Parser, Subcommand};
use serde::Serialize;

use attrib_cli::context::{Ctx, Global, Output};
use attrib_cli::{bench, curation, deploy, ibc, oracle, receipts, registry, rewards};

#[derive(Parser)]
#[command(
    name = "attrib",
    version,
    about = "Attrib: on-chain data attribution — registry, curation, metering, rewards"
)]
struct Cli {
    #[command(flatten)]
    g: Global,
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Manage signing keys (a private key file under --home)
    #[command(subcommand)]
    Keys(KeysCmd),
    /// Store, instantiate and wire the contracts; write the deployments file
    Deploy(deploy::DeployArgs),
    /// Sign and broadcast a contract message
    #[command(subcommand)]
    Tx(TxCmd),
    /// Query a contract
    #[command(subcommand, alias = "q")]
    Query(QueryCmd),
    /// Bank balance of an account (key name or address)
    Balance {
        who: String,
        #[arg(long, default_value = "uatr")]
        denom: String,
        /// On a linked chain (its id) instead: a key name is its address there
        #[arg(long)]
        on: Option<String>,
        /// The denom's total supply instead of an account's balance (WHO is ignored)
        #[arg(long)]
        supply: bool,
    },
    /// Chain id, height and node version
    Status,
    /// Content root, record count and byte size of a records file (one record per line)
    DataRoot { file: PathBuf },
    /// Operator and auditor tools: sign, tree, submit and prove receipts
    #[command(subcommand)]
    Receipts(receipts::ReceiptsCmd),
    /// SPEC §8 metrics for a range of epochs: fee vs emission, concentration, disputes,
    /// quality, buyers (table, or JSON with -o json)
    Stats {
        /// First epoch (default: ten epochs before --to-epoch)
        #[arg(long)]
        from_epoch: Option<u64>,
        /// Last epoch (default: the current one)
        #[arg(long)]
        to_epoch: Option<u64>,
    },
    /// Pay from another chain over IBC; linked chains and their denoms
    #[command(subcommand)]
    Ibc(ibc::IbcCmd),
    /// Benchmarks that measure gas on a live chain
    #[command(subcommand)]
    Bench(bench::BenchCmd),
}

#[derive(Subcommand)]
enum KeysCmd {
    /// Add a key from a mnemonic (argument, or read from stdin)
    Add {
        name: String,
        #[arg(long)]
        mnemonic: Option<String>,
        #[arg(long)]
        overwrite: bool,
    },
    /// Import every account of a JSON file like scripts/test-accounts.json (test only)
    Import {
        file: PathBuf,
        #[arg(long)]
        overwrite: bool,
    },
    List,
    /// Show a key's address
    Show {
        name: String,
    },
}

#[derive(Subcommand)]
enum TxCmd {
    #[command(subcommand)]
    Registry(registry::RegistryTx),
    /// Curator staking: stake, reviews, challenges, slashing
    #[command(subcommand)]
    Curation(curation::CurationTx),
    /// Receipt oracle: models, escrow, operators, batches, fraud proofs
    #[command(subcommand)]
    Oracle(oracle::OracleTx),
    /// Reward distributor: payments, epochs, claims, emissions
    #[command(subcommand)]
    Rewards(rewards::RewardsTx),
}

#[derive(Subcommand)]
enum QueryCmd {
    #[command(subcommand)]
    Registry(registry::RegistryQuery),
    #[command(subcommand)]
    Curation(curation::CurationQuery),
    #[command(subcommand)]
    Oracle(oracle::OracleQuery),
    #[command(subcommand)]
    Rewards(rewards::RewardsQuery),
    /// Raw smart query: contract name (from deployments) or address, and JSON
    Wasm { contract: String, msg: String },
}

#[tokio::main]
async fn main() {
    let cli = Cli::parse();
    if let Err(e) = run(cli).await {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}

async fn run(cli: Cli) -> Result<()> {
    let ctx = Ctx::new(cli.g)?;
    match cli.cmd {
        Cmd::Keys(k) => keys(&ctx, k),
        Cmd::Deploy(args) => deploy::run(&ctx, args).await.map(|d| {
            if ctx.g.output == Output::Json {
                println!("{}", serde_json::to_string(&d).unwrap());
            }
        }),
        Cmd::Tx(TxCmd::Registry(c)) => registry::tx(&ctx, c).await.map(|_| ()),
        Cmd::Query(QueryCmd::Registry(c)) => registry::query(&ctx, c).await,
        Cmd::Tx(TxCmd::Curation(c)) => curation::tx(&ctx, c).await.map(|_| ()),
        Cmd::Query(QueryCmd::Curation(c)) => curation::query(&ctx, c).await,
        Cmd::Tx(TxCmd::Oracle(c)) => oracle::tx(&ctx, c).await.map(|_| ()),
        Cmd::Query(QueryCmd::Oracle(c)) => oracle::query(&ctx, c).await,
        Cmd::Tx(TxCmd::Rewards(c)) => rewards::tx(&ctx, c).await.map(|_| ()),
        Cmd::Query(QueryCmd::Rewards(c)) => rewards::query(&ctx, c).await,
        Cmd::Stats { from_epoch, to_epoch } => rewards::stats(&ctx, from_epoch, to_epoch).await,
        Cmd::Ibc(c) => ibc::run(&ctx, c).await,
        Cmd::Receipts(c) => receipts::run(&ctx, c).await,
        Cmd::Query(QueryCmd::Wasm { contract, msg }) => {
            let addr = if contract.starts_with(&format!("{}1", ctx.g.prefix)) {
                contract
            } else {
                ctx.contract(&contract)?
            };
            let v = ctx.chain.query_raw(&addr, msg.as_bytes()).await?;
            ctx.print_json(&v)
        }
        Cmd::Balance {
            who,
            denom,
            on,
            supply,
        } => {
            let (addr, amount) = match on {
                None if supply => (String::new(), ctx.chain.supply(&denom).await?),
                None => {
                    let addr = ctx.resolve_address(&who)?;
                    let amount = ctx.chain.balance(&addr, &denom).await?;
                    (addr, amount)
                }
                Some(on) => {
                    let d = ctx.deployments()?;
                    let (chain_id, link) = ibc::pick_link(&d, Some(&on))?;
                    let remote = attrib_cli::chain::Chain::connect(
                        &link.counterparty_node,
                        chain_id,
                        &link.counterparty_prefix,
                    )?;
                    // A key's address there (same key, that chain's prefix), or an address.
                    let keys = ctx.keys()?;
                    let addr = match keys.address(&who) {
                        Ok(_) => keys.signer(&who, &link.counterparty_prefix)?.address.to_string(),
                        Err(_) => who.clone(),
                    };
                    let amount = if supply {
                        remote.supply(&denom).await?
                    } else {
                        remote.balance(&addr, &denom).await?
                    };
                    (addr, amount)
                }
            };
            match ctx.g.output {
                Output::Json => println!(
                    "{}",
                    serde_json::to_string(&Balance {
                        address: addr,
                        amount: amount.to_string(),
                        denom,
                    })?
                ),
                Output::Text => println!("{amount}{denom}"),
            }
            Ok(())
        }
        Cmd::Status => {
            let height = ctx.chain.height().await?;
            ctx.print_json(&Status {
                app_version: ctx.chain.app_version().await?,
                chain_id: &ctx.g.chain_id,
                height,
                node: &ctx.g.node,
            })
        }
        Cmd::DataRoot { file } => {
            let (root, count, bytes) = registry::records_file_summary(&file)?;
            ctx.print_json(&DataRoot {
                byte_size: bytes,
                content_root: root.to_hex(),
                record_count: count,
            })
        }
        Cmd::Bench(b) => bench::run(&ctx, b).await,
    }
}

// What `balance`, `status` and `data-root` print (fields sorted by name: the order this
// output has always had).
#[derive(Serialize)]
struct Balance {
    address: String,
    amount: String,
    denom: String,
}

#[derive(Serialize)]
struct Status<'a> {
    app_version: String,
    chain_id: &'a str,
    height: u64,
    node: &'a str,
}

#[derive(Serialize)]
struct DataRoot {
    byte_size: u64,
    content_root: String,
    record_count: u64,
}

fn keys(ctx: &Ctx, cmd: KeysCmd) -> Result<()> {
    let mut store = ctx.keys()?;
    match cmd {
        KeysCmd::Add {
            name,
            mnemonic,
            overwrite,
        } => {
            let mnemonic = match mnemonic {
                Some(m) => m,
                None => {
                    let mut s = String::new();
                    std::io::stdin().read_to_string(&mut s)?;
                    s
                }
            };
            let addr = store.add(&name, &mnemonic, &ctx.g.prefix, overwrite)?;
            println!("{name}\t{addr}");
        }
        KeysCmd::Import { file, overwrite } => {
            let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&file)?)?;
            let Some(accounts) = doc["accounts"].as_array() else {
                bail!("{} has no \"accounts\" list", file.display())
            };
            for a in accounts {
                let (Some(name), Some(m)) = (a["name"].as_str(), a["mnemonic"].as_str()) else {
                    continue;
                };
                match store.add(name, m, &ctx.g.prefix, overwrite) {
                    Ok(addr) => println!("{name}\t{addr}"),
                    Err(e) if !overwrite => eprintln!("skipped {name}: {e}"),
                    Err(e) => return Err(e),
                }
            }
        }
        KeysCmd::List => {
            let list = store.list();
            match ctx.g.output {
                Output::Json => println!("{}", serde_json::to_string(&list)?),
                Output::Text => list.iter().for_each(|(n, a)| println!("{n}\t{a}")),
            }
        }
        KeysCmd::Show { name } => println!("{}", store.address(&name)?),
    }
    Ok(())
}
