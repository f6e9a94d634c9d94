//! Reception at the real window: a staff account made with `kioskctl`, the long press on the
//! start screen's header, sign-in and the first PIN on the on-screen keypad's fields, and the
//! staff screens, by the same selectors the UI's browser tests use.

use crate::{Window, kioskctl_binary};
use anyhow::{Context, Result, bail};
use fantoccini::actions::{InputSource, MOUSE_BUTTON_LEFT, MouseActions, PointerAction};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

/// Adds a Cardiff account with a one-time PIN, as an operator at a kiosk that works alone.
pub fn add_staff(db: &Path, number: &str, name: &str, role: &str, pin: &str) -> Result<()> {
    add_account(db, &[number, name, role], &[], pin)
}

/// Adds a helper working for `organisation`, whose account ends in 90 days.
pub fn add_helper(db: &Path, number: &str, name: &str, organisation: &str, pin: &str) -> Result<()> {
    let ends = (chrono::Utc::now().date_naive() + chrono::Duration::days(90)).to_string();
    add_account(
        db,
        &[number, name, "helper"],
        &["--organisation", organisation, "--expires-on", &ends],
        pin,
    )
}

fn add_account(db: &Path, [number, name, role]: &[&str; 3], extra: &[&str], pin: &str) -> Result<()> {
    let mut child = Command::new(kioskctl_binary()?)
        .arg("--db")
        .arg(db)
        .args([
            "staff", "add", "--prison", "CDF", "--number", number, "--name", name, "--role", role,
        ])
        .args(extra)
        .arg("--pin-stdin")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .context("cannot run kioskctl")?;
    child
        .stdin
        .take()
        .context("kioskctl's stdin")?
        .write_all(format!("{pin}\n").as_bytes())?;
    let out = child.wait_with_output()?;
    if !out.status.success() {
        bail!(
            "kioskctl staff add failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(())
}

/// The kiosk's audit log as `kioskctl audit` prints it: (action, staff number) oldest first.
pub fn audit(db: &Path) -> Result<Vec<(String, Option<String>)>> {
    let out = Command::new(kioskctl_binary()?)
        .arg("--db")
        .arg(db)
        .arg("audit")
        .output()
        .context("cannot run kioskctl")?;
    if !out.status.success() {
        bail!("kioskctl audit failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    let entries: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout)?;
    Ok(entries
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap_or_default().to_string(),
                e["staff_number"].as_str().map(str::to_string),
            )
        })
        .collect())
}

/// Holds a real pointer down on the start screen's header for 2.3 seconds: the way in.
pub async fn long_press_header(w: &Window) -> Result<()> {
    let header = w.find(".kiosk-header__service").await?;
    let press = MouseActions::new("finger".to_string())
        .then(PointerAction::MoveToElement {
            element: header,
            duration: None,
            x: 0.0,
            y: 0.0,
        })
        .then(PointerAction::Down {
            button: MOUSE_BUTTON_LEFT,
        })
        .then(PointerAction::Pause {
            duration: Duration::from_millis(2300),
        })
        .then(PointerAction::Up {
            button: MOUSE_BUTTON_LEFT,
        });
    w.client
        .perform_actions(press)
        .await
        .context("cannot long-press the header")?;
    w.find("main[data-screen=staff-sign-in]")
        .await
        .context("the long press did not open the staff sign-in")?;
    Ok(())
}

/// Signs in with a one-time PIN and chooses `own_pin`: on the staff home after.
pub async fn first_sign_in(w: &mut Window, number: &str, one_time: &str, own_pin: &str) -> Result<()> {
    first_sign_in_to(w, number, one_time, own_pin, "staff-home").await
}

/// Signs in with a one-time PIN and chooses `own_pin`: on the `home` screen after (a helper's
/// is `helper-home`).
pub async fn first_sign_in_to(
    w: &mut Window,
    number: &str,
    one_time: &str,
    own_pin: &str,
    home: &str,
) -> Result<()> {
    w.fill("#staff-number", number).await?;
    w.fill("#staff-pin", one_time).await?;
    w.close_keyboard().await?;
    w.screenshot("staff-sign-in").await?;
    w.tap(
        "sign in",
        "main button[type=submit]",
        "main[data-screen=staff-pin]",
    )
    .await?;
    w.fill("#new-pin", own_pin).await?;
    w.fill("#confirm-pin", own_pin).await?;
    w.close_keyboard().await?;
    w.screenshot("staff-first-pin").await?;
    w.tap(
        "new PIN",
        "main button[type=submit]",
        &format!("main[data-screen={home}]"),
    )
    .await?;
    w.screenshot(home).await?;
    Ok(())
}

/// From the staff home: finds a visit by its reference and opens its page.
pub async fn open_booking(w: &mut Window, reference: &str) -> Result<()> {
    w.tap(
        "find a booking",
        "[data-action=task][data-screen=staff-find]",
        "main[data-screen=staff-find]",
    )
    .await?;
    w.fill("#find-query", reference).await?;
    w.close_keyboard().await?;
    let view = format!("[data-action=view][data-reference=\"{reference}\"]");
    w.tap("search", "main button[type=submit]", &view).await?;
    w.screenshot("staff-found").await?;
    w.tap("view", &view, "main[data-screen=staff-booking]").await?;
    Ok(())
}
