//! Committees and commit-reveal reviews (SPEC §4): a capped stake-weighted draw from a
//! seed nobody chooses alone — a review opens `Drawing`, and its committee is drawn from
//! entropy committed before the request and revealed after it, among the curators and
//! stakes of before the request, with the params of the request — commit then reveal with
//! deadlines, a stake-weighted
//! outcome with quorum, light slashing of members who do not reveal, points to the
//! majority, and the outcome reported to the registry.

use attrib_std::curation::{self, Vote};
use attrib_std::events::{self, action, attr};
use attrib_std::funds;
use attrib_std::interfaces::review_service::ReviewService;
use attrib_std::interfaces::review_target::{sv::Executor as _, ReviewTarget};
use attrib_std::registry::{ReviewOutcome, ReviewSubjectResponse, TrancheId};
use attrib_std::rewards::InflowReason;
use attrib_std::validation;
use cosmwasm_std::{
    Addr, BlockInfo, Deps, Env, Event, HexBinary, Order, Response, StdError, StdResult, Storage, Uint128,
};
use cw_storage_plus::Bound;
use sylvia::ctx::ExecCtx;
use sylvia::types::Remote;

use crate::error::ContractError;
use crate::state::{
    Config, CuratorStakingContract, DrawRequest, DrawTerms, EntropyReveal, Member, Review, ReviewKind,
    ReviewStatus, Role,
};

/// How a review ended: the outcome, the members who voted for it, and whether the admin
/// decided it.
struct Verdict<'a> {
    outcome: Vote,
    majority: &'a [Addr],
    by_admin: bool,
}

fn kind_name(kind: &ReviewKind) -> &'static str {
    match kind {
        ReviewKind::Admission => "admission",
        ReviewKind::Challenge { .. } => "challenge",
        ReviewKind::Dispute { .. } => "dispute",
        ReviewKind::Omission { .. } => "omission",
    }
}

fn vote_name(v: Vote) -> &'static str {
    match v {
        Vote::Accept => "accept",
        Vote::Reject => "reject",
    }
}

impl CuratorStakingContract {
    pub(crate) fn load_review(&self, storage: &dyn Storage, id: u64) -> Result<Review, ContractError> {
        self.reviews
            .may_load(storage, id)?
            .ok_or(ContractError::ReviewNotFound { id })
    }

    pub(crate) fn subject(
        &self,
        deps: Deps,
        tranche_id: TrancheId,
    ) -> Result<ReviewSubjectResponse, ContractError> {
        let registry = self.config.load(deps.storage)?.registry;
        let remote = Remote::<dyn ReviewTarget<Error = StdError>>::new(registry);
        Ok(
            attrib_std::interfaces::review_target::sv::Querier::review_subject(
                &remote.querier(&deps.querier),
                tranche_id,
            )?,
        )
    }

    /// Curators who may be drawn at `height`: a curator's bonded stake as it stood before
    /// block `height` (`stake_history`), at least `min_stake`, not in `exclude` (the
    /// contributor, the challenger, earlier acceptors). In address order, like `stakers`.
    /// Those present then are among those present now and those gone since.
    fn candidates_at(
        &self,
        storage: &dyn Storage,
        height: u64,
        min_stake: Uint128,
        exclude: &[Addr],
    ) -> Result<Vec<(Addr, Uint128)>, ContractError> {
        let mut who: Vec<Addr> = self.curators(storage).into_iter().map(|(a, _)| a).collect();
        for gone in
            self.curator_departures
                .range(storage, Some(Bound::inclusive(height)), None, Order::Ascending)
        {
            for a in gone?.1 {
                if let Err(i) = who.binary_search(&a) {
                    who.insert(i, a);
                }
            }
        }
        let mut out = vec![];
        for a in who {
            let s = self.stake_before(storage, &a, height)?;
            if !exclude.contains(&a) && !s.is_zero() && s >= min_stake {
                out.push((a, s));
            }
        }
        Ok(out)
    }

    /// Curator stakers now, with their bonded stake, in address order.
    pub(crate) fn curators(&self, storage: &dyn Storage) -> Vec<(Addr, Uint128)> {
        self.stakers
            .range(storage, None, None, Order::Ascending)
            .filter_map(|r| r.ok())
            .filter(|(_, s)| s.role == Role::Curator)
            .map(|(a, s)| (a, s.bonded))
            .collect()
    }

    /// A draw of `size` seats, requested now: the committee comes later, from entropy
    /// committed before this block and revealed after it (`draw_committee`), among the
    /// curators bonded before this block, with the params of now. Fixing both here means
    /// that once the entropy is out and the seed is known, no stake moved (nor sybil
    /// staked, nor params updated) can steer whom it picks.
    fn request_draw(
        &self,
        storage: &dyn Storage,
        env: &Env,
        size: u32,
        exclude: Vec<Addr>,
    ) -> Result<DrawRequest, ContractError> {
        let terms = DrawTerms::of(&self.config.load(storage)?.params);
        let height = env.block.height;
        if self
            .candidates_at(storage, height, terms.min_stake, &exclude)?
            .is_empty()
        {
            return Err(ContractError::NoEligibleCurators {});
        }
        Ok(DrawRequest {
            requested_height: height,
            requested_at: env.block.time.seconds(),
            log_from: 0,
            size,
            exclude,
            terms: Some(terms),
            paused_secs: self
                .pause_clock
                .may_load(storage)?
                .unwrap_or_default()
                .reading(env.block.time.seconds()),
        })
    }

