//! Responses: the raw form every call receives and the typed form operations return.

use std::convert::Infallible;
use std::ops::Deref;

use bytes::Bytes;
use http::{HeaderMap, StatusCode};
use serde::de::DeserializeOwned;

use crate::error::Error;

/// A complete response, body included, before decoding.
///
/// `Debug` shows the body's length, not its content, which may hold tokens or session ids.
#[derive(Clone)]
pub struct RawResponse {
    /// Response status.
    pub status: StatusCode,
    /// Response headers.
    pub headers: HeaderMap,
    /// Response body.
    pub body: Bytes,
}

impl std::fmt::Debug for RawResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RawResponse")
            .field("status", &self.status)
            .field("headers", &crate::error::HeaderNames(&self.headers))
            .field("body_len", &self.body.len())
            .finish()
    }
}

impl RawResponse {
    /// Decodes the body as JSON into `T`; a failure names the path of the offending value.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, Error<Infallible>> {
        // Tracking the path costs time on every value, so only a body that failed is decoded again
        // with tracking. Decoding is deterministic, so the second pass fails at the same value.
        if let Ok(value) = serde_json::from_slice(&self.body) {
            return Ok(value);
        }
        let mut deserializer = serde_json::Deserializer::from_slice(&self.body);
        let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
            let path = error.path().to_string();
            self.decode_error(path, error.into_inner().to_string())
        })?;
        deserializer.end().map_err(|error| self.decode_error(".".to_string(), error.to_string()))?;
        Ok(value)
    }

    fn decode_error(&self, path: String, message: String) -> Error<Infallible> {
        Error::Decode { status: self.status, path, message, body: self.body.clone() }
    }

    /// Decodes the body as UTF-8 text.
    pub fn text(&self) -> Result<String, Error<Infallible>> {
        String::from_utf8(self.body.to_vec())
            .map_err(|error| self.decode_error(".".to_string(), format!("the body is not valid UTF-8: {error}")))
    }

    /// Turns this response into [`Error::UnexpectedStatus`], keeping status, headers and body.
    pub fn into_unexpected<E>(self) -> Error<E> {
        Error::UnexpectedStatus { status: self.status, headers: Box::new(self.headers), body: self.body }
    }

    /// Wraps a decoded value with this response's status and headers.
    pub fn with_value<T>(self, value: T) -> ResponseValue<T> {
        ResponseValue { status: self.status, headers: self.headers, value }
    }
}

/// A decoded response body together with the response's status and headers.
///
/// `Debug` lists header names only, because values such as `Set-Cookie` can carry session ids.
#[derive(Clone)]
pub struct ResponseValue<T> {
    status: StatusCode,
    headers: HeaderMap,
    value: T,
}

impl<T> ResponseValue<T> {
    /// Returns the response status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// Returns the response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// Returns the decoded body, dropping status and headers.
    pub fn into_inner(self) -> T {
        self.value
    }
}

impl<T: std::fmt::Debug> std::fmt::Debug for ResponseValue<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResponseValue")
            .field("status", &self.status)
            .field("headers", &crate::error::HeaderNames(&self.headers))
            .field("value", &self.value)
            .finish()
    }
}

impl<T> Deref for ResponseValue<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.value
    }
}
