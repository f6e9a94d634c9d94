//! Kiosk app bench: start-up to the first screen, screen-to-screen response and the memory of
//! the whole process tree, on the release app in a real window (Xvfb, tauri-driver).
//!
//! ```text
//! npm --prefix ui run build
//! cargo build --release -p visit-kiosk-app -p visit-kioskctl
//! cargo bench -p visit-e2e --bench kiosk
//! # knobs: KIOSK_BENCH_RUNS (5) app starts; KIOSK_BENCH_JOURNEYS (1, at most 4) bookings per start
//! ```
//!
//! Each run starts the app afresh on a new demo store, books a visit with taps timed inside the
//! page, and reads PSS from /proc/PID/smaps_rollup for the app and its WebKit processes.
//! Results: a table on stdout and `test-output/e2e/bench/kiosk-bench.json`.

use anyhow::{Context, Result, bail};
use serde::Serialize;
use std::collections::BTreeMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use visit_e2e::{
    Display, Driver, Window, app_binary, app_pid, demo_store, journey, median, memory_of_tree, output_dir,
};

#[derive(Debug, Default, Serialize)]
struct Run {
    /// Process start to the store being open, from the app's log.
    store_open_ms: f64,
    /// Process start to the webview starting to load the page.
    navigation_start_ms: f64,
    /// Process start to DOMContentLoaded.
    dom_content_loaded_ms: f64,
    /// Process start to the load event, as the app logs it.
    page_loaded_ms: f64,
    /// Process start to the start screen showing the prison's name: from the page's
    /// `kiosk-first-screen` performance mark when the UI sets one, else when WebDriver first saw
    /// it (an upper bound: polled every 10 ms once the session is up).
    first_screen_ms: f64,
    first_screen_source: &'static str,
    transitions: BTreeMap<String, f64>,
    /// PSS and RSS in KiB, by process name, at the start screen just after start-up.
    memory_at_start: BTreeMap<String, (u64, u64)>,
    /// The same after KIOSK_BENCH_JOURNEYS whole bookings, each ended with Finish.
    memory_after_booking: BTreeMap<String, (u64, u64)>,
}

fn unix_ms() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

/// A field of the last app log line containing `message`: `name=value`.
fn log_field(log: &str, message: &str, name: &str) -> Option<f64> {
    let line = log.lines().rev().find(|l| l.contains(message))?;
    let start = line.find(&format!("{name}="))? + name.len() + 1;
    line[start..]
        .split(|c: char| !c.is_ascii_digit() && c != '.')
        .next()?
        .parse()
        .ok()
}

