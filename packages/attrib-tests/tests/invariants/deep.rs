//! Compound moves that reach the deep states the single random moves almost never do: a
//! review carried from its draw through commits, reveals and finalization; an epoch
//! closed, settled, vested and claimed; a stake unbonded and released; a tranche accepted
//! once its window passed; a payout withdrawn. Each lets the time pass that the protocol
//! asks for (read back by query) and sends several messages in one step, and every one of
//! those messages is checked as a single move is: a bad one must be refused, a refused
//! one changes nothing, a claim pays what was shown, and every invariant of [`checks`]
//! holds after each. Bad messages stay in the mix (a vote by a non-member, a reveal with
//! the wrong salt, a claim by someone else, a claim by a stranger).

use attrib_curator_staking::contract::sv::mt::CuratorStakingContractProxy;
use attrib_curator_staking::state::ReviewStatus;
use attrib_receipt_oracle::contract::sv::mt::ReceiptOracleContractProxy;
use attrib_registry::contract::sv::mt::RegistryContractProxy;
use attrib_registry::msg::TrancheFilter;
use attrib_reward_distributor::contract::sv::mt::RewardDistributorContractProxy;
use attrib_reward_distributor::state::EpochStatus;
use attrib_std::curation::Vote;
use attrib_std::interfaces::license_registry::sv::mt::LicenseRegistryProxy;
use attrib_std::registry::{TrancheStatus, VerificationTier};
use attrib_std::rewards::PositionRef;
use attrib_tests::{addr, DENOM};
use cosmwasm_std::{coin, Addr};
use std::collections::BTreeMap;

use super::checks;
use super::ops::{assert_repeat_changes_nothing, check_books, deltas, discover_reviews, sum_amounts};
use super::rng::Rng;
use super::world::*;

/// The compound kinds (their weights are in `ops::KINDS`).
pub const KINDS: &[&str] = &[
    "review_progress",
    "settle_and_claim",
    "unbond_and_claim",
    "accept_after_window",
    "payout_owed",
    "escrow_withdrawal",
];

/// Sends the messages of a compound move, checking each the way a single move is checked.
pub struct Sender<'a> {
    memory: &'a mut checks::Memory,
    /// The state now (balances and books do not move with time alone).
    state: checks::Snapshot,
    /// A message was accepted and the invariants have not been checked since (the main
    /// loop checks after the step's last one).
    pending: bool,
    pub log: Vec<String>,
    pub msgs: Vec<(&'static str, bool)>,
}

impl<'a> Sender<'a> {
    pub fn new(memory: &'a mut checks::Memory, state: checks::Snapshot) -> Sender<'a> {
        Sender {
            memory,
            state,
            pending: false,
            log: vec![],
            msgs: vec![],
        }
    }

    /// Sends one message: the invariants on the books after the previous one first (supply,
    /// backing, slashes; the main loop checks all of them, queries included, after the
    /// step's last message), then the message; a refused one must have changed nothing, a
    /// bad one must be refused. Returns whether it was accepted.
    fn send(
        &mut self,
        w: &mut World,
        kind: &'static str,
        what: String,
        bad: bool,
        f: impl FnOnce(&mut World) -> Res,
    ) -> Result<bool, String> {
        if std::mem::take(&mut self.pending) {
            check_books(w, self.memory, &self.state)
                .map_err(|e| format!("after {}: {e}", self.log.last().unwrap()))?;
        }
        let r = f(w);
        let after = checks::snapshot(w);
        self.log.push(format!(
            "{what}{} -> {}",
            if bad { " [bad]" } else { "" },
            match &r {
                Ok(_) => "ok".to_string(),
                Err(e) => format!("err {}", e.lines().next().unwrap_or("")),
            }
        ));
        if r.is_err() && after != self.state {
            return Err(format!("{what}: refused ({r:?}) but changed state"));
        }
        if bad && r.is_ok() {
            return Err(format!("{what}: a bad message was accepted"));
        }
        self.msgs.push((kind, r.is_ok()));
        // A refused message left the books as they were, already checked.
        self.pending |= r.is_ok();
        self.state = after;
        Ok(r.is_ok())
    }

    fn advance(&mut self, w: &World, secs: u64) {
        w.advance(secs);
        self.log.push(format!("advance {secs}s"));
    }
}

pub fn run(w: &mut World, rng: &mut Rng, kind: &str, s: &mut Sender) -> Result<(), String> {
    match kind {
        "review_progress" => review_progress(w, rng, s),
        "settle_and_claim" => settle_and_claim(w, rng, s),
        "unbond_and_claim" => unbond_and_claim(w, rng, s),
        "accept_after_window" => accept_after_window(w, rng, s),
        "payout_owed" => payout_owed(w, rng, s),
        "escrow_withdrawal" => escrow_withdrawal(w, rng, s),
        other => unreachable!("{other}"),
    }
}

fn name_of(who: &Addr) -> &'static str {
    ACTORS
        .iter()
        .copied()
        .find(|a| addr(a) == *who)
        .unwrap_or("stranger")
}

