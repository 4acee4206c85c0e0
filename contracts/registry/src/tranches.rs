//! Tranches: registration with exact dedup and listing bond, and the review status
//! machine of SPEC §3.3 (only curator staking moves a tranche through review; anyone
//! may accept an optimistic tranche once its window passed unchallenged).

use attrib_std::content::{self, CountStep};
use attrib_std::events::{self, action, attr};
use attrib_std::funds;
use attrib_std::interfaces::review_service::{sv::Executor as _, ReviewService};
use attrib_std::interfaces::review_target::ReviewTarget;
use attrib_std::interfaces::reward_pool::{sv::Executor as _, RewardPool};
use attrib_std::registry::{
    DatasetId, ReviewOutcome, ReviewSubjectResponse, TrancheId, TrancheStatus, VerificationTier, WeightRule,
};
use attrib_std::rewards::InflowReason;
use cosmwasm_std::{to_json_binary, Addr, Event, HexBinary, Order, Response, StdError, Storage, Uint128};
use sylvia::ctx::{ExecCtx, QueryCtx};
use sylvia::types::Remote;

use crate::checks::{self, MAX_URI_LEN};
use crate::datasets::{pay, to_pool};
use crate::error::ContractError;
use crate::msg::TrancheRegistration;
use crate::state::{Dataset, DatasetStatus, RegistryContract, Tranche, TrancheCommitment};
use attrib_std::validation;

/// What `register_tranche` reveals.
pub struct TrancheReveal {
    pub dataset_id: DatasetId,
    pub content_root: HexBinary,
    pub record_count: u64,
    pub byte_size: u64,
    pub metadata_uri: String,
    pub salt: HexBinary,
}

impl RegistryContract {
    pub(crate) fn do_commit_tranche(
        &self,
        ctx: ExecCtx,
        commitment: HexBinary,
    ) -> Result<Response, ContractError> {
        self.gov.assert_not_paused(ctx.deps.storage)?;
        checks::hash32("commitment", &commitment)?;
        let config = self.config.load(ctx.deps.storage)?;
        funds::expect_exact(&ctx.info.funds, config.tranche_bond.as_ref())?;
        let sender = &ctx.info.sender;
        let key = (sender, commitment.as_slice());
        if self.commitments.has(ctx.deps.storage, key) {
            return Err(ContractError::CommitmentExists {
                commitment: commitment.to_hex(),
            });
        }
        let open = self
            .commitments
            .prefix(sender)
            .keys_raw(ctx.deps.storage, None, None, Order::Ascending)
            .take(content::MAX_OPEN_COMMITMENTS)
            .count();
        if open >= content::MAX_OPEN_COMMITMENTS {
            return Err(ContractError::TooManyCommitments {
                max: content::MAX_OPEN_COMMITMENTS,
            });
        }
        let now = ctx.env.block.time.seconds();
        self.commitments.save(
            ctx.deps.storage,
            key,
            &TrancheCommitment {
                height: ctx.env.block.height,
                committed_at: now,
                bond: config.tranche_bond,
            },
        )?;
        Ok(events::response(action::COMMIT_TRANCHE).add_event(
            Event::new(events::TRANCHE_COMMITTED)
                .add_attribute(attr::CONTRIBUTOR, sender.as_str())
                .add_attribute(attr::COMMITMENT, commitment.to_hex())
                .add_attribute(attr::REVEAL_BY, (now + content::REVEAL_WINDOW_SECS).to_string()),
        ))
    }

    pub(crate) fn do_withdraw_commitment(
        &self,
        ctx: ExecCtx,
        commitment: HexBinary,
    ) -> Result<Response, ContractError> {
        funds::expect_none(&ctx.info.funds)?;
        let key = (&ctx.info.sender, commitment.as_slice());
        let c = self.commitments.may_load(ctx.deps.storage, key)?.ok_or_else(|| {
            ContractError::CommitmentNotFound {
                commitment: commitment.to_hex(),
            }
        })?;
        self.commitments.remove(ctx.deps.storage, key);
        let mut resp = events::response(action::WITHDRAW_TRANCHE_COMMITMENT).add_event(
            Event::new(events::TRANCHE_COMMITMENT_WITHDRAWN)
                .add_attribute(attr::CONTRIBUTOR, ctx.info.sender.as_str())
                .add_attribute(attr::COMMITMENT, commitment.to_hex()),
        );
        if let Some(bond) = c.bond {
            resp = pay(
                resp,
                &ctx.info.sender,
                bond,
                events::BOND_RETURNED,
                "commitment_withdrawn",
            );
        }
        Ok(resp)
    }

