//! Timing for the benchmarks: each call repeated, median and p95 in milliseconds.

#![allow(dead_code)]

use std::future::Future;
use std::time::{Duration, Instant};

/// Timed calls of each measurement.
pub const RUNS: usize = 20;

/// Median and p95 of `RUNS` calls, in milliseconds.
#[derive(Clone, Copy)]
pub struct Timing {
    pub median: f64,
    pub p95: f64,
}

pub async fn time<T, E, F, Fut>(call: F) -> Result<(Timing, T), Box<dyn std::error::Error>>
where
    E: std::error::Error + 'static,
    F: Fn() -> Fut,
    Fut: Future<Output = std::result::Result<T, E>>,
{
    // One call first, untimed: connection and statement caches warm, as in a running server.
    let mut last = call().await.map_err(boxed)?;
    let mut times: Vec<Duration> = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let started = Instant::now();
        last = call().await.map_err(boxed)?;
        times.push(started.elapsed());
    }
    times.sort();
    let median = (ms(times[RUNS / 2 - 1]) + ms(times[RUNS / 2])) / 2.0;
    // Nearest rank: the 19th of 20.
    let p95 = ms(times[(RUNS * 95).div_ceil(100) - 1]);
    Ok((Timing { median, p95 }, last))
}

pub fn boxed<E: std::error::Error + 'static>(e: E) -> Box<dyn std::error::Error> {
    Box::new(e)
}

pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
