//! Project automation, run as `cargo xtask <command>`.

mod bench;

use std::path::PathBuf;
use std::process::ExitCode;

use xtask::{codegen, corpus, test};

const USAGE: &str = "usage: cargo xtask <command>

commands:
  codegen                          regenerate generated-client/ from spec/openapi.yaml
  codegen --check                  write nothing; fail with a diff if generated-client/ is out of date
  test [ARGS]                      install the Node and Python test tools, then run
                                   cargo test --workspace [ARGS]
  corpus [--write-report] [DIR]    generate and compile a crate for every spec in DIR
                                   (default ../shared/specs/corpus); --write-report rewrites docs/corpus.md";

fn main() -> ExitCode {
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    let arguments: Vec<&str> = arguments.iter().map(String::as_str).collect();
    match arguments.as_slice() {
        ["codegen"] => codegen::run(codegen::Mode::Write),
        ["codegen", "--check"] => codegen::run(codegen::Mode::Check),
        ["test", rest @ ..] => test::run(rest),
        ["corpus", rest @ ..] => run_corpus(rest),
        ["bench", rest @ ..] => bench::run(rest),
        _ => usage(),
    }
}

fn run_corpus(arguments: &[&str]) -> ExitCode {
    let write_report = arguments.contains(&"--write-report");
    let folders: Vec<&&str> = arguments.iter().filter(|argument| **argument != "--write-report").collect();
    match folders.as_slice() {
        [] => corpus::run(None, write_report),
        [folder] if !folder.starts_with("--") => corpus::run(Some(PathBuf::from(folder)), write_report),
        _ => usage(),
    }
}

fn usage() -> ExitCode {
    eprintln!("{USAGE}\n{}", bench::USAGE);
    ExitCode::from(2)
}
