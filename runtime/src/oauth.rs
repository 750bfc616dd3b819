//! OAuth2 resource-owner password grant (RFC 6749, section 4.3) with a token cache shared by every
//! clone of the client.

use std::fmt;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use http::header::{HeaderValue, ACCEPT};
use serde::Deserialize;

use crate::auth::{AuthError, TokenFuture, TokenSource};
use crate::secret::SecretString;

/// Default time before a token's expiry at which it is renewed; see [`PasswordGrant::refresh_margin`].
pub const DEFAULT_REFRESH_MARGIN: Duration = Duration::from_secs(30);

/// The application's client credentials and the user's login, all kept as secrets.
#[derive(Clone)]
pub struct PasswordCredentials {
    client_id: SecretString,
    client_secret: SecretString,
    username: SecretString,
    password: SecretString,
}

impl PasswordCredentials {
    /// Groups the application's client id and secret with a user's login (the e-mail address for
    /// CPlug) and password.
    pub fn new(
        client_id: impl Into<SecretString>,
        client_secret: impl Into<SecretString>,
        username: impl Into<SecretString>,
        password: impl Into<SecretString>,
    ) -> Self {
        PasswordCredentials {
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            username: username.into(),
            password: password.into(),
        }
    }
}

impl fmt::Debug for PasswordCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PasswordCredentials { .. }")
    }
}

/// Body encoding of token requests.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TokenRequestEncoding {
    /// `application/x-www-form-urlencoded`, as RFC 6749 (section 4.3.2) requires.
    #[default]
    Form,
    /// `application/json`, for servers that expect a JSON object, as CPlug's published example sends.
    Json,
}

/// Placement of the client id and secret in token requests.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ClientAuthentication {
    /// As `client_id` and `client_secret` fields of the request body (RFC 6749, section 2.3.1).
    #[default]
    RequestBody,
    /// In an `Authorization: Basic` header, each part form-encoded first (RFC 6749, section 2.3.1).
    BasicAuth,
}

/// Settings of the OAuth2 password grant.
///
/// Built from [`PasswordCredentials`]; every other setting has a default.
#[derive(Clone, Debug)]
pub struct PasswordGrant {
    credentials: PasswordCredentials,
    token_url: Option<String>,
    encoding: TokenRequestEncoding,
    client_authentication: ClientAuthentication,
    scope: Option<String>,
    refresh_margin: Duration,
}

impl PasswordGrant {
    /// Starts the settings with the default token URL, form encoding, credentials in the body, no
    /// scope and [`DEFAULT_REFRESH_MARGIN`].
    pub fn new(credentials: PasswordCredentials) -> Self {
        PasswordGrant {
            credentials,
            token_url: None,
            encoding: TokenRequestEncoding::default(),
            client_authentication: ClientAuthentication::default(),
            scope: None,
            refresh_margin: DEFAULT_REFRESH_MARGIN,
        }
    }

    /// Sets the token endpoint, replacing the one from the spec. A relative URL such as
    /// `/oauth/token` is resolved against the client's base URL.
    pub fn token_url(mut self, url: impl Into<String>) -> Self {
        self.token_url = Some(url.into());
        self
    }

    /// Sets the body encoding of token requests (default [`TokenRequestEncoding::Form`]).
    pub fn encoding(mut self, encoding: TokenRequestEncoding) -> Self {
        self.encoding = encoding;
        self
    }

    /// Sets where the client id and secret are sent (default [`ClientAuthentication::RequestBody`]).
    pub fn client_authentication(mut self, method: ClientAuthentication) -> Self {
        self.client_authentication = method;
        self
    }

    /// Sends `scope` with every token request; none is sent by default.
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        self.scope = Some(scope.into());
        self
    }

    /// Sets how long before its expiry a token is renewed (default [`DEFAULT_REFRESH_MARGIN`]).
    ///
    /// The margin never exceeds half of a token's lifetime, so a token that lives 10 seconds is
    /// renewed after 5. When an early renewal fails, the current token is still sent until it
    /// expires. Tokens whose response has no `expires_in` are renewed only after a 401.
    pub fn refresh_margin(mut self, margin: Duration) -> Self {
        self.refresh_margin = margin;
        self
    }

    pub(crate) fn token_url_override(&self) -> Option<&str> {
        self.token_url.as_deref()
    }
}

