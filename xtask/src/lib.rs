//! Project automation behind `cargo xtask`: regenerating the client, checking it for drift,
//! running the tests with their tools, and checking generated crates for real-world documents.
//! It is a library too, so tests run the same drift check.

pub mod codegen;
pub mod corpus;
pub mod scratch;
pub mod test;
