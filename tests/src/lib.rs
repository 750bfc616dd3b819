//! Workspace-level tests: generator snapshots, golden diagnostics, compile checks of generated
//! crates and end-to-end client tests on loopback servers. This library contains their shared helpers.

use std::path::{Path, PathBuf};

pub mod server;

/// Returns the folder of test fixtures: `specs/`, `errors/` and `behaviour/`.
pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// Lists the YAML and JSON files in `fixtures/<folder>`, sorted by name, so that a new case is
/// just a new file.
pub fn fixture_files(folder: &str) -> Vec<PathBuf> {
    let directory = fixtures_dir().join(folder);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&directory)
        .unwrap_or_else(|error| panic!("cannot list {}: {error}", directory.display()))
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| {
            matches!(path.extension().and_then(|extension| extension.to_str()), Some("yaml" | "yml" | "json"))
        })
        .collect();
    files.sort();
    files
}

/// Returns the file name without its extension.
pub fn stem(path: &Path) -> String {
    path.file_stem().map(|stem| stem.to_string_lossy().into_owned()).unwrap_or_default()
}

/// Returns generator settings for a fixture, naming it by file name only so that messages and
/// snapshots do not depend on where the repository is checked out.
pub fn fixture_options(label: &str) -> cplug_codegen::Options {
    cplug_codegen::Options {
        regenerate_command: "cargo test -p cplug-tests".to_string(),
        spec_label: label.to_string(),
        standalone: None,
    }
}

/// Loads a fixture under its file name only and generates its client.
pub fn generate_fixture(
    path: &Path,
    options: &cplug_codegen::Options,
) -> Result<cplug_codegen::Generated, cplug_codegen::Diagnostics> {
    let bytes = std::fs::read(path).unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()));
    let name = path.file_name().map(PathBuf::from).unwrap_or_default();
    let document = cplug_codegen::load::load_bytes(&name, &bytes)?;
    cplug_codegen::generate(&document, options)
}

/// Compiles the examples of the project READMEs as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
#[doc = include_str!("../../README.pt-BR.md")]
pub struct ReadmeDoctests;
