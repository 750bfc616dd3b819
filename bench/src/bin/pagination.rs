//! Measures listing every session over many pages, and the peak memory of doing so.
//!
//! Usage: `pagination [--pages P] [--per-page S] [--latency-ms L] [--concurrency C] [--runs R]`.
//! The loopback server waits L milliseconds before each response. Prints the median wall time
//! over R runs of each way of listing P pages, then the peak resident set size of a fresh child
//! process that lists 1,000, 100,000 and 1,000,000 sessions without server latency.

use std::process::Command;
use std::time::{Duration, Instant};

use futures::{StreamExt, TryStreamExt};

use cplug_bench::server::{self, ServerConfig, COMPANY_ID, TOKEN};
use cplug_bench::stats::median;

/// Page size of the memory measurements.
const MEMORY_PER_PAGE: u64 = 100;

/// Item counts of the memory measurements.
const MEMORY_ITEMS: [u64; 3] = [1_000, 100_000, 1_000_000];

#[tokio::main]
async fn main() {
    let arguments: Vec<String> = std::env::args().collect();
    if arguments.get(1).map(String::as_str) == Some("memory-child") {
        memory_child().await;
        return;
    }

    let pages: u64 = cplug_bench::argument("pages", 50);
    let per_page: u64 = cplug_bench::argument("per-page", 20);
    let latency_ms: u64 = cplug_bench::argument("latency-ms", 20);
    let concurrency: usize = cplug_bench::argument("concurrency", 8);
    let runs: usize = cplug_bench::argument("runs", 5);
    if pages == 0 || per_page == 0 || concurrency == 0 || runs == 0 {
        eprintln!("error: --pages, --per-page, --concurrency and --runs must be at least 1");
        std::process::exit(2);
    }

    let config = ServerConfig {
        total_items: pages * per_page,
        default_per_page: per_page,
        latency: Duration::from_millis(latency_ms),
    };
    let running = server::start(config, 2);
    let client = client(&running.base_url(), concurrency);
    let default_client = client_with_default_concurrency(&running.base_url());
    let expected = (pages * per_page) as usize;

    let mut sequential_times = Vec::new();
    let mut handwritten_times = Vec::new();
    let mut stream_times = Vec::new();
    let mut default_stream_times = Vec::new();
    for _ in 0..runs {
        sequential_times.push(time(|| sequential(&client, per_page), expected).await);
        handwritten_times.push(time(|| buffered(&client, per_page, concurrency), expected).await);
        stream_times.push(time(|| stream_items(&client, per_page), expected).await);
        default_stream_times.push(time(|| stream_items(&default_client, per_page), expected).await);
    }
    let sequential_median = median(&sequential_times);
    let default_concurrency = cplug_runtime::DEFAULT_PAGE_CONCURRENCY;
    let rows = [
        ("sequential `send()` with `.page(n)`".to_string(), sequential_median),
        (format!("hand-written `buffer_unordered({concurrency})` over `send()`"), median(&handwritten_times)),
        (format!("`items()` stream, `page_concurrency({concurrency})`"), median(&stream_times)),
        (format!("`items()` stream, default page concurrency ({default_concurrency})"), median(&default_stream_times)),
    ];

    println!("| method | median wall time ms | speed-up over sequential |");
    println!("|---|---:|---:|");
    for (label, seconds) in rows {
        println!("| {label} | {:.1} | {:.2} |", seconds * 1000.0, sequential_median / seconds);
    }
    println!();
    println!("{pages} pages of {per_page} sessions, {latency_ms} ms server latency, {runs} runs each");
    println!();

    println!("| method | sessions | peak RSS KiB |");
    println!("|---|---:|---:|");
    for items in MEMORY_ITEMS {
        let config = ServerConfig { total_items: items, default_per_page: MEMORY_PER_PAGE, latency: Duration::ZERO };
        let running = server::start(config, 2);
        for method in ["stream", "sequential", "collect"] {
            let peak = run_memory_child(&running.base_url(), items, method, concurrency);
            println!("| {} | {items} | {peak} |", memory_label(method));
        }
    }
    println!();
    println!("each row is a fresh child process; {MEMORY_PER_PAGE} sessions a page, no server latency");
}

fn client(base_url: &str, page_concurrency: usize) -> cplug_client::Client {
    cplug_client::Client::builder(base_url)
        .bearer_token(TOKEN)
        .company_id(COMPANY_ID)
        .page_concurrency(page_concurrency)
        .build()
        .expect("the generated client rejected the loopback configuration")
}

fn client_with_default_concurrency(base_url: &str) -> cplug_client::Client {
    cplug_client::Client::builder(base_url)
        .bearer_token(TOKEN)
        .company_id(COMPANY_ID)
        .build()
        .expect("the generated client rejected the loopback configuration")
}

