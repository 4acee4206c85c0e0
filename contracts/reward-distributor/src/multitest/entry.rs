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
    r#"{"pay":{"reason":"direct","earmarks":[]}}"#,
    r#"{"close_epoch":{}}"#,
    r#"{"settle_epoch":{"limit":10}}"#,
    r#"{"claim_treasury":{}}"#,
    r#"{"settle_epoch":{"limit":-1}}"#,
    r#"{"claim_curator_rewards":{"epochs":[1,2]}}"#,
];

const QUERY: &[&str] = &[
    r#"{"governance":{}}"#,
    r#"{"governance":{}, "config":{}}"#,
    r#"{"config":{}}"#,
    r#"{"nope":{}}"#,
    r#"{}"#,
    r#"{"denom_accepted":{"denom":"uatr"}}"#,
    r#"{"epoch":{"epoch":1}}"#,
    r#"{"metrics":{"from":1,"to":2}}"#,
    r#"{"accounts":{}}"#,
    r#"{"treasury":{}}"#,
];

#[test]
fn entry_points_read_messages_as_sylvia_does() {
    let accepted = EXEC
        .iter()
        .filter(|m| assert_reads_like_sylvia::<ContractExecMsg>(m))
        .count();
    assert_eq!(accepted, 8, "execute messages read");
    let accepted = QUERY
        .iter()
        .filter(|m| assert_reads_like_sylvia::<ContractQueryMsg>(m))
        .count();
    assert_eq!(accepted, 7, "query messages read");
}
