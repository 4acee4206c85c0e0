//! Every contract holds exactly what its own books say it owes (SPEC §1.5, "no funds lost,
//! no funds stuck"), read only through the contracts' queries and the bank/cw20 balances.
//! The invariants suite checks it after every step; the mechanism simulation
//! (`attrib-sim`) after every epoch.

use std::collections::BTreeMap;

use attrib_curator_staking::contract::sv::mt::CuratorStakingContractProxy;
use attrib_receipt_oracle::contract::sv::mt::ReceiptOracleContractProxy;
use attrib_registry::contract::sv::mt::RegistryContractProxy;
use attrib_reward_distributor::contract::sv::mt::RewardDistributorContractProxy;
use cosmwasm_std::Addr;

use crate::{MtApp, Protocol, DENOM};

/// Turns a failed query into the failure that names it.
macro_rules! q {
    ($what:expr, $e:expr) => {
        $e.map_err(|err| format!("query {} failed: {err:?}", $what))?
    };
}

/// `Ok` when `cond` holds, else the failure `msg` describes.
pub fn check(cond: bool, msg: impl FnOnce() -> String) -> Result<(), String> {
    if cond {
        Ok(())
    } else {
        Err(msg())
    }
}

/// A balance in a native or `cw20:<token>` denom.
pub fn balance_of(app: &sylvia::multitest::App<MtApp>, who: &Addr, denom: &str) -> u128 {
    match denom.strip_prefix(attrib_std::funds::CW20_PREFIX) {
        Some(token) => {
            let r: cw20::BalanceResponse = app
                .querier()
                .query_wasm_smart(
                    token,
                    &cw20::Cw20QueryMsg::Balance {
                        address: who.to_string(),
                    },
                )
                .unwrap();
            r.balance.u128()
        }
        None => crate::balance(app, who, denom),
    }
}

/// What the protocol's objects are, as the caller knows them: the books are read for
/// these (queries page over the rest).
pub struct Known<'a> {
    pub models: &'a [u64],
    /// Every sealed (dataset, version) and its tranches.
    pub versions: &'a [(u64, u32, Vec<u64>)],
    /// Every denom that may reach a contract.
    pub denoms: &'a [String],
}

/// Each contract holds exactly what its own books say it owes: the reward pool per
/// denom (received = owed + paid out), curator staking (bonds, stakes, payouts), the
/// receipt oracle (escrow and bonds) and the registry (listing bonds). Positions never
/// claim more than the versions are owed. A violation names the contract and the figures.
pub fn check_backing(p: &Protocol, known: &Known<'_>) -> Result<(), String> {
    let app = &p.app;
    // Reward pool: per denom, balance = received - paid out, and received = what it
    // owes (unsettled, treasury, curators, versions, reserve, credits) + paid out.
    let pool = p.reward_distributor();
    let accounts = q!("pool accounts", pool.accounts());
    let mut seen = vec![];
    for a in &accounts.accounts {
        let l = &a.ledger;
        let held = balance_of(app, &p.reward_distributor, &a.denom);
        check(held == a.expected_balance.u128(), || {
            format!(
                "pool holds {held} {} but its ledger says {}",
                a.denom, a.expected_balance
            )
        })?;
        check(l.received == l.liabilities() + l.paid_out, || {
            format!("pool ledger of {} does not add up: {l:?}", a.denom)
        })?;
        check(l.in_transit.is_zero(), || {
            format!("{}: in transit without IBC: {l:?}", a.denom)
        })?;
        seen.push(a.denom.clone());
    }
    for d in known.denoms {
        if !seen.contains(d) {
            let held = balance_of(app, &p.reward_distributor, d);
            check(held == 0, || {
                format!("pool holds {held} {d} that no ledger records")
            })?;
        }
    }
    // Positions never claim more than the versions are owed.
    let mut owed: BTreeMap<String, u128> = BTreeMap::new();
    for (d, v, tranches) in known.versions {
        for t in tranches {
            let pos = q!("position", pool.position(*d, *v, *t));
            for a in pos.claimable.iter().chain(&pos.unvested) {
                *owed.entry(a.denom.clone()).or_default() += a.amount.u128();
            }
        }
    }
    for (denom, positions) in owed {
        let versions_owed = accounts
            .accounts
            .iter()
            .find(|a| a.denom == denom)
            .map_or(0, |a| a.ledger.versions_owed.u128());
        check(positions <= versions_owed, || {
            format!("{denom}: positions claim {positions} but versions are owed {versions_owed}")
        })?;
    }

    // Curator staking: balance = bonded + unbonding + challenge bonds + payouts owed.
    let staking = p.curator_staking();
    let totals = q!("staking totals", staking.totals());
    let t = &totals.totals;
    let held = crate::balance(app, &p.curator_staking, DENOM);
    check(held == totals.expected_balance.u128(), || {
        format!("staking holds {held} but owes {}: {t:?}", totals.expected_balance)
    })?;
    check(
        t.received
            == t.bonded + t.unbonding + t.challenge_bonds + t.payouts_owed + t.paid_out + t.sent_to_pool,
        || format!("staking totals do not add up: {t:?}"),
    )?;
    let (mut bonded, mut unbonding) = (0u128, 0u128);
    let mut after = None;
    loop {
        let page = q!("stakers", staking.stakers(after.clone(), Some(100))).stakers;
        let Some(last) = page.last() else { break };
        after = Some(last.address.clone());
        for s in page.iter().filter_map(|s| s.staker.as_ref()) {
            bonded += s.bonded.u128();
            unbonding += s.unbonding_total().u128();
        }
    }
    check(
        bonded == t.bonded.u128() && unbonding == t.unbonding.u128(),
        || format!("stakers hold {bonded} bonded + {unbonding} unbonding, totals say {t:?}"),
    )?;

    // Receipt oracle: its balance is the models' escrow and bonds.
    if let Some(oracle_addr) = &p.receipt_oracle {
        let oracle = p.receipt_oracle();
        let mut escrow = 0u128;
        for m in known.models {
            let model = q!("model", oracle.model(*m));
            escrow += (model.escrow + model.bond).u128();
        }
        let held = crate::balance(app, oracle_addr, DENOM);
        check(held == escrow, || {
            format!("oracle holds {held} but models hold {escrow} in escrow and bonds")
        })?;
    }

    // Registry: its balance is the listing bonds it still holds.
    let registry = p.registry();
    let mut bonds = 0u128;
    let mut after = None;
    loop {
        let page = q!("datasets", registry.datasets(None, after, Some(100))).datasets;
        let Some(last) = page.last() else { break };
        after = Some(last.id);
        bonds += page
            .iter()
            .map(|d| d.bond_held.as_ref().map_or(0, |c| c.amount.u128()))
            .sum::<u128>();
    }
    let mut after = None;
    loop {
        let page = q!("tranches", registry.tranches(None, after, Some(100))).tranches;
        let Some(last) = page.last() else { break };
        after = Some(last.id);
        bonds += page
            .iter()
            .map(|t| t.bond_held.as_ref().map_or(0, |c| c.amount.u128()))
            .sum::<u128>();
    }
    let held = crate::balance(app, &p.registry, DENOM);
    check(held == bonds, || {
        format!("registry holds {held} but listing bonds held are {bonds}")
    })?;
    let mut others = vec![&p.registry, &p.curator_staking];
    others.extend(p.receipt_oracle.as_ref());
    for denom in known.denoms.iter().filter(|d| *d != DENOM) {
        for c in &others {
            let held = balance_of(app, c, denom);
            check(held == 0, || {
                format!("{c} holds {held} {denom} it has no use for")
            })?;
        }
    }
    Ok(())
}
