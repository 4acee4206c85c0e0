//! Issue 14 item 6: the admin's powers are bounded. The staking admin cannot make itself a
//! slasher, raise the challenger share to 100 % and seize all stake.

use attrib_curator_staking::contract::sv::mt::CuratorStakingContractProxy as _;
use attrib_std::interfaces::slashing_service::sv::mt::SlashingServiceProxy as _;

use super::suite::*;

#[test]
fn admin_cannot_make_itself_a_slasher_and_seize_all_stake() {
    let s = SuiteBuilder::default().build();
    let victim = s.curators[0].clone();
    let (bonded, admin_balance) = (s.bonded(&victim), s.balance(&s.admin));

    let mut p = params();
    p.challenger_share_bps = 10_000;
    let raise = s.staking().update_params(p).call(&s.admin);
    let name = s.staking().set_slasher(s.admin.to_string(), true).call(&s.admin);
    let seize = s
        .staking()
        .slash(
            victim.to_string(),
            None,
            Some(10_000),
            "seize".into(),
            Some(s.admin.to_string()),
        )
        .call(&s.admin);
    assert!(raise.is_err(), "a 100 % challenger share was accepted");
    assert!(name.is_err(), "the admin made itself a slasher");
    assert!(seize.is_err(), "the admin slashed a curator");
    assert_eq!(s.bonded(&victim), bonded);
    assert_eq!(s.payout(&s.admin), 0);
    assert_eq!(s.balance(&s.admin), admin_balance);
    s.assert_conserved();
}