    pub(crate) fn do_register_tranche(
        &self,
        ctx: ExecCtx,
        reveal: TrancheReveal,
    ) -> Result<Response, ContractError> {
        let TrancheReveal {
            dataset_id,
            content_root,
            record_count,
            byte_size,
            metadata_uri,
            salt,
        } = reveal;
        self.gov.assert_not_paused(ctx.deps.storage)?;
        funds::expect_none(&ctx.info.funds)?;
        checks::hash32("content_root", &content_root)?;
        validation::hash32("salt", &salt)?;
        validation::nonzero("record_count", record_count)?;
        validation::nonzero("byte_size", byte_size)?;
        if record_count > content::MAX_RECORD_COUNT {
            return Err(ContractError::RecordCountTooLarge {
                record_count,
                max: content::MAX_RECORD_COUNT,
            });
        }
        let max_bytes = content::max_byte_size(record_count);
        if byte_size > max_bytes {
            return Err(ContractError::ByteSizeTooLarge {
                byte_size,
                max: max_bytes,
            });
        }
        validation::text("metadata_uri", &metadata_uri, MAX_URI_LEN)?;
        let config = self.config.load(ctx.deps.storage)?;
        let mut dataset = self.load_dataset(ctx.deps.storage, dataset_id)?;
        if record_count > dataset.max_tranche_records {
            return Err(ContractError::RecordCountTooLarge {
                record_count,
                max: dataset.max_tranche_records,
            });
        }
        if dataset.status == DatasetStatus::Retired {
            return Err(ContractError::DatasetRetired { dataset_id });
        }
        // The sender's own commitment, from an earlier block, still in its window: a
        // copier of the revealed root cannot have one.
        let commitment = content::commitment(ctx.info.sender.as_str(), dataset_id, &content_root, &salt);
        let key = (&ctx.info.sender, commitment.as_slice());
        let committed = self.commitments.may_load(ctx.deps.storage, key)?.ok_or_else(|| {
            ContractError::CommitmentNotFound {
                commitment: HexBinary::from(commitment.to_vec()).to_hex(),
            }
        })?;
        if committed.height >= ctx.env.block.height {
            return Err(ContractError::RevealTooEarly {
                committed_at: committed.height,
                height: ctx.env.block.height,
            });
        }
        let now = ctx.env.block.time.seconds();
        let expired_at = committed.committed_at + content::REVEAL_WINDOW_SECS;
        if now > expired_at {
            return Err(ContractError::CommitmentExpired { expired_at, now });
        }
        self.commitments.remove(ctx.deps.storage, key);
        let bond = committed.bond;
        let mut stats = self.stats.load(ctx.deps.storage)?;

        // Exact duplicate: refused at once and counted. The transaction succeeds so that
        // the refusal is on record (dedup metric) and the spam bond is really lost.
        // A sealed version's root counts too: it would re-register the whole version's
        // content as one tranche.
        let original = self.roots.may_load(ctx.deps.storage, content_root.as_slice())?;
        let original_version = match original {
            Some(_) => None,
            None => self
                .version_roots
                .may_load(ctx.deps.storage, content_root.as_slice())?,
        };
        if original.is_some() || original_version.is_some() {
            stats.dedup_hits += 1;
            dataset.counters.duplicates_refused += 1;
            self.stats.save(ctx.deps.storage, &stats)?;
            self.datasets.save(ctx.deps.storage, dataset_id, &dataset)?;
            let mut refused = Event::new(events::TRANCHE_DUPLICATE_REFUSED)
                .add_attribute(attr::DATASET_ID, dataset_id.to_string())
                .add_attribute(attr::CONTRIBUTOR, ctx.info.sender.as_str())
                .add_attribute(attr::CONTENT_ROOT, content_root.to_hex());
            if let Some(t) = original {
                refused = refused.add_attribute(attr::DUPLICATE_OF, t.to_string());
            }
            if let Some(v) = &original_version {
                refused = refused.add_attribute(
                    attr::DUPLICATE_OF_VERSION,
                    format!("{}/{}", v.dataset_id, v.version),
                );
            }
            let mut resp = events::response(action::REGISTER_TRANCHE)
                .add_event(refused)
                .set_data(to_json_binary(&TrancheRegistration {
                    tranche_id: None,
                    duplicate_of: original,
                    duplicate_of_version: original_version,
                })?);
            if let Some(bond) = bond {
                resp = to_pool(
                    resp,
                    &config.reward_pool,
                    bond,
                    events::BOND_FORFEITED,
                    InflowReason::ForfeitedBond,
                    vec![],
                    &ctx.info.sender,
                )?;
            }
            return Ok(resp);
        }

        // Strict datasets always have a reviewer (checked at dataset registration), but
        // the admin may have changed the config since: fail before any state changes.
        let reviewer = match dataset.tier {
            VerificationTier::Strict => Some(
                config
                    .curator_staking
                    .clone()
                    .ok_or(ContractError::NoReviewService {})?,
            ),
            VerificationTier::Optimistic => None,
        };
        let id = self.next_tranche_id.load(ctx.deps.storage)?;
        let (status, challenge_deadline) = match dataset.tier {
            VerificationTier::Strict => (TrancheStatus::UnderReview, None),
            VerificationTier::Optimistic => {
                (TrancheStatus::Pending, Some(now + config.challenge_window_secs))
            }
        };
        let tranche = Tranche {
            id,
            dataset_id,
            contributor: ctx.info.sender.clone(),
            content_root,
            record_count,
            byte_size,
            metadata_uri,
            status,
            accepted_records: 0,
            share_weight: Uint128::zero(),
            bond_held: bond,
            registered_at: now,
            challenge_deadline,
            decided_at: None,
            paused_secs_at_registration: self.paused_secs(ctx.deps.storage)?,
        };
        self.next_tranche_id.save(ctx.deps.storage, &(id + 1))?;
        self.tranches.save(ctx.deps.storage, id, &tranche)?;
        self.roots
            .save(ctx.deps.storage, tranche.content_root.as_slice(), &id)?;
        dataset.counters.tranches += 1;
        self.datasets.save(ctx.deps.storage, dataset_id, &dataset)?;
        stats.tranches += 1;
        stats.enter(status);
        self.stats.save(ctx.deps.storage, &stats)?;

        let mut registered = Event::new(events::TRANCHE_REGISTERED)
            .add_attribute(attr::TRANCHE_ID, id.to_string())
            .add_attribute(attr::DATASET_ID, dataset_id.to_string())
            .add_attribute(attr::CONTRIBUTOR, tranche.contributor.as_str())
            .add_attribute(attr::CONTENT_ROOT, tranche.content_root.to_hex())
            .add_attribute(attr::RECORD_COUNT, record_count.to_string())
            .add_attribute(attr::STATUS, status.as_str());
        if let Some(deadline) = challenge_deadline {
            registered = registered.add_attribute(attr::CHALLENGE_DEADLINE, deadline.to_string());
        }
        let mut resp = events::response(action::REGISTER_TRANCHE)
            .add_event(registered)
            .set_data(to_json_binary(&TrancheRegistration {
                tranche_id: Some(id),
                duplicate_of: None,
                duplicate_of_version: None,
            })?);
        if let Some(reviewer) = reviewer {
            let open = Remote::<dyn ReviewService<Error = StdError>>::new(reviewer)
                .executor()
                .open_review(id)?
                .build();
            resp = resp.add_message(open).add_event(review_opened(id, "admission"));
        }
        Ok(resp)
    }

