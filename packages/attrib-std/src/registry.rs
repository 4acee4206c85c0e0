//! The registry's public types. Other contracts (curator staking, receipt oracle, reward
//! distributor) and the CLI read these, so they live here rather than in the registry
//! crate. [`Dataset`] and [`Version`] are also what the registry stores.

use cosmwasm_schema::cw_serde;
use cosmwasm_std::{Addr, Coin, HexBinary, Uint128};

pub type SchemaId = u64;
pub type DatasetId = u64;
pub type TrancheId = u64;
pub type VersionId = u32;

/// How a dataset's tranches are verified (SPEC §3.3).
#[cw_serde]
#[derive(Copy, Eq, Hash)]
pub enum VerificationTier {
    /// A curator committee must accept a tranche before it counts.
    Strict,
    /// A tranche counts once its challenge window passes unchallenged.
    Optimistic,
}

#[cw_serde]
#[derive(Copy, Eq, Hash)]
pub enum TrancheStatus {
    Pending,
    UnderReview,
    Accepted,
    Rejected,
    Revoked,
}

impl TrancheStatus {
    pub const ALL: [TrancheStatus; 5] = [
        TrancheStatus::Pending,
        TrancheStatus::UnderReview,
        TrancheStatus::Accepted,
        TrancheStatus::Rejected,
        TrancheStatus::Revoked,
    ];

    /// Stable one-byte key, used by storage indexes.
    pub fn key(self) -> u8 {
        self as u8
    }

    pub fn as_str(self) -> &'static str {
        match self {
            TrancheStatus::Pending => "pending",
            TrancheStatus::UnderReview => "under_review",
            TrancheStatus::Accepted => "accepted",
            TrancheStatus::Rejected => "rejected",
            TrancheStatus::Revoked => "revoked",
        }
    }
}

impl std::fmt::Display for TrancheStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::fmt::Display for VerificationTier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            VerificationTier::Strict => "strict",
            VerificationTier::Optimistic => "optimistic",
        })
    }
}

/// What a curator-staking review (or dispute) decided about a tranche.
#[cw_serde]
pub enum ReviewOutcome {
    /// Accept the tranche; curators may accept fewer records than were submitted
    /// (defaults to all of them).
    Accept { accepted_records: Option<u64> },
    /// Reject the tranche: its listing bond is forfeited to the reward pool.
    Reject {},
    /// A dispute against an accepted tranche was upheld.
    Revoke {},
}

/// How an accepted tranche's share weight is computed inside its dataset (SPEC §3.2).
#[cw_serde]
#[derive(Copy, Default, Eq)]
pub enum WeightRule {
    /// Weight = accepted record count (the default).
    #[default]
    AcceptedRecords,
    /// Weight = byte size of the tranche.
    ByteSize,
    /// Every accepted tranche weighs 1.
    Equal,
}

/// Identifies the license: an SPDX identifier or the sha256 of a terms document.
#[cw_serde]
pub enum LicenseId {
    Spdx(String),
    TermsHash(HexBinary),
}

#[cw_serde]
#[derive(Copy, Eq)]
pub enum LicenseExpiry {
    Perpetual,
    /// A grant lasts this many seconds from purchase (a repeat purchase extends it).
    AfterSeconds(u64),
}

/// License terms of a dataset (SPEC §3.1).
#[cw_serde]
pub struct LicenseTerms {
    pub license: LicenseId,
    pub commercial_use: bool,
    pub derivatives_allowed: bool,
    /// One-off license price: pay exactly one of these coins. Empty = free.
    pub price: Vec<Coin>,
    /// Minimum royalty per usage unit a model built on this dataset must charge, per denom.
    pub royalty_per_unit: Vec<Coin>,
    pub expiry: LicenseExpiry,
}

pub const MAX_SPDX_LEN: usize = 64;
pub const MAX_PRICE_COINS: usize = 8;

