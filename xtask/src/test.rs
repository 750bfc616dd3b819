//! `cargo xtask test`: install the tools the tests need, then run every test of the workspace.

use std::process::{Command, ExitCode};

use crate::codegen::workspace_root;

/// Runs `.ci/install-tools`, then `cargo test --workspace` with `extra_arguments` appended.
pub fn run(extra_arguments: &[&str]) -> ExitCode {
    let root = workspace_root();
    for tool in ["node", "npm", "python3"] {
        if Command::new(tool).arg("--version").output().is_err() {
            eprintln!(
                "error: `{tool}` is not installed; the contract tests and the spec lint need Node.js 20.19+ with npm, and python3.\n\
                 Install them, or run the other tests without Prism: CPLUG_SKIP_PRISM=1 cargo test --workspace"
            );
            return ExitCode::FAILURE;
        }
    }
    println!("== installing test tools (.ci/install-tools)");
    let installed = Command::new("bash").arg(root.join(".ci/install-tools")).current_dir(&root).status();
    match installed {
        Ok(status) if status.success() => {}
        Ok(status) => {
            eprintln!("error: .ci/install-tools failed ({status}); it needs node 20.19+ with npm, and python3");
            return ExitCode::FAILURE;
        }
        Err(error) => {
            eprintln!("error: cannot run bash for .ci/install-tools: {error}");
            return ExitCode::FAILURE;
        }
    }

    println!("== cargo test --workspace {}", extra_arguments.join(" "));
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    match Command::new(cargo).args(["test", "--workspace"]).args(extra_arguments).current_dir(&root).status() {
        Ok(status) if status.success() => ExitCode::SUCCESS,
        Ok(_) => ExitCode::FAILURE,
        Err(error) => {
            eprintln!("error: cannot run cargo: {error}");
            ExitCode::FAILURE
        }
    }
}
