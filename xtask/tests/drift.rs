//! The drift check as a test, so `cargo test` fails when the committed client is stale.

use cplug_codegen::{load, output};
use xtask::codegen::{options, workspace_root, REGENERATE_COMMAND};

#[test]
fn committed_client_matches_spec() {
    let generated = cplug_codegen::generate_file(&cplug_spec::spec_path(), &options()).unwrap_or_else(|error| {
        panic!("the spec does not generate:\n{error}");
    });
    let crate_root = workspace_root().join("generated-client");
    let stale = output::check_labelled(&crate_root, &generated.files, "generated-client".as_ref())
        .expect("reading generated-client/");
    let diffs: String = stale.iter().map(|file| file.diff.as_str()).collect();
    let paths: Vec<String> = stale.iter().map(|file| format!("generated-client/{}", file.path.display())).collect();
    assert!(
        stale.is_empty(),
        "{diffs}\nthe committed client is out of date: {}\nrun `{REGENERATE_COMMAND}` and commit the result",
        paths.join(", ")
    );
}

#[test]
fn changed_description_shows_as_drift() {
    // The test edits whatever description the spec has today, so editing the spec never breaks it.
    let original_document =
        load::load_bytes(&cplug_spec::spec_path(), cplug_spec::SPEC_YAML.as_bytes()).expect("spec loads");
    let pointer = "/components/schemas/UserSession/properties/user_name/description";
    let description = original_document.value.pointer(pointer).and_then(|value| value.as_str()).unwrap_or_else(|| {
        panic!("the spec has no string at {pointer}; point this test at another description");
    });
    let original_line = format!("description: {description}");
    assert!(
        cplug_spec::SPEC_YAML.contains(&original_line),
        "the description is not a one-line YAML scalar: {description}"
    );
    let edited =
        cplug_spec::SPEC_YAML.replace(&original_line, "description: Descrição alterada pelo teste de divergência.");
    let document = load::load_bytes(&cplug_spec::spec_path(), edited.as_bytes()).expect("edited spec loads");
    let generated = cplug_codegen::generate(&document, &options()).expect("edited spec generates");

    let stale =
        output::check(&workspace_root().join("generated-client"), &generated.files).expect("reading generated-client/");

    let paths: Vec<_> = stale.iter().map(|file| file.path.to_string_lossy().into_owned()).collect();
    assert_eq!(paths, vec!["src/generated/types.rs"]);
    let diff = &stale[0].diff;
    assert!(diff.contains("--- a/src/generated/types.rs"), "diff names the file:\n{diff}");
    assert!(diff.contains(&format!("-    /// {description}")), "diff shows the old line:\n{diff}");
    assert!(
        diff.contains("+    /// Descrição alterada pelo teste de divergência."),
        "diff shows the new line:\n{diff}"
    );
}

#[test]
fn write_then_check_is_clean() {
    let generated = cplug_codegen::generate_file(&cplug_spec::spec_path(), &options()).expect("spec generates");
    let scratch = tempfile::tempdir().expect("temporary folder");

    let written = output::write(scratch.path(), &generated.files).expect("write succeeds");
    assert_eq!(written.len(), generated.files.len());
    let rewritten = output::write(scratch.path(), &generated.files).expect("second write succeeds");
    assert!(rewritten.is_empty(), "unchanged files are not rewritten: {rewritten:?}");

    std::fs::write(scratch.path().join("src/generated/leftover.rs"), "// old file\n").expect("write leftover");
    let stale = output::check(scratch.path(), &generated.files).expect("check succeeds");
    assert_eq!(stale.len(), 1);
    assert_eq!(stale[0].path, std::path::Path::new("src/generated/leftover.rs"));
}

#[test]
fn failed_write_leaves_files_unchanged() {
    let generated = cplug_codegen::generate_file(&cplug_spec::spec_path(), &options()).expect("spec generates");
    let scratch = tempfile::tempdir().expect("temporary folder");
    output::write(scratch.path(), &generated.files).expect("first write succeeds");
    let types_path = scratch.path().join("src/generated/types.rs");
    let before = std::fs::read_to_string(&types_path).expect("types.rs exists");

    // A file in place of a folder makes staging the last file fail after the first is staged.
    let mut changed = generated.files.clone();
    for file in &mut changed {
        file.contents.push_str("// changed\n");
    }
    changed.push(cplug_codegen::GeneratedFile {
        path: "src/generated/types.rs/impossible.rs".into(),
        contents: String::new(),
    });
    let result = output::write(scratch.path(), &changed);

    assert!(result.is_err(), "the write must fail");
    assert_eq!(std::fs::read_to_string(&types_path).expect("types.rs still exists"), before);
    let leftovers: Vec<_> = std::fs::read_dir(scratch.path().join("src/generated"))
        .expect("list folder")
        .filter_map(|entry| entry.ok())
        .filter(|entry| entry.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files are removed");
}
