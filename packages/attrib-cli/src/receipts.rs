//! `attrib receipts …`: the off-chain half of metering, for operators and auditors. An
//! operator's gateway signs receipts, builds the merkle-sum tree of a batch and posts its
//! header (`submit_batch`); anyone proves a receipt's inclusion or absence from a published
//! receipts file. Receipts are signed, treed and proven with `attrib_std::receipts` — the
//! same code the contract verifies with. The oracle's own transactions, fraud proofs
//! included, are `attrib tx oracle` ([`crate::oracle`]); they read these files.
//!
//! Files: a receipts file is JSONL, one `{"receipt": {…}, "signature": "<hex>"}` per
//! line, sorted by receipt id; a batch file is the JSON summary `receipts build` writes.

use std::io::{BufRead, Write};
use std::path::{Path as FsPath, PathBuf};

use anyhow::{anyhow, bail, Context, Result};
use attrib_receipt_oracle::contract::sv::{ExecMsg, QueryMsg};
use attrib_receipt_oracle::msg::NewBatch;
use attrib_receipt_oracle::state::Cursor;
pub use attrib_std::receipts::SignedReceipt;
use attrib_std::receipts::{BatchHeader, Path, Receipt};
use clap::Subcommand;
use cosmwasm_std::{HexBinary, Uint128};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::context::Ctx;
use crate::keys::Signer;
use crate::oracle::CONTRACT;

/// What `receipts build` writes and `receipts submit` posts.
#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct BatchFile {
    pub model_id: u64,
    pub epoch: u64,
    pub first_id: u64,
    pub last_id: u64,
    pub count: u64,
    pub total_units: Uint128,
    pub root: HexBinary,
    /// The receipts in the tree (the data the operator publishes for auditors).
    pub receipts_file: PathBuf,
}

#[derive(Subcommand, Debug)]
pub enum ReceiptsCmd {
    /// Operator gateway: sign `count` receipts for a model from `first_id` (current epoch)
    Sign {
        #[arg(long)]
        model_id: u64,
        #[arg(long)]
        first_id: u64,
        #[arg(long)]
        count: u64,
        /// Units per receipt (a fixed number; or min-max for a deterministic spread)
        #[arg(long, default_value = "1")]
        units: String,
        #[arg(long)]
        out: PathBuf,
    },
    /// Build the merkle-sum tree of a receipts file: writes the batch file and the
    /// posted receipts (leaving out --omit ids, to simulate an under-reporting operator)
    Build {
        #[arg(long = "in")]
        input: PathBuf,
        #[arg(long, value_delimiter = ',')]
        omit: Vec<u64>,
        /// Where the posted receipts go (default: <batch>.receipts.jsonl)
        #[arg(long)]
        posted: Option<PathBuf>,
        #[arg(long)]
        out: PathBuf,
    },
    /// Sign the batch header with --from and post it (sequence from the chain)
    Submit {
        #[arg(long)]
        batch: PathBuf,
        #[arg(long)]
        replaces: Option<u64>,
    },
    /// Inclusion proof of a receipt id in a receipts file, or its non-inclusion proof
    Prove {
        #[arg(long)]
        posted: PathBuf,
        #[arg(long)]
        receipt_id: u64,
    },
}

// What the commands print (top-level fields sorted by name: the order this output has
// always had).

/// `receipts sign`: the file written and what it holds.
#[derive(Serialize)]
struct Signed {
    epoch: u64,
    file: PathBuf,
    receipts: u64,
    units: String,
}

/// `receipts build`: the batch file's contents and the time the tree took.
#[derive(Serialize)]
struct Built<'a> {
    build_ms: u128,
    #[serde(flatten)]
    batch: &'a BatchFile,
}

/// `receipts prove`: the receipt and its path, or the neighbours that prove it absent.
#[derive(Serialize)]
#[serde(untagged)]
enum Proof<'a> {
    Included {
        included: bool,
        path: Path,
        receipt: &'a Receipt,
    },
    Absent {
        included: bool,
        left: &'a Receipt,
        left_path: Path,
        right: &'a Receipt,
        right_path: Path,
    },
}

