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
    r#"{"register_schema":{"uri":"ipfs://s","hash":"00"}}"#,
    r#"{"register_schema":{"uri":"ipfs://s"}}"#,
    r#"{"begin_review":{"tranche_id":3}}"#,
    r#"{"record_review_outcome":{"tranche_id":3,"outcome":"accepted"}}"#,
    r#"{"seal_version":{"dataset_id":1,"tranche_ids":[1,2]}}"#,
    r#"{"seal_version":{"dataset_id":"x","tranche_ids":[1,2]}}"#,
    r#"{"buy_license":{"dataset_id":1,"version":1}}"#,
    r#"{"retire_dataset":{"dataset_id":1}}"#,
];

const QUERY: &[&str] = &[
    r#"{"governance":{}}"#,
    r#"{"governance":{}, "config":{}}"#,
    r#"{"config":{}}"#,
    r#"{"nope":{}}"#,
    r#"{}"#,
    r#"{"version_shares":{"dataset_id":1,"version":1}}"#,
    r#"{"quality_stats":{}}"#,
    r#"{"tranches":{"limit":5}}"#,
    r#"{"dataset":{"dataset_id":1}}"#,
    r#"{"content_root":{"content_root":"aa"}}"#,
    r#"{"stats":{}}"#,
];

#[test]
fn entry_points_read_messages_as_sylvia_does() {
    let accepted = EXEC
        .iter()
        .filter(|m| assert_reads_like_sylvia::<ContractExecMsg>(m))
        .count();
    assert_eq!(accepted, 9, "execute messages read");
    let accepted = QUERY
        .iter()
        .filter(|m| assert_reads_like_sylvia::<ContractQueryMsg>(m))
        .count();
    assert_eq!(accepted, 8, "query messages read");
}
