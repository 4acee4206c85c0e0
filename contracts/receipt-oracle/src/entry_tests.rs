//! The entry points read every message as sylvia's own glue deserializer does (the
//! multi-tests call sylvia's dispatch directly; the wasm goes through `attrib_std::entry`).

use attrib_std::entry::assert_entry_parity;

use crate::contract::sv::{ContractExecMsg, ContractQueryMsg};

/// This contract's own messages and its interfaces', beside the common samples.
const EXEC: &[&str] = &[
    r#"{"record_omission":{"claimant":"c","dataset_id":1,"version":1,"model_id":1}}"#,
    r#"{"register_operator":{"pubkey":"00"}}"#,
    r#"{"fund_escrow":{"model_id":1}}"#,
    r#"{"finalize_batch":{"model_id":1,"operator":"o","seq":1}}"#,
    r#"{"close_model":{"model_id":"one"}}"#,
];

const QUERY: &[&str] = &[
    r#"{"omission_claim_check":{"model_id":1,"dataset_id":1,"version":1,"canary_preimage":"00"}}"#,
    r#"{"model":{"model_id":1}}"#,
    r#"{"epoch":{}}"#,
    r#"{"cursor":{"model_id":1,"operator":"o"}}"#,
];

#[test]
fn entry_points_read_messages_as_sylvia_does() {
    let read = assert_entry_parity::<ContractExecMsg, ContractQueryMsg>(EXEC, QUERY);
    assert_eq!(read, (10, 7), "execute and query messages read");
}
