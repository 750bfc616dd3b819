//! Tokens, credentials and session ids stay out of `Debug` output, error messages and logs.

mod runtime_support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use cplug_client::{Error, PasswordCredentials, PasswordGrant};
use runtime_support::{capture_logs, client_builder, serve, Server};
use serde_json::json;

const CLIENT_ID: &str = "client-id-7c1e";
const CLIENT_SECRET: &str = "client-secret-93fa";
const USERNAME: &str = "ana.souza@example.com";
const PASSWORD: &str = "password-5d2b";
const ACCESS_TOKENS: [&str; 2] = ["access-token-0a11", "access-token-0b22"];
const REFRESH_TOKEN: &str = "refresh-token-44c9";
const SESSION_IDS: [&str; 2] = ["eyRTdiI6IlRLRTg0MXVES1dPRncxN3lONUtOc0E9PSIsInZh", "eyJpdiI6Ik1RZz09IiwidmFsdWUiOiJ6"];

fn secrets() -> Vec<&'static str> {
    let mut all = vec![CLIENT_ID, CLIENT_SECRET, USERNAME, PASSWORD, REFRESH_TOKEN];
    all.extend(ACCESS_TOKENS);
    all.extend(SESSION_IDS);
    all
}

fn assert_no_secret(text: &str, context: &str) {
    for secret in secrets() {
        assert!(!text.contains(secret), "{context} contains `{secret}`:\n{text}");
    }
}

/// Issues two tokens, rejects the first on the second listing request, responds with 503 once, and
/// lists two sessions.
#[derive(Default)]
struct Flow {
    issued: AtomicUsize,
    listed: AtomicUsize,
}

async fn token(State(flow): State<Arc<Flow>>) -> Response {
    let number = flow.issued.fetch_add(1, Ordering::SeqCst);
    Json(json!({
        "access_token": ACCESS_TOKENS[number.min(1)],
        "token_type": "Bearer",
        "expires_in": 3600,
        "refresh_token": REFRESH_TOKEN,
    }))
    .into_response()
}

async fn list(State(flow): State<Arc<Flow>>, headers: HeaderMap) -> Response {
    let number = flow.listed.fetch_add(1, Ordering::SeqCst);
    let authorization = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).unwrap_or("");
    if number == 1 && authorization.ends_with(ACCESS_TOKENS[0]) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    if number == 2 {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    }
    Json(json!({
        "data": {"sessions": [
            {"id": SESSION_IDS[0], "user_name": "Ana", "expires_at": "2025-01-01T00:00:00Z"},
            {"id": SESSION_IDS[1], "user_name": "Bruno", "expires_at": "2025-07-14T13:31:26.000000Z"},
        ]},
        "meta": {"current_page": 1, "last_page": 1, "per_page": 15, "total": 2},
    }))
    .into_response()
}

async fn start() -> Server {
    let router = Router::new()
        .route("/oauth/token", post(token))
        .route("/api/v3/users/sessions", get(list))
        .with_state(Arc::new(Flow::default()));
    serve(router).await
}

fn grant() -> PasswordGrant {
    PasswordGrant::new(PasswordCredentials::new(CLIENT_ID, CLIENT_SECRET, USERNAME, PASSWORD))
}

#[tokio::test]
async fn logs_and_debug_output_hide_secrets() {
    let server = start().await;
    let builder = client_builder(&server).oauth2_password(grant());
    assert_no_secret(&format!("{builder:?}"), "the builder's Debug output");
    let client = builder.build().unwrap();
    let (logs, _guard) = capture_logs();

    // First call: password grant. Second: 401, refresh, then 503 and a retry.
    let first = client.list_user_sessions().send_with_response().await.unwrap();
    let second = client.list_user_sessions().send().await.unwrap();

    assert_eq!(second.data.sessions[0].id.as_deref(), Some(SESSION_IDS[0]), "the flow must reach the data");
    assert_no_secret(&format!("{first:?}"), "a response's Debug output");
    assert_no_secret(&format!("{second:?}"), "a page's Debug output");
    assert_no_secret(&format!("{client:?}"), "the client's Debug output");
    let logs = logs.contents();
    assert!(logs.contains("renewing it and sending the request again"), "the 401 path must run:\n{logs}");
    assert!(logs.contains("request failed; retrying"), "the retry path must run:\n{logs}");
    assert!(logs.contains("requesting an access token"), "the token request must be logged:\n{logs}");
    assert_no_secret(&logs, "the TRACE log");
}

#[tokio::test]
async fn decode_error_from_server_hides_session_ids() {
    let router = Router::new().route(
        "/api/v3/users/sessions",
        get(|| async {
            Json(json!({
                "data": {"sessions": [{"id": SESSION_IDS[0], "expires_at": "not a timestamp"}]},
                "meta": {"current_page": 1, "last_page": 1, "per_page": 15, "total": 1},
            }))
        }),
    );
    let server = serve(router).await;
    let client = client_builder(&server).bearer_token(ACCESS_TOKENS[0]).build().unwrap();

    let error = client.list_user_sessions().send().await.unwrap_err();

    let Error::Decode { path, .. } = &error else { panic!("expected a decode error, got {error:?}") };
    assert_eq!(path, "data.sessions[0].expires_at");
    assert_no_secret(&format!("{error:?}"), "a decode error's Debug output");
    assert_no_secret(&error.to_string(), "a decode error's message");
}