    /// The entropy of a requested draw among its candidates (address order): the salts
    /// of the commitments outstanding at the request and revealed since, and the
    /// candidates whose commitment from before the request is still unrevealed (or was
    /// forfeited unrevealed by another draw's fallback). Every
    /// such commitment counts, so a curator with several stakers cannot pick among its
    /// salts, nor anyone push salts out: one lookup per candidate, whatever was revealed.
    fn draw_entropy(
        &self,
        storage: &dyn Storage,
        req: &DrawRequest,
        candidates: &[(Addr, Uint128)],
    ) -> StdResult<(Vec<HexBinary>, Vec<Addr>)> {
        let h = req.requested_height;
        let (mut salts, mut withheld) = (vec![], vec![]);
        for (c, _) in candidates {
            let first_after = self
                .entropy_reveals
                .prefix(c)
                .range(storage, Some(Bound::exclusive(h)), None, Order::Ascending)
                .next()
                .transpose()?;
            match first_after {
                Some((revealed, e)) if curation::counts_for_draw(h, e.committed_height, revealed) => {
                    if e.forfeited {
                        withheld.push(c.clone());
                    } else {
                        salts.push(e.salt);
                    }
                }
                Some(_) => {}
                None => {
                    if self
                        .entropy_commits
                        .may_load(storage, c)?
                        .is_some_and(|e| e.height < h)
                    {
                        withheld.push(c.clone());
                    }
                }
            }
        }
        Ok((salts, withheld))
    }

    /// The candidates of a request: the stakes of its block (a request stored before
    /// requests kept their terms: the stakes of now, which migrate wrote).
    fn draw_candidates(
        &self,
        storage: &dyn Storage,
        req: &DrawRequest,
        terms: &DrawTerms,
        height: u64,
    ) -> Result<Vec<(Addr, Uint128)>, ContractError> {
        let at = match req.terms {
            Some(_) => req.requested_height,
            None => height + 1,
        };
        self.candidates_at(storage, at, terms.min_stake, &req.exclude)
    }

    /// When the admin's fallback opens for `req`: its timeout, plus every pause since.
    fn fallback_after(&self, storage: &dyn Storage, req: &DrawRequest, terms: &DrawTerms) -> StdResult<u64> {
        Ok(self.pause_clock.may_load(storage)?.unwrap_or_default().extend(
            req.requested_at.saturating_add(terms.draw_timeout_secs),
            req.paused_secs,
        ))
    }

    pub(crate) fn query_draw_status(
        &self,
        storage: &dyn Storage,
        env: &Env,
        review_id: u64,
    ) -> Result<crate::msg::DrawStatusResponse, ContractError> {
        let review = self.load_review(storage, review_id)?;
        let req = match (&review.status, &review.draw) {
            (ReviewStatus::Drawing, Some(req)) => req,
            _ => return Err(ContractError::NotDrawing { review_id }),
        };
        let config = self.config.load(storage)?;
        let terms = req.terms.clone().unwrap_or_else(|| DrawTerms::of(&config.params));
        let candidates = self.draw_candidates(storage, req, &terms, env.block.height)?;
        let (salts, withheld) = self.draw_entropy(storage, req, &candidates)?;
        Ok(crate::msg::DrawStatusResponse {
            review_id,
            requested_height: req.requested_height,
            needed: terms.draw_reveals,
            counted: salts.len() as u32,
            withheld,
            fallback_after: self.fallback_after(storage, req, &terms)?,
        })
    }