/// Why license terms are malformed.
#[derive(thiserror::Error, Debug, PartialEq, Eq)]
pub enum TermsError {
    #[error("license.spdx must be 1-{MAX_SPDX_LEN} characters without white space")]
    BadSpdx,
    #[error("license.terms_hash must be a 32-byte sha256, got {len} bytes")]
    BadTermsHash { len: usize },
    #[error("{field}: at most {MAX_PRICE_COINS} coins")]
    TooManyCoins { field: &'static str },
    #[error("{field}: amount of {denom} is zero")]
    ZeroAmount { field: &'static str, denom: String },
    #[error("{field}: a coin has an empty denom")]
    EmptyDenom { field: &'static str },
    #[error("{field}: denom {denom} is listed twice")]
    DuplicateDenom { field: &'static str, denom: String },
    #[error("expiry.after_seconds must be positive")]
    ZeroExpiry,
}

impl LicenseTerms {
    pub fn validate(&self) -> Result<(), TermsError> {
        match &self.license {
            LicenseId::Spdx(id) => {
                if id.is_empty() || id.len() > MAX_SPDX_LEN || id.chars().any(char::is_whitespace) {
                    return Err(TermsError::BadSpdx);
                }
            }
            LicenseId::TermsHash(h) if h.len() != 32 => {
                return Err(TermsError::BadTermsHash { len: h.len() })
            }
            LicenseId::TermsHash(_) => {}
        }
        validate_coin_list("price", &self.price)?;
        validate_coin_list("royalty_per_unit", &self.royalty_per_unit)?;
        if let LicenseExpiry::AfterSeconds(0) = self.expiry {
            return Err(TermsError::ZeroExpiry);
        }
        Ok(())
    }

    /// The minimum royalty per unit demanded in `denom`, if the terms name that denom.
    pub fn royalty_in(&self, denom: &str) -> Option<&Coin> {
        self.royalty_per_unit.iter().find(|c| c.denom == denom)
    }
}

fn validate_coin_list(field: &'static str, coins: &[Coin]) -> Result<(), TermsError> {
    if coins.len() > MAX_PRICE_COINS {
        return Err(TermsError::TooManyCoins { field });
    }
    for (i, c) in coins.iter().enumerate() {
        if c.denom.is_empty() {
            return Err(TermsError::EmptyDenom { field });
        }
        if c.amount.is_zero() {
            return Err(TermsError::ZeroAmount {
                field,
                denom: c.denom.clone(),
            });
        }
        if coins[..i].iter().any(|o| o.denom == c.denom) {
            return Err(TermsError::DuplicateDenom {
                field,
                denom: c.denom.clone(),
            });
        }
    }
    Ok(())
}

#[cw_serde]
#[derive(Copy, Eq)]
pub enum DatasetStatus {
    Active,
    /// No new tranches or versions; sealed versions can still be licensed.
    Retired,
}

#[cw_serde]
#[derive(Default)]
pub struct DatasetCounters {
    pub tranches: u64,
    pub accepted: u64,
    pub rejected: u64,
    pub revoked: u64,
    pub duplicates_refused: u64,
    pub licenses_sold: u64,
}

#[cw_serde]
pub struct Dataset {
    pub id: DatasetId,
    pub maintainer: Addr,
    pub name: String,
    pub schema_id: SchemaId,
    pub metadata_uri: String,
    pub terms: LicenseTerms,
    pub tier: VerificationTier,
    pub weight_rule: WeightRule,
    /// Most records one tranche may declare (datasets from before the bound: the
    /// protocol's ceiling).
    #[serde(default = "crate::content::max_record_count")]
    pub max_tranche_records: u64,
    /// sha256 commitments of secret canary records planted in the data (SPEC §5.5).
    pub canaries: Vec<HexBinary>,
    pub status: DatasetStatus,
    /// Listing bond still held by the registry (returned at the first seal).
    pub bond_held: Option<Coin>,
    pub latest_version: Option<VersionId>,
    pub created_at: u64,
    pub counters: DatasetCounters,
}

#[cw_serde]
pub struct Version {
    pub dataset_id: DatasetId,
    pub version: VersionId,
    pub parent: Option<VersionId>,
    /// Tranches in version order.
    pub tranche_ids: Vec<TrancheId>,
    /// Merkle root over the tranche content roots, in order (attrib_std::merkle).
    pub root: HexBinary,
    pub total_weight: Uint128,
    pub contributor_count: u32,
    pub sealed_at: u64,
}

#[cw_serde]
pub struct ContributorWeight {
    pub contributor: String,
    pub weight: Uint128,
}

/// What a registry says about a tranche to the contracts that review or pay it.
#[cw_serde]
pub struct ReviewSubjectResponse {
    pub tranche_id: TrancheId,
    pub dataset_id: DatasetId,
    pub contributor: String,
    pub status: TrancheStatus,
    pub tier: VerificationTier,
    pub record_count: u64,
    /// When the tranche was accepted or rejected (seconds); disputes are timed from it.
    pub decided_at: Option<u64>,
}

/// Answer to `has_valid_license`.
#[cw_serde]
pub struct LicenseCheckResponse {
    pub valid: bool,
    /// Seconds since epoch at which the grant ends; `None` if perpetual or no grant.
    pub expires_at: Option<u64>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use cosmwasm_std::coin;

    fn terms() -> LicenseTerms {
        LicenseTerms {
            license: LicenseId::Spdx("CC-BY-4.0".into()),
            commercial_use: true,
            derivatives_allowed: true,
            price: vec![coin(500, "uatr")],
            royalty_per_unit: vec![coin(1, "uatr")],
            expiry: LicenseExpiry::AfterSeconds(86_400),
        }
    }

    #[test]
    fn valid_terms_pass() {
        terms().validate().unwrap();
    }

    #[test]
    fn bad_terms_give_typed_errors() {
        let mut t = terms();
        t.price.push(coin(3, "uatr"));
        assert_eq!(
            t.validate(),
            Err(TermsError::DuplicateDenom {
                field: "price",
                denom: "uatr".into()
            })
        );
        let mut t = terms();
        t.royalty_per_unit = vec![coin(0, "uatr")];
        assert_eq!(
            t.validate(),
            Err(TermsError::ZeroAmount {
                field: "royalty_per_unit",
                denom: "uatr".into()
            })
        );
        let mut t = terms();
        t.license = LicenseId::TermsHash(HexBinary::from(vec![1u8; 31]));
        assert_eq!(t.validate(), Err(TermsError::BadTermsHash { len: 31 }));
        let mut t = terms();
        t.license = LicenseId::Spdx("has space".into());
        assert_eq!(t.validate(), Err(TermsError::BadSpdx));
        let mut t = terms();
        t.expiry = LicenseExpiry::AfterSeconds(0);
        assert_eq!(t.validate(), Err(TermsError::ZeroExpiry));
        let mut t = terms();
        t.price = (0..9).map(|i| coin(1, format!("d{i}"))).collect();
        assert_eq!(t.validate(), Err(TermsError::TooManyCoins { field: "price" }));
    }

    #[test]
    fn status_keys_are_distinct() {
        let mut keys: Vec<u8> = TrancheStatus::ALL.iter().map(|s| s.key()).collect();
        keys.dedup();
        assert_eq!(keys.len(), 5);
    }
}
