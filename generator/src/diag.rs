//! Diagnostics: every problem the generator finds in a document, with its location.

use std::fmt;
use std::path::{Path, PathBuf};

/// Line and column of a value in the source document, both 1-based.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    /// Line number, starting at 1.
    pub line: usize,
    /// Column number, starting at 1.
    pub column: usize,
}

/// Whether a diagnostic stops generation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The document cannot be turned into a client.
    Error,
    /// Generation continues with a documented fallback.
    Warning,
}

/// One problem in a document, located by JSON pointer and, where known, by line and column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Whether this problem stops generation.
    pub severity: Severity,
    /// The document the problem is in.
    pub file: PathBuf,
    /// Line and column of the value at `pointer`, when the loader could find it.
    pub position: Option<Position>,
    /// JSON pointer (RFC 6901) of the offending value, `""` for the whole document.
    pub pointer: String,
    /// Description of the problem, naming the construct.
    pub message: String,
    /// Suggested fix for the author of the document.
    pub help: Option<String>,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{label}: {}", self.message)?;
        write!(f, "\n  --> {}", self.file.display())?;
        if let Some(position) = self.position {
            write!(f, ":{}:{}", position.line, position.column)?;
        }
        let pointer = if self.pointer.is_empty() { "(document root)" } else { &self.pointer };
        write!(f, "\n  at {pointer}")?;
        if let Some(help) = &self.help {
            write!(f, "\n  help: {help}")?;
        }
        Ok(())
    }
}

/// All errors found in one document; generation failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, diagnostic) in self.0.iter().enumerate() {
            if index > 0 {
                writeln!(f)?;
            }
            writeln!(f, "{diagnostic}")?;
        }
        let errors = self.0.iter().filter(|d| d.severity == Severity::Error).count();
        write!(f, "{errors} error(s) in the OpenAPI document")
    }
}

impl std::error::Error for Diagnostics {}

/// Collects diagnostics for one document and resolves their positions.
pub(crate) struct Reporter<'a> {
    file: &'a Path,
    positions: &'a crate::load::PositionIndex,
    found: Vec<Diagnostic>,
}

impl<'a> Reporter<'a> {
    pub(crate) fn new(file: &'a Path, positions: &'a crate::load::PositionIndex) -> Self {
        Reporter { file, positions, found: Vec::new() }
    }

    /// Records an error at `pointer`.
    pub(crate) fn error(&mut self, pointer: &str, message: impl Into<String>, help: impl Into<String>) {
        self.push(Severity::Error, pointer, message.into(), Some(help.into()));
    }

    /// Records a warning at `pointer`; generation goes on.
    pub(crate) fn warning(&mut self, pointer: &str, message: impl Into<String>) {
        self.push(Severity::Warning, pointer, message.into(), None);
    }

    fn push(&mut self, severity: Severity, pointer: &str, message: String, help: Option<String>) {
        self.found.push(Diagnostic {
            severity,
            file: self.file.to_path_buf(),
            position: self.positions.find(pointer),
            pointer: pointer.to_string(),
            message,
            help,
        });
    }

    pub(crate) fn has_errors(&self) -> bool {
        self.found.iter().any(|d| d.severity == Severity::Error)
    }

    pub(crate) fn into_diagnostics(self) -> Vec<Diagnostic> {
        self.found
    }
}

/// Escapes one reference token of a JSON pointer (RFC 6901: `~` to `~0`, `/` to `~1`).
pub fn escape_pointer_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Appends `token` to `pointer`, escaping it.
pub fn join_pointer(pointer: &str, token: &str) -> String {
    format!("{pointer}/{}", escape_pointer_token(token))
}