    /// Anyone: draws the committee of a `Drawing` review from the entropy that counts
    /// for its request; the admin alone, after the timeout without it, from block data
    /// (and curators who withheld a commitment that counted are slashed lightly).
    pub(crate) fn do_draw_committee(&self, ctx: ExecCtx, review_id: u64) -> Result<Response, ContractError> {
        self.gov.assert_not_paused(ctx.deps.storage)?;
        funds::expect_none(&ctx.info.funds)?;
        let mut review = self.load_review(ctx.deps.storage, review_id)?;
        let req = match (&review.status, &review.draw) {
            (ReviewStatus::Drawing, Some(req)) => req.clone(),
            _ => return Err(ContractError::NotDrawing { review_id }),
        };
        let config = self.config.load(ctx.deps.storage)?;
        let now = ctx.env.block.time.seconds();
        let terms = req.terms.clone().unwrap_or_else(|| DrawTerms::of(&config.params));
        let needed = terms.draw_reveals;
        let candidates = self.draw_candidates(ctx.deps.storage, &req, &terms, ctx.env.block.height)?;
        let (salts, withheld) = self.draw_entropy(ctx.deps.storage, &req, &candidates)?;
        let mut resp = events::response(action::DRAW_COMMITTEE);
        let fallback = !withheld.is_empty() || salts.len() < needed as usize;
        let seed = if !fallback {
            let salts: Vec<&[u8]> = salts.iter().map(|s| s.as_slice()).collect();
            curation::committee_seed(review.id, review.tranche_id, review.round, &salts)
        } else {
            let fallback_after = self.fallback_after(ctx.deps.storage, &req, &terms)?;
            if now < fallback_after || self.gov.admin(ctx.deps.storage)? != ctx.info.sender {
                return Err(ContractError::EntropyNotAvailable {
                    review_id,
                    requested_height: req.requested_height,
                    needed,
                    found: salts.len() as u32,
                    withheld: withheld.len() as u32,
                    fallback_after,
                });
            }
            // Withheld commitments still held are forfeited (and slashed) once; the draws
            // they were due for keep waiting for their own fallback.
            let height = ctx.env.block.height;
            let mut held = vec![];
            for who in withheld {
                if let Some(commit) = self
                    .entropy_commits
                    .may_load(ctx.deps.storage, &who)?
                    .filter(|c| c.height < req.requested_height)
                {
                    self.entropy_commits.remove(ctx.deps.storage, &who);
                    let forfeit = EntropyReveal {
                        salt: HexBinary::default(),
                        committed_height: commit.height,
                        forfeited: true,
                    };
                    self.entropy_reveals
                        .save(ctx.deps.storage, (&who, height), &forfeit)?;
                    held.push(who);
                }
            }
            resp = self.slash_lightly(ctx.deps.storage, height, &config, &held, "withheld_entropy", resp)?;
            let entropy: [u8; 32] = self.entropy.load(ctx.deps.storage)?.to_array()?;
            curation::draw_seed(
                &entropy,
                review.tranche_id,
                review.round,
                ctx.env.block.height,
                ctx.env.block.time.nanos(),
                &ctx.env.block.chain_id,
            )
        };
        let stakes: Vec<u128> = candidates.iter().map(|(_, s)| s.u128()).collect();
        let weights = curation::capped_weights(&stakes, terms.max_weight_bps);
        let seats = curation::draw(&seed, &weights, req.size as usize);
        if seats.is_empty() {
            return Err(ContractError::NoEligibleCurators {});
        }
        review.members = seats
            .into_iter()
            .map(|seat| Member {
                curator: candidates[seat.candidate as usize].0.clone(),
                weight: Uint128::new(weights[seat.candidate as usize]),
                ticket: format!("{}/{}", seat.ticket, seat.remaining_weight),
                commitment: None,
                vote: None,
            })
            .collect();
        let seated: Vec<Addr> = review.members.iter().map(|m| m.curator.clone()).collect();
        self.set_locks(ctx.deps.storage, &seated, review_id, true)?;
        review.seed = HexBinary::from(seed);
        review.status = ReviewStatus::Voting;
        review.commit_deadline = now + config.params.commit_secs;
        review.reveal_deadline = now + config.params.commit_secs + config.params.reveal_secs;
        self.reviews.save(ctx.deps.storage, review_id, &review)?;
        Ok(resp.add_event(
            review_event(events::COMMITTEE_DRAWN, &review)
                .add_attribute(attr::FALLBACK, fallback.to_string()),
        ))
    }

    /// Curators who let a draw or a vote time out (a withheld entropy commitment, an
    /// unrevealed vote) lose `non_reveal_slash_bps` of their stake, bonded and
    /// unbonding; what is taken goes to the pool in one message.
    fn slash_lightly(
        &self,
        storage: &mut dyn Storage,
        height: u64,
        config: &Config,
        who: &[Addr],
        reason: &str,
        mut resp: Response,
    ) -> Result<Response, ContractError> {
        let mut slashed = Uint128::zero();
        for w in who {
            if let Some(s) = self.stakers.may_load(storage, w)? {
                let due = (s.bonded + s.unbonding_total())
                    .multiply_ratio(config.params.non_reveal_slash_bps, 10_000u32);
                if !due.is_zero() {
                    let (taken, event) = self.slash_stake(storage, height, w, due, 0)?;
                    slashed += taken;
                    resp = resp.add_event(event.add_attribute(attr::REASON, reason));
                }
            }
        }
        self.route_slashed(storage, config, slashed, None, resp)
    }

