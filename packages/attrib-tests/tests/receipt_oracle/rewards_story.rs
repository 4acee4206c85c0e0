//! SPEC §10 from the licenses to the claims with every contract real: licenses paid for
//! three versions, escrow funded, two metered batches of which one under-reports, the
//! omission proven and the operator slashed (its pool share in the same epoch), the
//! honest batch settled by lineage weight, the epoch closed and settled, contributors and
//! the treasury paid. After every step every uatr is accounted for: what users hold, what
//! the registry, curator staking and the oracle hold (escrow, bonds, stake, payouts) and
//! what the reward pool owes or paid out.

use attrib_reward_distributor::contract::sv::mt::RewardDistributorContractProxy;
use attrib_reward_distributor::RewardDistributorContract;
use attrib_std::receipts::Receipt;
use attrib_std::rewards::PositionRef;
use cosmwasm_std::{Addr, Uint128};
use sylvia::multitest::Proxy;

use super::suite::*;
use attrib_curator_staking::contract::sv::mt::CuratorStakingContractProxy;
use attrib_receipt_oracle::contract::sv::mt::ReceiptOracleContractProxy;

fn pool(s: &Suite) -> Proxy<'_, MtApp, RewardDistributorContract> {
    Proxy::new(s.pool.clone(), &s.app)
}

/// Every uatr: the supply is unchanged; the oracle holds escrow + bonds; curator staking
/// holds what its totals owe; the pool holds what its ledger owes, and the ledger adds
/// up (received = unsettled + owed to treasury, curators, versions + paid out).
#[track_caller]
fn assert_accounted(s: &Suite, holders: &[Addr]) {
    let supply: u128 = holders.iter().map(|h| s.balance(h)).sum();
    assert_eq!(supply, START * 7, "uatr supply changed");
    s.assert_escrow_backed();
    let totals = s.staking().totals().unwrap();
    assert_eq!(
        s.balance(&s.staking),
        totals.expected_balance.u128(),
        "curator staking"
    );
    for a in pool(s).accounts().unwrap().accounts {
        let l = &a.ledger;
        assert_eq!(l.received, l.liabilities() + l.paid_out, "{l:?}");
        assert_eq!(
            s.balance(&s.pool),
            a.expected_balance.u128(),
            "the pool's balance"
        );
    }
}

#[test]
fn metered_usage_reaches_contributors_and_every_coin_is_accounted_for() {
    let s = Suite::new();
    let holders: Vec<Addr> = [
        &s.admin,
        &s.maintainer,
        &s.owner,
        &s.operator,
        &s.auditor,
        &s.stranger,
        &s.curator,
        &s.pool,
        &s.oracle,
        &s.staking,
        &s.registry,
    ]
    .into_iter()
    .cloned()
    .collect();
    // The setup licensed three versions (500 each, earmarked to each version).
    assert_eq!(s.balance(&s.pool), 1_500);
    assert_accounted(&s, &holders);

    s.fund(10_000);
    assert_accounted(&s, &holders);

    // Two batches: the second leaves receipt 15 out.
    let signed: Vec<Receipt> = (1..=20).map(|i| s.receipt(i, 4)).collect();
    s.post(1, &signed[..10], None).unwrap();
    let second: Vec<Receipt> = signed[10..]
        .iter()
        .filter(|r| r.receipt_id != 15)
        .cloned()
        .collect();
    let (_, tree) = s.post(2, &second, None).unwrap();
    assert_accounted(&s, &holders);

    // The auditor proves the omission; 20% of the operator's stake is slashed, half of it
    // to the auditor, half to the reward pool (unearmarked).
    let pool0 = s.balance(&s.pool);
    s.oracle()
        .challenge_omitted_receipt(s.batch_ref(2), s.omission_proof(&signed[14], &second, &tree, 3))
        .call(&s.auditor)
        .unwrap();
    // The voided batch's declared 36 units and the proven 4 are charged at once.
    let slashed = OPERATOR_STAKE / 5;
    assert_eq!(s.balance(&s.pool), pool0 + slashed / 2 + 40 * ROYALTY);
    assert_accounted(&s, &holders);

    // The honest batch replaces it (nothing more to charge); both settle: 80 units ×
    // 2 uatr in all, 70/30 by lineage.
    s.post(3, &signed[10..], Some(2)).unwrap();
    s.advance(WINDOW);
    for seq in [1, 3] {
        s.oracle()
            .finalize_batch(s.model, s.operator.to_string(), seq)
            .call(&s.stranger)
            .unwrap();
        assert_accounted(&s, &holders);
    }
    let e = pool(&s).config().unwrap().current_epoch;
    let rows = pool(&s).epoch(e).unwrap();
    let uatr = rows.denoms.iter().find(|d| d.denom == DENOM).unwrap().row.clone();
    assert_eq!(uatr.fee_earmarked, Uint128::new(1_500 + 160), "licenses + usage");
    assert_eq!(uatr.fee_pool, Uint128::new(slashed / 2), "the slash");
    let v0 = pool(&s).version_account(s.datasets[0], 1).unwrap();
    assert!(v0.account.is_some());

    // The epoch ends; anyone closes and settles it.
    let c = pool(&s).config().unwrap();
    s.advance(c.config.clock.end_of(c.current_epoch) - s.app.block_info().time.seconds());
    pool(&s).close_epoch().call(&s.stranger).unwrap();
    while pool(&s).config().unwrap().settling.is_some() {
        pool(&s).settle_epoch(1).call(&s.stranger).unwrap();
        assert_accounted(&s, &holders);
    }

    // Fees 1 500 + 160 + 10 000: 10% (rounded up) treasury; nobody earned review points,
    // so the curators' 15% goes to the treasury too; the rest to the three versions in
    // proportion to their earmarks (612 : 548 : 500). The maintainer contributed every
    // tranche and claims all three positions.
    let total = 1_500 + 160 + slashed / 2;
    let datasets = total - total.div_ceil(10) - (total * 15).div_ceil(100);
    let positions: Vec<PositionRef> = s
        .datasets
        .iter()
        .map(|d| {
            let tranche = s.registry_version_tranche(*d);
            PositionRef {
                dataset_id: *d,
                version: 1,
                tranche_id: tranche,
            }
        })
        .collect();
    let m0 = s.balance(&s.maintainer);
    pool(&s)
        .claim_rewards(positions.clone(), None)
        .call(&s.maintainer)
        .unwrap();
    let claimed = s.balance(&s.maintainer) - m0;
    assert!(
        claimed <= datasets && datasets - claimed <= 3,
        "{claimed} of {datasets}"
    );
    assert_accounted(&s, &holders);
    assert!(
        pool(&s)
            .claim_rewards(positions, None)
            .call(&s.maintainer)
            .is_err(),
        "nothing twice"
    );

    // The treasury (the suite's admin) takes the protocol fee and the curator part.
    // (It also takes what settlement could not apply to a version: rounding of the split.)
    let t0 = s.balance(&s.admin);
    pool(&s).claim_treasury(None).call(&s.admin).unwrap();
    assert_accounted(&s, &holders);
    let ledger = pool(&s).accounts().unwrap().accounts[0].ledger.clone();
    assert_eq!(ledger.received.u128(), total);
    assert!(ledger.versions_owed.u128() <= 3, "rounding dust only");
    assert_eq!(
        s.balance(&s.admin) - t0 + claimed + ledger.versions_owed.u128(),
        total,
        "every fee paid out but the dust"
    );
}
