//! Checks of the raw document that run before it is deserialized into `openapiv3` types.
//!
//! `openapiv3` models many values as untagged enums, so a wrong value deep inside one is reported
//! by serde at the enum with a vague message. These checks name the real field instead, and they
//! collect every problem of the document rather than stopping at the first.

use serde_json::{Map, Value};

use crate::diag::join_pointer;

/// Deepest nesting of schemas this check follows before reporting the document as too deep.
const MAX_DEPTH: usize = 64;

/// HTTP methods that a path item can hold.
const METHODS: &[&str] = &["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/// Values of a schema's `type` in OpenAPI 3.0.
const SCHEMA_TYPES: &[&str] = &["string", "number", "integer", "boolean", "array", "object"];

/// One problem: JSON pointer, message and help.
pub(crate) type Problem = (String, String, String);

/// Returns every problem found in `document`, in document order.
pub(crate) fn validate(document: &Value) -> Vec<Problem> {
    let mut checker = Checker { root: document, problems: Vec::new() };
    checker.document(document);
    checker.references(document, "", 0);
    checker.problems
}

struct Checker<'a> {
    root: &'a Value,
    problems: Vec<Problem>,
}

/// Describes the JSON type of `value` for messages.
fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(number) if number.is_i64() || number.is_u64() => "an integer",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

impl<'a> Checker<'a> {
    fn problem(&mut self, pointer: &str, message: String, help: &str) {
        self.problems.push((pointer.to_string(), message, help.to_string()));
    }

    /// Reports a wrong JSON type for `key`; returns whether the type was right.
    fn expect(&mut self, object: &Map<String, Value>, pointer: &str, key: &str, expected: Expected) -> bool {
        let Some(value) = object.get(key) else { return true };
        if expected.matches(value) {
            return true;
        }
        self.problem(
            &join_pointer(pointer, key),
            format!("`{key}` must be {}, but it is {}", expected.describe(), kind_of(value)),
            "change the value to the type the OpenAPI 3.0 specification gives this field",
        );
        false
    }

