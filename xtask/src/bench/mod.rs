//! `cargo xtask bench <what>`: builds the benchmark programs in release mode, runs them and
//! prints Markdown tables for `BENCHMARKS.md`.
//!
//! The programs live in the `cplug-bench` crate. `cargo progenitor`, the comparison, is installed
//! on demand under `target/bench-tools`, never as a dependency of the workspace.

mod build;
mod generator;
mod progenitor;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Output};
use std::time::{Duration, Instant};

pub const USAGE: &str = "  bench generator [--runs N] [--all-corpus] [--corpus DIR]
                    time each generator stage, and whole runs against cargo progenitor
  bench build [--runs N] [--corpus DIR]
                    cold and incremental `cargo build` of generated crates, ours and progenitor's
  bench client [--requests N] [--concurrency C] [--rounds R] [--page-size S]
                    generated client against hand-written reqwest on a loopback server
  bench pagination [--pages P] [--per-page S] [--latency-ms L] [--concurrency C] [--runs R]
                    listing every page with server latency, and peak memory by item count
  bench machine     print the CPU, core count, memory and load average";

/// Runs `cargo xtask bench` with the arguments after `bench`.
pub fn run(arguments: &[&str]) -> ExitCode {
    let Some((what, rest)) = arguments.split_first() else {
        eprintln!("usage: cargo xtask bench <what>\n\n{USAGE}");
        return ExitCode::from(2);
    };
    let result = match *what {
        "machine" => {
            print_machine();
            Ok(())
        }
        "generator" => generator::run(rest),
        "build" => build::run(rest),
        "client" => run_program("client-overhead", rest),
        "pagination" => run_program("pagination", rest),
        _ => {
            eprintln!("error: unknown benchmark `{what}`\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Builds the benchmark programs with `cargo build --release` and returns their folder.
fn build_programs() -> Result<PathBuf, String> {
    let root = crate::codegen::workspace_root();
    eprintln!("building the benchmark programs in release mode...");
    let status = Command::new(cargo())
        .current_dir(&root)
        .args(["build", "--quiet", "--release", "--package", "cplug-bench", "--bins"])
        .status()
        .map_err(|error| format!("failed to start cargo: {error}"))?;
    if !status.success() {
        return Err(format!("building the benchmark programs failed ({status})"));
    }
    Ok(target_dir(&root).join("release"))
}

/// Runs one benchmark program in release mode with the given arguments, printing its output.
fn run_program(name: &str, arguments: &[&str]) -> Result<(), String> {
    let programs = build_programs()?;
    print_machine();
    println!(
        "command: `cargo xtask bench {}`",
        std::iter::once(bench_name(name)).chain(arguments.iter().copied()).collect::<Vec<_>>().join(" ")
    );
    println!();
    let status = Command::new(programs.join(name))
        .args(arguments)
        .status()
        .map_err(|error| format!("failed to start {name}: {error}"))?;
    print_load();
    if status.success() {
        Ok(())
    } else {
        Err(format!("{name} failed ({status})"))
    }
}

fn bench_name(program: &str) -> &str {
    match program {
        "client-overhead" => "client",
        other => other,
    }
}

/// Returns the cargo that runs this task, so a toolchain override applies to the benchmarks too.
fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string())
}

/// Returns the workspace's target folder, honouring `CARGO_TARGET_DIR`.
fn target_dir(root: &Path) -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => root.join(dir),
        None => root.join("target"),
    }
}

/// Returns the corpus folder: `--corpus DIR`, or `../shared/specs/corpus` beside the repository.
fn corpus_dir(arguments: &[&str]) -> Option<PathBuf> {
    if let Some(dir) = flag_value(arguments, "--corpus") {
        return Some(PathBuf::from(dir));
    }
    let default = crate::codegen::workspace_root().join("../shared/specs/corpus");
    default.is_dir().then_some(default)
}

/// Returns the value after `flag`, if any.
fn flag_value<'a>(arguments: &[&'a str], flag: &str) -> Option<&'a str> {
    let index = arguments.iter().position(|argument| *argument == flag)?;
    arguments.get(index + 1).copied()
}

/// Returns the run count from `--runs N`, or `default`.
fn runs(arguments: &[&str], default: usize) -> Result<usize, String> {
    match flag_value(arguments, "--runs") {
        None => Ok(default),
        Some(text) => match text.parse::<usize>() {
            Ok(runs) if runs > 0 => Ok(runs),
            _ => Err(format!("invalid --runs `{text}`: expected a whole number of at least 1")),
        },
    }
}

/// Runs `command` to completion and returns its wall time and output.
fn time_command(command: &mut Command) -> Result<(Duration, Output), String> {
    let started = Instant::now();
    let output = command.output().map_err(|error| format!("failed to start {command:?}: {error}"))?;
    Ok((started.elapsed(), output))
}

