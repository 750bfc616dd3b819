//! The generated client against a loopback server: the exact request it sends and how it decodes
//! every documented response of `GET /api/v3/users/sessions`.

use chrono::{DateTime, FixedOffset, Timelike};
use cplug_client::types::{FieldValidationError, UserSession};
use cplug_client::{Client, Error, ListUserSessionsError};
use cplug_tests::server::{CannedResponse, TestServer};
use serde_json::json;

const TOKEN: &str = "token-abc-123";
const SESSION_ID: &str = "eyRTdiI6IlRLRTg0MXVES1dPRncxN3lONUtOc0E9PSIsInZhbHVlIjoiazlQRW9mZit5N0hGWU5Ec=";

fn client(server: &TestServer) -> Client {
    Client::builder(server.base_url()).bearer_token(TOKEN).company_id(12).build().expect("valid configuration")
}

fn page_body() -> serde_json::Value {
    json!({
        "data": {
            "sessions": [
                {
                    "id": SESSION_ID,
                    "user_name": "John Doe",
                    "expires_at": "2025-07-14T13:31:26.000000Z",
                    "created_at": "2020-01-01T09:00:00-03:00"
                },
                {
                    "id": "second-session",
                    "user_name": "Maria Silva",
                    "expires_at": "2025-01-01T00:00:00Z",
                    "created_at": "2024-12-31T23:59:59.123456+00:00"
                }
            ]
        },
        "meta": { "current_page": 2, "last_page": 10, "per_page": 2, "total": 20 }
    })
}

fn timestamp(text: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(text).expect("valid timestamp in test")
}

#[tokio::test]
async fn request_has_exact_method_path_and_headers() {
    let server = TestServer::start(|_| CannedResponse::json(200, &page_body())).await;

    client(&server).list_user_sessions().user_id(1).page(2).per_page(50).send().await.expect("page decodes");

    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(request.method, "GET");
    assert_eq!(request.path, "/api/v3/users/sessions");
    assert_eq!(request.query.as_deref(), Some("page=2&per_page=50&user_id=1"));
    assert_eq!(request.header("authorization"), Some("Bearer token-abc-123"));
    assert_eq!(request.header("cplug-company-id"), Some("12"));
    assert_eq!(request.header("accept"), Some("application/json"));
    assert!(request.body.is_empty());
    assert_eq!(request.header("content-type"), None);
}

#[tokio::test]
async fn request_without_options_sends_no_query() {
    let server = TestServer::start(|_| CannedResponse::json(200, &page_body())).await;

    client(&server).list_user_sessions().send().await.expect("page decodes");

    let requests = server.requests();
    assert_eq!(requests[0].query, None);
    assert_eq!(requests[0].path, "/api/v3/users/sessions");
}

#[tokio::test]
async fn company_id_overridden_per_request() {
    let server = TestServer::start(|_| CannedResponse::json(200, &page_body())).await;

    client(&server).list_user_sessions().company_id(34).send().await.expect("page decodes");

    assert_eq!(server.requests()[0].header("cplug-company-id"), Some("34"));
}