    pub(crate) fn do_accept_unchallenged(
        &self,
        ctx: ExecCtx,
        tranche_id: TrancheId,
    ) -> Result<Response, ContractError> {
        self.gov.assert_not_paused(ctx.deps.storage)?;
        funds::expect_none(&ctx.info.funds)?;
        let mut tranche = self.load_tranche(ctx.deps.storage, tranche_id)?;
        let mut dataset = self.load_dataset(ctx.deps.storage, tranche.dataset_id)?;
        expect_tier(&tranche, &dataset, VerificationTier::Optimistic)?;
        expect_status(&tranche, TrancheStatus::Pending)?;
        let now = ctx.env.block.time.seconds();
        let ends_at = self.challenge_ends(ctx.deps.storage, &tranche)?;
        if now < ends_at {
            return Err(ContractError::ChallengeWindowOpen {
                tranche_id,
                ends_at,
                now,
            });
        }
        let accepted = tranche.record_count;
        let resp = self.accept(
            ctx.deps.storage,
            &mut tranche,
            &mut dataset,
            accepted,
            now,
            "window_passed",
        )?;
        Ok(resp.add_attribute(attr::ACTION, action::ACCEPT_UNCHALLENGED))
    }

    /// Accepted: weight set by the dataset's rule, listing bond returned.
    fn accept(
        &self,
        storage: &mut dyn Storage,
        tranche: &mut Tranche,
        dataset: &mut Dataset,
        accepted_records: u64,
        now: u64,
        reason: &str,
    ) -> Result<Response, ContractError> {
        let from = tranche.status;
        tranche.status = TrancheStatus::Accepted;
        tranche.accepted_records = accepted_records;
        tranche.share_weight = share_weight(dataset.weight_rule, tranche, accepted_records);
        tranche.decided_at = Some(now);
        let bond = tranche.bond_held.take();
        dataset.counters.accepted += 1;
        self.save_transition(storage, tranche, dataset, from)?;
        let mut resp = Response::new().add_event(
            Event::new(events::TRANCHE_ACCEPTED)
                .add_attribute(attr::TRANCHE_ID, tranche.id.to_string())
                .add_attribute(attr::DATASET_ID, tranche.dataset_id.to_string())
                .add_attribute(attr::ACCEPTED_RECORDS, accepted_records.to_string())
                .add_attribute(attr::WEIGHT, tranche.share_weight.to_string())
                .add_attribute(attr::REASON, reason),
        );
        if let Some(bond) = bond {
            resp = pay(
                resp,
                &tranche.contributor,
                bond,
                events::BOND_RETURNED,
                "tranche_accepted",
            );
        }
        Ok(resp)
    }

