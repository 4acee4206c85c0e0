//! What must hold after every step, read only through the contracts' queries and the
//! bank/cw20 balances: no coin created or lost, every contract's holdings explained by
//! what it owes, slashes bounded by stake, claims bounded by accruals, every query
//! answering.

use std::collections::BTreeMap;

use attrib_curator_staking::contract::sv::mt::CuratorStakingContractProxy;
use attrib_receipt_oracle::contract::sv::mt::ReceiptOracleContractProxy;
use attrib_registry::contract::sv::mt::RegistryContractProxy;
use attrib_reward_distributor::contract::sv::mt::RewardDistributorContractProxy;
use attrib_reward_distributor::state::EpochStatus;
use attrib_std::interfaces::governance::sv::mt::GovernanceProxy;
use attrib_std::interfaces::license_registry::sv::mt::LicenseRegistryProxy;
use attrib_std::interfaces::points_source::sv::mt::PointsSourceProxy;
use attrib_std::interfaces::review_target::sv::mt::ReviewTargetProxy;
use attrib_std::interfaces::reward_pool::sv::mt::RewardPoolProxy;
use attrib_std::interfaces::reward_source::sv::mt::RewardSourceProxy;
use attrib_std::interfaces::slashing_service::sv::mt::SlashingServiceProxy;
use attrib_std::interfaces::wiring::sv::mt::WiringProxy;
use attrib_tests::books::check;
use attrib_tests::{addr, DENOM};
use cosmwasm_std::{Addr, HexBinary};

use super::world::*;

/// What the previous step left, for the checks that compare steps.
#[derive(Clone, Debug, Default)]
pub struct Memory {
    /// Staker → (bonded + unbonding, slashed so far).
    pub stakes: BTreeMap<String, (u128, u128)>,
}

/// Turns a failed query into the invariant failure that names it.
macro_rules! q {
    ($what:expr, $e:expr) => {
        $e.map_err(|err| format!("query {} failed: {err:?}", $what))?
    };
}

/// Total supply of each denom: what the bank/cw20 saw at the start, never changed (no
/// contract of the protocol mints: emissions come out of a funded reserve).
pub fn check_supply(w: &World, balances: &BTreeMap<(Addr, String), u128>) -> Result<(), String> {
    for denom in w.denoms() {
        let total: u128 = balances
            .iter()
            .filter(|((_, d), _)| *d == denom)
            .map(|(_, a)| a)
            .sum();
        let expected = if denom == w.token_denom {
            TOKEN_SUPPLY
        } else {
            START * ACTORS.len() as u128
        };
        check(total == expected, || {
            format!("{denom}: the actors and contracts hold {total}, the supply is {expected}")
        })?;
    }
    let info: cw20::TokenInfoResponse = q!(
        "token_info",
        w.p.app
            .querier()
            .query_wasm_smart(&w.token, &cw20::Cw20QueryMsg::TokenInfo {})
    );
    check(info.total_supply.u128() == TOKEN_SUPPLY, || {
        format!("the token's supply became {}", info.total_supply)
    })
}

/// Each contract holds exactly what its own books say it owes
/// ([`attrib_tests::books::check_backing`]).
pub fn check_backing(w: &World) -> Result<(), String> {
    let versions = w.versions();
    attrib_tests::books::check_backing(
        &w.p,
        &attrib_tests::books::Known {
            models: &w.models,
            versions: &versions,
            denoms: &w.denoms(),
        },
    )
}

/// A slash takes at most what the staker had at stake (bonded + unbonding) before.
pub fn check_slashes(w: &World, before: &Memory) -> Result<Memory, String> {
    let staking = w.p.curator_staking();
    let mut now = Memory::default();
    for s in q!("stakers", staking.stakers(None, Some(100))).stakers {
        let Some(st) = s.staker else { continue };
        let at_stake = (st.bonded + st.unbonding_total()).u128();
        let slashed = st.slashed.u128();
        if let Some((was_at_stake, was_slashed)) = before.stakes.get(&s.address) {
            check(slashed >= *was_slashed, || {
                format!("{}: slashed went down", s.address)
            })?;
            check(slashed - was_slashed <= *was_at_stake, || {
                format!(
                    "{}: slashed {} in one step with only {was_at_stake} at stake",
                    s.address,
                    slashed - was_slashed
                )
            })?;
        } else {
            check(slashed == 0, || {
                format!("{}: slashed {slashed} before it was seen", s.address)
            })?;
        }
        now.stakes.insert(s.address, (at_stake, slashed));
    }
    Ok(now)
}

/// The state a refused message must leave untouched (and a repeated settlement too):
/// every balance, and each contract's books.
#[derive(Clone, Debug, PartialEq)]
pub struct Snapshot {
    pub balances: BTreeMap<(Addr, String), u128>,
    books: String,
}

pub fn snapshot(w: &World) -> Snapshot {
    let oracle = w.p.receipt_oracle();
    let models: Vec<_> = w.models.iter().map(|m| oracle.model(*m).ok()).collect();
    Snapshot {
        balances: w.all_balances(),
        books: format!(
            "{:?}|{:?}|{:?}|{:?}",
            w.p.reward_distributor().accounts().ok(),
            w.p.curator_staking().totals().ok(),
            models,
            w.p.registry().stats().ok(),
        ),
    }
}

