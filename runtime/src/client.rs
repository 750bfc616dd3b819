//! The HTTP runtime shared by all operations of a generated client.

use std::convert::Infallible;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use http::header::{HeaderMap, HeaderName, HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use http::Method;
use tracing::Instrument;

use crate::auth::{Auth, TokenSource};
use crate::error::{describe_transport_error, Error};
use crate::oauth::{PasswordGrant, PasswordTokenSource};
use crate::pagination::DEFAULT_PAGE_CONCURRENCY;
use crate::response::RawResponse;
use crate::retry::{self, RetryPolicy, StatusDelay};
use crate::secret::SecretString;

/// Default time allowed to establish a TCP (and TLS) connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Default time allowed for one attempt of a request, from sending it to the last byte of the body.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// One request, as a generated operation describes it to the runtime.
///
/// `Debug` shows the body's length, not its content, which may hold credentials.
#[derive(Clone)]
pub struct Request {
    /// The spec's `operationId`, for logs and spans.
    pub operation_id: &'static str,
    /// HTTP method.
    pub method: Method,
    /// Path template from the spec, such as `/api/v3/users/{id}`, for logs and spans.
    pub path_template: &'static str,
    /// Path with parameters substituted and percent-encoded.
    pub path: String,
    /// Query parameters in order, not yet encoded.
    pub query: Vec<(String, String)>,
    /// Headers to send besides `Accept` and `Authorization`.
    pub headers: HeaderMap,
    /// Body and its content type.
    pub body: Option<(HeaderValue, bytes::Bytes)>,
    /// Whole-request timeout for this request only, replacing the client's.
    pub timeout: Option<Duration>,
}

impl fmt::Debug for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Request")
            .field("operation_id", &self.operation_id)
            .field("method", &self.method)
            .field("path_template", &self.path_template)
            .field("path", &self.path)
            .field("query", &self.query)
            .field("headers", &crate::error::HeaderNames(&self.headers))
            .field("body_len", &self.body.as_ref().map(|(_, body)| body.len()))
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl Request {
    /// Starts a request with no parameters.
    pub fn new(operation_id: &'static str, method: Method, path_template: &'static str, path: String) -> Self {
        Request {
            operation_id,
            method,
            path_template,
            path,
            query: Vec::new(),
            headers: HeaderMap::new(),
            body: None,
            timeout: None,
        }
    }

    /// Appends a query parameter.
    pub fn query(&mut self, name: &str, value: impl ToString) {
        self.query.push((name.to_string(), value.to_string()));
    }

    /// Sets a header; fails when `value` cannot be sent as a header value.
    pub fn header(&mut self, name: &str, value: impl ToString) -> Result<(), Error<Infallible>> {
        let text = value.to_string();
        let value = HeaderValue::from_str(&text).map_err(|_| {
            Error::InvalidRequest(format!("the value of header `{name}` contains characters HTTP headers cannot carry"))
        })?;
        let name = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| Error::InvalidRequest(format!("`{name}` is not a valid HTTP header name")))?;
        self.headers.insert(name, value);
        Ok(())
    }
}

/// Default limit on the size of one response body: 64 MiB.
pub const DEFAULT_MAX_RESPONSE_BODY: usize = 64 * 1024 * 1024;

/// Configures and builds a [`Runtime`].
pub struct RuntimeBuilder {
    base_url: String,
    auth: Auth,
    http_client: Option<reqwest::Client>,
    timeout: Duration,
    connect_timeout: Duration,
    user_agent: String,
    retry: RetryPolicy,
    page_concurrency: usize,
    oauth2_token_url: Option<String>,
    max_response_body: usize,
}

