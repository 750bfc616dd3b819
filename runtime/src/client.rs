//! The HTTP runtime shared by all operations of a generated client.

use std::convert::Infallible;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use http::header::{HeaderMap, HeaderName, HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use http::Method;
use tracing::Instrument;

use crate::auth::{Auth, TokenSource};
use crate::error::Error;
use crate::response::RawResponse;
use crate::secret::SecretString;

/// Default time allowed to establish a TCP (and TLS) connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Default time allowed for a whole request, from sending it to the last byte of the body.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// One request, as a generated operation describes it to the runtime.
#[derive(Debug, Clone)]
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

/// Configures and builds a [`Runtime`].
#[derive(Debug)]
pub struct RuntimeBuilder {
    base_url: String,
    auth: Auth,
    http_client: Option<reqwest::Client>,
    timeout: Duration,
    connect_timeout: Duration,
    user_agent: String,
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
        }
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

    /// Sets how requests are authorized.
    pub fn auth(mut self, auth: Auth) -> Self {
        self.auth = auth;
        self
    }

    /// Sends requests through `client` instead of building one. The connect timeout and user agent
    /// set here then do not apply, since they belong to the client.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
        self
    }

    /// Sets the whole-request timeout (default [`DEFAULT_TIMEOUT`]).
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
        let http = match self.http_client {
            Some(client) => client,
            None => reqwest::Client::builder()
                .connect_timeout(self.connect_timeout)
                .user_agent(self.user_agent)
                .build()
                .map_err(|error| BuildError(format!("cannot build the HTTP client: {error}")))?,
        };
        let base = base_url.as_str().trim_end_matches('/').to_string();
        Ok(Runtime { inner: Arc::new(Inner { base_url: base, auth: self.auth, http, timeout: self.timeout }) })
    }
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

    /// Sends `request` and reads the whole response.
    ///
    /// Every status is returned as a response; only transport failures, timeouts and token failures
    /// are errors here. A 401 with a token source makes the source drop its token, and the request
    /// is sent once more with a new one.
    pub async fn execute(&self, request: Request) -> Result<RawResponse, Error<Infallible>> {
        let span = tracing::info_span!(
            "http_request",
            operation_id = request.operation_id,
            method = %request.method,
            path = request.path_template,
            status = tracing::field::Empty,
            attempt = tracing::field::Empty,
            duration_ms = tracing::field::Empty,
        );
        self.execute_in_span(request).instrument(span).await
    }

    async fn execute_in_span(&self, request: Request) -> Result<RawResponse, Error<Infallible>> {
        let started = Instant::now();
        let mut attempt = 1;
        let result = loop {
            let token = self.token().await?;
            let response = self.send_once(&request, token.as_ref()).await?;
            let rejected = response.status == http::StatusCode::UNAUTHORIZED;
            match (&self.inner.auth, token) {
                (Auth::Source(source), Some(token)) if rejected && attempt == 1 => {
                    tracing::info!(
                        operation_id = request.operation_id,
                        "server rejected the access token; renewing it and sending the request again"
                    );
                    source.invalidate(&token);
                    attempt += 1;
                }
                _ => break Ok(response),
            }
        };
        let span = tracing::Span::current();
        if let Ok(response) = &result {
            span.record("status", response.status.as_u16());
        }
        span.record("attempt", attempt);
        span.record("duration_ms", started.elapsed().as_millis() as u64);
        result
    }

    async fn token(&self) -> Result<Option<SecretString>, Error<Infallible>> {
        match &self.inner.auth {
            Auth::None => Ok(None),
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
        let body = response.bytes().await.map_err(transport_error)?;
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

fn transport_error(error: reqwest::Error) -> Error<Infallible> {
    if error.is_timeout() {
        Error::Timeout
    } else {
        Error::Transport(error)
    }
}