    /// Accepted → Revoked: the reward pool claws back the tranche's unvested rewards in
    /// every version it is part of.
    fn revoke(
        &self,
        storage: &mut dyn Storage,
        tranche: &mut Tranche,
        dataset: &mut Dataset,
        now: u64,
    ) -> Result<Response, ContractError> {
        tranche.status = TrancheStatus::Revoked;
        tranche.decided_at = Some(now);
        dataset.counters.revoked += 1;
        self.save_transition(storage, tranche, dataset, TrancheStatus::Accepted)?;
        let versions = self
            .tranche_versions
            .may_load(storage, tranche.id)?
            .unwrap_or_default();
        let pool = self.config.load(storage)?.reward_pool;
        let revocation = Remote::<dyn RewardPool<Error = StdError>>::new(pool)
            .executor()
            .record_revocation(
                tranche.id,
                tranche.dataset_id,
                tranche.contributor.to_string(),
                tranche.share_weight,
                versions,
            )?
            .build();
        Ok(Response::new().add_message(revocation).add_event(
            Event::new(events::TRANCHE_REVOKED)
                .add_attribute(attr::TRANCHE_ID, tranche.id.to_string())
                .add_attribute(attr::DATASET_ID, tranche.dataset_id.to_string())
                .add_attribute(attr::WEIGHT, tranche.share_weight.to_string()),
        ))
    }

