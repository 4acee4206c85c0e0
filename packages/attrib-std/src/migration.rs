//! cw2 bookkeeping on migrate, the same for every contract: the stored contract name must
//! be ours and the new code must not be older than what is stored.

use cosmwasm_std::{StdError, Storage};
use thiserror::Error;

#[derive(Error, Debug, PartialEq)]
pub enum MigrateError {
    #[error(transparent)]
    Std(#[from] StdError),

    #[error("contract name mismatch: stored {stored}, this code is {expected}")]
    WrongContract { stored: String, expected: String },

    #[error("cannot migrate from version {stored} to {new}: downgrade or unparsable version")]
    Downgrade { stored: String, new: String },
}

fn parse(v: &str) -> Option<(u64, u64, u64)> {
    // Pre-release/build suffixes are ignored: "1.2.3-rc1" compares as 1.2.3.
    let core = v.split(['-', '+']).next()?;
    let mut it = core.split('.').map(|p| p.parse::<u64>().ok());
    let v = (it.next()??, it.next()??, it.next()??);
    it.next().is_none().then_some(v)
}

/// Checks the stored cw2 info against (`name`, `version`) and records the new version.
/// Returns the version migrated from.
pub fn ensure_upgrade(storage: &mut dyn Storage, name: &str, version: &str) -> Result<String, MigrateError> {
    let stored = cw2::get_contract_version(storage)?;
    if stored.contract != name {
        return Err(MigrateError::WrongContract {
            stored: stored.contract,
            expected: name.to_string(),
        });
    }
    match (parse(&stored.version), parse(version)) {
        (Some(old), Some(new)) if new >= old => {}
        _ => {
            return Err(MigrateError::Downgrade {
                stored: stored.version,
                new: version.to_string(),
            })
        }
    }
    cw2::set_contract_version(storage, name, version)?;
    Ok(stored.version)
}

/// The whole `migrate` entry point of an Attrib contract: [`ensure_upgrade`] plus the
/// `action` attribute and the migration event.
pub fn migrate_response(
    storage: &mut dyn Storage,
    name: &str,
    version: &str,
) -> Result<cosmwasm_std::Response, MigrateError> {
    let from = ensure_upgrade(storage, name, version)?;
    Ok(crate::events::response(crate::events::action::MIGRATE).add_event(
        cosmwasm_std::Event::new(crate::events::CONTRACT_MIGRATED)
            .add_attribute("from_version", from)
            .add_attribute("to_version", version),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use cosmwasm_std::testing::MockStorage;

    #[test]
    fn upgrade_rules() {
        let mut s = MockStorage::new();
        cw2::set_contract_version(&mut s, "crates.io:attrib-registry", "0.2.0").unwrap();
        assert_eq!(
            ensure_upgrade(&mut s, "crates.io:attrib-registry", "0.2.0"),
            Ok("0.2.0".into())
        );
        assert_eq!(
            ensure_upgrade(&mut s, "crates.io:attrib-registry", "0.10.1"),
            Ok("0.2.0".into())
        );
        assert!(matches!(
            ensure_upgrade(&mut s, "crates.io:attrib-registry", "0.9.9"),
            Err(MigrateError::Downgrade { .. })
        ));
        assert!(matches!(
            ensure_upgrade(&mut s, "crates.io:other", "9.9.9"),
            Err(MigrateError::WrongContract { .. })
        ));
        assert!(matches!(
            ensure_upgrade(&mut s, "crates.io:attrib-registry", "x.y"),
            Err(MigrateError::Downgrade { .. })
        ));
    }
}
