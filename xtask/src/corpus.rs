//! `cargo xtask corpus [DIR]`: generate a crate for every OpenAPI document in a folder and check
//! that they compile.

use std::fmt::Write as _;
use std::fs;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use cplug_codegen::{Diagnostics, Options};

use crate::scratch::{self, CrateCheck, ScratchCrate};

/// Corpus folder, relative to the workspace root, used when no folder is given.
pub const DEFAULT_CORPUS_DIR: &str = "../shared/specs/corpus";

/// Page that keeps the latest table, relative to the workspace root.
pub const REPORT_PAGE: &str = "docs/corpus.md";

/// Outcome of one document.
#[derive(Clone, Debug)]
pub enum Outcome {
    /// The generated crate passed clippy with warnings denied.
    Compiles,
    /// The generator rejected the document with located diagnostics.
    LocatedError(String),
    /// The generator panicked: a generator bug.
    Panic(String),
    /// The generated crate failed to compile or had warnings: a generator bug.
    DoesNotCompile(String),
}

impl Outcome {
    fn label(&self) -> &'static str {
        match self {
            Outcome::Compiles => "compiles",
            Outcome::LocatedError(_) => "located error",
            Outcome::Panic(_) => "panic",
            Outcome::DoesNotCompile(_) => "does not compile",
        }
    }

    fn detail(&self) -> &str {
        match self {
            Outcome::Compiles => "",
            Outcome::LocatedError(text) | Outcome::Panic(text) | Outcome::DoesNotCompile(text) => text,
        }
    }

    fn is_failure(&self) -> bool {
        matches!(self, Outcome::Panic(_) | Outcome::DoesNotCompile(_))
    }
}

/// One row of the table.
#[derive(Clone, Debug)]
pub struct Row {
    /// File name of the document.
    pub spec: String,
    /// Operations in the generated client, when generation succeeded.
    pub operations: Option<usize>,
    /// Named types in the generated client, when generation succeeded.
    pub types: Option<usize>,
    /// What happened.
    pub outcome: Outcome,
    /// Time spent generating the crate.
    pub generation: Duration,
}

