//! Curation messages: stake through the cw20 hook, a challenged optimistic tranche
//! reviewed by commit-reveal and finalized, payout, unstake and release.

use std::time::Duration;

use anyhow::{anyhow, Result};
use attrib_curator_staking::contract::sv::{ExecMsg as StakingExec, QueryMsg as StakingQuery};
use attrib_curator_staking::msg::{ConfigResponse as StakingConfig, EntropyResponse, ReceiveMsg};
use attrib_curator_staking::state::Role;
use attrib_std::curation::{entropy_commitment, vote_commitment, Vote};
use cosmwasm_std::HexBinary;

use super::registry::Listed;
use super::{cw20_send, id_from, nth, Bench};

pub(super) async fn run(b: &mut Bench<'_>, listed: &Listed) -> Result<()> {
    let ctx = b.ctx;
    let staking = b.target("curator_staking", "curation")?;
    // Stake and challenges travel through the token's `send` hook; the gas is curation's.
    let token = b.target("protocol_token", "curation")?;
    let registry = b.target("registry", "registry")?;
    let config: StakingConfig = ctx.chain.query(&staking.addr, &StakingQuery::Config {}).await?;
    let send = |amount: u128, hook: &ReceiveMsg| cw20_send(&staking.addr, amount, hook);
    for (i, who) in ["curator1", "curator2", "curator3"].iter().enumerate() {
        let label = nth("stake (cw20 send)", i);
        let msg = send(
            10_000_000 * (3 - i as u128),
            &ReceiveMsg::Stake { role: Role::Curator },
        )?;
        b.exec(who, &token, &label, &msg, vec![], "via the token's send hook")
            .await?;
    }
    // Each curator holds an entropy commitment for the draws to come (what `attrib tx
    // curation stake` leaves), made the CLI's way so that the CLI can reveal it later.
    for (i, who) in ["curator1", "curator2", "curator3"].iter().enumerate() {
        let signer = ctx.keys()?.signer(who, &ctx.g.prefix)?;
        let held: EntropyResponse = ctx
            .chain
            .query(
                &staking.addr,
                &StakingQuery::Entropy {
                    address: signer.address.to_string(),
                },
            )
            .await?;
        if held.commit.is_some() {
            continue;
        }
        let salt = crate::curation::new_entropy_salt(ctx, &staking.addr, &signer, true)?;
        let msg = StakingExec::CommitEntropy {
            commitment: HexBinary::from(entropy_commitment(signer.address.as_ref(), &salt)),
        };
        b.exec(who, &staking, &nth("commit_entropy", i), &msg, vec![], "")
            .await?;
    }
    let o = b
        .register_tranche(
            "alice",
            &registry,
            "register_tranche (to challenge)",
            listed.dataset_id,
            b.root(99),
            "ipfs://bench/challenged",
            listed.tranche_bond.clone(),
            "optimistic",
        )
        .await?;
    let tranche_id = id_from(&o, attrib_std::events::TRANCHE_REGISTERED, "tranche_id")?;
    let hook = ReceiveMsg::Challenge {
        tranche_id,
        evidence_hash: b.root(98),
        evidence_uri: "ipfs://bench/evidence".into(),
    };
    let o = b
        .exec(
            "auditor",
            &token,
            "challenge (cw20 send)",
            &send(config.config.params.dispute_bond.u128(), &hook)?,
            vec![],
            "opens a review (drawing), registry begin_review",
        )
        .await?;
    let review_id = id_from(&o, attrib_std::events::REVIEW_OPENED, "review_id")?;
    // Entropy committed before the challenge, revealed after it, seeds the draw: every
    // curator's commitment counts, so each reveals (a reveal costs the same for each).
    for (i, who) in ["curator1", "curator2", "curator3"].iter().enumerate() {
        let signer = ctx.keys()?.signer(who, &ctx.g.prefix)?;
        let salt = crate::curation::kept_entropy_salt(ctx, &staking.addr, &signer)?
            .ok_or_else(|| anyhow!("{who}'s entropy nonce is not kept here"))?;
        let msg = StakingExec::RevealEntropy { salt };
        b.exec(who, &staking, &nth("reveal_entropy", i), &msg, vec![], "")
            .await?;
    }
    let msg = StakingExec::DrawCommittee { review_id };
    b.exec(
        "auditor",
        &staking,
        "draw_committee",
        &msg,
        vec![],
        "a committee of 3",
    )
    .await?;
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
        let label = nth("commit_vote", i);
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
        let label = nth("reveal_vote", i);
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
