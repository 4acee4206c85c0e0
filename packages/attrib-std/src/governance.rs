//! Admin (two-step transfer) and pause switch, the same in every Attrib contract.
//!
//! The admin is a governance address (multisig or DAO in production). A transfer is two
//! steps — the admin proposes, the new admin accepts — so a typo cannot hand the
//! contract to an address nobody controls. The pause switch blocks every non-admin
//! execute message of the contract.

use cosmwasm_std::{Addr, Attribute, Deps, DepsMut, Event, MessageInfo, Response, StdError, Storage};
use cw_storage_plus::Item;
use thiserror::Error;

use crate::events::{self, attr};
use crate::interfaces::governance::GovernanceResponse;

#[derive(Error, Debug, PartialEq)]
pub enum GovernanceError {
    #[error(transparent)]
    Std(#[from] StdError),

    #[error(transparent)]
    Funds(#[from] crate::funds::FundsError),

    #[error("unauthorized: {sender} is not the admin")]
    NotAdmin { sender: String },

    #[error("no admin transfer is pending")]
    NoPendingAdmin,

    #[error("unauthorized: {sender} is not the pending admin")]
    NotPendingAdmin { sender: String },

    #[error("the contract is paused")]
    Paused,

    #[error("the contract is already {}", if *paused { "paused" } else { "running" })]
    PauseUnchanged { paused: bool },
}

pub struct AdminControl {
    admin: Item<Addr>,
    pending_admin: Item<Addr>,
    paused: Item<bool>,
}

impl Default for AdminControl {
    fn default() -> Self {
        Self::new()
    }
}

impl AdminControl {
    pub const fn new() -> Self {
        Self {
            admin: Item::new("gov_admin"),
            pending_admin: Item::new("gov_pending_admin"),
            paused: Item::new("gov_paused"),
        }
    }

    pub fn init(&self, storage: &mut dyn Storage, admin: &Addr) -> Result<(), StdError> {
        self.admin.save(storage, admin)?;
        self.paused.save(storage, &false)
    }

    pub fn admin(&self, storage: &dyn Storage) -> Result<Addr, StdError> {
        self.admin.load(storage)
    }

    pub fn assert_admin(&self, storage: &dyn Storage, sender: &Addr) -> Result<(), GovernanceError> {
        if self.admin.load(storage)? != sender {
            return Err(GovernanceError::NotAdmin {
                sender: sender.to_string(),
            });
        }
        Ok(())
    }

    pub fn is_paused(&self, storage: &dyn Storage) -> Result<bool, StdError> {
        Ok(self.paused.may_load(storage)?.unwrap_or(false))
    }

    pub fn assert_not_paused(&self, storage: &dyn Storage) -> Result<(), GovernanceError> {
        if self.is_paused(storage)? {
            return Err(GovernanceError::Paused);
        }
        Ok(())
    }

    /// Step one: the admin names a successor (`None` withdraws a pending proposal).
    pub fn propose_admin(
        &self,
        deps: DepsMut,
        info: &MessageInfo,
        new_admin: Option<String>,
    ) -> Result<Response, GovernanceError> {
        crate::funds::expect_none(&info.funds)?;
        self.assert_admin(deps.storage, &info.sender)?;
        let pending = match new_admin {
            Some(a) => {
                let a = deps.api.addr_validate(&a)?;
                self.pending_admin.save(deps.storage, &a)?;
                a.to_string()
            }
            None => {
                self.pending_admin.remove(deps.storage);
                String::new()
            }
        };
        Ok(Response::new()
            .add_attribute(attr::ACTION, events::action::PROPOSE_ADMIN)
            .add_event(Event::new(events::ADMIN_PROPOSED).add_attributes([
                Attribute::new(attr::ADMIN, info.sender.as_str()),
                Attribute::new(attr::PENDING_ADMIN, pending),
            ])))
    }

    /// Step two: the proposed admin accepts.
    pub fn accept_admin(&self, deps: DepsMut, info: &MessageInfo) -> Result<Response, GovernanceError> {
        crate::funds::expect_none(&info.funds)?;
        let pending = self
            .pending_admin
            .may_load(deps.storage)?
            .ok_or(GovernanceError::NoPendingAdmin)?;
        if pending != info.sender {
            return Err(GovernanceError::NotPendingAdmin {
                sender: info.sender.to_string(),
            });
        }
        self.admin.save(deps.storage, &pending)?;
        self.pending_admin.remove(deps.storage);
        Ok(Response::new()
            .add_attribute(attr::ACTION, events::action::ACCEPT_ADMIN)
            .add_event(Event::new(events::ADMIN_ACCEPTED).add_attribute(attr::ADMIN, pending.as_str())))
    }

    pub fn set_paused(
        &self,
        deps: DepsMut,
        info: &MessageInfo,
        paused: bool,
    ) -> Result<Response, GovernanceError> {
        crate::funds::expect_none(&info.funds)?;
        self.assert_admin(deps.storage, &info.sender)?;
        if self.is_paused(deps.storage)? == paused {
            return Err(GovernanceError::PauseUnchanged { paused });
        }
        self.paused.save(deps.storage, &paused)?;
        Ok(Response::new()
            .add_attribute(attr::ACTION, events::action::SET_PAUSED)
            .add_event(Event::new(events::PAUSE_SET).add_attribute(attr::PAUSED, paused.to_string())))
    }

    pub fn query(&self, deps: Deps) -> Result<GovernanceResponse, StdError> {
        Ok(GovernanceResponse {
            admin: self.admin.load(deps.storage)?.to_string(),
            pending_admin: self.pending_admin.may_load(deps.storage)?.map(|a| a.to_string()),
            paused: self.is_paused(deps.storage)?,
        })
    }
}

/// Implements the [`Governance`](crate::interfaces::governance::Governance) interface for
/// a contract whose [`AdminControl`] is the field `gov` and whose error converts from
/// [`GovernanceError`]. Every Attrib contract uses it, so the four messages behave the
/// same everywhere. A contract that must react to a pause names a method
/// `fn(&self, DepsMut, &Env, paused: bool) -> Result<(), Error>` with `on_pause = …`; it
/// runs after the pause state changed, in the same transaction.
/// How long a contract has been paused, all pauses added up (the `on_pause` hook keeps
/// it): a deadline that nobody could act on during a pause is pushed back by the pausing
/// since the clock was read for it. O(1), nothing to forget.
#[cosmwasm_schema::cw_serde]
#[derive(Default)]
pub struct PauseClock {
    /// Seconds of pauses that ended.
    pub paused_secs: u64,
    /// Start of the pause under way.
    pub since: Option<u64>,
}

impl PauseClock {
    /// A pause begins (`paused`) or ends at `now`. A resume with no start on record (a
    /// pause from before the clock) adds nothing.
    pub fn record(&mut self, paused: bool, now: u64) {
        match (paused, self.since) {
            (true, None) => self.since = Some(now),
            (true, Some(_)) => {}
            (false, Some(from)) => {
                self.paused_secs = self.paused_secs.saturating_add(now.saturating_sub(from));
                self.since = None;
            }
            (false, None) => {}
        }
    }

    /// Pausing so far at `now`, the pause under way included: what a deadline set now
    /// reads the clock as.
    pub fn reading(&self, now: u64) -> u64 {
        self.paused_secs
            .saturating_add(self.since.map_or(0, |s| now.saturating_sub(s)))
    }

    /// A migration of a contract paused before it kept a clock: the pause under way counts
    /// from the migration (its start is unknown), so deadlines still wait it out.
    pub fn start_if_paused(
        item: &cw_storage_plus::Item<PauseClock>,
        storage: &mut dyn cosmwasm_std::Storage,
        paused: bool,
        now: u64,
    ) -> cosmwasm_std::StdResult<()> {
        let mut clock = item.may_load(storage)?.unwrap_or_default();
        if paused && clock.since.is_none() {
            clock.since = Some(now);
        }
        item.save(storage, &clock)
    }

    /// The `on_pause` hook's work: the clock kept in `item` records a pause or resume.
    pub fn record_in(
        item: &cw_storage_plus::Item<PauseClock>,
        storage: &mut dyn cosmwasm_std::Storage,
        paused: bool,
        now: u64,
    ) -> cosmwasm_std::StdResult<()> {
        let mut clock = item.may_load(storage)?.unwrap_or_default();
        clock.record(paused, now);
        item.save(storage, &clock)
    }

    /// `deadline`, set when the clock read `read_at`, pushed back by every pause since
    /// (one after the deadline too: it only delays what waits for it); never while a
    /// pause lasts.
    pub fn extend(&self, deadline: u64, read_at: u64) -> u64 {
        match self.since {
            Some(_) => u64::MAX,
            None => deadline.saturating_add(self.paused_secs.saturating_sub(read_at)),
        }
    }
}

#[macro_export]
macro_rules! impl_governance {
    ($contract:ty, $error:ty) => {
        $crate::impl_governance!($contract, $error, on_pause = |_, _, _, _| Ok(()));
    };
    ($contract:ty, $error:ty, on_pause = $hook:expr) => {
        impl $crate::interfaces::governance::Governance for $contract {
            type Error = $error;

            fn propose_admin(
                &self,
                ctx: ::sylvia::ctx::ExecCtx,
                new_admin: Option<String>,
            ) -> Result<::cosmwasm_std::Response, $error> {
                Ok(self.gov.propose_admin(ctx.deps, &ctx.info, new_admin)?)
            }

            fn accept_admin(&self, ctx: ::sylvia::ctx::ExecCtx) -> Result<::cosmwasm_std::Response, $error> {
                Ok(self.gov.accept_admin(ctx.deps, &ctx.info)?)
            }

            fn set_paused(
                &self,
                mut ctx: ::sylvia::ctx::ExecCtx,
                paused: bool,
            ) -> Result<::cosmwasm_std::Response, $error> {
                let resp = self.gov.set_paused(ctx.deps.branch(), &ctx.info, paused)?;
                let hook: fn(
                    &Self,
                    ::cosmwasm_std::DepsMut,
                    &::cosmwasm_std::Env,
                    bool,
                ) -> Result<(), $error> = $hook;
                hook(self, ctx.deps, &ctx.env, paused)?;
                Ok(resp)
            }

            fn governance(
                &self,
                ctx: ::sylvia::ctx::QueryCtx,
            ) -> Result<$crate::interfaces::governance::GovernanceResponse, $error> {
                Ok(self.gov.query(ctx.deps)?)
            }
        }
    };
}

#[cfg(test)]
mod pause_clock_tests {
    use super::PauseClock;

    #[test]
    fn pausing_since_the_reading_pushes_a_deadline_back() {
        let clock = |paused_secs, since| PauseClock { paused_secs, since };
        assert_eq!(clock(0, None).extend(200, 0), 200);
        // 70 s paused before the reading, 30 s after.
        assert_eq!(clock(100, None).extend(200, 70), 230);
        assert_eq!(clock(100, Some(500)).extend(200, 70), u64::MAX);
        // Never earlier than the deadline, however the clock is read.
        assert_eq!(clock(10, None).extend(200, 70), 200);
    }

    #[test]
    fn pauses_add_up() {
        let mut c = PauseClock::default();
        c.record(true, 100);
        c.record(true, 150); // already paused: the pause still began at 100
        c.record(false, 160);
        c.record(false, 170); // a resume with no pause on record adds nothing
        c.record(true, 200);
        c.record(false, 205);
        assert_eq!(
            c,
            PauseClock {
                paused_secs: 65,
                since: None
            }
        );
        c.record(true, 300);
        assert_eq!(c.reading(310), 75, "the pause under way counts in a reading");
    }

    /// A contract paused before it kept a clock is migrated: the pause counts from the
    /// migration, so deadlines still wait it out; an unpaused one's clock is untouched.
    #[test]
    fn a_migration_while_paused_starts_the_clock() {
        let item = cw_storage_plus::Item::<PauseClock>::new("pause_clock");
        let mut storage = cosmwasm_std::testing::MockStorage::new();
        PauseClock::start_if_paused(&item, &mut storage, false, 100).unwrap();
        assert_eq!(item.load(&storage).unwrap(), PauseClock::default());
        PauseClock::start_if_paused(&item, &mut storage, true, 200).unwrap();
        let clock = item.load(&storage).unwrap();
        assert_eq!(clock.since, Some(200));
        assert_eq!(clock.extend(150, 0), u64::MAX, "no deadline passes while paused");
        // The resume adds the pause from the migration on.
        PauseClock::record_in(&item, &mut storage, false, 260).unwrap();
        assert_eq!(item.load(&storage).unwrap().paused_secs, 60);
    }
}
