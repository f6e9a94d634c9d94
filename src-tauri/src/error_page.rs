//! What the window shows when its page cannot be loaded at all, and the WebKit context menu
//! turned off at its source. The page's own lock-down (ui/src/kiosk/lockdown.ts) runs only once
//! the app's script runs; WebKit's own error page would otherwise show its message, a link-like
//! "Reload" and a context menu with Back and Reload to a visitor.

/// A self-contained bilingual page: no script, no links, nothing fetched.
pub const ERROR_PAGE: &str = include_str!("../assets/error-page.html");

/// Where the error page says it is: inside the app's origin, so the navigation guard lets it in.
pub const ERROR_PAGE_URI: &str = "tauri://localhost/kiosk-error";

#[cfg(target_os = "linux")]
pub fn install(view: &webkit2gtk::WebView) {
    use webkit2gtk::WebViewExt;
    // Returning true stops WebKit showing its menu, on the app's pages and on any page WebKit
    // draws itself.
    view.connect_context_menu(|_, _, _, _| true);
    view.connect_load_failed(|view, _, uri, error| {
        tracing::error!(%uri, %error, "the kiosk page failed to load: showing the built-in error page");
        view.load_alternate_html(ERROR_PAGE, ERROR_PAGE_URI, None);
        true
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The words a visitor reads when the page fails: the same as index.html's own fallback for
    /// a script that never starts, in English and Welsh.
    #[test]
    fn the_error_page_says_what_the_pages_own_fallback_says_and_nothing_more() {
        let index = include_str!("../../ui/index.html");
        for words in [
            "Sorry, this kiosk is not working",
            "Please ask reception staff for help.",
            "Mae’n ddrwg gennym, nid yw’r ciosg hwn yn gweithio",
            "Gofynnwch i staff y dderbynfa am help.",
        ] {
            assert!(ERROR_PAGE.contains(words), "{words} in the error page");
            assert!(index.contains(words), "{words} in index.html");
        }
        for forbidden in ["<script", "<a ", "href=", "src=", "http"] {
            assert!(!ERROR_PAGE.contains(forbidden), "{forbidden} in the error page");
        }
        assert!(ERROR_PAGE.contains(r#"lang="cy""#));
    }

    #[test]
    fn the_error_page_is_inside_the_apps_origin() {
        let uri = tauri::Url::parse(ERROR_PAGE_URI).unwrap();
        assert!(crate::navigation::is_app_url(&uri));
    }
}
