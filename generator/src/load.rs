//! Loading: YAML or JSON text to a JSON value, an index of source positions, and `openapiv3::OpenAPI`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde_json::{Map, Number, Value};
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};
use yaml_rust2::Yaml;

use crate::diag::{join_pointer, Diagnostic, Diagnostics, Position, Severity};

/// Source positions of the values of a document, keyed by JSON pointer.
#[derive(Clone, Debug, Default)]
pub struct PositionIndex {
    positions: HashMap<String, Position>,
}

impl PositionIndex {
    /// Returns the position of the value at `pointer`, or of its nearest ancestor the index has.
    pub fn find(&self, pointer: &str) -> Option<Position> {
        let mut current = pointer;
        loop {
            if let Some(position) = self.positions.get(current) {
                return Some(*position);
            }
            let cut = current.rfind('/')?;
            current = &current[..cut];
        }
    }
}

impl PositionIndex {
    /// Returns the pointer of the value that starts last at or before `position`.
    fn pointer_before(&self, position: Position) -> Option<String> {
        let before = self.positions.iter().filter(|(_, start)| **start <= position);
        before
            .max_by(|(a, a_start), (b, b_start)| a_start.cmp(b_start).then_with(|| b.cmp(a)))
            .map(|(pointer, _)| pointer.clone())
    }
}

/// A parsed OpenAPI document with what is needed to locate problems in it.
#[derive(Clone, Debug)]
pub struct Document {
    /// Path of the document, as given by the caller; used in messages.
    pub path: PathBuf,
    /// The document as a JSON value, for the parts `openapiv3` does not keep (vendor extensions are
    /// kept there too, but lookups by pointer are simpler here).
    pub value: Value,
    /// Line and column of each value.
    pub positions: PositionIndex,
    /// The typed document.
    pub openapi: openapiv3::OpenAPI,
}

/// Reads and parses the document at `path`.
pub fn load_file(path: &Path) -> Result<Document, Diagnostics> {
    match std::fs::read(path) {
        Ok(bytes) => load_bytes(path, &bytes),
        Err(error) => Err(single_error(
            path,
            None,
            format!("cannot read the OpenAPI document: {error}"),
            "check the path and the file's permissions",
        )),
    }
}

/// Parses a document from its bytes; `path` is used only in messages and to pick JSON or YAML.
pub fn load_bytes(path: &Path, bytes: &[u8]) -> Result<Document, Diagnostics> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(error) => {
            return Err(single_error(
                path,
                None,
                format!("the document is not valid UTF-8 (first invalid byte at offset {})", error.valid_up_to()),
                "save the document as UTF-8",
            ))
        }
    };

    let looks_like_json = text.trim_start().starts_with('{');
    let (value, positions) = if looks_like_json {
        let value = serde_json::from_str::<Value>(text).map_err(|error| {
            let position = Position { line: error.line(), column: error.column() };
            // JSON is YAML flow syntax, so the YAML reader either stops near the same place, in a
            // known value, or accepts the text and gives the value that starts before the error.
            let pointer = match read_yaml(text) {
                Err(failure) => failure.pointer,
                Ok((_, positions)) => positions.pointer_before(position).unwrap_or_default(),
            };
            let message = format!("invalid JSON: {error}");
            single_error(path, Some(position), message, "fix the JSON syntax at this position").at(pointer)
        })?;
        // JSON is YAML flow syntax, so the YAML reader finds positions; without them, messages
        // still carry the JSON pointer.
        let positions = read_yaml(text).map(|(_, positions)| positions).unwrap_or_default();
        (value, positions)
    } else {
        read_yaml(text).map_err(|failure| {
            let message = format!("invalid YAML: {}", failure.message);
            single_error(path, Some(failure.position), message, failure.help).at(failure.pointer)
        })?
    };

    let openapi = to_openapi(path, &value, &positions)?;
    Ok(Document { path: path.to_path_buf(), value, positions, openapi })
}

