//! When and how long to wait before sending a request again.

use std::time::{Duration, SystemTime};

use http::header::{HeaderMap, HeaderValue, RETRY_AFTER};
use http::{Method, StatusCode};
use rand::Rng;

/// Header that makes a POST or PATCH safe to send again (the server deduplicates by its value).
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";

/// Retry settings for idempotent requests.
///
/// A request is retried only when it is idempotent: GET, HEAD, PUT, DELETE and OPTIONS, or a POST
/// or PATCH that carries an `Idempotency-Key` header (every attempt sends the same key). It is
/// retried after connection failures and after statuses 429, 502, 503 and 504, never after any
/// other status and never after a timeout.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    max_retry_after: Duration,
}

impl Default for RetryPolicy {
    /// 3 attempts, backoff from 200 ms up to 5 s, `Retry-After` honoured up to 60 s.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(5),
            max_retry_after: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// Returns a policy that sends every request once.
    pub fn disabled() -> Self {
        RetryPolicy { max_attempts: 1, ..RetryPolicy::default() }
    }

    /// Sets how many times a request may be sent in all, the first attempt included (default 3;
    /// values below 1 count as 1). The extra attempt after a 401 with a token source is not counted.
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// Sets the backoff ceiling before the first retry (default 200 ms). It doubles with each retry.
    pub fn initial_backoff(mut self, backoff: Duration) -> Self {
        self.initial_backoff = backoff;
        self
    }

    /// Sets the largest backoff ceiling (default 5 s).
    pub fn max_backoff(mut self, backoff: Duration) -> Self {
        self.max_backoff = backoff;
        self
    }

    /// Sets the longest `Retry-After` the client waits for (default 60 s). When the server requests
    /// a longer wait, the response is returned to the caller without a retry.
    pub fn max_retry_after(mut self, limit: Duration) -> Self {
        self.max_retry_after = limit;
        self
    }

    /// Returns the maximum number of attempts.
    pub fn attempts(&self) -> u32 {
        self.max_attempts
    }

    /// Returns the longest `Retry-After` the client waits for.
    pub fn retry_after_limit(&self) -> Duration {
        self.max_retry_after
    }

    /// Returns the wait before retry number `retry` (1 for the first retry): a uniformly random
    /// duration between zero and `min(max_backoff, initial_backoff * 2^(retry - 1))` ("full jitter").
    pub(crate) fn backoff(&self, retry: u32) -> Duration {
        let factor = 2u32.saturating_pow(retry.saturating_sub(1));
        let ceiling = self.initial_backoff.saturating_mul(factor).min(self.max_backoff);
        let ceiling_ms = u64::try_from(ceiling.as_millis()).unwrap_or(u64::MAX);
        Duration::from_millis(rand::rng().random_range(0..=ceiling_ms))
    }

    /// Decides what to do after a response with a retryable status: wait for the `Retry-After` it
    /// requests, or back off when it has none.
    pub(crate) fn delay_after_status(&self, headers: &HeaderMap, retry: u32) -> StatusDelay {
        match headers.get(RETRY_AFTER).and_then(|value| parse_retry_after(value, SystemTime::now())) {
            Some(wait) if wait > self.max_retry_after => StatusDelay::TooLong(wait),
            Some(wait) => StatusDelay::Wait(wait),
            None => StatusDelay::Wait(self.backoff(retry)),
        }
    }
}

/// Outcome of [`RetryPolicy::delay_after_status`].
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum StatusDelay {
    /// Wait this long, then retry.
    Wait(Duration),
    /// The server asked for a wait longer than the policy allows.
    TooLong(Duration),
}

/// Returns whether sending `method` with `headers` twice has the same effect as sending it once.
pub(crate) fn is_idempotent(method: &Method, headers: &HeaderMap) -> bool {
    match *method {
        Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::OPTIONS => true,
        Method::POST | Method::PATCH => headers.contains_key(IDEMPOTENCY_KEY),
        _ => false,
    }
}

/// Returns whether a response with `status` is worth retrying.
pub(crate) fn is_retryable_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 429 | 502 | 503 | 504)
}

