//! A loopback HTTP server that records every request and replies with canned responses.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::body::{to_bytes, Body};
use axum::http::{HeaderMap, Request, Response, StatusCode};
use bytes::Bytes;

/// Largest request body the server reads.
const MAX_REQUEST_BODY: usize = 1 << 20;

/// One request as the server received it.
#[derive(Clone, Debug)]
pub struct RecordedRequest {
    /// HTTP method, upper case.
    pub method: String,
    /// Path without the query.
    pub path: String,
    /// Raw query string, still percent-encoded.
    pub query: Option<String>,
    /// All request headers.
    pub headers: HeaderMap,
    /// Request body.
    pub body: Bytes,
}

impl RecordedRequest {
    /// Returns the value of header `name` as text, if present.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|value| value.to_str().ok())
    }
}

/// A response for the server to send.
#[derive(Clone, Debug)]
pub struct CannedResponse {
    /// Status code.
    pub status: u16,
    /// Headers, in order.
    pub headers: Vec<(String, String)>,
    /// Body bytes.
    pub body: Vec<u8>,
}

impl CannedResponse {
    /// Builds a JSON response.
    pub fn json(status: u16, body: &serde_json::Value) -> Self {
        CannedResponse {
            status,
            headers: vec![("content-type".to_string(), "application/json".to_string())],
            body: body.to_string().into_bytes(),
        }
    }

    /// Builds a response with a body of any content type.
    pub fn raw(status: u16, content_type: &str, body: &str) -> Self {
        CannedResponse {
            status,
            headers: vec![("content-type".to_string(), content_type.to_string())],
            body: body.as_bytes().to_vec(),
        }
    }

    /// Builds a response without a body or content type.
    pub fn empty(status: u16) -> Self {
        CannedResponse { status, headers: Vec::new(), body: Vec::new() }
    }
}

type Responder = dyn Fn(&RecordedRequest) -> CannedResponse + Send + Sync;

/// A server on 127.0.0.1 with a free port; it stops when dropped.
pub struct TestServer {
    address: SocketAddr,
    requests: Arc<Mutex<Vec<RecordedRequest>>>,
    task: tokio::task::JoinHandle<()>,
}

impl TestServer {
    /// Starts a server that replies to every request with the response `responder` returns.
    pub async fn start(responder: impl Fn(&RecordedRequest) -> CannedResponse + Send + Sync + 'static) -> Self {
        let requests = Arc::new(Mutex::new(Vec::new()));
        let responder: Arc<Responder> = Arc::new(responder);
        let recorded = requests.clone();
        let app = axum::Router::new().fallback(move |request: Request<Body>| {
            let recorded = recorded.clone();
            let responder = responder.clone();
            async move { handle(request, &recorded, responder.as_ref()).await }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind a loopback port");
        let address = listener.local_addr().expect("local address");
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        TestServer { address, requests, task }
    }

    /// Returns the server's base URL, such as `http://127.0.0.1:41234`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// Returns the requests received so far, in arrival order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.requests.lock().expect("request log").clone()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn handle(request: Request<Body>, log: &Mutex<Vec<RecordedRequest>>, responder: &Responder) -> Response<Body> {
    let (parts, body) = request.into_parts();
    let body = to_bytes(body, MAX_REQUEST_BODY).await.unwrap_or_default();
    let recorded = RecordedRequest {
        method: parts.method.to_string(),
        path: parts.uri.path().to_string(),
        query: parts.uri.query().map(str::to_string),
        headers: parts.headers,
        body,
    };
    let canned = responder(&recorded);
    log.lock().expect("request log").push(recorded);

    let mut response = Response::new(Body::from(canned.body));
    *response.status_mut() = StatusCode::from_u16(canned.status).expect("valid status in test");
    for (name, value) in canned.headers {
        response.headers_mut().append(
            axum::http::HeaderName::from_bytes(name.as_bytes()).expect("valid header name in test"),
            axum::http::HeaderValue::from_str(&value).expect("valid header value in test"),
        );
    }
    response
}
