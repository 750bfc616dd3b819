//! `cargo xtask bench generator`: generator stage times, and whole runs against progenitor.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use super::{failure_summary, median_seconds, progenitor, time_command};

/// Largest document of the corpus (436 KB of JSON, 193 operations).
const LARGEST_CORPUS_DOCUMENT: &str = "progenitor-nexus.json";

pub fn run(arguments: &[&str]) -> Result<(), String> {
    let runs = super::runs(arguments, 10)?;
    let root = crate::codegen::workspace_root();
    let work = super::target_dir(&root).join("bench").join("generator");
    let programs = super::build_programs()?;
    let progenitor_binary = progenitor::install()?;
    let sessions_variant =
        progenitor::sessions_spec_variant(&cplug_spec::spec_path(), &work.join("openapi-errors-without-bodies.json"))?;

    let mut documents = vec![cplug_spec::spec_path(), sessions_variant];
    match super::corpus_dir(arguments) {
        Some(corpus) if arguments.contains(&"--all-corpus") => documents.extend(corpus_documents(&corpus)?),
        Some(corpus) => documents.push(corpus.join(LARGEST_CORPUS_DOCUMENT)),
        None => eprintln!(
            "note: no corpus folder at ../shared/specs/corpus and no --corpus DIR given; \
             measuring the sessions spec only"
        ),
    }

    super::print_machine();
    let all_corpus = if arguments.contains(&"--all-corpus") { " --all-corpus" } else { "" };
    println!("command: `cargo xtask bench generator --runs {runs}{all_corpus}`");
    println!();
    println!("### Stages of this generator, in process (median of {runs} runs, after one warm-up)");
    println!();
    let mut stages = Command::new(programs.join("generator-stages"));
    stages.args(["--runs", &runs.to_string()]).args(&documents);
    let status = stages.status().map_err(|error| format!("failed to start generator-stages: {error}"))?;
    if !status.success() {
        return Err(format!("generator-stages failed ({status})"));
    }

    println!();
    println!("### Whole runs as a process: read the document, generate, format, write a crate");
    println!("(median wall time of {runs} runs, after one warm-up; each run writes into an empty folder)");
    println!();
    println!(
        "| document | this generator ms | cargo progenitor {} ms | progenitor / this | outcome |",
        progenitor::VERSION
    );
    println!("|---|---:|---:|---:|---|");
    for document in &documents {
        let name = file_name(document);
        let ours_dir = work.join("ours").join(&name);
        let ours = time_runs(runs, &ours_dir, || {
            let mut command = Command::new(programs.join("cplug-generate"));
            command.arg(document).arg(&ours_dir).arg("generated-bench-client");
            command
        })?;
        let theirs_dir = work.join("progenitor").join(&name);
        let theirs = time_runs(runs, &theirs_dir, || {
            progenitor::command(&progenitor_binary, document, &theirs_dir, "progenitor-bench-client")
        })?;
        println!("{}", comparison_row(&name, &ours, &theirs));
    }
    super::print_load();
    Ok(())
}

/// Wall times of the successful runs, or the reason the first run failed.
type Runs = Result<Vec<Duration>, String>;

/// Runs the command from `make` once unmeasured and then `runs` times, emptying `output_dir`
/// before each run. Stops at the first failure and returns its summary.
fn time_runs(runs: usize, output_dir: &Path, make: impl Fn() -> Command) -> Result<Runs, String> {
    let mut times = Vec::new();
    for run in 0..=runs {
        if output_dir.exists() {
            std::fs::remove_dir_all(output_dir)
                .map_err(|error| format!("cannot empty {}: {error}", output_dir.display()))?;
        }
        let (elapsed, output) = time_command(&mut make())?;
        if !output.status.success() {
            return Ok(Err(format!("{} ({})", failure_summary(&output), output.status)));
        }
        if run > 0 {
            times.push(elapsed);
        }
    }
    Ok(Ok(times))
}

fn comparison_row(name: &str, ours: &Runs, theirs: &Runs) -> String {
    let cell = |runs: &Runs| match runs {
        Ok(times) => median_seconds(times).map(|seconds| format!("{:.1}", seconds * 1000.0)).unwrap_or_default(),
        Err(_) => "failed".to_string(),
    };
    let ratio = match (ours, theirs) {
        (Ok(ours), Ok(theirs)) => match (median_seconds(ours), median_seconds(theirs)) {
            (Some(ours), Some(theirs)) => format!("{:.2}", theirs / ours),
            _ => "-".to_string(),
        },
        _ => "-".to_string(),
    };
    let mut outcome = Vec::new();
    if let Err(message) = ours {
        outcome.push(format!("this generator: {message}"));
    }
    if let Err(message) = theirs {
        outcome.push(format!("progenitor: {message}"));
    }
    let outcome = if outcome.is_empty() { "both ok".to_string() } else { outcome.join("; ") };
    format!("| {name} | {} | {} | {ratio} | {outcome} |", cell(ours), cell(theirs))
}

/// Returns the corpus documents, JSON and YAML, sorted by name.
fn corpus_documents(corpus: &Path) -> Result<Vec<PathBuf>, String> {
    let entries =
        std::fs::read_dir(corpus).map_err(|error| format!("cannot read the corpus {}: {error}", corpus.display()))?;
    let mut documents: Vec<PathBuf> = entries
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| {
            path.extension().is_some_and(|extension| ["json", "yaml", "yml"].iter().any(|known| extension == *known))
        })
        .collect();
    documents.sort();
    Ok(documents)
}

fn file_name(path: &Path) -> String {
    path.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default()
}
