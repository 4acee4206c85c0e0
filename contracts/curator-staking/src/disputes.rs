//! Challenges (SPEC §4 "Disputes"): anyone bonds against a tranche. A pending optimistic
//! tranche goes to an ordinary committee (the registry moves it to UnderReview); an
//! accepted tranche, inside the dispute window, goes to a larger committee that leaves
//! out the curators who accepted it.

use attrib_std::events::{self, action, attr};
use attrib_std::interfaces::review_target::{sv::Executor as _, ReviewTarget};
use attrib_std::registry::{TrancheId, TrancheStatus, VerificationTier};
use attrib_std::validation;
use cosmwasm_std::{Addr, DepsMut, Env, Event, HexBinary, Response, StdError, Uint128};
use sylvia::ctx::ExecCtx;
use sylvia::types::Remote;

use crate::error::ContractError;
use crate::state::{CuratorStakingContract, ReviewKind};

pub const MAX_EVIDENCE_URI: usize = 512;

/// A challenge of a tranche, paid natively or in the cw20 stake token.
pub(crate) struct Challenge<'a> {
    pub challenger: &'a Addr,
    pub bond: Uint128,
    pub tranche_id: TrancheId,
    pub evidence_hash: HexBinary,
    pub evidence_uri: String,
}

impl CuratorStakingContract {
    pub(crate) fn do_challenge_native(
        &self,
        ctx: ExecCtx,
        tranche_id: TrancheId,
        evidence_hash: HexBinary,
        evidence_uri: String,
    ) -> Result<Response, ContractError> {
        let amount = self.native_payment_even_paused(&ctx)?;
        let sender = ctx.info.sender.clone();
        let challenge = Challenge {
            challenger: &sender,
            bond: amount,
            tranche_id,
            evidence_hash,
            evidence_uri,
        };
        self.open_challenge(ctx.deps, &ctx.env, challenge)
    }

    pub(crate) fn open_challenge(
        &self,
        deps: DepsMut,
        env: &Env,
        challenge: Challenge,
    ) -> Result<Response, ContractError> {
        let Challenge {
            challenger,
            bond,
            tranche_id,
            evidence_hash,
            evidence_uri,
        } = challenge;
        let config = self.config.load(deps.storage)?;
        if bond != config.params.dispute_bond {
            return Err(ContractError::WrongBond {
                expected: config.params.dispute_bond,
                sent: bond,
            });
        }
        validation::hash32("evidence_hash", &evidence_hash)?;
        validation::text("evidence_uri", &evidence_uri, MAX_EVIDENCE_URI)?;
        let subject = self.subject(deps.as_ref(), tranche_id)?;
        let contributor = deps.api.addr_validate(&subject.contributor)?;
        let now = env.block.time.seconds();
        let mut resp = events::response(action::CHALLENGE);
        let (kind, exclude) = match (subject.status, subject.tier) {
            (TrancheStatus::Pending, VerificationTier::Optimistic) => {
                let registry = Remote::<dyn ReviewTarget<Error = StdError>>::new(config.registry.clone());
                resp = resp.add_message(registry.executor().begin_review(tranche_id)?.build());
                let kind = ReviewKind::Challenge {
                    challenger: challenger.clone(),
                    bond,
                    evidence_hash,
                    evidence_uri,
                };
                (kind, vec![contributor, challenger.clone()])
            }
            (TrancheStatus::Accepted, _) => {
                let ended_at = subject.decided_at.unwrap_or_default() + config.params.dispute_window_secs;
                if now > ended_at {
                    return Err(ContractError::DisputeWindowClosed { tranche_id, ended_at });
                }
                let mut exclude = vec![contributor, challenger.clone()];
                exclude.extend(
                    self.accepted_by
                        .may_load(deps.storage, tranche_id)?
                        .unwrap_or_default(),
                );
                let kind = ReviewKind::Dispute {
                    challenger: challenger.clone(),
                    bond,
                    evidence_hash,
                    evidence_uri,
                };
                (kind, exclude)
            }
            (status, _) => return Err(ContractError::CannotChallenge { tranche_id, status }),
        };
        let (review_id, opened) = self.open(deps.storage, env, tranche_id, kind, exclude)?;
        self.totals
            .update(deps.storage, |mut t| -> Result<_, ContractError> {
                t.received += bond;
                t.challenge_bonds += bond;
                Ok(t)
            })?;
        self.disputes
            .update(deps.storage, |mut d| -> Result<_, ContractError> {
                d.opened += 1;
                Ok(d)
            })?;
        Ok(resp
            .add_event(
                Event::new(events::CHALLENGE_OPENED)
                    .add_attribute(attr::TRANCHE_ID, tranche_id.to_string())
                    .add_attribute(attr::REVIEW_ID, review_id.to_string())
                    .add_attribute(attr::CHALLENGER, challenger.as_str())
                    .add_attribute(attr::AMOUNT, bond.to_string()),
            )
            .add_event(opened)
            .set_data(cosmwasm_std::to_json_binary(&review_id)?))
    }
}