impl fmt::Debug for RuntimeBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The base URL is printed without any user or password it may contain.
        let base_url = match url::Url::parse(&self.base_url) {
            Ok(mut url) => {
                let _ = url.set_username("");
                let _ = url.set_password(None);
                url.to_string()
            }
            Err(_) => "<invalid URL>".to_string(),
        };
        f.debug_struct("RuntimeBuilder")
            .field("base_url", &base_url)
            .field("auth", &self.auth)
            .field("http_client", &self.http_client.is_some())
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("user_agent", &self.user_agent)
            .field("retry", &self.retry)
            .field("page_concurrency", &self.page_concurrency)
            .field("oauth2_token_url", &self.oauth2_token_url)
            .field("max_response_body", &self.max_response_body)
            .finish()
    }
}

impl RuntimeBuilder {
    /// Starts a configuration for the API at `base_url`, such as `https://api.example.com`.
    pub fn new(base_url: impl Into<String>) -> Self {
        RuntimeBuilder {
            base_url: base_url.into(),
            auth: Auth::None,
            http_client: None,
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            user_agent: concat!("cplug-runtime/", env!("CARGO_PKG_VERSION")).to_string(),
            retry: RetryPolicy::default(),
            page_concurrency: DEFAULT_PAGE_CONCURRENCY,
            oauth2_token_url: None,
            max_response_body: DEFAULT_MAX_RESPONSE_BODY,
        }
    }

    /// Sets the largest response body read, in bytes (default [`DEFAULT_MAX_RESPONSE_BODY`]); a
    /// larger body fails the call with [`Error::ResponseTooLarge`].
    pub fn max_response_body(mut self, bytes: usize) -> Self {
        self.max_response_body = bytes;
        self
    }

    /// Sends `Authorization: Bearer <token>` with the same token on every request.
    pub fn bearer_token(mut self, token: impl Into<SecretString>) -> Self {
        self.auth = Auth::Bearer(token.into());
        self
    }

    /// Takes tokens from `source`, which is asked again after a 401.
    pub fn token_source(mut self, source: impl TokenSource) -> Self {
        self.auth = Auth::Source(Arc::new(source));
        self
    }

    /// Obtains tokens with the OAuth2 password grant on first use, caches them, renews them before
    /// they expire and after a 401. Clones of the runtime share the cache.
    pub fn oauth2_password(mut self, grant: impl Into<PasswordGrant>) -> Self {
        self.auth = Auth::OAuth2Password(Box::new(grant.into()));
        self
    }

    /// Sets the token URL that [`RuntimeBuilder::oauth2_password`] uses unless its
    /// [`PasswordGrant::token_url`] is set. Generated clients set the one from the spec.
    pub fn oauth2_token_url(mut self, url: impl Into<String>) -> Self {
        self.oauth2_token_url = Some(url.into());
        self
    }

    /// Sets how requests are authorized.
    pub fn auth(mut self, auth: Auth) -> Self {
        self.auth = auth;
        self
    }

    /// Sets when failed idempotent requests are sent again (default [`RetryPolicy::default`]).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Sets how many page requests a page stream keeps in flight after the first page (default
    /// [`DEFAULT_PAGE_CONCURRENCY`]; 0 counts as 1).
    pub fn page_concurrency(mut self, concurrency: usize) -> Self {
        self.page_concurrency = concurrency.max(1);
        self
    }

