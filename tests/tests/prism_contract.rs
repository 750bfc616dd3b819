//! Contract tests: the generated client against Stoplight Prism mocking `spec/openapi.yaml`.
//!
//! Prism checks every request the client sends against the spec and answers with the spec's
//! documented responses: the static examples, a status forced with `Prefer: code=...`, or random
//! schema-valid bodies with `Prefer: dynamic=true`. Each test asserts both that the client decodes
//! the response and that Prism reported no violation for the request.
//!
//! Prism is installed by `npm ci` in `tools/`. Without it these tests fail, unless
//! `CPLUG_SKIP_PRISM=1` is set; `docs/contract-tests.md` describes both.

mod prism;

use std::collections::HashSet;

use cplug_client::types::UserSessionPage;
use cplug_client::{Client, Error, ListUserSessions, ListUserSessionsError};
use prism::{Exchange, Prism, RecordingProxy};

/// Number of random 200 responses that must decode.
const DYNAMIC_SUCCESS_SEEDS: u32 = 200;

/// Number of random bodies per documented error status with a body (400 and 422).
const DYNAMIC_ERROR_SEEDS: u32 = 50;

/// A Prism server, the recording proxy in front of it, and a client that calls the proxy.
struct Contract {
    // Field order is drop order: the proxy stops before Prism is killed.
    proxy: RecordingProxy,
    prism: Prism,
    client: Client,
    declared_query: HashSet<String>,
}

impl Contract {
    /// Starts Prism and the proxy, or returns `None` when `CPLUG_SKIP_PRISM=1`.
    async fn start() -> Option<Contract> {
        if prism::skipped() {
            return None;
        }
        let prism = Prism::start();
        let proxy = RecordingProxy::start(prism.url()).await;
        let client = client_builder(&proxy).bearer_token("contract-test-token").build().expect("valid client");
        Some(Contract { proxy, prism, client, declared_query: declared_query_parameters() })
    }

    /// Returns the request the contract tests send: every optional parameter of the operation set.
    fn sessions(&self) -> ListUserSessions {
        self.client.list_user_sessions().user_id(1).page(1).per_page(20)
    }

    /// Returns the one exchange recorded since the last call, failing the test unless there is
    /// exactly one, Prism reported no violation for it, and it sent only query parameters that
    /// the spec declares.
    fn valid_exchange(&self, case: &str) -> Exchange {
        let exchange = self.single_exchange(case);
        if let Some(violations) = &exchange.violations {
            panic!(
                "{case}: Prism reported violations for `{}`: {violations}\nPrism log:\n{}",
                exchange.request,
                self.prism.log_tail()
            );
        }

        // OpenAPI allows query parameters that an operation does not declare, so Prism accepts a
        // misspelled optional parameter. This check catches it.
        for name in &exchange.query_names {
            assert!(
                self.declared_query.contains(name),
                "{case}: `{}` sends query parameter `{name}`, which the spec does not declare (declared: {:?})",
                exchange.request,
                self.declared_query
            );
        }
        exchange
    }

    fn single_exchange(&self, case: &str) -> Exchange {
        let mut exchanges = self.proxy.take();
        assert_eq!(exchanges.len(), 1, "{case}: expected one request to reach Prism, got {exchanges:?}");
        exchanges.remove(0)
    }

    /// Builds the failure message for an unexpected client result.
    fn failure<T: std::fmt::Debug>(&self, case: &str, result: &T) -> String {
        format!("{case}: unexpected result {result:?}\nPrism log:\n{}", self.prism.log_tail())
    }
}

/// Returns the names of the query parameters that the spec declares for `GET /api/v3/users/sessions`,
/// following `$ref`s to `#/components/parameters`.
fn declared_query_parameters() -> HashSet<String> {
    let document = cplug_codegen::load::load_file(&cplug_spec::spec_path())
        .unwrap_or_else(|diagnostics| panic!("loading spec/openapi.yaml failed:\n{diagnostics}"));
    let spec = document.value;
    let operation = &spec["paths"]["/api/v3/users/sessions"]["get"];
    let parameters = operation["parameters"].as_array().expect("the operation declares parameters");
    parameters
        .iter()
        .map(|parameter| match parameter["$ref"].as_str() {
            Some(reference) => {
                let name = reference.strip_prefix("#/components/parameters/").expect("a local parameter `$ref`");
                &spec["components"]["parameters"][name]
            }
            None => parameter,
        })
        .filter(|parameter| parameter["in"] == "query")
        .map(|parameter| parameter["name"].as_str().expect("a parameter has a name").to_string())
        .collect()
}

fn client_builder(proxy: &RecordingProxy) -> cplug_client::ClientBuilder {
    Client::builder(proxy.url()).company_id(12)
}

fn timestamp(text: &str) -> chrono::DateTime<chrono::FixedOffset> {
    chrono::DateTime::parse_from_rfc3339(text).expect("valid RFC 3339 timestamp")
}

