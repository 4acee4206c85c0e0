//! The protocol under test and the actors' moves. Every move is a small helper that sends
//! one message the way that actor would, so an API change touches one helper, not the
//! generator. The world remembers only what an off-chain actor would (ids it was told,
//! receipts it signed, votes it committed); everything else is read back by query.

use std::collections::{BTreeMap, BTreeSet};

use attrib_curator_staking::contract::sv::mt::CuratorStakingContractProxy;
use attrib_receipt_oracle::contract::sv::mt::ReceiptOracleContractProxy;
use attrib_receipt_oracle::msg::{AlteredReceiptProof, BatchRef, NewBatch, OmittedReceiptProof};
use attrib_receipt_oracle::state::{BatchStatus, LineageEntry};
use attrib_registry::contract::sv::mt::RegistryContractProxy;
use attrib_registry::msg::{NewDataset, TrancheFilter, TrancheRegistration};
use attrib_reward_distributor::contract::sv::mt::RewardDistributorContractProxy;
use attrib_std::curation::{vote_commitment, Vote};
use attrib_std::interfaces::governance::sv::mt::GovernanceProxy;
use attrib_std::interfaces::reward_pool::sv::mt::RewardPoolProxy;
use attrib_std::interfaces::slashing_service::Role;
use attrib_std::receipts::{BatchHeader, Receipt, SumTree};
use attrib_std::registry::{LicenseExpiry, LicenseId, LicenseTerms, TrancheStatus, VerificationTier};
use attrib_std::rewards::{Earmark, InflowReason, PoolReceiveMsg, PositionRef};
use attrib_tests::{addr, Protocol, ProtocolBuilder, DENOM};
use cosmwasm_std::{coin, from_json, to_json_binary, Addr, Coin, HexBinary, Uint128};
use cw_multi_test::{AppResponse, Executor};
use k256::ecdsa::signature::hazmat::PrehashSigner;
use k256::ecdsa::{Signature, SigningKey};

/// A denom nobody accepts: the "wrong funds" of bad messages.
pub const OTHER: &str = "uother";
pub const START: u128 = 1_000_000_000;
pub const TOKEN_SUPPLY: u128 = 100_000_000;
pub const EMISSION_RESERVE: u128 = 1_000_000;
pub const DATASET_BOND: u128 = 1_000;
pub const TRANCHE_BOND: u128 = 100;
pub const DISPUTE_BOND: u128 = 1_000;
pub const PRICE: u128 = 500;
pub const ROYALTY: u128 = 2;
pub const MODEL_BOND: u128 = 10_000;
pub const OPERATOR_STAKE: u128 = 100_000;
pub const CHALLENGE_WINDOW: u64 = 3_600;
pub const VESTING: u64 = 3_600;
pub const ORACLE_WINDOW: u64 = 600;
/// The protocol's epoch (curator points and the reward pool) and the oracle's.
pub const EPOCH: u64 = 3_600;

pub const CURATORS: [&str; 4] = ["cur1", "cur2", "cur3", "cur4"];
pub const CONTRIBUTORS: [&str; 3] = ["maintainer", "alice", "bob"];
/// Everyone who may ever hold a coin, besides the contracts.
pub const ACTORS: [&str; 13] = [
    "admin",
    "maintainer",
    "alice",
    "bob",
    "cur1",
    "cur2",
    "cur3",
    "cur4",
    "challenger",
    "owner",
    "operator",
    "buyer",
    "stranger",
];

pub type Res = Result<AppResponse, String>;

fn res<E: std::fmt::Debug>(r: Result<AppResponse, E>) -> Res {
    r.map_err(|e| format!("{e:?}"))
}

/// What a batch carried, as the operator (and whoever kept the receipts) knows it.
#[derive(Clone)]
pub struct PostedBatch {
    pub model: u64,
    pub seq: u64,
    /// What the gateway signed and handed to users.
    pub signed: Vec<Receipt>,
    /// What the tree holds.
    pub posted: Vec<Receipt>,
    pub fraud: Fraud,
}

