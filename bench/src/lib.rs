//! Shared parts of the benchmark programs: a loopback sessions server, statistics and memory
//! readings. The programs are run by `cargo xtask bench`; nothing here runs under `cargo test`.

pub mod server;
pub mod stats;

/// Returns the value after `--name` in the program's arguments, parsed, or `default`.
///
/// Exits with a usage message when the value is present but does not parse.
pub fn argument<T: std::str::FromStr>(name: &str, default: T) -> T {
    let arguments: Vec<String> = std::env::args().collect();
    let flag = format!("--{name}");
    let Some(index) = arguments.iter().position(|argument| *argument == flag) else {
        return default;
    };
    match arguments.get(index + 1).map(|value| value.parse::<T>()) {
        Some(Ok(value)) => value,
        _ => {
            eprintln!("error: `{flag}` needs a value of type {}", std::any::type_name::<T>());
            std::process::exit(2);
        }
    }
}

/// Returns the peak resident set size of this process in KiB (`VmHWM` in `/proc/self/status`),
/// or `None` where that file does not exist, as outside Linux.
pub fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
