//! Curation rules shared by the curator-staking contract and the CLI: the vote commitment
//! of commit-reveal reviews, the capped stake-weighted committee draw, and the stake
//! concentration metrics (SPEC §4).

use cosmwasm_schema::cw_serde;
use sha2::{Digest, Sha256};

/// A curator's vote about a tranche: keep/accept it, or reject/revoke it.
#[cw_serde]
#[derive(Copy, Eq)]
pub enum Vote {
    Accept,
    Reject,
}

impl Vote {
    fn byte(self) -> u8 {
        match self {
            Vote::Accept => 1,
            Vote::Reject => 2,
        }
    }
}

pub const VOTE_DOMAIN: &[u8] = b"attrib/vote/v1";

/// What a curator commits before revealing: binds the review, the voter (so a vote
/// cannot be copied by replaying another curator's commitment), the vote and a salt.
pub fn vote_commitment(review_id: u64, voter: &str, vote: Vote, salt: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(VOTE_DOMAIN);
    h.update(review_id.to_be_bytes());
    h.update((voter.len() as u32).to_be_bytes());
    h.update(voter.as_bytes());
    h.update([vote.byte()]);
    h.update(salt);
    h.finalize().into()
}

/// Each candidate's weight in a draw: its stake, capped at `cap_bps` of the total stake
/// of all candidates, so large curators cannot crowd small ones out (anti-ossification).
pub fn capped_weights(stakes: &[u128], cap_bps: u32) -> Vec<u128> {
    let total: u128 = stakes.iter().sum();
    let cap = total.saturating_mul(cap_bps as u128) / 10_000;
    stakes.iter().map(|s| (*s).min(cap.max(1))).collect()
}

/// One drawn seat: which candidate, and the ticket (a point in [0, remaining weight))
/// that landed on it — enough to show why it was drawn.
#[cw_serde]
pub struct Seat {
    pub candidate: u32,
    pub ticket: String,
    pub weight: String,
    pub remaining_weight: String,
}

/// Draws `n` distinct candidates with probability proportional to `weights`, without
/// replacement, from `seed`. Deterministic: the same seed and weights give the same
/// seats, so anyone can recompute a committee from what the contract stored.
pub fn draw(seed: &[u8; 32], weights: &[u128], n: usize) -> Vec<Seat> {
    let mut remaining: Vec<(u32, u128)> = weights
        .iter()
        .enumerate()
        .filter(|(_, w)| **w > 0)
        .map(|(i, w)| (i as u32, *w))
        .collect();
    let mut seats = vec![];
    let mut round: u32 = 0;
    while seats.len() < n && !remaining.is_empty() {
        let total: u128 = remaining.iter().map(|(_, w)| w).sum();
        let mut h = Sha256::new();
        h.update(seed);
        h.update(round.to_be_bytes());
        let r: [u8; 32] = h.finalize().into();
        let ticket = u128::from_be_bytes(r[..16].try_into().expect("16 bytes")) % total;
        let mut acc = 0u128;
        let pos = remaining
            .iter()
            .position(|(_, w)| {
                acc += w;
                ticket < acc
            })
            .expect("ticket < total");
        let (candidate, weight) = remaining.remove(pos);
        seats.push(Seat {
            candidate,
            ticket: ticket.to_string(),
            weight: weight.to_string(),
            remaining_weight: total.to_string(),
        });
        round += 1;
    }
    seats
}

pub const ENTROPY_DOMAIN: &[u8] = b"attrib/entropy-commit/v1";
pub const COMMITTEE_SEED_DOMAIN: &[u8] = b"attrib/draw/v2";
/// Longest entropy salt a curator may reveal.
pub const MAX_ENTROPY_SALT: usize = 64;

/// What a curator commits before revealing an entropy salt: binds the curator, so a
/// commitment cannot be copied and revealed by someone else.
pub fn entropy_commitment(curator: &str, salt: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(ENTROPY_DOMAIN);
    h.update((curator.len() as u32).to_be_bytes());
    h.update(curator.as_bytes());
    h.update(salt);
    h.finalize().into()
}

