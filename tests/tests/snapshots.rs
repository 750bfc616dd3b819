//! One snapshot per spec fixture and one golden diagnostic per malformed spec, each discovered by
//! listing its folder.

use cplug_tests::{fixture_files, fixture_options, generate_fixture, stem};

/// Returns the generated files of a fixture, with any warnings first, as one text.
fn render_generated(generated: &cplug_codegen::Generated) -> String {
    let mut text = String::new();
    for warning in &generated.warnings {
        text.push_str(&warning.to_string());
        text.push_str("\n\n");
    }
    for file in &generated.files {
        text.push_str(&format!("// ===== {} =====\n", file.path.display()));
        text.push_str(&file.contents);
        text.push('\n');
    }
    text
}

#[test]
fn spec_fixtures_match_snapshots() {
    for path in fixture_files("specs") {
        let name = stem(&path);
        let options = fixture_options(&format!("{name}.yaml"));
        let generated = generate_fixture(&path, &options).unwrap_or_else(|diagnostics| panic!("{name}: {diagnostics}"));
        insta::with_settings!({ snapshot_suffix => name.clone(), prepend_module_to_snapshot => false, omit_expression => true }, {
            insta::assert_snapshot!("spec", render_generated(&generated));
        });
    }
}

#[test]
fn spec_fixtures_generate_deterministically() {
    for path in fixture_files("specs") {
        let options = fixture_options("fixture");
        let first = generate_fixture(&path, &options).map(|generated| generated.files);
        let second = generate_fixture(&path, &options).map(|generated| generated.files);
        assert_eq!(first, second, "{} generated different files on a second run", path.display());
    }
}

#[test]
fn error_fixtures_match_golden_diagnostics() {
    for path in fixture_files("errors") {
        let name = stem(&path);
        let diagnostics = match generate_fixture(&path, &fixture_options("fixture")) {
            Ok(_) => panic!("{name}: expected diagnostics, but generation succeeded"),
            Err(diagnostics) => diagnostics,
        };
        for diagnostic in &diagnostics.0 {
            assert!(
                diagnostic.position.is_some() || diagnostic.pointer.is_empty(),
                "{name}: no position for {diagnostic}"
            );
        }
        insta::with_settings!({ snapshot_suffix => name.clone(), prepend_module_to_snapshot => false, omit_expression => true }, {
            insta::assert_snapshot!("diagnostics", diagnostics.to_string());
        });
    }
}