/// Reads `Retry-After` as delay-seconds or as an HTTP date (RFC 9110, section 10.2.3). A date in
/// the past means no wait.
pub(crate) fn parse_retry_after(value: &HeaderValue, now: SystemTime) -> Option<Duration> {
    let text = value.to_str().ok()?.trim();
    if !text.is_empty() && text.bytes().all(|byte| byte.is_ascii_digit()) {
        // Digits too many for a u64 still mean "wait very long", never "no header".
        let seconds = text.parse::<u64>().unwrap_or(u64::MAX);
        return Some(Duration::from_secs(seconds));
    }
    let date = httpdate::parse_http_date(text).ok()?;
    Some(date.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_overflowing_seconds_is_maximal() {
        let value = HeaderValue::from_static("99999999999999999999");
        assert_eq!(parse_retry_after(&value, SystemTime::now()), Some(Duration::from_secs(u64::MAX)));
    }

    #[test]
    fn retry_after_seconds() {
        let now = SystemTime::now();
        assert_eq!(parse_retry_after(&HeaderValue::from_static("1"), now), Some(Duration::from_secs(1)));
        assert_eq!(parse_retry_after(&HeaderValue::from_static(" 120 "), now), Some(Duration::from_secs(120)));
        assert_eq!(parse_retry_after(&HeaderValue::from_static("-1"), now), None);
        assert_eq!(parse_retry_after(&HeaderValue::from_static("soon"), now), None);
    }

    #[test]
    fn retry_after_http_date() {
        let now = httpdate::parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT").unwrap();
        let later = HeaderValue::from_static("Sun, 06 Nov 1994 08:49:40 GMT");
        let earlier = HeaderValue::from_static("Sun, 06 Nov 1994 08:40:00 GMT");
        assert_eq!(parse_retry_after(&later, now), Some(Duration::from_secs(3)));
        assert_eq!(parse_retry_after(&earlier, now), Some(Duration::ZERO));
    }

    #[test]
    fn retry_after_above_limit_is_not_waited() {
        let policy = RetryPolicy::default().max_retry_after(Duration::from_secs(5));
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, HeaderValue::from_static("6"));
        assert_eq!(policy.delay_after_status(&headers, 1), StatusDelay::TooLong(Duration::from_secs(6)));
        headers.insert(RETRY_AFTER, HeaderValue::from_static("5"));
        assert_eq!(policy.delay_after_status(&headers, 1), StatusDelay::Wait(Duration::from_secs(5)));
    }

    #[test]
    fn backoff_stays_under_ceiling() {
        let policy =
            RetryPolicy::default().initial_backoff(Duration::from_millis(100)).max_backoff(Duration::from_millis(300));
        for _ in 0..200 {
            assert!(policy.backoff(1) <= Duration::from_millis(100));
            assert!(policy.backoff(2) <= Duration::from_millis(200));
            assert!(policy.backoff(3) <= Duration::from_millis(300));
            assert!(policy.backoff(40) <= Duration::from_millis(300));
        }
    }

    #[test]
    fn backoff_is_jittered() {
        let policy = RetryPolicy::default().initial_backoff(Duration::from_secs(10));
        let delays: std::collections::BTreeSet<Duration> = (0..50).map(|_| policy.backoff(1)).collect();
        assert!(delays.len() > 1, "50 draws gave one value: {delays:?}");
    }

    #[test]
    fn idempotent_methods() {
        let none = HeaderMap::new();
        let mut keyed = HeaderMap::new();
        keyed.insert(IDEMPOTENCY_KEY, HeaderValue::from_static("7f1c"));
        for method in [Method::GET, Method::HEAD, Method::PUT, Method::DELETE, Method::OPTIONS] {
            assert!(is_idempotent(&method, &none), "{method}");
        }
        assert!(!is_idempotent(&Method::POST, &none));
        assert!(!is_idempotent(&Method::PATCH, &none));
        assert!(is_idempotent(&Method::POST, &keyed));
        assert!(is_idempotent(&Method::PATCH, &keyed));
    }

    #[test]
    fn retryable_statuses() {
        for code in [429, 502, 503, 504] {
            assert!(is_retryable_status(StatusCode::from_u16(code).unwrap()), "{code}");
        }
        for code in [400, 401, 403, 404, 409, 422, 500, 501] {
            assert!(!is_retryable_status(StatusCode::from_u16(code).unwrap()), "{code}");
        }
    }
}
