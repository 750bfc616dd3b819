//! Project automation behind `cargo xtask`: regenerating the client, checking it for drift, and
//! checking generated crates for real-world documents.

pub mod codegen;
pub mod corpus;
pub mod scratch;
