//! Hostile or odd server behaviour: redirects to other origins, oversized bodies, extreme token
//! lifetimes, and configuration that would leak or lose data.

use cplug_client::{Client, Error, PasswordCredentials, PasswordGrant};
use cplug_tests::server::{CannedResponse, TestServer};
use serde_json::json;

const TOKEN: &str = "static-token-xyz";
const PASSWORD: &str = "senha-super-secreta";
const CLIENT_SECRET: &str = "client-secret-42";

fn page_body() -> serde_json::Value {
    json!({
        "data": { "sessions": [ { "id": "session-secret-1", "user_name": "Ana" } ] },
        "meta": { "current_page": 1, "last_page": 1, "per_page": 20, "total": 1 }
    })
}

fn redirect_to(location: String, status: u16) -> CannedResponse {
    CannedResponse { status, headers: vec![("location".to_string(), location)], body: Vec::new() }
}

#[tokio::test]
async fn token_redirect_to_other_origin_not_followed() {
    let elsewhere = TestServer::start(|_| CannedResponse::json(200, &json!({ "access_token": "stolen" }))).await;
    let target = format!("{}/steal", elsewhere.base_url());
    let api = TestServer::start(move |request| match request.path.as_str() {
        "/oauth/token" => redirect_to(target.clone(), 307),
        _ => CannedResponse::json(200, &page_body()),
    })
    .await;
    let credentials = PasswordCredentials::new("app", CLIENT_SECRET, "ana@example.com", PASSWORD);
    let client = Client::builder(api.base_url()).oauth2_password(credentials).company_id(12).build().expect("valid");

    let error = client.list_user_sessions().send().await.expect_err("no token can be obtained");

    assert!(matches!(error, Error::Auth(_)), "{error:?}");
    assert!(elsewhere.requests().is_empty(), "the password reached another origin");
    let api_paths: Vec<String> = api.requests().iter().map(|request| request.path.clone()).collect();
    assert_eq!(api_paths, vec!["/oauth/token"]);
}

#[tokio::test]
async fn api_redirect_to_other_origin_returned() {
    let elsewhere = TestServer::start(|_| CannedResponse::json(200, &page_body())).await;
    let target = format!("{}/api/v3/users/sessions", elsewhere.base_url());
    let api = TestServer::start(move |_| redirect_to(target.clone(), 302)).await;
    let client = Client::builder(api.base_url()).bearer_token(TOKEN).company_id(12).build().expect("valid");

    let error = client.list_user_sessions().header("X-Api-Key", "extra-secret").send().await.expect_err("302");

    let Error::UnexpectedStatus { status, headers, .. } = &error else {
        panic!("expected UnexpectedStatus, got {error:?}");
    };
    assert_eq!(status.as_u16(), 302);
    assert!(headers.get("location").is_some());
    assert!(elsewhere.requests().is_empty(), "company id and extra headers reached another origin");
}

#[tokio::test]
async fn same_origin_redirect_followed() {
    let api = TestServer::start(|request| match request.path.as_str() {
        "/old/api/v3/users/sessions" => redirect_to("/api/v3/users/sessions".to_string(), 301),
        _ => CannedResponse::json(200, &page_body()),
    })
    .await;
    let client =
        Client::builder(format!("{}/old", api.base_url())).bearer_token(TOKEN).company_id(12).build().expect("valid");

    let page = client.list_user_sessions().send().await.expect("redirect is followed");

    assert_eq!(page.meta.total, 1);
    assert_eq!(api.requests().len(), 2);
}

#[tokio::test]
async fn oversized_body_is_rejected() {
    let large = "x".repeat(4096);
    let api = TestServer::start(move |_| CannedResponse::raw(200, "application/json", &large)).await;
    let client = Client::builder(api.base_url())
        .bearer_token(TOKEN)
        .company_id(12)
        .configure_runtime(|runtime| runtime.max_response_body(1024))
        .build()
        .expect("valid");

    let error = client.list_user_sessions().send().await.expect_err("body over the limit");

    match error {
        Error::ResponseTooLarge { status, limit } => {
            assert_eq!(status.as_u16(), 200);
            assert_eq!(limit, 1024);
        }
        other => panic!("expected ResponseTooLarge, got {other:?}"),
    }
}

