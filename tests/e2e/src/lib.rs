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
