//! The real kiosk window, driven through tauri-driver and WebKitWebDriver under a private Xvfb:
//! a visitor books a visit, and the booking and its outbox event are in the kiosk's SQLite file.
//!
//! Run with `tests/e2e/run.sh` (it builds the UI, the app and kioskctl first). Screenshots of
//! every step go to `test-output/e2e/<test>/`.

use anyhow::{Context, Result, ensure};
use sqlx::Row;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePool};
use std::path::Path;
use std::time::Duration;
use visit_e2e::{
    Display, Driver, Window, demo_store, fresh_output_dir, journey, output_dir, set_printer,
    web_process_replaced, web_processes,
};

/// The longest one test may take, start-up included; a hung WebDriver must not hang CI.
const TEST_TIMEOUT: Duration = Duration::from_secs(120);

/// Everything one test needs, stopped in the right order when dropped: the session is closed
/// by the test, then tauri-driver gets SIGTERM, then the X server.
struct Rig {
    window: Window,
    db: std::path::PathBuf,
    // Drop order: driver before display.
    driver: Driver,
    display: Display,
    _store_dir: tempfile::TempDir,
}

async fn start(run: &str, width: u32, height: u32) -> Result<Rig> {
    let out = fresh_output_dir(run)?;
    let store_dir = tempfile::tempdir()?;
    let db = demo_store(store_dir.path())?;
    // Under scripts/with-cups.sh the slip goes to a real CUPS-PDF queue; without it the kiosk
    // has no printer set, and the page must say so.
    if let Ok(queue) = std::env::var("CUPS_TEST_QUEUE") {
        set_printer(&db, &queue)?;
    }
    let display = Display::start(width, height)?;
    let driver = Driver::start(&display, &out.join("tauri-driver.log"))?;
    let client = driver.kiosk_session(&db, "CDF").await?;
    Ok(Rig {
        window: Window::new(client, out),
        db,
        driver,
        display,
        _store_dir: store_dir,
    })
}

async fn with_timeout<F: std::future::Future<Output = Result<()>>>(test: F) -> Result<()> {
    tokio::time::timeout(TEST_TIMEOUT, test)
        .await
        .context("the test timed out")?
}

/// The booking the window made, read straight from the kiosk's SQLite file.
async fn stored_booking(db: &Path, reference: &str) -> Result<()> {
    let pool = SqlitePool::connect_with(SqliteConnectOptions::new().filename(db)).await?;
    let compact = reference.replace('-', "");
    let row = sqlx::query(
        "SELECT status, prison_code, prisoner_number, visit_kind FROM bookings WHERE reference = ?",
    )
    .bind(&compact)
    .fetch_optional(&pool)
    .await?
    .with_context(|| format!("no booking {reference} in {}", db.display()))?;
    ensure!(
        row.get::<String, _>("status") == "booked",
        "status {}",
        row.get::<String, _>("status")
    );
    ensure!(row.get::<String, _>("prison_code") == "CDF");
    ensure!(row.get::<String, _>("prisoner_number") == "A1234BC");
    let visitors: Vec<(String, String)> = sqlx::query_as(
        "SELECT first_name, last_name FROM booking_visitors WHERE booking_reference = ? ORDER BY position",
    )
    .bind(&compact)
    .fetch_all(&pool)
    .await?;
    ensure!(
        visitors == [("Siân".to_string(), "Evans".to_string())],
        "visitors {visitors:?}"
    );
    let events: Vec<(String, String)> =
        sqlx::query_as("SELECT kind, payload FROM outbox WHERE booking_reference = ? ORDER BY seq")
            .bind(&compact)
            .fetch_all(&pool)
            .await?;
    ensure!(
        events.len() == 1 && events[0].0 == "booking_created",
        "outbox events {events:?}"
    );
    let payload: serde_json::Value = serde_json::from_str(&events[0].1)?;
    ensure!(payload["reference"] == reference, "outbox payload {payload}");
    let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM bookings")
        .fetch_one(&pool)
        .await?;
    ensure!(
        total == 1,
        "{total} bookings in the store, expected exactly the one made"
    );
    pool.close().await;
    Ok(())
}

