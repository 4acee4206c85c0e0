//! The registry's message surface. Each method checks nothing itself and delegates to
//! the module of its concern; sylvia generates the entry points and messages from here.
//! A message with many fields takes them as one struct of `msg.rs` (`instantiate`,
//! `register_dataset`).

use attrib_std::content::CountStep;
use attrib_std::registry::{DatasetId, LicenseTerms, SchemaId, TrancheId, VersionId};
use cosmwasm_std::{HexBinary, Response};
use sylvia::contract;
use sylvia::ctx::{ExecCtx, InstantiateCtx, MigrateCtx, QueryCtx};

use crate::error::ContractError;
use crate::msg::{
    ConfigResponse, ConfigUpdate, ContentRootResponse, DatasetsResponse, InstantiateConfig,
    LicenseGrantResponse, LicenseGrantsResponse, NewDataset, SchemaResponse, SchemasResponse, StatsResponse,
    TrancheCommitmentsResponse, TrancheFilter, TrancheResponse, TranchesResponse, VersionWeightsResponse,
    VersionsResponse,
};
pub use crate::state::RegistryContract;
use crate::state::{DatasetIndexes, TrancheIndexes};
use crate::tranches::TrancheReveal;
use attrib_std::governance::AdminControl;
use cw_storage_plus::{IndexedMap, Item, Map, MultiIndex};

pub const CONTRACT_NAME: &str = concat!("crates.io:", env!("CARGO_PKG_NAME"));
pub const CONTRACT_VERSION: &str = env!("CARGO_PKG_VERSION");

attrib_std::entry_points!(
    RegistryContract,
    ContractError,
    [governance, wiring, review_target, reward_source, license_registry]
);

#[contract]
#[sv::error(ContractError)]
#[sv::messages(attrib_std::interfaces::governance as Governance)]
#[sv::messages(attrib_std::interfaces::wiring as Wiring)]
#[sv::messages(attrib_std::interfaces::review_target as ReviewTarget)]
#[sv::messages(attrib_std::interfaces::reward_source as RewardSource)]
#[sv::messages(attrib_std::interfaces::license_registry as LicenseRegistry)]
impl RegistryContract {
    pub const fn new() -> Self {
        Self {
            gov: AdminControl::new(),
            pause_clock: Item::new("pause_clock"),
            config: Item::new("config"),
            stats: Item::new("stats"),
            next_schema_id: Item::new("next_schema_id"),
            next_dataset_id: Item::new("next_dataset_id"),
            next_tranche_id: Item::new("next_tranche_id"),
            schemas: Map::new("schemas"),
            datasets: IndexedMap::new(
                "datasets",
                DatasetIndexes {
                    maintainer: MultiIndex::new(
                        |_pk, d| d.maintainer.clone(),
                        "datasets",
                        "datasets__maintainer",
                    ),
                },
            ),
            tranches: IndexedMap::new(
                "tranches",
                TrancheIndexes {
                    dataset: MultiIndex::new(|_pk, t| t.dataset_id, "tranches", "tranches__dataset"),
                    dataset_status: MultiIndex::new(
                        |_pk, t| (t.dataset_id, t.status.key()),
                        "tranches",
                        "tranches__dataset_status",
                    ),
                    contributor: MultiIndex::new(
                        |_pk, t| t.contributor.clone(),
                        "tranches",
                        "tranches__contributor",
                    ),
                    status: MultiIndex::new(|_pk, t| t.status.key(), "tranches", "tranches__status"),
                },
            ),
            roots: Map::new("roots"),
            version_roots: Map::new("version_roots"),
            versions: Map::new("versions"),
            version_weights: Map::new("version_weights"),
            tranche_versions: Map::new("tranche_versions"),
            grants: Map::new("grants"),
            commitments: Map::new("commitments"),
        }
    }

