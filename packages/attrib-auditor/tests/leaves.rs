//! Review (attacker): what a cheating operator's data URI can do to the auditor's fetch of
//! a batch's leaves (`follower::fetch_leaves`). The auditor checks batches one after the
//! other in one pass per block (`follower::tick`), so time spent on one operator's leaves
//! is time every other batch (and every inclusion request to expire) waits, and a batch
//! finalizes when its dispute window ends whatever the auditor was doing. Served here by a
//! plain std thread writing HTTP/1.1 by hand, no chain.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use attrib_auditor::checker::Leaves;
use attrib_auditor::config::{Config, WatchedOperator};
use attrib_auditor::fixtures::posted_batch;
use attrib_auditor::follower::{fetch_leaves, fetch_pass, pass_deadline, Auditor};
use attrib_auditor::store::Store;
use attrib_cli::context::Ctx;
use attrib_cli::service::LeavesPage;
use attrib_receipt_oracle::state::{Batch, BatchStatus, Config as OracleConfig};
use attrib_std::receipts::{Receipt, SignedReceipt};
use cosmwasm_std::{Addr, HexBinary, Uint128};

const OPERATOR: &str = "wasm1operator";

fn batch(count: u64) -> Batch {
    Batch {
        model_id: 7,
        operator: Addr::unchecked(OPERATOR),
        seq: 1,
        epoch: 0,
        first_id: 1,
        last_id: count,
        count,
        total_units: Uint128::new(count as u128),
        root: HexBinary::from(vec![0u8; 32]),
        posted_at: 0,
        replaces: None,
        status: BatchStatus::Pending,
        charge: Uint128::zero(),
        prior_units: Uint128::zero(),
        proven_units: Uint128::zero(),
        replaced_by: None,
        counted: true,
        late: false,
    }
}

/// Serves every connection with `answer(seq asked, offset asked, stream)` on its own
/// thread.
fn serve(answer: fn(u64, u64, &mut TcpStream)) -> String {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", l.local_addr().unwrap());
    std::thread::spawn(move || {
        for conn in l.incoming() {
            let Ok(mut conn) = conn else { return };
            std::thread::spawn(move || {
                let mut req = vec![];
                let mut buf = [0u8; 1024];
                while !req.windows(4).any(|w| w == b"\r\n\r\n") {
                    match conn.read(&mut buf) {
                        Ok(0) | Err(_) => return,
                        Ok(n) => req.extend_from_slice(&buf[..n]),
                    }
                }
                let req = String::from_utf8_lossy(&req);
                let offset = req
                    .split("offset=")
                    .nth(1)
                    .and_then(|s| s.split('&').next())
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(0);
                // GET /v1/batches/{model}/{seq}/leaves?…
                let seq = req.split('/').nth(4).and_then(|s| s.parse().ok()).unwrap_or(0);
                answer(seq, offset, &mut conn);
            });
        }
    });
    url
}

/// A page of one leaf at `offset`, of a batch of 1000, after a second's wait.
fn dribble(_seq: u64, offset: u64, conn: &mut TcpStream) {
    std::thread::sleep(Duration::from_secs(1));
    let b = batch(1000);
    let page = LeavesPage {
        model_id: b.model_id,
        operator: OPERATOR.into(),
        seq: b.seq,
        epoch: 0,
        first_id: 1,
        last_id: 1000,
        count: 1000,
        total_units: b.total_units,
        root: b.root.clone(),
        offset,
        receipts: vec![SignedReceipt {
            receipt: Receipt {
                chain_id: "attrib-test".into(),
                contract: "wasm1oracle".into(),
                model_id: 7,
                epoch: 0,
                receipt_id: offset + 1,
                units: 1,
                timestamp: 1,
            },
            signature: HexBinary::from(vec![0u8; 64]),
        }],
        next_offset: (offset + 1 < 1000).then_some(offset + 1),
    };
    send_page(conn, &page);
}

/// Answers with `page` as JSON.
fn send_page(conn: &mut TcpStream, page: &LeavesPage) {
    let body = serde_json::to_vec(page).unwrap();
    let _ = write!(
        conn,
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    );
    let _ = conn.write_all(&body);
}