/// Lists every session with the generated `items()` stream, counting them as they arrive.
async fn stream_items(client: &cplug_client::Client, per_page: u64) -> usize {
    client
        .list_user_sessions()
        .per_page(per_page as i64)
        .items()
        .try_fold(0, |count, _session| async move { Ok(count + 1) })
        .await
        .expect("a page request failed")
}

/// Runs `list` once and returns its wall time in seconds; panics when it lists the wrong count.
async fn time<F, Fut>(list: F, expected: usize) -> f64
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = usize>,
{
    let started = Instant::now();
    let count = list().await;
    let elapsed = started.elapsed().as_secs_f64();
    assert_eq!(count, expected, "the listing returned the wrong number of sessions");
    elapsed
}

/// Lists every session one page at a time, reading `last_page` from the first page.
async fn sequential(client: &cplug_client::Client, per_page: u64) -> usize {
    let mut count = 0;
    let mut page = 1;
    loop {
        let response = client
            .list_user_sessions()
            .page(page)
            .per_page(per_page as i64)
            .send()
            .await
            .expect("a page request failed");
        count += response.data.sessions.len();
        if page >= response.meta.last_page {
            return count;
        }
        page += 1;
    }
}

/// Lists every session the way a user would without pagination support: the first page for
/// `last_page`, then the rest with up to `concurrency` requests in flight.
async fn buffered(client: &cplug_client::Client, per_page: u64, concurrency: usize) -> usize {
    let first = client
        .list_user_sessions()
        .page(1)
        .per_page(per_page as i64)
        .send()
        .await
        .expect("the first page request failed");
    let rest = futures::stream::iter(2..=first.meta.last_page)
        .map(|page| client.list_user_sessions().page(page).per_page(per_page as i64).send())
        .buffer_unordered(concurrency)
        .map_ok(|page| page.data.sessions.len())
        .try_fold(0, |total, count| async move { Ok(total + count) })
        .await
        .expect("a page request failed");
    first.data.sessions.len() + rest
}

fn memory_label(method: &str) -> &'static str {
    match method {
        "stream" => "`items()` stream, each session dropped",
        "sequential" => "sequential `send()`, each page dropped",
        "collect" => "sequential `send()`, every session kept in a `Vec`",
        _ => "unknown",
    }
}

/// Runs this program as a child that lists `items` sessions with `method`, with up to
/// `concurrency` page requests in flight for the stream, and returns its peak resident set size
/// in KiB.
fn run_memory_child(base_url: &str, items: u64, method: &str, concurrency: usize) -> String {
    let program = std::env::current_exe().expect("cannot find this program's path");
    let output = Command::new(program)
        .args(["memory-child", "--base-url", base_url, "--items", &items.to_string(), "--method", method])
        .args(["--concurrency", &concurrency.to_string()])
        .output()
        .expect("failed to start the memory child process");
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        eprintln!("{}", String::from_utf8_lossy(&output.stderr));
        return format!("failed ({})", output.status);
    }
    stdout.trim().to_string()
}

/// Child side of the memory measurement: lists the sessions and prints the peak RSS in KiB.
async fn memory_child() {
    let base_url: String = cplug_bench::argument("base-url", String::new());
    let items: u64 = cplug_bench::argument("items", 0);
    let method: String = cplug_bench::argument("method", String::new());
    let concurrency: usize = cplug_bench::argument("concurrency", 8);
    let client = client(&base_url, concurrency);

    let count = match method.as_str() {
        "stream" => stream_items(&client, MEMORY_PER_PAGE).await,
        "sequential" => sequential(&client, MEMORY_PER_PAGE).await,
        "collect" => collect_all(&client).await.len(),
        _ => {
            eprintln!("error: unknown --method `{method}`; expected stream, sequential or collect");
            std::process::exit(2);
        }
    };
    assert_eq!(count as u64, items, "the listing returned the wrong number of sessions");
    match cplug_bench::peak_rss_kib() {
        Some(peak) => println!("{peak}"),
        None => println!("not available on this system"),
    }
}

/// Lists every session one page at a time and keeps them all, as a reference that grows.
async fn collect_all(client: &cplug_client::Client) -> Vec<cplug_client::types::UserSession> {
    let mut sessions = Vec::new();
    let mut page = 1;
    loop {
        let response = client
            .list_user_sessions()
            .page(page)
            .per_page(MEMORY_PER_PAGE as i64)
            .send()
            .await
            .expect("a page request failed");
        sessions.extend(response.data.sessions);
        if page >= response.meta.last_page {
            return sessions;
        }
        page += 1;
    }
}
