//! Schemas and datasets: registration, license terms, canaries, retirement.

use attrib_std::content;
use attrib_std::events::{self, action, attr};
use attrib_std::funds;
use attrib_std::registry::{DatasetId, LicenseTerms, VerificationTier};
use attrib_std::rewards::{self, Earmark, InflowReason, PayMsg};
use cosmwasm_std::{Addr, BankMsg, Coin, Event, HexBinary, Response, Storage};
use sylvia::ctx::ExecCtx;

use crate::checks::{self, MAX_CANARIES, MAX_NAME_LEN, MAX_URI_LEN};
use crate::error::ContractError;
use crate::msg::NewDataset;
use crate::state::{Dataset, DatasetCounters, DatasetStatus, RegistryContract, Schema};
use attrib_std::validation;

impl RegistryContract {
    pub(crate) fn do_register_schema(
        &self,
        ctx: ExecCtx,
        uri: String,
        hash: HexBinary,
    ) -> Result<Response, ContractError> {
        self.gov.assert_not_paused(ctx.deps.storage)?;
        validation::text("uri", &uri, MAX_URI_LEN)?;
        checks::hash32("hash", &hash)?;
        let config = self.config.load(ctx.deps.storage)?;
        funds::expect_exact(&ctx.info.funds, config.schema_fee.as_ref())?;

        let id = self.next_schema_id.load(ctx.deps.storage)?;
        self.next_schema_id.save(ctx.deps.storage, &(id + 1))?;
        let schema = Schema {
            id,
            uri,
            hash,
            owner: ctx.info.sender.clone(),
            registered_at: ctx.env.block.time.seconds(),
        };
        self.schemas.save(ctx.deps.storage, id, &schema)?;
        self.stats
            .update(ctx.deps.storage, |mut s| -> Result<_, ContractError> {
                s.schemas += 1;
                Ok(s)
            })?;

        let mut resp = events::response(action::REGISTER_SCHEMA)
            .add_event(
                Event::new(events::SCHEMA_REGISTERED)
                    .add_attribute(attr::SCHEMA_ID, id.to_string())
                    .add_attribute(attr::URI, &schema.uri)
                    .add_attribute(attr::HASH, schema.hash.to_hex()),
            )
            .set_data(cosmwasm_std::to_json_binary(&id)?);
        if let Some(fee) = config.schema_fee {
            resp = to_pool(
                resp,
                &config.reward_pool,
                fee,
                events::FEE_FORWARDED,
                InflowReason::SchemaFee,
                vec![],
                &ctx.info.sender,
            )?;
        }
        Ok(resp)
    }

    pub(crate) fn do_register_dataset(
        &self,
        ctx: ExecCtx,
        new: NewDataset,
    ) -> Result<Response, ContractError> {
        let NewDataset {
            name,
            schema_id,
            metadata_uri,
            terms,
            tier,
            weight_rule,
            max_tranche_records,
            canaries,
        } = new;
        self.gov.assert_not_paused(ctx.deps.storage)?;
        validation::text("name", &name, MAX_NAME_LEN)?;
        validation::text("metadata_uri", &metadata_uri, MAX_URI_LEN)?;
        terms.validate()?;
        if !self.schemas.has(ctx.deps.storage, schema_id) {
            return Err(ContractError::SchemaNotFound { id: schema_id });
        }
        let max_tranche_records = max_tranche_records.unwrap_or(content::DEFAULT_MAX_TRANCHE_RECORDS);
        validation::within(
            "max_tranche_records",
            max_tranche_records,
            1,
            content::MAX_RECORD_COUNT,
        )?;
        let canaries = canaries.unwrap_or_default();
        check_canaries(&[], &canaries)?;
        let config = self.config.load(ctx.deps.storage)?;
        funds::expect_exact(&ctx.info.funds, config.dataset_bond.as_ref())?;
        if tier == VerificationTier::Strict && config.curator_staking.is_none() {
            return Err(ContractError::NoReviewService {});
        }

        let id = self.next_dataset_id.load(ctx.deps.storage)?;
        self.next_dataset_id.save(ctx.deps.storage, &(id + 1))?;
        let dataset = Dataset {
            id,
            maintainer: ctx.info.sender.clone(),
            name,
            schema_id,
            metadata_uri,
            terms,
            tier,
            weight_rule: weight_rule.unwrap_or_default(),
            max_tranche_records,
            canaries,
            status: DatasetStatus::Active,
            bond_held: config.dataset_bond,
            latest_version: None,
            created_at: ctx.env.block.time.seconds(),
            counters: DatasetCounters::default(),
        };
        self.datasets.save(ctx.deps.storage, id, &dataset)?;
        self.stats
            .update(ctx.deps.storage, |mut s| -> Result<_, ContractError> {
                s.datasets += 1;
                Ok(s)
            })?;
        Ok(events::response(action::REGISTER_DATASET)
            .add_event(
                Event::new(events::DATASET_REGISTERED)
                    .add_attribute(attr::DATASET_ID, id.to_string())
                    .add_attribute(attr::MAINTAINER, dataset.maintainer.as_str())
                    .add_attribute(attr::SCHEMA_ID, schema_id.to_string())
                    .add_attribute(attr::TIER, dataset.tier.to_string())
                    .add_attribute(attr::CANARIES, dataset.canaries.len().to_string()),
            )
            .set_data(cosmwasm_std::to_json_binary(&id)?))
    }

