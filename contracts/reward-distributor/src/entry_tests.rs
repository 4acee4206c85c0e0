//! The entry points read every message as sylvia's own glue deserializer does (the
//! multi-tests call sylvia's dispatch directly; the wasm goes through `attrib_std::entry`).

use attrib_std::entry::assert_entry_parity;

use crate::contract::sv::{ContractExecMsg, ContractQueryMsg};

/// This contract's own messages and its interfaces', beside the common samples.
const EXEC: &[&str] = &[
    r#"{"pay":{"reason":"direct","earmarks":[]}}"#,
    r#"{"close_epoch":{}}"#,
    r#"{"settle_epoch":{"limit":10}}"#,
    r#"{"claim_treasury":{}}"#,
    r#"{"settle_epoch":{"limit":-1}}"#,
    r#"{"claim_curator_rewards":{"epochs":[1,2]}}"#,
];

const QUERY: &[&str] = &[
    r#"{"denom_accepted":{"denom":"uatr"}}"#,
    r#"{"epoch":{"epoch":1}}"#,
    r#"{"metrics":{"from":1,"to":2}}"#,
    r#"{"accounts":{}}"#,
    r#"{"treasury":{}}"#,
];

#[test]
fn entry_points_read_messages_as_sylvia_does() {
    let read = assert_entry_parity::<ContractExecMsg, ContractQueryMsg>(EXEC, QUERY);
    assert_eq!(read, (10, 8), "execute and query messages read");
}