impl From<PasswordCredentials> for PasswordGrant {
    fn from(credentials: PasswordCredentials) -> Self {
        PasswordGrant::new(credentials)
    }
}

/// Obtains tokens with the password grant and renews them with the refresh-token grant.
///
/// One renewal runs at a time: callers that find the cached token unusable wait on `renewal`, and
/// all but the first then find the token the first one stored.
pub(crate) struct PasswordTokenSource {
    grant: PasswordGrant,
    token_url: url::Url,
    http: reqwest::Client,
    timeout: Duration,
    cached: Mutex<Option<CachedToken>>,
    renewal: tokio::sync::Mutex<()>,
}

struct CachedToken {
    access: SecretString,
    refresh: Option<SecretString>,
    /// Instant at which the token is renewed proactively, or `None` when the server sent no `expires_in`.
    renew_at: Option<Instant>,
    /// Instant at which the token expires, or `None` when the server sent no `expires_in`.
    expires_at: Option<Instant>,
    /// Set when the server responded with 401 to this token.
    rejected: bool,
}

impl CachedToken {
    fn is_usable(&self, now: Instant) -> bool {
        !self.rejected && self.renew_at.is_none_or(|renew_at| now < renew_at)
    }

    /// Returns whether the token can still be sent although it is due for renewal.
    fn is_unexpired(&self, now: Instant) -> bool {
        !self.rejected && self.expires_at.is_none_or(|expires_at| now < expires_at)
    }
}

#[derive(Clone, Copy)]
enum GrantType {
    Password,
    RefreshToken,
}

impl GrantType {
    fn as_str(self) -> &'static str {
        match self {
            GrantType::Password => "password",
            GrantType::RefreshToken => "refresh_token",
        }
    }
}

/// A successful token response (RFC 6749, section 5.1). It does not implement `Debug`, so a token cannot be printed by accident.
#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    #[serde(default)]
    token_type: Option<String>,
    #[serde(default)]
    expires_in: Option<serde_json::Value>,
    #[serde(default)]
    refresh_token: Option<String>,
}

/// An error response (RFC 6749, section 5.2).
#[derive(Deserialize)]
struct ErrorResponse {
    error: String,
    #[serde(default)]
    error_description: Option<String>,
}

impl PasswordTokenSource {
    pub(crate) fn new(grant: PasswordGrant, token_url: url::Url, http: reqwest::Client, timeout: Duration) -> Self {
        PasswordTokenSource {
            grant,
            token_url,
            http,
            timeout,
            cached: Mutex::new(None),
            renewal: tokio::sync::Mutex::new(()),
        }
    }

    fn usable_token(&self) -> Option<SecretString> {
        let cached = self.cached.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        cached.as_ref().filter(|token| token.is_usable(Instant::now())).map(|token| token.access.clone())
    }

    async fn obtain(&self) -> Result<SecretString, AuthError> {
        if let Some(token) = self.usable_token() {
            return Ok(token);
        }
        let _renewal = self.renewal.lock().await;
        // Another caller may have renewed the token while this one waited.
        if let Some(token) = self.usable_token() {
            return Ok(token);
        }

        let refresh_token = {
            let cached = self.cached.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            cached.as_ref().and_then(|token| token.refresh.clone())
        };
        // The refresh token is kept for the next renewal only while the server still accepts it.
        let renewed = match refresh_token {
            Some(refresh_token) => match self.request(GrantType::RefreshToken, Some(&refresh_token)).await {
                Ok(response) => Ok((response, Some(refresh_token))),
                Err(AuthError::OAuth { error, .. }) => {
                    tracing::info!(
                        oauth_error = %error,
                        "token endpoint rejected the refresh token; requesting a new token with the password grant"
                    );
                    self.request(GrantType::Password, None).await.map(|response| (response, None))
                }
                Err(error) => Err(error),
            },
            None => self.request(GrantType::Password, None).await.map(|response| (response, None)),
        };
        match renewed {
            Ok((response, kept_refresh_token)) => Ok(self.store(response, kept_refresh_token)),
            Err(error) => self.unexpired_token_or(error),
        }
    }