    /// Acceptors of a tranche answer for it through its dispute window: stake they began
    /// to unbond before the acceptance (even during the vote) is released no earlier
    /// than the window's end. Stake unbonded later is released later anyway, as the
    /// window is never longer than unbonding. At most 32 entries per acceptor.
    fn hold_for_disputes(
        &self,
        storage: &mut dyn Storage,
        config: &Config,
        acceptors: &[Addr],
        now: u64,
    ) -> StdResult<()> {
        // A dispute is taken up to and including the window's last second.
        let until = now
            .saturating_add(config.params.dispute_window_secs)
            .saturating_add(1);
        for a in acceptors {
            if let Some(mut s) = self.stakers.may_load(storage, a)? {
                if s.unbonding.iter().any(|u| u.release_at < until) {
                    for u in s.unbonding.iter_mut() {
                        u.release_at = u.release_at.max(until);
                    }
                    self.stakers.save(storage, a, &s)?;
                }
            }
        }
        Ok(())
    }

    /// Seats `who` on review `id` (or releases them): locked stake is not released.
    fn set_locks(&self, storage: &mut dyn Storage, who: &[Addr], id: u64, on: bool) -> StdResult<()> {
        for w in who {
            if on {
                self.locks.save(storage, (w, id), &())?;
            } else {
                self.locks.remove(storage, (w, id));
            }
        }
        Ok(())
    }

    /// Opens a review of `tranche_id`; its committee is drawn later (`draw_committee`).
    pub(crate) fn open(
        &self,
        storage: &mut dyn Storage,
        env: &Env,
        tranche_id: TrancheId,
        kind: ReviewKind,
        exclude: Vec<Addr>,
    ) -> Result<(u64, Event), ContractError> {
        let is_tranche = !matches!(kind, ReviewKind::Omission { .. });
        if let Some(review_id) = self
            .open_by_tranche
            .may_load(storage, tranche_id)?
            .filter(|_| is_tranche)
        {
            return Err(ContractError::ReviewAlreadyOpen {
                tranche_id,
                review_id,
            });
        }
        let config = self.config.load(storage)?;
        let size = match kind {
            ReviewKind::Dispute { .. } => config.params.dispute_committee_size,
            _ => config.params.committee_size,
        };
        let draw = self.request_draw(storage, env, size, exclude)?;
        let id = self.next_review.load(storage)?;
        self.next_review.save(storage, &(id + 1))?;
        let review = Review {
            id,
            tranche_id,
            kind,
            round: 1,
            seed: HexBinary::default(),
            opened_at: env.block.time.seconds(),
            commit_deadline: 0,
            reveal_deadline: 0,
            members: vec![],
            status: ReviewStatus::Drawing,
            outcome: None,
            decided_by_admin: false,
            finalized_at: None,
            draw: Some(draw),
        };
        self.reviews.save(storage, id, &review)?;
        if is_tranche {
            self.open_by_tranche.save(storage, tranche_id, &id)?;
        }
        // Those who accepted a disputed tranche stay slashable until the dispute ends.
        if matches!(review.kind, ReviewKind::Dispute { .. }) {
            let acceptors = self
                .accepted_by
                .may_load(storage, tranche_id)?
                .unwrap_or_default();
            self.set_locks(storage, &acceptors, id, true)?;
        }
        Ok((id, review_event(events::REVIEW_OPENED, &review)))
    }

    pub(crate) fn do_commit(
        &self,
        ctx: ExecCtx,
        review_id: u64,
        commitment: HexBinary,
    ) -> Result<Response, ContractError> {
        self.gov.assert_not_paused(ctx.deps.storage)?;
        funds::expect_none(&ctx.info.funds)?;
        validation::hash32("commitment", &commitment)?;
        let mut review = self.voting_review(ctx.deps.storage, review_id)?;
        let now = ctx.env.block.time.seconds();
        if now > review.commit_deadline {
            return Err(ContractError::CommitClosed {
                review_id,
                deadline: review.commit_deadline,
            });
        }
        let member = member_mut(&mut review, &ctx.info.sender)?;
        if member.commitment.is_some() {
            return Err(ContractError::AlreadyCommitted { review_id });
        }
        member.commitment = Some(commitment);
        self.reviews.save(ctx.deps.storage, review_id, &review)?;
        Ok(events::response(action::COMMIT_VOTE).add_event(
            Event::new(events::VOTE_COMMITTED)
                .add_attribute(attr::REVIEW_ID, review_id.to_string())
                .add_attribute(attr::VOTER, ctx.info.sender.as_str()),
        ))
    }

