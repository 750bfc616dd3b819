//! `generate_timed` produces what `generate` produces, and names the stage that failed.

use std::path::Path;

use cplug_codegen::{generate, generate_timed, load, Options, Stage};

const VALID: &str = r#"
openapi: 3.0.3
info: { title: Timed, version: 1.0.0 }
paths:
  /things:
    get:
      operationId: listThings
      responses:
        '200':
          description: The things.
          content:
            application/json:
              schema: { $ref: '#/components/schemas/Thing' }
components:
  schemas:
    Thing:
      type: object
      properties:
        name: { type: string }
"#;

fn options() -> Options {
    Options { regenerate_command: "test".to_string(), spec_label: "test.yaml".to_string(), standalone: None }
}

#[test]
fn timed_run_matches_untimed_run() {
    let document = load::load_bytes(Path::new("valid.yaml"), VALID.as_bytes()).unwrap();
    let untimed = generate(&document, &options()).unwrap();
    let timed = generate_timed(&document, &options()).result.unwrap();
    assert_eq!(timed.files, untimed.files);
}

#[test]
fn timed_run_names_lowering_failure() {
    // An incomplete `x-pagination` passes validation and is rejected while lowering.
    let broken =
        VALID.replace("operationId: listThings", "operationId: listThings\n      x-pagination: { page-param: page }");
    let document = load::load_bytes(Path::new("broken.yaml"), broken.as_bytes()).unwrap();
    let timed = generate_timed(&document, &options());
    let failure = timed.result.unwrap_err();
    assert_eq!(failure.stage, Stage::Lower);
    let messages: Vec<&str> = failure.diagnostics.0.iter().map(|diagnostic| diagnostic.message.as_str()).collect();
    assert!(messages.iter().any(|message| message.contains("x-pagination")), "unexpected diagnostics: {messages:?}");
    assert!(timed.times.emit.is_zero(), "emission ran after a failed lowering");
    assert!(timed.times.format.is_zero(), "formatting ran after a failed lowering");
}