fn other_vote(v: Vote) -> Vote {
    if v == Vote::Accept {
        Vote::Reject
    } else {
        Vote::Accept
    }
}

/// Carries a review forward, phase after phase: draws its committee (the admin after the
/// draw timeout when no entropy counts), has the members commit inside the commit phase,
/// reveal inside the reveal phase, finalizes after the reveal deadline (or once all
/// revealed), resolves it as the admin when it awaits one. With no review open, a
/// challenge opens one first. It may stop after any phase, so other moves interleave.
fn review_progress(w: &mut World, rng: &mut Rng, s: &mut Sender) -> Result<(), String> {
    let open: Vec<u64> = w
        .reviews
        .iter()
        .copied()
        .filter(|r| w.p.curator_staking().review(*r).unwrap().review.status != ReviewStatus::Finalized)
        .collect();
    let r = match rng.pick(&open) {
        Some(&r) => r,
        None => {
            let Some(&t) = rng.pick(&w.tranches) else {
                return Ok(());
            };
            let res = s.send(w, "challenge", format!("challenge t{t}"), false, |w| {
                w.challenge("challenger", t, coin(DISPUTE_BOND, DENOM))
            })?;
            discover_reviews(w);
            if !res {
                return Ok(());
            }
            match w.p.curator_staking().open_review_of(t).unwrap().review_id {
                Some(r) => r,
                None => return Ok(()),
            }
        }
    };
    let draw_timeout =
        w.p.curator_staking()
            .config()
            .unwrap()
            .config
            .params
            .draw_timeout_secs;
    for _ in 0..8 {
        let review = w.p.curator_staking().review(r).unwrap().review;
        let now = w.now();
        let mut progressed = false;
        match review.status {
            ReviewStatus::Finalized => break,
            ReviewStatus::Drawing => {
                let res = s.send(w, "draw_committee", format!("draw_committee r{r}"), false, |w| {
                    w.draw_committee(r, false)
                })?;
                progressed = res;
                if !res && rng.chance(60) {
                    // No entropy that counts: after the timeout the admin draws.
                    s.advance(w, draw_timeout + 1);
                    let res = s.send(
                        w,
                        "draw_committee",
                        format!("draw_committee r{r} admin=true"),
                        false,
                        |w| w.draw_committee(r, true),
                    )?;
                    progressed = res;
                }
            }
            ReviewStatus::Voting => {
                let members: Vec<&'static str> = review.members.iter().map(|m| name_of(&m.curator)).collect();
                let all_committed = review.members.iter().all(|m| m.commitment.is_some());
                let all_revealed = review.members.iter().all(|m| m.vote.is_some());
                if now <= review.commit_deadline && !all_committed {
                    if rng.chance(10) {
                        let outsider = CURATORS
                            .iter()
                            .copied()
                            .find(|c| !members.contains(c))
                            .unwrap_or("stranger");
                        let salt = rng.next_u64().to_be_bytes().to_vec();
                        s.send(
                            w,
                            "commit_vote",
                            format!("commit_vote r{r} by {outsider} (not a member)"),
                            true,
                            |w| w.commit_vote(r, outsider, Vote::Accept, salt),
                        )?;
                    }
                    for (m, who) in review.members.iter().zip(&members) {
                        if m.commitment.is_some() || !rng.chance(90) {
                            continue;
                        }
                        let vote = if rng.chance(75) {
                            Vote::Accept
                        } else {
                            Vote::Reject
                        };
                        let salt = rng.next_u64().to_be_bytes().to_vec();
                        let res = s.send(
                            w,
                            "commit_vote",
                            format!("commit_vote r{r} by {who} {vote:?}"),
                            false,
                            |w| w.commit_vote(r, who, vote, salt),
                        )?;
                        progressed |= res;
                    }
                    let review = w.p.curator_staking().review(r).unwrap().review;
                    if !review.members.iter().all(|m| m.commitment.is_some())
                        && w.now() <= review.commit_deadline
                    {
                        // The reveal phase opens after the commit deadline.
                        s.advance(w, review.commit_deadline - w.now() + 1);
                    }
                } else if now <= review.reveal_deadline && !all_revealed {
                    for (m, who) in review.members.iter().zip(&members) {
                        if m.commitment.is_none() || m.vote.is_some() {
                            continue;
                        }
                        let Some((vote, salt)) = w.votes.get(&(r, who.to_string())).cloned() else {
                            continue;
                        };
                        if rng.chance(8) {
                            let (v, sl) = if rng.chance(50) {
                                (vote, b"not the salt".to_vec())
                            } else {
                                (other_vote(vote), salt.clone())
                            };
                            s.send(
                                w,
                                "reveal_vote",
                                format!("reveal_vote r{r} by {who} {v:?} (not as committed)"),
                                true,
                                |w| w.reveal_vote(r, who, v, sl),
                            )?;
                        }
                        if !rng.chance(92) {
                            continue;
                        }
                        let res = s.send(
                            w,
                            "reveal_vote",
                            format!("reveal_vote r{r} by {who} {vote:?}"),
                            false,
                            |w| w.reveal_vote(r, who, vote, salt),
                        )?;
                        if res {
                            w.votes.remove(&(r, who.to_string()));
                            progressed = true;
                        }
                    }
                    let review = w.p.curator_staking().review(r).unwrap().review;
                    if !review.members.iter().all(|m| m.vote.is_some()) && w.now() <= review.reveal_deadline {
                        // Finalizing waits for the reveal deadline.
                        s.advance(w, review.reveal_deadline - w.now() + 1);
                    }
                } else {
                    let res = s.send(
                        w,
                        "finalize_review",
                        format!("finalize_review r{r}"),
                        false,
                        |w| w.finalize_review(r),
                    )?;
                    if res {
                        assert_repeat_changes_nothing(w, "finalize_review", |w| w.finalize_review(r))?;
                        // Whoever the outcome credited (challenger, winning curators)
                        // withdraws.
                        if rng.chance(50) {
                            payout_owed(w, rng, s)?;
                        }
                    }
                    progressed = res;
                }
            }
            ReviewStatus::AwaitingAdmin => {
                let bad = rng.chance(10);
                let who = if bad { "stranger" } else { "admin" };
                let vote = if rng.chance(50) {
                    Vote::Accept
                } else {
                    Vote::Reject
                };
                let res = s.send(
                    w,
                    "admin_resolve",
                    format!("admin_resolve r{r} {vote:?} by {who}"),
                    bad,
                    |w| w.admin_resolve(who, r, vote),
                )?;
                progressed = res;
            }
        }
        if !progressed || !rng.chance(70) {
            break;
        }
    }
    Ok(())
}

