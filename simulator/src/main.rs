//! `rooms-simulator`: a fleet of meeting-room devices speaking the portal's device agent API
//! (specification section 8), for the demo and for load. It enrolls N rooms with an enrollment
//! key (*Download key* on the Rooms page), then sends their heartbeats at the chosen rate with
//! realistic faults: cameras that flap, network outages, software errors, rooms that go silent.
//! One progress line a second says what it sent and what the portal answered.

use anyhow::{bail, Context, Result};
use clap::Parser;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::{Method, Request, StatusCode};
use hyper_util::client::legacy::{connect::HttpConnector, Client};
use hyper_util::rt::TokioExecutor;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};
use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Parser, Debug, Clone)]
#[command(about = "Enrolls simulated meeting rooms and sends their heartbeats to the portal")]
struct Options {
    /// The portal's address.
    #[arg(long, default_value = "http://127.0.0.1:3000")]
    url: String,
    /// An enrollment key (Rooms > Download key); or set ROOMS_ENROLLMENT_KEY.
    #[arg(long, env = "ROOMS_ENROLLMENT_KEY", hide_env_values = true)]
    key: String,
    /// How many rooms to enroll and run.
    #[arg(long, default_value_t = 20)]
    rooms: u32,
    /// Resource accounts are sim-0001@<domain>, …: the same rooms on every run.
    #[arg(long, default_value = "contoso.com")]
    domain: String,
    /// Heartbeats a second, over the whole fleet.
    #[arg(long, default_value_t = 1.0)]
    rate: f64,
    /// How long to run, in seconds (0: until stopped).
    #[arg(long, default_value_t = 0)]
    duration: u64,
    /// How often things go wrong: 0 never, 1 the default mix, higher more often.
    #[arg(long, default_value_t = 1.0)]
    faults: f64,
    /// Requests in flight at most.
    #[arg(long, default_value_t = 32)]
    concurrency: usize,
    /// Seed of the fault generator, to replay a run.
    #[arg(long, default_value_t = 7)]
    seed: u64,
    /// Only enroll, then stop.
    #[arg(long)]
    enroll_only: bool,
    /// Report this signal whatever the fault model says, like `camera=error` (repeatable): to
    /// break or heal a room on purpose.
    #[arg(long = "force", value_parser = parse_forced)]
    forced: Vec<(String, String)>,
    /// At the end, one line over the whole run: the rate sustained and latency percentiles
    /// (for benchmarks).
    #[arg(long)]
    summary: bool,
    /// Enroll these rooms' resource accounts (one per line) instead of sim-NNNN@<domain>:
    /// pre-provisioned rooms come alive.
    #[arg(long)]
    accounts_file: Option<std::path::PathBuf>,
}

type HttpClient = Client<HttpConnector, Full<Bytes>>;

/// What the portal answered, counted for the progress line.
#[derive(Default)]
struct Tally {
    sent: AtomicU64,
    accepted: AtomicU64,
    limited: AtomicU64,
    refused: AtomicU64,
    failed: AtomicU64,
    /// Latencies of the last second, in microseconds.
    latencies: Mutex<Vec<u64>>,
    /// Every latency of the run, with `--summary`.
    all: Mutex<Vec<u64>>,
}

struct Portal {
    client: HttpClient,
    url: String,
}

impl Portal {
    async fn post(
        &self,
        path: &str,
        token: Option<&str>,
        body: &Value,
    ) -> Result<(StatusCode, Value, Option<u64>)> {
        let mut request = Request::builder()
            .method(Method::POST)
            .uri(format!("{}{path}", self.url))
            .header("content-type", "application/json");
        if let Some(token) = token {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        let request = request.body(Full::new(Bytes::from(body.to_string())))?;
        let response = self.client.request(request).await?;
        let status = response.status();
        let retry = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok());
        let bytes = response.into_body().collect().await?.to_bytes();
        let answer = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Ok((status, answer, retry))
    }
}

/// A room's device: its token and what is wrong with it now.
struct Device {
    token: String,
    camera_bad_for: u32,
    network_bad_for: u32,
    software_bad_for: u32,
    silent_until: Option<Instant>,
}