    /// Sends requests through `client` instead of building one. The connect timeout and user agent
    /// set here then do not apply, since they belong to the client.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
        self
    }

    /// Sets the timeout of one attempt, from sending the request to the last byte of the body
    /// (default [`DEFAULT_TIMEOUT`]).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sets the connect timeout (default [`DEFAULT_CONNECT_TIMEOUT`]).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Sets the `User-Agent` header.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Validates the configuration and builds the runtime.
    pub fn build(self) -> Result<Runtime, BuildError> {
        let base_url = url::Url::parse(&self.base_url)
            .map_err(|error| BuildError(format!("invalid base URL `{}`: {error}", self.base_url)))?;
        if !matches!(base_url.scheme(), "http" | "https") {
            return Err(BuildError(format!("invalid base URL `{}`: the scheme must be http or https", self.base_url)));
        }
        if base_url.query().is_some() || base_url.fragment().is_some() {
            return Err(BuildError(format!(
                "invalid base URL `{}`: it must not have a query or a fragment, because operation paths are appended to it",
                self.base_url
            )));
        }
        if !base_url.username().is_empty() || base_url.password().is_some() {
            return Err(BuildError(
                "invalid base URL: credentials in the URL are not supported; use `bearer_token`, `oauth2_password` or `token_source`"
                    .to_string(),
            ));
        }
        let http = match self.http_client {
            Some(client) => client,
            None => reqwest::Client::builder()
                .connect_timeout(self.connect_timeout)
                .user_agent(self.user_agent)
                .redirect(same_origin_redirects())
                .build()
                .map_err(|error| BuildError(format!("cannot build the HTTP client: {error}")))?,
        };
        let auth = match self.auth {
            Auth::OAuth2Password(grant) => {
                let token_url =
                    resolve_token_url(&base_url, grant.token_url_override(), self.oauth2_token_url.as_deref())?;
                Auth::Source(Arc::new(PasswordTokenSource::new(*grant, token_url, http.clone(), self.timeout)))
            }
            other => other,
        };
        let base = base_url.as_str().trim_end_matches('/').to_string();
        Ok(Runtime {
            inner: Arc::new(Inner {
                base_url: base,
                auth,
                http,
                timeout: self.timeout,
                retry: self.retry,
                page_concurrency: self.page_concurrency,
                max_response_body: self.max_response_body,
            }),
        })
    }
}

/// Most redirects followed for one request.
const MAX_REDIRECTS: usize = 10;

/// Follows redirects only within the origin of the first request, so headers such as
/// `CPlug-Company-Id`, extra headers and the body of a token request (which carries the password)
/// never reach another host. A redirect elsewhere is returned to the caller as a 3xx response.
fn same_origin_redirects() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        let same_origin = attempt.previous().first().is_some_and(|first| first.origin() == attempt.url().origin());
        if attempt.previous().len() > MAX_REDIRECTS || !same_origin {
            attempt.stop()
        } else {
            attempt.follow()
        }
    })
}