    pub(crate) fn do_reveal(
        &self,
        ctx: ExecCtx,
        review_id: u64,
        vote: Vote,
        salt: HexBinary,
    ) -> Result<Response, ContractError> {
        self.gov.assert_not_paused(ctx.deps.storage)?;
        funds::expect_none(&ctx.info.funds)?;
        validation::text("salt", &salt, 64)?;
        let mut review = self.voting_review(ctx.deps.storage, review_id)?;
        let now = ctx.env.block.time.seconds();
        let all_committed = review.members.iter().all(|m| m.commitment.is_some());
        if now <= review.commit_deadline && !all_committed {
            return Err(ContractError::RevealNotOpen {
                review_id,
                opens_after: review.commit_deadline,
            });
        }
        if now > review.reveal_deadline {
            return Err(ContractError::RevealClosed {
                review_id,
                deadline: review.reveal_deadline,
            });
        }
        let voter = ctx.info.sender.to_string();
        let member = member_mut(&mut review, &ctx.info.sender)?;
        let committed = member
            .commitment
            .clone()
            .ok_or(ContractError::NoCommitment { review_id })?;
        if member.vote.is_some() {
            return Err(ContractError::AlreadyRevealed { review_id });
        }
        if committed.as_slice() != curation::vote_commitment(review_id, &voter, vote, &salt) {
            return Err(ContractError::CommitmentMismatch {});
        }
        member.vote = Some(vote);
        self.reviews.save(ctx.deps.storage, review_id, &review)?;
        let entropy: [u8; 32] = self.entropy.load(ctx.deps.storage)?.to_array()?;
        self.entropy.save(
            ctx.deps.storage,
            &HexBinary::from(curation::mix_entropy(&entropy, &salt)),
        )?;
        Ok(events::response(action::REVEAL_VOTE).add_event(
            Event::new(events::VOTE_REVEALED)
                .add_attribute(attr::REVIEW_ID, review_id.to_string())
                .add_attribute(attr::VOTER, voter)
                .add_attribute(attr::VOTE, vote_name(vote)),
        ))
    }

    pub(crate) fn do_finalize(&self, ctx: ExecCtx, review_id: u64) -> Result<Response, ContractError> {
        self.gov.assert_not_paused(ctx.deps.storage)?;
        funds::expect_none(&ctx.info.funds)?;
        let mut review = self.voting_review(ctx.deps.storage, review_id)?;
        let config = self.config.load(ctx.deps.storage)?;
        let now = ctx.env.block.time.seconds();
        let all_revealed = review.members.iter().all(|m| m.vote.is_some());
        if now <= review.reveal_deadline && !all_revealed {
            return Err(ContractError::TooEarlyToFinalize {
                review_id,
                reveal_deadline: review.reveal_deadline,
                now,
            });
        }
        let mut resp = events::response(action::FINALIZE_REVIEW);

        // Members who did not reveal are slashed lightly; the slash goes to the pool.
        let silent: Vec<Addr> = review
            .members
            .iter()
            .filter(|m| m.vote.is_none())
            .map(|m| m.curator.clone())
            .collect();
        resp = self.slash_lightly(
            ctx.deps.storage,
            ctx.env.block.height,
            &config,
            &silent,
            "did_not_reveal",
            resp,
        )?;
        // The silent are done with (slashed); voters stay locked until the review ends,
        // as their vote may still make them acceptors (a redraw releases them).
        let seated: Vec<Addr> = review.members.iter().map(|m| m.curator.clone()).collect();
        self.set_locks(ctx.deps.storage, &silent, review_id, false)?;

        let weight_of = |v: Vote| -> Uint128 {
            review
                .members
                .iter()
                .filter(|m| m.vote == Some(v))
                .map(|m| m.weight)
                .sum()
        };
        let (accept, reject) = (weight_of(Vote::Accept), weight_of(Vote::Reject));
        let total: Uint128 = review.members.iter().map(|m| m.weight).sum();
        let quorum = (accept + reject).full_mul(10_000u64) >= total.full_mul(config.params.quorum_bps as u64);
        if !quorum {
            let exclude = self.parties(&ctx.deps.as_ref(), &review)?;
            let size = review
                .draw
                .as_ref()
                .map_or(review.members.len() as u32, |d| d.size);
            // No curator left to redraw from: the admin decides, as after the last round.
            let redraw = match review.round < config.params.max_rounds {
                true => match self.request_draw(ctx.deps.storage, &ctx.env, size, exclude) {
                    Err(ContractError::NoEligibleCurators {}) => None,
                    other => Some(other?),
                },
                false => None,
            };
            if let Some(draw) = redraw {
                self.set_locks(ctx.deps.storage, &seated, review_id, false)?;
                review.draw = Some(draw);
                review.round += 1;
                review.seed = HexBinary::default();
                review.members = vec![];
                review.status = ReviewStatus::Drawing;
                review.commit_deadline = 0;
                review.reveal_deadline = 0;
                self.reviews.save(ctx.deps.storage, review_id, &review)?;
                return Ok(resp.add_event(review_event(events::REVIEW_REDRAWN, &review)));
            }
            review.status = ReviewStatus::AwaitingAdmin;
            self.reviews.save(ctx.deps.storage, review_id, &review)?;
            return Ok(resp.add_event(review_event(events::REVIEW_AWAITING_ADMIN, &review)));
        }

        // Ties keep the status quo: an accepted tranche stays, a new one is not admitted.
        let outcome = if accept > reject {
            Vote::Accept
        } else if reject > accept {
            Vote::Reject
        } else if matches!(review.kind, ReviewKind::Dispute { .. }) {
            Vote::Accept
        } else {
            Vote::Reject
        };
        let majority: Vec<Addr> = review
            .members
            .iter()
            .filter(|m| m.vote == Some(outcome))
            .map(|m| m.curator.clone())
            .collect();
        let epoch = config.clock().epoch_at(now);
        for who in &majority {
            self.points
                .update(ctx.deps.storage, (epoch, who), |p| -> StdResult<_> {
                    Ok(p.unwrap_or(0) + 1)
                })?;
        }
        self.epoch_points
            .update(ctx.deps.storage, epoch, |p| -> StdResult<_> {
                Ok(p.unwrap_or(0) + majority.len() as u64)
            })?;
        resp = resp.add_attribute(attr::EPOCH, epoch.to_string());
        self.conclude(
            ctx.deps.storage,
            &config,
            &ctx.env.block,
            &mut review,
            Verdict {
                outcome,
                majority: &majority,
                by_admin: false,
            },
            resp,
        )
    }

