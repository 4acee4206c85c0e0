//! Committee draws (SPEC §4, issue 14 item 8): whoever triggers a review cannot predict
//! or choose its committee.

use attrib_std::curation::{self, Vote};
use cosmwasm_std::{Addr, HexBinary};

use super::suite::*;
use attrib_curator_staking::contract::sv::mt::CuratorStakingContractProxy;
use attrib_registry::contract::sv::mt::RegistryContractProxy;
use attrib_curator_staking::state::Role;

/// What a submitter can read before it submits: every curator's stake and the
/// contract's running entropy (raw storage is public).
fn predict(s: &Suite, contributor: &Addr, tranche_id: u64, height: u64, time_nanos: u64) -> ([u8; 32], Vec<Addr>) {
    let st = s.staking();
    let params = st.config().unwrap().config.params;
    let candidates: Vec<(Addr, u128)> = st
        .stakers(None, Some(100))
        .unwrap()
        .stakers
        .into_iter()
        .filter_map(|r| r.staker.map(|k| (Addr::unchecked(r.address), k)))
        .filter(|(a, k)| k.role == Role::Curator && k.bonded >= params.min_stake && a != contributor)
        .map(|(a, k)| (a, k.bonded.u128()))
        .collect();
    let stakes: Vec<u128> = candidates.iter().map(|c| c.1).collect();
    let weights = curation::capped_weights(&stakes, params.max_weight_bps);
    let raw = s
        .app
        .app()
        .wrap()
        .query_wasm_raw(s.staking.clone(), b"entropy".to_vec())
        .unwrap()
        .unwrap();
    let entropy: HexBinary = cosmwasm_std::from_json(raw).unwrap();
    let chain_id = s.app.block_info().chain_id;
    let seed = curation::draw_seed(
        &entropy.to_array().unwrap(),
        tranche_id,
        1,
        height,
        time_nanos,
        &chain_id,
    );
    let members = curation::draw(&seed, &weights, params.committee_size as usize)
        .into_iter()
        .map(|seat| candidates[seat.candidate as usize].0.clone())
        .collect();
    (seed, members)
}

#[test]
fn a_submitter_cannot_predict_or_choose_its_committee() {
    let s = SuiteBuilder::default().build();
    // Some votes have been revealed: the running entropy is not the initial one.
    let (_, first) = s.register_strict_tranche(1);
    s.unanimous(first, Vote::Accept);
    s.finalize(first).unwrap();

    // The contributor wants its two friends (the two smallest curators) on the
    // committee: it tries block times off-chain until the draw it computes has both.
    let friends = [s.curators[6].clone(), s.curators[7].clone()];
    let tranche_id = s.registry().tranches(None, None, Some(100)).unwrap().tranches.len() as u64 + 1;
    let block = s.app.block_info();
    let (height, base) = (block.height + 1, block.time.plus_seconds(5));
    let (wait, (seed, chosen)) = (0..10_000u64)
        .map(|dt| (dt, predict(&s, &s.contributor, tranche_id, height, base.plus_nanos(dt).nanos())))
        .find(|(_, (_, m))| friends.iter().all(|f| m.contains(f)))
        .expect("some block time gives the committee it wants");
    // It submits in the block it chose.
    s.app.update_block(|b| {
        b.height = height;
        b.time = base.plus_nanos(wait);
    });
    let (tranche, review) = s.register_strict_tranche(2);
    assert_eq!(tranche, tranche_id);

    let drawn = s.review(review);
    assert_ne!(drawn.seed.to_vec(), seed.to_vec(), "the submitter computed the seed in advance");
    assert_ne!(s.committee(review), chosen, "the submitter chose its committee");
}
