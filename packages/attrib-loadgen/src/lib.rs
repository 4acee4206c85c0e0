//! Usage traffic for a metering service: what the demo's inference servers, the meter's
//! benchmark and its crash test send. Speaks the meter's wire (`attrib_cli::service`).
//!
//! Open loop: request `i` is due at `start + i / rate`, whatever happened to the ones
//! before, and its latency counts from that moment. A stalled meter therefore shows as
//! latency instead of silently slowing the sender (no coordinated omission). With
//! `rate = 0` the sender is closed-loop: `concurrency` requests in flight, each sent when
//! the one before it returns — the throughput test. [`proofs`]: inclusion proofs asked
//! for and verified, closed loop.

pub mod proofs;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use attrib_cli::receipts::parse_units;
use attrib_cli::service::{ForwardedReceipts, UsageBatch, UsageEvent, UsageReceipt, UsageReceipts};
use serde::Serialize;
use tokio::io::AsyncWriteExt;
use tokio::sync::{mpsc, Semaphore};

/// What to send and how fast.
#[derive(Clone, Debug)]
pub struct Options {
    /// The meter's base URL.
    pub url: String,
    pub token: String,
    pub model_id: u64,
    /// Events in all.
    pub count: u64,
    /// Events per second (0: as fast as `concurrency` allows).
    pub rate: f64,
    /// Requests in flight at most.
    pub concurrency: usize,
    /// Events per request (1: `POST /v1/usage`; more: `POST /v1/usage/batch`).
    pub per_request: u64,
    /// Units per event: a number or `min-max` (deterministic spread).
    pub units: String,
    /// Request ids are `<prefix>-<i>`: the same prefix replays the same requests.
    pub request_prefix: String,
    /// Every acknowledged receipt, one JSON line each (`UsageReceipt`).
    pub acks: Option<PathBuf>,
    /// Per-request timeout.
    pub timeout: Duration,
    /// An auditor's base URL: after each acknowledgement the receipts are forwarded to its
    /// `POST /v1/receipts`, as a model user's client keeps its copies with an auditor.
    pub forward: Option<String>,
}

/// What a run measured. Latency is from the moment a request was due to its answer.
#[derive(Serialize, Clone, Debug, Default, PartialEq)]
pub struct Summary {
    pub events: u64,
    pub acknowledged: u64,
    pub duplicates: u64,
    /// Requests that failed (transport error, timeout or non-2xx answer).
    pub failed_requests: u64,
    /// Receipts the auditor (`forward`) took; forwards that failed.
    pub forwarded: u64,
    pub failed_forwards: u64,
    /// The last forward's error, if any failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub forward_error: Option<String>,
    pub seconds: f64,
    /// Acknowledged events per second over the run.
    pub throughput: f64,
    pub target_rate: f64,
    pub latency_ms: Percentiles,
}

#[derive(Serialize, Clone, Debug, Default, PartialEq)]
pub struct Percentiles {
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
    pub p999: f64,
    pub max: f64,
}

impl Percentiles {
    /// Nearest-rank percentiles of latencies in microseconds, reported in milliseconds.
    pub fn of(mut micros: Vec<u64>) -> Percentiles {
        if micros.is_empty() {
            return Percentiles::default();
        }
        micros.sort_unstable();
        let at = |q: f64| {
            let rank = ((q * micros.len() as f64).ceil() as usize).clamp(1, micros.len());
            micros[rank - 1] as f64 / 1000.0
        };
        Percentiles {
            p50: at(0.50),
            p90: at(0.90),
            p99: at(0.99),
            p999: at(0.999),
            max: at(1.0),
        }
    }
}

/// One request's outcome.
struct Done {
    latency_us: u64,
    receipts: Result<Vec<UsageReceipt>>,
    /// The forward to the auditor, when asked for and the request was acknowledged.
    forwarded: Option<Result<u64>>,
}