#[tokio::test]
async fn huge_token_lifetime_does_not_panic() {
    for expires_in in [json!(1e300), json!(18446744073709551615_u64), json!("18446744073709551615")] {
        let token_response = json!({ "access_token": "fresh-token", "expires_in": expires_in });
        let api = TestServer::start(move |request| match request.path.as_str() {
            "/oauth/token" => CannedResponse::json(200, &token_response),
            _ => CannedResponse::json(200, &page_body()),
        })
        .await;
        let credentials = PasswordCredentials::new("app", CLIENT_SECRET, "ana@example.com", PASSWORD);
        let client = Client::builder(api.base_url())
            .oauth2_password(PasswordGrant::new(credentials))
            .company_id(12)
            .build()
            .expect("valid");

        let page = client.list_user_sessions().send().await.expect("token with a huge lifetime works");

        assert_eq!(page.meta.total, 1);
        let last = api.requests().pop().expect("requests were sent");
        assert_eq!(last.header("authorization"), Some("Bearer fresh-token"));
    }
}

#[tokio::test]
async fn own_authorization_header_replaces_bearer() {
    let api = TestServer::start(|_| CannedResponse::json(200, &page_body())).await;
    let client = Client::builder(api.base_url()).bearer_token(TOKEN).company_id(12).build().expect("valid");

    client.list_user_sessions().header("Authorization", "Basic YTpi").send().await.expect("page decodes");

    let request = &api.requests()[0];
    let values: Vec<_> = request.headers.get_all("authorization").iter().collect();
    assert_eq!(values.len(), 1);
    assert_eq!(values[0], "Basic YTpi");
}

#[test]
fn base_url_with_query_or_credentials_rejected() {
    let error = Client::builder("http://127.0.0.1:9/base?x=1").build().expect_err("query in base URL");
    assert!(error.to_string().contains("query"), "{error}");

    let error = Client::builder("http://127.0.0.1:9/base#frag").build().expect_err("fragment in base URL");
    assert!(error.to_string().contains("fragment"), "{error}");

    let error = Client::builder("http://user:pw-secret@127.0.0.1:9").build().expect_err("credentials in base URL");
    assert!(!error.to_string().contains("pw-secret"), "{error}");

    let builder = format!("{:?}", Client::builder("http://user:pw-secret@127.0.0.1:9"));
    assert!(!builder.contains("pw-secret"), "{builder}");
}

#[tokio::test]
async fn debug_and_display_hide_secrets() {
    let api = TestServer::start(|request| {
        if request.query.as_deref() == Some("page=2") {
            return CannedResponse::raw(203, "application/json", &page_body().to_string());
        }
        let mut response = CannedResponse::json(200, &page_body());
        response.headers.push(("set-cookie".to_string(), "laravel_session=cookie-secret".to_string()));
        response
    })
    .await;
    let client = Client::builder(api.base_url()).bearer_token(TOKEN).company_id(12).build().expect("valid");

    let response = client.list_user_sessions().send_with_response().await.expect("page decodes");
    let response_debug = format!("{response:?}");
    let error = client.list_user_sessions().page(2).send().await.expect_err("203 is not documented");
    let error_display = error.to_string();
    let error_debug = format!("{error:?}");

    for secret in ["cookie-secret", "session-secret-1", TOKEN] {
        assert!(!response_debug.contains(secret), "ResponseValue Debug shows {secret}: {response_debug}");
        assert!(!error_display.contains(secret), "Error Display shows {secret}: {error_display}");
        assert!(!error_debug.contains(secret), "Error Debug shows {secret}: {error_debug}");
    }
    assert!(response_debug.contains("set-cookie"), "header names stay visible: {response_debug}");
}

#[tokio::test]
async fn page_walk_survives_largest_page_number() {
    let last_page = i64::MAX;
    let api = TestServer::start(move |_| {
        CannedResponse::json(
            200,
            &json!({
                "data": { "sessions": [] },
                "meta": { "current_page": 1, "last_page": last_page, "per_page": 1, "total": 0 }
            }),
        )
    })
    .await;
    let client = Client::builder(api.base_url()).bearer_token(TOKEN).company_id(12).build().expect("valid");

    let pages: Vec<_> =
        futures::TryStreamExt::try_collect::<Vec<_>>(client.list_user_sessions().page(i64::MAX - 1).pages())
            .await
            .expect("both pages decode");

    assert_eq!(pages.len(), 2);
    assert_eq!(api.requests().len(), 2);
}

#[tokio::test]
async fn page_walk_from_zero_is_rejected() {
    let api = TestServer::start(|_| CannedResponse::json(200, &page_body())).await;
    let client = Client::builder(api.base_url()).bearer_token(TOKEN).company_id(12).build().expect("valid");

    let results: Vec<_> = futures::StreamExt::collect::<Vec<_>>(client.list_user_sessions().page(-5).pages()).await;

    assert_eq!(results.len(), 1);
    match &results[0] {
        Err(Error::InvalidRequest(message)) => assert!(message.contains("-5"), "{message}"),
        other => panic!("expected InvalidRequest, got {other:?}"),
    }
    assert!(api.requests().is_empty());
}
