//! `cargo xtask codegen`: regenerate the client crate, or check it for drift.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use cplug_codegen::{output, Options};

/// The command that regenerates the client, as named in headers and messages.
pub const REGENERATE_COMMAND: &str = "cargo xtask codegen";

/// Whether to write the files or only compare them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Write changed files.
    Write,
    /// Write nothing; fail when a file differs.
    Check,
}

/// Returns the workspace root, the parent of this crate's folder.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_default()
}

/// Returns the generator settings for the committed client.
pub fn options() -> Options {
    Options {
        regenerate_command: REGENERATE_COMMAND.to_string(),
        spec_label: format!("spec/{}", cplug_spec::SPEC_FILE_NAME),
        standalone: None,
    }
}

/// Generates the client from the spec at `spec`; messages name it relative to the workspace root.
fn generate(spec: &Path) -> Result<cplug_codegen::Generated, cplug_codegen::Diagnostics> {
    let label = Path::new("spec").join(cplug_spec::SPEC_FILE_NAME);
    let document = match std::fs::read(spec) {
        Ok(bytes) => cplug_codegen::load::load_bytes(&label, &bytes)?,
        Err(_) => cplug_codegen::load::load_file(spec)?,
    };
    cplug_codegen::generate(&document, &options())
}

/// Regenerates or checks `generated-client/`, printing what changed or the diff.
pub fn run(mode: Mode) -> ExitCode {
    let root = workspace_root();
    let spec = cplug_spec::spec_path();
    let crate_root = root.join("generated-client");

    let generated = match generate(&spec) {
        Ok(generated) => generated,
        Err(diagnostics) => {
            eprintln!("{diagnostics}");
            eprintln!("nothing was written; fix the spec and run `{REGENERATE_COMMAND}` again");
            return ExitCode::FAILURE;
        }
    };
    for warning in &generated.warnings {
        eprintln!("{warning}");
    }

    match mode {
        Mode::Write => match output::write(&crate_root, &generated.files) {
            Ok(changed) if changed.is_empty() => {
                println!("generated-client/ is up to date");
                ExitCode::SUCCESS
            }
            Ok(changed) => {
                for path in changed {
                    let action = if crate_root.join(&path).exists() { "updated" } else { "removed" };
                    println!("{action} generated-client/{}", path.display());
                }
                ExitCode::SUCCESS
            }
            Err(error) => {
                eprintln!(
                    "error: writing generated-client/ failed: {error}; the committed files were left as they were"
                );
                ExitCode::FAILURE
            }
        },
        Mode::Check => match output::check_labelled(&crate_root, &generated.files, Path::new("generated-client")) {
            Ok(stale) if stale.is_empty() => {
                println!("generated-client/ matches spec/{}", cplug_spec::SPEC_FILE_NAME);
                ExitCode::SUCCESS
            }
            Ok(stale) => {
                for file in &stale {
                    print!("{}", file.diff);
                }
                eprintln!("error: the committed client is out of date with the spec or the generator:");
                for file in &stale {
                    eprintln!("  stale: generated-client/{}", file.path.display());
                }
                eprintln!("run `{REGENERATE_COMMAND}` and commit the result");
                ExitCode::FAILURE
            }
            Err(error) => {
                eprintln!("error: reading generated-client/ failed: {error}");
                ExitCode::FAILURE
            }
        },
    }
}
