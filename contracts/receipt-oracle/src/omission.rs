//! Canary omission claims (SPEC §5.5), the oracle's half: checking that a claim can be
//! heard, and applying an upheld one. Curator staking holds the claimant's bond and runs
//! the committee; when it upholds a claim, the dataset joins the model's lineage, back
//! royalties for the model's latest settled epochs are charged, and the model bond is
//! slashed (claimant share + pool).

use attrib_std::events::{self, action, attr};
use attrib_std::interfaces::license_registry::{sv::Querier as _, LicenseRegistry};
use attrib_std::interfaces::omission_target::{
    AuditStats, OmissionCheckResponse, OmissionTarget, OpenBatchesResponse,
};
use attrib_std::registry::{DatasetId, VersionId};
use attrib_std::rewards::{self, Earmark, InflowReason, PayMsg};
use cosmwasm_std::{Deps, Event, HexBinary, Order, Response, StdError, StdResult, Uint128};
use sha2::{Digest, Sha256};
use sylvia::ctx::{ExecCtx, QueryCtx};
use sylvia::types::Remote;

use crate::error::ContractError;
use crate::models::merge;
use crate::state::{LineageEntry, Model, ReceiptOracleContract};

impl ReceiptOracleContract {
    fn check_claim(
        &self,
        deps: Deps,
        model_id: u64,
        dataset_id: DatasetId,
        version: VersionId,
        preimage: &HexBinary,
    ) -> Result<Model, ContractError> {
        let model = self.load_model(deps.storage, model_id)?;
        if model.closed {
            return Err(ContractError::ModelClosed { model_id });
        }
        if model
            .effective_lineage
            .iter()
            .any(|e| e.dataset_id == dataset_id && e.version == version)
        {
            return Err(ContractError::AlreadyInLineage {
                model_id,
                dataset_id,
                version,
            });
        }
        let remote =
            Remote::<dyn LicenseRegistry<Error = StdError>>::new(self.config.load(deps.storage)?.registry);
        let registry = remote.querier(&deps.querier);
        // Fails unless the version was sealed.
        registry.version(dataset_id, version)?;
        let d = registry.dataset(dataset_id)?;
        let commitment = HexBinary::from(Sha256::digest(preimage.as_slice()).to_vec());
        if !d.dataset.canaries.contains(&commitment) {
            return Err(ContractError::CanaryMismatch { dataset_id });
        }
        Ok(model)
    }
}

impl OmissionTarget for ReceiptOracleContract {
    type Error = ContractError;

    fn omission_claim_check(
        &self,
        ctx: QueryCtx,
        model_id: u64,
        dataset_id: DatasetId,
        version: VersionId,
        canary_preimage: HexBinary,
    ) -> Result<OmissionCheckResponse, ContractError> {
        let model = self.check_claim(ctx.deps, model_id, dataset_id, version, &canary_preimage)?;
        Ok(OmissionCheckResponse {
            model_owner: model.owner.to_string(),
        })
    }

