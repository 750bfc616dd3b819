//! Page and item streams of the generated client against a loopback server.

mod runtime_support;

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use cplug_client::{Error, ListUserSessionsError};
use futures::{StreamExt, TryStreamExt};
use runtime_support::{client_builder, page_body, query_number, serve, session_id, sessions_page, Server};
use serde_json::{json, Value};

/// One request the listing server received.
#[derive(Clone, Debug, PartialEq)]
struct Seen {
    page: i64,
    per_page: Option<i64>,
    company_id: Option<String>,
    in_flight_at_start: usize,
}

/// A sessions listing whose pages, delays and failures each test chooses.
struct Listing {
    body: Box<dyn Fn(i64, i64) -> Result<Value, StatusCode> + Send + Sync>,
    delay: Box<dyn Fn(i64) -> Duration + Send + Sync>,
    seen: Mutex<Vec<Seen>>,
    /// Pages whose handler ran to the end, not cancelled by a closed connection.
    completed: Mutex<Vec<i64>>,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
}

impl Listing {
    fn new(body: impl Fn(i64, i64) -> Result<Value, StatusCode> + Send + Sync + 'static) -> Self {
        Listing {
            body: Box::new(body),
            delay: Box::new(|_| Duration::ZERO),
            seen: Mutex::new(Vec::new()),
            completed: Mutex::new(Vec::new()),
            in_flight: AtomicUsize::new(0),
            max_in_flight: AtomicUsize::new(0),
        }
    }

    fn with_delay(mut self, delay: impl Fn(i64) -> Duration + Send + Sync + 'static) -> Self {
        self.delay = Box::new(delay);
        self
    }

    fn pages_seen(&self) -> Vec<i64> {
        self.seen.lock().unwrap().iter().map(|seen| seen.page).collect()
    }
}

/// Decrements the in-flight count when a handler finishes or is cancelled.
struct InFlight<'a>(&'a AtomicUsize);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

async fn list_sessions(
    State(listing): State<Arc<Listing>>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let now = listing.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    let _guard = InFlight(&listing.in_flight);
    listing.max_in_flight.fetch_max(now, Ordering::SeqCst);
    let page = query_number(&query, "page").unwrap_or(1);
    let per_page = query_number(&query, "per_page");
    let company_id = headers.get("cplug-company-id").and_then(|value| value.to_str().ok()).map(str::to_string);
    listing.seen.lock().unwrap().push(Seen { page, per_page, company_id, in_flight_at_start: now });

    tokio::time::sleep((listing.delay)(page)).await;
    listing.completed.lock().unwrap().push(page);
    match (listing.body)(page, per_page.unwrap_or(15)) {
        Ok(body) => Json(body).into_response(),
        Err(status) => {
            (status, Json(json!({"code": "invalid_page", "message": "page is invalid", "meta": []}))).into_response()
        }
    }
}

async fn start(listing: Listing) -> (Server, Arc<Listing>) {
    let listing = Arc::new(listing);
    let router = Router::new().route("/api/v3/users/sessions", get(list_sessions)).with_state(listing.clone());
    (serve(router).await, listing)
}

fn ids(sessions: &[cplug_client::types::UserSession]) -> Vec<String> {
    sessions.iter().map(|session| session.id.clone().unwrap_or_default()).collect()
}

fn expected_ids(range: std::ops::Range<i64>) -> Vec<String> {
    range.map(session_id).collect()
}

