//! Sealing versions: an immutable, ordered set of accepted tranches with its own root
//! and the contributor weights the reward distributor pays by.

use std::collections::BTreeMap;

use attrib_std::events::{self, action, attr};
use attrib_std::registry::{DatasetId, TrancheId, TrancheStatus};
use attrib_std::{merkle, validation};
use cosmwasm_std::{to_json_binary, Addr, Event, HexBinary, Response, Uint128};
use sylvia::ctx::ExecCtx;

use crate::datasets::pay;
use crate::error::ContractError;
use crate::msg::VersionRoot;

/// How many versions one tranche may be sealed into. Revoking a tranche claws back its
/// rewards in every version it is part of, in one message to the reward pool: without a
/// bound a maintainer could reseal a tranche until its revocation no longer fits in a
/// block, and the tranche could never be revoked. 64 is a monthly release for five
/// years; a version past it must leave the tranche out (its earlier versions keep paying).
pub const MAX_VERSIONS_PER_TRANCHE: usize = 64;
use crate::state::{RegistryContract, Version};

impl RegistryContract {
    pub(crate) fn do_seal_version(
        &self,
        ctx: ExecCtx,
        dataset_id: DatasetId,
        tranche_ids: Vec<TrancheId>,
    ) -> Result<Response, ContractError> {
        let mut dataset = self.maintained_dataset(&ctx, dataset_id)?;
        let config = self.config.load(ctx.deps.storage)?;
        if tranche_ids.is_empty() {
            return Err(ContractError::EmptyVersion {});
        }
        if tranche_ids.len() > config.max_tranches_per_version as usize {
            return Err(ContractError::TooManyTranches {
                max: config.max_tranches_per_version,
                got: tranche_ids.len(),
            });
        }

        let mut leaves = Vec::with_capacity(tranche_ids.len());
        let mut weights: BTreeMap<Addr, Uint128> = BTreeMap::new();
        let mut total = Uint128::zero();
        for (i, id) in tranche_ids.iter().enumerate() {
            if tranche_ids[..i].contains(id) {
                return Err(ContractError::RepeatedTranche { tranche_id: *id });
            }
            let tranche = self.load_tranche(ctx.deps.storage, *id)?;
            if tranche.dataset_id != dataset_id {
                return Err(ContractError::TrancheNotInDataset {
                    tranche_id: *id,
                    expected: dataset_id,
                    actual: tranche.dataset_id,
                });
            }
            if tranche.status != TrancheStatus::Accepted {
                return Err(ContractError::WrongTrancheStatus {
                    tranche_id: *id,
                    status: tranche.status,
                    expected: TrancheStatus::Accepted,
                });
            }
            let leaf = validation::hash32("content_root", &tranche.content_root)?;
            leaves.push(leaf);
            let w = weights.entry(tranche.contributor).or_default();
            *w = w
                .checked_add(tranche.share_weight)
                .map_err(|_| ContractError::WeightOverflow {})?;
            total = total
                .checked_add(tranche.share_weight)
                .map_err(|_| ContractError::WeightOverflow {})?;
        }
        let root = merkle::root(&leaves).ok_or(ContractError::EmptyVersion {})?;

        let number = dataset.latest_version.map_or(1, |v| v + 1);
        let version = Version {
            dataset_id,
            version: number,
            parent: dataset.latest_version,
            tranche_ids,
            root: HexBinary::from(root),
            total_weight: total,
            contributor_count: weights.len() as u32,
            sealed_at: ctx.env.block.time.seconds(),
        };
        self.versions
            .save(ctx.deps.storage, (dataset_id, number), &version)?;
        if !self.version_roots.has(ctx.deps.storage, &root) {
            self.version_roots.save(
                ctx.deps.storage,
                &root,
                &VersionRoot {
                    dataset_id,
                    version: number,
                },
            )?;
        }
        for id in &version.tranche_ids {
            self.tranche_versions
                .update(ctx.deps.storage, *id, |v| -> Result<_, ContractError> {
                    let mut v = v.unwrap_or_default();
                    if v.len() >= MAX_VERSIONS_PER_TRANCHE {
                        return Err(ContractError::TrancheInTooManyVersions {
                            tranche_id: *id,
                            max: MAX_VERSIONS_PER_TRANCHE,
                        });
                    }
                    v.push(number);
                    Ok(v)
                })?;
        }
        for (contributor, weight) in &weights {
            self.version_weights
                .save(ctx.deps.storage, (dataset_id, number, contributor), weight)?;
        }
        dataset.latest_version = Some(number);
        let bond = dataset.bond_held.take();
        self.datasets.save(ctx.deps.storage, dataset_id, &dataset)?;
        self.stats
            .update(ctx.deps.storage, |mut s| -> Result<_, ContractError> {
                s.versions += 1;
                Ok(s)
            })?;

        let mut resp = events::response(action::SEAL_VERSION)
            .add_event(
                Event::new(events::VERSION_SEALED)
                    .add_attribute(attr::DATASET_ID, dataset_id.to_string())
                    .add_attribute(attr::VERSION, number.to_string())
                    .add_attribute(attr::VERSION_ROOT, version.root.to_hex())
                    .add_attribute(attr::TRANCHE_COUNT, version.tranche_ids.len().to_string())
                    .add_attribute(attr::TOTAL_WEIGHT, total.to_string())
                    .add_attribute(
                        "parent",
                        version.parent.map(|p| p.to_string()).unwrap_or_default(),
                    ),
            )
            .set_data(to_json_binary(&number)?);
        if let Some(bond) = bond {
            resp = pay(
                resp,
                &dataset.maintainer,
                bond,
                events::BOND_RETURNED,
                "first_version_sealed",
            );
        }
        Ok(resp)
    }
}