impl Device {
    /// The next heartbeat's components after one step of the fault model, or `None` while the
    /// room is silent.
    fn step(&mut self, rng: &mut StdRng, faults: f64) -> Option<Value> {
        if let Some(until) = self.silent_until {
            if Instant::now() < until {
                return None;
            }
            self.silent_until = None;
        }
        let chance = |rng: &mut StdRng, p: f64| rng.random_bool((p * faults).clamp(0.0, 1.0));
        // A camera that flaps: fails for a few heartbeats, then recovers.
        if self.camera_bad_for == 0 && chance(rng, 0.02) {
            self.camera_bad_for = rng.random_range(2..8);
        }
        if self.network_bad_for == 0 && chance(rng, 0.01) {
            self.network_bad_for = rng.random_range(3..12);
        }
        if self.software_bad_for == 0 && chance(rng, 0.003) {
            self.software_bad_for = rng.random_range(5..20);
        }
        // Now and then a room falls silent for a few minutes (past the offline threshold).
        if chance(rng, 0.001) {
            self.silent_until =
                Some(Instant::now() + Duration::from_secs(rng.random_range(180..600)));
            return None;
        }
        let signal = |left: &mut u32, bad: &'static str| {
            if *left > 0 {
                *left -= 1;
                bad
            } else {
                "ok"
            }
        };
        Some(json!({
            "display": "ok",
            "camera": signal(&mut self.camera_bad_for, "error"),
            "microphone": "ok",
            "speaker": "ok",
            "network": signal(&mut self.network_bad_for, "warning"),
            "sign_in": "ok",
            "software": signal(&mut self.software_bad_for, "error"),
        }))
    }
}

async fn enroll(portal: &Portal, options: &Options, i: u32, account: &str) -> Result<String> {
    let platforms = ["windows", "android", "surface_hub"];
    let body = json!({
        "enrollment_key": options.key,
        "resource_account": account,
        // A room the portal does not have yet is named after its account.
        "display_name": if options.accounts_file.is_some() {
            account.split('@').next().unwrap_or(account).to_owned()
        } else {
            format!("Sim room {i:04}")
        },
        "platform": platforms[i as usize % platforms.len()],
    });
    loop {
        let (status, answer, retry) = portal.post("/api/agent/v1/enroll", None, &body).await?;
        match status {
            StatusCode::CREATED => {
                return answer["device_token"]
                    .as_str()
                    .map(str::to_owned)
                    .context("no device_token in the answer");
            }
            StatusCode::TOO_MANY_REQUESTS => {
                tokio::time::sleep(Duration::from_secs(retry.unwrap_or(1))).await;
            }
            other => bail!("enrolling {account}: {other} {answer}"),
        }
    }
}

fn parse_forced(raw: &str) -> Result<(String, String), String> {
    let (component, signal) = raw
        .split_once('=')
        .ok_or_else(|| format!("expected component=signal, like camera=error, not {raw:?}"))?;
    Ok((component.trim().to_owned(), signal.trim().to_owned()))
}