fn single_error(path: &Path, position: Option<Position>, message: String, help: &str) -> Diagnostics {
    Diagnostics(vec![Diagnostic {
        severity: Severity::Error,
        file: path.to_path_buf(),
        position,
        pointer: String::new(),
        message,
        help: Some(help.to_string()),
    }])
}

impl Diagnostics {
    /// Sets the JSON pointer of every diagnostic, for errors found before pointers were known.
    fn at(mut self, pointer: String) -> Self {
        for diagnostic in &mut self.0 {
            diagnostic.pointer.clone_from(&pointer);
        }
        self
    }
}

/// Deserializes the typed document, turning a serde error into a located diagnostic.
fn to_openapi(path: &Path, value: &Value, positions: &PositionIndex) -> Result<openapiv3::OpenAPI, Diagnostics> {
    let field = value.get("openapi");
    let version = field.and_then(Value::as_str).unwrap_or("");
    if !version.starts_with("3.0.") {
        let shown = match field {
            None => "no `openapi` field".to_string(),
            // An unquoted `openapi: 3.0` is a YAML number.
            Some(Value::String(_)) => format!("`openapi: {version}`"),
            Some(other) => format!("`openapi: {other}`, which is not a string; quote the version, as in \"3.0.3\""),
        };
        return Err(Diagnostics(vec![Diagnostic {
            severity: Severity::Error,
            file: path.to_path_buf(),
            position: positions.find("/openapi"),
            pointer: "/openapi".to_string(),
            message: format!("unsupported OpenAPI version: the document has {shown}"),
            help: Some(
                "this generator reads OpenAPI 3.0.x documents; convert Swagger 2.0 or 3.1 documents to 3.0 first"
                    .to_string(),
            ),
        }]));
    }

    let problems = crate::validate::validate(value);
    if !problems.is_empty() {
        let diagnostics = problems
            .into_iter()
            .map(|(pointer, message, help)| Diagnostic {
                severity: Severity::Error,
                file: path.to_path_buf(),
                position: positions.find(&pointer),
                pointer,
                message,
                help: Some(help),
            })
            .collect();
        return Err(Diagnostics(diagnostics));
    }

    serde_path_to_error::deserialize::<_, openapiv3::OpenAPI>(value).map_err(|error| {
        let pointer = serde_path_to_pointer(error.path());
        Diagnostics(vec![Diagnostic {
            severity: Severity::Error,
            file: path.to_path_buf(),
            position: positions.find(&pointer),
            message: format!("invalid OpenAPI document: {}", error.inner()),
            pointer,
            help: Some("make this value match the OpenAPI 3.0 schema for its field".to_string()),
        }])
    })
}

fn serde_path_to_pointer(path: &serde_path_to_error::Path) -> String {
    let mut pointer = String::new();
    for segment in path.iter() {
        match segment {
            serde_path_to_error::Segment::Seq { index } => pointer = join_pointer(&pointer, &index.to_string()),
            serde_path_to_error::Segment::Map { key } => pointer = join_pointer(&pointer, key),
            serde_path_to_error::Segment::Enum { variant } => pointer = join_pointer(&pointer, variant),
            serde_path_to_error::Segment::Unknown => break,
        }
    }
    pointer
}

/// YAML that the reader rejects: the message, position, pointer of the value being read, and help.
struct YamlFailure {
    message: String,
    position: Position,
    pointer: String,
    help: &'static str,
}

/// Parses YAML into a JSON value and records the position of every value.
fn read_yaml(text: &str) -> Result<(Value, PositionIndex), YamlFailure> {
    let mut builder = TreeBuilder::default();
    let mut parser = Parser::new_from_str(text);
    if let Err(error) = parser.load(&mut builder, false) {
        let position = marker_position(error.marker());
        let message = error.info().to_string();
        let help = "fix the YAML syntax at this position";
        return Err(YamlFailure { message, position, pointer: builder.open_pointer(), help });
    }
    if let Some((message, position, pointer, help)) = builder.problem.take() {
        return Err(YamlFailure { message, position, pointer, help });
    }
    let value = builder.root.unwrap_or(Value::Null);
    Ok((value, PositionIndex { positions: builder.positions }))
}

