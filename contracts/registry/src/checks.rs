//! The registry's limits and the checks only it needs; the shared ones (text, hashes,
//! non-zero values) are in `attrib_std::validation`.

use attrib_std::validation::{self, ValidationError};
use cosmwasm_std::{Coin, HexBinary};

pub const MAX_URI_LEN: usize = 512;
pub const MAX_NAME_LEN: usize = 128;
pub const MAX_CANARIES: usize = 16;
pub const MAX_TRANCHES_PER_VERSION_CAP: u32 = 1_000;

/// A 32-byte hash that is not all zeroes.
pub fn hash32(field: &'static str, h: &HexBinary) -> Result<(), ValidationError> {
    validation::nonzero(field, validation::hash32(field, h)?)
}

/// A configured fee or bond is either absent or a positive amount.
pub fn optional_coin(field: &'static str, c: &Option<Coin>) -> Result<(), ValidationError> {
    match c {
        Some(c) if c.amount.is_zero() => Err(ValidationError::Zero { field }),
        Some(c) if c.denom.is_empty() => Err(ValidationError::BadLength {
            field,
            max: 128,
            len: 0,
        }),
        _ => Ok(()),
    }
}
