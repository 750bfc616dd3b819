//! `cargo xtask bench build`: cold and incremental `cargo build` of generated client crates.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use super::{failure_summary, median_seconds, progenitor, time_command};

/// One crate to build.
struct Subject {
    label: String,
    package: &'static str,
    dir: PathBuf,
    /// The source file that the incremental runs edit.
    edited_file: PathBuf,
}

impl Subject {
    /// Describes the crate generated in `dir`, whose `src/lib.rs` the incremental runs edit.
    fn new(label: String, package: &'static str, dir: PathBuf) -> Self {
        Subject { label, package, edited_file: dir.join("src/lib.rs"), dir }
    }
}

pub fn run(arguments: &[&str]) -> Result<(), String> {
    let runs = super::runs(arguments, 3)?;
    let root = crate::codegen::workspace_root();
    let work = super::target_dir(&root).join("bench").join("build");
    let programs = super::build_programs()?;
    let progenitor_binary = progenitor::install()?;
    let sessions_variant =
        progenitor::sessions_spec_variant(&cplug_spec::spec_path(), &work.join("openapi-errors-without-bodies.json"))?;

    let ours = |spec: &Path, package: &'static str, label: &str| -> Result<Subject, String> {
        let dir = work.join(package);
        generate(Command::new(programs.join("cplug-generate")).arg(spec).arg(&dir).arg(package), &dir)?;
        // The workspace's lock file pins the versions the repository is tested with; cargo drops
        // the entries this crate does not use.
        copy(&root.join("Cargo.lock"), &dir.join("Cargo.lock"))?;
        Ok(Subject::new(format!("this generator, {label}"), package, dir))
    };
    let theirs = |spec: &Path, package: &'static str, label: &str| -> Result<Subject, String> {
        let dir = work.join(package);
        generate(&mut progenitor::command(&progenitor_binary, spec, &dir, package), &dir)?;
        Ok(Subject::new(format!("cargo progenitor {}, {label}", progenitor::VERSION), package, dir))
    };

    let mut subjects = vec![
        ours(&cplug_spec::spec_path(), "cplug-sessions", "sessions spec")?,
        theirs(&sessions_variant, "progenitor-sessions", "sessions spec with bodyless errors")?,
    ];
    match super::corpus_dir(arguments) {
        Some(corpus) => {
            let document = corpus.join("progenitor-nexus.json");
            subjects.push(ours(&document, "cplug-nexus", "progenitor-nexus.json")?);
            subjects.push(theirs(&document, "progenitor-nexus", "progenitor-nexus.json")?);
        }
        None => eprintln!("note: no corpus folder found; skipping the crates for progenitor-nexus.json"),
    }

    for subject in &subjects {
        isolate(&subject.dir)?;
        fetch(&subject.dir)?;
    }

    super::print_machine();
    println!("command: `cargo xtask bench build --runs {runs}`");
    println!();
    println!("`cargo build` (dev profile), median of {runs} runs. Cold: empty target folder, dependencies");
    println!("already downloaded. Incremental: one line appended to `src/lib.rs`, then `cargo build` again.");
    println!("Crate alone: `cargo clean --package NAME`, then `cargo build`, so only the generated crate compiles.");
    println!();
    println!("| crate | cold s | crates compiled | incremental s | crate alone s |");
    println!("|---|---:|---:|---:|---:|");
    for subject in &subjects {
        println!("{}", measure(subject, runs)?);
    }
    super::print_load();
    Ok(())
}

/// Runs a generator command that writes a crate into `dir`, emptied first.
fn generate(command: &mut Command, dir: &Path) -> Result<(), String> {
    if dir.exists() {
        std::fs::remove_dir_all(dir).map_err(|error| format!("cannot empty {}: {error}", dir.display()))?;
    }
    let (_, output) = time_command(command)?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!("generating {} failed: {}", dir.display(), failure_summary(&output)))
    }
}

