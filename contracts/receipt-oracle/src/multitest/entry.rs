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
    r#"{"record_omission":{"claimant":"c","dataset_id":1,"version":1,"model_id":1}}"#,
    r#"{"register_operator":{"pubkey":"00"}}"#,
    r#"{"fund_escrow":{"model_id":1}}"#,
    r#"{"finalize_batch":{"model_id":1,"operator":"o","seq":1}}"#,
    r#"{"close_model":{"model_id":"one"}}"#,
];

const QUERY: &[&str] = &[
    r#"{"governance":{}}"#,
    r#"{"governance":{}, "config":{}}"#,
    r#"{"config":{}}"#,
    r#"{"nope":{}}"#,
    r#"{}"#,
    r#"{"omission_claim_check":{"model_id":1,"dataset_id":1,"version":1,"canary_preimage":"00"}}"#,
    r#"{"model":{"model_id":1}}"#,
    r#"{"epoch":{}}"#,
    r#"{"cursor":{"model_id":1,"operator":"o"}}"#,
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
    assert_eq!(accepted, 6, "query messages read");
}
