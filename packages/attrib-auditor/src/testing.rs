//! Fixtures of the unit tests: an operator key of scripts/test-accounts.json and receipts
//! it signs (with the CLI's signing function).

use attrib_cli::keys::Signer;
use attrib_cli::receipts::sign_bytes;
use attrib_std::receipts::{Receipt, SignedReceipt};

/// Account `operator` of scripts/test-accounts.json.
pub fn signer() -> Signer {
    account("operator")
}

/// Account `name` of scripts/test-accounts.json.
pub fn account(name: &str) -> Signer {
    let doc: serde_json::Value =
        serde_json::from_str(include_str!("../../../scripts/test-accounts.json")).unwrap();
    let acc = doc["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == name)
        .unwrap();
    Signer::from_mnemonic(name, acc["mnemonic"].as_str().unwrap(), "wasm").unwrap()
}

pub fn sign(s: &Signer, receipt: Receipt) -> SignedReceipt {
    let signature = sign_bytes(s, &receipt.sign_bytes());
    SignedReceipt { receipt, signature }
}

/// Receipt `id` of model 1, epoch 0, 2 units, signed by the operator (chain
/// `attrib-test`, oracle `wasm1oracle`).
pub fn receipt(id: u64) -> SignedReceipt {
    sign(
        &signer(),
        Receipt {
            chain_id: "attrib-test".into(),
            contract: "wasm1oracle".into(),
            model_id: 1,
            epoch: 0,
            receipt_id: id,
            units: 2,
            timestamp: 1,
        },
    )
}