/// A revealed entropy salt counts for a draw requested at `requested_height` when it
/// was committed before that block and revealed after it: nobody knew it when the
/// request was made, and it was fixed before.
pub fn counts_for_draw(requested_height: u64, committed_height: u64, revealed_height: u64) -> bool {
    committed_height < requested_height && revealed_height > requested_height
}

/// Seed of a committee draw (SPEC §4): the review and its round, and the salts that
/// count for its draw request (see [`counts_for_draw`]): those of every candidate's
/// commitment outstanding at the request, in the candidates' address order. It depends neither on who triggers the draw nor on when.
pub fn committee_seed(review_id: u64, subject: u64, round: u32, salts: &[&[u8]]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(COMMITTEE_SEED_DOMAIN);
    h.update(review_id.to_be_bytes());
    h.update(subject.to_be_bytes());
    h.update(round.to_be_bytes());
    for salt in salts {
        h.update((salt.len() as u32).to_be_bytes());
        h.update(salt);
    }
    h.finalize().into()
}

/// The admin's fallback seed when no entropy was revealed in time after a draw request:
/// the running entropy mixed with block data. Predictable to whoever sends the draw, so
/// only the admin may (the admin already decides stalled reviews).
pub fn draw_seed(
    entropy: &[u8; 32],
    subject: u64,
    round: u32,
    height: u64,
    time_nanos: u64,
    chain_id: &str,
) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"attrib/draw/v1");
    h.update(entropy);
    h.update(subject.to_be_bytes());
    h.update(round.to_be_bytes());
    h.update(height.to_be_bytes());
    h.update(time_nanos.to_be_bytes());
    h.update(chain_id.as_bytes());
    h.finalize().into()
}

/// Folds a revealed salt into the running entropy.
pub fn mix_entropy(entropy: &[u8; 32], salt: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"attrib/entropy/v1");
    h.update(entropy);
    h.update(salt);
    h.finalize().into()
}

/// Stake concentration (SPEC §4, §8).
#[cw_serde]
#[derive(Default)]
pub struct Concentration {
    pub stakers: u32,
    pub total_stake: String,
    /// Share of the `k` largest stakers, in basis points.
    pub top_k: u32,
    pub top_k_share_bps: u32,
    /// Smallest number of stakers holding more than 1/3 of the stake.
    pub nakamoto_one_third: u32,
    /// Smallest number of stakers holding more than 1/2 of the stake.
    pub nakamoto_one_half: u32,
    /// Herfindahl–Hirschman index: sum of squared shares, in basis points (10 000 = one
    /// staker holds everything).
    pub hhi_bps: u32,
}

