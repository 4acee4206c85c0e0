//! `attrib tx registry …` and `attrib q registry …`: one typed subcommand per registry
//! message, built from the contract crate's own message types.

use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context, Result};
use attrib_registry::contract::sv::{ExecMsg, QueryMsg};
use attrib_registry::msg::{
    ConfigResponse, ConfigUpdate, ContentRootResponse, NewDataset, TrancheFilter, TrancheResponse,
};
use attrib_std::content;
use attrib_std::interfaces::governance::sv::QueryMsg as GovQuery;
use attrib_std::interfaces::license_registry::sv::QueryMsg as LicenseQuery;
use attrib_std::interfaces::license_registry::DatasetResponse;
use attrib_std::interfaces::review_target::sv::ExecMsg as ReviewExec;
use attrib_std::registry::{
    LicenseExpiry, LicenseId, LicenseTerms, ReviewOutcome, TrancheStatus, VerificationTier, WeightRule,
};
use clap::{Args, Subcommand, ValueEnum};
use cosmwasm_std::{Coin, HexBinary};

use crate::chain::TxOutcome;
use crate::context::{parse_coin, parse_coins, Ctx};

pub const CONTRACT: &str = "registry";

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Tier {
    Strict,
    Optimistic,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Weight {
    AcceptedRecords,
    ByteSize,
    Equal,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Status {
    Pending,
    UnderReview,
    Accepted,
    Rejected,
    Revoked,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Outcome {
    Accept,
    Reject,
    Revoke,
}

/// License terms, as flags.
#[derive(Args, Clone, Debug)]
pub struct TermsArgs {
    /// SPDX license id (e.g. CC-BY-4.0)
    #[arg(long, conflicts_with = "terms_hash")]
    pub spdx: Option<String>,
    /// sha256 (hex) of a license terms document
    #[arg(long)]
    pub terms_hash: Option<String>,
    /// Commercial use allowed
    #[arg(long)]
    pub commercial: bool,
    /// Derivatives allowed
    #[arg(long)]
    pub derivatives: bool,
    /// Accepted one-off prices, any one of them pays (e.g. 5000uatr,7ibc/ABC…); empty = free
    #[arg(long, default_value = "")]
    pub price: String,
    /// Minimum royalty per usage unit, per denom (e.g. 1uatr)
    #[arg(long, default_value = "")]
    pub royalty_per_unit: String,
    /// Grants expire this many seconds after purchase (default: perpetual)
    #[arg(long)]
    pub expiry_secs: Option<u64>,
}

impl TermsArgs {
    pub fn terms(&self) -> Result<LicenseTerms> {
        let license = match (&self.spdx, &self.terms_hash) {
            (Some(s), None) => LicenseId::Spdx(s.clone()),
            (None, Some(h)) => LicenseId::TermsHash(hex_arg("terms-hash", h)?),
            _ => bail!("give exactly one of --spdx or --terms-hash"),
        };
        Ok(LicenseTerms {
            license,
            commercial_use: self.commercial,
            derivatives_allowed: self.derivatives,
            price: parse_coins(&self.price)?,
            royalty_per_unit: parse_coins(&self.royalty_per_unit)?,
            expiry: self
                .expiry_secs
                .map_or(LicenseExpiry::Perpetual, LicenseExpiry::AfterSeconds),
        })
    }
}

#[derive(Subcommand, Debug)]
pub enum RegistryTx {
    /// Register a schema document by URI and hash (pays the configured schema fee)
    RegisterSchema {
        #[arg(long)]
        uri: String,
        /// sha256 of the schema document (hex); or give --file to hash it here
        #[arg(long, required_unless_present = "file")]
        hash: Option<String>,
        #[arg(long)]
        file: Option<PathBuf>,
        /// Override the fee sent (default: the registry's configured schema fee)
        #[arg(long)]
        amount: Option<String>,
    },
    /// Register a dataset; you become its maintainer (pays the dataset listing bond)
    RegisterDataset {
        #[arg(long)]
        name: String,
        #[arg(long)]
        schema_id: u64,
        #[arg(long)]
        metadata_uri: String,
        #[arg(long, value_enum)]
        tier: Tier,
        #[command(flatten)]
        terms: TermsArgs,
        #[arg(long, value_enum)]
        weight_rule: Option<Weight>,
        /// Most records one tranche may declare (default 2^24): what an unchallenged false
        /// count can take at most
        #[arg(long)]
        max_tranche_records: Option<u64>,
        /// Canary commitment (sha256 hex of a secret record); repeatable
        #[arg(long)]
        canary: Vec<String>,
        #[arg(long)]
        amount: Option<String>,
    },
    /// Maintainer: replace the license terms (for later purchases)
    UpdateLicenseTerms {
        #[arg(long)]
        dataset_id: u64,
        #[command(flatten)]
        terms: TermsArgs,
    },
    /// Maintainer: add a canary commitment (hex), or the sha256 of --secret
    AddCanary {
        #[arg(long)]
        dataset_id: u64,
        #[arg(long, required_unless_present = "secret")]
        commitment: Option<String>,
        #[arg(long)]
        secret: Option<String>,
    },
    /// Maintainer: retire a dataset (an unreturned listing bond is forfeited)
    RetireDataset {
        #[arg(long)]
        dataset_id: u64,
    },
    /// Contribute a tranche: commits to it with the listing bond (and a random salt), waits
    /// for the next block, then reveals it (two transactions; the reveal's is printed).
    /// With --records-file the content root (the root of the record tree, which commits
    /// to the record count), record count and size are computed from the file (one
    /// record per line). Refuses locally a root that is already registered (the registry
    /// would forfeit your bond) unless --force.
    RegisterTranche {
        #[arg(long)]
        dataset_id: u64,
        #[arg(long)]
        records_file: Option<PathBuf>,
        #[arg(long, required_unless_present = "records_file")]
        root: Option<String>,
        #[arg(long, required_unless_present = "records_file")]
        record_count: Option<u64>,
        #[arg(long, required_unless_present = "records_file")]
        byte_size: Option<u64>,
        #[arg(long)]
        metadata_uri: String,
        #[arg(long)]
        force: bool,
        #[arg(long)]
        amount: Option<String>,
    },
    /// Committer: withdraw an unrevealed tranche commitment (hex) and get its bond back
    WithdrawCommitment {
        #[arg(long)]
        commitment: String,
    },
    /// Anyone holding a tranche's records: prove its declared record count wrong. The
    /// tranche is rejected (pending; half its bond to you) or revoked (accepted).
    ProveRecordCount {
        #[arg(long)]
        tranche_id: u64,
        /// The tranche's records, one per line (their record tree must have its root)
        #[arg(long)]
        records_file: PathBuf,
    },
    /// Anyone: accept an optimistic tranche whose challenge window passed unchallenged
    AcceptUnchallenged {
        #[arg(long)]
        tranche_id: u64,
    },
    /// Maintainer: seal the next version from accepted tranches, in order
    SealVersion {
        #[arg(long)]
        dataset_id: u64,
        /// Comma-separated tranche ids
        #[arg(long, value_delimiter = ',', required = true)]
        tranches: Vec<u64>,
    },
    /// Buy (or extend) a license to a sealed version
    BuyLicense {
        #[arg(long)]
        dataset_id: u64,
        #[arg(long)]
        version: u32,
        /// Beneficiary (key name or address; default: the sender)
        #[arg(long)]
        licensee: Option<String>,
        /// Coin to pay (default: the first price in the dataset's terms)
        #[arg(long)]
        amount: Option<String>,
    },
    /// Curator staking only: send an optimistic tranche to review
    BeginReview {
        #[arg(long)]
        tranche_id: u64,
    },
    /// Curator staking only: record a review outcome
    RecordReviewOutcome {
        #[arg(long)]
        tranche_id: u64,
        #[arg(long, value_enum)]
        outcome: Outcome,
        #[arg(long)]
        accepted_records: Option<u64>,
    },
    /// Admin: change configuration (only the flags given change)
    UpdateConfig {
        /// Coin, or "none"
        #[arg(long)]
        schema_fee: Option<String>,
        #[arg(long)]
        dataset_bond: Option<String>,
        #[arg(long)]
        tranche_bond: Option<String>,
        #[arg(long)]
        challenge_window_secs: Option<u64>,
        #[arg(long)]
        max_tranches_per_version: Option<u32>,
    },
    /// Admin and pause (the same for every contract)
    #[command(flatten)]
    Governance(crate::governance::GovernanceTx),
}

#[derive(Subcommand, Debug)]
pub enum RegistryQuery {
    Config,
    Schema {
        #[arg(long)]
        schema_id: u64,
    },
    Schemas {
        #[arg(long)]
        start_after: Option<u64>,
        #[arg(long)]
        limit: Option<u32>,
    },
    Dataset {
        #[arg(long)]
        dataset_id: u64,
    },
    Datasets {
        #[arg(long)]
        maintainer: Option<String>,
        #[arg(long)]
        start_after: Option<u64>,
        #[arg(long)]
        limit: Option<u32>,
    },
    Tranche {
        #[arg(long)]
        tranche_id: u64,
    },
    Tranches {
        #[arg(long)]
        dataset_id: Option<u64>,
        #[arg(long)]
        contributor: Option<String>,
        #[arg(long, value_enum)]
        status: Option<Status>,
        #[arg(long)]
        start_after: Option<u64>,
        #[arg(long)]
        limit: Option<u32>,
    },
    Version {
        #[arg(long)]
        dataset_id: u64,
        #[arg(long)]
        version: u32,
    },
    Versions {
        #[arg(long)]
        dataset_id: u64,
        #[arg(long)]
        start_after: Option<u32>,
        #[arg(long)]
        limit: Option<u32>,
    },
    VersionWeights {
        #[arg(long)]
        dataset_id: u64,
        #[arg(long)]
        version: u32,
        #[arg(long)]
        start_after: Option<String>,
        #[arg(long)]
        limit: Option<u32>,
    },
    HasValidLicense {
        #[arg(long)]
        licensee: String,
        #[arg(long)]
        dataset_id: u64,
        #[arg(long)]
        version: u32,
    },
    LicenseGrant {
        #[arg(long)]
        licensee: String,
        #[arg(long)]
        dataset_id: u64,
        #[arg(long)]
        version: u32,
    },
    LicenseGrants {
        #[arg(long)]
        licensee: String,
        #[arg(long)]
        limit: Option<u32>,
    },
    /// Which tranche registered a content root (give --root or --records-file)
    ContentRoot {
        #[arg(long, required_unless_present = "records_file")]
        root: Option<String>,
        #[arg(long)]
        records_file: Option<PathBuf>,
    },
    Stats,
    Governance,
}

/// 32 random bytes from the OS: the salt of a tranche commitment, kept only for the call.
fn random_salt() -> Result<HexBinary> {
    use std::io::Read;
    let mut salt = [0u8; content::SALT_LEN];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut salt))
        .context("reading a random salt from /dev/urandom")?;
    Ok(HexBinary::from(salt.to_vec()))
}

fn hex_arg(name: &str, s: &str) -> Result<HexBinary> {
    HexBinary::from_hex(s.trim_start_matches("0x")).map_err(|_| anyhow!("--{name} must be hex"))
}

/// sha256 of `data`: a canary's commitment (of its secret record), a records file's hash.
pub fn sha256_hex(data: &[u8]) -> HexBinary {
    use sha2::{Digest, Sha256};
    HexBinary::from(Sha256::digest(data).to_vec())
}

/// The records of a records file: one per line, empty lines skipped.
fn read_records(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("reading {}", path.display()))
}

