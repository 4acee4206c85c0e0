//! The entry points read every message as sylvia's own glue deserializer does (the
//! multi-tests call sylvia's dispatch directly; the wasm goes through `attrib_std::entry`).

use attrib_std::entry::assert_entry_parity;

use crate::contract::sv::{ContractExecMsg, ContractQueryMsg};

/// This contract's own messages and its interfaces', beside the common samples.
const EXEC: &[&str] = &[
    r#"{"register_schema":{"uri":"ipfs://s","hash":"00"}}"#,
    r#"{"register_schema":{"uri":"ipfs://s"}}"#,
    r#"{"begin_review":{"tranche_id":3}}"#,
    r#"{"record_review_outcome":{"tranche_id":3,"outcome":"accepted"}}"#,
    r#"{"seal_version":{"dataset_id":1,"tranche_ids":[1,2]}}"#,
    r#"{"seal_version":{"dataset_id":"x","tranche_ids":[1,2]}}"#,
    r#"{"buy_license":{"dataset_id":1,"version":1}}"#,
    r#"{"retire_dataset":{"dataset_id":1}}"#,
    r#"{"register_dataset":{"dataset":{"name":"d","schema_id":1,"metadata_uri":"ipfs://d","terms":{"license":{"spdx":"CC-BY-4.0"},"commercial_use":true,"derivatives_allowed":true,"price":[],"royalty_per_unit":[],"expiry":"perpetual"},"tier":"optimistic","weight_rule":"equal","canaries":["00"]}}}"#,
    r#"{"register_dataset":{"dataset":{"name":"d","schema_id":1,"metadata_uri":"ipfs://d","terms":{"license":{"spdx":"CC-BY-4.0"},"commercial_use":true,"derivatives_allowed":true,"price":[],"royalty_per_unit":[],"expiry":"perpetual"},"tier":"strict"}}}"#,
    // The fields of the dataset outside `dataset` (the shape before it), or one too many.
    r#"{"register_dataset":{"name":"d","schema_id":1,"metadata_uri":"ipfs://d","terms":{"license":{"spdx":"CC-BY-4.0"},"commercial_use":true,"derivatives_allowed":true,"price":[],"royalty_per_unit":[],"expiry":"perpetual"},"tier":"strict"}}"#,
    r#"{"register_dataset":{"dataset":{"name":"d","schema_id":1,"metadata_uri":"ipfs://d","terms":{"license":{"spdx":"CC-BY-4.0"},"commercial_use":true,"derivatives_allowed":true,"price":[],"royalty_per_unit":[],"expiry":"perpetual"},"tier":"strict","bond":"5"}}}"#,
];

const QUERY: &[&str] = &[
    r#"{"version_shares":{"dataset_id":1,"version":1}}"#,
    r#"{"quality_stats":{}}"#,
    r#"{"tranches":{"limit":5}}"#,
    r#"{"dataset":{"dataset_id":1}}"#,
    r#"{"content_root":{"content_root":"aa"}}"#,
    r#"{"stats":{}}"#,
];

#[test]
fn entry_points_read_messages_as_sylvia_does() {
    let read = assert_entry_parity::<ContractExecMsg, ContractQueryMsg>(EXEC, QUERY);
    assert_eq!(read, (13, 9), "execute and query messages read");
}
