//! Phase timings for profiling: with `CLAUDIT_TIMINGS=1` in the environment,
//! each phase boundary prints the time since the first mark to stderr. Off
//! by default and costs one atomic load per mark then.

use std::sync::OnceLock;
use std::time::Instant;

static START: OnceLock<Option<Instant>> = OnceLock::new();

/// Prints `label` with the milliseconds since the first mark, when enabled.
pub fn mark(label: &str) {
    let start = START.get_or_init(|| std::env::var_os("CLAUDIT_TIMINGS").map(|_| Instant::now()));
    if let Some(start) = start {
        eprintln!(
            "timing {:>8.1} ms  {label}",
            start.elapsed().as_secs_f64() * 1e3
        );
    }
}
