//! Suite builder: a sealed, licensed dataset version; a model; an operator bonded in
//! curator staking with a registered key; the oracle authorized to slash. Helpers sign
//! receipts and batches exactly as an operator's gateway would (attrib_std::receipts).

use attrib_curator_staking::contract::sv::mt::CuratorStakingContractProxy;
use attrib_curator_staking::contract::CuratorStakingContract;
use attrib_curator_staking::msg::Params as StakingParams;
use attrib_curator_staking::state::Role;
use attrib_registry::contract::sv::mt::RegistryContractProxy;
use attrib_registry::msg::NewDataset;
use attrib_std::receipts::{BatchHeader, Receipt, SumTree};
use attrib_std::registry::{LicenseExpiry, LicenseId, LicenseTerms, VerificationTier};
use cosmwasm_std::{coin, from_json, Addr, HexBinary, Uint128};
use cw_multi_test::AppResponse;
use k256::ecdsa::signature::hazmat::PrehashSigner;
use k256::ecdsa::{Signature, SigningKey};
use sylvia::multitest::{App, Proxy};

use attrib_receipt_oracle::contract::sv::mt::ReceiptOracleContractProxy;
use attrib_receipt_oracle::contract::ReceiptOracleContract;
use attrib_receipt_oracle::error::ContractError;
use attrib_receipt_oracle::msg::{BatchRef, NewBatch};
use attrib_receipt_oracle::state::{LineageEntry, Params};
use attrib_tests::{addr, ProtocolBuilder};
pub use attrib_tests::{MtApp, DENOM};

pub const ROYALTY: u128 = 2;
pub const EPOCH: u64 = 3_600;
pub const WINDOW: u64 = 600;
pub const GRACE: u64 = 300;
pub const OPERATOR_STAKE: u128 = 100_000;
pub const START: u128 = 100_000_000;
pub const MODEL_BOND: u128 = 10_000;
pub const CLAIM_BOND: u128 = 100;
pub const INCLUSION_FEE: u128 = 250;
/// How long an operator has to answer an inclusion request.
pub const RESPONSE: u64 = 300;
pub const MAX_REQUESTS: u32 = 3;
/// The secret record planted in the third dataset; its sha256 is registered as a canary.
pub const CANARY: &[u8] = b"planted record 7f3a: shelf 12, aisle 4, 'zebra cereal'";

pub fn params() -> Params {
    Params {
        epoch_secs: EPOCH,
        posting_grace_secs: GRACE,
        dispute_window_secs: WINDOW,
        operator_min_bond: Uint128::new(10_000),
        fraud_slash_bps: 2_000,
        max_lineage: 16,
        max_parent_depth: 2,
        withdraw_notice_secs: 86_400,
        model_bond: Uint128::new(MODEL_BOND),
        omission_weight_bps: 1_000,
        omission_claimant_share_bps: 5_000,
        max_back_epochs: 12,
        inclusion_fee: coin(INCLUSION_FEE, DENOM),
        inclusion_response_secs: RESPONSE,
        max_inclusion_requests: MAX_REQUESTS,
    }
}

pub struct Suite {
    pub app: App<MtApp>,
    pub registry: Addr,
    pub staking: Addr,
    pub oracle: Addr,
    pub admin: Addr,
    pub pool: Addr,
    /// Maintainer and contributor of every dataset of the suite.
    pub maintainer: Addr,
    pub owner: Addr,
    pub operator: Addr,
    pub auditor: Addr,
    pub stranger: Addr,
    pub curator: Addr,
    pub key: SigningKey,
    pub model: u64,
    pub datasets: Vec<u64>,
}

