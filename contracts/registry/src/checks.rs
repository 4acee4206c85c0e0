//! Input checks shared by the registry's messages.

use cosmwasm_std::{Coin, HexBinary};

use crate::error::ContractError;

pub const MAX_URI_LEN: usize = 512;
pub const MAX_NAME_LEN: usize = 128;
pub const MAX_CANARIES: usize = 16;
pub const MAX_TRANCHES_PER_VERSION_CAP: u32 = 1_000;

/// Non-empty text of at most `max` bytes.
pub fn text(field: &'static str, value: &str, max: usize) -> Result<(), ContractError> {
    if value.is_empty() || value.len() > max {
        return Err(ContractError::BadLength {
            field,
            max,
            len: value.len(),
        });
    }
    Ok(())
}

/// A 32-byte hash that is not all zeroes.
pub fn hash32(field: &'static str, h: &HexBinary) -> Result<(), ContractError> {
    if h.len() != 32 {
        return Err(ContractError::BadHash { field, len: h.len() });
    }
    if h.iter().all(|b| *b == 0) {
        return Err(ContractError::Zero { field });
    }
    Ok(())
}

pub fn positive(field: &'static str, v: u64) -> Result<(), ContractError> {
    if v == 0 {
        return Err(ContractError::Zero { field });
    }
    Ok(())
}

/// A configured fee or bond is either absent or a positive amount.
pub fn optional_coin(field: &'static str, c: &Option<Coin>) -> Result<(), ContractError> {
    match c {
        Some(c) if c.amount.is_zero() => Err(ContractError::Zero { field }),
        Some(c) if c.denom.is_empty() => Err(ContractError::BadLength {
            field,
            max: 128,
            len: 0,
        }),
        _ => Ok(()),
    }
}
