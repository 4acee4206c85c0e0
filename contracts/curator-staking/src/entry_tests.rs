//! The entry points read every message as sylvia's own glue deserializer does (the
//! multi-tests call sylvia's dispatch directly; the wasm goes through `attrib_std::entry`).

use attrib_std::entry::assert_entry_parity;

use crate::contract::sv::{ContractExecMsg, ContractQueryMsg};

/// This contract's own messages and its interfaces', beside the common samples.
const EXEC: &[&str] = &[
    r#"{"open_review":{"tranche_id":1}}"#,
    r#"{"slash":{"staker":"a","reason":"r","amount":"5"}}"#,
    r#"{"stake":{"role":"curator"}}"#,
    r#"{"stake":{"role":"emperor"}}"#,
    r#"{"unstake":{"amount":"10"}}"#,
    r#"{"claim_unbonded":{}}"#,
    r#"{"commit_vote":{"review_id":1,"commitment":"00"}}"#,
];

const QUERY: &[&str] = &[
    r#"{"stake_of":{"address":"a"}}"#,
    r#"{"epoch_clock":{}}"#,
    r#"{"points":{"epoch":1}}"#,
    r#"{"concentration":{"top_k":3}}"#,
    r#"{"totals":{}}"#,
    r#"{"review":{"review_id":1}}"#,
];

#[test]
fn entry_points_read_messages_as_sylvia_does() {
    let read = assert_entry_parity::<ContractExecMsg, ContractQueryMsg>(EXEC, QUERY);
    assert_eq!(read, (12, 9), "execute and query messages read");
}
