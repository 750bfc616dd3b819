//! The hand-maintained OpenAPI document of the CPlug API.
//!
//! The document itself is `openapi.yaml` beside this file. This crate only gives tools and tests
//! its path and embeds its text, so they never hard-code the path.

use std::path::{Path, PathBuf};

/// File name of the OpenAPI document inside this folder.
pub const SPEC_FILE_NAME: &str = "openapi.yaml";

/// Text of the OpenAPI document, embedded at build time.
pub const SPEC_YAML: &str = include_str!("openapi.yaml");

/// Returns the absolute path of the OpenAPI document in the source tree.
pub fn spec_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(SPEC_FILE_NAME)
}
