//! A harness for driving the real kiosk window: a private X server (Xvfb) with a window manager,
//! tauri-driver in front of WebKitWebDriver, and a fresh kiosk store with the demo data.
//!
//! Every process the harness starts is stopped with SIGTERM when its guard drops. tauri-driver in
//! particular must never get SIGKILL: it would orphan WebKitWebDriver, which keeps its port and
//! makes the next run hang.
//!
//! | file | job |
//! |---|---|
//! | `rig.rs` | workspace paths and binaries, a fresh demo store, Xvfb with a window manager, tauri-driver |
//! | `window.rs` | the kiosk window: taps, typing, screenshots, timed transitions |
//! | `journey.rs` | the visitor's journey, screen by screen |
//! | `staff.rs` | reception: accounts, the long press, sign-in, finding a visit |
//! | `processes.rs` | the app's process tree and memory, from /proc |

pub mod journey;
mod processes;
mod rig;
pub mod staff;
mod window;

pub use anyhow::Result;
pub use processes::*;
pub use rig::*;
pub use window::*;

/// The median of the finite figures (NaN when there are none), for the benches' tables.
pub fn median(mut xs: Vec<f64>) -> f64 {
    xs.retain(|x| x.is_finite());
    if xs.is_empty() {
        return f64::NAN;
    }
    xs.sort_by(f64::total_cmp);
    let mid = xs.len() / 2;
    if xs.len() % 2 == 1 {
        xs[mid]
    } else {
        (xs[mid - 1] + xs[mid]) / 2.0
    }
}