    /// Sets the admin (default: the sender), where fees go, who reviews, and the bonds.
    #[sv::msg(instantiate)]
    pub fn instantiate(
        &self,
        ctx: InstantiateCtx,
        config: InstantiateConfig,
    ) -> Result<Response, ContractError> {
        let InstantiateConfig {
            admin,
            reward_pool,
            curator_staking,
            schema_fee,
            dataset_bond,
            tranche_bond,
            challenge_window_secs,
            max_tranches_per_version,
        } = config;
        self.init(
            ctx,
            admin,
            attrib_std::wiring::Peers {
                reward_pool: Some(reward_pool),
                curator_staking,
                ..Default::default()
            },
            crate::msg::ConfigUpdate {
                schema_fee: Some(schema_fee),
                dataset_bond: Some(dataset_bond),
                tranche_bond: Some(tranche_bond),
                challenge_window_secs: Some(challenge_window_secs),
                max_tranches_per_version: Some(max_tranches_per_version),
            },
        )
    }

    /// Checks the stored contract name and version (no downgrades) and records the new one.
    #[sv::msg(migrate)]
    pub fn migrate(&self, ctx: MigrateCtx) -> Result<Response, ContractError> {
        self.do_migrate(ctx)
    }

    /// Admin only (allowed while paused): change configuration.
    #[sv::msg(exec)]
    pub fn update_config(&self, ctx: ExecCtx, update: ConfigUpdate) -> Result<Response, ContractError> {
        self.do_update_config(ctx, update)
    }

    /// Register a schema document by URI and sha256; pays `schema_fee` if configured.
    #[sv::msg(exec)]
    pub fn register_schema(
        &self,
        ctx: ExecCtx,
        uri: String,
        hash: HexBinary,
    ) -> Result<Response, ContractError> {
        self.do_register_schema(ctx, uri, hash)
    }

    /// Register a dataset; the sender becomes its maintainer. Pays `dataset_bond`.
    #[sv::msg(exec)]
    pub fn register_dataset(&self, ctx: ExecCtx, dataset: NewDataset) -> Result<Response, ContractError> {
        self.do_register_dataset(ctx, dataset)
    }

    /// Maintainer only: new license terms, applying to later purchases.
    #[sv::msg(exec)]
    pub fn update_license_terms(
        &self,
        ctx: ExecCtx,
        dataset_id: DatasetId,
        terms: LicenseTerms,
    ) -> Result<Response, ContractError> {
        self.do_update_license_terms(ctx, dataset_id, terms)
    }

    /// Maintainer only: add a canary commitment (sha256 of a secret planted record).
    #[sv::msg(exec)]
    pub fn add_canary(
        &self,
        ctx: ExecCtx,
        dataset_id: DatasetId,
        commitment: HexBinary,
    ) -> Result<Response, ContractError> {
        self.do_add_canary(ctx, dataset_id, commitment)
    }

    /// Maintainer only: stop taking tranches and versions. A listing bond still held
    /// (no version was ever sealed) is forfeited to the reward pool.
    #[sv::msg(exec)]
    pub fn retire_dataset(&self, ctx: ExecCtx, dataset_id: DatasetId) -> Result<Response, ContractError> {
        self.do_retire_dataset(ctx, dataset_id)
    }

    /// First step of contributing a tranche: commit to
    /// `attrib_std::content::commitment(sender, dataset id, content root, salt)`, paying
    /// `tranche_bond`. At most `MAX_OPEN_COMMITMENTS` unrevealed per sender.
    #[sv::msg(exec)]
    pub fn commit_tranche(&self, ctx: ExecCtx, commitment: HexBinary) -> Result<Response, ContractError> {
        self.do_commit_tranche(ctx, commitment)
    }

    /// Committer only: drop an unrevealed commitment (say, expired) and get its bond back.
    #[sv::msg(exec)]
    pub fn withdraw_tranche_commitment(
        &self,
        ctx: ExecCtx,
        commitment: HexBinary,
    ) -> Result<Response, ContractError> {
        self.do_withdraw_commitment(ctx, commitment)
    }