    /// A proved wrong record count: a pending tranche is rejected (its bond split between
    /// the prover and the reward pool), an accepted one revoked. Under review the
    /// committee decides first; decided tranches have nothing left to take.
    pub(crate) fn do_prove_record_count(
        &self,
        ctx: ExecCtx,
        tranche_id: TrancheId,
        proof: Vec<CountStep>,
    ) -> Result<Response, ContractError> {
        self.gov.assert_not_paused(ctx.deps.storage)?;
        funds::expect_none(&ctx.info.funds)?;
        let mut tranche = self.load_tranche(ctx.deps.storage, tranche_id)?;
        let root = validation::hash32("content_root", &tranche.content_root)?;
        let fraud = content::disprove_count(&root, tranche.record_count, &proof)?;
        let mut dataset = self.load_dataset(ctx.deps.storage, tranche.dataset_id)?;
        let now = ctx.env.block.time.seconds();
        let prover = &ctx.info.sender;
        let resp = match tranche.status {
            TrancheStatus::Pending => {
                tranche.status = TrancheStatus::Rejected;
                tranche.decided_at = Some(now);
                let bond = tranche.bond_held.take();
                dataset.counters.rejected += 1;
                self.save_transition(ctx.deps.storage, &tranche, &dataset, TrancheStatus::Pending)?;
                let mut resp = Response::new().add_event(
                    Event::new(events::TRANCHE_REJECTED)
                        .add_attribute(attr::TRANCHE_ID, tranche_id.to_string())
                        .add_attribute(attr::DATASET_ID, tranche.dataset_id.to_string())
                        .add_attribute(attr::REASON, "record_count_disproved"),
                );
                if let Some(bond) = bond {
                    resp = self.split_forfeit(ctx.deps.storage, resp, bond, prover, &tranche.contributor)?;
                }
                resp
            }
            TrancheStatus::Accepted => self.revoke(ctx.deps.storage, &mut tranche, &mut dataset, now)?,
            TrancheStatus::UnderReview => return Err(ContractError::CountProofDuringReview { tranche_id }),
            status => {
                return Err(ContractError::WrongTrancheStatus {
                    tranche_id,
                    status,
                    expected: TrancheStatus::Accepted,
                })
            }
        };
        Ok(resp
            .add_attribute(attr::ACTION, action::PROVE_RECORD_COUNT)
            .add_event(
                Event::new(events::TRANCHE_COUNT_DISPROVED)
                    .add_attribute(attr::TRANCHE_ID, tranche_id.to_string())
                    .add_attribute(attr::PROVER, prover.as_str())
                    .add_attribute(attr::RECORD_COUNT, tranche.record_count.to_string())
                    .add_attribute(attr::PROVEN_COUNT, fraud.actual.to_string())
                    .add_attribute(attr::STATUS, tranche.status.as_str()),
            ))
    }

    /// A forfeited bond: `PROVER_SHARE_BPS` to the prover, the rest to the reward pool.
    fn split_forfeit(
        &self,
        storage: &dyn Storage,
        mut resp: Response,
        bond: cosmwasm_std::Coin,
        prover: &Addr,
        contributor: &Addr,
    ) -> Result<Response, ContractError> {
        let to_prover = bond.amount.multiply_ratio(content::PROVER_SHARE_BPS, 10_000u128);
        let rest = bond.amount - to_prover;
        if !to_prover.is_zero() {
            resp = pay(
                resp,
                prover,
                cosmwasm_std::Coin::new(to_prover, &bond.denom),
                events::BOND_FORFEITED,
                "record_count_disproved",
            );
        }
        if !rest.is_zero() {
            let pool = self.config.load(storage)?.reward_pool;
            resp = to_pool(
                resp,
                &pool,
                cosmwasm_std::Coin::new(rest, bond.denom),
                events::BOND_FORFEITED,
                InflowReason::ForfeitedBond,
                vec![],
                contributor,
            )?;
        }
        Ok(resp)
    }

    fn save_transition(
        &self,
        storage: &mut dyn Storage,
        tranche: &Tranche,
        dataset: &Dataset,
        from: TrancheStatus,
    ) -> Result<(), ContractError> {
        self.tranches.save(storage, tranche.id, tranche)?;
        self.datasets.save(storage, dataset.id, dataset)?;
        self.stats.update(storage, |mut s| -> Result<_, ContractError> {
            s.transition(from, tranche.status);
            Ok(s)
        })?;
        Ok(())
    }

