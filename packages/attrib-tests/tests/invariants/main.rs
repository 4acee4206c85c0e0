//! Issue 14: the whole protocol under random operation. Every contract real (the
//! protocol builder's deployment plus the cw20 protocol token), every actor's messages in
//! random order — good ones and bad ones (wrong funds, unauthorized, replays, forged
//! evidence, out of order) — with time advancing, and after EVERY step the invariants of
//! [`checks`]: supply of each denom constant, each contract's holdings equal to what its
//! books owe, slashes bounded by stake, claims equal to what accrued, every query
//! answering, a refused message changing nothing, a settlement or claim repeated changing
//! nothing. Besides single moves, compound moves ([`deep`]) carry the protocol into the
//! states random single moves rarely reach (a review from its draw to its finalization,
//! an epoch closed, settled, vested and claimed, an unbonding released, a tranche
//! accepted after its window, a payout withdrawn), each of their messages checked on its
//! own; the report counts messages by kind, whichever move sent them.
//!
//! Reproducible: a sequence is a function of its u64 seed, printed with the step and the
//! moves so far when anything breaks. Replay one with
//! `ATTRIB_INVARIANTS_SEED=<seed> cargo test -p attrib-tests --test invariants replay -- --nocapture`.
//! `cargo test` runs [`CI_SEQUENCES`] sequences; `make soak` (scripts/soak.sh) runs many
//! more in release mode: `ATTRIB_SOAK_CASES`, `ATTRIB_SOAK_SEED`, `ATTRIB_SOAK_STEPS`.

mod checks;
mod deep;
mod ops;
mod rng;
mod world;

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Instant;

use ops::Step;
use rng::Rng;
use world::World;

/// Sequences `cargo test` runs, split over [`CI_SHARDS`] tests so both cores work.
pub const CI_SEQUENCES: u64 = 1_000;
const CI_SHARDS: u64 = 4;
/// Steps per sequence of `cargo test` (after the bootstrap deployment, itself ~15
/// messages): about 45 ms of CPU a step in the debug profile (a compound step sends
/// several messages, each checked), with every invariant checked after each, keeps 1 000
/// sequences near 4 minutes on two cores (3 before the compound moves: +20% CPU).
pub const STEPS: usize = 8;
/// Steps per sequence of the soak run (`ATTRIB_SOAK_STEPS` to change).
pub const SOAK_STEPS: usize = 30;
const CI_SEED: u64 = 0x00A7_7B14;

/// Successes and failures per kind of move.
#[derive(Default)]
pub struct Stats {
    pub sequences: u64,
    pub steps: u64,
    pub by_kind: BTreeMap<&'static str, (u64, u64)>,
}

impl Stats {
    fn merge(&mut self, o: Stats) {
        self.sequences += o.sequences;
        self.steps += o.steps;
        for (k, (ok, err)) in o.by_kind {
            let e = self.by_kind.entry(k).or_default();
            e.0 += ok;
            e.1 += err;
        }
    }

    pub fn report(&self, secs: f64) -> String {
        let (ok, err) = self
            .by_kind
            .values()
            .fold((0, 0), |(a, b), (o, e)| (a + o, b + e));
        let mut s = format!(
            "invariants: {} sequences, {} steps, {ok} messages succeeded, {err} failed, {secs:.1} s\n",
            self.sequences, self.steps
        );
        s.push_str(&format!("{:<22} {:>9} {:>9}\n", "kind", "ok", "failed"));
        for (k, (o, e)) in &self.by_kind {
            s.push_str(&format!("{k:<22} {o:>9} {e:>9}\n"));
        }
        s
    }
}

/// Runs one sequence; on any failure, the seed, the step and the moves so far.
pub fn run_sequence(seed: u64, steps: usize, stats: &mut Stats) -> Result<(), String> {
    let log = RefCell::new(Vec::<String>::new());
    let at = RefCell::new(0usize);
    let mut local = Stats::default();
    let verbose = std::env::var("ATTRIB_INVARIANTS_VERBOSE").is_ok();
    let outcome = catch_unwind(AssertUnwindSafe(|| -> Result<(), String> {
        let mut w = World::build();
        let mut rng = Rng::new(seed);
        let mut memory = checks::Memory::default();
        let mut state = ops::check_all(&w, &mut memory, 0)?;
        for i in 0..steps {
            *at.borrow_mut() = i + 1;
            let step: Step = ops::step(&mut w, &mut rng, &state, &mut memory)?;
            if verbose {
                eprintln!("step {}: {}", i + 1, step.what);
            }
            log.borrow_mut().push(step.what.clone());
            for (kind, ok) in &step.msgs {
                let e = local.by_kind.entry(kind).or_default();
                if *ok {
                    e.0 += 1;
                } else {
                    e.1 += 1;
                }
            }
            local.steps += 1;
            state = ops::check_all(&w, &mut memory, i as u64 + 1)?;
        }
        Ok(())
    }));
    let err = match outcome {
        Ok(Ok(())) => None,
        Ok(Err(e)) => Some(e),
        Err(panic) => Some(
            panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "panic".into()),
        ),
    };
    local.sequences = 1;
    stats.merge(local);
    match err {
        None => Ok(()),
        Some(e) => Err(format!(
            "seed {seed} failed at step {}: {e}\nmoves:\n  {}",
            at.borrow(),
            log.borrow().join("\n  ")
        )),
    }
}

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().map(|v| {
        let v = v.trim();
        match v.strip_prefix("0x") {
            Some(hex) => u64::from_str_radix(hex, 16),
            None => v.parse(),
        }
        .unwrap_or_else(|_| panic!("{name}={v} is not a u64"))
    })
}