    /// Falls back to the cached token when an early renewal failed but the token has not expired.
    fn unexpired_token_or(&self, error: AuthError) -> Result<SecretString, AuthError> {
        let cached = self.cached.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        match cached.as_ref().filter(|token| token.is_unexpired(Instant::now())) {
            Some(token) => {
                tracing::warn!(error = %error, "renewing the access token failed; using the current token until it expires");
                Ok(token.access.clone())
            }
            None => Err(error),
        }
    }

    fn store(&self, response: TokenResponse, previous_refresh: Option<SecretString>) -> SecretString {
        // The server chooses `expires_in`; capping it keeps `Instant` arithmetic from overflowing.
        let lifetime = response
            .expires_in
            .as_ref()
            .and_then(seconds_from_json)
            .map(|seconds| Duration::from_secs(seconds.min(MAX_TOKEN_LIFETIME_SECS)));
        let received = Instant::now();
        let expires_at = lifetime.and_then(|lifetime| received.checked_add(lifetime));
        let renew_at =
            lifetime.and_then(|lifetime| received.checked_add(lifetime - self.grant.refresh_margin.min(lifetime / 2)));
        tracing::debug!(
            expires_in_secs = lifetime.map(|lifetime| lifetime.as_secs()),
            refresh_token_issued = response.refresh_token.is_some(),
            "received an access token"
        );
        let access = SecretString::new(response.access_token);
        // RFC 6749, section 6: without a new refresh token, the client keeps using the old one.
        let refresh = response.refresh_token.map(SecretString::new).or(previous_refresh);
        let mut cached = self.cached.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        *cached = Some(CachedToken { access: access.clone(), refresh, renew_at, expires_at, rejected: false });
        access
    }

    async fn request(
        &self,
        grant_type: GrantType,
        refresh_token: Option<&SecretString>,
    ) -> Result<TokenResponse, AuthError> {
        tracing::debug!(grant_type = grant_type.as_str(), token_url = %self.token_url, "requesting an access token");
        let credentials = &self.grant.credentials;
        let mut fields: Vec<(&str, &str)> = vec![("grant_type", grant_type.as_str())];
        match grant_type {
            GrantType::Password => {
                fields.push(("username", credentials.username.expose()));
                fields.push(("password", credentials.password.expose()));
            }
            GrantType::RefreshToken => {
                fields.push(("refresh_token", refresh_token.map(SecretString::expose).unwrap_or_default()));
            }
        }
        if let Some(scope) = &self.grant.scope {
            fields.push(("scope", scope));
        }

        let mut builder = self
            .http
            .post(self.token_url.clone())
            .timeout(self.timeout)
            .header(ACCEPT, HeaderValue::from_static("application/json"));
        match self.grant.client_authentication {
            ClientAuthentication::RequestBody => {
                fields.push(("client_id", credentials.client_id.expose()));
                fields.push(("client_secret", credentials.client_secret.expose()));
            }
            ClientAuthentication::BasicAuth => {
                let id = form_encode(credentials.client_id.expose());
                let secret = form_encode(credentials.client_secret.expose());
                builder = builder.basic_auth(id, Some(secret));
            }
        }
        builder = match self.grant.encoding {
            TokenRequestEncoding::Form => builder.form(&fields),
            TokenRequestEncoding::Json => {
                let object: serde_json::Map<String, serde_json::Value> =
                    fields.iter().map(|(name, value)| (name.to_string(), serde_json::Value::from(*value))).collect();
                builder.json(&object)
            }
        };

        let response = builder.send().await.map_err(transport_error)?;
        let status = response.status();
        let body = response.bytes().await.map_err(transport_error)?;
        parse_token_response(status, &body)
    }
}

impl TokenSource for PasswordTokenSource {
    fn token(&self) -> TokenFuture<'_> {
        Box::pin(self.obtain())
    }

    fn invalidate(&self, rejected: &SecretString) {
        let mut cached = self.cached.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(token) = cached.as_mut().filter(|token| &token.access == rejected) {
            token.rejected = true;
        }
    }
}