    pub(crate) fn load_tranche(
        &self,
        storage: &dyn Storage,
        id: TrancheId,
    ) -> Result<Tranche, ContractError> {
        self.tranches
            .may_load(storage, id)?
            .ok_or(ContractError::TrancheNotFound { id })
    }

    /// The reviewer's own checks: not paused, no funds, sender is curator staking.
    fn assert_reviewer(&self, ctx: &ExecCtx) -> Result<(), ContractError> {
        self.gov.assert_not_paused(ctx.deps.storage)?;
        funds::expect_none(&ctx.info.funds)?;
        let config = self.config.load(ctx.deps.storage)?;
        if config.curator_staking.as_ref() != Some(&ctx.info.sender) {
            return Err(ContractError::NotCuratorStaking {
                sender: ctx.info.sender.to_string(),
            });
        }
        Ok(())
    }
}

impl ReviewTarget for RegistryContract {
    type Error = ContractError;

    fn begin_review(&self, ctx: ExecCtx, tranche_id: TrancheId) -> Result<Response, ContractError> {
        self.assert_reviewer(&ctx)?;
        let mut tranche = self.load_tranche(ctx.deps.storage, tranche_id)?;
        let dataset = self.load_dataset(ctx.deps.storage, tranche.dataset_id)?;
        expect_tier(&tranche, &dataset, VerificationTier::Optimistic)?;
        expect_status(&tranche, TrancheStatus::Pending)?;
        let ended_at = self.challenge_ends(ctx.deps.storage, &tranche)?;
        if ctx.env.block.time.seconds() >= ended_at {
            return Err(ContractError::ChallengeWindowClosed { tranche_id, ended_at });
        }
        tranche.status = TrancheStatus::UnderReview;
        self.save_transition(ctx.deps.storage, &tranche, &dataset, TrancheStatus::Pending)?;
        Ok(events::response(action::BEGIN_REVIEW).add_event(review_opened(tranche_id, "challenge")))
    }

    fn record_review_outcome(
        &self,
        ctx: ExecCtx,
        tranche_id: TrancheId,
        outcome: ReviewOutcome,
    ) -> Result<Response, ContractError> {
        self.assert_reviewer(&ctx)?;
        let mut tranche = self.load_tranche(ctx.deps.storage, tranche_id)?;
        let mut dataset = self.load_dataset(ctx.deps.storage, tranche.dataset_id)?;
        let now = ctx.env.block.time.seconds();
        let resp = match outcome {
            ReviewOutcome::Accept { accepted_records } => {
                expect_status(&tranche, TrancheStatus::UnderReview)?;
                let accepted = accepted_records.unwrap_or(tranche.record_count);
                if accepted == 0 || accepted > tranche.record_count {
                    return Err(ContractError::BadAcceptedRecords {
                        accepted,
                        record_count: tranche.record_count,
                    });
                }
                self.accept(
                    ctx.deps.storage,
                    &mut tranche,
                    &mut dataset,
                    accepted,
                    now,
                    "review",
                )?
            }
            ReviewOutcome::Reject {} => {
                expect_status(&tranche, TrancheStatus::UnderReview)?;
                tranche.status = TrancheStatus::Rejected;
                tranche.decided_at = Some(now);
                let bond = tranche.bond_held.take();
                dataset.counters.rejected += 1;
                self.save_transition(ctx.deps.storage, &tranche, &dataset, TrancheStatus::UnderReview)?;
                let mut resp = Response::new().add_event(
                    Event::new(events::TRANCHE_REJECTED)
                        .add_attribute(attr::TRANCHE_ID, tranche_id.to_string())
                        .add_attribute(attr::DATASET_ID, tranche.dataset_id.to_string()),
                );
                if let Some(bond) = bond {
                    let pool = self.config.load(ctx.deps.storage)?.reward_pool;
                    resp = to_pool(
                        resp,
                        &pool,
                        bond,
                        events::BOND_FORFEITED,
                        InflowReason::ForfeitedBond,
                        vec![],
                        &tranche.contributor,
                    )?;
                }
                resp
            }
            // Already revoked by a record-count proof while a dispute was open: the
            // dispute's outcome stands, and there is nothing left to claw back.
            ReviewOutcome::Revoke {} if tranche.status == TrancheStatus::Revoked => Response::new(),
            ReviewOutcome::Revoke {} => {
                expect_status(&tranche, TrancheStatus::Accepted)?;
                self.revoke(ctx.deps.storage, &mut tranche, &mut dataset, now)?
            }
        };
        Ok(resp.add_attribute(attr::ACTION, action::RECORD_REVIEW_OUTCOME))
    }

