//! For other contracts' multi-test suites (feature `mt`, never in the wasm): a real
//! reward distributor to pay into, with the defaults their stories assume.

use attrib_std::rewards::{EpochClock, TakeRates};
use cosmwasm_std::{Addr, Decimal, Uint128};
use sylvia::multitest::App;

use crate::contract::sv::mt::{CodeId, RewardDistributorContractProxy};
use crate::state::AcceptedDenom;
use attrib_std::wiring::Peers;
use cw_multi_test::Executor;

type MtApp = cw_multi_test::BasicApp;

/// A distributor with epochs of `epoch_secs` from the current block (as curator staking's), 10% protocol and 15% curator take, no
/// vesting and no emissions; `treasury` also administers it. Wire the registry (and the
/// others) with [`wire`] once they exist.
pub fn instantiate_pool(app: &App<MtApp>, treasury: &Addr, epoch_secs: u64) -> Addr {
    CodeId::store_code(app)
        .instantiate(
            Some(treasury.to_string()),
            treasury.to_string(),
            None,
            None,
            None,
            Some(EpochClock {
                epoch_start: app.block_info().time.seconds(),
                epoch_secs,
            }),
            TakeRates {
                protocol_bps: 1_000,
                curator_bps: 1_500,
            },
            0,
            None,
            vec![],
            3,
        )
        .with_label("attrib-reward-distributor")
        .call(treasury)
        .unwrap()
        .contract_addr
}

/// Points any protocol contract at its peers (`set_peers` of attrib-std's `Wiring`).
pub fn wire(app: &App<MtApp>, contract: &Addr, admin: &Addr, peers: Peers) {
    app.app_mut()
        .execute_contract(
            admin.clone(),
            contract.clone(),
            &attrib_std::wiring::sv::ExecMsg::SetPeers { peers },
            &[],
        )
        .unwrap();
}

/// Allowlists a denom (a cw20 token's hook is only taken from an accepted token).
pub fn accept(app: &App<MtApp>, pool: &Addr, admin: &Addr, denom: &str) {
    let proxy = sylvia::multitest::Proxy::<MtApp, crate::RewardDistributorContract>::new(pool.clone(), app);
    proxy
        .set_accepted_denom(
            denom.to_string(),
            Some(AcceptedDenom {
                min_amount: Uint128::one(),
                value_weight: Decimal::one(),
            }),
        )
        .call(admin)
        .unwrap();
}