    pub(crate) fn do_admin_resolve(
        &self,
        ctx: ExecCtx,
        review_id: u64,
        outcome: Vote,
    ) -> Result<Response, ContractError> {
        funds::expect_none(&ctx.info.funds)?;
        self.gov.assert_admin(ctx.deps.storage, &ctx.info.sender)?;
        let mut review = self.load_review(ctx.deps.storage, review_id)?;
        let appealable = matches!(
            (&review.status, &review.kind),
            (ReviewStatus::AwaitingAdmin, _)
                | (
                    ReviewStatus::Voting | ReviewStatus::Drawing,
                    ReviewKind::Dispute { .. } | ReviewKind::Omission { .. }
                )
        );
        if !appealable {
            return Err(ContractError::NotAppealable { review_id });
        }
        let config = self.config.load(ctx.deps.storage)?;
        let majority: Vec<Addr> = review
            .members
            .iter()
            .filter(|m| m.vote == Some(outcome))
            .map(|m| m.curator.clone())
            .collect();
        self.disputes.update(ctx.deps.storage, |mut d| -> StdResult<_> {
            d.decided_by_admin += 1;
            Ok(d)
        })?;
        self.conclude(
            ctx.deps.storage,
            &config,
            &ctx.env.block,
            &mut review,
            Verdict {
                outcome,
                majority: &majority,
                by_admin: true,
            },
            events::response(action::ADMIN_RESOLVE),
        )
    }

