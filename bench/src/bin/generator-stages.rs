//! Times each generator stage on OpenAPI documents, in process.
//!
//! Usage: `generator-stages [--runs N] DOCUMENT...`. Prints one Markdown table row per document
//! with the median over N runs (after one warm-up run) of load, lower, emit, format and their
//! total, in milliseconds. A document that fails at some stage gets that stage's message and the
//! times of the stages that ran.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use cplug_bench::stats::median;
use cplug_codegen::{load, Options, Severity, Stage, StageTimes};

fn main() {
    let runs: usize = cplug_bench::argument("runs", 10);
    let documents = documents();
    if documents.is_empty() || runs == 0 {
        eprintln!("usage: generator-stages [--runs N] DOCUMENT...");
        std::process::exit(2);
    }
    let options = Options {
        regenerate_command: "generator-stages".to_string(),
        spec_label: "the benchmark document".to_string(),
        standalone: None,
    };

    println!("| document | load ms | lower ms | emit ms | format ms | total ms | outcome |");
    println!("|---|---:|---:|---:|---:|---:|---|");
    for document in &documents {
        println!("{}", measure(document, &options, runs));
    }
}

/// Returns the positional arguments, skipping flags and their values.
fn documents() -> Vec<PathBuf> {
    let mut documents = Vec::new();
    let mut arguments = std::env::args().skip(1);
    while let Some(argument) = arguments.next() {
        if argument.starts_with("--") {
            arguments.next();
        } else {
            documents.push(PathBuf::from(argument));
        }
    }
    documents
}

/// Times `runs` runs of the whole pipeline on `path` and returns the table row.
fn measure(path: &Path, options: &Options, runs: usize) -> String {
    let name = path.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default();
    let mut samples: Vec<(Duration, StageTimes)> = Vec::new();
    let mut outcome = String::from("ok");

    // The first run warms the file cache and the allocator and is not counted.
    for run in 0..=runs {
        let started = Instant::now();
        let document = match load::load_file(path) {
            Ok(document) => document,
            Err(diagnostics) => {
                let load = started.elapsed();
                let message = first_line(&diagnostics.to_string());
                return format!(
                    "| {name} | {} | - | - | - | - | load failed: {message} |",
                    milliseconds(load.as_secs_f64())
                );
            }
        };
        let load = started.elapsed();
        let timed = cplug_codegen::generate_timed(&document, options);
        if run > 0 {
            samples.push((load, timed.times));
        }
        if let Err(failure) = timed.result {
            let stage = match failure.stage {
                Stage::Lower => "lower",
                Stage::Format => "format",
            };
            let errors: Vec<_> =
                failure.diagnostics.0.iter().filter(|diagnostic| diagnostic.severity == Severity::Error).collect();
            let first = errors.first().map(|error| first_line(&error.to_string())).unwrap_or_default();
            outcome = format!("{stage} failed with {} error(s), first: {first}", errors.len());
        }
    }

    let load = stage_median(&samples, |(load, _)| *load);
    let lower = stage_median(&samples, |(_, times)| times.lower);
    let emit = stage_median(&samples, |(_, times)| times.emit);
    let format = stage_median(&samples, |(_, times)| times.format);
    let total = stage_median(&samples, |(load, times)| *load + times.lower + times.emit + times.format);
    let [load, lower, emit, format, total] = [load, lower, emit, format, total].map(milliseconds);
    format!("| {name} | {load} | {lower} | {emit} | {format} | {total} | {outcome} |")
}

fn stage_median(samples: &[(Duration, StageTimes)], stage: impl Fn(&(Duration, StageTimes)) -> Duration) -> f64 {
    let values: Vec<f64> = samples.iter().map(|sample| stage(sample).as_secs_f64()).collect();
    median(&values)
}

fn milliseconds(seconds: f64) -> String {
    format!("{:.2}", seconds * 1000.0)
}

/// Returns the first line of a message, with `|` escaped for a Markdown table.
fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or_default().replace('|', "\\|")
}
