//! Shared helpers for the workspace-level tests.

pub mod server;

/// Compiles the examples of the project READMEs as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
#[doc = include_str!("../../README.pt-BR.md")]
pub struct ReadmeDoctests;
