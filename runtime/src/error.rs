//! The error type every generated operation returns.

use std::fmt;

use bytes::Bytes;
use http::{HeaderMap, StatusCode};

/// Failure of one API call.
///
/// `E` is the operation's own error enum, with a variant for each error status the spec documents.
///
/// `Debug` shows header names and the body's length but no header values or body content, since
/// those may carry cookies, tokens or session ids.
#[non_exhaustive]
pub enum Error<E> {
    /// The server returned a status that the spec documents as an error for this operation.
    Api(E),
    /// The server returned a status that the spec does not list for this operation.
    UnexpectedStatus {
        /// Response status.
        status: StatusCode,
        /// Response headers, boxed to keep `Result<T, Error<E>>` small.
        headers: Box<HeaderMap>,
        /// Raw response body, possibly empty or not JSON.
        body: Bytes,
    },
    /// The status was documented but the body did not match the spec's schema.
    Decode {
        /// Response status.
        status: StatusCode,
        /// Path of the value that failed, such as `data.sessions[3].expires_at`.
        path: String,
        /// Decoder message: the expected and the found value.
        message: String,
        /// Raw response body.
        body: Bytes,
    },
    /// The response body was larger than the client's limit, so it was not read to the end.
    ResponseTooLarge {
        /// Response status.
        status: StatusCode,
        /// The limit, in bytes, set with `RuntimeBuilder::max_response_body`.
        limit: usize,
    },
    /// The request could not be built from the arguments given, such as a missing required value.
    InvalidRequest(String),
    /// Obtaining an access token failed.
    Auth(crate::auth::AuthError),
    /// No complete response arrived in time.
    Timeout,
    /// The connection failed, or the response ended before its body was complete.
    Transport(reqwest::Error),
}

impl<E: fmt::Debug> fmt::Debug for Error<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Api(error) => f.debug_tuple("Api").field(error).finish(),
            Error::UnexpectedStatus { status, headers, body } => f
                .debug_struct("UnexpectedStatus")
                .field("status", status)
                .field("headers", &HeaderNames(headers))
                .field("body_len", &body.len())
                .finish(),
            Error::Decode { status, path, message, body } => f
                .debug_struct("Decode")
                .field("status", status)
                .field("path", path)
                .field("message", message)
                .field("body_len", &body.len())
                .finish(),
            Error::ResponseTooLarge { status, limit } => {
                f.debug_struct("ResponseTooLarge").field("status", status).field("limit", limit).finish()
            }
            Error::InvalidRequest(message) => f.debug_tuple("InvalidRequest").field(message).finish(),
            Error::Auth(error) => f.debug_tuple("Auth").field(error).finish(),
            Error::Timeout => f.write_str("Timeout"),
            Error::Transport(error) => f.debug_tuple("Transport").field(error).finish(),
        }
    }
}

/// Formats a header map as the list of its names.
pub(crate) struct HeaderNames<'a>(pub(crate) &'a HeaderMap);

impl fmt::Debug for HeaderNames<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.0.keys()).finish()
    }
}

impl<E> Error<E> {
    /// Returns the HTTP status of the response that caused the error, when there was one.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::UnexpectedStatus { status, .. }
            | Error::Decode { status, .. }
            | Error::ResponseTooLarge { status, .. } => Some(*status),
            Error::Transport(error) => error.status(),
            _ => None,
        }
    }

    /// Converts an error without an operation-specific part to this operation's error type.
    pub fn from_untyped(error: Error<std::convert::Infallible>) -> Self {
        match error {
            Error::Api(never) => match never {},
            Error::UnexpectedStatus { status, headers, body } => Error::UnexpectedStatus { status, headers, body },
            Error::Decode { status, path, message, body } => Error::Decode { status, path, message, body },
            Error::InvalidRequest(message) => Error::InvalidRequest(message),
            Error::Auth(error) => Error::Auth(error),
            Error::Timeout => Error::Timeout,
            Error::ResponseTooLarge { status, limit } => Error::ResponseTooLarge { status, limit },
            Error::Transport(error) => Error::Transport(error),
        }
    }
}

impl<E: fmt::Display> fmt::Display for Error<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Api(error) => write!(f, "API error: {error}"),
            // The body stays out of the message because it may carry session ids; it is in the field.
            Error::UnexpectedStatus { status, body, .. } => {
                write!(f, "unexpected response status {status} with a body of {} bytes", body.len())
            }
            Error::ResponseTooLarge { status, limit } => {
                write!(f, "the response body for status {status} is larger than the limit of {limit} bytes")
            }
            Error::Decode { status, path, message, .. } => {
                write!(f, "invalid response body for status {status} at `{path}`: {message}")
            }
            Error::InvalidRequest(message) => write!(f, "invalid request: {message}"),
            Error::Auth(error) => write!(f, "authentication failed: {error}"),
            Error::Timeout => f.write_str("the request timed out"),
            Error::Transport(error) => write!(f, "transport error: {}", describe_transport_error(error)),
        }
    }
}

impl<E: fmt::Debug + fmt::Display> std::error::Error for Error<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Transport(error) => Some(error),
            Error::Auth(error) => Some(error),
            _ => None,
        }
    }
}

/// Formats a transport error and its causes without the URL, whose query string may carry identifiers.
pub(crate) fn describe_transport_error(error: &reqwest::Error) -> String {
    let kind = if error.is_connect() {
        "connection failed"
    } else if error.is_body() || error.is_decode() {
        "reading the response body failed"
    } else if error.is_request() {
        "sending the request failed"
    } else {
        "HTTP error"
    };
    let mut text = kind.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
