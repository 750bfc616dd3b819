//! Project automation behind `cargo xtask`; a library too, so tests run the same drift check.

pub mod codegen;
pub mod test;
