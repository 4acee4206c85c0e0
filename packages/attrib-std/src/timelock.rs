//! Changes of who may slash and where money goes take effect only after a delay (issue 14).
//!
//! The admin announces a change (an event names the time it takes effect), anyone applies
//! it once that time has come, and the admin may cancel it before. Watchers (stakers,
//! contributors) thus see every such change coming and can leave before it applies. One
//! change is pending at a time per contract. The delay is a contract parameter bounded by
//! [`CHANGE_DELAY_SECS`]: never zero, so a production config cannot skip it.

use cosmwasm_schema::cw_serde;
use cosmwasm_std::{Event, Response, StdError, Storage};
use cw_storage_plus::Item;
use serde::de::DeserializeOwned;
use serde::Serialize;
use thiserror::Error;

use crate::events::{self, attr};

/// The range of a change delay: one day to thirty days.
pub const CHANGE_DELAY_SECS: (u64, u64) = (86_400, 30 * 86_400);
/// The delay a deployment gets unless it names one: two days.
pub const DEFAULT_CHANGE_DELAY_SECS: u64 = 2 * 86_400;

/// For `#[serde(default = …)]` on a contract's delay field (configs stored before it).
pub fn default_change_delay() -> u64 {
    DEFAULT_CHANGE_DELAY_SECS
}

/// An announced change and when it may be applied.
#[cw_serde]
pub struct Pending<T> {
    pub change: T,
    pub announced_at: u64,
    pub effective_at: u64,
}

#[derive(Error, Debug, PartialEq)]
pub enum TimelockError {
    #[error(transparent)]
    Std(#[from] StdError),

    #[error("a change is already pending (effective at {effective_at}): cancel it first")]
    AlreadyPending { effective_at: u64 },

    #[error("no change is pending")]
    NothingPending,

    #[error("the pending change takes effect at {effective_at}; now is {now}")]
    NotYet { effective_at: u64, now: u64 },

    #[error("{what} changes only after a delay: announce it with announce_change")]
    AnnounceFirst { what: &'static str },
}

/// The pending change of one contract, stored under `key`.
pub struct Timelock<T> {
    pending: Item<Pending<T>>,
}

impl<T: Serialize + DeserializeOwned> Timelock<T> {
    pub const fn new(key: &'static str) -> Self {
        Self {
            pending: Item::new(key),
        }
    }

    pub fn pending(&self, storage: &dyn Storage) -> Result<Option<Pending<T>>, StdError> {
        self.pending.may_load(storage)
    }

    /// Records `change`, effective `delay` seconds from `now`; `what` names it in the event.
    pub fn announce(
        &self,
        storage: &mut dyn Storage,
        now: u64,
        delay: u64,
        change: T,
        what: &str,
    ) -> Result<Response, TimelockError> {
        if let Some(p) = self.pending(storage)? {
            return Err(TimelockError::AlreadyPending {
                effective_at: p.effective_at,
            });
        }
        let effective_at = now.saturating_add(delay);
        self.pending.save(
            storage,
            &Pending {
                change,
                announced_at: now,
                effective_at,
            },
        )?;
        Ok(events::response(events::action::ANNOUNCE_CHANGE).add_event(
            Event::new(events::CHANGE_ANNOUNCED)
                .add_attribute(attr::CHANGE, what)
                .add_attribute(attr::EFFECTIVE_AT, effective_at.to_string()),
        ))
    }

    /// Takes the pending change if its time has come.
    pub fn take_due(&self, storage: &mut dyn Storage, now: u64) -> Result<T, TimelockError> {
        let p = self.pending(storage)?.ok_or(TimelockError::NothingPending)?;
        if now < p.effective_at {
            return Err(TimelockError::NotYet {
                effective_at: p.effective_at,
                now,
            });
        }
        self.pending.remove(storage);
        Ok(p.change)
    }

    /// Drops the pending change.
    pub fn cancel(&self, storage: &mut dyn Storage) -> Result<Response, TimelockError> {
        let p = self.pending(storage)?.ok_or(TimelockError::NothingPending)?;
        self.pending.remove(storage);
        Ok(events::response(events::action::CANCEL_CHANGE).add_event(
            Event::new(events::CHANGE_CANCELLED)
                .add_attribute(attr::EFFECTIVE_AT, p.effective_at.to_string()),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cosmwasm_std::testing::MockStorage;

    #[test]
    fn announce_apply_cancel() {
        let mut st = MockStorage::new();
        let lock: Timelock<String> = Timelock::new("pending");
        assert_eq!(lock.take_due(&mut st, 0), Err(TimelockError::NothingPending));
        assert_eq!(lock.cancel(&mut st).unwrap_err(), TimelockError::NothingPending);
        let r = lock.announce(&mut st, 100, 50, "x".into(), "treasury").unwrap();
        assert_eq!(r.events[0].ty, "attrib_change_announced");
        assert_eq!(r.events[0].attributes[1].value, "150");
        assert_eq!(
            lock.announce(&mut st, 101, 50, "y".into(), "treasury")
                .unwrap_err(),
            TimelockError::AlreadyPending { effective_at: 150 }
        );
        assert_eq!(
            lock.take_due(&mut st, 149),
            Err(TimelockError::NotYet {
                effective_at: 150,
                now: 149
            })
        );
        assert_eq!(lock.take_due(&mut st, 150), Ok("x".to_string()));
        assert_eq!(lock.take_due(&mut st, 151), Err(TimelockError::NothingPending));
        lock.announce(&mut st, 200, 50, "z".into(), "treasury").unwrap();
        lock.cancel(&mut st).unwrap();
        assert_eq!(lock.pending(&st).unwrap(), None);
    }
}