    /// Returns the object at `value`, reporting anything else.
    fn object<'v>(&mut self, value: &'v Value, pointer: &str, what: &str) -> Option<&'v Map<String, Value>> {
        match value {
            Value::Object(object) => Some(object),
            other => {
                self.problem(
                    pointer,
                    format!("{what} must be an object, but it is {}", kind_of(other)),
                    "write this value as a mapping of keys to values",
                );
                None
            }
        }
    }

    fn require(&mut self, object: &Map<String, Value>, pointer: &str, key: &str, what: &str) {
        if !object.contains_key(key) {
            self.problem(pointer, format!("{what} has no `{key}`"), "add the missing field; OpenAPI 3.0 requires it");
        }
    }

    fn document(&mut self, document: &Value) {
        let Some(root) = self.object(document, "", "the document") else { return };
        self.require(root, "", "info", "the document");
        self.require(root, "", "paths", "the document");
        if let Some(info) = root.get("info") {
            if let Some(info) = self.object(info, "/info", "`info`") {
                self.require(info, "/info", "title", "`info`");
                self.require(info, "/info", "version", "`info`");
                self.expect(info, "/info", "title", Expected::String);
                self.expect(info, "/info", "version", Expected::String);
            }
        }
        if let Some(paths) = root.get("paths") {
            if let Some(paths) = self.object(paths, "/paths", "`paths`") {
                for (path, item) in paths {
                    if !path.starts_with("x-") {
                        self.path_item(item, &join_pointer("/paths", path));
                    }
                }
            }
        }
        if let Some(components) = root.get("components") {
            self.components(components);
        }
    }

    fn components(&mut self, components: &Value) {
        let Some(components) = self.object(components, "/components", "`components`") else { return };
        let sections = ["schemas", "responses", "parameters", "requestBodies", "headers", "securitySchemes"];
        for section in sections {
            let pointer = join_pointer("/components", section);
            let Some(entries) = components.get(section) else { continue };
            let Some(entries) = self.object(entries, &pointer, &format!("`components.{section}`")) else { continue };
            for (name, entry) in entries {
                let entry_pointer = join_pointer(&pointer, name);
                match section {
                    "schemas" => self.schema(entry, &entry_pointer, 0),
                    "responses" => self.response(entry, &entry_pointer),
                    "parameters" => self.parameter(entry, &entry_pointer),
                    "requestBodies" => self.request_body(entry, &entry_pointer),
                    _ => {
                        self.object(entry, &entry_pointer, &format!("`{name}`"));
                    }
                }
            }
        }
    }

    fn path_item(&mut self, item: &Value, pointer: &str) {
        let Some(item) = self.object(item, pointer, "a path item") else { return };
        if item.contains_key("$ref") {
            return;
        }
        if let Some(parameters) = item.get("parameters") {
            self.parameters(parameters, &join_pointer(pointer, "parameters"));
        }
        // A misspelled or upper-case method would otherwise drop the operation without a word.
        for key in item.keys() {
            let known = METHODS.contains(&key.as_str()) || PATH_ITEM_FIELDS.contains(&key.as_str());
            if !known && !key.starts_with("x-") {
                let lower = key.to_ascii_lowercase();
                let help = if METHODS.contains(&lower.as_str()) {
                    format!("HTTP methods are lower case in OpenAPI: write `{lower}`")
                } else {
                    format!(
                        "use one of the methods {} or a field such as `parameters`; vendor extensions start with `x-`",
                        METHODS.join(", ")
                    )
                };
                self.problem(&join_pointer(pointer, key), format!("`{key}` is not a field of a path item"), &help);
            }
        }
        for method in METHODS {
            if let Some(operation) = item.get(*method) {
                self.operation(operation, &join_pointer(pointer, method));
            }
        }
    }

    fn operation(&mut self, operation: &Value, pointer: &str) {
        let Some(operation) = self.object(operation, pointer, "an operation") else { return };
        for key in ["operationId", "summary", "description"] {
            self.expect(operation, pointer, key, Expected::String);
        }
        self.expect(operation, pointer, "tags", Expected::Array);
        self.expect(operation, pointer, "deprecated", Expected::Bool);
        if let Some(parameters) = operation.get("parameters") {
            self.parameters(parameters, &join_pointer(pointer, "parameters"));
        }
        if let Some(body) = operation.get("requestBody") {
            self.request_body(body, &join_pointer(pointer, "requestBody"));
        }
        let responses_pointer = join_pointer(pointer, "responses");
        let Some(responses) = operation.get("responses") else {
            self.problem(
                pointer,
                "the operation has no `responses`".to_string(),
                "document at least the success response under `responses`",
            );
            return;
        };
        let Some(responses) = self.object(responses, &responses_pointer, "`responses`") else { return };
        if responses.keys().all(|key| key.starts_with("x-")) {
            self.problem(
                &responses_pointer,
                "the operation documents no responses".to_string(),
                "document at least the success response under `responses`",
            );
        }
        for (status, response) in responses {
            if status.starts_with("x-") {
                continue;
            }
            let status_pointer = join_pointer(&responses_pointer, status);
            if !is_status_key(status) {
                self.problem(
                    &status_pointer,
                    format!("`{status}` is not a response status: use a code such as `200`, a range such as `2XX`, or `default`"),
                    "rename the key to an HTTP status code",
                );
            }
            self.response(response, &status_pointer);
        }
    }

    fn parameters(&mut self, parameters: &Value, pointer: &str) {
        let Value::Array(parameters) = parameters else {
            self.problem(
                pointer,
                format!("`parameters` must be an array, but it is {}", kind_of(parameters)),
                "list the parameters as a sequence",
            );
            return;
        };
        for (index, parameter) in parameters.iter().enumerate() {
            self.parameter(parameter, &join_pointer(pointer, &index.to_string()));
        }
    }

    fn parameter(&mut self, parameter: &Value, pointer: &str) {
        let Some(parameter) = self.object(parameter, pointer, "a parameter") else { return };
        if parameter.contains_key("$ref") {
            return;
        }
        self.require(parameter, pointer, "name", "the parameter");
        self.require(parameter, pointer, "in", "the parameter");
        self.expect(parameter, pointer, "name", Expected::String);
        self.expect(parameter, pointer, "required", Expected::Bool);
        self.expect(parameter, pointer, "explode", Expected::Bool);
        if let Some(location) = parameter.get("in") {
            if self.expect(parameter, pointer, "in", Expected::String) {
                let location = location.as_str().unwrap_or("");
                if !["query", "header", "path", "cookie"].contains(&location) {
                    self.problem(
                        &join_pointer(pointer, "in"),
                        format!("`in` must be `query`, `header`, `path` or `cookie`, but it is `{location}`"),
                        "Swagger 2.0 `body` and `formData` parameters become a `requestBody` in OpenAPI 3.0",
                    );
                }
            }
        }
        if let Some(schema) = parameter.get("schema") {
            self.schema(schema, &join_pointer(pointer, "schema"), 0);
        }
        if !parameter.contains_key("schema") && !parameter.contains_key("content") {
            let name = parameter.get("name").and_then(Value::as_str).unwrap_or("?");
            self.problem(
                pointer,
                format!("parameter `{name}` has neither `schema` nor `content`"),
                "describe the parameter's value with `schema`, such as `schema: {type: integer}`",
            );
        }
    }

    fn request_body(&mut self, body: &Value, pointer: &str) {
        let Some(body) = self.object(body, pointer, "a request body") else { return };
        if body.contains_key("$ref") {
            return;
        }
        self.expect(body, pointer, "required", Expected::Bool);
        self.content(body, pointer);
    }

    fn response(&mut self, response: &Value, pointer: &str) {
        let Some(response) = self.object(response, pointer, "a response") else { return };
        if response.contains_key("$ref") {
            return;
        }
        self.require(response, pointer, "description", "the response");
        self.expect(response, pointer, "description", Expected::String);
        self.content(response, pointer);
    }

    fn content(&mut self, owner: &Map<String, Value>, pointer: &str) {
        let Some(content) = owner.get("content") else { return };
        let content_pointer = join_pointer(pointer, "content");
        let Some(content) = self.object(content, &content_pointer, "`content`") else { return };
        for (media_type, media) in content {
            let media_pointer = join_pointer(&content_pointer, media_type);
            let Some(media) = self.object(media, &media_pointer, "a media type object") else { continue };
            if let Some(schema) = media.get("schema") {
                self.schema(schema, &join_pointer(&media_pointer, "schema"), 0);
            }
        }
    }

    fn schema(&mut self, schema: &Value, pointer: &str, depth: usize) {
        if depth > MAX_DEPTH {
            self.problem(
                pointer,
                format!("schemas are nested more than {MAX_DEPTH} levels deep"),
                "move inner schemas to `components.schemas` and refer to them",
            );
            return;
        }
        let Some(schema) = self.object(schema, pointer, "a schema") else { return };
        if schema.contains_key("$ref") {
            return;
        }
        for key in ["format", "pattern", "title", "description"] {
            self.expect(schema, pointer, key, Expected::String);
        }
        for key in ["nullable", "readOnly", "writeOnly", "deprecated", "uniqueItems"] {
            self.expect(schema, pointer, key, Expected::Bool);
        }
        for key in ["minimum", "maximum", "multipleOf"] {
            self.expect(schema, pointer, key, Expected::Number);
        }
        for key in ["minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties"] {
            self.expect(schema, pointer, key, Expected::Count);
        }
        self.expect(schema, pointer, "required", Expected::Strings);
        self.expect(schema, pointer, "additionalProperties", Expected::BoolOrObject);

        let schema_type = self.schema_type(schema, pointer);
        if let Some(values) = schema.get("enum") {
            self.enumeration(values, schema_type, &join_pointer(pointer, "enum"));
        }

        if let Some(properties) = schema.get("properties") {
            let properties_pointer = join_pointer(pointer, "properties");
            if let Some(properties) = self.object(properties, &properties_pointer, "`properties`") {
                for (name, property) in properties {
                    self.schema(property, &join_pointer(&properties_pointer, name), depth + 1);
                }
            }
        }
        for key in ["items", "not"] {
            if let Some(inner) = schema.get(key) {
                self.schema(inner, &join_pointer(pointer, key), depth + 1);
            }
        }
        if let Some(extra @ Value::Object(_)) = schema.get("additionalProperties") {
            self.schema(extra, &join_pointer(pointer, "additionalProperties"), depth + 1);
        }

        for key in ["allOf", "oneOf", "anyOf"] {
            let Some(members) = schema.get(key) else { continue };
            let members_pointer = join_pointer(pointer, key);
            match members {
                Value::Array(members) => {
                    for (index, member) in members.iter().enumerate() {
                        self.schema(member, &join_pointer(&members_pointer, &index.to_string()), depth + 1);
                    }
                }
                other => self.problem(
                    &members_pointer,
                    format!("`{key}` must be an array of schemas, but it is {}", kind_of(other)),
                    "list the schemas as a sequence",
                ),
            }
        }
    }

    /// Checks `type` and returns it when it is valid.
    fn schema_type(&mut self, schema: &Map<String, Value>, pointer: &str) -> Option<&'static str> {
        let value = schema.get("type")?;
        let type_pointer = join_pointer(pointer, "type");
        match value {
            Value::String(name) => match SCHEMA_TYPES.iter().find(|known| **known == name) {
                Some(known) => Some(known),
                None => {
                    self.problem(
                        &type_pointer,
                        format!("`type` must be one of `string`, `number`, `integer`, `boolean`, `array` or `object`, but it is `{name}`"),
                        "fix the spelling; for null values OpenAPI 3.0 uses `nullable: true`, not a `null` type",
                    );
                    None
                }
            },
            other => {
                self.problem(
                    &type_pointer,
                    format!("`type` must be a string, but it is {}", kind_of(other)),
                    "OpenAPI 3.0 allows one type per schema; use `oneOf` for several and `nullable: true` for null",
                );
                None
            }
        }
    }

    fn enumeration(&mut self, values: &Value, schema_type: Option<&str>, pointer: &str) {
        let Value::Array(values) = values else {
            self.problem(
                pointer,
                format!("`enum` must be an array, but it is {}", kind_of(values)),
                "list the allowed values as a sequence",
            );
            return;
        };
        let expected = match schema_type {
            Some("string") => Expected::String,
            Some("integer") => Expected::Integer,
            Some("number") => Expected::Number,
            Some("boolean") => Expected::Bool,
            _ => return,
        };
        for (index, value) in values.iter().enumerate() {
            if !value.is_null() && !expected.matches(value) {
                self.problem(
                    &join_pointer(pointer, &index.to_string()),
                    format!(
                        "enum value {value} is {}, but the schema's `type` needs {}",
                        kind_of(value),
                        expected.describe()
                    ),
                    "quote the value or change the schema's `type`",
                );
            }
        }
    }

    /// Checks that every local `$ref` outside examples and extensions points at something.
    fn references(&mut self, value: &Value, pointer: &str, depth: usize) {
        if depth > 4 * MAX_DEPTH {
            return;
        }
        match value {
            Value::Object(object) => {
                if let Some(reference) = object.get("$ref") {
                    self.reference(reference, &join_pointer(pointer, "$ref"));
                }
                for (key, child) in object {
                    let skipped =
                        key.starts_with("x-") || matches!(key.as_str(), "example" | "examples" | "default" | "enum");
                    if !skipped && key != "$ref" {
                        self.references(child, &join_pointer(pointer, key), depth + 1);
                    }
                }
            }
            Value::Array(items) => {
                for (index, item) in items.iter().enumerate() {
                    self.references(item, &join_pointer(pointer, &index.to_string()), depth + 1);
                }
            }
            _ => {}
        }
    }

    fn reference(&mut self, reference: &Value, pointer: &str) {
        let Value::String(reference) = reference else {
            self.problem(
                pointer,
                format!("`$ref` must be a string, but it is {}", kind_of(reference)),
                "write the reference as a string such as `#/components/schemas/Pet`",
            );
            return;
        };
        let Some(target) = reference.strip_prefix('#') else {
            self.problem(
                pointer,
                format!("`{reference}` refers to another document, which this generator does not read"),
                "move the referenced definition into this document's `components`",
            );
            return;
        };
        let target = percent_decode(target);
        if self.root.pointer(&target).is_none() {
            let help = match closest_sibling(self.root, &target) {
                Some(candidate) => format!("did you mean `#{candidate}`?"),
                None => "point the `$ref` at an existing entry, such as one under `#/components/schemas`".to_string(),
            };
            self.problem(
                pointer,
                format!("unresolvable reference `{reference}`: this document has nothing at that location"),
                &help,
            );
        }
    }
}