pub fn concentration(stakes: &[u128], k: u32) -> Concentration {
    let mut s: Vec<u128> = stakes.iter().copied().filter(|x| *x > 0).collect();
    s.sort_unstable_by(|a, b| b.cmp(a));
    let total: u128 = s.iter().sum();
    if total == 0 {
        return Concentration {
            top_k: k,
            total_stake: "0".into(),
            ..Default::default()
        };
    }
    // Smallest count whose stake strictly exceeds num/den of the total.
    let nakamoto = |num: u128, den: u128| {
        let mut acc = 0u128;
        for (i, x) in s.iter().enumerate() {
            acc += x;
            if acc * den > total * num {
                return i as u32 + 1;
            }
        }
        s.len() as u32
    };
    let top: u128 = s.iter().take(k as usize).sum();
    // Σ (x/T)² × 10 000 = Σ x² × 10 000 / T²; computed per term to stay in range.
    let hhi: u128 = s.iter().map(|x| x * 10_000 / total * x / total).sum();
    Concentration {
        stakers: s.len() as u32,
        total_stake: total.to_string(),
        top_k: k,
        top_k_share_bps: (top * 10_000 / total) as u32,
        nakamoto_one_third: nakamoto(1, 3),
        nakamoto_one_half: nakamoto(1, 2),
        hhi_bps: hhi as u32,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commitment_binds_every_field() {
        let base = vote_commitment(7, "wasm1alice", Vote::Accept, b"salt");
        assert_ne!(base, vote_commitment(8, "wasm1alice", Vote::Accept, b"salt"));
        assert_ne!(base, vote_commitment(7, "wasm1bob", Vote::Accept, b"salt"));
        assert_ne!(base, vote_commitment(7, "wasm1alice", Vote::Reject, b"salt"));
        assert_ne!(base, vote_commitment(7, "wasm1alice", Vote::Accept, b"salt2"));
        // Length-prefixing the voter: ("ab", salt "c…") ≠ ("a", salt "bc…").
        assert_ne!(
            vote_commitment(1, "ab", Vote::Accept, b"c"),
            vote_commitment(1, "a", Vote::Accept, b"bc")
        );
    }

    #[test]
    fn known_concentration() {
        // 40, 30, 20, 10: top-2 = 70%; >1/3 needs 1 (40%); >1/2 needs 2 (70%);
        // HHI = .16 + .09 + .04 + .01 = .30 → 3000 bps.
        let c = concentration(&[10, 40, 20, 30, 0], 2);
        assert_eq!(c.stakers, 4);
        assert_eq!(c.total_stake, "100");
        assert_eq!(c.top_k_share_bps, 7_000);
        assert_eq!(c.nakamoto_one_third, 1);
        assert_eq!(c.nakamoto_one_half, 2);
        assert_eq!(c.hhi_bps, 3_000);
        // Exactly one half is not "more than" one half.
        let c = concentration(&[50, 25, 25], 1);
        assert_eq!(c.nakamoto_one_half, 2);
        // Ten equal stakers.
        let c = concentration(&[5; 10], 3);
        assert_eq!(
            (
                c.nakamoto_one_third,
                c.nakamoto_one_half,
                c.hhi_bps,
                c.top_k_share_bps
            ),
            (4, 6, 1_000, 3_000)
        );
        assert_eq!(concentration(&[], 3).stakers, 0);
    }

    #[test]
    fn draw_is_deterministic_distinct_and_capped() {
        let seed = [9u8; 32];
        let weights = capped_weights(&[1_000, 10, 10, 10, 10], 2_000);
        assert_eq!(
            weights,
            vec![208, 10, 10, 10, 10],
            "the whale is capped at 20% of 1040"
        );
        let a = draw(&seed, &weights, 3);
        assert_eq!(a, draw(&seed, &weights, 3));
        let mut ids: Vec<u32> = a.iter().map(|s| s.candidate).collect();
        ids.dedup();
        assert_eq!(ids.len(), 3);
        assert_eq!(
            draw(&seed, &weights, 10).len(),
            5,
            "never more seats than candidates"
        );
        assert!(draw(&seed, &[0, 0], 2).is_empty());
    }

    #[test]
    fn small_curator_is_drawn_at_close_to_its_capped_weight() {
        // A whale with 60% of the stake, capped at 20%; a small curator with 1%.
        let stakes = [6_000u128, 1_500, 1_500, 900, 100];
        let weights = capped_weights(&stakes, 2_000);
        assert_eq!(weights, vec![2_000, 1_500, 1_500, 900, 100]);
        let expected = 100.0 / 6_000.0; // 1.67%: the cap lifts it above its 1% of stake
        let trials = 20_000u32;
        let hits = (0..trials)
            .filter(|t| {
                let mut seed = [0u8; 32];
                seed[..4].copy_from_slice(&t.to_be_bytes());
                draw(&seed, &weights, 1)[0].candidate == 4
            })
            .count();
        let rate = hits as f64 / trials as f64;
        // ~333 expected hits, σ ≈ 18: 15% relative tolerance is ≈ 2.8σ.
        assert!(
            (rate - expected).abs() < 0.15 * expected,
            "rate {rate} vs capped share {expected}"
        );
        assert!(
            rate > 0.013,
            "drawn clearly more often than its raw 1% stake share"
        );
    }
}
