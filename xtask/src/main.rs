//! Project automation, run as `cargo xtask <command>`.

mod bench;

use std::process::ExitCode;

use xtask::{codegen, test};

const USAGE: &str = "usage: cargo xtask <command>

commands:
  codegen           regenerate generated-client/ from spec/openapi.yaml
  codegen --check   write nothing; fail with a diff if generated-client/ is out of date
  test [ARGS]       install the Node and Python test tools, then run cargo test --workspace [ARGS]";

fn main() -> ExitCode {
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    let arguments: Vec<&str> = arguments.iter().map(String::as_str).collect();
    match arguments.as_slice() {
        ["codegen"] => codegen::run(codegen::Mode::Write),
        ["codegen", "--check"] => codegen::run(codegen::Mode::Check),
        ["test", rest @ ..] => test::run(rest),
        ["bench", rest @ ..] => bench::run(rest),
        _ => {
            eprintln!("{USAGE}\n{}", bench::USAGE);
            ExitCode::from(2)
        }
    }
}