pub fn read_receipts(path: &FsPath) -> Result<Vec<SignedReceipt>> {
    let f = std::fs::File::open(path).with_context(|| format!("reading {}", path.display()))?;
    std::io::BufReader::new(f)
        .lines()
        .filter(|l| l.as_ref().map(|l| !l.trim().is_empty()).unwrap_or(true))
        .map(|l| Ok(serde_json::from_str(&l?)?))
        .collect()
}

fn write_receipts(path: &FsPath, rs: &[SignedReceipt]) -> Result<()> {
    let mut w = std::io::BufWriter::new(std::fs::File::create(path)?);
    for r in rs {
        serde_json::to_writer(&mut w, r)?;
        w.write_all(b"\n")?;
    }
    Ok(w.flush()?)
}

/// Signs `message`: secp256k1 ECDSA over its sha256, the 64-byte r ‖ s with low S —
/// what the contract verifies. Every receipt and batch header is signed here.
pub fn sign_bytes(signer: &Signer, message: &[u8]) -> HexBinary {
    HexBinary::from(signer.sign_digest(Sha256::digest(message).into()).to_vec())
}

pub use crate::proofs::{find, tree_of};

/// The `submit_batch` payload of a batch: its header signed by `signer` (the operator the
/// header names) over [`BatchHeader::sign_bytes`], exactly what the oracle verifies. The
/// CLI's `receipts submit` and the metering service both post through this.
pub fn signed_new_batch(signer: &Signer, header: BatchHeader, replaces: Option<u64>) -> NewBatch {
    let signature = sign_bytes(signer, &header.sign_bytes());
    NewBatch {
        model_id: header.model_id,
        epoch: header.epoch,
        seq: header.seq,
        first_id: header.first_id,
        last_id: header.last_id,
        count: header.count,
        total_units: header.total_units,
        root: header.root,
        signature,
        replaces,
    }
}

/// Units of the `i`-th receipt under a `--units` spec: a fixed number, or `min-max` for a
/// deterministic spread (the same on every run), as `receipts sign` and `attrib-loadgen` use.
pub fn parse_units(s: &str, i: u64) -> Result<u64> {
    match s.split_once('-') {
        None => s.parse().map_err(|_| anyhow!("--units: a number or min-max")),
        Some((a, b)) => {
            let (a, b): (u64, u64) = (a.parse()?, b.parse()?);
            if b < a || b == u64::MAX {
                bail!("--units {s}: min-max needs min <= max < 2^64-1");
            }
            // A deterministic spread, so runs are reproducible.
            let h = Sha256::digest(i.to_be_bytes());
            Ok(a + u64::from_be_bytes(h[..8].try_into().unwrap()) % (b - a + 1))
        }
    }
}