/// Returns the median of `durations` in seconds; `None` when there are none.
fn median_seconds(durations: &[Duration]) -> Option<f64> {
    let mut seconds: Vec<f64> = durations.iter().map(Duration::as_secs_f64).collect();
    if seconds.is_empty() {
        return None;
    }
    seconds.sort_by(f64::total_cmp);
    let middle = seconds.len() / 2;
    Some(if seconds.len() % 2 == 0 { (seconds[middle - 1] + seconds[middle]) / 2.0 } else { seconds[middle] })
}

/// Prints the CPU model, core count, memory and load average, read from `/proc`.
fn print_machine() {
    let cpu = read_proc_field("/proc/cpuinfo", "model name").unwrap_or_else(|| "unknown".to_string());
    let cores = std::thread::available_parallelism().map(|count| count.get().to_string()).unwrap_or_default();
    let memory = read_proc_field("/proc/meminfo", "MemTotal").unwrap_or_else(|| "unknown".to_string());
    let rustc = Command::new("rustc")
        .arg("--version")
        .output()
        .map(|output| String::from_utf8_lossy(&output.stdout).trim().to_string())
        .unwrap_or_default();
    println!("machine: {cpu}, {cores} cores available, {memory} memory, {rustc}");
    print_load();
}

/// Prints the 1, 5 and 15 minute load averages, so a reader can judge the noise.
fn print_load() {
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let averages: Vec<&str> = load.split_whitespace().take(3).collect();
    println!("load average (1, 5, 15 min): {}", averages.join(" "));
}

fn read_proc_field(path: &str, field: &str) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    let line = text.lines().find(|line| line.starts_with(field))?;
    Some(line.split_once(':')?.1.trim().to_string())
}

/// Returns the line that explains a failed run, with `|` escaped for a Markdown table: a panic
/// message, progenitor's `gen fail:` line from standard output, an error line or the last line of
/// standard error. Lines longer than 200 characters are cut.
fn failure_summary(output: &Output) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let lines: Vec<&str> = stderr.lines().collect();
    let generation_failure = stdout.lines().find(|line| line.starts_with("gen fail:"));
    let summary = if let Some(index) = lines.iter().position(|line| line.contains("panicked at")) {
        let location = lines[index].rsplit('/').next().unwrap_or(lines[index]).trim_end_matches(':');
        let message = lines.get(index + 1).copied().unwrap_or_default();
        format!("panic at {location}: {message}")
    } else if let Some(line) = generation_failure {
        line.to_string()
    } else if let Some(line) = lines.iter().find(|line| line.starts_with("error") || line.starts_with("Error")) {
        line.to_string()
    } else {
        lines.iter().rev().find(|line| !line.trim().is_empty()).copied().unwrap_or("no message").to_string()
    };
    let summary = match summary.char_indices().nth(200) {
        Some((cut, _)) => format!("{}...", &summary[..cut]),
        None => summary,
    };
    summary.replace('|', "\\|")
}

// Building an `ExitStatus` by hand needs the Unix extension trait.
#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::process::ExitStatusExt;
    use std::process::{ExitStatus, Output};

    use super::*;

    fn output(stdout: &str, stderr: &str) -> Output {
        Output { status: ExitStatus::from_raw(1 << 8), stdout: stdout.into(), stderr: stderr.into() }
    }

    #[test]
    fn failure_summary_prefers_panic_message() {
        let stderr = "\nthread 'main' (7497) panicked at /registry/src/progenitor-impl/src/method.rs:1220:9:\n\
                      assertion failed: response_types.len() <= 1\nstack backtrace:\n";
        assert_eq!(
            failure_summary(&output("", stderr)),
            "panic at method.rs:1220:9: assertion failed: response_types.len() <= 1"
        );
    }

    #[test]
    fn failure_summary_uses_gen_fail_line() {
        let stdout = "TYPE SPACE\ngen fail: UnexpectedFormat(\"duplicate operation ID: a\")\n";
        let summary = failure_summary(&output(stdout, "Error: generation experienced errors\n"));
        assert_eq!(summary, "gen fail: UnexpectedFormat(\"duplicate operation ID: a\")");
    }

    #[test]
    fn failure_summary_escapes_pipes_and_cuts() {
        let summary = failure_summary(&output("", &format!("error: a | b {}\n", "x".repeat(300))));
        assert!(summary.starts_with("error: a \\| b "), "{summary}");
        assert!(summary.ends_with("..."), "{summary}");
    }

    #[test]
    fn median_seconds_of_even_count() {
        let durations = [1, 4, 2, 3].map(Duration::from_secs);
        assert_eq!(median_seconds(&durations), Some(2.5));
        assert_eq!(median_seconds(&[]), None);
    }
}
