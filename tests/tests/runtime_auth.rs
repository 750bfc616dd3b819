//! OAuth2 password grant, token renewal and bearer tokens against a loopback server.

mod runtime_support;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use cplug_client::{
    AuthError, ClientAuthentication, Error, ListUserSessionsError, PasswordCredentials, PasswordGrant, SecretString,
    TokenRequestEncoding, TokenSource,
};
use futures::TryStreamExt;
use runtime_support::{client_builder, query_number, serve, session_id, sessions_page, Server};
use serde_json::json;

/// One request to the token endpoint.
#[derive(Clone, Debug)]
struct TokenRequest {
    content_type: String,
    authorization: Option<String>,
    fields: BTreeMap<String, String>,
}

impl TokenRequest {
    fn grant_type(&self) -> &str {
        self.fields.get("grant_type").map(String::as_str).unwrap_or("")
    }
}

/// An OAuth2 server and a sessions listing that accepts only the tokens it issued.
#[derive(Default)]
struct AuthServer {
    /// `expires_in` sent with each token, and enforced by the listing.
    expires_in: Option<u64>,
    issue_refresh_tokens: bool,
    token_delay: Duration,
    /// OAuth2 error sent for every password grant, or for every refresh grant.
    password_error: Option<(u16, &'static str)>,
    refresh_error: Option<(u16, &'static str)>,
    /// Revoke every token after this many successful listing requests.
    revoke_after: Option<usize>,
    /// Respond with 503 and an HTML body to every token request after this many.
    fail_tokens_after: Option<usize>,
    reject_all: bool,
    page_delay: Duration,

    issued: AtomicUsize,
    valid: Mutex<HashMap<String, Option<Instant>>>,
    token_requests: Mutex<Vec<TokenRequest>>,
    /// Token of each listing request and whether it was accepted.
    listing_requests: Mutex<Vec<(String, bool)>>,
    served: AtomicUsize,
}

impl AuthServer {
    fn token_requests(&self) -> Vec<TokenRequest> {
        self.token_requests.lock().unwrap().clone()
    }

    fn grant_types(&self) -> Vec<String> {
        self.token_requests().iter().map(|request| request.grant_type().to_string()).collect()
    }

    fn listing_tokens(&self) -> Vec<String> {
        self.listing_requests.lock().unwrap().iter().map(|(token, _)| token.clone()).collect()
    }

    fn rejected_count(&self) -> usize {
        self.listing_requests.lock().unwrap().iter().filter(|(_, accepted)| !accepted).count()
    }

    fn revoke_all(&self) {
        self.valid.lock().unwrap().clear();
    }
}

fn parse_fields(content_type: &str, body: &[u8]) -> BTreeMap<String, String> {
    if content_type.starts_with("application/json") {
        let object: BTreeMap<String, serde_json::Value> = serde_json::from_slice(body).expect("a JSON object");
        object.into_iter().map(|(name, value)| (name, value.as_str().expect("string fields").to_string())).collect()
    } else {
        url::form_urlencoded::parse(body).into_owned().collect()
    }
}

async fn token(State(server): State<Arc<AuthServer>>, headers: HeaderMap, body: Bytes) -> Response {
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let authorization = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).map(str::to_string);
    let request = TokenRequest { fields: parse_fields(&content_type, &body), content_type, authorization };
    let grant_type = request.grant_type().to_string();
    let received = {
        let mut requests = server.token_requests.lock().unwrap();
        requests.push(request);
        requests.len()
    };
    tokio::time::sleep(server.token_delay).await;

    if server.fail_tokens_after.is_some_and(|limit| received > limit) {
        return (StatusCode::SERVICE_UNAVAILABLE, "<html>maintenance</html>").into_response();
    }

    let error = if grant_type == "refresh_token" { server.refresh_error } else { server.password_error };
    if let Some((status, code)) = error {
        let body = json!({"error": code, "error_description": format!("{code} from the test server")});
        return (StatusCode::from_u16(status).unwrap(), Json(body)).into_response();
    }

    let number = server.issued.fetch_add(1, Ordering::SeqCst) + 1;
    let access = format!("access-{number}");
    let expiry = server.expires_in.map(|seconds| Instant::now() + Duration::from_secs(seconds));
    server.valid.lock().unwrap().insert(access.clone(), expiry);
    let mut body = json!({"access_token": access, "token_type": "Bearer"});
    if let Some(seconds) = server.expires_in {
        body["expires_in"] = json!(seconds);
    }
    if server.issue_refresh_tokens {
        body["refresh_token"] = json!(format!("refresh-{number}"));
    }
    Json(body).into_response()
}

async fn list_sessions(
    State(server): State<Arc<AuthServer>>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("")
        .to_string();
    let accepted = !server.reject_all
        && match server.valid.lock().unwrap().get(&token) {
            Some(Some(expiry)) => Instant::now() < *expiry,
            Some(None) => true,
            None => token.starts_with("static-"),
        };
    server.listing_requests.lock().unwrap().push((token, accepted));
    if !accepted {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    tokio::time::sleep(server.page_delay).await;
    let served = server.served.fetch_add(1, Ordering::SeqCst) + 1;
    if server.revoke_after == Some(served) {
        server.revoke_all();
    }
    let page = query_number(&query, "page").unwrap_or(1);
    let per_page = query_number(&query, "per_page").unwrap_or(15);
    Json(sessions_page(page, per_page, 20)).into_response()
}

async fn start(config: AuthServer) -> (Server, Arc<AuthServer>) {
    let state = Arc::new(config);
    let router = Router::new()
        .route("/oauth/token", post(token))
        .route("/custom/token", post(token))
        .route("/api/v3/users/sessions", get(list_sessions))
        .with_state(state.clone());
    (serve(router).await, state)
}

fn credentials() -> PasswordCredentials {
    PasswordCredentials::new("client-1", "secret-1", "ana@example.com", "pw-1")
}

fn password_fields() -> BTreeMap<String, String> {
    [
        ("client_id", "client-1"),
        ("client_secret", "secret-1"),
        ("grant_type", "password"),
        ("password", "pw-1"),
        ("username", "ana@example.com"),
    ]
    .into_iter()
    .map(|(name, value)| (name.to_string(), value.to_string()))
    .collect()
}

#[tokio::test]
async fn token_fetched_on_first_use() {
    let (server, state) = start(AuthServer::default()).await;
    let client = client_builder(&server).oauth2_password(credentials()).build().unwrap();
    assert!(state.token_requests().is_empty(), "building the client must not request a token");

    for _ in 0..3 {
        client.list_user_sessions().send().await.unwrap();
    }

    let requests = state.token_requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].content_type, "application/x-www-form-urlencoded");
    assert_eq!(requests[0].fields, password_fields());
    assert_eq!(requests[0].authorization, None);
    assert_eq!(state.listing_tokens(), vec!["access-1", "access-1", "access-1"]);
}