    fn review_subject(
        &self,
        ctx: QueryCtx,
        tranche_id: TrancheId,
    ) -> Result<ReviewSubjectResponse, ContractError> {
        let tranche = self.load_tranche(ctx.deps.storage, tranche_id)?;
        let dataset = self.load_dataset(ctx.deps.storage, tranche.dataset_id)?;
        Ok(ReviewSubjectResponse {
            tranche_id,
            dataset_id: tranche.dataset_id,
            contributor: tranche.contributor.to_string(),
            status: tranche.status,
            tier: dataset.tier,
            record_count: tranche.record_count,
            decided_at: tranche.decided_at,
        })
    }
}

/// Share weight of an accepted tranche under the dataset's rule (SPEC §3.2).
pub fn share_weight(rule: WeightRule, tranche: &Tranche, accepted_records: u64) -> Uint128 {
    match rule {
        WeightRule::AcceptedRecords => Uint128::from(accepted_records),
        // Bytes scale with the share of records accepted.
        WeightRule::ByteSize => {
            Uint128::from(tranche.byte_size).multiply_ratio(accepted_records, tranche.record_count)
        }
        WeightRule::Equal => Uint128::one(),
    }
}

fn expect_status(tranche: &Tranche, expected: TrancheStatus) -> Result<(), ContractError> {
    if tranche.status != expected {
        return Err(ContractError::WrongTrancheStatus {
            tranche_id: tranche.id,
            status: tranche.status,
            expected,
        });
    }
    Ok(())
}

fn expect_tier(
    tranche: &Tranche,
    dataset: &Dataset,
    expected: VerificationTier,
) -> Result<(), ContractError> {
    if dataset.tier != expected {
        return Err(ContractError::WrongTier {
            tranche_id: tranche.id,
            tier: dataset.tier,
            expected,
        });
    }
    Ok(())
}

fn review_opened(tranche_id: TrancheId, reason: &str) -> Event {
    Event::new(events::TRANCHE_REVIEW_OPENED)
        .add_attribute(attr::TRANCHE_ID, tranche_id.to_string())
        .add_attribute(attr::REASON, reason)
}

#[cfg(test)]
mod tests {
    use super::*;
    use cosmwasm_std::Addr;

    fn tranche(records: u64, bytes: u64) -> Tranche {
        Tranche {
            id: 1,
            dataset_id: 1,
            contributor: Addr::unchecked("c"),
            content_root: HexBinary::from([1u8; 32]),
            record_count: records,
            byte_size: bytes,
            metadata_uri: "ipfs://x".into(),
            status: TrancheStatus::UnderReview,
            accepted_records: 0,
            share_weight: Uint128::zero(),
            bond_held: None,
            registered_at: 0,
            challenge_deadline: None,
            decided_at: None,
            paused_secs_at_registration: 0,
        }
    }

    #[test]
    fn weight_rules() {
        let t = tranche(1_000, 50_000);
        assert_eq!(
            share_weight(WeightRule::AcceptedRecords, &t, 800),
            Uint128::new(800)
        );
        assert_eq!(share_weight(WeightRule::ByteSize, &t, 800), Uint128::new(40_000));
        assert_eq!(
            share_weight(WeightRule::ByteSize, &t, 1_000),
            Uint128::new(50_000)
        );
        assert_eq!(share_weight(WeightRule::Equal, &t, 1), Uint128::one());
    }

    #[test]
    fn byte_weight_never_overflows() {
        let t = tranche(u64::MAX, u64::MAX);
        assert_eq!(
            share_weight(WeightRule::ByteSize, &t, u64::MAX),
            Uint128::from(u64::MAX)
        );
    }
}
