//! Support for the contract tests: a Stoplight Prism mock server for `spec/openapi.yaml`, and a
//! loopback proxy in front of it that records the violations Prism reports for each request.
//!
//! Prism validates every request against the spec. When a request breaks the spec, Prism still
//! responds with one of the spec's responses (a 422, or a 401 for a missing token) and lists the
//! problems in the `sl-violations` response header. The generated client returns only the typed
//! error for a documented status, without headers, so the proxy reads that header for the tests.
//! In Prism 5.14.2 the `--errors` flag makes it respond with status 500 and a problem+json body
//! when the response it produced breaks the spec, and the client reports that status as
//! unexpected.

use std::io::{BufRead, BufReader, Read};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;

/// Environment variable that skips the contract tests when set to `1`.
pub const SKIP_VARIABLE: &str = "CPLUG_SKIP_PRISM";

/// Time allowed for Prism to load the spec and start accepting connections.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(60);

/// Number of Prism log lines shown when a test fails.
const LOG_TAIL_LINES: usize = 60;

/// Returns the folder that contains `package.json` and `package-lock.json` for Prism.
fn tools_dir() -> PathBuf {
    workspace_root().join("tools")
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("the tests crate sits inside the workspace").to_path_buf()
}

/// Returns true when the contract tests are switched off with `CPLUG_SKIP_PRISM=1`.
pub fn skipped() -> bool {
    let skip = std::env::var(SKIP_VARIABLE).is_ok_and(|value| value == "1");
    if skip {
        eprintln!("skipping the Prism contract test because {SKIP_VARIABLE}=1");
    }
    skip
}

/// A running `prism mock` process, killed when this value is dropped.
pub struct Prism {
    child: Child,
    address: SocketAddr,
    log: Arc<Mutex<Vec<String>>>,
}

impl Prism {
    /// Starts `prism mock --errors spec/openapi.yaml` on a free loopback port and waits until it
    /// accepts connections.
    ///
    /// Panics with install instructions when Prism is not installed in `tools/node_modules`.
    pub fn start() -> Prism {
        let tools = tools_dir();
        let executable = tools.join("node_modules").join(".bin").join("prism");
        if !executable.exists() {
            panic!(
                "Stoplight Prism is missing: {} does not exist.\n\
                 Install it with `bash .ci/install-tools` (which runs `npm ci` in {}; Node.js 20.19 or later), \
                 or run the tests with `cargo xtask test`, which installs it first; \
                 set {SKIP_VARIABLE}=1 to skip the contract tests.",
                executable.display(),
                tools.display()
            );
        }

        let port = free_port();
        let address = SocketAddr::from(([127, 0, 0, 1], port));
        let mut child = Command::new(&executable)
            .args(["mock", "--host", "127.0.0.1", "--port", &port.to_string(), "--errors"])
            .arg(cplug_spec::spec_path())
            .current_dir(&tools)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|error| {
                panic!("starting {} failed: {error}. Prism needs `node` (20.19 or later) on PATH", executable.display())
            });

