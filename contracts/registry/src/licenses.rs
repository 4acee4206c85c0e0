//! License purchases and grants (SPEC §3.1, §3.2), and what the receipt oracle reads
//! before a model may use a dataset version ([`LicenseRegistry`]).

use attrib_std::events::{self, action, attr};
use attrib_std::funds;
use attrib_std::interfaces::license_registry::{DatasetResponse, LicenseRegistry, VersionResponse};
use attrib_std::pagination;
use attrib_std::registry::{DatasetId, LicenseCheckResponse, LicenseExpiry, VersionId};
use attrib_std::rewards::{self, Earmark, InflowReason};
use cosmwasm_std::{Event, Order, Response, StdResult};
use sylvia::ctx::{ExecCtx, QueryCtx};

use crate::datasets::to_pool;
use crate::error::ContractError;
use crate::msg::{LicenseGrantResponse, LicenseGrantsResponse};
use crate::state::{LicenseGrant, RegistryContract};

impl RegistryContract {
    pub(crate) fn do_buy_license(
        &self,
        ctx: ExecCtx,
        dataset_id: DatasetId,
        version: VersionId,
        licensee: Option<String>,
    ) -> Result<Response, ContractError> {
        self.gov.assert_not_paused(ctx.deps.storage)?;
        let mut dataset = self.load_dataset(ctx.deps.storage, dataset_id)?;
        if !self.versions.has(ctx.deps.storage, (dataset_id, version)) {
            return Err(ContractError::VersionNotFound { dataset_id, version });
        }
        let paid = funds::expect_one_of(&ctx.info.funds, &dataset.terms.price)?;
        let licensee = match licensee {
            Some(l) => ctx.deps.api.addr_validate(&l)?,
            None => ctx.info.sender.clone(),
        };

        let now = ctx.env.block.time.seconds();
        let key = (&licensee, dataset_id, version);
        let previous = self.grants.may_load(ctx.deps.storage, key)?;
        let expires_at = match dataset.terms.expiry {
            LicenseExpiry::Perpetual => None,
            LicenseExpiry::AfterSeconds(secs) => {
                // A repeat purchase extends an unexpired grant instead of overlapping it.
                let from = previous
                    .as_ref()
                    .and_then(|g| g.expires_at)
                    .filter(|end| *end > now)
                    .unwrap_or(now);
                Some(from.checked_add(secs).ok_or(ContractError::ExpiryOverflow {})?)
            }
        };
        let grant = LicenseGrant {
            licensee: licensee.clone(),
            dataset_id,
            version,
            paid: paid.clone(),
            purchases: previous.map_or(1, |g| g.purchases.saturating_add(1)),
            granted_at: now,
            expires_at,
        };
        self.grants.save(ctx.deps.storage, key, &grant)?;
        dataset.counters.licenses_sold += 1;
        self.datasets.save(ctx.deps.storage, dataset_id, &dataset)?;
        self.stats
            .update(ctx.deps.storage, |mut s| -> Result<_, ContractError> {
                s.licenses_sold += 1;
                Ok(s)
            })?;

        let mut resp = events::response(action::BUY_LICENSE).add_event(
            Event::new(events::LICENSE_PURCHASED)
                .add_attribute(attr::DATASET_ID, dataset_id.to_string())
                .add_attribute(attr::VERSION, version.to_string())
                .add_attribute(attr::LICENSEE, licensee.as_str())
                .add_attribute(attr::PAYER, ctx.info.sender.as_str())
                .add_attribute(
                    attr::AMOUNT,
                    paid.as_ref().map(|c| c.to_string()).unwrap_or_default(),
                )
                .add_attribute(
                    attr::EXPIRES_AT,
                    expires_at.map(|e| e.to_string()).unwrap_or_default(),
                ),
        );
        if let Some(coin) = paid {
            let pool = self.config.load(ctx.deps.storage)?.reward_pool;
            let earmark = Earmark {
                dataset_id,
                version,
                weight_bps: rewards::BPS,
            };
            resp = to_pool(
                resp,
                &pool,
                coin,
                events::FEE_FORWARDED,
                InflowReason::LicensePurchase,
                vec![earmark],
                &ctx.info.sender,
            )?;
        }
        Ok(resp)
    }

    pub(crate) fn query_license_grant(
        &self,
        ctx: QueryCtx,
        licensee: String,
        dataset_id: DatasetId,
        version: VersionId,
    ) -> Result<LicenseGrantResponse, ContractError> {
        let licensee = ctx.deps.api.addr_validate(&licensee)?;
        Ok(LicenseGrantResponse {
            grant: self
                .grants
                .may_load(ctx.deps.storage, (&licensee, dataset_id, version))?,
        })
    }

    pub(crate) fn query_license_grants(
        &self,
        ctx: QueryCtx,
        licensee: String,
        start_after: Option<(DatasetId, VersionId)>,
        limit: Option<u32>,
    ) -> Result<LicenseGrantsResponse, ContractError> {
        let licensee = ctx.deps.api.addr_validate(&licensee)?;
        let (start, limit) = pagination::page(start_after, limit);
        let grants = self
            .grants
            .sub_prefix(&licensee)
            .range(ctx.deps.storage, start, None, Order::Ascending)
            .take(limit)
            .map(|r| r.map(|(_, g)| g))
            .collect::<StdResult<Vec<_>>>()?;
        Ok(LicenseGrantsResponse { grants })
    }
}

impl LicenseRegistry for RegistryContract {
    type Error = ContractError;

    fn dataset(&self, ctx: QueryCtx, dataset_id: DatasetId) -> Result<DatasetResponse, ContractError> {
        self.query_dataset(ctx, dataset_id)
    }

    fn version(
        &self,
        ctx: QueryCtx,
        dataset_id: DatasetId,
        version: VersionId,
    ) -> Result<VersionResponse, ContractError> {
        self.query_version(ctx, dataset_id, version)
    }

    fn has_valid_license(
        &self,
        ctx: QueryCtx,
        licensee: String,
        dataset_id: DatasetId,
        version: VersionId,
    ) -> Result<LicenseCheckResponse, ContractError> {
        let licensee = ctx.deps.api.addr_validate(&licensee)?;
        let now = ctx.env.block.time.seconds();
        Ok(
            match self
                .grants
                .may_load(ctx.deps.storage, (&licensee, dataset_id, version))?
            {
                Some(g) => LicenseCheckResponse {
                    valid: g.expires_at.is_none_or(|end| end > now),
                    expires_at: g.expires_at,
                },
                None => LicenseCheckResponse {
                    valid: false,
                    expires_at: None,
                },
            },
        )
    }
}