/// Runs the command: `directory` is the corpus, `write_report` rewrites [`REPORT_PAGE`].
pub fn run(directory: Option<PathBuf>, write_report: bool) -> ExitCode {
    let root = crate::codegen::workspace_root();
    let directory = directory.unwrap_or_else(|| root.join(DEFAULT_CORPUS_DIR));
    if !directory.is_dir() {
        println!("corpus folder {} does not exist; skipping the corpus check", directory.display());
        return ExitCode::SUCCESS;
    }
    let specs = match list_specs(&directory) {
        Ok(specs) => specs,
        Err(error) => {
            eprintln!("error: listing {} failed: {error}", directory.display());
            return ExitCode::FAILURE;
        }
    };

    let mut rows = Vec::new();
    let mut crates = Vec::new();
    for spec in &specs {
        let (row, generated) = generate_one(&root, spec);
        if let Some(member) = generated {
            crates.push(member);
        }
        rows.push(row);
    }

    let report = match scratch::check_crates(&root, "corpus", &crates) {
        Ok(report) => report,
        Err(error) => {
            eprintln!("error: writing or checking the scratch workspace failed: {error}");
            return ExitCode::FAILURE;
        }
    };
    for (row, spec) in rows.iter_mut().zip(&specs) {
        if !matches!(row.outcome, Outcome::Compiles) {
            continue;
        }
        let name = package_for(spec);
        if let Some(CrateCheck::Fails(rendered)) = report.outcomes.get(&name) {
            row.outcome = Outcome::DoesNotCompile(rendered.clone());
        }
    }

    let table = render_table(&rows, report.duration);
    println!("{table}");
    for row in rows.iter().filter(|row| !row.outcome.detail().is_empty()) {
        println!("\n## {} ({})\n{}", row.spec, row.outcome.label(), row.outcome.detail());
    }
    if write_report {
        if let Err(error) = write_page(&root, &table) {
            eprintln!("error: writing {REPORT_PAGE} failed: {error}");
            return ExitCode::FAILURE;
        }
        println!("\nwrote {REPORT_PAGE}");
    }
    if rows.iter().any(|row| row.outcome.is_failure()) {
        eprintln!("error: the generator panicked on a document or emitted a crate that does not compile");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

/// Lists the YAML and JSON files of `directory`, sorted by name.
pub fn list_specs(directory: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut specs = Vec::new();
    for entry in fs::read_dir(directory)? {
        let path = entry?.path();
        let extension = path.extension().and_then(|extension| extension.to_str()).unwrap_or("");
        if matches!(extension, "yaml" | "yml" | "json") {
            specs.push(path);
        }
    }
    specs.sort();
    Ok(specs)
}

fn package_for(spec: &Path) -> String {
    let stem = spec.file_stem().map(|stem| stem.to_string_lossy().into_owned()).unwrap_or_default();
    scratch::package_name("corpus-", &stem)
}

/// Generates the crate for one document, catching a panic so the next document still runs.
fn generate_one(root: &Path, spec: &Path) -> (Row, Option<ScratchCrate>) {
    let file_name = spec.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default();
    let name = package_for(spec);
    let options = Options {
        regenerate_command: "cargo xtask corpus".to_string(),
        spec_label: file_name.clone(),
        standalone: Some(scratch::standalone(root, &name)),
    };
    let started = Instant::now();
    let result = panic::catch_unwind(AssertUnwindSafe(|| cplug_codegen::generate_file(spec, &options)));
    let generation = started.elapsed();
    let mut row = Row { spec: file_name, operations: None, types: None, outcome: Outcome::Compiles, generation };
    match result {
        Ok(Ok(generated)) => {
            row.operations = Some(generated.api.operations.len());
            row.types = Some(generated.api.types.len());
            (row, Some(ScratchCrate { name, files: generated.files }))
        }
        Ok(Err(diagnostics)) => {
            row.outcome = Outcome::LocatedError(summarize(&diagnostics));
            (row, None)
        }
        Err(payload) => {
            let message = payload
                .downcast_ref::<&str>()
                .map(|text| text.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "panic with a non-text payload".to_string());
            row.outcome = Outcome::Panic(message);
            (row, None)
        }
    }
}

/// Returns every diagnostic, errors first, as the generator prints them.
fn summarize(diagnostics: &Diagnostics) -> String {
    let mut sorted = diagnostics.0.clone();
    sorted.sort_by_key(|diagnostic| diagnostic.severity);
    Diagnostics(sorted).to_string()
}

/// Returns the outcome for a table cell: the first error with its location, or the first line of
/// a compiler error or panic message.
fn cell_for(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Compiles => "compiles".to_string(),
        Outcome::LocatedError(text) => {
            let lines: Vec<&str> = text.lines().collect();
            let first = lines.iter().position(|line| line.starts_with("error: ")).unwrap_or(0);
            let line = |offset: usize| lines.get(first + offset).map(|line| line.trim()).unwrap_or("");
            let message = line(0).trim_start_matches("error: ");
            let location = line(1).trim_start_matches("--> ");
            let location = location.rsplit('/').next().unwrap_or(location);
            let pointer = line(2).trim_start_matches("at ");
            let errors = lines.iter().filter(|line| line.starts_with("error: ")).count();
            let more = if errors > 1 { format!(" (+{} more)", errors - 1) } else { String::new() };
            format!("located error: {message} at {location} `{pointer}`{more}")
        }
        Outcome::Panic(message) => format!("panic: {}", message.lines().next().unwrap_or("")),
        Outcome::DoesNotCompile(rendered) => {
            format!("does not compile: {}", rendered.lines().next().unwrap_or(""))
        }
    }
}

fn render_table(rows: &[Row], check: Duration) -> String {
    let mut table = String::from("| spec | operations | types | outcome | generation |\n|---|---:|---:|---|---:|\n");
    for row in rows {
        let count = |value: Option<usize>| value.map(|value| value.to_string()).unwrap_or_else(|| "-".to_string());
        let _ = writeln!(
            table,
            "| {} | {} | {} | {} | {} ms |",
            row.spec,
            count(row.operations),
            count(row.types),
            cell_for(&row.outcome).replace('|', "\\|"),
            row.generation.as_millis()
        );
    }
    let compiles = rows.iter().filter(|row| matches!(row.outcome, Outcome::Compiles)).count();
    let _ = write!(
        table,
        "\n{compiles} of {} documents compile; `cargo clippy` on all generated crates took {:.1} s.",
        rows.len(),
        check.as_secs_f64()
    );
    table
}

fn write_page(root: &Path, table: &str) -> std::io::Result<()> {
    let page = format!(
        "# Real-world corpus\n\n\
         `cargo xtask corpus --write-report [DIR]` rewrites this page. It generates a standalone crate for\n\
         every OpenAPI document in DIR (default `{DEFAULT_CORPUS_DIR}`), then runs one\n\
         `cargo clippy -- -D warnings -D missing_docs` over all of them in a scratch workspace under\n\
         `target/scratch/`. A document either compiles or is rejected with a located error naming its\n\
         defect; a panic or a crate that does not compile fails the command.\n\n\
         Generation times are wall-clock times of a debug build of the generator for one document, on\n\
         the machine that last ran the command; the clippy time includes compiling dependencies when\n\
         the scratch target folder was empty.\n\n{table}\n"
    );
    fs::create_dir_all(root.join("docs"))?;
    fs::write(root.join(REPORT_PAGE), page)
}
