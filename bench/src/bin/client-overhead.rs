//! Compares the generated client with a hand-written `reqwest` call on a loopback server.
//!
//! Usage: `client-overhead [--requests N] [--concurrency C] [--rounds R] [--page-size S]`.
//! Both clients send `GET /api/v3/users/sessions?page=1&per_page=S` with the same headers and
//! decode the same page into equivalent types. A third row decodes the hand-written response with
//! `serde_path_to_error`, to show what tracking the JSON path of every value costs. Rounds alternate between the
//! clients so that load from other processes hits them alike. Prints one Markdown table row per
//! client with the median over the rounds, then the ratio of the first two medians.

use std::sync::Arc;
use std::time::{Duration, Instant};

use cplug_bench::server::{self, ServerConfig, COMPANY_HEADER, COMPANY_ID, TOKEN};
use cplug_bench::stats::{median, millis, percentile};

/// One round's result for one client.
struct Round {
    requests_per_second: f64,
    p50: Duration,
    p99: Duration,
}

#[tokio::main]
async fn main() {
    let requests: usize = cplug_bench::argument("requests", 20_000);
    let concurrency: usize = cplug_bench::argument("concurrency", 8);
    let rounds: usize = cplug_bench::argument("rounds", 5);
    let page_size: u64 = cplug_bench::argument("page-size", 20);
    if requests == 0 || concurrency == 0 || rounds == 0 {
        eprintln!("error: --requests, --concurrency and --rounds must be at least 1");
        std::process::exit(2);
    }

    let config = ServerConfig { total_items: page_size * 10, default_per_page: page_size, latency: Duration::ZERO };
    let running = server::start(config, 1);
    let base_url = running.base_url();
    let generated = generated_client(&base_url);
    let handwritten = Arc::new(HandWritten::new(&base_url));

    // One unmeasured round each opens the connections and warms the allocator.
    run_round(requests / 10, concurrency, generated_call(&generated, page_size)).await;
    run_round(requests / 10, concurrency, handwritten_call(&handwritten, page_size, Decoder::Plain)).await;
    run_round(requests / 10, concurrency, handwritten_call(&handwritten, page_size, Decoder::WithPath)).await;

    let mut generated_rounds = Vec::new();
    let mut handwritten_rounds = Vec::new();
    let mut with_path_rounds = Vec::new();
    for _ in 0..rounds {
        generated_rounds.push(run_round(requests, concurrency, generated_call(&generated, page_size)).await);
        let plain = handwritten_call(&handwritten, page_size, Decoder::Plain);
        handwritten_rounds.push(run_round(requests, concurrency, plain).await);
        let with_path = handwritten_call(&handwritten, page_size, Decoder::WithPath);
        with_path_rounds.push(run_round(requests, concurrency, with_path).await);
    }

    println!("| client | requests/s | p50 latency ms | p99 latency ms |");
    println!("|---|---:|---:|---:|");
    let generated_rate = print_row("generated `cplug-client`", &generated_rounds);
    let handwritten_rate = print_row("hand-written `reqwest` + `serde_json`", &handwritten_rounds);
    print_row("hand-written `reqwest` + `serde_path_to_error`", &with_path_rounds);
    println!();
    println!(
        "{requests} requests a round, {rounds} rounds a client, concurrency {concurrency}, {page_size} sessions a page; \
         generated / hand-written requests/s = {:.3}",
        generated_rate / handwritten_rate
    );
}

/// Prints the median of each measure over the rounds and returns the median requests per second.
fn print_row(label: &str, rounds: &[Round]) -> f64 {
    let rate = median(&rounds.iter().map(|round| round.requests_per_second).collect::<Vec<_>>());
    let p50 = median(&rounds.iter().map(|round| round.p50.as_secs_f64()).collect::<Vec<_>>());
    let p99 = median(&rounds.iter().map(|round| round.p99.as_secs_f64()).collect::<Vec<_>>());
    println!(
        "| {label} | {rate:.0} | {} | {} |",
        millis(Duration::from_secs_f64(p50)),
        millis(Duration::from_secs_f64(p99))
    );
    rate
}