/// Turns a token endpoint's response into a token or an [`AuthError`], never quoting the body,
/// which may contain a token.
fn parse_token_response(status: http::StatusCode, body: &[u8]) -> Result<TokenResponse, AuthError> {
    if !status.is_success() {
        return match serde_json::from_slice::<ErrorResponse>(body) {
            Ok(error) => Err(AuthError::OAuth {
                status: status.as_u16(),
                error: error.error,
                description: error.error_description,
            }),
            Err(_) => Err(AuthError::InvalidResponse {
                status: status.as_u16(),
                message: "the body is not an OAuth2 error object with an `error` field".to_string(),
            }),
        };
    }
    let response: TokenResponse = serde_json::from_slice(body).map_err(|_| AuthError::InvalidResponse {
        status: status.as_u16(),
        message: "the body is not a JSON object with an `access_token` string".to_string(),
    })?;
    if let Some(token_type) = response.token_type.as_deref().filter(|kind| !kind.eq_ignore_ascii_case("bearer")) {
        return Err(AuthError::InvalidResponse {
            status: status.as_u16(),
            message: format!("unsupported `token_type` `{token_type}`; only `Bearer` tokens are supported"),
        });
    }
    Ok(response)
}

/// Maximum token lifetime taken from `expires_in`: one year. A longer value is treated as one year,
/// so the token is still renewed after a 401.
const MAX_TOKEN_LIFETIME_SECS: u64 = 365 * 24 * 60 * 60;

/// Reads `expires_in` as whole seconds, from a JSON number or a numeric string.
fn seconds_from_json(value: &serde_json::Value) -> Option<u64> {
    match value {
        serde_json::Value::Number(number) => {
            number.as_u64().or_else(|| number.as_f64().filter(|seconds| *seconds >= 0.0).map(|seconds| seconds as u64))
        }
        serde_json::Value::String(text) => text.trim().parse().ok(),
        _ => None,
    }
}

fn form_encode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

fn transport_error(error: reqwest::Error) -> AuthError {
    if error.is_timeout() {
        AuthError::Transport("the token request timed out".to_string())
    } else {
        AuthError::Transport(crate::error::describe_transport_error(&error))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expires_in_number_or_string() {
        assert_eq!(seconds_from_json(&serde_json::json!(3600)), Some(3600));
        assert_eq!(seconds_from_json(&serde_json::json!("120")), Some(120));
        assert_eq!(seconds_from_json(&serde_json::json!(1.5)), Some(1));
        assert_eq!(seconds_from_json(&serde_json::json!(-5)), None);
        assert_eq!(seconds_from_json(&serde_json::json!(null)), None);
    }

    #[test]
    fn oauth_error_body_is_typed() {
        let body = br#"{"error":"invalid_grant","error_description":"wrong password"}"#;
        let Err(AuthError::OAuth { status, error, description }) =
            parse_token_response(http::StatusCode::BAD_REQUEST, body)
        else {
            panic!("expected an OAuth error");
        };
        assert_eq!(status, 400);
        assert_eq!(error, "invalid_grant");
        assert_eq!(description.as_deref(), Some("wrong password"));
    }

    #[test]
    fn invalid_token_body_is_not_quoted() {
        let body = br#"{"token":"tok-should-not-appear"}"#;
        let error = parse_token_response(http::StatusCode::OK, body).err().expect("missing access_token is an error");
        assert!(matches!(error, AuthError::InvalidResponse { status: 200, .. }));
        assert!(!error.to_string().contains("tok-should-not-appear"));
    }

    #[test]
    fn non_bearer_token_type_is_rejected() {
        let body = br#"{"access_token":"abc","token_type":"mac"}"#;
        let error = parse_token_response(http::StatusCode::OK, body).err().expect("a mac token is rejected");
        assert!(error.to_string().contains("`mac`"), "{error}");
    }

    #[test]
    fn credentials_debug_is_redacted() {
        let credentials = PasswordCredentials::new("id-1", "secret-1", "user@example.com", "pw-1");
        let grant = PasswordGrant::new(credentials).scope("read");
        let text = format!("{grant:?}");
        for secret in ["id-1", "secret-1", "user@example.com", "pw-1"] {
            assert!(!text.contains(secret), "{secret} appears in {text}");
        }
    }
}
