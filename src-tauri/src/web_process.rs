//! The page's web process: loaded again whenever it ends, and replaced by a fresh one between
//! visitors when the engine says a renewal is due (`kiosk/src/journey/renewal.rs` says why).

use kiosk::journey::{JourneyEnded, UiResult};

/// A web process that ends again this soon after the last one ended on its own is failing on
/// our page: the built-in error page is shown instead of loading the page once more.
#[cfg(target_os = "linux")]
const CRASH_LOOP: std::time::Duration = std::time::Duration::from_secs(10);

/// Loads the page again whenever its web process ends: a renewal, or a crash or WebKit's memory
/// limit, which would otherwise leave a blank window until someone restarts the kiosk.
#[cfg(target_os = "linux")]
pub fn install(view: &webkit2gtk::WebView) {
    use std::cell::Cell;
    use std::time::Instant;
    use webkit2gtk::{WebProcessTerminationReason, WebViewExt};
    let last_crash: Cell<Option<Instant>> = Cell::new(None);
    view.connect_web_process_terminated(move |view, reason| {
        if reason == WebProcessTerminationReason::TerminatedByApi {
            tracing::info!("page's web process renewed: loading the start screen in a fresh one");
            view.reload();
            return;
        }
        let again = last_crash.get().is_some_and(|at| at.elapsed() < CRASH_LOOP);
        last_crash.set(Some(Instant::now()));
        if again {
            tracing::error!(
                ?reason,
                "the page's web process ended twice in a row: showing the built-in error page"
            );
            view.load_alternate_html(
                crate::error_page::ERROR_PAGE,
                crate::error_page::ERROR_PAGE_URI,
                None,
            );
        } else {
            tracing::error!(?reason, "the page's web process ended: loading the page again");
            view.reload();
        }
    });
}

/// The `journey_ended` answer, after replacing the page's web process when it says so.
pub fn renew_when_due(answer: UiResult<JourneyEnded>, webview: &tauri::Webview) -> UiResult<JourneyEnded> {
    if answer.as_ref().is_ok_and(|a| a.renew_page) {
        #[cfg(target_os = "linux")]
        if let Err(e) = webview.with_webview(|w| {
            use webkit2gtk::WebViewExt;
            w.inner().terminate_web_process();
        }) {
            tracing::warn!(error = %e, "cannot renew the page's web process");
        }
    }
    answer
}