async fn one_run(display: &Display, out: &std::path::Path, n: usize) -> Result<Run> {
    let store_dir = tempfile::tempdir()?;
    let db = demo_store(store_dir.path())?;
    let log_path = out.join(format!("tauri-driver-{n}.log"));
    let driver = Driver::start(display, &log_path)?;
    let client = driver.kiosk_session(&db, "CDF").await?;
    let mut w = Window::timed(client);

    // Poll for the start screen with the prison's name as fast as WebDriver answers.
    let seen_at = loop {
        let found = w.client.execute(
            "const h = document.querySelector(arguments[0]); return !!h && h.textContent.includes('HMP Cardiff')",
            vec![serde_json::json!(journey::FIRST_SCREEN)],
        );
        if found.await? == serde_json::json!(true) {
            break unix_ms();
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    let timing = w
        .client
        .execute(
            r#"const nav = performance.getEntriesByType('navigation')[0] || {};
               const mark = performance.getEntriesByName('kiosk-first-screen')[0];
               return { origin: performance.timeOrigin, dcl: nav.domContentLoadedEventEnd || 0,
                        mark: mark ? mark.startTime : null };"#,
            vec![],
        )
        .await?;
    let log = std::fs::read_to_string(&log_path)?;
    let started = log_field(&log, "visit-kiosk starting", "started_at_unix_ms")
        .context("no start line in the app log")?;
    let origin = timing["origin"].as_f64().context("no timeOrigin")?;
    let mut run = Run {
        store_open_ms: log_field(&log, "kiosk store open", "since_start_ms").unwrap_or(f64::NAN),
        navigation_start_ms: origin - started,
        dom_content_loaded_ms: origin + timing["dcl"].as_f64().unwrap_or(f64::NAN) - started,
        page_loaded_ms: log_field(&log, "page loaded", "since_start_ms").unwrap_or(f64::NAN),
        ..Run::default()
    };
    (run.first_screen_ms, run.first_screen_source) = match timing["mark"].as_f64() {
        Some(mark) => (origin + mark - started, "performance mark"),
        None => (seen_at - started, "WebDriver poll"),
    };

    let pid = app_pid(&driver).context("the app process is not under tauri-driver")?;
    tokio::time::sleep(Duration::from_secs(1)).await;
    run.memory_at_start = memory_of_tree(pid);

    for j in 0..journeys() {
        let booked = journey::book_a_visit(&mut w).await?;
        let finish = journey::finish(&mut w).await?;
        // Times from the first journey only, so every run's figures mean the same thing.
        if j == 0 {
            for t in booked.transitions.into_iter().chain(finish) {
                run.transitions.insert(t.name, t.frame_ms);
            }
        }
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    run.memory_after_booking = memory_of_tree(pid);
    w.close().await?;
    drop(driver);
    Ok(run)
}

/// Bookings per run before memory is read again (1 to 4: Rhys Evans has 4 visiting orders).
fn journeys() -> usize {
    std::env::var("KIOSK_BENCH_JOURNEYS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1)
        .clamp(1, 4)
}

fn range(xs: &[f64]) -> String {
    let finite: Vec<f64> = xs.iter().copied().filter(|x| x.is_finite()).collect();
    let min = finite.iter().copied().fold(f64::INFINITY, f64::min);
    let max = finite.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    format!("{min:.0}-{max:.0}")
}

fn memory_table(title: &str, runs: &[Run], pick: impl Fn(&Run) -> &BTreeMap<String, (u64, u64)>) {
    println!("\n{title} (median of {} runs, MiB)", runs.len());
    println!("| process | PSS | RSS |\n|---|---:|---:|");
    let names: std::collections::BTreeSet<&String> = runs.iter().flat_map(|r| pick(r).keys()).collect();
    let (mut pss_total, mut rss_total) = (Vec::new(), Vec::new());
    for name in names {
        let pss = median(
            runs.iter()
                .map(|r| pick(r).get(name).map_or(0.0, |m| m.0 as f64))
                .collect(),
        );
        let rss = median(
            runs.iter()
                .map(|r| pick(r).get(name).map_or(0.0, |m| m.1 as f64))
                .collect(),
        );
        println!("| {name} | {:.0} | {:.0} |", pss / 1024.0, rss / 1024.0);
    }
    for r in runs {
        pss_total.push(pick(r).values().map(|m| m.0 as f64).sum::<f64>());
        rss_total.push(pick(r).values().map(|m| m.1 as f64).sum::<f64>());
    }
    println!(
        "| **whole tree** | **{:.0}** | {:.0} |",
        median(pss_total) / 1024.0,
        median(rss_total) / 1024.0
    );
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<()> {
    // `cargo bench` passes `--bench`; nothing else to parse.
    let runs: usize = std::env::var("KIOSK_BENCH_RUNS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    if runs == 0 {
        bail!("KIOSK_BENCH_RUNS must be at least 1");
    }
    let out = output_dir("bench")?;
    println!("app: {}", app_binary()?.display());
    let display = Display::start(1280, 800)?;
    let mut results = Vec::new();
    // One warm-up run first, not counted: the first start reads WebKit's libraries from disk.
    for n in 0..=runs {
        let run = tokio::time::timeout(Duration::from_secs(120), one_run(&display, &out, n))
            .await
            .context("a bench run timed out")??;
        if n > 0 {
            results.push(run);
        }
    }

    let col = |f: fn(&Run) -> f64| results.iter().map(f).collect::<Vec<_>>();
    println!("\nStart-up, ms from process start (median, min-max of {runs} runs)");
    println!("| milestone | median | range |\n|---|---:|---:|");
    for (name, xs) in [
        ("store open", col(|r| r.store_open_ms)),
        ("page starts loading", col(|r| r.navigation_start_ms)),
        ("DOMContentLoaded", col(|r| r.dom_content_loaded_ms)),
        ("load event (app log)", col(|r| r.page_loaded_ms)),
        ("first screen with the prison's name", col(|r| r.first_screen_ms)),
    ] {
        println!("| {name} | {:.0} | {} |", median(xs.clone()), range(&xs));
    }
    println!("(first screen measured by: {})", results[0].first_screen_source);

    println!("\nScreen to screen, ms from the tap to the next frame after the new screen is in the DOM");
    println!("| transition | median | range |\n|---|---:|---:|");
    let names: Vec<String> = results[0].transitions.keys().cloned().collect();
    for name in names {
        let xs: Vec<f64> = results
            .iter()
            .filter_map(|r| r.transitions.get(&name).copied())
            .collect();
        println!("| {name} | {:.1} | {} |", median(xs.clone()), range(&xs));
    }
    memory_table("Memory at the start screen", &results, |r| &r.memory_at_start);
    let after = format!("Memory after {} booking(s), each ended with Finish", journeys());
    memory_table(&after, &results, |r| &r.memory_after_booking);

    let json = out.join("kiosk-bench.json");
    std::fs::write(&json, serde_json::to_string_pretty(&results)?)?;
    println!("\nraw results: {}", json.display());
    Ok(())
}
