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
use std::time::{Duration, Instant};

pub use diag::{Diagnostic, Diagnostics, Severity};
pub use standalone::StandaloneCrate;

/// Settings of one generator run.
#[derive(Clone, Debug)]
pub struct Options {
    /// The command that regenerates the output, named in every file's header.
    pub regenerate_command: String,
    /// Name of the source document in the header, such as `spec/openapi.yaml`.
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
    generate_timed(document, options).result.map_err(|failure| failure.diagnostics)
}

/// A stage of [`generate`] that can fail. Emission cannot, so it has no variant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// Building the intermediate representation from the document.
    Lower,
    /// Parsing the tokens with `syn` and printing them with `prettyplease`.
    Format,
}

/// Diagnostics of a failed run, with the stage that produced them.
#[derive(Clone, Debug)]
pub struct StageFailure {
    /// The stage that failed. Later stages did not run.
    pub stage: Stage,
    /// The errors that stopped generation.
    pub diagnostics: Diagnostics,
}

/// Wall-clock time spent in each stage of one run, zero for a stage that did not run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StageTimes {
    /// Time spent lowering.
    pub lower: Duration,
    /// Time spent emitting tokens, including the standalone crate's extra files.
    pub emit: Duration,
    /// Time spent formatting every emitted file.
    pub format: Duration,
}

/// Outcome of [`generate_timed`].
#[derive(Clone, Debug)]
pub struct TimedGeneration {
    /// The generated files, or the stage that failed and why.
    pub result: Result<Generated, StageFailure>,
    /// Time spent in each stage.
    pub times: StageTimes,
}

/// Runs [`generate`] and measures each stage, for benchmarks and profiling.
pub fn generate_timed(document: &load::Document, options: &Options) -> TimedGeneration {
    let mut times = StageTimes::default();

    let started = Instant::now();
    let lowered = lower::lower(document);
    times.lower = started.elapsed();
    let (api, warnings) = match lowered {
        Ok(lowered) => lowered,
        Err(errors) => {
            let failure = StageFailure { stage: Stage::Lower, diagnostics: Diagnostics(errors) };
            return TimedGeneration { result: Err(failure), times };
        }
    };

    let started = Instant::now();
    let emitted = emit::emit(&api);
    let standalone_files = options.standalone.as_ref().map(|standalone| standalone.files(&api, options));
    times.emit = started.elapsed();

    let started = Instant::now();
    let mut files = Vec::new();
    for emitted in emitted {
        match format::format_file(emitted.tokens, options) {
            Ok(contents) => files.push(GeneratedFile { path: PathBuf::from(emitted.path), contents }),
            Err(message) => {
                times.format = started.elapsed();
                let diagnostics = internal_error(document, emitted.path, message);
                return TimedGeneration { result: Err(StageFailure { stage: Stage::Format, diagnostics }), times };
            }
        }
    }
    times.format = started.elapsed();

    files.extend(standalone_files.unwrap_or_default());
    TimedGeneration { result: Ok(Generated { files, warnings, api }), times }
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