/// What an omission claimant asserts.
pub struct OmissionClaim {
    pub model_id: u64,
    pub dataset_id: u64,
    pub version: u32,
    pub canary_preimage: HexBinary,
    pub evidence_uri: String,
}

impl CuratorStakingContract {
    pub(crate) fn do_challenge_omission_native(
        &self,
        ctx: ExecCtx,
        model_id: u64,
        dataset_id: u64,
        version: u32,
        canary_preimage: HexBinary,
        evidence_uri: String,
    ) -> Result<Response, ContractError> {
        let amount = self.native_payment(&ctx)?;
        let sender = ctx.info.sender.clone();
        let claim = OmissionClaim {
            model_id,
            dataset_id,
            version,
            canary_preimage,
            evidence_uri,
        };
        self.open_omission(ctx.deps, &ctx.env, &sender, amount, claim)
    }

    pub(crate) fn open_omission(
        &self,
        deps: DepsMut,
        env: &Env,
        claimant: &Addr,
        bond: Uint128,
        claim: OmissionClaim,
    ) -> Result<Response, ContractError> {
        use attrib_std::interfaces::omission_target::{sv::Querier as _, OmissionTarget};
        let config = self.config.load(deps.storage)?;
        let oracle = config
            .receipt_oracle
            .clone()
            .ok_or(ContractError::NoReceiptOracle {})?;
        if bond != config.params.dispute_bond {
            return Err(ContractError::WrongBond {
                expected: config.params.dispute_bond,
                sent: bond,
            });
        }
        validation::text("evidence_uri", &claim.evidence_uri, MAX_EVIDENCE_URI)?;
        let key = (claim.model_id, claim.dataset_id, claim.version);
        if let Some(review_id) = self.open_omissions.may_load(deps.storage, key)? {
            return Err(ContractError::OmissionAlreadyOpen {
                model_id: claim.model_id,
                dataset_id: claim.dataset_id,
                version: claim.version,
                review_id,
            });
        }
        // The oracle checks the canary preimage against the registry's commitment.
        let remote = Remote::<dyn OmissionTarget<Error = StdError>>::new(oracle);
        let check = remote.querier(&deps.querier).omission_claim_check(
            claim.model_id,
            claim.dataset_id,
            claim.version,
            claim.canary_preimage.clone(),
        )?;
        let model_owner = deps.api.addr_validate(&check.model_owner)?;
        let kind = ReviewKind::Omission {
            claimant: claimant.clone(),
            bond,
            model_id: claim.model_id,
            model_owner: model_owner.clone(),
            dataset_id: claim.dataset_id,
            version: claim.version,
            evidence_uri: claim.evidence_uri,
        };
        let (review_id, opened) =
            self.open(deps.storage, env, 0, kind, vec![claimant.clone(), model_owner])?;
        self.open_omissions.save(deps.storage, key, &review_id)?;
        self.totals
            .update(deps.storage, |mut t| -> Result<_, ContractError> {
                t.received += bond;
                t.challenge_bonds += bond;
                Ok(t)
            })?;
        self.disputes
            .update(deps.storage, |mut d| -> Result<_, ContractError> {
                d.opened += 1;
                d.omission_opened += 1;
                Ok(d)
            })?;
        Ok(events::response(action::CHALLENGE_OMISSION)
            .add_event(
                Event::new(events::CHALLENGE_OPENED)
                    .add_attribute(attr::MODEL_ID, claim.model_id.to_string())
                    .add_attribute(attr::DATASET_ID, claim.dataset_id.to_string())
                    .add_attribute(attr::REVIEW_ID, review_id.to_string())
                    .add_attribute(attr::CHALLENGER, claimant.as_str())
                    .add_attribute(attr::AMOUNT, bond.to_string()),
            )
            .add_event(opened)
            .set_data(cosmwasm_std::to_json_binary(&review_id)?))
    }
}