fn split_records(data: &[u8]) -> Vec<&[u8]> {
    data.split(|b| *b == b'\n').filter(|l| !l.is_empty()).collect()
}

/// Content root (root of the record tree, attrib_std::content), record count and byte
/// size of a records file (one record per line).
pub fn records_file_summary(path: &Path) -> Result<(HexBinary, u64, u64)> {
    let data = read_records(path)?;
    let records = split_records(&data);
    let root = content::content_root(records.iter().copied())
        .ok_or_else(|| anyhow!("{} has no records", path.display()))?;
    Ok((
        HexBinary::from(root.to_vec()),
        records.len() as u64,
        data.len() as u64,
    ))
}

fn optional_coin_setting(s: &Option<String>) -> Result<Option<Option<Coin>>> {
    s.as_deref()
        .map(|v| {
            if v == "none" {
                Ok(None)
            } else {
                parse_coin(v).map(Some)
            }
        })
        .transpose()
}

fn funds_or(amount: &Option<String>, default: Option<Coin>) -> Result<Vec<Coin>> {
    match amount {
        Some(a) => parse_coins(a),
        None => Ok(default.into_iter().collect()),
    }
}

pub async fn tx(ctx: &Ctx, cmd: RegistryTx) -> Result<Option<TxOutcome>> {
    let registry = ctx.contract(CONTRACT)?;
    let config = || async {
        ctx.chain
            .query::<_, ConfigResponse>(&registry, &QueryMsg::Config {})
            .await
            .map(|c| c.config)
    };
    match cmd {
        RegistryTx::RegisterSchema {
            uri,
            hash,
            file,
            amount,
        } => {
            let hash = match (hash, file) {
                (Some(h), _) => hex_arg("hash", &h)?,
                (None, Some(f)) => {
                    sha256_hex(&std::fs::read(&f).with_context(|| format!("reading {}", f.display()))?)
                }
                (None, None) => bail!("give --hash or --file"),
            };
            let funds = funds_or(&amount, config().await?.schema_fee)?;
            ctx.execute(
                "register_schema",
                &registry,
                &ExecMsg::RegisterSchema { uri, hash },
                funds,
            )
            .await
        }
        RegistryTx::RegisterDataset {
            name,
            schema_id,
            metadata_uri,
            tier,
            terms,
            weight_rule,
            max_tranche_records,
            canary,
            amount,
        } => {
            let msg = ExecMsg::RegisterDataset {
                dataset: NewDataset {
                    name,
                    schema_id,
                    metadata_uri,
                    terms: terms.terms()?,
                    tier: match tier {
                        Tier::Strict => VerificationTier::Strict,
                        Tier::Optimistic => VerificationTier::Optimistic,
                    },
                    weight_rule: weight_rule.map(|w| match w {
                        Weight::AcceptedRecords => WeightRule::AcceptedRecords,
                        Weight::ByteSize => WeightRule::ByteSize,
                        Weight::Equal => WeightRule::Equal,
                    }),
                    max_tranche_records,
                    canaries: Some(
                        canary
                            .iter()
                            .map(|c| hex_arg("canary", c))
                            .collect::<Result<_>>()?,
                    ),
                },
            };
            let funds = funds_or(&amount, config().await?.dataset_bond)?;
            if let ExecMsg::RegisterDataset { dataset } = &msg {
                warn_unaccepted_denoms(ctx, &dataset.terms).await?;
            }
            ctx.execute("register_dataset", &registry, &msg, funds).await
        }
        RegistryTx::UpdateLicenseTerms { dataset_id, terms } => {
            let terms = terms.terms()?;
            warn_unaccepted_denoms(ctx, &terms).await?;
            let msg = ExecMsg::UpdateLicenseTerms { dataset_id, terms };
            ctx.execute("update_license_terms", &registry, &msg, vec![]).await
        }
        RegistryTx::AddCanary {
            dataset_id,
            commitment,
            secret,
        } => {
            let commitment = match (commitment, secret) {
                (Some(c), _) => hex_arg("commitment", &c)?,
                (None, Some(s)) => sha256_hex(s.as_bytes()),
                (None, None) => bail!("give --commitment or --secret"),
            };
            ctx.execute(
                "add_canary",
                &registry,
                &ExecMsg::AddCanary {
                    dataset_id,
                    commitment,
                },
                vec![],
            )
            .await
        }
        RegistryTx::RetireDataset { dataset_id } => {
            ctx.execute(
                "retire_dataset",
                &registry,
                &ExecMsg::RetireDataset { dataset_id },
                vec![],
            )
            .await
        }
        RegistryTx::RegisterTranche {
            dataset_id,
            records_file,
            root,
            record_count,
            byte_size,
            metadata_uri,
            force,
            amount,
        } => {
            let (content_root, record_count, byte_size) = match records_file {
                Some(f) => records_file_summary(&f)?,
                None => (
                    hex_arg("root", root.as_deref().unwrap_or_default())?,
                    record_count.unwrap_or_default(),
                    byte_size.unwrap_or_default(),
                ),
            };
            if !force && !ctx.g.dry_run {
                let seen: ContentRootResponse = ctx
                    .chain
                    .query(
                        &registry,
                        &QueryMsg::ContentRoot {
                            content_root: content_root.clone(),
                        },
                    )
                    .await?;
                if let Some(original) = seen.tranche_id {
                    bail!(
                        "content root {} is already registered by tranche {original}: the registry would refuse this \
                         duplicate and forfeit your listing bond (use --force to submit anyway)",
                        content_root.to_hex()
                    );
                }
                if let Some(v) = seen.version {
                    bail!(
                        "content root {} is the root of sealed version {}/{}: the registry would refuse it as a \
                         duplicate and forfeit your listing bond (use --force to submit anyway)",
                        content_root.to_hex(),
                        v.dataset_id,
                        v.version
                    );
                }
            }
            let funds = funds_or(&amount, config().await?.tranche_bond)?;
            let salt = random_salt()?;
            let contributor = if ctx.g.dry_run {
                ctx.g.from.clone().unwrap_or_default()
            } else {
                ctx.signer()?.address.to_string()
            };
            let commitment = content::commitment(&contributor, dataset_id, &content_root, &salt);
            let commit = ExecMsg::CommitTranche {
                commitment: HexBinary::from(commitment.to_vec()),
            };
            // The commit's outcome goes to stderr: stdout carries the registration's.
            let committed = ctx
                .execute_step("commit_tranche", &registry, &commit, funds)
                .await?;
            if let Some(o) = committed {
                let height = o.height;
                crate::progress::spin("waiting for the next block", ctx.chain.wait_past(height)).await?;
            }
            let msg = ExecMsg::RegisterTranche {
                dataset_id,
                content_root,
                record_count,
                byte_size,
                metadata_uri,
                salt,
            };
            ctx.execute("register_tranche", &registry, &msg, vec![]).await
        }
        RegistryTx::WithdrawCommitment { commitment } => {
            let msg = ExecMsg::WithdrawTrancheCommitment {
                commitment: hex_arg("commitment", &commitment)?,
            };
            ctx.execute("withdraw_tranche_commitment", &registry, &msg, vec![])
                .await
        }
        RegistryTx::ProveRecordCount {
            tranche_id,
            records_file,
        } => {
            let data = read_records(&records_file)?;
            let records = split_records(&data);
            let tranche: TrancheResponse = ctx
                .chain
                .query(&registry, &QueryMsg::Tranche { tranche_id })
                .await?;
            let t = tranche.tranche;
            let root = content::content_root(records.iter().copied())
                .ok_or_else(|| anyhow!("{} has no records", records_file.display()))?;
            if root.as_slice() != t.content_root.as_slice() {
                bail!(
                    "the records of {} have root {}, tranche {tranche_id} has {}: not its content",
                    records_file.display(),
                    hex::encode(root),
                    t.content_root.to_hex()
                );
            }
            let proof = content::count_proof(&records, t.record_count).ok_or_else(|| {
                anyhow!(
                    "tranche {tranche_id} declares {} records, which is right: nothing to prove",
                    t.record_count
                )
            })?;
            let msg = ExecMsg::ProveRecordCount { tranche_id, proof };
            ctx.execute("prove_record_count", &registry, &msg, vec![]).await
        }
        RegistryTx::AcceptUnchallenged { tranche_id } => {
            ctx.execute(
                "accept_unchallenged",
                &registry,
                &ExecMsg::AcceptUnchallenged { tranche_id },
                vec![],
            )
            .await
        }
        RegistryTx::SealVersion { dataset_id, tranches } => {
            let msg = ExecMsg::SealVersion {
                dataset_id,
                tranche_ids: tranches,
            };
            ctx.execute("seal_version", &registry, &msg, vec![]).await
        }
        RegistryTx::BuyLicense {
            dataset_id,
            version,
            licensee,
            amount,
        } => {
            let funds = match amount {
                Some(a) => parse_coins(&a)?,
                None => {
                    let d: DatasetResponse = ctx
                        .chain
                        .query(&registry, &LicenseQuery::Dataset { dataset_id })
                        .await?;
                    d.dataset.terms.price.into_iter().take(1).collect()
                }
            };
            let licensee = licensee.map(|l| ctx.resolve_address(&l)).transpose()?;
            ctx.execute(
                "buy_license",
                &registry,
                &ExecMsg::BuyLicense {
                    dataset_id,
                    version,
                    licensee,
                },
                funds,
            )
            .await
        }
        RegistryTx::BeginReview { tranche_id } => {
            ctx.execute(
                "begin_review",
                &registry,
                &ReviewExec::BeginReview { tranche_id },
                vec![],
            )
            .await
        }
        RegistryTx::RecordReviewOutcome {
            tranche_id,
            outcome,
            accepted_records,
        } => {
            let outcome = match outcome {
                Outcome::Accept => ReviewOutcome::Accept { accepted_records },
                Outcome::Reject => ReviewOutcome::Reject {},
                Outcome::Revoke => ReviewOutcome::Revoke {},
            };
            let msg = ReviewExec::RecordReviewOutcome { tranche_id, outcome };
            ctx.execute("record_review_outcome", &registry, &msg, vec![])
                .await
        }
        RegistryTx::UpdateConfig {
            schema_fee,
            dataset_bond,
            tranche_bond,
            challenge_window_secs,
            max_tranches_per_version,
        } => {
            let update = ConfigUpdate {
                schema_fee: optional_coin_setting(&schema_fee)?,
                dataset_bond: optional_coin_setting(&dataset_bond)?,
                tranche_bond: optional_coin_setting(&tranche_bond)?,
                challenge_window_secs,
                max_tranches_per_version,
            };
            ctx.execute(
                "update_config",
                &registry,
                &ExecMsg::UpdateConfig { update },
                vec![],
            )
            .await
        }
        RegistryTx::Governance(g) => crate::governance::tx(ctx, &registry, g).await,
    }
}