        let log = Arc::new(Mutex::new(Vec::new()));
        collect_lines(child.stdout.take().expect("stdout is piped"), Arc::clone(&log));
        collect_lines(child.stderr.take().expect("stderr is piped"), Arc::clone(&log));
        let mut prism = Prism { child, address, log };
        prism.wait_until_ready();
        prism
    }

    fn wait_until_ready(&mut self) {
        let started = Instant::now();
        loop {
            if TcpStream::connect_timeout(&self.address, Duration::from_millis(200)).is_ok() {
                return;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("Prism exited with {status} before accepting connections; its output:\n{}", self.log_tail());
            }
            if started.elapsed() > STARTUP_TIMEOUT {
                panic!(
                    "Prism did not accept connections on {} within {STARTUP_TIMEOUT:?}; its output:\n{}",
                    self.address,
                    self.log_tail()
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Returns the base URL of the mock server.
    pub fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// Returns the last lines Prism printed, for failure messages.
    pub fn log_tail(&self) -> String {
        let lines = self.log.lock().expect("log lock");
        let start = lines.len().saturating_sub(LOG_TAIL_LINES);
        lines[start..].join("\n")
    }
}

impl Drop for Prism {
    fn drop(&mut self) {
        // Prism runs as one Node.js process without `--multiprocess`, so killing it by its PID
        // stops the server.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Returns a port that was free on 127.0.0.1 a moment ago.
///
/// NOTE: another process can take the port between this call and Prism's start; Prism then
/// exits and `wait_until_ready` reports its output.
fn free_port() -> u16 {
    let listener = TcpListener::bind(("127.0.0.1", 0)).expect("binding a free loopback port failed");
    listener.local_addr().expect("local address of a bound listener").port()
}

fn collect_lines(stream: impl Read + Send + 'static, log: Arc<Mutex<Vec<String>>>) {
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            log.lock().expect("log lock").push(line);
        }
    });
}

/// One request as Prism saw it.
#[derive(Clone, Debug)]
pub struct Exchange {
    /// Method and path with query, as the client sent them.
    pub request: String,
    /// Names of the query parameters, in the order sent.
    pub query_names: Vec<String>,
    /// Response status from Prism.
    pub status: StatusCode,
    /// The `sl-violations` header: Prism's JSON list of request and response violations.
    pub violations: Option<String>,
}

/// A loopback HTTP proxy that forwards every request to Prism unchanged and records the response.
pub struct RecordingProxy {
    address: SocketAddr,
    exchanges: Arc<Mutex<Vec<Exchange>>>,
    server: tokio::task::JoinHandle<()>,
}

#[derive(Clone)]
struct ProxyState {
    upstream: String,
    http: reqwest::Client,
    exchanges: Arc<Mutex<Vec<Exchange>>>,
}

impl RecordingProxy {
    /// Starts the proxy on a free loopback port, forwarding to `upstream`.
    pub async fn start(upstream: String) -> RecordingProxy {
        let exchanges = Arc::new(Mutex::new(Vec::new()));
        let state = ProxyState { upstream, http: reqwest::Client::new(), exchanges: Arc::clone(&exchanges) };
        let app = Router::new().fallback(forward).with_state(state);
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await.expect("binding the proxy port failed");
        let address = listener.local_addr().expect("local address of the proxy");
        let server = tokio::spawn(async move {
            axum::serve(listener, app).await.expect("the recording proxy stopped with an error");
        });
        RecordingProxy { address, exchanges, server }
    }

    /// Returns the base URL the client should call.
    pub fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// Removes and returns the exchanges recorded since the last call.
    pub fn take(&self) -> Vec<Exchange> {
        std::mem::take(&mut *self.exchanges.lock().expect("exchanges lock"))
    }
}

impl Drop for RecordingProxy {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// Headers that describe one connection and are not forwarded (RFC 9110, section 7.6.1).
const HOP_BY_HOP: [header::HeaderName; 4] =
    [header::CONNECTION, header::HOST, header::TRANSFER_ENCODING, header::HeaderName::from_static("keep-alive")];

async fn forward(State(state): State<ProxyState>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let target = parts.uri.path_and_query().map(|value| value.as_str()).unwrap_or("/").to_string();
    let body = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(body) => body,
        Err(error) => {
            return (StatusCode::BAD_GATEWAY, format!("reading the request body failed: {error}")).into_response()
        }
    };

    let upstream = state
        .http
        .request(parts.method.clone(), format!("{}{target}", state.upstream))
        .headers(without_hop_by_hop(&parts.headers))
        .body(body)
        .send()
        .await;
    let upstream = match upstream {
        Ok(response) => response,
        Err(error) => return (StatusCode::BAD_GATEWAY, format!("forwarding to Prism failed: {error}")).into_response(),
    };
    let status = upstream.status();
    let headers = without_hop_by_hop(upstream.headers());
    let body = match upstream.bytes().await {
        Ok(body) => body,
        Err(error) => {
            return (StatusCode::BAD_GATEWAY, format!("reading Prism's response failed: {error}")).into_response()
        }
    };

    let violations = headers.get("sl-violations").map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned());
    let query_names = parts
        .uri
        .query()
        .map(|query| reqwest::Url::parse(&format!("http://proxy/?{query}")))
        .and_then(Result::ok)
        .map(|url| url.query_pairs().map(|(name, _)| name.into_owned()).collect())
        .unwrap_or_default();
    state.exchanges.lock().expect("exchanges lock").push(Exchange {
        request: format!("{} {target}", parts.method),
        query_names,
        status,
        violations,
    });

    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    response
}

fn without_hop_by_hop(headers: &HeaderMap) -> HeaderMap {
    let mut headers = headers.clone();
    for name in &HOP_BY_HOP {
        headers.remove(name);
    }
    headers
}
