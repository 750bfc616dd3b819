//! Feeds mutated specs to the generator and asserts that it never panics: every input either
//! generates or fails with diagnostics.
//!
//! The inputs are the fixtures, plus the real-world corpus when `../shared/specs/corpus` exists
//! beside the workspace (or `CPLUG_CORPUS_DIR` names a folder). Mutations are drawn from a fixed
//! seed, so a failure repeats; the loop stops after `TIME_BUDGET`. For a longer search, set
//! `CPLUG_FUZZ_SEED` (a number) and `CPLUG_FUZZ_SECONDS`.

use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use cplug_tests::{fixture_files, fixture_options};
use serde_json::Value;

/// Wall-clock time the mutation loop may take.
const TIME_BUDGET: Duration = Duration::from_secs(20);

/// Seed of the mutation sequence.
const SEED: u64 = 0x5EED_0A11_CE55_0001;

/// Documents larger than this are skipped: one generation of them takes most of a second.
const MAX_INPUT_BYTES: usize = 100_000;

/// A xorshift64* generator: enough randomness for mutations, and reproducible from the seed.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, bound: usize) -> usize {
        if bound == 0 {
            0
        } else {
            (self.next() % bound as u64) as usize
        }
    }
}

/// Values that a mutation puts in place of another, chosen to be plausible OpenAPI.
fn replacement(random: &mut Random) -> Value {
    let choices = [
        Value::Null,
        Value::Bool(true),
        serde_json::json!(-1),
        serde_json::json!(1.5),
        serde_json::json!(""),
        serde_json::json!("string"),
        serde_json::json!("#/components/schemas/Missing"),
        serde_json::json!([]),
        serde_json::json!({}),
        serde_json::json!({"$ref": "#/components/schemas/Missing"}),
        serde_json::json!({"type": "object", "properties": {"a": {"type": "integer", "enum": [1, -1]}}}),
        serde_json::json!({"oneOf": [{"type": "string"}, {"$ref": "#/"}]}),
        serde_json::json!({"allOf": [{}, {"type": "array"}], "nullable": true}),
        serde_json::json!({"type": "string", "enum": [null, "", "A", "a"]}),
    ];
    choices[random.below(choices.len())].clone()
}

/// Returns the JSON pointers of every value in `value`.
fn pointers(value: &Value, pointer: String, found: &mut Vec<String>) {
    match value {
        Value::Object(object) => {
            for (key, child) in object {
                pointers(child, format!("{pointer}/{}", key.replace('~', "~0").replace('/', "~1")), found);
            }
        }
        Value::Array(items) => {
            for (index, child) in items.iter().enumerate() {
                pointers(child, format!("{pointer}/{index}"), found);
            }
        }
        _ => {}
    }
    found.push(pointer);
}

/// Mutates the structure: replaces a value, removes a key, or copies one value over another.
fn mutate_structure(document: &mut Value, random: &mut Random) {
    let mut all = Vec::new();
    pointers(document, String::new(), &mut all);
    let target = all[random.below(all.len())].clone();
    match random.below(3) {
        0 => {
            if let Some(slot) = document.pointer_mut(&target) {
                *slot = replacement(random);
            }
        }
        1 => {
            let (parent, key) = target.rsplit_once('/').unwrap_or(("", ""));
            let key = key.replace("~1", "/").replace("~0", "~");
            if let Some(Value::Object(object)) = document.pointer_mut(parent) {
                object.shift_remove(&key);
            }
        }
        _ => {
            let source = all[random.below(all.len())].clone();
            let copied = document.pointer(&source).cloned();
            if let (Some(copied), Some(slot)) = (copied, document.pointer_mut(&target)) {
                *slot = copied;
            }
        }
    }
}

/// Mutates the text: removes, repeats or truncates lines, or changes one byte.
fn mutate_text(text: &str, random: &mut Random) -> String {
    let mut lines: Vec<&str> = text.lines().collect();
    if lines.is_empty() {
        return String::new();
    }
    let index = random.below(lines.len());
    match random.below(4) {
        0 => {
            lines.remove(index);
        }
        1 => lines.insert(index, lines[index]),
        2 => lines.truncate(index),
        _ => {
            let mut bytes = text.as_bytes().to_vec();
            let position = random.below(bytes.len());
            bytes[position] = b"{}[]:-'\"\t#&*!|> \n0"[random.below(18)];
            return String::from_utf8_lossy(&bytes).into_owned();
        }
    }
    lines.join("\n")
}

fn inputs() -> Vec<PathBuf> {
    let mut inputs = fixture_files("specs");
    inputs.extend(fixture_files("errors"));
    let corpus = std::env::var_os("CPLUG_CORPUS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| xtask::codegen::workspace_root().join(xtask::corpus::DEFAULT_CORPUS_DIR));
    match xtask::corpus::list_specs(&corpus) {
        Ok(specs) => inputs.extend(specs),
        Err(_) => eprintln!("corpus folder {} not found; mutating the fixtures only", corpus.display()),
    }
    inputs
}

/// Runs the generator on `bytes`, returning the panic message if it panicked.
fn panics_on(name: &Path, bytes: &[u8]) -> Option<String> {
    let options = fixture_options("mutated");
    let result = panic::catch_unwind(AssertUnwindSafe(|| {
        let document = cplug_codegen::load::load_bytes(name, bytes)?;
        cplug_codegen::generate(&document, &options)
    }));
    let payload = result.err()?;
    let message = payload
        .downcast_ref::<&str>()
        .map(|text| text.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_default();
    Some(message)
}

#[test]
fn mutated_specs_never_panic() {
    let sources: Vec<(PathBuf, Vec<u8>)> = inputs()
        .into_iter()
        .filter_map(|path| std::fs::read(&path).ok().map(|bytes| (path, bytes)))
        .filter(|(_, bytes)| bytes.len() <= MAX_INPUT_BYTES)
        .collect();
    let seed = std::env::var("CPLUG_FUZZ_SEED").ok().and_then(|seed| seed.parse().ok()).unwrap_or(SEED);
    let budget =
        std::env::var("CPLUG_FUZZ_SECONDS").ok().and_then(|seconds| seconds.parse().ok()).map(Duration::from_secs);
    let budget = budget.unwrap_or(TIME_BUDGET);
    // xorshift never leaves zero, so a zero seed is replaced.
    let mut random = Random(seed.max(1));
    let started = Instant::now();
    let mut runs = 0;
    while started.elapsed() < budget {
        let (path, bytes) = &sources[random.below(sources.len())];
        let text = String::from_utf8_lossy(bytes);
        let as_json = random.below(2) == 0;
        let mutated = match (as_json, cplug_codegen::load::load_bytes(path, bytes)) {
            (true, Ok(document)) => {
                let mut value = document.value;
                for _ in 0..=random.below(3) {
                    mutate_structure(&mut value, &mut random);
                }
                serde_json::to_string_pretty(&value).unwrap_or_default()
            }
            _ => mutate_text(&text, &mut random),
        };
        let name = if as_json { Path::new("mutated.json") } else { path.as_path() };
        if let Some(message) = panics_on(name, mutated.as_bytes()) {
            let saved = std::env::temp_dir().join(format!("cplug-panic-{runs}.txt"));
            let _ = std::fs::write(&saved, &mutated);
            panic!(
                "the generator panicked on a mutation of {} (seed {seed}, run {runs}, saved to {}): {message}",
                path.display(),
                saved.display()
            );
        }
        runs += 1;
    }
    eprintln!("{runs} mutated documents generated or failed with diagnostics, none panicked");
}