    /// Applies an outcome: registry report, bonds, slashes of wrong acceptors.
    fn conclude(
        &self,
        storage: &mut dyn Storage,
        config: &Config,
        block: &BlockInfo,
        review: &mut Review,
        verdict: Verdict,
        mut resp: Response,
    ) -> Result<Response, ContractError> {
        let Verdict {
            outcome,
            majority,
            by_admin,
        } = verdict;
        let (height, now) = (block.height, block.time.seconds());
        let registry = Remote::<dyn ReviewTarget<Error = StdError>>::new(config.registry.clone());
        let tranche_id = review.tranche_id;
        let mut locked: Vec<Addr> = review.members.iter().map(|m| m.curator.clone()).collect();
        if matches!(review.kind, ReviewKind::Dispute { .. }) {
            locked.extend(
                self.accepted_by
                    .may_load(storage, tranche_id)?
                    .unwrap_or_default(),
            );
        }
        self.set_locks(storage, &locked, review.id, false)?;
        let report = |o: ReviewOutcome| -> Result<_, ContractError> {
            Ok(registry.executor().record_review_outcome(tranche_id, o)?.build())
        };
        if outcome == Vote::Accept
            && matches!(review.kind, ReviewKind::Admission | ReviewKind::Challenge { .. })
        {
            self.hold_for_disputes(storage, config, majority, now)?;
        }
        match (&review.kind, outcome) {
            (ReviewKind::Admission, Vote::Accept) => {
                self.accepted_by.save(storage, tranche_id, &majority.to_vec())?;
                resp = resp.add_message(report(ReviewOutcome::Accept {
                    accepted_records: None,
                })?);
            }
            (ReviewKind::Admission, Vote::Reject) => {
                resp = resp.add_message(report(ReviewOutcome::Reject {})?);
            }
            // A challenged optimistic tranche survives: the challenger's bond goes to
            // the curators who were right.
            (ReviewKind::Challenge { bond, .. }, Vote::Accept) => {
                self.accepted_by.save(storage, tranche_id, &majority.to_vec())?;
                resp = resp.add_message(report(ReviewOutcome::Accept {
                    accepted_records: None,
                })?);
                resp = self.split_bond(storage, config, *bond, majority, resp)?;
                self.count_dispute(storage, Counted::Dismissed)?;
            }
            // Upheld, but the pending tranche had no outcome yet to change.
            (ReviewKind::Challenge { challenger, bond, .. }, Vote::Reject) => {
                resp = resp.add_message(report(ReviewOutcome::Reject {})?);
                resp = self.release_bond(storage, challenger, *bond, resp)?;
                self.count_dispute(storage, Counted::Upheld)?;
            }
            (ReviewKind::Dispute { bond, .. }, Vote::Accept) => {
                resp = self.split_bond(storage, config, *bond, majority, resp)?;
                self.count_dispute(storage, Counted::Dismissed)?;
            }
            // A canary omission claim upheld: the oracle extends the lineage, charges back
            // royalties and slashes the model bond; the claimant's bond comes back.
            (
                ReviewKind::Omission {
                    claimant,
                    bond,
                    model_id,
                    dataset_id,
                    version,
                    ..
                },
                Vote::Accept,
            ) => {
                use attrib_std::interfaces::omission_target::{sv::Executor as _, OmissionTarget};
                let oracle = config
                    .receipt_oracle
                    .clone()
                    .ok_or(ContractError::NoReceiptOracle {})?;
                let record = Remote::<dyn OmissionTarget<Error = StdError>>::new(oracle)
                    .executor()
                    .record_omission(*model_id, *dataset_id, *version, claimant.to_string())?
                    .build();
                resp = resp.add_message(record);
                let claimant = claimant.clone();
                resp = self.release_bond(storage, &claimant, *bond, resp)?;
                // The oracle opened the claim only for a dataset outside the lineage of
                // an open model, one claim per (model, dataset, version) is open at a
                // time and the model cannot close meanwhile: upheld, the lineage grows.
                self.count_dispute(storage, Counted::OmissionUpheld)?;
            }
            (ReviewKind::Omission { bond, .. }, Vote::Reject) => {
                resp = self.split_bond(storage, config, *bond, majority, resp)?;
                self.count_dispute(storage, Counted::Dismissed)?;
            }
            // Upheld: revoke, slash those who accepted it, reward the challenger.
            (ReviewKind::Dispute { challenger, bond, .. }, Vote::Reject) => {
                let challenger = challenger.clone();
                resp = resp.add_message(report(ReviewOutcome::Revoke {})?);
                let acceptors = self
                    .accepted_by
                    .may_load(storage, tranche_id)?
                    .unwrap_or_default();
                let mut slashed = Uint128::zero();
                for who in &acceptors {
                    if let Some(s) = self.stakers.may_load(storage, who)? {
                        let due = (s.bonded + s.unbonding_total())
                            .multiply_ratio(config.params.wrong_accept_slash_bps, 10_000u32);
                        if !due.is_zero() {
                            let (taken, event) = self.slash_stake(storage, height, who, due, 0)?;
                            slashed += taken;
                            resp =
                                resp.add_event(event.add_attribute(attr::REASON, "accepted_revoked_tranche"));
                        }
                    }
                }
                self.accepted_by.remove(storage, tranche_id);
                resp = self.route_slashed(storage, config, slashed, Some(&challenger), resp)?;
                resp = self.release_bond(storage, &challenger, *bond, resp)?;
                self.count_dispute(storage, Counted::Revoked)?;
            }
        }
        review.status = ReviewStatus::Finalized;
        review.outcome = Some(outcome);
        review.decided_by_admin = by_admin;
        review.finalized_at = Some(now);
        self.reviews.save(storage, review.id, review)?;
        match &review.kind {
            ReviewKind::Omission {
                model_id,
                dataset_id,
                version,
                ..
            } => self
                .open_omissions
                .remove(storage, (*model_id, *dataset_id, *version)),
            _ => self.open_by_tranche.remove(storage, tranche_id),
        }
        Ok(resp.add_event(
            review_event(events::REVIEW_FINALIZED, review)
                .add_attribute(attr::OUTCOME, vote_name(outcome))
                .add_attribute(attr::MAJORITY, majority.len().to_string())
                .add_attribute(attr::BY_ADMIN, by_admin.to_string()),
        ))
    }

    /// A bond goes back to its owner (claimable).
    fn release_bond(
        &self,
        storage: &mut dyn Storage,
        to: &Addr,
        bond: Uint128,
        resp: Response,
    ) -> Result<Response, ContractError> {
        self.totals.update(storage, |mut t| -> StdResult<_> {
            t.challenge_bonds -= bond;
            Ok(t)
        })?;
        Ok(match self.credit(storage, to, bond)? {
            Some(e) => resp.add_event(e.add_attribute(attr::REASON, "bond_returned")),
            None => resp,
        })
    }

    /// A lost bond is split equally among the curators who were right (the remainder of
    /// the division, or all of it when nobody was, goes to the pool).
    fn split_bond(
        &self,
        storage: &mut dyn Storage,
        config: &Config,
        bond: Uint128,
        winners: &[Addr],
        mut resp: Response,
    ) -> Result<Response, ContractError> {
        self.totals.update(storage, |mut t| -> StdResult<_> {
            t.challenge_bonds -= bond;
            Ok(t)
        })?;
        let each = if winners.is_empty() {
            Uint128::zero()
        } else {
            bond / Uint128::from(winners.len() as u128)
        };
        for w in winners {
            if let Some(e) = self.credit(storage, w, each)? {
                resp = resp.add_event(e.add_attribute(attr::REASON, "challenge_bond_won"));
            }
        }
        let rest = bond - each * Uint128::from(winners.len() as u128);
        if let Some(m) = self.to_pool(storage, config, rest, InflowReason::ForfeitedBond)? {
            resp = resp.add_message(m);
        }
        Ok(resp)
    }

