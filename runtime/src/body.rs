//! Encoding request bodies: JSON, form-urlencoded, multipart, text and raw bytes.

use std::convert::Infallible;

use bytes::Bytes;
use http::HeaderValue;
use serde::Serialize;
use serde_json::Value;

use crate::error::Error;
use crate::params::to_parameter_string;

/// A body ready to send: its `Content-Type` and bytes.
pub type EncodedBody = (HeaderValue, Bytes);

/// Encodes `value` as JSON, sent with `media_type` (such as `application/json`).
pub fn json_body<T: Serialize + ?Sized>(media_type: &str, value: &T) -> Result<EncodedBody, Error<Infallible>> {
    let bytes = serde_json::to_vec(value)
        .map_err(|error| Error::InvalidRequest(format!("the request body cannot be encoded as JSON: {error}")))?;
    Ok((content_type(media_type)?, Bytes::from(bytes)))
}

/// Encodes the properties of `value` as `application/x-www-form-urlencoded`.
///
/// Arrays repeat their name once per item (`form` style with `explode`); nested objects are sent
/// as compact JSON text; `null` properties are left out.
pub fn form_body<T: Serialize + ?Sized>(media_type: &str, value: &T) -> Result<EncodedBody, Error<Infallible>> {
    let mut serializer = url::form_urlencoded::Serializer::new(String::new());
    for (name, text) in flatten_properties(value)? {
        serializer.append_pair(&name, &text.into_text());
    }
    Ok((content_type(media_type)?, Bytes::from(serializer.finish())))
}

/// Encodes the properties of `value` as `multipart/form-data`, one part per property, repeating
/// a part for each item of an array; objects are sent as JSON parts.
///
/// NOTE: a `format: binary` property is a string in the generated types, so file contents are
/// sent as text parts without a file name.
pub fn multipart_body<T: Serialize + ?Sized>(value: &T) -> Result<EncodedBody, Error<Infallible>> {
    let boundary = format!("cplug-boundary-{:016x}{:016x}", rand::random::<u64>(), rand::random::<u64>());
    let mut body = Vec::new();
    for (name, part) in flatten_properties(value)? {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        let name = name.replace('"', "%22").replace(['\r', '\n'], " ");
        body.extend_from_slice(format!("Content-Disposition: form-data; name=\"{name}\"\r\n").as_bytes());
        if matches!(part, Part::Json(_)) {
            body.extend_from_slice(b"Content-Type: application/json\r\n");
        }
        body.extend_from_slice(b"\r\n");
        body.extend_from_slice(part.into_text().as_bytes());
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    Ok((content_type(&format!("multipart/form-data; boundary={boundary}"))?, Bytes::from(body)))
}

/// Sends `value` as it is, with `media_type` (such as `application/octet-stream`).
pub fn bytes_body(media_type: &str, value: &Bytes) -> Result<EncodedBody, Error<Infallible>> {
    Ok((content_type(media_type)?, value.clone()))
}

/// Sends `value` as UTF-8 text, with `media_type` (such as `text/plain`).
pub fn text_body(media_type: &str, value: &str) -> Result<EncodedBody, Error<Infallible>> {
    Ok((content_type(media_type)?, Bytes::from(value.to_string())))
}

/// One form field or multipart part.
enum Part {
    Text(String),
    Json(String),
}

impl Part {
    fn into_text(self) -> String {
        match self {
            Part::Text(text) | Part::Json(text) => text,
        }
    }
}

/// Returns the properties of `value`, which must serialize to a JSON object, as named parts.
fn flatten_properties<T: Serialize + ?Sized>(value: &T) -> Result<Vec<(String, Part)>, Error<Infallible>> {
    let value = serde_json::to_value(value)
        .map_err(|error| Error::InvalidRequest(format!("the request body cannot be encoded: {error}")))?;
    let Value::Object(properties) = value else {
        return Err(Error::InvalidRequest(
            "a form or multipart request body must be an object whose properties become fields".to_string(),
        ));
    };
    let mut parts = Vec::new();
    for (name, property) in properties {
        match property {
            Value::Null => {}
            Value::Array(items) => {
                for item in items.into_iter().filter(|item| !item.is_null()) {
                    parts.push((name.clone(), part_of(item)));
                }
            }
            other => parts.push((name, part_of(other))),
        }
    }
    Ok(parts)
}

fn part_of(value: Value) -> Part {
    match value {
        Value::Object(_) | Value::Array(_) => Part::Json(value.to_string()),
        other => Part::Text(to_parameter_string(&other)),
    }
}

fn content_type(media_type: &str) -> Result<HeaderValue, Error<Infallible>> {
    HeaderValue::from_str(media_type)
        .map_err(|_| Error::InvalidRequest(format!("`{media_type}` cannot be sent as a Content-Type header")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_repeats_arrays_and_skips_null() {
        let value = serde_json::json!({"name": "a b", "tags": ["x", "y"], "gone": null, "n": 3});
        let (content_type, body) = form_body("application/x-www-form-urlencoded", &value).unwrap();
        assert_eq!(content_type, "application/x-www-form-urlencoded");
        assert_eq!(body, "name=a+b&tags=x&tags=y&n=3");
    }

    #[test]
    fn multipart_has_one_part_per_value() {
        let value = serde_json::json!({"name": "pet", "meta": {"a": 1}});
        let (content_type, body) = multipart_body(&value).unwrap();
        let boundary = content_type.to_str().unwrap().split("boundary=").nth(1).unwrap().to_string();
        let text = String::from_utf8(body.to_vec()).unwrap();
        assert_eq!(text.matches(&format!("--{boundary}\r\n")).count(), 2);
        assert!(text.contains("name=\"name\"\r\n\r\npet\r\n"));
        assert!(text.contains("Content-Type: application/json\r\n\r\n{\"a\":1}\r\n"));
        assert!(text.ends_with(&format!("--{boundary}--\r\n")));
    }

    #[test]
    fn form_rejects_non_objects() {
        assert!(form_body("application/x-www-form-urlencoded", &[1, 2]).is_err());
    }
}