fn percentile(sorted: &[u64], p: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

#[tokio::main]
async fn main() -> Result<()> {
    let options = Options::parse();
    if options.rooms == 0 || options.rate <= 0.0 {
        bail!("--rooms and --rate must be above zero");
    }
    let mut connector = HttpConnector::new();
    // Small requests answered at once: no delayed-acknowledgement stalls.
    connector.set_nodelay(true);
    let client = Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(options.concurrency)
        .build(connector);
    let portal = Arc::new(Portal {
        client,
        url: options.url.trim_end_matches('/').to_owned(),
    });

    let accounts: Vec<String> = match &options.accounts_file {
        Some(path) => std::fs::read_to_string(path)
            .with_context(|| format!("reading {}", path.display()))?
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .take(options.rooms as usize)
            .map(str::to_owned)
            .collect(),
        None => (1..=options.rooms)
            .map(|i| format!("sim-{i:04}@{}", options.domain))
            .collect(),
    };
    let started = Instant::now();
    let mut devices = Vec::with_capacity(accounts.len());
    let limit = Arc::new(tokio::sync::Semaphore::new(options.concurrency.min(8)));
    let mut enrolling = Vec::new();
    for (i, account) in (1..).zip(accounts) {
        let portal = portal.clone();
        let options = options.clone();
        let limit = limit.clone();
        enrolling.push(tokio::spawn(async move {
            let _permit = limit.acquire_owned().await?;
            enroll(&portal, &options, i, &account).await
        }));
    }
    for task in enrolling {
        devices.push(Device {
            token: task.await??,
            camera_bad_for: 0,
            network_bad_for: 0,
            software_bad_for: 0,
            silent_until: None,
        });
    }
    println!(
        "enrolled {} rooms in {:.1} s",
        devices.len(),
        started.elapsed().as_secs_f64()
    );
    if options.enroll_only {
        return Ok(());
    }

    let tally = Arc::new(Tally::default());
    let running = Instant::now();
    let stop_at =
        (options.duration > 0).then(|| Instant::now() + Duration::from_secs(options.duration));
    let progress = tokio::spawn(report(tally.clone(), devices.len()));
    let limit = Arc::new(tokio::sync::Semaphore::new(options.concurrency));
    let mut rng = StdRng::seed_from_u64(options.seed);
    let interval = Duration::from_secs_f64(1.0 / options.rate);
    let mut next = tokio::time::Instant::now();
    let fleet = devices.len();
    let mut room = 0usize;
    loop {
        if stop_at.is_some_and(|at| Instant::now() >= at) {
            break;
        }
        next += interval;
        tokio::time::sleep_until(next).await;
        let device = &mut devices[room];
        room = (room + 1) % fleet;
        let Some(mut components) = device.step(&mut rng, options.faults) else {
            continue;
        };
        for (component, signal) in &options.forced {
            components[component.as_str()] = Value::String(signal.clone());
        }
        let body = json!({
            "sent_at": chrono::Utc::now().to_rfc3339(),
            "software_version": "4.19.2",
            "components": components,
        });
        let permit = limit.clone().acquire_owned().await?;
        let portal = portal.clone();
        let tally = tally.clone();
        let token = device.token.clone();
        let summary = options.summary;
        tokio::spawn(async move {
            let _permit = permit;
            let sent = Instant::now();
            tally.sent.fetch_add(1, Ordering::Relaxed);
            let answered = portal
                .post("/api/agent/v1/heartbeat", Some(&token), &body)
                .await;
            let micros = sent.elapsed().as_micros() as u64;
            let counter = match answered.map(|(status, ..)| status) {
                Ok(StatusCode::ACCEPTED) => &tally.accepted,
                Ok(StatusCode::TOO_MANY_REQUESTS) => &tally.limited,
                Ok(_) => &tally.refused,
                Err(_) => &tally.failed,
            };
            counter.fetch_add(1, Ordering::Relaxed);
            if let Ok(mut latencies) = tally.latencies.lock() {
                latencies.push(micros);
            }
            if summary {
                if let Ok(mut all) = tally.all.lock() {
                    all.push(micros);
                }
            }
        });
    }
    // Let the last requests finish before the final line.
    let _ = limit.acquire_many(options.concurrency as u32).await;
    progress.abort();
    print_line(&tally, devices.len(), running.elapsed(), true);
    if options.summary {
        let mut all = tally.all.lock().map(|a| a.clone()).unwrap_or_default();
        all.sort_unstable();
        let answered = all.len() as f64;
        let ms = |p| percentile(&all, p) as f64 / 1000.0;
        println!(
            "summary: {} heartbeats answered in {:.1} s = {:.0}/s sustained; 202 {}, 429 {}, refused {}, failed {}; latency p50 {:.2} ms, p99 {:.2} ms, p99.9 {:.2} ms, max {:.2} ms",
            all.len(),
            running.elapsed().as_secs_f64(),
            answered / running.elapsed().as_secs_f64(),
            tally.accepted.load(Ordering::Relaxed),
            tally.limited.load(Ordering::Relaxed),
            tally.refused.load(Ordering::Relaxed),
            tally.failed.load(Ordering::Relaxed),
            ms(0.5),
            ms(0.99),
            ms(0.999),
            ms(1.0),
        );
    }
    Ok(())
}

async fn report(tally: Arc<Tally>, rooms: usize) {
    let started = Instant::now();
    let mut every = tokio::time::interval(Duration::from_secs(1));
    every.tick().await;
    loop {
        every.tick().await;
        print_line(&tally, rooms, started.elapsed(), false);
    }
}

/// `rooms 20 · sent 1,234 (41/s) · 202 1,230 · 429 4 · refused 0 · failed 0 · p50 2.1 ms p99 9.8 ms`
fn print_line(tally: &Tally, rooms: usize, elapsed: Duration, last: bool) {
    let mut latencies = tally
        .latencies
        .lock()
        .map(|mut l| std::mem::take(&mut *l))
        .unwrap_or_default();
    latencies.sort_unstable();
    let sent = tally.sent.load(Ordering::Relaxed);
    let line = format!(
        "rooms {rooms} · sent {sent} ({:.0}/s) · 202 {} · 429 {} · refused {} · failed {} · last second p50 {:.1} ms p99 {:.1} ms",
        sent as f64 / elapsed.as_secs_f64().max(0.001),
        tally.accepted.load(Ordering::Relaxed),
        tally.limited.load(Ordering::Relaxed),
        tally.refused.load(Ordering::Relaxed),
        tally.failed.load(Ordering::Relaxed),
        percentile(&latencies, 0.5) as f64 / 1000.0,
        percentile(&latencies, 0.99) as f64 / 1000.0,
    );
    let mut out = std::io::stdout();
    if out.is_terminal() && !last {
        let _ = write!(out, "\r{line}");
    } else {
        let _ = writeln!(out, "{line}");
    }
    let _ = out.flush();
}
