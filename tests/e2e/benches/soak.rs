//! Kiosk app over a day: many whole journeys in one app start, with the memory of the whole
//! process tree and the screen-to-screen times compared between the start and the end.
//!
//! ```text
//! npm --prefix ui run build
//! cargo build --release -p visit-kiosk-app -p visit-kioskctl
//! cargo bench -p visit-e2e --bench soak
//! # knobs: KIOSK_SOAK_JOURNEYS (300) bookings in the one start
//! ```
//!
//! Each journey books a visit as a visitor would (prisoner, a contact picked from the list, the
//! first session offered, check answers, book) and ends with Finish; a journey that does not
//! reach the confirmation screen stops the soak. Journeys take Cardiff's demo prisoners in turn,
//! so each books a real, different visit. PSS of the app and its WebKit processes is read after
//! the first journey, every [`SAMPLE_EVERY`] journeys and after the last. Issue 14 asks that the
//! last be within 10% of the first, and that the screen-to-screen times be unchanged at the end:
//! the bench prints both ratios and does not judge the times itself (the machine's load moves
//! them). Results: stdout and `test-output/e2e/bench/soak.json`.

use anyhow::{Context, Result, bail, ensure};
use serde::Serialize;
use sqlx::{Connection, Row};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};
use visit_e2e::journey::{self, Party};
use visit_e2e::{
    Display, Driver, Window, app_binary, app_pid, demo_store, median, memory_of_tree, output_dir,
    web_process_replaced, web_processes,
};

/// Journeys between memory samples.
const SAMPLE_EVERY: usize = 25;
/// Journeys between memory samples over the first [`SAMPLE_EVERY`], where the web process
/// grows fastest: a kiosk renewing its page every few journeys lives there.
const EARLY_SAMPLE_EVERY: usize = 5;
/// Journeys at each end whose times are compared.
const COMPARED: usize = 20;

#[derive(Debug, Serialize)]
struct Sample {
    after_journeys: usize,
    /// PSS of the whole process tree, KiB.
    pss_kib: u64,
    /// By process name: (PSS, RSS) in KiB.
    by_process: BTreeMap<String, (u64, u64)>,
}

#[derive(Debug, Default, Serialize)]
struct Soak {
    journeys: usize,
    seconds: f64,
    memory: Vec<Sample>,
    /// After the last journey's confirmation, before its Finish renewed the page.
    before_renewal: Option<Sample>,
    /// Each journey's screen changes, ms from the tap to the next frame.
    transitions: Vec<BTreeMap<String, f64>>,
}

fn sample(root: u32, after_journeys: usize) -> Sample {
    let by_process = memory_of_tree(root);
    Sample {
        after_journeys,
        pss_kib: by_process.values().map(|m| m.0).sum(),
        by_process,
    }
}

/// Cardiff's demo prisoners who can have an open visit from an adult contact who is not banned,
/// each with the first such contact; given visiting orders enough for the soak, as staff
/// would for a prisoner with visits to come.
async fn parties(db: &Path) -> Result<Vec<Party>> {
    let url = format!("sqlite://{}", db.display());
    let mut conn = sqlx::SqliteConnection::connect(&url).await?;
    let rows = sqlx::query(
        "SELECT p.number, p.date_of_birth, p.last_name, c.id, c.first_name, c.last_name AS contact_last_name
         FROM prisoners p
         JOIN contacts c ON c.id = (
             SELECT id FROM contacts WHERE prisoner_number = p.number AND banned_until IS NULL
                 AND date_of_birth < date('now', '-19 years') ORDER BY id LIMIT 1)
         WHERE p.prison_code = 'CDF' AND p.departed = 0
           AND NOT EXISTS (SELECT 1 FROM closed_visit_restrictions r WHERE r.prisoner_number = p.number)
         ORDER BY p.number",
    )
    .fetch_all(&mut conn)
    .await?;
    sqlx::query(
        "UPDATE prisoners SET visiting_orders = 1000 WHERE prison_code = 'CDF' AND custody = 'convicted'",
    )
    .execute(&mut conn)
    .await?;
    conn.close().await?;
    rows.iter()
        .map(|r| {
            Ok(Party {
                prisoner_number: r.try_get("number")?,
                prisoner_born: r.try_get("date_of_birth")?,
                prisoner_surname: r.try_get("last_name")?,
                contact_id: r.try_get("id")?,
                contact_first_name: r.try_get("first_name")?,
                contact_last_name: r.try_get("contact_last_name")?,
            })
        })
        .collect()
}

