//! The generator: each step picks an actor's move, builds it from what the world knows
//! (and from queries), sends it through a [`World`] helper, and checks the move's own
//! promises: a bad move must be refused, a refused move changes nothing, a claim pays
//! exactly what was claimable, and doing a settlement or claim again changes nothing.

use attrib_curator_staking::contract::sv::mt::CuratorStakingContractProxy;
use attrib_curator_staking::state::ReviewStatus;
use attrib_receipt_oracle::state::BatchStatus;
use attrib_reward_distributor::contract::sv::mt::RewardDistributorContractProxy;
use attrib_reward_distributor::state::EpochStatus;
use attrib_std::curation::Vote;
use attrib_std::interfaces::governance::sv::mt::GovernanceProxy;
use attrib_std::registry::VerificationTier;
use attrib_std::rewards::PositionRef;
use attrib_tests::{addr, DENOM};
use cosmwasm_std::{coin, Coin};
use std::collections::BTreeMap;

use super::checks;
use super::deep;
use super::rng::Rng;
use super::world::*;

/// A committed vote: (review, curator) → (vote, salt).
type Committed = ((u64, String), (Vote, Vec<u8>));

pub struct Step {
    pub what: String,
    /// Every message the step sent, by kind, and whether it was accepted (time passing
    /// counts as one `advance`).
    pub msgs: Vec<(&'static str, bool)>,
}

/// Every invariant of [`checks`], after a step; returns the state the next step starts
/// from.
pub fn check_all(w: &World, memory: &mut checks::Memory, step: u64) -> Result<checks::Snapshot, String> {
    let now = checks::snapshot(w);
    check_state(w, memory, step, &now)?;
    Ok(now)
}

/// [`check_all`] on a state whose snapshot was just taken.
pub fn check_state(
    w: &World,
    memory: &mut checks::Memory,
    step: u64,
    now: &checks::Snapshot,
) -> Result<(), String> {
    check_books(w, memory, now)?;
    checks::check_queries(w, step)
}

/// The invariants on the books (supply, backing, slashes): [`check_state`] but the
/// queries, after each message inside a compound move.
pub fn check_books(w: &World, memory: &mut checks::Memory, now: &checks::Snapshot) -> Result<(), String> {
    checks::check_supply(w, &now.balances)?;
    checks::check_backing(w)?;
    *memory = checks::check_slashes(w, memory)?;
    Ok(())
}

const KINDS: &[(&str, u32)] = &[
    ("register_dataset", 3),
    ("register_tranche", 8),
    ("accept_unchallenged", 5),
    ("seal_version", 4),
    ("buy_license", 5),
    ("stake", 3),
    ("unstake", 2),
    ("claim_unbonded", 2),
    ("withdraw_payout", 2),
    ("challenge", 4),
    ("commit_vote", 8),
    ("reveal_vote", 8),
    ("draw_committee", 6),
    ("finalize_review", 5),
    ("admin_resolve", 2),
    ("register_model", 3),
    ("fund_escrow", 4),
    ("withdraw_escrow", 2),
    ("close_model", 1),
    ("submit_batch", 10),
    ("replace_batch", 3),
    ("finalize_batch", 6),
    ("prove_fraud", 6),
    ("pay_direct", 3),
    ("fund_emissions", 1),
    ("close_epoch", 5),
    ("settle_epoch", 5),
    ("claim_rewards", 5),
    ("claim_curator", 4),
    ("claim_treasury", 2),
    ("pause", 1),
    ("unexpected_funds", 1),
    ("advance", 10),
    // Compound moves (see `deep`): they reach the states the moves above rarely do.
    ("review_progress", 14),
    ("settle_and_claim", 10),
    ("unbond_and_claim", 4),
    ("accept_after_window", 5),
    ("payout_owed", 3),
    ("escrow_withdrawal", 3),
];

const ADVANCES: [u64; 7] = [30, 120, 301, 700, 1_900, EPOCH + 1, 2 * EPOCH + 1];

/// What one move did: the result, whether it was meant to be refused, and a check of its
/// own to run after it.
struct Move {
    what: String,
    result: Res,
    bad: bool,
}

fn mv(what: String, result: Res, bad: bool) -> Option<Move> {
    Some(Move { what, result, bad })
}

fn wrong_funds(rng: &mut Rng, right: Coin) -> Coin {
    match rng.below(3) {
        0 => coin(right.amount.u128(), OTHER),
        1 => coin(right.amount.u128() - 1, right.denom),
        _ => coin(right.amount.u128() + 1, right.denom),
    }
}

/// One random step: a move (or time passing) and the checks that belong to it.
pub fn step(
    w: &mut World,
    rng: &mut Rng,
    before: &checks::Snapshot,
    memory: &mut checks::Memory,
) -> Result<Step, String> {
    let weights: Vec<u32> = KINDS.iter().map(|(_, wt)| *wt).collect();
    let k = KINDS[rng.weighted(&weights)].0;
    if deep::KINDS.contains(&k) {
        let mut s = deep::Sender::new(memory, before.clone());
        deep::run(w, rng, k, &mut s).map_err(|e| format!("{k}: {}: {e}", s.log.join("; ")))?;
        if !s.msgs.is_empty() {
            discover_reviews(w);
            return Ok(Step {
                what: format!("{k}: {}", s.log.join("; ")),
                msgs: s.msgs,
            });
        }
    }
    // A move that has nothing to act on (no review open yet…) becomes time passing.
    let (kind, m) = {
        match pick(w, rng, k)? {
            Some(m) => {
                if m.result.is_err() && checks::snapshot(w) != *before {
                    return Err(format!("{}: refused ({:?}) but changed state", m.what, m.result));
                }
                (k, m)
            }
            None => {
                let secs = *rng.pick(&ADVANCES).unwrap();
                w.advance(secs);
                (
                    "advance",
                    Move {
                        what: format!("advance {secs}s"),
                        result: Ok(Default::default()),
                        bad: false,
                    },
                )
            }
        }
    };
    if m.bad && m.result.is_ok() {
        return Err(format!("{}: a bad message was accepted", m.what));
    }
    discover_reviews(w);
    Ok(Step {
        msgs: vec![(kind, m.result.is_ok())],
        what: format!(
            "{}{} -> {}",
            m.what,
            if m.bad { " [bad]" } else { "" },
            match &m.result {
                Ok(_) => "ok".to_string(),
                Err(e) => format!("err {}", e.lines().next().unwrap_or("")),
            }
        ),
    })
}

pub(super) fn discover_reviews(w: &mut World) {
    let s = w.p.curator_staking();
    for t in &w.tranches {
        if let Some(r) = s.open_review_of(*t).unwrap().review_id {
            w.reviews.insert(r);
        }
    }
}

/// Runs `again` (the same settlement or claim a second time) and fails if it changed
/// anything.
pub(super) fn assert_repeat_changes_nothing(
    w: &World,
    what: &str,
    again: impl FnOnce(&World) -> Res,
) -> Result<(), String> {
    let before = checks::snapshot(w);
    let r = again(w);
    if checks::snapshot(w) != before {
        return Err(format!("{what} a second time ({r:?}) changed state"));
    }
    Ok(())
}

pub(super) fn deltas(
    before: &BTreeMap<String, u128>,
    after: &BTreeMap<String, u128>,
) -> BTreeMap<String, i128> {
    after
        .iter()
        .map(|(d, a)| (d.clone(), *a as i128 - *before.get(d).unwrap_or(&0) as i128))
        .filter(|(_, x)| *x != 0)
        .collect()
}

pub(super) fn sum_amounts<'a>(amounts: impl Iterator<Item = (&'a str, u128)>) -> BTreeMap<String, i128> {
    let mut m = BTreeMap::new();
    for (d, a) in amounts {
        *m.entry(d.to_string()).or_insert(0i128) += a as i128;
    }
    m.retain(|_, a| *a != 0);
    m
}

