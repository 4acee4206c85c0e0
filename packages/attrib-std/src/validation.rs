//! The one input-validation error of every contract, and the checks that raise it.
//!
//! Each contract wraps it (`ContractError::Validation(#[from] ValidationError)`), so a
//! bad field reads the same whichever contract refused it, and tests match the variant
//! and its fields, never the text. Domain rules (a slash fraction, a lineage that must
//! sum to 10 000 bps) keep their own variants in the contract's error.

use thiserror::Error;

#[derive(Error, Debug, PartialEq, Eq)]
pub enum ValidationError {
    #[error("{field} must not be zero")]
    Zero { field: &'static str },

    #[error("{field}: length must be 1-{max}, got {len}")]
    BadLength {
        field: &'static str,
        max: usize,
        len: usize,
    },

    #[error("{field} must be a 32-byte hash, got {len} bytes")]
    BadHash { field: &'static str, len: usize },

    #[error("invalid {field}: {reason}")]
    Invalid {
        field: &'static str,
        reason: &'static str,
    },

    /// An admin-set parameter outside its documented range (the field's doc comment).
    #[error("{field} must be {min}-{max}, got {value}")]
    OutOfRange {
        field: &'static str,
        value: u128,
        min: u128,
        max: u128,
    },
}

/// The bounds check of every admin-set parameter: `min <= value <= max`, else
/// [`ValidationError::OutOfRange`] naming the field, the value and the range.
pub fn within<T: Into<u128> + Copy>(
    field: &'static str,
    value: T,
    min: T,
    max: T,
) -> Result<(), ValidationError> {
    let (value, min, max) = (value.into(), min.into(), max.into());
    if value < min || value > max {
        return Err(ValidationError::OutOfRange {
            field,
            value,
            min,
            max,
        });
    }
    Ok(())
}

/// Ranges shared by the contracts' parameters.
pub mod range {
    /// One day, in seconds.
    pub const DAY: u64 = 86_400;
    /// The longest window, deadline or period any parameter may name: a year.
    pub const MAX_SECS: u64 = 365 * DAY;
    /// A share in basis points.
    pub const BPS: u32 = 10_000;
}

/// Non-empty text (or bytes) of at most `max` bytes.
pub fn text(field: &'static str, value: impl AsRef<[u8]>, max: usize) -> Result<(), ValidationError> {
    let len = value.as_ref().len();
    if len == 0 || len > max {
        return Err(ValidationError::BadLength { field, max, len });
    }
    Ok(())
}

/// A 32-byte hash.
pub fn hash32(field: &'static str, value: &[u8]) -> Result<[u8; 32], ValidationError> {
    value.try_into().map_err(|_| ValidationError::BadHash {
        field,
        len: value.len(),
    })
}

/// A count, amount or duration that must not be zero.
pub fn nonzero<T: Default + PartialEq>(field: &'static str, value: T) -> Result<(), ValidationError> {
    if value == T::default() {
        return Err(ValidationError::Zero { field });
    }
    Ok(())
}

/// `Invalid { field, reason }` unless `ok`.
pub fn ensure(ok: bool, field: &'static str, reason: &'static str) -> Result<(), ValidationError> {
    if ok {
        Ok(())
    } else {
        Err(ValidationError::Invalid { field, reason })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cosmwasm_std::Uint128;

    #[test]
    fn checks_name_the_field() {
        assert_eq!(
            text("uri", "", 4),
            Err(ValidationError::BadLength {
                field: "uri",
                max: 4,
                len: 0
            })
        );
        assert_eq!(
            text("uri", "abcde", 4),
            Err(ValidationError::BadLength {
                field: "uri",
                max: 4,
                len: 5
            })
        );
        text("uri", "abcd", 4).unwrap();
        assert_eq!(
            hash32("root", &[1; 31]),
            Err(ValidationError::BadHash {
                field: "root",
                len: 31
            })
        );
        assert_eq!(hash32("root", &[7; 32]), Ok([7; 32]));
        assert_eq!(
            nonzero("amount", Uint128::zero()),
            Err(ValidationError::Zero { field: "amount" })
        );
        nonzero("secs", 1u64).unwrap();
        assert_eq!(
            ensure(false, "k", "why"),
            Err(ValidationError::Invalid {
                field: "k",
                reason: "why"
            })
        );
        ensure(true, "k", "why").unwrap();
        assert_eq!(
            within("share_bps", 5_001u32, 0, 5_000),
            Err(ValidationError::OutOfRange {
                field: "share_bps",
                value: 5_001,
                min: 0,
                max: 5_000
            })
        );
        assert_eq!(
            within("secs", 0u64, 1, 10),
            Err(ValidationError::OutOfRange {
                field: "secs",
                value: 0,
                min: 1,
                max: 10
            })
        );
        within("secs", 10u64, 1, 10).unwrap();
        within("secs", 1u64, 1, 10).unwrap();
    }
}