#[tokio::test]
async fn json_encoding_sends_json_object() {
    let (server, state) = start(AuthServer::default()).await;
    let grant = PasswordGrant::new(credentials()).encoding(TokenRequestEncoding::Json).scope("sessions");
    let client = client_builder(&server).oauth2_password(grant).build().unwrap();

    client.list_user_sessions().send().await.unwrap();

    let requests = state.token_requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].content_type, "application/json");
    let mut expected = password_fields();
    expected.insert("scope".to_string(), "sessions".to_string());
    assert_eq!(requests[0].fields, expected);
}

#[tokio::test]
async fn basic_client_authentication_encodes_credentials() {
    let (server, state) = start(AuthServer::default()).await;
    let credentials = PasswordCredentials::new("client:1", "s&cret", "ana@example.com", "pw-1");
    let grant = PasswordGrant::new(credentials).client_authentication(ClientAuthentication::BasicAuth);
    let client = client_builder(&server).oauth2_password(grant).build().unwrap();

    client.list_user_sessions().send().await.unwrap();

    let requests = state.token_requests();
    // base64("client%3A1:s%26cret"): each part is form-encoded first, as RFC 6749 section 2.3.1 requires.
    assert_eq!(requests[0].authorization.as_deref(), Some("Basic Y2xpZW50JTNBMTpzJTI2Y3JldA=="));
    assert!(!requests[0].fields.contains_key("client_id"));
    assert!(!requests[0].fields.contains_key("client_secret"));
}

#[tokio::test]
async fn token_url_can_be_overridden() {
    let (server, state) = start(AuthServer::default()).await;
    let grant = PasswordGrant::new(credentials()).token_url(format!("{}/custom/token", server.base_url));
    let client = client_builder(&server).oauth2_password(grant).build().unwrap();

    client.list_user_sessions().send().await.unwrap();

    assert_eq!(state.token_requests().len(), 1);
    assert_eq!(state.listing_tokens(), vec!["access-1"]);
}

#[tokio::test]
async fn unauthorized_refreshes_and_replays_once() {
    let (server, state) = start(AuthServer { issue_refresh_tokens: true, ..AuthServer::default() }).await;
    let client = client_builder(&server).oauth2_password(credentials()).build().unwrap();
    client.list_user_sessions().send().await.unwrap();
    state.revoke_all();

    let page = client.list_user_sessions().send().await.unwrap();

    assert_eq!(page.data.sessions.len(), 15);
    assert_eq!(state.grant_types(), vec!["password", "refresh_token"]);
    let refresh = &state.token_requests()[1].fields;
    assert_eq!(refresh.get("refresh_token").map(String::as_str), Some("refresh-1"));
    assert_eq!(refresh.get("client_id").map(String::as_str), Some("client-1"));
    assert_eq!(refresh.get("client_secret").map(String::as_str), Some("secret-1"));
    assert!(!refresh.contains_key("password"));
    assert_eq!(state.listing_tokens(), vec!["access-1", "access-1", "access-2"]);
}