/// The events of request `r` (events `r * per_request ..`, at most `count`).
fn events_of(o: &Options, r: u64) -> Result<Vec<UsageEvent>> {
    let first = r * o.per_request;
    let last = (first + o.per_request).min(o.count);
    (first..last)
        .map(|i| {
            Ok(UsageEvent {
                model_id: o.model_id,
                units: parse_units(&o.units, i)?,
                request_id: format!("{}-{i}", o.request_prefix),
                reference: None,
            })
        })
        .collect()
}

async fn send(client: &reqwest::Client, o: &Options, events: Vec<UsageEvent>) -> Result<Vec<UsageReceipt>> {
    let base = o.url.trim_end_matches('/');
    let req = if events.len() == 1 {
        client.post(format!("{base}/v1/usage")).json(&events[0])
    } else {
        client
            .post(format!("{base}/v1/usage/batch"))
            .json(&UsageBatch { events })
    };
    let resp = req.bearer_auth(&o.token).timeout(o.timeout).send().await?;
    let status = resp.status();
    if !status.is_success() {
        let body = resp.text().await.unwrap_or_default();
        bail!("{status}: {body}");
    }
    let body = resp.bytes().await?;
    // One event comes back as one receipt; several as a list.
    Ok(match serde_json::from_slice::<UsageReceipt>(&body) {
        Ok(one) => vec![one],
        Err(_) => serde_json::from_slice::<UsageReceipts>(&body)?.receipts,
    })
}

/// Forwards acknowledged receipts to an auditor; the number it newly kept.
async fn forward(client: &reqwest::Client, o: &Options, base: &str, rs: &[UsageReceipt]) -> Result<u64> {
    #[derive(serde::Deserialize)]
    struct Ingested {
        accepted: u64,
    }
    let body = ForwardedReceipts {
        receipts: rs.iter().map(|r| r.receipt.clone()).collect(),
    };
    let resp = client
        .post(format!("{}/v1/receipts", base.trim_end_matches('/')))
        .json(&body)
        .timeout(o.timeout)
        .send()
        .await?;
    let status = resp.status();
    if !status.is_success() {
        let body = resp.text().await.unwrap_or_default();
        bail!("forwarding: {status}: {body}");
    }
    Ok(resp.json::<Ingested>().await?.accepted)
}

/// Writes acknowledged receipts to `path`, one JSON line each, until the channel closes.
async fn write_acks(path: PathBuf, mut rx: mpsc::UnboundedReceiver<Vec<UsageReceipt>>) -> Result<()> {
    let f = tokio::fs::File::create(&path)
        .await
        .with_context(|| format!("creating {}", path.display()))?;
    let mut w = tokio::io::BufWriter::new(f);
    while let Some(rs) = rx.recv().await {
        for r in rs {
            let mut line = serde_json::to_vec(&r)?;
            line.push(b'\n');
            w.write_all(&line).await?;
        }
    }
    w.flush().await?;
    Ok(())
}