/// Sends `requests` requests with `concurrency` tasks and measures each one.
async fn run_round<F, Fut>(requests: usize, concurrency: usize, call: F) -> Round
where
    F: Fn() -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = usize> + Send,
{
    let started = Instant::now();
    let mut tasks = Vec::new();
    for worker in 0..concurrency {
        // Spread the requests so that the workers' counts differ by at most one.
        let count = requests / concurrency + usize::from(worker < requests % concurrency);
        let call = call.clone();
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::with_capacity(count);
            for _ in 0..count {
                let sent = Instant::now();
                let sessions = call().await;
                latencies.push(sent.elapsed());
                assert!(sessions > 0, "a page came back without sessions");
            }
            latencies
        }));
    }
    let mut latencies = Vec::with_capacity(requests);
    for task in tasks {
        latencies.extend(task.await.expect("a benchmark task panicked"));
    }
    let elapsed = started.elapsed();
    Round {
        requests_per_second: requests as f64 / elapsed.as_secs_f64(),
        p50: percentile(&latencies, 50.0),
        p99: percentile(&latencies, 99.0),
    }
}

fn generated_client(base_url: &str) -> cplug_client::Client {
    cplug_client::Client::builder(base_url)
        .bearer_token(TOKEN)
        .company_id(COMPANY_ID)
        .build()
        .expect("the generated client rejected the loopback configuration")
}

fn generated_call(
    client: &cplug_client::Client,
    page_size: u64,
) -> impl Fn() -> std::pin::Pin<Box<dyn std::future::Future<Output = usize> + Send>> + Clone + Send + 'static {
    let client = client.clone();
    move || {
        let client = client.clone();
        Box::pin(async move {
            let page = client
                .list_user_sessions()
                .page(1)
                .per_page(page_size as i64)
                .send()
                .await
                .expect("the generated client's request failed");
            page.data.sessions.len()
        })
    }
}

fn handwritten_call(
    client: &Arc<HandWritten>,
    page_size: u64,
    decoder: Decoder,
) -> impl Fn() -> std::pin::Pin<Box<dyn std::future::Future<Output = usize> + Send>> + Clone + Send + 'static {
    let client = Arc::clone(client);
    move || {
        let client = Arc::clone(&client);
        Box::pin(async move {
            let page = client.list_sessions(1, page_size, decoder).await.expect("the hand-written request failed");
            page.data.sessions.len()
        })
    }
}

/// The request a user would write by hand with `reqwest`. It has the same URL, query, headers,
/// timeouts and user agent as the generated client's, and a plain `serde_json` decode into types
/// equivalent to the generated ones.
struct HandWritten {
    http: reqwest::Client,
    url: String,
}

impl HandWritten {
    fn new(base_url: &str) -> Self {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(30))
            .user_agent("cplug-runtime/0.1.0")
            .build()
            .expect("failed to build the reqwest client");
        HandWritten { http, url: format!("{base_url}/api/v3/users/sessions") }
    }

    async fn list_sessions(
        &self,
        page: u64,
        per_page: u64,
        decoder: Decoder,
    ) -> Result<SessionPage, Box<dyn std::error::Error>> {
        let response = self
            .http
            .get(&self.url)
            .query(&[("page", page), ("per_page", per_page)])
            .header(reqwest::header::ACCEPT, "application/json")
            .bearer_auth(TOKEN)
            .header(COMPANY_HEADER, COMPANY_ID)
            .send()
            .await?;
        let status = response.status();
        let body = response.bytes().await?;
        if !status.is_success() {
            return Err(format!("unexpected status {status}").into());
        }
        match decoder {
            Decoder::Plain => Ok(serde_json::from_slice(&body)?),
            Decoder::WithPath => {
                let mut deserializer = serde_json::Deserializer::from_slice(&body);
                let page = serde_path_to_error::deserialize(&mut deserializer)?;
                deserializer.end()?;
                Ok(page)
            }
        }
    }
}

/// Decoder that the hand-written client uses for the body.
#[derive(Clone, Copy)]
enum Decoder {
    /// `serde_json::from_slice`, what most hand-written code does.
    Plain,
    /// `serde_path_to_error`, which tracks the JSON path of every value so that a decode error can
    /// name it. The generated client uses it only to decode a body again after a plain decode fails.
    WithPath,
}

#[derive(serde::Deserialize)]
struct SessionPage {
    data: SessionList,
    #[allow(dead_code)]
    meta: PaginationMeta,
}

#[derive(serde::Deserialize)]
struct SessionList {
    sessions: Vec<Session>,
}

#[derive(serde::Deserialize)]
#[allow(dead_code)]
struct PaginationMeta {
    current_page: i64,
    last_page: i64,
    per_page: i64,
    total: i64,
}

#[derive(serde::Deserialize)]
#[allow(dead_code)]
struct Session {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    user_name: Option<String>,
    #[serde(default)]
    expires_at: Option<chrono::DateTime<chrono::FixedOffset>>,
    #[serde(default)]
    created_at: Option<chrono::DateTime<chrono::FixedOffset>>,
}
