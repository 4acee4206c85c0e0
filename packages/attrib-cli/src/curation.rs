//! `attrib tx curation …` and `attrib q curation …`: curator staking, one typed
//! subcommand per message. Stake and challenge bonds are sent in the configured stake
//! asset (a cw20 `send` with the hook message, or native funds). Vote salts are derived
//! from a signature by the voter's own key (RFC 6979 is deterministic), so `reveal-vote`
//! recomputes the salt and no secret is written to disk. Entropy salts for committee
//! draws are derived the same way from a nonce the CLI keeps under `<home>/entropy/`:
//! staking as a curator commits one, and `draw-committee` and `commit-vote` reveal it
//! (when it counts for the review's draw), commit a fresh one and draw the committee of a
//! review still `Drawing`.

use anyhow::{anyhow, bail, Result};
use attrib_curator_staking::contract::sv::{ExecMsg, QueryMsg};
use attrib_curator_staking::msg::{
    ConfigResponse, DrawStatusResponse, EntropyResponse, Params, ReceiveMsg, ReviewResponse,
};
use attrib_curator_staking::state::{ReviewStatus, Role, StakeAsset};
use attrib_std::curation::{entropy_commitment, vote_commitment, Vote};
use attrib_std::interfaces::governance::sv::QueryMsg as GovQuery;
use attrib_std::interfaces::points_source::sv::QueryMsg as PointsQuery;
use attrib_std::interfaces::slashing_service::sv::QueryMsg as SlashingQuery;
use clap::{Subcommand, ValueEnum};
use cosmwasm_std::{to_json_binary, HexBinary, Uint128};
use sha2::{Digest, Sha256};

use crate::chain::TxOutcome;
use crate::context::Ctx;
use crate::governance;
use crate::keys::Signer;