/// A page that never ends: 1 MiB of a string every 40 ms, without a length.
fn endless(_seq: u64, _offset: u64, conn: &mut TcpStream) {
    let _ = write!(
        conn,
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n{{\"model_id\":7,\"operator\":\""
    );
    let chunk = vec![b'a'; 1 << 20];
    while conn.write_all(&chunk).is_ok() {
        std::thread::sleep(Duration::from_millis(40));
    }
}

/// Each page comes in a second (well inside the client's 30 s timeout) and holds one leaf;
/// the batch declares 1000. `fetch_pages` has no budget but the count, so it spends 1000 s
/// on one batch, while every other batch waits for the pass to end. The fetch of one
/// batch's leaves needs an overall deadline (well inside the dispute window), and a page
/// smaller than asked for (`MAX_LEAVES_PAGE`) before the last is itself a reason to stop
/// and request inclusion.
#[tokio::test]
async fn a_data_uri_that_dribbles_its_pages_is_given_up_in_bounded_time() {
    let url = serve(dribble);
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let b = batch(1000);
    let t = Instant::now();
    let got = tokio::time::timeout(Duration::from_secs(8), fetch_leaves(&http, &url, &b)).await;
    assert!(
        matches!(got, Ok(Leaves::Unavailable(_))),
        "still fetching one batch's leaves after {:?} (1000 pages at 1 s each)",
        t.elapsed()
    );
}

/// The response body is read whole into memory (`resp.json()`) before anything is
/// checked, bounded only by the client's 30 s timeout: at loopback or datacenter speed that
/// is gigabytes per page. A page of `MAX_LEAVES_PAGE` leaves is a few MiB; the fetch must
/// stop reading past a byte limit (and say so) instead of buffering what the operator
/// sends. (The stream here is slowed to ~25 MiB/s to spare the test machine.)
#[tokio::test]
async fn a_data_uri_that_streams_forever_is_cut_off() {
    let url = serve(endless);
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let b = batch(1000);
    let t = Instant::now();
    let got = tokio::time::timeout(Duration::from_secs(4), fetch_leaves(&http, &url, &b)).await;
    assert!(
        matches!(got, Ok(Leaves::Unavailable(_))),
        "still reading an endless page after {:?} (~25 MiB/s, no byte limit)",
        t.elapsed()
    );
}

/// The 25 leaves of the batch `honest` publishes.
fn published() -> Vec<SignedReceipt> {
    (1..=25)
        .map(|id| SignedReceipt {
            receipt: Receipt {
                chain_id: "attrib-test".into(),
                contract: "wasm1oracle".into(),
                model_id: 7,
                epoch: 0,
                receipt_id: id,
                units: id % 4 + 1,
                timestamp: 1,
            },
            signature: HexBinary::from(vec![0u8; 64]),
        })
        .collect()
}

/// Every leaf of `published` in one page.
fn honest(_seq: u64, offset: u64, conn: &mut TcpStream) {
    let leaves = published();
    let c = attrib_cli::proofs::tree_of(&leaves).unwrap().commitment();
    let page = LeavesPage {
        model_id: 7,
        operator: OPERATOR.into(),
        seq: 1,
        epoch: 0,
        first_id: 1,
        last_id: 25,
        count: 25,
        total_units: Uint128::new(c.total),
        root: HexBinary::from(c.root.to_vec()),
        offset,
        receipts: leaves.into_iter().skip(offset as usize).collect(),
        next_offset: None,
    };
    send_page(conn, &page);
}

/// `attrib-auditor check` (`inspect::check_published`): the leaves a meter publishes are
/// judged against the batch as the chain holds it, whatever its status; a declared total
/// the leaves do not sum to and a root they do not hash to are both found.
#[tokio::test]
async fn a_check_judges_the_published_leaves_against_the_chains_batch() {
    use attrib_auditor::checker::{Kind, Verdict};
    use attrib_auditor::inspect::check_published;

    let url = serve(honest);
    let http = reqwest::Client::new();
    let c = attrib_cli::proofs::tree_of(&published()).unwrap().commitment();
    let on_chain = Batch {
        last_id: 25,
        count: 25,
        total_units: Uint128::new(c.total),
        root: HexBinary::from(c.root.to_vec()),
        status: BatchStatus::Finalized,
        ..batch(25)
    };
    let budget = Duration::from_secs(5);
    let got = check_published(&http, &url, &on_chain, &[], budget).await;
    assert_eq!(
        (got.verdict, got.leaves, got.findings.clone(), got.status.as_str()),
        (Verdict::Honest, 25, vec![], "finalized")
    );
    assert!(got.fetch_secs > 0.0 && got.check_secs > 0.0);

    let overstated = Batch {
        total_units: Uint128::new(c.total + 5),
        status: BatchStatus::Pending,
        ..on_chain.clone()
    };
    let got = check_published(&http, &url, &overstated, &[], budget).await;
    assert_eq!((got.verdict, got.findings), (Verdict::Fraud, vec![Kind::BadSum]));

    let other_root = Batch {
        root: HexBinary::from(vec![9u8; 32]),
        ..on_chain
    };
    let got = check_published(&http, &url, &other_root, &[], budget).await;
    assert_eq!((got.verdict, got.leaves), (Verdict::Unprovable, 25));
    assert!(
        got.note.contains("do not hash to the on-chain root"),
        "{}",
        got.note
    );
}

/// Batch `seq` of model 7: one leaf, receipt `seq`.
fn tiny_leaf(seq: u64) -> SignedReceipt {
    SignedReceipt {
        receipt: Receipt {
            chain_id: "attrib-test".into(),
            contract: "wasm1oracle".into(),
            model_id: 7,
            epoch: 0,
            receipt_id: seq,
            units: 1,
            timestamp: 1,
        },
        signature: HexBinary::from(vec![0u8; 64]),
    }
}

/// Batch `seq`, posted at chain time `posted_at`.
fn tiny_batch(seq: u64, posted_at: u64) -> Batch {
    Batch {
        posted_at,
        ..posted_batch(7, OPERATOR, seq, 0, &[tiny_leaf(seq)])
    }
}

/// Tiny batch `seq`'s one page, honest.
fn tiny_page(seq: u64, offset: u64) -> LeavesPage {
    let b = tiny_batch(seq, 0);
    LeavesPage {
        model_id: b.model_id,
        operator: OPERATOR.into(),
        seq,
        epoch: 0,
        first_id: b.first_id,
        last_id: b.last_id,
        count: b.count,
        total_units: b.total_units,
        root: b.root.clone(),
        offset,
        receipts: vec![tiny_leaf(seq)],
        next_offset: None,
    }
}

/// A data URI that serves each tiny batch's one page honestly, after a second.
fn slow_tiny(seq: u64, offset: u64, conn: &mut TcpStream) {
    std::thread::sleep(Duration::from_secs(1));
    send_page(conn, &tiny_page(seq, offset));
}

/// An auditor watching `OPERATOR` at `data_uri`, no chain.
fn auditor(dir: &std::path::Path, data_uri: &str) -> Auditor {
    #[derive(clap::Parser)]
    struct Flags {
        #[command(flatten)]
        g: attrib_cli::context::Global,
    }
    use clap::Parser;
    let config = Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        db: dir.join("a.db"),
        poll_ms: 1000,
        max_inclusion_requests: 3,
        operators: vec![WatchedOperator {
            address: OPERATOR.into(),
            data_uri: data_uri.into(),
            models: vec![7],
        }],
        probe: None,
    };
    let g = Flags::parse_from(["t", "--node", "http://127.0.0.1:9", "--chain-id", "attrib-test"]).g;
    let doc: serde_json::Value =
        serde_json::from_str(include_str!("../../../scripts/test-accounts.json")).unwrap();
    let auditor = doc["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "auditor")
        .unwrap();
    let auditor =
        attrib_cli::keys::Signer::from_mnemonic("auditor", auditor["mnemonic"].as_str().unwrap(), "wasm")
            .unwrap();
    let store = Store::open(&config.db).unwrap();
    Auditor::new(Ctx::new(g).unwrap(), auditor, "wasm1oracle".into(), config, store).unwrap()
}

/// The oracle's settings with a dispute window of `window` seconds.
fn oracle_config(window: u64) -> OracleConfig {
    OracleConfig {
        registry: Addr::unchecked("r"),
        curator_staking: Addr::unchecked("s"),
        reward_pool: Addr::unchecked("p"),
        epoch_start: 0,
        params: attrib_receipt_oracle::state::Params {
            dispute_window_secs: window,
            ..attrib_cli::deploy::local_oracle_params()
        },
    }
}

/// Review (#4): 20 tiny batches just posted (a 20 s dispute window), at a data URI that
/// takes a second per page. A pass fetched their leaves one batch after the other, each
/// with a budget of its own (a quarter of the window): 20 s, the whole window, before
/// the first check or filing. A pass has one deadline, taken from the nearest window's
/// end, and fetches concurrently: every batch's leaves are in well before it.
#[tokio::test]
async fn a_pass_fetches_many_slow_batches_within_one_deadline() {
    let url = serve(slow_tiny);
    let dir = tempfile::tempdir().unwrap();
    let a = auditor(dir.path(), &url);
    let now = 1_000;
    let jobs: Vec<(String, Batch)> = (1..=20).map(|seq| (url.clone(), tiny_batch(seq, now))).collect();
    let t = Instant::now();
    let got = tokio::time::timeout(
        Duration::from_secs(12),
        fetch_pass(&a, &oracle_config(20), now, &jobs),
    )
    .await
    .unwrap_or_else(|_| panic!("the pass was still fetching after {:?}", t.elapsed()));
    let elapsed = t.elapsed();
    let missing: Vec<&String> = got.values().filter_map(|l| l.as_ref().err()).collect();
    assert_eq!((got.len(), missing), (20, vec![]));
    assert!(elapsed < Duration::from_secs(8), "{elapsed:?}");
}

/// Connections taken by `stalled`.
static STALLED_HITS: AtomicUsize = AtomicUsize::new(0);

/// A data URI that takes the request and answers nothing for 30 s.
fn stalled(_seq: u64, _offset: u64, _conn: &mut TcpStream) {
    STALLED_HITS.fetch_add(1, Ordering::SeqCst);
    std::thread::sleep(Duration::from_secs(30));
}

/// Review (#4): a data URI that never answers costs a pass its one deadline (here 2 s: a
/// quarter of an 8 s window), not a budget per batch; its batches are unavailable for
/// the pass (their held receipts go to inclusion requests), and the next passes do not
/// ask it again until its backoff ends.
#[tokio::test]
async fn a_stalled_data_uri_costs_one_deadline_and_is_backed_off() {
    let url = serve(stalled);
    let dir = tempfile::tempdir().unwrap();
    let a = auditor(dir.path(), &url);
    let now = 1_000;
    let jobs: Vec<(String, Batch)> = (1..=3).map(|seq| (url.clone(), tiny_batch(seq, now))).collect();
    let t = Instant::now();
    let got = fetch_pass(&a, &oracle_config(8), now, &jobs).await;
    let elapsed = t.elapsed();
    assert!(
        elapsed >= Duration::from_secs(2) && elapsed < Duration::from_secs(4),
        "{elapsed:?}"
    );
    assert_eq!(got.len(), 3);
    for l in got.values() {
        let why = l.as_ref().err().expect("unavailable");
        assert!(why.contains("within"), "{why}");
    }
    assert_eq!(STALLED_HITS.load(Ordering::SeqCst), 3, "all three asked at once");
    // The next pass, at once: the operator is not asked again.
    let t = Instant::now();
    let got = fetch_pass(&a, &oracle_config(8), now, &jobs).await;
    assert!(t.elapsed() < Duration::from_millis(500), "{:?}", t.elapsed());
    for l in got.values() {
        let why = l.as_ref().err().expect("unavailable");
        assert!(why.contains("failed 1 passes in a row: not asked again"), "{why}");
    }
    assert_eq!(STALLED_HITS.load(Ordering::SeqCst), 3);
}

/// A pass's deadline: half the time left to the nearest window's end, at most a quarter
/// of the window (at most 60 s), at least a second.
#[test]
fn a_pass_deadline_comes_from_the_nearest_window() {
    let c = oracle_config(600);
    let (early, late) = (tiny_batch(1, 0), tiny_batch(2, 100));
    let secs = |now| pass_deadline(&c, now, [&early, &late]).as_secs_f64();
    assert_eq!(secs(0), 60.0, "a quarter of the window is 150 s, capped at 60 s");
    assert_eq!(secs(560), 20.0, "40 s left of the first window");
    assert_eq!(secs(590), 5.0);
    assert_eq!(secs(600), 1.0, "the first window's end: a second still");
    assert_eq!(secs(650), 1.0);
    assert_eq!(pass_deadline(&oracle_config(20), 0, [&early]).as_secs(), 5);
}

/// Requests taken by `flaky`, by seq.
static FLAKY_ASKED: std::sync::Mutex<Vec<u64>> = std::sync::Mutex::new(Vec::new());

/// A data URI that fails the first request for each batch (HTTP 503), then serves it.
fn flaky(seq: u64, offset: u64, conn: &mut TcpStream) {
    let first = {
        let mut asked = FLAKY_ASKED.lock().unwrap();
        let first = !asked.contains(&seq);
        asked.push(seq);
        first
    };
    if first {
        let _ = write!(
            conn,
            "HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
        );
        return;
    }
    send_page(conn, &tiny_page(seq, offset));
}

/// Item 5 of the review: a fetch that fails once is tried again within the pass before
/// the batch counts as unavailable (each held receipt of it would cost an inclusion fee),
/// and an operator that served on the retry is not backed off.
#[tokio::test]
async fn a_failed_fetch_is_tried_once_more_before_the_batch_is_unavailable() {
    let url = serve(flaky);
    let dir = tempfile::tempdir().unwrap();
    let a = auditor(dir.path(), &url);
    let now = 1_000;
    let jobs: Vec<(String, Batch)> = (1..=3).map(|seq| (url.clone(), tiny_batch(seq, now))).collect();
    let got = fetch_pass(&a, &oracle_config(20), now, &jobs).await;
    let missing: Vec<&String> = got.values().filter_map(|l| l.as_ref().err()).collect();
    assert_eq!((got.len(), missing), (3, vec![]));
    let mut asked = FLAKY_ASKED.lock().unwrap().clone();
    asked.sort();
    assert_eq!(asked, vec![1, 1, 2, 2, 3, 3], "each batch asked twice");
    // Not backed off: a new batch is asked for in the next pass.
    let more = vec![(url.clone(), tiny_batch(4, now))];
    let got = fetch_pass(&a, &oracle_config(20), now, &more).await;
    assert!(got.values().all(|l| l.is_ok()));
}
