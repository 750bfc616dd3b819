//! Medians and percentiles of measured durations.

use std::time::Duration;

/// Returns the median of `values`, the mean of the two middle values for an even count.
///
/// Panics on an empty slice, which would be a bug in the calling benchmark.
pub fn median(values: &[f64]) -> f64 {
    assert!(!values.is_empty(), "median of no values");
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let middle = sorted.len() / 2;
    if sorted.len() % 2 == 0 {
        (sorted[middle - 1] + sorted[middle]) / 2.0
    } else {
        sorted[middle]
    }
}

/// Returns the `percentile` (0 to 100) of `durations` by the nearest-rank method.
///
/// Panics on an empty slice, which would be a bug in the calling benchmark.
pub fn percentile(durations: &[Duration], percentile: f64) -> Duration {
    assert!(!durations.is_empty(), "percentile of no durations");
    let mut sorted = durations.to_vec();
    sorted.sort();
    let rank = ((percentile / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Formats a duration in milliseconds with enough digits for sub-millisecond stages.
pub fn millis(duration: Duration) -> String {
    format!("{:.3}", duration.as_secs_f64() * 1000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_odd_and_even_counts() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), 2.5);
        assert_eq!(median(&[7.0]), 7.0);
    }

    #[test]
    fn percentile_nearest_rank() {
        let durations: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        assert_eq!(percentile(&durations, 50.0), Duration::from_millis(50));
        assert_eq!(percentile(&durations, 99.0), Duration::from_millis(99));
        assert_eq!(percentile(&durations, 100.0), Duration::from_millis(100));
        assert_eq!(percentile(&durations, 0.0), Duration::from_millis(1));
    }
}