#[tokio::test]
async fn seven_pages_stay_within_concurrency_bound() {
    // Later pages respond faster, so responses arrive out of page order.
    let listing = Listing::new(|page, per_page| Ok(sessions_page(page, per_page, 20)))
        .with_delay(|page| Duration::from_millis(if page == 1 { 10 } else { 20 * (9 - page as u64) }));
    let (server, listing) = start(listing).await;
    let client = client_builder(&server).bearer_token("token").page_concurrency(3).build().unwrap();

    let sessions: Vec<_> = client.list_user_sessions().per_page(3).items().try_collect().await.unwrap();

    assert_eq!(ids(&sessions), expected_ids(0..20));
    let seen = listing.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 7, "{seen:?}");
    assert_eq!(seen[0].page, 1);
    assert_eq!(seen[0].in_flight_at_start, 1, "the first page must be requested alone");
    let mut pages: Vec<i64> = seen.iter().map(|seen| seen.page).collect();
    pages.sort();
    assert_eq!(pages, vec![1, 2, 3, 4, 5, 6, 7]);
    assert!(seen.iter().all(|seen| seen.per_page == Some(3)), "{seen:?}");
    assert!(seen.iter().all(|seen| seen.company_id.as_deref() == Some("12")), "{seen:?}");
    assert_eq!(listing.max_in_flight.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn pages_come_out_in_page_order() {
    let listing = Listing::new(|page, per_page| Ok(sessions_page(page, per_page, 10)))
        .with_delay(|page| Duration::from_millis(60 / page as u64));
    let (server, listing) = start(listing).await;
    let client = client_builder(&server).bearer_token("token").page_concurrency(4).build().unwrap();

    let pages: Vec<_> = client.list_user_sessions().per_page(2).pages().try_collect().await.unwrap();

    let numbers: Vec<i64> = pages.iter().map(|page| page.meta.current_page).collect();
    assert_eq!(numbers, vec![1, 2, 3, 4, 5]);
    assert_eq!(listing.pages_seen().len(), 5);
}

#[tokio::test]
async fn empty_listing_yields_no_items() {
    let (server, listing) = start(Listing::new(|page, per_page| Ok(sessions_page(page, per_page, 0)))).await;
    let client = client_builder(&server).bearer_token("token").build().unwrap();

    let sessions: Vec<_> = client.list_user_sessions().per_page(3).items().try_collect().await.unwrap();

    assert!(sessions.is_empty());
    assert_eq!(listing.pages_seen(), vec![1]);
}

#[tokio::test]
async fn zero_last_page_yields_no_items() {
    let (server, listing) = start(Listing::new(|page, per_page| Ok(page_body(page, per_page, 0, 0)))).await;
    let client = client_builder(&server).bearer_token("token").build().unwrap();

    let sessions: Vec<_> = client.list_user_sessions().items().try_collect().await.unwrap();

    assert!(sessions.is_empty());
    assert_eq!(listing.pages_seen(), vec![1]);
}

#[tokio::test]
async fn single_page_needs_one_request() {
    let (server, listing) = start(Listing::new(|page, per_page| Ok(sessions_page(page, per_page, 2)))).await;
    let client = client_builder(&server).bearer_token("token").build().unwrap();

    let sessions: Vec<_> = client.list_user_sessions().per_page(3).items().try_collect().await.unwrap();

    assert_eq!(ids(&sessions), expected_ids(0..2));
    assert_eq!(listing.pages_seen(), vec![1]);
}

#[tokio::test]
async fn growing_last_page_is_followed() {
    // Page 1 reports 2 pages; by the time page 2 is served the listing has grown to 4 pages.
    let listing = Listing::new(|page, per_page| {
        Ok(if page == 1 { page_body(1, per_page, 6, 2) } else { page_body(page, per_page, 12, 4) })
    });
    let (server, listing) = start(listing).await;
    let client = client_builder(&server).bearer_token("token").page_concurrency(1).build().unwrap();

    let sessions: Vec<_> = client.list_user_sessions().per_page(3).items().try_collect().await.unwrap();

    assert_eq!(ids(&sessions), expected_ids(0..12));
    assert_eq!(listing.pages_seen(), vec![1, 2, 3, 4]);
}

#[tokio::test]
async fn shrinking_last_page_stops_walk() {
    // Page 1 reports 5 pages; later pages report 3, and pages 4 and 5 are past the end.
    let listing = Listing::new(|page, per_page| {
        Ok(if page == 1 { page_body(1, per_page, 15, 5) } else { page_body(page, per_page, 9, 3) })
    })
    .with_delay(|page| Duration::from_millis(if page == 5 { 300 } else { 5 * page as u64 }));
    let (server, listing) = start(listing).await;
    let client = client_builder(&server).bearer_token("token").page_concurrency(4).build().unwrap();

    let pages: Vec<_> = client.list_user_sessions().per_page(3).pages().try_collect().await.unwrap();

    let numbers: Vec<i64> = pages.iter().map(|page| page.meta.current_page).collect();
    assert_eq!(numbers, vec![1, 2, 3]);
    let sessions: Vec<String> = pages.iter().flat_map(|page| ids(&page.data.sessions)).collect();
    assert_eq!(sessions, expected_ids(0..9));
    let mut requested = listing.pages_seen();
    requested.sort();
    assert_eq!(requested, vec![1, 2, 3, 4, 5]);
}

#[tokio::test]
async fn walk_starts_at_given_page() {
    let (server, listing) = start(Listing::new(|page, per_page| Ok(sessions_page(page, per_page, 20)))).await;
    let client = client_builder(&server).bearer_token("token").page_concurrency(1).build().unwrap();

    let sessions: Vec<_> = client.list_user_sessions().per_page(3).page(5).items().try_collect().await.unwrap();

    assert_eq!(ids(&sessions), expected_ids(12..20));
    assert_eq!(listing.pages_seen(), vec![5, 6, 7]);
}

#[tokio::test]
async fn page_error_ends_stream() {
    let listing = Listing::new(|page, per_page| {
        if page == 3 {
            Err(StatusCode::UNPROCESSABLE_ENTITY)
        } else {
            Ok(sessions_page(page, per_page, 20))
        }
    });
    let (server, listing) = start(listing).await;
    let client = client_builder(&server).bearer_token("token").page_concurrency(1).build().unwrap();

    let results: Vec<_> = client.list_user_sessions().per_page(3).pages().collect().await;

    assert_eq!(results.len(), 3);
    assert!(results[0].is_ok());
    assert!(results[1].is_ok());
    let Err(Error::Api(ListUserSessionsError::UnprocessableEntity(body))) = &results[2] else {
        panic!("expected a typed 422, got {:?}", results[2]);
    };
    assert_eq!(body.code, "invalid_page");
    assert_eq!(listing.pages_seen(), vec![1, 2, 3]);
}

#[tokio::test]
async fn dropped_item_stream_stops_requests() {
    let (server, listing) = start(Listing::new(|page, per_page| Ok(sessions_page(page, per_page, 20)))).await;
    let client = client_builder(&server).bearer_token("token").page_concurrency(3).build().unwrap();

    let mut stream = client.list_user_sessions().per_page(3).items();
    let first = stream.next().await.expect("one item").expect("a session");
    drop(stream);
    tokio::time::sleep(Duration::from_millis(200)).await;

    assert_eq!(first.id.as_deref(), Some("sess-000"));
    assert_eq!(listing.pages_seen(), vec![1]);
}

#[tokio::test]
async fn dropped_page_stream_cancels_in_flight() {
    // Pages 3 and 4 take 5 s; the stream is dropped while they are in flight.
    let listing = Listing::new(|page, per_page| Ok(sessions_page(page, per_page, 20)))
        .with_delay(|page| Duration::from_millis(if page >= 3 { 5000 } else { 0 }));
    let (server, listing) = start(listing).await;
    let client = client_builder(&server).bearer_token("token").page_concurrency(3).build().unwrap();

    let mut stream = client.list_user_sessions().per_page(3).pages();
    let first = stream.next().await.expect("page 1").expect("page 1 body");
    let second = stream.next().await.expect("page 2").expect("page 2 body");
    drop(stream);
    tokio::time::sleep(Duration::from_millis(300)).await;

    assert_eq!(first.meta.current_page, 1);
    assert_eq!(second.meta.current_page, 2);
    let mut requested = listing.pages_seen();
    requested.sort();
    assert_eq!(requested, vec![1, 2, 3, 4], "no page after the window may be requested");
    assert_eq!(listing.in_flight.load(Ordering::SeqCst), 0, "the server must see the requests end");
    let mut completed = listing.completed.lock().unwrap().clone();
    completed.sort();
    assert_eq!(completed, vec![1, 2], "pages 3 and 4 must be cancelled, not served");
}
