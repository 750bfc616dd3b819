//! The extra files that make the generated module a crate of its own.

use std::path::{Path, PathBuf};

use crate::{ir::Api, GeneratedFile, Options};

/// Package settings for a standalone crate.
#[derive(Clone, Debug)]
pub struct StandaloneCrate {
    /// Package name.
    pub package_name: String,
    /// Path of the `cplug-runtime` crate, as written in the generated `Cargo.toml`.
    pub runtime_path: PathBuf,
}

impl StandaloneCrate {
    pub(crate) fn files(&self, api: &Api, options: &Options) -> Vec<GeneratedFile> {
        let header = crate::format::header(options).replace("// ", "# ");
        let manifest = format!(
            r#"{header}
[package]
name = "{name}"
version = "0.1.0"
edition = "2021"
publish = false

[dependencies]
cplug-runtime = {{ path = "{runtime}" }}
serde = {{ version = "1", features = ["derive"] }}
serde_json = "1"
chrono = {{ version = "0.4", default-features = false, features = ["serde", "std"] }}
"#,
            name = self.package_name,
            runtime = toml_path(&self.runtime_path),
        );
        let title = api.title.replace('\n', " ");
        let lib = format!(
            "{}\n//! Client for {title}.\n\n#[rustfmt::skip]\nmod generated;\n\npub use cplug_runtime::{{Error, ResponseValue}};\npub use generated::*;\n",
            crate::format::header(options)
        );
        vec![
            GeneratedFile { path: PathBuf::from("Cargo.toml"), contents: manifest },
            GeneratedFile { path: PathBuf::from("src/lib.rs"), contents: lib },
        ]
    }
}

fn toml_path(path: &Path) -> String {
    path.display().to_string().replace('\\', "/").replace('"', "\\\"")
}
