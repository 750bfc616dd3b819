//! Generates a standalone client crate from an OpenAPI document, as one process.
//!
//! Usage: `cplug-generate DOCUMENT OUTPUT_DIR [PACKAGE_NAME]`. The benchmarks time this program
//! against `cargo progenitor`, which also reads a document and writes a crate, and build both
//! crates. The crate depends on this repository's `runtime/` folder by absolute path.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use cplug_codegen::{output, Options, StandaloneCrate};

fn main() -> ExitCode {
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    let (document, output_dir) = match arguments.as_slice() {
        [document, output_dir] | [document, output_dir, _] => (PathBuf::from(document), PathBuf::from(output_dir)),
        _ => {
            eprintln!("usage: cplug-generate DOCUMENT OUTPUT_DIR [PACKAGE_NAME]");
            return ExitCode::from(2);
        }
    };
    let package_name = arguments.get(2).cloned().unwrap_or_else(|| "generated-bench-client".to_string());
    let runtime_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../runtime");
    let runtime_path = runtime_path.canonicalize().unwrap_or(runtime_path);
    let options = Options {
        regenerate_command: "cplug-generate".to_string(),
        spec_label: document.display().to_string(),
        standalone: Some(StandaloneCrate { package_name, runtime_path }),
    };

    let generated = match cplug_codegen::generate_file(&document, &options) {
        Ok(generated) => generated,
        Err(diagnostics) => {
            eprintln!("{diagnostics}");
            return ExitCode::FAILURE;
        }
    };
    match output::write(&output_dir, &generated.files) {
        Ok(_) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: writing {} failed: {error}", output_dir.display());
            ExitCode::FAILURE
        }
    }
}