impl PostedBatch {
    /// The merkle-sum tree the operator built (and whoever has the leaves rebuilds).
    pub fn tree(&self) -> SumTree {
        SumTree::from_receipts(&self.posted).unwrap().unwrap()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fraud {
    None,
    /// `signed[i]` is left out of the tree.
    Omitted(usize),
    /// `posted[i]` carries fewer units than `signed[i]`.
    Altered(usize),
}

pub struct World {
    pub p: Protocol,
    pub token: Addr,
    pub token_denom: String,
    pub key: SigningKey,
    pub wrong_key: SigningKey,
    pub schema: u64,
    pub datasets: Vec<u64>,
    pub tranches: Vec<u64>,
    pub models: Vec<u64>,
    pub batches: Vec<PostedBatch>,
    /// Committed votes not yet revealed: (review, curator) → (vote, salt).
    pub votes: BTreeMap<(u64, String), (Vote, Vec<u8>)>,
    pub reviews: BTreeSet<u64>,
    roots: u64,
}

impl World {
    pub fn build() -> World {
        let p = ProtocolBuilder::default()
            .with_funded_actors(&ACTORS, &[coin(START, DENOM), coin(START, OTHER)])
            .with_protocol_token(&[("admin", TOKEN_SUPPLY)])
            .with_emission(10_000, 2_500)
            .with_vesting(VESTING)
            .with_challenge_window(CHALLENGE_WINDOW)
            .with_registry_fees(
                Some(coin(10, DENOM)),
                Some(coin(DATASET_BOND, DENOM)),
                Some(coin(TRANCHE_BOND, DENOM)),
            )
            // Hourly protocol epochs, two-hour unbonding, dispute window and withdrawal
            // notice, commit and reveal phases that outlive a few moves: short sequences
            // still vote, close, settle, vest and release.
            .with_staking_params(|s| {
                s.epoch_secs = EPOCH;
                s.unbonding_secs = 2 * EPOCH;
                s.dispute_window_secs = 2 * EPOCH;
                s.commit_secs = 1_000;
                s.reveal_secs = 1_000;
            })
            .with_oracle_params(|o| {
                o.dispute_window_secs = ORACLE_WINDOW;
                o.withdraw_notice_secs = 2 * EPOCH;
            })
            .build();
        let token = p.token.clone().expect("built with the token");
        let token_denom = attrib_std::funds::cw20_denom(&token);
        let mut w = World {
            p,
            token,
            token_denom,
            key: SigningKey::from_bytes(&[7u8; 32].into()).unwrap(),
            wrong_key: SigningKey::from_bytes(&[9u8; 32].into()).unwrap(),
            schema: 0,
            datasets: vec![],
            tranches: vec![],
            models: vec![],
            batches: vec![],
            votes: BTreeMap::new(),
            reviews: BTreeSet::new(),
            roots: 0,
        };
        w.bootstrap();
        w
    }

    /// A deployment that already lives: curators and the operator staked, one sealed
    /// optimistic dataset licensed to a model that the operator meters, emissions funded.
    fn bootstrap(&mut self) {
        for (i, c) in CURATORS.iter().enumerate() {
            self.stake(c, coin(1_000 * (i as u128 + 1), DENOM)).unwrap();
        }
        self.stake("operator", coin(OPERATOR_STAKE, DENOM)).unwrap();
        let pubkey = HexBinary::from(
            self.key
                .verifying_key()
                .to_encoded_point(true)
                .as_bytes()
                .to_vec(),
        );
        self.p
            .receipt_oracle()
            .register_operator(pubkey)
            .call(&addr("operator"))
            .unwrap();
        self.fund_emissions(EMISSION_RESERVE).unwrap();
        let resp = self
            .p
            .registry()
            .register_schema("ipfs://schema".into(), HexBinary::from([1u8; 32]))
            .with_funds(&[coin(10, DENOM)])
            .call(&addr("maintainer"))
            .unwrap();
        self.schema = from_json(resp.data.unwrap()).unwrap();
        let d = self
            .register_dataset(VerificationTier::Optimistic, coin(DATASET_BOND, DENOM))
            .unwrap();
        let t = self
            .register_tranche(d, "alice", false, coin(TRANCHE_BOND, DENOM))
            .unwrap()
            .unwrap();
        self.advance(CHALLENGE_WINDOW + 1);
        self.accept_unchallenged(t).unwrap();
        self.seal_version("maintainer", d, vec![t]).unwrap();
        self.buy_license("owner", d, 1, coin(PRICE, DENOM)).unwrap();
        self.register_model("owner", vec![(d, 1)], coin(MODEL_BOND, DENOM))
            .unwrap();
        self.register_dataset(VerificationTier::Strict, coin(DATASET_BOND, DENOM))
            .unwrap();
        // Every curator keeps an entropy commitment outstanding, as the CLI does: the
        // first review drawn finds entropy that counts (committed before its request).
        attrib_tests::next_block(&self.p.app);
        let height = self.p.app.block_info().height;
        for c in CURATORS {
            let a = addr(c);
            let salt = attrib_tests::entropy_salt(&a, height);
            let commitment = attrib_std::curation::entropy_commitment(a.as_str(), &salt);
            self.p
                .curator_staking()
                .commit_entropy(commitment.to_vec().into())
                .call(&a)
                .unwrap();
        }
        attrib_tests::next_block(&self.p.app);
    }

    // ---------------------------------------------------------------- reading

    pub fn now(&self) -> u64 {
        self.p.app.block_info().time.seconds()
    }

    pub fn advance(&self, secs: u64) {
        attrib_tests::advance(&self.p.app, secs);
    }

    /// Every address that can hold a coin: the actors and the contracts.
    pub fn holders(&self) -> Vec<Addr> {
        let mut h: Vec<Addr> = ACTORS.iter().map(|a| addr(a)).collect();
        h.extend([
            self.p.registry.clone(),
            self.p.curator_staking.clone(),
            self.p.receipt_oracle.clone().unwrap(),
            self.p.reward_distributor.clone(),
            self.token.clone(),
        ]);
        h
    }

    pub fn denoms(&self) -> Vec<String> {
        vec![DENOM.to_string(), OTHER.to_string(), self.token_denom.clone()]
    }

    /// A balance in a native or `cw20:` denom.
    pub fn balance(&self, who: &Addr, denom: &str) -> u128 {
        if denom == self.token_denom {
            let r: cw20::BalanceResponse = self
                .p
                .app
                .querier()
                .query_wasm_smart(
                    &self.token,
                    &cw20::Cw20QueryMsg::Balance {
                        address: who.to_string(),
                    },
                )
                .unwrap();
            r.balance.u128()
        } else {
            attrib_tests::balance(&self.p.app, who, denom)
        }
    }

    pub fn balances_of(&self, who: &Addr) -> BTreeMap<String, u128> {
        self.denoms()
            .into_iter()
            .map(|d| (d.clone(), self.balance(who, &d)))
            .collect()
    }

    /// Who can ever hold the protocol token: its first holder (the admin, also the
    /// treasury), the pool, and those the pool pays (contributors, curators). Anything
    /// sent elsewhere shows as a drop in supply.
    pub fn token_holders(&self) -> Vec<Addr> {
        let mut h: Vec<Addr> = ["admin"]
            .iter()
            .chain(&CONTRIBUTORS)
            .chain(&CURATORS)
            .map(|a| addr(a))
            .collect();
        h.push(self.p.reward_distributor.clone());
        h
    }

    /// Every balance of every holder: (holder, denom) → amount, zeros left out.
    pub fn all_balances(&self) -> BTreeMap<(Addr, String), u128> {
        let mut out = BTreeMap::new();
        for h in self.holders() {
            for denom in [DENOM, OTHER] {
                let b = attrib_tests::balance(&self.p.app, &h, denom);
                if b > 0 {
                    out.insert((h.clone(), denom.to_string()), b);
                }
            }
        }
        for h in self.token_holders() {
            let b = self.balance(&h, &self.token_denom);
            if b > 0 {
                out.insert((h, self.token_denom.clone()), b);
            }
        }
        out
    }

    /// Accepted tranches of a dataset.
    pub fn accepted_tranches(&self, dataset: u64) -> Vec<u64> {
        self.p
            .registry()
            .tranches(
                Some(TrancheFilter {
                    dataset_id: Some(dataset),
                    contributor: None,
                    status: Some(TrancheStatus::Accepted),
                }),
                None,
                Some(100),
            )
            .unwrap()
            .tranches
            .into_iter()
            .map(|t| t.id)
            .collect()
    }

    /// Every sealed (dataset, version) and its tranches.
    pub fn versions(&self) -> Vec<(u64, u32, Vec<u64>)> {
        let r = self.p.registry();
        let mut out = vec![];
        for d in &self.datasets {
            for v in r.versions(*d, None, Some(100)).unwrap().versions {
                out.push((*d, v.version, v.tranche_ids));
            }
        }
        out
    }

    pub fn current_oracle_epoch(&self) -> u64 {
        self.p.receipt_oracle().epoch().unwrap().current
    }

    // ---------------------------------------------------------------- contributors

    pub fn terms(&self) -> LicenseTerms {
        LicenseTerms {
            license: LicenseId::Spdx("CC-BY-4.0".into()),
            commercial_use: true,
            derivatives_allowed: true,
            price: vec![coin(PRICE, DENOM)],
            royalty_per_unit: vec![coin(1, DENOM)],
            expiry: LicenseExpiry::Perpetual,
        }
    }

    pub fn register_dataset(&mut self, tier: VerificationTier, bond: Coin) -> Result<u64, String> {
        let resp = res(self
            .p
            .registry()
            .register_dataset(NewDataset {
                name: format!("d{}", self.datasets.len()),
                schema_id: self.schema,
                metadata_uri: "ipfs://d".into(),
                terms: self.terms(),
                tier,
                weight_rule: None,
                max_tranche_records: None,
                canaries: None,
            })
            .with_funds(&[bond])
            .call(&addr("maintainer")))?;
        let id: u64 = from_json(resp.data.unwrap()).unwrap();
        self.datasets.push(id);
        Ok(id)
    }

    /// A tranche with a fresh content root, or (`duplicate`) one registered before:
    /// `Ok(None)` when the registry refused it as a duplicate (bond forfeited).
    pub fn register_tranche(
        &mut self,
        dataset: u64,
        contributor: &str,
        duplicate: bool,
        bond: Coin,
    ) -> Result<Option<u64>, String> {
        let n = if duplicate && self.roots > 0 {
            self.roots
        } else {
            self.roots + 1
        };
        let mut root = [0u8; 32];
        root[..8].copy_from_slice(&n.to_be_bytes());
        root[31] = 0xab;
        let who = addr(contributor);
        let args = attrib_tests::TrancheArgs {
            dataset_id: dataset,
            content_root: HexBinary::from(root),
            record_count: 10 + n % 90,
            byte_size: 1_000,
            metadata_uri: "ipfs://t",
        };
        // Commit, then reveal a block later. A refused reveal (e.g. curator staking paused
        // under a strict dataset) leaves the commitment: the contributor takes it back, so
        // the whole move is refused and changes nothing, as the checks expect.
        let commitment = attrib_tests::commit_tranche(&self.p.app, &self.p.registry, &who, &args, &[bond])
            .map_err(|e| format!("{e:?}"))?;
        attrib_tests::next_block(&self.p.app);
        let resp = match res(attrib_tests::reveal_tranche(
            &self.p.app,
            &self.p.registry,
            &who,
            args,
        )) {
            Ok(resp) => resp,
            Err(e) => {
                self.p
                    .registry()
                    .withdraw_tranche_commitment(commitment)
                    .call(&who)
                    .map_err(|w| format!("{e}; withdrawing the commitment failed: {w}"))?;
                return Err(e);
            }
        };
        self.roots = self.roots.max(n);
        let reg: TrancheRegistration = from_json(resp.data.unwrap()).unwrap();
        if let Some(t) = reg.tranche_id {
            self.tranches.push(t);
        }
        Ok(reg.tranche_id)
    }

    pub fn accept_unchallenged(&self, tranche: u64) -> Res {
        res(self
            .p
            .registry()
            .accept_unchallenged(tranche)
            .call(&addr("stranger")))
    }

    pub fn seal_version(&self, who: &str, dataset: u64, tranches: Vec<u64>) -> Res {
        res(self.p.registry().seal_version(dataset, tranches).call(&addr(who)))
    }

    pub fn buy_license(&self, who: &str, dataset: u64, version: u32, pay: Coin) -> Res {
        res(self
            .p
            .registry()
            .buy_license(dataset, version, None)
            .with_funds(&[pay])
            .call(&addr(who)))
    }

    // ---------------------------------------------------------------- curators

    pub fn stake(&self, who: &str, amount: Coin) -> Res {
        let role = if who == "operator" {
            Role::Operator
        } else {
            Role::Curator
        };
        res(self
            .p
            .curator_staking()
            .stake(role)
            .with_funds(&[amount])
            .call(&addr(who)))
    }

    pub fn unstake(&self, who: &str, amount: u128) -> Res {
        res(self
            .p
            .curator_staking()
            .unstake(Uint128::new(amount))
            .call(&addr(who)))
    }

    pub fn claim_unbonded(&self, who: &str) -> Res {
        res(self.p.curator_staking().claim_unbonded().call(&addr(who)))
    }

    pub fn withdraw_payout(&self, who: &str) -> Res {
        res(self.p.curator_staking().withdraw_payout().call(&addr(who)))
    }

    pub fn challenge(&self, who: &str, tranche: u64, bond: Coin) -> Res {
        res(self
            .p
            .curator_staking()
            .challenge(tranche, HexBinary::from([5u8; 32]), "ipfs://evidence".into())
            .with_funds(&[bond])
            .call(&addr(who)))
    }

    pub fn commit_vote(&mut self, review: u64, who: &str, vote: Vote, salt: Vec<u8>) -> Res {
        let voter = addr(who);
        let c = vote_commitment(review, voter.as_str(), vote, &salt);
        let r = res(self
            .p
            .curator_staking()
            .commit_vote(review, HexBinary::from(c.to_vec()))
            .call(&voter));
        if r.is_ok() {
            self.votes.insert((review, who.to_string()), (vote, salt));
        }
        r
    }

    pub fn reveal_vote(&self, review: u64, who: &str, vote: Vote, salt: Vec<u8>) -> Res {
        res(self
            .p
            .curator_staking()
            .reveal_vote(review, vote, HexBinary::from(salt))
            .call(&addr(who)))
    }

    /// Draws `review`'s committee the CLI's way: in the next block every curator reveals
    /// the entropy it committed and commits a fresh one, then anyone draws (after the
    /// draw timeout without entropy, the admin).
    pub fn draw_committee(&self, review: u64, by_admin: bool) -> Res {
        let st = self.p.curator_staking();
        attrib_tests::next_block(&self.p.app);
        for c in CURATORS {
            let a = addr(c);
            if let Some(commit) = st.entropy(a.to_string()).map_err(|e| format!("{e:?}"))?.commit {
                // A curator that left cannot reveal any more: that is its own loss.
                let _ = st
                    .reveal_entropy(attrib_tests::entropy_salt(&a, commit.height))
                    .call(&a);
            }
            let salt = attrib_tests::entropy_salt(&a, self.p.app.block_info().height);
            let commitment = attrib_std::curation::entropy_commitment(a.as_str(), &salt);
            let _ = st.commit_entropy(commitment.to_vec().into()).call(&a);
        }
        let who = if by_admin { "admin" } else { "stranger" };
        res(st.draw_committee(review).call(&addr(who)))
    }

    pub fn finalize_review(&self, review: u64) -> Res {
        res(self
            .p
            .curator_staking()
            .finalize_review(review)
            .call(&addr("stranger")))
    }

    pub fn admin_resolve(&self, who: &str, review: u64, outcome: Vote) -> Res {
        res(self
            .p
            .curator_staking()
            .admin_resolve(review, outcome)
            .call(&addr(who)))
    }

    // ---------------------------------------------------------------- model owners

    pub fn register_model(&mut self, who: &str, lineage: Vec<(u64, u32)>, bond: Coin) -> Result<u64, String> {
        let n = lineage.len() as u32;
        let lineage: Vec<LineageEntry> = lineage
            .into_iter()
            .enumerate()
            .map(|(i, (d, v))| LineageEntry {
                dataset_id: d,
                version: v,
                weight_bps: 10_000 / n + if i == 0 { 10_000 % n } else { 0 },
            })
            .collect();
        let o = self.p.receipt_oracle();
        let resp = res(o
            .register_model("ipfs://model".into(), lineage, None, coin(ROYALTY, DENOM))
            .with_funds(&[bond])
            .call(&addr(who)))?;
        let id: u64 = from_json(resp.data.unwrap()).unwrap();
        self.models.push(id);
        res(o
            .set_model_operator(id, addr("operator").to_string(), true)
            .call(&addr(who)))?;
        Ok(id)
    }

    pub fn fund_escrow(&self, who: &str, model: u64, pay: Coin) -> Res {
        res(self
            .p
            .receipt_oracle()
            .fund_escrow(model)
            .with_funds(&[pay])
            .call(&addr(who)))
    }

    pub fn request_withdrawal(&self, who: &str, model: u64, amount: u128) -> Res {
        res(self
            .p
            .receipt_oracle()
            .request_withdrawal(model, Uint128::new(amount))
            .call(&addr(who)))
    }

    pub fn withdraw_escrow(&self, who: &str, model: u64) -> Res {
        res(self.p.receipt_oracle().withdraw_escrow(model).call(&addr(who)))
    }

    pub fn close_model(&self, who: &str, model: u64) -> Res {
        res(self.p.receipt_oracle().close_model(model).call(&addr(who)))
    }

    // ---------------------------------------------------------------- operators

    fn sign(key: &SigningKey, digest: [u8; 32]) -> HexBinary {
        let sig: Signature = key.sign_prehash(&digest).unwrap();
        HexBinary::from(sig.to_bytes().to_vec())
    }

    /// The receipts the gateway signs for `units` (one receipt each), continuing the
    /// operator's ids for the model, in the current metering epoch.
    pub fn serve(&self, model: u64, units: &[u64]) -> Vec<Receipt> {
        let o = self.p.receipt_oracle();
        let cursor = o.cursor(model, addr("operator").to_string()).unwrap();
        let epoch = self.current_oracle_epoch();
        units
            .iter()
            .enumerate()
            .map(|(i, u)| Receipt {
                chain_id: self.p.app.block_info().chain_id,
                contract: self.p.receipt_oracle.clone().unwrap().to_string(),
                model_id: model,
                epoch,
                receipt_id: cursor.last_id + 1 + i as u64,
                units: *u,
                timestamp: self.now(),
            })
            .collect()
    }

    fn header(&self, model: u64, seq: u64, declared: (&Receipt, &Receipt), tree: &SumTree) -> BatchHeader {
        let c = tree.commitment();
        BatchHeader {
            chain_id: self.p.app.block_info().chain_id,
            contract: self.p.receipt_oracle.clone().unwrap().to_string(),
            model_id: model,
            epoch: declared.0.epoch,
            operator: addr("operator").to_string(),
            seq,
            first_id: declared.0.receipt_id,
            last_id: declared.1.receipt_id,
            count: c.count,
            total_units: Uint128::new(c.total),
            root: HexBinary::from(c.root.to_vec()),
        }
    }

    fn send_header(&self, h: &BatchHeader, key: &SigningKey, replaces: Option<u64>) -> Res {
        res(self
            .p
            .receipt_oracle()
            .submit_batch(NewBatch {
                model_id: h.model_id,
                epoch: h.epoch,
                seq: h.seq,
                first_id: h.first_id,
                last_id: h.last_id,
                count: h.count,
                total_units: h.total_units,
                root: h.root.clone(),
                signature: Self::sign(key, h.digest()),
                replaces,
            })
            .call(&addr("operator")))
    }

    /// Posts `signed` as the operator's next batch for the model, honestly or with one
    /// `fraud`, signed with the right key or not. Remembers what it posted.
    pub fn submit_batch(
        &mut self,
        model: u64,
        signed: Vec<Receipt>,
        fraud: Fraud,
        right_key: bool,
        replaces: Option<u64>,
    ) -> Res {
        let mut posted = signed.clone();
        match fraud {
            Fraud::None => {}
            Fraud::Omitted(i) => {
                posted.remove(i);
            }
            Fraud::Altered(i) => posted[i].units -= 1,
        }
        let tree = SumTree::from_receipts(&posted).unwrap().unwrap();
        let seq = self
            .p
            .receipt_oracle()
            .cursor(model, addr("operator").to_string())
            .unwrap()
            .next_seq;
        let h = self.header(model, seq, (&signed[0], signed.last().unwrap()), &tree);
        let key = if right_key {
            self.key.clone()
        } else {
            self.wrong_key.clone()
        };
        let r = self.send_header(&h, &key, replaces)?;
        self.batches.push(PostedBatch {
            model,
            seq,
            signed,
            posted,
            fraud,
        });
        Ok(r)
    }

    /// Posts a batch already posted again, same sequence and signature.
    pub fn replay_batch(&self, b: &PostedBatch) -> Res {
        let h = self.header(
            b.model,
            b.seq,
            (&b.signed[0], b.signed.last().unwrap()),
            &b.tree(),
        );
        self.send_header(&h, &self.key.clone(), None)
    }

    pub fn batch_status(&self, b: &PostedBatch) -> (BatchStatus, u64) {
        let batch = self
            .p
            .receipt_oracle()
            .batch(b.model, addr("operator").to_string(), b.seq)
            .unwrap();
        (batch.status, batch.posted_at)
    }

    pub fn finalize_batch(&self, b: &PostedBatch) -> Res {
        res(self
            .p
            .receipt_oracle()
            .finalize_batch(b.model, addr("operator").to_string(), b.seq)
            .call(&addr("stranger")))
    }

    fn batch_ref(b: &PostedBatch) -> BatchRef {
        BatchRef {
            model_id: b.model,
            operator: addr("operator").to_string(),
            seq: b.seq,
        }
    }

    /// The auditor proves `b`'s fraud: with the evidence it really holds (`valid`), or
    /// with a receipt the operator never signed.
    pub fn prove_fraud(&self, who: &str, b: &PostedBatch, valid: bool) -> Res {
        let o = self.p.receipt_oracle();
        let key = if valid { &self.key } else { &self.wrong_key };
        let tree = b.tree();
        match b.fraud {
            Fraud::Omitted(i) => res(o
                .challenge_omitted_receipt(
                    Self::batch_ref(b),
                    OmittedReceiptProof {
                        receipt: b.signed[i].clone(),
                        signature: Self::sign(key, b.signed[i].digest()),
                        left: b.posted[i - 1].clone(),
                        left_path: tree.path(0, i as u64 - 1),
                        right: b.posted[i].clone(),
                        right_path: tree.path(0, i as u64),
                    },
                )
                .call(&addr(who))),
            Fraud::Altered(i) => res(o
                .challenge_altered_receipt(
                    Self::batch_ref(b),
                    AlteredReceiptProof {
                        receipt: b.signed[i].clone(),
                        signature: Self::sign(key, b.signed[i].digest()),
                        leaf: b.posted[i].clone(),
                        path: tree.path(0, i as u64),
                    },
                )
                .call(&addr(who))),
            // An honest batch: claim its (true) first leaf was altered.
            Fraud::None => res(o
                .challenge_altered_receipt(
                    Self::batch_ref(b),
                    AlteredReceiptProof {
                        receipt: b.signed[0].clone(),
                        signature: Self::sign(key, b.signed[0].digest()),
                        leaf: b.posted[0].clone(),
                        path: tree.path(0, 0),
                    },
                )
                .call(&addr(who))),
        }
    }

    // ---------------------------------------------------------------- buyers, anyone

    pub fn pay_direct(&self, who: &str, earmarks: Vec<(u64, u32)>, pay: Coin) -> Res {
        let n = earmarks.len().max(1) as u32;
        let earmarks = earmarks
            .into_iter()
            .enumerate()
            .map(|(i, (d, v))| Earmark {
                dataset_id: d,
                version: v,
                weight_bps: 10_000 / n + if i == 0 { 10_000 % n } else { 0 },
            })
            .collect();
        res(self
            .p
            .reward_distributor()
            .pay(earmarks, InflowReason::DirectPayment, None)
            .with_funds(&[pay])
            .call(&addr(who)))
    }

    pub fn fund_emissions(&self, amount: u128) -> Res {
        // A raw cw20 call fails with an anyhow error: its Display (`{:#}`), not its
        // Debug, so no backtrace is rendered for every refused move.
        self.p
            .app
            .app_mut()
            .execute_contract(
                addr("admin"),
                self.token.clone(),
                &cw20::Cw20ExecuteMsg::Send {
                    contract: self.p.reward_distributor.to_string(),
                    amount: Uint128::new(amount),
                    msg: to_json_binary(&PoolReceiveMsg::FundEmissions {}).unwrap(),
                },
                &[],
            )
            .map_err(|e| format!("{e:#}"))
    }

    pub fn close_epoch(&self) -> Res {
        res(self.p.reward_distributor().close_epoch().call(&addr("stranger")))
    }

    pub fn settle_epoch(&self, limit: u32) -> Res {
        res(self
            .p
            .reward_distributor()
            .settle_epoch(limit)
            .call(&addr("stranger")))
    }

    pub fn claim_rewards(&self, who: &str, positions: Vec<PositionRef>) -> Res {
        res(self
            .p
            .reward_distributor()
            .claim_rewards(positions, None)
            .call(&addr(who)))
    }

    pub fn claim_curator_rewards(&self, who: &str, epochs: Vec<u64>) -> Res {
        res(self
            .p
            .reward_distributor()
            .claim_curator_rewards(epochs, None)
            .call(&addr(who)))
    }

    pub fn claim_treasury(&self, who: &str) -> Res {
        res(self.p.reward_distributor().claim_treasury(None).call(&addr(who)))
    }

    // ---------------------------------------------------------------- admin

    /// Pause or resume contract `which` (0 registry, 1 staking, 2 oracle, 3 pool).
    pub fn set_paused(&self, who: &str, which: usize, paused: bool) -> Res {
        let sender = addr(who);
        match which {
            0 => res(self.p.registry().set_paused(paused).call(&sender)),
            1 => res(self.p.curator_staking().set_paused(paused).call(&sender)),
            2 => res(self.p.receipt_oracle().set_paused(paused).call(&sender)),
            _ => res(self.p.reward_distributor().set_paused(paused).call(&sender)),
        }
    }

    /// A message with a coin attached to a call that takes none.
    pub fn unexpected_funds(&self, who: &str) -> Res {
        res(self
            .p
            .reward_distributor()
            .close_epoch()
            .with_funds(&[coin(5, DENOM)])
            .call(&addr(who)))
    }
}
