//! Compiles the crate generated from every spec fixture with warnings denied, then runs the
//! behaviour tests in `fixtures/behaviour/` against those crates on loopback servers.
//!
//! The crates are members of one scratch workspace under `target/scratch/`, shared with
//! `cargo xtask corpus`, so dependencies are built once.

use cplug_codegen::{GeneratedFile, Options};
use cplug_tests::{fixture_files, fixtures_dir, generate_fixture, stem};
use xtask::scratch::{self, CrateCheck, ScratchCrate};

/// Dev-dependencies of the behaviour tests, added to a fixture crate's manifest.
const TEST_DEPENDENCIES: &str = r#"
[dev-dependencies]
tokio = { version = "1", features = ["macros", "rt-multi-thread", "net"] }
axum = "0.8"
url = "2"
serde_json = "1"
"#;

/// Adds the behaviour test of `name`, if there is one, to `files`; returns whether there was.
fn add_behaviour_test(name: &str, files: &mut Vec<GeneratedFile>) -> bool {
    let behaviour = fixtures_dir().join("behaviour");
    let Ok(test) = std::fs::read_to_string(behaviour.join(format!("{name}.rs"))) else { return false };
    let support = std::fs::read_to_string(behaviour.join("support.rs")).expect("fixtures/behaviour/support.rs");
    for file in files.iter_mut().filter(|file| file.path.as_os_str() == "Cargo.toml") {
        file.contents.push_str(TEST_DEPENDENCIES);
    }
    files.push(GeneratedFile { path: "tests/behaviour.rs".into(), contents: test });
    files.push(GeneratedFile { path: "tests/support/mod.rs".into(), contents: support });
    true
}

#[test]
fn fixture_crates_compile_and_behave() {
    let root = xtask::codegen::workspace_root();
    let mut crates = Vec::new();
    let mut tested = Vec::new();
    for path in fixture_files("specs") {
        let name = stem(&path);
        let package = scratch::package_name("fixture-", &name);
        let options = Options {
            regenerate_command: "cargo test -p cplug-tests".to_string(),
            spec_label: format!("{name}.yaml"),
            standalone: Some(scratch::standalone(&root, &package)),
        };
        let mut files =
            generate_fixture(&path, &options).unwrap_or_else(|diagnostics| panic!("{name}: {diagnostics}")).files;
        if add_behaviour_test(&name, &mut files) {
            tested.push(package.clone());
        }
        crates.push(ScratchCrate { name: package, files });
    }

    let report = scratch::check_crates(&root, "fixtures", &crates).expect("writing or checking the scratch workspace");
    let failures: Vec<String> = report
        .outcomes
        .iter()
        .filter_map(|(name, outcome)| match outcome {
            CrateCheck::Compiles => None,
            CrateCheck::Fails(rendered) => Some(format!("{name}:\n{rendered}")),
        })
        .collect();
    assert!(failures.is_empty(), "generated crates fail clippy with warnings denied:\n{}", failures.join("\n\n"));
    assert!(report.success, "cargo clippy failed:\n{}", report.stderr);

    let output = scratch::test_crates(&root, "fixtures", &tested).expect("running cargo test");
    assert!(
        output.status.success(),
        "behaviour tests failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}