/// Makes the crate its own workspace, since it sits inside this repository's folder.
fn isolate(dir: &Path) -> Result<(), String> {
    let manifest = dir.join("Cargo.toml");
    let mut text =
        std::fs::read_to_string(&manifest).map_err(|error| format!("cannot read {}: {error}", manifest.display()))?;
    if !text.contains("\n[workspace]") {
        text.push_str("\n[workspace]\n");
        std::fs::write(&manifest, text).map_err(|error| format!("cannot write {}: {error}", manifest.display()))?;
    }
    Ok(())
}

/// Downloads the crate's dependencies, so that no timed build waits for the network.
fn fetch(dir: &Path) -> Result<(), String> {
    let status = cargo_in(dir)
        .args(["fetch", "--quiet"])
        .status()
        .map_err(|error| format!("failed to start cargo fetch: {error}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("cargo fetch in {} failed ({status})", dir.display()))
    }
}

/// Returns a cargo command run in `dir` with the target folder inside it.
fn cargo_in(dir: &Path) -> Command {
    let mut command = Command::new(super::cargo());
    command.current_dir(dir).env("CARGO_TARGET_DIR", dir.join("target"));
    command
}

/// Builds the crate cold, incrementally and alone `runs` times each and returns the table row.
fn measure(subject: &Subject, runs: usize) -> Result<String, String> {
    let mut cold = Vec::new();
    let mut incremental = Vec::new();
    let mut alone = Vec::new();
    let mut compiled = 0;
    for run in 0..runs {
        let target = subject.dir.join("target");
        if target.exists() {
            std::fs::remove_dir_all(&target).map_err(|error| format!("cannot remove {}: {error}", target.display()))?;
        }
        let output = match timed_build(subject, &mut cold)? {
            Ok(output) => output,
            Err(message) => return Ok(format!("| {} | failed: {message} | - | - | - |", subject.label)),
        };
        let stderr = String::from_utf8_lossy(&output.stderr);
        compiled = stderr.lines().filter(|line| line.trim_start().starts_with("Compiling")).count();

        append_line(&subject.edited_file, run)?;
        if let Err(message) = timed_build(subject, &mut incremental)? {
            return Ok(format!("| {} | failed after an edit: {message} | - | - | - |", subject.label));
        }

        let status = cargo_in(&subject.dir)
            .args(["clean", "--quiet", "--package", subject.package])
            .status()
            .map_err(|error| format!("failed to start cargo clean: {error}"))?;
        if !status.success() {
            return Err(format!("cargo clean --package {} failed ({status})", subject.package));
        }
        if let Err(message) = timed_build(subject, &mut alone)? {
            return Ok(format!("| {} | failed after cargo clean: {message} | - | - | - |", subject.label));
        }
    }
    let [cold, incremental, alone] = [cold, incremental, alone].map(|times| seconds(&times));
    Ok(format!("| {} | {cold} | {compiled} | {incremental} | {alone} |", subject.label))
}

/// Runs `cargo build` in the subject's folder and records its wall time in `times` when it
/// succeeds. Returns the output, or the summary of the failure.
fn timed_build(subject: &Subject, times: &mut Vec<Duration>) -> Result<Result<Output, String>, String> {
    let (elapsed, output) = time_command(cargo_in(&subject.dir).arg("build"))?;
    if !output.status.success() {
        return Ok(Err(failure_summary(&output)));
    }
    times.push(elapsed);
    Ok(Ok(output))
}

/// Appends a new public constant to `file`, a change that makes rustc recompile the crate.
fn append_line(file: &Path, run: usize) -> Result<(), String> {
    let mut text = std::fs::read_to_string(file).map_err(|error| format!("cannot read {}: {error}", file.display()))?;
    text.push_str(&format!("\n#[doc(hidden)]\npub const BENCH_EDIT_{run}: u32 = {run};\n"));
    std::fs::write(file, text).map_err(|error| format!("cannot write {}: {error}", file.display()))
}

fn copy(from: &Path, to: &Path) -> Result<(), String> {
    std::fs::copy(from, to)
        .map(drop)
        .map_err(|error| format!("cannot copy {} to {}: {error}", from.display(), to.display()))
}

fn seconds(durations: &[Duration]) -> String {
    median_seconds(durations).map(|seconds| format!("{seconds:.1}")).unwrap_or_default()
}