/// Warns (stderr) about license prices and royalties in denoms the reward pool does not
/// accept: such a license cannot be bought (the pool refuses the payment) and no model can
/// declare such a royalty. The admin may accept the denom later, so it is not refused here.
async fn warn_unaccepted_denoms(ctx: &Ctx, terms: &attrib_std::registry::LicenseTerms) -> Result<()> {
    use attrib_std::interfaces::reward_pool::sv::QueryMsg as PoolQuery;
    use attrib_std::interfaces::reward_pool::DenomAcceptedResponse;
    if ctx.g.dry_run {
        return Ok(());
    }
    let pool = ctx.contract(crate::rewards::CONTRACT)?;
    let denoms: std::collections::BTreeSet<&str> = terms
        .price
        .iter()
        .chain(&terms.royalty_per_unit)
        .map(|c| c.denom.as_str())
        .collect();
    for denom in denoms {
        let r: DenomAcceptedResponse = ctx
            .chain
            .query(&pool, &PoolQuery::DenomAccepted { denom: denom.into() })
            .await?;
        if r.min_amount.is_none() {
            eprintln!(
                "warning: the reward pool does not accept {denom}: licenses priced in it cannot be \
                 bought and models cannot pay royalties in it until the pool's admin accepts it"
            );
        }
    }
    Ok(())
}