    /// Second step: reveal the tranche (content root = root of its record tree, counts,
    /// URI, salt). The sender's matching commitment must be from an earlier block and at
    /// most `REVEAL_WINDOW_SECS` old; it is consumed and its bond becomes the tranche's.
    /// A root registered before is refused: no tranche is created, the dedup counter
    /// grows and this sender's bond is forfeited (the anti-spam rule).
    #[sv::msg(exec)]
    #[allow(clippy::too_many_arguments)] // the message's fields, as clients send them
    pub fn register_tranche(
        &self,
        ctx: ExecCtx,
        dataset_id: DatasetId,
        content_root: HexBinary,
        record_count: u64,
        byte_size: u64,
        metadata_uri: String,
        salt: HexBinary,
    ) -> Result<Response, ContractError> {
        self.do_register_tranche(
            ctx,
            TrancheReveal {
                dataset_id,
                content_root,
                record_count,
                byte_size,
                metadata_uri,
                salt,
            },
        )
    }

    /// Anyone: prove a tranche's record count wrong by opening its content root down to
    /// a node whose children do not add up to it (attrib_std::content::disprove_count).
    /// A pending tranche is rejected (bond split between prover and reward pool), an
    /// accepted one revoked (its unvested rewards clawed back).
    #[sv::msg(exec)]
    pub fn prove_record_count(
        &self,
        ctx: ExecCtx,
        tranche_id: TrancheId,
        proof: Vec<CountStep>,
    ) -> Result<Response, ContractError> {
        self.do_prove_record_count(ctx, tranche_id, proof)
    }

    /// Anyone: accept an optimistic tranche whose challenge window passed unchallenged.
    #[sv::msg(exec)]
    pub fn accept_unchallenged(
        &self,
        ctx: ExecCtx,
        tranche_id: TrancheId,
    ) -> Result<Response, ContractError> {
        self.do_accept_unchallenged(ctx, tranche_id)
    }

    /// Maintainer only: seal the next version from accepted tranches, in order. The
    /// parent is the previous version; the first seal returns the dataset bond.
    #[sv::msg(exec)]
    pub fn seal_version(
        &self,
        ctx: ExecCtx,
        dataset_id: DatasetId,
        tranche_ids: Vec<TrancheId>,
    ) -> Result<Response, ContractError> {
        self.do_seal_version(ctx, dataset_id, tranche_ids)
    }

    /// Buy (or extend) a license to a sealed version, paying exactly one of the prices
    /// in the terms. The payment goes to the reward pool; `licensee` defaults to the
    /// sender (set it when paying on someone's behalf).
    #[sv::msg(exec)]
    pub fn buy_license(
        &self,
        ctx: ExecCtx,
        dataset_id: DatasetId,
        version: VersionId,
        licensee: Option<String>,
    ) -> Result<Response, ContractError> {
        self.do_buy_license(ctx, dataset_id, version, licensee)
    }

    #[sv::msg(query)]
    pub fn config(&self, ctx: QueryCtx) -> Result<ConfigResponse, ContractError> {
        Ok(ConfigResponse {
            config: self.config.load(ctx.deps.storage)?,
        })
    }

    #[sv::msg(query)]
    pub fn schema(&self, ctx: QueryCtx, schema_id: SchemaId) -> Result<SchemaResponse, ContractError> {
        self.query_schema(ctx, schema_id)
    }

    #[sv::msg(query)]
    pub fn schemas(
        &self,
        ctx: QueryCtx,
        start_after: Option<SchemaId>,
        limit: Option<u32>,
    ) -> Result<SchemasResponse, ContractError> {
        self.query_schemas(ctx, start_after, limit)
    }

    /// Datasets by id, optionally only those of one maintainer.
    #[sv::msg(query)]
    pub fn datasets(
        &self,
        ctx: QueryCtx,
        maintainer: Option<String>,
        start_after: Option<DatasetId>,
        limit: Option<u32>,
    ) -> Result<DatasetsResponse, ContractError> {
        self.query_datasets(ctx, maintainer, start_after, limit)
    }