/// Sends the traffic and measures it.
pub async fn run(o: Options) -> Result<Summary> {
    if o.count == 0 || o.per_request == 0 || o.concurrency == 0 {
        bail!("count, per-request and concurrency must be at least 1");
    }
    if !(o.rate >= 0.0 && o.rate.is_finite()) {
        bail!("rate must be a finite number >= 0");
    }
    parse_units(&o.units, 0)?;
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(o.concurrency)
        .build()?;
    let o = Arc::new(o);
    let requests = o.count.div_ceil(o.per_request);
    let permits = Arc::new(Semaphore::new(o.concurrency));
    let (done_tx, mut done_rx) = mpsc::unbounded_channel::<Done>();
    let (ack_tx, ack_rx) = mpsc::unbounded_channel();
    let writer = o.acks.clone().map(|p| tokio::spawn(write_acks(p, ack_rx)));

    let start = Instant::now();
    let sender = {
        let (o, client) = (o.clone(), client.clone());
        tokio::spawn(async move {
            for r in 0..requests {
                let due = if o.rate > 0.0 {
                    let due = start + Duration::from_secs_f64((r * o.per_request) as f64 / o.rate);
                    tokio::time::sleep_until(due.into()).await;
                    due
                } else {
                    Instant::now()
                };
                let permit = permits.clone().acquire_owned().await.expect("never closed");
                let events = events_of(&o, r)?;
                let (o, client, done_tx) = (o.clone(), client.clone(), done_tx.clone());
                tokio::spawn(async move {
                    let receipts = send(&client, &o, events).await;
                    let latency_us = due.elapsed().as_micros() as u64;
                    let forwarded = match (&o.forward, &receipts) {
                        (Some(base), Ok(rs)) => Some(forward(&client, &o, base, rs).await),
                        _ => None,
                    };
                    drop(permit);
                    let _ = done_tx.send(Done {
                        latency_us,
                        receipts,
                        forwarded,
                    });
                });
            }
            anyhow::Ok(())
        })
    };

    let mut s = Summary {
        target_rate: o.rate,
        ..Summary::default()
    };
    let mut latencies = Vec::with_capacity(requests as usize);
    let mut last_error = None;
    let mut last_forward_error = None;
    for _ in 0..requests {
        let d = done_rx.recv().await.context("the sender stopped early")?;
        latencies.push(d.latency_us);
        match d.forwarded {
            Some(Ok(n)) => s.forwarded += n,
            Some(Err(e)) => {
                s.failed_forwards += 1;
                last_forward_error = Some(e);
            }
            None => {}
        }
        match d.receipts {
            Ok(rs) => {
                s.acknowledged += rs.len() as u64;
                s.duplicates += rs.iter().filter(|r| r.duplicate).count() as u64;
                if writer.is_some() {
                    let _ = ack_tx.send(rs);
                }
            }
            Err(e) => {
                s.failed_requests += 1;
                last_error = Some(e);
            }
        }
    }
    sender.await??;
    s.seconds = start.elapsed().as_secs_f64();
    drop(ack_tx);
    if let Some(w) = writer {
        w.await??;
    }
    s.events = o.count;
    s.throughput = s.acknowledged as f64 / s.seconds.max(1e-9);
    s.latency_ms = Percentiles::of(latencies);
    if s.acknowledged == 0 {
        if let Some(e) = last_error {
            return Err(e.context("no request was acknowledged"));
        }
    }
    s.forward_error = last_forward_error.map(|e| format!("{e:#}"));
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank() {
        let p = Percentiles::of((1..=100).map(|ms| ms * 1000).collect());
        assert_eq!(p.p50, 50.0);
        assert_eq!(p.p90, 90.0);
        assert_eq!(p.p99, 99.0);
        assert_eq!(p.p999, 100.0);
        assert_eq!(p.max, 100.0);
        let p = Percentiles::of((1..=2000).collect());
        assert_eq!((p.p99, p.p999), (1.98, 1.998));
        assert_eq!(Percentiles::of(vec![]), Percentiles::default());
        assert_eq!(Percentiles::of(vec![2500]).p99, 2.5);
    }

    fn opts(count: u64, per_request: u64) -> Options {
        Options {
            url: "http://127.0.0.1:1".into(),
            token: "t".into(),
            model_id: 7,
            count,
            rate: 0.0,
            concurrency: 1,
            per_request,
            units: "1-3".into(),
            request_prefix: "lg".into(),
            acks: None,
            timeout: Duration::from_secs(1),
            forward: None,
        }
    }

    #[test]
    fn requests_split_the_events_and_the_last_one_is_short() {
        let o = opts(5, 2);
        let ids = |r| -> Vec<String> {
            events_of(&o, r)
                .unwrap()
                .into_iter()
                .map(|e| e.request_id)
                .collect()
        };
        assert_eq!(ids(0), ["lg-0", "lg-1"]);
        assert_eq!(ids(2), ["lg-4"]);
        let e = &events_of(&o, 1).unwrap()[0];
        assert_eq!((e.model_id, e.units), (7, parse_units("1-3", 2).unwrap()));
    }

    #[tokio::test]
    async fn nothing_listening_is_an_error_not_a_summary_of_zero() {
        let err = run(opts(2, 1)).await.unwrap_err();
        assert!(
            format!("{err:#}").contains("no request was acknowledged"),
            "{err:#}"
        );
        assert!(run(Options {
            concurrency: 0,
            ..opts(2, 1)
        })
        .await
        .is_err());
    }
}