/// The app's own renewal of its page, in journeys, as `--print-config` shows it: its default,
/// or this machine's `/etc/visit-kiosk/kiosk.toml`.
fn app_renewal() -> Result<usize> {
    let shown = std::process::Command::new(app_binary()?)
        .arg("--print-config")
        .output()
        .context("cannot run the app with --print-config")?;
    ensure!(shown.status.success(), "the app's --print-config failed");
    String::from_utf8_lossy(&shown.stdout)
        .lines()
        .find_map(|line| line.strip_prefix("renew_after_journeys = "))
        .context("no renew_after_journeys in the app's --print-config")?
        .trim()
        .parse()
        .context("renew_after_journeys is not a number")
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<()> {
    // `cargo bench` passes `--bench`; nothing else to parse.
    let journeys: usize = match std::env::var("KIOSK_SOAK_JOURNEYS") {
        Ok(n) => n.parse().context("KIOSK_SOAK_JOURNEYS is a number of journeys")?,
        Err(_) => 300,
    };
    if !(2..=1000).contains(&journeys) {
        bail!(
            "KIOSK_SOAK_JOURNEYS must be 2 to 1000: the first journey is the one the rest are compared \
             with, and the kiosk renews its page after at most 1000"
        );
    }
    let out = output_dir("bench")?;
    println!("app: {}", app_binary()?.display());
    let renewal = app_renewal()?;
    let display = Display::start(1280, 800)?;
    let store_dir = tempfile::tempdir()?;
    let db = demo_store(store_dir.path())?;
    let parties = parties(&db).await?;
    ensure!(
        !parties.is_empty(),
        "no Cardiff prisoner in the demo data can book"
    );
    println!(
        "{journeys} journeys by {} Cardiff prisoners in turn",
        parties.len()
    );

    // The kiosk renews its page's web process every `renew_after_journeys` journeys (10 by
    // default), and WebKitWebDriver's session ends with the web process: the soak sets the
    // renewal to its own last journey, so every journey runs in one web process and the growth
    // per journey shows, and the last Finish renews the page as a day's kiosk does.
    let driver = Driver::start(&display, &out.join("tauri-driver-soak.log"))?;
    let client = driver.kiosk_session_renewing(&db, "CDF", journeys).await?;
    let mut w = Window::timed(client);
    let pid = app_pid(&driver).context("the app process is not under tauri-driver")?;

    let started = Instant::now();
    let mut soak = Soak {
        journeys,
        ..Soak::default()
    };
    for j in 0..journeys {
        let party = &parties[j % parties.len()];
        let booked = journey::book_a_visit_for(&mut w, party)
            .await
            .with_context(|| format!("journey {} ({})", j + 1, party.prisoner_number))?;
        let done = j + 1;
        if done == journeys {
            soak.transitions.push(
                booked
                    .transitions
                    .into_iter()
                    .map(|t| (t.name, t.frame_ms))
                    .collect(),
            );
            break;
        }
        let finish = journey::finish_for(&mut w, party).await?;
        soak.transitions.push(
            booked
                .transitions
                .into_iter()
                .chain(finish)
                .map(|t| (t.name, t.frame_ms))
                .collect(),
        );
        let every = if done <= SAMPLE_EVERY {
            EARLY_SAMPLE_EVERY
        } else {
            SAMPLE_EVERY
        };
        if done == 1 || done.is_multiple_of(every) || done == renewal {
            // A second for the page to settle after Finish, as a visitor walking away gives it.
            tokio::time::sleep(Duration::from_secs(1)).await;
            let s = sample(pid, done);
            println!(
                "after {done:>4} journeys: whole tree PSS {:.0} MiB",
                mib(s.pss_kib)
            );
            soak.memory.push(s);
        }
    }
    // The last journey's confirmation: the most the web process grew to in one process.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let grown = sample(pid, journeys);
    println!(
        "after {journeys:>4} journeys, before the Finish that renews the page: whole tree PSS {:.0} MiB",
        mib(grown.pss_kib)
    );
    let old = web_processes(&driver)?;
    journey::finish_renewing_the_page(&w).await?;
    web_process_replaced(&driver, &old, "page loaded", 2).await?;
    let s = sample(pid, journeys);
    println!(
        "after {journeys:>4} journeys and the renewal: whole tree PSS {:.0} MiB",
        mib(s.pss_kib)
    );
    soak.memory.push(s);
    soak.before_renewal = Some(grown);
    soak.seconds = started.elapsed().as_secs_f64();
    // The WebDriver session ended with the renewed web process: nothing to close.
    drop(w);
    drop(driver);

    let (first, last) = match (soak.memory.first(), soak.memory.last()) {
        (Some(f), Some(l)) => (f, l),
        _ => bail!("no memory sample was taken"),
    };
    println!(
        "\n{journeys} journeys in {:.0} s ({:.1} s each)",
        soak.seconds,
        soak.seconds / journeys as f64
    );
    let grown = soak
        .before_renewal
        .as_ref()
        .context("no sample before the renewal")?;
    println!("\nMemory of the whole process tree, PSS in MiB");
    println!(
        "| process | after journey 1 | after journey {journeys}, one web process | after its Finish renewed the page |\n|---|---:|---:|---:|"
    );
    for (name, (pss, _)) in &first.by_process {
        let at = |s: &Sample| mib(s.by_process.get(name).map_or(0, |m| m.0));
        println!(
            "| {name} | {:.0} | {:.0} | {:.0} |",
            mib(*pss),
            at(grown),
            at(last)
        );
    }
    println!(
        "| **whole tree** | **{:.0}** | **{:.0}** | **{:.0}** |",
        mib(first.pss_kib),
        mib(grown.pss_kib),
        mib(last.pss_kib)
    );
    let growth = last.pss_kib as f64 / first.pss_kib as f64;
    let per_journey = (mib(grown.pss_kib) - mib(first.pss_kib)) / (journeys - 1) as f64;
    println!(
        "one web process: {per_journey:.2} MiB a journey on average, {:.3}x after {journeys}\n\
         after the soak and its renewal: ratio {growth:.3} (issue 14: at most 1.10): {}",
        grown.pss_kib as f64 / first.pss_kib as f64,
        if growth <= 1.10 { "met" } else { "NOT met" },
    );
    // A renewed web process starts again from the start screen, so a kiosk renewing every
    // `renewal` journeys peaks where this one process stood after that many.
    match soak.memory.iter().find(|s| s.after_journeys == renewal) {
        Some(peak) => println!(
            "with the app's renewal every {renewal} journeys the tree peaks at {:.0} MiB = {:.3}x",
            mib(peak.pss_kib),
            peak.pss_kib as f64 / first.pss_kib as f64
        ),
        None => println!("the soak is too short to show the peak between renewals every {renewal} journeys"),
    }

    let compared = COMPARED.min(journeys / 2);
    println!("\nScreen to screen, median ms of the first {compared} journeys and of the last {compared}");
    println!("| transition | first | last | ratio |\n|---|---:|---:|---:|");
    let names: Vec<String> = soak.transitions[0].keys().cloned().collect();
    for name in names {
        let of = |range: &[BTreeMap<String, f64>]| {
            median(range.iter().filter_map(|t| t.get(&name).copied()).collect())
        };
        let early = of(&soak.transitions[..compared]);
        let late = of(&soak.transitions[journeys - compared..]);
        println!("| {name} | {early:.1} | {late:.1} | {:.2} |", late / early);
    }

    let json = out.join("soak.json");
    std::fs::write(&json, serde_json::to_string_pretty(&soak)?)?;
    println!("\nraw results: {}", json.display());
    Ok(())
}