/// Decodes `%XX` escapes, which a `$ref` written as a URI fragment may contain.
/// Returns the pointer of the entry beside `target` whose name is closest to its last token, when
/// the parent exists and some name is at most a third of the length away (a likely typo).
fn closest_sibling(root: &Value, target: &str) -> Option<String> {
    let (parent, wanted) = target.rsplit_once('/')?;
    let Value::Object(siblings) = root.pointer(parent)? else { return None };
    let limit = wanted.chars().count() / 3 + 1;
    siblings
        .keys()
        .map(|name| (edit_distance(name, wanted), name))
        .filter(|(distance, _)| *distance <= limit)
        .min()
        .map(|(_, name)| format!("{parent}/{}", join_pointer("", name).trim_start_matches('/')))
}

/// Levenshtein distance between two strings, counted in characters.
fn edit_distance(left: &str, right: &str) -> usize {
    let right: Vec<char> = right.chars().collect();
    let mut previous: Vec<usize> = (0..=right.len()).collect();
    for (i, left_char) in left.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, right_char) in right.iter().enumerate() {
            let substitution = previous[j] + usize::from(left_char != *right_char);
            current.push(substitution.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[right.len()]
}

/// Fields of a path item other than its operations (OpenAPI 3.0.3, section 4.7.9).
const PATH_ITEM_FIELDS: &[&str] = &["$ref", "summary", "description", "servers", "parameters"];

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let hex = bytes.get(index + 1..index + 3).and_then(|pair| std::str::from_utf8(pair).ok());
        match (bytes[index], hex.and_then(|hex| u8::from_str_radix(hex, 16).ok())) {
            (b'%', Some(byte)) => {
                decoded.push(byte);
                index += 3;
            }
            (byte, _) => {
                decoded.push(byte);
                index += 1;
            }
        }
    }
    String::from_utf8_lossy(&decoded).into_owned()
}