    pub(crate) fn do_update_license_terms(
        &self,
        ctx: ExecCtx,
        dataset_id: DatasetId,
        terms: LicenseTerms,
    ) -> Result<Response, ContractError> {
        let mut dataset = self.maintained_dataset(&ctx, dataset_id)?;
        terms.validate()?;
        dataset.terms = terms;
        self.datasets.save(ctx.deps.storage, dataset_id, &dataset)?;
        Ok(events::response(action::UPDATE_LICENSE_TERMS).add_event(
            Event::new(events::DATASET_TERMS_UPDATED).add_attribute(attr::DATASET_ID, dataset_id.to_string()),
        ))
    }

    pub(crate) fn do_add_canary(
        &self,
        ctx: ExecCtx,
        dataset_id: DatasetId,
        commitment: HexBinary,
    ) -> Result<Response, ContractError> {
        let mut dataset = self.maintained_dataset(&ctx, dataset_id)?;
        check_canaries(&dataset.canaries, std::slice::from_ref(&commitment))?;
        dataset.canaries.push(commitment.clone());
        self.datasets.save(ctx.deps.storage, dataset_id, &dataset)?;
        Ok(events::response(action::ADD_CANARY).add_event(
            Event::new(events::CANARY_ADDED)
                .add_attribute(attr::DATASET_ID, dataset_id.to_string())
                .add_attribute(attr::COMMITMENT, commitment.to_hex()),
        ))
    }

    pub(crate) fn do_retire_dataset(
        &self,
        ctx: ExecCtx,
        dataset_id: DatasetId,
    ) -> Result<Response, ContractError> {
        let mut dataset = self.maintained_dataset(&ctx, dataset_id)?;
        if dataset.status == DatasetStatus::Retired {
            return Err(ContractError::DatasetRetired { dataset_id });
        }
        dataset.status = DatasetStatus::Retired;
        let bond = dataset.bond_held.take();
        self.datasets.save(ctx.deps.storage, dataset_id, &dataset)?;
        let mut resp = events::response(action::RETIRE_DATASET).add_event(
            Event::new(events::DATASET_RETIRED).add_attribute(attr::DATASET_ID, dataset_id.to_string()),
        );
        if let Some(bond) = bond {
            let pool = self.config.load(ctx.deps.storage)?.reward_pool;
            resp = to_pool(
                resp,
                &pool,
                bond,
                events::BOND_FORFEITED,
                InflowReason::ForfeitedBond,
                vec![],
                &dataset.maintainer,
            )?;
        }
        Ok(resp)
    }

    pub(crate) fn load_dataset(
        &self,
        storage: &dyn Storage,
        id: DatasetId,
    ) -> Result<Dataset, ContractError> {
        self.datasets
            .may_load(storage, id)?
            .ok_or(ContractError::DatasetNotFound { id })
    }

    /// The dataset, checked: exists, sender is its maintainer, no funds, not paused, active.
    pub(crate) fn maintained_dataset(&self, ctx: &ExecCtx, id: DatasetId) -> Result<Dataset, ContractError> {
        self.gov.assert_not_paused(ctx.deps.storage)?;
        funds::expect_none(&ctx.info.funds)?;
        let dataset = self.load_dataset(ctx.deps.storage, id)?;
        if dataset.maintainer != ctx.info.sender {
            return Err(ContractError::NotMaintainer {
                sender: ctx.info.sender.to_string(),
                dataset_id: id,
            });
        }
        if dataset.status == DatasetStatus::Retired {
            return Err(ContractError::DatasetRetired { dataset_id: id });
        }
        Ok(dataset)
    }
}

fn check_canaries(existing: &[HexBinary], new: &[HexBinary]) -> Result<(), ContractError> {
    if existing.len() + new.len() > MAX_CANARIES {
        return Err(ContractError::TooManyCanaries { max: MAX_CANARIES });
    }
    for (i, c) in new.iter().enumerate() {
        checks::hash32("canary", c)?;
        if existing.contains(c) || new[..i].contains(c) {
            return Err(ContractError::DuplicateCanary {
                commitment: c.to_hex(),
            });
        }
    }
    Ok(())
}

/// Pays `coin` to the reward pool (`pay` with earmarks and a reason) and records why in
/// an event of type `event` (fee forwarded, bond forfeited).
pub(crate) fn to_pool(
    resp: Response,
    pool: &Addr,
    coin: Coin,
    event: &str,
    reason: InflowReason,
    earmarks: Vec<Earmark>,
    payer: &Addr,
) -> Result<Response, ContractError> {
    let msg = rewards::pay_msg(
        pool,
        &coin.denom,
        coin.amount,
        PayMsg {
            earmarks,
            reason,
            payer: Some(payer.to_string()),
        },
    )?;
    Ok(resp.add_message(msg).add_event(
        Event::new(event)
            .add_attribute(attr::AMOUNT, coin.to_string())
            .add_attribute(attr::RECIPIENT, pool.as_str())
            .add_attribute(attr::REASON, reason.as_str()),
    ))
}

/// Sends `coin` to `to` and records why in an event of type `event` (bond returned).
pub(crate) fn pay(resp: Response, to: &Addr, coin: Coin, event: &str, reason: &str) -> Response {
    resp.add_message(BankMsg::Send {
        to_address: to.to_string(),
        amount: vec![coin.clone()],
    })
    .add_event(
        Event::new(event)
            .add_attribute(attr::AMOUNT, coin.to_string())
            .add_attribute(attr::RECIPIENT, to.as_str())
            .add_attribute(attr::REASON, reason),
    )
}
