//! Proof traffic: `GET /v1/proofs/{model}/{receipt}` for receipt ids drawn at random
//! (seeded, so a run can be repeated) from a range, closed loop with `concurrency`
//! requests in flight. Every proof is checked with attrib-std's own verification
//! (`Commitment::includes`, what the oracle runs) against the batch's commitment as the
//! meter publishes it with its leaves (root, total, count); the caller compares that root
//! with the chain's.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Result};
use attrib_cli::service::{leaves_url, proof_url, InclusionProof, LeavesPage};
use attrib_std::receipts::Commitment;
use cosmwasm_std::HexBinary;
use serde::Serialize;

use crate::Percentiles;

/// Which proofs to ask for and how hard.
#[derive(Clone, Debug)]
pub struct ProofOptions {
    /// The meter's base URL.
    pub url: String,
    pub model_id: u64,
    /// Receipt ids are drawn from `first_id..=last_id`.
    pub first_id: u64,
    pub last_id: u64,
    /// Requests in all.
    pub count: u64,
    pub concurrency: usize,
    pub seed: u64,
    pub timeout: Duration,
}

/// What a proof run measured. Latency is the proof request's alone (the commitment of a
/// batch is read once, untimed).
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
pub struct ProofSummary {
    pub requests: u64,
    /// Proofs that walked to their batch's published root and total.
    pub verified: u64,
    /// Requests that failed (transport error, timeout or non-2xx answer).
    pub failed_requests: u64,
    /// Proofs answered but not verifying (or for another receipt).
    pub failed_verifications: u64,
    /// The batches the proofs came from, with their published root (hex).
    pub roots: HashMap<u64, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    pub seconds: f64,
    pub throughput: f64,
    pub latency_ms: Percentiles,
}

