//! Access tokens: a static bearer token or a source that obtains and renews them.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use crate::secret::SecretString;

/// Future returned by [`TokenSource::token`].
pub type TokenFuture<'a> = Pin<Box<dyn Future<Output = Result<SecretString, AuthError>> + Send + 'a>>;

/// Supplies access tokens for the `Authorization: Bearer` header.
///
/// Implement it to plug in a token cache or an identity provider the runtime does not know.
pub trait TokenSource: Send + Sync + 'static {
    /// Returns a token that is valid now, obtaining or renewing it if needed.
    fn token(&self) -> TokenFuture<'_>;

    /// Tells the source that the server rejected `rejected` with 401, so the next call to
    /// [`TokenSource::token`] must not return it again.
    fn invalidate(&self, rejected: &SecretString) {
        let _ = rejected;
    }
}

/// Authorization of requests.
#[derive(Clone, Default)]
pub enum Auth {
    /// No `Authorization` header.
    #[default]
    None,
    /// The same bearer token on every request.
    Bearer(SecretString),
    /// Tokens from a source, renewed after a 401.
    Source(Arc<dyn TokenSource>),
    /// The OAuth2 password grant; the runtime turns it into a token source when it is built.
    OAuth2Password(Box<crate::oauth::PasswordGrant>),
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Auth::None => f.write_str("None"),
            Auth::Bearer(token) => f.debug_tuple("Bearer").field(token).finish(),
            Auth::Source(_) => f.write_str("Source(..)"),
            Auth::OAuth2Password(grant) => f.debug_tuple("OAuth2Password").field(grant).finish(),
        }
    }
}

/// Failure to obtain an access token.
#[derive(Debug)]
#[non_exhaustive]
pub enum AuthError {
    /// The token endpoint returned an OAuth2 error response (RFC 6749, section 5.2).
    OAuth {
        /// HTTP status of the token response.
        status: u16,
        /// The `error` code, such as `invalid_grant`.
        error: String,
        /// The `error_description`, when the server sent one.
        description: Option<String>,
    },
    /// The token endpoint returned something that is neither a token nor an OAuth2 error.
    InvalidResponse {
        /// HTTP status of the token response.
        status: u16,
        /// Description of the problem with the response.
        message: String,
    },
    /// The token request failed before a response arrived.
    Transport(String),
    /// A user-supplied [`TokenSource`] failed.
    Source(Box<dyn std::error::Error + Send + Sync>),
}

impl fmt::Display for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AuthError::OAuth { status, error, description } => {
                write!(f, "token endpoint returned {status} with OAuth2 error `{error}`")?;
                if let Some(description) = description {
                    write!(f, ": {description}")?;
                }
                Ok(())
            }
            AuthError::InvalidResponse { status, message } => {
                write!(f, "invalid token response (status {status}): {message}")
            }
            AuthError::Transport(message) => write!(f, "token request failed: {message}"),
            AuthError::Source(error) => write!(f, "token source failed: {error}"),
        }
    }
}

impl std::error::Error for AuthError {}
