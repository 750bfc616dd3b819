//! Generates a client for every real-world document in the corpus, when the corpus is present.
//!
//! `cargo xtask corpus` also compiles the generated crates; this test only checks that each
//! document either generates or fails with located diagnostics, and that output is deterministic.

use std::path::PathBuf;

use cplug_tests::fixture_options;

fn corpus_dir() -> PathBuf {
    std::env::var_os("CPLUG_CORPUS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| xtask::codegen::workspace_root().join(xtask::corpus::DEFAULT_CORPUS_DIR))
}

#[test]
fn corpus_generates_or_reports_located_errors() {
    let directory = corpus_dir();
    let Ok(specs) = xtask::corpus::list_specs(&directory) else {
        eprintln!("corpus folder {} not found; skipping the corpus test", directory.display());
        return;
    };
    let options = fixture_options("corpus");
    for spec in specs {
        let first = cplug_codegen::generate_file(&spec, &options);
        match &first {
            Ok(generated) => assert!(!generated.files.is_empty(), "{}: no files generated", spec.display()),
            Err(diagnostics) => {
                for diagnostic in &diagnostics.0 {
                    assert!(diagnostic.position.is_some(), "{}: no line and column for {diagnostic}", spec.display());
                }
            }
        }
        let second = cplug_codegen::generate_file(&spec, &options);
        let files = |result: &Result<cplug_codegen::Generated, cplug_codegen::Diagnostics>| {
            result.as_ref().ok().map(|generated| generated.files.clone())
        };
        assert_eq!(files(&first), files(&second), "{}: output differs between two runs", spec.display());
    }
}