/// The `i`th id of a seeded draw from `first..=last` (splitmix64).
pub fn draw(seed: u64, i: u64, first: u64, last: u64) -> u64 {
    let mut z = seed.wrapping_add(i.wrapping_add(1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    let span = last - first;
    first + if span == u64::MAX { z } else { z % (span + 1) }
}

/// A batch's commitment as its meter publishes it (the header of its first page).
async fn commitment(client: &reqwest::Client, o: &ProofOptions, seq: u64) -> Result<Commitment> {
    let page: LeavesPage = client
        .get(leaves_url(&o.url, o.model_id, seq, 0, 1))
        .timeout(o.timeout)
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    Ok(Commitment {
        root: page
            .root
            .to_array()
            .map_err(|_| anyhow!("batch {seq}: a root of {} bytes", page.root.len()))?,
        total: page.total_units.u128(),
        count: page.count,
    })
}

/// `proof` is of receipt `id` and walks to `c`.
pub fn verify(proof: &InclusionProof, model_id: u64, id: u64, c: &Commitment) -> Result<()> {
    let r = &proof.receipt.receipt;
    if (r.model_id, r.receipt_id) != (model_id, id) {
        bail!(
            "asked for receipt {id} of model {model_id}, got {} of {}",
            r.receipt_id,
            r.model_id
        );
    }
    c.includes(r.leaf(), &proof.path)
        .map_err(|e| anyhow!("receipt {id}: {e}"))
}

enum Outcome {
    Verified,
    BadProof(anyhow::Error),
    Failed(anyhow::Error),
}

/// Asks for and checks the proofs.
pub async fn run_proofs(o: ProofOptions) -> Result<ProofSummary> {
    if o.count == 0 || o.concurrency == 0 || o.first_id == 0 || o.first_id > o.last_id {
        bail!("count and concurrency must be at least 1, and 1 <= first id <= last id");
    }
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(o.concurrency)
        .build()?;
    let o = Arc::new(o);
    let next = Arc::new(AtomicU64::new(0));
    let commitments: Arc<Mutex<HashMap<u64, Commitment>>> = Arc::default();
    let start = Instant::now();
    let workers: Vec<_> = (0..o.concurrency)
        .map(|_| {
            let (o, client, next, commitments) =
                (o.clone(), client.clone(), next.clone(), commitments.clone());
            tokio::spawn(async move {
                let mut done = vec![];
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= o.count {
                        return done;
                    }
                    let id = draw(o.seed, i, o.first_id, o.last_id);
                    let asked = Instant::now();
                    let got: Result<InclusionProof> = async {
                        let resp = client
                            .get(proof_url(&o.url, o.model_id, id))
                            .timeout(o.timeout)
                            .send()
                            .await?;
                        let status = resp.status();
                        if !status.is_success() {
                            bail!(
                                "proof of {id}: {status}: {}",
                                resp.text().await.unwrap_or_default()
                            );
                        }
                        Ok::<_, anyhow::Error>(resp.json::<InclusionProof>().await?)
                    }
                    .await;
                    let latency_us = asked.elapsed().as_micros() as u64;
                    let outcome = match got {
                        Err(e) => Outcome::Failed(e),
                        Ok(p) => {
                            let known = commitments.lock().expect("commitments").get(&p.seq).copied();
                            let c = match known {
                                Some(c) => Ok(c),
                                None => commitment(&client, &o, p.seq).await.inspect(|c| {
                                    commitments.lock().expect("commitments").insert(p.seq, *c);
                                }),
                            };
                            match c.and_then(|c| verify(&p, o.model_id, id, &c)) {
                                Ok(()) => Outcome::Verified,
                                Err(e) => Outcome::BadProof(e),
                            }
                        }
                    };
                    done.push((latency_us, outcome));
                }
            })
        })
        .collect();
    let mut s = ProofSummary::default();
    let mut latencies = Vec::with_capacity(o.count as usize);
    for w in workers {
        for (latency_us, outcome) in w.await? {
            s.requests += 1;
            latencies.push(latency_us);
            match outcome {
                Outcome::Verified => s.verified += 1,
                Outcome::BadProof(e) => {
                    s.failed_verifications += 1;
                    s.last_error = Some(format!("{e:#}"));
                }
                Outcome::Failed(e) => {
                    s.failed_requests += 1;
                    s.last_error = Some(format!("{e:#}"));
                }
            }
        }
    }
    s.seconds = start.elapsed().as_secs_f64();
    s.throughput = s.requests as f64 / s.seconds.max(1e-9);
    s.latency_ms = Percentiles::of(latencies);
    s.roots = commitments
        .lock()
        .expect("commitments")
        .iter()
        .map(|(seq, c)| (*seq, HexBinary::from(&c.root[..]).to_hex()))
        .collect();
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use attrib_std::receipts::{Receipt, SignedReceipt, SumTree};

    #[test]
    fn draws_stay_in_range_repeat_with_the_seed_and_spread() {
        let ids: Vec<u64> = (0..1000).map(|i| draw(7, i, 10, 19)).collect();
        assert!(ids.iter().all(|id| (10..=19).contains(id)));
        assert_eq!(ids, (0..1000).map(|i| draw(7, i, 10, 19)).collect::<Vec<_>>());
        for id in 10..=19 {
            assert!(ids.contains(&id), "{id} never drawn");
        }
        assert_ne!(ids, (0..1000).map(|i| draw(8, i, 10, 19)).collect::<Vec<_>>());
        assert_eq!(draw(1, 5, 4, 4), 4);
    }

    fn receipt(id: u64) -> Receipt {
        Receipt {
            chain_id: "c".into(),
            contract: "o".into(),
            model_id: 3,
            epoch: 0,
            receipt_id: id,
            units: id * 2,
            timestamp: 1,
        }
    }

    #[test]
    fn only_a_proof_of_the_asked_receipt_to_the_root_verifies() {
        let rs: Vec<Receipt> = (1..=5).map(receipt).collect();
        let tree = SumTree::from_receipts(&rs).unwrap().unwrap();
        let c = tree.commitment();
        let proof = |i: usize, r: Receipt| InclusionProof {
            model_id: 3,
            operator: "op".into(),
            seq: 1,
            receipt: SignedReceipt {
                receipt: r,
                signature: HexBinary::from(vec![0u8; 64]),
            },
            path: tree.path(0, i as u64),
        };
        verify(&proof(2, rs[2].clone()), 3, 3, &c).unwrap();
        // Another receipt than the one asked for.
        assert!(verify(&proof(1, rs[1].clone()), 3, 3, &c).is_err());
        // A receipt altered under an honest path.
        let altered = Receipt {
            units: 1,
            ..rs[2].clone()
        };
        let err = verify(&proof(2, altered), 3, 3, &c).unwrap_err();
        assert!(format!("{err:#}").contains("root"), "{err:#}");
        // A commitment with another total.
        let other = Commitment {
            total: c.total + 1,
            ..c
        };
        assert!(verify(&proof(2, rs[2].clone()), 3, 3, &other).is_err());
    }
}
