//! A scratch Cargo workspace under `target/` in which generated crates are checked together.
//!
//! All crates of one run are members of one workspace that shares a target folder with every
//! other scratch run, so dependencies such as `reqwest` are compiled once and reused. Each crate is
//! checked with clippy, warnings and missing documentation denied, in one `cargo` invocation that
//! keeps going after a crate fails.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use cplug_codegen::{output, GeneratedFile, StandaloneCrate};

/// One generated crate to check.
#[derive(Clone, Debug)]
pub struct ScratchCrate {
    /// Package name, also the member folder's name.
    pub name: String,
    /// Files of the crate, `Cargo.toml` included.
    pub files: Vec<GeneratedFile>,
}

/// Result of checking one crate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CrateCheck {
    /// Clippy reported no error or warning.
    Compiles,
    /// The first error the compiler or clippy reported, rendered as on a terminal.
    Fails(String),
}

/// Result of checking every crate of a scratch workspace.
#[derive(Clone, Debug)]
pub struct CheckReport {
    /// Outcome by package name; a crate cargo never reached is missing.
    pub outcomes: BTreeMap<String, CrateCheck>,
    /// Wall-clock time of the `cargo clippy` run.
    pub duration: Duration,
    /// Whether cargo exited successfully.
    pub success: bool,
    /// Cargo's standard error, for failures that no crate explains.
    pub stderr: String,
}

/// Returns the folder that contains every scratch workspace and their shared target folder.
pub fn scratch_root(workspace_root: &Path) -> PathBuf {
    workspace_root.join("target").join("scratch")
}

/// Returns the standalone-crate settings for a scratch member, pointing at the workspace's runtime.
pub fn standalone(workspace_root: &Path, package_name: &str) -> StandaloneCrate {
    StandaloneCrate { package_name: package_name.to_string(), runtime_path: workspace_root.join("runtime") }
}

/// Turns arbitrary text, such as a file stem, into a valid package name with `prefix`.
pub fn package_name(prefix: &str, text: &str) -> String {
    let mut name = String::from(prefix);
    for character in text.chars() {
        if character.is_ascii_alphanumeric() {
            name.push(character.to_ascii_lowercase());
        } else if !name.ends_with('-') {
            name.push('-');
        }
    }
    name.trim_end_matches('-').to_string()
}

/// Writes `crates` as members of the scratch workspace `workspace_name` and checks them all.
pub fn check_crates(workspace_root: &Path, workspace_name: &str, crates: &[ScratchCrate]) -> io::Result<CheckReport> {
    let scratch = scratch_root(workspace_root);
    let directory = scratch.join(workspace_name);
    fs::create_dir_all(&directory)?;
    for member in crates {
        output::write(&directory.join(&member.name), &member.files)?;
    }
    fs::write(directory.join("Cargo.toml"), workspace_manifest(crates))?;
    // Starting from the main lock file keeps dependency versions, and so compiled artifacts, shared.
    let lock = workspace_root.join("Cargo.lock");
    if lock.exists() && !directory.join("Cargo.lock").exists() {
        fs::copy(&lock, directory.join("Cargo.lock"))?;
    }
    if crates.is_empty() {
        return Ok(CheckReport {
            outcomes: BTreeMap::new(),
            duration: Duration::ZERO,
            success: true,
            stderr: String::new(),
        });
    }

    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let started = Instant::now();
    let result = Command::new(cargo)
        .current_dir(&directory)
        .env("CARGO_TARGET_DIR", scratch.join("target"))
        .env_remove("RUSTFLAGS")
        .args(["clippy", "--workspace", "--keep-going", "--message-format=json", "--quiet", "--"])
        .args(["-D", "warnings", "-D", "missing_docs"])
        .output()?;
    let duration = started.elapsed();

    let stdout = String::from_utf8_lossy(&result.stdout);
    let mut outcomes: BTreeMap<String, CrateCheck> =
        crates.iter().map(|member| (member.name.clone(), CrateCheck::Compiles)).collect();
    for line in stdout.lines() {
        if let Some((package, rendered)) = first_error(line) {
            if let Some(outcome @ CrateCheck::Compiles) = outcomes.get_mut(&package) {
                *outcome = CrateCheck::Fails(rendered);
            }
        }
    }
    let stderr = String::from_utf8_lossy(&result.stderr).into_owned();
    // A crate cargo could not even start on (a broken manifest, say) has no message of its own.
    if !result.status.success() && outcomes.values().all(|outcome| *outcome == CrateCheck::Compiles) {
        for outcome in outcomes.values_mut() {
            *outcome = CrateCheck::Fails(stderr.clone());
        }
    }
    Ok(CheckReport { outcomes, duration, success: result.status.success(), stderr })
}

/// Runs `cargo test` for `packages` of the scratch workspace `workspace_name`, which
/// [`check_crates`] must have written; returns cargo's output.
pub fn test_crates(
    workspace_root: &Path,
    workspace_name: &str,
    packages: &[String],
) -> io::Result<std::process::Output> {
    let scratch = scratch_root(workspace_root);
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .current_dir(scratch.join(workspace_name))
        .env("CARGO_TARGET_DIR", scratch.join("target"))
        .env_remove("RUSTFLAGS")
        .args(["test", "--quiet"]);
    for package in packages {
        command.args(["--package", package]);
    }
    command.output()
}

fn workspace_manifest(crates: &[ScratchCrate]) -> String {
    let members: Vec<String> = crates.iter().map(|member| format!("    \"{}\",\n", member.name)).collect();
    format!("# Scratch workspace written by `cargo xtask`; safe to delete.\n[workspace]\nresolver = \"2\"\nmembers = [\n{}]\n", members.concat())
}

/// Returns the package and rendered text of an error message in one line of cargo's JSON output.
fn first_error(line: &str) -> Option<(String, String)> {
    let message: serde_json::Value = serde_json::from_str(line).ok()?;
    if message.get("reason")?.as_str()? != "compiler-message" {
        return None;
    }
    let level = message.pointer("/message/level")?.as_str()?;
    if level != "error" {
        return None;
    }
    let rendered = message.pointer("/message/rendered")?.as_str()?.trim_end().to_string();
    let package = package_from_id(message.get("package_id")?.as_str()?);
    Some((package, rendered))
}

/// Extracts the package name from a package id such as `path+file:///x/name#0.1.0` or
/// `path+file:///x/folder#name@0.1.0`.
fn package_from_id(id: &str) -> String {
    let last = id.rsplit('/').next().unwrap_or(id);
    match last.split_once('#') {
        Some((_, fragment)) if fragment.contains('@') => fragment.split('@').next().unwrap_or(fragment).to_string(),
        Some((folder, _)) => folder.to_string(),
        None => last.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_names_from_ids() {
        assert_eq!(package_from_id("path+file:///t/scratch/corpus/corpus-xkcd#0.1.0"), "corpus-xkcd");
        assert_eq!(package_from_id("path+file:///t/scratch/corpus/folder#corpus-xkcd@0.1.0"), "corpus-xkcd");
    }

    #[test]
    fn package_names_from_file_stems() {
        assert_eq!(package_name("corpus-", "ofbr-accounts-2.4.2"), "corpus-ofbr-accounts-2-4-2");
        assert_eq!(package_name("fixture-", "Awkward_Names"), "fixture-awkward-names");
    }
}
