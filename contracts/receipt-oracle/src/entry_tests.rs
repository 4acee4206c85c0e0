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
    r#"{"submit_batch":{"batch":{"model_id":1,"epoch":0,"seq":0,"first_id":1,"last_id":3,"count":3,"total_units":"6","root":"00","signature":"00","replaces":null}}}"#,
    // The batch's fields outside `batch` (the shape before it), or one too many.
    r#"{"submit_batch":{"model_id":1,"epoch":0,"seq":0,"first_id":1,"last_id":3,"count":3,"total_units":"6","root":"00","signature":"00"}}"#,
    r#"{"submit_batch":{"batch":{"model_id":1,"epoch":0,"seq":0,"first_id":1,"last_id":3,"count":3,"total_units":"6","root":"00","signature":"00","operator":"o"}}}"#,
    r#"{"challenge_omitted_receipt":{"batch":{"model_id":1,"operator":"o","seq":0},"proof":{"receipt":{"chain_id":"c","contract":"k","model_id":1,"epoch":0,"receipt_id":5,"units":1,"timestamp":1},"signature":"00","left":{"chain_id":"c","contract":"k","model_id":1,"epoch":0,"receipt_id":4,"units":1,"timestamp":1},"left_path":{"level":0,"index":3,"siblings":[{"hash":"00","sum":"1"}]},"right":{"chain_id":"c","contract":"k","model_id":1,"epoch":0,"receipt_id":6,"units":1,"timestamp":1},"right_path":{"level":0,"index":4,"siblings":[]}}}}"#,
    r#"{"challenge_altered_receipt":{"batch":{"model_id":1,"operator":"o","seq":0},"proof":{"receipt":{"chain_id":"c","contract":"k","model_id":1,"epoch":0,"receipt_id":5,"units":2,"timestamp":1},"signature":"00","leaf":{"chain_id":"c","contract":"k","model_id":1,"epoch":0,"receipt_id":5,"units":1,"timestamp":1},"path":{"level":0,"index":4,"siblings":[]}}}}"#,
    r#"{"challenge_bad_sum":{"batch":{"model_id":1,"operator":"o","seq":0},"proof":{"left":{"hash":"00","sum":"1"},"right":{"hash":"01","sum":"2"},"claimed_sum":"4","path":{"level":1,"index":0,"siblings":[]}}}}"#,
    r#"{"challenge_duplicate_id":{"batch":{"model_id":1,"operator":"o","seq":0},"proof":{"left":{"chain_id":"c","contract":"k","model_id":1,"epoch":0,"receipt_id":4,"units":1,"timestamp":1},"left_path":{"level":0,"index":0,"siblings":[]}}}}"#,
    // A fraud proof in the shape before `batch` and `proof`, and the batch inside the proof.
    r#"{"challenge_duplicate_id":{"model_id":1,"operator":"o","seq":0,"left":{"chain_id":"c","contract":"k","model_id":1,"epoch":0,"receipt_id":4,"units":1,"timestamp":1},"left_path":{"level":0,"index":0,"siblings":[]}}}"#,
    r#"{"challenge_bad_sum":{"batch":{"model_id":1,"operator":"o","seq":0},"proof":{"model_id":1,"left":{"hash":"00","sum":"1"},"right":{"hash":"01","sum":"2"},"claimed_sum":"4","path":{"level":1,"index":0,"siblings":[]}}}}"#,
    // SPEC §5.6 inclusion requests.
    r#"{"request_inclusion":{"batch":{"model_id":1,"operator":"o","seq":1},"receipt":{"chain_id":"c","contract":"k","model_id":1,"epoch":0,"receipt_id":5,"units":1,"timestamp":1},"signature":"00"}}"#,
    r#"{"answer_inclusion":{"batch":{"model_id":1,"operator":"o","seq":1},"receipt_id":5,"leaf":{"chain_id":"c","contract":"k","model_id":1,"epoch":0,"receipt_id":5,"units":1,"timestamp":1},"path":{"level":0,"index":4,"siblings":[]}}}"#,
    r#"{"expire_inclusion":{"batch":{"model_id":1,"operator":"o","seq":1},"receipt_id":5}}"#,
];

const QUERY: &[&str] = &[
    r#"{"inclusion_request":{"batch":{"model_id":1,"operator":"o","seq":1},"receipt_id":5}}"#,
    r#"{"inclusion_requests":{"batch":{"model_id":1,"operator":"o","seq":1},"start_after":null,"limit":2}}"#,
    r#"{"omission_claim_check":{"model_id":1,"dataset_id":1,"version":1,"canary_preimage":"00"}}"#,
    r#"{"model":{"model_id":1}}"#,
    r#"{"epoch":{}}"#,
    r#"{"cursor":{"model_id":1,"operator":"o"}}"#,
];

#[test]
fn entry_points_read_messages_as_sylvia_does() {
    let read = assert_entry_parity::<ContractExecMsg, ContractQueryMsg>(EXEC, QUERY);
    assert_eq!(read, (18, 9), "execute and query messages read");
}