impl Suite {
    pub fn new() -> Suite {
        let a = addr;
        let (maintainer, owner, operator, auditor, stranger, curator) = (
            a("maintainer"),
            a("owner"),
            a("operator"),
            a("auditor"),
            a("stranger"),
            a("curator"),
        );
        let funded = [
            "admin",
            "maintainer",
            "owner",
            "operator",
            "auditor",
            "stranger",
            "curator",
        ];
        // Every contract real; the reward pool on the same clock as staking.
        let p = ProtocolBuilder::default()
            .with_funded_actors(&funded, &[coin(START, DENOM), coin(START, "uother")])
            .without_registry_fees()
            // The pool accepts uother too, so a model's royalty in it reaches the
            // dataset-terms check (ujunk is the denom nobody accepts).
            .with_accepted_denom("uother", 1)
            .with_challenge_window(10)
            .with_staking_params(|sp| {
                *sp = StakingParams {
                    min_stake: Uint128::new(1),
                    unbonding_secs: 86_400,
                    committee_size: 1,
                    dispute_committee_size: 1,
                    max_weight_bps: 10_000,
                    commit_secs: 60,
                    reveal_secs: 60,
                    quorum_bps: 5_000,
                    non_reveal_slash_bps: 0,
                    wrong_accept_slash_bps: 0,
                    dispute_bond: Uint128::new(100),
                    dispute_window_secs: 60,
                    challenger_share_bps: 5_000,
                    max_rounds: 1,
                    epoch_secs: EPOCH,
                    max_stakers: 10,
                    change_delay_secs: attrib_std::timelock::CHANGE_DELAY_SECS.0,
                    draw_reveals: 1,
                    draw_timeout_secs: 600,
                }
            })
            .with_oracle_params(|op| *op = params())
            .build();
        let (admin, pool) = (p.admin.clone(), p.reward_distributor.clone());
        let (registry, staking, oracle) = (p.registry(), p.curator_staking(), p.receipt_oracle());
        staking
            .stake(Role::Curator)
            .with_funds(&[coin(50_000, DENOM)])
            .call(&curator)
            .unwrap();
        // The curator's entropy commitment seeds the draws of omission reviews to come.
        attrib_tests::commit_entropy(&p.app, &p.curator_staking, &curator);
        staking
            .stake(Role::Operator)
            .with_funds(&[coin(OPERATOR_STAKE, DENOM)])
            .call(&operator)
            .unwrap();

        // Two optimistic datasets, each sealed at version 1, licensed to the model owner.
        let schema: u64 = from_json(
            registry
                .register_schema("ipfs://s".into(), HexBinary::from([1u8; 32]))
                .call(&maintainer)
                .unwrap()
                .data
                .unwrap(),
        )
        .unwrap();
        let mut datasets = vec![];
        for (i, royalty) in [(0u8, 1u128), (1, 1), (2, 1)] {
            let terms = LicenseTerms {
                license: LicenseId::Spdx("CC-BY-4.0".into()),
                commercial_use: true,
                derivatives_allowed: true,
                price: vec![coin(500, DENOM)],
                royalty_per_unit: vec![coin(royalty, DENOM)],
                expiry: LicenseExpiry::Perpetual,
            };
            let d: u64 = from_json(
                registry
                    .register_dataset(NewDataset {
                        name: format!("d{i}"),
                        schema_id: schema,
                        metadata_uri: "ipfs://d".into(),
                        terms,
                        tier: VerificationTier::Optimistic,
                        weight_rule: None,
                        max_tranche_records: None,
                        canaries: (i == 2).then(|| {
                            vec![HexBinary::from(
                                <sha2::Sha256 as sha2::Digest>::digest(CANARY).to_vec(),
                            )]
                        }),
                    })
                    .call(&maintainer)
                    .unwrap()
                    .data
                    .unwrap(),
            )
            .unwrap();
            let reg: attrib_registry::msg::TrancheRegistration = from_json(
                attrib_tests::register_tranche(
                    registry.app,
                    &registry.contract_addr,
                    &maintainer,
                    attrib_tests::TrancheArgs {
                        dataset_id: d,
                        content_root: HexBinary::from([10 + i; 32]),
                        record_count: 10,
                        byte_size: 10,
                        metadata_uri: "ipfs://t",
                    },
                    &[],
                )
                .unwrap()
                .data
                .unwrap(),
            )
            .unwrap();
            p.app.update_block(|b| b.time = b.time.plus_seconds(11));
            registry
                .accept_unchallenged(reg.tranche_id.unwrap())
                .call(&stranger)
                .unwrap();
            registry
                .seal_version(d, vec![reg.tranche_id.unwrap()])
                .call(&maintainer)
                .unwrap();
            registry
                .buy_license(d, 1, None)
                .with_funds(&[coin(500, DENOM)])
                .call(&owner)
                .unwrap();
            datasets.push(d);
        }

        let key = SigningKey::from_bytes(&[7u8; 32].into()).unwrap();
        let pubkey = HexBinary::from(key.verifying_key().to_encoded_point(true).as_bytes().to_vec());
        oracle.register_operator(pubkey).call(&operator).unwrap();
        let lineage = vec![
            LineageEntry {
                dataset_id: datasets[0],
                version: 1,
                weight_bps: 7_000,
            },
            LineageEntry {
                dataset_id: datasets[1],
                version: 1,
                weight_bps: 3_000,
            },
        ];
        let model: u64 = from_json(
            oracle
                .register_model("ipfs://model".into(), lineage, None, coin(ROYALTY, DENOM))
                .with_funds(&[coin(MODEL_BOND, DENOM)])
                .call(&owner)
                .unwrap()
                .data
                .unwrap(),
        )
        .unwrap();
        oracle
            .set_model_operator(model, operator.to_string(), true)
            .call(&owner)
            .unwrap();
        Suite {
            registry: p.registry.clone(),
            staking: p.curator_staking.clone(),
            oracle: p.receipt_oracle.clone().unwrap(),
            admin,
            pool,
            maintainer,
            owner,
            operator,
            auditor,
            stranger,
            curator,
            key,
            model,
            datasets,
            app: p.app,
        }
    }