    #[sv::msg(query)]
    pub fn tranche(&self, ctx: QueryCtx, tranche_id: TrancheId) -> Result<TrancheResponse, ContractError> {
        self.query_tranche(ctx, tranche_id)
    }

    /// Tranches by id matching every field set in `filter`.
    #[sv::msg(query)]
    pub fn tranches(
        &self,
        ctx: QueryCtx,
        filter: Option<TrancheFilter>,
        start_after: Option<TrancheId>,
        limit: Option<u32>,
    ) -> Result<TranchesResponse, ContractError> {
        self.query_tranches(ctx, filter.unwrap_or_default(), start_after, limit)
    }

    #[sv::msg(query)]
    pub fn versions(
        &self,
        ctx: QueryCtx,
        dataset_id: DatasetId,
        start_after: Option<VersionId>,
        limit: Option<u32>,
    ) -> Result<VersionsResponse, ContractError> {
        self.query_versions(ctx, dataset_id, start_after, limit)
    }

    /// Contributor weights of a version, by contributor address.
    #[sv::msg(query)]
    pub fn version_weights(
        &self,
        ctx: QueryCtx,
        dataset_id: DatasetId,
        version: VersionId,
        start_after: Option<String>,
        limit: Option<u32>,
    ) -> Result<VersionWeightsResponse, ContractError> {
        self.query_version_weights(ctx, dataset_id, version, start_after, limit)
    }

    #[sv::msg(query)]
    pub fn license_grant(
        &self,
        ctx: QueryCtx,
        licensee: String,
        dataset_id: DatasetId,
        version: VersionId,
    ) -> Result<LicenseGrantResponse, ContractError> {
        self.query_license_grant(ctx, licensee, dataset_id, version)
    }

    /// Every grant a licensee holds, by (dataset, version).
    #[sv::msg(query)]
    pub fn license_grants(
        &self,
        ctx: QueryCtx,
        licensee: String,
        start_after: Option<(DatasetId, VersionId)>,
        limit: Option<u32>,
    ) -> Result<LicenseGrantsResponse, ContractError> {
        self.query_license_grants(ctx, licensee, start_after, limit)
    }

    /// Which tranche registered this content root, or which sealed version has it as its
    /// root, if any (a pre-check for duplicates).
    #[sv::msg(query)]
    pub fn content_root(
        &self,
        ctx: QueryCtx,
        content_root: HexBinary,
    ) -> Result<ContentRootResponse, ContractError> {
        Ok(ContentRootResponse {
            tranche_id: self.roots.may_load(ctx.deps.storage, content_root.as_slice())?,
            version: self
                .version_roots
                .may_load(ctx.deps.storage, content_root.as_slice())?,
        })
    }

    /// A contributor's unrevealed tranche commitments (bounded, so not paged).
    #[sv::msg(query)]
    pub fn tranche_commitments(
        &self,
        ctx: QueryCtx,
        contributor: String,
    ) -> Result<TrancheCommitmentsResponse, ContractError> {
        let contributor = ctx.deps.api.addr_validate(&contributor)?;
        let commitments = self
            .commitments
            .prefix(&contributor)
            .range(ctx.deps.storage, None, None, cosmwasm_std::Order::Ascending)
            .map(|r| {
                r.map(|(c, state)| crate::msg::OpenCommitment {
                    commitment: HexBinary::from(c),
                    height: state.height,
                    committed_at: state.committed_at,
                    bond: state.bond,
                })
            })
            .collect::<Result<_, _>>()?;
        Ok(TrancheCommitmentsResponse { commitments })
    }

    /// Counts, dedup hits and rejection rate.
    #[sv::msg(query)]
    pub fn stats(&self, ctx: QueryCtx) -> Result<StatsResponse, ContractError> {
        self.query_stats(ctx)
    }
}

impl Default for RegistryContract {
    fn default() -> Self {
        Self::new()
    }
}