/// Closes the oldest closable epoch (letting the current one end first), settles it page
/// by page, lets it vest, then claims: a contributor's position that shows something
/// claimable, a curator's vested epochs, the treasury. (And a model owner takes escrow
/// back after the notice: [`escrow_withdrawal`].)
fn settle_and_claim(w: &mut World, rng: &mut Rng, s: &mut Sender) -> Result<(), String> {
    let mut settled = None;
    // The oldest epochs due, a few at most (an epoch without inflows is skipped).
    for round in 0..3 {
        let cfg = w.p.reward_distributor().config().unwrap();
        if cfg.settling.is_none() {
            let due = cfg.next_close < cfg.current_epoch;
            if (round > 0 && !due) || (round == 0 && !rng.chance(85)) {
                break;
            }
            if !due {
                // Let the current epoch end.
                let clock = &cfg.config.clock;
                let next_start = clock.epoch_start + (cfg.current_epoch + 1) * clock.epoch_secs;
                s.advance(w, next_start.saturating_sub(w.now()) + 1);
            }
            if !s.send(w, "close_epoch", "close_epoch".into(), false, |w| w.close_epoch())? {
                break;
            }
        }
        let mut stuck = false;
        for _ in 0..8 {
            let Some(e) = w.p.reward_distributor().config().unwrap().settling else {
                break;
            };
            let limit = rng.range(1, 6) as u32;
            let res = s.send(
                w,
                "settle_epoch",
                format!("settle_epoch limit {limit}"),
                false,
                |w| w.settle_epoch(limit),
            )?;
            if !res {
                stuck = true;
                break;
            }
            if w.p.reward_distributor().epoch(e).unwrap().epoch.status == EpochStatus::Settled {
                assert_repeat_changes_nothing(w, "settle_epoch of a settled epoch", |w| {
                    w.settle_epoch(limit)
                })?;
                settled = Some(e);
            }
        }
        if stuck || !rng.chance(75) {
            break;
        }
    }
    // Let what was settled vest (the latest settled epoch, if this move settled none).
    let next_close = w.p.reward_distributor().config().unwrap().next_close;
    let vest_epoch = settled.or_else(|| {
        (0..next_close).rev().take(4).find(|e| {
            w.p.reward_distributor()
                .epoch(*e)
                .is_ok_and(|ep| ep.epoch.status == EpochStatus::Settled)
        })
    });
    if let Some(e) = vest_epoch {
        if let Some(vest_at) = w.p.reward_distributor().epoch(e).unwrap().epoch.vest_at {
            if vest_at >= w.now() && rng.chance(80) {
                s.advance(w, vest_at - w.now() + 1);
            }
        }
    }

    // A contributor claims a position that shows something claimable.
    let mut claimable = vec![];
    for (d, v, ts) in w.versions() {
        for t in ts {
            let pos = w.p.reward_distributor().position(d, v, t).unwrap();
            if pos.claimable.iter().any(|a| !a.amount.is_zero()) {
                claimable.push((d, v, t, pos));
            }
        }
    }
    if let Some((d, v, t, pos)) = rng.pick(&claimable).cloned() {
        let positions = vec![PositionRef {
            dataset_id: d,
            version: v,
            tranche_id: t,
        }];
        let name = name_of(&pos.contributor);
        if rng.chance(10) {
            let p = positions.clone();
            s.send(
                w,
                "claim_rewards",
                format!("claim_rewards d{d}v{v}t{t} by stranger (not the contributor)"),
                true,
                |w| w.claim_rewards("stranger", p),
            )?;
        }
        let shown = sum_amounts(pos.claimable.iter().map(|a| (a.denom.as_str(), a.amount.u128())));
        let before = w.balances_of(&pos.contributor);
        let p = positions.clone();
        let res = s.send(
            w,
            "claim_rewards",
            format!("claim_rewards d{d}v{v}t{t} by {name}"),
            false,
            |w| w.claim_rewards(name, p),
        )?;
        if res {
            let got = deltas(&before, &w.balances_of(&pos.contributor));
            if got != shown {
                return Err(format!(
                    "claim_rewards d{d}v{v}t{t} paid {got:?}, the position showed {shown:?} claimable"
                ));
            }
            assert_repeat_changes_nothing(w, "claim_rewards", |w| w.claim_rewards(name, positions))?;
        }
    }

    // A curator claims the vested epochs it earned points in (one that has some).
    if rng.chance(70) {
        let now = w.now();
        let mut by_curator: BTreeMap<&str, (Vec<u64>, BTreeMap<String, i128>)> = BTreeMap::new();
        for e in 0..next_close {
            let Ok(ep) = w.p.reward_distributor().epoch(e) else {
                continue;
            };
            let ep = ep.epoch;
            if ep.status != EpochStatus::Settled
                || ep.curator_points <= ep.curator_points_claimed
                || ep.vest_at.is_some_and(|v| v > now)
            {
                continue;
            }
            for c in CURATORS {
                let cr =
                    w.p.reward_distributor()
                        .curator_rewards(e, addr(c).to_string())
                        .unwrap();
                if cr.claimed || cr.points == 0 {
                    continue;
                }
                let (epochs, expected) = by_curator.entry(c).or_default();
                epochs.push(e);
                for a in &cr.amounts {
                    *expected.entry(a.denom.clone()).or_insert(0i128) += a.amount.u128() as i128;
                }
            }
        }
        let owed: Vec<_> = by_curator.into_iter().collect();
        if let Some((curator, (epochs, mut expected))) = rng.pick(&owed).cloned() {
            expected.retain(|_, a| *a != 0);
            let who = addr(curator);
            let before = w.balances_of(&who);
            let es = epochs.clone();
            let res = s.send(
                w,
                "claim_curator",
                format!("claim_curator_rewards {epochs:?} by {curator}"),
                false,
                |w| w.claim_curator_rewards(curator, es),
            )?;
            if res {
                let got = deltas(&before, &w.balances_of(&who));
                if got != expected {
                    return Err(format!(
                        "claim_curator_rewards {epochs:?} by {curator} paid {got:?}, {expected:?} was shown"
                    ));
                }
                assert_repeat_changes_nothing(w, "claim_curator_rewards", |w| {
                    w.claim_curator_rewards(curator, epochs)
                })?;
            }
        }
    }

    // The treasury claims what it is owed.
    let owed = sum_amounts(
        w.p.reward_distributor()
            .treasury(None)
            .unwrap()
            .owed
            .iter()
            .map(|a| (a.denom.as_str(), a.amount.u128())),
    );
    if !owed.is_empty() && rng.chance(40) {
        let bad = rng.chance(10);
        let who = if bad { "stranger" } else { "admin" };
        let before = w.balances_of(&addr("admin"));
        let res = s.send(
            w,
            "claim_treasury",
            format!("claim_treasury by {who}"),
            bad,
            |w| w.claim_treasury(who),
        )?;
        if res {
            let got = deltas(&before, &w.balances_of(&addr("admin")));
            if got != owed {
                return Err(format!("claim_treasury paid {got:?}, {owed:?} was owed"));
            }
            assert_repeat_changes_nothing(w, "claim_treasury", |w| w.claim_treasury(who))?;
        }
    }
    Ok(())
}