pub const CONTRACT: &str = "curator_staking";

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum RoleArg {
    Curator,
    Operator,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum VoteArg {
    Accept,
    Reject,
}

impl From<VoteArg> for Vote {
    fn from(v: VoteArg) -> Self {
        match v {
            VoteArg::Accept => Vote::Accept,
            VoteArg::Reject => Vote::Reject,
        }
    }
}

#[derive(Subcommand, Debug)]
pub enum CurationTx {
    /// Stake (in the stake asset) as a curator or a metering operator
    Stake {
        #[arg(long)]
        amount: u128,
        #[arg(long, value_enum, default_value = "curator")]
        role: RoleArg,
    },
    /// Start unbonding (still slashable until released)
    Unstake {
        #[arg(long)]
        amount: u128,
    },
    /// Release unbonded stake whose period is over
    ClaimUnbonded,
    /// Withdraw dispute bonds won and challenger rewards
    WithdrawPayout,
    /// Bond against a tranche: pending optimistic → review; accepted → dispute
    Challenge {
        #[arg(long)]
        tranche_id: u64,
        /// sha256 (hex) of the evidence, or give --evidence-file to hash it here
        #[arg(long, required_unless_present = "evidence_file")]
        evidence_hash: Option<String>,
        #[arg(long)]
        evidence_file: Option<std::path::PathBuf>,
        #[arg(long)]
        evidence_uri: String,
    },
    /// Claim that a model emitted a dataset's canary without declaring the dataset
    ChallengeOmission {
        #[arg(long)]
        model_id: u64,
        #[arg(long)]
        dataset_id: u64,
        #[arg(long)]
        version: u32,
        /// The canary record the model emitted (its sha256 is the dataset's commitment)
        #[arg(long)]
        canary: String,
        #[arg(long)]
        evidence_uri: String,
    },
    /// Curator: commit fresh entropy for committee draws (staking does it for you)
    CommitEntropy,
    /// Curator: reveal your committed entropy, then commit a fresh one
    RevealEntropy,
    /// Anyone: draw the committee of a review still drawing (a curator first reveals its
    /// entropy when it counts for this draw)
    DrawCommittee {
        #[arg(long)]
        review_id: u64,
    },
    /// Committee member: commit a vote (the salt is derived from your key); draws the
    /// committee first if the review is still drawing
    CommitVote {
        #[arg(long)]
        review_id: u64,
        #[arg(long, value_enum)]
        vote: VoteArg,
    },
    /// Committee member: reveal the committed vote
    RevealVote {
        #[arg(long)]
        review_id: u64,
        #[arg(long, value_enum)]
        vote: VoteArg,
    },
    /// Anyone: finalize a review after its reveal phase (or once all revealed)
    FinalizeReview {
        #[arg(long)]
        review_id: u64,
    },
    /// Admin: decide a dispute or a stalled review
    AdminResolve {
        #[arg(long)]
        review_id: u64,
        #[arg(long, value_enum)]
        outcome: VoteArg,
    },
    /// Authorized slasher contracts (or their admin, for tests): slash a staker
    Slash {
        #[arg(long)]
        staker: String,
        #[arg(long, conflicts_with = "fraction_bps")]
        amount: Option<u128>,
        #[arg(long)]
        fraction_bps: Option<u32>,
        #[arg(long)]
        reason: String,
        #[arg(long)]
        beneficiary: Option<String>,
    },
    /// Admin: disallow a slasher at once (`--allowed true` is refused: announce a new one)
    SetSlasher {
        #[arg(long)]
        address: String,
        #[arg(long, action = clap::ArgAction::Set)]
        allowed: bool,
    },
    /// Admin: announce a new slasher; it applies after the change delay
    AnnounceSlasher {
        #[arg(long)]
        address: String,
    },
    /// Admin: announce moved peers (JSON of `Peers`); they apply after the change delay
    AnnouncePeers {
        #[arg(long)]
        json: String,
    },
    /// Anyone: apply the announced change once its delay is over
    ApplyChange,
    /// Admin: cancel the announced change
    CancelChange,
    /// Admin: replace the parameters (JSON of `Params`)
    UpdateParams {
        #[arg(long)]
        json: String,
    },
    /// Admin and pause (the same for every contract)
    #[command(flatten)]
    Governance(crate::governance::GovernanceTx),
}

#[derive(Subcommand, Debug)]
pub enum CurationQuery {
    Config,
    Staker {
        address: String,
    },
    Stakers {
        #[arg(long)]
        start_after: Option<String>,
        #[arg(long)]
        limit: Option<u32>,
    },
    /// A review: committee with draw weights and tickets, votes once revealed
    Review {
        review_id: u64,
    },
    OpenReviewOf {
        tranche_id: u64,
    },
    /// An address's outstanding entropy commitment
    Entropy {
        address: String,
    },
    /// Where a review's committee draw stands: salts counted, who has yet to reveal, when
    /// the admin's fallback opens
    DrawStatus {
        review_id: u64,
    },
    Points {
        epoch: u64,
        curator: String,
    },
    EpochPoints {
        epoch: u64,
        #[arg(long)]
        limit: Option<u32>,
    },
    /// Nakamoto coefficient (1/3, 1/2), HHI, top-k share, dispute counts
    Concentration {
        #[arg(long)]
        top_k: Option<u32>,
    },
    Totals,
    Payout {
        address: String,
    },
    /// A staker's role and stake, as the slashing service reports it
    StakeOf {
        address: String,
    },
    Governance,
}

/// The salt of `signer`'s vote in `review_id` on this contract: sha256 of the signer's
/// (deterministic) signature over a domain-separated label. Secret until revealed.
pub fn vote_salt(signer: &Signer, chain_id: &str, contract: &str, review_id: u64) -> Result<HexBinary> {
    let label = format!("attrib/vote-salt/v1|{chain_id}|{contract}|{review_id}");
    let sig = signer
        .key
        .sign(label.as_bytes())
        .map_err(|e| anyhow!("signing the salt: {e}"))?;
    Ok(HexBinary::from(Sha256::digest(sig.to_bytes()).to_vec()))
}

/// The salt of `signer`'s entropy commitment number `nonce` on this contract, derived
/// like a vote salt: secret until revealed, and no secret on disk.
pub fn entropy_salt(signer: &Signer, chain_id: &str, contract: &str, nonce: u64) -> Result<HexBinary> {
    let label = format!("attrib/entropy-salt/v1|{chain_id}|{contract}|{nonce}");
    let sig = signer
        .key
        .sign(label.as_bytes())
        .map_err(|e| anyhow!("signing the entropy salt: {e}"))?;
    Ok(HexBinary::from(Sha256::digest(sig.to_bytes()).to_vec()))
}

/// Where the nonce of a curator's outstanding entropy commitment is kept.
fn entropy_nonce_path(ctx: &Ctx, contract: &str, address: &str) -> std::path::PathBuf {
    ctx.home()
        .join("entropy")
        .join(format!("{}-{contract}-{address}.nonce", ctx.g.chain_id))
}

/// A fresh entropy salt for `signer`; its nonce is kept locally (unless `keep` is false).
pub(crate) fn new_entropy_salt(ctx: &Ctx, staking: &str, signer: &Signer, keep: bool) -> Result<HexBinary> {
    let nonce = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_nanos() as u64;
    let salt = entropy_salt(signer, &ctx.g.chain_id, staking, nonce)?;
    if keep {
        let path = entropy_nonce_path(ctx, staking, signer.address.as_ref());
        std::fs::create_dir_all(path.parent().expect("a folder"))?;
        std::fs::write(&path, nonce.to_string())?;
    }
    Ok(salt)
}

/// The salt of `signer`'s last entropy commitment made through this CLI, if its nonce is kept.
pub(crate) fn kept_entropy_salt(ctx: &Ctx, staking: &str, signer: &Signer) -> Result<Option<HexBinary>> {
    let path = entropy_nonce_path(ctx, staking, signer.address.as_ref());
    match std::fs::read_to_string(&path)
        .ok()
        .and_then(|n| n.trim().parse().ok())
    {
        Some(nonce) => Ok(Some(entropy_salt(signer, &ctx.g.chain_id, staking, nonce)?)),
        None => Ok(None),
    }
}

/// Commits fresh entropy (aside): a new nonce, kept locally, and its salt's commitment.
async fn commit_entropy(ctx: &Ctx, staking: &str) -> Result<Option<TxOutcome>> {
    let signer = ctx.signer()?;
    let salt = new_entropy_salt(ctx, staking, &signer, !ctx.g.dry_run)?;
    let commitment = HexBinary::from(entropy_commitment(signer.address.as_ref(), &salt));
    ctx.execute_aside("commit_entropy", staking, &ExecMsg::CommitEntropy { commitment })
        .await
}

/// Reveals the signer's outstanding entropy commitment (aside) unless it was made at or
/// after `before_height` (it would not count for that draw; it is kept for the next), then
/// commits a fresh one. False when there was nothing this CLI can reveal.
async fn reveal_entropy(ctx: &Ctx, staking: &str, before_height: Option<u64>) -> Result<bool> {
    let signer = ctx.signer()?;
    let address = signer.address.to_string();
    let held: EntropyResponse = ctx
        .chain
        .query(
            staking,
            &QueryMsg::Entropy {
                address: address.clone(),
            },
        )
        .await?;
    let Some(commit) = held.commit else {
        return Ok(false);
    };
    if before_height.is_some_and(|h| commit.height >= h) {
        return Ok(false);
    }
    let Some(salt) = kept_entropy_salt(ctx, staking, &signer)? else {
        eprintln!("note: no local entropy nonce for {address}: cannot reveal");
        return Ok(false);
    };
    if commit.commitment.as_slice() != entropy_commitment(&address, &salt) {
        eprintln!("note: the local entropy nonce does not match the commitment on chain");
        return Ok(false);
    }
    ctx.execute_aside("reveal_entropy", staking, &ExecMsg::RevealEntropy { salt })
        .await?;
    commit_entropy(ctx, staking).await?;
    Ok(true)
}

/// Draws `review_id`'s committee if it is still drawing: a curator signer first reveals
/// its entropy when it counts. `aside`: the draw is a step on the way to another tx.
async fn draw_if_drawing(ctx: &Ctx, staking: &str, review_id: u64, aside: bool) -> Result<Option<TxOutcome>> {
    let r: ReviewResponse = ctx.chain.query(staking, &QueryMsg::Review { review_id }).await?;
    if r.review.status != ReviewStatus::Drawing {
        if aside {
            return Ok(None);
        }
        bail!("review {review_id} is not waiting for its committee draw");
    }
    if let (Some(req), Some(_)) = (&r.review.draw, &ctx.g.from) {
        if !ctx.g.dry_run {
            reveal_entropy(ctx, staking, Some(req.requested_height)).await?;
        }
    }
    // Every candidate's commitment from before the request must be out first: say whose
    // are missing rather than send a draw that is refused.
    if !ctx.g.dry_run {
        let st: DrawStatusResponse = ctx
            .chain
            .query(staking, &QueryMsg::DrawStatus { review_id })
            .await?;
        if !st.withheld.is_empty() || st.counted < st.needed {
            let who: Vec<String> = st.withheld.iter().map(|a| a.to_string()).collect();
            eprintln!(
                "note: review {review_id} waits for entropy from {} curator(s) [{}] ({} of at least {} salts out); the admin may draw from {}",
                who.len(),
                who.join(", "),
                st.counted,
                st.needed,
                st.fallback_after
            );
        }
    }
    let msg = ExecMsg::DrawCommittee { review_id };
    if aside {
        ctx.execute_aside("draw_committee", staking, &msg).await
    } else {
        ctx.execute("draw_committee", staking, &msg, vec![]).await
    }
}

/// Sends `amount` of the stake asset with `hook` (cw20 send) or as funds (native).
async fn with_stake_asset<M: serde::Serialize>(
    ctx: &Ctx,
    label: &str,
    staking: &str,
    amount: u128,
    native_msg: &M,
    hook: &ReceiveMsg,
) -> Result<Option<TxOutcome>> {
    let config: ConfigResponse = ctx.chain.query(staking, &QueryMsg::Config {}).await?;
    match config.config.asset {
        StakeAsset::Native { denom } => {
            ctx.execute(
                label,
                staking,
                native_msg,
                vec![cosmwasm_std::coin(amount, denom)],
            )
            .await
        }
        StakeAsset::Cw20 { address } => {
            let send = cw20::Cw20ExecuteMsg::Send {
                contract: staking.to_string(),
                amount: Uint128::new(amount),
                msg: to_json_binary(hook)?,
            };
            ctx.execute(label, address.as_str(), &send, vec![]).await
        }
    }
}

pub async fn tx(ctx: &Ctx, cmd: CurationTx) -> Result<Option<TxOutcome>> {
    let staking = ctx.contract(CONTRACT)?;
    match cmd {
        CurationTx::Stake { amount, role } => {
            let role = match role {
                RoleArg::Curator => Role::Curator,
                RoleArg::Operator => Role::Operator,
            };
            let out = with_stake_asset(
                ctx,
                "stake",
                &staking,
                amount,
                &ExecMsg::Stake { role },
                &ReceiveMsg::Stake { role },
            )
            .await?;
            // A curator holds an entropy commitment for the draws to come.
            if role == Role::Curator && !ctx.g.dry_run {
                let address = ctx.signer()?.address.to_string();
                let held: EntropyResponse = ctx.chain.query(&staking, &QueryMsg::Entropy { address }).await?;
                if held.commit.is_none() {
                    commit_entropy(ctx, &staking).await?;
                }
            }
            Ok(out)
        }
        CurationTx::CommitEntropy => commit_entropy(ctx, &staking).await,
        CurationTx::RevealEntropy => {
            if !reveal_entropy(ctx, &staking, None).await? {
                bail!("nothing to reveal: no entropy commitment this CLI made is outstanding");
            }
            Ok(None)
        }
        CurationTx::DrawCommittee { review_id } => draw_if_drawing(ctx, &staking, review_id, false).await,
        CurationTx::Unstake { amount } => {
            ctx.execute(
                "unstake",
                &staking,
                &ExecMsg::Unstake {
                    amount: amount.into(),
                },
                vec![],
            )
            .await
        }
        CurationTx::ClaimUnbonded => {
            ctx.execute("claim_unbonded", &staking, &ExecMsg::ClaimUnbonded {}, vec![])
                .await
        }
        CurationTx::WithdrawPayout => {
            ctx.execute("withdraw_payout", &staking, &ExecMsg::WithdrawPayout {}, vec![])
                .await
        }
        CurationTx::Challenge {
            tranche_id,
            evidence_hash,
            evidence_file,
            evidence_uri,
        } => {
            let evidence_hash = match (evidence_hash, evidence_file) {
                (Some(h), _) => HexBinary::from_hex(h.trim_start_matches("0x"))
                    .map_err(|_| anyhow!("--evidence-hash must be hex"))?,
                (None, Some(f)) => HexBinary::from(Sha256::digest(std::fs::read(&f)?).to_vec()),
                (None, None) => bail!("give --evidence-hash or --evidence-file"),
            };
            let config: ConfigResponse = ctx.chain.query(&staking, &QueryMsg::Config {}).await?;
            let bond = config.config.params.dispute_bond.u128();
            let native = ExecMsg::Challenge {
                tranche_id,
                evidence_hash: evidence_hash.clone(),
                evidence_uri: evidence_uri.clone(),
            };
            let hook = ReceiveMsg::Challenge {
                tranche_id,
                evidence_hash,
                evidence_uri,
            };
            with_stake_asset(ctx, "challenge", &staking, bond, &native, &hook).await
        }
        CurationTx::ChallengeOmission {
            model_id,
            dataset_id,
            version,
            canary,
            evidence_uri,
        } => {
            let config: ConfigResponse = ctx.chain.query(&staking, &QueryMsg::Config {}).await?;
            let bond = config.config.params.dispute_bond.u128();
            let canary_preimage = HexBinary::from(canary.into_bytes());
            let native = ExecMsg::ChallengeOmission {
                model_id,
                dataset_id,
                version,
                canary_preimage: canary_preimage.clone(),
                evidence_uri: evidence_uri.clone(),
            };
            let hook = ReceiveMsg::ChallengeOmission {
                model_id,
                dataset_id,
                version,
                canary_preimage,
                evidence_uri,
            };
            with_stake_asset(ctx, "challenge_omission", &staking, bond, &native, &hook).await
        }
        CurationTx::CommitVote { review_id, vote } => {
            let signer = ctx.signer()?;
            draw_if_drawing(ctx, &staking, review_id, true).await?;
            let salt = vote_salt(&signer, &ctx.g.chain_id, &staking, review_id)?;
            let commitment = HexBinary::from(vote_commitment(
                review_id,
                signer.address.as_ref(),
                vote.into(),
                &salt,
            ));
            ctx.execute(
                "commit_vote",
                &staking,
                &ExecMsg::CommitVote {
                    review_id,
                    commitment,
                },
                vec![],
            )
            .await
        }
        CurationTx::RevealVote { review_id, vote } => {
            let signer = ctx.signer()?;
            let salt = vote_salt(&signer, &ctx.g.chain_id, &staking, review_id)?;
            ctx.execute(
                "reveal_vote",
                &staking,
                &ExecMsg::RevealVote {
                    review_id,
                    vote: vote.into(),
                    salt,
                },
                vec![],
            )
            .await
        }
        CurationTx::FinalizeReview { review_id } => {
            ctx.execute(
                "finalize_review",
                &staking,
                &ExecMsg::FinalizeReview { review_id },
                vec![],
            )
            .await
        }
        CurationTx::AdminResolve { review_id, outcome } => {
            ctx.execute(
                "admin_resolve",
                &staking,
                &ExecMsg::AdminResolve {
                    review_id,
                    outcome: outcome.into(),
                },
                vec![],
            )
            .await
        }
        CurationTx::Slash {
            staker,
            amount,
            fraction_bps,
            reason,
            beneficiary,
        } => {
            let msg = attrib_std::interfaces::slashing_service::sv::ExecMsg::Slash {
                staker: ctx.resolve_address(&staker)?,
                amount: amount.map(Uint128::new),
                fraction_bps,
                reason,
                beneficiary: beneficiary.map(|b| ctx.resolve_address(&b)).transpose()?,
            };
            ctx.execute("slash", &staking, &msg, vec![]).await
        }
        CurationTx::SetSlasher { address, allowed } => {
            let address = ctx.resolve_address(&address)?;
            ctx.execute(
                "set_slasher",
                &staking,
                &ExecMsg::SetSlasher { address, allowed },
                vec![],
            )
            .await
        }
        CurationTx::AnnounceSlasher { address } => {
            let change = attrib_curator_staking::msg::StakingChange::AddSlasher {
                address: ctx.resolve_address(&address)?,
            };
            governance::announce_change(ctx, &staking, change).await
        }
        CurationTx::AnnouncePeers { json } => {
            let peers = governance::peers_json(&json)?;
            let change = attrib_curator_staking::msg::StakingChange::Peers { peers };
            governance::announce_change(ctx, &staking, change).await
        }
        CurationTx::ApplyChange => governance::apply_change(ctx, &staking).await,
        CurationTx::CancelChange => governance::cancel_change(ctx, &staking).await,
        CurationTx::UpdateParams { json } => {
            let params: Params =
                serde_json::from_str(&json).map_err(|e| anyhow!("--json is not valid Params: {e}"))?;
            ctx.execute(
                "update_params",
                &staking,
                &ExecMsg::UpdateParams { params },
                vec![],
            )
            .await
        }
        CurationTx::Governance(g) => crate::governance::tx(ctx, &staking, g).await,
    }
}

pub async fn query(ctx: &Ctx, cmd: CurationQuery) -> Result<()> {
    let staking = ctx.contract(CONTRACT)?;
    let addr = |a: String| ctx.resolve_address(&a);
    let q = |m: QueryMsg| async move { ctx.chain.query::<_, serde_json::Value>(&staking, &m).await };
    let v = match cmd {
        CurationQuery::Config => q(QueryMsg::Config {}).await?,
        CurationQuery::Staker { address } => {
            q(QueryMsg::Staker {
                address: addr(address)?,
            })
            .await?
        }
        CurationQuery::Stakers { start_after, limit } => {
            q(QueryMsg::Stakers {
                start_after: start_after.map(addr).transpose()?,
                limit,
            })
            .await?
        }
        CurationQuery::Review { review_id } => q(QueryMsg::Review { review_id }).await?,
        CurationQuery::OpenReviewOf { tranche_id } => q(QueryMsg::OpenReviewOf { tranche_id }).await?,
        CurationQuery::DrawStatus { review_id } => q(QueryMsg::DrawStatus { review_id }).await?,
        CurationQuery::Entropy { address } => {
            q(QueryMsg::Entropy {
                address: addr(address)?,
            })
            .await?
        }
        CurationQuery::Points { epoch, curator } => {
            let m = PointsQuery::Points {
                epoch,
                curator: Some(addr(curator)?),
            };
            ctx.chain.query(&ctx.contract(CONTRACT)?, &m).await?
        }
        CurationQuery::EpochPoints { epoch, limit } => {
            q(QueryMsg::EpochPoints {
                epoch,
                start_after: None,
                limit,
            })
            .await?
        }
        CurationQuery::Concentration { top_k } => {
            let m = PointsQuery::Concentration {
                top_k: top_k.unwrap_or(3),
            };
            ctx.chain.query(&ctx.contract(CONTRACT)?, &m).await?
        }
        CurationQuery::Totals => q(QueryMsg::Totals {}).await?,
        CurationQuery::StakeOf { address } => {
            ctx.chain
                .query(
                    &ctx.contract(CONTRACT)?,
                    &SlashingQuery::StakeOf {
                        address: addr(address)?,
                    },
                )
                .await?
        }
        CurationQuery::Payout { address } => {
            q(QueryMsg::Payout {
                address: addr(address)?,
            })
            .await?
        }
        CurationQuery::Governance => {
            ctx.chain
                .query(&ctx.contract(CONTRACT)?, &GovQuery::Governance {})
                .await?
        }
    };
    ctx.print_json(&v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn salt_is_deterministic_secret_and_scoped() {
        let signer = crate::keys::test_signer(9, "c");
        let a = vote_salt(&signer, "attrib-local", "wasm1staking", 7).unwrap();
        assert_eq!(
            a,
            vote_salt(&signer, "attrib-local", "wasm1staking", 7).unwrap(),
            "reveal recomputes it"
        );
        assert_ne!(a, vote_salt(&signer, "attrib-local", "wasm1staking", 8).unwrap());
        assert_ne!(a, vote_salt(&signer, "other-chain", "wasm1staking", 7).unwrap());
        assert_eq!(a.len(), 32);
    }
}