fn marker_position(marker: &Marker) -> Position {
    // yaml-rust2 counts lines from 1 and columns from 0.
    Position { line: marker.line(), column: marker.col() + 1 }
}

enum Frame {
    Mapping { pointer: String, anchor: usize, map: Map<String, Value>, key: Option<(String, Position)> },
    Sequence { pointer: String, anchor: usize, items: Vec<Value> },
}

/// Deepest nesting of mappings and sequences accepted; deeper documents could overflow the stack
/// of the recursive steps that follow loading. serde_json applies the same limit to JSON.
const MAX_NESTING: usize = 128;

/// Maximum number of values that YAML aliases may expand to, so that a small document cannot expand to an
/// exponential size through aliases of aliases.
const MAX_ALIAS_VALUES: usize = 100_000;

#[derive(Default)]
struct TreeBuilder {
    /// Values copied by aliases so far.
    alias_values: usize,
    stack: Vec<Frame>,
    anchors: HashMap<usize, Value>,
    positions: HashMap<String, Position>,
    root: Option<Value>,
    /// The first problem the YAML parser does not report itself: message, position and pointer.
    problem: Option<(String, Position, String, &'static str)>,
}

impl TreeBuilder {
    /// Returns the pointer of the next value in the current container and records its position.
    fn child_pointer(&mut self, position: Position) -> String {
        let pointer = match self.stack.last() {
            None => String::new(),
            Some(Frame::Mapping { pointer, key, .. }) => {
                let (key, key_position) = key.clone().unwrap_or_else(|| (String::new(), position));
                let child = join_pointer(pointer, &key);
                self.positions.insert(child.clone(), key_position);
                return child;
            }
            Some(Frame::Sequence { pointer, items, .. }) => join_pointer(pointer, &items.len().to_string()),
        };
        self.positions.insert(pointer.clone(), position);
        pointer
    }

    /// Returns the pointer of the value being read: the innermost open container, or its entry
    /// whose key was read last.
    fn open_pointer(&self) -> String {
        match self.stack.last() {
            None => String::new(),
            Some(Frame::Mapping { pointer, key: Some((key, _)), .. }) => join_pointer(pointer, key),
            Some(Frame::Mapping { pointer, .. }) => pointer.clone(),
            Some(Frame::Sequence { pointer, items, .. }) => join_pointer(pointer, &items.len().to_string()),
        }
    }

    /// Keeps the first problem found, with the pointer of the value being read.
    fn record_problem(&mut self, message: String, position: Position, help: &'static str) {
        if self.problem.is_none() {
            self.problem = Some((message, position, self.open_pointer(), help));
        }
    }

    fn expects_key(&self) -> bool {
        matches!(self.stack.last(), Some(Frame::Mapping { key: None, .. }))
    }

    fn finish_value(&mut self, value: Value, anchor: usize) {
        if anchor > 0 {
            self.anchors.insert(anchor, value.clone());
        }
        match self.stack.last_mut() {
            None => self.root = Some(value),
            Some(Frame::Mapping { map, key, .. }) => {
                if let Some((key, _)) = key.take() {
                    map.insert(key, value);
                }
            }
            Some(Frame::Sequence { items, .. }) => items.push(value),
        }
    }