/// A staker unstakes (unless already unbonding), waits out the unbonding period and
/// claims what was released: exactly the matured entries.
fn unbond_and_claim(w: &mut World, rng: &mut Rng, s: &mut Sender) -> Result<(), String> {
    let who = if rng.chance(15) {
        "operator"
    } else {
        CURATORS[rng.below(CURATORS.len())]
    };
    let staker = |w: &World| {
        w.p.curator_staking()
            .staker(addr(who).to_string())
            .unwrap()
            .staker
    };
    let Some(st) = staker(w) else {
        return Ok(());
    };
    if st.unbonding.is_empty() || rng.chance(30) {
        let bonded = st.bonded.u128();
        if bonded == 0 {
            return Ok(());
        }
        let amount = rng.range(1, (bonded / 2).max(1) as u64 + 1) as u128;
        let res = s.send(w, "unstake", format!("unstake {amount} by {who}"), false, |w| {
            w.unstake(who, amount)
        })?;
        if !res {
            return Ok(());
        }
    }
    let Some(st) = staker(w) else {
        return Ok(());
    };
    let Some(release) = st.unbonding.iter().map(|u| u.release_at).min() else {
        return Ok(());
    };
    if release > w.now() && rng.chance(90) {
        s.advance(w, release - w.now());
    }
    let now = w.now();
    let matured: u128 = staker(w)
        .map(|st| {
            st.unbonding
                .iter()
                .filter(|u| u.release_at <= now)
                .map(|u| u.amount.u128())
                .sum()
        })
        .unwrap_or(0);
    let before = w.balance(&addr(who), DENOM);
    let res = s.send(
        w,
        "claim_unbonded",
        format!("claim_unbonded by {who}"),
        false,
        |w| w.claim_unbonded(who),
    )?;
    if res {
        let got = w.balance(&addr(who), DENOM) - before;
        if got != matured {
            return Err(format!(
                "claim_unbonded by {who} paid {got}, {matured} had matured"
            ));
        }
        assert_repeat_changes_nothing(w, "claim_unbonded", |w| w.claim_unbonded(who))?;
    }
    Ok(())
}

