//! Fixtures of the tests and the pass benchmark (`examples/pass_bench.rs`): no part of
//! the running auditor.

use attrib_receipt_oracle::state::{Batch, BatchStatus};
use attrib_std::receipts::SignedReceipt;
use cosmwasm_std::{Addr, HexBinary, Uint128};

/// The pending batch `seq` an operator posts for `leaves` (ids from the first leaf's to
/// the last's), declaring exactly what they hold.
pub fn posted_batch(model_id: u64, operator: &str, seq: u64, epoch: u64, leaves: &[SignedReceipt]) -> Batch {
    let c = attrib_cli::proofs::tree_of(leaves)
        .expect("a batch has leaves")
        .commitment();
    Batch {
        model_id,
        operator: Addr::unchecked(operator),
        seq,
        epoch,
        first_id: leaves[0].receipt.receipt_id,
        last_id: leaves[leaves.len() - 1].receipt.receipt_id,
        count: c.count,
        total_units: Uint128::new(c.total),
        root: HexBinary::from(c.root.to_vec()),
        posted_at: 0,
        replaces: None,
        status: BatchStatus::Pending,
        charge: Uint128::zero(),
        prior_units: Uint128::zero(),
        proven_units: Uint128::zero(),
        replaced_by: None,
        counted: true,
        late: false,
    }
}
