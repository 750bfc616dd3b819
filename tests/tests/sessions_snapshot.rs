//! Snapshots of everything the generator writes for the sessions spec, standalone crate files included.

use cplug_codegen::{Options, StandaloneCrate};

#[test]
fn sessions_spec_output() {
    let options = Options {
        regenerate_command: "cargo xtask codegen".to_string(),
        spec_label: "spec/openapi.yaml".to_string(),
        standalone: Some(StandaloneCrate {
            package_name: "cplug-client".to_string(),
            runtime_path: "../runtime".into(),
        }),
    };
    let generated = cplug_codegen::generate_file(&cplug_spec::spec_path(), &options).expect("the spec generates");

    assert!(generated.warnings.is_empty(), "unexpected warnings: {:?}", generated.warnings);
    for file in &generated.files {
        let name = format!("sessions__{}", file.path.display()).replace(['/', '\\', '.'], "_");
        insta::assert_snapshot!(name, &file.contents);
    }
}

#[test]
fn sessions_spec_output_is_deterministic() {
    let options = Options {
        regenerate_command: "cargo xtask codegen".to_string(),
        spec_label: "spec/openapi.yaml".to_string(),
        standalone: None,
    };
    let first = cplug_codegen::generate_file(&cplug_spec::spec_path(), &options).expect("the spec generates");
    let second = cplug_codegen::generate_file(&cplug_spec::spec_path(), &options).expect("the spec generates");
    assert_eq!(first.files, second.files);
}
