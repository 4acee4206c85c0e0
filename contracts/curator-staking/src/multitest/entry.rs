//! The entry points read every message as sylvia's own glue deserializer does (the
//! multi-tests call sylvia's dispatch directly; the wasm goes through `attrib_std::entry`).

use attrib_std::entry::assert_reads_like_sylvia;

use crate::contract::sv::{ContractExecMsg, ContractQueryMsg};

const EXEC: &[&str] = &[
    r#"{"propose_admin":{"new_admin":"addr"}}"#,
    r#"{"accept_admin":{}}"#,
    r#"{"set_paused":{"paused":true}}"#,
    r#"{"set_paused":{"paused":"yes"}}"#,
    r#"{"set_paused":{}}"#,
    r#"{}"#,
    r#"[]"#,
    r#""accept_admin""#,
    r#"{"steal":{}}"#,
    r#"{"accept_admin":{},"set_paused":{"paused":true}}"#,
    r#"{"accept_admin":null}"#,
    r#"{"accept_admin":{"extra":1}}"#,
    r#"{"open_review":{"tranche_id":1}}"#,
    r#"{"slash":{"staker":"a","reason":"r","amount":"5"}}"#,
    r#"{"stake":{"role":"curator"}}"#,
    r#"{"stake":{"role":"emperor"}}"#,
    r#"{"unstake":{"amount":"10"}}"#,
    r#"{"claim_unbonded":{}}"#,
    r#"{"commit_vote":{"review_id":1,"commitment":"00"}}"#,
];

const QUERY: &[&str] = &[
    r#"{"governance":{}}"#,
    r#"{"governance":{}, "config":{}}"#,
    r#"{"config":{}}"#,
    r#"{"nope":{}}"#,
    r#"{}"#,
    r#"{"stake_of":{"address":"a"}}"#,
    r#"{"epoch_clock":{}}"#,
    r#"{"points":{"epoch":1}}"#,
    r#"{"concentration":{"top_k":3}}"#,
    r#"{"totals":{}}"#,
    r#"{"review":{"review_id":1}}"#,
];

#[test]
fn entry_points_read_messages_as_sylvia_does() {
    let accepted = EXEC
        .iter()
        .filter(|m| assert_reads_like_sylvia::<ContractExecMsg>(m))
        .count();
    assert_eq!(accepted, 10, "execute messages read");
    let accepted = QUERY
        .iter()
        .filter(|m| assert_reads_like_sylvia::<ContractQueryMsg>(m))
        .count();
    assert_eq!(accepted, 8, "query messages read");
}
