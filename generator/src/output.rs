//! Writing generated files atomically, or comparing them with what is on disk.

use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::GeneratedFile;

/// Folder whose `.rs` files all come from the generator; stale ones there are removed.
pub const GENERATED_DIR: &str = "src/generated";

/// One file whose committed contents differ from the generator's output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaleFile {
    /// Path relative to the crate root.
    pub path: PathBuf,
    /// Unified diff from the committed file to the expected one.
    pub diff: String,
}

/// Returns the files under `root` that differ from `files`, including generated files that
/// should no longer exist.
pub fn check(root: &Path, files: &[GeneratedFile]) -> io::Result<Vec<StaleFile>> {
    check_labelled(root, files, Path::new(""))
}

/// Same as [`check`], with `label_prefix` (such as `generated-client`) put before each path in the
/// diff headers, so the diff names files as they are seen from the repository root.
pub fn check_labelled(root: &Path, files: &[GeneratedFile], label_prefix: &Path) -> io::Result<Vec<StaleFile>> {
    let mut stale = Vec::new();
    for file in files {
        let committed = match fs::read_to_string(root.join(&file.path)) {
            Ok(text) => Some(text.replace("\r\n", "\n")),
            Err(error) if error.kind() == io::ErrorKind::NotFound => None,
            Err(error) => return Err(error),
        };
        if committed.as_deref() != Some(file.contents.as_str()) {
            let diff = unified_diff(&label_prefix.join(&file.path), committed.as_deref().unwrap_or(""), &file.contents);
            stale.push(StaleFile { path: file.path.clone(), diff });
        }
    }
    for path in leftover_files(root, files)? {
        let committed = fs::read_to_string(root.join(&path)).unwrap_or_default();
        let diff = unified_diff(&label_prefix.join(&path), &committed, "");
        stale.push(StaleFile { path, diff });
    }
    Ok(stale)
}

/// Writes `files` under `root` and removes generated files that are no longer produced.
///
/// Every changed file is first written to a temporary file beside it. Only when all of them are
/// written are they renamed into place, so a failure leaves the committed files unchanged.
/// Returns the paths that changed.
pub fn write(root: &Path, files: &[GeneratedFile]) -> io::Result<Vec<PathBuf>> {
    let mut pending = Vec::new();
    let result = stage(root, files, &mut pending);
    if let Err(error) = result {
        for (temporary, _) in &pending {
            let _ = fs::remove_file(temporary);
        }
        return Err(error);
    }
    let mut changed = Vec::new();
    for (temporary, target) in pending {
        fs::rename(&temporary, root.join(&target))?;
        changed.push(target);
    }
    for path in leftover_files(root, files)? {
        fs::remove_file(root.join(&path))?;
        changed.push(path);
    }
    Ok(changed)
}

/// Writes the temporary copy of every file whose contents changed.
fn stage(root: &Path, files: &[GeneratedFile], pending: &mut Vec<(PathBuf, PathBuf)>) -> io::Result<()> {
    for file in files {
        let target = root.join(&file.path);
        let unchanged =
            fs::read_to_string(&target).map(|text| text.replace("\r\n", "\n") == file.contents).unwrap_or(false);
        if unchanged {
            continue;
        }
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent)?;
        }
        let file_name = target.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default();
        let temporary = target.with_file_name(format!(".{file_name}.{}.tmp", std::process::id()));
        fs::write(&temporary, &file.contents)?;
        pending.push((temporary, file.path.clone()));
    }
    Ok(())
}

/// Lists `.rs` files in the generated folder that the generator no longer produces.
fn leftover_files(root: &Path, files: &[GeneratedFile]) -> io::Result<Vec<PathBuf>> {
    let directory = root.join(GENERATED_DIR);
    let entries = match fs::read_dir(&directory) {
        Ok(entries) => entries,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(error) => return Err(error),
    };
    let mut leftovers = Vec::new();
    for entry in entries {
        let relative = Path::new(GENERATED_DIR).join(entry?.file_name());
        let is_rust = relative.extension().is_some_and(|extension| extension == "rs");
        if is_rust && !files.iter().any(|file| file.path == relative) {
            leftovers.push(relative);
        }
    }
    leftovers.sort();
    Ok(leftovers)
}

/// Returns a unified diff with three lines of context, labelled `a/PATH` and `b/PATH`.
fn unified_diff(path: &Path, old: &str, new: &str) -> String {
    let label = path.display().to_string().replace('\\', "/");
    let diff = similar::TextDiff::from_lines(old, new);
    let mut text = String::new();
    let _ =
        write!(text, "{}", diff.unified_diff().context_radius(3).header(&format!("a/{label}"), &format!("b/{label}")));
    text
}
