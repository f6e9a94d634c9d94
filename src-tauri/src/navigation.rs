//! Which URLs the kiosk window may load. A public kiosk must never leave its own pages: a link
//! or a script that points anywhere else is refused before the webview starts loading it.

use tauri::Url;

/// True for the app's own origin: `tauri://localhost` on Linux and macOS, and
/// `http(s)://tauri.localhost` where Tauri serves assets over HTTP (Windows).
pub fn is_app_url(url: &Url) -> bool {
    match url.scheme() {
        "tauri" => url.host_str() == Some("localhost"),
        "http" | "https" => url.host_str() == Some("tauri.localhost"),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn the_apps_own_pages_are_allowed() {
        assert!(is_app_url(&url("tauri://localhost/")));
        assert!(is_app_url(&url("tauri://localhost/index.html#/visitors")));
        assert!(is_app_url(&url("http://tauri.localhost/index.html")));
    }

    #[test]
    fn everything_else_is_refused() {
        for s in [
            "https://www.gov.uk/prison-visits",
            "http://localhost:5173/",
            "file:///etc/passwd",
            "about:blank",
            "data:text/html,<h1>hi</h1>",
            "javascript:alert(1)",
            "tauri://evil.example/",
            "https://tauri.localhost.evil.example/",
            "http://user@evil.example/tauri.localhost",
        ] {
            assert!(!is_app_url(&url(s)), "{s} should be refused");
        }
    }
}