/// Resolves the token URL against the base URL; an absolute URL replaces the base URL's path, so
/// `/oauth/token` on `https://host/api` gives `https://host/oauth/token`.
fn resolve_token_url(
    base_url: &url::Url,
    configured: Option<&str>,
    default: Option<&str>,
) -> Result<url::Url, BuildError> {
    let Some(text) = configured.or(default) else {
        return Err(BuildError(
            "the OAuth2 password grant has no token URL: set one with `PasswordGrant::token_url`".to_string(),
        ));
    };
    let url = base_url.join(text).map_err(|error| BuildError(format!("invalid OAuth2 token URL `{text}`: {error}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(BuildError(format!("invalid OAuth2 token URL `{text}`: the scheme must be http or https")));
    }
    Ok(url)
}

/// Invalid client configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildError(String);

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BuildError {}

/// Sends requests and receives complete responses; cheap to clone.
#[derive(Clone, Debug)]
pub struct Runtime {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    base_url: String,
    auth: Auth,
    http: reqwest::Client,
    timeout: Duration,
    retry: RetryPolicy,
    page_concurrency: usize,
    max_response_body: usize,
}

impl Runtime {
    /// Starts a configuration for the API at `base_url`.
    pub fn builder(base_url: impl Into<String>) -> RuntimeBuilder {
        RuntimeBuilder::new(base_url)
    }

    /// Returns the base URL requests are sent to, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// Returns how many page requests a page stream keeps in flight after the first page.
    pub fn page_concurrency(&self) -> usize {
        self.inner.page_concurrency
    }

    /// Sends `request` and reads the whole response.
    ///
    /// Every status is returned as a response; only transport failures, timeouts and token failures
    /// are errors here. Idempotent requests are sent again as the [`RetryPolicy`] allows. A 401
    /// with a token source makes the source drop its token, and the request is sent once more with
    /// a new one.
    ///
    /// The call runs in an `http_request` span (operation id, method, path template, final status,
    /// number of attempts, total duration), and each attempt in an `http_attempt` span inside it.
    pub async fn execute(&self, request: Request) -> Result<RawResponse, Error<Infallible>> {
        let span = tracing::info_span!(
            "http_request",
            operation_id = request.operation_id,
            method = %request.method,
            path = request.path_template,
            status = tracing::field::Empty,
            attempts = tracing::field::Empty,
            duration_ms = tracing::field::Empty,
        );
        self.execute_in_span(request).instrument(span).await
    }

    async fn execute_in_span(&self, request: Request) -> Result<RawResponse, Error<Infallible>> {
        let started = Instant::now();
        let idempotent = retry::is_idempotent(&request.method, &request.headers);
        let mut attempt = 0;
        let mut retries = 0;
        let mut token_renewed = false;
        let result = loop {
            attempt += 1;
            let outcome = self.attempt(&request, attempt).await;

            // A 401 renews the token and replays the request once, outside the retry budget.
            if let (Ok((response, Some(token))), Auth::Source(source)) = (&outcome, &self.inner.auth) {
                if response.status == http::StatusCode::UNAUTHORIZED && !token_renewed {
                    tracing::info!(
                        operation_id = request.operation_id,
                        attempt,
                        "server rejected the access token; renewing it and sending the request again"
                    );
                    source.invalidate(token);
                    token_renewed = true;
                    continue;
                }
            }

            let outcome = outcome.map(|(response, _)| response);
            let retry_allowed = idempotent && retries + 1 < self.inner.retry.attempts();
            match retry_allowed.then(|| self.retry_delay(&request, &outcome, attempt, retries + 1)).flatten() {
                Some(delay) => {
                    retries += 1;
                    tokio::time::sleep(delay).await;
                }
                None => break outcome,
            }
        };
        let span = tracing::Span::current();
        if let Ok(response) = &result {
            span.record("status", response.status.as_u16());
        }
        span.record("attempts", attempt);
        span.record("duration_ms", duration_ms(started.elapsed()));
        result
    }

    /// Returns how long to wait before retry number `retry` after `outcome`, and logs the retry, or
    /// returns `None` when the outcome must be returned as it is.
    fn retry_delay(
        &self,
        request: &Request,
        outcome: &Result<RawResponse, Error<Infallible>>,
        attempt: u32,
        retry: u32,
    ) -> Option<Duration> {
        let policy = &self.inner.retry;
        let (reason, delay) = match outcome {
            Err(error) if is_retryable_error(error) => (describe_error(error), policy.backoff(retry)),
            Ok(response) if retry::is_retryable_status(response.status) => {
                let reason = format!("status {}", response.status.as_u16());
                match policy.delay_after_status(&response.headers, retry) {
                    StatusDelay::Wait(delay) => (reason, delay),
                    StatusDelay::TooLong(requested) => {
                        tracing::warn!(
                            operation_id = request.operation_id,
                            attempt,
                            reason = reason.as_str(),
                            retry_after_ms = duration_ms(requested),
                            limit_ms = duration_ms(policy.retry_after_limit()),
                            "not retrying: Retry-After is longer than the retry policy allows"
                        );
                        return None;
                    }
                }
            }
            _ => return None,
        };
        tracing::warn!(
            operation_id = request.operation_id,
            attempt,
            reason = reason.as_str(),
            delay_ms = duration_ms(delay),
            "request failed; retrying"
        );
        Some(delay)
    }

    /// Sends the request once in its own span; returns the response and the token it carried.
    async fn attempt(
        &self,
        request: &Request,
        attempt: u32,
    ) -> Result<(RawResponse, Option<SecretString>), Error<Infallible>> {
        let span = tracing::debug_span!(
            "http_attempt",
            attempt,
            status = tracing::field::Empty,
            duration_ms = tracing::field::Empty,
        );
        let started = Instant::now();
        let outcome = async {
            let token = self.token().await?;
            let response = self.send_once(request, token.as_ref()).await?;
            Ok((response, token))
        }
        .instrument(span.clone())
        .await;
        if let Ok((response, _)) = &outcome {
            span.record("status", response.status.as_u16());
        }
        span.record("duration_ms", duration_ms(started.elapsed()));
        outcome
    }

    async fn token(&self) -> Result<Option<SecretString>, Error<Infallible>> {
        match &self.inner.auth {
            // `build` replaces `OAuth2Password` with a token source, so it never reaches this point.
            Auth::None | Auth::OAuth2Password(_) => Ok(None),
            Auth::Bearer(token) => Ok(Some(token.clone())),
            Auth::Source(source) => source.token().await.map(Some).map_err(Error::Auth),
        }
    }

    async fn send_once(
        &self,
        request: &Request,
        token: Option<&SecretString>,
    ) -> Result<RawResponse, Error<Infallible>> {
        let url = self.url_for(request)?;
        let mut builder = self
            .inner
            .http
            .request(request.method.clone(), url)
            .timeout(request.timeout.unwrap_or(self.inner.timeout))
            .header(ACCEPT, HeaderValue::from_static("application/json"))
            .headers(request.headers.clone());
        // A caller's own `Authorization` header, set with `header(..)` on a request, wins.
        let token = token.filter(|_| !request.headers.contains_key(AUTHORIZATION));
        if let Some(token) = token {
            let mut value = HeaderValue::from_str(&format!("Bearer {}", token.expose())).map_err(|_| {
                Error::InvalidRequest("the access token contains characters HTTP headers cannot carry".to_string())
            })?;
            value.set_sensitive(true);
            builder = builder.header(AUTHORIZATION, value);
        }
        if let Some((content_type, body)) = &request.body {
            builder = builder.header(CONTENT_TYPE, content_type.clone()).body(body.clone());
        }

        let response = builder.send().await.map_err(transport_error)?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = read_body(response, self.inner.max_response_body).await?;
        Ok(RawResponse { status, headers, body })
    }

    fn url_for(&self, request: &Request) -> Result<url::Url, Error<Infallible>> {
        let text = format!("{}{}", self.inner.base_url, request.path);
        let mut url =
            url::Url::parse(&text).map_err(|error| Error::InvalidRequest(format!("invalid request URL: {error}")))?;
        if !request.query.is_empty() {
            url.query_pairs_mut().extend_pairs(request.query.iter());
        }
        Ok(url)
    }
}

fn duration_ms(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

/// Returns whether a failed attempt may be retried: connection failures, requests that failed
/// while being sent, and responses whose body was cut off (reqwest reports those as body or decode
/// errors, since the body is read as bytes). Timeouts are not retried.
fn is_retryable_error(error: &Error<Infallible>) -> bool {
    match error {
        Error::Transport(error) => error.is_connect() || error.is_request() || error.is_body() || error.is_decode(),
        _ => false,
    }
}

fn describe_error(error: &Error<Infallible>) -> String {
    match error {
        Error::Transport(error) => describe_transport_error(error),
        other => other.to_string(),
    }
}

/// Reads a whole response body, failing once it exceeds `limit` bytes.
async fn read_body(mut response: reqwest::Response, limit: usize) -> Result<bytes::Bytes, Error<Infallible>> {
    let status = response.status();
    let too_large = || Error::ResponseTooLarge { status, limit };
    match response.content_length() {
        Some(length) if length > limit as u64 => return Err(too_large()),
        // A declared length within the limit lets reqwest collect the body without copying chunks.
        Some(_) => return response.bytes().await.map_err(transport_error),
        None => {}
    }
    let mut body = bytes::BytesMut::new();
    while let Some(chunk) = response.chunk().await.map_err(transport_error)? {
        if body.len() + chunk.len() > limit {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// Wraps a reqwest error without its URL, whose query string may carry identifiers.
fn transport_error(error: reqwest::Error) -> Error<Infallible> {
    if error.is_timeout() {
        Error::Timeout
    } else {
        Error::Transport(error.without_url())
    }
}