#[tokio::test]
async fn second_unauthorized_is_returned() {
    let (server, state) = start(AuthServer { reject_all: true, ..AuthServer::default() }).await;
    let client = client_builder(&server).oauth2_password(credentials()).build().unwrap();

    let error = client.list_user_sessions().send().await.unwrap_err();

    assert!(matches!(error, Error::Api(ListUserSessionsError::Unauthorized)), "{error:?}");
    assert_eq!(state.grant_types(), vec!["password", "password"]);
    assert_eq!(state.listing_tokens(), vec!["access-1", "access-2"]);
}

#[tokio::test]
async fn rejected_refresh_falls_back_to_password() {
    let config =
        AuthServer { issue_refresh_tokens: true, refresh_error: Some((400, "invalid_grant")), ..AuthServer::default() };
    let (server, state) = start(config).await;
    let client = client_builder(&server).oauth2_password(credentials()).build().unwrap();
    client.list_user_sessions().send().await.unwrap();
    state.revoke_all();

    client.list_user_sessions().send().await.unwrap();

    assert_eq!(state.grant_types(), vec!["password", "refresh_token", "password"]);
    assert_eq!(state.listing_tokens(), vec!["access-1", "access-1", "access-2"]);
}

#[tokio::test]
async fn cold_client_fetches_one_token_for_100_calls() {
    let config = AuthServer { token_delay: Duration::from_millis(100), ..AuthServer::default() };
    let (server, state) = start(config).await;
    let client = client_builder(&server).oauth2_password(credentials()).build().unwrap();

    let calls = (0..100).map(|_| client.list_user_sessions().send());
    let results = futures::future::join_all(calls).await;

    assert!(results.iter().all(Result::is_ok));
    assert_eq!(state.token_requests().len(), 1);
    assert_eq!(state.listing_tokens().len(), 100);
    assert!(state.listing_tokens().iter().all(|token| token == "access-1"));
}

#[tokio::test]
async fn concurrent_unauthorized_share_one_refresh() {
    let config = AuthServer {
        issue_refresh_tokens: true,
        token_delay: Duration::from_millis(50),
        page_delay: Duration::from_millis(20),
        ..AuthServer::default()
    };
    let (server, state) = start(config).await;
    let client = client_builder(&server).oauth2_password(credentials()).build().unwrap();
    client.list_user_sessions().send().await.unwrap();
    state.revoke_all();

    let calls = (0..100).map(|_| client.list_user_sessions().send());
    let results = futures::future::join_all(calls).await;

    assert!(results.iter().all(Result::is_ok));
    assert_eq!(state.grant_types(), vec!["password", "refresh_token"]);
    assert!(state.rejected_count() >= 1);
    let accepted: HashSet<String> =
        state.listing_requests.lock().unwrap().iter().filter(|(_, ok)| *ok).map(|(t, _)| t.clone()).collect();
    assert_eq!(accepted, HashSet::from(["access-1".to_string(), "access-2".to_string()]));
}

#[tokio::test]
async fn oauth_error_is_typed() {
    let (server, state) =
        start(AuthServer { password_error: Some((401, "invalid_client")), ..AuthServer::default() }).await;
    let client = client_builder(&server).oauth2_password(credentials()).build().unwrap();

    let error = client.list_user_sessions().send().await.unwrap_err();

    let Error::Auth(AuthError::OAuth { status, error: code, description }) = &error else {
        panic!("expected an OAuth error, got {error:?}");
    };
    assert_eq!(*status, 401);
    assert_eq!(code, "invalid_client");
    assert_eq!(description.as_deref(), Some("invalid_client from the test server"));
    assert!(state.listing_tokens().is_empty(), "no API request may be sent without a token");
}