/// Runs `count` sequences seeded `first, first + 1, …`; panics listing every failure.
fn run_many(first: u64, count: u64, steps: usize) -> Stats {
    let mut stats = Stats::default();
    let mut failures = vec![];
    for i in 0..count {
        if let Err(e) = run_sequence(first.wrapping_add(i), steps, &mut stats) {
            eprintln!("{e}\n");
            failures.push(first.wrapping_add(i));
        }
    }
    assert!(failures.is_empty(), "failing seeds: {failures:?}");
    stats
}

fn ci_shard(shard: u64) {
    let per = CI_SEQUENCES / CI_SHARDS;
    let started = Instant::now();
    let stats = run_many(CI_SEED + shard * per, per, STEPS);
    println!("{}", stats.report(started.elapsed().as_secs_f64()));
}

#[test]
fn random_operation_keeps_every_invariant_shard_0() {
    ci_shard(0);
}

#[test]
fn random_operation_keeps_every_invariant_shard_1() {
    ci_shard(1);
}

#[test]
fn random_operation_keeps_every_invariant_shard_2() {
    ci_shard(2);
}

#[test]
fn random_operation_keeps_every_invariant_shard_3() {
    ci_shard(3);
}

/// `ATTRIB_INVARIANTS_SEED=<seed>`: replays that one sequence (`ATTRIB_INVARIANTS_VERBOSE`
/// prints every move).
#[test]
fn replay() {
    let Some(seed) = env_u64("ATTRIB_INVARIANTS_SEED") else {
        return;
    };
    let steps = env_u64("ATTRIB_SOAK_STEPS").map_or(STEPS, |s| s as usize);
    let mut stats = Stats::default();
    if let Err(e) = run_sequence(seed, steps, &mut stats) {
        panic!("{e}");
    }
    println!("seed {seed}: {steps} steps, every invariant held");
}

/// The soak run of `make soak` (release mode): `ATTRIB_SOAK_CASES` sequences (default
/// 10 000) from `ATTRIB_SOAK_SEED` (default: the clock), `ATTRIB_SOAK_STEPS` steps each,
/// over every core.
#[test]
#[ignore = "long: run by `make soak`"]
fn soak() {
    let cases = env_u64("ATTRIB_SOAK_CASES").unwrap_or(10_000);
    let seed = env_u64("ATTRIB_SOAK_SEED").unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs()
    });
    let steps = env_u64("ATTRIB_SOAK_STEPS").map_or(SOAK_STEPS, |s| s as usize);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()) as u64;
    println!("soak: {cases} sequences of {steps} steps from seed {seed} on {threads} threads");
    let started = Instant::now();
    let results: Vec<(Stats, Vec<String>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let started = &started;
                scope.spawn(move || {
                    let mut stats = Stats::default();
                    let mut failures = vec![];
                    let mut i = t;
                    let mut since_report = 0;
                    while i < cases {
                        if let Err(e) = run_sequence(seed.wrapping_add(i), steps, &mut stats) {
                            eprintln!("{e}\n");
                            failures.push(format!("{}", seed.wrapping_add(i)));
                        }
                        i += threads;
                        since_report += 1;
                        if t == 0 && since_report == 500 {
                            since_report = 0;
                            eprintln!(
                                "soak: ~{} sequences done, {:.0} s",
                                i,
                                started.elapsed().as_secs_f64()
                            );
                        }
                    }
                    (stats, failures)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut stats = Stats::default();
    let mut failures = vec![];
    for (s, f) in results {
        stats.merge(s);
        failures.extend(f);
    }
    println!("{}", stats.report(started.elapsed().as_secs_f64()));
    println!("first seed {seed}; failing seeds: {failures:?}");
    assert!(failures.is_empty(), "failing seeds: {failures:?}");
}