fn is_status_key(key: &str) -> bool {
    if key == "default" {
        return true;
    }
    let bytes = key.as_bytes();
    bytes.len() == 3
        && (b'1'..=b'5').contains(&bytes[0])
        && (bytes[1..].iter().all(u8::is_ascii_digit) || bytes[1..].eq_ignore_ascii_case(b"XX"))
}

/// The JSON type a field must have.
#[derive(Clone, Copy)]
enum Expected {
    String,
    Bool,
    Integer,
    Number,
    /// A non-negative integer.
    Count,
    Array,
    Strings,
    BoolOrObject,
}

impl Expected {
    fn matches(self, value: &Value) -> bool {
        match self {
            Expected::String => value.is_string(),
            Expected::Bool => value.is_boolean(),
            Expected::Integer => value.is_i64() || value.is_u64(),
            Expected::Number => value.is_number(),
            Expected::Count => value.is_u64(),
            Expected::Array => value.is_array(),
            Expected::Strings => value.as_array().is_some_and(|items| items.iter().all(Value::is_string)),
            Expected::BoolOrObject => value.is_boolean() || value.is_object(),
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Expected::String => "a string",
            Expected::Bool => "a boolean",
            Expected::Integer => "an integer",
            Expected::Number => "a number",
            Expected::Count => "a non-negative integer",
            Expected::Array => "an array",
            Expected::Strings => "an array of strings",
            Expected::BoolOrObject => "a boolean or a schema",
        }
    }
}
