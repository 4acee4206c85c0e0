//! Entropy for committee draws (SPEC §4): curators commit a salt, then reveal it in a
//! later block. A draw requested in block `h` is seeded by the salts of EVERY candidate's
//! commitment outstanding at `h`, revealed after it (see `review.rs`): neither the one who
//! triggers the review nor the one who triggers the draw knows it, and no curator can
//! choose among salts; one who withholds stalls the draw until the admin's fallback, and
//! is slashed by it.

use attrib_std::curation;
use attrib_std::events::{self, action, attr};
use attrib_std::funds;
use attrib_std::validation;
use cosmwasm_std::{Event, HexBinary, Response};
use sylvia::ctx::ExecCtx;

use crate::error::ContractError;
use crate::state::{CuratorStakingContract, EntropyCommit, EntropyReveal, Role};

impl CuratorStakingContract {
    pub(crate) fn do_commit_entropy(
        &self,
        ctx: ExecCtx,
        commitment: HexBinary,
    ) -> Result<Response, ContractError> {
        self.gov.assert_not_paused(ctx.deps.storage)?;
        funds::expect_none(&ctx.info.funds)?;
        validation::hash32("commitment", &commitment)?;
        let who = &ctx.info.sender;
        let min = self.config.load(ctx.deps.storage)?.params.min_stake;
        let curator = self
            .stakers
            .may_load(ctx.deps.storage, who)?
            .is_some_and(|s| s.role == Role::Curator && s.bonded >= min && !s.bonded.is_zero());
        if !curator {
            return Err(ContractError::NotCurator {
                address: who.to_string(),
            });
        }
        if let Some(c) = self.entropy_commits.may_load(ctx.deps.storage, who)? {
            return Err(ContractError::EntropyAlreadyCommitted {
                address: who.to_string(),
                height: c.height,
            });
        }
        let height = ctx.env.block.height;
        self.entropy_commits
            .save(ctx.deps.storage, who, &EntropyCommit { commitment, height })?;
        Ok(events::response(action::COMMIT_ENTROPY).add_event(
            Event::new(events::ENTROPY_COMMITTED)
                .add_attribute(attr::CURATOR, who.as_str())
                .add_attribute(attr::HEIGHT, height.to_string()),
        ))
    }

    pub(crate) fn do_reveal_entropy(&self, ctx: ExecCtx, salt: HexBinary) -> Result<Response, ContractError> {
        self.gov.assert_not_paused(ctx.deps.storage)?;
        funds::expect_none(&ctx.info.funds)?;
        validation::text("salt", &salt, curation::MAX_ENTROPY_SALT)?;
        let who = &ctx.info.sender;
        let commit = self
            .entropy_commits
            .may_load(ctx.deps.storage, who)?
            .ok_or_else(|| ContractError::NoEntropyCommitment {
                address: who.to_string(),
            })?;
        let height = ctx.env.block.height;
        // Revealed in the block it was committed in, a salt could seed a draw requested
        // in that block by the same transaction.
        if height <= commit.height {
            return Err(ContractError::EntropyRevealTooEarly {
                committed_height: commit.height,
            });
        }
        if commit.commitment.as_slice() != curation::entropy_commitment(who.as_str(), &salt) {
            return Err(ContractError::EntropyMismatch {});
        }
        self.entropy_commits.remove(ctx.deps.storage, who);
        self.entropy_reveals.save(
            ctx.deps.storage,
            (who, height),
            &EntropyReveal {
                salt: salt.clone(),
                committed_height: commit.height,
                forfeited: false,
            },
        )?;
        // The running entropy (the admin's fallback draw) takes every revealed salt too.
        let entropy: [u8; 32] = self.entropy.load(ctx.deps.storage)?.to_array()?;
        self.entropy.save(
            ctx.deps.storage,
            &HexBinary::from(curation::mix_entropy(&entropy, &salt)),
        )?;
        Ok(events::response(action::REVEAL_ENTROPY).add_event(
            Event::new(events::ENTROPY_REVEALED)
                .add_attribute(attr::CURATOR, who.as_str())
                .add_attribute(attr::HEIGHT, height.to_string()),
        ))
    }
}
