//! Turning parameter values into the text that goes in paths, query strings and headers.

use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};

/// Characters that must be percent-encoded in a path segment (RFC 3986, section 3.3): everything
/// except unreserved characters and sub-delimiters, plus `%` itself.
const PATH_SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'/')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// Percent-encodes `value` for use as one path segment, so `/` and `?` cannot change the path.
pub fn encode_path_segment(value: &str) -> String {
    utf8_percent_encode(value, PATH_SEGMENT).to_string()
}

/// Returns the text form of a parameter value: strings as they are, numbers and booleans in their
/// JSON form, timestamps in RFC 3339 and any other value as compact JSON.
pub fn to_parameter_string<T: serde::Serialize + ?Sized>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(text)) => text,
        Ok(serde_json::Value::Null) => String::new(),
        Ok(other) => other.to_string(),
        Err(_) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_segment_escapes_separators() {
        assert_eq!(encode_path_segment("a/b?c#d"), "a%2Fb%3Fc%23d");
        assert_eq!(encode_path_segment("São Paulo"), "S%C3%A3o%20Paulo");
        assert_eq!(encode_path_segment("v1.2-x_y~z"), "v1.2-x_y~z");
    }

    #[test]
    fn parameter_strings_by_kind() {
        assert_eq!(to_parameter_string("text"), "text");
        assert_eq!(to_parameter_string(&12_i64), "12");
        assert_eq!(to_parameter_string(&true), "true");
        assert_eq!(to_parameter_string(&1.5_f64), "1.5");
    }
}