    /// The (only) tranche of version 1 of `dataset`.
    pub fn registry_version_tranche(&self, dataset: u64) -> u64 {
        let r: Proxy<'_, MtApp, attrib_registry::RegistryContract> =
            Proxy::new(self.registry.clone(), &self.app);
        use attrib_std::interfaces::license_registry::sv::mt::LicenseRegistryProxy;
        r.version(dataset, 1).unwrap().version.tranche_ids[0]
    }

    pub fn oracle(&self) -> Proxy<'_, MtApp, ReceiptOracleContract> {
        Proxy::new(self.oracle.clone(), &self.app)
    }

    pub fn staking(&self) -> Proxy<'_, MtApp, CuratorStakingContract> {
        Proxy::new(self.staking.clone(), &self.app)
    }

    pub fn balance(&self, who: &Addr) -> u128 {
        attrib_tests::balance(&self.app, who, DENOM)
    }

    pub fn advance(&self, secs: u64) {
        attrib_tests::advance(&self.app, secs);
    }

    pub fn chain_id(&self) -> String {
        self.app.block_info().chain_id
    }

    pub fn epoch(&self) -> u64 {
        self.oracle().epoch().unwrap().current
    }

    /// The receipt the gateway signs when it serves inference `id`.
    pub fn receipt(&self, id: u64, units: u64) -> Receipt {
        Receipt {
            chain_id: self.chain_id(),
            contract: self.oracle.to_string(),
            model_id: self.model,
            epoch: self.epoch(),
            receipt_id: id,
            units,
            timestamp: self.app.block_info().time.seconds(),
        }
    }

    /// The omission proof of `receipt`, which falls between the posted leaves `left` and
    /// `left + 1` of `tree`.
    pub fn omission_proof(
        &self,
        receipt: &Receipt,
        posted: &[Receipt],
        tree: &SumTree,
        left: usize,
    ) -> attrib_receipt_oracle::msg::OmittedReceiptProof {
        attrib_receipt_oracle::msg::OmittedReceiptProof {
            receipt: receipt.clone(),
            signature: self.sign(receipt.digest()),
            left: posted[left].clone(),
            left_path: tree.path(0, left as u64),
            right: posted[left + 1].clone(),
            right_path: tree.path(0, left as u64 + 1),
        }
    }

    pub fn sign(&self, digest: [u8; 32]) -> HexBinary {
        let sig: Signature = self.key.sign_prehash(&digest).unwrap();
        HexBinary::from(sig.to_bytes().to_vec())
    }

    pub fn fund(&self, amount: u128) {
        self.oracle()
            .fund_escrow(self.model)
            .with_funds(&[coin(amount, DENOM)])
            .call(&self.stranger)
            .unwrap();
    }

    /// The honest header of `receipts` (in the given order) as batch `seq` of their model.
    pub fn header(&self, seq: u64, receipts: &[Receipt]) -> (BatchHeader, SumTree) {
        let tree = SumTree::from_receipts(receipts).unwrap().unwrap();
        let c = tree.commitment();
        let header = BatchHeader {
            chain_id: self.chain_id(),
            contract: self.oracle.to_string(),
            model_id: receipts[0].model_id,
            epoch: receipts[0].epoch,
            operator: self.operator.to_string(),
            seq,
            first_id: receipts[0].receipt_id,
            last_id: receipts.last().unwrap().receipt_id,
            count: c.count,
            total_units: Uint128::new(c.total),
            root: HexBinary::from(c.root.to_vec()),
        };
        (header, tree)
    }

    /// The operator's batch `seq` of the model, as a fraud proof names it.
    pub fn batch_ref(&self, seq: u64) -> BatchRef {
        BatchRef {
            model_id: self.model,
            operator: self.operator.to_string(),
            seq,
        }
    }

    /// Posts whatever `header` claims, with `signature`, as the operator.
    pub fn submit_with_signature(
        &self,
        h: &BatchHeader,
        signature: HexBinary,
        replaces: Option<u64>,
    ) -> Result<AppResponse, ContractError> {
        self.oracle()
            .submit_batch(NewBatch {
                model_id: h.model_id,
                epoch: h.epoch,
                seq: h.seq,
                first_id: h.first_id,
                last_id: h.last_id,
                count: h.count,
                total_units: h.total_units,
                root: h.root.clone(),
                signature,
                replaces,
            })
            .call(&self.operator)
    }

    /// Signs `header` with the operator's key and posts it.
    pub fn submit(&self, header: &BatchHeader, replaces: Option<u64>) -> Result<AppResponse, ContractError> {
        self.submit_with_signature(header, self.sign(header.digest()), replaces)
    }

    /// Builds the tree over `receipts` and posts it honestly as batch `seq`.
    pub fn post(
        &self,
        seq: u64,
        receipts: &[Receipt],
        replaces: Option<u64>,
    ) -> Result<(AppResponse, SumTree), ContractError> {
        let (header, tree) = self.header(seq, receipts);
        Ok((self.submit(&header, replaces)?, tree))
    }

    pub fn operator_bonded(&self) -> u128 {
        self.staking()
            .staker(self.operator.to_string())
            .unwrap()
            .staker
            .unwrap()
            .bonded
            .u128()
    }

    /// The oracle holds exactly the models' escrow and bond, and the fees of open
    /// inclusion requests.
    #[track_caller]
    pub fn assert_escrow_backed(&self) {
        let m = self.oracle().model(self.model).unwrap();
        assert_eq!(
            self.balance(&self.oracle),
            (m.escrow + m.bond).u128() + self.open_inclusion_fees()
        );
    }

    /// Fees held for the open inclusion requests on the operator's batches.
    pub fn open_inclusion_fees(&self) -> u128 {
        self.snapshot()
            .inclusions
            .iter()
            .filter(|r| r.status == attrib_receipt_oracle::state::InclusionStatus::Open)
            .map(|r| r.fee.amount.u128())
            .sum()
    }
}