/// Up to `k` of `items`, a different window each step (every object is visited over a
/// run; every query kind is asked every step).
fn sample<T: Clone>(items: &[T], salt: u64, k: usize) -> Vec<T> {
    if items.is_empty() {
        return vec![];
    }
    let start = (salt as usize).wrapping_mul(k) % items.len();
    items
        .iter()
        .cycle()
        .skip(start)
        .take(k.min(items.len()))
        .cloned()
        .collect()
}

/// Every query of every contract answers on the current state: each kind every step,
/// over the objects the actors know of (a rotating sample of them, to keep a step cheap).
pub fn check_queries(w: &World, salt: u64) -> Result<(), String> {
    let actors: Vec<Addr> = sample(&ACTORS.iter().map(|a| addr(a)).collect::<Vec<_>>(), salt, 2);
    let any = HexBinary::from([0xabu8; 32]);
    let versions = w.versions();
    let versions = sample(&versions, salt, 2);

    let r = w.p.registry();
    q!("registry config", r.config());
    q!("registry stats", r.stats());
    q!("registry governance", r.governance());
    q!("registry peers", r.peers());
    q!("registry quality_stats", r.quality_stats());
    q!("registry schemas", r.schemas(None, None));
    q!("registry schema", r.schema(w.schema));
    q!("registry datasets", r.datasets(None, None, None));
    q!("registry content_root", r.content_root(any));
    for d in sample(&w.datasets, salt, 2) {
        q!("registry dataset", r.dataset(d));
        q!("registry versions", r.versions(d, None, None));
    }
    for t in sample(&w.tranches, salt, 2) {
        q!("registry tranche", r.tranche(t));
        q!("registry review_subject", r.review_subject(t));
    }
    q!("registry tranches", r.tranches(None, None, None));
    for (d, v, tranches) in &versions {
        q!("registry version", r.version(*d, *v));
        q!("registry version_weights", r.version_weights(*d, *v, None, None));
        q!("registry version_shares", r.version_shares(*d, *v));
        for t in sample(tranches, salt, 1) {
            q!("registry tranche_position", r.tranche_position(*d, *v, t));
        }
        q!(
            "registry license_grant",
            r.license_grant(addr("owner").to_string(), *d, *v)
        );
        q!(
            "registry has_valid_license",
            r.has_valid_license(addr("buyer").to_string(), *d, *v)
        );
    }
    q!(
        "registry license_grants",
        r.license_grants(addr("owner").to_string(), None, None)
    );

    let s = w.p.curator_staking();
    q!("staking config", s.config());
    q!("staking governance", s.governance());
    q!("staking peers", s.peers());
    q!("staking totals", s.totals());
    q!("staking stakers", s.stakers(None, None));
    q!("staking concentration", s.concentration(3));
    let clock = q!("staking epoch_clock", s.epoch_clock());
    let epoch = clock.epoch_at(w.now());
    q!("staking epoch_points", s.epoch_points(epoch, None, None));
    q!("staking points", s.points(epoch, None));
    for a in &actors {
        q!("staking staker", s.staker(a.to_string()));
        q!("staking payout", s.payout(a.to_string()));
        q!("staking stake_of", s.stake_of(a.to_string()));
    }
    for rv in sample(&w.reviews.iter().copied().collect::<Vec<_>>(), salt, 2) {
        q!("staking review", s.review(rv));
    }
    for t in sample(&w.tranches, salt, 1) {
        q!("staking open_review_of", s.open_review_of(t));
    }
    for m in sample(&w.models, salt, 1) {
        q!("staking open_omission_claims", s.open_omission_claims(m));
    }

    let o = w.p.receipt_oracle();
    let operator = addr("operator").to_string();
    q!("oracle config", o.config());
    q!("oracle governance", o.governance());
    q!("oracle peers", o.peers());
    q!("oracle epoch", o.epoch());
    q!("oracle operator", o.operator(operator.clone()));
    for m in sample(&w.models, salt, 1) {
        q!("oracle model", o.model(m));
        q!("oracle cursor", o.cursor(m, operator.clone()));
        q!("oracle batches", o.batches(m, operator.clone(), None, None));
    }
    for b in sample(&w.batches, salt, 2) {
        q!("oracle batch", o.batch(b.model, operator.clone(), b.seq));
    }

    let d = w.p.reward_distributor();
    let config = q!("pool config", d.config());
    q!("pool governance", d.governance());
    q!("pool peers", d.peers());
    q!("pool accepted_denoms", d.accepted_denoms());
    q!("pool treasury", d.treasury(None));
    q!("pool claim_transfers", d.claim_transfers(None, None));
    q!("pool denom_accepted", d.denom_accepted(DENOM.to_string()));
    let last = config.current_epoch;
    q!("pool metrics", d.metrics(last.saturating_sub(99), last));
    let epochs: Vec<u64> = (0..=last).collect();
    for e in sample(&epochs, salt, 2) {
        // An epoch that saw no inflow has no record (closing skips it): the one refusal
        // allowed.
        let ep = match d.epoch(e) {
            Err(err) if format!("{err:?}").contains(&format!("epoch {e} not found")) => continue,
            other => q!("pool epoch", other),
        };
        if ep.epoch.status == EpochStatus::Settled {
            for c in sample(&CURATORS, salt, 1) {
                q!("pool curator_rewards", d.curator_rewards(e, addr(c).to_string()));
            }
        }
    }
    for a in &actors {
        q!("pool credits", d.credits(a.to_string()));
    }
    for (ds, v, tranches) in &versions {
        q!("pool version_account", d.version_account(*ds, *v));
        for t in sample(tranches, salt, 1) {
            q!("pool position", d.position(*ds, *v, t));
        }
    }
    Ok(())
}