    fn record_omission(
        &self,
        ctx: ExecCtx,
        model_id: u64,
        dataset_id: DatasetId,
        version: VersionId,
        claimant: String,
    ) -> Result<Response, ContractError> {
        let config = self.config.load(ctx.deps.storage)?;
        if ctx.info.sender != config.curator_staking {
            return Err(ContractError::NotCuratorStaking {
                sender: ctx.info.sender.to_string(),
            });
        }
        attrib_std::funds::expect_none(&ctx.info.funds)?;
        let claimant = ctx.deps.api.addr_validate(&claimant)?;
        let mut model = self.load_model(ctx.deps.storage, model_id)?;
        let denom = model.royalty_per_unit.denom.clone();
        let mut resp = events::response(action::RECORD_OMISSION);
        // The committee's decision stands even if the model changed meanwhile (closed, or
        // the dataset added by an earlier claim): nothing here may fail and strand it.
        let already = model
            .effective_lineage
            .iter()
            .any(|e| e.dataset_id == dataset_id && e.version == version);
        let w = config.params.omission_weight_bps;
        let mut back = Uint128::zero();
        if !model.closed && !already {
            let added = [LineageEntry {
                dataset_id,
                version,
                weight_bps: 10_000,
            }];
            model.effective_lineage = merge(&added, &model.effective_lineage, 10_000 - w);
            model.lineage = merge(&added, &model.lineage, 10_000 - w);
            // Back royalties: the new entry's share of the latest settled epochs' usage.
            let units: Uint128 = self
                .usage
                .prefix(model_id)
                .range(ctx.deps.storage, None, None, Order::Descending)
                .take(config.params.max_back_epochs as usize)
                .map(|r| r.map(|(_, u)| u))
                .sum::<StdResult<Uint128>>()?;
            let due = units
                .checked_mul(model.royalty_per_unit.amount)
                .map_err(cosmwasm_std::StdError::from)?
                .multiply_ratio(w, 10_000u32);
            back = due.min(model.escrow);
            model.escrow -= back;
            model.debt += due - back;
            if !back.is_zero() {
                let pay = PayMsg {
                    earmarks: vec![Earmark {
                        dataset_id,
                        version,
                        weight_bps: rewards::BPS,
                    }],
                    reason: InflowReason::BackRoyalty,
                    payer: Some(model.owner.to_string()),
                };
                resp = resp
                    .add_message(rewards::pay_msg(&config.reward_pool, &denom, back, pay)?)
                    .add_event(
                        Event::new(events::USAGE_ROYALTY)
                            .add_attribute(attr::MODEL_ID, model_id.to_string())
                            .add_attribute(attr::DATASET_ID, dataset_id.to_string())
                            .add_attribute(attr::VERSION, version.to_string())
                            .add_attribute(attr::AMOUNT, format!("{back}{denom}"))
                            .add_attribute(attr::REASON, "back_royalty"),
                    );
            }
        }
        // The model bond is slashed: the claimant's share, the rest to the pool.
        let bond = std::mem::take(&mut model.bond);
        let share = bond.multiply_ratio(config.params.omission_claimant_share_bps, 10_000u32);
        if !share.is_zero() {
            resp = resp.add_message(attrib_std::funds::send(&denom, &claimant, share)?);
        }
        if !(bond - share).is_zero() {
            let pay = PayMsg {
                earmarks: vec![],
                reason: InflowReason::ModelBondSlash,
                payer: None,
            };
            resp = resp.add_message(rewards::pay_msg(&config.reward_pool, &denom, bond - share, pay)?);
        }
        self.models.save(ctx.deps.storage, model_id, &model)?;
        Ok(resp.add_event(
            Event::new(events::OMISSION_UPHELD)
                .add_attribute(attr::MODEL_ID, model_id.to_string())
                .add_attribute(attr::DATASET_ID, dataset_id.to_string())
                .add_attribute(attr::VERSION, version.to_string())
                .add_attribute(attr::CLAIMANT, claimant.as_str())
                .add_attribute(attr::BACK_ROYALTY, back.to_string())
                .add_attribute(attr::BOND_SLASHED, bond.to_string())
                .add_attribute(attr::LINEAGE_EXTENDED, (!already && !model.closed).to_string()),
        ))
    }

    fn open_batches(&self, ctx: QueryCtx, operator: String) -> Result<OpenBatchesResponse, ContractError> {
        let op = ctx.deps.api.addr_validate(&operator)?;
        Ok(OpenBatchesResponse {
            open: self
                .open_batches
                .may_load(ctx.deps.storage, &op)?
                .unwrap_or_default(),
            operator,
        })
    }

    fn audit_stats(&self, ctx: QueryCtx) -> Result<AuditStats, ContractError> {
        Ok(self.audits.may_load(ctx.deps.storage)?.unwrap_or_default())
    }
}
