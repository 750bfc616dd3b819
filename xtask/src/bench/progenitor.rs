//! `cargo progenitor`, the generator a user would most likely pick instead: installing it on
//! demand, running it, and adapting the sessions spec to what it accepts.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// Version of `cargo-progenitor` the benchmarks install and compare with.
pub const VERSION: &str = "0.15.1";

/// Returns the path of `cargo-progenitor`, installing it under `target/bench-tools` first when
/// that version is not there yet.
pub fn install() -> Result<PathBuf, String> {
    let root = super::target_dir(&crate::codegen::workspace_root()).join("bench-tools");
    let binary = root.join("bin").join(format!("cargo-progenitor{}", std::env::consts::EXE_SUFFIX));
    let installed = std::fs::read_to_string(root.join(".crates.toml")).unwrap_or_default();
    if binary.is_file() && installed.contains(&format!("\"cargo-progenitor {VERSION} ")) {
        return Ok(binary);
    }

    eprintln!("installing cargo-progenitor {VERSION} into {}...", root.display());
    let status = Command::new(super::cargo())
        .args(["install", "cargo-progenitor", "--locked", "--version", &format!("={VERSION}"), "--root"])
        .arg(&root)
        .status()
        .map_err(|error| format!("failed to start cargo install: {error}"))?;
    if !status.success() {
        return Err(format!("installing cargo-progenitor {VERSION} failed ({status})"));
    }
    Ok(binary)
}

/// Returns the command that makes `cargo progenitor` write a crate named `name` for `document`.
pub fn command(binary: &Path, document: &Path, output_dir: &Path, name: &str) -> Command {
    let mut command = Command::new(binary);
    command
        .arg("progenitor")
        .arg("--input")
        .arg(document)
        .arg("--output")
        .arg(output_dir)
        .args(["--name", name, "--version", "0.1.0"])
        // A panic then prints only its message, which the benchmark reports.
        .env("RUST_BACKTRACE", "0");
    command
}

/// Writes a JSON copy of the sessions spec that `cargo progenitor` accepts and returns its path.
///
/// Progenitor 0.15.1 asserts that all error responses of an operation share one type, and the
/// sessions spec has two typed error bodies and two bodyless errors. The copy drops the bodies
/// of every non-2xx response, so all errors are bodyless. Everything else, including every
/// schema, stays as it is.
pub fn sessions_spec_variant(spec: &Path, output: &Path) -> Result<PathBuf, String> {
    let document = cplug_codegen::load::load_file(spec).map_err(|diagnostics| diagnostics.to_string())?;
    let mut value = document.value;
    if let Some(paths) = value.get_mut("paths").and_then(Value::as_object_mut) {
        for item in paths.values_mut() {
            let Some(item) = item.as_object_mut() else { continue };
            for operation in item.values_mut() {
                let Some(responses) = operation.get_mut("responses").and_then(Value::as_object_mut) else {
                    continue;
                };
                for (status, response) in responses.iter_mut() {
                    if !status.starts_with('2') {
                        if let Some(response) = response.as_object_mut() {
                            response.remove("content");
                        }
                    }
                }
            }
        }
    }
    let text = serde_json::to_string_pretty(&value).map_err(|error| error.to_string())?;
    if let Some(parent) = output.parent() {
        std::fs::create_dir_all(parent).map_err(|error| format!("cannot create {}: {error}", parent.display()))?;
    }
    std::fs::write(output, text).map_err(|error| format!("cannot write {}: {error}", output.display()))?;
    Ok(output.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_variant_drops_error_bodies_only() {
        let folder = std::env::temp_dir().join(format!("cplug-bench-variant-{}", std::process::id()));
        let path = sessions_spec_variant(&cplug_spec::spec_path(), &folder.join("variant.json")).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::remove_dir_all(&folder).unwrap();

        let value: Value = serde_json::from_str(&text).unwrap();
        let responses = &value["paths"]["/api/v3/users/sessions"]["get"]["responses"];
        assert!(responses["200"].get("content").is_some());
        for status in ["400", "401", "404", "422"] {
            assert!(responses[status].get("content").is_none(), "status {status} kept its body");
            assert!(responses[status].get("description").is_some(), "status {status} lost its description");
        }
        assert!(value["components"]["schemas"].get("ValidationError").is_some());
    }
}