/// A pending optimistic tranche (registered first if there is none) is accepted once its
/// challenge window has passed (now and then too early: refused).
fn accept_after_window(w: &mut World, rng: &mut Rng, s: &mut Sender) -> Result<(), String> {
    let pending = |w: &World| -> Vec<(u64, u64)> {
        w.p.registry()
            .tranches(
                Some(TrancheFilter {
                    dataset_id: None,
                    contributor: None,
                    status: Some(TrancheStatus::Pending),
                }),
                None,
                Some(100),
            )
            .unwrap()
            .tranches
            .into_iter()
            .filter_map(|t| t.challenge_deadline.map(|d| (t.id, d)))
            .collect()
    };
    let mut candidates = pending(w);
    if candidates.is_empty() || rng.chance(20) {
        let optimistic: Vec<u64> = w
            .datasets
            .iter()
            .copied()
            .filter(|d| w.p.registry().dataset(*d).unwrap().dataset.tier == VerificationTier::Optimistic)
            .collect();
        let Some(&d) = rng.pick(&optimistic) else {
            return Ok(());
        };
        let contributor = CONTRIBUTORS[rng.below(CONTRIBUTORS.len())];
        let mut id = None;
        s.send(
            w,
            "register_tranche",
            format!("register_tranche d{d} by {contributor}"),
            false,
            |w| {
                w.register_tranche(d, contributor, false, coin(TRANCHE_BOND, DENOM))
                    .map(|t| {
                        id = t;
                        Default::default()
                    })
            },
        )?;
        candidates = pending(w);
        if let Some(t) = id {
            candidates.retain(|(c, _)| *c == t);
        }
    }
    let Some(&(t, deadline)) = rng.pick(&candidates) else {
        return Ok(());
    };
    let early = deadline > w.now() && rng.chance(10);
    if !early && deadline >= w.now() {
        s.advance(w, deadline - w.now() + 1);
    }
    s.send(
        w,
        "accept_unchallenged",
        format!(
            "accept_unchallenged t{t}{}",
            if early { " (window open)" } else { "" }
        ),
        early,
        |w| w.accept_unchallenged(t),
    )?;
    Ok(())
}