pub async fn query(ctx: &Ctx, cmd: RegistryQuery) -> Result<()> {
    let registry = ctx.contract(CONTRACT)?;
    let addr = |a: String| ctx.resolve_address(&a);
    let v: serde_json::Value = match cmd {
        RegistryQuery::Config => ctx.chain.query(&registry, &QueryMsg::Config {}).await?,
        RegistryQuery::Schema { schema_id } => {
            ctx.chain
                .query(&registry, &QueryMsg::Schema { schema_id })
                .await?
        }
        RegistryQuery::Schemas { start_after, limit } => {
            ctx.chain
                .query(&registry, &QueryMsg::Schemas { start_after, limit })
                .await?
        }
        RegistryQuery::Dataset { dataset_id } => {
            ctx.chain
                .query(&registry, &LicenseQuery::Dataset { dataset_id })
                .await?
        }
        RegistryQuery::Datasets {
            maintainer,
            start_after,
            limit,
        } => {
            let maintainer = maintainer.map(addr).transpose()?;
            ctx.chain
                .query(
                    &registry,
                    &QueryMsg::Datasets {
                        maintainer,
                        start_after,
                        limit,
                    },
                )
                .await?
        }
        RegistryQuery::Tranche { tranche_id } => {
            ctx.chain
                .query(&registry, &QueryMsg::Tranche { tranche_id })
                .await?
        }
        RegistryQuery::Tranches {
            dataset_id,
            contributor,
            status,
            start_after,
            limit,
        } => {
            let filter = TrancheFilter {
                dataset_id,
                contributor: contributor.map(addr).transpose()?,
                status: status.map(|s| match s {
                    Status::Pending => TrancheStatus::Pending,
                    Status::UnderReview => TrancheStatus::UnderReview,
                    Status::Accepted => TrancheStatus::Accepted,
                    Status::Rejected => TrancheStatus::Rejected,
                    Status::Revoked => TrancheStatus::Revoked,
                }),
            };
            ctx.chain
                .query(
                    &registry,
                    &QueryMsg::Tranches {
                        filter: Some(filter),
                        start_after,
                        limit,
                    },
                )
                .await?
        }
        RegistryQuery::Version { dataset_id, version } => {
            ctx.chain
                .query(&registry, &LicenseQuery::Version { dataset_id, version })
                .await?
        }
        RegistryQuery::Versions {
            dataset_id,
            start_after,
            limit,
        } => {
            ctx.chain
                .query(
                    &registry,
                    &QueryMsg::Versions {
                        dataset_id,
                        start_after,
                        limit,
                    },
                )
                .await?
        }
        RegistryQuery::VersionWeights {
            dataset_id,
            version,
            start_after,
            limit,
        } => {
            let start_after = start_after.map(addr).transpose()?;
            ctx.chain
                .query(
                    &registry,
                    &QueryMsg::VersionWeights {
                        dataset_id,
                        version,
                        start_after,
                        limit,
                    },
                )
                .await?
        }
        RegistryQuery::HasValidLicense {
            licensee,
            dataset_id,
            version,
        } => {
            let licensee = addr(licensee)?;
            ctx.chain
                .query(
                    &registry,
                    &LicenseQuery::HasValidLicense {
                        licensee,
                        dataset_id,
                        version,
                    },
                )
                .await?
        }
        RegistryQuery::LicenseGrant {
            licensee,
            dataset_id,
            version,
        } => {
            let licensee = addr(licensee)?;
            ctx.chain
                .query(
                    &registry,
                    &QueryMsg::LicenseGrant {
                        licensee,
                        dataset_id,
                        version,
                    },
                )
                .await?
        }
        RegistryQuery::LicenseGrants { licensee, limit } => {
            let licensee = addr(licensee)?;
            ctx.chain
                .query(
                    &registry,
                    &QueryMsg::LicenseGrants {
                        licensee,
                        start_after: None,
                        limit,
                    },
                )
                .await?
        }
        RegistryQuery::ContentRoot { root, records_file } => {
            let content_root = match (root, records_file) {
                (Some(r), _) => hex_arg("root", &r)?,
                (None, Some(f)) => records_file_summary(&f)?.0,
                (None, None) => bail!("give --root or --records-file"),
            };
            ctx.chain
                .query(&registry, &QueryMsg::ContentRoot { content_root })
                .await?
        }
        RegistryQuery::Stats => ctx.chain.query(&registry, &QueryMsg::Stats {}).await?,
        RegistryQuery::Governance => ctx.chain.query(&registry, &GovQuery::Governance {}).await?,
    };
    ctx.print_json(&v)
}