#[tokio::test]
async fn token_expiring_mid_walk_is_renewed_early() {
    // Tokens live 1 s and the client renews them 500 ms early; the walk lasts about 1.2 s.
    let config = AuthServer {
        expires_in: Some(1),
        issue_refresh_tokens: true,
        page_delay: Duration::from_millis(300),
        ..AuthServer::default()
    };
    let (server, state) = start(config).await;
    let grant = PasswordGrant::new(credentials()).refresh_margin(Duration::from_millis(500));
    let client = client_builder(&server).oauth2_password(grant).page_concurrency(1).build().unwrap();

    let sessions: Vec<_> = client.list_user_sessions().per_page(5).items().try_collect().await.unwrap();

    let ids: Vec<String> = sessions.iter().map(|s| s.id.clone().unwrap()).collect();
    assert_eq!(ids, (0..20).map(session_id).collect::<Vec<_>>());
    assert_eq!(state.rejected_count(), 0, "a token must be renewed before the server rejects it");
    let grants = state.grant_types();
    assert_eq!(grants[0], "password");
    assert!(grants.len() >= 2, "{grants:?}");
    assert!(grants[1..].iter().all(|grant| grant == "refresh_token"), "{grants:?}");
    let tokens = state.listing_tokens();
    assert_eq!(tokens.len(), 4);
    assert_eq!(tokens[0], "access-1");
    assert_ne!(tokens[3], "access-1");
}

#[tokio::test]
async fn token_revoked_mid_walk_is_replaced() {
    let config = AuthServer { issue_refresh_tokens: true, revoke_after: Some(2), ..AuthServer::default() };
    let (server, state) = start(config).await;
    let client = client_builder(&server).oauth2_password(credentials()).page_concurrency(1).build().unwrap();

    let sessions: Vec<_> = client.list_user_sessions().per_page(3).items().try_collect().await.unwrap();

    assert_eq!(sessions.len(), 20);
    assert_eq!(state.grant_types(), vec!["password", "refresh_token"]);
    let tokens = state.listing_tokens();
    let expected = ["access-1", "access-1", "access-1", "access-2", "access-2", "access-2", "access-2", "access-2"];
    assert_eq!(tokens, expected);
    assert_eq!(state.rejected_count(), 1);
}

#[tokio::test]
async fn static_bearer_token_is_sent_without_renewal() {
    let (server, state) = start(AuthServer::default()).await;
    let client = client_builder(&server).bearer_token("static-1").build().unwrap();

    client.list_user_sessions().send().await.unwrap();
    let unknown = client_builder(&server).bearer_token("unknown").build().unwrap();
    let error = unknown.list_user_sessions().send().await.unwrap_err();

    assert!(matches!(error, Error::Api(ListUserSessionsError::Unauthorized)), "{error:?}");
    assert_eq!(state.listing_tokens(), vec!["static-1", "unknown"]);
    assert!(state.token_requests().is_empty());
}

/// A token source that hands out `static-N` and counts invalidations.
#[derive(Default)]
struct CountingSource {
    issued: AtomicUsize,
    invalidated: Arc<AtomicUsize>,
}

impl TokenSource for CountingSource {
    fn token(&self) -> cplug_client::TokenFuture<'_> {
        let number = self.issued.load(Ordering::SeqCst) + 1;
        Box::pin(async move { Ok(SecretString::new(format!("static-{number}"))) })
    }

    fn invalidate(&self, _rejected: &SecretString) {
        self.issued.fetch_add(1, Ordering::SeqCst);
        self.invalidated.fetch_add(1, Ordering::SeqCst);
    }
}

#[tokio::test]
async fn user_token_source_is_asked_again_after_401() {
    let (server, state) = start(AuthServer { reject_all: true, ..AuthServer::default() }).await;
    let source = CountingSource::default();
    let invalidated = source.invalidated.clone();
    let client = client_builder(&server).token_source(source).build().unwrap();

    let error = client.list_user_sessions().send().await.unwrap_err();

    assert!(matches!(error, Error::Api(ListUserSessionsError::Unauthorized)), "{error:?}");
    assert_eq!(state.listing_tokens(), vec!["static-1", "static-2"]);
    assert_eq!(invalidated.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn failed_early_renewal_keeps_current_token() {
    // The token lives 1 s and is due for renewal after 500 ms; the renewal at 600 ms fails.
    let config = AuthServer { expires_in: Some(1), fail_tokens_after: Some(1), ..AuthServer::default() };
    let (server, state) = start(config).await;
    let grant = PasswordGrant::new(credentials()).refresh_margin(Duration::from_secs(30));
    let client = client_builder(&server).oauth2_password(grant).build().unwrap();
    client.list_user_sessions().send().await.unwrap();
    tokio::time::sleep(Duration::from_millis(600)).await;

    let renewal_failed = client.list_user_sessions().send().await;
    tokio::time::sleep(Duration::from_millis(700)).await;
    let expired = client.list_user_sessions().send().await;

    assert!(renewal_failed.is_ok(), "{renewal_failed:?}");
    let Err(Error::Auth(AuthError::InvalidResponse { status, .. })) = &expired else {
        panic!("expected the failed renewal once the token expired, got {expired:?}");
    };
    assert_eq!(*status, 503);
    assert_eq!(state.grant_types(), vec!["password", "password", "password"]);
    assert_eq!(state.listing_tokens(), vec!["access-1", "access-1"]);
}