#[derive(Debug, PartialEq)]
pub struct Snapshot {
    model: attrib_receipt_oracle::state::Model,
    cursor: attrib_receipt_oracle::state::Cursor,
    batches: Vec<attrib_receipt_oracle::state::Batch>,
    balances: Vec<u128>,
    operator_stake: u128,
    config: attrib_receipt_oracle::state::Config,
    /// Every batch's inclusion requests, and the audit counters.
    inclusions: Vec<attrib_receipt_oracle::state::InclusionRequest>,
    audits: attrib_std::interfaces::omission_target::AuditStats,
}

impl Suite {
    pub fn snapshot(&self) -> Snapshot {
        use attrib_std::interfaces::omission_target::sv::mt::OmissionTargetProxy;
        let o = self.oracle();
        let batches = o
            .batches(self.model, self.operator.to_string(), None, None)
            .unwrap()
            .batches;
        let inclusions = batches
            .iter()
            .flat_map(|b| {
                o.inclusion_requests(self.batch_ref(b.seq), None, None)
                    .unwrap()
                    .requests
            })
            .collect();
        Snapshot {
            inclusions,
            audits: o.audit_stats().unwrap(),
            model: o.model(self.model).unwrap(),
            cursor: o.cursor(self.model, self.operator.to_string()).unwrap(),
            batches,
            balances: [
                &self.oracle,
                &self.pool,
                &self.owner,
                &self.operator,
                &self.auditor,
                &self.stranger,
            ]
            .iter()
            .map(|a| self.balance(a))
            .collect(),
            operator_stake: self.operator_bonded(),
            config: o.config().unwrap(),
        }
    }

    /// Fails with exactly `expected` and changes nothing.
    #[track_caller]
    pub fn assert_refused<T: std::fmt::Debug>(
        &self,
        expected: ContractError,
        call: impl FnOnce(&Suite) -> Result<T, ContractError>,
    ) {
        let before = self.snapshot();
        assert_eq!(call(self).expect_err("should fail"), expected);
        assert_eq!(self.snapshot(), before, "a refused call changed state");
    }
}