    fn count_dispute(&self, storage: &mut dyn Storage, counted: Counted) -> Result<(), ContractError> {
        self.disputes.update(storage, |mut d| -> StdResult<_> {
            match counted {
                Counted::Dismissed => d.dismissed += 1,
                Counted::Upheld => d.upheld += 1,
                Counted::Revoked => {
                    d.upheld += 1;
                    d.changed_outcome += 1;
                }
                Counted::OmissionUpheld => {
                    d.upheld += 1;
                    d.changed_outcome += 1;
                    d.omission_upheld += 1;
                }
            }
            Ok(d)
        })?;
        Ok(())
    }

    /// Who may not judge this review: the contributor, the challenger, and for a dispute
    /// the curators whose acceptance is being disputed; for an omission claim, the
    /// claimant and the model's owner.
    pub(crate) fn parties(&self, deps: &Deps, review: &Review) -> Result<Vec<Addr>, ContractError> {
        if let ReviewKind::Omission {
            claimant,
            model_owner,
            ..
        } = &review.kind
        {
            return Ok(vec![claimant.clone(), model_owner.clone()]);
        }
        let subject = self.subject(*deps, review.tranche_id)?;
        let mut out = vec![deps.api.addr_validate(&subject.contributor)?];
        match &review.kind {
            ReviewKind::Admission => {}
            ReviewKind::Challenge { challenger, .. } => out.push(challenger.clone()),
            ReviewKind::Dispute { challenger, .. } => {
                out.push(challenger.clone());
                out.extend(
                    self.accepted_by
                        .may_load(deps.storage, review.tranche_id)?
                        .unwrap_or_default(),
                );
            }
            ReviewKind::Omission { .. } => unreachable!("returned above"),
        }
        Ok(out)
    }

    fn voting_review(&self, storage: &dyn Storage, review_id: u64) -> Result<Review, ContractError> {
        let review = self.load_review(storage, review_id)?;
        if review.status != ReviewStatus::Voting {
            return Err(ContractError::NotVoting { review_id });
        }
        Ok(review)
    }
}

fn member_mut<'a>(review: &'a mut Review, who: &Addr) -> Result<&'a mut Member, ContractError> {
    let review_id = review.id;
    review
        .members
        .iter_mut()
        .find(|m| m.curator == *who)
        .ok_or_else(|| ContractError::NotMember {
            review_id,
            sender: who.to_string(),
        })
}

fn review_event(ty: &str, review: &Review) -> Event {
    Event::new(ty)
        .add_attribute(attr::REVIEW_ID, review.id.to_string())
        .add_attribute(attr::TRANCHE_ID, review.tranche_id.to_string())
        .add_attribute(attr::KIND, kind_name(&review.kind))
        .add_attribute(attr::ROUND, review.round.to_string())
        .add_attribute(attr::SEED, review.seed.to_hex())
        .add_attribute(
            attr::MEMBERS,
            review
                .members
                .iter()
                .map(|m| m.curator.as_str())
                .collect::<Vec<_>>()
                .join(","),
        )
}

impl ReviewService for CuratorStakingContract {
    type Error = ContractError;

    fn open_review(&self, ctx: ExecCtx, tranche_id: TrancheId) -> Result<Response, ContractError> {
        self.gov.assert_not_paused(ctx.deps.storage)?;
        funds::expect_none(&ctx.info.funds)?;
        let config = self.config.load(ctx.deps.storage)?;
        if ctx.info.sender != config.registry {
            return Err(ContractError::NotRegistry {
                sender: ctx.info.sender.to_string(),
            });
        }
        let subject = self.subject(ctx.deps.as_ref(), tranche_id)?;
        let contributor = ctx.deps.api.addr_validate(&subject.contributor)?;
        let (id, event) = self.open(
            ctx.deps.storage,
            &ctx.env,
            tranche_id,
            ReviewKind::Admission,
            vec![contributor],
        )?;
        Ok(events::response(action::OPEN_REVIEW)
            .add_event(event)
            .set_data(cosmwasm_std::to_json_binary(&id)?))
    }
}

/// How a finished challenge, dispute or omission claim is counted (SPEC §8).
#[derive(Clone, Copy)]
enum Counted {
    /// The challenger was wrong.
    Dismissed,
    /// Upheld against a pending tranche: nothing decided was overturned.
    Upheld,
    /// Upheld: an accepted tranche revoked.
    Revoked,
    /// Upheld omission claim: the model's lineage extended.
    OmissionUpheld,
}