fn pick(w: &mut World, rng: &mut Rng, kind: &str) -> Result<Option<Move>, String> {
    let contributor = CONTRIBUTORS[rng.below(CONTRIBUTORS.len())];
    let curator = CURATORS[rng.below(CURATORS.len())];
    Ok(match kind {
        "register_dataset" => {
            let tier = if rng.chance(50) {
                VerificationTier::Strict
            } else {
                VerificationTier::Optimistic
            };
            let bad = rng.chance(10);
            let bond = if bad {
                wrong_funds(rng, coin(DATASET_BOND, DENOM))
            } else {
                coin(DATASET_BOND, DENOM)
            };
            let r = w.register_dataset(tier, bond.clone()).map(|_| Default::default());
            mv(format!("register_dataset {tier:?} bond {bond}"), r, bad)
        }
        "register_tranche" => {
            let Some(&d) = rng.pick(&w.datasets) else {
                return Ok(None);
            };
            let dup = rng.chance(15);
            let bad = rng.chance(10);
            let bond = if bad {
                wrong_funds(rng, coin(TRANCHE_BOND, DENOM))
            } else {
                coin(TRANCHE_BOND, DENOM)
            };
            let r = w
                .register_tranche(d, contributor, dup, bond.clone())
                .map(|_| Default::default());
            mv(
                format!("register_tranche d{d} by {contributor} dup={dup} bond {bond}"),
                r,
                bad,
            )
        }
        "accept_unchallenged" => {
            let Some(&t) = rng.pick(&w.tranches) else {
                return Ok(None);
            };
            mv(
                format!("accept_unchallenged t{t}"),
                w.accept_unchallenged(t),
                false,
            )
        }
        "seal_version" => {
            let Some(&d) = rng.pick(&w.datasets) else {
                return Ok(None);
            };
            let accepted = w.accepted_tranches(d);
            let mut ts: Vec<u64> = accepted.into_iter().filter(|_| rng.chance(70)).collect();
            if ts.is_empty() && rng.chance(70) {
                return Ok(None);
            }
            let bad = rng.chance(15);
            let who = if bad { "stranger" } else { "maintainer" };
            if rng.chance(5) {
                ts.reverse();
            }
            mv(
                format!("seal_version d{d} {ts:?} by {who}"),
                w.seal_version(who, d, ts),
                bad,
            )
        }
        "buy_license" => {
            let versions = w.versions();
            let Some((d, v, _)) = rng.pick(&versions).cloned() else {
                return Ok(None);
            };
            let who = if rng.chance(50) { "owner" } else { "buyer" };
            let bad = rng.chance(15);
            let pay = if bad {
                wrong_funds(rng, coin(PRICE, DENOM))
            } else {
                coin(PRICE, DENOM)
            };
            mv(
                format!("buy_license d{d}v{v} by {who} paying {pay}"),
                w.buy_license(who, d, v, pay),
                bad,
            )
        }
        "stake" => {
            let bad = rng.chance(10);
            let amount = coin(rng.range(100, 3_000) as u128, if bad { OTHER } else { DENOM });
            let who = if rng.chance(15) { "operator" } else { curator };
            mv(format!("stake {amount} by {who}"), w.stake(who, amount), bad)
        }
        "unstake" => {
            let who = if rng.chance(15) { "operator" } else { curator };
            let amount = rng.range(1, 2_000) as u128;
            mv(
                format!("unstake {amount} by {who}"),
                w.unstake(who, amount),
                false,
            )
        }
        "claim_unbonded" => {
            let who = if rng.chance(15) { "operator" } else { curator };
            let r = w.claim_unbonded(who);
            if r.is_ok() {
                assert_repeat_changes_nothing(w, "claim_unbonded", |w| w.claim_unbonded(who))?;
            }
            mv(format!("claim_unbonded by {who}"), r, false)
        }
        "withdraw_payout" => {
            let who = *rng.pick(&["challenger", curator, "stranger"]).unwrap();
            let owed =
                w.p.curator_staking()
                    .payout(addr(who).to_string())
                    .unwrap()
                    .amount
                    .u128();
            let before = w.balance(&addr(who), DENOM);
            let r = w.withdraw_payout(who);
            if r.is_ok() {
                let got = w.balance(&addr(who), DENOM) - before;
                if got != owed {
                    return Err(format!("withdraw_payout by {who} paid {got}, {owed} was owed"));
                }
                assert_repeat_changes_nothing(w, "withdraw_payout", |w| w.withdraw_payout(who))?;
            }
            mv(format!("withdraw_payout by {who} (owed {owed})"), r, false)
        }
        "challenge" => {
            let Some(&t) = rng.pick(&w.tranches) else {
                return Ok(None);
            };
            let bad = rng.chance(10);
            let bond = if bad {
                wrong_funds(rng, coin(DISPUTE_BOND, DENOM))
            } else {
                coin(DISPUTE_BOND, DENOM)
            };
            mv(
                format!("challenge t{t} bond {bond}"),
                w.challenge("challenger", t, bond),
                bad,
            )
        }
        "commit_vote" => {
            let Some(&r) = rng.pick(&w.reviews.iter().copied().collect::<Vec<_>>()) else {
                return Ok(None);
            };
            let review = w.p.curator_staking().review(r).unwrap().review;
            let members: Vec<String> = review.members.iter().map(|m| m.curator.to_string()).collect();
            let bad = rng.chance(10);
            let who = if bad {
                // A curator that is not on the committee (or a stranger).
                CURATORS
                    .iter()
                    .copied()
                    .find(|c| !members.contains(&addr(c).to_string()))
                    .unwrap_or("stranger")
            } else {
                let Some(m) = CURATORS.iter().copied().find(|c| {
                    members.contains(&addr(c).to_string())
                        && !w.votes.contains_key(&(r, c.to_string()))
                        && rng.chance(60)
                }) else {
                    return Ok(None);
                };
                m
            };
            let vote = if rng.chance(70) {
                Vote::Accept
            } else {
                Vote::Reject
            };
            let salt = rng.next_u64().to_be_bytes().to_vec();
            let res = w.commit_vote(r, who, vote, salt);
            mv(format!("commit_vote r{r} by {who} {vote:?}"), res, bad)
        }
        "reveal_vote" => {
            let committed: Vec<Committed> = w.votes.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
            let Some(((r, who), (vote, salt))) = rng.pick(&committed).cloned() else {
                return Ok(None);
            };
            let bad = rng.chance(10);
            let (vote, salt) = if bad {
                if rng.chance(50) {
                    (vote, b"not the salt".to_vec())
                } else {
                    (
                        if vote == Vote::Accept {
                            Vote::Reject
                        } else {
                            Vote::Accept
                        },
                        salt,
                    )
                }
            } else {
                (vote, salt)
            };
            let res = w.reveal_vote(r, &who, vote, salt);
            if res.is_ok() {
                w.votes.remove(&(r, who.clone()));
            }
            mv(format!("reveal_vote r{r} by {who} {vote:?}"), res, bad)
        }
        "draw_committee" => {
            let drawing: Vec<u64> = w
                .reviews
                .iter()
                .copied()
                .filter(|r| w.p.curator_staking().review(*r).unwrap().review.status == ReviewStatus::Drawing)
                .collect();
            let Some(&r) = rng.pick(&drawing) else {
                return Ok(None);
            };
            let by_admin = rng.chance(20);
            let res = w.draw_committee(r, by_admin);
            mv(format!("draw_committee r{r} admin={by_admin}"), res, false)
        }
        "finalize_review" => {
            let Some(&r) = rng.pick(&w.reviews.iter().copied().collect::<Vec<_>>()) else {
                return Ok(None);
            };
            let res = w.finalize_review(r);
            if res.is_ok() {
                assert_repeat_changes_nothing(w, "finalize_review", |w| w.finalize_review(r))?;
            }
            mv(format!("finalize_review r{r}"), res, false)
        }
        "admin_resolve" => {
            let open: Vec<u64> = w
                .reviews
                .iter()
                .copied()
                .filter(|r| {
                    w.p.curator_staking().review(*r).unwrap().review.status != ReviewStatus::Finalized
                })
                .collect();
            let Some(&r) = rng.pick(&open) else {
                return Ok(None);
            };
            let bad = rng.chance(30);
            let who = if bad { "stranger" } else { "admin" };
            let vote = if rng.chance(50) {
                Vote::Accept
            } else {
                Vote::Reject
            };
            mv(
                format!("admin_resolve r{r} {vote:?} by {who}"),
                w.admin_resolve(who, r, vote),
                bad,
            )
        }
        "register_model" => {
            let versions = w.versions();
            let licensed: Vec<(u64, u32)> = versions
                .iter()
                .filter(|(d, v, _)| {
                    use attrib_std::interfaces::license_registry::sv::mt::LicenseRegistryProxy;
                    w.p.registry()
                        .has_valid_license(addr("owner").to_string(), *d, *v)
                        .map(|r| r.valid)
                        .unwrap_or(false)
                })
                .map(|(d, v, _)| (*d, *v))
                .collect();
            if licensed.is_empty() {
                return Ok(None);
            }
            let mut lineage: Vec<(u64, u32)> = licensed
                .iter()
                .copied()
                .filter(|_| rng.chance(50))
                .take(3)
                .collect();
            if lineage.is_empty() {
                lineage.push(licensed[0]);
            }
            lineage.dedup_by_key(|(d, _)| *d);
            // Unlicensed lineage is a bad move of its own.
            let unlicensed = rng.chance(10) && versions.len() > licensed.len();
            if unlicensed {
                let (d, v, _) = versions
                    .iter()
                    .find(|(d, v, _)| !licensed.contains(&(*d, *v)))
                    .unwrap();
                lineage = vec![(*d, *v)];
            }
            let bad_bond = rng.chance(10);
            let bond = if bad_bond {
                wrong_funds(rng, coin(MODEL_BOND, DENOM))
            } else {
                coin(MODEL_BOND, DENOM)
            };
            let who = if rng.chance(90) { "owner" } else { "buyer" };
            let r = w
                .register_model(who, lineage.clone(), bond.clone())
                .map(|_| Default::default());
            mv(
                format!("register_model {lineage:?} by {who} bond {bond}"),
                r,
                unlicensed || bad_bond,
            )
        }
        "fund_escrow" => {
            let Some(&m) = rng.pick(&w.models) else {
                return Ok(None);
            };
            let bad = rng.chance(10);
            let amount = rng.range(1, 2_000) as u128;
            let pay = coin(amount, if bad { OTHER } else { DENOM });
            let who = if rng.chance(70) { "owner" } else { "buyer" };
            mv(
                format!("fund_escrow m{m} {pay} by {who}"),
                w.fund_escrow(who, m, pay),
                bad,
            )
        }
        "withdraw_escrow" => {
            let Some(&m) = rng.pick(&w.models) else {
                return Ok(None);
            };
            let bad = rng.chance(15);
            let who = if bad { "stranger" } else { "owner" };
            if rng.chance(50) {
                let amount = rng.range(1, 3_000) as u128;
                mv(
                    format!("request_withdrawal m{m} {amount} by {who}"),
                    w.request_withdrawal(who, m, amount),
                    bad,
                )
            } else {
                let r = w.withdraw_escrow(who, m);
                if r.is_ok() {
                    assert_repeat_changes_nothing(w, "withdraw_escrow", |w| w.withdraw_escrow(who, m))?;
                }
                mv(format!("withdraw_escrow m{m} by {who}"), r, bad)
            }
        }
        "close_model" => {
            let Some(&m) = rng.pick(&w.models) else {
                return Ok(None);
            };
            let bad = rng.chance(30);
            let who = if bad { "stranger" } else { "owner" };
            mv(format!("close_model m{m} by {who}"), w.close_model(who, m), bad)
        }
        "submit_batch" => {
            let Some(&m) = rng.pick(&w.models) else {
                return Ok(None);
            };
            let n = rng.range(1, 7) as usize;
            let units: Vec<u64> = (0..n).map(|_| rng.range(1, 20)).collect();
            let signed = w.serve(m, &units);
            let roll = rng.below(100);
            let (fraud, right_key, what) = if roll < 50 || (n < 3 && roll < 70) {
                (Fraud::None, true, "honest")
            } else if roll < 70 {
                (Fraud::Omitted(1 + rng.below(n - 2)), true, "omits one")
            } else if roll < 88 {
                (Fraud::Altered(rng.below(n)), true, "alters one")
            } else if roll < 95 {
                (Fraud::None, false, "signed by another key")
            } else {
                let Some(b) = rng.pick(&w.batches).cloned() else {
                    return Ok(None);
                };
                let r = w.replay_batch(&b);
                return Ok(mv(format!("replay batch m{}#{}", b.model, b.seq), r, true));
            };
            let fraud = match fraud {
                Fraud::Altered(i) if units[i] < 2 => Fraud::None,
                f => f,
            };
            let r = w.submit_batch(m, signed, fraud, right_key, None);
            mv(
                format!("submit_batch m{m} {n} receipts {what} ({fraud:?})"),
                r,
                !right_key,
            )
        }
        "replace_batch" => {
            let voided: Vec<PostedBatch> = w
                .batches
                .iter()
                .filter(|b| matches!(w.batch_status(b).0, BatchStatus::Voided { .. }))
                .cloned()
                .collect();
            let Some(b) = rng.pick(&voided).cloned() else {
                return Ok(None);
            };
            let r = w.submit_batch(b.model, b.signed.clone(), Fraud::None, true, Some(b.seq));
            mv(format!("replace batch m{}#{} honestly", b.model, b.seq), r, false)
        }
        "finalize_batch" => {
            let Some(b) = rng.pick(&w.batches).cloned() else {
                return Ok(None);
            };
            let r = w.finalize_batch(&b);
            if r.is_ok() {
                assert_repeat_changes_nothing(w, "finalize_batch", |w| w.finalize_batch(&b))?;
            }
            mv(format!("finalize_batch m{}#{}", b.model, b.seq), r, false)
        }
        "prove_fraud" => {
            let Some(b) = rng.pick(&w.batches).cloned() else {
                return Ok(None);
            };
            let valid = b.fraud != Fraud::None && rng.chance(75);
            let (status, posted_at) = w.batch_status(&b);
            let in_window = status == BatchStatus::Pending && w.now() < posted_at + ORACLE_WINDOW;
            let r = w.prove_fraud("challenger", &b, valid);
            // SPEC §5.4: whoever holds a receipt the operator signed wins against a
            // dishonest batch, whatever the operator's state or a pause.
            if valid && in_window && r.is_err() {
                return Err(format!(
                    "a valid {:?} proof against pending batch m{}#{} inside its window was refused: {r:?}",
                    b.fraud, b.model, b.seq
                ));
            }
            mv(
                format!("prove_fraud m{}#{} {:?} valid={valid}", b.model, b.seq, b.fraud),
                r,
                !valid,
            )
        }
        "pay_direct" => {
            let versions = w.versions();
            let earmarks: Vec<(u64, u32)> = versions
                .iter()
                .filter(|_| rng.chance(50))
                .map(|(d, v, _)| (*d, *v))
                .take(3)
                .collect();
            let bad = rng.chance(10);
            let pay = coin(rng.range(1, 5_000) as u128, if bad { OTHER } else { DENOM });
            mv(
                format!("pay_direct {pay} to {earmarks:?}"),
                w.pay_direct("buyer", earmarks, pay),
                bad,
            )
        }
        "fund_emissions" => {
            let amount = rng.range(1, 100_000) as u128;
            mv(
                format!("fund_emissions {amount}"),
                w.fund_emissions(amount),
                false,
            )
        }
        "close_epoch" => {
            let r = w.close_epoch();
            mv("close_epoch".into(), r, false)
        }
        "settle_epoch" => {
            let limit = rng.range(1, 5) as u32;
            let pool = w.p.reward_distributor();
            let settling = pool.config().unwrap().settling;
            // A crank keeps calling while there is work (a few pages at most).
            let mut r = w.settle_epoch(limit);
            for _ in 0..3 {
                if r.is_err()
                    || settling.is_some_and(|e| pool.epoch(e).unwrap().epoch.status == EpochStatus::Settled)
                {
                    break;
                }
                r = w.settle_epoch(limit);
            }
            if let (Ok(_), Some(e)) = (&r, settling) {
                if pool.epoch(e).unwrap().epoch.status == EpochStatus::Settled {
                    assert_repeat_changes_nothing(w, "settle_epoch of a settled epoch", |w| {
                        w.settle_epoch(limit)
                    })?;
                }
            }
            mv(format!("settle_epoch limit {limit}"), r, false)
        }
        "claim_rewards" => {
            let versions = w.versions();
            let Some((d, v, ts)) = rng.pick(&versions).cloned() else {
                return Ok(None);
            };
            let Some(&t) = rng.pick(&ts) else { return Ok(None) };
            let pool = w.p.reward_distributor();
            let pos = pool.position(d, v, t).unwrap();
            let who = pos.contributor.clone();
            let claimable = sum_amounts(pos.claimable.iter().map(|a| (a.denom.as_str(), a.amount.u128())));
            let before = w.balances_of(&who);
            let positions = vec![PositionRef {
                dataset_id: d,
                version: v,
                tranche_id: t,
            }];
            let name = ACTORS.iter().copied().find(|a| addr(a) == who).unwrap();
            let r = w.claim_rewards(name, positions.clone());
            if r.is_ok() {
                let got = deltas(&before, &w.balances_of(&who));
                if got != claimable {
                    return Err(format!(
                        "claim_rewards d{d}v{v}t{t} paid {got:?}, the position showed {claimable:?} claimable"
                    ));
                }
                assert_repeat_changes_nothing(w, "claim_rewards", |w| w.claim_rewards(name, positions))?;
            }
            mv(format!("claim_rewards d{d}v{v}t{t} by {name}"), r, false)
        }
        "claim_curator" => {
            let pool = w.p.reward_distributor();
            let config = pool.config().unwrap();
            let now = w.now();
            let mut epochs = vec![];
            let mut expected = BTreeMap::new();
            for e in 0..config.next_close {
                if !pool
                    .epoch(e)
                    .is_ok_and(|ep| ep.epoch.status == EpochStatus::Settled)
                {
                    continue;
                }
                let cr = pool.curator_rewards(e, addr(curator).to_string()).unwrap();
                if cr.claimed || cr.points == 0 || !rng.chance(70) {
                    continue;
                }
                if cr.vest_at.is_some_and(|v| v > now) && !rng.chance(20) {
                    continue;
                }
                epochs.push(e);
                for a in &cr.amounts {
                    *expected.entry(a.denom.clone()).or_insert(0i128) += a.amount.u128() as i128;
                }
            }
            expected.retain(|_, a| *a != 0);
            if epochs.is_empty() {
                return Ok(None);
            }
            let who = addr(curator);
            let before = w.balances_of(&who);
            let r = w.claim_curator_rewards(curator, epochs.clone());
            if r.is_ok() {
                let got = deltas(&before, &w.balances_of(&who));
                if got != expected {
                    return Err(format!(
                        "claim_curator_rewards {epochs:?} by {curator} paid {got:?}, {expected:?} was shown"
                    ));
                }
                assert_repeat_changes_nothing(w, "claim_curator_rewards", |w| {
                    w.claim_curator_rewards(curator, epochs.clone())
                })?;
            }
            mv(format!("claim_curator_rewards {epochs:?} by {curator}"), r, false)
        }
        "claim_treasury" => {
            let bad = rng.chance(10);
            let who = if bad { "stranger" } else { "admin" };
            let owed = sum_amounts(
                w.p.reward_distributor()
                    .treasury(None)
                    .unwrap()
                    .owed
                    .iter()
                    .map(|a| (a.denom.as_str(), a.amount.u128())),
            );
            let before = w.balances_of(&addr("admin"));
            let r = w.claim_treasury(who);
            if r.is_ok() {
                let got = deltas(&before, &w.balances_of(&addr("admin")));
                if got != owed {
                    return Err(format!("claim_treasury paid {got:?}, {owed:?} was owed"));
                }
                assert_repeat_changes_nothing(w, "claim_treasury", |w| w.claim_treasury(who))?;
            }
            mv(format!("claim_treasury by {who}"), r, bad)
        }
        "pause" => {
            let which = rng.below(4);
            let paused = match which {
                0 => w.p.registry().governance().unwrap().paused,
                1 => w.p.curator_staking().governance().unwrap().paused,
                2 => w.p.receipt_oracle().governance().unwrap().paused,
                _ => w.p.reward_distributor().governance().unwrap().paused,
            };
            let bad = rng.chance(30);
            let who = if bad { "stranger" } else { "admin" };
            mv(
                format!("set_paused {} on contract {which} by {who}", !paused),
                w.set_paused(who, which, !paused),
                bad,
            )
        }
        "unexpected_funds" => mv(
            "close_epoch with funds attached".into(),
            w.unexpected_funds("stranger"),
            true,
        ),
        "advance" => return Ok(None),
        // A compound move that found nothing to act on.
        k if deep::KINDS.contains(&k) => return Ok(None),
        other => unreachable!("{other}"),
    })
}