async fn visitor_books_a_visit(run: &str, width: u32, height: u32) -> Result<()> {
    let mut rig = start(run, width, height).await?;
    let reference = journey::book_a_visit(&mut rig.window).await?.reference;
    // The whole X screen too: the window must cover it, with no title bar or desktop showing.
    rig.display
        .screenshot(&output_dir(run)?.join("x-screen-confirmation.png"))?;
    ensure!(
        reference.len() == 9 && reference.chars().nth(4) == Some('-'),
        "the confirmation screen shows {reference:?}, not a reference like ABCD-EFGH"
    );
    stored_booking(&rig.db, &reference).await?;

    let printed = journey::print_slip(&mut rig.window).await?;
    if std::env::var_os("CUPS_TEST_QUEUE").is_some() {
        ensure!(printed, "the page did not say the slip printed");
        ensure!(
            rig.driver.log().contains("slip sent to printer"),
            "the app did not log the print job"
        );
    } else {
        ensure!(
            !printed,
            "the page says a slip printed on a kiosk with no printer"
        );
    }

    journey::finish(&mut rig.window).await?;
    rig.window.screenshot("after-finish").await?;
    rig.window.close().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_visitor_books_a_visit_in_the_real_window_landscape() -> Result<()> {
    with_timeout(visitor_books_a_visit("landscape-1280x800", 1280, 800)).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_visitor_books_a_visit_in_the_real_window_portrait() -> Result<()> {
    with_timeout(visitor_books_a_visit("portrait-1080x1920", 1080, 1920)).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_window_fills_the_screen_and_stays_in_the_app() -> Result<()> {
    with_timeout(async {
        let mut rig = start("lockdown", 1280, 800).await?;
        let w = &rig.window;
        w.find_text(journey::FIRST_SCREEN, "HMP Cardiff").await?;
        let start_url = w.url().await?;
        ensure!(
            start_url.starts_with("tauri://localhost"),
            "the app is at {start_url}"
        );

        // Full screen, no decorations: the page gets the whole X screen.
        let size = w
            .client
            .execute("return [window.innerWidth, window.innerHeight]", vec![])
            .await?;
        ensure!(
            size == serde_json::json!([1280, 800]),
            "the page is {size} on a 1280x800 screen"
        );
        // The frame can lag the DOM by a moment.
        tokio::time::sleep(Duration::from_millis(500)).await;
        rig.display
            .screenshot(&output_dir("lockdown")?.join("x-screen-start.png"))?;

        // Welsh, with its accented letters, in the real window's fonts.
        rig.window
            .tap("language", "button[data-action=lang]", "html[lang=cy]")
            .await?;
        rig.window
            .find_text(journey::FIRST_SCREEN, "Trefnu ymweliad â CEF Caerdydd")
            .await?;
        rig.window.screenshot("start-cymraeg").await?;

        // A script or link that goes elsewhere is refused, and so is a new window.
        let w = &rig.window;
        w.client
            .execute("window.location.href = 'https://www.gov.uk/'", vec![])
            .await?;
        tokio::time::sleep(Duration::from_millis(500)).await;
        let after = w.url().await?;
        ensure!(after == start_url, "navigated away to {after}");
        let opened = w
            .client
            .execute("return window.open('https://www.gov.uk/') === null", vec![])
            .await?;
        ensure!(opened == serde_json::json!(true), "window.open was allowed");
        let handles = w.client.windows().await?;
        ensure!(handles.len() == 1, "{} windows are open", handles.len());
        ensure!(w.url().await? == start_url);

        // Asked to close by the window manager (as Alt+F4 or a close button would): refused,
        // and the page is still there.
        let asked = std::process::Command::new("wmctrl")
            .args(["-c", "Book a prison visit"])
            .env("DISPLAY", &rig.display.name)
            .status()
            .context("cannot run wmctrl (apt-get install wmctrl)")?;
        ensure!(asked.success(), "wmctrl found no kiosk window to close");
        let mut refused = false;
        for _ in 0..50 {
            if rig.driver.log().contains("close request refused") {
                refused = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        ensure!(
            refused,
            "the close request never reached the app: {}",
            rig.driver.log_tail()
        );
        ensure!(w.url().await? == start_url, "the window went away");
        w.find_text(journey::FIRST_SCREEN, "CEF Caerdydd").await?;
        rig.window.close().await?;
        Ok(())
    })
    .await
}

fn kill(pids: &[u32]) -> Result<()> {
    for pid in pids {
        std::process::Command::new("kill")
            .args(["-9", &pid.to_string()])
            .status()?;
    }
    Ok(())
}

/// Two screenshots of the same screen differ in this share of their pixels at most: a fresh
/// web process draws some text's edges a shade differently (0.3% of the start screen).
const SAME_SCREEN: f64 = 0.02;

/// The share of pixels that differ between two screenshots of the same size.
fn differing(a: &Path, b: &Path) -> Result<f64> {
    let (a, b) = (image::open(a)?.to_rgb8(), image::open(b)?.to_rgb8());
    ensure!(a.dimensions() == b.dimensions(), "screenshots of different sizes");
    let differ = a.pixels().zip(b.pixels()).filter(|(x, y)| x != y).count();
    Ok(differ as f64 / f64::from(a.width() * a.height()))
}

/// Takes the X screen as `name` and answers the share of it that differs from `start`.
fn screen_against(display: &Display, start: &Path, name: &str) -> Result<f64> {
    let shot = start.with_file_name(name);
    display.screenshot(&shot)?;
    differing(start, &shot)
}

/// A long visiting day: the page's web process is replaced behind the start screen after the
/// configured number of journeys, and a web process that dies (a crash, WebKit's memory limit)
/// brings the start screen back by itself; one that dies again at once gives the built-in
/// error page, not a loop of reloads.
///
/// WebKitWebDriver ends its session with the first web process ("session deleted because of
/// page crash or hang"), so what follows the renewal is read from the app's log, the process
/// table and the X screen, compared with the start screen as it first showed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_gets_a_fresh_web_process_between_visitors_and_after_a_crash() -> Result<()> {
    with_timeout(async {
        let run = "web-process";
        let out = fresh_output_dir(run)?;
        let store_dir = tempfile::tempdir()?;
        let db = demo_store(store_dir.path())?;
        let display = Display::start(1280, 800)?;
        let driver = Driver::start(&display, &out.join("tauri-driver.log"))?;
        let client = driver.kiosk_session_renewing(&db, "CDF", 1).await?;
        let mut window = Window::new(client, out.clone());

        window.find_text(journey::FIRST_SCREEN, "HMP Cardiff").await?;
        tokio::time::sleep(Duration::from_secs(1)).await;
        let start = out.join("x-start.png");
        display.screenshot(&start)?;
        let first = web_processes(&driver)?;
        ensure!(first.len() == 1, "web processes at the start: {first:?}");
        journey::book_a_visit(&mut window).await?;
        // Finish ends the journey; with a renewal after every journey, the start screen comes
        // back in a fresh process.
        journey::finish_renewing_the_page(&window).await?;
        let renewed = web_process_replaced(&driver, &first, "page's web process renewed", 1).await?;
        ensure!(
            driver.log().matches("page loaded").count() >= 2,
            "the page was not loaded again"
        );
        let changed = screen_against(&display, &start, "x-after-renewal.png")?;
        ensure!(
            changed < SAME_SCREEN,
            "{:.1}% of the screen differs from the start screen",
            changed * 100.0
        );

        // A crash: the start screen again, in another process.
        kill(&renewed)?;
        let recovered = web_process_replaced(
            &driver,
            &renewed,
            "the page's web process ended: loading the page again",
            1,
        )
        .await?;
        let changed = screen_against(&display, &start, "x-after-crash.png")?;
        ensure!(
            changed < SAME_SCREEN,
            "{:.1}% of the screen differs from the start screen",
            changed * 100.0
        );

        // Another crash at once: the built-in error page.
        kill(&recovered)?;
        web_process_replaced(&driver, &recovered, "showing the built-in error page", 1).await?;
        ensure!(
            screen_against(&display, &start, "x-error-page.png")? > 10.0 * SAME_SCREEN,
            "the error page looks like the start screen"
        );
        drop(window);
        drop(driver);
        drop(display);
        drop(store_dir);
        Ok(())
    })
    .await
}
