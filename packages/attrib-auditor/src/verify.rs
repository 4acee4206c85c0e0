//! Off-chain check of an operator's signature on a receipt, the same check the oracle
//! makes (secp256k1 over the receipt's digest, `attrib_std::receipts::Receipt::digest`).

use attrib_std::receipts::SignedReceipt;

/// The receipt was signed by the holder of `pubkey` (compressed secp256k1).
pub fn signed_by(s: &SignedReceipt, pubkey: &[u8]) -> bool {
    s.signature.len() == 64
        && cosmwasm_crypto::secp256k1_verify(&s.receipt.digest(), s.signature.as_slice(), pubkey)
            .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{sign, signer};
    use attrib_std::receipts::Receipt;

    #[test]
    fn only_the_operators_key_verifies_its_receipts() {
        let op = signer();
        let r = Receipt {
            chain_id: "c".into(),
            contract: "o".into(),
            model_id: 1,
            epoch: 0,
            receipt_id: 1,
            units: 5,
            timestamp: 1,
        };
        let s = sign(&op, r.clone());
        let key = op.key.public_key().to_bytes();
        assert!(signed_by(&s, &key));
        let forged = SignedReceipt {
            receipt: Receipt { units: 50, ..r },
            signature: s.signature.clone(),
        };
        assert!(!signed_by(&forged, &key));
        let other = crate::testing::account("alice").key.public_key().to_bytes();
        assert!(!signed_by(&s, &other));
    }
}
