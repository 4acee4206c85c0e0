//! What an operator still answers for (SPEC §5.4 "Soundness"): the batches it posted that
//! are still pending, or voided and not yet replaced, counted per operator so curator
//! staking can hold its stake until every one is final or replaced (`open_batches`
//! query), and the oracle's audit counters (SPEC §8).

use attrib_std::interfaces::omission_target::AuditStats;
use cosmwasm_std::{Addr, StdResult, Storage};

use crate::state::ReceiptOracleContract;

impl ReceiptOracleContract {
    /// A batch of `op` was posted (a replacement takes over its voided batch's count
    /// instead, see `do_submit_batch`).
    pub(crate) fn batch_opened(&self, storage: &mut dyn Storage, op: &Addr) -> StdResult<()> {
        let open = self.open_batches.may_load(storage, op)?.unwrap_or_default();
        self.open_batches.save(storage, op, &(open + 1))
    }

    /// A counted batch of `op` was finalized (a voided one stays counted until replaced).
    /// Saturating, as a second guard beside `Batch::counted` (no revert on old state).
    pub(crate) fn batch_closed(&self, storage: &mut dyn Storage, op: &Addr) -> StdResult<()> {
        match self.open_batches.may_load(storage, op)?.unwrap_or_default() {
            0 | 1 => self.open_batches.remove(storage, op),
            n => self.open_batches.save(storage, op, &(n - 1))?,
        }
        Ok(())
    }

    /// Counts one audit: `f` bumps the fields it concerns.
    pub(crate) fn audited(
        &self,
        storage: &mut dyn Storage,
        f: impl FnOnce(&mut AuditStats),
    ) -> StdResult<()> {
        let mut a = self.audits.may_load(storage)?.unwrap_or_default();
        f(&mut a);
        self.audits.save(storage, &a)
    }

    /// A fraud proof was upheld (every kind, late omissions included).
    pub(crate) fn fraud_proven(&self, storage: &mut dyn Storage) -> StdResult<()> {
        self.audited(storage, |a| a.fraud_proofs += 1)
    }
}