    fn scalar(&mut self, text: String, style: TScalarStyle, anchor: usize, position: Position) {
        if self.expects_key() {
            let duplicate = matches!(self.stack.last(), Some(Frame::Mapping { map, .. }) if map.contains_key(&text));
            if let Some(Frame::Mapping { key, .. }) = self.stack.last_mut() {
                *key = Some((text.clone(), position));
            }
            // YAML requires unique keys; silently keeping the last value would hide an editing mistake.
            if duplicate {
                self.record_problem(
                    format!("duplicate key `{text}` in a mapping"),
                    position,
                    "remove one of the two entries; YAML keys must be unique",
                );
            }
            if anchor > 0 {
                self.anchors.insert(anchor, Value::Null);
            }
            return;
        }
        self.child_pointer(position);
        let value = if style == TScalarStyle::Plain { resolve_plain_scalar(&text) } else { Value::String(text) };
        self.finish_value(value, anchor);
    }
}

impl MarkedEventReceiver for TreeBuilder {
    fn on_event(&mut self, event: Event, marker: Marker) {
        let position = marker_position(&marker);
        match event {
            Event::Scalar(text, style, anchor, _tag) => self.scalar(text, style, anchor, position),
            Event::MappingStart(anchor, _) | Event::SequenceStart(anchor, _) => {
                let is_mapping = matches!(event, Event::MappingStart(..));
                if self.expects_key() {
                    self.record_problem(
                        "a mapping key that is itself a mapping or a sequence is not supported".to_string(),
                        position,
                        "use a plain string as the key",
                    );
                    if let Some(Frame::Mapping { key, .. }) = self.stack.last_mut() {
                        *key = Some((String::new(), position));
                    }
                }
                if self.stack.len() >= MAX_NESTING {
                    self.record_problem(
                        format!("mappings and sequences are nested more than {MAX_NESTING} levels deep"),
                        position,
                        "flatten the document at this position, for example with `$ref`s to components",
                    );
                }
                let pointer = self.child_pointer(position);
                let frame = if is_mapping {
                    Frame::Mapping { pointer, anchor, map: Map::new(), key: None }
                } else {
                    Frame::Sequence { pointer, anchor, items: Vec::new() }
                };
                self.stack.push(frame);
            }
            Event::MappingEnd | Event::SequenceEnd => {
                let (value, anchor) = match self.stack.pop() {
                    Some(Frame::Mapping { map, anchor, .. }) => (Value::Object(map), anchor),
                    Some(Frame::Sequence { items, anchor, .. }) => (Value::Array(items), anchor),
                    None => return,
                };
                self.finish_value(value, anchor);
            }
            Event::Alias(anchor) => {
                let mut value = self.anchors.get(&anchor).cloned().unwrap_or(Value::Null);
                self.alias_values += count_values(&value, MAX_ALIAS_VALUES);
                if self.alias_values > MAX_ALIAS_VALUES {
                    self.record_problem(
                        format!("YAML aliases expand to more than {MAX_ALIAS_VALUES} values"),
                        position,
                        "replace the aliases with `$ref`s; the generator caps alias expansion to stay within memory limits",
                    );
                    value = Value::Null;
                }
                if self.expects_key() {
                    let key = match value {
                        Value::String(text) => text,
                        other => other.to_string(),
                    };
                    if let Some(Frame::Mapping { key: slot, .. }) = self.stack.last_mut() {
                        *slot = Some((key, position));
                    }
                    return;
                }
                self.child_pointer(position);
                self.finish_value(value, 0);
            }
            Event::Nothing | Event::StreamStart | Event::StreamEnd | Event::DocumentStart | Event::DocumentEnd => {}
        }
    }
}

/// Counts the values in `value`, stopping once the count passes `limit`.
fn count_values(value: &Value, limit: usize) -> usize {
    let mut pending = vec![value];
    let mut count = 0;
    while let Some(current) = pending.pop() {
        count += 1;
        if count > limit {
            break;
        }
        match current {
            Value::Array(items) => pending.extend(items),
            Value::Object(entries) => pending.extend(entries.values()),
            _ => {}
        }
    }
    count
}

/// Resolves an unquoted scalar with the YAML 1.2 core schema (null, booleans, numbers, strings).
fn resolve_plain_scalar(text: &str) -> Value {
    match Yaml::from_str(text) {
        Yaml::Null => Value::Null,
        Yaml::Boolean(value) => Value::Bool(value),
        Yaml::Integer(value) => Value::Number(value.into()),
        Yaml::Real(real) => match real.parse::<f64>().ok().and_then(Number::from_f64) {
            Some(number) => Value::Number(number),
            // `.inf` and `.nan` have no JSON form; keeping the text lets validation name the value.
            None => Value::String(real),
        },
        _ => Value::String(text.to_string()),
    }
}