#[tokio::test]
async fn missing_company_id_sends_nothing() {
    let server = TestServer::start(|_| CannedResponse::json(200, &page_body())).await;
    let client = Client::builder(server.base_url()).bearer_token(TOKEN).build().expect("valid configuration");

    let error = client.list_user_sessions().send().await.expect_err("company id is required");

    match &error {
        Error::InvalidRequest(message) => assert!(message.contains("CPlug-Company-Id"), "{message}"),
        other => panic!("expected InvalidRequest, got {other:?}"),
    }
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn base_url_with_path_prefix_is_kept() {
    let server = TestServer::start(|_| CannedResponse::json(200, &page_body())).await;
    let client = Client::builder(format!("{}/proxy/", server.base_url()))
        .bearer_token(TOKEN)
        .company_id(12)
        .build()
        .expect("valid");

    client.list_user_sessions().send().await.expect("page decodes");

    assert_eq!(server.requests()[0].path, "/proxy/api/v3/users/sessions");
}

#[tokio::test]
async fn ok_page_decodes_sessions_and_meta() {
    let server = TestServer::start(|_| CannedResponse::json(200, &page_body())).await;

    let page = client(&server).list_user_sessions().send().await.expect("page decodes");

    assert_eq!(page.data.sessions.len(), 2);
    let first = &page.data.sessions[0];
    assert_eq!(first.id.as_deref(), Some(SESSION_ID));
    assert_eq!(first.user_name.as_deref(), Some("John Doe"));
    assert_eq!(page.meta.current_page, 2);
    assert_eq!(page.meta.last_page, 10);
    assert_eq!(page.meta.per_page, 2);
    assert_eq!(page.meta.total, 20);
}

#[tokio::test]
async fn timestamps_keep_microseconds_and_offsets() {
    let server = TestServer::start(|_| CannedResponse::json(200, &page_body())).await;

    let page = client(&server).list_user_sessions().send().await.expect("page decodes");

    let first = &page.data.sessions[0];
    let expires_at = first.expires_at.expect("expires_at is present");
    assert_eq!(expires_at, timestamp("2025-07-14T13:31:26Z"));
    assert_eq!(expires_at.offset().local_minus_utc(), 0);
    let created_at = first.created_at.expect("created_at is present");
    assert_eq!(created_at, timestamp("2020-01-01T12:00:00Z"));
    assert_eq!(created_at.offset().local_minus_utc(), -3 * 3600);
    let second_created = page.data.sessions[1].created_at.expect("created_at is present");
    assert_eq!(second_created.nanosecond(), 123_456_000);
}

#[tokio::test]
async fn unknown_fields_and_nulls_are_accepted() {
    let body = json!({
        "data": {
            "sessions": [
                { "id": null, "user_name": null, "expires_at": null, "created_at": null, "device": "pos-7" },
                {}
            ],
            "cursor": "ignored"
        },
        "meta": { "current_page": 1, "last_page": 1, "per_page": 20, "total": 2, "from": 1 },
        "links": { "next": null }
    });
    let server = TestServer::start(move |_| CannedResponse::json(200, &body)).await;

    let page = client(&server).list_user_sessions().send().await.expect("page decodes");

    assert_eq!(page.data.sessions.len(), 2);
    for session in &page.data.sessions {
        assert_eq!(session, &UserSession { id: None, user_name: None, expires_at: None, created_at: None });
    }
    assert_eq!(page.meta.total, 2);
}

#[tokio::test]
async fn send_with_response_exposes_status_and_headers() {
    let server = TestServer::start(|_| {
        let mut response = CannedResponse::json(200, &page_body());
        response.headers.push(("x-request-id".to_string(), "req-42".to_string()));
        response
    })
    .await;

    let response = client(&server).list_user_sessions().send_with_response().await.expect("page decodes");

    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(response.headers().get("x-request-id").and_then(|v| v.to_str().ok()), Some("req-42"));
    assert_eq!(response.meta.total, 20);
    assert_eq!(response.into_inner().data.sessions.len(), 2);
}

#[tokio::test]
async fn bad_request_decodes_typed_body() {
    let body = json!({ "code": "missing_headers", "message": "error message", "meta": ["CPlug-Company-Id", 3] });
    let server = TestServer::start(move |_| CannedResponse::json(400, &body)).await;

    let error = client(&server).list_user_sessions().send().await.expect_err("400 is an error");

    let Error::Api(ListUserSessionsError::BadRequest(body)) = error else {
        panic!("expected BadRequest, got {error:?}");
    };
    assert_eq!(body.code, "missing_headers");
    assert_eq!(body.message.as_deref(), Some("error message"));
    assert_eq!(body.meta, Some(vec![json!("CPlug-Company-Id"), json!(3)]));
}

#[tokio::test]
async fn unprocessable_entity_decodes_nested_validations() {
    let body = json!({
        "code": "uneditable_entity",
        "message": "description error",
        "meta": [
            { "field": "name", "validations": [ { "type": "Required", "value": [] }, { "type": "Max", "value": [255] } ] },
            { "field": "user_id" }
        ]
    });
    let server = TestServer::start(move |_| CannedResponse::json(422, &body)).await;

    let error = client(&server).list_user_sessions().user_id(-1).send().await.expect_err("422 is an error");

    let Error::Api(api_error) = error else {
        panic!("expected an API error, got {error:?}");
    };
    assert_eq!(api_error.status().as_u16(), 422);
    let ListUserSessionsError::UnprocessableEntity(body) = api_error else {
        panic!("expected UnprocessableEntity, got {api_error:?}");
    };
    assert_eq!(body.code, "uneditable_entity");
    let fields = body.meta.expect("meta is present");
    assert_eq!(fields.len(), 2);
    let FieldValidationError { field, validations } = &fields[0];
    assert_eq!(field, "name");
    let validations = validations.as_ref().expect("validations are present");
    assert_eq!(validations[0].r#type, "Required");
    assert_eq!(validations[0].value, Some(vec![]));
    assert_eq!(validations[1].r#type, "Max");
    assert_eq!(validations[1].value, Some(vec![json!(255)]));
    assert_eq!(fields[1].field, "user_id");
    assert_eq!(fields[1].validations, None);
}

#[tokio::test]
async fn unauthorized_without_body() {
    let server = TestServer::start(|_| CannedResponse::empty(401)).await;

    let error = client(&server).list_user_sessions().send().await.expect_err("401 is an error");

    let Error::Api(api_error) = &error else {
        panic!("expected an API error, got {error:?}");
    };
    assert_eq!(api_error, &ListUserSessionsError::Unauthorized);
    assert_eq!(api_error.status().as_u16(), 401);
}

#[tokio::test]
async fn unauthorized_with_unexpected_html_body() {
    let server = TestServer::start(|_| CannedResponse::raw(401, "text/html", "<html>login</html>")).await;

    let error = client(&server).list_user_sessions().send().await.expect_err("401 is an error");

    assert!(matches!(error, Error::Api(ListUserSessionsError::Unauthorized)), "{error:?}");
}

#[tokio::test]
async fn not_found_without_body() {
    let server = TestServer::start(|_| CannedResponse::empty(404)).await;

    let error = client(&server).list_user_sessions().send().await.expect_err("404 is an error");

    assert!(matches!(error, Error::Api(ListUserSessionsError::NotFound)), "{error:?}");
}

#[tokio::test]
async fn server_error_keeps_status_headers_and_html() {
    let html = "<html><body><h1>502 Bad Gateway</h1></body></html>";
    let server = TestServer::start(move |_| CannedResponse::raw(500, "text/html; charset=utf-8", html)).await;

    let error = client(&server).list_user_sessions().send().await.expect_err("500 is an error");

    assert_eq!(error.status().map(|status| status.as_u16()), Some(500));
    let Error::UnexpectedStatus { status, headers, body } = error else {
        panic!("expected UnexpectedStatus, got {error:?}");
    };
    assert_eq!(status.as_u16(), 500);
    assert_eq!(headers.get("content-type").and_then(|v| v.to_str().ok()), Some("text/html; charset=utf-8"));
    assert_eq!(body.as_ref(), html.as_bytes());
}

#[tokio::test]
async fn invalid_body_names_offending_field() {
    let mut body = page_body();
    body["data"]["sessions"][1]["expires_at"] = json!("amanhã");
    let server = TestServer::start(move |_| CannedResponse::json(200, &body)).await;

    let error = client(&server).list_user_sessions().send().await.expect_err("invalid timestamp");

    let Error::Decode { status, path, body, .. } = &error else {
        panic!("expected Decode, got {error:?}");
    };
    assert_eq!(status.as_u16(), 200);
    assert_eq!(path, "data.sessions[1].expires_at");
    assert!(!body.is_empty());
    assert!(error.to_string().contains("data.sessions[1].expires_at"), "{error}");
}

#[tokio::test]
async fn missing_required_meta_is_decode_error() {
    let server = TestServer::start(|_| CannedResponse::json(200, &json!({ "data": { "sessions": [] } }))).await;

    let error = client(&server).list_user_sessions().send().await.expect_err("meta is required");

    assert!(matches!(error, Error::Decode { .. }), "{error:?}");
}

#[tokio::test]
async fn debug_output_hides_secrets() {
    let server = TestServer::start(|_| CannedResponse::json(200, &page_body())).await;
    let client = client(&server);

    let page = client.list_user_sessions().send().await.expect("page decodes");

    let page_debug = format!("{page:?}");
    assert!(!page_debug.contains(SESSION_ID), "{page_debug}");
    assert!(page_debug.contains("<redacted>"), "{page_debug}");
    assert!(page_debug.contains("John Doe"), "{page_debug}");
    let client_debug = format!("{client:?}");
    assert!(!client_debug.contains(TOKEN), "{client_debug}");
    let builder_debug = format!("{:?}", Client::builder("http://127.0.0.1:1").bearer_token(TOKEN));
    assert!(!builder_debug.contains(TOKEN), "{builder_debug}");
}

#[tokio::test]
async fn connection_refused_is_transport_error() {
    let server = TestServer::start(|_| CannedResponse::empty(200)).await;
    let base_url = server.base_url();
    drop(server);
    tokio::task::yield_now().await;
    let client = Client::builder(base_url).bearer_token(TOKEN).company_id(12).build().expect("valid configuration");

    let error = client.list_user_sessions().send().await.expect_err("nothing listens");

    assert!(matches!(error, Error::Transport(_) | Error::Timeout), "{error:?}");
    assert!(!error.to_string().contains(TOKEN));
}

#[test]
fn invalid_base_url_is_rejected() {
    let error = Client::builder("not a url").build().expect_err("invalid URL");
    assert!(error.to_string().contains("not a url"), "{error}");

    let error = Client::builder("ftp://example.com").build().expect_err("unsupported scheme");
    assert!(error.to_string().contains("http or https"), "{error}");
}