/// Someone owed a payout (a challenger that won, a curator…) withdraws it: exactly it.
fn payout_owed(w: &mut World, rng: &mut Rng, s: &mut Sender) -> Result<(), String> {
    let owed: Vec<(&str, u128)> = ACTORS
        .iter()
        .copied()
        .map(|a| {
            (
                a,
                w.p.curator_staking()
                    .payout(addr(a).to_string())
                    .unwrap()
                    .amount
                    .u128(),
            )
        })
        .filter(|(_, o)| *o > 0)
        .collect();
    let Some(&(who, amount)) = rng.pick(&owed) else {
        return Ok(());
    };
    let before = w.balance(&addr(who), DENOM);
    let res = s.send(
        w,
        "withdraw_payout",
        format!("withdraw_payout by {who} (owed {amount})"),
        false,
        |w| w.withdraw_payout(who),
    )?;
    if res {
        let got = w.balance(&addr(who), DENOM) - before;
        if got != amount {
            return Err(format!("withdraw_payout by {who} paid {got}, {amount} was owed"));
        }
        assert_repeat_changes_nothing(w, "withdraw_payout", |w| w.withdraw_payout(who))?;
    }
    Ok(())
}

/// A model owner asks for part of its free escrow back (funding some first if there is
/// none), waits out the notice and withdraws: exactly what it asked for. Now and then a
/// stranger tries first (refused).
fn escrow_withdrawal(w: &mut World, rng: &mut Rng, s: &mut Sender) -> Result<(), String> {
    let Some(&m) = rng.pick(&w.models) else {
        return Ok(());
    };
    let model = w.p.receipt_oracle().model(m).unwrap();
    if model.closed {
        return Ok(());
    }
    let owner = name_of(&model.owner);
    if model.withdrawal.is_none() {
        let free = model.escrow.u128().saturating_sub(model.reserved.u128());
        let free = if free == 0 {
            let pay = coin(rng.range(100, 2_000) as u128, DENOM);
            let what = format!("fund_escrow m{m} {pay} by {owner}");
            if !s.send(w, "fund_escrow", what, false, |w| {
                w.fund_escrow(owner, m, pay.clone())
            })? {
                return Ok(());
            }
            let model = w.p.receipt_oracle().model(m).unwrap();
            model.escrow.u128().saturating_sub(model.reserved.u128())
        } else {
            free
        };
        if free == 0 {
            return Ok(());
        }
        let amount = rng.range(1, free as u64 + 1) as u128;
        if !s.send(
            w,
            "request_withdrawal",
            format!("request_withdrawal m{m} {amount} by {owner}"),
            false,
            |w| w.request_withdrawal(owner, m, amount),
        )? {
            return Ok(());
        }
    }
    let Some(pending) = w.p.receipt_oracle().model(m).unwrap().withdrawal else {
        return Ok(());
    };
    if pending.available_at > w.now() && rng.chance(90) {
        s.advance(w, pending.available_at - w.now());
    }
    if rng.chance(10) {
        s.send(
            w,
            "withdraw_escrow",
            format!("withdraw_escrow m{m} by stranger (not the owner)"),
            true,
            |w| w.withdraw_escrow("stranger", m),
        )?;
    }
    let before = w.balance(&addr(owner), DENOM);
    if s.send(
        w,
        "withdraw_escrow",
        format!("withdraw_escrow m{m} by {owner}"),
        false,
        |w| w.withdraw_escrow(owner, m),
    )? {
        let got = w.balance(&addr(owner), DENOM) - before;
        if got != pending.amount.u128() {
            return Err(format!(
                "withdraw_escrow m{m} paid {got}, {} was requested",
                pending.amount
            ));
        }
        assert_repeat_changes_nothing(w, "withdraw_escrow", |w| w.withdraw_escrow(owner, m))?;
    }
    Ok(())
}
