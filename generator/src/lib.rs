//! Generates a Rust async client crate from an OpenAPI 3.0 document.
//!
//! The pipeline: [`load`] reads YAML or JSON with source positions, lowering builds the
//! intermediate representation in [`ir`] (every name is chosen there, by [`naming`]), emission
//! turns it into tokens, and [`format`] prints them with `prettyplease` under a header line.
//! [`output`] writes the files atomically or compares them with the committed ones.

pub mod diag;
mod emit;
pub mod format;
pub mod ir;
pub mod load;
mod lower;
pub mod naming;
pub mod output;
mod standalone;
mod validate;

use std::path::{Path, PathBuf};

pub use diag::{Diagnostic, Diagnostics, Severity};
pub use standalone::StandaloneCrate;

/// Settings of one generator run.
#[derive(Clone, Debug)]
pub struct Options {
    /// The command that regenerates the output, named in every file's header.
    pub regenerate_command: String,
    /// How the header names the source document, such as `spec/openapi.yaml`.
    pub spec_label: String,
    /// Also emit `Cargo.toml` and `src/lib.rs`, making the output a crate of its own.
    pub standalone: Option<StandaloneCrate>,
}

/// One generated file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GeneratedFile {
    /// Path relative to the crate root.
    pub path: PathBuf,
    /// Complete contents, with `\n` line endings.
    pub contents: String,
}

/// Result of a successful run.
#[derive(Clone, Debug)]
pub struct Generated {
    /// The files, in a fixed order.
    pub files: Vec<GeneratedFile>,
    /// Problems that did not stop generation.
    pub warnings: Vec<Diagnostic>,
    /// The intermediate representation the files were emitted from.
    pub api: ir::Api,
}

/// Loads the document at `path` and generates the client's files.
pub fn generate_file(path: &Path, options: &Options) -> Result<Generated, Diagnostics> {
    let document = load::load_file(path)?;
    generate(&document, options)
}

/// Generates the client's files from a loaded document.
pub fn generate(document: &load::Document, options: &Options) -> Result<Generated, Diagnostics> {
    let (api, warnings) = lower::lower(document).map_err(Diagnostics)?;
    let mut files = Vec::new();
    for emitted in emit::emit(&api) {
        let contents = format::format_file(emitted.tokens, options)
            .map_err(|message| internal_error(document, emitted.path, message))?;
        files.push(GeneratedFile { path: PathBuf::from(emitted.path), contents });
    }
    if let Some(standalone) = &options.standalone {
        files.extend(standalone.files(&api, options));
    }
    Ok(Generated { files, warnings, api })
}

/// Reports emitted code that does not parse: a bug in the generator, not in the document.
fn internal_error(document: &load::Document, file: &str, message: String) -> Diagnostics {
    Diagnostics(vec![Diagnostic {
        severity: Severity::Error,
        file: document.path.clone(),
        position: None,
        pointer: String::new(),
        message: format!("internal generator error: the code emitted for `{file}` is not valid Rust: {message}"),
        help: Some("report this document to the generator's maintainers".to_string()),
    }])
}