pub async fn run(ctx: &Ctx, cmd: ReceiptsCmd) -> Result<()> {
    match cmd {
        ReceiptsCmd::Sign {
            model_id,
            first_id,
            count,
            units,
            out,
        } => {
            let oracle = ctx.contract(CONTRACT)?;
            let signer = ctx.signer()?;
            let epoch: attrib_receipt_oracle::msg::EpochResponse =
                ctx.chain.query(&oracle, &QueryMsg::Epoch {}).await?;
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)?
                .as_secs();
            let pb = crate::progress::bar(count, "signing receipts");
            let mut rs = Vec::with_capacity(count as usize);
            for i in 0..count {
                let receipt = Receipt {
                    chain_id: ctx.g.chain_id.clone(),
                    contract: oracle.clone(),
                    model_id,
                    epoch: epoch.current,
                    receipt_id: first_id + i,
                    units: parse_units(&units, first_id + i)?,
                    timestamp: now,
                };
                let signature = sign_bytes(&signer, &receipt.sign_bytes());
                rs.push(SignedReceipt { receipt, signature });
                pb.inc(1);
            }
            pb.finish_and_clear();
            write_receipts(&out, &rs)?;
            let units: u128 = rs.iter().map(|r| r.receipt.units as u128).sum();
            ctx.print_json(&Signed {
                epoch: epoch.current,
                file: out,
                receipts: count,
                units: units.to_string(),
            })
        }
        ReceiptsCmd::Build {
            input,
            omit,
            posted,
            out,
        } => {
            let mut rs = read_receipts(&input)?;
            rs.retain(|r| !omit.contains(&r.receipt.receipt_id));
            rs.sort_by_key(|r| r.receipt.receipt_id);
            let first = rs
                .first()
                .ok_or_else(|| anyhow!("no receipts left"))?
                .receipt
                .clone();
            let last = rs.last().expect("non-empty").receipt.clone();
            let started = std::time::Instant::now();
            let tree = crate::progress::spin_sync("building the merkle-sum tree", || tree_of(&rs))?;
            let c = tree.commitment();
            let posted = posted.unwrap_or_else(|| out.with_extension("receipts.jsonl"));
            write_receipts(&posted, &rs)?;
            let batch = BatchFile {
                model_id: first.model_id,
                epoch: first.epoch,
                first_id: first.receipt_id,
                last_id: last.receipt_id,
                count: c.count,
                total_units: Uint128::new(c.total),
                root: HexBinary::from(c.root.to_vec()),
                receipts_file: posted,
            };
            std::fs::write(&out, serde_json::to_string_pretty(&batch)?)?;
            ctx.print_json(&Built {
                build_ms: started.elapsed().as_millis(),
                batch: &batch,
            })
        }
        ReceiptsCmd::Submit { batch, replaces } => {
            let b: BatchFile = serde_json::from_slice(&std::fs::read(&batch)?)?;
            let oracle = ctx.contract(CONTRACT)?;
            let signer = ctx.signer()?;
            let cursor: Cursor = ctx
                .chain
                .query(
                    &oracle,
                    &QueryMsg::Cursor {
                        model_id: b.model_id,
                        operator: signer.address.to_string(),
                    },
                )
                .await?;
            let header = BatchHeader {
                chain_id: ctx.g.chain_id.clone(),
                contract: oracle.clone(),
                model_id: b.model_id,
                epoch: b.epoch,
                operator: signer.address.to_string(),
                seq: cursor.next_seq,
                first_id: b.first_id,
                last_id: b.last_id,
                count: b.count,
                total_units: b.total_units,
                root: b.root,
            };
            let msg = ExecMsg::SubmitBatch {
                batch: signed_new_batch(&signer, header, replaces),
            };
            ctx.execute("submit_batch", &oracle, &msg, vec![])
                .await
                .map(|_| ())
        }
        ReceiptsCmd::Prove { posted, receipt_id } => {
            let rs = read_receipts(&posted)?;
            let tree = tree_of(&rs)?;
            let proof = match find(&rs, receipt_id) {
                Some((i, r)) => Proof::Included {
                    included: true,
                    path: tree.path(0, i as u64),
                    receipt: &r.receipt,
                },
                None => {
                    let i = rs
                        .iter()
                        .position(|r| r.receipt.receipt_id > receipt_id)
                        .ok_or_else(|| anyhow!("id {receipt_id} is past the batch's last id"))?;
                    if i == 0 {
                        bail!("id {receipt_id} is before the batch's first id");
                    }
                    Proof::Absent {
                        included: false,
                        left: &rs[i - 1].receipt,
                        left_path: tree.path(0, i as u64 - 1),
                        right: &rs[i].receipt,
                        right_path: tree.path(0, i as u64),
                    }
                }
            };
            ctx.print_json(&proof)
        }
    }
}

