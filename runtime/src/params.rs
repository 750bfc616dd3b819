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

/// Returns `value` as compact JSON text, strings included, for parameters whose spec gives an
/// `application/json` media type instead of a schema.
pub fn to_json_parameter<T: serde::Serialize + ?Sized>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// Joins the text forms of `items` with `separator`, as the `form` (without `explode`),
/// `spaceDelimited`, `pipeDelimited` and `simple` styles send arrays.
pub fn join_values<T: serde::Serialize>(items: &[T], separator: char) -> String {
    let texts: Vec<String> = items.iter().map(to_parameter_string).collect();
    texts.join(&separator.to_string())
}

/// Returns the query pairs of an object parameter: one `property=value` pair per property for
/// the exploded `form` style, or `name[property]=value` pairs for `deepObject`. Arrays repeat the
/// pair once per item and `null` properties are left out.
pub fn object_query_pairs<T: serde::Serialize + ?Sized>(name: &str, value: &T, deep: bool) -> Vec<(String, String)> {
    let properties = match serde_json::to_value(value) {
        Ok(serde_json::Value::Object(properties)) => properties,
        Ok(serde_json::Value::Null) | Err(_) => return Vec::new(),
        Ok(other) => return vec![(name.to_string(), to_parameter_string(&other))],
    };
    let mut pairs = Vec::new();
    for (property, value) in properties {
        let key = if deep { format!("{name}[{property}]") } else { property };
        match value {
            serde_json::Value::Null => {}
            serde_json::Value::Array(items) => {
                pairs.extend(items.iter().map(|item| (key.clone(), to_parameter_string(item))));
            }
            other => pairs.push((key, to_parameter_string(&other))),
        }
    }
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delimited_arrays() {
        assert_eq!(join_values(&[1, 2, 3], ','), "1,2,3");
        assert_eq!(join_values(&["a", "b"], '|'), "a|b");
        assert_eq!(join_values::<i64>(&[], ' '), "");
    }

    #[test]
    fn object_pairs_by_style() {
        let value = serde_json::json!({"role": "admin", "ids": [1, 2], "gone": null});
        let deep = object_query_pairs("filter", &value, true);
        assert_eq!(
            deep,
            vec![
                ("filter[role]".to_string(), "admin".to_string()),
                ("filter[ids]".to_string(), "1".to_string()),
                ("filter[ids]".to_string(), "2".to_string())
            ]
        );
        let form = object_query_pairs("filter", &value, false);
        assert_eq!(form[0], ("role".to_string(), "admin".to_string()));
    }

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

    #[test]
    fn json_parameters_keep_quotes() {
        assert_eq!(to_json_parameter("text"), "\"text\"");
        assert_eq!(to_json_parameter(&serde_json::json!({"a": [1]})), "{\"a\":[1]}");
    }
}