#[tokio::test]
async fn example_page_decodes() {
    let Some(contract) = Contract::start().await else { return };

    let result = contract.sessions().send_with_response().await;
    let exchange = contract.valid_exchange("static 200");
    assert_eq!(exchange.status.as_u16(), 200);
    let response = result.unwrap_or_else(|error| panic!("{}", contract.failure("static 200", &error)));
    assert_eq!(response.status().as_u16(), 200);

    let page = response.into_inner();
    assert_eq!(page.meta.current_page, 1);
    assert_eq!(page.meta.last_page, 10);
    assert_eq!(page.meta.per_page, 20);
    assert_eq!(page.meta.total, 200);
    assert_eq!(page.data.sessions.len(), 1);
    let session = &page.data.sessions[0];
    assert!(session.id.as_deref().is_some_and(|id| id.starts_with("eyRTdiI6")), "session id: {:?}", session.id);
    assert_eq!(session.user_name.as_deref(), Some("John Doe"));
    assert_eq!(session.expires_at, Some(timestamp("2025-01-01T00:00:00Z")));
    assert_eq!(session.created_at, Some(timestamp("2025-01-01T00:00:00Z")));
}

#[tokio::test]
async fn documented_errors_decode() {
    let Some(contract) = Contract::start().await else { return };

    for code in [400_u16, 401, 404, 422] {
        let case = format!("Prefer: code={code}");
        let result = contract.sessions().header("Prefer", format!("code={code}")).send().await;
        let exchange = contract.valid_exchange(&case);
        assert_eq!(exchange.status.as_u16(), code, "{case}: status sent by Prism");

        match (code, result) {
            (400, Err(Error::Api(ListUserSessionsError::BadRequest(body)))) => {
                assert_eq!(body.code, "missing_headers");
                assert_eq!(body.message.as_deref(), Some("error message"));
            }
            (401, Err(Error::Api(ListUserSessionsError::Unauthorized))) => {}
            (404, Err(Error::Api(ListUserSessionsError::NotFound))) => {}
            (422, Err(Error::Api(ListUserSessionsError::UnprocessableEntity(body)))) => {
                assert_eq!(body.code, "uneditable_entity");
                assert_eq!(body.message.as_deref(), Some("description error"));
                let fields = body.meta.expect("422 example has `meta`");
                assert_eq!(fields.len(), 1);
                assert_eq!(fields[0].field, "name");
                let validations = fields[0].validations.as_ref().expect("422 example has `validations`");
                assert_eq!(validations[0].r#type, "Required");
            }
            (_, other) => panic!("{}", contract.failure(&case, &other)),
        }
    }
}

#[tokio::test]
async fn dynamic_pages_decode() {
    let Some(contract) = Contract::start().await else { return };

    let mut totals = HashSet::new();
    for seed in 1..=DYNAMIC_SUCCESS_SEEDS {
        let case = format!("Prefer: dynamic=true, seed={seed}");
        let result = contract.sessions().header("Prefer", format!("dynamic=true, seed={seed}")).send().await;
        let exchange = contract.valid_exchange(&case);
        assert_eq!(exchange.status.as_u16(), 200, "{case}: status sent by Prism");
        let page: UserSessionPage = result.unwrap_or_else(|error| panic!("{}", contract.failure(&case, &error)));
        totals.insert(page.meta.total);
    }

    // Random `total` values rarely repeat; many repeats would mean Prism ignored the seed or the
    // dynamic preference and returned the same body again.
    let distinct = totals.len() as u32;
    assert!(distinct > DYNAMIC_SUCCESS_SEEDS / 2, "only {distinct} distinct `meta.total` values in random pages");
}

#[tokio::test]
async fn dynamic_error_bodies_decode() {
    let Some(contract) = Contract::start().await else { return };

    for code in [400_u16, 422] {
        for seed in 1..=DYNAMIC_ERROR_SEEDS {
            let preference = format!("code={code}, dynamic=true, seed={seed}");
            let case = format!("Prefer: {preference}");
            let result = contract.sessions().header("Prefer", preference).send().await;
            let exchange = contract.valid_exchange(&case);
            assert_eq!(exchange.status.as_u16(), code, "{case}: status sent by Prism");
            match (code, result) {
                (400, Err(Error::Api(ListUserSessionsError::BadRequest(_)))) => {}
                (422, Err(Error::Api(ListUserSessionsError::UnprocessableEntity(_)))) => {}
                (_, other) => panic!("{}", contract.failure(&case, &other)),
            }
        }
    }
}

/// Checks the check itself: requests that break the spec must show up as violations.
#[tokio::test]
async fn spec_violations_are_detected() {
    let Some(contract) = Contract::start().await else { return };

    let _ = contract.sessions().company_id(0).send().await;
    let exchange = contract.single_exchange("company id 0");
    let violations = exchange.violations.expect("`CPlug-Company-Id: 0` breaks `minimum: 1`");
    assert!(violations.contains("cplug-company-id"), "violations: {violations}");

    let _ = contract.sessions().page(0).send().await;
    let exchange = contract.single_exchange("page 0");
    let violations = exchange.violations.expect("`page=0` breaks `minimum: 1`");
    assert!(violations.contains("page"), "violations: {violations}");

    let anonymous = client_builder(&contract.proxy).build().expect("valid client");
    let result = anonymous.list_user_sessions().send().await;
    let exchange = contract.single_exchange("no bearer token");
    let violations = exchange.violations.expect("a request without a token breaks the OAuth2 requirement");
    assert!(violations.contains("security"), "violations: {violations}");
    assert!(
        matches!(result, Err(Error::Api(ListUserSessionsError::Unauthorized))),
        "{}",
        contract.failure("no bearer token", &result)
    );
}