/// The receipt `id` of a receipts file.
pub fn signed_one(path: &FsPath, id: u64) -> Result<SignedReceipt> {
    read_receipts(path)?
        .into_iter()
        .find(|r| r.receipt.receipt_id == id)
        .ok_or_else(|| anyhow!("receipt {id} is not in {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use cosmwasm_std::testing::MockApi;
    use cosmwasm_std::Api;

    #[test]
    fn cli_signatures_verify_like_the_contract_does() {
        let signer = crate::keys::test_signer(12, "operator");
        let pubkey = signer.key.public_key().to_bytes();
        let r = Receipt {
            chain_id: "attrib-local".into(),
            contract: "wasm1oracle".into(),
            model_id: 1,
            epoch: 0,
            receipt_id: 42,
            units: 3,
            timestamp: 1,
        };
        let sig = sign_bytes(&signer, &r.sign_bytes());
        let api = MockApi::default();
        assert!(api.secp256k1_verify(&r.digest(), &sig, &pubkey).unwrap());
        let other = Receipt { units: 4, ..r };
        assert!(!api.secp256k1_verify(&other.digest(), &sig, &pubkey).unwrap());
    }

    /// libsecp256k1 (what signs) and k256 (cosmrs, which signed before) give the same
    /// bytes: both take RFC 6979 nonces and the low S, so receipts signed before and after
    /// the switch are alike and every one verifies under the operator's key.
    #[test]
    fn message_signatures_are_k256s_bytes_and_verify() {
        let api = MockApi::default();
        for (i, name) in [(12, "operator"), (0, "admin")] {
            let signer = crate::keys::test_signer(i, name);
            let pubkey = signer.key.public_key().to_bytes();
            for n in 0..300u64 {
                let r = Receipt {
                    chain_id: "attrib-local".into(),
                    contract: format!("wasm1oracle{}", n % 7),
                    model_id: n % 5,
                    epoch: n / 10,
                    receipt_id: n * 7919,
                    units: n * n,
                    timestamp: 1_700_000_000 + n,
                };
                // Receipts, and messages of other lengths (batch headers, empty, long).
                for message in [r.sign_bytes(), vec![n as u8; n as usize * 3]] {
                    let sig = sign_bytes(&signer, &message);
                    let k256 = signer.key.sign(&message).unwrap().to_bytes();
                    assert_eq!(sig.as_slice(), k256.as_slice(), "message {n} of {name}");
                    let digest: [u8; 32] = Sha256::digest(&message).into();
                    assert!(api.secp256k1_verify(&digest, &sig, &pubkey).unwrap());
                }
            }
        }
    }

    #[test]
    fn a_signer_never_shows_its_secret() {
        let doc: serde_json::Value =
            serde_json::from_str(include_str!("../../../scripts/test-accounts.json")).unwrap();
        let mnemonic = doc["accounts"][12]["mnemonic"].as_str().unwrap();
        let secret = [7u8; 32];
        let address = cosmrs::AccountId::new("wasm", &[1; 20]).unwrap();
        let shown = [
            format!("{:?}", crate::keys::test_signer(12, "operator")),
            format!(
                "{:#?}",
                crate::keys::Signer::from_secret("s", &secret, address).unwrap()
            ),
        ];
        assert!(shown[0].contains("operator") && shown[1].contains("\"s\""));
        for s in shown {
            for word in mnemonic.split_whitespace().take(3) {
                assert!(!s.contains(word), "{s}");
            }
            assert!(!s.contains(&hex::encode(secret)) && !s.contains("7, 7, 7"), "{s}");
        }
    }

    #[test]
    fn units_spread_is_deterministic_and_bounded() {
        for i in 0..100 {
            let u = parse_units("1-5", i).unwrap();
            assert!((1..=5).contains(&u));
            assert_eq!(u, parse_units("1-5", i).unwrap());
        }
        assert_eq!(parse_units("7", 3).unwrap(), 7);
        assert!(
            parse_units("5-1", 3).is_err(),
            "an upside-down range is refused, not a panic"
        );
    }
}
